// Tests of the words said once an evidence excerpt is written.
import { describe, expect, it } from "vitest";
import type { ExcerptPartWrittenDto } from "../../bindings/ExcerptPartWrittenDto";
import type { ExcerptWrittenDto } from "../../bindings/ExcerptWrittenDto";
import { excerptSavedMessage } from "./excerpt-words";

const MERKLE = "each with its proof in the producer's signed Merkle root";
const RECEIPT = "each with its proof in the custody receipt you signed on import";

const part = (over: Partial<ExcerptPartWrittenDto>): ExcerptPartWrittenDto => ({
  dir: "part-1",
  method: "merkle_proof",
  source: "/evidence/acme-export.zip",
  kind: "audit bundle",
  chosen: 3,
  carried: 3,
  why: "format 2: …",
  proof: MERKLE,
  ...over,
});

const written = (parts: ExcerptPartWrittenDto[]): ExcerptWrittenDto => ({
  folder: "/cases/acme-excerpt-3-events",
  chosen: parts.reduce((sum, p) => sum + p.chosen, 0),
  bytes: 4096,
  statement_sha256: "ab".repeat(32),
  parts,
});

describe("excerptSavedMessage", () => {
  it("names the count, the source by its file name, the shell's words for the proof, and the folder", () => {
    expect(excerptSavedMessage(written([part({})]))).toBe(
      `Excerpt saved: 3 events from acme-export.zip, ${MERKLE}. Folder: /cases/acme-excerpt-3-events`,
    );
  });
  it("says one event, not one events", () => {
    expect(excerptSavedMessage(written([part({ chosen: 1 })]))).toMatch(/^Excerpt saved: 1 event from acme-export\.zip, /);
  });
  it("gives the total, then one clause per source", () => {
    const two = written([
      part({ chosen: 1200 }),
      part({ dir: "part-2", method: "custody_receipt", source: "C:\\exports\\okta.json", chosen: 2, proof: RECEIPT }),
    ]);
    expect(excerptSavedMessage(two)).toBe(
      `Excerpt saved: 1,202 events: 1,200 events from acme-export.zip, ${MERKLE}; 2 events from okta.json, ${RECEIPT}. Folder: /cases/acme-excerpt-3-events`,
    );
  });
});
