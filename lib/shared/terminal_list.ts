/** The terminal list's contract (`GET /api/instances/{id}/terminals`), shared with the browser. */

/** One live terminal of an instance. */
export interface TerminalInfo {
  id: string;
  instance_id: number;
  created_at: string;
  last_active_at: string;
  viewers: number;
  /** Its shell runs a job (a download, a training): closing the terminal would stop it. */
  running_job: boolean;
}
