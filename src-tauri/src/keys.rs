//! The reviewer's trusted keys, kept in the app's config dir: `trusted-keys.txt` (the
//! engine's format: `<key_id> <base64 public key>` a line, `#` comments), the folder
//! `trusted-keys/` of AWS CloudTrail key lists (`aws cloudtrail list-public-keys`
//! output, each file kept as it came), plus a read-only file named by the
//! `TRAILSCOPE_TRUSTED_KEYS` environment variable (for tests, screenshots and shared
//! team lists), which may be either.
//!
//! Every file is checked by the engine's own parser before it is listed, stored or
//! used, and every file is loaded through `TrustedKeys::parse` and `TrustedKeys::extend`.
//! This file must never decide whether a signature is trusted (the engine does), and
//! never writes the environment's file.

use std::path::{Path, PathBuf};

use tauri::AppHandle;
use trailscope::TrustedKeys;
use trailscope::source::cloudtrail::KeyRing;
use trailscope::source::cloudtrail::keys::MAX_KEYS_FILE_BYTES;

use crate::dto::{AwsKeyListDto, ErrorCode, ErrorDto, TrustedKeyDto};

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

/// The app's AWS CloudTrail key lists: `<app config dir>/trusted-keys/`, one file each.
pub fn aws_lists_dir(app: &AppHandle) -> KeysResult<PathBuf> {
    Ok(crate::config_dir(app)?.join("trusted-keys"))
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

/// The file read and accepted by the engine (either shape); a missing file is empty.
fn parse_file(path: &Path) -> KeysResult<(String, TrustedKeys)> {
    let text = read_text(path)?;
    let keys = TrustedKeys::parse(&text, path)?;
    Ok((text, keys))
}

/// Whether the engine read the file as an AWS CloudTrail key list rather than key lines.
fn is_aws_list(keys: &TrustedKeys) -> bool {
    !keys.aws_key_lists().is_empty()
}

/// The (key id, base64 key) lines of a file, after the engine accepted the file; none
/// when it is an AWS key list.
pub fn entries(path: &Path) -> KeysResult<Vec<(String, String)>> {
    let (text, keys) = parse_file(path)?;
    if is_aws_list(&keys) {
        return Ok(Vec::new());
    }
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

/// Every trusted AWS CloudTrail key list, the app's own first, with how many keys each
/// holds.
pub fn list_aws(app: &AppHandle) -> KeysResult<Vec<AwsKeyListDto>> {
    list_aws_in(&aws_lists_dir(app)?, env_keys_path().as_deref())
}

fn list_aws_in(dir: &Path, env: Option<&Path>) -> KeysResult<Vec<AwsKeyListDto>> {
    let mut lists = Vec::new();
    for path in stored_files(dir)? {
        lists.push(aws_list(&path, "app")?);
    }
    if let Some(path) = env
        && is_aws_list(&parse_file(path)?.1)
    {
        lists.push(aws_list(path, "environment")?);
    }
    Ok(lists)
}

/// One stored key list, after the engine has read every key in it (as an import does).
fn aws_list(path: &Path, source: &str) -> KeysResult<AwsKeyListDto> {
    let ring = KeyRing::load_trusted(path)?;
    Ok(AwsKeyListDto {
        name: file_name(path),
        path: path.display().to_string(),
        n_keys: ring.len() as u64,
        source: source.to_owned(),
    })
}

/// The keys an import uses: the app's list, its AWS key lists and the environment's file.
pub fn load_all(app: &AppHandle) -> KeysResult<TrustedKeys> {
    let mut paths = vec![app_keys_path(app)?];
    paths.extend(env_keys_path());
    paths.extend(stored_files(&aws_lists_dir(app)?)?);
    load_paths(&paths)
}

/// Each file parsed on its own (so an error names the right file and line), then one
/// beside the other.
fn load_paths(paths: &[PathBuf]) -> KeysResult<TrustedKeys> {
    let mut all = TrustedKeys::default();
    for path in paths {
        all.extend(parse_file(path)?.1);
    }
    Ok(all)
}

/// The files of a folder, sorted by name; a missing folder holds none.
fn stored_files(dir: &Path) -> KeysResult<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(dir, e)),
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file() && !is_temporary(path))
        .collect();
    paths.sort();
    Ok(paths)
}

