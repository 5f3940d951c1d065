//! The case's text index, built in the background: after an import, and whenever a
//! case whose index is not complete is opened (imported by an older version or with
//! `trailscope import --no-text-index`, or left half-built when the app closed), a
//! thread of its own runs the engine's `text_index::build` on a write connection of its
//! own. The engine indexes a step of rows per short transaction, so the window keeps
//! reading meanwhile, and what is done stays done if the app exits mid-build.
//!
//! The UI learns how far it has got by asking (`text_index_state`, about once a second
//! while it is incomplete): the answer is read from the case itself, so it holds
//! whoever builds the index, whenever the view starts asking. At most one build runs per
//! case file; a failed build is retried a few times, then its reason is kept and shown
//! until the case is opened again.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, MutexGuard};
use std::time::Duration;

use tauri::State;
use trailscope::case::{Case, text_index};

use crate::commands::AppState;
use crate::dto::{ErrorDto, TextIndexDto};

type CommandResult<T> = Result<T, ErrorDto>;

/// A pause between two steps, holding no lock: SQLite's busy handler retries a waiting
/// writer (the reviewer's star, a journal line, another import) at least every 100 ms,
/// so it gets its turn instead of waiting out its 5 s timeout behind step after step.
const PAUSE: Duration = Duration::from_millis(150);

/// Failures in a row (without a step done between them) before a build gives up: a
/// step can fail when a long text search keeps the case locked past the busy timeout.
const ATTEMPTS: u32 = 5;

/// The app's build of one case's index.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Build {
    Running,
    /// Stopped short, for this reason (kept until the case is opened again).
    Failed(String),
}

/// The builds by case file (canonical path): at most one runs per case.
static BUILDS: LazyLock<Mutex<HashMap<PathBuf, Build>>> = LazyLock::new(Mutex::default);

fn builds() -> MutexGuard<'static, HashMap<PathBuf, Build>> {
    // The map holds no invariant a panic could break halfway.
    BUILDS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One name per case file, however it was reached.
fn key(case_path: &Path) -> PathBuf {
    std::fs::canonicalize(case_path).unwrap_or_else(|_| case_path.to_owned())
}

/// Marks the case's build as running; false if one runs already.
fn claim(key: &Path) -> bool {
    let mut builds = builds();
    if builds.get(key) == Some(&Build::Running) {
        return false;
    }
    builds.insert(key.to_owned(), Build::Running);
    true
}

/// Ends a running build: forgotten when it finished, its reason kept when it failed.
/// Dropped however the thread ends, a panic included.
struct Running {
    key: PathBuf,
    failure: Option<String>,
}

impl Running {
    fn failed(&mut self, reason: String) {
        self.failure = Some(reason);
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let failure = self.failure.take().or_else(|| {
            std::thread::panicking().then(|| "the indexing thread stopped unexpectedly".to_owned())
        });
        let mut builds = builds();
        match failure {
            Some(reason) => builds.insert(self.key.clone(), Build::Failed(reason)),
            None => builds.remove(&self.key),
        };
    }
}

/// Starts building the text index of the case at `case_path` on a thread of its own,
/// unless the app builds it already; returns at once. A complete index makes the
/// thread end after one look. A reason kept from a failed build is forgotten.
pub fn start(case_path: &Path) {
    let key = key(case_path);
    if !claim(&key) {
        return;
    }
    let spawned = std::thread::Builder::new()
        .name("text-index".to_owned())
        .spawn({
            let key = key.clone();
            move || {
                let mut running = Running { key, failure: None };
                if let Err(reason) = build_with_retries(&running.key) {
                    running.failed(reason);
                }
            }
        });
    if let Err(error) = spawned {
        builds().insert(
            key,
            Build::Failed(format!("no thread to build it on: {error}")),
        );
    }
}

/// Builds until the index is complete, retrying after a failure; the last failure's
/// words when `ATTEMPTS` failures came in a row.
fn build_with_retries(case_path: &Path) -> Result<(), String> {
    let mut failures = 0;
    loop {
        let mut progressed = false;
        match build(case_path, &mut progressed) {
            Ok(()) => return Ok(()),
            Err(error) => {
                if progressed {
                    failures = 0;
                }
                failures += 1;
                if failures >= ATTEMPTS {
                    return Err(error.to_string());
                }
                std::thread::sleep(Duration::from_secs(u64::from(failures)));
            }
        }
    }
}

