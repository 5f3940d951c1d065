//! The Trailscope desktop shell: builds the Tauri window, keeps the path the app
//! was started with, and registers the commands the front end may call.
//!
//! This is a thin shell. It must never hold business logic, never run SQL and
//! never decide a verdict: commands call the engine (`trailscope`) and convert its
//! results into transport types. The engine's facade is not stable yet, so no
//! command calls it so far.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

/// What the app was asked to open on start: `trailscope-app [BUNDLE_OR_CASE]`.
///
/// Kept in Tauri's managed state; opening it is left to the commands that come
/// with the bundle and case views.
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
        .manage(launch)
        .invoke_handler(tauri::generate_handler![engine_version])
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("trailscope-app: could not start the window: {error}");
            ExitCode::FAILURE
        }
    }
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
