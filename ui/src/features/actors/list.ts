// The actors list's presentation logic: search by name or id, sort by a column, and
// the profile's headline in words. Pure functions only: no DOM, no IPC. Every count
// and time is the shell's (ActorDto); nothing here recounts events.
import type { ActorDto } from "../../bindings/ActorDto";
import { actorName, eventCount } from "../../components/actor-words";
import { shortDate } from "../../components/histogram-scale";
import { formatCount } from "../../format/count";

export type ActorSortKey = "name" | "kind" | "events" | "first" | "last" | "failures" | "denials";

/** Actors whose name or id contains `query`, ignoring case; all when it is blank. */
export function searchActors(actors: readonly ActorDto[], query: string): ActorDto[] {
  const needle = query.trim().toLocaleLowerCase();
  if (needle === "") return [...actors];
  return actors.filter(
    (actor) =>
      actor.actor_id.toLocaleLowerCase().includes(needle) ||
      (actor.name ?? "").toLocaleLowerCase().includes(needle),
  );
}

function timeValue(iso: string | null): number {
  const millis = iso === null ? Number.NaN : Date.parse(iso);
  return Number.isNaN(millis) ? Number.NEGATIVE_INFINITY : millis;
}

function compare(a: ActorDto, b: ActorDto, key: ActorSortKey): number {
  switch (key) {
    case "name":
      return actorName(a).localeCompare(actorName(b));
    case "kind":
      return a.kind.localeCompare(b.kind);
    case "events":
      return a.n_events - b.n_events;
    case "first":
      return timeValue(a.first_time) - timeValue(b.first_time);
    case "last":
      return timeValue(a.last_time) - timeValue(b.last_time);
    case "failures":
      return a.n_failures - b.n_failures;
    case "denials":
      return a.n_denials - b.n_denials;
  }
}

/** A sorted copy; ties keep the shell's order (most active first). */
export function sortActors(actors: readonly ActorDto[], key: ActorSortKey, descending: boolean): ActorDto[] {
  const order = new Map(actors.map((actor, index) => [actor, index]));
  return [...actors].sort((a, b) => {
    const by = compare(a, b, key);
    if (by !== 0 && !Number.isNaN(by)) return descending ? -by : by;
    return (order.get(a) ?? 0) - (order.get(b) ?? 0);
  });
}

/** "from 3 Mar to 28 Jun 2026", "on 5 Jan 2026", or "" when no time is known. */
export function activeSpan(
  firstIso: string | null,
  lastIso: string | null,
  utc: boolean,
  offsetMinutes?: number,
): string {
  const first = timeValue(firstIso);
  const last = timeValue(lastIso);
  if (!Number.isFinite(first) || !Number.isFinite(last)) return "";
  const from = shortDate(first, utc, true, offsetMinutes);
  const to = shortDate(last, utc, true, offsetMinutes);
  if (from === to) return `on ${from}`;
  const sameYear = from.slice(-4) === to.slice(-4);
  return `from ${sameYear ? shortDate(first, utc, false, offsetMinutes) : from} to ${to}`;
}

/**
 * The profile's headline in two parts, so a very long name can be cut short on screen
 * without hiding the rest: "Maria Lopez" and " — person — 1,204 events from 3 Mar to
 * 28 Jun 2026".
 */
export function actorHeadlineParts(actor: ActorDto, utc: boolean, offsetMinutes?: number): { name: string; rest: string } {
  const span = activeSpan(actor.first_time, actor.last_time, utc, offsetMinutes);
  const events = eventCount(actor.n_events);
  return { name: actorName(actor), rest: ` — ${actor.kind} — ${span === "" ? events : `${events} ${span}`}` };
}

/** "Maria Lopez — person — 1,204 events from 3 Mar to 28 Jun 2026". */
export function actorHeadline(actor: ActorDto, utc: boolean, offsetMinutes?: number): string {
  const { name, rest } = actorHeadlineParts(actor, utc, offsetMinutes);
  return name + rest;
}

/** "2 failed, 5 denied", or "none failed or denied". */
export function troubleText(actor: ActorDto): string {
  if (actor.n_failures === 0 && actor.n_denials === 0) return "none failed or denied";
  const parts: string[] = [];
  if (actor.n_failures > 0) parts.push(`${formatCount(actor.n_failures)} failed`);
  if (actor.n_denials > 0) parts.push(`${formatCount(actor.n_denials)} denied`);
  return parts.join(", ");
}
