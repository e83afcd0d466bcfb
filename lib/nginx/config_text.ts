/** Tiny helpers that lay out NGINX config text; callers pass validated tokens only. */

/** One simple directive line: `name arg1 arg2;`. */
export function directive(name: string, ...args: Array<string | number>): string {
  return `${[name, ...args.map(String)].join(" ")};`;
}

/** A block: `head {`, its body indented by two spaces, `}`. */
export function block(head: string, body: string[]): string[] {
  return [`${head} {`, ...body.map((line) => `  ${line}`), "}"];
}

/** A path as a double-quoted token (paths were checked by `configPathProblem`). */
export function quotedPath(path: string): string {
  return `"${path}"`;
}
