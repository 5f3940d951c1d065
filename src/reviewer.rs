//! The reviewer: the person using Trailscope, their name and their own Ed25519 key.
//!
//! The key signs what the reviewer vouches for: the journal of their actions in a case
//! (its head, as a checkpoint), the custody receipt of each export they received, and
//! the statement in an evidence excerpt. It is created on first use, kept owner-only in
//! the reviewer's own folder (`TRAILSCOPE_HOME`, else `$XDG_CONFIG_HOME/trailscope`,
//! else `~/.config/trailscope`), and never leaves it: a case and everything exported
//! from it carry only the public half and its fingerprint.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};

use crate::canonical::{sha256, to_hex};
use crate::produce::{SigningKeyFile, keygen, load_signing_key};
use crate::{Error, Result};

/// The key file's name in the reviewer's folder (its public half beside it, `.pub`).
const KEY_FILE: &str = "reviewer.key";
/// The reviewer's name and settings.
const PROFILE_FILE: &str = "reviewer.json";

/// Who is reviewing, with the key that signs for them.
#[derive(Debug, Clone)]
pub struct Reviewer {
    name: String,
    key: SigningKeyFile,
}

impl Reviewer {
    /// The reviewer's folder: `TRAILSCOPE_HOME`, else `$XDG_CONFIG_HOME/trailscope`,
    /// else `$HOME/.config/trailscope`.
    pub fn default_home() -> Result<PathBuf> {
        if let Some(home) = std::env::var_os("TRAILSCOPE_HOME").filter(|h| !h.is_empty()) {
            return Ok(PathBuf::from(home));
        }
        if let Some(config) = std::env::var_os("XDG_CONFIG_HOME").filter(|h| !h.is_empty()) {
            return Ok(PathBuf::from(config).join("trailscope"));
        }
        match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
            Some(home) => Ok(PathBuf::from(home).join(".config").join("trailscope")),
            None => Err(Error::Invalid(
                "no folder for your reviewer key: set TRAILSCOPE_HOME or HOME".to_owned(),
            )),
        }
    }

    /// The reviewer whose folder is `home`, creating the folder, the key (from the
    /// operating system's randomness) and the profile on first use. The name defaults
    /// to the login name until the reviewer sets one.
    pub fn load_or_create(home: &Path) -> Result<Reviewer> {
        std::fs::create_dir_all(home).map_err(|e| Error::io(home, e))?;
        let key_path = home.join(KEY_FILE);
        if !key_path.exists() {
            create_key(home, &key_path)?;
        }
        let key = load_signing_key(&key_path)?;
        let profile_path = home.join(PROFILE_FILE);
        let name = match std::fs::read(&profile_path) {
            Ok(bytes) => serde_json::from_slice::<Value>(&bytes)
                .ok()
                .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_owned))
                .filter(|n| !n.trim().is_empty())
                .ok_or_else(|| {
                    Error::Invalid(format!(
                        "{} is not a reviewer profile (JSON with a \"name\")",
                        profile_path.display()
                    ))
                })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let name = login_name();
                write_profile(&profile_path, &name)?;
                name
            }
            Err(e) => return Err(Error::io(&profile_path, e)),
        };
        Ok(Reviewer { name, key })
    }

    /// The reviewer of the default folder ([`Reviewer::default_home`]).
    pub fn load_default() -> Result<Reviewer> {
        Reviewer::load_or_create(&Reviewer::default_home()?)
    }

    /// Sets the name the reviewer signs as (kept in their folder).
    pub fn set_name(home: &Path, name: &str) -> Result<Reviewer> {
        let name = name.trim();
        if name.is_empty() || name.chars().any(char::is_control) {
            return Err(Error::Invalid(
                "a reviewer's name must be some text on one line".to_owned(),
            ));
        }
        Reviewer::load_or_create(home)?;
        write_profile(&home.join(PROFILE_FILE), name)?;
        Reviewer::load_or_create(home)
    }

    /// A reviewer with a given key and name (tests; a key made elsewhere).
    pub fn from_key(name: &str, key: SigningKeyFile) -> Reviewer {
        Reviewer {
            name: name.to_owned(),
            key,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> &str {
        &self.key.key_id
    }

    /// The public key, standard base64.
    pub fn public_key_base64(&self) -> String {
        self.key.public_key_base64()
    }

    /// The key's fingerprint as people compare it: the first 128 bits of SHA-256 of
    /// the public key, in groups of four hex digits ("3f2a 91c0 …").
    pub fn fingerprint(&self) -> String {
        group_fingerprint(&fingerprint_hex(&self.key))
    }

    /// The line that trusts this reviewer's key (`trailscope verify --trusted-keys`).
    pub fn trusted_keys_line(&self) -> String {
        self.key.trusted_keys_line()
    }

    /// Signs `message` (deterministic Ed25519).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message)
    }

    /// Signs `message` and returns the signature object of spec §5.2.
    pub fn signature_of(&self, message: &[u8]) -> Value {
        json!({
            "alg": "ed25519",
            "key_id": self.key.key_id,
            "public_key": self.public_key_base64(),
            "value": BASE64.encode(self.sign(message)),
        })
    }

    pub(crate) fn signing_key(&self) -> &SigningKeyFile {
        &self.key
    }

    /// Who acted, in the shape of an event's `actor` (spec §2.1).
    pub fn as_actor(&self) -> Value {
        json!({"id": self.key.key_id, "type": "user", "name": self.name})
    }
}

