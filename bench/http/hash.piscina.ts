// piscina's task module for bench G.
import { hashOf } from "./work.ts"

export default (input: string): string => hashOf(input)
