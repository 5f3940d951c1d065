// The Questions view: the common questions the shell knows (title and what the answer
// shows), and the answer to the one chosen: who or what it breaks down by, activity
// over time when it helps, the first events as sentences and a way to see them all.
// A question about a person asks for the person first; one about a record asks for
// the record and opens its history. Beside them, the reviewer's saved searches, each
// with its name and count and a Delete; choosing one shows its events and journals that
// it was run. Every question, filter and count is the shell's.
import "./questions.css";
import type { ActivityDto } from "../../bindings/ActivityDto";
import type { PersonDto } from "../../bindings/PersonDto";
import type { EventFilterDto } from "../../bindings/EventFilterDto";
import type { EventRowDto } from "../../bindings/EventRowDto";
import type { FacetCountDto } from "../../bindings/FacetCountDto";
import type { QuestionDto } from "../../bindings/QuestionDto";
import type { SavedSearchDto } from "../../bindings/SavedSearchDto";
import type { AppContext, ViewHandle } from "../../app/context";
import { emptyFilter } from "../../app/event-filter";
import { personLabel } from "../../components/actor-words";
import { settler } from "../../components/arrival";
import { breakdown } from "../../components/breakdown";
import { isFacetName, narrowFilter } from "../../components/breakdown-rows";
import { button, el } from "../../components/dom";
import { eventList } from "../../components/event-list";
import { histogram } from "../../components/histogram";
import { formatCount } from "../../format/count";
import {
  type FacetName,
  activity,
  deleteSearch,
  facetCounts,
  listEvents,
  listPeople,
  listQuestions,
  listSavedSearches,
  recordSearch,
} from "../../ipc";
import { answerFilter, needsOf, people } from "./answer";

/** Bars in an answer's histogram. */
const MAX_PERIODS = 60;
/** Events shown under an answer; "Show all in Events" has the rest. */
const FIRST_EVENTS = 20;

/** A question being answered, and what has arrived so far (`undefined`: on its way). */
interface Answer {
  question: QuestionDto;
  /** The person chosen, for a question that needs one. */
  person: PersonDto | null;
  filter: EventFilterDto | null;
  by: FacetName | null;
  counts?: FacetCountDto[];
  activity?: ActivityDto;
  events?: EventRowDto[];
  more: boolean;
}

