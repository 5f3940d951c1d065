// Tests of the runs that keep a time on one line.
import { describe, expect, it } from "vitest";
import { isInstant, timeRuns } from "./unbroken";

describe("timeRuns", () => {
  it("makes each ISO time a run of its own and keeps every character", () => {
    const text = "broken: 2 hours no verified digest covers: 2026-03-01T02:01:31Z to 2026-03-01T04:01:31Z";
    const runs = timeRuns(text);
    expect(runs).toEqual([
      { text: "broken: 2 hours no verified digest covers: ", time: false },
      { text: "2026-03-01T02:01:31Z", time: true },
      { text: " to ", time: false },
      { text: "2026-03-01T04:01:31Z", time: true },
    ]);
    expect(runs.map((run) => run.text).join("")).toBe(text);
  });

  it("keeps the two ends of a range apart, so the range can wrap at its dash", () => {
    const runs = timeRuns("(2 hours: 2026-03-01T02:01:31Z–2026-03-01T03:01:31Z, …)");
    expect(runs.filter((run) => run.time).map((run) => run.text)).toEqual(["2026-03-01T02:01:31Z", "2026-03-01T03:01:31Z"]);
    expect(runs.map((run) => run.text).join("")).toBe("(2 hours: 2026-03-01T02:01:31Z–2026-03-01T03:01:31Z, …)");
  });

  it("reads offsets and fractions, and leaves text without a time as one run", () => {
    expect(timeRuns("at 2026-01-05T08:00:00.123+02:00.")).toEqual([
      { text: "at ", time: false },
      { text: "2026-01-05T08:00:00.123+02:00", time: true },
      { text: ".", time: false },
    ]);
    expect(timeRuns("no time here")).toEqual([{ text: "no time here", time: false }]);
    expect(timeRuns("")).toEqual([]);
  });
});

describe("isInstant", () => {
  it("takes times with seconds and a zone, which name one instant", () => {
    expect(isInstant("2026-03-01T02:01:31Z")).toBe(true);
    expect(isInstant("2026-03-01T02:01:31.250+02:00")).toBe(true);
  });
  it("leaves times without a zone or seconds as the engine wrote them", () => {
    expect(isInstant("2026-03-01T02:01")).toBe(false);
    expect(isInstant("2026-03-01T02:01:31")).toBe(false);
    expect(isInstant("2026-13-01T02:01:31Z")).toBe(false);
  });
});
