// Tests of the import progress numbers (events/s, fraction, line). Pure; no IPC.
import { describe, expect, it } from "vitest";
import { eventsPerSecond, fractionDone, progressText } from "./progress";

describe("import progress", () => {
  it("counts events per second from lines and elapsed time", () => {
    expect(eventsPerSecond(30000, 1000)).toBe(30000);
    expect(eventsPerSecond(1500, 500)).toBe(3000);
    expect(eventsPerSecond(10, 0)).toBe(0);
  });

  it("knows the fraction only when the total is known", () => {
    expect(fractionDone(50, 200)).toBe(0.25);
    expect(fractionDone(50, null)).toBeNull();
    expect(fractionDone(300, 200)).toBe(1);
  });

  it("says it in one line", () => {
    expect(progressText(12000, 400, 45, 100)).toBe("Imported 12,000 events (45%), 30,000 events/s");
    expect(progressText(5, 1000, 1, null)).toBe("Imported 5 events, 5 events/s");
  });
});
