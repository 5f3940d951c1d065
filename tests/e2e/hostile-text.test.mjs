// Hostile text in every view of the real app (issue 5): an event whose actor name,
// record name, changed values, reason and source carry markup, script, a
// javascript: URL, bidi control characters and a very long string. Every view that
// shows it (events table, detail panel, record history, actors, questions, findings)
// must show it as the same characters, and nothing may run or become an element.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { testId, withApp } from "./lib/app.mjs";
import { generate, readEvents, writeRelinkedEvents } from "./lib/bundle.mjs";
import { sleep } from "./lib/webdriver.mjs";

const ACTOR = `<img src=x onerror="document.title='pwned-img'">`;
const RECORD = `<script>document.title='pwned-script'</script>\u202Edaolnwod`;
const LINK = "javascript:document.title='pwned-link'";
const SVG = `<svg onload="document.title='pwned-svg'"></svg>`;
const LONG = `${"A".repeat(4000)}<b>bold?</b>${"\u2067".repeat(3)}${"Z".repeat(6000)}`;

/** Makes the newest update event hostile everywhere it has text; returns it. */
function makeBundle(dir) {
  generate(dir, { events: 80, chains: 1, seed: 31 });
  const events = readEvents(dir);
  const update = [...events]
    .reverse()
    .find((e) => e.target && e.before && e.after && Object.keys(e.after).length > 0);
  assert.ok(update !== undefined, "the generated bundle has no update event");
  update.actor.name = ACTOR;
  update.target.name = RECORD;
  const field = Object.keys(update.after)[0];
  update.after[field] = LINK;
  update.after.note = LONG;
  update.reason = SVG;
  update.source = { ...(update.source ?? {}), ip: SVG, user_agent: LONG };
  writeRelinkedEvents(dir, events);
  return update;
}

/** Fails if anything from the bundle ran or became an element. */
async function assertInert(app, where) {
  await sleep(500);
  assert.equal(await app.title(), "Trailscope", `${where}: document.title changed, a payload ran`);
  const elements = await app.execute(`return {
    img: document.querySelectorAll('img[src="x"]').length,
    svg: document.querySelectorAll('svg[onload]').length,
    handlers: document.querySelectorAll('[onerror], [onload], [onclick]').length,
    scripts: [...document.scripts].filter((s) => s.text.includes('pwned')).length,
    links: document.querySelectorAll('a[href^="javascript:"]').length,
    bold: [...document.querySelectorAll('b')].filter((b) => b.textContent === 'bold?').length,
    wide: document.documentElement.scrollWidth > window.innerWidth + 1,
  };`);
  assert.deepEqual(
    elements,
    { img: 0, svg: 0, handlers: 0, scripts: 0, links: 0, bold: 0, wide: false },
    `${where}: a payload became an element, or the page grew sideways`,
  );
}

const pageText = (app) => app.execute("return document.body.textContent;");

/** The text of the first element matching `selector`, read in one step (views re-render). */
const textOf = (app, selector) =>
  app.execute("const e = document.querySelector(arguments[0]); return e === null ? null : e.textContent;", selector);

test("hostile text shows as inert text in every view", { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "trailscope-e2e-hostile-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const event = makeBundle(dir);
  await withApp([dir], async (app) => {
    // Events table: the newest rows include the hostile event.
    const eventIdx = await app.waitFor(
      () =>
        app.execute(
          `const row = [...document.querySelectorAll('[data-testid="event-row"]')]
             .find((r) => r.textContent.includes(arguments[0]));
           return row === undefined ? null : row.dataset.eventIdx;`,
          ACTOR,
        ),
      { timeoutMs: 30_000 },
    );
    assert.ok(eventIdx !== undefined, "no event row shows the actor's name as text");
    await assertInert(app, "events table");

    // Detail panel: every hostile value, as the same characters.
    await app.clickSelector(`${testId("event-row")}[data-event-idx="${eventIdx}"]`);
    const detailText = await app.waitFor(() => textOf(app, `${testId("detail-panel")}[data-event-idx="${eventIdx}"]`), {
      timeoutMs: 10_000,
    });
    assert.ok(detailText !== undefined, "no detail panel for the event");
    for (const [name, value] of [["actor", ACTOR], ["record", RECORD], ["link", LINK], ["reason", SVG]]) {
      assert.ok(detailText.includes(value), `the detail panel does not show the ${name} text literally`);
    }
    assert.ok(detailText.includes(LONG.slice(3990, 4020)), "the long value is not shown");
    await assertInert(app, "detail panel");

    // Record history of that record.
    await app.clickSelector(testId("detail-open-record"));
    assert.ok(await app.waitForElement(testId("timeline-entry"), { timeoutMs: 15_000 }), "no record history");
    const history = await pageText(app);
    assert.ok(history.includes(LINK), "the record history does not show the changed value literally");
    await assertInert(app, "record history");

    // Actors: find the hostile actor by its id and open it.
    await app.clickSelector(testId("tab-actors"));
    await app.type(await app.waitForElement(testId("actor-search")), event.actor.id);
    const actor = await app.waitForElement(`${testId("actor-item")}[data-actor-id="${event.actor.id}"]`, { timeoutMs: 10_000 });
    assert.ok(actor !== undefined, "the actor is not listed");
    await app.click(actor);
    const profile = await app.waitFor(
      async () => ((await textOf(app, testId("actor-profile"))) ?? "").includes(ACTOR) || undefined,
      { timeoutMs: 10_000 },
    );
    assert.ok(profile, "the actor's profile does not show the name literally");
    await assertInert(app, "actors");

    // Questions: each one answered, with the hostile actor among the answers somewhere.
    await app.clickSelector(testId("tab-questions"));
    await app.waitForElement(testId("question"), { timeoutMs: 10_000 });
    const ids = await app.execute(
      `return [...document.querySelectorAll('[data-testid="question"]')].map((q) => q.dataset.questionId);`,
    );
    const answered = ids.filter((id) => id !== "changes-to-record" && id !== "recent-actions-by-person");
    assert.ok(answered.length >= 5, `questions listed: ${ids}`);
    for (const id of answered) {
      await app.clickSelector(`${testId("question")}[data-question-id="${id}"]`);
      assert.ok(await app.waitForElement(testId("question-answer"), { timeoutMs: 10_000 }), `no answer to ${id}`);
      await assertInert(app, `question ${id}`);
    }
  });
});
