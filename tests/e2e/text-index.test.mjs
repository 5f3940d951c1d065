// The text index built by the app in the background, in the real app: a case imported
// by the CLI with `--no-text-index` (so its index is missing) is opened; while the app
// indexes its words, a note under the search box says how far word search is prepared
// (when the build is too quick to be seen, the test says so and goes on); once the
// note is gone, a word search finds exactly the events holding that word, a typed `*`
// finds the words it starts, and a piece inside a word finds nothing, which the scan
// before the index did find. A text search shown when the index completes is run again.
//
// Ground truth: the bundle's own lines, split into words the way the engine's index
// does (every value of the record but our chain's own hashes, by Unicode letters and
// digits, ignoring case and accents), never the app or the CLI.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

import { cliBinary, testId, withApp } from "./lib/app.mjs";
import { generate } from "./lib/bundle.mjs";
import { fill, need, openTab, until } from "./lib/views.mjs";

/** Enough events that indexing takes a moment (about 2 s) on a fast machine. */
const EVENTS = 150_000;

/** The table's page size: a count above it leaves more to scroll for. */
const PAGE = 200;

const NOTE = /^Preparing word search: (\d{1,2})% — until then search looks for any piece of text and may be slow$/;
const HELP = "Finds events holding every word you type; end a word with * to match its start (mar* finds Maria)";

