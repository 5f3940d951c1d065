// Tests of the filter bar's model: chips, removing one, picker values, and the time
// presets around a fixed anchor in fixed time zones (never the machine's). Pure.
import { describe, expect, it } from "vitest";
import { emptyFilter } from "../../app/event-filter";
import type { EventFilterDto } from "../../bindings/EventFilterDto";
import { type OffsetAt, UTC_OFFSET } from "../../components/time-input";
import {
  actionPrefixes,
  filterChips,
  humanize,
  pickerValue,
  presetRange,
  rangeFilter,
  rangeText,
  removeChip,
  withPickerValue,
  withTag,
  withoutField,
} from "./filters";

const names = {
  actorName: (id: string) => (id === "u_1" ? "Maria Lopez" : id),
  timeLabel: (since: string | null, until: string | null) => rangeText(since, until, UTC_OFFSET),
};

const plus2: OffsetAt = () => 120;
/** Central Europe in 2026: +01:00, +02:00 from 29 March 01:00 UTC to 25 October 01:00 UTC. */
const berlin: OffsetAt = (ms) =>
  ms >= Date.UTC(2026, 2, 29, 1) && ms < Date.UTC(2026, 9, 25, 1) ? 120 : 60;

function iso(range: { sinceMs: number; untilMs: number }) {
  return rangeFilter(range);
}

describe("filterChips", () => {
  it("shows one chip per active filter, in words", () => {
    const filter: EventFilterDto = {
      ...emptyFilter(),
      actors: ["u_1", "u_2"],
      action: "order.updated",
      outcome: "denied",
      target_type: "Order",
      target_id: "1842",
      text: "refund",
      since: "2026-01-01T00:00:00.000Z",
      until: null,
    };
    const chips = filterChips(filter, names);
    expect(chips.map((chip) => chip.field)).toEqual(["text", "actor", "actor", "action", "outcome", "target", "time"]);
    expect(chips.map((chip) => chip.label)).toEqual([
      "Text: “refund”",
      "Actor: Maria Lopez",
      "Actor: u_2",
      "Action: Order updated",
      "Outcome: Denied",
      "Record: Order 1842",
      "Time: from 2026-01-01 00:00",
    ]);
  });

  it("shows nothing for the empty filter", () => {
    expect(filterChips(emptyFilter(), names)).toEqual([]);
  });

  it("names a file by its name, with its full path for the tooltip", () => {
    const file = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/03/01/123456789012_CloudTrail_us-east-1_20260301T0606Z_02S2I5labaJYmch0.json.gz";
    const chips = filterChips({ ...emptyFilter(), file, outcome: "denied" }, names);
    expect(chips.map((chip) => chip.field)).toEqual(["outcome", "file"]);
    expect(chips[1]).toEqual({
      field: "file",
      value: null,
      label: "File: 123456789012_CloudTrail_us-east-1_20260301T0606Z_02S2I5labaJYmch0.json.gz",
      title: file,
    });
  });

  it("names a prefix of actions as a group", () => {
    const chips = filterChips({ ...emptyFilter(), action: "order.*" }, names);
    expect(chips[0]?.label).toBe("Action: Any order action");
  });
});

describe("removeChip", () => {
  it("removes one actor of several and keeps the rest of the filter", () => {
    const filter = { ...emptyFilter(), actors: ["u_1", "u_2"], outcome: "denied" };
    const [, second] = filterChips(filter, names);
    expect(second).toBeDefined();
    if (second === undefined) return;
    expect(removeChip(filter, second)).toEqual({ ...filter, actors: ["u_1"] });
  });

  it("removes a whole field: the record's type and id, the time range", () => {
    const filter = {
      ...emptyFilter(),
      target_type: "Order",
      target_id: "7",
      since: "2026-01-01T00:00:00.000Z",
      until: "2026-02-01T00:00:00.000Z",
    };
    const chips = filterChips(filter, names);
    const target = chips.find((chip) => chip.field === "target");
    const time = chips.find((chip) => chip.field === "time");
    if (target === undefined || time === undefined) throw new Error("missing chips");
    expect(removeChip(filter, target)).toEqual({ ...filter, target_type: null, target_id: null });
    expect(removeChip(filter, time)).toEqual({ ...filter, since: null, until: null });
  });

  it("removes a file's chip, and only it", () => {
    const filter = { ...emptyFilter(), file: "AWSLogs/1/CloudTrail/a.json.gz", ip: "203.0.113.4" };
    const chip = filterChips(filter, names).find((each) => each.field === "file");
    if (chip === undefined) throw new Error("no file chip");
    expect(removeChip(filter, chip)).toEqual({ ...filter, file: null });
    expect(withoutField(filter, "file")).toEqual({ ...filter, file: null });
  });

  it("gives back the empty filter once every chip is gone", () => {
    let filter: EventFilterDto = { ...emptyFilter(), outcome: "denied", action: "user.login", ip: "203.0.113.4" };
    for (const chip of filterChips(filter, names)) filter = removeChip(filter, chip);
    expect(filter).toEqual(emptyFilter());
  });
});

