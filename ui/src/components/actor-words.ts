// An actor in words, wherever one is named: its name (or its id when it has none), its
// event count, and the label of an actor choice ("Maria Lopez (person, 1,204 events)").
// Pure functions only: no DOM, no IPC. Every count is the shell's (ActorDto).
import type { ActorDto } from "../bindings/ActorDto";
import type { PersonDto } from "../bindings/PersonDto";
import { formatCount } from "../format/count";

/** The name a reviewer reads: the actor's name, or its id when it has none. */
export function actorName(actor: ActorDto): string {
  return actor.name ?? actor.actor_id;
}

/** "1,204 events", "1 event". */
export function eventCount(count: number): string {
  return `${formatCount(count)} ${count === 1 ? "event" : "events"}`;
}

/** "Maria Lopez (person, 1,204 events)". */
export function actorLabel(actor: ActorDto): string {
  return `${actorName(actor)} (${actor.kind}, ${eventCount(actor.n_events)})`;
}

/** "Maria Lopez (person, 3 accounts, 85 events)"; one account reads as an actor does. */
export function personLabel(person: PersonDto): string {
  const accounts = person.accounts.length > 1 ? `, ${formatCount(person.accounts.length)} accounts` : "";
  return `${person.name ?? person.key} (${person.kind}${accounts}, ${eventCount(person.n_events)})`;
}
