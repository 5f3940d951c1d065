// The events filter every view starts from: nothing chosen, so every event matches.
// Views build their queries on it (questions, actors, record history) and hand a
// filter to the events view through AppContext.showEvents. A model, shared app-wide:
// no DOM, no IPC; the shell does the matching.
import type { EventFilterDto } from "../bindings/EventFilterDto";

/** A filter with every field empty: all events. */
export function emptyFilter(): EventFilterDto {
  return {
    actors: [],
    actor_types: [],
    action: null,
    category: null,
    target_type: null,
    target_id: null,
    outcome: null,
    channel: null,
    ip: null,
    batch: null,
    rule: null,
    file: null,
    text: null,
    since: null,
    until: null,
    request: null,
    starred: false,
    tags: [],
    has_note: false,
  };
}
