// Front-end entry: opens what the app was started with (or a path typed in), shows
// import progress, then the verification summary, findings, actor filter, events
// table and detail panel. DOM is built with createElement and textContent only, never
// innerHTML: nothing from a bundle can become markup. It never decides a verdict.
import type { CaseSummaryDto } from "./bindings/CaseSummaryDto";
import type { EventDetailDto } from "./bindings/EventDetailDto";
import { el } from "./components/dom";
import { progressWidget } from "./components/progress";
import { actorFilter } from "./features/actors/view";
import { EventPager, emptyFilter } from "./features/events/state";
import { eventsTable, renderDetail, type EventsTable } from "./features/events/view";
import { renderFindings, renderSummary } from "./features/verification/view";
import {
  CommandError,
  cancelImport,
  caseSummary,
  engineVersion,
  eventDetail,
  insideDesktopShell,
  launchPath,
  listActors,
  listEvents,
  listFindings,
  openPath,
} from "./ipc";

interface View {
  utc: boolean;
  summary: CaseSummaryDto | null;
  detail: EventDetailDto | null;
  table: EventsTable | null;
}

const view: View = { utc: false, summary: null, detail: null, table: null };

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

async function showCase(): Promise<void> {
  const [summary, findings, actors] = await Promise.all([caseSummary(), listFindings(), listActors()]);
  view.summary = summary;
  view.detail = null;

  const summaryBox = el("div", { className: "summary-box" }, renderSummary(summary, view.utc));
  const pager = new EventPager(listEvents, emptyFilter());
  const detailBox = el("div", { className: "detail-box" });
  detailBox.hidden = true;

  const closeDetail = (): void => {
    view.detail = null;
    detailBox.hidden = true;
    detailBox.replaceChildren();
    table.select(null);
  };
  const renderDetailBox = (): void => {
    if (view.detail === null) return;
    detailBox.replaceChildren(renderDetail(view.detail, view.utc, closeDetail));
    detailBox.hidden = false;
  };
  const select = (eventIdx: number): void => {
    table.select(eventIdx);
    eventDetail(eventIdx)
      .then((detail) => {
        view.detail = detail;
        renderDetailBox();
      })
      .catch(showError);
  };

  const table = eventsTable(pager, { utc: () => view.utc, onSelect: select, onError: showError });
  view.table = table;
  const filter = actorFilter(actors, (actorId) => {
    pager.reset({ ...emptyFilter(), actors: actorId === null ? [] : [actorId] });
    table.scrollToTop();
  });

  utcToggle.onchange = () => {
    view.utc = utcToggle.checked;
    if (view.summary !== null) summaryBox.replaceChildren(renderSummary(view.summary, view.utc));
    table.refresh();
    renderDetailBox();
  };

  main.replaceChildren(
    el(
      "div",
      { className: "workspace" },
      el("aside", { className: "sidebar" }, summaryBox, renderFindings(findings, select)),
      el(
        "div",
        { className: "events-pane" },
        el("div", { className: "toolbar" }, filter),
        table.root,
        detailBox,
      ),
    ),
  );
  table.refresh();
}

async function start(): Promise<void> {
  startScreen();
  if (!insideDesktopShell()) return;
  const path = await launchPath();
  if (path !== null) await openAndShow(path);
}

start().catch(showError);
