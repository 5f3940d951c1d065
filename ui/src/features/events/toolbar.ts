// The events view's filter bar: the text search box, the actor list, one picker per
// field (values and counts from the shell, fetched when a picker opens), the time
// presets and custom range, the exports of the current view (CSV, JSON Lines, Parquet
// into a folder, and the evidence excerpt, whose control the view hands in), the reviewer's marks
// (Starred, Has a note, a tag picker), "Save this search…" (an in-page form for the
// name), and the active filters as removable chips. It holds no filter of its own beyond what it was last shown:
// every change goes to the view, which resets the table and shows the bar again.
// Under the search box, a note says so while word search is being prepared (the
// case's text index, as the shell reports it).
import type { ActorDto } from "../../bindings/ActorDto";
import type { EventFilterDto } from "../../bindings/EventFilterDto";
import type { FacetCountDto } from "../../bindings/FacetCountDto";
import type { TagCountDto } from "../../bindings/TagCountDto";
import type { TextIndexDto } from "../../bindings/TextIndexDto";
import { actorFilter } from "../../components/actor-filter";
import { button, el } from "../../components/dom";
import { type OffsetAt, parseWallInput, wallInputValue } from "../../components/time-input";
import type { FacetName } from "../../ipc";
import {
  type FilterChip,
  PICKER_FIELDS,
  PRESETS,
  type PresetId,
  filterChips,
  pickerValue,
  presetLabel,
  presetRange,
  rangeFilter,
  rangeText,
  removeChip,
  withPickerValue,
  withTag,
  withoutField,
} from "./filters";
import { type Picker, facetPicker } from "./picker";
import { indexStage, searchHelp, searchNote } from "./search-words";

/** How long typing pauses before the search runs (a text search may scan every event). */
const SEARCH_DELAY_MS = 300;

export type ExportFormat = "csv" | "jsonl" | "parquet";

export interface FilterBarOptions {
  actors: ActorDto[];
  /** The zone for presets and the custom range: UTC or this machine's. */
  offsetAt(): OffsetAt;
  /** The case's latest event time (ms), the presets' anchor; null until known. */
  anchor(): number | null;
  facetCounts(filter: EventFilterDto, by: FacetName): Promise<FacetCountDto[]>;
  /** A new filter from the bar; `preset` names the time preset it came from, if any. */
  onChange(filter: EventFilterDto, preset: PresetId | null): void;
  onExport(format: ExportFormat): void;
  /** "Evidence excerpt…" with its dialog (excerpt-dialog.ts), shown beside the exports. */
  excerpt: HTMLElement;
  onError(error: unknown): void;
  /** The tags in use, for the tag picker (fetched when it is opened). */
  tagsInUse(): Promise<TagCountDto[]>;
  /** Saves the current filter under a name; resolves when the shell has. */
  onSave(name: string): Promise<void>;
}

export interface FilterBar {
  root: HTMLElement;
  /** The search box that `/` focuses. */
  search: HTMLInputElement;
  /** Shows a filter (after any change, ours or another view's). */
  show(filter: EventFilterDto, preset: PresetId | null): void;
  /** Closes an open picker list; true if one was open. */
  closePopups(): boolean;
  /** Whether a picker list is open (it then has the keyboard). */
  popupOpen(): boolean;
  /** Disables the export buttons while an export runs. */
  setExporting(busy: boolean): void;
  /** Shows how far the case's text index has got: a note until it is complete, and the search box's help. */
  showTextIndex(index: TextIndexDto): void;
}

