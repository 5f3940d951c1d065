//! The commands the front end may call: each opens the case, calls the engine and
//! converts its answer into a DTO (`dto.rs`). A command is a few lines.
//!
//! Commands must never run SQL, decide or soften a verdict, or compute what the
//! engine computes; they must never panic: every failure becomes an `ErrorDto`.
//! Queries run off the main thread (`async` commands), imports on a blocking thread.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use tauri_plugin_dialog::DialogExt;
use trailscope::VerifyOptions;
use trailscope::bundle::Limits;
use trailscope::case::journal::JournalEntry;
use trailscope::case::{Case, case_status, import_source, retrust, reverify, stored_findings};
use trailscope::export::{ExportFormat, export_to_file};
use trailscope::query::{self, Cursor, EventFilter, FacetBy, Masking, Order};
use trailscope::source::{self, Mapping, MappingDraft, Source};

use crate::LaunchRequest;
use crate::dto::{
    ActivityDto, ActorDto, AwsKeyListDto, CaseSummaryDto, CheckpointFileDto, ErrorCode, ErrorDto,
    EventDetailDto, EventFilterDto, EventPageDto, EventRowDto, ExportResultDto, FacetCountDto,
    FilePreviewDto, FindingDto, FindingGroupDto, ImportProgressDto, MappingDraftDto, OpenedDto,
    ParquetExportDto, PersonDto, PreviewEventDto, QuestionDto, RecentCaseDto, ReverifyDto,
    SavedMappingDto, TimelineDto, TrustedKeyDto, parse_iso,
};
use crate::{checkpoints, keys, mappings, recent};

type CommandResult<T> = Result<T, ErrorDto>;

/// The file a case starts with (SQLite's header), to tell a case from a bundle.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// The most rows one page may ask for.
const MAX_PAGE: u32 = 2_000;

/// Records of a file of no known format shown in the mapping form.
const PREVIEW_ROWS: usize = 8;

/// Events a drafted mapping shows as sentences.
const PREVIEW_EVENTS: usize = 5;

/// What the shell remembers between commands.
#[derive(Default)]
pub struct AppState {
    /// The case the window shows.
    case_path: Mutex<Option<PathBuf>>,
    /// Set by `cancel_import`, read by the running import's progress callback.
    cancel: Arc<AtomicBool>,
}

impl AppState {
    pub(crate) fn case_path(&self) -> CommandResult<PathBuf> {
        self.case_path
            .lock()
            .map_err(|_| ErrorDto::new(ErrorCode::Internal, "the app state is poisoned"))?
            .clone()
            .ok_or_else(|| ErrorDto::new(ErrorCode::NoCase, "no case is open"))
    }

    pub(crate) fn open_case(&self) -> CommandResult<Case> {
        Ok(Case::open_read_only(&self.case_path()?)?)
    }
}

fn blocking_error(error: impl std::fmt::Display) -> ErrorDto {
    ErrorDto::new(
        ErrorCode::Internal,
        format!("the worker thread failed: {error}"),
    )
}

/// The environment variable that replaces the shell's save dialogs (for automated
/// tests, which cannot drive a native dialog): when set, a save goes to that folder
/// under the name the dialog would have suggested, and no dialog opens.
const SAVE_DIR_VARIABLE: &str = "TRAILSCOPE_SAVE_DIR";

/// The case file's name without its extension: what a suggested file name starts with.
pub(crate) fn case_stem(case_path: &std::path::Path) -> String {
    case_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "case".to_owned())
}

/// Where to save a file: the path chosen in a native save dialog (`title`, the
/// `suggested_name`, `filters` as (name, extensions)), `None` if the reviewer
/// cancelled; or, when `TRAILSCOPE_SAVE_DIR` is set, that folder joined with
/// `suggested_name`. Every save dialog of the shell goes through here.
pub(crate) fn save_target(
    app: &AppHandle,
    title: &str,
    suggested_name: &str,
    filters: &[(&str, &[&str])],
) -> CommandResult<Option<PathBuf>> {
    if let Some(dir) = std::env::var_os(SAVE_DIR_VARIABLE).filter(|d| !d.is_empty()) {
        return Ok(Some(PathBuf::from(dir).join(suggested_name)));
    }
    let mut dialog = app
        .dialog()
        .file()
        .set_title(title)
        .set_file_name(suggested_name);
    for (name, extensions) in filters {
        dialog = dialog.add_filter(*name, extensions);
    }
    dialog
        .blocking_save_file()
        .map(|path| {
            path.into_path()
                .map_err(|e| ErrorDto::invalid(format!("cannot save there: {e}")))
        })
        .transpose()
}