/// Makes the reviewer's key at `key_path`. The key is written whole to a file of its
/// own and then linked into place, which fails if a key is already there: two
/// Trailscopes starting at once on a new machine end up with one key, never half of one.
fn create_key(home: &Path, key_path: &Path) -> Result<()> {
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce)
        .map_err(|e| Error::Invalid(format!("no randomness from the OS: {e}")))?;
    let draft = home.join(format!("{KEY_FILE}.new-{}", to_hex(&nonce)));
    let made = keygen(&draft, "reviewer").and_then(|provisional| {
        // The key id names the key by its own fingerprint, so two reviewers' keys never
        // share an id; it is fixed once the key exists.
        let key_id = format!("reviewer-{}", &fingerprint_hex(&provisional)[..16]);
        let text = std::fs::read(&draft).map_err(|e| Error::io(&draft, e))?;
        let mut value: Value = serde_json::from_slice(&text)
            .map_err(|_| Error::Invalid("the new key file did not read back".to_owned()))?;
        value["key_id"] = Value::String(key_id.clone());
        let mut text = serde_json::to_vec_pretty(&value).expect("a Value serializes");
        text.push(b'\n');
        std::fs::write(&draft, &text).map_err(|e| Error::io(&draft, e))?;
        text.fill(0);
        Ok(format!("{key_id} {}\n", provisional.public_key_base64()))
    });
    let linked = made.and_then(|public_line| {
        match std::fs::hard_link(&draft, key_path) {
            Ok(()) => {
                let public = home.join(format!("{KEY_FILE}.pub"));
                std::fs::write(&public, public_line).map_err(|e| Error::io(&public, e))
            }
            // Another Trailscope made the key first: theirs is the reviewer's key.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(Error::io(key_path, e)),
        }
    });
    let _ = std::fs::remove_file(&draft);
    let mut draft_pub = draft.into_os_string();
    draft_pub.push(".pub");
    let _ = std::fs::remove_file(draft_pub);
    linked
}

/// The fingerprint of a base64 public key, grouped as [`Reviewer::fingerprint`] shows it;
/// `None` when the text is not a 32-byte key.
pub fn fingerprint_of_public_key(public_key_base64: &str) -> Option<String> {
    let bytes = BASE64.decode(public_key_base64.trim()).ok()?;
    (bytes.len() == 32).then(|| group_fingerprint(&to_hex(&sha256(&bytes))[..32]))
}

