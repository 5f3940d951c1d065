// The events table (virtualized: fixed row height, one spacer as tall as every row,
// DOM rows only for the viewport). Text
// from events goes in with textContent only: it is evidence, never markup. It never
// decides whether an event is verified; it shows the shell's answer.
import type { EventRowDto } from "../../bindings/EventRowDto";
import { el } from "../../components/dom";
import { needsMore, scrollToRow, virtualWindow } from "../../components/virtual-window";
import { formatTime } from "../../format/time";
import { verifiedMark } from "./mark";
import { type EventPager, statusText } from "./state";

/** Must match `.event-row { height }` in styles.css. */
export const ROW_HEIGHT = 32;

function actorText(row: EventRowDto): string {
  // A stub (an event the export left out) has no actor; its sentence says so.
  if (row.omitted) return "";
  return row.actor_name ?? row.actor_id ?? "unknown actor";
}

function targetText(row: EventRowDto): string {
  if (row.target_name !== null) return row.target_name;
  if (row.target_type !== null || row.target_id !== null) {
    return [row.target_type, row.target_id].filter((part) => part !== null).join(" ");
  }
  return "";
}


export interface EventsTable {
  root: HTMLElement;
  /** Re-renders the visible rows (after new rows, a time-zone switch or a resize). */
  refresh(): void;
  /** Back to the top, for a new filter. */
  scrollToTop(): void;
  /** Marks a row as selected and scrolls it into view if it is loaded. */
  select(eventIdx: number | null): void;
}

export function eventsTable(
  pager: EventPager,
  options: {
    utc: () => boolean;
    onSelect: (eventIdx: number) => void;
    onError: (error: unknown) => void;
    /** Whether the case holds more than one kind of source: then each row names its own. */
    severalSources: boolean;
  },
): EventsTable {
  const sourceCell = (text: string): HTMLElement[] =>
    options.severalSources ? [el("span", { className: "cell cell-source", testid: "event-source", text, title: text })] : [];
  const header = el(
    "div",
    { className: "event-row event-header" },
    el("span", { className: "cell cell-mark", text: "" }),
    el("span", { className: "cell cell-star", text: "★", title: "Starred by you" }),
    el("span", { className: "cell cell-time", text: "Time" }),
    ...sourceCell("Source"),
    el("span", { className: "cell cell-actor", text: "Actor" }),
    el("span", { className: "cell cell-sentence", text: "What happened" }),
    el("span", { className: "cell cell-target", text: "Target" }),
    el("span", { className: "cell cell-outcome", text: "Outcome" }),
  );
  const spacer = el("div", { className: "table-spacer" });
  const rowsBox = el("div", { className: "table-rows" });
  spacer.append(rowsBox);
  const viewport = el("div", { className: "table-viewport", testid: "events-table" }, spacer);
  const status = el("p", { className: "table-status muted", testid: "events-status" });
  const root = el("section", { className: options.severalSources ? "events with-source" : "events" }, header, viewport, status);
  let selected: number | null = null;
  let scheduled = false;

  function renderRow(row: EventRowDto, index: number): HTMLElement {
    const mark = verifiedMark(row);
    const node = el(
      "div",
      { className: `event-row${index % 2 === 1 ? " odd" : ""}`, testid: "event-row" },
      el("span", { className: `cell cell-mark ${mark.className}`, text: mark.text, title: mark.title }),
      el("span", {
        className: "cell cell-star",
        testid: "row-star",
        text: row.starred ? "★" : "",
        title: row.starred ? "Starred by you" : "",
      }),
      el("span", { className: "cell cell-time", text: formatTime(row.time, options.utc()) }),
      ...sourceCell(row.source_name),
      el("span", { className: "cell cell-actor", text: actorText(row), title: row.actor_id ?? "" }),
      el(
        "span",
        { className: "cell cell-sentence", title: row.sentence },
        ...row.tags.map((tag) => el("span", { className: "row-tag", testid: "row-tag", text: tag, title: `Tagged “${tag}” by you` })),
        ...(row.has_note ? [el("span", { className: "row-note", testid: "row-note", text: "✎", title: "You wrote a note on it" })] : []),
        row.sentence,
      ),
      el("span", { className: "cell cell-target", text: targetText(row) }),
      el("span", { className: `cell cell-outcome outcome-${row.outcome ?? "none"}`, text: row.outcome ?? "" }),
    );
    node.dataset.eventIdx = String(row.event_idx);
    node.dataset.starred = String(row.starred);
    node.setAttribute("role", "row");
    const isSelected = row.event_idx === selected;
    node.setAttribute("aria-selected", String(isSelected));
    if (isSelected) node.classList.add("selected");
    if (row.malformed !== null) node.classList.add("malformed");
    node.addEventListener("click", () => options.onSelect(row.event_idx));
    return node;
  }

  function render(): void {
    scheduled = false;
    const rows = pager.rows;
    const shown = virtualWindow(viewport.scrollTop, viewport.clientHeight, ROW_HEIGHT, rows.length);
    spacer.style.height = `${shown.totalHeight}px`;
    rowsBox.style.transform = `translateY(${shown.offset}px)`;
    const nodes: HTMLElement[] = [];
    for (let index = shown.first; index < shown.end; index += 1) {
      const row = rows[index];
      if (row !== undefined) nodes.push(renderRow(row, index));
    }
    rowsBox.replaceChildren(...nodes);
    status.textContent = statusText(rows.length, pager.hasMore, pager.isLoading, pager.matching);
    if (needsMore(shown, rows.length, pager.hasMore, pager.isLoading)) {
      pager
        .loadMore()
        .then(() => schedule())
        .catch(options.onError);
      status.textContent = statusText(rows.length, true, true, pager.matching);
    }
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(render);
  }

  viewport.setAttribute("role", "grid");
  viewport.setAttribute("aria-label", "Events, newest first");
  viewport.addEventListener("scroll", schedule, { passive: true });
  new ResizeObserver(schedule).observe(viewport);

  return {
    root,
    refresh: schedule,
    scrollToTop() {
      viewport.scrollTop = 0;
      schedule();
    },
    select(eventIdx) {
      selected = eventIdx;
      if (eventIdx !== null) {
        const index = pager.indexOf(eventIdx);
        if (index >= 0) {
          const top = scrollToRow(index, viewport.scrollTop, viewport.clientHeight, ROW_HEIGHT);
          if (top !== null) viewport.scrollTop = top;
        }
      }
      schedule();
    },
  };
}
