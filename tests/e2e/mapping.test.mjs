// A CSV export of another system, opened in the real app: the mapping form shows the
// file's columns and first rows; a wrong choice (the time read from the user column)
// is answered in plain words naming the record and the field; the right choices, a time
// pattern and outcome values make preview sentences that say what the test's own rows
// say; the mapping is saved to the app's config dir and offered again for the next
// file; the import makes an unverifiable case whose events table lists exactly the
// file's rows, and filtering by one person lists exactly that person's rows.
//
// With TRAILSCOPE_SHOTS_MAPPING=FILE.png it also saves a picture of the filled form
// (docs/mapping-form.png), scrolled down TRAILSCOPE_SHOTS_SCROLL pixels (default 0), from
// scripts/e2e.sh's Xvfb display (ImageMagick's `import` if installed).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { testId, withApp } from "./lib/app.mjs";
import { chooseOption, click, need, openTab, readAll, scrollAndRead, type } from "./lib/views.mjs";
import { sleep } from "./lib/webdriver.mjs";

const PEOPLE = [
  ["mlopez", "Maria Lopez"],
  ["okhan", "Omar Khan"],
  ["lchen", "Li Chen"],
  ["rmensah", "Ravi Mensah"],
];
const ACTIONS = ["order.approved", "order.cancelled", "order.updated"];

/** 30 rows of an order system's export: day/month/year times, OK or 403 results. */
function exportRows() {
  const start = Date.UTC(2026, 2, 2, 9, 0, 0);
  const two = (n) => String(n).padStart(2, "0");
  return Array.from({ length: 30 }, (_, i) => {
    const at = new Date(start + i * 37 * 60_000);
    const [user, name] = PEOPLE[(i * 3 + Math.floor(i / 4)) % PEOPLE.length];
    return {
      when: `${two(at.getUTCDate())}/${two(at.getUTCMonth() + 1)}/${at.getUTCFullYear()} ${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}`,
      iso: at.toISOString(),
      user,
      name,
      action: ACTIONS[i % ACTIONS.length],
      order: String(1000 + (i % 7)),
      result: i % 5 === 3 ? "403" : "OK",
      // Columns no event field reads: long text (quoted, with commas), ids, a user agent.
      note: `Customer asked by phone to change the delivery address, the invoice address and the contact for order ${1000 + (i % 7)}; approved after checking the identity documents on file (ticket ${4400 + i})`,
      session: `s-${(0x5eed0000 + i * 7919).toString(16)}${"0".repeat(24)}`,
      client: "web-portal/4.12.7 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36",
      region: "eu-west-1",
      reference: `REF-2026-${String(123 + i).padStart(6, "0")}`,
    };
  });
}

const HEADER = ["When", "User", "Name", "Action", "Order", "Result", "Note", "Session", "Client", "Region", "Reference"];

/** A row's cells in HEADER's order, as the file holds them once read. */
const cells = (r) => [r.when, r.user, r.name, r.action, r.order, r.result, r.note, r.session, r.client, r.region, r.reference];