export function questionsView(ctx: AppContext): ViewHandle {
  let questions: QuestionDto[] | null = null;
  let answer: Answer | null = null;
  /** The case's people, fetched the first time a question needs one. */
  let persons: PersonDto[] | null = null;
  /** The kinds of record the case holds, fetched the first time a question needs one. */
  let recordTypes: FacetCountDto[] | null = null;
  let generation = 0;

  const list = el("ol", { className: "question-list" });
  const savedList = el("ol", { className: "question-list", testid: "saved-searches" });
  /** The saved searches, fetched each time the view is shown. */
  let saved: SavedSearchDto[] | null = null;
  const answerBox = el("div", { className: "question-answer-box" });
  const root = el(
    "section",
    { className: "questions-view", testid: "questions-view" },
    el(
      "nav",
      { className: "question-pane" },
      el("h2", { className: "question-pane-title", text: "Saved searches" }),
      savedList,
      el("h2", { className: "question-pane-title", text: "Common questions" }),
      list,
    ),
    answerBox,
  );

  function renderSaved(): void {
    if (saved === null) {
      savedList.replaceChildren(el("li", { className: "muted", text: "Loading…" }));
      return;
    }
    if (saved.length === 0) {
      savedList.replaceChildren(
        el("li", { className: "muted", text: "None yet. In Events, choose filters, then “Save this search…”." }),
      );
      return;
    }
    savedList.replaceChildren(
      ...saved.map((search) => {
        const open = el(
          "button",
          { className: "question list-button", testid: "saved-search" },
          el("span", { className: "question-title", testid: "saved-search-name", text: search.name }),
          el("span", {
            className: "question-explains muted",
            testid: "saved-search-count",
            text: `${formatCount(search.count)} ${search.count === 1 ? "event" : "events"} now`,
          }),
        );
        open.type = "button";
        open.dataset.name = search.name;
        open.title = "Show these events (recorded in your journal)";
        open.addEventListener("click", () => {
          ctx.showEvents(search.filter);
          recordSearch(search.name, search.filter).catch(ctx.showError);
        });
        const remove = button("Delete", "saved-search-delete", "button saved-search-delete");
        remove.title = `Delete the saved search “${search.name}”`;
        remove.addEventListener("click", () => {
          deleteSearch(search.name)
            .then((next) => {
              saved = next;
              renderSaved();
            })
            .catch(ctx.showError);
        });
        return el("li", { className: "saved-search-item" }, open, remove);
      }),
    );
  }

  function loadSaved(): void {
    listSavedSearches()
      .then((next) => {
        saved = next;
        renderSaved();
      })
      .catch(ctx.showError);
  }

  function renderList(): void {
    if (questions === null) {
      list.replaceChildren(el("li", { className: "muted", text: "Loading…" }));
      return;
    }
    list.replaceChildren(
      ...questions.map((question) => {
        const chosen = answer?.question.id === question.id;
        const button = el(
          "button",
          { className: "question list-button", testid: "question" },
          el("span", { className: "question-title", text: question.title }),
          el("span", { className: "question-explains muted", text: question.explains }),
        );
        button.type = "button";
        button.dataset.questionId = question.id;
        button.classList.toggle("selected", chosen);
        button.setAttribute("aria-pressed", String(chosen));
        button.addEventListener("click", () => choose(question));
        return el("li", {}, button);
      }),
    );
  }

  const loading = (): HTMLElement => el("p", { className: "muted", text: "Loading…" });

  function personPicker(current: Answer): HTMLElement {
    const box = el("form", { className: "question-ask", testid: "question-ask-person" });
    if (persons === null) {
      box.append(loading());
      return box;
    }
    if (persons.length === 0) {
      box.append(el("p", { className: "muted", text: "This case has no people among its actors." }));
      return box;
    }
    const select = el("select", { className: "question-person", testid: "question-person" });
    const prompt = el("option", { text: "Choose a person…" });
    prompt.value = "";
    select.append(prompt);
    for (const person of persons) {
      const option = el("option", { text: personLabel(person), title: person.accounts.map((a) => a.actor_id).join(", ") });
      option.value = person.key;
      select.append(option);
    }
    select.value = current.person?.key ?? "";
    select.addEventListener("change", () => {
      const chosen = persons?.find((person) => person.key === select.value);
      if (chosen !== undefined) run(current.question, chosen);
    });
    box.addEventListener("submit", (event) => event.preventDefault());
    box.append(el("label", { className: "filter" }, el("span", { className: "filter-label", text: "Person" }), select));
    return box;
  }

  function recordPicker(): HTMLElement {
    const form = el("form", { className: "question-ask", testid: "question-ask-record" });
    if (recordTypes === null) {
      form.append(loading());
      return form;
    }
    const type = el("select", { className: "question-record-type", testid: "question-record-type" });
    for (const kind of recordTypes) {
      if (kind.value === null) continue;
      const option = el("option", { text: kind.value });
      option.value = kind.value;
      type.append(option);
    }
    const id = el("input", { className: "question-record-id", testid: "question-record-id" });
    id.type = "text";
    id.placeholder = "Record id, e.g. 1842";
    id.required = true;
    const submit = el("button", { className: "button", testid: "question-record-open", text: "Show its history" });
    submit.type = "submit";
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const targetId = id.value.trim();
      if (type.value !== "" && targetId !== "") ctx.openRecord(type.value, targetId);
    });
    form.append(
      el("label", { className: "filter" }, el("span", { className: "filter-label", text: "Kind of record" }), type),
      el("label", { className: "filter" }, el("span", { className: "filter-label", text: "Id" }), id),
      submit,
    );
    return form;
  }

  function renderAnswer(): void {
    const current = answer;
    if (current === null) {
      answerBox.replaceChildren(el("p", { className: "muted question-hint", text: "Choose a question to see its answer." }));
      return;
    }
    const { question } = current;
    const parts: HTMLElement[] = [
      el("h2", { className: "question-answer-title", text: question.title }),
      el("p", { className: "muted question-answer-explains", text: question.explains }),
    ];
    const needs = needsOf(question);
    if (needs === "record") parts.push(recordPicker());
    if (needs === "actor") parts.push(personPicker(current));
    const filter = current.filter;
    if (filter !== null) parts.push(...answerParts(current, filter));
    answerBox.replaceChildren(el("article", { className: "question-answer", testid: "question-answer" }, ...parts));
  }

  function answerParts(current: Answer, filter: EventFilterDto): HTMLElement[] {
    const utc = ctx.utc();
    const showAll = el("button", { className: "button", testid: "question-show-all", text: "Show all in Events" });
    showAll.type = "button";
    showAll.addEventListener("click", () => ctx.showEvents(filter));
    const parts: HTMLElement[] = [el("div", { className: "question-actions" }, showAll)];
    const by = current.by;
    if (by !== null) {
      parts.push(
        breakdown(current.counts, {
          by,
          testid: "question-breakdown",
          onChoose: (value) => {
            const narrower = narrowFilter(filter, by, value);
            if (narrower !== null) ctx.showEvents(narrower);
          },
        }),
      );
    }
    if (current.question.over_time) {
      parts.push(histogram(current.activity, { utc, onChoose: (since, until) => ctx.showEvents({ ...filter, since, until }) }));
    }
    parts.push(el("h3", { className: "question-section-title", text: "Latest events" }));
    if (current.events === undefined) {
      parts.push(loading());
    } else {
      parts.push(eventList(current.events, { utc, testid: "question-events", rowTestid: "question-event", onOpen: ctx.openEvent }));
      if (current.more) {
        parts.push(el("p", { className: "muted", text: `The latest ${FIRST_EVENTS} are shown; "Show all in Events" lists every one.` }));
      }
    }
    return parts;
  }

  /** Re-renders only if `current` is still the answer shown. */
  function update(current: Answer): void {
    if (answer === current) {
      renderAnswer();
    }
  }

  function fetchPeople(current: Answer): void {
    if (persons !== null) return;
    listPeople()
      .then((all) => {
        persons = people(all);
        update(current);
      })
      .catch(ctx.showError);
  }

  function fetchRecordTypes(current: Answer): void {
    if (recordTypes !== null) return;
    facetCounts(emptyFilter(), "target_type")
      .then((counts) => {
        recordTypes = counts;
        update(current);
      })
      .catch(ctx.showError);
  }

  /** Shows `question`; runs it now unless it needs a person or a record first. */
  function choose(question: QuestionDto): void {
    generation += 1;
    const needs = needsOf(question);
    answer = { question, person: null, filter: null, by: null, more: false };
    renderList();
    renderAnswer();
    if (needs === "actor") fetchPeople(answer);
    else if (needs === "record") fetchRecordTypes(answer);
    else run(question, null);
  }

  function run(question: QuestionDto, person: PersonDto | null): void {
    generation += 1;
    const mine = generation;
    const filter = answerFilter(question, person);
    const by = isFacetName(question.breakdown) ? question.breakdown : null;
    const current: Answer = { question, person, filter, by, more: false };
    answer = current;
    renderList();
    renderAnswer();
    const settle = settler(() => mine === generation, () => update(current), ctx.showError);
    if (by !== null) settle(facetCounts(filter, by), (counts) => (current.counts = counts));
    if (question.over_time) settle(activity(filter, MAX_PERIODS), (value) => (current.activity = value));
    settle(listEvents(filter, null, FIRST_EVENTS), (page) => {
      current.events = page.rows;
      current.more = page.next !== null;
    });
  }

  function load(): void {
    if (questions !== null) return;
    listQuestions()
      .then((all) => {
        questions = all;
        renderList();
      })
      .catch(ctx.showError);
  }

  renderList();
  renderSaved();
  renderAnswer();
  load();
  return {
    root,
    refresh() {
      renderList();
      renderSaved();
      renderAnswer();
    },
    shown() {
      load();
      loadSaved();
    },
  };
}
