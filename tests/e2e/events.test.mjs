// The events view in the real app: the filter bar's pickers narrow the table to
// exactly the events the test counts itself from the bundle's lines, each active
// filter shows as a removable chip, the keyboard moves through rows and opens and
// closes the detail, and a time preset keeps the events of its range; the status line
// says how many events match, as the shell counts them. A last test times a filter
// change on a large generated case, to the first new row and to the count (logged,
// never asserted).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { testId, withApp } from "./lib/app.mjs";
import { generate, readEvents, writeRelinkedEvents } from "./lib/bundle.mjs";
import { KEYS, sleep } from "./lib/webdriver.mjs";

/** The latest event's time in the test bundle: mid-quarter, a Thursday afternoon. */
const LATEST_MS = Date.UTC(2026, 4, 14, 15, 27, 0);
const DAY_MS = 86_400_000;

/** A fresh folder for one test's bundle, removed after the test. */
function scratch(t, name) {
  const dir = mkdtempSync(path.join(tmpdir(), `trailscope-e2e-events-${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "bundle");
}

/**
 * 300 generated events (one chain), re-timed so they span about 200 days, ever
 * denser towards the latest one: the time presets then keep different numbers of
 * them. Returns the events in file order (event_idx n is line n).
 */
function makeBundle(dir) {
  generate(dir, { events: 300, chains: 1, seed: 23 });
  const events = readEvents(dir);
  const last = events.length - 1;
  const step = (200 * DAY_MS) / (last * last);
  events.forEach((event, index) => {
    const age = Math.round((last - index) ** 2 * step);
    event.ts = new Date(LATEST_MS - age).toISOString();
  });
  writeRelinkedEvents(dir, events);
  return readEvents(dir);
}

/** The raw lines of the bundle, for the text search's ground truth. */
function rawLines(dir) {
  return readFileSync(path.join(dir, "events.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
}

/** What the table's status line says once the shell has counted the matching events and every row is loaded. */
function countText(n) {
  return n === 0 ? "No events match." : `${n.toLocaleString("en-US")} ${n === 1 ? "event matches" : "events match"}`;
}

async function statusText(app) {
  const [status] = await app.findAll(testId("events-status"));
  return status === undefined ? "" : (await app.text(status)).trim();
}

/** Waits until the status line says exactly `expected`. */
async function waitForStatus(app, expected, what) {
  const seen = await app.waitFor(async () => ((await statusText(app)) === expected ? true : undefined), {
    timeoutMs: 20_000,
  });
  assert.ok(seen, `${what}: the status line says ${JSON.stringify(await statusText(app))}, not ${JSON.stringify(expected)}`);
}

/** The rows the table renders now, top to bottom. */
function visibleRows(app) {
  return app.execute(`
    return [...document.querySelectorAll('[data-testid="event-row"]')].map((row) => ({
      idx: Number(row.dataset.eventIdx),
      outcome: row.querySelector(".cell-outcome")?.textContent ?? "",
      selected: row.classList.contains("selected") && row.getAttribute("aria-selected") === "true",
    }));`);
}

/**
 * Every row of the table (it renders only what is in view), found by scrolling it
 * from top to bottom until its status line says there is nothing more to load.
 */
async function allRows(app) {
  const found = new Map();
  await app.execute(`document.querySelector('[data-testid="events-table"]').scrollTop = 0;`);
  for (let step = 0; step < 400; step += 1) {
    await sleep(120);
    for (const row of await visibleRows(app)) found.set(row.idx, row);
    const atEnd = await app.execute(`
      const viewport = document.querySelector('[data-testid="events-table"]');
      const bottom = viewport.scrollTop + viewport.clientHeight >= viewport.scrollHeight - 2;
      if (!bottom) viewport.scrollTop += Math.max(32, viewport.clientHeight - 64);
      return bottom;`);
    const status = await statusText(app);
    if (atEnd && !/scroll for more|oading/.test(status)) {
      for (const row of await visibleRows(app)) found.set(row.idx, row);
      return [...found.values()];
    }
  }
  throw new Error(`the table never reached its end (status: ${await statusText(app)})`);
}

/** The values listed by one picker's open list. */
function optionsOf(picker) {
  return `${testId(picker)} + ${testId("filter-picker")} ${testId("filter-option")}`;
}

/** Opens a picker and clicks one of its values; returns the count it showed beside it. */
async function choose(app, picker, value) {
  await app.clickSelector(testId(picker), { timeoutMs: 10_000 });
  const selector = `${optionsOf(picker)}[data-value="${value}"]`;
  const option = await app.waitForElement(selector, { timeoutMs: 20_000 });
  assert.ok(option !== undefined, `the ${picker} picker does not offer ${value}`);
  const count = await app.execute(
    "return document.querySelector(arguments[0])?.querySelector('.option-count')?.textContent ?? null;",
    selector,
  );
  await app.click(option);
  return count;
}

async function chipFields(app) {
  return app.execute(`
    return [...document.querySelectorAll('[data-testid="filter-chip"]')].map((chip) => chip.dataset.field);`);
}

/** Waits for the first rows of a freshly opened case. */
async function openEvents(app) {
  const row = await app.waitForElement(testId("event-row"), { timeoutMs: 60_000 });
  assert.ok(row !== undefined, "no event rows within 60 s");
  const bar = await app.waitForElement(testId("filter-bar"), { timeoutMs: 5_000 });
  assert.ok(bar !== undefined, "no filter bar in the events view");
}

function byIdx(events, idx) {
  const event = events[idx - 1];
  assert.ok(event !== undefined, `row ${idx} is not a line of the bundle`);
  return event;
}

test("the filter bar's pickers narrow the events, and removing a chip widens them back", { timeout: 180_000 }, async (t) => {
  const dir = scratch(t, "filters");
  const events = makeBundle(dir);
  const denied = events.filter((event) => event.outcome === "denied");
  assert.ok(denied.length >= 3, `the generated bundle has only ${denied.length} denied events`);
  // The action most often denied (ties: the first in name order).
  const tally = new Map();
  for (const event of denied) tally.set(event.action, (tally.get(event.action) ?? 0) + 1);
  const [action, actionCount] = [...tally].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  const both = denied.filter((event) => event.action === action);
  t.diagnostic(`${events.length} events, ${denied.length} denied, ${both.length} denied ${action}`);

  await withApp([dir], async (app) => {
    await openEvents(app);

    const outcomeCount = await choose(app, "filter-outcome", "denied");
    assert.equal(outcomeCount, String(denied.length), "the outcome picker's count of denied events");
    await waitForStatus(app, countText(denied.length), "outcome denied");
    let rows = await allRows(app);
    assert.equal(rows.length, denied.length, "rows shown for outcome denied");
    for (const row of rows) {
      assert.equal(byIdx(events, row.idx).outcome, "denied", `row ${row.idx}`);
      assert.equal(row.outcome, "denied", `row ${row.idx} shows outcome ${row.outcome}`);
    }
    assert.deepEqual(await chipFields(app), ["outcome"]);

    // The action picker counts within the denied events.
    const shownCount = await choose(app, "filter-action", action);
    assert.equal(shownCount, String(actionCount), `the action picker's count of denied ${action}`);
    await waitForStatus(app, countText(both.length), `denied ${action}`);
    rows = await allRows(app);
    assert.equal(rows.length, both.length, `rows shown for denied ${action}`);
    for (const row of rows) {
      const event = byIdx(events, row.idx);
      assert.equal(event.outcome, "denied", `row ${row.idx}`);
      assert.equal(event.action, action, `row ${row.idx}`);
    }
    assert.deepEqual((await chipFields(app)).sort(), ["action", "outcome"]);

    // Removing the action's chip gives every denied event back.
    await app.clickSelector(`${testId("filter-chip")}[data-field="action"] ${testId("filter-chip-remove")}`);
    await waitForStatus(app, countText(denied.length), "after removing the action chip");
    assert.deepEqual(await chipFields(app), ["outcome"]);
    rows = await allRows(app);
    assert.equal(rows.length, denied.length, "rows after removing the action chip");

    // And removing the last chip, every event.
    await app.clickSelector(`${testId("filter-chip")}[data-field="outcome"] ${testId("filter-chip-remove")}`);
    await app.waitFor(async () => ((await chipFields(app)).length === 0 ? true : undefined), { timeoutMs: 10_000 });
    rows = await allRows(app);
    assert.equal(rows.length, events.length, "rows after removing every chip");
    await waitForStatus(app, countText(events.length), "after removing every chip");
    // The table renders the rows in view, not all 300.
    const rendered = (await visibleRows(app)).length;
    assert.ok(rendered > 0 && rendered < 80, `${rendered} rows rendered at once: the table is not virtualized`);
  });
});

