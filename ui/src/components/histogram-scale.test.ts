// Tests of the histogram's arithmetic and period words. Pure: no DOM, no IPC; offsets
// are passed in, so nothing depends on the machine's time zone.
import { describe, expect, it } from "vitest";
import {
  MIN_VISIBLE_FRACTION,
  barFractions,
  barTitle,
  isoUtc,
  periodBounds,
  periodText,
  shortDate,
  tickIndexes,
  tickLabel,
} from "./histogram-scale";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const JAN_5 = Date.parse("2026-01-05T00:00:00Z");

describe("barFractions", () => {
  it("scales to the busiest period", () => {
    expect(barFractions([0, 5, 10])).toEqual([0, 0.5, 1]);
  });
  it("keeps one event visible beside a huge spike", () => {
    expect(barFractions([1, 1000])[0]).toBe(MIN_VISIBLE_FRACTION);
  });
  it("draws nothing when nothing happened", () => {
    expect(barFractions([0, 0])).toEqual([0, 0]);
    expect(barFractions([])).toEqual([]);
  });
});

describe("tickIndexes", () => {
  it("labels every bar when there are few", () => {
    expect(tickIndexes(4, 6)).toEqual([0, 1, 2, 3]);
  });
  it("spaces labels evenly when there are many", () => {
    expect(tickIndexes(60, 6)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(tickIndexes(7, 3)).toEqual([0, 3, 6]);
  });
  it("has nothing to label without bars", () => {
    expect(tickIndexes(0, 6)).toEqual([]);
  });
});

describe("periodBounds", () => {
  it("gives each bar its [since, until)", () => {
    const { sinceMs, untilMs } = periodBounds("2026-01-05T00:00:00.000Z", DAY, 2);
    expect(isoUtc(sinceMs)).toBe("2026-01-07T00:00:00.000Z");
    expect(isoUtc(untilMs)).toBe("2026-01-08T00:00:00.000Z");
  });
});

describe("period words", () => {
  it("shows hours with the time of day", () => {
    expect(tickLabel(JAN_5 + 14 * HOUR, HOUR, true)).toBe("5 Jan 14:00");
    expect(periodText(JAN_5 + 14 * HOUR, HOUR, true)).toBe("5 Jan 2026, 14:00–15:00 UTC");
  });
  it("shows local time with its offset", () => {
    expect(periodText(JAN_5 + 14 * HOUR, HOUR, false, 120)).toBe("5 Jan 2026, 16:00–17:00 +02:00");
    expect(tickLabel(JAN_5 + 23 * HOUR, HOUR, false, 120)).toBe("6 Jan 01:00");
  });
  it("ends a period at 24:00 of its own day", () => {
    expect(periodText(JAN_5 + 18 * HOUR, 6 * HOUR, true)).toBe("5 Jan 2026, 18:00–24:00 UTC");
  });
  it("shows days and weeks as dates", () => {
    expect(tickLabel(JAN_5, DAY, true)).toBe("5 Jan");
    expect(periodText(JAN_5, DAY, true)).toBe("5 Jan 2026");
    expect(periodText(JAN_5, 7 * DAY, true)).toBe("5 Jan – 11 Jan 2026");
  });
  it("says when a UTC day starts mid-day in local time", () => {
    expect(periodText(JAN_5, DAY, false, -300)).toBe("4 Jan 19:00 – 5 Jan 2026 19:00 -05:00");
  });
  it("writes short dates with or without the year", () => {
    expect(shortDate(JAN_5, true)).toBe("5 Jan");
    expect(shortDate(JAN_5, true, true)).toBe("5 Jan 2026");
  });
});

describe("barTitle", () => {
  it("says the period, the count and whether it is a spike", () => {
    expect(barTitle(JAN_5, DAY, 1, false, true)).toBe("5 Jan 2026: 1 event");
    expect(barTitle(JAN_5, DAY, 1200, true, true)).toBe(
      "5 Jan 2026: 1,200 events (spike: far busier than usual)",
    );
  });
});
