// The verification view: the engine's verdict headline per bundle, each chain's (or
// mapped file's, or CloudTrail digest chain's) five dimensions with status and detail,
// and the findings list: each finding names its file (the full path on hover) and opens
// its event, or, when it is about a whole file (a CloudTrail log file whose hash
// differs), that file's records. It shows the engine's words as they are: it must
// never decide, recompute or soften a verdict.
import type { CaseSummaryDto } from "../../bindings/CaseSummaryDto";
import type { FindingDto } from "../../bindings/FindingDto";
import type { FindingGroupDto } from "../../bindings/FindingGroupDto";
import { el } from "../../components/dom";
import { whenVisible } from "../../components/when-visible";
import { formatCount } from "../../format/count";
import { formatTime } from "../../format/time";
import { isInstant, timeRuns } from "../../format/unbroken";
import { chainTitle } from "./chain-title";
import { findingLocation } from "./location";

/**
 * The engine's words, each time in them kept on one line; a time that names an
 * instant reads in local time (or UTC, as the reviewer chose), the engine's UTC on
 * hover; `utc` null keeps the engine's own (findings, which are not redrawn when the
 * reviewer switches). Nothing else in the words changes.
 */
export function wordsWithTimes(text: string, utc: boolean | null): (Node | string)[] {
  return timeRuns(text).map((run) => {
    if (!run.time) return run.text;
    if (utc === null || !isInstant(run.text)) return el("span", { className: "nowrap", text: run.text });
    return el("time", { className: "nowrap", text: formatTime(run.text, utc), title: run.text });
  });
}

/** The verdict, headlines, counts and chains of a case. */
export function renderSummary(summary: CaseSummaryDto, utc: boolean): HTMLElement {
  const root = el("section", { className: "summary", testid: "verification-summary" });
  root.dataset.verdict = summary.verdict;
  for (const bundle of summary.bundles) {
    const headline = el(
      "p",
      { className: `verdict-headline verdict-${bundle.verdict}`, testid: "verdict-headline", title: bundle.headline },
      ...wordsWithTimes(bundle.headline, utc),
    );
    headline.dataset.verdict = bundle.verdict;
    root.append(headline);
  }
  if (summary.bundles.length === 0) {
    root.append(el("p", { className: "verdict-headline", testid: "verdict-headline", text: "This case holds no bundle yet." }));
  } else if (summary.bundles.length > 1) {
    root.append(el("p", { className: "case-verdict", testid: "case-verdict", text: `Case verdict over ${summary.bundles.length} bundles: ${summary.verdict}` }));
  }
  const span =
    summary.first_time === null
      ? "no event times"
      : `${formatTime(summary.first_time, utc)} to ${formatTime(summary.last_time, utc)}`;
  const counts = [`${formatCount(summary.n_events)} events`];
  if (summary.n_omitted > 0) counts.push(`${formatCount(summary.n_omitted)} omitted`);
  if (summary.n_malformed > 0) counts.push(`${formatCount(summary.n_malformed)} malformed`);
  counts.push(`${formatCount(summary.n_findings)} findings`);
  root.append(
    el("p", { className: "summary-counts", testid: "summary-counts", text: `${counts.join(" · ")}, ${span}` }),
  );
  for (const bundle of summary.bundles) {
    for (const chain of bundle.chains) {
      const list = el("dl", { className: "dimensions" });
      for (const dimension of chain.dimensions) {
        const status = el("span", { className: `status status-${dimension.status}`, text: dimension.status });
        const term = el("dt", { testid: "dimension" }, `${dimension.name}: `, status);
        term.dataset.dimension = dimension.name;
        term.dataset.status = dimension.status;
        list.append(term, el("dd", {}, ...wordsWithTimes(dimension.detail, utc)));
      }
      const section = el(
        "section",
        { className: "chain", testid: "chain" },
        el("h3", { className: "chain-title", testid: "chain-title", text: chainTitle(bundle.source, chain) }),
        list,
      );
      section.dataset.chain = chain.chain;
      section.dataset.source = bundle.source;
      root.append(section);
    }
  }
  return root;
}

/** Where a finding leads. */
export interface FindingActions {
  /** Opens the stored event a finding is about. */
  openEvent(eventIdx: number): void;
  /** Shows the records read from the file a finding names (its path in the source). */
  showFile?(file: string): void;
  /**
   * Whether the case holds records read from that file (the shell's answer): a log
   * file's finding offers them, a digest file's (which holds no records) does not.
   */
  fileHasRecords?(file: string): Promise<boolean>;
}

/**
 * The findings, grouped by cause as the engine grouped them (a fork of two bundles is
 * one entry with its range); clicking one with an event opens it, one about a file
 * without an event offers that file's records, and a group unfolds to its single
 * findings, each one click away.
 */
