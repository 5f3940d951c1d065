// The detail panel of one event: its sentence, the field changes (before → after), where
// it came from (IP, device, channel, rule, batch…), its own re-verification (hash and
// link), the findings that point at it, and the original line as it arrived, with ways
// on to the record's history and to the actor; under the sentence, the reviewer's marks
// (star, tags, note) and "Around this event" (around.ts). Text goes in with textContent only; it
// shows the shell's answers and never decides whether the event is verified.
import type { EventCheckDto } from "../../bindings/EventCheckDto";
import type { EventDetailDto } from "../../bindings/EventDetailDto";
import type { FindingDto } from "../../bindings/FindingDto";
import type { MarksDto } from "../../bindings/MarksDto";
import type { SourceDto } from "../../bindings/SourceDto";
import type { AppContext } from "../../app/context";
import { renderChanges } from "../../components/diff";
import { formatValue } from "../../components/diff-format";
import { button, el } from "../../components/dom";
import { marksControl } from "../../components/marks";
import { formatTime } from "../../format/time";
import { aroundSection } from "./around";
import { verifiedMark } from "./mark";
import "./detail.css";

function linkButton(text: string, testid: string, onClick: () => void): HTMLButtonElement {
  const node = button(text, testid, "button detail-link");
  node.addEventListener("click", onClick);
  return node;
}

/**
 * What a request asked for or what came back (a source that records those, not the
 * record before and after), as "Key: value" lines.
 */
function exchangeBlock(title: string, value: unknown, testid: string): HTMLElement[] {
  return [
    el("h3", { className: "detail-title", text: title }),
    el("pre", { className: "detail-exchange", testid, text: formatValue(value) }),
  ];
}

/** The words and sign for a check's status (proven, failed, unknown). */
function checkMark(status: string): { sign: string; word: string } {
  switch (status) {
    case "proven":
      return { sign: "✓", word: "Proven" };
    case "failed":
      return { sign: "✗", word: "Failed" };
    default:
      return { sign: "?", word: "Not known" };
  }
}

function checkRow(title: string, check: EventCheckDto, testid: string): HTMLElement {
  const mark = checkMark(check.status);
  const row = el(
    "div",
    { className: `detail-check check-${check.status}`, testid },
    el("span", { className: "detail-check-status", text: `${mark.sign} ${mark.word}` }),
    el("span", { className: "detail-check-title", text: title }),
    el("span", { className: "detail-check-detail", text: check.detail }),
  );
  row.dataset.status = check.status;
  return row;
}

function findingsList(findings: FindingDto[]): HTMLElement {
  const box = el("div", { className: "detail-findings", testid: "detail-findings" });
  if (findings.length === 0) {
    box.append(el("p", { className: "muted", text: "No finding points at this event." }));
    return box;
  }
  const list = el("ul", { className: "detail-finding-list" });
  for (const finding of findings) {
    const item = el(
      "li",
      { className: `detail-finding severity-${finding.severity}`, testid: "detail-finding" },
      el("span", { className: "finding-severity", text: finding.severity }),
      el("span", { className: "detail-finding-message", text: finding.message }),
    );
    item.dataset.kind = finding.kind;
    list.append(item);
  }
  box.append(list);
  return box;
}

/**
 * Where the line sits and how it arrived, as label/value pairs (absent ones left out);
 * `sourceName` is the engine's name for what it came from ("Okta System Log").
 */
function sourcePairs(source: SourceDto, sourceName: string): [string, string][] {
  const where = [
    `${source.file}, line ${source.line}`,
    source.chain !== null ? `chain ${source.chain}` : null,
    source.seq !== null ? `seq ${source.seq}` : null,
    source.event_id !== null ? `id ${source.event_id}` : null,
  ].filter((part): part is string => part !== null);
  const pairs: [string, string | null][] = [
    ["From", `${sourceName} (source ${source.bundle_idx} of this case, ${source.bundle_verdict})`],
    ["Where", where.join(" · ")],
    ["Category", source.category],
    ["Channel", source.channel],
    ["IP address", source.ip],
    ["Device or program", source.user_agent],
    ["Request", source.request_id],
    ["API client", source.client_id],
    ["Import batch", source.batch_id],
    ["Automation rule", source.rule],
    ["On behalf of", source.on_behalf_of],
    ["Reason given", source.reason],
  ];
  return pairs.filter((pair): pair is [string, string] => pair[1] !== null && pair[1] !== "");
}

