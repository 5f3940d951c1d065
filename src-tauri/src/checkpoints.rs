//! The reviewer's checkpoint files (spec §6): copies kept in the app's config dir
//! (`checkpoints/`), each accepted by the engine's parser before it is stored, and
//! applied on import and on re-verification. This file never decides whether a
//! checkpoint vouches for a chain (the engine does).

use std::path::{Path, PathBuf};

use tauri::AppHandle;
use trailscope::verify::load_checkpoints;
use trailscope::{Checkpoint, TrustedKeys};

use crate::dto::{CheckpointFileDto, ErrorCode, ErrorDto};

type CheckpointsResult<T> = Result<T, ErrorDto>;

fn dir(app: &AppHandle) -> CheckpointsResult<PathBuf> {
    Ok(crate::config_dir(app)?.join("checkpoints"))
}

fn files(dir: &Path) -> CheckpointsResult<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(trailscope::Error::io(dir, e).into()),
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    Ok(paths)
}

/// Every stored checkpoint file with how many checkpoints it holds.
pub fn list(app: &AppHandle, trusted: &TrustedKeys) -> CheckpointsResult<Vec<CheckpointFileDto>> {
    list_in(&dir(app)?, trusted)
}

fn list_in(dir: &Path, trusted: &TrustedKeys) -> CheckpointsResult<Vec<CheckpointFileDto>> {
    files(dir)?
        .into_iter()
        .map(|path| {
            let n = load_checkpoints(&path, trusted)?.len() as u64;
            Ok(CheckpointFileDto {
                name: file_name(&path),
                n_checkpoints: n,
            })
        })
        .collect()
}

/// Every checkpoint of every stored file.
pub fn load_all(app: &AppHandle, trusted: &TrustedKeys) -> CheckpointsResult<Vec<Checkpoint>> {
    let mut all = Vec::new();
    for path in files(&dir(app)?)? {
        all.extend(load_checkpoints(&path, trusted)?);
    }
    Ok(all)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Copies a checkpoint file in after the engine has read it; refuses a name already used.
pub fn add(app: &AppHandle, source: &Path, trusted: &TrustedKeys) -> CheckpointsResult<()> {
    add_to(&dir(app)?, source, trusted)
}

fn add_to(dir: &Path, source: &Path, trusted: &TrustedKeys) -> CheckpointsResult<()> {
    let n = load_checkpoints(source, trusted)?.len();
    if n == 0 {
        return Err(ErrorDto::invalid(format!(
            "{} holds no checkpoint",
            source.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| trailscope::Error::io(dir, e))?;
    let target = dir.join(file_name(source));
    if target.exists() {
        return Err(ErrorDto::invalid(format!(
            "a checkpoint file named {:?} is already added; remove it first",
            file_name(source)
        )));
    }
    std::fs::copy(source, &target).map_err(|e| trailscope::Error::io(&target, e))?;
    Ok(())
}

/// Removes a stored checkpoint file by name (a plain name, never a path).
pub fn remove(app: &AppHandle, name: &str) -> CheckpointsResult<()> {
    remove_from(&dir(app)?, name)
}

fn remove_from(dir: &Path, name: &str) -> CheckpointsResult<()> {
    let known = files(dir)?
        .into_iter()
        .find(|path| file_name(path) == name)
        .ok_or_else(|| {
            ErrorDto::new(ErrorCode::NotFound, format!("no checkpoint file {name:?}"))
        })?;
    std::fs::remove_file(&known).map_err(|e| trailscope::Error::io(&known, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        crate::scratch_dir("trailscope-checkpoints", name)
    }

    /// The spec's checkpoint file (in the repository's `spec/vectors`).
    fn sample() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/vectors/sample.checkpoints.jsonl")
    }

    #[test]
    fn a_checkpoint_file_is_added_listed_refused_twice_and_removed() {
        let source = sample();
        let dir = scratch("add").join("checkpoints");
        let trusted = TrustedKeys::default();
        assert_eq!(list_in(&dir, &trusted).unwrap(), vec![]);
        add_to(&dir, &source, &trusted).unwrap();
        let listed = list_in(&dir, &trusted).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].name, "sample.checkpoints.jsonl");
        assert!(listed[0].n_checkpoints >= 1);
        let again = add_to(&dir, &source, &trusted).unwrap_err();
        assert!(again.message.contains("already added"), "{}", again.message);
        assert!(remove_from(&dir, "../sample.checkpoints.jsonl").is_err());
        remove_from(&dir, "sample.checkpoints.jsonl").unwrap();
        assert_eq!(list_in(&dir, &trusted).unwrap(), vec![]);
    }

    #[test]
    fn a_file_that_is_not_checkpoints_is_refused_and_nothing_is_kept() {
        let root = scratch("bad");
        let bad = root.join("notes.txt");
        std::fs::write(&bad, "not a checkpoint\n").unwrap();
        let dir = root.join("checkpoints");
        assert!(add_to(&dir, &bad, &TrustedKeys::default()).is_err());
        assert_eq!(list_in(&dir, &TrustedKeys::default()).unwrap(), vec![]);
    }
}
