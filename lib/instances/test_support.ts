/** Test support (not used by production code): terminal managers over a harness's services. */
import type { Harness } from "../../tests/helpers/harness.ts";
import type { InstanceRecord } from "../db/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { TerminalManager, type TerminalManagerDeps } from "./terminals.ts";

/** A manager of at most 4 terminals over the harness's paths, blueprints and environment. */
export function terminalManager(
  h: Harness,
  extra: Partial<TerminalManagerDeps> = {},
): TerminalManager {
  return new TerminalManager({
    paths: h.services.paths,
    blueprints: h.services.catalog,
    logger: silentLogger,
    baseEnv: h.services.baseEnv,
    limit: 4,
    ...extra,
  });
}

/** Creates an instance of the fixture `http_app.sh` through the API; returns its record. */
export async function createdInstance(h: Harness, name: string): Promise<InstanceRecord> {
  const created = await h.json("POST", "/api/instances", { name, base_blueprint: "http_app.sh" });
  const record = h.services.store.get(created.body.id);
  if (!record) throw new Error(`no record for ${name}: ${JSON.stringify(created.body)}`);
  return record;
}

/**
 * Instance 7 ("comfy") as an instance event carries it, in `status`: the fields the bus-driven
 * recorders (run history, environments) read, and what a test sets over them.
 */
export function instanceAt(status: string, extra: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    id: 7,
    slug: "comfy",
    status,
    startedAt: null,
    exitCode: null,
    exitSignal: null,
    ...extra,
  } as InstanceRecord;
}
