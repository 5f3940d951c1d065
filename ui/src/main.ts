// Front-end entry and frame: opens what the app was started with (or a path typed in),
// shows import progress, then the case: verification summary and findings beside the
// tabs (events, actors, questions, record history, keys), each a view under features/. DOM is built with createElement and textContent only, never
// innerHTML: nothing from a bundle can become markup. It never decides a verdict.
import type { CaseSummaryDto } from "./bindings/CaseSummaryDto";
import type { AppContext, ViewHandle } from "./app/context";
import { el } from "./components/dom";
import { progressWidget } from "./components/progress";
import { actorsView } from "./features/actors/panel";
import { eventsView } from "./features/events/panel";
import { questionsView } from "./features/questions/view";
import { recordView } from "./features/timeline/view";
import { trustView } from "./features/trust/view";
import { renderFindings, renderSummary } from "./features/verification/view";
import {
  CommandError,
  cancelImport,
  caseSummary,
  engineVersion,
  insideDesktopShell,
  launchPath,
  listActors,
  listFindings,
  openPath,
} from "./ipc";

interface View {
  utc: boolean;
  summary: CaseSummaryDto | null;
  /** Re-renders the open case after the UTC toggle. */
  refresh: () => void;
}

const view: View = { utc: false, summary: null, refresh: () => {} };

const root = document.getElementById("app");
if (root === null) {
  throw new Error("index.html has no #app element");
}

const casePathText = el("span", { className: "app-case", testid: "case-path" });
const utcToggle = el("input", { testid: "utc-toggle" });
utcToggle.type = "checkbox";
const header = el(
  "header",
  { className: "app-header" },
  el("h1", { className: "app-title", text: "Trailscope" }),
  casePathText,
  el("label", { className: "utc-toggle" }, utcToggle, el("span", { text: "UTC" })),
);
const errorBox = el("p", { className: "app-error", testid: "error" });
errorBox.hidden = true;
const main = el("main", { className: "app-main" });
root.replaceChildren(header, errorBox, main);
utcToggle.addEventListener("change", () => {
  view.utc = utcToggle.checked;
  view.refresh();
});

function showError(error: unknown): void {
  const message = error instanceof CommandError ? `${error.message} (${error.code})` : String(error);
  errorBox.classList.remove("app-notice");
  errorBox.textContent = message;
  errorBox.hidden = false;
}

function clearError(): void {
  errorBox.hidden = true;
  errorBox.textContent = "";
  errorBox.classList.remove("app-notice");
}

/** A message that is not a failure (e.g. the user cancelled). */
function showNotice(message: string): void {
  errorBox.textContent = message;
  errorBox.classList.add("app-notice");
  errorBox.hidden = false;
}

function startScreen(): void {
  const input = el("input", { className: "path-input", testid: "open-path-input" });
  input.type = "text";
  input.placeholder = "/path/to/bundle.audit.zip or case.trailscope";
  const open = el("button", { className: "button", testid: "open-path", text: "Open" });
  open.type = "submit";
  const form = el("form", { className: "open-form" }, input, open);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const path = input.value.trim();
    if (path !== "") void openAndShow(path);
  });
  const version = el("p", { className: "app-version muted" });
  main.replaceChildren(
    el(
      "section",
      { className: "start", testid: "start-screen" },
      el("p", { className: "app-hint", text: "Open an audit bundle (ZIP, directory or JSON Lines) or a case to verify it." }),
      form,
      version,
    ),
  );
  if (insideDesktopShell()) {
    engineVersion()
      .then((value) => {
        version.textContent = `Version ${value}`;
      })
      .catch(showError);
  }
}

async function openAndShow(path: string): Promise<void> {
  clearError();
  const progress = progressWidget(`Opening ${path}`, () => {
    progress.say("Cancelling…");
    cancelImport().catch(showError);
  });
  main.replaceChildren(progress.root);
  try {
    const opened = await openPath(path, (update) => progress.update(update));
    casePathText.textContent = opened.case_path;
    casePathText.title = opened.case_path;
    await showCase();
  } catch (error: unknown) {
    if (error instanceof CommandError && error.code === "cancelled") {
      startScreen();
      showNotice("Import cancelled; nothing was changed.");
    } else {
      startScreen();
      showError(error);
    }
  }
}

/** The tabs of an open case, in order; each is a view under features/. */
type TabName = "events" | "actors" | "questions" | "record" | "trust";
const TAB_TITLES: Record<TabName, string> = {
  events: "Events",
  actors: "Actors",
  questions: "Questions",
  record: "Record history",
  trust: "Keys & checkpoints",
};

async function showCase(): Promise<void> {
  const [summary, findings, actors] = await Promise.all([caseSummary(), listFindings(), listActors()]);
  view.summary = summary;

  const summaryBox = el("div", { className: "summary-box" }, renderSummary(summary, view.utc));
  const tabBar = el("nav", { className: "tabs", testid: "tabs" });
  const content = el("div", { className: "tab-content" });
  const buttons = new Map<TabName, HTMLButtonElement>();
  let current: TabName = "events";

  const ctx: AppContext = {
    utc: () => view.utc,
    showError,
    showNotice,
    showEvents(filter) {
      events.setFilter(filter);
      showTab("events");
    },
    openEvent(eventIdx) {
      showTab("events");
      events.openEvent(eventIdx);
    },
    openRecord(targetType, targetId, at) {
      showTab("record");
      record.show(targetType, targetId, at ?? null);
    },
    openActor(actorId) {
      showTab("actors");
      actorsTab.choose(actorId);
    },
  };
  const events = eventsView(ctx, actors);
  const actorsTab = actorsView(ctx, actors);
  const record = recordView(ctx);
  const views: Record<TabName, ViewHandle> = {
    events,
    actors: actorsTab,
    questions: questionsView(ctx),
    record,
    trust: trustView(ctx),
  };

  function showTab(name: TabName): void {
    current = name;
    for (const [tab, button] of buttons) {
      const active = tab === name;
      button.classList.toggle("active", active);
      button.setAttribute("aria-selected", String(active));
      views[tab].root.hidden = !active;
    }
    views[name].shown?.();
  }
  for (const name of Object.keys(TAB_TITLES) as TabName[]) {
    const button = el("button", { className: "tab", testid: `tab-${name}`, text: TAB_TITLES[name] });
    button.type = "button";
    button.setAttribute("role", "tab");
    button.addEventListener("click", () => showTab(name));
    buttons.set(name, button);
    tabBar.append(button);
    content.append(views[name].root);
  }
  view.refresh = () => {
    if (view.summary !== null) summaryBox.replaceChildren(renderSummary(view.summary, view.utc));
    for (const handle of Object.values(views)) handle.refresh();
  };

  main.replaceChildren(
    el(
      "div",
      { className: "workspace" },
      el("aside", { className: "sidebar" }, summaryBox, renderFindings(findings, ctx.openEvent)),
      el("div", { className: "case-pane" }, tabBar, content),
    ),
  );
  showTab(current);
}

async function start(): Promise<void> {
  startScreen();
  if (!insideDesktopShell()) return;
  const path = await launchPath();
  if (path !== null) await openAndShow(path);
}

start().catch(showError);
