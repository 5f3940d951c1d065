// An AWS CloudTrail evidence folder in the real app. A trail made by
// `trailscope gen-cloudtrail`, with two consecutive digest files deleted and one record
// of a log file changed, opens as broken: the verification panel shows the gap with
// both of its missing hours, the log file's finding names the file, and "Show this
// file's records" lists exactly that file's records (a digest file's finding, whose
// file holds no records, does not offer them). A clean trail is intact with only
// the keys that came in the folder, and verified once the reviewer's own
// `aws cloudtrail list-public-keys` output is added in the Keys view.
//
// Ground truth comes from the folder's own files (the deleted digests' hours, the log
// file's records), never through the app. With TRAILSCOPE_SHOTS_CLOUDTRAIL=FILE.png it
// also saves a picture of the tampered trail's verification panel beside the file's
// records, from scripts/e2e.sh's Xvfb display (a relative path is from the repository:
// TRAILSCOPE_E2E_FILES=cloudtrail.test.mjs TRAILSCOPE_E2E_ONLY=tampered
// TRAILSCOPE_SHOTS_CLOUDTRAIL=docs/cloudtrail-verification.png bash scripts/e2e.sh).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";

import { cliBinary, repoRoot, testId, withApp } from "./lib/app.mjs";
import { need, openTab, readAll, scrollAndRead, type } from "./lib/views.mjs";
import { sleep } from "./lib/webdriver.mjs";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const HOURS = 8;
const LOGS_PER_HOUR = 3;
const RECORDS_PER_LOG = 20;

function scratch(t) {
  const dir = mkdtempSync(path.join(tmpdir(), "trailscope-e2e-cloudtrail-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `trailscope gen-cloudtrail`: a signed trail in `dir`, and the AWS keys that sign it in `keys`. */
function generateTrail(dir, keys) {
  execFileSync(
    cliBinary,
    [
      "gen-cloudtrail", dir,
      "--regions", REGION,
      "--hours", String(HOURS),
      "--logs-per-hour", String(LOGS_PER_HOUR),
      "--records-per-log", String(RECORDS_PER_LOG),
      "--trusted-keys-out", keys,
    ],
    { encoding: "utf8", timeout: 120_000, stdio: "pipe" },
  );
}

/** Every file under `dir`, as paths relative to `root` with forward slashes. */
function filesUnder(root, dir) {
  return readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath ?? entry.path, entry.name)).split(path.sep).join("/"))
    .sort();
}

const readGzJson = (file) => JSON.parse(gunzipSync(readFileSync(file)).toString("utf8"));

