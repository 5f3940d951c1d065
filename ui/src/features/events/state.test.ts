// Tests of the events pager against a fake shell: cursors, stale pages and counts after
// a filter change, the count asked beside the first page. Must never call the real IPC.
import { describe, expect, it } from "vitest";
import type { EventFilterDto } from "../../bindings/EventFilterDto";
import type { EventPageDto } from "../../bindings/EventPageDto";
import type { EventRowDto } from "../../bindings/EventRowDto";
import { emptyFilter } from "../../app/event-filter";
import { type Counter, EventPager, statusText } from "./state";

function row(eventIdx: number): EventRowDto {
  return {
    event_idx: eventIdx,
    time: null,
    actor_id: null,
    actor_name: null,
    actor_type: null,
    action: null,
    target_type: null,
    target_id: null,
    target_name: null,
    outcome: null,
    sentence: `event ${eventIdx}`,
    verified: true,
    checks_ok: true,
    malformed: null,
    omitted: false,
    source: "audit_bundle",
    source_name: "audit bundle",
    starred: false,
    tags: [],
    has_note: false,
  };
}

/** A fake shell holding `total` events, newest (highest idx) first. */
function fakeShell(total: number) {
  const calls: { filter: EventFilterDto; after: string | null }[] = [];
  const fetch = async (filter: EventFilterDto, after: string | null, limit: number): Promise<EventPageDto> => {
    calls.push({ filter, after });
    const start = after === null ? total : Number(after);
    const rows: EventRowDto[] = [];
    for (let idx = start; idx > 0 && rows.length < limit; idx -= 1) rows.push(row(idx));
    const last = rows[rows.length - 1];
    return { rows, next: rows.length === limit && last !== undefined ? String(last.event_idx - 1) : null };
  };
  return { fetch, calls };
}

describe("EventPager", () => {
  it("loads pages with the cursor until the shell has no more", async () => {
    const shell = fakeShell(5);
    const pager = new EventPager(shell.fetch, emptyFilter(), 2);
    expect(pager.hasMore).toBe(true);
    await pager.loadMore();
    await pager.loadMore();
    await pager.loadMore();
    expect(pager.rows.map((r) => r.event_idx)).toEqual([5, 4, 3, 2, 1]);
    expect(pager.hasMore).toBe(false);
    expect(shell.calls.map((c) => c.after)).toEqual([null, "3", "1"]);
    expect(await pager.loadMore()).toBe(false);
  });

  it("drops a page that arrives after the filter changed", async () => {
    const shell = fakeShell(10);
    const pager = new EventPager(shell.fetch, emptyFilter(), 3);
    const pending = pager.loadMore();
    pager.reset({ ...emptyFilter(), actors: ["u1"] });
    expect(await pending).toBe(false);
    expect(pager.rows).toEqual([]);
    await pager.loadMore();
    expect(shell.calls[1]?.filter.actors).toEqual(["u1"]);
    expect(pager.rows).toHaveLength(3);
  });

  it("finds a loaded row by its event_idx", async () => {
    const pager = new EventPager(fakeShell(4).fetch, emptyFilter(), 10);
    await pager.loadMore();
    expect(pager.indexOf(2)).toBe(2);
    expect(pager.indexOf(99)).toBe(-1);
  });
});

/** A promise with its resolve and reject in hand, to answer a call when a test says so. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/**
 * A fake shell whose pages and counts are answered by the test, and a log of the order
 * the pager asked in ("page", "count").
 */
function slowShell() {
  const asked: string[] = [];
  const pages: { filter: EventFilterDto; answer: ReturnType<typeof deferred<EventPageDto>> }[] = [];
  const counts: { filter: EventFilterDto; answer: ReturnType<typeof deferred<number>> }[] = [];
  const counted: number[] = [];
  const errors: unknown[] = [];
  const fetch = (filter: EventFilterDto): Promise<EventPageDto> => {
    asked.push("page");
    const answer = deferred<EventPageDto>();
    pages.push({ filter, answer });
    return answer.promise;
  };
  const counter: Counter = {
    fetch(filter) {
      asked.push("count");
      const answer = deferred<number>();
      counts.push({ filter, answer });
      return answer.promise;
    },
    onCount: () => counted.push(counts.length),
    onError: (error) => errors.push(error),
  };
  return { fetch, counter, asked, pages, counts, counted, errors };
}

/** Lets the promise callbacks that are due run. */
const settle = () => new Promise((ok) => setTimeout(ok, 0));

