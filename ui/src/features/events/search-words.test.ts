// Tests of what the events view says about its text search while the text index is prepared.
import { describe, expect, it } from "vitest";
import type { TextIndexDto } from "../../bindings/TextIndexDto";
import { SCAN_SEARCH_HELP, WORD_SEARCH_HELP, askAgain, indexStage, rerunSearch, searchHelp, searchNote } from "./search-words";

function index(fraction: number, complete = false, failure: string | null = null): TextIndexDto {
  return { fraction, complete, building: !complete && failure === null, failure };
}

describe("searchNote", () => {
  it("says how far word search is prepared and what search does until then", () => {
    expect(searchNote(index(0.42))).toBe("Preparing word search: 42% — until then search looks for any piece of text and may be slow");
    expect(searchNote(index(0))).toBe("Preparing word search: 0% — until then search looks for any piece of text and may be slow");
  });

  it("never says 100% before the index is complete", () => {
    expect(searchNote(index(0.999))).toContain("Preparing word search: 99% —");
    expect(searchNote(index(1))).toContain("Preparing word search: 99% —");
  });

  it("says nothing once the index is complete", () => {
    expect(searchNote(index(1, true))).toBeNull();
  });

  it("says why when the build failed", () => {
    expect(searchNote(index(0.3, false, "disk full"))).toBe(
      "Word search could not be prepared (disk full); search looks for any piece of text and may be slow",
    );
  });
});

describe("searchHelp and indexStage", () => {
  it("explains words and prefixes once complete, and the scan until then", () => {
    expect(searchHelp(index(1, true))).toBe(WORD_SEARCH_HELP);
    expect(WORD_SEARCH_HELP).toBe("Finds events holding every word you type; end a word with * to match its start (mar* finds Maria)");
    expect(searchHelp(index(0.5))).toBe(SCAN_SEARCH_HELP);
    expect(searchHelp(index(0.2, false, "locked"))).toBe(SCAN_SEARCH_HELP);
  });

  it("names the stage", () => {
    expect(indexStage(index(0.5))).toBe("building");
    expect(indexStage(index(0.5, false, "locked"))).toBe("failed");
    expect(indexStage(index(1, true))).toBe("complete");
  });
});

describe("askAgain", () => {
  it("keeps asking until the index is complete or its build failed", () => {
    expect(askAgain(index(0.2))).toBe(true);
    expect(askAgain(index(1, true))).toBe(false);
    expect(askAgain(index(0.2, false, "locked"))).toBe(false);
  });
});

describe("rerunSearch", () => {
  it("re-runs a text search once, when the index has just become complete", () => {
    expect(rerunSearch(index(0.8), index(1, true), "maria")).toBe(true);
    // Already complete before: the search read the index.
    expect(rerunSearch(index(1, true), index(1, true), "maria")).toBe(false);
    // Still building.
    expect(rerunSearch(index(0.2), index(0.8), "maria")).toBe(false);
  });

  it("leaves a view without a text search alone", () => {
    expect(rerunSearch(index(0.8), index(1, true), null)).toBe(false);
    expect(rerunSearch(index(0.8), index(1, true), "  ")).toBe(false);
  });

  it("does not re-run on the first answer", () => {
    expect(rerunSearch(null, index(1, true), "maria")).toBe(false);
  });
});
