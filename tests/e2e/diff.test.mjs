// Field changes: the changes the app shows for an event (in the record history and in
// the event's detail panel) are the ones the test computes itself from the raw event's
// before/after: same paths and kinds, values worded without JSON syntax. Also follows
// the detail panel's link back to the record's history. Fails (never skips) when a
// view is missing.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { testId, withApp } from "./lib/app.mjs";
import { generate, jcs, readEvents } from "./lib/bundle.mjs";
import {
  chooseRecord,
  click,
  eventsByRecord,
  expectedWords,
  isPlain,
  leafWords,
  shownChanges,
  useUtc,
  utcText,
} from "./lib/history.mjs";

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * The field changes from `before` to `after`, for the shapes the generator writes:
 * objects of plain values, arrays of plain values (compared as multisets: `tags[]`)
 * and nested objects. Undefined when it meets a shape it does not model (arrays of
 * objects that differ), so the test skips that event rather than guess.
 */
function expectedChanges(before, after) {
  const b = isObject(before) ? before : null;
  const a = isObject(after) ? after : null;
  if (b === null && a === null) return [];
  if (b === null) return Object.keys(a).sort().map((key) => ({ path: key, kind: "added", before: undefined, after: a[key] }));
  if (a === null) return Object.keys(b).sort().map((key) => ({ path: key, kind: "removed", before: b[key], after: undefined }));
  const found = [];
  const walk = (prefix, x, y) => {
    for (const key of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
      const at = prefix === "" ? key : `${prefix}.${key}`;
      if (!(key in y)) found.push({ path: at, kind: "removed", before: x[key], after: undefined });
      else if (!(key in x)) found.push({ path: at, kind: "added", before: undefined, after: y[key] });
      else if (jcs(x[key]) === jcs(y[key])) continue;
      else if (isObject(x[key]) && isObject(y[key])) walk(at, x[key], y[key]);
      else if (Array.isArray(x[key]) && Array.isArray(y[key])) {
        if (![...x[key], ...y[key]].every(isPlain)) throw new Error("unmodelled");
        const counts = (list) => list.reduce((map, v) => map.set(jcs(v), (map.get(jcs(v)) ?? 0) + 1), new Map());
        const inAfter = counts(y[key]);
        for (const value of x[key]) {
          const n = inAfter.get(jcs(value)) ?? 0;
          if (n > 0) inAfter.set(jcs(value), n - 1);
          else found.push({ path: `${at}[]`, kind: "removed", before: value, after: undefined });
        }
        const inBefore = counts(x[key]);
        for (const value of y[key]) {
          const n = inBefore.get(jcs(value)) ?? 0;
          if (n > 0) inBefore.set(jcs(value), n - 1);
          else found.push({ path: `${at}[]`, kind: "added", before: undefined, after: value });
        }
      } else found.push({ path: at, kind: "changed", before: x[key], after: y[key] });
    }
  };
  try {
    walk("", b, a);
  } catch {
    return undefined;
  }
  return found;
}

/** Asserts shown changes equal the expected ones: paths, kinds, and worded values. */
function assertChangesMatch(shown, expected, where) {
  assert.ok(shown !== null, `${where}: no changes shown`);
  assert.deepEqual(
    shown.map((c) => `${c.path} ${c.kind}`),
    expected.map((c) => `${c.path} ${c.kind}`),
    `${where}: paths and kinds`,
  );
  expected.forEach((change, index) => {
    const got = shown[index];
    for (const side of ["before", "after"]) {
      const value = change[side];
      if (value === undefined) {
        assert.equal(got[side], null, `${where}: ${change.path} shows a ${side} value it does not have`);
        continue;
      }
      const exact = expectedWords(value);
      if (exact !== undefined) {
        assert.equal(got[side], exact, `${where}: ${change.path} ${side}`);
      } else {
        for (const leaf of leafWords(value)) {
          assert.ok(got[side].includes(leaf), `${where}: ${change.path} ${side} lacks "${leaf}" in ${JSON.stringify(got[side])}`);
        }
        assert.ok(!got[side].includes("{") && !got[side].includes('"'), `${where}: ${change.path} ${side} reads as raw JSON`);
      }
    }
  });
}

