// The Record history view: one record's events in order, each with its field changes,
// and the record's fields at a chosen moment (slider over its events, or a date and
// time), as the shell reconstructs them. Status, owner and role changes stand out.
// Under its title, the reviewer's marks on the record (star, tags, note).
// It shows the shell's timeline and state as they are: it never folds events into a
// state itself. DOM with el() only; every text from a bundle goes in as textContent.
import type { TimelineDto } from "../../bindings/TimelineDto";
import type { TimelineEntryDto } from "../../bindings/TimelineEntryDto";
import type { AppContext, ViewHandle } from "../../app/context";
import { emptyFilter } from "../../app/event-filter";
import { renderChanges } from "../../components/diff";
import { formatValue, humanizeKey, notableField, topField } from "../../components/diff-format";
import { button, el } from "../../components/dom";
import { marksControl } from "../../components/marks";
import { LOCAL_OFFSET, UTC_OFFSET, parseWallInput, wallInputValue } from "../../components/time-input";
import { formatCount } from "../../format/count";
import { formatTime } from "../../format/time";
import { facetCounts, listEvents, recordTimeline } from "../../ipc";
import { changedFields, entryIndexAt, sliderPosition, sliderStops } from "./moment";
import "./timeline.css";

export interface RecordView extends ViewHandle {
  show(targetType: string, targetId: string, at: string | null): void;
}

interface Chosen {
  targetType: string;
  targetId: string;
  at: string | null;
}

/** How many of the latest events of a type the id suggestions are taken from. */
const ID_SUGGESTION_EVENTS = 200;

function textInput(testid: string, placeholder: string, list: string): HTMLInputElement {
  const input = el("input", { className: "record-chooser-input", testid });
  input.type = "text";
  input.placeholder = placeholder;
  input.setAttribute("list", list);
  input.spellcheck = false;
  input.autocomplete = "off";
  return input;
}

/**
 * "Status changed", "Roles changed": the notable fields an entry's changes touch. A field
 * set for the first time (a creation's top-level additions) is not a change of it.
 */
function notableLabels(entry: TimelineEntryDto): string[] {
  const labels = new Set<string>();
  for (const change of entry.changes) {
    const field = notableField(change.path);
    const firstSet = change.kind === "added" && topField(change.path) === change.path;
    if (field !== null && !firstSet) labels.add(`${humanizeKey(field)} changed`);
  }
  return [...labels];
}

/** Whether an entry's changes took effect (the shell's state ignores failed attempts). */
function tookEffect(entry: TimelineEntryDto): boolean {
  return entry.row.outcome === null || entry.row.outcome === "success";
}

