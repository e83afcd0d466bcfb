import type { DatabaseSync } from "node:sqlite";
import type { ModelDownloadStatus } from "../shared/model_download.ts";

/** A stored model download (its token, if it had one, is never stored). */
export interface ModelDownloadRecord {
  id: number;
  url: string;
  folder: string;
  name: string | null;
  status: ModelDownloadStatus;
  bytes: number;
  total: number | null;
  message: string | null;
  hadToken: boolean;
  /** The file's SHA-256 as the server announced it (Hugging Face's `X-Linked-Etag`), hex. */
  sha256: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** What changes as a download goes on. */
export type ModelDownloadChange = Partial<
  Pick<
    ModelDownloadRecord,
    "name" | "status" | "bytes" | "total" | "message" | "sha256" | "finishedAt"
  >
>;

interface Row {
  id: number;
  url: string;
  folder: string;
  name: string | null;
  status: ModelDownloadStatus;
  bytes: number;
  total: number | null;
  message: string | null;
  had_token: number;
  sha256: string | null;
  created_at: string;
  finished_at: string | null;
}

const COLUMNS: Record<keyof ModelDownloadChange, string> = {
  name: "name",
  status: "status",
  bytes: "bytes",
  total: "total",
  message: "message",
  sha256: "sha256",
  finishedAt: "finished_at",
};

function record(row: Row): ModelDownloadRecord {
  return {
    id: row.id,
    url: row.url,
    folder: row.folder,
    name: row.name,
    status: row.status,
    bytes: row.bytes,
    total: row.total,
    message: row.message,
    hadToken: row.had_token === 1,
    sha256: row.sha256,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

/** The model downloads table. */
export class ModelDownloadRepository {
  constructor(private readonly db: DatabaseSync) {}

  insert(input: {
    url: string;
    folder: string;
    name: string | null;
    hadToken: boolean;
    createdAt: string;
  }): ModelDownloadRecord {
    const row = this.db.prepare(
      `INSERT INTO model_downloads (url, folder, name, status, had_token, created_at)
       VALUES (?, ?, ?, 'queued', ?, ?) RETURNING *`,
    ).get(
      input.url,
      input.folder,
      input.name,
      input.hadToken ? 1 : 0,
      input.createdAt,
    ) as unknown as Row;
    return record(row);
  }

  get(id: number): ModelDownloadRecord | null {
    const row = this.db.prepare("SELECT * FROM model_downloads WHERE id = ?").get(id) as
      | Row
      | undefined;
    return row ? record(row) : null;
  }

  /** Newest first. */
  list(): ModelDownloadRecord[] {
    const rows = this.db.prepare("SELECT * FROM model_downloads ORDER BY id DESC")
      .all() as unknown as Row[];
    return rows.map(record);
  }

  update(id: number, change: ModelDownloadChange): void {
    const keys = (Object.keys(change) as (keyof ModelDownloadChange)[])
      .filter((key) => change[key] !== undefined);
    if (keys.length === 0) return;
    const sets = keys.map((key) => `${COLUMNS[key]} = ?`).join(", ");
    const values = keys.map((key) => change[key] ?? null);
    this.db.prepare(`UPDATE model_downloads SET ${sets} WHERE id = ?`).run(...values, id);
  }

  delete(id: number): void {
    this.db.prepare("DELETE FROM model_downloads WHERE id = ?").run(id);
  }

  /** Forgets the oldest finished downloads beyond `keep` (the files stay). */
  pruneDone(keep: number): void {
    this.db.prepare(
      `DELETE FROM model_downloads WHERE status = 'done' AND id NOT IN
         (SELECT id FROM model_downloads WHERE status = 'done' ORDER BY id DESC LIMIT ?)`,
    ).run(keep);
  }
}
