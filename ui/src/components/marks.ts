// The reviewer's marks on one subject (an event, a record or an actor): a star toggle,
// the tags as chips with a remove ×, an input that adds tags (suggestions from the tags
// in use), and a note with Save and Remove. Every change goes through the shell, which
// keeps it in the case and journals it under the reviewer's key; the control shows the
// marks the shell answers and tells `onChange`. Text goes in with textContent only.
import type { MarksDto } from "../bindings/MarksDto";
import type { SubjectDto } from "../bindings/SubjectDto";
import type { TagCountDto } from "../bindings/TagCountDto";
import { marks as loadMarks, setNote, setStar, setTag, tagsInUse } from "../ipc";
import { button, el } from "./dom";
import { parseTags, starLabel, tagSuggestions } from "./marks-words";
import "./marks.css";

let listCount = 0;

export interface MarksControlOptions {
  /** What the marks are on, in words, for labels ("this event", "this record"). */
  what: string;
  onError(error: unknown): void;
  /** After every change the shell accepted, with the marks it answered. */
  onChange?(marks: MarksDto): void;
}

/** The control for one subject; it loads the subject's marks itself. */
export function marksControl(subject: SubjectDto, options: MarksControlOptions): HTMLElement {
  let current: MarksDto | null = null;
  let inUse: TagCountDto[] = [];
  let busy = false;
  /** The note last put in the textarea from the shell: typing that is not saved yet survives other changes. */
  let shownNote: string | null | undefined;
  listCount += 1;
  const listId = `tag-suggestions-${listCount}`;

  const star = button("☆ Star", "marks-star", "button marks-star");
  const tagsBox = el("span", { className: "marks-tags", testid: "marks-tags" });
  const tagInput = el("input", { className: "marks-tag-input", testid: "marks-tag-input" });
  tagInput.type = "text";
  tagInput.placeholder = "Add a tag…";
  tagInput.setAttribute("list", listId);
  tagInput.setAttribute("aria-label", `Add tags to ${options.what} (separate several with commas)`);
  const suggestions = el("datalist");
  suggestions.id = listId;
  const addTag = button("Add tag", "marks-tag-add", "button");
  const note = el("textarea", { className: "marks-note", testid: "marks-note" });
  note.rows = 3;
  note.placeholder = `Your note on ${options.what}…`;
  note.setAttribute("aria-label", `Your note on ${options.what}`);
  const saveNote = button("Save note", "marks-note-save", "button");
  const removeNote = button("Remove note", "marks-note-remove", "button");
  const status = el("span", { className: "marks-status muted", testid: "marks-status" });

  const root = el(
    "div",
    { className: "marks", testid: "marks" },
    el("div", { className: "marks-row" }, star, tagsBox, tagInput, suggestions, addTag),
    note,
    el("div", { className: "marks-row" }, saveNote, removeNote, status),
  );
  root.dataset.kind = subject.kind;

  function render(): void {
    const shown = current;
    const label = starLabel(shown?.starred ?? false);
    star.textContent = label.text;
    star.title = label.title;
    star.setAttribute("aria-pressed", String(shown?.starred ?? false));
    star.classList.toggle("active", shown?.starred ?? false);
    const tags = shown?.tags ?? [];
    tagsBox.replaceChildren(
      ...tags.map((tag) => {
        const remove = button("×", "marks-tag-remove", "chip-remove");
        remove.title = `Remove the tag “${tag}”`;
        remove.setAttribute("aria-label", `Remove tag ${tag}`);
        remove.addEventListener("click", () => change(() => setTag(subject, tag, true)));
        const chip = el("span", { className: "chip marks-tag", testid: "marks-tag" }, el("span", { className: "chip-label", text: tag }), remove);
        chip.dataset.tag = tag;
        return chip;
      }),
    );
    renderSuggestions();
    if (shown !== null && shown.note !== shownNote) {
      shownNote = shown.note;
      note.value = shown.note ?? "";
    }
    removeNote.hidden = shown?.note === null || shown?.note === undefined;
    for (const control of [star, tagInput, addTag, note, saveNote, removeNote]) control.disabled = busy || shown === null;
  }

  function renderSuggestions(): void {
    suggestions.replaceChildren(
      ...tagSuggestions(inUse, tagInput.value, current?.tags ?? []).map((item) => {
        const option = el("option");
        option.value = item.tag;
        option.label = `${item.tag} (${item.count})`;
        return option;
      }),
    );
  }

  /** Runs one change through the shell, then shows (and passes on) its answer. */
  function change(run: () => Promise<MarksDto>, done?: () => void): void {
    if (busy) return;
    busy = true;
    render();
    run()
      .then((answer) => {
        current = answer;
        status.textContent = "Saved; recorded in your journal.";
        done?.();
        options.onChange?.(answer);
        tagsInUse()
          .then((tags) => {
            inUse = tags;
            renderSuggestions();
          })
          .catch(() => {});
      })
      .catch(options.onError)
      .finally(() => {
        busy = false;
        render();
      });
  }

  function addTyped(): void {
    const tags = parseTags(tagInput.value, current?.tags ?? []);
    if (tags.length === 0) return;
    change(async () => {
      let answer: MarksDto | null = null;
      for (const tag of tags) answer = await setTag(subject, tag, false);
      if (answer === null) throw new Error("no tag to add");
      return answer;
    }, () => {
      tagInput.value = "";
    });
  }

  star.addEventListener("click", () => change(() => setStar(subject, !(current?.starred ?? false))));
  addTag.addEventListener("click", addTyped);
  tagInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      addTyped();
    }
  });
  tagInput.addEventListener("input", renderSuggestions);
  saveNote.addEventListener("click", () => {
    // Read now: the control redraws (disabled) before the shell is called.
    const text = note.value;
    change(() => setNote(subject, text.trim() === "" ? null : text));
  });
  removeNote.addEventListener("click", () => change(() => setNote(subject, null), () => {
    note.value = "";
  }));

  render();
  Promise.all([loadMarks(subject), tagsInUse()])
    .then(([answer, tags]) => {
      current = answer;
      inUse = tags;
      render();
    })
    .catch(options.onError);
  return root;
}
