//! The list of recently opened cases, kept in the app's data dir (`recent.json`), most
//! recent first, at most `MAX` entries. It only remembers paths; opening one goes
//! through `open_path` like any other.

use std::path::{Path, PathBuf};

use tauri::AppHandle;

use crate::dto::{ErrorCode, ErrorDto, RecentCaseDto};

const MAX: usize = 12;

fn file(app: &AppHandle) -> Result<PathBuf, ErrorDto> {
    Ok(crate::data_dir(app)?.join("recent.json"))
}

fn read(path: &Path) -> Vec<RecentCaseDto> {
    // A damaged list is not worth an error: it is only a convenience.
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// The list, each marked with whether its case file is still there.
pub fn list(app: &AppHandle) -> Result<Vec<RecentCaseDto>, ErrorDto> {
    Ok(list_in(&file(app)?))
}

fn list_in(path: &Path) -> Vec<RecentCaseDto> {
    read(path)
        .into_iter()
        .map(|mut entry| {
            entry.exists = Path::new(&entry.path).is_file();
            entry
        })
        .collect()
}

/// Puts a case first (once), trimming the list to `MAX`.
pub fn remember(app: &AppHandle, case_path: &Path, opened_from: &Path) -> Result<(), ErrorDto> {
    remember_in(&file(app)?, case_path, opened_from)
}

fn remember_in(path: &Path, case_path: &Path, opened_from: &Path) -> Result<(), ErrorDto> {
    let case_path = case_path.display().to_string();
    let mut entries = read(path);
    entries.retain(|entry| entry.path != case_path);
    entries.insert(
        0,
        RecentCaseDto {
            path: case_path,
            opened_from: opened_from.display().to_string(),
            opened_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            exists: true,
        },
    );
    entries.truncate(MAX);
    write(path, &entries)
}

/// Drops a case from the list (the case file itself is left alone).
pub fn forget(app: &AppHandle, case_path: &str) -> Result<(), ErrorDto> {
    forget_in(&file(app)?, case_path)
}

fn forget_in(path: &Path, case_path: &str) -> Result<(), ErrorDto> {
    let mut entries = read(path);
    entries.retain(|entry| entry.path != case_path);
    write(path, &entries)
}

fn write(path: &Path, entries: &[RecentCaseDto]) -> Result<(), ErrorDto> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| trailscope::Error::io(dir, e))?;
    }
    let text = serde_json::to_vec_pretty(entries)
        .map_err(|e| ErrorDto::new(ErrorCode::Internal, e.to_string()))?;
    let partial = path.with_extension("json.partial");
    std::fs::write(&partial, text).map_err(|e| trailscope::Error::io(&partial, e))?;
    std::fs::rename(&partial, path).map_err(|e| trailscope::Error::io(path, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_is_first_once_the_list_is_bounded_and_gone_files_are_marked() {
        let dir = std::env::temp_dir().join(format!("trailscope-recent-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let list = dir.join("recent.json");
        let case = |i: usize| dir.join(format!("case-{i}.trailscope"));
        for i in 0..MAX + 3 {
            std::fs::write(case(i), b"").unwrap();
            remember_in(&list, &case(i), Path::new("bundle.zip")).unwrap();
        }
        // Opening one again moves it to the top, once.
        remember_in(&list, &case(5), Path::new("bundle.zip")).unwrap();
        let entries = list_in(&list);
        assert_eq!(entries.len(), MAX);
        assert_eq!(entries[0].path, case(5).display().to_string());
        assert_eq!(entries[1].path, case(MAX + 2).display().to_string());
        assert_eq!(
            entries.iter().filter(|e| e.path == entries[0].path).count(),
            1
        );
        assert!(entries.iter().all(|e| e.exists));
        std::fs::remove_file(case(5)).unwrap();
        assert!(!list_in(&list)[0].exists);
        forget_in(&list, &case(5).display().to_string()).unwrap();
        assert_eq!(list_in(&list).len(), MAX - 1);
        // A damaged list is an empty one, not an error.
        std::fs::write(&list, b"{not json").unwrap();
        assert!(list_in(&list).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
