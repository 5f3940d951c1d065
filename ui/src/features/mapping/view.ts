// The mapping form, shown when a CSV or JSON file of no known format is opened: the
// file's first records as a table, a choice of column (or a fixed value, or the
// record's hash) for each event field, the time format and zone, outcome values, and
// the first events the mapping makes, in the engine's words, refreshed as the form
// changes. Saved mappings fill the form; Save keeps this one; Import hands the draft
// to the frame, which imports it as it imports a bundle. The engine decides whether a
// mapping is valid and fits the file: this form only shows what it says.
import type { FilePreviewDto } from "../../bindings/FilePreviewDto";
import type { MappingDraftDto } from "../../bindings/MappingDraftDto";
import type { PreviewEventDto } from "../../bindings/PreviewEventDto";
import type { SavedMappingDto } from "../../bindings/SavedMappingDto";
import { button, el } from "../../components/dom";
import { baseName } from "../../format/path";
import { formatTime } from "../../format/time";
import { CommandError, listMappings, loadSavedMapping, previewMapping, saveMapping } from "../../ipc";
import {
  OUTCOME,
  OUTCOME_VALUES,
  TIME_CHOICES,
  constantExample,
  draftOf,
  emptyForm,
  fieldLabel,
  formOf,
  missingColumns,
  offersConstant,
  offersHash,
  valuesSeen,
} from "./draft";
import type { FieldChoice, FormState, TimeChoice } from "./draft";
import "./mapping.css";

export interface MappingFormOptions {
  /** The file to read. */
  path: string;
  /** Its first records and the event fields, from the shell. */
  preview: FilePreviewDto;
  utc(): boolean;
  showError(error: unknown): void;
  showNotice(message: string): void;
  /** Imports the file through this draft (the frame shows progress and the case). */
  import(draft: MappingDraftDto): void;
  /** Leaves the form (back to the start screen). */
  back(): void;
}

/** The fields that hold JSON values (the engine's `value_fields`). */
const VALUE_FIELDS = new Set(["before", "after", "requested", "result"]);

/** Fields most files lack, listed under "More fields" (folded). */
function isMore(field: string): boolean {
  return field.startsWith("source.") || field === "context" || VALUE_FIELDS.has(field);
}

/** How long the form waits after a change before asking for new preview events. */
const PREVIEW_DELAY_MS = 250;

/** Option values of a field's select. */
const NONE = "none";
const CONSTANT = "constant";
const HASH = "hash";
const COLUMN = "column:";

function choiceValue(choice: FieldChoice | undefined): string {
  switch (choice?.kind) {
    case "column":
      return `${COLUMN}${choice.column}`;
    case "constant":
      return CONSTANT;
    case "hash":
      return HASH;
    default:
      return NONE;
  }
}

function option(value: string, text: string): HTMLOptionElement {
  const node = el("option", { text });
  node.value = value;
  return node;
}

/** A labelled row of the form: the words on the left, the controls on the right. */
function row(labelText: string, control: HTMLElement, ...rest: HTMLElement[]): HTMLElement {
  const id = `mapping-${Math.random().toString(36).slice(2)}`;
  control.id = id;
  const label = el("label", { className: "mapping-label", text: labelText });
  label.htmlFor = id;
  return el("div", { className: "mapping-row" }, label, el("div", { className: "mapping-controls" }, control, ...rest));
}

/** The file's first records, scrolling sideways, each cell cut to one line. */
function sampleTable(preview: FilePreviewDto): HTMLElement {
  const head = el("tr");
  for (const column of preview.columns) {
    const th = el("th", { testid: "mapping-column", text: column, title: column });
    th.dataset.column = column;
    head.append(th);
  }
  const body = el("tbody");
  for (const values of preview.rows) {
    const tr = el("tr", { testid: "mapping-sample-row" });
    preview.columns.forEach((_, i) => {
      const text = values[i] ?? "";
      tr.append(el("td", { testid: "mapping-cell", text, title: text }));
    });
    body.append(tr);
  }
  return el(
    "div",
    { className: "mapping-table-scroll", testid: "mapping-sample" },
    el("table", { className: "mapping-table" }, el("thead", {}, head), body),
  );
}

export interface MappingForm {
  root: HTMLElement;
  /** Shows the preview again (after the UTC toggle). */
  refresh(): void;
}

