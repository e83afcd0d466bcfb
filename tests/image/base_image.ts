/**
 * The Debian bookworm base image, made here with mmdebstrap because Docker Hub is unreachable.
 * The rootfs tarball is cached under IMAGE_CACHE keyed by a hash of mmdebstrap's inputs, and
 * imported into podman only when the tagged image is missing.
 */
import { IMAGE_CACHE, podman, podmanOk } from "./podman.ts";

const MIRROR = "http://deb.debian.org";
/** Everything that decides the rootfs's content; its hash names the cache entry. */
export const BASE_ARGS = [
  "--variant=minbase",
  "--include=ca-certificates",
  "bookworm",
  `deb ${MIRROR}/debian bookworm main`,
  `deb ${MIRROR}/debian bookworm-updates main`,
  `deb ${MIRROR}/debian-security bookworm-security main`,
];

export interface BaseImage {
  tag: string;
  /** What was reused: the podman image, the cached tarball, or nothing (made now). */
  reused: "image" | "tarball" | "nothing";
  ms: number;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Makes (or reuses) the base image and returns its tag. */
export async function ensureBaseImage(): Promise<BaseImage> {
  const started = performance.now();
  const key = (await sha256Hex(JSON.stringify(BASE_ARGS))).slice(0, 12);
  const tag = `localhost/aikore-base:bookworm-${key}`;
  const done = (reused: BaseImage["reused"]) => ({
    tag,
    reused,
    ms: Math.round(performance.now() - started),
  });
  if ((await podman(["image", "exists", tag])).code === 0) return done("image");
  await Deno.mkdir(IMAGE_CACHE, { recursive: true });
  const tarball = `${IMAGE_CACHE}/base-bookworm-${key}.tar`;
  let reused: BaseImage["reused"] = "tarball";
  if (!(await exists(tarball))) {
    reused = "nothing";
    const partial = `${tarball}.partial`;
    const [suite, ...sources] = BASE_ARGS.filter((arg) => !arg.startsWith("--"));
    const options = BASE_ARGS.filter((arg) => arg.startsWith("--"));
    const made = await new Deno.Command("mmdebstrap", {
      // The format is said, not left to the name: mmdebstrap reads "….tar.partial" as a folder.
      args: ["--quiet", "--format=tar", ...options, suite ?? "bookworm", partial, ...sources],
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).output().catch((error: Error) => {
      throw new Error(`mmdebstrap cannot run (.ci/run installs it): ${error.message}`);
    });
    if (!made.success) throw new Error(`mmdebstrap exited ${made.code} making ${tarball}`);
    await Deno.rename(partial, tarball);
  }
  await podmanOk(["import", "--quiet", tarball, tag]);
  return done(reused);
}
