// Pure helpers of the record history view: which entry is "at" the chosen moment, the
// slider's stops, which of the record's fields an entry touched, and the date-time
// picker's text to and from an instant. No DOM, no IPC; the record's state at a moment
// always comes from the shell (recordTimeline with `at`), never from here.
import type { ChangeDto } from "../../bindings/ChangeDto";
import { topField } from "../diff/format";

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

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/**
 * An instant as a `datetime-local` value ("2026-01-05T08:17:54"), in UTC or in this
 * machine's local time. Seconds only: the picker is for people; the slider reaches
 * each entry's exact instant. Empty for an unreadable time.
 */
export function toPickerValue(iso: string | null, utc: boolean): string {
  if (iso === null) return "";
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) return "";
  const date = new Date(millis);
  const parts = utc
    ? [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    : [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds()];
  const [year, month, day, hours, minutes, seconds] = parts as [number, number, number, number, number, number];
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
}

const PICKER = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/**
 * A `datetime-local` value ("2026-01-05T08:30", seconds and milliseconds optional) read
 * in UTC or local time, as an ISO 8601 UTC instant for the shell; null if unreadable.
 */
export function fromPickerValue(value: string, utc: boolean): string | null {
  const match = PICKER.exec(value.trim());
  if (match === null) return null;
  const number = (index: number): number => Number(match[index] ?? "0");
  const [year, month, day, hours, minutes, seconds] = [1, 2, 3, 4, 5, 6].map(number) as [
    number, number, number, number, number, number,
  ];
  // ".5" is half a second: read the fraction as thousandths.
  const millis = Number((match[7] ?? "0").padEnd(3, "0"));
  if (month < 1 || month > 12 || day < 1 || day > 31 || hours > 23 || minutes > 59 || seconds > 59) return null;
  const instant = utc
    ? Date.UTC(year, month - 1, day, hours, minutes, seconds, millis)
    : new Date(year, month - 1, day, hours, minutes, seconds, millis).getTime();
  if (Number.isNaN(instant)) return null;
  // 31 February rolls over to March: refuse a day the month does not have.
  const back = new Date(instant);
  const backDay = utc ? back.getUTCDate() : back.getDate();
  return backDay === day ? back.toISOString() : null;
}