export function filterBar(options: FilterBarOptions): FilterBar {
  let filter: EventFilterDto | null = null;
  let preset: PresetId | null = null;
  const change = (next: EventFilterDto, nextPreset: PresetId | null = null): void => options.onChange(next, nextPreset);
  const current = (): EventFilterDto => {
    if (filter === null) throw new Error("the filter bar was not shown a filter yet");
    return filter;
  };

  // Search.
  const search = el("input", { className: "filter-search", testid: "filter-search" });
  search.type = "search";
  search.placeholder = "Search names and values  ( / )";
  search.setAttribute("aria-label", "Search the events' names and values");
  // What a search does while the text index is prepared (hidden once it is complete).
  const searchNoteBox = el("p", { className: "search-note muted", testid: "search-note" });
  searchNoteBox.id = "events-search-note";
  searchNoteBox.hidden = true;
  search.setAttribute("aria-describedby", searchNoteBox.id);
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  const runSearch = (): void => {
    clearTimeout(searchTimer);
    searchTimer = undefined;
    const text = search.value.trim();
    if (filter !== null && (filter.text ?? "") !== text) change({ ...filter, text: text === "" ? null : text }, preset);
  };
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, SEARCH_DELAY_MS);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      runSearch();
    }
  });

  // Actor: the actors view's list (value = actor id).
  const actorBox = actorFilter(options.actors, (actorId) => {
    change({ ...current(), actors: actorId === null ? [] : [actorId] }, preset);
  });
  const actorSelect = actorBox.querySelector("select");

  // Pickers.
  const pickers = new Map<string, Picker>();
  for (const field of PICKER_FIELDS) {
    pickers.set(
      field.field,
      facetPicker({
        field,
        load: () => options.facetCounts(withoutField(current(), field.field), field.facet),
        onChoose: (value) => change(withPickerValue(current(), field.field, value), preset),
        onError: options.onError,
      }),
    );
  }
  const closePopups = (except?: Picker): boolean => {
    let closed = false;
    for (const picker of pickers.values()) if (picker !== except && picker.close()) closed = true;
    return closed;
  };
  // Opening one picker closes the others.
  for (const picker of pickers.values()) {
    picker.root.addEventListener("click", () => closePopups(picker));
  }

  // Time: presets and the custom range.
  const presetButtons = PRESETS.map((item) => {
    const node = button(item.label, "filter-preset", "preset");
    node.dataset.preset = item.id;
    node.title = `${item.label}: ${item.explanation}, in your time zone (UTC when the UTC switch is on).`;
    node.addEventListener("click", () => {
      const anchor = options.anchor() ?? Date.now();
      change({ ...current(), ...rangeFilter(presetRange(item.id, anchor, options.offsetAt())) }, item.id);
    });
    return node;
  });
  const customButton = button("Custom range…", "filter-preset", "preset");
  customButton.dataset.preset = "custom";
  const since = el("input", { className: "filter-time", testid: "filter-since" });
  const until = el("input", { className: "filter-time", testid: "filter-until" });
  for (const input of [since, until]) {
    input.type = "datetime-local";
    input.step = "1";
  }
  since.setAttribute("aria-label", "From (inclusive)");
  until.setAttribute("aria-label", "Until (exclusive)");
  const customBox = el(
    "span",
    { className: "custom-range" },
    el("label", { className: "filter" }, el("span", { className: "filter-label", text: "From" }), since),
    el("label", { className: "filter" }, el("span", { className: "filter-label", text: "until" }), until),
  );
  customBox.hidden = true;
  customButton.addEventListener("click", () => {
    customBox.hidden = false;
    since.focus();
  });
  const onTimeInput = (): void => {
    const offsetAt = options.offsetAt();
    change({ ...current(), since: parseWallInput(since.value, offsetAt), until: parseWallInput(until.value, offsetAt) }, null);
  };
  since.addEventListener("change", onTimeInput);
  until.addEventListener("change", onTimeInput);

  // Exports.
  const exportCsv = button("CSV", "export-csv", "preset");
  const exportJsonl = button("JSON Lines", "export-jsonl", "preset");
  exportCsv.title = "Save the events of this view as CSV (opens a save dialog)";
  exportJsonl.title = "Save the original lines of the events of this view (opens a save dialog)";
  const exportParquet = button("Parquet (folder)…", "export-parquet", "preset");
  exportParquet.title =
    "Save the events of this view as Parquet in a new folder, one folder per day, for DuckDB, Spark or Athena (opens a save dialog)";
  exportCsv.addEventListener("click", () => options.onExport("csv"));
  exportJsonl.addEventListener("click", () => options.onExport("jsonl"));
  exportParquet.addEventListener("click", () => options.onExport("parquet"));

  // The reviewer's marks: Starred, Has a note, a tag.
  const starredBox = el("input", { testid: "filter-starred" });
  starredBox.type = "checkbox";
  const noteBox = el("input", { testid: "filter-has-note" });
  noteBox.type = "checkbox";
  starredBox.addEventListener("change", () => change({ ...current(), starred: starredBox.checked }, preset));
  noteBox.addEventListener("change", () => change({ ...current(), has_note: noteBox.checked }, preset));
  const tagSelect = el("select", { className: "filter-tag", testid: "filter-tag" });
  tagSelect.setAttribute("aria-label", "Only events with this tag");
  const tagPrompt = (): HTMLOptionElement => {
    const option = el("option", { text: "Tag…" });
    option.value = "";
    return option;
  };
  tagSelect.append(tagPrompt());
  const loadTags = (): void => {
    options
      .tagsInUse()
      .then((tags) => {
        const chosen = tagSelect.value;
        tagSelect.replaceChildren(
          tagPrompt(),
          ...tags.map((item) => {
            const option = el("option", { text: `${item.tag} (${item.count})` });
            option.value = item.tag;
            return option;
          }),
        );
        if (tags.length === 0) tagSelect.append(Object.assign(el("option", { text: "No tags yet" }), { disabled: true }));
        tagSelect.value = chosen;
      })
      .catch(options.onError);
  };
  tagSelect.addEventListener("focus", loadTags);
  tagSelect.addEventListener("mousedown", loadTags);
  tagSelect.addEventListener("change", () => {
    const tag = tagSelect.value;
    tagSelect.value = "";
    if (tag !== "") change(withTag(current(), tag), preset);
  });
  loadTags();

  // Save this search: an in-page form for its name.
  const saveButton = button("Save this search…", "save-search", "preset");
  saveButton.title = "Keep this filter under a name, to run it again from the Questions view";
  const saveName = el("input", { className: "save-search-name", testid: "save-search-name" });
  saveName.type = "text";
  saveName.placeholder = "Name of this search";
  saveName.setAttribute("aria-label", "Name of this search");
  const saveConfirm = button("Save", "save-search-confirm", "button");
  const saveCancel = button("Cancel", "save-search-cancel", "button");
  const saveForm = el("form", { className: "save-search-form", testid: "save-search-form" }, saveName, saveConfirm, saveCancel);
  saveForm.hidden = true;
  saveButton.addEventListener("click", () => {
    saveForm.hidden = false;
    saveName.focus();
  });
  saveCancel.addEventListener("click", () => {
    saveForm.hidden = true;
    saveName.value = "";
  });
  const submitSave = (): void => {
    const name = saveName.value.trim();
    if (name === "") {
      saveName.focus();
      return;
    }
    saveConfirm.disabled = true;
    options
      .onSave(name)
      .then(() => {
        saveForm.hidden = true;
        saveName.value = "";
      })
      .catch(options.onError)
      .finally(() => {
        saveConfirm.disabled = false;
      });
  };
  saveConfirm.addEventListener("click", submitSave);
  saveForm.addEventListener("submit", (event) => {
    event.preventDefault();
    submitSave();
  });

  // Chips.
  const chipsBox = el("div", { className: "filter-chips", testid: "filter-chips" });
  chipsBox.setAttribute("aria-label", "Active filters");

  const chipNames = {
    actorName(actorId: string): string {
      const actor = options.actors.find((item) => item.actor_id === actorId);
      return actor?.name ?? actorId;
    },
    timeLabel(from: string | null, to: string | null): string {
      const range = rangeText(from, to, options.offsetAt());
      return preset === null ? range : `${presetLabel(preset)} (${range})`;
    },
  };

  function chipNode(chip: FilterChip): HTMLElement {
    const label = el("span", { className: "chip-label", text: chip.label, title: chip.title ?? chip.label });
    label.dir = "auto";
    const remove = button("×", "filter-chip-remove", "chip-remove");
    remove.title = `Remove this filter`;
    remove.setAttribute("aria-label", `Remove filter ${chip.label}`);
    remove.addEventListener("click", () => change(removeChip(current(), chip), chip.field === "time" ? null : preset));
    const node = el("span", { className: `chip chip-${chip.field}`, testid: "filter-chip" }, label, remove);
    node.dataset.field = chip.field;
    if (chip.value !== null) node.dataset.value = chip.value;
    return node;
  }

  function renderChips(): void {
    const chips = filterChips(current(), chipNames);
    const nodes: HTMLElement[] = chips.map(chipNode);
    if (chips.length === 0) {
      nodes.push(el("span", { className: "muted chips-empty", text: "No filters: every event of the case." }));
    } else if (chips.length >= 2) {
      const clear = button("Clear all", "filter-clear", "chip-clear");
      clear.addEventListener("click", () => {
        const next = chips.reduce((acc, chip) => removeChip(acc, chip), current());
        change(next, null);
      });
      nodes.push(clear);
    }
    chipsBox.replaceChildren(...nodes);
  }

  const root = el(
    "div",
    { className: "filter-bar", testid: "filter-bar" },
    el(
      "div",
      { className: "filter-row" },
      search,
      actorBox,
      ...[...pickers.values()].map((picker) => picker.root),
    ),
    searchNoteBox,
    el(
      "div",
      { className: "filter-row" },
      el("span", { className: "filter-label", text: "Time" }),
      ...presetButtons,
      customButton,
      customBox,
      el("span", { className: "filter-spacer" }),
      el("span", { className: "export-group" }, el("span", { className: "filter-label", text: "Export this view" }), exportCsv, exportJsonl, exportParquet, options.excerpt),
    ),
    el(
      "div",
      { className: "filter-row" },
      el("span", { className: "filter-label", text: "Your marks" }),
      el("label", { className: "filter-toggle" }, starredBox, el("span", { text: "Starred" })),
      el("label", { className: "filter-toggle" }, noteBox, el("span", { text: "Has a note" })),
      tagSelect,
      el("span", { className: "filter-spacer" }),
      saveButton,
      saveForm,
    ),
    chipsBox,
  );

  return {
    root,
    search,
    show(next, nextPreset) {
      filter = next;
      preset = nextPreset;
      if (document.activeElement !== search && searchTimer === undefined) search.value = next.text ?? "";
      if (actorSelect !== null) {
        const only = next.actors.length === 1 ? (next.actors[0] ?? "") : "";
        actorSelect.value = only;
        // An actor outside the list (or several) shows as "All"; the chips say who.
        if (actorSelect.value !== only) actorSelect.value = "";
      }
      for (const field of PICKER_FIELDS) pickers.get(field.field)?.show(pickerValue(next, field.field));
      for (const node of presetButtons) {
        const active = node.dataset.preset === nextPreset;
        node.classList.toggle("active", active);
        node.setAttribute("aria-pressed", String(active));
      }
      const offsetAt = options.offsetAt();
      since.value = wallInputValue(next.since, offsetAt);
      until.value = wallInputValue(next.until, offsetAt);
      const custom = nextPreset === null && (next.since !== null || next.until !== null);
      if (custom) customBox.hidden = false;
      customButton.classList.toggle("active", custom);
      customButton.setAttribute("aria-pressed", String(custom));
      starredBox.checked = next.starred;
      noteBox.checked = next.has_note;
      renderChips();
    },
    closePopups: () => closePopups(),
    popupOpen: () => [...pickers.values()].some((picker) => picker.isOpen()),
    showTextIndex(index) {
      const note = searchNote(index);
      searchNoteBox.textContent = note ?? "";
      searchNoteBox.hidden = note === null;
      searchNoteBox.dataset.index = indexStage(index);
      search.title = searchHelp(index);
    },
    setExporting(busy) {
      exportCsv.disabled = busy;
      exportJsonl.disabled = busy;
      exportParquet.disabled = busy;
    },
  };
}