/** Runs the CLI; fails with its stderr when it exits with a status above `okUpTo`. */
function cli(args, okUpTo = 0) {
  const run = spawnSync(cliBinary, args, { encoding: "utf8", timeout: 180_000 });
  assert.ok(run.status !== null && run.status <= okUpTo, `trailscope ${args.join(" ")} failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}

/** Lower case without accents, as the index's tokenizer (`unicode61 remove_diacritics 2`) folds words. */
const fold = (text) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/** The words of one stored line as the index takes them: values only, without hash, prev_hash and body_hash. */
function wordsOf(line) {
  const values = [];
  const walk = (value, top) => {
    if (typeof value === "string") values.push(value);
    else if (typeof value === "number") values.push(String(value));
    else if (Array.isArray(value)) for (const item of value) walk(item, false);
    else if (value !== null && typeof value === "object") {
      for (const [name, member] of Object.entries(value)) {
        if (!(top && (name === "hash" || name === "prev_hash" || name === "body_hash"))) walk(member, false);
      }
    }
  };
  walk(JSON.parse(line), true);
  return new Set(fold(values.join(" ")).split(/[^\p{L}\p{N}\p{Co}]+/u).filter((word) => word !== ""));
}

/** What the status line says once the shell has counted `n` matching events (more than a page leaves more to scroll for). */
function statusFor(n) {
  if (n === 0) return "No events match.";
  const count = `${n.toLocaleString("en-US")} ${n === 1 ? "event matches" : "events match"}`;
  return n > PAGE ? `${count}; scroll for more` : count;
}

function statusLine(app) {
  return app.execute(`return document.querySelector('[data-testid="events-status"]')?.textContent ?? "";`);
}

async function waitForStatus(app, expected, what) {
  const seen = await app.waitFor(async () => ((await statusLine(app)) === expected ? true : undefined), { timeoutMs: 60_000 });
  assert.ok(seen, `${what}: the status line says ${JSON.stringify(await statusLine(app))}, not ${JSON.stringify(expected)}`);
}

/** How many rows the table holds (its spacer is 32 px a row). */
function rowsLoaded(app) {
  return app.execute(
    `return Math.round(parseFloat(document.querySelector('[data-testid="events-table"] .table-spacer')?.style.height || "0") / 32);`,
  );
}

test("the app builds a missing text index in the background, then searches whole words", { timeout: 600_000 }, async (t) => {
  const work = mkdtempSync(path.join(os.tmpdir(), "trailscope-text-index-e2e-"));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const bundle = path.join(work, "bundle");
  generate(bundle, { events: EVENTS, chains: 2, seed: 31 });
  const lines = readFileSync(path.join(bundle, "events.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
  assert.equal(lines.length, EVENTS);

  // The ground truth: an actor's first name, a prefix of it, and a piece inside it.
  const names = new Set(lines.map((line) => JSON.parse(line).actor?.name).filter((name) => typeof name === "string"));
  assert.ok([...names].some((name) => name.startsWith("Maria ")), `no actor named Maria in ${[...names].join(", ")}`);
  const words = lines.map(wordsOf);
  const holding = (test) => words.filter((set) => [...set].some(test)).length;
  const maria = holding((word) => word === "maria");
  const mar = holding((word) => word.startsWith("mar"));
  const aria = holding((word) => word === "aria");
  const ariaAnywhere = lines.filter((line) => fold(line).includes("aria")).length;
  t.diagnostic(`${EVENTS} events: "maria" ${maria}, "mar*" ${mar}, the word "aria" ${aria}, "aria" anywhere ${ariaAnywhere}`);
  assert.ok(maria > PAGE && mar > maria, "the bundle is a poor test of words and prefixes");
  assert.equal(aria, 0, "the word aria is in the bundle");
  assert.ok(ariaAnywhere > 0, "no line holds aria: the scan and the index would agree");

  // Imported by the CLI without the text index (exit 3: intact, no trusted signature).
  const casePath = path.join(work, "words.trailscope");
  cli(["import", "--case", casePath, "--no-text-index", bundle], 4);

  await withApp([casePath], async (app) => {
    await openTab(app, "events");
    await need(app, testId("event-row"), "the first event rows", 60_000);
    const note = await need(app, testId("search-note"), "the note under the search box");
    assert.ok(note !== undefined);

    // Every text the note shows from now on, recorded in the page (the build may be
    // quicker than a WebDriver round trip), and the stage it shows now.
    const first = await app.execute(
      `const note = document.querySelector('[data-testid="search-note"]');
       window.__searchNotes = [];
       const record = () => { if (!note.hidden) window.__searchNotes.push(note.textContent); };
       record();
       new MutationObserver(record).observe(note, { attributes: true, childList: true, characterData: true, subtree: true });
       return { stage: note.dataset.index ?? "unknown", text: note.textContent, hidden: note.hidden };`,
    );
    t.diagnostic(`the note at first: ${JSON.stringify(first)}`);

    // Still preparing: a search for a piece of a word finds events (the scan), and is
    // run again once the index is complete, when it finds none.
    const searchedEarly = first.stage !== "complete";
    if (searchedEarly) await fill(app, testId("filter-search"), "aria", "the search box");

    const done = await until(
      app,
      `const note = document.querySelector('[data-testid="search-note"]');
       return note?.dataset.index === "complete" ? { hidden: note.hidden, text: note.textContent } : false;`,
      "the text index was not complete within 60 s",
    );
    assert.deepEqual(done, { hidden: true, text: "" }, "the note stays once the index is complete");
    const seen = await app.execute("return window.__searchNotes;");
    if (seen.length === 0) {
      t.diagnostic("the index was complete before the note could be seen (too quick on this machine)");
    } else {
      t.diagnostic(`the note said: ${[...new Set(seen)].join(" | ")}`);
      let before = -1;
      for (const text of seen) {
        const match = NOTE.exec(text);
        assert.ok(match !== null, `the note said ${JSON.stringify(text)}`);
        const percent = Number(match[1]);
        assert.ok(percent >= before, `the note went back from ${before}% to ${percent}%`);
        before = percent;
      }
    }
    assert.equal(await app.execute(`return document.querySelector('[data-testid="filter-search"]').title;`), HELP);

    if (searchedEarly) {
      // Re-run on completion: nothing holds the word "aria".
      await waitForStatus(app, statusFor(0), "the search for aria, run again once the index was complete");
      assert.equal(await rowsLoaded(app), 0, "rows shown for aria");
    }

    // A whole word: exactly the events holding it.
    await fill(app, testId("filter-search"), "maria", "the search box");
    await waitForStatus(app, statusFor(maria), "the search for maria");
    const shown = await app.execute(
      `return [...document.querySelectorAll('[data-testid="event-row"]')].map((row) => Number(row.dataset.eventIdx));`,
    );
    assert.ok(shown.length > 0, "no rows for maria");
    for (const idx of shown) assert.ok(words[idx - 1].has("maria"), `row ${idx} does not hold the word maria`);

    // A prefix: every word it starts.
    await fill(app, testId("filter-search"), "mar*", "the search box");
    await waitForStatus(app, statusFor(mar), "the search for mar*");

    // A piece inside a word: nothing, though the scan would have found it.
    await fill(app, testId("filter-search"), "aria", "the search box");
    await waitForStatus(app, statusFor(0), "the search for aria");
    assert.equal(await rowsLoaded(app), 0, "rows shown for aria");
  });
});
