// Words for a re-verification answer. Pure: no DOM, no IPC; it counts nothing the
// shell did not count.
import type { ReverifyDto } from "../../bindings/ReverifyDto";
import { formatCount } from "../../format/count";

/** "All 3,000 stored events still match their hashes." or how many findings there are. */
export function reverifySummary(answer: ReverifyDto): string {
  const rows = `${formatCount(answer.n_rows)} stored event${answer.n_rows === 1 ? "" : "s"}`;
  if (answer.findings.length === 0) {
    return `Checked ${rows}: every one still matches its hash and its original line.`;
  }
  const n = answer.findings.length;
  return `Checked ${rows}: ${formatCount(n)} ${n === 1 ? "was" : "were"} changed after import. This case file has been edited; trust the original bundle, not this case.`;
}
