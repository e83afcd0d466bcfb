/** Prints one line of a test's figures or artifacts to stdout (shown as the test's output). */
export function print(line: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(`${line}\n`));
}
