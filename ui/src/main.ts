// Front-end entry and frame: opens what the app was started with (or a path typed in),
// offers the mapping form for a CSV or JSON file of no known format, shows the check of
// an evidence excerpt's folder (which is checked on its own, never imported), shows import
// progress, then the case: verification summary and findings beside the tabs (events,
// actors, questions, record history, the reviewer's journal, keys), each a view under features/. DOM is built
// with createElement and textContent only, never innerHTML: nothing from a bundle can
// become markup. It never decides a verdict.
import type { CaseSummaryDto } from "./bindings/CaseSummaryDto";
import type { FilePreviewDto } from "./bindings/FilePreviewDto";
import type { ImportProgressDto } from "./bindings/ImportProgressDto";
import type { OpenedDto } from "./bindings/OpenedDto";
import type { AppContext, ViewHandle } from "./app/context";
import { emptyFilter } from "./app/event-filter";
import { el } from "./components/dom";
import { progressWidget } from "./components/progress";
import { actorsView } from "./features/actors/panel";
import { eventsView } from "./features/events/panel";
import { excerptView } from "./features/excerpt/view";
import { journalView } from "./features/journal/view";
import { mappingForm } from "./features/mapping/view";
import { questionsView } from "./features/questions/view";
import { recordView } from "./features/timeline/view";
import { trustView } from "./features/trust/view";
import { renderFindings, renderSummary } from "./features/verification/view";
import {
  CommandError,
  addToCase,
  cancelImport,
  caseSummary,
  choosePath,
  importMapped,
  insideDesktopShell,
  launchPath,
  listActors,
  listEvents,
  listFindings,
  listPeople,
  listReceipts,
  onPathsDropped,
  openPath,
  previewFile,
  reverifyCase,
} from "./ipc";
import { renderReverification } from "./features/verification/reverify";
import { renderReceipts } from "./features/verification/receipts";
import { reportButton } from "./features/verification/report-button";
import type { ReceiptDto } from "./bindings/ReceiptDto";
import { startScreen } from "./features/start/view";

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
const homeButton = el("button", { className: "header-button", testid: "open-another", text: "Open another…" });
homeButton.type = "button";
homeButton.hidden = true;
homeButton.addEventListener("click", () => showStart());
const header = el(
  "header",
  { className: "app-header" },
  el("h1", { className: "app-title", text: "Trailscope" }),
  casePathText,
  homeButton,
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

function showStart(): void {
  casePathText.textContent = "";
  casePathText.title = "";
  homeButton.hidden = true;
  view.refresh = () => {};
  main.replaceChildren(startScreen({ open: (path, choose) => void openAndShow(path, choose), showError, utc: () => view.utc }));
}

/**
 * Runs an import (or the opening of a case) behind the progress bar with its Cancel
 * button, then shows the case; on failure calls `failed` with the shell's error.
 */
async function runImport(
  title: string,
  start: (onProgress: (update: ImportProgressDto) => void) => Promise<OpenedDto>,
  failed: (error: unknown) => Promise<void> | void,
): Promise<void> {
  clearError();
  const progress = progressWidget(title, () => {
    progress.say("Cancelling…");
    cancelImport().catch(showError);
  });
  main.replaceChildren(progress.root);
  try {
    const opened = await start((update) => progress.update(update));
    casePathText.textContent = opened.case_path;
    casePathText.title = opened.case_path;
    homeButton.hidden = false;
    await showCase();
  } catch (error: unknown) {
    await failed(error);
  }
}

/** Says why an import did not happen: a cancel is a notice, anything else an error. */
function reportFailure(error: unknown): void {
  if (error instanceof CommandError && error.code === "cancelled") {
    showNotice("Import cancelled; nothing was changed.");
  } else {
    showError(error);
  }
}

async function openAndShow(path: string, chooseCaseLocation = false): Promise<void> {
  await runImport(
    `Opening ${path}`,
    (onProgress) => openPath(path, onProgress, chooseCaseLocation),
    async (error) => {
      // An evidence excerpt: its check, instead of an import.
      if (error instanceof CommandError && error.code === "excerpt") {
        showExcerpt(path);
        return;
      }
      // A CSV or JSON file of another system: offer a mapping instead of only an error.
      if (error instanceof CommandError && error.code === "unknown_format") {
        const preview = await previewFile(path).catch(() => null);
        if (preview !== null) {
          showMapping(path, preview, chooseCaseLocation);
          return;
        }
      }
      showStart();
      reportFailure(error);
    },
  );
}

/** Imports another export into the open case, then shows the case with it. */
async function addAndShow(path: string): Promise<void> {
  const casePath = casePathText.textContent ?? "";
  await runImport(
    `Adding ${path} to this case`,
    (onProgress) => addToCase(path, onProgress),
    async (error) => {
      // The case is as it was: show it again, with the reason.
      casePathText.textContent = casePath;
      await showCase().catch(showError);
      reportFailure(error);
    },
  );
}

/** The check of the evidence excerpt in the folder `path` (no case is open). */
function showExcerpt(path: string): void {
  clearError();
  casePathText.textContent = "";
  casePathText.title = "";
  homeButton.hidden = false;
  const excerpt = excerptView({ path, utc: () => view.utc, showError });
  view.refresh = excerpt.refresh;
  main.replaceChildren(excerpt.root);
}

/** The mapping form for a file of no known format; its Import runs like a bundle's. */
function showMapping(path: string, preview: FilePreviewDto, chooseCaseLocation: boolean): void {
  casePathText.textContent = "";
  casePathText.title = "";
  homeButton.hidden = false;
  const form = mappingForm({
    path,
    preview,
    utc: () => view.utc,
    showError,
    showNotice,
    import: (draft) =>
      void runImport(
        `Importing ${path}`,
        (onProgress) => importMapped(path, draft, onProgress, chooseCaseLocation),
        (error) => {
          // Back to the form as it was, with the reason on top.
          casePathText.textContent = "";
          homeButton.hidden = false;
          view.refresh = form.refresh;
          main.replaceChildren(form.root);
          reportFailure(error);
        },
      ),
    back: () => {
      clearError();
      showStart();
    },
  });
  view.refresh = form.refresh;
  main.replaceChildren(form.root);
}

/** The tabs of an open case, in order; each is a view under features/. */
type TabName = "events" | "actors" | "questions" | "record" | "journal" | "trust";
const TAB_TITLES: Record<TabName, string> = {
  events: "Events",
  actors: "Actors",
  questions: "Questions",
  record: "Record history",
  journal: "Journal",
  trust: "Keys & checkpoints",
};

async function showCase(): Promise<void> {
  const [summary, findings, actors, people] = await Promise.all([caseSummary(), listFindings(), listActors(), listPeople()]);
  view.summary = summary;

  const summaryBox = el("div", { className: "summary-box" }, renderSummary(summary, view.utc));
  /** The custody receipts, under the summary (fetched after it, and again on re-verify). */
  let receipts: ReceiptDto[] = [];
  const receiptsBox = el("div", { className: "receipts-box" });
  const showReceipts = (): void => {
    if (view.summary !== null) receiptsBox.replaceChildren(renderReceipts(receipts, view.summary.bundles, view.utc));
  };
  const loadReceipts = (): Promise<void> =>
    listReceipts().then((answer) => {
      receipts = answer;
      showReceipts();
    });
  loadReceipts().catch(showError);
  /** Whether the case holds records of a file, asked once per file and kept. */
  const fileRecords = new Map<string, Promise<boolean>>();
  const findingActions = {
    openEvent: (idx: number) => ctx.openEvent(idx),
    showFile: (file: string) => ctx.showEvents({ ...emptyFilter(), file }),
    fileHasRecords(file: string): Promise<boolean> {
      let known = fileRecords.get(file);
      if (known === undefined) {
        known = listEvents({ ...emptyFilter(), file }, null, 1)
          .then((page) => page.rows.length > 0)
          .catch((error: unknown) => {
            showError(error);
            return false;
          });
        fileRecords.set(file, known);
      }
      return known;
    },
  };
  const findingsBox = el("div", { className: "findings-box" }, renderFindings(findings, findingActions));
  const reverifyBox = el("div", { className: "reverify-box" });
  const reverifyButton = el("button", { className: "button", testid: "reverify-sidebar", text: "Re-verify this case" });
  reverifyButton.type = "button";
  reverifyButton.title = "Check every stored event against its hash again, and each bundle under your current keys and checkpoints";
  reverifyButton.addEventListener("click", () => void ctx.reverify().catch(showError));
  const addButton = el("button", { className: "button", testid: "add-to-case", text: "Add another export…" });
  addButton.type = "button";
  addButton.title = "Read another export (of this system or another) into this case, so one person's actions in every system show together";
  addButton.addEventListener("click", () => {
    choosePath(false)
      .then((path) => {
        if (path !== null) void addAndShow(path);
      })
      .catch(showError);
  });
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
    async reverify() {
      reverifyButton.disabled = true;
      reverifyButton.textContent = "Re-verifying…";
      try {
        const answer = await reverifyCase();
        reverifyBox.replaceChildren(renderReverification(answer, () => reverifyBox.replaceChildren()));
        const [newSummary, newFindings] = await Promise.all([caseSummary(), listFindings()]);
        view.summary = newSummary;
        summaryBox.replaceChildren(renderSummary(newSummary, view.utc));
        await loadReceipts();
        findingsBox.replaceChildren(renderFindings(newFindings, findingActions));
      } finally {
        reverifyButton.disabled = false;
        reverifyButton.textContent = "Re-verify this case";
      }
    },
  };
  const events = eventsView(ctx, actors, new Set(summary.bundles.map((bundle) => bundle.source)).size > 1);
  const actorsTab = actorsView(ctx, people);
  const record = recordView(ctx);
  const views: Record<TabName, ViewHandle> = {
    events,
    actors: actorsTab,
    questions: questionsView(ctx),
    record,
    journal: journalView(ctx),
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
    showReceipts();
    for (const handle of Object.values(views)) handle.refresh();
  };

  main.replaceChildren(
    el(
      "div",
      { className: "workspace" },
      el("aside", { className: "sidebar" }, reverifyBox, summaryBox, receiptsBox, el("div", { className: "sidebar-actions" }, reverifyButton, addButton, reportButton(ctx)), findingsBox),
      el("div", { className: "case-pane" }, tabBar, content),
    ),
  );
  showTab(current);
}

async function start(): Promise<void> {
  showStart();
  // A bundle or case dropped anywhere on the window opens (one at a time).
  const dropHint = el("div", { className: "drop-hint", testid: "drop-hint", text: "Drop to open" });
  dropHint.hidden = true;
  root?.append(dropHint);
  await onPathsDropped(
    (paths) => {
      const first = paths[0];
      if (first !== undefined) void openAndShow(first);
    },
    (hovering) => {
      dropHint.hidden = !hovering;
    },
  );
  if (!insideDesktopShell()) return;
  const path = await launchPath();
  if (path !== null) await openAndShow(path);
}

start().catch(showError);