/// Whether `path` is a case (a SQLite file) rather than a bundle.
fn is_case_file(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut head))
        .is_ok_and(|()| &head == SQLITE_MAGIC)
}

/// Where the case for a bundle lives: the app's data dir, named after the bundle plus
/// a short hash of its full path (two bundles with one name get two cases).
fn case_path_for_bundle(data_dir: &Path, bundle: &Path) -> PathBuf {
    let full = std::fs::canonicalize(bundle).unwrap_or_else(|_| bundle.to_owned());
    let digest = trailscope::canonical::sha256(full.as_os_str().as_encoded_bytes());
    let hash = trailscope::canonical::to_hex(&digest[..4]);
    let name: String = bundle
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(60)
        .collect();
    data_dir.join(format!("{name}-{hash}.trailscope"))
}

/// Opens a case, or imports a bundle into a case of its own (progress on `on_progress`):
/// in the app's data dir, or where the reviewer chooses in a save dialog when
/// `choose_case_location` is set (cancelling it opens nothing). A file of no known
/// format fails with `unknown_format` before any case is made or place asked for; a
/// CSV or JSON one can then be imported through a mapping (`import_mapped`). With
/// `add_to_case`, a source is imported into the open case instead, beside what it
/// holds (a Purview export and an Okta log of the same company, read as one case).
/// An evidence excerpt fails with `excerpt`: it is checked, never imported.
#[tauri::command]
pub async fn open_path(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
    choose_case_location: Option<bool>,
    add_to_case: Option<bool>,
    on_progress: Channel<ImportProgressDto>,
) -> CommandResult<OpenedDto> {
    let path = PathBuf::from(path);
    // An evidence excerpt proves itself on its own: it is checked (`check_excerpt`,
    // which the UI calls on this code), never imported.
    if trailscope::excerpt::is_excerpt(&path) {
        return Err(ErrorDto::new(
            ErrorCode::Excerpt,
            "this folder is an evidence excerpt: it is checked on its own, not imported",
        ));
    }
    let into = if add_to_case == Some(true) {
        if is_case_file(&path) {
            return Err(ErrorDto::invalid(
                "that is a case, not an export: open it on its own, or add its sources one by one",
            ));
        }
        Some(state.case_path()?)
    } else {
        None
    };
    if is_case_file(&path) {
        // Fails here, not on the first query, if it is a SQLite file but not a case;
        // opened for writing once so a case made by an older version is migrated
        // (the case is our index, not the evidence).
        let mut case = Case::open(&path)?;
        case.set_reviewer(crate::work::reviewer()?);
        case.record(JournalEntry::new("case.opened", "access"))?;
        drop(case);
        *state.case_path.lock().map_err(blocking_error)? = Some(path.clone());
        // A case imported without its text index (or left half-built) gets it now.
        crate::text_index::start(&path);
        // The list is a convenience: failing to update it does not fail the open.
        let _ = recent::remember(&app, &path, &path);
        return Ok(OpenedDto {
            case_path: path.display().to_string(),
            import: None,
        });
    }
    // The engine tells what the file is (it reads only its first bytes, or a ZIP's
    // directory and manifest); the import opens it again.
    drop(Source::open(&path, None, Limits::default())?);
    import_into_case(
        &app,
        &state,
        path,
        None,
        CaseFor::new(into, choose_case_location),
        on_progress,
    )
    .await
}

/// Which case an import goes into.
enum CaseFor {
    /// The case kept for the source in the app's data dir.
    Own,
    /// The case kept for the source, where the reviewer chooses.
    Chosen,
    /// This case (the open one).
    This(PathBuf),
}

impl CaseFor {
    fn new(into: Option<PathBuf>, choose_case_location: Option<bool>) -> CaseFor {
        match into {
            Some(path) => CaseFor::This(path),
            None if choose_case_location == Some(true) => CaseFor::Chosen,
            None => CaseFor::Own,
        }
    }
}

