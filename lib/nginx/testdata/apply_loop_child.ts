/**
 * Child process for the T25 crash test: starts a gateway on the first model, prints its
 * master pid, then applies the models in turn forever until the parent SIGKILLs it.
 * Usage: deno run -A apply_loop_child.ts <dataDir> <models JSON>
 */
import { silentLogger } from "../../log/mod.ts";
import type { GatewayModel } from "../gateway_model.ts";
import { NginxGateway } from "../nginx_gateway.ts";

const [dataDir = "", modelsJson = "[]"] = Deno.args;
const models = JSON.parse(modelsJson) as GatewayModel[];
const first = models[0];
if (!first) throw new Error("no models given");
const gateway = new NginxGateway({
  binary: "/usr/sbin/nginx",
  dataDir,
  logger: silentLogger,
  shutdownTimeoutSec: 1,
  // A fresh cache folder per run would make each rendering differ from the test's.
  authCache: false,
});
const started = await gateway.start(first);
await Deno.stdout.write(
  new TextEncoder().encode(`${JSON.stringify({ ok: started.ok, pid: gateway.status.pid })}\n`),
);
for (let i = 1;; i++) {
  const result = await gateway.apply(models[i % models.length] ?? first);
  if (!result.ok) throw new Error(`apply failed: ${result.error}`);
}