test("the keyboard searches, moves through rows, opens and closes the detail", { timeout: 180_000 }, async (t) => {
  const dir = scratch(t, "keys");
  const events = makeBundle(dir);
  const lines = rawLines(dir);
  // A last name that some, not all, of the lines mention.
  const names = [...new Set(events.map((event) => event.actor?.name).filter((name) => typeof name === "string"))];
  let needle;
  let matching = 0;
  for (const name of names.sort()) {
    const word = name.split(" ").at(-1).toLowerCase();
    const count = lines.filter((line) => line.toLowerCase().includes(word)).length;
    if (count >= 5 && count <= 60) {
      needle = word;
      matching = count;
      break;
    }
  }
  assert.ok(needle !== undefined, "no actor name in the bundle fits the search test");
  t.diagnostic(`searching for ${JSON.stringify(needle)}: ${matching} of ${lines.length} lines`);

  await withApp([dir], async (app) => {
    await openEvents(app);
    const focused = () => app.execute("return document.activeElement?.dataset?.testid ?? null;");

    await app.pressKeys(["/"]);
    assert.equal(await focused(), "filter-search", "/ does not focus the search box");
    await app.pressKeys([...needle]);
    await waitForStatus(app, countText(matching), `search for ${needle}`);
    const rows = await allRows(app);
    assert.equal(rows.length, matching, "rows shown for the search");
    for (const row of rows) {
      assert.ok(lines[row.idx - 1].toLowerCase().includes(needle), `row ${row.idx} does not mention ${needle}`);
    }
    assert.deepEqual(await chipFields(app), ["text"]);

    await app.pressKeys([KEYS.escape]);
    assert.notEqual(await focused(), "filter-search", "Esc leaves the focus in the search box");
    await app.execute(`document.querySelector('[data-testid="events-table"]').scrollTop = 0;`);
    await sleep(200);
    const top = await visibleRows(app);
    assert.ok(top.length >= 3, `only ${top.length} rows in view`);

    await app.pressKeys(["j", "j", "j"]);
    const third = top[2].idx;
    const selected = await app.waitFor(async () => {
      const now = await visibleRows(app);
      const chosen = now.filter((row) => row.selected);
      return chosen.length === 1 && chosen[0].idx === third ? chosen : undefined;
    }, { timeoutMs: 5_000 });
    assert.ok(selected, `j j j does not select the third row (${third}): ${JSON.stringify(await visibleRows(app))}`);
    assert.equal(await app.findAll(testId("detail-panel")).then((found) => found.length), 0, "the detail opened before Enter");

    await app.pressKeys([KEYS.enter]);
    const panel = await app.waitFor(async () => {
      const [found] = await app.findAll(testId("detail-panel"));
      return found !== undefined && (await app.attribute(found, "data-event-idx")) === String(third) ? found : undefined;
    }, { timeoutMs: 10_000 });
    assert.ok(panel, `Enter does not open the detail of event ${third}`);

    await app.pressKeys([KEYS.escape]);
    const closed = await app.waitFor(async () => ((await app.findAll(testId("detail-panel"))).length === 0 ? true : undefined), {
      timeoutMs: 5_000,
    });
    assert.ok(closed, "Esc does not close the detail");

    // k goes back up.
    await app.pressKeys(["k"]);
    const back = await app.waitFor(async () => {
      const chosen = (await visibleRows(app)).filter((row) => row.selected);
      return chosen.length === 1 && chosen[0].idx === top[1].idx ? true : undefined;
    }, { timeoutMs: 5_000 });
    assert.ok(back, "k does not move the selection up");
  });
});

