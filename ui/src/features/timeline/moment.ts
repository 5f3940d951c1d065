// Pure helpers of the record history view: which entry is "at" the chosen moment, the
// slider's stops, and which of the record's fields an entry touched. (The date-time
// picker's text is read and written by components/time-input.ts.) No DOM, no IPC; the record's state at a moment
// always comes from the shell (recordTimeline with `at`), never from here.
import type { ChangeDto } from "../../bindings/ChangeDto";
import { topField } from "../../components/diff-format";

/**
 * The index of the last entry whose time is at or before `at` (the entry the state at
 * `at` follows), or of the last timed entry when `at` is null; -1 when `at` is before
 * every entry (or no entry has a readable time). Entries come in the shell's order.
 */
export function entryIndexAt(times: (string | null)[], at: string | null): number {
  const limit = at === null ? Number.POSITIVE_INFINITY : Date.parse(at);
  if (Number.isNaN(limit)) return -1;
  let found = -1;
  times.forEach((time, index) => {
    if (time === null) return;
    const millis = Date.parse(time);
    if (!Number.isNaN(millis) && millis <= limit) found = index;
  });
  return found;
}

/** The indexes of the entries with a readable time: the slider's stops, in order. */
export function sliderStops(times: (string | null)[]): number[] {
  const stops: number[] = [];
  times.forEach((time, index) => {
    if (time !== null && !Number.isNaN(Date.parse(time))) stops.push(index);
  });
  return stops;
}

/** The slider position for the entry at the moment: the last stop at or before it (0 if none). */
export function sliderPosition(stops: number[], entryIndex: number): number {
  let position = 0;
  stops.forEach((stop, index) => {
    if (stop <= entryIndex) position = index;
  });
  return position;
}

/** The record's own fields (top-level names) an entry's changes touch. */
export function changedFields(changes: ChangeDto[]): Set<string> {
  const fields = new Set<string>();
  for (const change of changes) {
    const field = topField(change.path);
    if (field !== null) fields.add(field);
  }
  return fields;
}
