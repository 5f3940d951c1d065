// A Microsoft 365 (Purview) audit search export in the real app. A CSV made by
// `trailscope gen-purview` (the classic `CreationDate,UserIds,Operations,AuditData`
// shape) opens by itself, with no mapping: the verdict says plainly that it is
// unverifiable and why, and the record history of the user given a role shows the
// role change's before and after, field by field.
//
// Ground truth comes from the CSV's own AuditData, parsed here, never through the app.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { cliBinary, testId, withApp } from "./lib/app.mjs";
import { click, shownChanges, typeInto } from "./lib/history.mjs";
import { need } from "./lib/views.mjs";

/** RFC 4180: rows of fields, quotes doubled inside quoted fields. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

test("a Purview CSV opens unverifiable and shows a role change's before and after", { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "trailscope-e2e-purview-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const csv = path.join(dir, "audit-search.csv");
  execFileSync(cliBinary, ["gen-purview", csv, "--records", "150", "--seed", "5"], { stdio: "pipe", timeout: 60_000 });

  const [header, ...rows] = parseCsv(readFileSync(csv, "utf8"));
  assert.deepEqual(header, ["CreationDate", "UserIds", "Operations", "AuditData"]);
  const records = rows.map((row) => JSON.parse(row[3]));
  const grant = records.find((record) => record.Operation === "Add member to role.");
  assert.ok(grant !== undefined, "the export holds no role change");
  const user = grant.Target.find((target) => target.Type === 5).ID;
  const role = grant.ModifiedProperties.find((property) => property.Name === "Role.DisplayName").NewValue;
  const grantsOfUser = records.filter(
    (record) => record.Operation === "Add member to role." && record.Target.some((target) => target.ID === user),
  );

  await withApp([csv], async (app) => {
    const headline = await need(app, testId("verdict-headline"), "the verdict headline", 60_000);
    const said = (await app.textContent(headline)).trim();
    assert.match(said, /^Unverifiable: 150 events/, said);
    assert.match(said, /Microsoft 365 audit log carries no hash chain or signature/, said);

    // The user's history: every role change of theirs, and the first one's changes.
    await click(app, testId("tab-record"), "Record history tab");
    await typeInto(app, testId("record-chooser-type"), "user");
    await typeInto(app, testId("record-chooser-id"), user);
    await click(app, testId("record-chooser-show"), "Show history button");
    const entries = await app.waitFor(async () => {
      const found = await app.execute(
        `return [...document.querySelectorAll('${testId("timeline-entry")}')].map((entry) => entry.textContent);`,
      );
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 15_000 });
    assert.ok(entries !== undefined, `no history for ${user}`);
    const roleEntries = entries
      .map((text, index) => ({ text, index }))
      .filter((entry) => entry.text.includes("role"));
    assert.equal(roleEntries.length, grantsOfUser.length, `role changes of ${user}: ${entries.join(" | ")}`);
    const first = roleEntries[0];
    const changes = await shownChanges(app, `${testId("timeline-entry")}:nth-child(${first.index + 1})`);
    // A key with a dot in it is shown quoted, so it cannot be read as a nested path.
    const displayName = changes.find((change) => change.path === '["Role.DisplayName"]');
    assert.ok(displayName !== undefined, `the role change shows no Role.DisplayName: ${JSON.stringify(changes)}`);
    assert.equal(displayName.kind, "added");
    assert.equal(displayName.after, role);
    // The well-known name was written as JSON inside a string: it is shown decoded.
    const wellKnown = changes.find((change) => change.path.startsWith('["Role.WellKnownObjectName"]'));
    assert.ok(wellKnown !== undefined, `no Role.WellKnownObjectName change: ${JSON.stringify(changes)}`);
    assert.ok(!(wellKnown.after ?? "").includes("[\""), `shown as JSON text: ${wellKnown.after}`);
    assert.ok((wellKnown.after ?? "").includes(role.replaceAll(" ", "")), `the decoded name is not shown: ${wellKnown.after}`);
  });
});
