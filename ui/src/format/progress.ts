// Import progress in words for the line under the progress bar. The numbers (events
// per second, share done, time left) are the engine's; this only words them. Pure:
// no DOM, no IPC.
import type { ImportProgressDto } from "../bindings/ImportProgressDto";
import { formatCount } from "./count";

/** "about 40 s left", "about 3 min left"; empty when it cannot be told yet. */
export function timeLeft(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "";
  if (seconds < 1) return "almost done";
  if (seconds < 90) return `about ${Math.round(seconds)} s left`;
  return `about ${Math.round(seconds / 60)} min left`;
}

/** "Imported 12,000 events (45%), 30,000 events/s, about 8 s left". */
export function progressText(progress: ImportProgressDto): string {
  const fraction = progress.fraction_done;
  const parts = [
    `Imported ${formatCount(progress.lines)} events${fraction === null ? "" : ` (${Math.floor(fraction * 100)}%)`}`,
    `${formatCount(Math.round(progress.events_per_second))} events/s`,
  ];
  const left = timeLeft(progress.seconds_left);
  if (left !== "") parts.push(left);
  return parts.join(", ");
}
