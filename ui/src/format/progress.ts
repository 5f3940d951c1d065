// Import progress in words and numbers for the progress bar: fraction done, events
// per second, and the line under the bar. Pure functions only: no DOM, no IPC.
import { formatCount } from "./count";

/** Lines read per second so far (0 before the first millisecond). */
export function eventsPerSecond(lines: number, elapsedMs: number): number {
  if (elapsedMs <= 0) return 0;
  return Math.round((lines * 1000) / elapsedMs);
}

/** Fraction of bytes read, 0..1, or null when the total is unknown. */
export function fractionDone(bytesRead: number, bytesTotal: number | null): number | null {
  if (bytesTotal === null || bytesTotal <= 0) return null;
  return Math.min(1, Math.max(0, bytesRead / bytesTotal));
}

/** "Imported 12,000 events (45%), 30,000 events/s". */
export function progressText(
  lines: number,
  elapsedMs: number,
  bytesRead: number,
  bytesTotal: number | null,
): string {
  const fraction = fractionDone(bytesRead, bytesTotal);
  const percent = fraction === null ? "" : ` (${Math.floor(fraction * 100)}%)`;
  return `Imported ${formatCount(lines)} events${percent}, ${formatCount(eventsPerSecond(lines, elapsedMs))} events/s`;
}
