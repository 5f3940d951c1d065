//! `trailscope report`: the auditor's report of a case as a self-contained HTML file
//! and, with `--pdf`, a PDF. The case is opened read-only; each file is written under
//! a temporary name and renamed into place when complete. Printing only: the engine
//! (`trailscope::report`) builds and draws the report.

use std::path::Path;
use std::process::ExitCode;

use serde_json::json;

use trailscope::canonical::{sha256, to_hex};
use trailscope::report::{self, PdfFont, PdfOptions, ReportOptions};

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
    refuse_overwriting(case, out, pdf)?;
    let case_path = case;
    let case = trailscope::case::Case::open_read_only(case_path)?;
    let options = ReportOptions {
        made_at: chrono::Local::now().fixed_offset(),
        retention_days,
    };
    let reviewer = crate::work::reviewer()?;
    let extras = report::extras(&case, Some(&reviewer))?;
    let journal_head = extras.journal_head.clone();
    let document = report::build(&case, &options, extras)?;
    let verdict = trailscope::case::case_status(&case)?.verdict();

    let html = report::html::render(&document);
    report::write_atomically(out, html.as_bytes())?;
    let mut written = vec![json!({
        "format": "html",
        "path": out.display().to_string(),
        "bytes": html.len(),
        "sha256": to_hex(&sha256(html.as_bytes())),
    })];
    if let Some(path) = pdf {
        let drawn = report::pdf::render(&document, &PdfOptions::default());
        report::write_atomically(path, &drawn.bytes)?;
        let (font, font_problem) = match &drawn.font {
            PdfFont::DejaVuSans => ("DejaVu Sans", None),
            PdfFont::Courier { why } => ("Courier", Some(why.clone())),
        };
        if let Some(why) = &font_problem {
            eprintln!(
                "trailscope: {why}. The PDF uses the built-in Courier font and shows '?' for characters outside Western European Latin; the HTML report shows every character."
            );
        }
        written.push(json!({
            "format": "pdf",
            "path": path.display().to_string(),
            "bytes": drawn.bytes.len(),
            "sha256": to_hex(&sha256(&drawn.bytes)),
            "pages": drawn.pages,
            "font": font,
            "font_problem": font_problem,
        }));
    }
    if json {
        outln!(
            "{}",
            json!({"verdict": verdict.as_str(), "written": written})
        );
    } else {
        for file in &written {
            eprintln!(
                "wrote {} ({} bytes, SHA-256 {})",
                file["path"].as_str().unwrap_or_default(),
                file["bytes"],
                file["sha256"].as_str().unwrap_or_default()
            );
        }
        outln!("Report of a case whose verdict is {}.", verdict.as_str());
    }
    drop(case);
    crate::work::journal_read(
        case_path,
        trailscope::case::journal::JournalEntry::new("report.written", "export").context(json!({
            "out": out.display().to_string(),
            "pdf": pdf.map(|p| p.display().to_string()),
            "journal_head": journal_head,
            "files": written,
        })),
    );
    Ok(ExitCode::SUCCESS)
}

/// Refuses to write a report over the case it reads (evidence) or both formats to one
/// file.
fn refuse_overwriting(case: &Path, out: &Path, pdf: Option<&Path>) -> trailscope::Result<()> {
    let same = |a: &Path, b: &Path| match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    for target in std::iter::once(out).chain(pdf) {
        if same(case, target) {
            return Err(trailscope::Error::Invalid(format!(
                "{} is the case itself; the report is written to a file of its own",
                target.display()
            )));
        }
    }
    if let Some(pdf) = pdf
        && same(out, pdf)
    {
        return Err(trailscope::Error::Invalid(format!(
            "--out and --pdf are both {}; give each its own file",
            pdf.display()
        )));
    }
    Ok(())
}
