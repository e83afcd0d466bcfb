import { useEffect, useRef, useState } from "preact/hooks";
import type { DiskUsageReport } from "../../lib/shared/disk_usage.ts";
import { formatBytes, formatPercent } from "../../lib/shared/stats.ts";
import { errorText } from "../core/api_client.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import { type DiskRow, diskRows, measuredAgo, tookText } from "../core/disk_view.ts";
import { useWaitingRead } from "../core/use_waiting_read.ts";

/** Top-level folders another view can act on (free space: purge the trash, delete models). */
const OPENS: Readonly<Record<string, { label: string; view: "trash" | "models" }>> = {
  trash: { label: "Open the trash", view: "trash" },
  models: { label: "Browse the models", view: "models" },
};

function Row(props: { row: DiskRow; onToggle: (path: string) => void }) {
  const { tools } = useDashboard();
  const { row } = props;
  const opens = row.depth === 0 ? OPENS[row.name] : undefined;
  return (
    <tr data-disk-path={row.path} class={row.files ? "disk-files" : undefined}>
      <td style={{ paddingLeft: `${6 + row.depth * 16}px` }}>
        {row.expandable
          ? (
            <button
              type="button"
              class="link-btn disk-toggle"
              aria-expanded={row.expanded}
              onClick={() => props.onToggle(row.path)}
            >
              <span aria-hidden="true">{row.expanded ? "▾" : "▸"}</span> {row.name}
            </button>
          )
          : <span class={row.files ? "muted" : "disk-leaf"}>{row.name}</span>}
      </td>
      <td class="muted">
        {row.label}
        {opens && (
          <>
            {" "}
            <button
              type="button"
              class="link-btn"
              data-action={`open-${opens.view}`}
              onClick={() => tools.open({ kind: opens.view })}
            >
              {opens.label}
            </button>
          </>
        )}
      </td>
      <td class="disk-share">
        <progress
          max={1}
          value={row.share}
          aria-label={`${row.name}: ${formatPercent(row.share * 100)} of the data folder`}
        />
      </td>
      <td class="num" data-bytes={row.bytes}>{formatBytes(row.bytes, 1)}</td>
    </tr>
  );
}

/**
 * Where the data folder's space goes (System → Disk): the last measurement, folder by folder,
 * each folder AiKore knows named by its instance or trash entry. A measurement runs on the
 * server on demand (the first time the view opens, then "Measure again"); the view follows it
 * by a waiting read, with no polling.
 */
export function DiskUsageView() {
  const { api, ui } = useDashboard();
  const { value: report, failure } = useWaitingRead<DiskUsageReport>(api, "/api/system/disk");
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const askedFirst = useRef(false);
  const measure = () =>
    api.post<DiskUsageReport>("/api/system/disk/measure").catch((error) =>
      ui.toast("error", `Cannot measure the disk: ${errorText(error)}`)
    );
  useEffect(() => {
    if (report?.state !== "none" || askedFirst.current) return;
    askedFirst.current = true;
    void measure();
  }, [report?.state]);
  const toggle = (path: string) => {
    const next = new Set(expanded);
    if (!next.delete(path)) next.add(path);
    setExpanded(next);
  };

  if (failure) return <p class="form-error" role="alert">{failure}</p>;
  if (!report) return <p class="tools-note">Loading…</p>;
  const measuring = report.state === "measuring" || report.state === "none";
  const root = report.root;
  const disk = report.disk;
  return (
    <div class="disk-view" data-disk-state={report.state}>
      <div class="disk-summary">
        {root && disk
          ? (
            <p data-disk-summary>
              Data disk: <strong>{formatBytes(disk.used, 1)}</strong> used of{" "}
              {formatBytes(disk.total, 1)}, {formatBytes(disk.free, 1)}{" "}
              free. AiKore's data folder holds <strong>{formatBytes(root.bytes, 1)}</strong>
              {disk.used > root.bytes
                ? `; other things on this disk ${formatBytes(disk.used - root.bytes, 1)}.`
                : "."}
            </p>
          )
          : <p>{measuring ? "Measuring the data folder…" : "Not measured yet."}</p>}
        <p class="muted">
          {report.measured_at && (
            <span data-disk-measured>
              Measured {measuredAgo(report.measured_at, Date.now())} (took{" "}
              {tookText(report.duration_ms ?? 0)}).{" "}
            </span>
          )}
          <button
            type="button"
            class="btn btn-sm"
            data-action="measure-disk"
            disabled={measuring}
            onClick={() => void measure()}
          >
            {measuring ? "Measuring…" : "Measure again"}
          </button>
        </p>
        {report.problem && (
          <p class={report.state === "failed" ? "form-error" : "monitor-note"} role="status">
            {report.state === "failed" ? "The last measurement failed: " : ""}
            {report.problem}
          </p>
        )}
      </div>
      {root && (
        <table class="data-table disk-table" aria-label="Disk usage of the data folder">
          <thead>
            <tr>
              <th scope="col">Folder</th>
              <th scope="col">What it is</th>
              <th scope="col">Share</th>
              <th scope="col" class="num">Size</th>
            </tr>
          </thead>
          <tbody>
            {diskRows(root, expanded).map((row) => (
              <Row key={row.path} row={row} onToggle={toggle} />
            ))}
          </tbody>
        </table>
      )}
      <p class="muted disk-note">
        Sizes are what the files take on the disk. Links are not followed (a model linked into an
        app counts once, in models), a file with several hard links counts once, and another disk
        mounted inside the data folder is left out.
      </p>
    </div>
  );
}
