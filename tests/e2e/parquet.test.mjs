// The count of matching events and the Parquet export, in the real app, on a generated
// bundle of 10,000 events over several days: filtered to its busiest actor, the events
// view's status line says exactly how many events match while only the first page of
// 200 is loaded; "Parquet (folder)…" (with TRAILSCOPE_SAVE_DIR set for that window, so
// no native dialog opens) saves exactly those events into date=YYYY-MM-DD/part-*.parquet
// files, says so in plain words, and the Journal lists the export.
//
// Ground truth: the bundle's own lines (the actor's events and their UTC days), the
// CLI's count of the same filter on a case of its own (`trailscope facets`, which counts
// through the engine as `count_events` does), and DuckDB reading the folder the app
// wrote (from the venv at target/py that scripts/setup.sh makes, or TRAILSCOPE_PYTHON).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

import { cliBinary, repoRoot, testId, withApp } from "./lib/app.mjs";
import { generate, readEvents } from "./lib/bundle.mjs";
import { chooseOption, clickNow, need, openTab, until } from "./lib/views.mjs";

/** "1,234": the status line's and the notice's grouping. */
const grouped = (n) => n.toLocaleString("en-US");

/** Runs the CLI; its stdout (fails with its stderr when it exits with a status above `okUpTo`). */
function cli(args, okUpTo = 0) {
  const run = spawnSync(cliBinary, args, { encoding: "utf8", timeout: 120_000 });
  assert.ok(run.status !== null && run.status <= okUpTo, `trailscope ${args.join(" ")} failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}

/** The Python that has DuckDB: TRAILSCOPE_PYTHON, else target/py/bin/python (scripts/setup.sh). */
function python() {
  const found = process.env.TRAILSCOPE_PYTHON ?? path.join(repoRoot, "target/py/bin/python");
  const check = spawnSync(found, ["-c", "import duckdb"], { encoding: "utf8" });
  assert.equal(
    check.status,
    0,
    `DuckDB is not importable by ${found} (${check.error ?? check.stderr}); run scripts/setup.sh or set TRAILSCOPE_PYTHON`,
  );
  return found;
}

/** The folder read back with DuckDB: rows, actors, and rows per `date` partition. */
function readBack(dir) {
  const script = `
import json, sys, duckdb
src = "read_parquet('" + sys.argv[1] + "/*/*.parquet', hive_partitioning=true)"
con = duckdb.connect()
q = lambda sql: con.execute(sql.replace("SRC", src)).fetchall()
print(json.dumps({
  "rows": q("SELECT count(*) FROM SRC")[0][0],
  "actors": sorted(a for (a,) in q("SELECT DISTINCT actor_id FROM SRC")),
  "days": [[str(d), n] for d, n in q("SELECT date, count(*) FROM SRC GROUP BY 1 ORDER BY 1")],
  "bad_hashes": q("SELECT count(*) FROM SRC WHERE raw IS NOT NULL AND sha256(raw) <> raw_sha256")[0][0],
}))`;
  const run = spawnSync(python(), ["-c", script, dir], { encoding: "utf8", timeout: 120_000 });
  assert.equal(run.status, 0, `DuckDB could not read ${dir}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** The events status line's text. */
function statusLine(app) {
  return app.execute(`return document.querySelector('[data-testid="events-status"]')?.textContent ?? "";`);
}

/** Waits until the status line says exactly `expected`. */
async function waitForStatus(app, expected, what) {
  const seen = await app.waitFor(async () => ((await statusLine(app)) === expected ? true : undefined), { timeoutMs: 30_000 });
  assert.ok(seen, `${what}: the status line says ${JSON.stringify(await statusLine(app))}, not ${JSON.stringify(expected)}`);
}

test("an actor's events: counted beyond the first page, saved as Parquet by day, read back by DuckDB", { timeout: 300_000 }, async (t) => {
  const work = mkdtempSync(path.join(os.tmpdir(), "trailscope-parquet-e2e-"));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  // A bundle of this test's own (so its case, and the journal line the export adds, are too).
  const bundle = path.join(work, "bundle");
  generate(bundle, { events: 10_000, chains: 2, seed: 11 });
  const events = readEvents(bundle);
  assert.ok(events.every((event) => event.omitted !== true), "the generated bundle holds stubs, which a count leaves aside");

  // The busiest actor: more events than the table's first page of 200.
  const byActor = new Map();
  for (const event of events) {
    const id = event.actor?.id;
    if (typeof id === "string") byActor.set(id, [...(byActor.get(id) ?? []), event]);
  }
  const [actorId, theirs] = [...byActor].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))[0];
  assert.ok(theirs.length > 200, `the busiest actor has only ${theirs.length} events: the count would not go beyond the first page`);
  const days = [...new Set(theirs.map((event) => new Date(event.ts).toISOString().slice(0, 10)))].sort();
  assert.ok(days.length >= 2, `the actor's events fall on ${days.length} day(s): a poor test of day folders`);

  // The CLI's count of the same filter, on a case of its own (exit 3: intact, unsigned key).
  const cliCase = path.join(work, "cli.trailscope");
  cli(["import", "--case", cliCase, bundle], 4);
  const [facet] = JSON.parse(cli(["facets", "--case", cliCase, "--actor", actorId, "--by", "actor", "--json"]));
  assert.equal(facet?.count, theirs.length, `the CLI counts ${facet?.count} events of ${actorId}, the bundle ${theirs.length}`);
  const everyOutcome = JSON.parse(cli(["facets", "--case", cliCase, "--by", "outcome", "--json"]));
  assert.equal(everyOutcome.reduce((sum, f) => sum + f.count, 0), events.length, "the CLI's count of every event");
  t.diagnostic(`${events.length} events; ${actorId}: ${theirs.length} on ${days.join(", ")}`);

  const saveDir = path.join(work, "saved");
  mkdirSync(saveDir);
  await withApp(
    [bundle],
    async (app) => {
      await openTab(app, "events");
      await need(app, testId("event-row"), "the first event rows", 60_000);
      // Unfiltered: every event, counted, though one page is loaded.
      await waitForStatus(app, `${grouped(events.length)} events match; scroll for more`, "no filter");

      await need(app, testId("actor-filter"), "the actor filter");
      assert.ok(await chooseOption(app, testId("actor-filter"), actorId), `the actor filter has no option for ${actorId}`);
      await waitForStatus(app, `${grouped(theirs.length)} events match; scroll for more`, `actor ${actorId}`);
      // The count is the shell's, not the rows loaded: only the first page is in the table.
      const loaded = await app.execute(
        `return Math.round(parseFloat(document.querySelector('[data-testid="events-table"] .table-spacer')?.style.height ?? "0") / 32);`,
      );
      t.diagnostic(`${actorId}: “${await statusLine(app)}” with ${loaded} rows loaded`);
      assert.ok(loaded > 0 && loaded < theirs.length, `${loaded} rows loaded of ${theirs.length}`);

      // Parquet (folder)… of this view.
      const casePath = await app.execute(`return document.querySelector('[data-testid="case-path"]').textContent;`);
      const folder = path.join(saveDir, `${path.basename(casePath).replace(/\.trailscope$/, "")}-events-parquet`);
      await clickNow(app, testId("export-parquet"), "Parquet (folder)…");
      const message = await until(
        app,
        `const box = document.querySelector('[data-testid="error"]');
         return box !== null && !box.hidden && box.textContent.startsWith("Saved ") ? box.textContent : false;`,
        "no notice that the Parquet export was saved",
      );
      t.diagnostic(message);
      const folders = `${days.length} day ${days.length === 1 ? "folder" : "folders"}`;
      assert.equal(message, `Saved ${grouped(theirs.length)} events as Parquet in ${folders}: ${folder}`);

      // The folder: one date=YYYY-MM-DD folder per day of the actor's events, each with its part files.
      assert.deepEqual(readdirSync(folder).sort(), days.map((day) => `date=${day}`), "the day folders");
      for (const day of days) {
        const parts = readdirSync(path.join(folder, `date=${day}`));
        assert.ok(parts.length > 0, `date=${day} is empty`);
        for (const part of parts) assert.match(part, /^part-\d{5}\.parquet$/, `date=${day}/${part}`);
      }
      assert.deepEqual(readdirSync(saveDir), [path.basename(folder)], "something besides the folder was left in the save folder");

      // Read back as a reviewer would: exactly the actor's events, on their days.
      const read = readBack(folder);
      assert.equal(read.rows, theirs.length, "DuckDB's count of the rows");
      assert.equal(read.rows, facet.count, "DuckDB's count against the CLI's and the status line's");
      assert.deepEqual(read.actors, [actorId], "rows of other actors");
      assert.equal(read.bad_hashes, 0, "raw records whose SHA-256 is not raw_sha256");
      const perDay = days.map((day) => [day, theirs.filter((event) => new Date(event.ts).toISOString().startsWith(day)).length]);
      assert.deepEqual(read.days, perDay, "rows per day folder");

      // The Journal lists the export.
      await openTab(app, "journal");
      const entry = await until(
        app,
        `const entry = [...document.querySelectorAll('[data-testid="journal-entry"]')].find((node) => node.dataset.action === "events.exported");
         return entry === undefined ? false : entry.querySelector('[data-testid="journal-sentence"]').textContent;`,
        "the Journal does not list the export",
      );
      t.diagnostic(`journal: ${entry}`);
      assert.ok(entry.includes(`exported ${theirs.length} events`), entry);
      assert.ok(entry.includes(`as PARQUET to ${folder}`), entry);

      // A second export under the same name is refused in the engine's words; nothing is overwritten.
      await openTab(app, "events");
      await waitForStatus(app, `${grouped(theirs.length)} events match; scroll for more`, "back on the events tab");
      await clickNow(app, testId("export-parquet"), "Parquet (folder)… again");
      const refusal = await until(
        app,
        `const box = document.querySelector('[data-testid="error"]');
         return box !== null && !box.hidden && /not an empty folder/.test(box.textContent) ? box.textContent : false;`,
        "a second export into the same folder was not refused",
      );
      t.diagnostic(refusal);
      assert.equal(readBack(folder).rows, theirs.length, "the first export was changed");
      assert.ok(existsSync(folder));
    },
    { env: { TRAILSCOPE_SAVE_DIR: saveDir } },
  );
});
