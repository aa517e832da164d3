// An earlier commit of troupe, checked out beside this one (a git worktree
// under out/, sharing node_modules), so a bench can run its code in the same
// round as today's: what a change costs, measured side by side.
import { execFileSync } from "node:child_process"
import { existsSync, symlinkSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))

/** The path of `file` (relative to the repo) in a checkout of `commit`; undefined when git cannot make one. */
export const fileAt = (commit: string, file: string): string | undefined => {
  const dir = `${root}out/baseline-${commit}`
  try {
    if (!existsSync(dir)) {
      execFileSync("git", ["-C", root, "worktree", "add", "--detach", "--force", dir, commit], { stdio: "ignore" })
      symlinkSync(`${root}node_modules`, `${dir}/node_modules`)
    }
    return `${dir}/${file}`
  } catch {
    return undefined
  }
}