/// A file being written (`write_text`'s or `add_aws_to`'s), never a list.
fn is_temporary(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "new")
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub fn add(app: &AppHandle, key_id: &str, public_key_base64: &str) -> KeysResult<()> {
    add_to(&app_keys_path(app)?, key_id, public_key_base64)
}

pub fn remove(app: &AppHandle, key_id: &str) -> KeysResult<()> {
    remove_from(&app_keys_path(app)?, key_id)
}

/// Keeps a copy of an `aws cloudtrail list-public-keys` output (the file at `source`).
pub fn add_aws(app: &AppHandle, source: &Path) -> KeysResult<()> {
    add_aws_to(&aws_lists_dir(app)?, source)
}

/// Removes a stored AWS key list by name (a plain name, never a path).
pub fn remove_aws(app: &AppHandle, name: &str) -> KeysResult<()> {
    remove_aws_from(&aws_lists_dir(app)?, name)
}

/// Copies the file in, byte for byte, once the engine has read it as a key list and
/// every key in it; refuses our key lines (the form adds those), and a name already used.
fn add_aws_to(dir: &Path, source: &Path) -> KeysResult<()> {
    let name = file_name(source);
    if name.is_empty() || is_temporary(Path::new(&name)) {
        return Err(ErrorDto::invalid(format!(
            "{} cannot be kept under its name: rename it (a .json name will do)",
            source.display()
        )));
    }
    let size = std::fs::metadata(source)
        .map_err(|e| io_error(source, e))?
        .len();
    if size > MAX_KEYS_FILE_BYTES {
        return Err(ErrorDto::new(
            ErrorCode::KeyFile,
            format!(
                "{} is {size} bytes, more than a key list can be",
                source.display()
            ),
        ));
    }
    let text = std::fs::read_to_string(source).map_err(|e| io_error(source, e))?;
    if !is_aws_list(&TrustedKeys::parse(&text, source)?) {
        return Err(ErrorDto::invalid(format!(
            "{name} holds key lines, not `aws cloudtrail list-public-keys` output: add each key with the form above"
        )));
    }
    let target = dir.join(&name);
    if target.exists() {
        return Err(ErrorDto::invalid(format!(
            "a key list named {name:?} is already added; remove it first"
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    // The very bytes that are kept are the ones the engine reads key by key.
    let temporary = dir.join(format!("{name}.new"));
    std::fs::write(&temporary, &text).map_err(|e| io_error(&temporary, e))?;
    if let Err(error) = KeyRing::load_trusted(&temporary) {
        let _ = std::fs::remove_file(&temporary);
        // Named after the reviewer's file, not the copy being written.
        return Err(match error {
            trailscope::Error::KeyFile { reason, .. } => trailscope::Error::KeyFile {
                path: source.to_owned(),
                reason,
            },
            other => other,
        }
        .into());
    }
    std::fs::rename(&temporary, &target).map_err(|e| io_error(&target, e))
}

fn remove_aws_from(dir: &Path, name: &str) -> KeysResult<()> {
    let known = stored_files(dir)?
        .into_iter()
        .find(|path| file_name(path) == name)
        .ok_or_else(|| {
            ErrorDto::new(
                ErrorCode::NotFound,
                format!("no AWS key list {name:?} among the app's trusted keys"),
            )
        })?;
    std::fs::remove_file(&known).map_err(|e| io_error(&known, e))
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

    /// An `aws cloudtrail list-public-keys` output of the engine's demo keys.
    fn aws_list_json() -> String {
        use trailscope::produce::cloudtrail::{
            list_public_keys_json, pkcs1_der, spki_der, trail_keys,
        };
        let keys = trail_keys(7);
        let (first, second) = (pkcs1_der(&keys.first), spki_der(&keys.second));
        list_public_keys_json(&[(&first, None), (&second, None)])
    }

    #[test]
    fn an_aws_key_list_is_kept_as_it_came_listed_loaded_and_removed() {
        let root = scratch("aws")
            .parent()
            .unwrap()
            .parent()
            .unwrap()
            .to_owned();
        let dir = root.join("config").join("trusted-keys");
        let source = root.join("us-east-1 keys.json");
        std::fs::create_dir_all(&root).unwrap();
        let json = aws_list_json();
        std::fs::write(&source, &json).unwrap();
        assert_eq!(list_aws_in(&dir, None).unwrap(), vec![]);
        add_aws_to(&dir, &source).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("us-east-1 keys.json")).unwrap(),
            json
        );
        let listed = list_aws_in(&dir, None).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].name, "us-east-1 keys.json");
        assert_eq!(listed[0].n_keys, 2);
        assert_eq!(listed[0].source, "app");
        // Beside our key lines: both kinds are trusted at once.
        let lines = root.join("config").join("trusted-keys.txt");
        add_to(&lines, "acme", KEY).unwrap();
        let mut paths = vec![lines.clone()];
        paths.extend(stored_files(&dir).unwrap());
        let loaded = load_paths(&paths).unwrap();
        assert_eq!(loaded.aws_key_lists().len(), 1);
        assert_eq!(entries(&lines).unwrap().len(), 1);
        let again = add_aws_to(&dir, &source).unwrap_err();
        assert!(again.message.contains("already added"), "{}", again.message);
        assert!(remove_aws_from(&dir, "../us-east-1 keys.json").is_err());
        remove_aws_from(&dir, "us-east-1 keys.json").unwrap();
        assert_eq!(list_aws_in(&dir, None).unwrap(), vec![]);
        assert_eq!(
            remove_aws_from(&dir, "us-east-1 keys.json")
                .unwrap_err()
                .code,
            ErrorCode::NotFound
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn an_environment_key_list_is_listed_read_only_and_not_as_key_lines() {
        let root = scratch("aws-env")
            .parent()
            .unwrap()
            .parent()
            .unwrap()
            .to_owned();
        std::fs::create_dir_all(&root).unwrap();
        let env = root.join("team-aws-keys.json");
        std::fs::write(&env, aws_list_json()).unwrap();
        assert_eq!(entries(&env).unwrap(), vec![]);
        let listed = list_aws_in(&root.join("none"), Some(&env)).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].source, "environment");
        assert_eq!(listed[0].n_keys, 2);
        // Key lines in the environment's file are no AWS list.
        let lines = root.join("team.txt");
        std::fs::write(&lines, format!("acme {KEY}\n")).unwrap();
        assert_eq!(
            list_aws_in(&root.join("none"), Some(&lines)).unwrap(),
            vec![]
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn key_lines_a_bad_key_or_other_json_are_refused_as_an_aws_list_and_nothing_is_kept() {
        let root = scratch("aws-refused")
            .parent()
            .unwrap()
            .parent()
            .unwrap()
            .to_owned();
        let dir = root.join("config").join("trusted-keys");
        std::fs::create_dir_all(&root).unwrap();
        let lines = root.join("keys.txt");
        std::fs::write(&lines, format!("acme {KEY}\n")).unwrap();
        let refused = add_aws_to(&dir, &lines).unwrap_err();
        assert!(refused.message.contains("key lines"), "{}", refused.message);
        let other = root.join("other.json");
        std::fs::write(&other, r#"{"Keys":[]}"#).unwrap();
        assert_eq!(
            add_aws_to(&dir, &other).unwrap_err().code,
            ErrorCode::TrustedKeys
        );
        let bad = root.join("bad.json");
        std::fs::write(&bad, r#"{"PublicKeyList":[{"Value":"AAAA"}]}"#).unwrap();
        let refused = add_aws_to(&dir, &bad).unwrap_err();
        assert_eq!(refused.code, ErrorCode::KeyFile);
        assert!(refused.message.contains("bad.json"), "{}", refused.message);
        assert!(!refused.message.contains(".new"), "{}", refused.message);
        assert!(add_aws_to(&dir, &root.join("missing.json")).is_err());
        assert_eq!(list_aws_in(&dir, None).unwrap(), vec![]);
        assert!(stored_files(&dir).unwrap().is_empty());
        assert!(std::fs::read_dir(&dir).map_or(true, |mut d| d.next().is_none()));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
