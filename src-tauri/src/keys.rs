//! The reviewer's trusted keys, kept in the app's config dir (`trusted-keys.txt`, the
//! engine's format: `<key_id> <base64 public key>` a line, `#` comments), plus a
//! read-only file named by the `TRAILSCOPE_TRUSTED_KEYS` environment variable (for
//! tests, screenshots and shared team lists).
//!
//! Every key is checked by the engine's own parser before it is listed, stored or
//! used. This file must never decide whether a signature is trusted (the engine
//! does), and never writes the environment's file.

use std::path::{Path, PathBuf};

use tauri::AppHandle;
use trailscope::TrustedKeys;

use crate::dto::{ErrorCode, ErrorDto, TrustedKeyDto};

/// The environment variable naming an extra, read-only trusted-keys file.
pub const ENV_VAR: &str = "TRAILSCOPE_TRUSTED_KEYS";

type KeysResult<T> = Result<T, ErrorDto>;

fn io_error(path: &Path, error: std::io::Error) -> ErrorDto {
    ErrorDto::from(trailscope::Error::io(path, error))
}

/// The app's own list: `<app config dir>/trusted-keys.txt`.
pub fn app_keys_path(app: &AppHandle) -> KeysResult<PathBuf> {
    Ok(crate::config_dir(app)?.join("trusted-keys.txt"))
}

fn env_keys_path() -> Option<PathBuf> {
    std::env::var_os(ENV_VAR)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The file's text; a missing file is an empty list.
fn read_text(path: &Path) -> KeysResult<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(io_error(path, e)),
    }
}

/// The (key id, base64 key) lines of a file, after the engine accepted the file.
pub fn entries(path: &Path) -> KeysResult<Vec<(String, String)>> {
    let text = read_text(path)?;
    TrustedKeys::parse(&text, path)?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            Some((parts.next()?.to_owned(), parts.next()?.to_owned()))
        })
        .collect())
}

/// Every trusted key, the app's own first.
pub fn list(app: &AppHandle) -> KeysResult<Vec<TrustedKeyDto>> {
    let mut keys = Vec::new();
    let mut push = |path: &Path, source: &str| -> KeysResult<()> {
        for (key_id, public_key_base64) in entries(path)? {
            keys.push(TrustedKeyDto {
                key_id,
                public_key_base64,
                source: source.to_owned(),
            });
        }
        Ok(())
    };
    push(&app_keys_path(app)?, "app")?;
    if let Some(path) = env_keys_path() {
        push(&path, "environment")?;
    }
    Ok(keys)
}

/// The keys an import uses: the app's list and the environment's file.
pub fn load_all(app: &AppHandle) -> KeysResult<TrustedKeys> {
    let mut paths = vec![app_keys_path(app)?];
    paths.extend(env_keys_path());
    load_paths(&paths)
}

fn load_paths(paths: &[PathBuf]) -> KeysResult<TrustedKeys> {
    let mut all = String::new();
    for path in paths {
        // Parsed one by one first, so an error names the right file and line.
        let text = read_text(path)?;
        TrustedKeys::parse(&text, path)?;
        all.push_str(&text);
        all.push('\n');
    }
    Ok(TrustedKeys::parse(&all, Path::new("trusted keys"))?)
}

pub fn add(app: &AppHandle, key_id: &str, public_key_base64: &str) -> KeysResult<()> {
    add_to(&app_keys_path(app)?, key_id, public_key_base64)
}

pub fn remove(app: &AppHandle, key_id: &str) -> KeysResult<()> {
    remove_from(&app_keys_path(app)?, key_id)
}

/// Appends a key after the engine has accepted the line; refuses a key id already listed.
fn add_to(path: &Path, key_id: &str, public_key_base64: &str) -> KeysResult<()> {
    let (key_id, key) = (key_id.trim(), public_key_base64.trim());
    let line = format!("{key_id} {key}");
    if key_id.is_empty() || key_id.starts_with('#') || line.lines().count() != 1 {
        return Err(ErrorDto::invalid(
            "a key id is one word, not starting with #",
        ));
    }
    TrustedKeys::parse(&line, Path::new("the new key"))?;
    if entries(path)?.iter().any(|(id, _)| id == key_id) {
        return Err(ErrorDto::invalid(format!(
            "{key_id:?} is already trusted; remove it first"
        )));
    }
    let mut text = read_text(path)?;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&line);
    text.push('\n');
    write_text(path, &text)
}

/// Rewrites the file without the key's line(s); comments and other keys stay.
fn remove_from(path: &Path, key_id: &str) -> KeysResult<()> {
    let text = read_text(path)?;
    let mut removed = false;
    let kept: String = text
        .lines()
        .filter(|line| {
            let is_it = line.split_whitespace().next() == Some(key_id)
                && !line.trim_start().starts_with('#');
            removed |= is_it;
            !is_it
        })
        .map(|line| format!("{line}\n"))
        .collect();
    if !removed {
        return Err(ErrorDto::new(
            ErrorCode::NotFound,
            format!("{key_id:?} is not in the app's trusted keys"),
        ));
    }
    write_text(path, &kept)
}

/// Writes through a temporary file and a rename, so a crash never leaves half a list.
fn write_text(path: &Path, text: &str) -> KeysResult<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    }
    let temporary = path.with_extension("txt.new");
    std::fs::write(&temporary, text).map_err(|e| io_error(&temporary, e))?;
    std::fs::rename(&temporary, path).map_err(|e| io_error(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=";

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("trailscope-keys-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("config").join("trusted-keys.txt")
    }

    #[test]
    fn keys_are_added_listed_and_removed() {
        let path = scratch("round-trip");
        assert!(entries(&path).unwrap().is_empty());
        add_to(&path, "acme-audit-2026", KEY).unwrap();
        add_to(&path, "other", KEY).unwrap();
        assert_eq!(
            entries(&path).unwrap(),
            vec![
                ("acme-audit-2026".to_owned(), KEY.to_owned()),
                ("other".to_owned(), KEY.to_owned())
            ]
        );
        remove_from(&path, "acme-audit-2026").unwrap();
        assert_eq!(
            entries(&path).unwrap(),
            vec![("other".to_owned(), KEY.to_owned())]
        );
        assert!(!load_paths(std::slice::from_ref(&path)).unwrap().is_empty());
        assert_eq!(
            remove_from(&path, "acme-audit-2026").unwrap_err().code,
            ErrorCode::NotFound
        );
        std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap()).unwrap();
    }

    #[test]
    fn a_bad_key_or_id_is_refused_and_nothing_is_written() {
        let path = scratch("refused");
        assert_eq!(
            add_to(&path, "k", "not base64!").unwrap_err().code,
            ErrorCode::TrustedKeys
        );
        assert_eq!(
            add_to(&path, "two words", KEY).unwrap_err().code,
            ErrorCode::TrustedKeys
        );
        assert_eq!(
            add_to(&path, "#k", KEY).unwrap_err().code,
            ErrorCode::Invalid
        );
        assert_eq!(
            add_to(&path, "a\nb", KEY).unwrap_err().code,
            ErrorCode::Invalid
        );
        add_to(&path, "k", KEY).unwrap();
        assert_eq!(
            add_to(&path, "k", KEY).unwrap_err().code,
            ErrorCode::Invalid
        );
        assert_eq!(entries(&path).unwrap().len(), 1);
        std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap()).unwrap();
    }
}
