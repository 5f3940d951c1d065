// Virtual-window arithmetic for long lists with a fixed row height: which rows a
// viewport shows, and when to fetch more. Pure functions only: no DOM, no IPC.

export interface VirtualWindow {
  /** First row to render (inclusive). */
  first: number;
  /** Row after the last one to render (exclusive). */
  end: number;
  /** Pixels from the top of the spacer to the first rendered row. */
  offset: number;
  /** Height of the spacer: every row, rendered or not. */
  totalHeight: number;
}

/**
 * The rows to render for a viewport scrolled to `scrollTop`, with `overscan` extra
 * rows above and below so fast scrolling shows no gap.
 */
export function virtualWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  rowCount: number,
  overscan = 5,
): VirtualWindow {
  if (rowHeight <= 0) throw new RangeError("row height must be positive");
  const count = Math.max(0, Math.floor(rowCount));
  const top = Math.max(0, scrollTop);
  const firstVisible = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const first = Math.min(count, Math.max(0, firstVisible - overscan));
  const end = Math.min(count, firstVisible + visible + overscan);
  return { first, end, offset: first * rowHeight, totalHeight: count * rowHeight };
}

/**
 * Whether to load the next page: more may exist, none is loading, and the window
 * reaches within `margin` rows of the last row loaded.
 */
export function needsMore(
  window: VirtualWindow,
  loaded: number,
  hasMore: boolean,
  loading: boolean,
  margin = 50,
): boolean {
  return hasMore && !loading && window.end + margin >= loaded;
}

/** The scrollTop that brings row `index` into view, or null if it already is. */
export function scrollToRow(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
): number | null {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return null;
}
