// The arithmetic and words behind the activity histogram: bar heights as fractions of
// the busiest period, which bars get a date under them, each period's [since, until)
// and its label in local time or UTC. Pure functions only: no DOM, no IPC. It never
// counts events or decides what a spike is; the shell's ActivityDto says both.
import { formatCount } from "../format/count";
import { formatOffset } from "../format/time";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A non-empty bar is never drawn lower than this fraction, so one event stays visible. */
export const MIN_VISIBLE_FRACTION = 0.03;

/** Each count as a fraction (0..1) of the largest; zero stays zero. */
export function barFractions(counts: readonly number[]): number[] {
  const largest = counts.reduce((max, count) => Math.max(max, count), 0);
  if (largest <= 0) return counts.map(() => 0);
  return counts.map((count) => (count <= 0 ? 0 : Math.max(MIN_VISIBLE_FRACTION, count / largest)));
}

/** At most `maxTicks` evenly spaced bar indexes to label, always the first. */
export function tickIndexes(nBars: number, maxTicks: number): number[] {
  if (nBars <= 0 || maxTicks <= 0) return [];
  const step = Math.max(1, Math.ceil(nBars / maxTicks));
  const ticks: number[] = [];
  for (let index = 0; index < nBars; index += step) ticks.push(index);
  return ticks;
}

/** Period `index` as milliseconds since the epoch: [since, until). */
export function periodBounds(
  startIso: string,
  periodMs: number,
  index: number,
): { sinceMs: number; untilMs: number } {
  const sinceMs = Date.parse(startIso) + index * periodMs;
  return { sinceMs, untilMs: sinceMs + periodMs };
}

/** The same instant as an ISO 8601 UTC string, as the shell reads filters. */
export function isoUtc(millis: number): string {
  return new Date(millis).toISOString();
}

interface Wall {
  year: number;
  month: string;
  day: number;
  time: string;
  zone: string;
}

/** The wall clock at `millis` in UTC, or at `offsetMinutes` east (this machine's by default). */
function wallClock(millis: number, utc: boolean, offsetMinutes?: number): Wall {
  const offset = utc ? 0 : (offsetMinutes ?? -new Date(millis).getTimezoneOffset());
  const wall = new Date(millis + offset * MINUTE);
  const hours = String(wall.getUTCHours()).padStart(2, "0");
  const minutes = String(wall.getUTCMinutes()).padStart(2, "0");
  return {
    year: wall.getUTCFullYear(),
    month: MONTHS[wall.getUTCMonth()] ?? "",
    day: wall.getUTCDate(),
    time: `${hours}:${minutes}`,
    zone: utc ? "UTC" : formatOffset(offset),
  };
}

/** "5 Jan", or "5 Jan 2026" with the year. */
export function shortDate(millis: number, utc: boolean, withYear = false, offsetMinutes?: number): string {
  const wall = wallClock(millis, utc, offsetMinutes);
  return withYear ? `${wall.day} ${wall.month} ${wall.year}` : `${wall.day} ${wall.month}`;
}

/** The short label under a bar: "5 Jan 14:00" for periods under a day, else "5 Jan". */
export function tickLabel(sinceMs: number, periodMs: number, utc: boolean, offsetMinutes?: number): string {
  const wall = wallClock(sinceMs, utc, offsetMinutes);
  return periodMs < DAY ? `${wall.day} ${wall.month} ${wall.time}` : `${wall.day} ${wall.month}`;
}

/**
 * The whole period in words: "5 Jan 2026, 14:00–15:00 UTC" under a day,
 * "5 Jan 2026" for a day, "5 Jan – 11 Jan 2026" for longer periods.
 */
export function periodText(sinceMs: number, periodMs: number, utc: boolean, offsetMinutes?: number): string {
  const from = wallClock(sinceMs, utc, offsetMinutes);
  if (periodMs < DAY) {
    // A period ending at midnight ends at 24:00 of its own day, not 00:00.
    const to = wallClock(sinceMs + periodMs, utc, offsetMinutes).time.replace(/^00:00$/, "24:00");
    return `${from.day} ${from.month} ${from.year}, ${from.time}–${to} ${from.zone}`;
  }
  if (from.time !== "00:00") {
    // Periods align to UTC midnight: in a zone with an offset they start mid-day.
    const to = wallClock(sinceMs + periodMs, utc, offsetMinutes);
    return `${from.day} ${from.month} ${from.time} – ${to.day} ${to.month} ${to.year} ${to.time} ${from.zone}`;
  }
  if (periodMs === DAY) return `${from.day} ${from.month} ${from.year}`;
  // The last millisecond of the period falls on its last day.
  const last = wallClock(sinceMs + periodMs - 1, utc, offsetMinutes);
  return `${from.day} ${from.month} – ${last.day} ${last.month} ${last.year}`;
}

/** A bar's tooltip: "5 Jan 2026: 12 events", with ", a spike" when the shell says so. */
export function barTitle(
  sinceMs: number,
  periodMs: number,
  count: number,
  spike: boolean,
  utc: boolean,
  offsetMinutes?: number,
): string {
  const events = `${formatCount(count)} ${count === 1 ? "event" : "events"}`;
  return `${periodText(sinceMs, periodMs, utc, offsetMinutes)}: ${events}${spike ? " (spike: far busier than usual)" : ""}`;
}
