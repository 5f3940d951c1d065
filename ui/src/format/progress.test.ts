// Tests of the import progress line. Pure; no IPC.
import { describe, expect, it } from "vitest";
import { progressText, timeLeft } from "./progress";

const progress = {
  bytes_read: 45,
  bytes_total: 100,
  lines: 12000,
  elapsed_ms: 400,
  events_per_second: 30000,
  fraction_done: 0.45,
  seconds_left: 8.4,
};

describe("import progress", () => {
  it("says the engine's numbers in one line", () => {
    expect(progressText(progress)).toBe("Imported 12,000 events (45%), 30,000 events/s, about 8 s left");
  });

  it("leaves out what is not known", () => {
    expect(progressText({ ...progress, bytes_total: null, fraction_done: null, seconds_left: null })).toBe(
      "Imported 12,000 events, 30,000 events/s",
    );
  });

  it("words the time left", () => {
    expect(timeLeft(null)).toBe("");
    expect(timeLeft(0.2)).toBe("almost done");
    expect(timeLeft(89.4)).toBe("about 89 s left");
    expect(timeLeft(600)).toBe("about 10 min left");
  });
});
