// Where a line of engine text must not wrap: an ISO 8601 time ("2026-03-01T02:01:31Z")
// read in two halves ("2026-" / "03-01T02:01:31Z") is hard to read, and WebKit breaks
// after its hyphens. The text is split into runs, each time one run of its own, which
// the view keeps on one line; the words themselves are never changed. Pure: no DOM.

/** One piece of a text: a time to keep whole, or the words around it. */
export interface TextRun {
  text: string;
  /** True for an ISO 8601 time, to be kept on one line. */
  time: boolean;
}

const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?/g;

/** The text as runs, in order; joined, they are the text as it was. */
export function timeRuns(text: string): TextRun[] {
  const runs: TextRun[] = [];
  let at = 0;
  for (const match of text.matchAll(ISO_TIME)) {
    const start = match.index;
    if (start > at) runs.push({ text: text.slice(at, start), time: false });
    runs.push({ text: match[0], time: true });
    at = start + match[0].length;
  }
  if (at < text.length) runs.push({ text: text.slice(at), time: false });
  return runs;
}

/** An ISO 8601 time that names an instant (seconds and a zone), which can be shown in local time. */
export function isInstant(text: string): boolean {
  return /T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/.test(text) && !Number.isNaN(Date.parse(text));
}
