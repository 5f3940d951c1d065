//! Ed25519 signing keys for manifests (spec §5.2): creating a key pair, writing the
//! private key file and its trusted-keys line, loading the private key back.
//!
//! The private seed must never be printed, logged, put in an error message or shown
//! by `Debug`; a key file is written owner-only (0600 on Unix) and never overwritten.

use std::fmt;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};

use crate::{Error, Result};

/// A manifest signing key and the id reviewers know it by.
#[derive(Clone)]
pub struct SigningKeyFile {
    pub key_id: String,
    signing_key: SigningKey,
}

impl fmt::Debug for SigningKeyFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyFile")
            .field("key_id", &self.key_id)
            .field("public_key", &self.public_key_base64())
            .finish_non_exhaustive()
    }
}

impl SigningKeyFile {
    /// The key whose RFC 8032 private seed is `seed`.
    pub fn from_seed(key_id: &str, seed: [u8; 32]) -> Self {
        SigningKeyFile {
            key_id: key_id.to_owned(),
            signing_key: SigningKey::from_bytes(&seed),
        }
    }

    /// The public key, standard base64 with padding (spec §5.2).
    pub fn public_key_base64(&self) -> String {
        BASE64.encode(self.signing_key.verifying_key().to_bytes())
    }

    /// `<key_id> <base64 public key>`, one line of a trusted-keys file (spec §5.2).
    pub fn trusted_keys_line(&self) -> String {
        format!("{} {}", self.key_id, self.public_key_base64())
    }

    /// The Ed25519 signature of `message` (deterministic, RFC 8032).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing_key.sign(message).to_bytes()
    }
}

/// Refuses a key id that a trusted-keys line could not hold.
fn check_key_id(key_id: &str) -> std::result::Result<(), String> {
    if key_id.is_empty() {
        return Err("the key id is empty".to_owned());
    }
    if key_id.starts_with('#') || key_id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "the key id {key_id:?} must not start with '#' or hold spaces"
        ));
    }
    Ok(())
}

/// `OUT.pub`: the path of the public half beside the private key file.
fn public_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// Creates a key pair from fresh OS randomness; writes the private key file `out`
/// (JSON, owner-only) and `out.pub` (one trusted-keys line). Refuses to overwrite `out`.
pub fn keygen(out: &Path, key_id: &str) -> Result<SigningKeyFile> {
    check_key_id(key_id).map_err(Error::Invalid)?;
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| Error::Invalid(format!("no randomness from the OS: {e}")))?;
    let key = SigningKeyFile::from_seed(key_id, seed);
    let mut text = serde_json::to_vec_pretty(&json!({
        "key_id": key_id,
        "alg": "ed25519",
        "seed": BASE64.encode(seed),
        "public_key": key.public_key_base64(),
    }))
    .expect("a Value always serializes");
    seed.fill(0);
    text.push(b'\n');

    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(out).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::Refused {
                path: out.to_owned(),
                reason: "a key file is already there; it is never overwritten".to_owned(),
            }
        } else {
            Error::io(out, e)
        }
    })?;
    let written = file.write_all(&text).and_then(|()| file.sync_all());
    text.fill(0);
    written.map_err(|e| Error::io(out, e))?;

    let public = public_path(out);
    std::fs::write(&public, format!("{}\n", key.trusted_keys_line()))
        .map_err(|e| Error::io(&public, e))?;
    Ok(key)
}

/// Loads a private key file written by `keygen`.
pub fn load_signing_key(path: &Path) -> Result<SigningKeyFile> {
    let text = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let bad = |reason: &str| Error::KeyFile {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let value: Value = serde_json::from_slice(&text).map_err(|_| bad("not a JSON key file"))?;
    let field = |name: &str| value.get(name).and_then(Value::as_str);
    let key_id = field("key_id").ok_or_else(|| bad("no \"key_id\""))?;
    check_key_id(key_id).map_err(|reason| bad(&reason))?;
    if field("alg") != Some("ed25519") {
        return Err(bad("\"alg\" is not \"ed25519\""));
    }
    let seed = field("seed").ok_or_else(|| bad("no \"seed\""))?;
    let seed: [u8; 32] = BASE64
        .decode(seed)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| bad("\"seed\" is not 32 bytes of base64"))?;
    let key = SigningKeyFile::from_seed(key_id, seed);
    if let Some(public) = field("public_key")
        && public != key.public_key_base64()
    {
        return Err(bad("\"public_key\" does not belong to \"seed\""));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("trailscope-keys-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn the_vectors_test_key_has_the_published_public_key() {
        let key = SigningKeyFile::from_seed("acme-audit-2026", [1u8; 32]);
        assert_eq!(
            key.public_key_base64(),
            "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w="
        );
        assert_eq!(
            key.trusted_keys_line(),
            "acme-audit-2026 iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w="
        );
    }

    #[test]
    fn debug_never_shows_the_seed() {
        let key = SigningKeyFile::from_seed("k", [1u8; 32]);
        let shown = format!("{key:?}");
        assert!(shown.contains("iojj3XQJ"), "{shown}");
        assert!(!shown.contains(&BASE64.encode([1u8; 32])), "{shown}");
    }

    #[test]
    fn a_generated_key_loads_back_and_signs_the_same() {
        let dir = scratch_dir("roundtrip");
        let path = dir.join("signing.key");
        let key = keygen(&path, "acme-audit-2027").unwrap();
        let loaded = load_signing_key(&path).unwrap();
        assert_eq!(loaded.key_id, "acme-audit-2027");
        assert_eq!(loaded.public_key_base64(), key.public_key_base64());
        assert_eq!(loaded.sign(b"manifest"), key.sign(b"manifest"));
        let public = std::fs::read_to_string(dir.join("signing.key.pub")).unwrap();
        assert_eq!(public, format!("{}\n", key.trusted_keys_line()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Never overwritten.
        assert!(matches!(keygen(&path, "other"), Err(Error::Refused { .. })));
        assert_eq!(
            load_signing_key(&path).unwrap().public_key_base64(),
            key.public_key_base64()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn damaged_key_files_are_refused_with_a_reason() {
        let dir = scratch_dir("damaged");
        let path = dir.join("k.json");
        let good_seed = BASE64.encode([1u8; 32]);
        for (text, reason) in [
            ("not json".to_owned(), "not a JSON key file"),
            (
                json!({"alg": "ed25519", "seed": good_seed}).to_string(),
                "key_id",
            ),
            (
                json!({"key_id": "k", "alg": "rsa", "seed": good_seed}).to_string(),
                "alg",
            ),
            (
                json!({"key_id": "k", "alg": "ed25519", "seed": "AAAA"}).to_string(),
                "32 bytes",
            ),
            (
                json!({"key_id": "k", "alg": "ed25519", "seed": good_seed, "public_key": "x"})
                    .to_string(),
                "does not belong",
            ),
            (
                json!({"key_id": "a b", "alg": "ed25519", "seed": good_seed}).to_string(),
                "spaces",
            ),
        ] {
            std::fs::write(&path, text).unwrap();
            let error = load_signing_key(&path).unwrap_err();
            assert!(matches!(error, Error::KeyFile { .. }), "{error}");
            assert!(error.to_string().contains(reason), "{error}");
            assert!(!error.to_string().contains(&good_seed), "{error}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn keygen_refuses_a_key_id_with_spaces() {
        let dir = scratch_dir("badid");
        assert!(matches!(
            keygen(&dir.join("k"), "acme audit"),
            Err(Error::Invalid(_))
        ));
        assert!(!dir.join("k").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
