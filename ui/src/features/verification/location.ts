// Where a finding points, in a few words ("chain orders, seq 42, events.jsonl line 43";
// "chain 1234/us-east-1/main, file 1234_CloudTrail_….json.gz" for a CloudTrail log
// file). A file is named by its name; its full path is the finding's `file`, shown on
// hover. Pure: no DOM, no IPC; it only joins the fields the engine located.
import type { FindingDto } from "../../bindings/FindingDto";
import { baseName } from "../../format/path";

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
  const file = finding.file === null || finding.file === "" ? null : baseName(finding.file);
  if (finding.line !== null) {
    parts.push(file !== null ? `${file} line ${finding.line}` : `line ${finding.line}`);
  } else if (file !== null) {
    parts.push(`file ${file}`);
  }
  return parts.join(", ");
}