function sourceList(source: SourceDto, sourceName: string): HTMLElement {
  const list = el("dl", { className: "detail-source", testid: "detail-source" });
  for (const [label, value] of sourcePairs(source, sourceName)) {
    list.append(el("dt", { text: label }), el("dd", { text: value }));
  }
  return list;
}

/** The detail panel: sentence, changes, source, checks, findings and the original line. */
export function renderDetail(
  detail: EventDetailDto,
  ctx: AppContext,
  onClose: () => void,
  onMarks: (marks: MarksDto) => void = () => {},
): HTMLElement {
  const row = detail.row;
  const mark = verifiedMark(row);
  const close = el("button", { className: "button detail-close", testid: "detail-close", text: "Close" });
  close.type = "button";
  close.addEventListener("click", onClose);
  const root = el(
    "section",
    { className: "detail", testid: "detail-panel" },
    el(
      "div",
      { className: "detail-head" },
      el("p", { className: "detail-sentence", testid: "detail-sentence", text: row.sentence }),
      close,
    ),
    el("p", {
      className: `detail-meta ${mark.className}`,
      testid: "detail-verified",
      text: `${mark.text} ${mark.title} · ${formatTime(row.time, ctx.utc())} · ${row.action ?? "no action"} · ${row.outcome ?? "no outcome"}`,
    }),
  );
  root.dataset.eventIdx = String(row.event_idx);
  root.append(
    marksControl({ kind: "event", event_idx: row.event_idx }, { what: "this event", onError: ctx.showError, onChange: onMarks }),
  );
  if (row.malformed !== null) {
    root.append(el("p", { className: "detail-malformed", text: `Malformed: ${row.malformed}` }));
  }

  const links = el("div", { className: "detail-links" });
  const { target_type: targetType, target_id: targetId, actor_id: actorId } = row;
  if (targetType !== null && targetId !== null) {
    const name = row.target_name ?? `${targetType} ${targetId}`;
    links.append(
      linkButton(`History of ${name}`, "detail-open-record", () => ctx.openRecord(targetType, targetId, row.time)),
    );
  }
  if (actorId !== null) {
    const name = row.actor_name ?? actorId;
    links.append(linkButton(`Everything ${name} did`, "detail-open-actor", () => ctx.openActor(actorId)));
  }
  if (links.childElementCount > 0) root.append(links);

  const exchange = detail.requested !== null || detail.result !== null;
  // A source that records a request and its result says nothing of the record before
  // and after: no "Changes" for it unless it also carries them.
  if (detail.changes.length > 0 || !exchange) {
    root.append(el("h3", { className: "detail-title", text: "Changes" }));
    const changes = el("div", { className: "detail-changes", testid: "detail-changes" });
    if (detail.changes.length === 0) {
      changes.append(el("p", { className: "muted", testid: "detail-no-changes", text: "No field changes." }));
    } else {
      changes.append(renderChanges(detail.changes));
    }
    root.append(changes);
  }
  if (detail.requested !== null) root.append(...exchangeBlock("What was requested", detail.requested, "detail-requested"));
  if (detail.result !== null) root.append(...exchangeBlock("What came back", detail.result, "detail-result"));

  root.append(
    el("h3", { className: "detail-title", text: "Around this event" }),
    aroundSection(row.event_idx, ctx),
    el("h3", { className: "detail-title", text: "This event's own checks" }),
    el(
      "div",
      { className: "detail-checks" },
      checkRow("Its content matches its hash", detail.own_hash, "detail-check-hash"),
      checkRow("It links to the event before it", detail.link, "detail-check-link"),
    ),
    el("h3", { className: "detail-title", text: "Findings about this event" }),
    findingsList(detail.findings),
    el("h3", { className: "detail-title", text: "Source" }),
    sourceList(detail.source, detail.row.source_name),
    el("h3", { className: "detail-title", text: "Original line, as it arrived" }),
    el("pre", { className: "detail-line", testid: "detail-line", text: detail.line_text }),
  );
  return root;
}
