// One person across sources in the real app. A case holds a Microsoft 365 (Purview)
// export, an Okta System Log and a GitHub audit log of one company (imported by the
// CLI, as a colleague would hand it over); Maria acts in all three, as maria@acme.com,
// as Okta user 00u1maria (login maria@acme.com) and as GitHub's maria-lopez (SAML
// identity maria@acme.com). The actors view shows her once, with her accounts and the
// address that links them, and her events across all three; "Not the same person"
// separates the GitHub account and "Link again" undoes it.
//
// Ground truth comes from the files the test wrote (and the Purview CSV's own AuditData).
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { cliBinary, testId, withApp } from "./lib/app.mjs";
import { clickNow, need, openTab, readAll, type } from "./lib/views.mjs";

const MARIA = "maria@acme.com";

function oktaRecord(i, actor) {
  return {
    uuid: `5f0c-0000-0000-${String(i).padStart(4, "0")}`,
    published: `2026-03-0${1 + (i % 5)}T09:${String(10 + i).padStart(2, "0")}:00.000Z`,
    eventType: "user.session.start",
    displayMessage: "User login to Okta",
    actor: { id: actor.id, type: "User", alternateId: actor.login, displayName: actor.name },
    client: { ipAddress: "203.0.113.7" },
    outcome: { result: "SUCCESS" },
  };
}

function githubEntry(i) {
  const at = Date.parse(`2026-03-0${1 + (i % 5)}T11:00:00Z`) + i * 60_000;
  return {
    "@timestamp": at,
    created_at: at,
    _document_id: `doc-maria-${i}`,
    action: "repo.access",
    actor: "maria-lopez",
    actor_id: 1001,
    external_identity_nameid: MARIA,
    org: "acme",
    repo: "acme/api",
    visibility: i % 2 === 0 ? "private" : "public",
  };
}

/** Counts Maria's events in the Purview CSV from its AuditData column (UserId). */
function purviewEventsOf(csv, user) {
  let n = 0;
  for (const line of readFileSync(csv, "utf8").split("\n").slice(1)) {
    const at = line.indexOf('"{');
    if (at < 0) continue;
    const audit = JSON.parse(line.slice(at + 1, line.lastIndexOf('}"') + 1).replaceAll('""', '"'));
    if (typeof audit.UserId === "string" && audit.UserId.toLowerCase() === user) n += 1;
  }
  return n;
}

