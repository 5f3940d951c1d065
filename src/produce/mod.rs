//! The producer side: what a system that *writes* audit bundles does. It generates
//! realistic, deterministic bundles of a simulated CRM company (for demos, tests and
//! benchmarks), creates and loads manifest signing keys, and seals and signs a
//! directory of events (spec `audit-bundle-v1` §3–§5).
//!
//! Nothing here verifies anything: the producer trusts what it writes and what it
//! seals, and must never share code paths with `verify` beyond `canonical`, so a
//! producer bug cannot hide itself from the verifier.
//!
//! Module map: `gen` (the driver, the clock, hashing and writing), `world` (what
//! happens next), `records` (record snapshots, edits, workflows), `roster` (actors and
//! permissions), `rng` (the seeded PRNG), `jcs` (canonical writing of generated events), `keys`,
//! `seal` (manifest and signature). `cloudtrail` generates AWS CloudTrail evidence
//! folders (log files, signed and chained hourly digests, head-object and public-key
//! files) with its own gzip, hashing, fingerprints and RSA signing. One module per SaaS
//! system (`purview`, `entra`, `okta`, `kubernetes`, `github`, `gitlab`, `google`,
//! `salesforce`) generates its exports; `quirks` plans the quirks they share (repeats,
//! conflicting ids, untimed and broken records); `saas` names the eight for the
//! command line.

// `gen` is a reserved keyword in edition 2024, hence the raw identifier.
pub mod cloudtrail;
pub mod entra;
mod r#gen;
pub mod github;
pub mod gitlab;
pub mod google;
mod jcs;
mod keys;
pub mod kubernetes;
pub mod okta;
pub mod purview;
pub mod quirks;
mod records;
mod rng;
mod roster;
pub mod saas;
pub mod salesforce;
mod seal;
mod world;

pub use cloudtrail::{BuiltTrail, TrailPlan, build_trail};
pub use r#gen::{GenOptions, GenSummary, generate};
pub use keys::{SigningKeyFile, keygen, load_signing_key};
pub use seal::{
    ChainSummary, build_manifest, build_manifest_v2, rehash_event, seal_directory,
    seal_directory_as, sign_manifest,
};

#[cfg(test)]
mod tests;