function writeCsv(file, rows) {
  const quote = (cell) => (/[",\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
  const lines = rows.map((r) => cells(r).map(quote).join(","));
  writeFileSync(file, `${[HEADER.join(","), ...lines].join("\n")}\n`);
}

/** What a sentence about `row` must say: who, which order, and a refusal for a 403. */
function assertSentenceSays(sentence, row, where) {
  assert.ok(sentence.includes(row.name), `${where}: ${JSON.stringify(sentence)} does not name ${row.name}`);
  assert.ok(sentence.includes(`Order ${row.order}`), `${where}: ${JSON.stringify(sentence)} does not name Order ${row.order}`);
  // "approved", "cancelled", "updated" — or "approve", … when refused.
  const verb = row.action.split(".")[1].slice(0, 5);
  assert.ok(sentence.includes(verb), `${where}: ${JSON.stringify(sentence)} does not say ${row.action}`);
  assert.equal(/refused/.test(sentence), row.result === "403", `${where}: ${JSON.stringify(sentence)} for result ${row.result}`);
}

/** The field row of the form for one event field. */
const field = (name) => `${testId("mapping-field")}[data-field="${name}"]`;

async function choose(app, selector, value) {
  assert.ok(await chooseOption(app, selector, value), `no option ${value} in ${selector}`);
}

/**
 * The preview's events once there are `n` of them and `check` holds, or undefined:
 * each with its data (line, time) and its sentence.
 */
async function previewSentences(app, n, check = () => true) {
  return app.waitFor(async () => {
    const [problem] = await readAll(app, testId("mapping-problem"));
    if (problem?.shown) return undefined;
    const items = await app.execute(
      `return [...document.querySelectorAll('[data-testid="mapping-preview-event"]')].map((item) => ({
         data: { ...item.dataset },
         text: item.querySelector('[data-testid="mapping-event-sentence"]').textContent,
       }));`,
    );
    return items.length === n && check(items) ? items : undefined;
  });
}

/** Saves the window as a PNG (X server first: WebKit's WebDriver screenshot can hang). */
async function saveWindow(app, file) {
  // The pointer off the form, so no tooltip or hover shows in the picture.
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

test("a CSV export opens through a mapping made in the app, saved and imported", { timeout: 240_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "trailscope-e2e-mapping-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const csv = path.join(dir, "orders.csv");
  const rows = exportRows();
  writeCsv(csv, rows);
  const configHome = process.env.XDG_CONFIG_HOME;
  assert.ok(configHome !== undefined, "XDG_CONFIG_HOME is not set (run through scripts/e2e.sh)");
  const savedName = `Acme orders ${process.pid}`;
  const savedFile = path.join(configHome, "app.trailscope.desktop", "mappings", `${savedName}.toml`);

  await withApp([csv], async (app) => {
    // Not an audit bundle: the form, with the file's columns and first rows.
    await need(app, testId("mapping-form"), "the mapping form", 60_000);
    const columns = await readAll(app, testId("mapping-column"));
    assert.deepEqual(
      columns.map((c) => c.data.column),
      HEADER,
    );
    const sample = await app.execute(
      `return [...document.querySelectorAll('[data-testid="mapping-sample-row"]')]
         .map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent));`,
    );
    assert.ok(sample.length >= 3, `only ${sample.length} sample rows`);
    sample.forEach((shown, i) => assert.deepEqual(shown, cells(rows[i]), `sample row ${i + 1}`));
    // Wider than the window: the table scrolls sideways inside the form, long cells are
    // cut to one line, and the window itself does not stretch.
    const layout = await app.execute(
      `const box = document.querySelector('[data-testid="mapping-sample"]');
       const widest = Math.max(...[...box.querySelectorAll("td, th")].map((cell) => cell.getBoundingClientRect().width));
       const tallest = Math.max(...[...box.querySelectorAll("td")].map((cell) => cell.getBoundingClientRect().height));
       return { scrolls: box.scrollWidth > box.clientWidth, pageWidth: document.documentElement.scrollWidth,
                window: window.innerWidth, widest, tallest };`,
    );
    assert.ok(layout.scrolls, `the sample table does not scroll sideways: ${JSON.stringify(layout)}`);
    assert.ok(layout.pageWidth <= layout.window, `the page is wider than the window: ${JSON.stringify(layout)}`);
    assert.ok(layout.widest <= 240, `a cell is not clamped: ${JSON.stringify(layout)}`);
    assert.ok(layout.tallest <= 40, `a cell wraps: ${JSON.stringify(layout)}`);

    // A wrong choice: the time read from the user column. The engine names the record and field.
    await choose(app, testId("mapping-time-format"), "pattern");
    await type(app, await need(app, testId("mapping-time-pattern"), "the time pattern"), "%d/%m/%Y %H:%M:%S");
    await choose(app, field("action"), "column:Action");
    await choose(app, field("ts"), "column:User");
    const problem = await app.waitFor(async () => {
      const [line] = await readAll(app, testId("mapping-problem"));
      return line?.shown && line.text.includes(rows[0].user) ? line.text : undefined;
    });
    assert.ok(problem !== undefined, "no plain error for a time read from the user column");
    assert.match(problem, /record 1\b/, problem);
    assert.match(problem, /field ts\b/, problem);
    assert.deepEqual(await readAll(app, testId("mapping-preview-event")), [], "events shown beside the error");

    // The right choices.
    await choose(app, field("ts"), "column:When");
    await choose(app, field("actor.id"), "column:User");
    await choose(app, field("actor.name"), "column:Name");
    await choose(app, field("actor.type"), "constant");
    await type(app, await need(app, `${field("actor.type")} ${testId("mapping-constant")}`, "actor type's value"), "user");
    await choose(app, field("target.type"), "constant");
    await type(app, await need(app, `${field("target.type")} ${testId("mapping-constant")}`, "record type's value"), "Order");
    await choose(app, field("target.id"), "column:Order");
    await choose(app, field("outcome"), "column:Result");
    // Before the outcome values are given, the engine says what it cannot read.
    const unmapped = await app.waitFor(async () => {
      const [line] = await readAll(app, testId("mapping-problem"));
      return line?.shown && /outcome/.test(line.text) ? line.text : undefined;
    });
    assert.ok(unmapped !== undefined, "no error for outcome values that are not mapped");
    assert.match(unmapped, /"OK"/, unmapped);
    for (const [index, [from, to]] of [["OK", "success"], ["403", "denied"]].entries()) {
      await app.clickSelector(testId("mapping-outcome-add"));
      const pair = `${testId("mapping-outcome-pair")}:nth-child(${index + 1})`;
      await type(app, await need(app, `${pair} ${testId("mapping-outcome-from")}`, "an outcome value"), from);
      await choose(app, `${pair} ${testId("mapping-outcome-to")}`, to);
    }

    // The preview sentences say what the test's own rows say.
    const events = await previewSentences(app, 5, (items) => items[0].text.includes(rows[0].name));
    const [lastProblem] = await readAll(app, testId("mapping-problem"));
    assert.ok(events !== undefined, `no 5 preview sentences; the form says: ${lastProblem?.text}`);
    events.forEach((event, i) => {
      assert.equal(event.data.line, String(i + 2), `preview event ${i + 1}'s line`);
      assert.equal(event.data.time, rows[i].iso, `preview event ${i + 1}'s time`);
      assertSentenceSays(event.text, rows[i], `preview event ${i + 1}`);
    });

    if (process.env.TRAILSCOPE_SHOTS_MAPPING) {
      await app.execute('document.querySelector(\'[data-testid="mapping-form"]\').scrollTop = Number(arguments[0]);', process.env.TRAILSCOPE_SHOTS_SCROLL ?? "0");
      await saveWindow(app, process.env.TRAILSCOPE_SHOTS_MAPPING);
    }

    // Saved for reuse, in the app's config dir.
    await type(app, await need(app, testId("mapping-name"), "the mapping's name"), savedName);
    await app.clickSelector(testId("mapping-save"));
    const saved = await app.waitFor(() => existsSync(savedFile));
    assert.ok(saved, `no ${savedFile}`);
    const toml = readFileSync(savedFile, "utf8");
    assert.match(toml, /%d\/%m\/%Y %H:%M:%S/, toml);
    assert.match(toml, /"403" = "denied"/, toml);
    const listed = await app.waitFor(async () =>
      app.execute(
        `return [...document.querySelectorAll('[data-testid="mapping-saved"] option')].some((o) => o.value === arguments[0]);`,
        savedName,
      ),
    );
    assert.ok(listed, "the saved mapping is not offered in the form");

    // Imported into a new case: unverifiable, every row an event.
    await app.clickSelector(testId("mapping-import"));
    const headline = await app.waitFor(async () => {
      const [line] = await readAll(app, testId("verdict-headline"));
      return line?.text;
    }, { timeoutMs: 60_000 });
    assert.ok(headline !== undefined, "the case did not open");
    assert.match(headline, /^Unverifiable/, headline);
    const [verdict] = await readAll(app, `${testId("verification-summary")}`);
    assert.equal(verdict.data.verdict, "unverifiable");
    const [stream] = await readAll(app, testId("chain-title"));
    assert.match(stream.text, /^File orders\.csv: unverifiable, 30 events/, stream.text);
    const dimensions = await readAll(app, testId("dimension"));
    assert.deepEqual(
      dimensions.map((d) => d.data.dimension),
      ["integrity", "linkage", "completeness", "authenticity", "coverage"],
    );

    await openTab(app, "events");
    const countShown = async (n) =>
      app.waitFor(async () => {
        const [line] = await readAll(app, testId("events-status"));
        const match = /^([\d,]+) (?:events match|event matches)$/.exec(line?.text.trim() ?? "");
        return match !== null && Number(match[1].replaceAll(",", "")) === n ? line.text : undefined;
      });
    const all = await countShown(rows.length);
    const [status] = await readAll(app, testId("events-status"));
    assert.ok(all !== undefined, `the events table says ${JSON.stringify(status?.text)}, not ${rows.length} events`);
    const listedRows = await scrollAndRead(app, testId("events-table"), testId("event-row"));
    assert.equal(listedRows.length, rows.length, "the table does not list every row of the file");
    // Nothing to check is not a failed check: no event is marked as failing.
    const marks = await app.execute(
      `return [...document.querySelectorAll('[data-testid="event-row"] .cell-mark')].map((mark) => mark.className);`,
    );
    assert.ok(marks.length > 0, "no marks in the events table");
    assert.deepEqual(marks.filter((name) => !name.includes("mark-unverifiable")), [], "mapped events marked as failing");

    // One person's rows, and no one else's.
    const [user, name] = PEOPLE[2];
    const theirs = rows.filter((r) => r.user === user);
    assert.ok(theirs.length > 0 && theirs.length < rows.length, "the test data gives the chosen person no rows, or all");
    await choose(app, testId("actor-filter"), user);
    const filtered = await countShown(theirs.length);
    const [after] = await readAll(app, testId("events-status"));
    assert.ok(filtered !== undefined, `the filtered table says ${JSON.stringify(after?.text)}, not ${theirs.length} events`);
    const theirRows = await scrollAndRead(app, testId("events-table"), testId("event-row"));
    assert.equal(theirRows.length, theirs.length, `the table does not list exactly ${name}'s rows`);
    const strangers = theirRows.filter((text) => !text.includes(name));
    assert.deepEqual(strangers, [], `rows that are not ${name}'s`);
    const denied = theirRows.filter((text) => /refused/.test(text)).length;
    assert.equal(denied, theirs.filter((r) => r.result === "403").length, `${name}'s refusals`);

    // The next export of the same system: the saved mapping fills the form.
    const next = path.join(dir, "orders-april.csv");
    writeCsv(next, rows.slice(10));
    await app.clickSelector(testId("open-another"));
    await type(app, await need(app, testId("open-path-input"), "the path box"), next);
    await app.clickSelector(testId("open-path"));
    await need(app, testId("mapping-form"), "the mapping form for the next file", 30_000);
    await app.waitFor(async () =>
      app.execute(
        `return [...document.querySelectorAll('[data-testid="mapping-saved"] option')].some((o) => o.value === arguments[0]);`,
        savedName,
      ),
    );
    await choose(app, testId("mapping-saved"), savedName);
    const again = await previewSentences(app, 5, (items) => items[0].text.includes(rows[10].name));
    assert.ok(again !== undefined, "the saved mapping did not make the next file's events");
    again.forEach((event, i) => assertSentenceSays(event.text, rows[10 + i], `next file's event ${i + 1}`));
  });
});

test("a JSON export typed in on the start screen opens through JSON pointers", { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "trailscope-e2e-mapping-json-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "sign-ins.json");
  const records = Array.from({ length: 12 }, (_, i) => {
    const [user, name] = PEOPLE[i % PEOPLE.length];
    return {
      published: new Date(Date.UTC(2026, 3, 1, 8, 0, 0) + i * 3_600_000).toISOString(),
      eventType: "user.session.login",
      actor: { alternateId: `${user}@acme.test`, displayName: name },
      outcome: { result: i % 4 === 2 ? "FAILURE" : "SUCCESS" },
      client: { ipAddress: `203.0.113.${10 + i}` },
    };
  });
  writeFileSync(file, JSON.stringify(records, null, 1));

  await withApp([], async (app) => {
    await type(app, await need(app, testId("open-path-input"), "the path box", 60_000), file);
    await app.clickSelector(testId("open-path"));
    await need(app, testId("mapping-form"), "the mapping form", 30_000);
    const columns = (await readAll(app, testId("mapping-column"))).map((c) => c.data.column);
    assert.deepEqual(
      [...columns].sort(),
      ["/actor/alternateId", "/actor/displayName", "/client/ipAddress", "/eventType", "/outcome/result", "/published"],
    );
    await choose(app, field("ts"), "column:/published");
    await choose(app, field("action"), "column:/eventType");
    await choose(app, field("actor.id"), "column:/actor/alternateId");
    await choose(app, field("actor.name"), "column:/actor/displayName");
    await choose(app, field("source.ip"), "column:/client/ipAddress");
    await choose(app, field("outcome"), "column:/outcome/result");
    for (const [index, [from, to]] of [["SUCCESS", "success"], ["FAILURE", "failure"]].entries()) {
      await app.clickSelector(testId("mapping-outcome-add"));
      const pair = `${testId("mapping-outcome-pair")}:nth-child(${index + 1})`;
      await type(app, await need(app, `${pair} ${testId("mapping-outcome-from")}`, "an outcome value"), from);
      await choose(app, `${pair} ${testId("mapping-outcome-to")}`, to);
    }
    const events = await previewSentences(app, 5, (items) => items[0].text.includes(records[0].actor.displayName));
    const [problem] = await readAll(app, testId("mapping-problem"));
    assert.ok(events !== undefined, `no preview sentences; the form says: ${problem?.text}`);
    events.forEach((event, i) => {
      const record = records[i];
      assert.ok(event.text.includes(record.actor.displayName), `event ${i + 1}: ${event.text}`);
      assert.equal(event.data.time, record.published, `event ${i + 1}'s time`);
      assert.equal(/fail/.test(event.text), record.outcome.result === "FAILURE", `event ${i + 1}: ${event.text}`);
    });

    await app.clickSelector(testId("mapping-import"));
    const headline = await app.waitFor(async () => (await readAll(app, testId("verdict-headline")))[0]?.text, { timeoutMs: 60_000 });
    assert.match(headline ?? "", /^Unverifiable/, headline);
    const [stream] = await readAll(app, testId("chain-title"));
    assert.match(stream.text, new RegExp(`^File sign-ins\\.json: unverifiable, ${records.length} events`), stream.text);
    await openTab(app, "events");
    const counted = await app.waitFor(async () => {
      const [line] = await readAll(app, testId("events-status"));
      return line?.text.trim() === `${records.length} events match` ? line.text : undefined;
    });
    const [status] = await readAll(app, testId("events-status"));
    assert.ok(counted !== undefined, `the events table says ${JSON.stringify(status?.text)}`);
  });
});
