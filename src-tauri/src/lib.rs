//! The Trailscope desktop shell: builds the Tauri window, keeps the path the app
//! was started with, and registers the commands the front end may call.
//!
//! This is a thin shell. It must never hold business logic, never run SQL and
//! never decide a verdict: commands call the engine (`trailscope`) and convert its
//! results into transport types (`dto.rs`); the commands are in `commands.rs`,
//! the reviewer's trusted keys in `keys.rs`, checkpoint files in `checkpoints.rs`,
//! saved mappings in `mappings.rs`, recently opened cases in `recent.rs`, the
//! reviewer's work (marks, saved searches, the journal, receipts) in `work.rs`, the
//! auditor's report in `report.rs`, evidence excerpts in `excerpt.rs`, and the text
//! index built in the background in `text_index.rs`.

pub mod checkpoints;
pub mod commands;
pub mod dto;
pub mod excerpt;
pub mod keys;
pub mod mappings;
pub mod recent;
pub mod report;
pub mod text_index;
pub mod work;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

/// The app's config dir (trusted keys, checkpoint files, mappings), or why there is none.
pub(crate) fn config_dir(app: &tauri::AppHandle) -> Result<PathBuf, dto::ErrorDto> {
    use tauri::Manager;
    app.path()
        .app_config_dir()
        .map_err(|e| dto::ErrorDto::new(dto::ErrorCode::Io, format!("no config directory: {e}")))
}

/// The app's data dir (cases made from bundles, recent cases), or why there is none.
pub(crate) fn data_dir(app: &tauri::AppHandle) -> Result<PathBuf, dto::ErrorDto> {
    use tauri::Manager;
    app.path()
        .app_data_dir()
        .map_err(|e| dto::ErrorDto::new(dto::ErrorCode::Io, format!("no data directory: {e}")))
}

/// What the app was asked to open on start: `trailscope-app [BUNDLE_OR_CASE]`.
///
/// Kept in Tauri's managed state; the front end asks for it (`launch_path`) on
/// start and opens it (`open_path`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LaunchRequest {
    /// An audit bundle (ZIP, directory or JSONL) or a case file, as given.
    pub path: Option<PathBuf>,
}

impl LaunchRequest {
    /// Reads the arguments after the program name. Accepts none or one path;
    /// anything else is a usage error, reported as a message for the terminal.
    pub fn from_args(args: impl IntoIterator<Item = OsString>) -> Result<Self, String> {
        let mut args = args.into_iter();
        let path = args.next().map(PathBuf::from);
        if let Some(extra) = args.next() {
            return Err(format!(
                "expected at most one path, also got {:?}",
                extra.to_string_lossy()
            ));
        }
        if let Some(path) = &path
            && path.as_os_str().to_string_lossy().starts_with('-')
        {
            return Err(format!("unknown option {:?}", path.to_string_lossy()));
        }
        Ok(Self { path })
    }
}

/// The app's version, for the front end's "about" line.
///
/// The app and the engine are versioned together in one workspace, so this is
/// the shell's own package version until the engine's facade exposes its own.
#[tauri::command]
fn engine_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Builds and runs the app until its last window closes.
pub fn run(launch: LaunchRequest) -> ExitCode {
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(launch)
        .manage(commands::AppState::default())
        .invoke_handler(tauri::generate_handler![
            engine_version,
            commands::open_path,
            commands::cancel_import,
            commands::launch_path,
            commands::case_summary,
            commands::list_findings,
            commands::list_events,
            commands::count_events,
            commands::event_detail,
            commands::list_actors,
            commands::list_people,
            commands::link_actor,
            commands::record_timeline,
            commands::list_trusted_keys,
            commands::add_trusted_key,
            commands::remove_trusted_key,
            commands::list_aws_key_lists,
            commands::add_aws_key_list,
            commands::remove_aws_key_list,
            commands::facet_counts,
            commands::activity,
            commands::list_questions,
            commands::export_events,
            commands::export_parquet,
            commands::choose_path,
            commands::recent_cases,
            commands::forget_recent_case,
            commands::list_checkpoint_files,
            commands::add_checkpoint_file,
            commands::remove_checkpoint_file,
            commands::reverify_case,
            commands::preview_file,
            commands::preview_mapping,
            commands::import_mapped,
            commands::list_mappings,
            commands::save_mapping,
            commands::load_saved_mapping,
            work::reviewer_identity,
            work::set_reviewer_name,
            work::marks,
            work::set_star,
            work::set_tag,
            work::set_note,
            work::tags_in_use,
            work::list_saved_searches,
            work::save_search,
            work::delete_search,
            work::record_search,
            work::events_around,
            work::case_journal,
            work::export_journal,
            work::list_receipts,
            report::write_report,
            excerpt::write_excerpt,
            excerpt::check_excerpt,
            text_index::text_index_state,
        ])
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("trailscope-app: could not start the window: {error}");
            ExitCode::FAILURE
        }
    }
}

