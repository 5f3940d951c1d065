// The events view: the filter bar (search, actor, pickers, time presets, exports and
// the active filters as chips), the virtualized table and the detail panel of the
// selected event, with keyboard navigation (`/` search, j/k or arrows, Enter, Esc).
// It keeps the current filter and hands it to the table's pager; every row, count
// and detail comes from the shell as it is. While the case's text index is being
// prepared it asks the shell how far it has got about once a second (the note under
// the search box), and re-runs a text search once when it is complete.
import type { ActorDto } from "../../bindings/ActorDto";
import type { EventDetailDto } from "../../bindings/EventDetailDto";
import type { EventFilterDto } from "../../bindings/EventFilterDto";
import type { TextIndexDto } from "../../bindings/TextIndexDto";
import type { AppContext, ViewHandle } from "../../app/context";
import { emptyFilter } from "../../app/event-filter";
import { el } from "../../components/dom";
import { LOCAL_OFFSET, UTC_OFFSET } from "../../components/time-input";
import { formatCount } from "../../format/count";
import {
  caseSummary,
  countEvents,
  eventDetail,
  exportEvents,
  exportParquet,
  facetCounts,
  listEvents,
  saveSearch,
  tagsInUse,
  textIndexState,
  writeExcerpt,
} from "../../ipc";
import { excerptControl } from "./excerpt-dialog";
import { parquetSavedText } from "./export-words";
import type { PresetId } from "./filters";
import { focusKind, keyCommand, movedIndex, needsNextPage } from "./keyboard";
import { askAgain, rerunSearch } from "./search-words";
import { EventPager } from "./state";
import { renderDetail } from "./detail";
import { type ExportFormat, filterBar } from "./toolbar";
import { eventsTable } from "./view";
import "./events.css";

export interface EventsView extends ViewHandle {
  /** Replaces the filter and starts again from the newest event. */
  setFilter(filter: EventFilterDto): void;
  /** Opens one event's detail (and selects its row if loaded). */
  openEvent(eventIdx: number): void;
}

/** How often the view asks how far the text index has got, while it is incomplete. */
const TEXT_INDEX_POLL_MS = 1_000;

