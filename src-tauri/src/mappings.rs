//! The reviewer's saved mappings (how to read a CSV or JSON file of another system),
//! kept in the app's config dir as `mappings/<name>.toml`, so a second export of the
//! same system opens with the mapping made for the first. Each is accepted by the
//! engine's parser before it is written, and read back through the engine's loader;
//! this file never decides whether a mapping fits a file (the engine does).

use std::path::{Path, PathBuf};

use tauri::AppHandle;
use trailscope::source::{Mapping, load_mapping};

use crate::dto::{ErrorCode, ErrorDto, SavedMappingDto};

type MappingsResult<T> = Result<T, ErrorDto>;

/// The extension of a saved mapping.
const EXTENSION: &str = "toml";

/// The longest name accepted (in characters).
const MAX_NAME_CHARS: usize = 100;

fn dir(app: &AppHandle) -> MappingsResult<PathBuf> {
    Ok(crate::config_dir(app)?.join("mappings"))
}

/// Where the mapping called `name` is kept: refuses a name that is empty, would leave
/// the folder or hide the file (separators, `..`, a leading dot), or that some system
/// cannot use as a file name.
fn file_for(dir: &Path, name: &str) -> MappingsResult<PathBuf> {
    const FORBIDDEN: &[char] = &['/', '\\', ':', '*', '?', '"', '<', '>', '|'];
    let refuse = |why: &str| {
        Err(ErrorDto::invalid(format!(
            "cannot save a mapping named {name:?}: {why}"
        )))
    };
    if name.trim().is_empty() {
        return refuse("give it a name");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return refuse(&format!("use at most {MAX_NAME_CHARS} characters"));
    }
    if name
        .chars()
        .any(|c| FORBIDDEN.contains(&c) || c.is_control())
    {
        return refuse("a name cannot hold / \\ : * ? \" < > | or control characters");
    }
    if name.starts_with('.') || name.ends_with('.') || name != name.trim() {
        return refuse("a name cannot start or end with a dot or a space");
    }
    Ok(dir.join(format!("{name}.{EXTENSION}")))
}

/// The saved mapping files, by name.
fn files(dir: &Path) -> MappingsResult<Vec<(String, PathBuf)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(trailscope::Error::io(dir, e).into()),
    };
    let mut found: Vec<(String, PathBuf)> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|e| e == EXTENSION))
        .filter_map(|path| {
            let name = path.file_stem()?.to_string_lossy().into_owned();
            (!name.starts_with('.')).then_some((name, path))
        })
        .collect();
    found.sort();
    Ok(found)
}

/// Every saved mapping, by name; one the engine no longer accepts says why.
pub fn list(app: &AppHandle) -> MappingsResult<Vec<SavedMappingDto>> {
    list_in(&dir(app)?)
}

fn list_in(dir: &Path) -> MappingsResult<Vec<SavedMappingDto>> {
    Ok(files(dir)?
        .into_iter()
        .map(|(name, path)| SavedMappingDto {
            name,
            problem: load_mapping(&path).err().map(|e| ErrorDto::from(e).message),
        })
        .collect())
}

/// Saves a mapping (already accepted by the engine) under `name`, replacing one of
/// the same name.
pub fn save(app: &AppHandle, name: &str, mapping: &Mapping) -> MappingsResult<()> {
    save_in(&dir(app)?, name, mapping)
}

fn save_in(dir: &Path, name: &str, mapping: &Mapping) -> MappingsResult<()> {
    let target = file_for(dir, name)?;
    std::fs::create_dir_all(dir).map_err(|e| trailscope::Error::io(dir, e))?;
    // Written whole under a temporary name, then renamed: never half a mapping.
    let partial = dir.join(format!(".{name}.{EXTENSION}.partial"));
    std::fs::write(&partial, &mapping.text).map_err(|e| trailscope::Error::io(&partial, e))?;
    std::fs::rename(&partial, &target).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        trailscope::Error::io(&target, e)
    })?;
    Ok(())
}

