//! `trailscope report`: the auditor's report of a case as a self-contained HTML file
//! and, with `--pdf`, a PDF. The case is opened read-only; the engine
//! (`trailscope::report::write_files`, which the desktop app shares) refuses to write
//! over the case, builds, draws and writes both files, each under a temporary name
//! renamed into place when complete. Printing and journaling only.

use std::path::Path;
use std::process::ExitCode;

use serde_json::json;

use trailscope::report::{self, PdfFont, ReportOptions};

use crate::render;

/// Writes the report of `case` to `out` (HTML) and `pdf`, and says what it wrote.
pub fn report(
    case: &Path,
    out: &Path,
    pdf: Option<&Path>,
    retention: Option<&str>,
    json: bool,
) -> trailscope::Result<ExitCode> {
    let retention_days = retention.map(render::parse_retention).transpose()?;
    let case_path = case;
    let case = trailscope::case::Case::open_read_only(case_path)?;
    let options = ReportOptions {
        made_at: chrono::Local::now().fixed_offset(),
        retention_days,
    };
    let reviewer = crate::work::reviewer()?;
    let written = report::write_files(&case, Some(&reviewer), out, pdf, &options)?;
    drop(case);

    let mut files = vec![json!({
        "format": "html",
        "path": written.html.path.display().to_string(),
        "bytes": written.html.bytes,
        "sha256": written.html.sha256,
    })];
    if let Some(pdf) = &written.pdf {
        if let Some(problem) = pdf.font_problem() {
            eprintln!("trailscope: {problem}");
        }
        let (font, font_problem) = match &pdf.font {
            PdfFont::DejaVuSans => ("DejaVu Sans", None),
            PdfFont::Courier { why } => ("Courier", Some(why.as_str())),
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
    if json {
        outln!(
            "{}",
            json!({"verdict": written.verdict.as_str(), "written": files})
        );
    } else {
        for file in std::iter::once(&written.html).chain(written.pdf.as_ref().map(|p| &p.file)) {
            eprintln!(
                "wrote {} ({} bytes, SHA-256 {})",
                file.path.display(),
                file.bytes,
                file.sha256
            );
        }
        outln!(
            "Report of a case whose verdict is {}.",
            written.verdict.as_str()
        );
    }
    crate::work::journal_read(case_path, written.journal_entry());
    Ok(ExitCode::SUCCESS)
}
