// The actors list's presentation logic: search by name, id or email, sort by a column,
// and the profile's headline and accounts in words. Pure functions only: no DOM, no
// IPC. Every count and time is the shell's (PersonDto, whose accounts the engine
// linked); nothing here recounts events or decides who is the same person.
import type { ActorDto } from "../../bindings/ActorDto";
import type { PersonDto } from "../../bindings/PersonDto";
import { eventCount } from "../../components/actor-words";
import { shortDate } from "../../components/histogram-scale";
import { formatCount } from "../../format/count";

export type ActorSortKey = "name" | "kind" | "events" | "first" | "last" | "failures" | "denials";

/** The name a reviewer reads: the person's name, or their key (address or id). */
export function personName(person: PersonDto): string {
  return person.name ?? person.key;
}

/**
 * People whose name, or any account's id, name or email, contains `query`, ignoring
 * case; all when it is blank.
 */
export function searchActors(people: readonly PersonDto[], query: string): PersonDto[] {
  const needle = query.trim().toLocaleLowerCase();
  if (needle === "") return [...people];
  const has = (text: string | null) => (text ?? "").toLocaleLowerCase().includes(needle);
  return people.filter(
    (person) =>
      has(person.key) ||
      has(person.name) ||
      person.accounts.some((account) => has(account.actor_id) || has(account.name) || has(account.email)),
  );
}

function timeValue(iso: string | null): number {
  const millis = iso === null ? Number.NaN : Date.parse(iso);
  return Number.isNaN(millis) ? Number.NEGATIVE_INFINITY : millis;
}

function compare(a: PersonDto, b: PersonDto, key: ActorSortKey): number {
  switch (key) {
    case "name":
      return personName(a).localeCompare(personName(b));
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
export function sortActors(actors: readonly PersonDto[], key: ActorSortKey, descending: boolean): PersonDto[] {
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
export function actorHeadlineParts(actor: PersonDto, utc: boolean, offsetMinutes?: number): { name: string; rest: string } {
  const span = activeSpan(actor.first_time, actor.last_time, utc, offsetMinutes);
  const events = eventCount(actor.n_events);
  return { name: personName(actor), rest: ` — ${actor.kind} — ${span === "" ? events : `${events} ${span}`}` };
}

/** "Maria Lopez — person — 1,204 events from 3 Mar to 28 Jun 2026". */
export function actorHeadline(actor: PersonDto, utc: boolean, offsetMinutes?: number): string {
  const { name, rest } = actorHeadlineParts(actor, utc, offsetMinutes);
  return name + rest;
}

/** "2 failed, 5 denied", or "none failed or denied". */
export function troubleText(actor: Pick<ActorDto, "n_failures" | "n_denials">): string {
  if (actor.n_failures === 0 && actor.n_denials === 0) return "none failed or denied";
  const parts: string[] = [];
  if (actor.n_failures > 0) parts.push(`${formatCount(actor.n_failures)} failed`);
  if (actor.n_denials > 0) parts.push(`${formatCount(actor.n_denials)} denied`);
  return parts.join(", ");
}

/** "3 accounts: Microsoft 365 audit log, Okta System Log and GitHub audit log", or "" for one. */
export function accountsText(person: PersonDto): string {
  if (person.accounts.length < 2) return "";
  return `${formatCount(person.accounts.length)} accounts: ${listInWords(person.sources)}`;
}

/** "a", "a and b", "a, b and c". */
function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** Why the accounts are one person: "Linked because all 3 accounts were seen with maria@acme.com." */
export function linkText(person: PersonDto): string {
  if (person.linked_by === null) return "";
  const n = person.accounts.length;
  return `Linked because ${n === 2 ? "both accounts were" : `all ${formatCount(n)} accounts were`} seen with ${person.linked_by}.`;
}

/** One account in words: "00u1abc in Okta System Log — 30 events". */
export function accountText(account: ActorDto): string {
  const where = account.sources.length === 0 ? "" : ` in ${listInWords(account.sources)}`;
  return `${account.actor_id}${where} — ${eventCount(account.n_events)}`;
}

/** The account a separated person stands for, if it was separated from others with its email. */
export function separatedAccount(person: PersonDto): ActorDto | null {
  const only = person.accounts.length === 1 ? person.accounts[0] : undefined;
  return only !== undefined && only.unlinked && only.email !== null ? only : null;
}