export function renderFindings(groups: FindingGroupDto[], actions: FindingActions): HTMLElement {
  const root = el("section", { className: "findings", testid: "findings" });
  const total = groups.reduce((n, group) => n + group.members.length + group.explained.length, 0);
  const title = total === groups.length
    ? `Findings (${formatCount(total)})`
    : `Findings (${formatCount(total)}, in ${formatCount(groups.length)} groups by cause)`;
  root.append(el("h2", { className: "section-title", text: title }));
  if (groups.length === 0) {
    root.append(el("p", { className: "muted", testid: "no-findings", text: "No findings: nothing is missing, changed or out of place." }));
    return root;
  }
  const list = el("ul", { className: "finding-list" });
  for (const group of groups) list.append(groupItem(group, actions));
  root.append(list);
  return root;
}

/** One group: its first finding's button in the group's words, and its members folded. */
function groupItem(group: FindingGroupDto, actions: FindingActions): HTMLElement {
  const first = group.members[0];
  if (first === undefined) return el("li", {});
  const item = findingItem({ ...first, message: group.message }, actions, "finding");
  if (group.members.length === 1 && group.explained.length === 0) return item;
  const folded = el("details", { className: "finding-group", testid: "finding-group-members" });
  const parts = [`${formatCount(group.members.length)} findings`];
  if (group.explained.length > 0) parts.push(`${formatCount(group.explained.length)} warnings it explains`);
  folded.append(el("summary", { className: "muted", text: `Show each: ${parts.join(" and ")}` }));
  // Filled when unfolded: a fork can hold thousands.
  folded.addEventListener(
    "toggle",
    () => {
      if (!folded.open || folded.childElementCount > 1) return;
      folded.append(renderFindingList(group.members, actions, "finding-member"));
      if (group.explained.length > 0) {
        folded.append(el("p", { className: "muted", text: "Explained by it:" }));
        folded.append(renderFindingList(group.explained, actions, "finding-explained"));
      }
    },
  );
  item.append(folded);
  return item;
}

/** The findings as buttons; one about a stored event opens it. */
export function renderFindingList(findings: FindingDto[], actions: FindingActions, testid: string): HTMLElement {
  const list = el("ul", { className: "finding-list" });
  // A badly broken bundle can have tens of thousands: show them a page at a time.
  let shown = 0;
  const more = el("button", { className: "link-button", testid: `${testid}-more` });
  more.type = "button";
  const showMore = (): void => {
    const page = findings.slice(shown, shown + FINDINGS_PAGE);
    shown += page.length;
    more.parentElement?.remove();
    for (const finding of page) list.append(findingItem(finding, actions, testid));
    if (shown < findings.length) {
      more.textContent = `Show ${formatCount(Math.min(FINDINGS_PAGE, findings.length - shown))} more of ${formatCount(findings.length - shown)}`;
      list.append(el("li", {}, more));
    }
  };
  more.addEventListener("click", showMore);
  showMore();
  return list;
}

/** Findings listed at a time. */
const FINDINGS_PAGE = 200;

function findingItem(finding: FindingDto, actions: FindingActions, testid: string): HTMLElement {
  const location = el("span", { className: "finding-location", text: findingLocation(finding) });
  const file = finding.file === null || finding.file === "" ? null : finding.file;
  if (file !== null) location.title = file;
  const button = el(
    "button",
    { className: `finding list-button severity-${finding.severity}`, testid },
    el("span", { className: "finding-severity", text: finding.severity }),
    el("span", { className: "finding-message" }, ...wordsWithTimes(finding.message, null)),
    location,
  );
  button.type = "button";
  button.dataset.kind = finding.kind;
  if (file !== null) button.dataset.file = file;
  const item = el("li", {}, button);
  const eventIdx = finding.event_idx;
  if (eventIdx === null) {
    button.disabled = true;
    const { showFile, fileHasRecords } = actions;
    if (file !== null && showFile !== undefined && fileHasRecords !== undefined) {
      // A finding about a whole file (a log file whose hash differs): its records,
      // offered once the shell says the case holds some (asked when it comes into view).
      const show = el("button", { className: "link-button finding-show-file", testid: `${testid}-show-file`, text: "Show this file's records" });
      show.type = "button";
      show.title = `The records read from ${file}`;
      show.dataset.file = file;
      show.hidden = true;
      show.addEventListener("click", () => showFile(file));
      item.append(show);
      whenVisible(button, () => {
        void fileHasRecords(file).then((has) => {
          show.hidden = !has;
          show.dataset.records = has ? "some" : "none";
        });
      });
    }
  } else {
    button.dataset.eventIdx = String(eventIdx);
    button.addEventListener("click", () => actions.openEvent(eventIdx));
  }
  return item;
}
