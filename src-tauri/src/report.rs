//! The auditor's report in one click: asks where to save it (a native save dialog, or
//! `TRAILSCOPE_SAVE_DIR` under automation, see `commands::save_target`), has the engine
//! write the HTML report and the PDF beside it (`trailscope::report::write_files`, the
//! same writer as `trailscope report`), journals `report.written` under the reviewer's
//! key, and answers what was written. No logic of its own: the engine refuses, builds,
//! draws, writes and words.

use tauri::{AppHandle, State};
use trailscope::case::Case;
use trailscope::report::{self, ReportOptions};

use crate::commands::{AppState, case_stem, save_target};
use crate::dto::{ErrorDto, ReportWrittenDto};

type CommandResult<T> = Result<T, ErrorDto>;

/// Writes the report of the open case where the reviewer chooses (`NAME.html`, and
/// `NAME.pdf` beside it) and journals it; `None` if the reviewer cancelled the dialog.
#[tauri::command(async)]
pub fn write_report(
    app: AppHandle,
    state: State<'_, AppState>,
) -> CommandResult<Option<ReportWrittenDto>> {
    let case_path = state.case_path()?;
    let stem = case_stem(&case_path);
    let Some(chosen) = save_target(
        &app,
        "Save the auditor's report (HTML, with the PDF beside it)",
        &format!("{stem}-report.html"),
        &[("HTML report", &["html"])],
    )?
    else {
        return Ok(None);
    };
    let (html, pdf) = report::html_and_pdf_beside(&chosen);
    let reviewer = crate::work::reviewer()?;
    let options = ReportOptions {
        made_at: chrono::Local::now().fixed_offset(),
        retention_days: None,
    };
    let written = report::write_files(
        &state.open_case()?,
        Some(&reviewer),
        &html,
        Some(&pdf),
        &options,
    )?;
    let mut case = Case::open(&case_path)?;
    case.set_reviewer(reviewer);
    case.record(written.journal_entry())?;
    Ok(Some(ReportWrittenDto::from(&written)))
}
