// Evidence excerpts in the real app, on the spec's sample bundle, with
// TRAILSCOPE_SAVE_DIR set to a fresh folder (the shell's save dialogs then save there
// under the name they would suggest, since WebDriver cannot drive a native dialog):
// the reviewer stars two events, filters the table by Starred, and makes an excerpt of
// that view with a reason through "Evidence excerpt…"; the notice says what was saved
// and the folder holds the signed statement. "Export journal…" writes the journal into
// a folder of its own. Opening the excerpt's folder from the start screen shows its
// check, which holds, with both events ✓; after one byte of part-1/events.jsonl is
// changed on disk, a second app started with the folder shows that it does NOT hold
// and names the file.
//
// Ground truth: the events excerpted are the rows the test starred; the check's
// headline and each event's place are the CLI's (`trailscope verify EXCERPT --json`)
// for the same folder; the files are what is on disk.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

import { cliBinary, testId, vectorsDir, withApp } from "./lib/app.mjs";
import { clickNow, fill, need, openTab, until } from "./lib/views.mjs";

const sample = path.join(vectorsDir, "sample");
const REASON = "Two sign-ins <b>worth</b> a second look & a note";

/** The event indexes of the table's rows, once the status line says they are all loaded. */
async function shownRows(app) {
  return until(
    app,
    `const status = document.querySelector('[data-testid="events-status"]');
     if (status === null || /Loading|loading|scroll/.test(status.textContent)) return false;
     return [...document.querySelectorAll('[data-testid="event-row"]')].map((row) => Number(row.dataset.eventIdx));`,
    "the events table did not settle",
  );
}

/** The frame's notice once it starts with `start`. */
function notice(app, start) {
  return until(
    app,
    `const box = document.querySelector('[data-testid="error"]');
     return box !== null && !box.hidden && box.textContent.startsWith(arguments[0]) ? box.textContent : false;`,
    `no notice starting “${start}”`,
    start,
  );
}

/** Stars the event of a row through its detail panel. */
async function star(app, eventIdx) {
  await clickNow(app, `[data-testid="event-row"][data-event-idx="${eventIdx}"]`, `row ${eventIdx}`);
  await need(app, `[data-testid="detail-panel"][data-event-idx="${eventIdx}"] ${testId("marks-star")}`, `the detail of row ${eventIdx}`);
  await clickNow(app, `${testId("detail-panel")} ${testId("marks-star")}`, "Star");
  await until(
    app,
    `return document.querySelector('[data-testid="event-row"][data-event-idx="${eventIdx}"] [data-testid="row-star"]')?.textContent === "★";`,
    `row ${eventIdx} shows no star`,
  );
}

/**
 * The CLI's check of an excerpt folder (`trailscope verify DIR --json`) with the same
 * trusted keys as the app, as the ground truth.
 */
