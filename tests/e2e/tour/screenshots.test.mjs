// A tour of the app for screenshots: opens a bundle, then captures the events view
// with an event's detail open (the README's picture) and, when TRAILSCOPE_SHOTS_TOUR
// is set, the event starred, tagged and noted (`-marks`), every other tab too (actors,
// questions, record history, keys), the reviewer's journal (`-journal`), the
// "Evidence excerpt…" dialog over the events (`-excerpt-dialog`, then cancelled), and the
// check of an evidence excerpt of the starred event (`-excerpt`, made with the CLI and opened
// from the start screen; `-excerpt-broken` after one byte of it changed). Run by
// scripts/screenshot.sh; not part of the test suite.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

import { cliBinary, testId, withApp } from "../lib/app.mjs";
import { sleep } from "../lib/webdriver.mjs";

const out = process.env.TRAILSCOPE_SHOTS_OUT;
const bundle = process.env.TRAILSCOPE_SHOTS_BUNDLE;
const tour = process.env.TRAILSCOPE_SHOTS_TOUR === "1";

/**
 * Captures the app's window from the X server (ImageMagick's `import`, which
 * scripts/screenshot.sh installs): WebKit's WebDriver screenshot hangs on some views.
 * Falls back to the WebDriver screenshot when X cannot name the window.
 */
async function save(app, file) {
  // Let fonts, bars and the virtual table settle after the last click.
  await sleep(800);
  let window = "";
  try {
    const info = execFileSync("xwininfo", ["-name", "Trailscope"], { encoding: "utf8" });
    window = /Window id: (0x[0-9a-f]+)/.exec(info)?.[1] ?? "";
  } catch {
    // no xwininfo, or no window of that name
  }
  if (window !== "") {
    execFileSync("import", ["-window", window, file]);
  } else {
    writeFileSync(file, await app.screenshot());
  }
  console.log(`screenshot: wrote ${file}`);
}

test("screenshots of the app", { timeout: 300_000 }, async () => {
  assert.ok(out !== undefined && bundle !== undefined, "set TRAILSCOPE_SHOTS_OUT and TRAILSCOPE_SHOTS_BUNDLE");
  await withApp([bundle], async (app) => {
    assert.ok(await app.waitForElement(testId("event-row"), { timeoutMs: 60_000 }), "no event rows");
    const rows = await app.findAll(testId("event-row"));
    // An event with changes makes the better picture: the first one whose sentence says "changed".
    let chosen = rows[0];
    for (const row of rows.slice(0, 15)) {
      if ((await app.textContent(row)).includes(" changed ")) {
        chosen = row;
        break;
      }
    }
    await app.click(chosen);
    assert.ok(await app.waitForElement(testId("detail-panel"), { timeoutMs: 10_000 }), "no detail panel");
    await save(app, out);
    if (!tour) return;
    const base = out.replace(/\.png$/, "");
    // The reviewer's marks on the event: a star, a tag and a note (all journalled).
    const inPage = (script, ...args) => app.waitFor(() => app.execute(script, ...args), { timeoutMs: 10_000 });
    const enabled = (id) =>
      `const node = document.querySelector('[data-testid="detail-panel"] [data-testid="${id}"]');
       if (node === null || node.disabled) return false;`;
    await inPage(`${enabled("marks-star")} node.click(); return true;`);
    await inPage(`${enabled("marks-tag-input")} node.value = arguments[0]; return true;`, "follow up");
    await inPage(`${enabled("marks-tag-add")} node.click(); return true;`);
    await inPage(`${enabled("marks-note")} node.value = arguments[0]; return true;`, "Asked the owner about this change on Monday.");
    await inPage(`${enabled("marks-note-save")} node.click(); return true;`);
    await inPage(`return document.querySelector('[data-testid="marks-status"]')?.textContent.startsWith("Saved") && !document.querySelector('[data-testid="marks-note-save"]').disabled;`);
    await save(app, `${base}-marks.png`);
    const record = await app.findAll(testId("detail-open-record"));
    if (record.length > 0) {
      await app.click(record[0]);
      await app.waitForElement(testId("timeline-entry"), { timeoutMs: 10_000 });
      await save(app, `${base}-record.png`);
    }
    await app.clickSelector(testId("tab-actors"));
    const actor = await app.waitForElement(testId("actor-item"), { timeoutMs: 10_000 });
    if (actor !== undefined) {
      await app.click(actor);
      await app.waitForElement(testId("histogram-bar"), { timeoutMs: 10_000 });
    }
    await save(app, `${base}-actors.png`);
    await app.clickSelector(testId("tab-questions"));
    const question = await app.waitForElement(`${testId("question")}[data-question-id="permission-denials"]`, { timeoutMs: 10_000 });
    if (question !== undefined) {
      await app.click(question);
      await app.waitForElement(testId("question-answer"), { timeoutMs: 10_000 });
    }
    await save(app, `${base}-questions.png`);
    await app.clickSelector(testId("tab-trust"));
    await save(app, `${base}-keys.png`);
    await app.clickSelector(testId("tab-journal"));
    await app.waitForElement(testId("journal-entry"), { timeoutMs: 10_000 });
    await save(app, `${base}-journal.png`);
    await app.clickSelector(testId("tab-events"));
    await inPage(`const node = document.querySelector('[data-testid="excerpt-open"]'); if (node === null) return false; node.click(); return true;`);
    await inPage(`const node = document.querySelector('[data-testid="excerpt-reason"]'); if (node === null) return false; node.value = arguments[0]; return true;`, "The refund approved by the person who asked for it.");
    await save(app, `${base}-excerpt-dialog.png`);
    await inPage(`document.querySelector('[data-testid="excerpt-cancel"]').click(); return true;`);
    // An evidence excerpt of the starred event, made with the CLI under the same
    // reviewer, then opened from the start screen like any folder.
    const casePath = await app.execute(`return document.querySelector('[data-testid="case-path"]').textContent;`);
    const scratch = mkdtempSync(path.join(os.tmpdir(), "trailscope-tour-excerpt-"));
    const excerpt = path.join(scratch, "march-refund-excerpt");
    try {
      execFileSync(cliBinary, ["excerpt", "--case", casePath, "--starred", "--why", "The refund approved by the person who asked for it.", "--out", excerpt]);
      const openExcerpt = async () => {
        await app.clickSelector(testId("open-another"));
        await inPage(`const node = document.querySelector('[data-testid="open-path-input"]'); if (node === null) return false; node.value = arguments[0]; return true;`, excerpt);
        await app.clickSelector(testId("open-path"));
        await inPage(`return document.querySelector('[data-testid="excerpt-headline"]')?.dataset.holds !== undefined;`);
      };
      await openExcerpt();
      await save(app, `${base}-excerpt.png`);
      const eventsFile = path.join(excerpt, "part-1", "events.jsonl");
      const bytes = readFileSync(eventsFile);
      bytes[bytes.indexOf(Buffer.from('"seq"')) + 1] = "S".charCodeAt(0);
      writeFileSync(eventsFile, bytes);
      await openExcerpt();
      await save(app, `${base}-excerpt-broken.png`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
  assert.ok(path.isAbsolute(out), "TRAILSCOPE_SHOTS_OUT must be absolute");
});
