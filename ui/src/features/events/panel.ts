// The events view: toolbar (filters), the virtualized table and the detail panel of
// the selected event. It keeps the current filter and hands it to the table's pager;
// every row and every detail comes from the shell as it is.
import type { ActorDto } from "../../bindings/ActorDto";
import type { EventDetailDto } from "../../bindings/EventDetailDto";
import type { EventFilterDto } from "../../bindings/EventFilterDto";
import type { AppContext, ViewHandle } from "../../app/context";
import { el } from "../../components/dom";
import { eventDetail, listEvents } from "../../ipc";
import { actorFilter } from "../actors/view";
import { EventPager, emptyFilter } from "./state";
import { renderDetail } from "./detail";
import { eventsTable } from "./view";

export interface EventsView extends ViewHandle {
  /** Replaces the filter and starts again from the newest event. */
  setFilter(filter: EventFilterDto): void;
  /** Opens one event's detail (and selects its row if loaded). */
  openEvent(eventIdx: number): void;
}

export function eventsView(ctx: AppContext, actors: ActorDto[]): EventsView {
  const pager = new EventPager(listEvents, emptyFilter());
  const detailBox = el("div", { className: "detail-box" });
  detailBox.hidden = true;
  let detail: EventDetailDto | null = null;

  const closeDetail = (): void => {
    detail = null;
    detailBox.hidden = true;
    detailBox.replaceChildren();
    table.select(null);
  };
  const renderDetailBox = (): void => {
    if (detail === null) return;
    detailBox.replaceChildren(renderDetail(detail, ctx, closeDetail));
    detailBox.hidden = false;
  };
  const openEvent = (eventIdx: number): void => {
    table.select(eventIdx);
    eventDetail(eventIdx)
      .then((answer) => {
        detail = answer;
        renderDetailBox();
      })
      .catch(ctx.showError);
  };

  const table = eventsTable(pager, { utc: ctx.utc, onSelect: openEvent, onError: ctx.showError });
  const setFilter = (filter: EventFilterDto): void => {
    pager.reset(filter);
    table.scrollToTop();
  };
  const filter = actorFilter(actors, (actorId) => {
    setFilter({ ...emptyFilter(), actors: actorId === null ? [] : [actorId] });
  });
  const root = el(
    "div",
    { className: "events-pane", testid: "events-view" },
    el("div", { className: "toolbar" }, filter),
    table.root,
    detailBox,
  );
  return {
    root,
    refresh() {
      table.refresh();
      renderDetailBox();
    },
    shown: () => table.refresh(),
    setFilter,
    openEvent,
  };
}
