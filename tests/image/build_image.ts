/** Builds the repository's Dockerfile with podman, reusing cached layers, and times it. */
import { GLOBAL_FLAGS, podmanOk, RUN_LIMITS } from "./podman.ts";

const REPO = new URL("../../", import.meta.url).pathname;
/** The machine's CA bundle: a TLS-intercepting proxy's CA reaches npm through a build secret. */
const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

export interface BuiltImage {
  tag: string;
  ms: number;
  /** Build steps answered from the layer cache, and all steps. */
  cachedSteps: number;
  steps: number;
  sizeBytes: number;
}

/** `podman build` of ./Dockerfile on `baseTag`; the build log goes to stderr as it comes. */
export async function buildImage(baseTag: string, tag: string): Promise<BuiltImage> {
  const secret = await Deno.stat(CA_BUNDLE).then(
    () => ["--secret", `id=ca_bundle,src=${CA_BUNDLE}`],
    () => [],
  );
  const started = performance.now();
  const child = new Deno.Command("podman", {
    args: [
      ...GLOBAL_FLAGS,
      "build",
      "--format",
      "docker", // keeps HEALTHCHECK and STOPSIGNAL, as `docker build` does
      "--network=host",
      "--pull=never",
      "--layers",
      ...RUN_LIMITS,
      "--build-arg",
      `BASE_IMAGE=${baseTag}`,
      ...secret,
      "--tag",
      tag,
      "--file",
      `${REPO}Dockerfile`,
      REPO,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let steps = 0;
  let cachedSteps = 0;
  const echo = async (stream: ReadableStream<Uint8Array<ArrayBuffer>>) => {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        if (/STEP \d+\/\d+:/.test(line)) steps++;
        if (/^--> Using cache /.test(line)) cachedSteps++;
        await Deno.stderr.write(new TextEncoder().encode(`  build| ${line}\n`));
      }
    }
  };
  const [status] = await Promise.all([child.status, echo(child.stdout), echo(child.stderr)]);
  if (!status.success) throw new Error(`podman build exited ${status.code} (log above)`);
  const ms = Math.round(performance.now() - started);
  const size = await podmanOk(["image", "inspect", "--format", "{{.Size}}", tag]);
  // Earlier builds' layers stay for a week as cache, then go: the cache does not grow forever.
  await podmanOk(["image", "prune", "--force", "--filter", "until=168h"]);
  return { tag, ms, cachedSteps, steps, sizeBytes: Number(size.trim()) };
}
