//! The one integration test binary (ripgrep's layout): each module below is a group of
//! tests against the real engine and the real `trailscope` binary.

// Helpers to make, tamper with and verify bundles.
mod support;

// RFC 8785 and hash golden vectors, and the signed sample bundle of the spec.
mod vectors;
// Format version 2: body hashes, stubs that bind, Merkle roots, segments, both versions read.
mod format_v2;
// One test per finding kind: a bundle tampered in exactly one way.
mod tamper;
// Containers, stubs, segments, signatures and checkpoints on untampered bundles.
mod bundles;
// The `trailscope` binary: exit codes, JSON contract, human report.
mod cli;
// What a verdict may claim: empty input, checkpoints and stubs, imprecise numbers,
// one policy for every command, headlines in words, no export at all, closed pipes.
mod verdicts;
// The mapped source: CSV, JSON Lines and JSON arrays through a mapping, unverifiable.
mod mapped;
// AWS CloudTrail evidence folders: verified, intact, broken, unverifiable; imported.
mod cloudtrail;
mod cloudtrail_lake;
mod cloudtrail_zip;
// Exports of systems with no integrity of their own, one module a format.
mod saas_entra;
mod saas_formulas;
mod saas_github;
mod saas_gitlab;
mod saas_google;
mod saas_kubernetes;
mod saas_okta;
mod saas_purview;
mod saas_salesforce;
mod saas_zip;
// One person across sources: accounts linked by a shared email, separable.
mod people;
// The reviewer's work product: annotations, the journal, custody receipts.
mod work_product;
// scripts/collect-cloudtrail.sh against a fake `aws` serving a generated bucket.
mod collect;
// Evidence excerpts checked on their own: proofs, the chain to the head, custody receipts.
mod excerpt;
// CloudTrail records excerpted with their log files, signed digests and AWS's keys.
mod excerpt_cloudtrail;
// The auditor's report: HTML in real headless Chromium, the engine's PDF read back.
mod report;
// A masked field is hidden in every CLI output and export, however deeply nested.
mod masking;
// The case file: import, status, actors, joined and contradicting bundles, kill -9, reverify.
mod case;
// Investigating a case: filters, facets, timelines, diffs and exports against the file's own truth.
mod investigate;
// The Parquet export (Hive-partitioned) read back with DuckDB against the engine's counts.
mod parquet;
// The views' engine: activity and spikes, questions, event detail, retrust, export to a file, migration.
mod views;
// Hostile bundles and faults: bombs, escapes, bad lines, bad manifests, a full disk, kills.
mod hostile;
// Properties (proptest): canonical JSON is a fixed point; any one-byte change is caught.
mod properties;
// Repository hygiene: every source file says what it is for; SQL lives in one module per table.
mod columns;
mod tidy;
