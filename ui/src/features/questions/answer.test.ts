// Tests of what a question runs: its filter, the people to choose from, its needs.
// Pure; no DOM, no IPC.
import { describe, expect, it } from "vitest";
import type { ActorDto } from "../../bindings/ActorDto";
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

function actor(actor_id: string, name: string | null, kind: string): ActorDto {
  return { actor_id, actor_type: null, kind, name, n_events: 1, first_time: null, last_time: null, n_failures: 0, n_denials: 0 };
}

describe("answerFilter", () => {
  it("runs the question's own filter", () => {
    expect(answerFilter(question, null)).toEqual(question.filter);
  });
  it("adds the chosen person and leaves the question untouched", () => {
    expect(answerFilter(question, "u_7")).toEqual({ ...question.filter, actors: ["u_7"] });
    expect(question.filter.actors).toEqual([]);
  });
});

describe("people", () => {
  it("keeps people only, by name", () => {
    const all = [actor("u_2", "Zoe", "person"), actor("bot", "Bot", "automation"), actor("u_1", null, "person")];
    expect(people(all).map((a) => a.actor_id)).toEqual(["u_1", "u_2"]);
  });
});

describe("needsOf", () => {
  it("reads the shell's word, asking nothing for an unknown one", () => {
    expect(needsOf({ ...question, needs: "record" })).toBe("record");
    expect(needsOf({ ...question, needs: "actor" })).toBe("actor");
    expect(needsOf({ ...question, needs: "something new" })).toBe("nothing");
  });
});
