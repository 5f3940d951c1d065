// Ground truth and steps for the record history and diff tests (timeline.test.mjs,
// diff.test.mjs): a record's events and its state at a time folded from the raw
// events, values worded as the UI words them, and clicks/typing through WebDriver.
// Computed here from the bundle's own lines, never from what the app shows.
import assert from "node:assert/strict";

import { testId } from "./app.mjs";

/** The events of each target ("Type\u0000id"), in time order (then seq), as the case orders them. */
export function eventsByRecord(events) {
  const records = new Map();
  for (const event of events) {
    if (event.omitted === true || !event.target || typeof event.target.id !== "string") continue;
    const key = `${event.target.type}\u0000${event.target.id}`;
    if (!records.has(key)) records.set(key, []);
    records.get(key).push(event);
  }
  for (const list of records.values()) {
    list.sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts) || a.seq - b.seq);
  }
  return records;
}

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

/** An event that changed the record: it succeeded and carries an `after` object. */
export function changesRecord(event) {
  return (event.outcome ?? "success") === "success" && isObject(event.after);
}

/**
 * The record's fields after every event at or before `atMillis`: a create (no
 * `before`) sets them, an update's `before` then `after` overwrite them, a delete
 * clears them; failed and denied attempts change nothing.
 */
export function foldState(recordEvents, atMillis) {
  let state = {};
  for (const event of recordEvents) {
    if (Date.parse(event.ts) > atMillis) break;
    if ((event.outcome ?? "success") !== "success") continue;
    const before = isObject(event.before) ? event.before : null;
    if (event.after === null && (before !== null || String(event.action).endsWith(".deleted"))) {
      state = {};
    } else if (isObject(event.after)) {
      state = before === null && String(event.action).endsWith(".created")
        ? { ...event.after }
        : { ...state, ...(before ?? {}), ...event.after };
    } else if (before !== null) {
      state = { ...state, ...before };
    }
  }
  return state;
}

/** True for a value the UI writes on one line. */
export const isPlain = (value) => value === null || typeof value !== "object";

/** A plain value as the UI words it: no quotes, "(empty)" for null, yes/no. */
export function plainWords(value) {
  if (value === null) return "(empty)";
  if (value === "") return "(blank)";
  if (value === true) return "yes";
  if (value === false) return "no";
  return String(value);
}

/**
 * What the UI must show for a value, when the test can say it exactly: plain values,
 * and arrays of plain values as "• item" lines. Undefined for objects (checked by
 * their leaves instead).
 */
export function expectedWords(value) {
  if (isPlain(value)) return plainWords(value);
  if (Array.isArray(value) && value.every(isPlain)) {
    return value.length === 0 ? "(no items)" : value.map((item) => `• ${plainWords(item)}`).join("\n");
  }
  return undefined;
}

/** Every plain value inside an object or array, worded. */
export function leafWords(value) {
  if (isPlain(value)) return [plainWords(value)];
  return Object.values(value).flatMap(leafWords);
}

/** "2026-01-05T08:17:54.536Z" as the UI shows it in UTC: "2026-01-05 08:17:54 UTC". */
export function utcText(iso) {
  return `${new Date(Date.parse(iso)).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/**
 * Clicks the `index`-th element matching `selector` (waiting for it), first scrolled to
 * the middle of its scroll box so nothing (a sticky bar) can cover it.
 */
export async function click(app, selector, what = selector, index = 0) {
  const element = await app.waitFor(async () => (await app.findAll(selector))[index], { timeoutMs: 10_000 });
  assert.ok(element !== undefined, `no ${what} to click`);
  await app.execute(
    "document.querySelectorAll(arguments[0])[arguments[1]].scrollIntoView({ block: 'center' });",
    selector,
    index,
  );
  await app.click(element);
}

/** Clears a text box and types `text` into it, as a person would. */
export async function typeInto(app, selector, text) {
  const element = await app.waitForElement(selector, { timeoutMs: 10_000 });
  assert.ok(element !== undefined, `no ${selector} to type into`);
  await app.clear(element);
  await app.type(element, text);
}

/** Turns on the UTC switch, so times read (and are entered) in UTC. */
export async function useUtc(app) {
  const on = await app.execute(`return document.querySelector('${testId("utc-toggle")}').checked;`);
  if (!on) await click(app, testId("utc-toggle"), "UTC switch");
}

/** Opens the Record history tab and shows one record through its chooser. */
export async function chooseRecord(app, type, id, name) {
  await click(app, testId("tab-record"), "Record history tab");
  assert.ok(
    (await app.waitForElement(testId("record-chooser"), { timeoutMs: 10_000 })) !== undefined,
    "the Record history tab shows no record-chooser",
  );
  await typeInto(app, testId("record-chooser-type"), type);
  await typeInto(app, testId("record-chooser-id"), id);
  await click(app, testId("record-chooser-show"), "Show history button");
  const title = await app.waitFor(async () => {
    const text = await app.execute(
      `const t = document.querySelector('${testId("record-title")}'); return t && t.offsetParent !== null ? t.textContent : null;`,
    );
    return text === name ? text : undefined;
  }, { timeoutMs: 15_000 });
  assert.equal(title, name, `the record view never titled ${type} ${id} "${name}"`);
}

/** The fields the record view shows: name → value text. */
export function shownFields(app) {
  return app.execute(`
    const fields = {};
    for (const field of document.querySelectorAll('${testId("record-view")} ${testId("record-field")}')) {
      const value = field.querySelector('${testId("record-field-value")}');
      fields[field.dataset.field] = value ? value.textContent : null;
    }
    return fields;`);
}

/** The changes shown inside `scope` (a CSS selector): path, kind, before and after texts. */
export function shownChanges(app, scope) {
  return app.execute(`
    const scope = document.querySelector(arguments[0]);
    if (scope === null) return null;
    return [...scope.querySelectorAll('${testId("change")}')].map((change) => ({
      path: change.dataset.path,
      kind: change.dataset.kind,
      before: change.querySelector('${testId("change-before")}')?.textContent ?? null,
      after: change.querySelector('${testId("change-after")}')?.textContent ?? null,
    }));`, scope);
}