describe("EventPager's count", () => {
  it("asks for the count right after the first page, without waiting for it, once per filter", async () => {
    const shell = slowShell();
    const pager = new EventPager(shell.fetch, emptyFilter(), 2, shell.counter);
    const first = pager.loadMore();
    // Both are asked before either answers: the page first, the count beside it.
    expect(shell.asked).toEqual(["page", "count"]);
    shell.pages[0]?.answer.resolve({ rows: [row(9), row(8)], next: "7" });
    expect(await first).toBe(true);
    // The rows are in while the count is still on its way.
    expect(pager.rows).toHaveLength(2);
    expect(pager.matching).toBeNull();
    shell.counts[0]?.answer.resolve(1_234_567);
    await settle();
    expect(pager.matching).toBe(1_234_567);
    expect(shell.counted).toEqual([1]);
    // The next page of the same filter is not counted again.
    const second = pager.loadMore();
    shell.pages[1]?.answer.resolve({ rows: [row(7)], next: null });
    await second;
    expect(shell.asked).toEqual(["page", "count", "page"]);
  });

  it("drops a count that arrives after the filter changed, and counts the new filter", async () => {
    const shell = slowShell();
    const pager = new EventPager(shell.fetch, emptyFilter(), 2, shell.counter);
    const stale = pager.loadMore();
    pager.reset({ ...emptyFilter(), actors: ["u1"] });
    shell.pages[0]?.answer.resolve({ rows: [row(1)], next: null });
    shell.counts[0]?.answer.resolve(500);
    expect(await stale).toBe(false);
    await settle();
    expect(pager.matching).toBeNull();
    expect(shell.counted).toEqual([]);

    const fresh = pager.loadMore();
    expect(shell.counts[1]?.filter.actors).toEqual(["u1"]);
    shell.counts[1]?.answer.resolve(3);
    await settle();
    expect(pager.matching).toBe(3);
    // A reset forgets the count until the new filter's arrives.
    pager.reset(emptyFilter());
    expect(pager.matching).toBeNull();
    shell.pages[1]?.answer.resolve({ rows: [row(1)], next: null });
    await fresh;
  });

  it("reports a failed count only for the current filter, and does not ask again for it", async () => {
    const shell = slowShell();
    const pager = new EventPager(shell.fetch, emptyFilter(), 1, shell.counter);
    const first = pager.loadMore();
    shell.counts[0]?.answer.reject(new Error("the case is gone"));
    shell.pages[0]?.answer.resolve({ rows: [row(2)], next: "1" });
    await first;
    await settle();
    expect(shell.errors).toHaveLength(1);
    expect(pager.matching).toBeNull();
    const second = pager.loadMore();
    shell.pages[1]?.answer.resolve({ rows: [row(1)], next: null });
    await second;
    expect(shell.asked).toEqual(["page", "count", "page"]);

    // A failure for a filter already left is not reported.
    pager.reset({ ...emptyFilter(), outcome: "denied" });
    const third = pager.loadMore();
    pager.reset(emptyFilter());
    shell.counts[1]?.answer.reject(new Error("stale"));
    shell.pages[2]?.answer.resolve({ rows: [], next: null });
    await third;
    await settle();
    expect(shell.errors).toHaveLength(1);
  });

  it("never counts without a counter", async () => {
    const pager = new EventPager(fakeShell(3).fetch, emptyFilter(), 10);
    await pager.loadMore();
    expect(pager.matching).toBeNull();
  });
});

describe("statusText", () => {
  it("counts what is loaded, with a plus while more may follow", () => {
    expect(statusText(143, false, false)).toBe("143 events");
    expect(statusText(1, false, false)).toBe("1 event");
    expect(statusText(1000, true, false)).toBe("1,000+ events; scroll for more");
    expect(statusText(200, true, true)).toBe("200+ events, loading more…");
  });

  it("tells loading from an empty answer", () => {
    expect(statusText(0, true, false)).toBe("Loading…");
    expect(statusText(0, false, false)).toBe("No events match.");
  });

  it("says how many events match once the shell has counted them", () => {
    expect(statusText(200, true, false, 1_234_567)).toBe("1,234,567 events match; scroll for more");
    expect(statusText(400, true, true, 1_234_567)).toBe("1,234,567 events match, loading more…");
    expect(statusText(0, true, true, 1_234_567)).toBe("1,234,567 events match, loading…");
    expect(statusText(143, false, false, 143)).toBe("143 events match");
    expect(statusText(1, false, false, 1)).toBe("1 event matches");
    expect(statusText(0, true, true, 0)).toBe("No events match.");
    expect(statusText(0, false, false, 0)).toBe("No events match.");
  });

  it("keeps the loaded wording while the count is on its way", () => {
    expect(statusText(200, true, false, null)).toBe("200+ events; scroll for more");
    expect(statusText(0, true, true, null)).toBe("Loading…");
  });

  it("lets the rows speak when only stubs match (a count leaves them aside)", () => {
    expect(statusText(3, false, false, 0)).toBe("3 events");
  });
});
