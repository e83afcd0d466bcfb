import type { DatabaseSync } from "node:sqlite";

/** One row of the Python AiKore's `instances` table, read with every version's columns. */
export interface LegacyInstanceRow {
  id: number;
  name: string;
  blueprint: string;
  gpuIds: string | null;
  autostart: boolean;
  persistentMode: boolean;
  hostname: string | null;
  useCustomHostname: boolean;
  outputPath: string | null;
  port: number | null;
  persistentPort: number | null;
  parentId: number | null;
  pythonVersion: string | null;
  cudaVersion: string | null;
  torchVersion: string | null;
}

type Raw = Record<string, unknown>;

function str(row: Raw, column: string): string | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  return String(value);
}

function int(row: Raw, column: string): number | null {
  const value = row[column];
  if (value === null || value === undefined || value === "") return null;
  const number = Number(value);
  return Number.isInteger(number) ? number : null;
}

// SQLAlchemy stored booleans as 0/1; be lenient with hand-edited files.
function bool(row: Raw, column: string): boolean {
  const value = row[column];
  return value === 1 || value === 1n || value === true || value === "1" ||
    (typeof value === "string" && value.toLowerCase() === "true");
}

/** Column names of a table (empty when the table does not exist). */
export function tableColumns(db: DatabaseSync, table: string): string[] {
  const rows = db.prepare("SELECT name FROM pragma_table_info(?)").all(table) as Array<
    { name: string }
  >;
  return rows.map((r) => r.name);
}

/** Every instance row, by id; columns a version lacks read as null/false. */
export function readLegacyInstances(db: DatabaseSync): LegacyInstanceRow[] {
  const rows = db.prepare("SELECT * FROM instances ORDER BY id").all() as Raw[];
  return rows.map((row) => ({
    id: int(row, "id") ?? 0,
    name: str(row, "name") ?? "",
    blueprint: str(row, "base_blueprint") ?? "",
    gpuIds: str(row, "gpu_ids"),
    autostart: bool(row, "autostart"),
    persistentMode: bool(row, "persistent_mode"),
    hostname: str(row, "hostname"),
    useCustomHostname: bool(row, "use_custom_hostname"),
    outputPath: str(row, "output_path"),
    port: int(row, "port"),
    persistentPort: int(row, "persistent_port"),
    parentId: int(row, "parent_instance_id"),
    pythonVersion: str(row, "python_version"),
    cudaVersion: str(row, "cuda_version"),
    torchVersion: str(row, "torch_version"),
  }));
}
