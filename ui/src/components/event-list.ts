// A short list of events as sentences (the shell's plain-language sentence, its time
// and a word for an outcome other than success), each a button that opens the event.
// For profiles and answers, not for the events table. Text goes in with textContent.
import "./rows.css";
import "./event-list.css";
import type { EventRowDto } from "../bindings/EventRowDto";
import { formatTime } from "../format/time";
import { el } from "./dom";

export interface EventListOptions {
  utc: boolean;
  /** The test ids of the list and of each row. */
  testid: string;
  rowTestid: string;
  onOpen: (eventIdx: number) => void;
}

export function eventList(rows: EventRowDto[], options: EventListOptions): HTMLElement {
  if (rows.length === 0) return el("p", { className: "muted event-list-empty", testid: options.testid, text: "No events." });
  const items = rows.map((row) => {
    const outcome = row.outcome === null || row.outcome === "success" ? "" : row.outcome;
    const button = el(
      "button",
      { className: "event-list-row row-button", testid: options.rowTestid, title: row.sentence },
      el("span", { className: "event-list-time", text: formatTime(row.time, options.utc) }),
      el("span", { className: "event-list-sentence clamped", text: row.sentence }),
      el("span", { className: `event-list-outcome outcome-${row.outcome ?? "none"}`, text: outcome }),
    );
    button.type = "button";
    button.dataset.eventIdx = String(row.event_idx);
    button.dataset.actorId = row.actor_id ?? "";
    button.addEventListener("click", () => options.onOpen(row.event_idx));
    return el("li", {}, button);
  });
  return el("ol", { className: "event-list", testid: options.testid }, ...items);
}
