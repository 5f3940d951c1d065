// Small user actions for the e2e tests of the views: open a tab, click, type, pick a
// select's option, read the data-* attributes of many elements at once (one round
// trip instead of one per element), and read every row of a virtual table. Plain W3C
// WebDriver calls through the session of lib/webdriver.mjs; every wait has a deadline.
import assert from "node:assert/strict";

import { testId } from "./app.mjs";
import { sleep } from "./webdriver.mjs";

/** Clicks an element (a reference from findAll / waitForElement). */
export function click(app, elementId) {
  return app.click(elementId);
}

/** Types `text` into an input, as keystrokes. */
export function type(app, elementId, text) {
  return app.type(elementId, text);
}

/** Waits for a test id to appear; fails the test (never skips) when it does not. */
export async function need(app, selector, what, timeoutMs = 20_000) {
  const found = await app.waitForElement(selector, { timeoutMs });
  assert.ok(found !== undefined, `${what}: no ${selector} within ${timeoutMs / 1000} s`);
  return found;
}

/** Waits for the case to open, then clicks its tab (`events`, `actors`, `questions`, …). */
export async function openTab(app, name) {
  const tab = await need(app, testId(`tab-${name}`), `the ${name} tab`, 60_000);
  await click(app, tab);
}

/** Chooses the option with `value` of a <select> (or the one inside `selector`), firing `change`. */
export function chooseOption(app, selector, value) {
  return app.execute(
    `const found = document.querySelector(arguments[0]);
     const select = found === null || found.tagName === "SELECT" ? found : found.querySelector("select");
     if (select === null) return false;
     select.value = arguments[1];
     if (select.value !== arguments[1]) return false;
     select.dispatchEvent(new Event("change", { bubbles: true }));
     return true;`,
    selector,
    value,
  );
}

/** For each element matching `selector`: its dataset, its text and whether it is shown. */
export function readAll(app, selector) {
  return app.execute(
    `return [...document.querySelectorAll(arguments[0])].map((node) => ({
       data: { ...node.dataset },
       text: node.textContent,
       shown: node.offsetParent !== null,
     }));`,
    selector,
  );
}

/**
 * The text of every row of a virtualized table, by event, scrolling it from top to
 * bottom (it only draws the rows in view).
 */
export async function scrollAndRead(app, viewportSelector, rowSelector) {
  const seen = new Map();
  const read = async () => {
    for (const row of await readAll(app, rowSelector)) seen.set(row.data.eventIdx ?? row.text, row.text);
  };
  const step = `const v = document.querySelector(arguments[0]);
    if (v === null) return true;
    const atEnd = v.scrollTop + v.clientHeight >= v.scrollHeight - 1;
    v.scrollTop += Math.max(1, Math.floor(v.clientHeight / 2));
    return atEnd;`;
  await app.execute("const v = document.querySelector(arguments[0]); if (v) v.scrollTop = 0;", viewportSelector);
  for (let pass = 0; pass < 200; pass += 1) {
    await sleep(150);
    await read();
    if (await app.execute(step, viewportSelector)) break;
  }
  return [...seen.values()];
}

/** `[value, count]` pairs of the breakdown rows under `container`, sorted by value. */
export async function breakdownRows(app, container) {
  const rows = await readAll(app, `${container} ${testId("breakdown-row")}`);
  return rows.map((row) => [row.data.value, Number(row.data.count)]).sort(byFirst);
}

/** Counts of `keyOf(item)` over `items`, as `[key, count]` pairs sorted by key. */
export function countBy(items, keyOf) {
  const counts = new Map();
  for (const item of items) {
    const key = keyOf(item);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort(byFirst);
}

function byFirst(a, b) {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/**
 * Clicks what `selector` finds, in the page in one step: views redraw as their parts
 * arrive, so an element found in one WebDriver call may be gone by the next. Waits for
 * it to be there and enabled.
 */
export async function clickNow(app, selector, what) {
  const clicked = await app.waitFor(() =>
    app.execute(
      `const node = document.querySelector(arguments[0]);
       if (node === null || node.disabled) return false;
       node.click();
       return true;`,
      selector,
    ),
  );
  assert.ok(clicked, `${what}: no enabled ${selector} to click`);
}

/** Sets an input's (or textarea's) value in the page, as typing would, once it is enabled. */
export async function fill(app, selector, value, what) {
  const done = await app.waitFor(() =>
    app.execute(
      `const node = document.querySelector(arguments[0]);
       if (node === null || node.disabled) return false;
       node.focus();
       node.value = arguments[1];
       node.dispatchEvent(new Event("input", { bubbles: true }));
       return true;`,
      selector,
      value,
    ),
  );
  assert.ok(done, `${what}: no enabled ${selector} to fill`);
}

/** Waits (60 s at most) until `script`, run in the page, returns a truthy value; fails with `what`. */
export async function until(app, script, what, ...args) {
  const value = await app.waitFor(() => app.execute(script, ...args), { timeoutMs: 60_000 });
  if (!value) {
    // The app's own message, when it showed one, says more than the timeout does.
    const notice = await app.execute(`return document.querySelector('[data-testid="error"]')?.textContent ?? "";`);
    assert.fail(`${what} (gave up after 60 s)${notice ? `; the app says: ${notice}` : ""}`);
  }
  return value;
}
