//! Writes the auditor's report of a case to files, the one way the CLI (`trailscope
//! report`) and the desktop app do it: refuse a target that is the case itself (the
//! evidence) or both formats in one file, build the document once, write the HTML and,
//! when asked, the PDF beside it (each under a temporary name, renamed when complete),
//! and say what was written — each file's path, size and SHA-256, the PDF's pages and
//! font — and the journal entry that records it (`report.written`).
//!
//! It never journals by itself: the case is read here read-only, and the caller appends
//! `ReportWritten::journal_entry` through a write connection of its own.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{PdfFont, PdfOptions, ReportOptions, build, extras, html, pdf, write_atomically};
use crate::canonical::{sha256, to_hex};
use crate::case::journal::JournalEntry;
use crate::case::{Case, case_status};
use crate::reviewer::Reviewer;
use crate::verify::Verdict;
use crate::{Error, Result};

/// One file the report was written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    /// As the caller gave it.
    pub path: PathBuf,
    pub bytes: u64,
    /// SHA-256 of the bytes written (hex).
    pub sha256: String,
}

/// The PDF the report was written to.
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenPdf {
    pub file: WrittenFile,
    pub pages: usize,
    pub font: PdfFont,
}

impl WrittenPdf {
    /// Why the PDF could not embed DejaVu Sans, in plain words with what it means for
    /// the reader; `None` when it did.
    pub fn font_problem(&self) -> Option<String> {
        match &self.font {
            PdfFont::DejaVuSans => None,
            PdfFont::Courier { why } => Some(format!(
                "{why}. The PDF uses the built-in Courier font and shows '?' for characters outside Western European Latin; the HTML report shows every character."
            )),
        }
    }
}

/// What `write_files` wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportWritten {
    /// The case's verdict, as the report states it.
    pub verdict: Verdict,
    pub html: WrittenFile,
    pub pdf: Option<WrittenPdf>,
    /// The journal's head hash printed on the title page (none when the journal is empty).
    pub journal_head: Option<String>,
}

impl ReportWritten {
    /// The journal entry that records this report (`report.written`): where each file
    /// went, its size and SHA-256, the PDF's pages and font, and the journal head the
    /// report names.
    pub fn journal_entry(&self) -> JournalEntry {
        let mut files = vec![json!({
            "format": "html",
            "path": self.html.path.display().to_string(),
            "bytes": self.html.bytes,
            "sha256": self.html.sha256,
        })];
        if let Some(pdf) = &self.pdf {
            let (font, font_problem): (&str, Value) = match &pdf.font {
                PdfFont::DejaVuSans => ("DejaVu Sans", Value::Null),
                PdfFont::Courier { why } => ("Courier", json!(why)),
            };
            files.push(json!({
                "format": "pdf",
                "path": pdf.file.path.display().to_string(),
                "bytes": pdf.file.bytes,
                "sha256": pdf.file.sha256,
                "pages": pdf.pages,
                "font": font,
                "font_problem": font_problem,
            }));
        }
        JournalEntry::new("report.written", "export").context(json!({
            "out": self.html.path.display().to_string(),
            "pdf": self.pdf.as_ref().map(|p| p.file.path.display().to_string()),
            "journal_head": self.journal_head,
            "files": files,
        }))
    }
}

/// Writes the report of `case` to `html` and, if given, `pdf`, made by `reviewer` (whose
/// key the report's checks of receipts and journal are read against). Refuses, before
/// anything is built or written, a target that is the case file itself or one file for
/// both formats. The case is only read.
pub fn write_files(
    case: &Case,
    reviewer: Option<&Reviewer>,
    html: &Path,
    pdf: Option<&Path>,
    options: &ReportOptions,
) -> Result<ReportWritten> {
    refuse_overwriting(case.path(), html, pdf)?;
    let extras = extras(case, reviewer)?;
    let journal_head = extras.journal_head.clone();
    let document = build(case, options, extras)?;
    let verdict = case_status(case)?.verdict();

    let page = html::render(&document);
    write_atomically(html, page.as_bytes())?;
    let html = WrittenFile {
        path: html.to_owned(),
        bytes: page.len() as u64,
        sha256: to_hex(&sha256(page.as_bytes())),
    };
    let pdf = match pdf {
        Some(path) => {
            let drawn = pdf::render(&document, &PdfOptions::default());
            write_atomically(path, &drawn.bytes)?;
            Some(WrittenPdf {
                file: WrittenFile {
                    path: path.to_owned(),
                    bytes: drawn.bytes.len() as u64,
                    sha256: to_hex(&sha256(&drawn.bytes)),
                },
                pages: drawn.pages,
                font: drawn.font,
            })
        }
        None => None,
    };
    Ok(ReportWritten {
        verdict,
        html,
        pdf,
        journal_head,
    })
}

/// The HTML file and the PDF beside it (same name, `.pdf`) for a name the reviewer
/// chose: `audit.html` gives `audit.html` and `audit.pdf`; `audit.pdf` the same pair;
/// any other name gains `.html` (`march.2026` → `march.2026.html`, `march.2026.pdf`).
pub fn html_and_pdf_beside(chosen: &Path) -> (PathBuf, PathBuf) {
    let extension = chosen
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let html = match extension.as_deref() {
        Some("html" | "htm") => chosen.to_owned(),
        Some("pdf") => chosen.with_extension("html"),
        _ => {
            let mut name = chosen.as_os_str().to_owned();
            name.push(".html");
            PathBuf::from(name)
        }
    };
    let pdf = html.with_extension("pdf");
    (html, pdf)
}

/// Refuses to write a report over the case it reads (evidence) or both formats to one
/// file.
fn refuse_overwriting(case: &Path, html: &Path, pdf: Option<&Path>) -> Result<()> {
    let same = |a: &Path, b: &Path| match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    for target in std::iter::once(html).chain(pdf) {
        if same(case, target) {
            return Err(Error::Invalid(format!(
                "{} is the case itself; the report is written to a file of its own",
                target.display()
            )));
        }
    }
    if let Some(pdf) = pdf
        && same(html, pdf)
    {
        return Err(Error::Invalid(format!(
            "the HTML report and the PDF would both be written to {}; give each its own file",
            pdf.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pdf_goes_beside_the_html_under_the_same_name() {
        for (chosen, html, pdf) in [
            ("/r/audit.html", "/r/audit.html", "/r/audit.pdf"),
            ("/r/audit.HTM", "/r/audit.HTM", "/r/audit.pdf"),
            ("/r/audit.pdf", "/r/audit.html", "/r/audit.pdf"),
            ("/r/audit", "/r/audit.html", "/r/audit.pdf"),
            ("/r/march.2026", "/r/march.2026.html", "/r/march.2026.pdf"),
        ] {
            assert_eq!(
                html_and_pdf_beside(Path::new(chosen)),
                (PathBuf::from(html), PathBuf::from(pdf)),
                "{chosen}"
            );
        }
    }
}
