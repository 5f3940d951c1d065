// The events table's state: the rows loaded so far for the current filter, the cursor
// of the next page, and whether a page is on its way. The fetch is passed in, so this
// file has no IPC and no DOM and can be tested alone. It never reorders or drops rows
// the shell sent, and it counts only the rows loaded (the status line under the table).
import type { EventFilterDto } from "../../bindings/EventFilterDto";
import type { EventPageDto } from "../../bindings/EventPageDto";
import type { EventRowDto } from "../../bindings/EventRowDto";
import { emptyFilter } from "../../app/event-filter";
import { formatCount } from "../../format/count";

export type FetchPage = (
  filter: EventFilterDto,
  after: string | null,
  limit: number,
) => Promise<EventPageDto>;

export class EventPager {
  rows: EventRowDto[] = [];
  private next: string | null = null;
  private started = false;
  private loading = false;
  /** Bumped on every reset, so a page for an older filter is dropped. */
  private generation = 0;

  constructor(
    private readonly fetchPage: FetchPage,
    public filter: EventFilterDto = emptyFilter(),
    readonly pageSize = 200,
  ) {}

  /** More pages may exist (none fetched yet, or the last one had a cursor). */
  get hasMore(): boolean {
    return !this.started || this.next !== null;
  }

  get isLoading(): boolean {
    return this.loading;
  }

  /** Starts over with a new filter. */
  reset(filter: EventFilterDto): void {
    this.generation += 1;
    this.filter = filter;
    this.rows = [];
    this.next = null;
    this.started = false;
    this.loading = false;
  }

  /** Fetches the next page; resolves true if rows were added for the current filter. */
  async loadMore(): Promise<boolean> {
    if (this.loading || !this.hasMore) return false;
    const generation = this.generation;
    this.loading = true;
    try {
      const page = await this.fetchPage(this.filter, this.next, this.pageSize);
      if (generation !== this.generation) return false;
      this.rows = this.rows.concat(page.rows);
      this.next = page.next;
      this.started = true;
      return page.rows.length > 0;
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  indexOf(eventIdx: number): number {
    return this.rows.findIndex((row) => row.event_idx === eventIdx);
  }
}

/**
 * The count under the table, without counting the case: "143 events", or "1,000+
 * events" while more pages may follow (a million-event case is never counted whole).
 */
export function statusText(loaded: number, hasMore: boolean, loading: boolean): string {
  if (loaded === 0) return loading || hasMore ? "Loading…" : "No events match.";
  const noun = loaded === 1 && !hasMore ? "event" : "events";
  const count = `${formatCount(loaded)}${hasMore ? "+" : ""} ${noun}`;
  if (loading) return `${count}, loading more…`;
  return hasMore ? `${count}; scroll for more` : count;
}
