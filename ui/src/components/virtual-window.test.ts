// Tests of the virtual-window arithmetic (which rows to render, when to fetch more).
// Pure: no DOM, no IPC; must never depend on a real scroll container.
import { describe, expect, it } from "vitest";
import { needsMore, scrollToRow, virtualWindow } from "./virtual-window";

describe("virtualWindow", () => {
  it("renders the first screen plus overscan at the top", () => {
    expect(virtualWindow(0, 300, 30, 1000, 5)).toEqual({
      first: 0,
      end: 16,
      offset: 0,
      totalHeight: 30000,
    });
  });

  it("renders only the rows around the viewport after scrolling", () => {
    const w = virtualWindow(3000, 300, 30, 1000, 5);
    expect(w.first).toBe(95);
    expect(w.end).toBe(116);
    expect(w.offset).toBe(95 * 30);
  });

  it("never goes past the last row", () => {
    const w = virtualWindow(29900, 300, 30, 1000, 5);
    expect(w.end).toBe(1000);
    expect(w.first).toBeLessThan(1000);
  });

  it("renders nothing for an empty list", () => {
    expect(virtualWindow(500, 300, 30, 0)).toEqual({ first: 0, end: 0, offset: 0, totalHeight: 0 });
  });

  it("rejects a row height of zero", () => {
    expect(() => virtualWindow(0, 300, 0, 10)).toThrow(RangeError);
  });
});

describe("needsMore", () => {
  const w = virtualWindow(0, 300, 30, 200, 5);
  it("asks for a page when the window nears the end of what is loaded", () => {
    expect(needsMore(w, 60, true, false, 50)).toBe(true);
  });
  it("waits while far from the end, while loading, or at the end", () => {
    expect(needsMore(w, 200, true, false, 50)).toBe(false);
    expect(needsMore(w, 60, true, true, 50)).toBe(false);
    expect(needsMore(w, 60, false, false, 50)).toBe(false);
  });
});

describe("scrollToRow", () => {
  it("scrolls up or down just enough, or not at all", () => {
    expect(scrollToRow(2, 300, 300, 30)).toBe(60);
    expect(scrollToRow(20, 0, 300, 30)).toBe(330);
    expect(scrollToRow(5, 0, 300, 30)).toBeNull();
  });
});
