// Tests of the re-verification words.
import { describe, expect, it } from "vitest";
import type { FindingDto } from "../../bindings/FindingDto";
import { reverifySummary } from "./reverify-words";

const base = { n_rows: 3000, findings: [], bundles: [] };

describe("reverifySummary", () => {
  it("says plainly that nothing changed", () => {
    expect(reverifySummary(base)).toBe("Checked 3,000 stored events: every one still matches its hash and its original line.");
  });
  it("says the case was edited when rows were changed", () => {
    const finding: FindingDto = {
      finding_idx: 0, bundle_idx: null, kind: "hash_mismatch", severity: "break", message: "m",
      chain: "c", seq: 1, seq_end: null, file: "events.jsonl", line: 1, event_idx: null,
    };
    expect(reverifySummary({ ...base, findings: [finding, finding] })).toContain("2 were changed after import");
    expect(reverifySummary({ ...base, n_rows: 1, findings: [finding] })).toMatch(/^Checked 1 stored event: 1 was changed/);
  });
});