/** "2026-03-01 06:04:47 UTC": a record's time as the events table shows it with the UTC switch on. */
function shownUtc(iso) {
  return `${new Date(iso).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** The headline text once it is there (the view fills in after the engine answers). */
async function headline(app) {
  const element = await need(app, testId("verdict-headline"), "the verdict headline", 60_000);
  return (await app.textContent(element)).trim();
}

/** Saves the window as a PNG from the X server (ImageMagick's `import`), else through WebDriver. */
async function saveWindow(app, file) {
  await app.send("POST", "/actions", {
    actions: [{ type: "pointer", id: "mouse", actions: [{ type: "pointerMove", x: 1, y: 1, origin: "viewport" }] }],
  });
  await app.send("DELETE", "/actions");
  await sleep(1000);
  let window = "";
  try {
    const info = execFileSync("xwininfo", ["-name", "Trailscope"], { encoding: "utf8" });
    window = /Window id: (0x[0-9a-f]+)/.exec(info)?.[1] ?? "";
  } catch {
    // no xwininfo, or no window of that name
  }
  try {
    if (window === "") throw new Error("no window id");
    execFileSync("import", ["-window", window, file]);
  } catch {
    writeFileSync(file, await app.screenshot());
  }
  console.log(`screenshot: wrote ${file}`);
}

test("a tampered CloudTrail folder shows its gap's hours and its changed log file's records", { timeout: 240_000 }, async (t) => {
  const root = scratch(t);
  const trail = path.join(root, "trail");
  generateTrail(trail, path.join(root, "aws-keys.json"));

  // Two consecutive digest files from the middle of the chain, deleted: their hours
  // are what no digest vouches for any more.
  const digests = filesUnder(trail, "AWSLogs").filter((file) => file.includes("/CloudTrail-Digest/"));
  assert.equal(digests.length, HOURS, `digest files: ${digests.join(", ")}`);
  const deleted = digests.slice(3, 5);
  const missingHours = deleted.map((file) => {
    const digest = readGzJson(path.join(trail, file));
    return [digest.digestStartTime, digest.digestEndTime];
  });
  for (const file of deleted) rmSync(path.join(trail, file));

  // One record of a log file the newest digest lists, changed after delivery.
  const newest = readGzJson(path.join(trail, digests[digests.length - 1]));
  const logFile = newest.logFiles[0].s3Object;
  const logName = path.posix.basename(logFile);
  const log = readGzJson(path.join(trail, logFile));
  assert.equal(log.Records.length, RECORDS_PER_LOG);
  log.Records[3].sourceIPAddress = "198.51.100.99";
  writeFileSync(path.join(trail, logFile), gzipSync(JSON.stringify(log)));
  const expectedTimes = log.Records.map((record) => shownUtc(record.eventTime)).sort();

  await withApp([trail], async (app) => {
    const said = await headline(app);
    assert.match(said, /^Broken/, `headline: ${said}`);
    const [summary] = await readAll(app, testId("verification-summary"));
    assert.equal(summary.data.verdict, "broken");
    const [chain] = await readAll(app, testId("chain-title"));
    assert.match(chain.text, /^Digest chain /, chain.text);

    // The gap: in the completeness dimension, from the first missing hour to the end of the last …
    const completeness = await app.execute(
      `const term = document.querySelector('[data-testid="dimension"][data-dimension="completeness"]');
       if (term === null) return null;
       const times = [...term.nextElementSibling.querySelectorAll("time")];
       return { status: term.dataset.status, detail: term.nextElementSibling.textContent, times: times.map((t) => [t.title, t.textContent]) };`,
    );
    assert.ok(completeness !== null, "no completeness dimension");
    assert.equal(completeness.status, "failed");
    // Its times read in local time, each with the engine's UTC instant on hover.
    assert.deepEqual(
      completeness.times.map(([utc]) => utc),
      [missingHours[0][0], missingHours[1][1]],
      `the completeness dimension does not name the gap: ${completeness.detail}`,
    );
    for (const [utc, shown] of completeness.times) {
      assert.equal(Date.parse(shown.replace(" ", "T").replace(/ ([+-]\d\d:\d\d)$/, "$1")), Date.parse(utc), `${shown} is not ${utc}`);
    }
    assert.ok(
      completeness.detail.includes(`${completeness.times[0][1]} to ${completeness.times[1][1]}`),
      `the completeness dimension does not name the gap ${missingHours[0][0]} to ${missingHours[1][1]}: ${completeness.detail}`,
    );
    // … and in the digest_gap finding, each missing hour by its times, shown whole.
    const gap = await need(app, `${testId("finding")}[data-kind="digest_gap"]`, "the digest_gap finding");
    const gapText = await app.textContent(gap);
    for (const [start, end] of missingHours) {
      assert.ok(gapText.includes(`${start}–${end}`), `the gap finding does not name the hour ${start}–${end}: ${gapText}`);
    }
    const clipped = await app.execute(
      `return [...document.querySelectorAll('[data-kind="digest_gap"] .finding-message, [data-dimension="completeness"] + dd')]
         .filter((node) => node.scrollWidth > node.clientWidth + 1 || getComputedStyle(node).textOverflow === "ellipsis")
         .map((node) => node.textContent);`,
    );
    assert.deepEqual(clipped, [], "the gap's hours are cut off");

    // The changed log file's finding names the file; its button lists the file's records.
    const [mismatch] = await readAll(app, `${testId("finding")}[data-kind="log_file_hash_mismatch"]`);
    assert.ok(mismatch !== undefined, "no log_file_hash_mismatch finding");
    assert.equal(mismatch.data.file, logFile, "the finding names another file");
    assert.ok(mismatch.text.includes(logName), `the finding does not show the file's name: ${mismatch.text}`);
    // Offered once the app has asked whether the case holds the file's records (when
    // the finding comes into view): a log file's yes, a digest file's (none) no.
    const answered = async (file) => {
      await app.execute(
        `const node = [...document.querySelectorAll('[data-testid="finding"]')].find((n) => n.dataset.file === arguments[0]);
         if (node) node.scrollIntoView({ block: "center" });`,
        file,
      );
      return app.waitFor(async () => {
        const found = await readAll(app, testId("finding-show-file"));
        const mine = found.find((item) => item.data.file === file);
        return mine?.data.records === undefined ? undefined : mine;
      });
    };
    const show = await answered(logFile);
    assert.ok(show !== undefined, "the log file's finding never offered its records");
    assert.equal(show.data.records, "some");
    assert.ok(show.shown, "Show this file's records is hidden for the log file");
    assert.equal(show.text.trim(), "Show this file's records");
    const [gapFinding] = await readAll(app, `${testId("finding")}[data-kind="digest_gap"]`);
    assert.match(gapFinding.data.file, /\/CloudTrail-Digest\//, "the gap's finding names its digest file");
    const digestShow = await answered(gapFinding.data.file);
    assert.ok(digestShow !== undefined, "no answer for the digest file");
    assert.equal(digestShow.data.records, "none");
    assert.equal(digestShow.shown, false, "a digest file, which holds no records, offers them");

    await app.clickSelector(testId("utc-toggle"));
    await app.clickSelector(`${testId("finding-show-file")}[data-file="${logFile}"]`);

    const chip = await app.waitFor(async () => {
      const [found] = await readAll(app, `${testId("filter-chip")}[data-field="file"]`);
      return found?.shown ? found : undefined;
    });
    assert.ok(chip !== undefined, "no File chip in the events view");
    assert.match(chip.text, new RegExp(`^File: ${logName.replaceAll(".", "\\.")}`), chip.text);
    // Once the shell has counted the file's records (asked beside the first page).
    const counted = await app.waitFor(async () => {
      const [line] = await readAll(app, testId("events-status"));
      return line?.text === `${RECORDS_PER_LOG} events match` ? line.text : undefined;
    });
    const [status] = await readAll(app, testId("events-status"));
    assert.ok(counted !== undefined, `the status line says ${JSON.stringify(status?.text)}, not ${RECORDS_PER_LOG} events match`);
    const rows = await scrollAndRead(app, testId("events-table"), testId("event-row"));
    assert.equal(rows.length, RECORDS_PER_LOG, "the file's records, and no others");
    const times = rows.map((text) => /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/.exec(text)?.[0]).sort();
    assert.deepEqual(times, expectedTimes, "the rows are not the file's records");

    if (process.env.TRAILSCOPE_SHOTS_CLOUDTRAIL) {
      // The panel at its findings: the gap's hours, the log file's finding and its button.
      await app.execute(
        `const side = document.querySelector('.sidebar');
         const gap = document.querySelector('[data-testid="finding"][data-kind="digest_gap"]');
         if (side && gap) side.scrollTop += gap.getBoundingClientRect().top - side.getBoundingClientRect().top - 12;
         const table = document.querySelector('[data-testid="events-table"]');
         if (table) table.scrollTop = 0;`,
      );
      await saveWindow(app, path.resolve(repoRoot, process.env.TRAILSCOPE_SHOTS_CLOUDTRAIL));
    }

    // The chip comes off like any other: every record of the trail again.
    await app.clickSelector(`${testId("filter-chip")}[data-field="file"] ${testId("filter-chip-remove")}`);
    const all = await app.waitFor(async () => {
      const [line] = await readAll(app, testId("events-status"));
      const count = /^(\d[\d,]*) events match/.exec(line?.text ?? "");
      return count !== null && Number(count[1].replaceAll(",", "")) > RECORDS_PER_LOG ? line.text : undefined;
    });
    assert.ok(all !== undefined, "the events view still lists only the file");
  });
});

