//! The auditor's report: what a case holds, said for someone who was not there — what
//! was examined, each source's and chain's verdict with its five dimensions, every
//! finding in plain words, the time covered and the retention period — as one
//! self-contained HTML file and as a PDF the engine writes itself.
//!
//! `build` reads the case (read-only) into a `Document` (`doc`), plain text only;
//! `html` and `pdf` draw that one document, so both files say the same thing. Sections
//! the case learns later (annotations, saved searches, receipts, the journal) come in
//! through `ReportExtras`, built by `work::extras`. `write` writes both files and says
//! what it wrote, for the CLI and the app alike. Nothing here decides a verdict:
//! verdicts, findings and their words come from `verify` and `case`, masking from
//! `query::view`.

mod build;
pub mod doc;
pub mod html;
pub mod pdf;
mod work;
mod write;

use std::path::Path;

pub use build::{ExaminedFile, ReportExtras, ReportOptions, build};
pub use doc::Document;
pub use pdf::{PdfFont, PdfOptions, PdfReport};
pub use work::extras;
pub use write::{ReportWritten, WrittenFile, WrittenPdf, html_and_pdf_beside, write_files};

use crate::{Error, Result};

/// Writes `bytes` to `path` under a temporary name beside it and renames it into
/// place when complete, so a failed write never leaves a file that looks finished.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let written = (|| {
        let mut file = std::fs::File::create(&partial).map_err(|e| Error::io(&partial, e))?;
        file.write_all(bytes).map_err(|e| Error::io(&partial, e))?;
        file.sync_all().map_err(|e| Error::io(&partial, e))?;
        std::fs::rename(&partial, path).map_err(|e| Error::io(path, e))
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// The external tools the report's tests read their output with (poppler's
/// `pdftotext`), absent on some machines: a test without them says so and stops,
/// unless `CI` is set, where a missing tool fails the test.
#[cfg(test)]
pub(crate) mod tool {
    use std::path::Path;

    /// Says that a test could not run for want of `what`; under CI, fails.
    pub fn missing(what: &str) {
        if std::env::var_os("CI").is_some() {
            panic!("{what} is not installed, and CI is set: scripts/setup.sh installs it");
        }
        eprintln!("SKIPPED (not passed): {what} is not installed; scripts/setup.sh installs it");
    }

    /// The text of a PDF as `pdftotext -layout` reads it, or `None` when it is missing.
    pub fn pdftotext(pdf: &Path) -> Option<String> {
        match std::process::Command::new("pdftotext")
            .arg("-layout")
            .arg("-enc")
            .arg("UTF-8")
            .arg(pdf)
            .arg("-")
            .output()
        {
            Ok(output) => {
                assert!(
                    output.status.success(),
                    "pdftotext failed: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
                Some(String::from_utf8(output.stdout).expect("pdftotext writes UTF-8"))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                missing("pdftotext (Debian package poppler-utils)");
                None
            }
            Err(e) => panic!("pdftotext could not run: {e}"),
        }
    }
}