export function recordView(ctx: AppContext): RecordView {
  let chosen: Chosen | null = null;
  let timeline: TimelineDto | null = null;
  /** Bumped by every request, so an older answer arriving late is dropped. */
  let generation = 0;
  let typesLoaded = false;
  let sliderTimer: ReturnType<typeof setTimeout> | undefined;

  // The chooser: a record type and id, with suggestions from the case.
  const typeList = el("datalist");
  typeList.id = "record-type-suggestions";
  const idList = el("datalist");
  idList.id = "record-id-suggestions";
  const typeInput = textInput("record-chooser-type", "Type, e.g. Order", typeList.id);
  const idInput = textInput("record-chooser-id", "ID, e.g. 1842", idList.id);
  const showButton = el("button", { className: "button", testid: "record-chooser-show", text: "Show history" });
  showButton.type = "submit";
  const chooser = el(
    "form",
    { className: "record-chooser", testid: "record-chooser" },
    el("label", { className: "record-chooser-label" }, el("span", { text: "Record type" }), typeInput),
    el("label", { className: "record-chooser-label" }, el("span", { text: "ID" }), idInput),
    showButton,
    typeList,
    idList,
  );
  chooser.addEventListener("submit", (event) => {
    event.preventDefault();
    const targetType = typeInput.value.trim();
    const targetId = idInput.value.trim();
    if (targetType === "" || targetId === "") {
      ctx.showNotice("Enter a record type (e.g. Order) and its ID to see its history.");
      return;
    }
    load({ targetType, targetId, at: null });
  });
  let suggestedType = "";
  typeInput.addEventListener("change", () => suggestIds(typeInput.value.trim()));

  const body = el("div", { className: "record-body" });
  // The frame is absolutely placed so the view scrolls inside its tab and never makes
  // the window taller than the screen, whatever the length of the history.
  const root = el(
    "section",
    { className: "record-view", testid: "record-view" },
    el("div", { className: "record-frame" }, chooser, body),
  );
  renderEmpty();

  function suggestTypes(): void {
    if (typesLoaded) return;
    typesLoaded = true;
    facetCounts(emptyFilter(), "target_type")
      .then((counts) => {
        typeList.replaceChildren(
          ...counts.flatMap((count) => {
            if (count.value === null) return [];
            const option = el("option");
            option.value = count.value;
            option.label = `${count.value} (${formatCount(count.count)} events)`;
            return [option];
          }),
        );
      })
      .catch((error: unknown) => {
        typesLoaded = false;
        ctx.showError(error);
      });
  }

  /** Suggests the ids of the records of one type named by the latest events. */
  function suggestIds(targetType: string): void {
    if (targetType === "" || targetType === suggestedType) return;
    suggestedType = targetType;
    listEvents({ ...emptyFilter(), target_type: targetType }, null, ID_SUGGESTION_EVENTS)
      .then((page) => {
        if (suggestedType !== targetType) return;
        const seen = new Map<string, string | null>();
        for (const row of page.rows) {
          if (row.target_id !== null && !seen.has(row.target_id)) seen.set(row.target_id, row.target_name);
        }
        idList.replaceChildren(
          ...[...seen].map(([id, name]) => {
            const option = el("option");
            option.value = id;
            if (name !== null) option.label = name;
            return option;
          }),
        );
      })
      .catch(ctx.showError);
  }

  function load(next: Chosen, scrollToMoment = true): void {
    chosen = next;
    typeInput.value = next.targetType;
    idInput.value = next.targetId;
    generation += 1;
    const mine = generation;
    root.classList.add("record-loading");
    recordTimeline(next.targetType, next.targetId, next.at)
      .then((answer) => {
        if (mine !== generation) return;
        timeline = answer;
        root.classList.remove("record-loading");
        render();
        if (scrollToMoment) {
          body.querySelector(".entry-current")?.scrollIntoView({ block: "nearest" });
        }
      })
      .catch((error: unknown) => {
        if (mine !== generation) return;
        root.classList.remove("record-loading");
        ctx.showError(error);
      });
  }

  function moveTo(at: string | null): void {
    if (chosen === null) return;
    load({ ...chosen, at });
  }

  function renderEmpty(): void {
    body.replaceChildren(
      el(
        "div",
        { className: "record-empty" },
        el("p", {
          className: "record-hint",
          text: "Choose a record to see everything that happened to it, and what it looked like at any moment.",
        }),
        el("p", {
          className: "muted",
          text: "Enter its type and ID above (for example Order and 1842), or open an event and choose its history.",
        }),
      ),
    );
  }

  /** The reviewer's marks on the record shown, kept while the same record is shown. */
  let marksFor: { key: string; node: HTMLElement } | null = null;
  function recordMarks(targetType: string, targetId: string): HTMLElement {
    const key = JSON.stringify([targetType, targetId]);
    if (marksFor?.key !== key) {
      marksFor = {
        key,
        node: marksControl({ kind: "record", target_type: targetType, target_id: targetId }, { what: "this record", onError: ctx.showError }),
      };
    }
    return marksFor.node;
  }

  function render(): void {
    if (timeline === null) {
      renderEmpty();
      return;
    }
    const shown = timeline;
    const utc = ctx.utc();
    const entries = shown.entries;
    const times = entries.map((entry) => entry.row.time);
    const current = entryIndexAt(times, shown.at);
    const stops = sliderStops(times);

    const name = shown.target_name ?? `${shown.target_type} ${shown.target_id}`;
    const showEvents = button("Show these events in the Events tab", "record-show-events", "button record-link");
    showEvents.addEventListener("click", () =>
      ctx.showEvents({ ...emptyFilter(), target_type: shown.target_type, target_id: shown.target_id }),
    );
    const head = el(
      "div",
      { className: "record-head" },
      el("h2", { className: "record-title", testid: "record-title", text: name }),
      el("p", {
        className: "record-subtitle muted",
        text: `${shown.target_type} · ${shown.target_id} · ${formatCount(entries.length)} event${entries.length === 1 ? "" : "s"}`,
      }),
    );
    if (entries.length > 0) head.append(showEvents);
    head.append(recordMarks(shown.target_type, shown.target_id));

    if (entries.length === 0) {
      body.replaceChildren(
        head,
        el("p", {
          className: "record-hint",
          testid: "record-none",
          text: `No event in this case is about ${shown.target_type} ${shown.target_id}. Check the type and ID (they are matched exactly).`,
        }),
      );
      return;
    }

    body.replaceChildren(head, momentBar(shown, current, stops, utc), columns(shown, current, utc));
  }

  function momentText(shown: TimelineDto, current: number, utc: boolean): string {
    if (shown.at === null) {
      const last = shown.entries[current]?.row.time ?? null;
      return `Latest state, after its last event (${formatTime(last, utc)})`;
    }
    const when = formatTime(shown.at, utc);
    return current < 0 ? `State at ${when}, before its first event` : `State at ${when}`;
  }

  function momentBar(shown: TimelineDto, current: number, stops: number[], utc: boolean): HTMLElement {
    const entries = shown.entries;
    const slider = el("input", { className: "record-slider", testid: "record-slider" });
    slider.type = "range";
    slider.min = "0";
    slider.max = String(Math.max(0, stops.length - 1));
    slider.step = "1";
    slider.value = String(sliderPosition(stops, current));
    slider.disabled = stops.length < 2;
    slider.setAttribute("aria-label", "Moment in the record's history, one step per event");
    const stopTime = (position: number): string | null => {
      const index = stops[position];
      return index === undefined ? null : (entries[index]?.row.time ?? null);
    };
    const atText = el("p", { className: "record-at", testid: "record-at", text: momentText(shown, current, utc) });
    slider.addEventListener("input", () => {
      const time = stopTime(Number(slider.value));
      if (time === null) return;
      atText.textContent = `Moving to ${formatTime(time, utc)}…`;
      clearTimeout(sliderTimer);
      sliderTimer = setTimeout(() => moveTo(time), 120);
    });

    // Previous / next event, by the slider's stops.
    const position = sliderPosition(stops, current);
    const previous = button("◀ Earlier", "record-previous");
    previous.disabled = current < 0 || position === 0;
    previous.addEventListener("click", () => moveTo(stopTime(position - 1)));
    const next = button("Later ▶", "record-next");
    const atLatest = shown.at === null || position >= stops.length - 1;
    next.disabled = atLatest && current >= 0;
    next.addEventListener("click", () => moveTo(stopTime(current < 0 ? 0 : position + 1)));

    const picker = el("input", { className: "record-picker", testid: "record-picker" });
    picker.type = "datetime-local";
    picker.step = "1";
    const zone = utc ? UTC_OFFSET : LOCAL_OFFSET;
    picker.value = wallInputValue(shown.at ?? entries[current]?.row.time ?? null, zone);
    picker.setAttribute("aria-label", `Date and time (${utc ? "UTC" : "local time"})`);
    const go = el("button", { className: "button", testid: "record-picker-go", text: "Show" });
    go.type = "submit";
    const pickerForm = el(
      "form",
      { className: "record-picker-form" },
      el("span", { className: "muted", text: utc ? "At (UTC)" : "At (local time)" }),
      picker,
      go,
    );
    const pick = (): void => {
      const at = parseWallInput(picker.value, zone);
      if (at === null) {
        ctx.showNotice("Enter a date and time, e.g. 2026-01-05 08:30:00.");
        return;
      }
      moveTo(at);
    };
    pickerForm.addEventListener("submit", (event) => {
      event.preventDefault();
      pick();
    });
    picker.addEventListener("change", pick);

    const latest = button("Latest", "record-latest");
    latest.disabled = shown.at === null;
    latest.addEventListener("click", () => moveTo(null));

    const first = stopTime(0);
    const last = stopTime(stops.length - 1);
    return el(
      "div",
      { className: "record-moment" },
      atText,
      el(
        "div",
        { className: "record-slider-row" },
        previous,
        el(
          "div",
          { className: "record-slider-box" },
          slider,
          el(
            "div",
            { className: "record-slider-ends muted" },
            el("span", { text: formatTime(first, utc) }),
            el("span", { text: formatTime(last, utc) }),
          ),
        ),
        next,
      ),
      el("div", { className: "record-picker-row" }, pickerForm, latest),
    );
  }

  function columns(shown: TimelineDto, current: number, utc: boolean): HTMLElement {
    const currentEntry = shown.entries[current];
    const touched =
      currentEntry !== undefined && tookEffect(currentEntry) ? changedFields(currentEntry.changes) : new Set<string>();
    return el(
      "div",
      { className: "record-columns" },
      statePanel(shown, current, touched),
      el(
        "div",
        { className: "record-history" },
        el("h3", { className: "record-section-title", text: "History" }),
        el(
          "ol",
          { className: "record-entries", testid: "record-entries" },
          ...shown.entries.map((entry, index) => entryItem(entry, index, current, utc)),
        ),
      ),
    );
  }

  function statePanel(shown: TimelineDto, current: number, touched: Set<string>): HTMLElement {
    const uncertain = new Set(shown.uncertain);
    const panel = el(
      "div",
      { className: "record-state-panel" },
      el("h3", { className: "record-section-title", text: "Its fields at this moment" }),
    );
    const fields = el("dl", { className: "record-state", testid: "record-state" });
    const names = Object.keys(shown.state);
    if (!shown.exists && names.length === 0) {
      panel.append(
        el("p", {
          className: "record-hint",
          testid: "record-not-existing",
          text:
            current < 0
              ? "Before its first event: nothing is known about it yet."
              : "No fields at this moment: it was deleted, or no event so far said what it holds.",
        }),
      );
    }
    for (const name of names) {
      const field = el(
        "div",
        { className: "record-field", testid: "record-field" },
        el("dt", { className: "record-field-name", text: humanizeKey(name), title: name }),
        el("dd", { className: "record-field-value", testid: "record-field-value", text: formatValue(shown.state[name]) }),
      );
      field.dataset.field = name;
      if (touched.has(name)) {
        field.classList.add("field-changed");
        field.append(el("dd", { className: "record-field-flag flag-changed", text: "Changed by the event at this moment" }));
      }
      if (uncertain.has(name)) {
        field.classList.add("field-uncertain");
        field.dataset.uncertain = "true";
        field.append(
          el("dd", {
            className: "record-field-flag flag-uncertain",
            testid: "record-field-uncertain",
            text: "Uncertain: events left out of the export may have changed it since",
          }),
        );
      }
      fields.append(field);
    }
    panel.append(fields);
    if (uncertain.size > 0) {
      panel.append(
        el("p", {
          className: "record-uncertain-note",
          text: `${formatCount(uncertain.size)} field${uncertain.size === 1 ? " is" : "s are"} uncertain: the export left out events of this chain since they were last set.`,
        }),
      );
    }
    return panel;
  }

  function entryItem(
    entry: TimelineEntryDto,
    index: number,
    current: number,
    utc: boolean,
  ): HTMLElement {
    const row = entry.row;
    const item = el("li", { className: "timeline-entry", testid: "timeline-entry" });
    item.dataset.eventIdx = String(row.event_idx);
    item.tabIndex = 0;
    item.title = "Open this event";
    if (index === current) {
      item.classList.add("entry-current");
      item.setAttribute("aria-current", "true");
    } else if (index > current) {
      item.classList.add("entry-later");
    }
    if (entry.omitted_before > 0) {
      item.append(
        el("p", {
          className: "entry-gap",
          text: `${formatCount(entry.omitted_before)} event${entry.omitted_before === 1 ? " was" : "s were"} left out of the export before this one; they may have changed this record.`,
        }),
      );
    }
    const head = el(
      "div",
      { className: "entry-head" },
      el("span", { className: "entry-time", text: formatTime(row.time, utc) }),
      el("span", { className: "entry-actor", text: row.actor_name ?? row.actor_id ?? "unknown actor", title: row.actor_id ?? "" }),
    );
    if (index === current) {
      head.append(el("span", { className: "entry-badge badge-now", testid: "entry-now", text: "At this moment" }));
    }
    const notable = notableLabels(entry);
    if (notable.length > 0) {
      item.classList.add("entry-notable");
      for (const label of notable) head.append(el("span", { className: "entry-badge badge-notable", text: label }));
    }
    if (!tookEffect(entry)) {
      item.classList.add("entry-failed");
      head.append(el("span", { className: "entry-badge badge-failed", text: `${row.outcome ?? ""}: no change made` }));
    }
    item.append(head, el("p", { className: "entry-sentence", testid: "entry-sentence", text: row.sentence }));
    for (const discrepancy of entry.discrepancies) {
      item.append(
        el("p", {
          className: "entry-discrepancy",
          text:
            `Does not match the history so far: ${humanizeKey(discrepancy.field)} was ` +
            `"${formatValue(discrepancy.expected)}" but this event says it was "${formatValue(discrepancy.actual)}".`,
        }),
      );
    }
    if (entry.changes.length > 0) item.append(renderChanges(entry.changes));
    if (row.time !== null && index !== current && entry.changes.length > 0) {
      const here = button("See the record at this moment", "record-entry-moment", "button entry-moment");
      here.addEventListener("click", (event) => {
        event.stopPropagation();
        moveTo(row.time);
      });
      item.append(here);
    }
    const open = (): void => ctx.openEvent(row.event_idx);
    item.addEventListener("click", () => {
      // Selecting text to copy it is not a request to open the event.
      if ((window.getSelection()?.toString() ?? "") !== "") return;
      open();
    });
    item.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target === item) open();
    });
    return item;
  }

  return {
    root,
    refresh() {
      render();
    },
    shown() {
      suggestTypes();
      if (typeInput.value.trim() !== "") suggestIds(typeInput.value.trim());
    },
    show(targetType, targetId, at) {
      load({ targetType, targetId, at });
    },
  };
}
