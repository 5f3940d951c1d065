// Tests of the actor choice's labels. Pure; no DOM, no IPC.
import { describe, expect, it } from "vitest";
import type { ActorDto } from "../bindings/ActorDto";
import { actorLabel } from "./actor-words";

const actor: ActorDto = {
  actor_id: "u-17",
  actor_type: "user",
  kind: "person",
  name: "Maria Lopez",
  n_events: 1204,
  first_time: null,
  last_time: null,
  n_failures: 0,
  n_denials: 0,
  email: null,
  sources: ["audit bundle"],
  unlinked: false,
};

describe("actorLabel", () => {
  it("names the actor with its kind and activity", () => {
    expect(actorLabel(actor)).toBe("Maria Lopez (person, 1,204 events)");
  });
  it("falls back to the id when the actor has no name", () => {
    expect(actorLabel({ ...actor, name: null, n_events: 1 })).toBe("u-17 (person, 1 event)");
  });
});
