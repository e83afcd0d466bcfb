/** A value the YAML writer understands: scalars, lists and nested maps. */
export type YamlValue = string | number | boolean | null | YamlValue[] | {
  [key: string]: YamlValue;
};

const PLAIN = /^[A-Za-z0-9_./@-][A-Za-z0-9_./@ :=-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|-?\d[\d._]*%?)$/i;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return "null";
  if (typeof value !== "string") return String(value);
  // Anything YAML could read as another type, or with special characters, is double-quoted.
  if (PLAIN.test(value) && !RESERVED.test(value) && !/[: ]$|: | #/.test(value)) return value;
  return JSON.stringify(value);
}

function isMap(value: YamlValue): value is { [key: string]: YamlValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function lines(value: YamlValue, indent: string): string[] {
  const out: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isMap(item) || Array.isArray(item)) throw new TypeError("nested lists are not written");
      out.push(`${indent}- ${scalar(item)}`);
    }
    return out;
  }
  if (!isMap(value)) return [`${indent}${scalar(value)}`];
  for (const [key, item] of Object.entries(value)) {
    if (!/^[a-z0-9_]+$/.test(key)) throw new TypeError(`bad YAML key ${JSON.stringify(key)}`);
    if (isMap(item) || (Array.isArray(item) && item.length > 0)) {
      out.push(`${indent}${key}:`, ...lines(item, indent + "  "));
    } else out.push(`${indent}${key}: ${Array.isArray(item) ? "[]" : scalar(item)}`);
  }
  return out;
}

/** Block-style YAML text of a nested map (keys in insertion order), ending in a newline. */
export function yamlText(document: { [key: string]: YamlValue }): string {
  return ["---", ...lines(document, "")].join("\n") + "\n";
}
