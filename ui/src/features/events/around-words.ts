// The headings of "Around this event": each neighbourhood the engine sends (by time,
// actor, record, IP address, request) in words, with what it shares as the engine
// wrote it. Pure: no DOM, no IPC; it never picks the neighbours.
import type { NeighboursDto } from "../../bindings/NeighboursDto";

/** "Just before and after", "Same person: Maria Lopez", "Same record: Order #1842", … */
export function neighbourHeading(neighbours: Pick<NeighboursDto, "by" | "shared">): string {
  switch (neighbours.by) {
    case "time":
      return "Just before and after";
    case "actor":
      return `Same person: ${neighbours.shared}`;
    case "record":
      return `Same record: ${neighbours.shared}`;
    case "ip":
      return `Same IP address: ${neighbours.shared}`;
    case "request":
      return `Same request: ${neighbours.shared}`;
    default:
      return `Same ${neighbours.by}: ${neighbours.shared}`;
  }
}

/** The "Show all" link's words for a neighbourhood. */
export function showAllLabel(neighbours: Pick<NeighboursDto, "by">): string {
  return neighbours.by === "time" ? "Show all events" : "Show all of them";
}