/** Clicks the n-th history entry's sentence; waits for that event's detail; returns its event_idx. */
async function openEntry(app, index, event) {
  const eventIdx = await app.execute(
    `return document.querySelectorAll('${testId("timeline-entry")}')[arguments[0]]?.dataset.eventIdx ?? null;`,
    index,
  );
  assert.ok(eventIdx !== null, `no history entry #${index + 1}`);
  await click(app, `${testId("timeline-entry")} ${testId("entry-sentence")}`, `history entry #${index + 1}`, index);
  const opened = await app.waitFor(async () => {
    const shown = await app.execute(
      `const panel = document.querySelector('${testId("detail-panel")}');
       return panel && panel.offsetParent !== null ? panel.dataset.eventIdx : null;`,
    );
    return shown === eventIdx ? shown : undefined;
  }, { timeoutMs: 15_000 });
  assert.equal(opened, eventIdx, "clicking a history entry did not open its event's detail");
  const source = await app.execute(`return document.querySelector('${testId("detail-source")}').textContent;`);
  assert.ok(source.includes(event.id), `the detail opened is not ${event.id}: ${source}`);
  return eventIdx;
}

test("the changes shown for an event are its before → after, field by field, in words", { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "trailscope-e2e-diff-"));
  try {
    generate(dir, { events: 300, chains: 1, seed: 29 });
    const records = [...eventsByRecord(readEvents(dir)).values()];
    // An update with two or more changes whose every entry the test can model.
    const updated = records.find((list) =>
      list.some((e) => e.before && e.after && (expectedChanges(e.before, e.after)?.length ?? 0) >= 2) &&
      list.every((e) => expectedChanges(e.before, e.after) !== undefined));
    assert.ok(updated !== undefined, "no record with a two-field update in the generated bundle");
    const updateIndex = updated.findIndex((e) => e.before && e.after && expectedChanges(e.before, e.after).length >= 2);
    const update = updated[updateIndex];
    // A creation with nested values (an order's address and items).
    const created = records.find((list) => isObject(list[0].after) && !list[0].before &&
      Object.values(list[0].after).some((value) => !isPlain(value)));
    assert.ok(created !== undefined, "no record created with nested values in the generated bundle");

    await withApp([dir], async (app) => {
      assert.ok(
        (await app.waitForElement(testId("tab-record"), { timeoutMs: 30_000 })) !== undefined,
        "the case never opened (no Record history tab)",
      );
      await useUtc(app);

      // In the record history, every entry shows its own changes.
      const target = updated[updated.length - 1].target;
      await chooseRecord(app, target.type, target.id, target.name);
      assert.ok(
        (await app.waitFor(async () => (await app.findAll(testId("timeline-entry"))).length === updated.length, { timeoutMs: 10_000 })) !== undefined,
        "the history does not list every event of the record",
      );
      for (const [index, event] of updated.entries()) {
        const shown = await shownChanges(app, `${testId("timeline-entry")}:nth-child(${index + 1})`);
        const expected = expectedChanges(event.before, event.after);
        assertChangesMatch(shown, expected, `history entry ${index + 1} (${event.action})`);
      }

      // The update's detail panel shows the same changes.
      await openEntry(app, updateIndex, update);
      assertChangesMatch(await shownChanges(app, testId("detail-panel")), expectedChanges(update.before, update.after), `detail of ${update.action}`);
      for (const check of ["detail-check-hash", "detail-check-link"]) {
        const status = await app.execute(`return document.querySelector('${testId(check)}')?.dataset.status ?? null;`);
        assert.equal(status, "proven", `${check} of an intact bundle's event`);
      }

      // From the detail, back to the record's history at that event's moment.
      await click(app, testId("detail-open-record"), "the detail's record history link");
      const at = await app.waitFor(async () => {
        const text = await app.execute(
          `const at = document.querySelector('${testId("record-at")}'); return at && at.offsetParent !== null ? at.textContent : null;`,
        );
        return text !== null && text.includes(utcText(update.ts)) ? text : undefined;
      }, { timeoutMs: 15_000 });
      assert.ok(at !== undefined, `the record history did not open at ${utcText(update.ts)}`);
      const marked = await app.execute(
        `return document.querySelector('${testId("timeline-entry")}[aria-current="true"]')?.dataset.eventIdx ?? null;`,
      );
      assert.ok(marked !== null, "no history entry is marked at the event's moment");

      // A creation: every field added, nested values as readable lines.
      const first = created[0];
      const createdTarget = created[created.length - 1].target;
      await chooseRecord(app, createdTarget.type, createdTarget.id, createdTarget.name);
      await openEntry(app, 0, first);
      assertChangesMatch(await shownChanges(app, testId("detail-panel")), expectedChanges(first.before, first.after), `detail of ${first.action}`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