/// One run of the engine's build over its own write connection; `progressed` is set
/// once a step is done.
fn build(case_path: &Path, progressed: &mut bool) -> trailscope::Result<()> {
    // `Case::open` would make a new, empty case where one was deleted.
    if !case_path.is_file() {
        return Err(trailscope::Error::NoCase {
            path: case_path.to_owned(),
        });
    }
    let mut case = Case::open(case_path)?;
    if text_index::state(&case)?.complete() {
        return Ok(());
    }
    text_index::build(&mut case, &mut |_| {
        *progressed = true;
        std::thread::sleep(PAUSE);
        ControlFlow::Continue(())
    })?;
    Ok(())
}

/// Whether the app is building the case's index, and why its last build failed, if it did.
fn build_of(case_path: &Path) -> Option<Build> {
    builds().get(&key(case_path)).cloned()
}

/// How far the open case's text index has got (the engine's count of rows indexed, of
/// the case's rows), whether the app is building it, and why not when a build failed.
/// An incomplete index that nobody builds (rows added by the CLI while the case was
/// open) is started here, so the answer never stays "preparing" with nothing running.
#[tauri::command(async)]
pub fn text_index_state(state: State<'_, AppState>) -> CommandResult<TextIndexDto> {
    let path = state.case_path()?;
    let index = text_index::state(&Case::open_read_only(&path)?)?;
    let mut build = build_of(&path);
    if !index.complete() && build.is_none() {
        start(&path);
        build = build_of(&path);
    }
    let (building, failure) = match build {
        Some(Build::Running) => (true, None),
        Some(Build::Failed(reason)) => (false, Some(reason)),
        None => (false, None),
    };
    Ok(TextIndexDto::new(index, building, failure))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn scratch(name: &str) -> PathBuf {
        crate::scratch_dir("trailscope-app-text-index", name)
    }

    /// Waits (10 s at most) until the app no longer builds the case's index.
    fn settled(case_path: &Path) -> Option<Build> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let build = build_of(case_path);
            if build != Some(Build::Running) || Instant::now() > deadline {
                return build;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn an_imported_case_gets_its_index_built_in_the_background() {
        let dir = scratch("build");
        let case_path = dir.join("sample.trailscope");
        let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/vectors/sample");
        let mut case = Case::open(&case_path).unwrap();
        trailscope::case::import_source(
            &mut case,
            &sample,
            None,
            &trailscope::VerifyOptions::default(),
            "2026-03-01T00:00:00Z",
            &mut |_| ControlFlow::Continue(()),
        )
        .unwrap();
        // The engine's import leaves the words to `build`.
        assert!(!text_index::state(&case).unwrap().complete());
        drop(case);

        start(&case_path);
        assert_eq!(settled(&case_path), None, "the build failed or never ended");
        let case = Case::open_read_only(&case_path).unwrap();
        let index = text_index::state(&case).unwrap();
        assert!(index.complete(), "{index:?}");
        assert_eq!(index.fraction(), 1.0);
        // A complete index: a second start looks and ends.
        start(&case_path);
        assert_eq!(settled(&case_path), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn one_build_per_case_however_its_path_is_spelt() {
        let dir = scratch("claim");
        let case_path = dir.join("a.trailscope");
        std::fs::write(&case_path, b"").unwrap();
        let roundabout = dir.join(".").join("a.trailscope");
        assert!(claim(&key(&case_path)));
        assert!(!claim(&key(&roundabout)), "a second build of one case");
        drop(Running {
            key: key(&case_path),
            failure: None,
        });
        assert_eq!(build_of(&roundabout), None);
        assert!(claim(&key(&roundabout)));
        drop(Running {
            key: key(&roundabout),
            failure: Some("disk full".to_owned()),
        });
        assert_eq!(
            build_of(&case_path),
            Some(Build::Failed("disk full".to_owned()))
        );
        // Opening it again tries again.
        assert!(claim(&key(&case_path)));
        builds().remove(&key(&case_path));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_case_that_is_gone_is_not_made_again() {
        let dir = scratch("gone");
        let case_path = dir.join("deleted.trailscope");
        let mut progressed = false;
        let error = build(&case_path, &mut progressed).unwrap_err();
        assert!(matches!(error, trailscope::Error::NoCase { .. }), "{error}");
        assert!(!case_path.exists());
        assert!(!progressed);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
