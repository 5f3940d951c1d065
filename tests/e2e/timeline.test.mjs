// Record history: a record's state at a chosen moment, as the app shows it, equals the
// state the test folds itself from the bundle's raw events; the slider and the
// date-time picker both move the moment. Fails (never skips) when the view is missing.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { testId, withApp } from "./lib/app.mjs";
import { generate, readEvents } from "./lib/bundle.mjs";
import {
  changesRecord,
  chooseRecord,
  eventsByRecord,
  expectedWords,
  foldState,
  leafWords,
  shownFields,
  useUtc,
  utcText,
} from "./lib/history.mjs";

/**
 * A record with at least three changes, and a moment strictly between two of them
 * (whole seconds, as a person types it) after at least two changes.
 */
function pickRecordAndMoment(events) {
  for (const list of eventsByRecord(events).values()) {
    const changing = list.filter(changesRecord);
    if (changing.length < 3) continue;
    for (let k = 1; k + 1 < changing.length; k += 1) {
      const from = Date.parse(changing[k].ts);
      const to = Date.parse(changing[k + 1].ts);
      const moment = Math.floor((from + to) / 2000) * 1000;
      if (moment > from && moment < to) {
        return { list, moment, lastBefore: changing[k] };
      }
    }
  }
  throw new Error("the generated bundle has no record with three changes at distinct seconds");
}

/** Asserts the view's fields equal the fold, value by value, for every field the fold knows. */
function assertFieldsMatch(shown, expected, when) {
  assert.deepEqual(Object.keys(shown).sort(), Object.keys(expected).sort(), `${when}: the fields shown`);
  for (const [name, value] of Object.entries(expected)) {
    assert.ok(name in shown, `${when}: the view does not show the field ${name}`);
    const exact = expectedWords(value);
    if (exact !== undefined) {
      assert.equal(shown[name], exact, `${when}: field ${name}`);
    } else {
      for (const leaf of leafWords(value)) {
        assert.ok(shown[name].includes(leaf), `${when}: field ${name} lacks "${leaf}" in ${JSON.stringify(shown[name])}`);
      }
    }
  }
}

/** Waits until record-at reads `text` (or contains it); returns what it read. */
function waitForMoment(app, text) {
  return app.waitFor(async () => {
    const shown = await app.execute(`return document.querySelector('${testId("record-at")}')?.textContent ?? null;`);
    return shown !== null && shown.includes(text) ? shown : undefined;
  }, { timeoutMs: 15_000 });
}

test("the record history shows a record's state at a chosen moment, as folded from its events", { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "trailscope-e2e-timeline-"));
  try {
    generate(dir, { events: 300, chains: 1, seed: 23 });
    const events = readEvents(dir);
    const { list, moment, lastBefore } = pickRecordAndMoment(events);
    const { type, id, name } = list[list.length - 1].target;
    const expectedAtMoment = foldState(list, moment);
    assert.ok(Object.keys(expectedAtMoment).length > 0, "the fold knows no field at the moment");

    await withApp([dir], async (app) => {
      assert.ok(
        (await app.waitForElement(testId("tab-record"), { timeoutMs: 30_000 })) !== undefined,
        "the case never opened (no Record history tab)",
      );
      await useUtc(app);
      await chooseRecord(app, type, id, name);

      // Every event about the record is listed, in order.
      const entries = await app.waitFor(async () => {
        const found = await app.findAll(testId("timeline-entry"));
        return found.length === list.length ? found : undefined;
      }, { timeoutMs: 10_000 });
      assert.ok(entries !== undefined, `the history does not list the record's ${list.length} events`);

      // The latest state first: after every event.
      assertFieldsMatch(await shownFields(app), foldState(list, Number.POSITIVE_INFINITY), "latest state");

      // The date-time picker: a moment between two changes.
      const pickerValue = new Date(moment).toISOString().slice(0, 19);
      await app.execute(
        `const picker = document.querySelector('${testId("record-picker")}');
         picker.value = arguments[0];
         picker.dispatchEvent(new Event("change", { bubbles: true }));`,
        pickerValue,
      );
      const atText = await waitForMoment(app, utcText(new Date(moment).toISOString()));
      assert.ok(atText !== undefined, `record-at never showed ${utcText(new Date(moment).toISOString())}`);
      const shown = await app.waitFor(async () => {
        const fields = await shownFields(app);
        return Object.keys(fields).length > 0 ? fields : undefined;
      }, { timeoutMs: 10_000 });
      assert.ok(shown !== undefined, "no record-field at the chosen moment");
      assertFieldsMatch(shown, expectedAtMoment, `state at ${pickerValue}Z`);

      // The entry at the moment is the last event at or before it, and it is marked.
      const currentIndex = await app.execute(
        `return [...document.querySelectorAll('${testId("timeline-entry")}')].findIndex((e) => e.getAttribute("aria-current") === "true");`,
      );
      const expectedIndex = list.findLastIndex((event) => Date.parse(event.ts) <= moment);
      assert.equal(currentIndex, expectedIndex, "the entry marked as at this moment");
      assert.ok(list.indexOf(lastBefore) <= expectedIndex, "the marked entry comes after the last change before the moment");

      // The slider: its first stop is the record's first event.
      await app.execute(
        `const slider = document.querySelector('${testId("record-slider")}');
         slider.value = "0";
         slider.dispatchEvent(new Event("input", { bubbles: true }));`,
      );
      const first = list[0];
      const firstText = utcText(first.ts);
      assert.ok(
        (await app.waitFor(async () => {
          const text = await app.execute(`return document.querySelector('${testId("record-at")}')?.textContent ?? "";`);
          return text.startsWith("State at") && text.includes(firstText) ? text : undefined;
        }, { timeoutMs: 15_000 })) !== undefined,
        `moving the slider to its start did not show the state at ${firstText}`,
      );
      assertFieldsMatch(await shownFields(app), foldState(list, Date.parse(first.ts)), "state at the first event");
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
