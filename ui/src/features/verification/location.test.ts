// Tests of a finding's location text. Pure; no DOM, no IPC.
import { describe, expect, it } from "vitest";
import type { FindingDto } from "../../bindings/FindingDto";
import { findingLocation } from "./location";

const base: FindingDto = {
  finding_idx: 1,
  bundle_idx: 1,
  kind: "broken_link",
  severity: "break",
  message: "m",
  chain: null,
  seq: null,
  seq_end: null,
  file: null,
  line: null,
  event_idx: null,
};

describe("findingLocation", () => {
  it("names chain, seq and line when known", () => {
    expect(findingLocation({ ...base, chain: "orders", seq: 42, file: "events.jsonl", line: 43 })).toBe(
      "chain orders, seq 42, events.jsonl line 43",
    );
  });
  it("shows a seq range for a gap", () => {
    expect(findingLocation({ ...base, chain: "a", seq: 5, seq_end: 9 })).toBe("chain a, seq 5–9");
  });
  it("names a file without a line by its name, not its whole path", () => {
    const file = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/03/01/123456789012_CloudTrail_us-east-1_20260301T0606Z_02S2I5labaJYmch0.json.gz";
    expect(findingLocation({ ...base, chain: "123456789012/us-east-1/main-trail", file })).toBe(
      "chain 123456789012/us-east-1/main-trail, file 123456789012_CloudTrail_us-east-1_20260301T0606Z_02S2I5labaJYmch0.json.gz",
    );
    expect(findingLocation({ ...base, file: "logs/2026/orders.csv", line: 7 })).toBe("orders.csv line 7");
  });
  it("is empty for a finding about the whole bundle", () => {
    expect(findingLocation(base)).toBe("");
  });
});
