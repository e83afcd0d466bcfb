/** Shapes the dashboard receives from the server (props and API answers). */
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";

/** One blueprint as `GET /api/system/blueprints` lists it. */
export interface BlueprintOption {
  filename: string;
  source: "stock" | "custom";
  name: string;
  category: string;
  description: string;
  error: string | null;
}

/** Stock and custom blueprints. */
export interface BlueprintList {
  stock: BlueprintOption[];
  custom: BlueprintOption[];
}

/** One GPU as `GET /api/system/info` lists it. */
export interface GpuInfo {
  id: number;
  name: string;
  memory_total: number;
}

/** The parts of `GET /api/system/info` the dashboard uses. */
export interface SystemInfo {
  gpus: GpuInfo[];
  gpu_telemetry: { available: boolean; reason: string | null };
  port_range: { start: number; end: number };
  /** Persistent (desktop) mode on this server; absent: assumed available. */
  desktop?: { available: boolean; reason: string | null };
}

/** Props of the Dashboard island (serialised into the page). */
export interface DashboardProps {
  instances: InstanceDto[];
  order: number[];
  blueprints: BlueprintList;
  system: SystemInfo;
  csrfToken: string | null;
  authEnabled: boolean;
  version: string;
}

/** Props of the Settings island. */
export interface SettingsProps {
  csrfToken: string | null;
  authEnabled: boolean;
  version: string;
}
