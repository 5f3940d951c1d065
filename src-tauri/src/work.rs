//! The commands of the reviewer's work: marks (stars, tags, notes), saved searches,
//! events around an event, the journal, custody receipts and the reviewer's identity.
//! Each opens the case, calls the engine (which journals every change under the
//! reviewer's key) and converts its answer; none holds logic of its own.

use tauri::{AppHandle, State};
use trailscope::case::journal::{self, JournalEntry};
use trailscope::case::receipt::check_receipts;
use trailscope::case::{Case, Subject};
use trailscope::query::{self, EventFilter, Masking};
use trailscope::reviewer::Reviewer;

use crate::commands::{AppState, case_stem, save_target};
use crate::dto::{
    ErrorDto, EventFilterDto, EventRowDto, JournalDto, JournalEntryDto, MarksDto, NeighboursDto,
    ReceiptDto, ReviewerDto, SavedSearchDto, SubjectDto, TagCountDto,
};

type CommandResult<T> = Result<T, ErrorDto>;

/// The reviewer of this machine (their key is made on first use).
pub(crate) fn reviewer() -> CommandResult<Reviewer> {
    Ok(Reviewer::load_default()?)
}

/// The open case, for writing, acting as the reviewer.
fn case_as_reviewer(state: &AppState) -> CommandResult<Case> {
    let mut case = Case::open(&state.case_path()?)?;
    case.set_reviewer(reviewer()?);
    Ok(case)
}

/// Who signs the reviewer's work on this machine.
#[tauri::command(async)]
pub fn reviewer_identity() -> CommandResult<ReviewerDto> {
    Ok(ReviewerDto::from(&reviewer()?))
}

/// Sets the name the reviewer signs as.
#[tauri::command(async)]
pub fn set_reviewer_name(name: String) -> CommandResult<ReviewerDto> {
    let home = Reviewer::default_home()?;
    Ok(ReviewerDto::from(&Reviewer::set_name(&home, &name)?))
}

/// The marks on one subject.
#[tauri::command(async)]
pub fn marks(state: State<'_, AppState>, subject: SubjectDto) -> CommandResult<MarksDto> {
    let case = state.open_case()?;
    Ok(MarksDto::from(case.annotation(&Subject::from(subject))?))
}

/// Stars or un-stars a subject; answers its marks.
#[tauri::command(async)]
pub fn set_star(
    state: State<'_, AppState>,
    subject: SubjectDto,
    starred: bool,
) -> CommandResult<MarksDto> {
    let mut case = case_as_reviewer(&state)?;
    let subject = Subject::from(subject);
    case.star(&subject, starred)?;
    Ok(MarksDto::from(case.annotation(&subject)?))
}

/// Adds (or with `remove`, takes off) a tag; answers the subject's marks.
#[tauri::command(async)]
pub fn set_tag(
    state: State<'_, AppState>,
    subject: SubjectDto,
    tag: String,
    remove: bool,
) -> CommandResult<MarksDto> {
    let mut case = case_as_reviewer(&state)?;
    let subject = Subject::from(subject);
    if remove {
        case.untag(&subject, &tag)?;
    } else {
        case.tag(&subject, &tag)?;
    }
    Ok(MarksDto::from(case.annotation(&subject)?))
}

/// Writes the note (`null` or blank removes it); answers the subject's marks.
#[tauri::command(async)]
pub fn set_note(
    state: State<'_, AppState>,
    subject: SubjectDto,
    note: Option<String>,
) -> CommandResult<MarksDto> {
    let mut case = case_as_reviewer(&state)?;
    let subject = Subject::from(subject);
    case.set_note(&subject, note.as_deref())?;
    Ok(MarksDto::from(case.annotation(&subject)?))
}

/// The tags in use, most used first (suggestions).
#[tauri::command(async)]
pub fn tags_in_use(state: State<'_, AppState>) -> CommandResult<Vec<TagCountDto>> {
    let case = state.open_case()?;
    Ok(case
        .tags_in_use()?
        .into_iter()
        .map(|(tag, count)| TagCountDto { tag, count })
        .collect())
}

fn saved_searches_of(case: &Case) -> CommandResult<Vec<SavedSearchDto>> {
    case.saved_searches()?
        .into_iter()
        .map(|saved| {
            Ok(SavedSearchDto {
                count: query::count_events(case, &saved.filter)?,
                filter: EventFilterDto::from(&saved.filter),
                name: saved.name,
                saved_at: saved.saved_at,
            })
        })
        .collect()
}

/// The saved searches, each with how many events it matches now.
#[tauri::command(async)]
pub fn list_saved_searches(state: State<'_, AppState>) -> CommandResult<Vec<SavedSearchDto>> {
    saved_searches_of(&state.open_case()?)
}

