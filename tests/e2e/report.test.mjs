// The auditor's report in one click, in the real app, on the spec's sample bundle: the
// app is started with TRAILSCOPE_SAVE_DIR set to a fresh folder (the shell's save
// dialogs then save there under the name they would suggest, since WebDriver cannot
// drive a native dialog). "Report…" in the verification sidebar is busy while the
// engine writes, then the notice names the two files saved; the HTML file holds the
// case's verdict, the PDF beside it is a PDF, and the Journal lists the report.
//
// Ground truth: the verdict is the CLI's (`trailscope verify` of the same bundle with
// the same trusted keys), the files are what is in the folder afterwards.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

import { cliBinary, testId, vectorsDir, withApp } from "./lib/app.mjs";
import { need, openTab, until } from "./lib/views.mjs";

const sample = path.join(vectorsDir, "sample");

/** The verdict of the sample as the CLI gives it, with the same trusted keys as the app. */
function cliVerdict() {
  const keys = process.env.TRAILSCOPE_TRUSTED_KEYS ?? path.join(vectorsDir, "trusted-keys.txt");
  const run = spawnSync(cliBinary, ["verify", "--trusted-keys", keys, "--json", sample], { encoding: "utf8", timeout: 60_000 });
  assert.ok(run.stdout.length > 0, `trailscope verify said nothing: ${run.stderr}`);
  return JSON.parse(run.stdout).verdict;
}

test("Report… writes the HTML report and the PDF beside it, says so and journals it", { timeout: 300_000 }, async (t) => {
  assert.ok(existsSync(path.join(sample, "events.jsonl")), `no spec vectors at ${sample}`);
  const verdict = cliVerdict();
  const verdictWords = `Overall verdict: ${verdict[0].toUpperCase()}${verdict.slice(1)}`;
  const saveDir = mkdtempSync(path.join(os.tmpdir(), "trailscope-report-e2e-"));
  try {
    await withApp(
      [sample],
      async (app) => {
        await need(app, testId("verdict-headline"), "the verdict headline", 60_000);
        const shown = await until(
          app,
          `return document.querySelector('[data-testid="verification-summary"]')?.dataset.verdict || false;`,
          "no case verdict in the sidebar",
        );
        assert.equal(shown, verdict, "the app and the CLI disagree on the sample's verdict");

        // Click, in the page, and see the busy state at once (the click's own handler sets it).
        const busy = await until(
          app,
          `const node = document.querySelector('[data-testid="write-report"]');
           if (node === null || node.disabled) return false;
           node.click();
           return { disabled: node.disabled, busy: node.getAttribute("aria-busy"), text: node.textContent };`,
          "no enabled Report… button",
        );
        assert.deepEqual(busy, { disabled: true, busy: "true", text: "Writing the report…" });

        const message = await until(
          app,
          `const box = document.querySelector('[data-testid="error"]');
           return box !== null && !box.hidden && box.textContent.startsWith("Report saved:") ? box.textContent : false;`,
          "no “Report saved” message",
        );
        t.diagnostic(message);
        const after = await app.execute(
          `const node = document.querySelector('[data-testid="write-report"]');
           return { disabled: node.disabled, text: node.textContent };`,
        );
        assert.deepEqual(after, { disabled: false, text: "Report…" });

        // What is in the folder: one HTML file and the PDF of the same name.
        const files = readdirSync(saveDir).sort();
        assert.equal(files.length, 2, `saved: ${JSON.stringify(files)}`);
        const html = files.find((name) => name.endsWith(".html"));
        assert.ok(html !== undefined, `no HTML file among ${JSON.stringify(files)}`);
        const pdf = `${html.slice(0, -".html".length)}.pdf`;
        assert.ok(files.includes(pdf), `no ${pdf} beside ${html}`);
        assert.equal(message, `Report saved: ${html} and ${pdf}`);

        const page = readFileSync(path.join(saveDir, html), "utf8");
        assert.ok(page.includes(verdictWords), `the HTML report does not say “${verdictWords}”`);
        assert.ok(!/<script/i.test(page), "the report holds a script");
        const head = readFileSync(path.join(saveDir, pdf)).subarray(0, 5).toString("latin1");
        assert.equal(head, "%PDF-", "the PDF does not start with %PDF");

        // The journal records it, under the reviewer's key, naming the HTML file.
        await openTab(app, "journal");
        const entry = await until(
          app,
          `const entry = [...document.querySelectorAll('[data-testid="journal-entry"]')].find((node) => node.dataset.action === "report.written");
           const headline = document.querySelector('[data-testid="journal-headline"]');
           return entry === undefined ? false : { sentence: entry.querySelector('[data-testid="journal-sentence"]').textContent, holds: headline.dataset.holds };`,
          "the Journal does not list the report",
        );
        assert.ok(entry.sentence.includes(path.join(saveDir, html)), `journal: ${entry.sentence}`);
        assert.equal(entry.holds, "true");
      },
      { env: { TRAILSCOPE_SAVE_DIR: saveDir } },
    );
  } finally {
    rmSync(saveDir, { recursive: true, force: true });
  }
});
