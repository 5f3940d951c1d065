//! Trailscope's engine: reads audit bundles (spec `audit-bundle-v1`), verifies them
//! independently, and (later) indexes them into a case for investigation.
//!
//! The engine knows nothing about Tauri or any UI and serializes nothing for IPC:
//! the CLI (`src/bin/trailscope`) and the desktop shell (`src-tauri`) turn its types
//! into text or DTOs at their own edge.
//!
//! ```no_run
//! use trailscope::{verify_bundle, VerifyOptions, Verdict};
//! let report = verify_bundle("export.audit.zip".as_ref(), &VerifyOptions::default()).unwrap();
//! if report.verdict() == Verdict::Broken {
//!     for finding in report.findings() { println!("{}", finding.describe()); }
//! }
//! ```

pub mod bundle;
pub mod canonical;
pub mod case;
pub mod diff;
mod error;
pub mod excerpt;
pub mod export;
pub mod merkle;
pub mod produce;
pub mod query;
pub mod report;
pub mod reviewer;
pub mod source;
pub mod state;
pub mod text_search;
pub mod verify;

pub use error::{Error, Result};
pub use verify::{
    Checkpoint, Dimension, DimensionStatus, Finding, FindingKind, Report, SignatureStatus,
    TrustedKeys, Verdict, VerifyOptions, verify_bundle,
};