/** The "last 7 days" preset by its definition: 7 local calendar days ending on the latest event's day. */
function lastSevenDays(latestMs) {
  const day = new Date(latestMs);
  const since = new Date(day.getFullYear(), day.getMonth(), day.getDate() - 6).getTime();
  const until = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1).getTime();
  return { since, until };
}

/** The "last quarter" preset: the local calendar quarter before the latest event's. */
function lastQuarter(latestMs) {
  const day = new Date(latestMs);
  const first = day.getMonth() - (day.getMonth() % 3);
  return {
    since: new Date(day.getFullYear(), first - 3, 1).getTime(),
    until: new Date(day.getFullYear(), first, 1).getTime(),
  };
}

test("a time preset keeps the events of its range", { timeout: 180_000 }, async (t) => {
  const dir = scratch(t, "time");
  const events = makeBundle(dir);
  const latest = Math.max(...events.map((event) => Date.parse(event.ts)));

  await withApp([dir], async (app) => {
    await openEvents(app);
    for (const [preset, range] of [
      ["7d", lastSevenDays(latest)],
      ["last-quarter", lastQuarter(latest)],
    ]) {
      const inside = events.filter((event) => {
        const ts = Date.parse(event.ts);
        return ts >= range.since && ts < range.until;
      });
      t.diagnostic(`${preset}: ${inside.length} of ${events.length} events, ${new Date(range.since).toISOString()} to ${new Date(range.until).toISOString()}`);
      assert.ok(inside.length > 0 && inside.length < events.length, `${preset} keeps ${inside.length} events: a poor test`);

      await app.clickSelector(`${testId("filter-preset")}[data-preset="${preset}"]`);
      await waitForStatus(app, countText(inside.length), `preset ${preset}`);
      const rows = await allRows(app);
      assert.equal(rows.length, inside.length, `rows shown for ${preset}`);
      for (const row of rows) {
        const ts = Date.parse(byIdx(events, row.idx).ts);
        assert.ok(ts >= range.since && ts < range.until, `row ${row.idx} (${new Date(ts).toISOString()}) is outside ${preset}`);
      }
      assert.deepEqual(await chipFields(app), ["time"]);
      const [button] = await app.findAll(`${testId("filter-preset")}[data-preset="${preset}"]`);
      assert.equal(await app.attribute(button, "aria-pressed"), "true", `the ${preset} button does not show it is on`);
      const since = await app.findAll(testId("filter-since"));
      assert.equal(since.length, 1, "no custom range input");
    }
  });
});

