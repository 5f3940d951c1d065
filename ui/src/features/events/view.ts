// The events table (virtualized: fixed row height, one spacer as tall as every row,
// DOM rows only for the viewport) and the detail panel of the selected event. Text
// from events goes in with textContent only: it is evidence, never markup. It never
// decides whether an event is verified; it shows the shell's answer.
import type { EventDetailDto } from "../../bindings/EventDetailDto";
import type { EventRowDto } from "../../bindings/EventRowDto";
import { el } from "../../components/dom";
import { needsMore, scrollToRow, virtualWindow } from "../../components/virtual-window";
import { formatCount } from "../../format/count";
import { formatTime } from "../../format/time";
import type { EventPager } from "./state";

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

function verifiedMark(row: EventRowDto): { text: string; title: string; className: string } {
  if (row.verified) return { text: "✓", title: "verified", className: "mark-verified" };
  if (row.checks_ok) return { text: "·", title: "intact, not verified", className: "mark-intact" };
  return { text: "✗", title: "fails its checks", className: "mark-broken" };
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
  options: { utc: () => boolean; onSelect: (eventIdx: number) => void; onError: (error: unknown) => void },
): EventsTable {
  const header = el(
    "div",
    { className: "event-row event-header" },
    el("span", { className: "cell cell-mark", text: "" }),
    el("span", { className: "cell cell-time", text: "Time" }),
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
  const root = el("section", { className: "events" }, header, viewport, status);
  let selected: number | null = null;
  let scheduled = false;

  function renderRow(row: EventRowDto, index: number): HTMLElement {
    const mark = verifiedMark(row);
    const node = el(
      "div",
      { className: `event-row${index % 2 === 1 ? " odd" : ""}`, testid: "event-row" },
      el("span", { className: `cell cell-mark ${mark.className}`, text: mark.text, title: mark.title }),
      el("span", { className: "cell cell-time", text: formatTime(row.time, options.utc()) }),
      el("span", { className: "cell cell-actor", text: actorText(row), title: row.actor_id ?? "" }),
      el("span", { className: "cell cell-sentence", text: row.sentence, title: row.sentence }),
      el("span", { className: "cell cell-target", text: targetText(row) }),
      el("span", { className: `cell cell-outcome outcome-${row.outcome ?? "none"}`, text: row.outcome ?? "" }),
    );
    node.dataset.eventIdx = String(row.event_idx);
    node.setAttribute("role", "row");
    if (row.event_idx === selected) node.classList.add("selected");
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
    status.textContent = pager.isLoading
      ? "Loading…"
      : pager.hasMore
        ? `${formatCount(rows.length)} rows loaded; scroll for more`
        : rows.length === 0
          ? "No events match."
          : `${formatCount(rows.length)} rows`;
    if (needsMore(shown, rows.length, pager.hasMore, pager.isLoading)) {
      pager
        .loadMore()
        .then(() => schedule())
        .catch(options.onError);
      status.textContent = "Loading…";
    }
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(render);
  }

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

function jsonText(value: unknown): string {
  return value === undefined ? "" : JSON.stringify(value);
}

/** The detail panel: sentence, changes, source and the original line. */
export function renderDetail(detail: EventDetailDto, utc: boolean, onClose: () => void): HTMLElement {
  const row = detail.row;
  const mark = verifiedMark(row);
  const close = el("button", { className: "button detail-close", testid: "detail-close", text: "Close" });
  close.type = "button";
  close.addEventListener("click", onClose);
  const root = el(
    "section",
    { className: "detail", testid: "detail-panel" },
    el(
      "div",
      { className: "detail-head" },
      el("p", { className: "detail-sentence", testid: "detail-sentence", text: row.sentence }),
      close,
    ),
    el("p", {
      className: `detail-meta ${mark.className}`,
      testid: "detail-verified",
      text: `${mark.text} ${mark.title} · ${formatTime(row.time, utc)} · ${row.action ?? "no action"} · ${row.outcome ?? "no outcome"}`,
    }),
  );
  root.dataset.eventIdx = String(row.event_idx);
  if (row.malformed !== null) {
    root.append(el("p", { className: "detail-malformed", text: `Malformed: ${row.malformed}` }));
  }
  root.append(el("h3", { className: "detail-title", text: "Changes" }));
  if (detail.changes.length === 0) {
    root.append(el("p", { className: "muted", testid: "detail-no-changes", text: "No field changes." }));
  } else {
    const list = el("ul", { className: "changes", testid: "detail-changes" });
    for (const change of detail.changes) {
      const item = el("li", { className: `change change-${change.kind}`, testid: "change" });
      item.dataset.kind = change.kind;
      item.append(el("span", { className: "change-kind", text: change.kind }), el("code", { className: "change-path", text: change.path || "(whole value)" }));
      if (change.kind === "added") {
        item.append(el("code", { className: "change-after", text: jsonText(change.after) }));
      } else if (change.kind === "removed") {
        item.append(el("code", { className: "change-before", text: jsonText(change.before) }));
      } else {
        item.append(
          el("code", { className: "change-before", text: jsonText(change.before) }),
          el("span", { className: "change-arrow", text: "→" }),
          el("code", { className: "change-after", text: jsonText(change.after) }),
        );
      }
      list.append(item);
    }
    root.append(list);
  }
  const source = detail.source;
  const where = [
    `${source.file} line ${source.line}`,
    source.chain !== null ? `chain ${source.chain}` : null,
    source.seq !== null ? `seq ${source.seq}` : null,
    source.event_id !== null ? `id ${source.event_id}` : null,
    `bundle ${source.bundle_idx} (${source.bundle_verdict})`,
  ].filter((part): part is string => part !== null);
  root.append(
    el("h3", { className: "detail-title", text: "Source" }),
    el("p", { className: "detail-source", testid: "detail-source", text: where.join(" · ") }),
    el("h3", { className: "detail-title", text: "Original line" }),
    el("pre", { className: "detail-line", testid: "detail-line", text: detail.line_text }),
  );
  return root;
}
