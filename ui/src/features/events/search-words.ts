// What the events view says about its text search while the case's text index is
// being prepared, and when to look again: the note under the search box, the search
// box's help, whether to keep asking the shell, and whether a finished index should
// re-run a text search. The share done and whether the index is complete are the
// engine's (`text_index_state`); this only words them. Pure: no DOM, no IPC.
import type { TextIndexDto } from "../../bindings/TextIndexDto";

/** The search box's help once the index is complete. */
export const WORD_SEARCH_HELP = "Finds events holding every word you type; end a word with * to match its start (mar* finds Maria)";

/** The search box's help until then. */
export const SCAN_SEARCH_HELP = "Finds events whose text holds what you type, anywhere (word search is being prepared)";

const UNTIL_THEN = "search looks for any piece of text and may be slow";

/**
 * The note under the search box: "Preparing word search: 42% — until then search looks
 * for any piece of text and may be slow"; why not, when the shell's build failed; null
 * (no note) once the index is complete.
 */
export function searchNote(index: TextIndexDto): string | null {
  if (index.complete) return null;
  if (index.failure !== null) return `Word search could not be prepared (${index.failure}); ${UNTIL_THEN}`;
  // Never "100%" before it is complete.
  const percent = Math.min(99, Math.max(0, Math.floor(index.fraction * 100)));
  return `Preparing word search: ${percent}% — until then ${UNTIL_THEN}`;
}

/** The search box's help (its tooltip): what a search finds now. */
export function searchHelp(index: TextIndexDto): string {
  return index.complete ? WORD_SEARCH_HELP : SCAN_SEARCH_HELP;
}

/** What the note is about, for its `data-index` attribute: `building`, `failed` or `complete`. */
export function indexStage(index: TextIndexDto): "building" | "failed" | "complete" {
  if (index.complete) return "complete";
  return index.failure !== null ? "failed" : "building";
}

/** Whether to ask again (about a second later): until complete, unless the build failed. */
export function askAgain(index: TextIndexDto): boolean {
  return !index.complete && index.failure === null;
}

/**
 * Whether the index has just become complete while a text search is shown: the search
 * then runs once more, so its results come from the index instead of the scan. Not on
 * the first answer (`before` null): the view's rows were asked for at about that time.
 */
export function rerunSearch(before: TextIndexDto | null, after: TextIndexDto, text: string | null): boolean {
  return before !== null && !before.complete && after.complete && (text ?? "").trim() !== "";
}
