// What the app says once an evidence excerpt is written: how many events, from which
// source, and how each is proven, in the shell's words for its method ("each with its
// proof in the producer's signed Merkle root"), then the folder. Words only: the
// engine chose, proved and wrote; the shell says how.
import type { ExcerptWrittenDto } from "../../bindings/ExcerptWrittenDto";
import { formatCount } from "../../format/count";
import { baseName } from "../../format/path";

function events(n: number): string {
  return `${formatCount(n)} ${n === 1 ? "event" : "events"}`;
}

/**
 * "Excerpt saved: 3 events from acme-export.zip, each with its proof in the producer's
 * signed Merkle root. Folder: /cases/acme-excerpt-3-events"; with several sources, one
 * clause each after the total.
 */
export function excerptSavedMessage(written: ExcerptWrittenDto): string {
  const clauses = written.parts.map((part) => `${events(part.chosen)} from ${baseName(part.source)}, ${part.proof}`);
  const what = clauses.length === 1 ? clauses[0] : `${events(written.chosen)}: ${clauses.join("; ")}`;
  return `Excerpt saved: ${what}. Folder: ${written.folder}`;
}