/// Imports a CSV or JSON file through the mapping the form drafted, into a case of its
/// own, exactly as `open_path` imports a bundle (same case location, progress, Cancel).
#[tauri::command]
pub async fn import_mapped(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
    draft: MappingDraftDto,
    choose_case_location: Option<bool>,
    on_progress: Channel<ImportProgressDto>,
) -> CommandResult<OpenedDto> {
    let mapping = parse_draft(draft)?;
    import_into_case(
        &app,
        &state,
        PathBuf::from(path),
        Some(mapping),
        CaseFor::new(None, choose_case_location),
        on_progress,
    )
    .await
}

/// Imports `path` (a bundle, or a file read through `mapping`) into the case kept for
/// it, and makes that the open case.
async fn import_into_case(
    app: &AppHandle,
    state: &AppState,
    path: PathBuf,
    mapping: Option<Mapping>,
    case_for: CaseFor,
    on_progress: Channel<ImportProgressDto>,
) -> CommandResult<OpenedDto> {
    let data_dir = crate::data_dir(app)?;
    std::fs::create_dir_all(&data_dir).map_err(|e| {
        ErrorDto::new(
            ErrorCode::Io,
            format!("cannot create {}: {e}", data_dir.display()),
        )
    })?;
    let mut case_path = match &case_for {
        CaseFor::This(path) => path.clone(),
        CaseFor::Own | CaseFor::Chosen => case_path_for_bundle(&data_dir, &path),
    };
    if matches!(case_for, CaseFor::Chosen) {
        let name = case_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(chosen) = save_target(
            app,
            "Where to keep the case",
            &name,
            &[("Trailscope case", &["trailscope"])],
        )?
        else {
            return Err(ErrorDto::new(
                ErrorCode::Cancelled,
                "no place for the case was chosen",
            ));
        };
        case_path = chosen;
    }
    let trusted_keys = keys::load_all(app)?;
    let checkpoints = checkpoints::load_all(app, &trusted_keys)?;
    let cancel = state.cancel.clone();
    cancel.store(false, Ordering::SeqCst);
    let import_case_path = case_path.clone();
    let source_path = path.clone();
    let reviewer = crate::work::reviewer()?;
    let outcome = tauri::async_runtime::spawn_blocking(move || -> CommandResult<_> {
        let mut case = Case::open(&import_case_path)?;
        case.set_reviewer(reviewer);
        let options = VerifyOptions {
            trusted_keys,
            checkpoints,
            ..VerifyOptions::default()
        };
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        Ok(import_source(
            &mut case,
            &source_path,
            mapping.as_ref(),
            &options,
            &now,
            &mut |progress| {
                // A closed channel (window gone) is no reason to stop; the flag is.
                let _ = on_progress.send(ImportProgressDto::from(progress));
                if cancel.load(Ordering::SeqCst) {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )?)
    })
    .await
    .map_err(blocking_error)??;
    *state.case_path.lock().map_err(blocking_error)? = Some(case_path.clone());
    // The words of what was imported are indexed in the background (`text_index.rs`).
    crate::text_index::start(&case_path);
    if !matches!(case_for, CaseFor::This(_)) {
        let _ = recent::remember(app, &case_path, &path);
    }
    Ok(OpenedDto {
        case_path: case_path.display().to_string(),
        import: Some(outcome.into()),
    })
}

/// The engine's mapping for what the form drafted: written as TOML and parsed by the
/// engine, whose words say what is wrong with it.
fn parse_draft(draft: MappingDraftDto) -> CommandResult<Mapping> {
    Mapping::parse(&MappingDraft::from(draft).to_toml())
        .map_err(|e| ErrorDto::new(ErrorCode::Mapping, e.0))
}

/// Asks the running import to stop; the case is left as it was.
#[tauri::command]
pub fn cancel_import(state: State<'_, AppState>) {
    state.cancel.store(true, Ordering::SeqCst);
}

/// The path the app was started with, for the UI to open on start.
#[tauri::command]
pub fn launch_path(launch: State<'_, LaunchRequest>) -> Option<String> {
    launch.path.as_ref().map(|p| p.display().to_string())
}

#[tauri::command(async)]
pub fn case_summary(state: State<'_, AppState>) -> CommandResult<CaseSummaryDto> {
    let case = state.open_case()?;
    let status = case_status(&case)?;
    Ok(CaseSummaryDto::new(
        case.path().display().to_string(),
        status,
    ))
}

#[tauri::command(async)]
/// The case's findings, grouped by cause (a fork of two bundles is one entry).
pub fn list_findings(state: State<'_, AppState>) -> CommandResult<Vec<FindingGroupDto>> {
    let case = state.open_case()?;
    Ok(query::finding_groups(stored_findings(&case)?)
        .into_iter()
        .map(FindingGroupDto::from)
        .collect())
}

/// One page of events, newest first; `after` is the `next` of the previous page.
#[tauri::command(async)]
pub fn list_events(
    state: State<'_, AppState>,
    filter: EventFilterDto,
    after: Option<String>,
    limit: u32,
) -> CommandResult<EventPageDto> {
    let case = state.open_case()?;
    let masking = Masking::of_case(&case)?;
    let after = after.as_deref().map(Cursor::decode).transpose()?;
    let filter = EventFilter::try_from(filter)?;
    let limit = limit.clamp(1, MAX_PAGE) as usize;
    let page = query::list_events(&case, &filter, Order::NewestFirst, limit, after)?;
    let idxs: Vec<i64> = page.rows.iter().map(|row| row.event_idx).collect();
    let marks = case.event_marks(&idxs)?;
    Ok(EventPageDto {
        rows: page
            .rows
            .iter()
            .map(|row| EventRowDto::from(&query::event_view(row, &masking)).marked(&marks))
            .collect(),
        next: page.next.map(|cursor| cursor.encode()),
    })
}

/// How many events match `filter` (stubs aside), as the engine counts them. The events
/// view asks beside its first page, never before it: the page does not wait on a count
/// (a text search counts by scanning every line).
#[tauri::command(async)]
pub fn count_events(state: State<'_, AppState>, filter: EventFilterDto) -> CommandResult<u64> {
    let case = state.open_case()?;
    let filter = EventFilter::try_from(filter)?;
    Ok(query::count_events(&case, &filter)?)
}

#[tauri::command(async)]
pub fn event_detail(state: State<'_, AppState>, event_idx: i64) -> CommandResult<EventDetailDto> {
    let case = state.open_case()?;
    let masking = Masking::of_case(&case)?;
    let detail = query::detail_view(&case, event_idx, &masking)?.ok_or_else(|| {
        ErrorDto::new(
            ErrorCode::NotFound,
            format!("no event {event_idx} in this case"),
        )
    })?;
    Ok(EventDetailDto::from(detail))
}

#[tauri::command(async)]
pub fn list_actors(state: State<'_, AppState>) -> CommandResult<Vec<ActorDto>> {
    let case = state.open_case()?;
    Ok(query::list_actors(&case)?
        .into_iter()
        .map(ActorDto::from)
        .collect())
}

/// Every person, most active first, each with the accounts linked by a shared email.
#[tauri::command(async)]
pub fn list_people(state: State<'_, AppState>) -> CommandResult<Vec<PersonDto>> {
    let case = state.open_case()?;
    Ok(query::list_people(&case)?
        .into_iter()
        .map(PersonDto::from)
        .collect())
}

/// Separates an account from the person its email links it to (`linked: false`), or
/// undoes that (`linked: true`); answers every person as they now stand.
#[tauri::command(async)]
pub fn link_actor(
    state: State<'_, AppState>,
    actor_id: String,
    linked: bool,
) -> CommandResult<Vec<PersonDto>> {
    let mut case = Case::open(&state.case_path()?)?;
    case.set_reviewer(crate::work::reviewer()?);
    if linked {
        case.relink_actor(&actor_id)?;
    } else {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        case.unlink_actor(&actor_id, &now)?;
    }
    Ok(query::list_people(&case)?
        .into_iter()
        .map(PersonDto::from)
        .collect())
}

/// A record's history and its state at `at` (RFC 3339), or now.
#[tauri::command(async)]
pub fn record_timeline(
    state: State<'_, AppState>,
    target_type: String,
    target_id: String,
    at: Option<String>,
) -> CommandResult<TimelineDto> {
    let case = state.open_case()?;
    let masking = Masking::of_case(&case)?;
    let at = at.as_deref().map(parse_iso).transpose()?;
    let history = query::history_view(&case, &target_type, &target_id, at, &masking)?;
    Ok(TimelineDto::from(history))
}

#[tauri::command(async)]
pub fn list_trusted_keys(app: AppHandle) -> CommandResult<Vec<TrustedKeyDto>> {
    keys::list(&app)
}

#[tauri::command(async)]
pub fn add_trusted_key(
    app: AppHandle,
    key_id: String,
    public_key_base64: String,
) -> CommandResult<Vec<TrustedKeyDto>> {
    keys::add(&app, &key_id, &public_key_base64)?;
    keys::list(&app)
}

#[tauri::command(async)]
pub fn remove_trusted_key(app: AppHandle, key_id: String) -> CommandResult<Vec<TrustedKeyDto>> {
    keys::remove(&app, &key_id)?;
    keys::list(&app)
}

/// The AWS CloudTrail key lists the reviewer trusts.
#[tauri::command(async)]
pub fn list_aws_key_lists(app: AppHandle) -> CommandResult<Vec<AwsKeyListDto>> {
    keys::list_aws(&app)
}

/// Trusts an `aws cloudtrail list-public-keys` output: the file at `path` (typed in the
/// Keys view, as a bundle's path is on the start screen), or one picked in a native
/// dialog when there is none. Only a copy in the app's config dir is written, under
/// the file's own name, once the engine has read every key in it. `None` if the
/// dialog was cancelled.
#[tauri::command(async)]
pub fn add_aws_key_list(
    app: AppHandle,
    path: Option<String>,
) -> CommandResult<Option<Vec<AwsKeyListDto>>> {
    let path = match path.filter(|p| !p.trim().is_empty()) {
        Some(path) => PathBuf::from(path.trim()),
        None => {
            let Some(picked) = app
                .dialog()
                .file()
                .set_title("Add AWS CloudTrail keys (aws cloudtrail list-public-keys output)")
                .add_filter("JSON", &["json"])
                .add_filter("All files", &["*"])
                .blocking_pick_file()
            else {
                return Ok(None);
            };
            picked
                .into_path()
                .map_err(|e| ErrorDto::invalid(format!("cannot read that: {e}")))?
        }
    };
    keys::add_aws(&app, &path)?;
    Ok(Some(keys::list_aws(&app)?))
}

#[tauri::command(async)]
pub fn remove_aws_key_list(app: AppHandle, name: String) -> CommandResult<Vec<AwsKeyListDto>> {
    keys::remove_aws(&app, &name)?;
    keys::list_aws(&app)
}

/// How many events have each value of one field (`actor`, `action`, `rule`, …).
#[tauri::command(async)]
pub fn facet_counts(
    state: State<'_, AppState>,
    filter: EventFilterDto,
    by: String,
) -> CommandResult<Vec<FacetCountDto>> {
    let case = state.open_case()?;
    let filter = EventFilter::try_from(filter)?;
    let by = FacetBy::parse(&by)?;
    Ok(query::facet_counts(&case, &filter, by)?
        .into_iter()
        .map(FacetCountDto::from)
        .collect())
}

/// Events per period for a histogram of at most `max_periods` bars.
#[tauri::command(async)]
pub fn activity(
    state: State<'_, AppState>,
    filter: EventFilterDto,
    max_periods: u32,
) -> CommandResult<ActivityDto> {
    let case = state.open_case()?;
    let filter = EventFilter::try_from(filter)?;
    Ok(query::activity(&case, &filter, max_periods.clamp(1, 1_000) as usize)?.into())
}

/// The common questions that make sense for the open case (those for any case, and
/// those for the kinds of source it holds), as the engine defines them.
#[tauri::command(async)]
pub fn list_questions(state: State<'_, AppState>) -> CommandResult<Vec<QuestionDto>> {
    let case = state.open_case()?;
    Ok(query::questions_for(&case)?
        .into_iter()
        .map(QuestionDto::from)
        .collect())
}

/// Asks where to save (a native dialog), then exports the events matching `filter`
/// through the engine's exporter. `None` if the reviewer cancelled the dialog.
#[tauri::command(async)]
pub fn export_events(
    app: AppHandle,
    state: State<'_, AppState>,
    filter: EventFilterDto,
    format: String,
) -> CommandResult<Option<ExportResultDto>> {
    let format = match format.as_str() {
        "csv" => ExportFormat::Csv,
        "jsonl" => ExportFormat::Jsonl,
        other => {
            return Err(ErrorDto::invalid(format!(
                "no export format {other:?}: use csv or jsonl"
            )));
        }
    };
    let filter = EventFilter::try_from(filter)?;
    let case = state.open_case()?;
    let Some(path) = save_target(
        &app,
        "Export events",
        &format!("trailscope-export.{}", format.as_str()),
        &[(&format.as_str().to_uppercase(), &[format.as_str()])],
    )?
    else {
        return Ok(None);
    };
    let rows = export_to_file(&case, &filter, format, &path)?;
    drop(case);
    record_export(
        &state,
        serde_json::json!({
            "filter": filter,
            "count": rows,
            "format": format.as_str(),
            "out": path.display().to_string(),
            "sha256": trailscope::case::receipt::hash_file(&path, String::new())
                            .ok()
                            .map(|file| file.sha256),
        }),
    )?;
    Ok(Some(ExportResultDto {
        path: path.display().to_string(),
        rows,
        format: format.as_str().to_owned(),
    }))
}

/// Journals an export (`events.exported`, with `context` as `trailscope export` writes
/// it) under the reviewer's key.
fn record_export(state: &AppState, context: serde_json::Value) -> CommandResult<()> {
    let mut case = Case::open(&state.case_path()?)?;
    case.set_reviewer(crate::work::reviewer()?);
    case.record(JournalEntry::new("events.exported", "export").context(context))?;
    Ok(())
}

/// Asks for a new folder (a native save dialog, or `TRAILSCOPE_SAVE_DIR`, see
/// `save_target`; suggested `<case>-events-parquet`), then exports the events matching
/// `filter` into it as Hive-partitioned Parquet through the engine (masked as every
/// export is; the engine refuses a folder that is not empty), journals it as
/// `trailscope export --format parquet` does, and answers the folder, the events and
/// the files written. `None` if the reviewer cancelled the dialog.
#[tauri::command(async)]
pub fn export_parquet(
    app: AppHandle,
    state: State<'_, AppState>,
    filter: EventFilterDto,
) -> CommandResult<Option<ParquetExportDto>> {
    let filter = EventFilter::try_from(filter)?;
    let case_path = state.case_path()?;
    let case = state.open_case()?;
    let stem = case_stem(&case_path);
    let Some(dir) = save_target(
        &app,
        "Export events as Parquet into a new folder",
        &format!("{stem}-events-parquet"),
        &[],
    )?
    else {
        return Ok(None);
    };
    let rows = trailscope::export::parquet::export_to_dir(&case, &filter, &dir)?;
    drop(case);
    let (files, _) = trailscope::case::receipt::received_files(&dir)?;
    record_export(
        &state,
        serde_json::json!({
            "filter": filter,
            "count": rows,
            "format": "parquet",
            "out": dir.display().to_string(),
            "files": files
                .iter()
                .map(|f| serde_json::json!({"path": f.path, "bytes": f.bytes, "sha256": f.sha256}))
                .collect::<Vec<_>>(),
        }),
    )?;
    Ok(Some(ParquetExportDto::new(&dir, rows, &files)))
}

/// Asks for a bundle or case (a native dialog); `directory` picks a folder: a folder
/// bundle or an AWS CloudTrail evidence folder (the one holding `AWSLogs/`).
/// Returns the chosen path for `open_path`, or `None` if cancelled.
#[tauri::command(async)]
pub fn choose_path(app: AppHandle, directory: bool) -> CommandResult<Option<String>> {
    let dialog = app.dialog().file().set_title(
        "Open an audit bundle, an AWS CloudTrail folder, a case, or a CSV or JSON export",
    );
    let picked = if directory {
        dialog.blocking_pick_folder()
    } else {
        dialog
            .add_filter(
                "Audit bundles, cases and exports",
                &[
                    "zip",
                    "jsonl",
                    "ndjson",
                    "json",
                    "csv",
                    "gz",
                    "log",
                    "trailscope",
                ],
            )
            .add_filter("All files", &["*"])
            .blocking_pick_file()
    };
    picked
        .map(|path| {
            path.into_path()
                .map(|p| p.display().to_string())
                .map_err(|e| ErrorDto::invalid(format!("cannot open that: {e}")))
        })
        .transpose()
}

#[tauri::command(async)]
pub fn recent_cases(app: AppHandle) -> CommandResult<Vec<RecentCaseDto>> {
    recent::list(&app)
}

#[tauri::command(async)]
pub fn forget_recent_case(app: AppHandle, path: String) -> CommandResult<Vec<RecentCaseDto>> {
    recent::forget(&app, &path)?;
    recent::list(&app)
}

#[tauri::command(async)]
pub fn list_checkpoint_files(app: AppHandle) -> CommandResult<Vec<CheckpointFileDto>> {
    checkpoints::list(&app, &keys::load_all(&app)?)
}

/// Asks for a checkpoint file (a native dialog) and keeps a copy; `None` if cancelled.
#[tauri::command(async)]
pub fn add_checkpoint_file(app: AppHandle) -> CommandResult<Option<Vec<CheckpointFileDto>>> {
    let Some(picked) = app
        .dialog()
        .file()
        .set_title("Add a checkpoint file")
        .blocking_pick_file()
    else {
        return Ok(None);
    };
    let path = picked
        .into_path()
        .map_err(|e| ErrorDto::invalid(format!("cannot read that: {e}")))?;
    let trusted = keys::load_all(&app)?;
    checkpoints::add(&app, &path, &trusted)?;
    Ok(Some(checkpoints::list(&app, &trusted)?))
}

#[tauri::command(async)]
pub fn remove_checkpoint_file(
    app: AppHandle,
    name: String,
) -> CommandResult<Vec<CheckpointFileDto>> {
    checkpoints::remove(&app, &name)?;
    checkpoints::list(&app, &keys::load_all(&app)?)
}

/// Re-verifies the open case: every stored row against its own hash and line (a case
/// edited behind the app's back shows here), then each bundle's trust under the current
/// keys and checkpoints, from its original file.
#[tauri::command(async)]
pub fn reverify_case(app: AppHandle, state: State<'_, AppState>) -> CommandResult<ReverifyDto> {
    let path = state.case_path()?;
    let trusted_keys = keys::load_all(&app)?;
    let checkpoints = checkpoints::load_all(&app, &trusted_keys)?;
    let options = VerifyOptions {
        trusted_keys,
        checkpoints,
        ..VerifyOptions::default()
    };
    let rows = reverify(&Case::open_read_only(&path)?)?;
    let mut case = Case::open(&path)?;
    case.set_reviewer(crate::work::reviewer()?);
    let bundles = retrust(&mut case, &options)?;
    Ok(ReverifyDto {
        n_rows: rows.n_rows,
        findings: rows
            .findings
            .iter()
            .enumerate()
            .map(|(index, finding)| FindingDto::live(index, finding))
            .collect(),
        bundles: bundles.iter().map(|outcome| outcome.describe()).collect(),
    })
}

/// The first records of a CSV or JSON file of no known format, for the mapping form.
/// Only for a file the engine says a mapping could open: a bundle, a binary file or
/// plain text gets the engine's own answer instead.
#[tauri::command(async)]
pub fn preview_file(path: String) -> CommandResult<FilePreviewDto> {
    let file = Path::new(&path);
    match Source::open(file, None, Limits::default()) {
        // `hint` says what would open it; empty when nothing would.
        Err(trailscope::Error::UnknownFormat { hint, .. }) if !hint.is_empty() => {}
        Err(error) => return Err(error.into()),
        Ok(_) => {
            return Err(ErrorDto::invalid(format!(
                "{path} is an audit bundle: open it as one"
            )));
        }
    }
    let preview = source::preview(file, Limits::default(), PREVIEW_ROWS)?;
    Ok(FilePreviewDto::new(path, preview))
}

/// The first events the drafted mapping makes of the file, as sentences; or the
/// engine's words for the first record and field that do not fit (or for the draft).
#[tauri::command(async)]
pub fn preview_mapping(
    path: String,
    draft: MappingDraftDto,
) -> CommandResult<Vec<PreviewEventDto>> {
    let mapping = parse_draft(draft)?;
    match source::preview_events(
        Path::new(&path),
        &mapping,
        Limits::default(),
        PREVIEW_EVENTS,
    ) {
        Ok(events) => Ok(events.into_iter().map(PreviewEventDto::from).collect()),
        // The form names the file already: the reason alone, without its path.
        Err(trailscope::Error::Mapping { reason, .. }) => {
            Err(ErrorDto::new(ErrorCode::Mapping, reason))
        }
        Err(other) => Err(other.into()),
    }
}

#[tauri::command(async)]
pub fn list_mappings(app: AppHandle) -> CommandResult<Vec<SavedMappingDto>> {
    mappings::list(&app)
}

/// Saves the drafted mapping under its name, once the engine accepts it.
#[tauri::command(async)]
pub fn save_mapping(app: AppHandle, draft: MappingDraftDto) -> CommandResult<Vec<SavedMappingDto>> {
    let name = draft.name.clone().unwrap_or_default();
    let mapping = parse_draft(draft)?;
    mappings::save(&app, &name, &mapping)?;
    mappings::list(&app)
}

/// A saved mapping, as the form holds it.
#[tauri::command(async)]
pub fn load_saved_mapping(app: AppHandle, name: String) -> CommandResult<MappingDraftDto> {
    Ok(MappingDraft::from(&mappings::load(&app, &name)?).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::FieldSourceDto;

    #[test]
    fn a_sqlite_file_is_a_case_and_anything_else_a_bundle() {
        let dir = std::env::temp_dir().join(format!("trailscope-app-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let case = dir.join("a.trailscope");
        std::fs::write(&case, b"SQLite format 3\0rest of the header").unwrap();
        let bundle = dir.join("b.jsonl");
        std::fs::write(&bundle, b"{\"chain\":\"a\"}\n").unwrap();
        assert!(is_case_file(&case));
        assert!(!is_case_file(&bundle));
        assert!(!is_case_file(&dir.join("missing")));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn scratch(name: &str) -> PathBuf {
        crate::scratch_dir("trailscope-app-commands", name)
    }

    fn orders_csv(dir: &Path) -> String {
        let csv = dir.join("orders.csv");
        std::fs::write(
            &csv,
            "When,User,Action,Result\n02/03/2026 09:00:00,maria,order.approved,OK\n02/03/2026 09:37:00,omar,order.cancelled,403\n",
        )
        .unwrap();
        csv.display().to_string()
    }

    #[test]
    fn only_a_file_a_mapping_could_open_is_previewed() {
        let dir = scratch("preview");
        let preview = preview_file(orders_csv(&dir)).unwrap();
        assert_eq!(preview.columns, ["When", "User", "Action", "Result"]);
        assert_eq!(preview.rows.len(), 2);
        assert_eq!(preview.required, ["ts", "action"]);
        assert!(preview.fields.iter().any(|f| f == "actor.id"));
        let binary = dir.join("picture.png");
        std::fs::write(&binary, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe").unwrap();
        let refused = preview_file(binary.display().to_string()).unwrap_err();
        assert_eq!(
            refused.code,
            ErrorCode::UnknownFormat,
            "{}",
            refused.message
        );
        let bundle = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/vectors/sample");
        let refused = preview_file(bundle.display().to_string()).unwrap_err();
        assert!(
            refused.message.contains("audit bundle"),
            "{}",
            refused.message
        );
    }

    #[test]
    fn a_draft_that_does_not_fit_is_answered_in_the_engines_words_without_the_path() {
        let dir = scratch("misfit");
        let csv = orders_csv(&dir);
        let draft = |ts: &str| MappingDraftDto {
            fields: [
                ("ts".to_owned(), FieldSourceDto::Column(ts.to_owned())),
                (
                    "action".to_owned(),
                    FieldSourceDto::Column("Action".to_owned()),
                ),
            ]
            .into(),
            time_format: Some("%d/%m/%Y %H:%M:%S".to_owned()),
            ..MappingDraftDto::default()
        };
        let misfit = preview_mapping(csv.clone(), draft("User")).unwrap_err();
        assert_eq!(misfit.code, ErrorCode::Mapping);
        assert!(
            misfit.message.starts_with("record 1 (line 2"),
            "{}",
            misfit.message
        );
        assert!(misfit.message.contains("field ts"), "{}", misfit.message);
        let events = preview_mapping(csv.clone(), draft("When")).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].time.as_deref(), Some("2026-03-02T09:00:00.000Z"));
        // A draft the engine cannot parse at all says why, with the same code.
        let unparsable = preview_mapping(csv, MappingDraftDto::default()).unwrap_err();
        assert_eq!(unparsable.code, ErrorCode::Mapping);
        assert!(
            unparsable.message.contains("\"ts\""),
            "{}",
            unparsable.message
        );
    }

    #[test]
    fn a_bundle_gets_a_case_named_after_it_with_a_short_hash() {
        let path = case_path_for_bundle(Path::new("/data"), Path::new("/x/march export.audit.zip"));
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with("march-export-audit-zip-"), "{name}");
        assert!(name.ends_with(".trailscope"), "{name}");
        assert_eq!(
            name.len(),
            "march-export-audit-zip-".len() + 8 + ".trailscope".len()
        );
        let other =
            case_path_for_bundle(Path::new("/data"), Path::new("/y/march export.audit.zip"));
        assert_ne!(path, other);
    }
}
