// Tests of the "Around this event" headings (features/events/around-words.ts).
import { describe, expect, it } from "vitest";
import { neighbourHeading, showAllLabel } from "./around-words";

describe("neighbourHeading", () => {
  it("words each neighbourhood with what it shares", () => {
    expect(neighbourHeading({ by: "time", shared: "the whole case" })).toBe("Just before and after");
    expect(neighbourHeading({ by: "actor", shared: "Maria Lopez" })).toBe("Same person: Maria Lopez");
    expect(neighbourHeading({ by: "record", shared: "Order #1842" })).toBe("Same record: Order #1842");
    expect(neighbourHeading({ by: "ip", shared: "203.0.113.7" })).toBe("Same IP address: 203.0.113.7");
    expect(neighbourHeading({ by: "request", shared: "req-9" })).toBe("Same request: req-9");
  });
  it("still reads for a neighbourhood it does not know", () => {
    expect(neighbourHeading({ by: "device", shared: "Firefox" })).toBe("Same device: Firefox");
  });
  it("labels the time neighbourhood's link as the whole case", () => {
    expect(showAllLabel({ by: "time" })).toBe("Show all events");
    expect(showAllLabel({ by: "ip" })).toBe("Show all of them");
  });
});
