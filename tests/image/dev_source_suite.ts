/**
 * docker-compose.dev.yml's way of running the image: a checkout mounted on /src and
 * AIKORE_DEV_SOURCE=/src make the same image run that source with `deno run --watch`, as the
 * PUID user who owns the checkout, and restart AiKore when a file changes.
 * Run by `deno task test:image` through image_suites.ts (see image_suite.ts for why it is not
 * a `*_test.ts` file).
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { startContainer } from "./container.ts";
import { aikoreProcess, containerProcesses } from "./container_processes.ts";
import { connect } from "./dashboard_client.ts";
import { waitForHealthz } from "./image_checks.ts";
import { podmanUnavailable } from "./podman.ts";
import { report, testImage } from "./test_image.ts";

const REPO = new URL("../../", import.meta.url).pathname;
const PUID = 1500;
const PGID = 1500;
const PASSWORD = "dev image test password";
/** The machine's CA bundle, for the npm downloads the dev start makes behind a TLS proxy. */
const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

const unavailable = await podmanUnavailable();

async function run(command: string, args: string[], cwd = REPO): Promise<string> {
  const output = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder();
  if (!output.success) throw new Error(`${command} failed: ${text.decode(output.stderr)}`);
  return text.decode(output.stdout);
}

/** The working tree as git sees it (tracked and new files, ignored ones left out). */
async function copyCheckout(target: string): Promise<void> {
  const files = (await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]))
    .split("\0").filter(Boolean);
  for (const file of files) {
    const from = `${REPO}${file}`;
    if (!(await Deno.lstat(from).then((info) => info.isFile, () => false))) continue;
    await Deno.mkdir(`${target}/${file.split("/").slice(0, -1).join("/")}`, { recursive: true });
    await Deno.copyFile(from, `${target}/${file}`);
  }
}

async function listeningLines(logs: () => Promise<string>): Promise<number> {
  return ((await logs()).match(/AiKore is listening on/g) ?? []).length;
}

Deno.test({
  name: "image (dev): a mounted checkout runs with file watching as the PUID user",
  ignore: unavailable !== null,
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const image = await testImage();
  const source = await Deno.makeTempDir({ prefix: "aikore-image-src-" });
  const dataDir = await Deno.makeTempDir({ prefix: "aikore-image-devdata-" });
  await copyCheckout(source);
  await run("chown", ["-R", `${PUID}:${PGID}`, source]);
  const container = await startContainer({
    image,
    name: `aikore-image-dev-${Deno.pid}`,
    dataDir,
    puid: PUID,
    pgid: PGID,
    password: PASSWORD,
    pool: { start: 19001, end: 19001 },
    stopGraceS: 30,
    volumes: [`${source}:/src`, `${CA_BUNDLE}:/etc/ssl/certs/host-ca.crt:ro`],
    env: { AIKORE_DEV_SOURCE: "/src", DENO_CERT: "/etc/ssl/certs/host-ca.crt" },
  });
  try {
    const readyMs = await waitForHealthz(container, 300_000);
    report(`dev container answers /healthz ${(readyMs / 1000).toFixed(1)} s after start`);
    const processes = await containerProcesses(container);
    const aikore = aikoreProcess(processes);
    assertEquals(aikore?.args, "deno run --watch --allow-all main.ts serve");
    assertEquals([aikore?.uid, aikore?.gid], [PUID, PGID]);
    const built = await Deno.stat(`${source}/build/manifest.json`);
    assertEquals([built.uid, built.gid], [PUID, PGID], "islands built into the checkout");
    await connect(container.dashboard(), PASSWORD);

    const before = await listeningLines(container.logs);
    await Deno.writeTextFile(`${source}/lib/config/config.ts`, "\n// edited\n", { append: true });
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && (await listeningLines(container.logs)) <= before) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert((await listeningLines(container.logs)) > before, "AiKore restarted on the change");
    await waitForHealthz(container, 60_000);
  } catch (error) {
    report(`dev container log:\n${(await container.logs()).split("\n").slice(-60).join("\n")}`);
    throw error;
  } finally {
    await container.remove();
    await Deno.remove(source, { recursive: true }).catch(() => {});
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
