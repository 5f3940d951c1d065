// Makes test bundles with the engine's CLI: `trailscope gen` writes a realistic
// directory bundle, then a test may rewrite some events (renaming actors, say),
// re-link the hash chains (spec section 3) and `trailscope seal` the result.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { cliBinary } from "./app.mjs";

/** Runs the engine's CLI; throws with its stderr on failure. */
function cli(args) {
  return execFileSync(cliBinary, args, { encoding: "utf8", timeout: 60_000, stdio: "pipe" });
}

/** `trailscope gen DIR ...`: a directory bundle with events.jsonl and manifest.json. */
export function generate(dir, { events = 40, chains = 2, seed = 7 } = {}) {
  cli(["gen", dir, "--events", String(events), "--chains", String(chains), "--seed", String(seed)]);
}

/** `trailscope seal DIR`: rewrites manifest.json (unsigned) for the events as they are. */
export function seal(dir) {
  cli(["seal", dir]);
}

/**
 * RFC 8785 canonical JSON. ECMAScript's own JSON.stringify writes strings and
 * numbers exactly as JCS wants them, and the default sort orders keys by UTF-16
 * code units, so only the key order needs doing by hand.
 */
export function jcs(value) {
  if (value === null || typeof value !== "object") {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(jcs).join(",")}]`;
  }
  return `{${Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${jcs(value[key])}`)
    .join(",")}}`;
}

function eventHash(event) {
  const { hash: _ignored, ...rest } = event;
  return createHash("sha256").update(jcs(rest), "utf8").digest("hex");
}

/** The events of a directory bundle, in file order. */
export function readEvents(dir) {
  return readFileSync(path.join(dir, "events.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
}

/**
 * Writes `events` back, with each chain re-linked: every real event gets its
 * prev_hash from the event before it and its hash recomputed (stubs keep their
 * hash, which cannot be recomputed). Then seals the directory.
 */
export function writeRelinkedEvents(dir, events) {
  const byChain = new Map();
  for (const event of events) {
    if (!byChain.has(event.chain)) {
      byChain.set(event.chain, []);
    }
    byChain.get(event.chain).push(event);
  }
  for (const chain of byChain.values()) {
    chain.sort((a, b) => a.seq - b.seq);
    let previous = "0".repeat(64);
    for (const event of chain) {
      event.prev_hash = previous;
      if (event.omitted !== true) {
        event.hash = eventHash(event);
      }
      previous = event.hash;
    }
  }
  writeFileSync(
    path.join(dir, "events.jsonl"),
    events.map((event) => `${JSON.stringify(event)}\n`).join(""),
  );
  seal(dir);
}
