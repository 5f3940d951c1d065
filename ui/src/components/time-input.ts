// Time zones for date-and-time inputs: an instant (RFC 3339, UTC) as the value of a
// datetime-local input in a chosen zone (UTC, or this machine's with its daylight
// saving), and such a value read back as an instant. Used by the events view's custom
// range and the record history's "at" picker. Pure functions only: no DOM, no IPC, no
// clock (the zone's offset is passed in).

/** Minutes east of UTC at an instant (ms since the epoch). */
export type OffsetAt = (instantMs: number) => number;

export const UTC_OFFSET: OffsetAt = () => 0;

/** This machine's offset at that instant (daylight saving included). */
export const LOCAL_OFFSET: OffsetAt = (instantMs) => -new Date(instantMs).getTimezoneOffset();

const MINUTE_MS = 60_000;

/** The instant at which the wall clock (read with UTC getters) shows `wallMs`. */
export function wallToInstant(wallMs: number, offsetAt: OffsetAt): number {
  const guess = wallMs - offsetAt(wallMs) * MINUTE_MS;
  return wallMs - offsetAt(guess) * MINUTE_MS;
}

/** The wall clock at an instant, as ms to read with UTC getters. */
export function instantToWall(instantMs: number, offsetAt: OffsetAt): number {
  return instantMs + offsetAt(instantMs) * MINUTE_MS;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/** "2026-01-05T08:00:21" for a datetime-local input, in the given zone. */
export function wallInputValue(iso: string | null, offsetAt: OffsetAt): string {
  if (iso === null) return "";
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) return "";
  const wall = new Date(instantToWall(millis, offsetAt));
  return (
    `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}` +
    `T${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`
  );
}

/** A datetime-local input's value ("2026-01-05T08:00" or with seconds) as RFC 3339 UTC; null if empty or unreadable. */
export function parseWallInput(value: string, offsetAt: OffsetAt): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value.trim());
  if (match === null) return null;
  const [, y, mo, d, h, mi, s, ms] = match;
  const wallMs = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s ?? "0"),
    Number((ms ?? "0").padEnd(3, "0")),
  );
  if (Number.isNaN(wallMs)) return null;
  return new Date(wallToInstant(wallMs, offsetAt)).toISOString();
}
