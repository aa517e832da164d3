// Test-file order for `npm run mutate`: Stryker stops a mutant's run at its
// first failing test, so the files that failed last time run first (they
// most likely kill the next mutant of the same code), then the quickest.
// Vitest's own order runs the slowest first, which suits parallel runs.
import { BaseSequencer, type TestSpecification } from "vitest/node"

export class FastFirst extends BaseSequencer {
  override async sort(files: Array<TestSpecification>): Promise<Array<TestSpecification>> {
    const cache = this.ctx.cache
    const rank = (spec: TestSpecification) => {
      const result = cache.getTestSpecificationResult(spec)
      return [result?.failed === true ? 0 : 1, result?.duration ?? 0] as const
    }
    return [...files].sort((a, b) => {
      const [fa, da] = rank(a)
      const [fb, db] = rank(b)
      return fa - fb || da - db
    })
  }
}
