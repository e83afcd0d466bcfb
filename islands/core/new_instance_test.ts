import { assertEquals } from "../../tests/helpers/assert.ts";
import type { SystemStats } from "../../lib/shared/stats.ts";
import {
  bestGpu,
  createBodyOf,
  newInstanceDraft,
  newInstanceProblems,
  withName,
  withSlug,
} from "./new_instance.ts";

const GPUS = [
  { id: 0, name: "A", memory_total: 24e9 },
  { id: 1, name: "B", memory_total: 16e9 },
];

function statsWithFree(free: number[]): SystemStats {
  return {
    gpus: free.map((f, id) => ({ id, vram: { free: f } })),
  } as unknown as SystemStats;
}

Deno.test("the default GPU is the one with most free VRAM (total before the first sample)", () => {
  assertEquals(bestGpu(GPUS, null), "0");
  assertEquals(bestGpu(GPUS, statsWithFree([2e9, 10e9])), "1");
  assertEquals(bestGpu([], null), "none", "no GPU (or no NVML): CPU only");
});

Deno.test("slug and output path follow the name until the user edits them", () => {
  let draft = withName(newInstanceDraft("0"), "My Flux App");
  assertEquals([draft.slug, draft.output_path], ["my-flux-app", "my-flux-app"]);
  draft = withSlug(draft, "flux");
  draft = withName(draft, "Other name");
  assertEquals([draft.slug, draft.output_path], ["flux", "flux"]);
  draft = { ...withName(draft, "x"), output_path: "outputs/x", outputEdited: true };
  assertEquals(withSlug(draft, "y").output_path, "outputs/x");
});

Deno.test("the new row names its problems until it can be created", () => {
  const empty = newInstanceDraft("none");
  assertEquals(Object.keys(newInstanceProblems(empty)).sort(), [
    "base_blueprint",
    "name",
    "output_path",
    "slug",
  ]);
  const ready = { ...withName(empty, "api"), base_blueprint: "empty.sh" };
  assertEquals(ready.slug, "api-1", "the proposal avoids reserved words");
  assertEquals(newInstanceProblems(withSlug(ready, "api")), { slug: '"api" is reserved' });
  const ok = withSlug(ready, "api-1");
  assertEquals(newInstanceProblems(ok), {});
  assertEquals(createBodyOf(ok), {
    name: "api",
    slug: "api-1",
    base_blueprint: "empty.sh",
    output_path: "api-1",
    gpu_ids: "none",
    autostart: false,
    persistent_mode: false,
    use_custom_hostname: false,
    hostname: null,
    port: null,
    restart_policy: "no",
    python_version: null,
    cuda_version: null,
    torch_version: null,
    idle_stop_minutes: null,
  });
});

Deno.test("the new row's idle stop is off by default, checked by the server's rule, sent as minutes", () => {
  const ok = withSlug(
    { ...withName(newInstanceDraft("none"), "api"), base_blueprint: "e.sh" },
    "a",
  );
  assertEquals(newInstanceProblems(ok), {});
  assertEquals(createBodyOf(ok).idle_stop_minutes, null, "off by default");
  const thirty = { ...ok, idle_stop_minutes: " 30 " };
  assertEquals(newInstanceProblems(thirty), {});
  assertEquals(createBodyOf(thirty).idle_stop_minutes, 30);
  assertEquals(newInstanceProblems({ ...ok, idle_stop_minutes: "10081" }), {
    idle_stop_minutes: "must be in 0-10080 minutes (0 or null: off)",
  });
  assertEquals(newInstanceProblems({ ...ok, idle_stop_minutes: "soon" }), {
    idle_stop_minutes: "must be a whole number of minutes (0 or null: off)",
  });
});

Deno.test("the GPU choice is checked while choosing: chosen GPUs need one ticked and in range", () => {
  const ready = { ...withName(newInstanceDraft("none"), "app"), base_blueprint: "empty.sh" };
  assertEquals(newInstanceProblems(ready), {});
  assertEquals(newInstanceProblems({ ...ready, gpu_ids: "all" }), {});
  assertEquals(newInstanceProblems({ ...ready, gpu_ids: "" }), {
    gpu_ids: "tick at least one GPU, or choose CPU only or All GPUs",
  });
  assertEquals(newInstanceProblems({ ...ready, gpu_ids: "2" }, 2), {
    gpu_ids: "GPU 2 does not exist (this machine has 2)",
  });
  assertEquals(newInstanceProblems({ ...ready, gpu_ids: "1" }, 2), {});
});