/// Saves the filter under a name (replacing one of that name); answers the list.
#[tauri::command(async)]
pub fn save_search(
    state: State<'_, AppState>,
    name: String,
    filter: EventFilterDto,
) -> CommandResult<Vec<SavedSearchDto>> {
    let mut case = case_as_reviewer(&state)?;
    case.save_search(&name, &EventFilter::try_from(filter)?)?;
    saved_searches_of(&case)
}

/// Deletes a saved search; answers the list.
#[tauri::command(async)]
pub fn delete_search(
    state: State<'_, AppState>,
    name: String,
) -> CommandResult<Vec<SavedSearchDto>> {
    let mut case = case_as_reviewer(&state)?;
    case.delete_search(&name)?;
    saved_searches_of(&case)
}

/// Journals that the reviewer ran a saved search or a question (`name`) with this
/// filter; answers how many events it matches.
#[tauri::command(async)]
pub fn record_search(
    state: State<'_, AppState>,
    name: String,
    filter: EventFilterDto,
) -> CommandResult<u64> {
    let filter = EventFilter::try_from(filter)?;
    let mut case = case_as_reviewer(&state)?;
    let count = query::count_events(&case, &filter)?;
    case.record(
        JournalEntry::new("search.run", "access").context(serde_json::json!({
            "name": name, "filter": filter, "count": count,
        })),
    )?;
    Ok(count)
}

/// The events around one: just before and after it, and the nearest of the same
/// actor, record, IP address and request, each with the filter that shows them all.
#[tauri::command(async)]
pub fn events_around(
    state: State<'_, AppState>,
    event_idx: i64,
    n: u32,
) -> CommandResult<Vec<NeighboursDto>> {
    let case = state.open_case()?;
    let masking = Masking::of_case(&case)?;
    let around = query::around(&case, event_idx, n.clamp(1, 50) as usize)?;
    let rows = |rows: &[query::EventRow]| -> CommandResult<Vec<EventRowDto>> {
        let idxs: Vec<i64> = rows.iter().map(|r| r.event_idx).collect();
        let marks = case.event_marks(&idxs)?;
        Ok(rows
            .iter()
            .map(|row| EventRowDto::from(&query::event_view(row, &masking)).marked(&marks))
            .collect())
    };
    around
        .neighbours
        .iter()
        .map(|n| {
            Ok(NeighboursDto {
                by: n.by.to_owned(),
                shared: n.shared.clone(),
                filter: EventFilterDto::from(&n.filter),
                before: rows(&n.before)?,
                after: rows(&n.after)?,
            })
        })
        .collect()
}

/// The journal, checked, newest entry first.
#[tauri::command(async)]
pub fn case_journal(state: State<'_, AppState>) -> CommandResult<JournalDto> {
    let case = state.open_case()?;
    let (check, lines) = journal::check(&case, Some(&reviewer()?))?;
    Ok(JournalDto {
        holds: check.holds(),
        headline: check.headline(),
        problems: check.problems.clone(),
        head_hash: check.head_hash.clone(),
        entries: lines.iter().rev().map(JournalEntryDto::from).collect(),
    })
}

/// Writes the journal as a bundle signed by the reviewer into a new or empty folder
/// the reviewer chooses (a save dialog, or `TRAILSCOPE_SAVE_DIR`, see
/// `commands::save_target`); answers the folder, `None` if the dialog was cancelled.
#[tauri::command(async)]
pub fn export_journal(app: AppHandle, state: State<'_, AppState>) -> CommandResult<Option<String>> {
    let stem = case_stem(&state.case_path()?);
    let Some(dir) = save_target(&app, "Export the journal", &format!("{stem}-journal"), &[])?
    else {
        return Ok(None);
    };
    let reviewer = reviewer()?;
    let written = journal::export(&state.open_case()?, &reviewer, &dir)?;
    let mut case = case_as_reviewer(&state)?;
    case.record(
        JournalEntry::new("journal.exported", "export").context(serde_json::json!({
            "out": dir.display().to_string(), "entries": written.n_entries,
            "head_hash": written.head_hash,
        })),
    )?;
    Ok(Some(dir.display().to_string()))
}

/// Every source's custody receipt, checked.
#[tauri::command(async)]
pub fn list_receipts(state: State<'_, AppState>) -> CommandResult<Vec<ReceiptDto>> {
    let case = state.open_case()?;
    Ok(check_receipts(&case, Some(&reviewer()?))?
        .iter()
        .map(ReceiptDto::from)
        .collect())
}
