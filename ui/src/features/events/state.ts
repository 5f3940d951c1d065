// The events table's state: the rows loaded so far for the current filter, the cursor
// of the next page, whether a page is on its way, and how many events match the filter
// (the shell's count, asked for beside the first page, never before it). The fetches
// are passed in, so this file has no IPC and no DOM and can be tested alone. It never
// reorders or drops rows the shell sent, and never counts events itself.
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

/** How many events match a filter (the shell's `count_events`). */
export type FetchCount = (filter: EventFilterDto) => Promise<number>;

/** The count of matching events: how to ask, and whom to tell when it arrives. */
export interface Counter {
  fetch: FetchCount;
  /** The count of the current filter arrived (`matching` holds it): redraw the status. */
  onCount(): void;
  /** Asking for the count of the current filter failed. */
  onError(error: unknown): void;
}

export class EventPager {
  rows: EventRowDto[] = [];
  /** How many events match the current filter, as the shell counted them; null until it answers. */
  matching: number | null = null;
  private next: string | null = null;
  private started = false;
  private loading = false;
  /** Whether the count of the current filter was asked for. */
  private counted = false;
  /** Bumped on every reset, so a page or a count for an older filter is dropped. */
  private generation = 0;

  constructor(
    private readonly fetchPage: FetchPage,
    public filter: EventFilterDto = emptyFilter(),
    readonly pageSize = 200,
    private readonly counter: Counter | null = null,
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
    this.matching = null;
    this.counted = false;
  }

  /**
   * Fetches the next page; resolves true if rows were added for the current filter.
   * The first page of a filter also asks for its count, right after the page (so the
   * page never waits behind a count that scans every event), and the two run in parallel.
   */
  async loadMore(): Promise<boolean> {
    if (this.loading || !this.hasMore) return false;
    const generation = this.generation;
    this.loading = true;
    try {
      const pending = this.fetchPage(this.filter, this.next, this.pageSize);
      if (!this.counted) this.askCount();
      const page = await pending;
      if (generation !== this.generation) return false;
      this.rows = this.rows.concat(page.rows);
      this.next = page.next;
      this.started = true;
      return page.rows.length > 0;
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  /** Asks the shell how many events match the current filter; an answer for an older filter is dropped. */
  private askCount(): void {
    const counter = this.counter;
    if (counter === null) return;
    this.counted = true;
    const generation = this.generation;
    counter.fetch(this.filter).then(
      (matching) => {
        if (generation !== this.generation) return;
        this.matching = matching;
        counter.onCount();
      },
      (error: unknown) => {
        if (generation === this.generation) counter.onError(error);
      },
    );
  }

  indexOf(eventIdx: number): number {
    return this.rows.findIndex((row) => row.event_idx === eventIdx);
  }
}

/**
 * The status line under the table. Once the shell has counted the events matching the
 * filter: "1,234,567 events match" (with "; scroll for more" while more pages may
 * follow). Until then, what is loaded: "143 events", or "200+ events" while more pages
 * may follow. `matching` is the shell's count (`EventPager.matching`), null while it is
 * on its way or when it could not be had.
 */
export function statusText(loaded: number, hasMore: boolean, loading: boolean, matching: number | null = null): string {
  // A filter that keeps only stubs (events the export left out, which a count leaves
  // aside) still lists them: then the rows loaded speak.
  if (matching !== null && !(matching === 0 && loaded > 0)) {
    if (matching === 0) return "No events match.";
    const count = `${formatCount(matching)} ${matching === 1 ? "event matches" : "events match"}`;
    if (loading) return loaded === 0 ? `${count}, loading…` : `${count}, loading more…`;
    return hasMore ? `${count}; scroll for more` : count;
  }
  if (loaded === 0) return loading || hasMore ? "Loading…" : "No events match.";
  const noun = loaded === 1 && !hasMore ? "event" : "events";
  const count = `${formatCount(loaded)}${hasMore ? "+" : ""} ${noun}`;
  if (loading) return `${count}, loading more…`;
  return hasMore ? `${count}; scroll for more` : count;
}
