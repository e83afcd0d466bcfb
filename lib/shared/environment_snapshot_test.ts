import { assertEquals } from "../../tests/helpers/assert.ts";
import {
  describeChange,
  environmentChanges,
  type EnvironmentSnapshot,
  normalizePackageName,
} from "./environment_snapshot.ts";

const before: EnvironmentSnapshot = {
  python: "3.12.7",
  packages: { torch: "2.5.1", gradio: "4.44.0", aiohttp: "3.10.0", "nvidia-cudnn-cu12": "9.1" },
  checkouts: { ComfyUI: "a".repeat(40), "ComfyUI/custom_nodes/Manager": "b".repeat(40) },
};

Deno.test("environmentChanges: Python, then the torch stack, other packages, checkouts", () => {
  const after: EnvironmentSnapshot = {
    python: "3.12.8",
    packages: {
      torch: "2.6.0",
      aiohttp: "3.10.0",
      xformers: "0.0.29",
      "nvidia-cudnn-cu12": "9.5",
      zeta: "1.0",
    },
    checkouts: { ComfyUI: "c".repeat(40), "ComfyUI/custom_nodes/Manager": "b".repeat(40) },
  };
  assertEquals(environmentChanges(before, after).map(describeChange), [
    "Python 3.12.7 → 3.12.8",
    "nvidia-cudnn-cu12 9.1 → 9.5",
    "torch 2.5.1 → 2.6.0",
    "+ xformers 0.0.29",
    "− gradio 4.44.0",
    "+ zeta 1.0",
    `ComfyUI ${"a".repeat(12)} → ${"c".repeat(12)}`,
  ]);
  assertEquals(environmentChanges(before, before), [], "nothing changed");
});

Deno.test("normalizePackageName follows PEP 503", () => {
  assertEquals(normalizePackageName("Torch_Vision.x"), "torch-vision-x");
  assertEquals(normalizePackageName("PyYAML"), "pyyaml");
});