test("changing a filter on a large case shows the new rows quickly (timed, not asserted)", { timeout: 280_000 }, async (t) => {
  const dir = scratch(t, "large");
  const size = Number(process.env.TRAILSCOPE_E2E_LARGE_EVENTS ?? 200_000);
  const started = Date.now();
  generate(dir, { events: size, chains: 4, seed: 5 });
  t.diagnostic(`generated ${size} events in ${Date.now() - started} ms`);

  await withApp([dir], async (app) => {
    const opened = Date.now();
    await openEvents(app);
    t.diagnostic(`first rows ${Date.now() - opened} ms after the window opened (import included)`);

    // In the page: from the click on a picker's value (or a chip's remove button) to
    // the first row of the new filter (the table empties, then fills with new rows),
    // and to the count of the new filter in the status line (asked beside the first page).
    await app.execute(`
      const table = document.querySelector('[data-testid="events-table"]');
      const status = document.querySelector('[data-testid="events-status"]');
      window.__filterTiming = { clicked: null, emptied: false, ms: null, countMs: null };
      document.addEventListener("click", (event) => {
        if (event.target instanceof Element && event.target.closest('[data-testid="filter-option"], [data-testid="filter-chip-remove"]')) {
          window.__filterTiming = { clicked: performance.now(), emptied: false, ms: null, countMs: null };
        }
      }, { capture: true });
      new MutationObserver(() => {
        const timing = window.__filterTiming;
        if (timing.clicked === null || timing.ms !== null) return;
        if (table.querySelectorAll('[data-testid="event-row"]').length === 0) timing.emptied = true;
        else if (timing.emptied) timing.ms = performance.now() - timing.clicked;
      }).observe(table, { childList: true, subtree: true });
      new MutationObserver(() => {
        const timing = window.__filterTiming;
        if (timing.clicked === null || !timing.emptied || timing.countMs !== null) return;
        if (/ match/.test(status.textContent)) timing.countMs = performance.now() - timing.clicked;
      }).observe(status, { childList: true, characterData: true, subtree: true });`);
    const timings = [];
    const countTimings = [];
    const timed = async (what, click) => {
      await click();
      const ms = await app.waitFor(() => app.execute("return window.__filterTiming.ms;"), { timeoutMs: 60_000, intervalMs: 50 });
      assert.ok(typeof ms === "number", `no new rows after ${what}`);
      timings.push(ms);
      const countMs = await app.waitFor(() => app.execute("return window.__filterTiming.countMs;"), { timeoutMs: 60_000, intervalMs: 50 });
      assert.ok(typeof countMs === "number", `no count of the matching events after ${what}: ${await statusText(app)}`);
      countTimings.push(countMs);
      t.diagnostic(`${what}: first new row ${ms.toFixed(1)} ms, count (${await statusText(app)}) ${countMs.toFixed(1)} ms after the click`);
    };
    /** Chooses `preferred` in a picker, or its first value when it does not offer it. */
    const pick = async (picker, preferred) => {
      const openedPicker = Date.now();
      await app.clickSelector(testId(picker), { timeoutMs: 10_000 });
      const listed = await app.waitForElement(optionsOf(picker), { timeoutMs: 60_000 });
      assert.ok(listed !== undefined, `the ${picker} picker lists no values`);
      t.diagnostic(`${picker}: values listed in ${Date.now() - openedPicker} ms (a facet over the matching events)`);
      const [wanted] = await app.findAll(`${optionsOf(picker)}[data-value="${preferred}"]`);
      const option = wanted ?? listed;
      const value = await app.attribute(option, "data-value");
      await timed(`${picker} = ${value}`, () => app.click(option));
    };
    const unpick = (field) =>
      timed(`removing the ${field} chip`, () =>
        app.clickSelector(`${testId("filter-chip")}[data-field="${field}"] ${testId("filter-chip-remove")}`),
      );
    await pick("filter-outcome", "denied");
    await unpick("outcome");
    await pick("filter-channel", "api");
    await pick("filter-outcome", "failure");
    await unpick("channel");
    t.diagnostic(`filter change to first new row on ${size} events: ${timings.map((ms) => ms.toFixed(1)).join(", ")} ms`);
    t.diagnostic(`filter change to the count on ${size} events: ${countTimings.map((ms) => ms.toFixed(1)).join(", ")} ms`);
  });
});