describe("picker values", () => {
  it("sets and reads back a field, and clears it on an empty value", () => {
    const filter = withPickerValue(emptyFilter(), "outcome", " denied ");
    expect(filter.outcome).toBe("denied");
    expect(pickerValue(filter, "outcome")).toBe("denied");
    expect(withPickerValue(filter, "outcome", "").outcome).toBeNull();
  });

  it("reads Type:ID for a record, as the command line does", () => {
    const one = withPickerValue(emptyFilter(), "target", "Order:1842");
    expect([one.target_type, one.target_id]).toEqual(["Order", "1842"]);
    expect(pickerValue(one, "target")).toBe("Order:1842");
    const type = withPickerValue(one, "target", "Invoice");
    expect([type.target_type, type.target_id]).toEqual(["Invoice", null]);
  });

  it("offers a prefix only when two actions share it", () => {
    expect(actionPrefixes(["order.updated", "user.login", "order.created", "export.created"])).toEqual(["order.*"]);
  });

  it("leaves the other fields alone when counting one field", () => {
    const filter = { ...emptyFilter(), outcome: "denied", action: "user.login" };
    expect(withoutField(filter, "action")).toEqual({ ...emptyFilter(), outcome: "denied" });
  });

  it("turns codes into words", () => {
    expect(humanize("order.updated")).toBe("Order updated");
    expect(humanize("user.login_failed")).toBe("User login failed");
    expect(humanize("api")).toBe("API");
    expect(humanize("")).toBe("");
  });
});

describe("presetRange", () => {
  const anchor = Date.UTC(2026, 4, 14, 9, 30); // Thursday 14 May 2026, 09:30 UTC

  it("takes the last 24 hours up to and including the latest event", () => {
    expect(iso(presetRange("24h", anchor, UTC_OFFSET))).toEqual({
      since: "2026-05-13T09:30:00.000Z",
      until: "2026-05-14T09:30:00.001Z",
    });
  });

  it("takes whole calendar days ending on the latest event's day", () => {
    expect(iso(presetRange("7d", anchor, UTC_OFFSET))).toEqual({
      since: "2026-05-08T00:00:00.000Z",
      until: "2026-05-15T00:00:00.000Z",
    });
    expect(iso(presetRange("30d", anchor, UTC_OFFSET))).toEqual({
      since: "2026-04-15T00:00:00.000Z",
      until: "2026-05-15T00:00:00.000Z",
    });
  });

  it("counts days from local midnight", () => {
    expect(iso(presetRange("7d", anchor, plus2))).toEqual({
      since: "2026-05-07T22:00:00.000Z",
      until: "2026-05-14T22:00:00.000Z",
    });
    // 23:30 UTC on 14 May is already 15 May at +02:00.
    expect(iso(presetRange("7d", Date.UTC(2026, 4, 14, 23, 30), plus2)).until).toBe("2026-05-15T22:00:00.000Z");
  });

  it("takes the calendar quarter of the latest event, and the one before", () => {
    expect(iso(presetRange("this-quarter", anchor, UTC_OFFSET))).toEqual({
      since: "2026-04-01T00:00:00.000Z",
      until: "2026-07-01T00:00:00.000Z",
    });
    expect(iso(presetRange("last-quarter", anchor, UTC_OFFSET))).toEqual({
      since: "2026-01-01T00:00:00.000Z",
      until: "2026-04-01T00:00:00.000Z",
    });
  });

  it("crosses the year for the quarter before January", () => {
    expect(iso(presetRange("last-quarter", Date.UTC(2026, 1, 3), UTC_OFFSET))).toEqual({
      since: "2025-10-01T00:00:00.000Z",
      until: "2026-01-01T00:00:00.000Z",
    });
  });

  it("follows daylight saving at each end of a range", () => {
    // The quarter of 14 May in Berlin: 1 April (already +02:00) to 1 July (+02:00).
    expect(iso(presetRange("this-quarter", anchor, berlin))).toEqual({
      since: "2026-03-31T22:00:00.000Z",
      until: "2026-06-30T22:00:00.000Z",
    });
    // The first quarter starts in winter time and ends in summer time.
    expect(iso(presetRange("last-quarter", anchor, berlin))).toEqual({
      since: "2025-12-31T23:00:00.000Z",
      until: "2026-03-31T22:00:00.000Z",
    });
  });
});

describe("custom range inputs", () => {
  it("says a range in short words", () => {
    expect(rangeText("2026-01-05T08:00:00.000Z", "2026-01-06T00:00:00.000Z", UTC_OFFSET)).toBe(
      "2026-01-05 08:00 to 2026-01-06 00:00",
    );
    expect(rangeText(null, "2026-01-06T00:00:05.000Z", UTC_OFFSET)).toBe("before 2026-01-06 00:00:05");
  });
});

describe("the reviewer's marks as filters", () => {
  it("shows Starred, Note, each tag and a request as chips", () => {
    const filter: EventFilterDto = { ...emptyFilter(), starred: true, has_note: true, tags: ["fraud", "payroll"], request: "req-9" };
    expect(filterChips(filter, names).map((chip) => chip.label)).toEqual([
      "Request: req-9",
      "Starred by you",
      "With your note",
      "Tag: fraud",
      "Tag: payroll",
    ]);
  });
  it("removes one tag of several, and the toggles alone", () => {
    const filter: EventFilterDto = { ...emptyFilter(), starred: true, has_note: true, tags: ["fraud", "payroll"] };
    const chips = filterChips(filter, names);
    const fraud = chips.find((chip) => chip.field === "tag" && chip.value === "fraud");
    const starred = chips.find((chip) => chip.field === "starred");
    if (fraud === undefined || starred === undefined) throw new Error("chips missing");
    expect(removeChip(filter, fraud)).toEqual({ ...filter, tags: ["payroll"] });
    expect(removeChip(filter, starred)).toEqual({ ...filter, starred: false });
    expect(withoutField(filter, "has_note")).toEqual({ ...filter, has_note: false });
  });
  it("adds a tag once, trimmed", () => {
    const once = withTag(emptyFilter(), " fraud ");
    expect(once.tags).toEqual(["fraud"]);
    expect(withTag(once, "fraud")).toBe(once);
    expect(withTag(once, "  ")).toBe(once);
  });
});