/// The key that signed `value`: its `signature` member (spec §5.2 shape) verifies over
/// UTF-8(JCS(`value` without "signature")) under the public key it carries. Returns
/// (key id, base64 public key); `None` when unsigned or the signature does not verify.
/// Whether that key is one to trust is the caller's question.
pub fn signed_by(value: &Value) -> Option<(String, String)> {
    let signature = value.get("signature")?;
    let field = |k: &str| {
        signature
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let block = crate::bundle::ManifestSignature {
        alg: field("alg"),
        key_id: field("key_id"),
        public_key: field("public_key"),
        value: field("value"),
    };
    let key: [u8; 32] = BASE64.decode(&block.public_key).ok()?.try_into().ok()?;
    let mut trusted = crate::TrustedKeys::default();
    trusted.add(&block.key_id, key);
    let message = crate::canonical::canonical_of_value(value, Some("signature"));
    match crate::verify::check_signature(&block, &message, &trusted) {
        crate::verify::SignatureCheck::Trusted { .. } => Some((block.key_id, block.public_key)),
        _ => None,
    }
}

fn fingerprint_hex(key: &SigningKeyFile) -> String {
    let public = BASE64
        .decode(key.public_key_base64())
        .expect("our own base64 decodes");
    to_hex(&sha256(&public))[..32].to_owned()
}

fn group_fingerprint(hex: &str) -> String {
    hex.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).expect("hex is ASCII"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn login_name() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|n| !n.trim().is_empty()))
        .unwrap_or_else(|| "Reviewer".to_owned())
}

/// Writes the profile whole and renames it into place (readers never see half of it).
fn write_profile(path: &Path, name: &str) -> Result<()> {
    let mut text = serde_json::to_vec_pretty(&json!({"name": name})).expect("serializes");
    text.push(b'\n');
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce)
        .map_err(|e| Error::Invalid(format!("no randomness from the OS: {e}")))?;
    let mut draft = path.as_os_str().to_owned();
    draft.push(format!(".new-{}", to_hex(&nonce)));
    let draft = std::path::PathBuf::from(draft);
    std::fs::write(&draft, text).map_err(|e| Error::io(&draft, e))?;
    std::fs::rename(&draft, path).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_and_kept_private() {
        let home = tempfile::tempdir().unwrap();
        let first = Reviewer::load_or_create(home.path()).unwrap();
        let again = Reviewer::load_or_create(home.path()).unwrap();
        assert_eq!(first.public_key_base64(), again.public_key_base64());
        assert!(first.key_id().starts_with("reviewer-"));
        assert_eq!(first.fingerprint().len(), 32 + 7);
        assert_eq!(
            fingerprint_of_public_key(&first.public_key_base64()).as_deref(),
            Some(first.fingerprint().as_str())
        );
        let public = std::fs::read_to_string(home.path().join("reviewer.key.pub")).unwrap();
        assert_eq!(public.trim(), first.trusted_keys_line());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(home.path().join("reviewer.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the private key is owner-only");
        }
        let other = Reviewer::load_or_create(tempfile::tempdir().unwrap().path()).unwrap();
        assert_ne!(other.public_key_base64(), first.public_key_base64());
    }

    #[test]
    fn starting_at_once_makes_one_key() {
        let home = tempfile::tempdir().unwrap();
        let keys: Vec<String> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| Reviewer::load_or_create(home.path()).unwrap()))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap().public_key_base64())
                .collect()
        });
        assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
        let names: Vec<String> = std::fs::read_dir(home.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.contains(".new-")), "{names:?}");
    }

    #[test]
    fn the_name_is_set_and_kept() {
        let home = tempfile::tempdir().unwrap();
        Reviewer::set_name(home.path(), "  Maria Lopez ").unwrap();
        assert_eq!(
            Reviewer::load_or_create(home.path()).unwrap().name(),
            "Maria Lopez"
        );
        assert!(Reviewer::set_name(home.path(), "two\nlines").is_err());
        assert!(Reviewer::set_name(home.path(), "   ").is_err());
    }
}
