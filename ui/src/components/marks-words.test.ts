// Tests of the tag input's parsing and suggestions (components/marks-words.ts).
import { describe, expect, it } from "vitest";
import { parseTags, starLabel, tagSuggestions } from "./marks-words";

describe("parseTags", () => {
  it("splits on commas and keeps spaces inside a tag", () => {
    expect(parseTags(" refund fraud , payroll,  ")).toEqual(["refund fraud", "payroll"]);
  });
  it("drops repeats and tags the subject carries", () => {
    expect(parseTags("a, b, a, c", ["c"])).toEqual(["a", "b"]);
  });
  it("is empty for blank input", () => {
    expect(parseTags(" , ,")).toEqual([]);
  });
});

describe("tagSuggestions", () => {
  const inUse = [
    { tag: "payroll", count: 5 },
    { tag: "Refund", count: 3 },
    { tag: "pay-change", count: 1 },
  ];
  it("matches the last typed part in any case, in the engine's order", () => {
    expect(tagSuggestions(inUse, "x, PAY", []).map((t) => t.tag)).toEqual(["payroll", "pay-change"]);
  });
  it("leaves out tags already on the subject", () => {
    expect(tagSuggestions(inUse, "", ["payroll"]).map((t) => t.tag)).toEqual(["Refund", "pay-change"]);
  });
  it("keeps to the limit", () => {
    expect(tagSuggestions(inUse, "", [], 1)).toHaveLength(1);
  });
});

describe("starLabel", () => {
  it("says what the star is and what a click does", () => {
    expect(starLabel(true).text).toContain("Starred");
    expect(starLabel(false).text).toBe("☆ Star");
  });
});
