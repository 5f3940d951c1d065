// The detail panel of one event: its sentence, verification, field changes, source
// and the original line as it arrived. Text goes in with textContent only; it shows
// the shell's answers and never decides whether the event is verified.
import type { EventDetailDto } from "../../bindings/EventDetailDto";
import { el } from "../../components/dom";
import { formatTime } from "../../format/time";
import { verifiedMark } from "./view";

function jsonText(value: unknown): string {
  return value === undefined ? "" : JSON.stringify(value);
}

/** The detail panel: sentence, changes, source and the original line. */
export function renderDetail(detail: EventDetailDto, utc: boolean, onClose: () => void): HTMLElement {
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
      text: `${mark.text} ${mark.title} · ${formatTime(row.time, utc)} · ${row.action ?? "no action"} · ${row.outcome ?? "no outcome"}`,
    }),
  );
  root.dataset.eventIdx = String(row.event_idx);
  if (row.malformed !== null) {
    root.append(el("p", { className: "detail-malformed", text: `Malformed: ${row.malformed}` }));
  }
  root.append(el("h3", { className: "detail-title", text: "Changes" }));
  if (detail.changes.length === 0) {
    root.append(el("p", { className: "muted", testid: "detail-no-changes", text: "No field changes." }));
  } else {
    const list = el("ul", { className: "changes", testid: "detail-changes" });
    for (const change of detail.changes) {
      const item = el("li", { className: `change change-${change.kind}`, testid: "change" });
      item.dataset.kind = change.kind;
      item.append(el("span", { className: "change-kind", text: change.kind }), el("code", { className: "change-path", text: change.path || "(whole value)" }));
      if (change.kind === "added") {
        item.append(el("code", { className: "change-after", text: jsonText(change.after) }));
      } else if (change.kind === "removed") {
        item.append(el("code", { className: "change-before", text: jsonText(change.before) }));
      } else {
        item.append(
          el("code", { className: "change-before", text: jsonText(change.before) }),
          el("span", { className: "change-arrow", text: "→" }),
          el("code", { className: "change-after", text: jsonText(change.after) }),
        );
      }
      list.append(item);
    }
    root.append(list);
  }
  const source = detail.source;
  const where = [
    `${source.file} line ${source.line}`,
    source.chain !== null ? `chain ${source.chain}` : null,
    source.seq !== null ? `seq ${source.seq}` : null,
    source.event_id !== null ? `id ${source.event_id}` : null,
    `bundle ${source.bundle_idx} (${source.bundle_verdict})`,
  ].filter((part): part is string => part !== null);
  root.append(
    el("h3", { className: "detail-title", text: "Source" }),
    el("p", { className: "detail-source", testid: "detail-source", text: where.join(" · ") }),
    el("h3", { className: "detail-title", text: "Original line" }),
    el("pre", { className: "detail-line", testid: "detail-line", text: detail.line_text }),
  );
  return root;
}
