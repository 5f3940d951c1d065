// What a breakdown (the shell's facet counts) says in words: a title per facet, a
// readable label per value (actors by name), and the narrower filter a click on one
// row asks for. Pure functions only: no DOM, no IPC. The counts are the shell's; this
// file never adds, drops or recounts them.
import type { EventFilterDto } from "../bindings/EventFilterDto";
import type { FacetCountDto } from "../bindings/FacetCountDto";
import type { FacetName } from "../ipc";

const TITLES: Record<FacetName, string> = {
  actor: "Who did it",
  action: "What was done",
  category: "Kind of event",
  target_type: "Kind of record",
  outcome: "Outcome",
  channel: "Channel",
  ip: "Address it came from",
  batch: "Import batch",
  rule: "Automation rule",
  day: "Day",
};

const MISSING: Record<FacetName, string> = {
  actor: "no actor recorded",
  action: "no action recorded",
  category: "no kind recorded",
  target_type: "no record",
  outcome: "no outcome recorded",
  channel: "no channel recorded",
  ip: "no address recorded",
  batch: "not part of a batch",
  rule: "no rule recorded",
  day: "unknown day",
};

const OUTCOMES: Record<string, string> = {
  success: "succeeded",
  failure: "failed",
  denied: "denied",
};

/** The facet names the shell counts by, to check a question's `breakdown` against. */
export function isFacetName(name: string | null): name is FacetName {
  return name !== null && Object.hasOwn(TITLES, name);
}

export function breakdownTitle(by: FacetName): string {
  return TITLES[by];
}

/** "Maria Lopez" for an actor, "denied" for an outcome, the value itself otherwise. */
export function facetLabel(by: FacetName, count: FacetCountDto): string {
  if (count.value === null) return MISSING[by];
  if (by === "actor") return count.label ?? count.value;
  if (by === "outcome") return OUTCOMES[count.value] ?? count.value;
  return count.value;
}

/** The day after a `YYYY-MM-DD` day, as RFC 3339 UTC midnight; null if not a day. */
function dayBounds(day: string): { since: string; until: string } | null {
  const since = Date.parse(`${day}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(since)) return null;
  return {
    since: new Date(since).toISOString(),
    until: new Date(since + 86_400_000).toISOString(),
  };
}

/**
 * `filter` narrowed to the events with this value, or null when a filter cannot say
 * it (a missing value, a facet the filter has no field for).
 */
export function narrowFilter(filter: EventFilterDto, by: FacetName, value: string | null): EventFilterDto | null {
  if (value === null) return null;
  switch (by) {
    case "actor":
      return { ...filter, actors: [value] };
    case "action":
      return { ...filter, action: value };
    case "category":
      return { ...filter, category: value };
    case "target_type":
      return { ...filter, target_type: value };
    case "outcome":
      return { ...filter, outcome: value };
    case "channel":
      return { ...filter, channel: value };
    case "ip":
      return { ...filter, ip: value };
    case "batch":
      return { ...filter, batch: value };
    case "rule":
      return { ...filter, rule: value };
    case "day": {
      const bounds = dayBounds(value);
      return bounds === null ? null : { ...filter, ...bounds };
    }
  }
}
