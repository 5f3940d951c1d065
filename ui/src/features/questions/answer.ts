// What running a common question means, before any fetch: the filter it runs (with the
// chosen person added), the people a reviewer may choose from, and what the question
// asks for first. Pure functions only: no DOM, no IPC. The questions themselves, their
// filters and every answer come from the shell.
import type { ActorDto } from "../../bindings/ActorDto";
import type { EventFilterDto } from "../../bindings/EventFilterDto";
import type { QuestionDto } from "../../bindings/QuestionDto";

export type Needs = "nothing" | "actor" | "record";

/** What the question asks of the reviewer first; an unknown word asks nothing. */
export function needsOf(question: QuestionDto): Needs {
  return question.needs === "actor" || question.needs === "record" ? question.needs : "nothing";
}

/** The question's own filter, narrowed to one actor when it needs one. */
export function answerFilter(question: QuestionDto, actorId: string | null): EventFilterDto {
  const filter = { ...question.filter };
  return actorId === null ? filter : { ...filter, actors: [actorId] };
}

/** The actors the shell calls people, by name, for "what did this person do?". */
export function people(actors: readonly ActorDto[]): ActorDto[] {
  return actors
    .filter((actor) => actor.kind === "person")
    .sort((a, b) => (a.name ?? a.actor_id).localeCompare(b.name ?? b.actor_id));
}
