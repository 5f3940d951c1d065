// The actors view: every person or thing that acted in the case, in a searchable,
// sortable list (kind in words, events, first and last seen, failures and denials),
// and the chosen one's profile: a headline, their accounts (the engine links accounts
// seen with one email across sources; the reviewer can separate one, and link it
// again), their activity over time, what they did and to which kinds of records, and
// their latest events, across every account; the reviewer's marks (star, tags, note)
// go on the person's first account. Every count comes from the shell
// (PersonDto, facetCounts, activity, listEvents); this file only lays them out.
import "../../components/rows.css";
import "./actors.css";
import type { ActivityDto } from "../../bindings/ActivityDto";
import type { ActorDto } from "../../bindings/ActorDto";
import type { PersonDto } from "../../bindings/PersonDto";
import type { EventFilterDto } from "../../bindings/EventFilterDto";
import type { EventRowDto } from "../../bindings/EventRowDto";
import type { FacetCountDto } from "../../bindings/FacetCountDto";
import type { AppContext, ViewHandle } from "../../app/context";
import { emptyFilter } from "../../app/event-filter";
import { eventCount } from "../../components/actor-words";
import { settler } from "../../components/arrival";
import { breakdown } from "../../components/breakdown";
import { narrowFilter } from "../../components/breakdown-rows";
import { el } from "../../components/dom";
import { marksControl } from "../../components/marks";
import { eventList } from "../../components/event-list";
import { histogram } from "../../components/histogram";
import { shortDate } from "../../components/histogram-scale";
import { formatCount } from "../../format/count";
import { type FacetName, activity, facetCounts, linkActor, listEvents } from "../../ipc";
import {
  type ActorSortKey,
  accountText,
  accountsText,
  actorHeadline,
  actorHeadlineParts,
  linkText,
  personName,
  searchActors,
  separatedAccount,
  sortActors,
  troubleText,
} from "./list";

export interface ActorsView extends ViewHandle {
  choose(actorId: string): void;
}

/** Bars in an actor's histogram. */
const MAX_PERIODS = 60;
/** Latest events fetched per page of the profile's list. */
const EVENTS_PAGE = 50;
/** Actors listed at once; a search narrows the rest. */
const MAX_LISTED = 500;

/** The ways to order the list, as a reviewer would say them. */
const SORTS: { key: ActorSortKey; descending: boolean; title: string }[] = [
  { key: "events", descending: true, title: "most events" },
  { key: "name", descending: false, title: "name" },
  { key: "kind", descending: false, title: "kind" },
  { key: "last", descending: true, title: "last seen, latest first" },
  { key: "first", descending: false, title: "first seen, earliest first" },
  { key: "failures", descending: true, title: "most failures" },
  { key: "denials", descending: true, title: "most denials" },
];

/** What the profile has fetched so far; `undefined` while on its way. */
interface Profile {
  actor: PersonDto;
  filter: EventFilterDto;
  activity?: ActivityDto;
  actions?: FacetCountDto[];
  targets?: FacetCountDto[];
  events?: EventRowDto[];
  next: string | null;
  loadingMore: boolean;
}

function seenDate(iso: string | null, utc: boolean): string {
  const millis = iso === null ? Number.NaN : Date.parse(iso);
  return Number.isNaN(millis) ? "unknown" : shortDate(millis, utc, true);
}

