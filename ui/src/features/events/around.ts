// "Around this event" in the detail panel: for each way of being near the event that
// the engine answers (just before and after, the same person, record, IP address or
// request), a heading in words, the nearest events on each side (a click opens one)
// and "Show all", which shows the events table with the engine's filter for it.
// It fetches once per event; it never chooses the neighbours itself.
import type { EventRowDto } from "../../bindings/EventRowDto";
import type { NeighboursDto } from "../../bindings/NeighboursDto";
import type { AppContext } from "../../app/context";
import { button, el } from "../../components/dom";
import { formatTime } from "../../format/time";
import { eventsAround } from "../../ipc";
import { neighbourHeading, showAllLabel } from "./around-words";

/** Events on each side of the event, per neighbourhood. */
const EACH_SIDE = 3;

function neighbourRow(row: EventRowDto, ctx: AppContext): HTMLElement {
  const node = button("", "around-event", "around-event list-button");
  node.append(
    el("span", { className: "around-time muted", text: formatTime(row.time, ctx.utc()), title: row.time ?? "" }),
    el("span", { className: "around-sentence", text: row.sentence }),
  );
  node.title = row.sentence;
  node.dataset.eventIdx = String(row.event_idx);
  node.addEventListener("click", () => ctx.openEvent(row.event_idx));
  return node;
}

function neighbourhood(neighbours: NeighboursDto, ctx: AppContext): HTMLElement {
  const showAll = button(showAllLabel(neighbours), "around-show-all", "button detail-link");
  showAll.addEventListener("click", () => ctx.showEvents(neighbours.filter));
  const box = el(
    "div",
    { className: "around-group", testid: "around-group" },
    el("div", { className: "around-head" }, el("h4", { className: "around-title", testid: "around-title", text: neighbourHeading(neighbours) }), showAll),
  );
  box.dataset.by = neighbours.by;
  const before = neighbours.before.map((row) => neighbourRow(row, ctx));
  const after = neighbours.after.map((row) => neighbourRow(row, ctx));
  if (before.length === 0 && after.length === 0) {
    box.append(el("p", { className: "muted", text: "No other event." }));
    return box;
  }
  box.append(
    el("div", { className: "around-side", testid: "around-before" }, el("span", { className: "around-label muted", text: "Before" }), ...(before.length > 0 ? before : [el("span", { className: "muted", text: "nothing" })])),
    el("div", { className: "around-side", testid: "around-after" }, el("span", { className: "around-label muted", text: "After" }), ...(after.length > 0 ? after : [el("span", { className: "muted", text: "nothing" })])),
  );
  return box;
}

/** The section, filled when the shell answers. */
export function aroundSection(eventIdx: number, ctx: AppContext): HTMLElement {
  const box = el("div", { className: "around", testid: "around" }, el("p", { className: "muted", text: "Loading…" }));
  eventsAround(eventIdx, EACH_SIDE)
    .then((groups) => box.replaceChildren(...groups.map((group) => neighbourhood(group, ctx))))
    .catch((error: unknown) => {
      box.replaceChildren();
      ctx.showError(error);
    });
  return box;
}
