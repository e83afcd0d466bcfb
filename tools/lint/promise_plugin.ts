/**
 * `deno lint` rules against floating promises in production code (lib/ and routes/, tests
 * excluded): a rejected promise that nobody handles ends AiKore, and with it every instance's
 * terminal. Without type information the rules are syntactic, so they catch the usual shapes:
 *
 * - aikore/then-needs-catch: `.then(onFulfilled)` whose chain ends without `.catch(…)` (or a
 *   two-argument `.then`) and is dropped, or stored on another object: that is how
 *   `run.exitHandled = exited.then(…)` crashed AiKore. Awaited, returned, kept in a variable,
 *   passed on or stored on `this`, it is the receiver's to handle.
 * - aikore/no-floating-call: a statement that calls a function declared `async` in the same
 *   file (`f()`, `this.f()`, `this.#f()`) or one of Deno's async file functions
 *   (`Deno.remove(…)` …), also behind `void`, and drops the promise. Await it, or hand it to
 *   `background(…)` from lib/guard, which logs a failure with context.
 */

type Node = Deno.lint.Node;

/** The parent of a node (every node but Program has one). */
function parentOf(node: Node): Node | undefined {
  return (node as { parent?: Node }).parent;
}

const CHECKED = /\/(lib|routes)\//;
const UNCHECKED = /(_test\.tsx?|\/test_support\.ts|\/testdata\/.*)$/;

function checked(filename: string): boolean {
  return CHECKED.test(filename) && !UNCHECKED.test(filename);
}

/** Deno's promise-returning file functions (their *Sync twins return plainly). */
const DENO_ASYNC = new Set([
  "chmod",
  "chown",
  "copyFile",
  "link",
  "lstat",
  "makeTempDir",
  "makeTempFile",
  "mkdir",
  "readFile",
  "readTextFile",
  "realPath",
  "remove",
  "rename",
  "stat",
  "symlink",
  "truncate",
  "utime",
  "writeFile",
  "writeTextFile",
]);

/**
 * The name a call targets: `f` for f(), this.f() and this.#f(), `Deno.remove` for Deno's async
 * file functions; null otherwise.
 */
function calleeName(node: Node): string | null {
  if (node.type !== "CallExpression") return null;
  const callee = node.callee;
  if (callee.type === "Identifier") return callee.name;
  if (
    callee.type === "MemberExpression" && callee.object.type === "Identifier" &&
    callee.object.name === "Deno" && callee.property.type === "Identifier" &&
    DENO_ASYNC.has(callee.property.name)
  ) {
    return `Deno.${callee.property.name}`;
  }
  if (callee.type === "MemberExpression" && callee.object.type === "ThisExpression") {
    const property = callee.property;
    if (property.type === "Identifier") return property.name;
    if (property.type === "PrivateIdentifier") return `#${property.name}`;
  }
  return null;
}

function memberName(node: Node): string | null {
  if (node.type !== "CallExpression" || node.callee.type !== "MemberExpression") return null;
  const property = node.callee.property;
  return property.type === "Identifier" ? property.name : null;
}

/** The outermost call of a method chain that `node` starts (a.then(…).then(…).catch(…)). */
function chainEnd(node: Node): Node {
  let current: Node = node;
  for (;;) {
    const parent = parentOf(current);
    if (
      parent?.type === "MemberExpression" && parent.object === current &&
      parent.parent.type === "CallExpression" && parent.parent.callee === parent
    ) {
      current = parent.parent;
    } else {
      return current;
    }
  }
}

/**
 * True when the chain's promise is handled or handed on: a final `.catch`, a two-argument
 * `.then`, awaited, returned, kept in a variable, passed as an argument or stored on `this`
 * (the object's users await it). Dropped or stored on another object, it is not.
 */
function handled(end: Node): boolean {
  const name = memberName(end);
  if (name === "catch") return true;
  if (name === "then" && end.type === "CallExpression" && end.arguments.length >= 2) return true;
  const parent = parentOf(end);
  switch (parent?.type) {
    case "AwaitExpression":
    case "ReturnStatement":
    case "VariableDeclarator":
    case "Property":
    case "ConditionalExpression":
    case "ArrayExpression":
      return true;
    case "ArrowFunctionExpression":
      return parent.body === end;
    case "CallExpression":
    case "NewExpression":
      return parent.arguments.includes(end as Deno.lint.Expression);
    case "AssignmentExpression":
      return parent.left.type === "MemberExpression" &&
        parent.left.object.type === "ThisExpression";
    default:
      return false;
  }
}

const thenNeedsCatch: Deno.lint.Rule = {
  create(context) {
    if (!checked(context.filename)) return {};
    return {
      CallExpression(node) {
        if (memberName(node) !== "then" || node.arguments.length !== 1) return;
        if (handled(chainEnd(node))) return;
        context.report({
          node,
          message: "`.then(…)` without `.catch(…)`: a rejection here would end AiKore",
          hint: "await it, add .catch(error => logger.…), or use background() from lib/guard",
        });
      },
    };
  },
};

const noFloatingCall: Deno.lint.Rule = {
  create(context) {
    if (!checked(context.filename)) return {};
    // Declarations may come after their use: collect both, decide at the end of the file.
    const asyncNames = new Set<string>();
    const statements: { node: Node; name: string }[] = [];
    return {
      FunctionDeclaration(node) {
        if (node.async && node.id) asyncNames.add(node.id.name);
      },
      VariableDeclarator(node) {
        const init = node.init;
        const isAsync = (init?.type === "ArrowFunctionExpression" ||
          init?.type === "FunctionExpression") && init.async;
        if (node.id.type === "Identifier" && isAsync) asyncNames.add(node.id.name);
      },
      MethodDefinition(node) {
        if (!node.value.async) return;
        if (node.key.type === "Identifier") asyncNames.add(node.key.name);
        if (node.key.type === "PrivateIdentifier") asyncNames.add(`#${node.key.name}`);
      },
      ExpressionStatement(node) {
        // `void f()` only silences the type checker; the rejection still goes unhandled.
        const expression = node.expression.type === "UnaryExpression" &&
            node.expression.operator === "void"
          ? node.expression.argument
          : node.expression;
        const name = calleeName(expression);
        if (name !== null) statements.push({ node, name });
      },
      "Program:exit"() {
        for (const { node, name } of statements) {
          if (!asyncNames.has(name) && !name.startsWith("Deno.")) continue;
          context.report({
            node,
            message: `the promise of async \`${name}()\` is dropped: a rejection would end AiKore`,
            hint: "await it, or use background(…) from lib/guard to log a failure with context",
          });
        }
      },
    };
  },
};

const plugin: Deno.lint.Plugin = {
  name: "aikore",
  rules: { "then-needs-catch": thenNeedsCatch, "no-floating-call": noFloatingCall },
};

export default plugin;
