/**
 * The image under test, built once per test run however many suites use it, with the base
 * image and build figures printed (the build time and size the issue asks for).
 */
import { ensureBaseImage } from "./base_image.ts";
import { buildImage } from "./build_image.ts";

export const IMAGE_TAG = "localhost/aikore:test";

/** One line of the image tests' report on stdout. */
export function report(line: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(`[image] ${line}\n`));
}

let pending: Promise<string> | null = null;

async function build(): Promise<string> {
  const base = await ensureBaseImage();
  report(`base image ${base.tag}: reused ${base.reused}, ${(base.ms / 1000).toFixed(1)} s`);
  const built = await buildImage(base.tag, IMAGE_TAG);
  report(
    `image built in ${(built.ms / 1000).toFixed(1)} s (${built.cachedSteps}/${built.steps} ` +
      `steps from the layer cache); size ${(built.sizeBytes / 1024 ** 2).toFixed(0)} MiB`,
  );
  return built.tag;
}

/** Builds the image on first use and returns its tag; later calls share that build. */
export function testImage(): Promise<string> {
  pending ??= build();
  return pending;
}