export function mappingForm(options: MappingFormOptions): MappingForm {
  const { preview, path } = options;
  const columns = preview.columns;
  const isCsv = preview.format === "csv";
  const required = new Set(preview.required);
  let state: FormState = emptyForm();

  // ---- The first events, in the engine's words --------------------------------------
  const previewStatus = el("p", { className: "muted mapping-preview-status", testid: "mapping-preview-status" });
  const problem = el("p", { className: "mapping-problem", testid: "mapping-problem" });
  problem.hidden = true;
  const events = el("ol", { className: "mapping-events", testid: "mapping-preview-events" });
  let asked = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const showEvents = (found: PreviewEventDto[]): void => {
    problem.hidden = true;
    problem.textContent = "";
    previewStatus.textContent =
      found.length === 0
        ? "The mapping makes no events of the first records."
        : `The first ${found.length === 1 ? "event" : `${found.length} events`} this mapping makes:`;
    events.replaceChildren(
      ...found.map((event) => {
        const item = el(
          "li",
          { className: "mapping-event", testid: "mapping-preview-event" },
          el("span", { className: "mapping-event-sentence", testid: "mapping-event-sentence", text: event.sentence }),
          el("span", {
            className: "mapping-event-where muted",
            text: `${event.time === null ? "no time" : formatTime(event.time, options.utc())} · line ${event.line}`,
          }),
        );
        item.dataset.line = String(event.line);
        item.dataset.time = event.time ?? "";
        return item;
      }),
    );
  };

  const showProblem = (error: unknown): void => {
    events.replaceChildren();
    previewStatus.textContent = "The mapping does not fit yet:";
    problem.textContent = error instanceof CommandError ? error.message : String(error);
    problem.hidden = false;
  };

  const refresh = (): void => {
    asked += 1;
    const mine = asked;
    previewStatus.textContent = "Reading the first records…";
    previewMapping(path, draftOf(state, preview.format))
      .then((found) => {
        if (mine === asked) showEvents(found);
      })
      .catch((error: unknown) => {
        if (mine === asked) showProblem(error);
      });
  };

  const changed = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    previewStatus.textContent = "Reading the first records…";
    timer = setTimeout(refresh, PREVIEW_DELAY_MS);
  };

  // ---- Which column holds what --------------------------------------------------------
  const fieldsBox = el("div", { className: "mapping-fields", testid: "mapping-fields" });
  const moreBox = el("div", { className: "mapping-fields" });
  const moreFields = el(
    "details",
    { className: "mapping-more", testid: "mapping-more" },
    el("summary", { text: "More fields: where it came from, other ids, details, the record's state" }),
    moreBox,
  );

  const fieldRow = (field: string): HTMLElement => {
    const select = el("select", { className: "mapping-select", testid: "mapping-source" });
    select.append(option(NONE, "Not in this file"));
    const group = el("optgroup");
    group.label = isCsv ? "Column" : "Value at";
    for (const column of columns) group.append(option(`${COLUMN}${column}`, column));
    for (const column of missingColumns(state, columns)) {
      group.append(option(`${COLUMN}${column}`, `${column} (not found in this file)`));
    }
    select.append(group);
    if (offersConstant(field)) select.append(option(CONSTANT, "The same for every entry…"));
    if (offersHash(field)) select.append(option(HASH, "A hash of the record"));

    const constant = el("input", { className: "mapping-input", testid: "mapping-constant" });
    constant.type = "text";
    constant.placeholder = constantExample(field);
    constant.setAttribute("aria-label", `${fieldLabel(field)}: the value for every entry`);

    const current = state.fields[field];
    select.value = choiceValue(current);
    constant.value = current?.kind === "constant" ? current.value : "";
    constant.hidden = current?.kind !== "constant";

    const update = (): void => {
      const value = select.value;
      let choice: FieldChoice;
      if (value.startsWith(COLUMN)) choice = { kind: "column", column: value.slice(COLUMN.length) };
      else if (value === CONSTANT) choice = { kind: "constant", value: constant.value };
      else if (value === HASH) choice = { kind: "hash" };
      else choice = { kind: "none" };
      state.fields[field] = choice;
      constant.hidden = choice.kind !== "constant";
      if (field === OUTCOME) showOutcomeHint();
      changed();
    };
    select.addEventListener("change", () => {
      update();
      if (!constant.hidden) constant.focus();
    });
    constant.addEventListener("input", update);

    const label = required.has(field) ? `${fieldLabel(field)} (needed)` : fieldLabel(field);
    const line = row(label, select, constant);
    line.dataset.testid = "mapping-field";
    line.dataset.field = field;
    line.title = field;
    if (required.has(field)) line.classList.add("mapping-required");
    return line;
  };

  // ---- Times ---------------------------------------------------------------------------
  const timeFormat = el("select", { className: "mapping-select", testid: "mapping-time-format" });
  for (const [value, words] of TIME_CHOICES) timeFormat.append(option(value, words));
  const pattern = el("input", { className: "mapping-input", testid: "mapping-time-pattern" });
  pattern.type = "text";
  pattern.placeholder = "%d/%m/%Y %H:%M:%S";
  pattern.setAttribute("aria-label", "Time pattern");
  const patternHint = el("p", {
    className: "muted mapping-hint",
    text: "%d day, %m month, %Y year, %H hour, %M minute, %S second; %z an offset such as +0200.",
  });
  const patternRow = row("Pattern", pattern);
  const showPattern = (): void => {
    patternRow.hidden = state.time !== "pattern";
    patternHint.hidden = patternRow.hidden;
  };
  const timezone = el("input", { className: "mapping-input", testid: "mapping-timezone" });
  timezone.type = "text";
  timezone.placeholder = "UTC, Europe/Madrid or +02:00";
  timeFormat.addEventListener("change", () => {
    state.time = timeFormat.value as TimeChoice;
    showPattern();
    if (!patternRow.hidden) pattern.focus();
    changed();
  });
  pattern.addEventListener("input", () => {
    state.pattern = pattern.value;
    changed();
  });
  timezone.addEventListener("input", () => {
    state.timezone = timezone.value;
    changed();
  });

  // ---- Outcome values ------------------------------------------------------------------
  const outcomeList = el("div", { className: "mapping-pairs", testid: "mapping-outcomes" });
  const outcomeHint = el("p", { className: "muted mapping-hint", testid: "mapping-outcome-seen" });
  const showOutcomeHint = (): void => {
    const choice = state.fields[OUTCOME];
    const seen = choice?.kind === "column" ? valuesSeen(columns, preview.rows, choice.column) : [];
    outcomeHint.textContent =
      seen.length === 0 ? "" : `In the first records the outcome column holds: ${seen.join(", ")}.`;
    outcomeHint.hidden = seen.length === 0;
  };
  const renderOutcomes = (): void => {
    outcomeList.replaceChildren(
      ...state.outcomes.map((pair, index) => {
        const from = el("input", { className: "mapping-input mapping-pair-from", testid: "mapping-outcome-from" });
        from.type = "text";
        from.placeholder = "as the file writes it, e.g. 403";
        from.value = pair.from;
        from.setAttribute("aria-label", "The file's value");
        from.addEventListener("input", () => {
          pair.from = from.value;
          changed();
        });
        const to = el("select", { className: "mapping-select mapping-pair-to", testid: "mapping-outcome-to" });
        for (const value of OUTCOME_VALUES) to.append(option(value, value));
        to.value = pair.to;
        to.setAttribute("aria-label", "Means");
        to.addEventListener("change", () => {
          pair.to = to.value;
          changed();
        });
        const remove = button("Remove", "mapping-outcome-remove", "link-button");
        remove.addEventListener("click", () => {
          state.outcomes.splice(index, 1);
          renderOutcomes();
          changed();
        });
        return el("div", { className: "mapping-pair", testid: "mapping-outcome-pair" }, from, el("span", { className: "muted", text: "means" }), to, remove);
      }),
    );
  };
  const addOutcome = button("Add a value", "mapping-outcome-add", "button button-secondary");
  addOutcome.addEventListener("click", () => {
    state.outcomes.push({ from: "", to: "success" });
    renderOutcomes();
    const inputs = outcomeList.querySelectorAll("input");
    inputs[inputs.length - 1]?.focus();
  });

  /** Shows `state` in every control (on open, and when a saved mapping is chosen). */
  const render = (): void => {
    const all = [...preview.fields, ...preview.value_fields];
    const main = all.filter((name) => !isMore(name));
    const more = all.filter(isMore);
    fieldsBox.replaceChildren(
      ...main.flatMap((name) => (name === "ts" ? [fieldRow(name), timeBlock] : name === OUTCOME ? [fieldRow(name), outcomeBlock] : [fieldRow(name)])),
    );
    moreBox.replaceChildren(...more.map(fieldRow));
    // A saved mapping that reads one of the rarer fields shows them.
    if (more.some((name) => (state.fields[name]?.kind ?? "none") !== "none")) moreFields.open = true;
    timeFormat.value = state.time;
    pattern.value = state.pattern;
    showPattern();
    timezone.value = state.timezone;
    nameInput.value = state.name;
    renderOutcomes();
    showOutcomeHint();
    changed();
  };

  /** Under "When it happened": how times are written, and their zone. */
  const timeBlock = el(
    "div",
    { className: "mapping-sub" },
    row("How times are written", timeFormat),
    patternRow,
    patternHint,
    row("Time zone of times without one", timezone),
  );
  /** Under "How it ended": what the file's own values mean. */
  const outcomeBlock = el(
    "div",
    { className: "mapping-sub" },
    el("p", {
      className: "muted mapping-hint",
      text: "An outcome is success, failure or denied. Say what the file's other values mean (e.g. OK means success, 403 means denied).",
    }),
    outcomeHint,
    outcomeList,
    addOutcome,
  );

  // ---- Saved mappings, Save, Import ----------------------------------------------------
  const saved = el("select", { className: "mapping-select", testid: "mapping-saved" });
  saved.setAttribute("aria-label", "Saved mappings");
  const savedNone = el("span", { className: "muted", testid: "mapping-saved-empty", text: "None yet: a mapping you save appears here." });
  const showSaved = (list: SavedMappingDto[], chosen = ""): void => {
    saved.replaceChildren(option("", "Choose a saved mapping…"));
    for (const entry of list) {
      const item = option(entry.name, entry.problem === null ? entry.name : `${entry.name} (cannot be used)`);
      item.disabled = entry.problem !== null;
      if (entry.problem !== null) item.title = entry.problem;
      saved.append(item);
    }
    saved.value = chosen;
    saved.hidden = list.length === 0;
    savedNone.hidden = list.length > 0;
  };
  saved.addEventListener("change", () => {
    const name = saved.value;
    if (name === "") return;
    loadSavedMapping(name)
      .then((draft) => {
        state = formOf(draft, name);
        render();
      })
      .catch(options.showError);
  });
  showSaved([]);
  listMappings()
    .then((list) => showSaved(list))
    .catch(options.showError);

  const nameInput = el("input", { className: "mapping-input", testid: "mapping-name" });
  nameInput.type = "text";
  nameInput.placeholder = "e.g. Acme ERP orders export";
  nameInput.addEventListener("input", () => {
    state.name = nameInput.value;
  });
  const save = button("Save mapping", "mapping-save", "button button-secondary");
  save.addEventListener("click", () => {
    save.disabled = true;
    saveMapping(draftOf(state, preview.format))
      .then((list) => {
        const name = state.name.trim();
        showSaved(list, name);
        options.showNotice(`Saved the mapping “${name}”; it is offered whenever a file of no known format is opened.`);
      })
      .catch(options.showError)
      .finally(() => {
        save.disabled = false;
      });
  });
  const importButton = button("Import into a new case", "mapping-import");
  importButton.addEventListener("click", () => options.import(draftOf(state, preview.format)));
  const back = button("Back", "mapping-back", "button button-secondary");
  back.addEventListener("click", () => options.back());

  // ---- The page ------------------------------------------------------------------------
  const what = isCsv ? "CSV file" : preview.format === "jsonl" ? "JSON Lines file" : "JSON file";
  const sampleNote =
    preview.unreadable > 0
      ? ` ${preview.unreadable} of the first records could not be read and are not shown.`
      : "";
  const root = el(
    "section",
    { className: "mapping", testid: "mapping-form" },
    el("h2", { className: "mapping-title", text: `Read “${baseName(path)}” through a mapping` }),
    el("p", {
      className: "app-hint",
      text: `This ${what} is not an audit bundle. Say which ${isCsv ? "column" : "value"} holds what, check the events it makes, then import it. Such a file carries no proof of integrity: its case will be marked unverifiable.`,
    }),
    el("div", { className: "mapping-saved-row" }, el("span", { className: "mapping-label", text: "Saved mappings" }), saved, savedNone),
    el("h3", { className: "section-title", text: `The first ${preview.rows.length} records of the file` }),
    sampleTable(preview),
    el("p", { className: "muted mapping-hint", text: `${columns.length} ${isCsv ? "columns" : "values"}.${sampleNote}` }),
    el(
      "div",
      { className: "mapping-columns" },
      el(
        "div",
        { className: "mapping-left" },
        el("h3", { className: "section-title", text: `Which ${isCsv ? "column" : "value"} holds what` }),
        fieldsBox,
        moreFields,
      ),
      el(
        "div",
        { className: "mapping-right", testid: "mapping-preview" },
        el("h3", { className: "section-title", text: "What the events will say" }),
        previewStatus,
        problem,
        events,
        el("h3", { className: "section-title", text: "Keep and use it" }),
        row("Name", nameInput, save),
        el("div", { className: "mapping-actions" }, importButton, back),
      ),
    ),
  );
  root.dataset.path = path;
  render();
  return { root, refresh };
}
