// The Questions view against the test's own counts from the raw bundle: "Which
// sign-ins failed?" must break down by address exactly as the bundle's failed sign-ins
// do, and "Who was refused permission?" must mark as a spike the period where the test
// injected a burst of denials. These tests fail (never skip) when the view is missing.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { testId, withApp } from "./lib/app.mjs";
import { generate, readEvents, writeRelinkedEvents } from "./lib/bundle.mjs";
import { breakdownRows, click, countBy, need, openTab, readAll } from "./lib/views.mjs";

const HOUR = 3_600_000;
/** Denials injected in one burst: far more than any quiet period holds. */
const BURST = 15;

/** Opens the Questions tab and runs the question with this id. */
async function ask(app, questionId) {
  await openTab(app, "questions");
  await need(app, testId("questions-view"), "the questions view");
  const question = await need(app, `${testId("question")}[data-question-id="${questionId}"]`, `the question ${questionId}`);
  await click(app, question);
  await need(app, testId("question-answer"), `the answer to ${questionId}`);
}

test("failed sign-ins break down by address exactly as the bundle has them", { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "trailscope-e2e-failed-logins-"));
  try {
    generate(dir, { events: 1000, chains: 1, seed: 17 });
    const failed = readEvents(dir).filter((event) => event.omitted !== true && event.action === "user.login_failed");
    assert.ok(failed.length >= 3, `only ${failed.length} failed sign-ins in the generated bundle`);
    const expected = countBy(failed, (event) => event.source?.ip ?? "");

    await withApp([dir], async (app) => {
      await ask(app, "failed-logins");
      const answer = testId("question-answer");
      const rows = await app.waitFor(async () => {
        const found = await breakdownRows(app, answer);
        return found.length > 0 ? found : undefined;
      });
      assert.ok(rows !== undefined, "the answer shows no breakdown-row within 20 s");
      assert.deepEqual(rows, expected, "failed sign-ins by address differ from the bundle's own counts");
      assert.equal((await app.findAll(`${answer} ${testId("question-show-all")}`)).length, 1, "no Show all button");
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Spreads a generated bundle's events over days (same order, gaps ×200), then turns
 * BURST consecutive events into denials within the same quarter of an hour. Returns
 * the burst's time.
 */
function injectDenialBurst(dir) {
  generate(dir, { events: 400, chains: 1, seed: 21 });
  const events = readEvents(dir);
  const first = Date.parse(events[0].ts);
  for (const event of events) {
    event.ts = new Date(first + (Date.parse(event.ts) - first) * 200).toISOString();
  }
  // A burst in the middle, starting early in an hour so it stays inside one period.
  let start = Math.floor(events.length / 2);
  while (Date.parse(events[start].ts) % HOUR > 30 * 60_000) start += 1;
  const base = Date.parse(events[start].ts);
  assert.ok(Date.parse(events[start + BURST].ts) > base + BURST * 1000, "the burst would overtake later events");
  for (let offset = 0; offset < BURST; offset += 1) {
    const event = events[start + offset];
    event.ts = new Date(base + offset * 1000).toISOString();
    event.outcome = "denied";
  }
  writeRelinkedEvents(dir, events);
  return { base, denials: events.filter((event) => event.outcome === "denied").length };
}

test("a burst of permission denials is marked as a spike on the chart", { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "trailscope-e2e-denial-spike-"));
  try {
    const { denials } = injectDenialBurst(dir);

    await withApp([dir], async (app) => {
      await ask(app, "permission-denials");
      const bars = `${testId("question-answer")} ${testId("histogram")} ${testId("histogram-bar")}`;
      const shown = await app.waitFor(async () => {
        const found = await readAll(app, bars);
        return found.length > 0 ? found : undefined;
      });
      assert.ok(shown !== undefined, "the answer shows no histogram-bar within 20 s");
      const counts = shown.map((bar) => Number(bar.data.count));
      assert.equal(
        counts.reduce((sum, count) => sum + count, 0),
        denials,
        "the chart's bars do not add up to the bundle's denials",
      );
      const spikes = shown.filter((bar) => bar.data.spike === "true");
      assert.equal(spikes.length, 1, `expected one spike, bars: ${JSON.stringify(counts)}`);
      const [spike] = spikes;
      assert.ok(Number(spike.data.count) >= BURST, `the spike holds ${spike.data.count} denials, not the burst`);
      assert.equal(Number(spike.data.count), Math.max(...counts), "the spike is not the busiest period");
      assert.match(spike.text, /spike/i, "the spike is not marked with a word");
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
