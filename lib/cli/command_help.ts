import type { CommandSpec } from "./command_spec.ts";

/** `aikore instances logs NAME [--tail N] [--follow] …` */
export function usageLine(spec: CommandSpec): string {
  const flags = spec.flags.map((f) => `[--${f.name}${f.value ? ` ${f.value}` : ""}]`);
  const args = spec.args.map((a) => (a.endsWith("?") ? `[${a.slice(0, -1)}]` : a));
  return ["aikore", ...spec.words, ...args, ...flags].join(" ");
}

/** The full `--help` text of one command. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [`usage: ${usageLine(spec)}`, "", spec.summary];
  if (spec.details.length) lines.push("", ...spec.details);
  if (spec.flags.length) {
    const labels = spec.flags.map((f) => `--${f.name}${f.value ? ` ${f.value}` : ""}`);
    const width = Math.max(...labels.map((l) => l.length));
    lines.push("", "flags:");
    spec.flags.forEach((f, i) => lines.push(`  ${(labels[i] as string).padEnd(width)}  ${f.help}`));
  }
  return lines.join("\n");
}

function listing(specs: readonly CommandSpec[]): string[] {
  const labels = specs.map((s) =>
    [...s.words, ...s.args.map((a) => (a.endsWith("?") ? `[${a.slice(0, -1)}]` : a))].join(" ")
  );
  const width = Math.max(...labels.map((l) => l.length));
  const lines: string[] = [];
  let section = "";
  specs.forEach((spec, i) => {
    if (spec.section !== section) {
      section = spec.section;
      lines.push("", section);
    }
    lines.push(`  ${(labels[i] as string).padEnd(width)}  ${spec.summary}`);
  });
  return lines;
}

/** `aikore help`: every command of the table, by section. */
export function overviewHelp(table: readonly CommandSpec[]): string {
  return [
    "usage: aikore <command> [arguments]   (no command: serve)",
    ...listing(table),
    "",
    'Run "aikore <command> --help" for the arguments and flags of one command.',
  ].join("\n");
}

/** The commands of one group (`aikore instances`), for its help or a wrong subcommand. */
export function groupHelp(table: readonly CommandSpec[], group: string): string {
  const specs = table.filter((s) => s.words[0] === group);
  return [
    `usage: aikore ${group} <${specs.map((s) => s.words[1]).join("|")}> …`,
    ...listing(specs),
    "",
    `Run "aikore ${group} <command> --help" for the arguments and flags of one command.`,
  ].join("\n");
}
