// The app's own timings on a large case (issue 4's targets: a 1,000,000-event case
// open to first rows in ≤ 1.5 s, a filter change to new rows in ≤ 200 ms). Run by
// scripts/bench-app.sh, which makes the case; not part of the test suite (timings
// are measured and reported, never asserted: a loaded CI machine is no benchmark).
//
// Each time is taken inside the page (performance.now()) from the user's action (the
// path submitted, a filter chosen) to the moment the new rows are in the table, so
// the WebDriver round trips are not counted. The app starts once per open.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";

import { testId, withApp } from "../lib/app.mjs";

const casePath = process.env.TRAILSCOPE_BENCH_CASE;
const RUNS = Number(process.env.TRAILSCOPE_BENCH_RUNS ?? 5);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function report(t, name, times) {
  const text = `${name}: median ${median(times).toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms (${times.length} runs)`;
  t.diagnostic(text);
  console.log(`bench-app: ${text}`);
}

/**
 * A script for the page: runs `action` (statements) and calls back, once the table
 * shows rows, nothing is loading and `ready` (an expression) holds, with the
 * milliseconds that took. Polls once per animation frame. The page's CSP forbids
 * eval, so the statements are part of the script itself.
 */
function measureScript(action, ready) {
  return `
  const done = arguments[arguments.length - 1];
  const start = performance.now();
  ${action}
  const check = () => {
    const status = document.querySelector('[data-testid="events-status"]');
    const row = document.querySelector('[data-testid="event-row"]');
    const loading = status === null || status.textContent.includes("Loading");
    if (row !== null && !loading && (${ready})) {
      done(performance.now() - start);
    } else if (performance.now() - start > 60000) {
      done(-1);
    } else {
      requestAnimationFrame(check);
    }
  };
  requestAnimationFrame(check);`;
}

async function measure(app, action, ready) {
  const ms = await app.executeAsync(measureScript(action, ready), [], 90_000);
  assert.ok(ms >= 0, "the rows did not come within 60 s");
  return ms;
}

test("app timings on a large case", { timeout: 1_800_000 }, async (t) => {
  assert.ok(casePath !== undefined && existsSync(casePath), "set TRAILSCOPE_BENCH_CASE to a case file");
  const opens = [];
  const filters = new Map();
  for (let run = 0; run < RUNS; run += 1) {
    await withApp([], async (app) => {
      await app.waitForElement(testId("open-path-input"), { timeoutMs: 30_000 });
      opens.push(
        await measure(
          app,
          `const input = document.querySelector('[data-testid="open-path-input"]');
           input.value = ${JSON.stringify(casePath)};
           input.form.requestSubmit();`,
          "true",
        ),
      );
      // Filter changes, each from the unfiltered table and back.
      const actorId = await app.execute(`
        const options = [...document.querySelector('[data-testid="actor-filter"]').options];
        return options[Math.floor(options.length / 2)].value;`);
      const scenarios = [
        [
          "filter by one actor",
          `const s = document.querySelector('[data-testid="actor-filter"]');
           s.value = ${JSON.stringify(actorId)}; s.dispatchEvent(new Event("change"));`,
          `document.querySelector('[data-testid="filter-chip"]') !== null`,
          `const s = document.querySelector('[data-testid="actor-filter"]');
           s.value = ""; s.dispatchEvent(new Event("change"));`,
        ],
        [
          "time preset: last 7 days",
          `document.querySelector('[data-testid="filter-preset"][data-preset="7d"]').click();`,
          `document.querySelector('[data-testid="filter-chip"]') !== null`,
          `document.querySelector('[data-testid="filter-chip-remove"]').click();`,
        ],
        [
          "open the action picker (its values counted)",
          `document.querySelector('[data-testid="filter-action"]').click();`,
          `(() => { const p = document.querySelector('[data-testid="filter-picker"]:not([hidden])');
                    return p !== null && p.querySelector('[data-testid="filter-option"]') !== null; })()`,
          `document.querySelector('[data-testid="filter-action"]').click();`,
          `document.querySelector('[data-testid="filter-picker"]:not([hidden])') === null`,
        ],
        [
          "count of the events matching one actor",
          `const s = document.querySelector('[data-testid="actor-filter"]');
           s.value = ${JSON.stringify(actorId)}; s.dispatchEvent(new Event("change"));`,
          `/match/.test(document.querySelector('[data-testid="events-status"]').textContent)
             && document.querySelector('[data-testid="filter-chip"]') !== null`,
          `const s = document.querySelector('[data-testid="actor-filter"]');
           s.value = ""; s.dispatchEvent(new Event("change"));`,
        ],
        [
          "open the action picker under an actor filter",
          `const s = document.querySelector('[data-testid="actor-filter"]');
           s.value = ${JSON.stringify(actorId)}; s.dispatchEvent(new Event("change"));
           setTimeout(() => document.querySelector('[data-testid="filter-action"]').click(), 0);`,
          `(() => { const p = document.querySelector('[data-testid="filter-picker"]:not([hidden])');
                    return p !== null && p.querySelector('[data-testid="filter-option"]') !== null; })()`,
          `document.querySelector('[data-testid="filter-action"]').click();
           const s = document.querySelector('[data-testid="actor-filter"]');
           s.value = ""; s.dispatchEvent(new Event("change"));`,
        ],
        [
          "text search (words, from the text index)",
          `const box = document.querySelector('[data-testid="filter-search"]');
           box.value = "maria";
           box.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));`,
          `document.querySelector('[data-testid="filter-chip"]') !== null`,
          `document.querySelector('[data-testid="filter-chip-remove"]').click();`,
        ],
      ];
      for (const [name, apply, ready, undo, undone] of scenarios) {
        const times = filters.get(name) ?? [];
        console.log(`bench-app: measuring ${name}`);
        times.push(await measure(app, apply, ready));
        filters.set(name, times);
        await measure(app, undo, undone ?? `document.querySelector('[data-testid="filter-chip"]') === null`);
      }
    });
  }
  report(t, "open the case to first rows", opens);
  for (const [name, times] of filters) report(t, name, times);
});
