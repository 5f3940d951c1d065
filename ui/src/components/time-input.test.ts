// Tests of the datetime-local inputs' values in fixed time zones (never the machine's).
// Pure.
import { describe, expect, it } from "vitest";
import { type OffsetAt, UTC_OFFSET, parseWallInput, wallInputValue } from "./time-input";

const plus2: OffsetAt = () => 120;

describe("custom range inputs", () => {
  it("reads a datetime-local value in the given zone", () => {
    expect(parseWallInput("2026-01-05T08:00", UTC_OFFSET)).toBe("2026-01-05T08:00:00.000Z");
    expect(parseWallInput("2026-01-05T08:00:30", plus2)).toBe("2026-01-05T06:00:30.000Z");
    expect(parseWallInput("", UTC_OFFSET)).toBeNull();
    expect(parseWallInput("yesterday", UTC_OFFSET)).toBeNull();
  });

  it("writes an instant back as the input's value", () => {
    expect(wallInputValue("2026-01-05T06:00:30.000Z", plus2)).toBe("2026-01-05T08:00:30");
    expect(wallInputValue(null, plus2)).toBe("");
  });
});
