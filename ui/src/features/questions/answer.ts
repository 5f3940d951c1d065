// What running a common question means, before any fetch: the filter it runs (with the
// chosen person added), the people a reviewer may choose from, and what the question
// asks for first. Pure functions only: no DOM, no IPC. The questions themselves, their
// filters and every answer come from the shell.
import type { EventFilterDto } from "../../bindings/EventFilterDto";
import type { PersonDto } from "../../bindings/PersonDto";
import type { QuestionDto } from "../../bindings/QuestionDto";

export type Needs = "nothing" | "actor" | "record";

/** What the question asks of the reviewer first; an unknown word asks nothing. */
export function needsOf(question: QuestionDto): Needs {
  return question.needs === "actor" || question.needs === "record" ? question.needs : "nothing";
}

/**
 * The question's own filter, narrowed to one person when it needs one: every account
 * the engine linked to them, so the answer spans every source.
 */
export function answerFilter(question: QuestionDto, person: PersonDto | null): EventFilterDto {
  const filter = { ...question.filter };
  return person === null ? filter : { ...filter, actors: person.accounts.map((account) => account.actor_id) };
}

/** Those the shell calls people (not automations or systems), by name, for "what did this person do?". */
export function people(all: readonly PersonDto[]): PersonDto[] {
  return all
    .filter((person) => person.kind === "person")
    .sort((a, b) => (a.name ?? a.key).localeCompare(b.name ?? b.key));
}
