// Tests of the record history's moment helpers: the entry at a moment, slider stops,
// and touched fields.
import { describe, expect, it } from "vitest";

import type { ChangeDto } from "../../bindings/ChangeDto";
import { changedFields, entryIndexAt, sliderPosition, sliderStops } from "./moment";

const TIMES = [
  "2026-01-05T08:00:00.000Z",
  "2026-01-05T08:10:00.000Z",
  null,
  "2026-01-05T08:10:00.000Z",
  "2026-01-05T08:20:00.500Z",
];

describe("entryIndexAt", () => {
  it("finds the last entry at or before the moment", () => {
    expect(entryIndexAt(TIMES, "2026-01-05T08:05:00Z")).toBe(0);
    expect(entryIndexAt(TIMES, "2026-01-05T08:10:00Z")).toBe(3);
    expect(entryIndexAt(TIMES, "2026-01-05T08:20:00.499Z")).toBe(3);
    expect(entryIndexAt(TIMES, "2026-01-05T08:20:00.500Z")).toBe(4);
  });

  it("is -1 before the first entry, and the last timed entry for the latest state", () => {
    expect(entryIndexAt(TIMES, "2026-01-05T07:59:59Z")).toBe(-1);
    expect(entryIndexAt(TIMES, null)).toBe(4);
    expect(entryIndexAt([null, null], null)).toBe(-1);
    expect(entryIndexAt(TIMES, "not a time")).toBe(-1);
  });
});

describe("slider", () => {
  it("stops at every entry with a readable time", () => {
    expect(sliderStops(TIMES)).toEqual([0, 1, 3, 4]);
    expect(sliderStops(["nonsense", null])).toEqual([]);
  });

  it("sits on the last stop at or before the entry", () => {
    const stops = [0, 1, 3, 4];
    expect(sliderPosition(stops, 3)).toBe(2);
    expect(sliderPosition(stops, 2)).toBe(1);
    expect(sliderPosition(stops, -1)).toBe(0);
    expect(sliderPosition(stops, 9)).toBe(3);
  });
});

describe("changedFields", () => {
  it("names the top-level fields of an entry's changes", () => {
    const changes: ChangeDto[] = [
      { path: "shipping_address.city", kind: "changed", before: "Berlin", after: "Leeds" },
      { path: "tags[]", kind: "added", before: null, after: "vip" },
      { path: "status", kind: "changed", before: "Draft", after: "Open" },
      { path: "", kind: "changed", before: 1, after: 2 },
    ];
    expect([...changedFields(changes)].sort()).toEqual(["shipping_address", "status", "tags"]);
  });
});
