// Tests of the record history's moment helpers: the entry at a moment, slider stops,
// touched fields and the date-time picker's text.
import { describe, expect, it } from "vitest";

import type { ChangeDto } from "../../bindings/ChangeDto";
import {
  changedFields,
  entryIndexAt,
  fromPickerValue,
  sliderPosition,
  sliderStops,
  toPickerValue,
} from "./moment";

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

describe("picker values", () => {
  it("writes an instant in UTC to the second", () => {
    expect(toPickerValue("2026-01-05T08:17:54.536Z", true)).toBe("2026-01-05T08:17:54");
    expect(toPickerValue(null, true)).toBe("");
    expect(toPickerValue("garbage", true)).toBe("");
  });

  it("reads a picker value in UTC, with or without seconds and fractions", () => {
    expect(fromPickerValue("2026-01-05T08:30", true)).toBe("2026-01-05T08:30:00.000Z");
    expect(fromPickerValue("2026-01-05T08:30:07", true)).toBe("2026-01-05T08:30:07.000Z");
    expect(fromPickerValue("2026-01-05T08:30:07.5", true)).toBe("2026-01-05T08:30:07.500Z");
    expect(fromPickerValue(" 2026-01-05 08:30:07 ", true)).toBe("2026-01-05T08:30:07.000Z");
  });

  it("refuses what is not a date and time", () => {
    expect(fromPickerValue("", true)).toBeNull();
    expect(fromPickerValue("2026-02-31T08:00", true)).toBeNull();
    expect(fromPickerValue("2026-13-01T08:00", true)).toBeNull();
    expect(fromPickerValue("yesterday", true)).toBeNull();
  });

  it("round-trips local time through the picker", () => {
    const iso = "2026-07-01T12:34:56.000Z";
    expect(fromPickerValue(toPickerValue(iso, false), false)).toBe(iso);
    expect(fromPickerValue(toPickerValue(iso, true), true)).toBe(iso);
  });
});
