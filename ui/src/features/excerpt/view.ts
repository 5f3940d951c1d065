// The check of an evidence excerpt, shown when the reviewer opens an excerpt's folder
// (it is checked on its own, never imported): the engine's headline, who made it (name,
// key fingerprint, when, why, what was chosen), then each part with the engine's
// sentence of what it proves, the trust note for the key its proof rests on, its
// problems, and each chosen event ✓ or ✗ with its problem. Everything in it comes from
// a folder someone else made, so it is text, never markup (textContent only); every
// verdict is the engine's.
import type { ExcerptCheckDto } from "../../bindings/ExcerptCheckDto";
import type { ExcerptPartCheckDto } from "../../bindings/ExcerptPartCheckDto";
import type { ViewHandle } from "../../app/context";
import { button, el } from "../../components/dom";
import { formatTime } from "../../format/time";
import { checkExcerpt } from "../../ipc";
import { chosenWords, eventLine, makerKeyWords, partTitle } from "./words";
import "./excerpt.css";

export interface ExcerptViewOptions {
  /** The excerpt's folder. */
  path: string;
  utc(): boolean;
  showError(error: unknown): void;
}

/** The problems under a title that says what they are about; nothing when there are none. */
function problemList(title: string, problems: string[], testid: string): HTMLElement {
  const list = el("ul", { className: "excerpt-problems" });
  for (const problem of problems) list.append(el("li", { testid, text: `✗ ${problem}` }));
  const box = el("div", { className: "excerpt-problem-box" }, el("p", { className: "excerpt-problems-title", text: title }), list);
  box.hidden = problems.length === 0;
  return box;
}

function fact(label: string, ...value: (Node | string)[]): HTMLElement[] {
  return [el("dt", { text: label }), el("dd", {}, ...value)];
}

function statementBox(check: ExcerptCheckDto, utc: boolean): HTMLElement {
  const facts = el(
    "dl",
    { className: "excerpt-facts" },
    ...fact("Made by", el("span", { testid: "excerpt-made-by", text: check.made_by === "" ? "(no name given)" : check.made_by })),
    ...fact(
      "Signing key",
      el("span", { className: "excerpt-fingerprint", testid: "excerpt-fingerprint", text: check.fingerprint === "" ? "(none)" : check.fingerprint }),
      el("span", { className: "excerpt-key-words", testid: "excerpt-key-words", text: makerKeyWords(check) }),
    ),
    ...fact("Made on", el("span", { testid: "excerpt-made-at", text: formatTime(check.made_at, utc), title: formatTime(check.made_at, true) })),
    ...fact("Chosen", el("span", { testid: "excerpt-chosen", text: chosenWords(check) })),
    ...fact(
      "Why",
      check.reason === null
        ? el("span", { className: "muted", testid: "excerpt-reason", text: "No reason was given." })
        : el("span", { className: "excerpt-reason-text", testid: "excerpt-reason", text: check.reason }),
    ),
  );
  return el(
    "section",
    { className: "excerpt-card", testid: "excerpt-statement" },
    el("h3", { className: "excerpt-card-title", text: "Who made it, and why" }),
    facts,
    problemList("What does not check out in the statement or the files it lists:", check.statement_problems, "excerpt-statement-problem"),
  );
}

function partBox(part: ExcerptPartCheckDto, index: number): HTMLElement {
  const title = el("h3", { className: "excerpt-card-title", text: partTitle(part, index), title: part.source });
  const badge = el("span", {
    className: `excerpt-badge ${part.proven ? "verdict-verified" : "verdict-broken"}`,
    testid: "excerpt-part-verdict",
    text: part.proven ? "✓ Proven" : "✗ NOT proven",
  });
  const kind = el("span", { className: "muted", text: part.kind === "" ? "" : `(${part.kind})` });
  const top = el("div", { className: "excerpt-part-top" }, title, kind, el("span", { className: "excerpt-spacer" }), badge);
  const box = el("section", { className: "excerpt-card excerpt-part", testid: "excerpt-part" }, top);
  box.dataset.proven = String(part.proven);
  box.dataset.dir = part.dir;
  if (part.sentence !== "") box.append(el("p", { className: "excerpt-sentence", testid: "excerpt-part-sentence", text: part.sentence }));
  if (part.trust !== null) box.append(el("p", { className: "excerpt-trust", testid: "excerpt-part-trust", text: part.trust }));
  box.append(problemList("What does not check out in this part:", part.problems, "excerpt-part-problem"));
  box.append(el("p", { className: "excerpt-events-title", text: part.events.length === 1 ? "The chosen event, checked:" : "The chosen events, each checked:" }));
  const list = el("ul", { className: "excerpt-events", testid: "excerpt-events" });
  for (const event of part.events) {
    const line = eventLine(event);
    const item = el(
      "li",
      { className: `excerpt-event ${event.proven ? "excerpt-event-proven" : "excerpt-event-failed"}`, testid: "excerpt-event" },
      el("span", { className: "excerpt-event-mark", testid: "excerpt-event-mark", text: line.mark }),
      el("span", { className: "excerpt-event-what", testid: "excerpt-event-what", text: line.what }),
      el("span", { className: "excerpt-event-detail", testid: "excerpt-event-detail", text: line.detail }),
    );
    item.dataset.proven = String(event.proven);
    list.append(item);
  }
  box.append(list);
  return box;
}

export function excerptView(options: ExcerptViewOptions): ViewHandle {
  let check: ExcerptCheckDto | null = null;
  const recheck = button("Check again", "excerpt-recheck", "button button-secondary");
  recheck.title = "Read the folder again and check every file, signature and proof";
  const headline = el("p", { className: "excerpt-headline", testid: "excerpt-headline" });
  const body = el("div", { className: "excerpt-body" });
  const root = el(
    "section",
    { className: "excerpt-view", testid: "excerpt-view" },
    el("div", { className: "excerpt-top" }, el("h2", { className: "excerpt-title", text: "Evidence excerpt" }), el("span", { className: "excerpt-spacer" }), recheck),
    el("p", { className: "muted excerpt-folder", testid: "excerpt-folder", text: options.path }),
    el("p", {
      className: "muted excerpt-intro",
      text: "A few events taken out of an audit export, with what proves each of them, and a statement signed by whoever chose them. Trailscope checks it here on its own, without the export or the case it came from; nothing is imported.",
    }),
    headline,
    body,
  );

  function render(): void {
    if (check === null) {
      headline.textContent = "Checking the excerpt…";
      headline.className = "excerpt-headline muted";
      delete headline.dataset.holds;
      body.replaceChildren();
      return;
    }
    headline.textContent = check.headline;
    headline.className = `excerpt-headline ${check.holds ? "verdict-verified" : "verdict-broken"}`;
    headline.dataset.holds = String(check.holds);
    root.dataset.holds = String(check.holds);
    body.replaceChildren(statementBox(check, options.utc()), ...check.parts.map(partBox));
  }

  function load(): void {
    check = null;
    render();
    recheck.disabled = true;
    checkExcerpt(options.path)
      .then((answer) => {
        check = answer;
        render();
      })
      .catch((error: unknown) => {
        headline.textContent = "The folder could not be checked as an excerpt.";
        headline.className = "excerpt-headline verdict-broken";
        options.showError(error);
      })
      .finally(() => {
        recheck.disabled = false;
      });
  }

  recheck.addEventListener("click", load);
  load();
  return { root, refresh: render };
}
