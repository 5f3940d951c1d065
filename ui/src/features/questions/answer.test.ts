// Tests of what a question runs: its filter, the people to choose from, its needs.
// Pure; no DOM, no IPC.
import { describe, expect, it } from "vitest";
import type { ActorDto } from "../../bindings/ActorDto";
import type { PersonDto } from "../../bindings/PersonDto";
import type { QuestionDto } from "../../bindings/QuestionDto";
import { emptyFilter } from "../../app/event-filter";
import { answerFilter, needsOf, people } from "./answer";

const question: QuestionDto = {
  id: "permission-denials",
  title: "Who was refused permission, and when?",
  explains: "Actions refused by authorization, by actor.",
  filter: { ...emptyFilter(), outcome: "denied" },
  breakdown: "actor",
  over_time: true,
  needs: "nothing",
};

function account(actor_id: string, name: string | null, kind: string): ActorDto {
  return {
    actor_id,
    actor_type: null,
    kind,
    name,
    n_events: 1,
    first_time: null,
    last_time: null,
    n_failures: 0,
    n_denials: 0,
    email: null,
    sources: [],
    unlinked: false,
  };
}

function actor(key: string, name: string | null, kind: string, ids: string[] = [key]): PersonDto {
  return {
    key,
    name,
    kind,
    linked_by: ids.length > 1 ? key : null,
    sources: [],
    n_events: ids.length,
    first_time: null,
    last_time: null,
    n_failures: 0,
    n_denials: 0,
    accounts: ids.map((id) => account(id, name, kind)),
  };
}

describe("answerFilter", () => {
  it("runs the question's own filter", () => {
    expect(answerFilter(question, null)).toEqual(question.filter);
  });
  it("adds the chosen person and leaves the question untouched", () => {
    expect(answerFilter(question, actor("u_7", "Ann", "person"))).toEqual({ ...question.filter, actors: ["u_7"] });
    expect(question.filter.actors).toEqual([]);
  });
  it("spans every account linked to the person", () => {
    const maria = actor("maria@acme.com", "Maria Lopez", "person", ["maria@acme.com", "00u1", "maria-lopez"]);
    expect(answerFilter(question, maria).actors).toEqual(["maria@acme.com", "00u1", "maria-lopez"]);
  });
});

describe("people", () => {
  it("keeps people only, by name", () => {
    const all = [actor("u_2", "Zoe", "person"), actor("bot", "Bot", "automation"), actor("u_1", null, "person")];
    expect(people(all).map((a) => a.key)).toEqual(["u_1", "u_2"]);
  });
});

describe("needsOf", () => {
  it("reads the shell's word, asking nothing for an unknown one", () => {
    expect(needsOf({ ...question, needs: "record" })).toBe("record");
    expect(needsOf({ ...question, needs: "actor" })).toBe("actor");
    expect(needsOf({ ...question, needs: "something new" })).toBe("nothing");
  });
});