function cliCheck(dir) {
  const keys = process.env.TRAILSCOPE_TRUSTED_KEYS ?? path.join(vectorsDir, "trusted-keys.txt");
  const run = spawnSync(cliBinary, ["verify", "--trusted-keys", keys, "--json", dir], { encoding: "utf8", timeout: 60_000 });
  assert.ok(run.stdout.length > 0, `trailscope verify said nothing: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** The excerpt check view once it has an answer: headline, statement and every event. */
function shownCheck(app) {
  return until(
    app,
    `const headline = document.querySelector('[data-testid="excerpt-headline"]');
     if (headline === null || headline.dataset.holds === undefined) return false;
     const text = (id) => document.querySelector('[data-testid="' + id + '"]')?.textContent ?? null;
     return {
       holds: headline.dataset.holds,
       headline: headline.textContent,
       madeBy: text("excerpt-made-by"),
       keyWords: text("excerpt-key-words"),
       reason: text("excerpt-reason"),
       statementProblems: [...document.querySelectorAll('[data-testid="excerpt-statement-problem"]')].map((n) => n.textContent),
       parts: [...document.querySelectorAll('[data-testid="excerpt-part"]')].map((part) => ({
         proven: part.dataset.proven,
         sentence: part.querySelector('[data-testid="excerpt-part-sentence"]')?.textContent ?? "",
         problems: [...part.querySelectorAll('[data-testid="excerpt-part-problem"]')].map((n) => n.textContent),
         events: [...part.querySelectorAll('[data-testid="excerpt-event"]')].map((event) => ({
           proven: event.dataset.proven,
           mark: event.querySelector('[data-testid="excerpt-event-mark"]').textContent,
           what: event.querySelector('[data-testid="excerpt-event-what"]').textContent,
           detail: event.querySelector('[data-testid="excerpt-event-detail"]').textContent,
         })),
       })),
     };`,
    "the excerpt's check is not shown",
  );
}

test("an excerpt of the starred events is written, journaled, checked, and fails after one byte changes", { timeout: 600_000 }, async (t) => {
  assert.ok(existsSync(path.join(sample, "events.jsonl")), `no spec vectors at ${sample}`);
  const saveDir = mkdtempSync(path.join(os.tmpdir(), "trailscope-excerpt-e2e-"));
  // A copy of the sample, so that its case (and the stars put in it) is this test's
  // own: the suite shares one data folder, and other tests open the sample itself.
  const copy = path.join(saveDir, "bundle", "sample");
  cpSync(sample, copy, { recursive: true });
  let excerptDir = "";
  try {
    await withApp(
      [copy],
      async (app) => {
        await openTab(app, "events");
        const all = await shownRows(app);
        assert.ok(all.length >= 3, `the sample shows ${all.length} rows`);
        const chosen = [all[0], all[2]];
        for (const eventIdx of chosen) await star(app, eventIdx);
        await clickNow(app, testId("filter-starred"), "the Starred toggle");
        await until(app, `return [...document.querySelectorAll('[data-testid="filter-chip"]')].some((chip) => chip.dataset.field === "starred");`, "no Starred chip");
        const starred = await shownRows(app);
        assert.deepEqual([...starred].sort(), [...chosen].sort(), "Starred does not show the two starred events");

        // The excerpt of this view, with a reason, from the in-app dialog.
        const casePath = await app.execute(`return document.querySelector('[data-testid="case-path"]').textContent;`);
        const stem = path.basename(casePath).replace(/\.trailscope$/, "");
        excerptDir = path.join(saveDir, `${stem}-excerpt-2-events`);
        await clickNow(app, testId("excerpt-open"), "Evidence excerpt…");
        await until(app, `return document.querySelector('[data-testid="excerpt-dialog"]')?.open === true;`, "the excerpt dialog did not open");
        await fill(app, testId("excerpt-reason"), REASON, "the reason");
        await clickNow(app, testId("excerpt-write"), "Choose a folder and write…");
        const message = await notice(app, "Excerpt saved:");
        t.diagnostic(message);
        assert.match(message, /^Excerpt saved: 2 events from sample, \S.*\. Folder: /, message);
        assert.ok(message.endsWith(`Folder: ${excerptDir}`), `${message} does not name ${excerptDir}`);
        const closed = await app.execute(`return document.querySelector('[data-testid="excerpt-dialog"]').open;`);
        assert.equal(closed, false, "the dialog stayed open");
        const statementPath = path.join(excerptDir, "statement.json");
        assert.ok(existsSync(statementPath), `no ${statementPath}`);
        const statement = JSON.parse(readFileSync(statementPath, "utf8"));
        assert.equal(statement.selection.reason, REASON);
        assert.equal(statement.selection.count, 2);

        // The journal lists it, and exports into a folder of its own.
        await openTab(app, "journal");
        const entry = await until(
          app,
          `const entry = [...document.querySelectorAll('[data-testid="journal-entry"]')].find((node) => node.dataset.action === "excerpt.written");
           return entry === undefined ? false : entry.querySelector('[data-testid="journal-sentence"]').textContent;`,
          "the Journal does not list the excerpt",
        );
        t.diagnostic(`journal: ${entry}`);
        await clickNow(app, testId("journal-export"), "Export journal…");
        const exported = await notice(app, "Journal exported");
        const journalDir = path.join(saveDir, `${stem}-journal`);
        assert.ok(exported.endsWith(journalDir), `${exported} does not name ${journalDir}`);
        for (const file of ["events.jsonl", "manifest.json"]) {
          assert.ok(existsSync(path.join(journalDir, file)), `the exported journal has no ${file}`);
        }

        // Open the excerpt's folder from the start screen: its check, not an import.
        const truth = cliCheck(excerptDir);
        assert.equal(truth.holds, true, truth.headline);
        await clickNow(app, testId("open-another"), "Open another…");
        await fill(app, testId("open-path-input"), excerptDir, "the path box");
        await clickNow(app, testId("open-path"), "Open");
        await need(app, testId("excerpt-view"), "the excerpt's check", 60_000);
        const shown = await shownCheck(app);
        t.diagnostic(shown.headline);
        assert.equal(shown.holds, "true", shown.headline);
        assert.equal(shown.headline, truth.headline);
        assert.equal(shown.reason, REASON, "the reason is not shown as written");
        assert.equal(shown.keyWords, "Signed with your own key.");
        assert.deepEqual(shown.statementProblems, []);
        const events = shown.parts.flatMap((part) => part.events);
        assert.equal(events.length, 2, JSON.stringify(shown.parts));
        assert.ok(events.every((event) => event.proven === "true" && event.mark === "✓"), JSON.stringify(events));
        // Each event in the engine's words, where it is beside it (as the CLI says them).
        const expected = truth.parts.flatMap((part) => part.events.map((event) => event.said));
        assert.ok(expected.every((said) => typeof said === "string" && said.length > 0), JSON.stringify(truth.parts));
        assert.deepEqual(events.map((event) => event.what), expected);
        const places = truth.parts.flatMap((part) => part.events.map((event) => event.what));
        assert.ok(events.every((event, i) => event.detail.startsWith(`${places[i]}: `)), JSON.stringify(events));
        assert.deepEqual(shown.parts.map((part) => part.sentence), truth.parts.map((part) => part.sentence));
        // The reason arrived as text, never as markup.
        const markup = await app.execute(`return document.querySelector('[data-testid="excerpt-view"] b') !== null;`);
        assert.equal(markup, false, "the reason was rendered as HTML");
      },
      { env: { TRAILSCOPE_SAVE_DIR: saveDir } },
    );

    // One byte changed on disk: the check no longer holds and names the file.
    const eventsFile = path.join(excerptDir, "part-1", "events.jsonl");
    const bytes = readFileSync(eventsFile);
    const at = bytes.indexOf(Buffer.from('"seq"')) + 1;
    assert.ok(at > 0, "no seq in the excerpt's events");
    bytes[at] = "S".charCodeAt(0);
    writeFileSync(eventsFile, bytes);
    const truth = cliCheck(excerptDir);
    assert.equal(truth.holds, false, "the CLI still says the changed excerpt holds");
    await withApp([excerptDir], async (app) => {
      await need(app, testId("excerpt-view"), "the excerpt's check (second app)", 60_000);
      const shown = await shownCheck(app);
      t.diagnostic(shown.headline);
      assert.equal(shown.holds, "false", shown.headline);
      assert.equal(shown.headline, truth.headline);
      assert.match(shown.headline, /does NOT hold/);
      assert.ok(
        shown.statementProblems.some((problem) => problem.includes("part-1/events.jsonl")),
        `no problem names part-1/events.jsonl: ${JSON.stringify(shown.statementProblems)}`,
      );
      const events = shown.parts.flatMap((part) => part.events);
      assert.ok(events.some((event) => event.proven === "false" && event.mark === "✗" && event.detail !== ""), JSON.stringify(events));
      assert.ok(shown.parts.some((part) => part.proven === "false"));
    });
  } finally {
    rmSync(saveDir, { recursive: true, force: true });
  }
});
