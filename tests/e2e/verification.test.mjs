// Verification in the real app: a tampered bundle's finding is listed in plain words
// and jumps to the altered event; a key added in the app and a re-verification turn
// an intact bundle into a verified one; a case edited behind the app's back is caught
// by re-verification; recent cases reopen.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { cliBinary, testId, withApp } from "./lib/app.mjs";
import { generate } from "./lib/bundle.mjs";

function scratch(t) {
  const dir = mkdtempSync(path.join(tmpdir(), "trailscope-e2e-verify-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The open case's path, as the header shows it (read from the DOM: WebKit's
 * WebDriver returns no text for the ellipsised header line). */
async function casePathShown(app) {
  await app.waitForElement(testId("case-path"));
  return app.execute('return document.querySelector(\'[data-testid="case-path"]\').textContent;');
}

/** The headline text once it is there (the view fills in after the engine answers). */
async function headline(app) {
  const element = await app.waitForElement(testId("verdict-headline"), { timeoutMs: 30_000 });
  assert.ok(element !== undefined, "no verdict headline within 30 s");
  return (await app.text(element)).trim();
}

test("a tampered event's finding is shown in words and opens that event", { timeout: 120_000 }, async (t) => {
  const dir = path.join(scratch(t), "bundle");
  generate(dir, { events: 60, chains: 1, seed: 11 });
  // Change one event's content after the fact, leaving its declared body hash and hash
  // as they were (format v2: the body no longer matches its body_hash).
  const file = path.join(dir, "events.jsonl");
  const lines = readFileSync(file, "utf8").split("\n").filter((line) => line !== "");
  const lineNo = 31;
  const event = JSON.parse(lines[lineNo - 1]);
  event.outcome = event.outcome === "success" ? "failure" : "success";
  lines[lineNo - 1] = JSON.stringify(event);
  writeFileSync(file, `${lines.join("\n")}\n`);

  await withApp([dir], async (app) => {
    const shown = await headline(app);
    assert.match(shown, /^Broken/, `headline: ${shown}`);
    const finding = await app.waitForElement(`${testId("finding")}[data-kind="body_hash_mismatch"]`, { timeoutMs: 10_000 });
    assert.ok(finding !== undefined, "no body_hash_mismatch finding listed");
    const words = await app.text(finding);
    assert.ok(words.includes(`line ${lineNo}`), `the finding does not say where: ${words}`);
    const eventIdx = await app.attribute(finding, "data-event-idx");
    assert.ok(eventIdx !== null, "the finding does not point at an event");
    await app.click(finding);
    const detail = await app.waitFor(async () => {
      const [panel] = await app.findAll(testId("detail-panel"));
      return panel !== undefined && (await app.attribute(panel, "data-event-idx")) === eventIdx ? panel : undefined;
    }, { timeoutMs: 10_000 });
    assert.ok(detail !== undefined, `the detail of event ${eventIdx} did not open`);
    const [original] = await app.findAll(testId("detail-line"));
    assert.ok((await app.text(original)).includes(event.id), "the detail shows another event's line");
  });
});

test("a run of findings of one cause is one entry with its range, and each finding stays one click away", { timeout: 120_000 }, async (t) => {
  const dir = path.join(scratch(t), "bundle");
  generate(dir, { events: 60, chains: 1, seed: 13 });
  // Five events in a row changed after the fact: five body hash mismatches over seq 21 to 25.
  const file = path.join(dir, "events.jsonl");
  const lines = readFileSync(file, "utf8").split("\n").filter((line) => line !== "");
  const edited = [];
  for (let lineNo = 21; lineNo <= 25; lineNo += 1) {
    const event = JSON.parse(lines[lineNo - 1]);
    assert.equal(event.seq, lineNo, "one chain: seq is the line number");
    event.reason = "changed afterwards";
    lines[lineNo - 1] = JSON.stringify(event);
    edited.push(event.id);
  }
  writeFileSync(file, `${lines.join("\n")}\n`);

  await withApp([dir], async (app) => {
    await headline(app);
    const groups = await app.waitFor(async () => {
      const found = await app.findAll(`${testId("finding")}[data-kind="body_hash_mismatch"]`);
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 10_000 });
    assert.equal(groups.length, 1, "the five mismatches are listed as one entry");
    const words = await app.textContent(groups[0]);
    assert.ok(words.includes("5 findings like this one, events 21 to 25"), `the entry does not give its range: ${words}`);
    // Unfolded, the group lists each finding; the third opens its own event.
    const fold = await app.waitForElement(`${testId("finding-group-members")} summary`);
    await app.click(fold);
    const members = await app.waitFor(async () => {
      const found = await app.findAll(`${testId("finding-member")}[data-kind="body_hash_mismatch"]`);
      return found.length === 5 ? found : undefined;
    }, { timeoutMs: 10_000 });
    assert.ok(members !== undefined, "the group does not unfold to its five findings");
    const eventIdx = await app.attribute(members[2], "data-event-idx");
    await app.click(members[2]);
    const detail = await app.waitFor(async () => {
      const [panel] = await app.findAll(testId("detail-panel"));
      return panel !== undefined && (await app.attribute(panel, "data-event-idx")) === eventIdx ? panel : undefined;
    }, { timeoutMs: 10_000 });
    assert.ok(detail !== undefined, "the member's event did not open");
    const [original] = await app.findAll(testId("detail-line"));
    assert.ok((await app.textContent(original)).includes(edited[2]), "another event opened");
  });
});

test("a key trusted in the app and a re-verification make a signed bundle verified", { timeout: 150_000 }, async (t) => {
  const root = scratch(t);
  const dir = path.join(root, "bundle");
  generate(dir, { events: 40, chains: 1, seed: 12 });
  const key = path.join(root, "reviewer.key");
  execFileSync(cliBinary, ["keygen", key, "--key-id", "acme-e2e-2026"], { stdio: "pipe" });
  execFileSync(cliBinary, ["seal", dir, "--key", key], { stdio: "pipe" });
  const [keyId, publicKey] = readFileSync(`${key}.pub`, "utf8").trim().split(/\s+/);

  await withApp([dir], async (app) => {
    const before = await headline(app);
    assert.match(before, /^Intact/, `before the key is trusted: ${before}`);
    await app.clickSelector(testId("tab-trust"));
    await app.type(await app.waitForElement(testId("key-id-input")), keyId);
    await app.type(await app.waitForElement(testId("key-input")), publicKey);
    await app.clickSelector(testId("key-add"));
    const listed = await app.waitForElement(`${testId("trusted-key")}[data-key-id="${keyId}"]`, { timeoutMs: 10_000 });
    assert.ok(listed !== undefined, "the added key is not listed");
    await app.clickSelector(testId("reverify"));
    const result = await app.waitFor(async () => {
      const [bundle] = await app.findAll(testId("reverify-bundle"));
      return bundle === undefined ? undefined : app.text(bundle);
    }, { timeoutMs: 30_000 });
    assert.ok(result !== undefined, "no re-verification result");
    assert.match(result, /now verified \(was intact\)/, result);
    const after = await app.waitFor(async () => {
      const text = await headline(app);
      return text.startsWith("Verified") ? text : undefined;
    }, { timeoutMs: 10_000 });
    assert.ok(after !== undefined, `the summary did not change: ${await headline(app)}`);
    assert.ok(after.includes(keyId), `the headline does not name the key: ${after}`);
  });
});

test("a case edited behind the app's back is caught by re-verification", { timeout: 150_000 }, async (t) => {
  const dir = path.join(scratch(t), "bundle");
  generate(dir, { events: 50, chains: 1, seed: 13 });
  let casePath;
  await withApp([dir], async (app) => {
    await headline(app);
    casePath = await casePathShown(app);
  });
  assert.ok(casePath.endsWith(".trailscope"), `case path: ${casePath}`);
  // Someone changes who did something, directly in the case file.
  execFileSync("python3", [
    "-c",
    "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE event SET actor_name='Somebody Else' WHERE event_idx=(SELECT min(event_idx)+7 FROM event)\"); c.commit()",
    casePath,
  ]);
  await withApp([casePath], async (app) => {
    await headline(app);
    // The verification panel's own button; the answer shows at its top.
    await app.clickSelector(testId("reverify-sidebar"));
    const said = await app.waitFor(async () => {
      const [line] = await app.findAll(`.sidebar ${testId("reverify-headline")}`);
      return line === undefined ? undefined : app.text(line);
    }, { timeoutMs: 30_000 });
    assert.ok(said !== undefined, "no re-verification result");
    assert.match(said, /1 was changed after import/, said);
    const findings = await app.findAll(testId("reverify-finding"));
    assert.equal(findings.length, 1, "one edited row, one finding");
    const words = await app.textContent(findings[0]);
    assert.match(words, /line \d+/, words);
  });
});

test("a case opened before is listed on the start screen and reopens", { timeout: 150_000 }, async (t) => {
  const dir = path.join(scratch(t), "bundle");
  generate(dir, { events: 30, chains: 1, seed: 14 });
  await withApp([dir], async (app) => {
    const first = await headline(app);
    const casePath = await casePathShown(app);
    await app.clickSelector(testId("open-another"));
    const recent = await app.waitForElement(`${testId("recent-case")}[data-path="${casePath}"]`, { timeoutMs: 10_000 });
    assert.ok(recent !== undefined, "the case is not among the recent cases");
    await app.click(recent);
    assert.equal(await headline(app), first);
    assert.equal(await casePathShown(app), casePath);
  });
});
