// Where a finding points, in a few words ("chain orders, seq 42, events.jsonl line 43").
// Pure: no DOM, no IPC; it only joins the fields the engine located.
import type { FindingDto } from "../../bindings/FindingDto";

export function findingLocation(finding: FindingDto): string {
  const parts: string[] = [];
  if (finding.chain !== null) parts.push(`chain ${finding.chain}`);
  if (finding.seq !== null) {
    parts.push(
      finding.seq_end !== null && finding.seq_end !== finding.seq
        ? `seq ${finding.seq}–${finding.seq_end}`
        : `seq ${finding.seq}`,
    );
  }
  if (finding.line !== null) {
    parts.push(finding.file !== null ? `${finding.file} line ${finding.line}` : `line ${finding.line}`);
  }
  return parts.join(", ");
}