export function eventsView(ctx: AppContext, actors: ActorDto[], severalSources = false): EventsView {
  // The count of matching events is asked for beside each filter's first page; the
  // status line shows it when it arrives (an answer for an older filter is dropped).
  const pager = new EventPager(listEvents, emptyFilter(), undefined, {
    fetch: countEvents,
    onCount: () => table.refresh(),
    onError: ctx.showError,
  });
  /** The time preset the current range came from, for its chip and button. */
  let preset: PresetId | null = null;
  /** The case's latest event time: the time presets count back from it. */
  let anchorMs: number | null = null;
  caseSummary()
    .then((summary) => {
      const latest = summary.last_time === null ? Number.NaN : Date.parse(summary.last_time);
      anchorMs = Number.isNaN(latest) ? null : latest;
    })
    .catch(ctx.showError);

  const detailBox = el("div", { className: "detail-box" });
  detailBox.hidden = true;
  let detail: EventDetailDto | null = null;
  /** The selected row (kept when the detail closes, so j/k go on from there). */
  let selectedIdx: number | null = null;
  /** Bumped on every detail request, so only the latest one is shown. */
  let detailRequest = 0;

  const select = (eventIdx: number | null): void => {
    selectedIdx = eventIdx;
    table.select(eventIdx);
  };
  const closeDetail = (): void => {
    detailRequest += 1;
    detail = null;
    detailBox.hidden = true;
    detailBox.replaceChildren();
  };
  const renderDetailBox = (): void => {
    if (detail === null) return;
    const shownIdx = detail.row.event_idx;
    detailBox.replaceChildren(
      renderDetail(detail, ctx, closeDetail, (marks) => {
        // The row shows the marks the shell answered (star and tags).
        const index = pager.indexOf(shownIdx);
        const row = index >= 0 ? pager.rows[index] : undefined;
        if (row !== undefined) {
          pager.rows[index] = { ...row, starred: marks.starred, tags: marks.tags, has_note: marks.note !== null };
          table.refresh();
        }
      }),
    );
    detailBox.hidden = false;
  };
  const openEvent = (eventIdx: number): void => {
    select(eventIdx);
    detailRequest += 1;
    const request = detailRequest;
    eventDetail(eventIdx)
      .then((answer) => {
        if (request !== detailRequest) return;
        detail = answer;
        renderDetailBox();
      })
      .catch(ctx.showError);
  };

  const table = eventsTable(pager, { utc: ctx.utc, onSelect: openEvent, onError: ctx.showError, severalSources });

  const apply = (filter: EventFilterDto, nextPreset: PresetId | null): void => {
    preset = nextPreset;
    pager.reset(filter);
    selectedIdx = null;
    table.select(null);
    table.scrollToTop();
    toolbar.show(filter, preset);
  };
  const setFilter = (filter: EventFilterDto): void => apply(filter, null);

  let exporting = false;
  const exportView = (format: ExportFormat): void => {
    if (exporting) return;
    exporting = true;
    toolbar.setExporting(true);
    const done =
      format === "parquet"
        ? exportParquet(pager.filter).then((result) => (result === null ? null : parquetSavedText(result)))
        : exportEvents(pager.filter, format).then((result) => {
            if (result === null) return null;
            const noun = result.rows === 1 ? "event" : "events";
            return `Exported ${formatCount(result.rows)} ${noun} to ${result.path}`;
          });
    done
      .then((said) => ctx.showNotice(said ?? "Export cancelled; nothing was written."))
      .catch(ctx.showError)
      .finally(() => {
        exporting = false;
        toolbar.setExporting(false);
      });
  };

  const toolbar = filterBar({
    actors,
    offsetAt: () => (ctx.utc() ? UTC_OFFSET : LOCAL_OFFSET),
    anchor: () => anchorMs,
    facetCounts,
    onChange: apply,
    onExport: exportView,
    excerpt: excerptControl({
      filter: () => pager.filter,
      write: writeExcerpt,
      showNotice: ctx.showNotice,
      showError: ctx.showError,
    }),
    onError: ctx.showError,
    tagsInUse,
    async onSave(name) {
      const saved = await saveSearch(name, pager.filter);
      const count = saved.find((item) => item.name === name)?.count;
      const matches = count === undefined ? "" : ` (${formatCount(count)} ${count === 1 ? "event" : "events"} now)`;
      ctx.showNotice(`Saved this search as “${name}”${matches}; it is in the Questions view.`);
    },
  });
  toolbar.show(pager.filter, preset);

  const root = el(
    "div",
    { className: "events-pane", testid: "events-view" },
    el("div", { className: "toolbar events-toolbar" }, toolbar.root),
    table.root,
    detailBox,
  );

  // The text index: asked about once a second until it is complete (or its build
  // failed), while this view is on screen (a case opened since has a view of its own).
  let textIndex: TextIndexDto | null = null;
  const watchTextIndex = (): void => {
    textIndexState()
      .then((answer) => {
        const rerun = rerunSearch(textIndex, answer, pager.filter.text);
        textIndex = answer;
        toolbar.showTextIndex(answer);
        if (rerun) apply(pager.filter, preset);
        if (askAgain(answer) && root.isConnected) setTimeout(watchTextIndex, TEXT_INDEX_POLL_MS);
      })
      .catch(ctx.showError);
  };
  watchTextIndex();

  /** Moves the selection one row, fetching the next page at the end of the loaded rows. */
  const move = async (command: "next" | "previous"): Promise<void> => {
    const found = selectedIdx === null ? -1 : pager.indexOf(selectedIdx);
    const current = found < 0 ? null : found;
    if (command === "next" && needsNextPage(current, pager.rows.length, pager.hasMore)) {
      await pager.loadMore();
      table.refresh();
    }
    const index = movedIndex(current, command, pager.rows.length);
    const row = index === null ? undefined : pager.rows[index];
    if (row === undefined) return;
    // With the detail open, it follows the selection.
    if (detail !== null) openEvent(row.event_idx);
    else select(row.event_idx);
  };

  document.addEventListener("keydown", (event) => {
    if (!root.isConnected || root.hidden || event.defaultPrevented) return;
    const active = document.activeElement;
    const focused = active instanceof HTMLElement && active !== document.body ? active : null;
    const command = keyCommand({
      key: event.key,
      ctrlKey: event.ctrlKey,
      metaKey: event.metaKey,
      altKey: event.altKey,
      focus: focusKind(
        focused?.tagName ?? null,
        focused instanceof HTMLInputElement ? focused.type : null,
        focused?.isContentEditable ?? false,
      ),
    });
    if (command === null) return;
    if (command === "close") {
      event.preventDefault();
      if (toolbar.closePopups()) return;
      if (focused !== null && root.contains(focused)) focused.blur();
      closeDetail();
      return;
    }
    // An open picker list has the keyboard.
    if (toolbar.popupOpen()) return;
    event.preventDefault();
    if (command === "focus-search") {
      toolbar.search.focus();
      toolbar.search.select();
    } else if (command === "open") {
      if (selectedIdx !== null) openEvent(selectedIdx);
    } else {
      move(command).catch(ctx.showError);
    }
  });

  return {
    root,
    refresh() {
      table.refresh();
      toolbar.show(pager.filter, preset);
      renderDetailBox();
    },
    shown: () => table.refresh(),
    setFilter,
    openEvent,
  };
}
