// Tests of the actors list's search, sort and headline. Pure; no DOM, no IPC; time
// offsets are passed in.
import { describe, expect, it } from "vitest";
import type { ActorDto } from "../../bindings/ActorDto";
import { activeSpan, actorHeadline, searchActors, sortActors, troubleText } from "./list";

function actor(id: string, name: string | null, n_events: number, extra: Partial<ActorDto> = {}): ActorDto {
  return {
    actor_id: id,
    actor_type: "user",
    kind: "person",
    name,
    n_events,
    first_time: "2026-03-03T10:00:00Z",
    last_time: "2026-06-28T10:00:00Z",
    n_failures: 0,
    n_denials: 0,
    ...extra,
  };
}

const maria = actor("u_017", "Maria Lopez", 1204, { n_denials: 5 });
const bot = actor("auto_7", "Invoice reminder", 80, { kind: "automation", actor_type: "automation", n_failures: 2 });
const nameless = actor("apic_9", null, 3, { kind: "API client", last_time: null });
const all = [maria, bot, nameless];

describe("searchActors", () => {
  it("finds by part of the name, ignoring case", () => {
    expect(searchActors(all, "  lop ")).toEqual([maria]);
  });
  it("finds by id", () => {
    expect(searchActors(all, "APIC")).toEqual([nameless]);
  });
  it("keeps everyone for a blank search", () => {
    expect(searchActors(all, " ")).toEqual(all);
  });
});

describe("sortActors", () => {
  it("sorts by name, nameless actors by id", () => {
    expect(sortActors(all, "name", false).map((a) => a.actor_id)).toEqual(["apic_9", "auto_7", "u_017"]);
  });
  it("sorts by counts either way", () => {
    expect(sortActors(all, "events", true)).toEqual([maria, bot, nameless]);
    expect(sortActors(all, "failures", true)[0]).toBe(bot);
    expect(sortActors(all, "denials", false)[2]).toBe(maria);
  });
  it("puts unknown times first when oldest first", () => {
    expect(sortActors(all, "last", false)[0]).toBe(nameless);
  });
});

describe("actorHeadline", () => {
  it("says who, what kind and how much, from when to when", () => {
    expect(actorHeadline(maria, true)).toBe("Maria Lopez — person — 1,204 events from 3 Mar to 28 Jun 2026");
  });
  it("writes both years when they differ, and one day once", () => {
    expect(activeSpan("2025-12-30T10:00:00Z", "2026-01-02T10:00:00Z", true)).toBe("from 30 Dec 2025 to 2 Jan 2026");
    expect(activeSpan("2026-01-05T10:00:00Z", "2026-01-05T11:00:00Z", true)).toBe("on 5 Jan 2026");
    expect(activeSpan("2026-01-05T23:30:00Z", "2026-01-05T23:45:00Z", false, 60)).toBe("on 6 Jan 2026");
  });
  it("leaves out the span when times are unknown, and names by id", () => {
    expect(actorHeadline(nameless, true)).toBe("apic_9 — API client — 3 events");
  });
});

describe("troubleText", () => {
  it("says failures and denials in words", () => {
    expect(troubleText(maria)).toBe("5 denied");
    expect(troubleText(bot)).toBe("2 failed");
    expect(troubleText(nameless)).toBe("none failed or denied");
  });
});
