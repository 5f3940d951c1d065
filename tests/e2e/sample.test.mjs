// Opens the spec's sample bundle (11 events in 2 chains, signed by the key in
// trusted-keys.txt, which scripts/e2e.sh passes as TRAILSCOPE_TRUSTED_KEYS) and
// checks the verdict headline.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { testId, vectorsDir, withApp } from "./lib/app.mjs";

const sample = path.join(vectorsDir, "sample");

test("the sample bundle opens with an intact verdict", { timeout: 120_000 }, async (t) => {
  assert.ok(existsSync(path.join(sample, "events.jsonl")), `no spec vectors at ${sample}`);
  await withApp([sample], async (app) => {
    const headline = await app.waitForElement(testId("verdict-headline"), { timeoutMs: 20_000 });
    assert.ok(headline !== undefined, 'no [data-testid="verdict-headline"] within 20 s');
    // The headline may fill in after the engine answers: wait for the counts.
    const text = await app.waitFor(
      async () => {
        const value = (await app.text(headline)).trim();
        return value.includes("11 events in 2 chains") ? value : undefined;
      },
      { timeoutMs: 20_000 },
    );
    const shown = text ?? (await app.text(headline)).trim();
    t.diagnostic(`headline: ${shown}`);
    assert.match(shown, /^(Verified|Intact)/, `headline: ${JSON.stringify(shown)}`);
    assert.ok(shown.includes("11 events in 2 chains"), `headline: ${JSON.stringify(shown)}`);
  });
});
