// Tests of an event's mark: the shell's verified / checks_ok / malformed answers, and
// a mapped file's events, which have nothing to check, are not shown as failing.
import { describe, expect, it } from "vitest";
import type { EventRowDto } from "../../bindings/EventRowDto";
import { verifiedMark } from "./mark";

const row: EventRowDto = {
  event_idx: 1,
  time: null,
  actor_id: null,
  actor_name: null,
  actor_type: null,
  action: null,
  target_type: null,
  target_id: null,
  target_name: null,
  outcome: null,
  sentence: "s",
  verified: false,
  checks_ok: false,
  malformed: null,
  omitted: false,
  source: "audit_bundle",
  source_name: "audit bundle",
  starred: false,
  tags: [],
  has_note: false,
};

describe("verifiedMark", () => {
  it("words a bundle's event as verified, intact or failing", () => {
    expect(verifiedMark({ ...row, verified: true, checks_ok: true }).title).toBe("verified");
    expect(verifiedMark({ ...row, checks_ok: true }).title).toBe("intact, not verified");
    expect(verifiedMark(row).title).toBe("fails its checks");
  });

  it("does not call a mapped file's event failing: it has nothing to check", () => {
    const mapped = verifiedMark({ ...row, source: "mapped" });
    expect(mapped.className).toBe("mark-unverifiable");
    expect(mapped.title).toMatch(/mapping/);
    // A record that could not be read still shows as failing.
    expect(verifiedMark({ ...row, source: "mapped", malformed: "not valid CSV" }).title).toBe("fails its checks");
  });

  it("words a CloudTrail record its digests vouch for as verified, and one they do not as unproven", () => {
    expect(verifiedMark({ ...row, source: "cloudtrail", verified: true, checks_ok: true }).title).toBe("verified");
    const unproven = verifiedMark({ ...row, source: "cloudtrail" });
    expect(unproven.className).toBe("mark-unverifiable");
    expect(unproven.title).toMatch(/digest/);
  });

  it("words a record of an export with no integrity as having nothing to check", () => {
    for (const source of ["microsoft365", "okta", "kubernetes"] as const) {
      const mark = verifiedMark({ ...row, source });
      expect(mark.className).toBe("mark-unverifiable");
      expect(mark.title).toMatch(/no integrity/);
    }
    expect(verifiedMark({ ...row, source: "okta", malformed: "no usable time" }).title).toBe("fails its checks");
  });
});
