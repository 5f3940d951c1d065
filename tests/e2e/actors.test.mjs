// The actors view and the events table's actor filter, checked against the test's own
// counts from the raw bundle: search an actor by part of the name, choose it, and its
// headline, action and record-kind breakdowns and latest events must be exactly what
// the events say; filtering the events by an actor must list that actor's events and
// no other. These tests fail (never skip) when a view is missing.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { testId, withApp } from "./lib/app.mjs";
import { generate, readEvents } from "./lib/bundle.mjs";
import { breakdownRows, chooseOption, click, countBy, need, openTab, readAll, scrollAndRead, type } from "./lib/views.mjs";

/** The real events (no stubs) of a generated bundle, and each named actor's. */
function bundleWithActors(dir, seed, nEvents) {
  generate(dir, { events: nEvents, chains: 1, seed });
  const events = readEvents(dir).filter((event) => event.omitted !== true);
  const byActor = new Map();
  for (const event of events) {
    const id = event.actor?.id;
    if (id === undefined) continue;
    if (!byActor.has(id)) byActor.set(id, { id, name: event.actor.name, type: event.actor.type, events: [] });
    byActor.get(id).events.push(event);
  }
  return [...byActor.values()];
}

/** Whether exactly one actor's name or id contains `part` (ignoring case). */
function uniquePart(actors, part) {
  const needle = part.toLowerCase();
  return (
    actors.filter((a) => a.id.toLowerCase().includes(needle) || (a.name ?? "").toLowerCase().includes(needle))
      .length === 1
  );
}

test("the actors view shows one actor's activity exactly as the bundle has it", { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "trailscope-e2e-actors-"));
  try {
    const actors = bundleWithActors(dir, 11, 400);
    // The busiest person with a name some part of which finds them alone.
    const people = actors
      .filter((a) => (a.type === "user" || a.type === "admin") && typeof a.name === "string")
      .sort((a, b) => b.events.length - a.events.length);
    let chosen;
    let part;
    for (const person of people) {
      const last = person.name.split(" ").at(-1);
      const candidate = last.slice(1, Math.max(4, last.length - 1)).toLowerCase();
      if (candidate.length >= 3 && uniquePart(actors, candidate)) {
        chosen = person;
        part = candidate;
        break;
      }
    }
    assert.ok(chosen !== undefined, "no person in the generated bundle has a unique part of a name");
    const expectedActions = countBy(chosen.events, (event) => event.action);
    const expectedTargets = countBy(chosen.events, (event) => event.target?.type ?? "");

    await withApp([dir], async (app) => {
      await openTab(app, "actors");
      await need(app, testId("actors-view"), "the actors view");
      const search = await need(app, testId("actor-search"), "the actor search");
      await type(app, search, part);

      // Only actors matching the search are listed, and the chosen one among them.
      const listed = await app.waitFor(async () => {
        const items = (await readAll(app, testId("actor-item"))).filter((item) => item.shown);
        return items.length === 1 ? items : undefined;
      });
      assert.ok(listed !== undefined, `searching "${part}" did not narrow the list to one actor`);
      assert.equal(listed[0].data.actorId, chosen.id);
      const item = await need(app, `${testId("actor-item")}[data-actor-id="${chosen.id}"]`, "the found actor");
      await click(app, item);

      await need(app, testId("actor-headline"), "the actor's headline");
      // The profile re-renders as its parts arrive: read the headline in one call.
      const [headline] = await readAll(app, testId("actor-headline"));
      const headlineText = headline.text.trim();
      assert.ok(headlineText.includes(chosen.name), `headline ${JSON.stringify(headlineText)} lacks the name`);
      const count = /([\d,]+) events?\b/.exec(headlineText);
      assert.ok(count !== null, `headline ${JSON.stringify(headlineText)} has no event count`);
      assert.equal(Number(count[1].replaceAll(",", "")), chosen.events.length, `headline: ${headlineText}`);

      for (const [name, expected] of [
        ["breakdown-action", expectedActions],
        ["breakdown-target", expectedTargets],
      ]) {
        const rows = await app.waitFor(async () => {
          const found = await breakdownRows(app, testId(name));
          return found.length > 0 ? found : undefined;
        });
        assert.ok(rows !== undefined, `no ${name} rows within 20 s`);
        assert.deepEqual(rows, expected, `${name} differs from the bundle's own counts`);
      }

      const events = await app.waitFor(async () => {
        const found = await readAll(app, `${testId("actor-events")} ${testId("actor-event")}`);
        return found.length > 0 ? found : undefined;
      });
      assert.ok(events !== undefined, "no actor-event rows within 20 s");
      assert.equal(events.length, Math.min(chosen.events.length, 50), "the latest events are not the first page");
      const strangers = events.filter((row) => row.data.actorId !== chosen.id);
      assert.deepEqual(strangers, [], "the actor's latest events list someone else's events");
      const ownIds = new Set(events.map((row) => row.data.eventIdx));
      assert.equal(ownIds.size, events.length, "an event is listed twice");

      assert.ok((await app.findAll(testId("actor-show-all"))).length === 1, "no actor-show-all button");
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("filtering the events by actor lists that actor's events and no other", { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "trailscope-e2e-actor-filter-"));
  try {
    const actors = bundleWithActors(dir, 13, 150);
    // A named actor with a handful of events: every row can be checked.
    const chosen = actors
      .filter((a) => typeof a.name === "string" && a.events.length >= 3)
      .sort((a, b) => a.events.length - b.events.length)[0];
    assert.ok(chosen !== undefined, "no named actor with at least 3 events");
    const others = actors.filter((a) => a.id !== chosen.id);
    assert.ok(others.length > 0, "the bundle has a single actor: filtering would prove nothing");

    await withApp([dir], async (app) => {
      await openTab(app, "events");
      const filter = testId("actor-filter");
      await need(app, filter, "the events toolbar's actor filter", 30_000);
      const chosenOk = await chooseOption(app, filter, chosen.id);
      assert.ok(chosenOk, `the actor filter has no option for ${chosen.id}`);

      // The status line says how many rows match once every page is in.
      const status = await app.waitFor(async () => {
        const [line] = await readAll(app, testId("events-status"));
        const match = /^([\d,]+) (?:events match|event matches)$/.exec(line?.text.trim() ?? "");
        return match !== null && Number(match[1].replaceAll(",", "")) === chosen.events.length ? line.text : undefined;
      });
      const [last] = await readAll(app, testId("events-status"));
      assert.ok(
        status !== undefined,
        `the status line says ${JSON.stringify(last?.text)}, not ${chosen.events.length} rows of ${chosen.name}`,
      );

      // The table draws the rows in view: scroll through it and read each one.
      const rows = await scrollAndRead(app, testId("events-table"), testId("event-row"));
      assert.equal(rows.length, chosen.events.length, "the table does not list every event of the actor");
      const strangers = rows.filter((text) => !text.includes(chosen.name));
      assert.deepEqual(strangers, [], `rows that are not ${chosen.name}'s`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
