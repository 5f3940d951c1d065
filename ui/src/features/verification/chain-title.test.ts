// Tests of a stream's title: "Chain" for an audit bundle's hash chain, "File" for a
// file read through a mapping. Pure; no DOM, no IPC.
import { describe, expect, it } from "vitest";
import type { ChainDto } from "../../bindings/ChainDto";
import { chainTitle } from "./chain-title";

const chain: ChainDto = {
  chain: "orders",
  verdict: "verified",
  n_events: 1204,
  n_omitted: 0,
  first_seq: 1,
  last_seq: 1204,
  head_hash: "ab",
  dimensions: [],
};

describe("chainTitle", () => {
  it("calls an audit bundle's stream a chain, with its seq range", () => {
    expect(chainTitle("audit_bundle", chain)).toBe("Chain orders: verified, 1,204 events (seq 1–1204)");
  });

  it("calls a mapped file's stream a file, with its records", () => {
    const file = { ...chain, chain: "orders.csv", verdict: "unverifiable" as const, n_events: 1, first_seq: 1, last_seq: 1, head_hash: "" };
    expect(chainTitle("mapped", file)).toBe("File orders.csv: unverifiable, 1 event (records 1–1)");
    expect(chainTitle("mapped", { ...file, n_events: 2500, last_seq: 2500 })).toBe(
      "File orders.csv: unverifiable, 2,500 events (records 1–2,500)",
    );
  });

  it("calls a CloudTrail chain a digest chain, without seqs it does not have", () => {
    const trail = { ...chain, chain: "123456789012/us-east-1/main", n_events: 2000, first_seq: 1, last_seq: 2000 };
    expect(chainTitle("cloudtrail", trail)).toBe("Digest chain 123456789012/us-east-1/main: verified, 2,000 events");
  });

  it("names the stream of an export with no integrity by its source", () => {
    const stream = { ...chain, chain: "Microsoft 365 audit log", verdict: "unverifiable" as const, n_events: 400 };
    expect(chainTitle("microsoft365", stream)).toBe("Microsoft 365 audit log: unverifiable, 400 events");
  });
});
