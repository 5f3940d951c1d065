// Tests of count formatting (thousands separators). Pure; no DOM, no IPC.
import { describe, expect, it } from "vitest";
import { formatCount } from "./count";

describe("formatCount", () => {
  it("leaves counts under a thousand as they are", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(7)).toBe("7");
    expect(formatCount(999)).toBe("999");
  });

  it("groups thousands with commas", () => {
    expect(formatCount(3000)).toBe("3,000");
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(formatCount(100000)).toBe("100,000");
  });

  it("keeps the sign of a negative difference", () => {
    expect(formatCount(-4500)).toBe("-4,500");
  });

  it("rejects a count that is not a whole number", () => {
    expect(() => formatCount(1.5)).toThrow(RangeError);
    expect(() => formatCount(Number.NaN)).toThrow(RangeError);
  });
});
