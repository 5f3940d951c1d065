// Tests of breakdown words and narrowing. Pure: no DOM, no IPC.
import { describe, expect, it } from "vitest";
import type { EventFilterDto } from "../bindings/EventFilterDto";
import { emptyFilter } from "../app/event-filter";
import { breakdownTitle, facetLabel, isFacetName, narrowFilter } from "./breakdown-rows";

const denials: EventFilterDto = { ...emptyFilter(), outcome: "denied" };

describe("facetLabel", () => {
  it("names actors by name, falling back to the id", () => {
    expect(facetLabel("actor", { value: "u_7", label: "Maria Lopez", count: 3 })).toBe("Maria Lopez");
    expect(facetLabel("actor", { value: "u_7", label: null, count: 3 })).toBe("u_7");
  });
  it("says outcomes in words and missing values plainly", () => {
    expect(facetLabel("outcome", { value: "failure", label: null, count: 1 })).toBe("failed");
    expect(facetLabel("ip", { value: null, label: null, count: 1 })).toBe("no address recorded");
  });
  it("shows other values as they are", () => {
    expect(facetLabel("action", { value: "order.approved", label: null, count: 1 })).toBe("order.approved");
  });
});

describe("narrowFilter", () => {
  it("adds the chosen actor to the question's filter", () => {
    expect(narrowFilter(denials, "actor", "u_7")).toEqual({ ...denials, actors: ["u_7"] });
  });
  it("narrows by address, rule and action", () => {
    expect(narrowFilter(denials, "ip", "10.0.0.1")?.ip).toBe("10.0.0.1");
    expect(narrowFilter(denials, "rule", "r-1")?.rule).toBe("r-1");
    expect(narrowFilter(denials, "action", "order.approved")?.action).toBe("order.approved");
  });
  it("turns a day into its UTC bounds", () => {
    const day = narrowFilter(denials, "day", "2026-01-05");
    expect(day?.since).toBe("2026-01-05T00:00:00.000Z");
    expect(day?.until).toBe("2026-01-06T00:00:00.000Z");
    expect(narrowFilter(denials, "day", "soon")).toBeNull();
  });
  it("cannot narrow to a missing value", () => {
    expect(narrowFilter(denials, "ip", null)).toBeNull();
  });
});

describe("facet names", () => {
  it("knows the shell's facets and titles them", () => {
    expect(isFacetName("rule")).toBe(true);
    expect(isFacetName("colour")).toBe(false);
    expect(isFacetName(null)).toBe(false);
    expect(breakdownTitle("ip")).toBe("Address it came from");
  });
});