/// A fresh, empty folder for one test: `{prefix}-{name}-{pid}` under the temporary
/// folder, emptied first if an earlier run left it.
#[cfg(test)]
pub(crate) fn scratch_dir(prefix: &str, name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("{prefix}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn no_argument_means_nothing_to_open() {
        assert_eq!(
            LaunchRequest::from_args(args(&[])),
            Ok(LaunchRequest { path: None })
        );
    }

    #[test]
    fn one_path_is_kept_as_given() {
        let launch = LaunchRequest::from_args(args(&["cases/march.trailscope"])).unwrap();
        assert_eq!(launch.path, Some(PathBuf::from("cases/march.trailscope")));
    }

    #[test]
    fn a_second_path_is_a_usage_error() {
        assert!(LaunchRequest::from_args(args(&["a.zip", "b.zip"])).is_err());
    }

    #[test]
    fn an_option_is_not_mistaken_for_a_path() {
        assert!(LaunchRequest::from_args(args(&["--verbose"])).is_err());
    }

    /// Every shell and UI source file opens with a comment saying what it is for
    /// (STYLE.md principle 5); generated bindings carry their own header.
    #[test]
    fn every_source_file_says_what_it_is_for() {
        fn walk(dir: &std::path::Path, found: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs" || e == "ts") {
                    found.push(path);
                }
            }
        }
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        walk(&root.join("src"), &mut files);
        walk(&root.join("../ui/src"), &mut files);
        assert!(files.len() > 10, "{files:?}");
        let silent: Vec<&PathBuf> = files
            .iter()
            .filter(|path| {
                let text = std::fs::read_to_string(path).unwrap();
                let opening = if path.extension().is_some_and(|e| e == "rs") {
                    "//!"
                } else {
                    "//"
                };
                !text.starts_with(opening)
            })
            .collect();
        assert!(
            silent.is_empty(),
            "files without an opening comment: {silent:?}"
        );
        // Event text is data: the UI builds DOM with createElement and textContent only,
        // and only ui/src/ipc talks to the shell.
        for path in files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "ts"))
        {
            let text = std::fs::read_to_string(path).unwrap();
            for markup in [
                ".innerHTML",
                ".outerHTML",
                ".insertAdjacentHTML",
                "document.write",
            ] {
                assert!(!text.contains(markup), "{} uses {markup}", path.display());
            }
            let in_ipc = path.components().any(|c| c.as_os_str() == "ipc");
            assert!(
                in_ipc || !text.contains("@tauri-apps/api"),
                "{} imports @tauri-apps/api outside ui/src/ipc",
                path.display()
            );
        }
    }

    #[test]
    fn engine_version_is_a_three_part_version() {
        let version = engine_version();
        let parts: Vec<&str> = version.split('.').collect();
        assert_eq!(parts.len(), 3, "{version}");
        assert!(
            parts.iter().all(|part| part.parse::<u64>().is_ok()),
            "{version}"
        );
    }
}
