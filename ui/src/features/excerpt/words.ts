// The words of the excerpt check view that are not the engine's: whose key signed the
// statement (from the shell's facts: signed, trusted, yours), what was chosen, a part's
// title and one chosen event's line. Pure: no DOM, no IPC; it decides nothing, every
// verdict (holds, proven) is the engine's.
import type { ExcerptCheckDto } from "../../bindings/ExcerptCheckDto";
import type { ExcerptEventCheckDto } from "../../bindings/ExcerptEventCheckDto";
import type { ExcerptPartCheckDto } from "../../bindings/ExcerptPartCheckDto";
import { formatCount } from "../../format/count";
import { baseName } from "../../format/path";

function events(n: number): string {
  return `${formatCount(n)} ${n === 1 ? "event" : "events"}`;
}

/** Whose key signed the statement, and what the reader should do about it. */
export function makerKeyWords(check: ExcerptCheckDto): string {
  if (!check.statement_signed) {
    return "The statement's signature does not verify, so who made the excerpt is not proven.";
  }
  if (check.made_by_you) return "Signed with your own key.";
  if (check.made_by_trusted) return "Signed with a key you trust.";
  const who = check.made_by === "" ? "its maker" : check.made_by;
  return `Signed with a key you have not said you trust: compare this fingerprint with the one ${who} gives you.`;
}

/** "2 events: starred", or the count alone when the statement does not say how they were chosen. */
export function chosenWords(check: ExcerptCheckDto): string {
  return check.selection === "" ? events(check.chosen) : `${events(check.chosen)}: ${check.selection}`;
}

/** "Part 1: 2 events from sample", its source by its file name (the full path is in the part's tooltip). */
export function partTitle(part: ExcerptPartCheckDto, index: number): string {
  const from = part.source === "" ? "" : ` from ${baseName(part.source)}`;
  return `Part ${index + 1}: ${events(part.events.length)}${from}`;
}

/**
 * One chosen event: its mark, what it says in the engine's words (or where it is when
 * it could not be read), then where it is and its id (proven) or why it is not proven.
 */
export function eventLine(event: ExcerptEventCheckDto): { mark: string; what: string; detail: string } {
  const place = event.said === null ? "" : `${event.what}: `;
  if (event.proven) {
    const detail = event.id === null ? event.what : `${place}${event.id}`;
    return { mark: "✓", what: event.said ?? event.what, detail: event.said === null ? (event.id ?? "") : detail };
  }
  const what = event.said === null ? event.what : `${event.said} (as the excerpt carries it, not proven)`;
  return { mark: "✗", what, detail: `${place}${event.problem ?? "not proven"}` };
}
