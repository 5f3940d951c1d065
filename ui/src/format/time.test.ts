// Tests of time formatting (local with offset, UTC). Offsets are passed in: these
// tests must never depend on the machine's time zone.
import { describe, expect, it } from "vitest";
import { formatOffset, formatTime } from "./time";

describe("formatTime", () => {
  it("shows UTC with a UTC suffix", () => {
    expect(formatTime("2026-04-01T09:30:00.000Z", true)).toBe("2026-04-01 09:30:00 UTC");
  });

  it("shows local time with its offset", () => {
    expect(formatTime("2026-04-01T09:30:00.000Z", false, 120)).toBe("2026-04-01 11:30:00 +02:00");
    expect(formatTime("2026-04-01T02:15:09.000Z", false, -330)).toBe("2026-03-31 20:45:09 -05:30");
  });

  it("ignores the offset when showing UTC", () => {
    expect(formatTime("2026-04-01T09:30:00Z", true, 120)).toBe("2026-04-01 09:30:00 UTC");
  });

  it("says so when the time is unknown", () => {
    expect(formatTime(null, false)).toBe("unknown time");
    expect(formatTime("not a time", true)).toBe("unknown time");
  });
});

describe("formatOffset", () => {
  it("pads hours and minutes and keeps the sign", () => {
    expect(formatOffset(0)).toBe("+00:00");
    expect(formatOffset(60)).toBe("+01:00");
    expect(formatOffset(-570)).toBe("-09:30");
  });
});
