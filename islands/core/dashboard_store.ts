/**
 * The dashboard's one client store. The event stream feeds it (snapshot, instance,
 * instance-removed, order, stats); each row keeps the server's copy and the user's draft in
 * separate signals, so a live update re-renders one row and never touches typed text.
 */
import { batch, computed, type ReadonlySignal, type Signal, signal } from "@preact/signals";
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import type { SystemStats } from "../../lib/shared/stats.ts";
import { StatsHistory } from "./stats_history.ts";
import { dirtyFields, type Draft, pruneDraft } from "./editable.ts";
import { type Group, groupInstances } from "./grouping.ts";
import type { NewInstanceDraft } from "./new_instance.ts";
import type { BlueprintList, SystemInfo } from "./types.ts";

/** One table row: the server's instance and the user's unsaved edits. */
export interface RowState {
  id: number;
  dto: Signal<InstanceDto>;
  draft: Signal<Draft>;
}

export type Connection = "connecting" | "live" | "reconnecting" | "offline";

/** Everything the dashboard shows, as signals. */
export class DashboardStore {
  readonly rows = signal<ReadonlyMap<number, RowState>>(new Map());
  readonly order = signal<readonly number[]>([]);
  readonly stats = signal<SystemStats | null>(null);
  /** The monitor's trends since the page opened (read when `stats` changes). */
  readonly statsHistory = new StatsHistory();
  readonly blueprints: Signal<BlueprintList>;
  readonly connection = signal<Connection>("connecting");
  readonly newRow = signal<NewInstanceDraft | null>(null);
  readonly groups: ReadonlySignal<Group[]>;
  /** Rows with unsaved changes. */
  readonly dirtyRows: ReadonlySignal<RowState[]>;
  /** "id:port" pairs of every instance; changes only when a port does (port pickers). */
  readonly portHolders: ReadonlySignal<string>;
  /** Called when a row with unsaved edits disappears (deleted elsewhere). */
  onDraftLost: (name: string) => void = () => {};
  /** Called when a streamed event shows a run that just failed (exited by itself, error). */
  onFailure: (dto: InstanceDto) => void = () => {};
  /** Counts applied stream messages; a row remembers the count of its last one. */
  #seq = 0;
  #rowSeq = new Map<number, number>();

  constructor(
    instances: readonly InstanceDto[],
    order: readonly number[],
    blueprints: BlueprintList,
    readonly system: SystemInfo,
  ) {
    this.blueprints = signal(blueprints);
    this.applySnapshot(instances, order);
    this.groups = computed(() =>
      groupInstances([...this.rows.value.values()].map((r) => r.dto.value), this.order.value)
    );
    this.portHolders = computed(() =>
      [...this.rows.value.values()].map((r) => `${r.id}:${r.dto.value.port ?? ""}`).join(",")
    );
    this.dirtyRows = computed(() =>
      [...this.rows.value.values()].filter((r) => dirtyFields(r.dto.value, r.draft.value).length)
    );
  }

  row(id: number): RowState | undefined {
    return this.rows.value.get(id);
  }

  /**
   * Replaces every instance (first event of a stream, or a resync). Drafts survive. Returns
   * what changed, in words ("web: started → stopped"), for the resync notice.
   */
  applySnapshot(instances: readonly InstanceDto[], order: readonly number[]): string[] {
    const changes: string[] = [];
    batch(() => {
      const previous = this.rows.peek();
      const next = new Map<number, RowState>();
      const seq = ++this.#seq;
      for (const dto of instances) {
        const row = previous.get(dto.id);
        const before = row?.dto.peek();
        if (!before) changes.push(`"${dto.name}" appeared`);
        else if (before.status !== dto.status) {
          changes.push(`"${dto.name}" ${before.status} → ${dto.status}`);
        }
        if (row) this.#update(row, dto);
        next.set(dto.id, row ?? this.#create(dto));
        this.#rowSeq.set(dto.id, seq);
      }
      for (const [id, row] of previous) {
        if (next.has(id)) continue;
        changes.push(`"${row.dto.peek().name}" is gone`);
        this.#lost(row);
      }
      this.rows.value = next;
      this.order.value = order;
    });
    return changes;
  }

  /** A mark to take before an API call whose answer is an instance (see applyResponse). */
  mark(): number {
    return this.#seq;
  }

  /**
   * Applies an instance returned by an API call, unless the event stream already brought a
   * newer state of that row after `mark` (a quick clone can finish before its answer arrives:
   * the answer's "installing" must not overwrite the streamed "stopped").
   */
  applyResponse(dto: InstanceDto, mark: number): void {
    if ((this.#rowSeq.get(dto.id) ?? -1) > mark) return;
    this.#applyInstance(dto);
  }

  /** One instance changed or appeared (an event of the stream). */
  applyInstance(dto: InstanceDto): void {
    this.#rowSeq.set(dto.id, ++this.#seq);
    const before = this.rows.peek().get(dto.id)?.dto.peek().status;
    this.#applyInstance(dto);
    if (before && before !== dto.status && (dto.status === "exited" || dto.status === "error")) {
      this.onFailure(dto);
    }
  }

  #applyInstance(dto: InstanceDto): void {
    const row = this.rows.peek().get(dto.id);
    if (row) {
      this.#update(row, dto);
      return;
    }
    const next = new Map(this.rows.peek());
    next.set(dto.id, this.#create(dto));
    this.rows.value = next;
  }

  applyRemoved(id: number): void {
    this.#rowSeq.set(id, ++this.#seq);
    const row = this.rows.peek().get(id);
    if (!row) return;
    const next = new Map(this.rows.peek());
    next.delete(id);
    this.#lost(row);
    this.rows.value = next;
  }

  applyOrder(order: readonly number[]): void {
    this.order.value = order;
  }

  applyStats(stats: SystemStats): void {
    this.statsHistory.push(stats);
    this.stats.value = stats;
  }

  #create(dto: InstanceDto): RowState {
    return { id: dto.id, dto: signal(dto), draft: signal<Draft>({}) };
  }

  #update(row: RowState, dto: InstanceDto): void {
    const current = row.dto.peek();
    if (current.updated_at === dto.updated_at && JSON.stringify(current) === JSON.stringify(dto)) {
      return;
    }
    batch(() => {
      row.dto.value = dto;
      // A field the server now holds at the drafted value is no longer an edit.
      const draft = row.draft.peek();
      if (Object.keys(draft).length) row.draft.value = pruneDraft(dto, draft);
    });
  }

  #lost(row: RowState): void {
    if (dirtyFields(row.dto.peek(), row.draft.peek()).length) this.onDraftLost(row.dto.peek().name);
  }
}
