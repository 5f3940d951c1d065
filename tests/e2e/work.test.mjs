// The reviewer's work product in the real app, on the spec's sample bundle: the
// reviewer names themself in the Keys view ("You"), stars an event, tags it and writes
// a note on it in its detail panel; the table's Starred filter and its tag filter then
// list exactly that event; the search is saved and shows, with its count, among the
// Questions view's saved searches; the Journal view lists the star, the tag, the note
// and the saved search, newest first, under the reviewer's name, with a headline that
// holds; and the verification sidebar shows the source's custody receipt sentence.
//
// Ground truth: the event starred is the one the test clicked (its row's event index),
// the count of the saved search is 1 because one event carries the star; the journal's
// order is the order of the test's own actions.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { testId, vectorsDir, withApp } from "./lib/app.mjs";
import { clickNow, fill, need, openTab, readAll, until } from "./lib/views.mjs";

const sample = path.join(vectorsDir, "sample");
const NAME = "Robin Reviewer";
const TAG = "refund check";
const NOTE = "Asked finance about this one on Monday.";
const SEARCH = "Starred refund checks";

/** The event indexes of the table's rows, once the status line says they are all loaded. */
async function shownRows(app) {
  return until(
    app,
    `const status = document.querySelector('[data-testid="events-status"]');
     if (status === null || /Loading|loading|scroll/.test(status.textContent)) return false;
     return { status: status.textContent,
              rows: [...document.querySelectorAll('[data-testid="event-row"]')].map((row) => Number(row.dataset.eventIdx)) };`,
    "the events table did not settle",
  );
}