test("one person's accounts in three systems show as one, and can be separated and linked again", { timeout: 240_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "trailscope-e2e-people-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const csv = path.join(dir, "purview.csv");
  execFileSync(cliBinary, ["gen-purview", csv, "--records", "150", "--seed", "5"], { stdio: "pipe", timeout: 60_000 });
  const okta = path.join(dir, "okta.json");
  const maria = { id: "00u1maria", login: MARIA, name: "Maria Lopez" };
  const bob = { id: "00u1bob", login: "bob@acme.com", name: "Bob Stone" };
  const oktaRecords = [0, 1, 2, 3].map((i) => oktaRecord(i, maria)).concat([4, 5].map((i) => oktaRecord(i, bob)));
  writeFileSync(okta, JSON.stringify(oktaRecords));
  const github = path.join(dir, "github.json");
  writeFileSync(github, JSON.stringify([0, 1, 2].map(githubEntry)));
  const casePath = path.join(dir, "acme.trailscope");
  for (const source of [csv, okta, github]) {
    // Exit code 4: imported, unverifiable (these exports carry no integrity).
    const run = spawnSync(cliBinary, ["import", "--case", casePath, source], { encoding: "utf8", timeout: 60_000 });
    assert.equal(run.status, 4, `${source}: ${run.stderr}${run.stdout}`);
  }
  const inPurview = purviewEventsOf(csv, MARIA);
  assert.ok(inPurview > 0, "the Purview export has no event of Maria's");
  const total = inPurview + 4 + 3;

  await withApp([casePath], async (app) => {
    await openTab(app, "actors");
    const search = await need(app, testId("actor-search"), "the actor search");
    await type(app, search, "maria");
    const key = `linked:${MARIA}`;
    await need(app, `${testId("actor-item")}[data-actor-id="${key}"]`, "Maria, linked");
    const [listed] = await readAll(app, `${testId("actor-item")}[data-actor-id="${key}"]`);
    assert.match(listed.text, /2 accounts: /, listed.text);
    for (const source of ["Microsoft 365 audit log", "Okta System Log", "GitHub audit log"]) {
      assert.ok(listed.text.includes(source), `${source} missing from ${JSON.stringify(listed.text)}`);
    }
    await clickNow(app, `${testId("actor-item")}[data-actor-id="${key}"]`, "Maria, linked");

    const accounts = await app.waitFor(async () => {
      const found = await readAll(app, testId("actor-account"));
      return found.length > 0 ? found : undefined;
    });
    assert.ok(accounts !== undefined, "no accounts listed in Maria's profile");
    assert.deepEqual(accounts.map((a) => a.data.actorId).sort(), ["maria-lopez", MARIA]);
    const [why] = await readAll(app, testId("actor-accounts"));
    assert.ok(why.text.includes(`both accounts were seen with ${MARIA}`), why.text);
    const github_ = accounts.find((a) => a.data.actorId === "maria-lopez");
    assert.match(github_.text, /maria-lopez in GitHub audit log — 3 events/, github_.text);
    const [headline] = await readAll(app, testId("actor-headline"));
    const count = /([\d,]+) events?\b/.exec(headline.text);
    assert.ok(count !== null, headline.text);
    assert.equal(Number(count[1].replaceAll(",", "")), total, `headline: ${headline.text}`);

    // Her latest events span the three systems.
    const events = await app.waitFor(async () => {
      const found = await readAll(app, `${testId("actor-events")} ${testId("actor-event")}`);
      return found.length >= Math.min(total, 50) ? found : undefined;
    });
    assert.ok(events !== undefined, "Maria's latest events did not arrive");
    const ids = new Set(events.map((row) => row.data.actorId));
    assert.ok(ids.has("maria-lopez") && ids.has(MARIA), `latest events by ${[...ids].join(", ")}`);

    // Not the same person: the GitHub account stands alone, and can be linked again.
    await clickNow(app, `${testId("actor-account")}[data-actor-id="maria-lopez"] ${testId("actor-unlink")}`, "Not the same person");
    await need(app, testId("actor-relink"), "the Link again button");
    const [alone] = await readAll(app, testId("actor-headline"));
    assert.match(alone.text, /^maria-lopez — person — 3 events/, alone.text);
    const items = await app.waitFor(async () => {
      const found = (await readAll(app, testId("actor-item"))).map((i) => i.data.actorId);
      return found.includes("maria-lopez") && found.includes(MARIA) && !found.includes(key) ? found : undefined;
    });
    assert.ok(items !== undefined, "the accounts were not listed apart");
    await clickNow(app, testId("actor-relink"), "Link again");
    const again = await app.waitFor(async () => {
      const found = (await readAll(app, testId("actor-item"))).map((i) => i.data.actorId);
      return found.includes(key) && !found.includes("maria-lopez") ? found : undefined;
    });
    assert.ok(again !== undefined, "linking again did not bring the accounts together");

    // All her events in the Events tab, each naming the system it came from.
    await clickNow(app, testId("actor-show-all"), "Show all in Events");
    const sources = await app.waitFor(async () => {
      const found = await readAll(app, `${testId("event-row")} ${testId("event-source")}`);
      return found.length > 0 ? found.map((cell) => cell.text) : undefined;
    });
    assert.ok(sources !== undefined, "the events table names no source");
    const names = new Set(["Microsoft 365 audit log", "Okta System Log", "GitHub audit log"]);
    assert.deepEqual(sources.filter((name) => !names.has(name)), [], "an event from elsewhere");
  });
});
