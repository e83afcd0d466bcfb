/** One parsed NGINX directive; `children` is set for block directives. */
export interface NginxDirective {
  name: string;
  args: string[];
  children?: NginxDirective[];
}

type Token = { kind: "word"; text: string } | { kind: ";" | "{" | "}" };

const SPACE = new Set([" ", "\t", "\n", "\r", "\f", "\v"]);

function readQuoted(text: string, start: number): { text: string; end: number } {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length && text[i] !== quote) i += text[i] === "\\" ? 2 : 1;
  if (i >= text.length) throw new SyntaxError(`unterminated ${quote} string`);
  return { text: text.slice(start + 1, i), end: i + 1 };
}

/** End of the bare word starting at `start`: space or ; { } ends it, except inside `${name}`. */
function wordEnd(text: string, start: number): number {
  let i = start;
  let inBraces = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === "{" && text[i - 1] === "$" && i > start) inBraces = true;
    else if (c === "}" && inBraces) inBraces = false;
    else if (SPACE.has(c) || c === ";" || c === "{" || c === "}") break;
    i += 1;
  }
  return i;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (SPACE.has(ch)) {
      i += 1;
    } else if (ch === "#") {
      const newline = text.indexOf("\n", i);
      i = newline < 0 ? text.length : newline;
    } else if (ch === ";" || ch === "{" || ch === "}") {
      tokens.push({ kind: ch });
      i += 1;
    } else if (ch === '"' || ch === "'") {
      const quoted = readQuoted(text, i);
      tokens.push({ kind: "word", text: quoted.text });
      i = quoted.end;
    } else {
      const end = wordEnd(text, i);
      tokens.push({ kind: "word", text: text.slice(i, end) });
      i = end;
    }
  }
  return tokens;
}

/**
 * A small NGINX config parser (words, quotes, comments, blocks) used to check that a
 * rendered config has exactly the template's structure. Throws `SyntaxError` on bad nesting.
 */
export function parseNginxConfig(text: string): NginxDirective[] {
  const root: NginxDirective[] = [];
  const stack: NginxDirective[][] = [root];
  let words: string[] = [];
  for (const token of tokenize(text)) {
    const current = stack[stack.length - 1] ?? root;
    if (token.kind === "word") {
      words.push(token.text);
    } else if (token.kind === ";" || token.kind === "{") {
      const [name, ...args] = words;
      if (name === undefined) throw new SyntaxError(`unexpected "${token.kind}"`);
      const parsed: NginxDirective = { name, args };
      current.push(parsed);
      if (token.kind === "{") {
        parsed.children = [];
        stack.push(parsed.children);
      }
      words = [];
    } else {
      if (words.length > 0 || stack.length === 1) throw new SyntaxError('unexpected "}"');
      stack.pop();
    }
  }
  if (words.length > 0 || stack.length !== 1) throw new SyntaxError("unexpected end of config");
  return root;
}

/**
 * The sorted multiset of `context>path|name|argument count` over every directive: two
 * configs with the same multiset have the same directives, blocks and token counts. Entries
 * of a `map` block are values, not directives, and count as `(entry)`.
 */
export function directiveMultiset(directives: NginxDirective[], context = ""): string[] {
  const out: string[] = [];
  const inMap = context.endsWith(">map");
  for (const directive of directives) {
    out.push(`${context}|${inMap ? "(entry)" : directive.name}|${directive.args.length}`);
    if (directive.children) {
      out.push(...directiveMultiset(directive.children, `${context}>${directive.name}`));
    }
  }
  return context === "" ? out.sort() : out;
}
