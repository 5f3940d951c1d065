// One picker of the events filter bar (action, category, record, outcome, channel, IP,
// import batch, rule): a button that opens a list of the values the shell counted for
// the current filter, with their counts, fetched only when the list is opened (a facet
// is a GROUP BY over the matching events, too costly for every filter change). One can
// type to narrow the list, or press Enter to use the typed value as it is. Values are
// evidence: they go in with textContent only. It never counts anything itself.
import type { FacetCountDto } from "../../bindings/FacetCountDto";
import { el } from "../../components/dom";
import { formatCount } from "../../format/count";
import { type PickerField, actionPrefixes, valueLabel } from "./filters";

/** At most this many values are listed at once; typing narrows the rest. */
const MAX_LISTED = 100;

export interface PickerOptions {
  field: PickerField;
  /** The values and counts for the current filter without this field. */
  load(): Promise<FacetCountDto[]>;
  /** Called with the chosen value; "" clears the field. */
  onChoose(value: string): void;
  onError(error: unknown): void;
}

export interface Picker {
  root: HTMLElement;
  /** Shows the field's current value on the button (null: any). */
  show(value: string | null): void;
  /** Closes the list; true if it was open. */
  close(): boolean;
  isOpen(): boolean;
}

interface Choice {
  value: string;
  label: string;
  count: number | null;
}

function choicesOf(field: PickerField, counts: FacetCountDto[]): Choice[] {
  const choices: Choice[] = [];
  const values = counts.flatMap((count) => (count.value === null ? [] : [count.value]));
  if (field.field === "action") {
    for (const prefix of actionPrefixes(values)) {
      choices.push({ value: prefix, label: valueLabel("action", prefix), count: null });
    }
  }
  for (const count of counts) {
    // Events without the field cannot be asked for by value.
    if (count.value === null) continue;
    choices.push({ value: count.value, label: valueLabel(field.field, count.value), count: count.count });
  }
  return choices;
}

export function facetPicker(options: PickerOptions): Picker {
  const { field } = options;
  const button = el("button", { className: "picker-button", testid: field.testid, title: `Filter by ${field.title.toLowerCase()}` });
  button.type = "button";
  button.setAttribute("aria-haspopup", "listbox");
  button.setAttribute("aria-expanded", "false");
  const buttonTitle = el("span", { className: "picker-title", text: field.title });
  const buttonValue = el("span", { className: "picker-value" });
  buttonValue.dir = "auto";
  button.append(buttonTitle, buttonValue, el("span", { className: "picker-caret", text: "▾" }));

  const input = el("input", { className: "picker-input", testid: "filter-picker-input" });
  input.type = "search";
  input.placeholder = `Type ${field.hint}`;
  input.setAttribute("aria-label", `${field.title}: type to narrow the list, Enter to use what you typed`);
  const list = el("ul", { className: "picker-list" });
  list.setAttribute("role", "listbox");
  const note = el("p", { className: "picker-note muted" });
  const popup = el("div", { className: "picker-popup", testid: "filter-picker" }, input, list, note);
  popup.hidden = true;
  const root = el("div", { className: "picker" }, button, popup);

  let choices: Choice[] | null = null;
  let current: string | null = null;
  /** Bumped on every open, so a list for an older filter is dropped. */
  let generation = 0;

  function choose(value: string): void {
    close();
    options.onChoose(value);
  }

  function optionButton(choice: Choice, testid = "filter-option"): HTMLElement {
    const item = el("button", { className: "picker-option", testid, title: choice.value });
    item.type = "button";
    item.dataset.value = choice.value;
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", String(choice.value === (current ?? "")));
    const label = el("span", { className: "option-label", text: choice.label });
    label.dir = "auto";
    item.append(label);
    if (choice.label !== choice.value && choice.value !== "") {
      const code = el("span", { className: "option-code", text: choice.value });
      code.dir = "auto";
      item.append(code);
    }
    item.append(el("span", { className: "option-count", text: choice.count === null ? "" : formatCount(choice.count) }));
    item.addEventListener("click", () => choose(choice.value));
    return el("li", {}, item);
  }

  function renderList(): void {
    if (choices === null) {
      list.replaceChildren();
      note.textContent = "Loading values…";
      return;
    }
    const needle = input.value.trim().toLowerCase();
    const matching =
      needle === ""
        ? choices
        : choices.filter((choice) => choice.value.toLowerCase().includes(needle) || choice.label.toLowerCase().includes(needle));
    const items: HTMLElement[] = [];
    if (current !== null && needle === "") {
      items.push(optionButton({ value: "", label: `Any ${field.title.toLowerCase()}`, count: null }, "filter-option-any"));
    }
    for (const choice of matching.slice(0, MAX_LISTED)) items.push(optionButton(choice));
    list.replaceChildren(...items);
    const typed = input.value.trim();
    if (matching.length > MAX_LISTED) {
      note.textContent = `${formatCount(matching.length - MAX_LISTED)} more; type to narrow.`;
    } else if (choices.length === 0) {
      note.textContent = "No values among the events shown. Type one and press Enter.";
    } else if (matching.length === 0) {
      note.textContent = `None listed. Press Enter to filter by “${typed}”.`;
    } else {
      note.textContent = "";
    }
  }

  function open(): void {
    generation += 1;
    const mine = generation;
    choices = null;
    input.value = "";
    popup.hidden = false;
    // Near the window's right edge the list opens leftwards, so it stays in view.
    const box = button.getBoundingClientRect();
    root.classList.toggle("align-right", box.left + popup.offsetWidth > document.documentElement.clientWidth - 8);
    button.setAttribute("aria-expanded", "true");
    root.classList.add("open");
    renderList();
    input.focus();
    options
      .load()
      .then((counts) => {
        if (mine !== generation || popup.hidden) return;
        choices = choicesOf(field, counts);
        renderList();
      })
      .catch((error: unknown) => {
        if (mine !== generation) return;
        choices = [];
        renderList();
        note.textContent = "Could not list the values. Type one and press Enter.";
        options.onError(error);
      });
  }

  function close(): boolean {
    if (popup.hidden) return false;
    generation += 1;
    popup.hidden = true;
    // The values were for this filter only: the next opening asks again.
    choices = null;
    list.replaceChildren();
    button.setAttribute("aria-expanded", "false");
    root.classList.remove("open");
    return true;
  }

  button.addEventListener("click", () => {
    if (popup.hidden) open();
    else close();
  });
  input.addEventListener("input", renderList);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      const typed = input.value.trim();
      if (typed !== "") choose(typed);
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      list.querySelector<HTMLButtonElement>("button")?.focus();
    }
  });
  list.addEventListener("keydown", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLElement)) return;
    const item = target.closest("li");
    if (event.key === "ArrowDown") {
      event.preventDefault();
      item?.nextElementSibling?.querySelector<HTMLButtonElement>("button")?.focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      const previous = item?.previousElementSibling?.querySelector<HTMLButtonElement>("button");
      if (previous) previous.focus();
      else input.focus();
    }
  });
  // A click anywhere else closes the list.
  document.addEventListener("mousedown", (event) => {
    if (!popup.hidden && event.target instanceof Node && !root.contains(event.target)) close();
  });

  return {
    root,
    show(value) {
      current = value;
      root.classList.toggle("active", value !== null);
      buttonValue.textContent = value === null ? "" : valueLabel(field.field, value);
      buttonValue.title = value ?? "";
    },
    close,
    isOpen: () => !popup.hidden,
  };
}
