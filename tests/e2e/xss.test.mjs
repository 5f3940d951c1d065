// XSS probe: a bundle whose actor names are markup must show them as text.
// Nothing from a bundle may become an element or run as script (the front end
// uses textContent only, and the CSP forbids inline script as a second wall).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { testId, withApp } from "./lib/app.mjs";
import { generate, readEvents, writeRelinkedEvents } from "./lib/bundle.mjs";
import { sleep } from "./lib/webdriver.mjs";

const PAYLOADS = [
  `<img src=x onerror="document.title='pwned'">`,
  `<script>document.title='pwned'</script>`,
];

/**
 * Renames the actors of the latest events to the payloads, everywhere they
 * appear (as actor and as a User target), with the chains re-linked so the
 * bundle is intact (unsigned) and every view shows it as a normal bundle.
 * The bundle is small enough for the event list to show every event.
 */
function makeHostileBundle(dir) {
  generate(dir, { events: 20, chains: 2, seed: 7 });
  const events = readEvents(dir);
  const renamed = new Map();
  const latestFirst = [...events].sort((a, b) => String(b.ts).localeCompare(String(a.ts)));
  for (const event of latestFirst) {
    const id = event.actor?.id;
    if (id !== undefined && !renamed.has(id) && renamed.size < PAYLOADS.length) {
      renamed.set(id, PAYLOADS[renamed.size]);
    }
  }
  assert.equal(renamed.size, PAYLOADS.length, "the generated bundle has too few actors");
  for (const event of events) {
    if (event.actor && renamed.has(event.actor.id)) {
      event.actor.name = renamed.get(event.actor.id);
    }
    if (event.target && renamed.has(event.target.id) && typeof event.target.name === "string") {
      event.target.name = renamed.get(event.target.id);
    }
  }
  writeRelinkedEvents(dir, events);
}

const VIEW_PARTS = ["event-row", "verdict-headline", "actor-filter", "finding", "detail-panel"];

test("actor names made of markup are shown as text, never run", { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "trailscope-e2e-xss-"));
  try {
    makeHostileBundle(dir);
    await withApp([dir], async (app) => {
      const anyView = VIEW_PARTS.map(testId).join(", ");
      assert.ok(
        (await app.waitForElement(anyView, { timeoutMs: 20_000 })) !== undefined,
        "no bundle view within 20 s (no data-testid of " + VIEW_PARTS.join(", ") + ")",
      );
      // Let the event list fill in, then give a would-be onerror time to fire.
      const rows = await app.waitForElement(testId("event-row"), { timeoutMs: 10_000 });
      assert.ok(rows !== undefined, "no event rows");
      const pageText = () => app.execute("return document.body.innerText;");
      await app.waitFor(async () => {
        const text = await pageText();
        return PAYLOADS.every((payload) => text.includes(payload));
      }, { timeoutMs: 10_000 });
      await sleep(1_000);

      assert.equal(await app.title(), "Trailscope", "document.title changed: a payload ran");
      assert.deepEqual(await app.findAll('img[src="x"]'), [], "a payload became an <img> element");
      const hostileScripts = await app.execute(
        "return [...document.scripts].filter((s) => s.text.includes('pwned')).length;",
      );
      assert.equal(hostileScripts, 0, "a payload became a <script> element");

      // The names must still be there, as the very characters of the bundle.
      const text = await pageText();
      const shown = PAYLOADS.filter((payload) => text.includes(payload));
      assert.deepEqual(shown, PAYLOADS, "the event list does not show the actor names as text");
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