test("stars, tags and notes are kept, filter the table, are saved as a search and journalled", { timeout: 300_000 }, async (t) => {
  assert.ok(existsSync(path.join(sample, "events.jsonl")), `no spec vectors at ${sample}`);
  await withApp([sample], async (app) => {
    // Name the reviewer (the "You" card of Keys & checkpoints).
    await openTab(app, "trust");
    await need(app, testId("you-card"), "the You card");
    await until(app, `return document.querySelector('[data-testid="you-fingerprint"]')?.textContent.length > 0;`, "no key fingerprint shown");
    const line = await until(app, `return document.querySelector('[data-testid="you-trusted-line"]')?.textContent || false;`, "no trusted-keys line");
    t.diagnostic(`trusted-keys line: ${line}`);
    await fill(app, testId("you-name"), NAME, "the name field");
    await clickNow(app, testId("you-name-save"), "Save name");
    await until(app, `return document.querySelector('[data-testid="error"]')?.textContent.includes(arguments[0]);`, "no notice that the name was saved", NAME);

    // Open the first event of the table and mark it.
    await openTab(app, "events");
    const all = await shownRows(app);
    assert.ok(all.rows.length >= 2, `the sample shows ${all.rows.length} rows`);
    const chosen = all.rows[0];
    await clickNow(app, `[data-testid="event-row"][data-event-idx="${chosen}"]`, "the first row");
    await need(app, `[data-testid="detail-panel"][data-event-idx="${chosen}"]`, "the event's detail");
    await need(app, `${testId("detail-panel")} ${testId("marks")}`, "the marks in the detail");

    await clickNow(app, `${testId("detail-panel")} ${testId("marks-star")}`, "Star");
    await until(
      app,
      `return document.querySelector('[data-testid="detail-panel"] [data-testid="marks-star"]')?.getAttribute("aria-pressed") === "true";`,
      "the star did not turn on",
    );
    await until(
      app,
      `return document.querySelector('[data-testid="event-row"][data-event-idx="${chosen}"] [data-testid="row-star"]')?.textContent === "★";`,
      "the row shows no star",
    );

    await fill(app, `${testId("detail-panel")} ${testId("marks-tag-input")}`, TAG, "the tag input");
    await clickNow(app, `${testId("detail-panel")} ${testId("marks-tag-add")}`, "Add tag");
    await until(
      app,
      `return [...document.querySelectorAll('[data-testid="detail-panel"] [data-testid="marks-tag"]')].some((chip) => chip.dataset.tag === arguments[0]);`,
      "the tag chip did not appear",
      TAG,
    );
    await until(
      app,
      `return [...document.querySelectorAll('[data-testid="event-row"][data-event-idx="${chosen}"] [data-testid="row-tag"]')].some((tag) => tag.textContent === arguments[0]);`,
      "the row shows no tag",
      TAG,
    );

    await fill(app, `${testId("detail-panel")} ${testId("marks-note")}`, NOTE, "the note");
    // A real click (focus moves to the button, as a person's click does).
    await app.clickSelector(`${testId("detail-panel")} ${testId("marks-note-save")}`);
    await until(
      app,
      `const remove = document.querySelector('[data-testid="detail-panel"] [data-testid="marks-note-remove"]');
       return remove !== null && !remove.hidden && document.querySelector('[data-testid="marks-status"]')?.textContent.startsWith("Saved");`,
      "the note was not saved",
    );
    const kept = await app.execute(`return document.querySelector('[data-testid="detail-panel"] [data-testid="marks-note"]').value;`);
    assert.equal(kept, NOTE, "the note shown after saving is not the note written");

    // Around this event: the engine's neighbourhoods, in words.
    const around = await until(
      app,
      `const titles = [...document.querySelectorAll('[data-testid="around-title"]')].map((node) => node.textContent);
       return titles.length > 0 ? titles : false;`,
      "no Around this event",
    );
    assert.equal(around[0], "Just before and after", `around: ${JSON.stringify(around)}`);

    // Starred: exactly the event.
    await clickNow(app, testId("filter-starred"), "the Starred toggle");
    await until(app, `return [...document.querySelectorAll('[data-testid="filter-chip"]')].some((chip) => chip.dataset.field === "starred");`, "no Starred chip");
    const starred = await shownRows(app);
    assert.deepEqual(starred.rows, [chosen], `Starred shows ${JSON.stringify(starred)}`);

    // The tag alone: exactly the event.
    await clickNow(app, testId("filter-starred"), "the Starred toggle, off");
    const picked = await app.waitFor(() =>
      app.execute(
        `const select = document.querySelector('[data-testid="filter-tag"]');
         if (select === null || ![...select.options].some((option) => option.value === arguments[0])) {
           select?.dispatchEvent(new Event("focus"));
           return false;
         }
         select.value = arguments[0];
         select.dispatchEvent(new Event("change", { bubbles: true }));
         return true;`,
        TAG,
      ),
    );
    assert.ok(picked, `the tag picker does not offer “${TAG}”`);
    await until(
      app,
      `const chips = [...document.querySelectorAll('[data-testid="filter-chip"]')];
       return chips.some((chip) => chip.dataset.field === "tag" && chip.dataset.value === arguments[0]) && !chips.some((chip) => chip.dataset.field === "starred");`,
      "no tag chip (or the Starred chip stayed)",
      TAG,
    );
    const tagged = await shownRows(app);
    assert.deepEqual(tagged.rows, [chosen], `the tag shows ${JSON.stringify(tagged)}`);

    // Both, saved as a search.
    await clickNow(app, testId("filter-starred"), "the Starred toggle, on again");
    const both = await shownRows(app);
    assert.deepEqual(both.rows, [chosen]);
    await clickNow(app, testId("save-search"), "Save this search…");
    await fill(app, testId("save-search-name"), SEARCH, "the search's name");
    await clickNow(app, testId("save-search-confirm"), "Save");
    await until(app, `return document.querySelector('[data-testid="error"]')?.textContent.includes(arguments[0]);`, "no notice of the saved search", SEARCH);

    // The Questions view lists it with its count.
    await openTab(app, "questions");
    const saved = await until(
      app,
      `const item = [...document.querySelectorAll('[data-testid="saved-search"]')].find((node) => node.dataset.name === arguments[0]);
       return item === undefined ? false : item.querySelector('[data-testid="saved-search-count"]').textContent;`,
      "the saved search is not in the Questions view",
      SEARCH,
    );
    assert.equal(saved, "1 event now");

    // Running it shows the event again (and journals the run).
    await clickNow(app, `[data-testid="saved-search"][data-name="${SEARCH}"]`, "the saved search");
    const rerun = await shownRows(app);
    assert.deepEqual(rerun.rows, [chosen]);

    // The journal: holds, and lists the work newest first under the reviewer's name.
    await openTab(app, "journal");
    const journal = await until(
      app,
      `const entries = [...document.querySelectorAll('[data-testid="journal-entry"]')];
       const headline = document.querySelector('[data-testid="journal-headline"]');
       if (!entries.some((entry) => entry.dataset.action === "search.run")) return false;
       return {
         holds: headline.dataset.holds,
         headline: headline.textContent,
         head: document.querySelector('[data-testid="journal-head"]').textContent,
         entries: entries.map((entry) => ({
           action: entry.dataset.action,
           reviewer: entry.querySelector('[data-testid="journal-reviewer"]').textContent,
           sentence: entry.querySelector('[data-testid="journal-sentence"]').textContent,
           time: entry.querySelector('[data-testid="journal-time"]').textContent,
           utc: entry.querySelector('[data-testid="journal-time"]').title,
         })),
       };`,
      "the journal does not list the saved search's run",
    );
    t.diagnostic(`journal: ${journal.headline}`);
    assert.equal(journal.holds, "true", journal.headline);
    assert.match(journal.head, /^Journal head: [0-9a-f]{16,}/);
    const ours = journal.entries.filter((entry) => entry.reviewer === NAME).map((entry) => entry.action);
    assert.deepEqual(
      ours.filter((action) => ["search.run", "search.saved", "event.noted", "event.tagged", "event.starred"].includes(action)),
      ["search.run", "search.saved", "event.noted", "event.tagged", "event.starred"],
      `entries by ${NAME}: ${JSON.stringify(journal.entries)}`,
    );
    const sentence = (action) => journal.entries.find((entry) => entry.action === action)?.sentence ?? "";
    assert.ok(sentence("event.tagged").includes(TAG), sentence("event.tagged"));
    assert.ok(sentence("event.noted").includes(NOTE), sentence("event.noted"));
    assert.ok(sentence("search.saved").includes(SEARCH), sentence("search.saved"));
    for (const entry of journal.entries) {
      assert.match(entry.utc, / UTC$/, `an entry's time has no UTC on hover: ${JSON.stringify(entry)}`);
    }

    // The custody receipt of the sample, in the verification sidebar.
    const receipts = await readAll(app, testId("receipt"));
    assert.equal(receipts.length, 1, `receipts: ${JSON.stringify(receipts)}`);
    assert.equal(receipts[0].data.holds, "true");
    assert.match(receipts[0].text, /Received and sealed by you on .* unchanged since\./);
  });
});
