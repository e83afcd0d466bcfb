/**
 * The one module that knows where files shipped with AiKore live (stock blueprints, static
 * assets, island bundles). Paths derive from this file's location, which also works inside a
 * `deno compile` binary when these folders are included.
 */
const root = new URL("../../", import.meta.url);

function pathOf(relative: string): string {
  return decodeURIComponent(new URL(relative, root).pathname).replace(/\/$/, "");
}

export const assetPaths = {
  root: pathOf("./"),
  stockBlueprints: pathOf("blueprints/"),
  static: pathOf("static/"),
  build: pathOf("build/"),
  vendor: pathOf("static/vendor/"),
} as const;
