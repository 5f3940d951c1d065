// Event times as a reviewer reads them: local time by default (with its UTC offset,
// so a screenshot is never ambiguous), or UTC on request. Pure functions only: no
// DOM, no IPC. The shell sends ISO 8601 UTC; nothing here changes an instant.

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/** "+02:00", "-05:30", "+00:00" for an offset east of UTC in minutes. */
export function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * "2026-04-01 09:30:00 UTC", or in local time "2026-04-01 11:30:00 +02:00".
 * `offsetMinutes` (east of UTC) defaults to this machine's offset at that instant;
 * tests pass it. Unknown or unreadable times read "unknown time".
 */
export function formatTime(
  iso: string | null | undefined,
  utc: boolean,
  offsetMinutes?: number,
): string {
  if (iso === null || iso === undefined) return "unknown time";
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) return "unknown time";
  const offset = utc ? 0 : (offsetMinutes ?? -new Date(millis).getTimezoneOffset());
  // Shift the instant by the offset and read it with UTC getters: the wall clock there.
  const wall = new Date(millis + offset * 60_000);
  const text =
    `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())} ` +
    `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`;
  return utc ? `${text} UTC` : `${text} ${formatOffset(offset)}`;
}
