import type { CommandSpec, ParsedArgs } from "./command_spec.ts";

/** Why the arguments do not fit the command (exit 2), or the parsed arguments. */
export type ParseOutcome = { ok: true; args: ParsedArgs } | { ok: false; problem: string };

/** Checks `raw` against the spec: known flags only, values present, positional count. */
export function parseArgs(spec: CommandSpec, raw: readonly string[]): ParseOutcome {
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  let onlyPositionals = false;
  for (let i = 0; i < raw.length; i++) {
    const arg = raw[i] as string;
    if (onlyPositionals || !arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    if (arg === "--") {
      onlyPositionals = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") ? arg.slice(2, eq === -1 ? undefined : eq) : "";
    const flag = spec.flags.find((f) => f.name === name);
    if (!flag) return { ok: false, problem: `unknown flag "${arg.split("=")[0]}"` };
    if (flag.value === undefined) {
      if (eq !== -1) return { ok: false, problem: `--${name} takes no value` };
      flags.set(name, "");
      continue;
    }
    const value = eq !== -1 ? arg.slice(eq + 1) : raw[++i];
    if (value === undefined || value === "") {
      return { ok: false, problem: `--${name} needs a value (${flag.value})` };
    }
    flags.set(name, value);
  }
  const required = spec.args.filter((a) => !a.endsWith("?")).length;
  if (positionals.length < required) {
    const missing = spec.args[positionals.length] as string;
    return { ok: false, problem: `missing ${missing}` };
  }
  if (positionals.length > spec.args.length) {
    return { ok: false, problem: `unexpected argument "${positionals[spec.args.length]}"` };
  }
  return { ok: true, args: { positionals, flags, raw: [...raw] } };
}

/** A flag's value as a whole number within bounds, or a problem text. */
export function wholeNumberFlag(
  args: ParsedArgs,
  name: string,
  min: number,
  max: number,
): number | null | { problem: string } {
  const text = args.flags.get(name);
  if (text === undefined) return null;
  if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    return { problem: `--${name} must be a whole number from ${min} to ${max}, not "${text}"` };
  }
  return Number(text);
}