/// Reads the saved mapping called `name` (a plain name, never a path).
pub fn load(app: &AppHandle, name: &str) -> MappingsResult<Mapping> {
    load_in(&dir(app)?, name)
}

fn load_in(dir: &Path, name: &str) -> MappingsResult<Mapping> {
    let (_, path) = files(dir)?
        .into_iter()
        .find(|(known, _)| known == name)
        .ok_or_else(|| ErrorDto::new(ErrorCode::NotFound, format!("no saved mapping {name:?}")))?;
    Ok(load_mapping(&path)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        crate::scratch_dir("trailscope-mappings", name)
    }

    fn mapping(action_column: &str) -> Mapping {
        Mapping::parse(&format!(
            "name = \"Acme ERP\"\n[time]\nformat = \"%d/%m/%Y %H:%M:%S\"\n[fields]\nts = {{ column = \"When\" }}\naction = {{ column = {action_column:?} }}\n"
        ))
        .unwrap()
    }

    #[test]
    fn a_mapping_is_saved_listed_loaded_and_replaced() {
        let dir = scratch("save").join("mappings");
        assert_eq!(list_in(&dir).unwrap(), vec![]);
        save_in(&dir, "Acme ERP export", &mapping("What")).unwrap();
        assert!(dir.join("Acme ERP export.toml").is_file());
        assert_eq!(
            list_in(&dir).unwrap(),
            vec![SavedMappingDto {
                name: "Acme ERP export".into(),
                problem: None
            }]
        );
        let loaded = load_in(&dir, "Acme ERP export").unwrap();
        assert_eq!(loaded.fields, mapping("What").fields);
        assert_eq!(loaded.name.as_deref(), Some("Acme ERP"));
        // Saving under the same name replaces it; nothing else is left in the folder.
        save_in(&dir, "Acme ERP export", &mapping("Action")).unwrap();
        assert_eq!(
            load_in(&dir, "Acme ERP export").unwrap().fields,
            mapping("Action").fields
        );
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        let missing = load_in(&dir, "Other").unwrap_err();
        assert_eq!(missing.code, ErrorCode::NotFound);
    }

    #[test]
    fn a_name_that_could_leave_the_folder_is_refused_and_nothing_is_written() {
        let root = scratch("names");
        let dir = root.join("mappings");
        for bad in [
            "",
            "  ",
            "../escape",
            "a/b",
            "a\\b",
            "..",
            ".hidden",
            "trailing.",
            " padded",
            "tab\there",
            "what?",
        ] {
            let refused = save_in(&dir, bad, &mapping("What")).unwrap_err();
            assert_eq!(refused.code, ErrorCode::Invalid, "{bad:?}");
            assert!(
                refused.message.contains("cannot save"),
                "{}",
                refused.message
            );
        }
        assert!(!dir.exists() || list_in(&dir).unwrap().is_empty());
        assert!(!root.join("escape.toml").exists());
        // Loading goes by the names listed, never by a path.
        save_in(&dir, "fine", &mapping("What")).unwrap();
        assert!(load_in(&dir, "../mappings/fine").is_err());
        assert!(load_in(&dir, "fine").is_ok());
    }

    #[test]
    fn a_saved_file_the_engine_no_longer_accepts_is_listed_with_why() {
        let dir = scratch("bad").join("mappings");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("broken.toml"), "[fields]\nts = \"When\"\n").unwrap();
        std::fs::write(dir.join("notes.txt"), "not a mapping").unwrap();
        let listed = list_in(&dir).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].name, "broken");
        let problem = listed[0].problem.as_deref().unwrap_or_default();
        assert!(problem.contains("action"), "{problem}");
        assert_eq!(
            load_in(&dir, "broken").unwrap_err().code,
            ErrorCode::Mapping
        );
    }
}