test("AWS keys added in the Keys view make a clean CloudTrail folder verified, not just intact", { timeout: 240_000 }, async (t) => {
  const root = scratch(t);
  const trail = path.join(root, "trail");
  const keys = path.join(root, "reviewer-aws-keys.json");
  generateTrail(trail, keys);
  const nKeys = JSON.parse(readFileSync(keys, "utf8")).PublicKeyList.length;
  // The same trail at another place: a case of its own, imported after the keys are added.
  const again = path.join(root, "trail-again");
  cpSync(trail, again, { recursive: true });

  await withApp([trail], async (app) => {
    const before = await headline(app);
    assert.match(before, /^Intact/, `with only the folder's own keys: ${before}`);

    await openTab(app, "trust");
    const empty = await app.waitFor(async () => {
      const [item] = await readAll(app, `${testId("aws-key-lists")} li`);
      return item?.text.startsWith("No AWS keys") ? item : undefined;
    });
    assert.ok(empty !== undefined, "the Keys view does not say there are no AWS keys yet");
    await type(app, await need(app, testId("aws-keys-path-input"), "the AWS key list's path"), keys);
    await app.clickSelector(testId("aws-keys-path-add"));
    const listed = await app.waitFor(async () => {
      const [item] = await readAll(app, `${testId("aws-key-list")}[data-name="reviewer-aws-keys.json"]`);
      return item;
    });
    assert.ok(listed !== undefined, "the added key list is not listed");
    assert.ok(
      listed.text.startsWith(`AWS CloudTrail keys (${nKeys} keys) from reviewer-aws-keys.json`),
      `the key list reads: ${listed.text}`,
    );
    // Our own key lines are still listed as before (scripts/e2e.sh trusts the spec's key).
    const ours = await readAll(app, testId("trusted-key"));
    assert.ok(ours.length >= 1, "the key lines are gone from the Keys view");

    await app.clickSelector(testId("open-another"));
    await type(app, await need(app, testId("open-path-input"), "the start screen's path"), again);
    await app.clickSelector(testId("open-path"));
    const after = await app.waitFor(
      async () => {
        const [line] = await readAll(app, testId("verdict-headline"));
        return line !== undefined && !line.text.startsWith("Intact") ? line.text.trim() : undefined;
      },
      { timeoutMs: 60_000 },
    );
    assert.ok(after !== undefined, "the second import did not finish");
    assert.match(after, /^Verified/, `with the reviewer's AWS keys: ${after}`);

    // Removed again, so the rest of the suite sees the app as it was.
    await openTab(app, "trust");
    await app.clickSelector(`${testId("aws-key-list")}[data-name="reviewer-aws-keys.json"] ${testId("aws-key-list-remove")}`);
    const gone = await app.waitFor(async () => {
      const found = await readAll(app, testId("aws-key-list"));
      return found.length === 0 ? true : undefined;
    });
    assert.ok(gone, "the key list was not removed");
  });
});
