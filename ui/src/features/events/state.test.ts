// Tests of the events pager against a fake shell: cursors, stale pages after a filter
// change. Must never call the real IPC.
import { describe, expect, it } from "vitest";
import type { EventFilterDto } from "../../bindings/EventFilterDto";
import type { EventPageDto } from "../../bindings/EventPageDto";
import type { EventRowDto } from "../../bindings/EventRowDto";
import { emptyFilter } from "../../app/event-filter";
import { EventPager, statusText } from "./state";

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
});
