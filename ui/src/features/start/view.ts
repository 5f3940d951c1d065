// The start screen: open a bundle or a case with the native dialog (a file, or a
// folder: a folder bundle or an AWS CloudTrail evidence folder), by typing its path, by dropping it on the window, or from the list
// of recent cases. It only collects a path and hands it to `open`; opening is the
// frame's job.
import type { RecentCaseDto } from "../../bindings/RecentCaseDto";
import { button, el } from "../../components/dom";
import { baseName } from "../../format/path";
import { formatTime } from "../../format/time";
import { choosePath, engineVersion, forgetRecentCase, insideDesktopShell, recentCases } from "../../ipc";
import "./start.css";

export interface StartOptions {
  /** Opens a case or bundle; `chooseCaseLocation`: ask where to keep a new case. */
  open(path: string, chooseCaseLocation: boolean): void;
  showError(error: unknown): void;
  utc(): boolean;
}

function recentList(entries: RecentCaseDto[], options: StartOptions, onForget: (path: string) => void): HTMLElement {
  if (entries.length === 0) {
    return el("p", { className: "muted", testid: "recent-empty", text: "Cases you open appear here." });
  }
  const list = el("ul", { className: "recent-list", testid: "recent-cases" });
  for (const entry of entries) {
    const open = button(baseName(entry.opened_from), "recent-case", "recent-open");
    open.title = entry.path;
    open.disabled = !entry.exists;
    open.dataset.path = entry.path;
    open.addEventListener("click", () => options.open(entry.path, false));
    const when = el("span", {
      className: "recent-when muted",
      text: entry.exists ? `opened ${formatTime(entry.opened_at, options.utc())}` : "the case file is gone",
    });
    const forget = button("Remove from list", "recent-forget", "link-button");
    forget.addEventListener("click", () => onForget(entry.path));
    list.append(el("li", { className: "recent-item" }, open, when, forget));
  }
  return list;
}

export function startScreen(options: StartOptions): HTMLElement {
  const where = el("input", { testid: "choose-case-location" });
  where.type = "checkbox";
  const whereLabel = el(
    "label",
    { className: "start-where muted" },
    where,
    el("span", { text: " Ask where to keep the case (by default it goes to this app's data folder)" }),
  );
  const chooseFile = button("Open a file…", "open-file");
  const chooseFolder = button("Open a folder…", "open-folder", "button button-secondary");
  chooseFolder.title = "A folder bundle, an AWS CloudTrail folder (the one holding AWSLogs), or an evidence excerpt to check";
  const pick = (directory: boolean): void => {
    choosePath(directory)
      .then((path) => {
        if (path !== null) options.open(path, where.checked);
      })
      .catch(options.showError);
  };
  chooseFile.addEventListener("click", () => pick(false));
  chooseFolder.addEventListener("click", () => pick(true));

  const input = el("input", { className: "path-input", testid: "open-path-input" });
  input.type = "text";
  input.placeholder = "or type a path: /evidence/march.audit.zip";
  input.setAttribute("aria-label", "Path of a bundle, a case or an export");
  const open = el("button", { className: "button button-secondary", testid: "open-path", text: "Open" });
  open.type = "submit";
  const form = el("form", { className: "open-form" }, input, open);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const path = input.value.trim();
    if (path !== "") options.open(path, where.checked);
  });

  const recentBox = el("div", { className: "recent-box" });
  const showRecent = (entries: RecentCaseDto[]): void => {
    recentBox.replaceChildren(
      recentList(entries, options, (path) => {
        forgetRecentCase(path).then(showRecent).catch(options.showError);
      }),
    );
  };
  const version = el("p", { className: "app-version muted" });
  if (insideDesktopShell()) {
    recentCases().then(showRecent).catch(options.showError);
    engineVersion()
      .then((value) => {
        version.textContent = `Trailscope ${value}. Bundles are opened read-only; nothing is sent anywhere.`;
      })
      .catch(options.showError);
  } else {
    showRecent([]);
  }

  return el(
    "section",
    { className: "start", testid: "start-screen" },
    el("h2", { className: "start-title", text: "Open an audit trail" }),
    el("p", {
      className: "app-hint",
      text: "Choose an audit bundle (a ZIP, a folder or a JSON Lines file), an AWS CloudTrail folder (the one holding AWSLogs), or an export of Microsoft 365, Entra ID, Okta, Kubernetes, GitHub, GitLab, Google Workspace or Salesforce (a file or a folder of them) to verify it and investigate it, or a case you opened before. A CSV or JSON export of any other system opens through a mapping you make here. You can also drop it on this window.",
    }),
    el("div", { className: "start-actions" }, chooseFile, chooseFolder),
    form,
    whereLabel,
    el("h3", { className: "section-title", text: "Recent cases" }),
    recentBox,
    version,
  );
}
