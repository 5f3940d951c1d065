// Tests of the excerpt check view's own words.
import { describe, expect, it } from "vitest";
import type { ExcerptCheckDto } from "../../bindings/ExcerptCheckDto";
import type { ExcerptPartCheckDto } from "../../bindings/ExcerptPartCheckDto";
import { chosenWords, eventLine, makerKeyWords, partTitle } from "./words";

const check: ExcerptCheckDto = {
  folder: "/tmp/acme-excerpt-2-events",
  holds: true,
  headline: "The excerpt holds: …",
  made_by: "Robin Reviewer",
  fingerprint: "4266 1a0d b012 f750 f9d3 2080 3a5b 8095",
  made_by_trusted: false,
  made_by_you: false,
  made_at: "2026-12-03T00:57:53Z",
  selection: "starred",
  reason: null,
  chosen: 2,
  statement_signed: true,
  statement_problems: [],
  parts: [],
};

const part: ExcerptPartCheckDto = {
  dir: "part-1",
  method: "chain_to_head",
  source: "/evidence/acme/sample",
  kind: "audit bundle",
  proven: true,
  sentence: "…",
  trust: null,
  problems: [],
  events: [
    { what: "chain acme seq 5", id: "evt_1", proven: true, problem: null, said: null },
    { what: "chain acme seq 6", id: "evt_2", proven: true, problem: null, said: null },
  ],
};

describe("makerKeyWords", () => {
  it("asks the reader to compare the fingerprint of a key they do not trust, naming the maker", () => {
    expect(makerKeyWords(check)).toBe(
      "Signed with a key you have not said you trust: compare this fingerprint with the one Robin Reviewer gives you.",
    );
  });
  it("says your own key, then a trusted key", () => {
    expect(makerKeyWords({ ...check, made_by_you: true, made_by_trusted: true })).toBe("Signed with your own key.");
    expect(makerKeyWords({ ...check, made_by_trusted: true })).toBe("Signed with a key you trust.");
  });
  it("claims nothing of the maker when the signature does not verify, even for a known key", () => {
    expect(makerKeyWords({ ...check, statement_signed: false, made_by_you: true })).toBe(
      "The statement's signature does not verify, so who made the excerpt is not proven.",
    );
  });
});

describe("chosenWords", () => {
  it("gives the count and the engine's words for the selection", () => {
    expect(chosenWords(check)).toBe("2 events: starred");
    expect(chosenWords({ ...check, chosen: 1, selection: "" })).toBe("1 event");
  });
});

describe("partTitle", () => {
  it("numbers the part from 1 and names the source by its file name", () => {
    expect(partTitle(part, 0)).toBe("Part 1: 2 events from sample");
    expect(partTitle({ ...part, source: "", events: [part.events[0]!] }, 1)).toBe("Part 2: 1 event");
  });
});

describe("eventLine", () => {
  it("marks a proven event with its id and a failing one with its problem", () => {
    expect(eventLine(part.events[0]!)).toEqual({ mark: "✓", what: "chain acme seq 5", detail: "evt_1" });
    expect(eventLine({ what: "chain acme seq 6", id: null, proven: false, problem: "part-1/events.jsonl line 2: its content does not hash to its body_hash", said: null })).toEqual({
      mark: "✗",
      what: "chain acme seq 6",
      detail: "part-1/events.jsonl line 2: its content does not hash to its body_hash",
    });
  });
  it("leads with what the event says, and says so when that is not proven", () => {
    const said = "Maria Lopez changed Order #1842 status from Pending Review to Approved";
    expect(eventLine({ ...part.events[0]!, said })).toEqual({ mark: "✓", what: said, detail: "chain acme seq 5: evt_1" });
    expect(eventLine({ what: "chain acme seq 6", id: null, proven: false, problem: "changed", said })).toEqual({
      mark: "✗",
      what: `${said} (as the excerpt carries it, not proven)`,
      detail: "chain acme seq 6: changed",
    });
  });
});
