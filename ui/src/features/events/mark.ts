// The mark in front of an event (and in its detail): verified, intact but not verified,
// failing its checks, or from a file read through a mapping, which carries nothing to
// check. Pure: no DOM, no IPC; it only words the shell's answers (verified, checks_ok,
// malformed, source), it never decides them.
import type { EventRowDto } from "../../bindings/EventRowDto";

export interface Mark {
  text: string;
  title: string;
  className: string;
}

export function verifiedMark(row: EventRowDto): Mark {
  if (row.verified) return { text: "✓", title: "verified", className: "mark-verified" };
  if (row.checks_ok) return { text: "·", title: "intact, not verified", className: "mark-intact" };
  if (row.source === "mapped" && row.malformed === null) {
    return { text: "–", title: "read through a mapping: it carries no hash to check", className: "mark-unverifiable" };
  }
  if (row.source === "cloudtrail" && row.malformed === null) {
    return { text: "–", title: "not proven: no verified digest file vouches for its log file", className: "mark-unverifiable" };
  }
  if (row.source !== "audit_bundle" && row.source !== "cloudtrail" && row.malformed === null) {
    return { text: "–", title: "this export carries no integrity of its own: nothing to check", className: "mark-unverifiable" };
  }
  return { text: "✗", title: "fails its checks", className: "mark-broken" };
}