export function actorsView(ctx: AppContext, initial: PersonDto[]): ActorsView {
  let actors = initial;
  let query = "";
  let sortKey: ActorSortKey = "events";
  let descending = true;
  let profile: Profile | null = null;
  /** Bumped on every choice, so answers for an earlier actor are dropped. */
  let generation = 0;

  const search = el("input", { className: "actor-search", testid: "actor-search" });
  search.type = "search";
  search.placeholder = "Search by name, id or email";
  search.setAttribute("aria-label", "Search actors by name, id or email");
  const listCount = el("p", { className: "muted actors-count" });
  const sortSelect = el("select", { className: "actor-sort", testid: "actor-sort" });
  SORTS.forEach((sort, index) => {
    const option = el("option", { text: sort.title });
    option.value = String(index);
    sortSelect.append(option);
  });
  sortSelect.addEventListener("change", () => {
    const sort = SORTS[Number(sortSelect.value)] ?? SORTS[0];
    if (sort === undefined) return;
    sortKey = sort.key;
    descending = sort.descending;
    renderList();
  });
  const sortLabel = el("label", { className: "filter actor-sort-label" }, el("span", { className: "filter-label", text: "Sort by" }), sortSelect);
  const list = el("ol", { className: "actor-list" });
  const profileBox = el("div", { className: "actor-profile-box" });
  const root = el(
    "section",
    { className: "actors-view", testid: "actors-view" },
    el("div", { className: "actors-list-pane" }, search, el("div", { className: "actors-tools" }, sortLabel, listCount), list),
    profileBox,
  );

  search.addEventListener("input", () => {
    query = search.value;
    renderList();
  });

  function renderItem(actor: PersonDto, utc: boolean): HTMLElement {
    const first = seenDate(actor.first_time, utc);
    const last = seenDate(actor.last_time, utc);
    const seen = first === last ? `seen ${first}` : `seen ${first} – ${last}`;
    const trouble = actor.n_failures > 0 || actor.n_denials > 0;
    const item = el(
      "button",
      { className: "actor-item row-button", testid: "actor-item", title: actor.accounts.map((a) => a.actor_id).join(", ") },
      el(
        "span",
        { className: "actor-item-title" },
        el("span", { className: "actor-name clamped", text: personName(actor) }),
        el("span", { className: "actor-kind", text: actor.kind }),
      ),
      el(
        "span",
        { className: "actor-item-facts muted" },
        el("span", { className: "actor-events-count", text: eventCount(actor.n_events) }),
        el("span", { text: seen }),
        el("span", { className: trouble ? "actor-trouble" : "", text: troubleText(actor) }),
      ),
      el("span", { className: "actor-id muted clamped", text: actor.linked_by ?? (actor.name === null ? "" : actor.key) }),
      el("span", { className: "actor-accounts-line muted", testid: "actor-accounts-line", text: accountsText(actor) }),
    );
    item.type = "button";
    item.dataset.actorId = actor.key;
    const chosen = profile?.actor.key === actor.key;
    item.classList.toggle("selected", chosen);
    item.setAttribute("aria-pressed", String(chosen));
    item.addEventListener("click", () => choose(actor.key));
    return item;
  }

  function renderList(): void {
    const utc = ctx.utc();
    const found = sortActors(searchActors(actors, query), sortKey, descending);
    const shown = found.slice(0, MAX_LISTED);
    list.replaceChildren(...shown.map((actor) => el("li", {}, renderItem(actor, utc))));
    const total = formatCount(actors.length);
    listCount.textContent =
      found.length === actors.length
        ? `${total} actors`
        : `${formatCount(found.length)} of ${total} actors match`;
    if (shown.length < found.length) {
      listCount.textContent += `; showing the first ${formatCount(shown.length)}, search to narrow`;
    }
  }

  function section(title: string, ...content: HTMLElement[]): HTMLElement {
    return el("section", { className: "actor-section" }, el("h3", { className: "actor-section-title", text: title }), ...content);
  }

  const loading = (): HTMLElement => el("p", { className: "muted", text: "Loading…" });

  function renderEvents(current: Profile): HTMLElement {
    const box = el("div", { className: "actor-events-box" });
    if (current.events === undefined) {
      box.append(loading());
      return box;
    }
    box.append(
      eventList(current.events, {
        utc: ctx.utc(),
        testid: "actor-events",
        rowTestid: "actor-event",
        onOpen: ctx.openEvent,
      }),
    );
    if (current.next !== null) {
      const more = el("button", { className: "button", text: current.loadingMore ? "Loading…" : "Show older events" });
      more.type = "button";
      more.disabled = current.loadingMore;
      more.addEventListener("click", () => loadMore(current));
      box.append(more);
    }
    return box;
  }

  /** The reviewer's marks on the person's (first) account, kept while it is shown. */
  let marksFor: { key: string; node: HTMLElement } | null = null;
  function personMarks(actor: PersonDto): HTMLElement[] {
    const account = actor.accounts[0];
    if (account === undefined) return [];
    if (marksFor?.key !== account.actor_id) {
      marksFor = {
        key: account.actor_id,
        node: marksControl({ kind: "actor", actor_id: account.actor_id }, { what: "this person", onError: ctx.showError }),
      };
    }
    return [marksFor.node];
  }

  function renderProfile(): void {
    const current = profile;
    if (current === null) {
      profileBox.replaceChildren(
        el("p", { className: "muted actor-profile-hint", text: "Choose an actor to see everything they did." }),
      );
      return;
    }
    const { actor, filter } = current;
    const utc = ctx.utc();
    const headline = actorHeadlineParts(actor, utc);
    const showAll = el("button", {
      className: "button",
      testid: "actor-show-all",
      text: `Show all ${eventCount(actor.n_events)} in Events`,
    });
    showAll.type = "button";
    showAll.addEventListener("click", () => ctx.showEvents(filter));

    const chart = histogram(current.activity, {
      utc,
      subject: "Events",
      onChoose: (since, until) => ctx.showEvents({ ...filter, since, until }),
    });
    const narrowed = (by: FacetName) => (value: string) => {
      const narrower = narrowFilter(filter, by, value);
      if (narrower !== null) ctx.showEvents(narrower);
    };
    const actions = breakdown(current.actions, { by: "action", testid: "breakdown-action", title: "What they did", onChoose: narrowed("action") });
    const targets = breakdown(current.targets, {
      by: "target_type",
      testid: "breakdown-target",
      title: "To which kinds of record",
      onChoose: narrowed("target_type"),
    });

    profileBox.replaceChildren(
      el(
        "article",
        { className: "actor-profile", testid: "actor-profile" },
        el(
          "h2",
          { className: "actor-headline", testid: "actor-headline", title: actorHeadline(actor, utc) },
          el("span", { className: "actor-headline-name clamped", text: headline.name }),
          el("span", { className: "actor-headline-rest", text: headline.rest }),
        ),
        el("p", { className: "actor-facts muted" }, factsText(actor)),
        el("div", { className: "actor-actions" }, showAll),
        ...personMarks(actor),
        accountsSection(actor),
        section("Activity over time", chart),
        el("div", { className: "actor-breakdowns" }, actions, targets),
        section("Latest events", renderEvents(current)),
      ),
    );
  }

  function factsText(actor: PersonDto): string {
    if (actor.accounts.length > 1) return troubleText(actor);
    const only = actor.accounts[0];
    const type = only?.actor_type ?? null;
    const where = only === undefined || only.sources.length === 0 ? "" : `; in ${only.sources.join(", ")}`;
    return `${troubleText(actor)}; id ${only?.actor_id ?? actor.key}${type === null ? "" : ` (type ${type})`}${where}`;
  }

  /** The accounts of a linked person, each separable; for a separated account, the way back. */
  function accountsSection(actor: PersonDto): HTMLElement {
    const separated = separatedAccount(actor);
    if (separated !== null) {
      const again = el("button", { className: "button", testid: "actor-relink", text: `Link again with the other accounts of ${separated.email ?? ""}` });
      again.type = "button";
      again.addEventListener("click", () => relink(separated, true, separated.actor_id));
      return el(
        "div",
        { className: "actor-accounts", testid: "actor-accounts" },
        el("p", { className: "muted", text: `You separated this account from the others seen with ${separated.email ?? ""}.` }),
        again,
      );
    }
    if (actor.accounts.length < 2) return el("div", { className: "actor-accounts" });
    const rows = actor.accounts.map((account) => {
      const apart = el("button", { className: "button small", testid: "actor-unlink", text: "Not the same person" });
      apart.type = "button";
      apart.title = `Separate ${account.actor_id} from ${actor.linked_by ?? "this person"}`;
      apart.addEventListener("click", () => relink(account, false, actor.key));
      const item = el(
        "li",
        { className: "actor-account", testid: "actor-account" },
        el("span", { className: "actor-account-name", text: account.name === null ? "" : `${account.name}: ` }),
        el("span", { text: accountText(account) }),
        apart,
      );
      item.dataset.actorId = account.actor_id;
      return item;
    });
    return section(
      "Accounts",
      el("div", { className: "actor-accounts", testid: "actor-accounts" }, el("p", { className: "muted", text: linkText(actor) }), el("ul", { className: "actor-account-list" }, ...rows)),
    );
  }

  /** Separates `account` (or links it again), then shows `next` as the engine now groups it. */
  function relink(account: ActorDto, linked: boolean, next: string): void {
    linkActor(account.actor_id, linked)
      .then((updated) => {
        actors = updated;
        choose(find(next) === undefined ? account.actor_id : next);
        ctx.showNotice(
          linked
            ? `${account.actor_id} is linked again with the other accounts seen with ${account.email ?? "its email"}.`
            : `${account.actor_id} is now shown on its own. You can link it again from its profile.`,
        );
      })
      .catch(ctx.showError);
  }

  /** Re-renders only if `current` is still the profile shown. */
  function update(current: Profile): void {
    if (profile === current) renderProfile();
  }

  function loadMore(current: Profile): void {
    if (current.next === null || current.loadingMore) return;
    current.loadingMore = true;
    update(current);
    listEvents(current.filter, current.next, EVENTS_PAGE)
      .then((page) => {
        current.events = (current.events ?? []).concat(page.rows);
        current.next = page.next;
      })
      .catch(ctx.showError)
      .finally(() => {
        current.loadingMore = false;
        update(current);
      });
  }

  /** The person with this key, or the one holding an account with this id. */
  function find(id: string): PersonDto | undefined {
    return (
      actors.find((candidate) => candidate.key === id) ??
      actors.find((candidate) => candidate.accounts.some((account) => account.actor_id === id))
    );
  }

  function choose(actorId: string): void {
    generation += 1;
    const actor = find(actorId);
    if (actor === undefined) {
      profile = null;
      renderList();
      profileBox.replaceChildren(el("p", { className: "muted", text: `This case has no actor with the id ${actorId}.` }));
      return;
    }
    const filter: EventFilterDto = { ...emptyFilter(), actors: actor.accounts.map((account) => account.actor_id) };
    const current: Profile = { actor, filter, next: null, loadingMore: false };
    profile = current;
    renderList();
    renderProfile();
    const mine = generation;
    const settle = settler(() => mine === generation, () => update(current), ctx.showError);
    settle(activity(filter, MAX_PERIODS), (value) => (current.activity = value));
    settle(facetCounts(filter, "action"), (value) => (current.actions = value));
    settle(facetCounts(filter, "target_type"), (value) => (current.targets = value));
    settle(listEvents(filter, null, EVENTS_PAGE), (page) => {
      current.events = page.rows;
      current.next = page.next;
    });
  }

  renderList();
  renderProfile();
  return {
    root,
    refresh() {
      renderList();
      renderProfile();
    },
    choose,
  };
}
