/**
 * T12: 10,000 random models (fixed seed; AIKORE_FUZZ_SEED / AIKORE_FUZZ_RUNS override) built
 * from names, ports, hosts, GPU-ish strings and injection attempts. Each is either rejected by
 * validation (and then rendering throws), or its rendering has exactly the template's
 * directive multiset and the expected counts of servers and locations. `nginx -t` (~0.1 s each)
 * runs on the first AIKORE_FUZZ_NGINX_T (default 200) distinct accepted configs, listening on
 * loopback (see `sampleModel`), to keep the file fast.
 */
import { assert, assertEquals, assertThrows } from "../../tests/helpers/assert.ts";
import { configShapeProblem } from "./config_shape.ts";
import type { GatewayModel } from "./gateway_model.ts";
import { nginxPaths } from "./nginx_paths.ts";
import { type NginxDirective, parseNginxConfig } from "./parse_nginx_config.ts";
import { renderNginxConfig } from "./render_nginx_config.ts";
import { gatewayModelProblems } from "./validate_gateway_model.ts";
import { randomModel, seededRandom } from "./testdata/fuzz_values.ts";

const SEED = Number(Deno.env.get("AIKORE_FUZZ_SEED") ?? 20261125);
const RUNS = Number(Deno.env.get("AIKORE_FUZZ_RUNS") ?? 10_000);
const NGINX_T = Number(Deno.env.get("AIKORE_FUZZ_NGINX_T") ?? 200);
const LOCAL_LISTEN = new Set(["0.0.0.0", "127.0.0.1", "::", "::1", "[::]", "[::1]"]);

/**
 * `nginx -t` opens the listen sockets (it tolerates only "address in use"), so an address that
 * is not on this machine fails it whatever the config says: the sample listens on loopback.
 */
function sampleModel(model: GatewayModel): GatewayModel | null {
  if (Deno.uid() !== 0 && model.dashboardPort < 1024) return null;
  return LOCAL_LISTEN.has(model.listenHost) ? model : { ...model, listenHost: "127.0.0.1" };
}

/** How many `name` directives (blocks only, when `blocks`) the tree holds. */
function count(directives: NginxDirective[], name: string, blocks = false): number {
  return directives.reduce(
    (n, d) =>
      n + (d.name === name && (!blocks || d.children) ? 1 : 0) +
      count(d.children ?? [], name, blocks),
    0,
  );
}

/** Servers and locations the template must produce, computed independently of the renderer. */
function expectedCounts(model: GatewayModel): { server: number; location: number } {
  // Each instance route: the check subrequest, the route, @aikore_login, @aikore_refuse; on
  // an instance origin (custom host names, pool ports) also the login ticket's claim.
  const route = 4;
  const origin = route + 1;
  const filtered = model.serverNames.length > 0;
  const pool = model.poolPorts.length > 0;
  return {
    server: 1 + (filtered ? 1 : 0) + (pool ? 1 : 0),
    location: 2 + route + (filtered ? origin : 0) + (pool ? origin : 0),
  };
}

async function nginxTest(file: string, prefix: string): Promise<string | null> {
  const output = await new Deno.Command("/usr/sbin/nginx", {
    args: ["-t", "-q", "-p", `${prefix}/`, "-c", file, "-e", `${prefix}/logs/test.log`],
    stdout: "null",
    stderr: "piped",
  }).output();
  return output.success ? null : new TextDecoder().decode(output.stderr);
}

Deno.test(`T12: ${RUNS} random models are rejected or render exactly the template (seed ${SEED})`, async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-fuzz-" });
  const paths = nginxPaths(dir);
  await Deno.mkdir(`${paths.tempDir}`, { recursive: true });
  await Deno.mkdir(`${paths.prefix}/logs`, { recursive: true });
  const random = seededRandom(SEED);
  const accepted = new Map<string, GatewayModel>();
  let rejected = 0;
  try {
    for (let run = 0; run < RUNS; run++) {
      const model = randomModel(random);
      const label = `run ${run} (seed ${SEED}): ${JSON.stringify(model)}`;
      if (gatewayModelProblems(model).length > 0) {
        rejected += 1;
        assertThrows(() => renderNginxConfig(model, paths));
        continue;
      }
      const text = renderNginxConfig(model, paths);
      assertEquals(configShapeProblem(text, model, paths), null, label);
      const parsed = parseNginxConfig(text);
      assertEquals(count(parsed, "include"), 0, label);
      assertEquals(
        { server: count(parsed, "server", true), location: count(parsed, "location") },
        expectedCounts(model),
        label,
      );
      const sample = accepted.size < NGINX_T ? sampleModel(model) : null;
      // Every other sample with the auth answer cache on, so nginx -t checks both renderings.
      const settings = accepted.size % 2 === 0 ? {} : { authCacheDir: `${dir}/auth-cache` };
      if (sample) accepted.set(renderNginxConfig(sample, paths, settings), sample);
    }
    assert(
      rejected > RUNS / 10 && rejected < RUNS * 0.9,
      `rejected ${rejected} of ${RUNS}: the mix is off`,
    );
    const texts = [...accepted.keys()];
    const failures: string[] = [];
    const worker = async (offset: number) => {
      for (let i = offset; i < texts.length; i += 4) {
        const file = `${paths.stagingDir}-${i}.conf`;
        await Deno.writeTextFile(file, texts[i] ?? "");
        const error = await nginxTest(file, paths.prefix);
        if (error) failures.push(`${error}\n${JSON.stringify(accepted.get(texts[i] ?? ""))}`);
        await Deno.remove(file);
      }
    };
    await Promise.all([0, 1, 2, 3].map(worker));
    assertEquals(failures, []);
    assert(
      texts.length >= Math.min(NGINX_T, 50),
      `only ${texts.length} distinct accepted configs were tested`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
