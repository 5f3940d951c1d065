// Number formatting for counts shown to a reviewer (events, actors, findings).
// Pure functions only: no DOM, no IPC.

/**
 * Formats a whole count with comma thousands separators: 3000 -> "3,000".
 * Always the same grouping, whatever the machine's locale, so reports and
 * screenshots read the same everywhere.
 */
export function formatCount(count: number): string {
  if (!Number.isSafeInteger(count)) {
    throw new RangeError(`not a whole count: ${count}`);
  }
  const digits = Math.abs(count).toString();
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 3) {
    groups.unshift(digits.slice(Math.max(0, end - 3), end));
  }
  return (count < 0 ? "-" : "") + groups.join(",");
}
