//! AWS CloudTrail evidence folders, generated: what `scripts/collect-cloudtrail.sh`
//! assembles from a real trail (issue 11), made up deterministically from a seed for
//! demos, tests and benchmarks.
//!
//! ```text
//! ROOT/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz          log files
//! ROOT/AWSLogs/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/*.json.gz   hourly digests
//! ROOT/digest-signatures/<digest path>.json     `aws s3api head-object` output of a digest
//! ROOT/public-keys/<region>.json                `aws cloudtrail list-public-keys` output
//! ```
//!
//! A [`TrailPlan`] says what to write: regions (each its own digest chain and keys file,
//! all of one multi-region trail whose home region is the first), hours, log files per
//! hour and records per log file, the key rotation, and the tamperings a verifier must
//! catch (an attacker's key from some hour on, a restarted chain, missing head-object
//! files, an edit to any digest before it is signed). [`build_trail`] writes it.
//!
//! Records are realistic and varied: IAM users (an administrator, a developer, a CI
//! user), two people signed in through IAM Identity Center (an administrator and a
//! read-only auditor), an application server's instance role and a Lambda function's
//! role reading and writing S3 objects (data events), AWS services acting, the root user
//! signing in to the console, console sign-ins that fail, calls refused with
//! `AccessDenied`, IAM changes, security-group changes, and the trail being stopped and
//! started again. The first record of every log file is one of the notable events, in
//! turn, so even a tiny trail reads as a varied story.
//!
//! Everything is a function of the plan: no clock, no OS randomness, no hash-map order;
//! the same plan gives the same bytes. Log files are made in parallel (rayon), the
//! digests chain by chain (each signs its predecessor's signature).
//!
//! The RSA keys come from a seeded generator: they are **demo and test keys**, the same
//! for everyone who has this code, and must never sign anything real.
//!
//! This is producer code: it shares nothing with `crate::source::cloudtrail` (it
//! computes fingerprints, gzip, hashes and the string to sign itself), so a producer bug
//! cannot hide itself from the verifier.

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Datelike, TimeDelta, TimeZone, Timelike, Utc};
use flate2::{Compression, write::GzEncoder};
use md5::Md5;
use rayon::prelude::*;
use rsa::pkcs1::EncodeRsaPublicKey as _;
use rsa::pkcs8::EncodePublicKey as _;
use rsa::rand_core::{TryCryptoRng, TryRng};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::rng::{Rng, mix64};
use crate::canonical::{sha256, to_hex};
use crate::{Error, Result};

/// The AWS account of the generated trail.
pub const ACCOUNT: &str = "123456789012";
/// The S3 bucket the trail delivers to.
pub const BUCKET: &str = "acme-trail-bucket";
/// The trail's name.
pub const TRAIL: &str = "main-trail";
/// The key seed of [`TrailPlan::default`] (and of the CLI's `gen-cloudtrail`).
pub const DEMO_KEY_SEED: u64 = 0;

// ---------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------

/// The three RSA-2048 keys of a generated trail. Demo and test keys only: they come
/// from a seeded generator, so anyone can make them again.
pub struct TrailKeys {
    /// Signs the hours before the rotation; delivered as PKCS#1 `RSAPublicKey` DER.
    pub first: rsa::PrivateKey,
    /// Signs from the rotation on; delivered as X.509 `SubjectPublicKeyInfo` DER.
    pub second: rsa::PrivateKey,
    /// Re-signs the hours from [`TrailPlan::attacker_from`] on (PKCS#1, and added to
    /// the folder's `public-keys/`, never to the trusted keys).
    pub attacker: rsa::PrivateKey,
}

impl TrailKeys {
    /// Makes the three keys of `seed` (in parallel: generation is the slow part, about
    /// a second each). Prefer [`trail_keys`], which makes them once per process.
    pub fn generate(seed: u64) -> TrailKeys {
        let make = |i: u64| {
            let mut rng = KeyRng {
                seed: seed.wrapping_mul(3).wrapping_add(i),
                counter: 0,
            };
            rsa::PrivateKey::new(&mut rng, 2048).expect("a 2048-bit RSA key")
        };
        let ((first, second), attacker) =
            rayon::join(|| rayon::join(|| make(1), || make(2)), || make(3));
        TrailKeys {
            first,
            second,
            attacker,
        }
    }
}

/// The keys of `seed`, made once per process and kept (the first caller of a seed
/// makes them; others of that seed wait, others of other seeds do not).
pub fn trail_keys(seed: u64) -> &'static TrailKeys {
    type Cells = HashMap<u64, &'static OnceLock<TrailKeys>>;
    static MADE: OnceLock<Mutex<Cells>> = OnceLock::new();
    let mut made = MADE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let cell = match made.get(&seed) {
        Some(&cell) => cell,
        None => {
            let cell: &'static OnceLock<TrailKeys> = Box::leak(Box::new(OnceLock::new()));
            made.insert(seed, cell);
            cell
        }
    };
    drop(made);
    cell.get_or_init(|| TrailKeys::generate(seed))
}

/// SHA-256 in counter mode from a seed: the same keys on every run and platform. Not a
/// source of secrets.
struct KeyRng {
    seed: u64,
    counter: u64,
}

impl TryRng for KeyRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut bytes = [0u8; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut bytes = [0u8; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(32) {
            self.counter += 1;
            let mut hasher = Sha256::new();
            hasher.update(self.seed.to_le_bytes());
            hasher.update(self.counter.to_le_bytes());
            let block = hasher.finalize();
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
        Ok(())
    }
}

impl TryCryptoRng for KeyRng {}

/// The public key as PKCS#1 `RSAPublicKey` DER (how CloudTrail delivers its keys).
pub fn pkcs1_der(key: &rsa::PrivateKey) -> Vec<u8> {
    key.to_public_key()
        .to_pkcs1_der()
        .expect("an RSA public key encodes")
        .as_bytes()
        .to_vec()
}

/// The public key as X.509 `SubjectPublicKeyInfo` DER.
pub fn spki_der(key: &rsa::PrivateKey) -> Vec<u8> {
    key.to_public_key()
        .to_public_key_der()
        .expect("an RSA public key encodes")
        .as_bytes()
        .to_vec()
}

/// A key's fingerprint as CloudTrail writes it: lowercase hex MD5 of the DER bytes.
pub fn fingerprint(der: &[u8]) -> String {
    to_hex(&Md5::digest(der))
}

/// RSASSA-PKCS1-v1_5 with SHA-256 (`SHA256withRSA`) of `message`.
pub fn sign(key: &rsa::PrivateKey, message: &[u8]) -> Vec<u8> {
    key.pkcs1v15_sign::<Sha256>(message)
        .expect("an RSA-2048 key signs a SHA-256 digest")
}

/// A stretch of time: from, to.
pub type Window = (DateTime<Utc>, DateTime<Utc>);

/// `aws cloudtrail list-public-keys` output for these DER keys and validity windows.
pub fn list_public_keys_json(keys: &[(&[u8], Option<Window>)]) -> String {
    let list: Vec<Value> = keys
        .iter()
        .map(|(der, window)| {
            let mut entry = json!({
                "Value": BASE64.encode(der),
                "Fingerprint": fingerprint(der),
            });
            if let Some((from, to)) = window {
                entry["ValidityStartTime"] = json!(from.to_rfc3339());
                entry["ValidityEndTime"] = json!(to.to_rfc3339());
            }
            entry
        })
        .collect();
    json!({ "PublicKeyList": list }).to_string()
}

/// The plan's two real keys with their overlapping windows, as list-public-keys gives
/// them: what a reviewer would fetch from AWS and trust (`--trusted-keys`). Never the
/// attacker's key.
pub fn trusted_keys_json(plan: &TrailPlan) -> String {
    let keys = trail_keys(plan.key_seed);
    let rotation = hour(plan.rotate_at);
    let end = (start() + TimeDelta::days(30)).max(hour(plan.hours) + TimeDelta::days(1));
    list_public_keys_json(&[
        (
            &pkcs1_der(&keys.first),
            Some((
                start() - TimeDelta::days(10),
                rotation + TimeDelta::hours(1),
            )),
        ),
        (
            &spki_der(&keys.second),
            Some((rotation - TimeDelta::hours(1), end)),
        ),
    ])
}

/// What the folder's `public-keys/<region>.json` holds: the real keys, and the
/// attacker's (without a window) when the plan has one.
pub fn folder_keys_json(plan: &TrailPlan) -> String {
    let mut keys: Value =
        serde_json::from_str(&trusted_keys_json(plan)).expect("our own JSON parses");
    if plan.attacker_from.is_some() {
        let der = pkcs1_der(&trail_keys(plan.key_seed).attacker);
        let entry = json!({"Value": BASE64.encode(&der), "Fingerprint": fingerprint(&der)});
        if let Some(list) = keys["PublicKeyList"].as_array_mut() {
            list.push(entry);
        }
    }
    keys.to_string()
}

// ---------------------------------------------------------------------------------
// Time and places
// ---------------------------------------------------------------------------------

/// When every generated trail starts: 2026-03-01T00:01:31Z. Digests end a minute and a
/// half past the hour, as in AWS's sample; digest `h` covers `hour(h)` to `hour(h + 1)`.
pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 0, 1, 31)
        .single()
        .expect("a valid time")
}

/// The start of hour `h` of the trail.
pub fn hour(h: usize) -> DateTime<Utc> {
    start() + TimeDelta::hours(h as i64)
}

/// When log file `k` of hour `h` is delivered: spread over the hour, from 5 minutes in.
pub fn log_time(logs_per_hour: usize, h: usize, k: usize) -> DateTime<Utc> {
    let minutes = 5 + 50 * k / logs_per_hour.max(1);
    hour(h) + TimeDelta::minutes(minutes as i64)
}

/// A time the way CloudTrail writes it: `2026-03-01T14:01:31Z`.
pub fn format_time(t: DateTime<Utc>) -> String {
    let mut out = String::with_capacity(20);
    push_time(&mut out, t);
    out
}

fn push_time(out: &mut String, t: DateTime<Utc>) {
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
}

fn folder_date(t: DateTime<Utc>) -> String {
    format!("{:04}/{:02}/{:02}", t.year(), t.month(), t.day())
}

/// Where the digest of `region`'s chain ending at `end` lies (home region `home`).
pub fn digest_path(region: &str, home: &str, end: DateTime<Utc>) -> String {
    format!(
        "AWSLogs/{ACCOUNT}/CloudTrail-Digest/{region}/{}/{ACCOUNT}_CloudTrail-Digest_{region}_{TRAIL}_{home}_{:04}{:02}{:02}T{:02}{:02}{:02}Z.json.gz",
        folder_date(end),
        end.year(),
        end.month(),
        end.day(),
        end.hour(),
        end.minute(),
        end.second()
    )
}

/// Where a log file of `region` delivered at `delivered` lies; `unique` is the 16
/// characters CloudTrail puts at the end of the name.
pub fn log_path(region: &str, delivered: DateTime<Utc>, unique: &str) -> String {
    format!(
        "AWSLogs/{ACCOUNT}/CloudTrail/{region}/{}/{ACCOUNT}_CloudTrail_{region}_{:04}{:02}{:02}T{:02}{:02}Z_{unique}.json.gz",
        folder_date(delivered),
        delivered.year(),
        delivered.month(),
        delivered.day(),
        delivered.hour(),
        delivered.minute()
    )
}

/// Where the head-object output of the digest at `digest_path` lies.
pub fn head_object_path(digest_path: &str) -> String {
    format!("digest-signatures/{digest_path}.json")
}

/// `aws s3api head-object` output for a digest object: its signature in `Metadata`.
pub fn head_object_json(signature: &[u8], delivered: DateTime<Utc>, gz: &[u8]) -> String {
    json!({
        "AcceptRanges": "bytes",
        "LastModified": delivered.to_rfc3339(),
        "ContentLength": gz.len(),
        "ETag": format!("\"{}\"", to_hex(&Md5::digest(gz))),
        "ContentType": "application/json",
        "ServerSideEncryption": "AES256",
        "Metadata": {"signature": to_hex(signature), "signature-algorithm": "SHA256withRSA"},
    })
    .to_string()
}

/// One gzip member of `bytes` (fast compression; no name, no time: deterministic).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(
        Vec::with_capacity(bytes.len() / 6 + 64),
        Compression::fast(),
    );
    encoder
        .write_all(bytes)
        .expect("writing to memory cannot fail");
    encoder.finish().expect("writing to memory cannot fail")
}

// ---------------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------------

/// Which digests get a head-object file (`digest-signatures/…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadObjects {
    /// Every digest: each is checkable on its own.
    All,
    /// All but each chain's newest (whose signature is then unavailable).
    AllButNewest,
    /// None: each digest's signature comes only from its successor.
    None,
}

/// Changes a digest's JSON before it is written and signed: (region, hour, digest).
pub type DigestEdit = Arc<dyn Fn(&str, usize, &mut Value) + Send + Sync>;

/// What to generate. Hours count from [`start`]; the same plan always gives the same
/// bytes.
#[derive(Clone)]
pub struct TrailPlan {
    /// Source regions, one digest chain and one `public-keys/<region>.json` each. The
    /// first is the trail's home region. IAM and console sign-in events (global
    /// services) are recorded in `us-east-1` only, as CloudTrail does.
    pub regions: Vec<String>,
    /// Hours of the trail: one digest each.
    pub hours: usize,
    /// Log files delivered each hour (12: every five minutes).
    pub logs_per_hour: usize,
    /// Records in each log file (below 2^20).
    pub records_per_log: usize,
    /// Seed of the records (and of the log files' unique name parts).
    pub seed: u64,
    /// Seed of the keys ([`trail_keys`]).
    pub key_seed: u64,
    /// The first hour signed by the second key (delivered as SubjectPublicKeyInfo);
    /// the hours before are signed by the first (PKCS#1).
    pub rotate_at: usize,
    /// Hours from here are signed by the attacker's key, which is added to the folder's
    /// `public-keys/`.
    pub attacker_from: Option<usize>,
    /// Validation off for the two hours before this one (no log files, no digests
    /// then), and a starting digest here: the chain restarts.
    pub restart_at: Option<usize>,
    pub head_objects: HeadObjects,
    /// Applied to every digest before it is written and signed.
    pub edit: Option<DigestEdit>,
}

impl Default for TrailPlan {
    /// Six hours of `us-east-1`, two log files an hour of three records each, the key
    /// rotated at hour 3: the verifier's test trail.
    fn default() -> TrailPlan {
        TrailPlan {
            regions: vec!["us-east-1".to_owned()],
            hours: 6,
            logs_per_hour: 2,
            records_per_log: 3,
            seed: 1,
            key_seed: DEMO_KEY_SEED,
            rotate_at: 3,
            attacker_from: None,
            restart_at: None,
            head_objects: HeadObjects::All,
            edit: None,
        }
    }
}

impl fmt::Debug for TrailPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrailPlan")
            .field("regions", &self.regions)
            .field("hours", &self.hours)
            .field("logs_per_hour", &self.logs_per_hour)
            .field("records_per_log", &self.records_per_log)
            .field("seed", &self.seed)
            .field("key_seed", &self.key_seed)
            .field("rotate_at", &self.rotate_at)
            .field("attacker_from", &self.attacker_from)
            .field("restart_at", &self.restart_at)
            .field("head_objects", &self.head_objects)
            .field("edit", &self.edit.as_ref().map(|_| "…"))
            .finish()
    }
}

impl TrailPlan {
    /// A clean demo trail: these regions for `hours` hours, the key rotated halfway, a
    /// head-object file for every digest.
    pub fn demo(
        regions: &[&str],
        hours: usize,
        logs_per_hour: usize,
        records_per_log: usize,
        seed: u64,
    ) -> TrailPlan {
        TrailPlan {
            regions: regions.iter().map(|r| (*r).to_owned()).collect(),
            hours,
            logs_per_hour,
            records_per_log,
            seed,
            rotate_at: hours / 2,
            ..TrailPlan::default()
        }
    }

    /// The trail's home region (the first).
    pub fn home(&self) -> &str {
        self.regions.first().map_or("us-east-1", String::as_str)
    }

    /// Whether hour `h` has log files and a digest (not within a restart's two dark hours).
    pub fn is_recorded(&self, h: usize) -> bool {
        !self.restart_at.is_some_and(|r| h + 2 >= r && h < r)
    }

    fn check(&self) -> Result<()> {
        let invalid = |reason: String| Err(Error::Invalid(reason));
        if self.regions.is_empty() {
            return invalid("a trail needs at least one region".into());
        }
        for (i, region) in self.regions.iter().enumerate() {
            let plain = !region.is_empty()
                && region
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !plain {
                return invalid(format!(
                    "{region:?} is no AWS region name (lowercase letters, digits and dashes, e.g. eu-west-1)"
                ));
            }
            if self.regions[..i].contains(region) {
                return invalid(format!("region {region} is given twice"));
            }
        }
        if self.records_per_log >= 1 << 20 {
            return invalid("at most 1,048,575 records per log file".into());
        }
        if self.hours > 24 * 366 * 10 || self.logs_per_hour > 10_000 {
            return invalid("at most ten years of hours and 10,000 log files an hour".into());
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------
// What was built
// ---------------------------------------------------------------------------------

/// One digest written.
#[derive(Debug, Clone)]
pub struct BuiltDigest {
    /// The hour it covers (`hour(h)` to `hour(h + 1)`).
    pub hour: usize,
    /// Relative to the root.
    pub path: String,
    /// The string its signature covers.
    pub to_sign: String,
    pub signature: Vec<u8>,
    /// The log files it lists, in order.
    pub logs: Vec<String>,
}

/// One region's chain.
#[derive(Debug, Clone)]
pub struct BuiltRegion {
    pub region: String,
    /// In hour order.
    pub digests: Vec<BuiltDigest>,
    /// Every log file, in hour then delivery order.
    pub logs: Vec<String>,
}

impl BuiltRegion {
    /// The digest of hour `h`, if that hour has one.
    pub fn digest(&self, h: usize) -> Option<&BuiltDigest> {
        self.digests.iter().find(|d| d.hour == h)
    }
}

/// What [`build_trail`] wrote.
#[derive(Debug, Clone)]
pub struct BuiltTrail {
    /// In the plan's order.
    pub regions: Vec<BuiltRegion>,
    pub records: u64,
    pub log_files: u64,
    pub digests: u64,
    pub head_objects: u64,
    /// Bytes of every file written (compressed, as on disk).
    pub bytes: u64,
    /// Bytes of the log files once inflated.
    pub inflated_log_bytes: u64,
}

impl BuiltTrail {
    pub fn region(&self, name: &str) -> Option<&BuiltRegion> {
        self.regions.iter().find(|r| r.region == name)
    }
}

// ---------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------

fn write_file(root: &Path, path: &str, bytes: &[u8]) -> Result<()> {
    let full = root.join(path);
    if let Some(parent) = full.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    std::fs::write(&full, bytes).map_err(|e| Error::io(&full, e))
}

/// A log file written: where, the SHA-256 of its inflated bytes, its records' times.
struct LogBuilt {
    path: String,
    sha256: String,
    oldest: DateTime<Utc>,
    newest: DateTime<Utc>,
    records: u64,
    inflated: u64,
    gz: u64,
}

/// Writes the plan's trail under `root` (adding to what is there: two plans of
/// different regions may share a folder). Log files are made in parallel; then each
/// region's digests, in hour order, each signing its predecessor's signature.
pub fn build_trail(root: &Path, plan: &TrailPlan) -> Result<BuiltTrail> {
    plan.check()?;
    let keys = trail_keys(plan.key_seed);
    let folder_keys = folder_keys_json(plan);
    let mut bytes = 0u64;
    for region in &plan.regions {
        write_file(
            root,
            &format!("public-keys/{region}.json"),
            folder_keys.as_bytes(),
        )?;
        bytes += folder_keys.len() as u64;
    }

    let recorded: Vec<usize> = (0..plan.hours).filter(|&h| plan.is_recorded(h)).collect();
    let per_region = recorded.len() * plan.logs_per_hour;
    let jobs: Vec<(usize, usize, usize)> = (0..plan.regions.len())
        .flat_map(|r| {
            recorded
                .iter()
                .flat_map(move |&h| (0..plan.logs_per_hour).map(move |k| (r, h, k)))
        })
        .collect();
    let logs: Vec<LogBuilt> = jobs
        .par_iter()
        .map(|&(r, h, k)| build_log(root, plan, &plan.regions[r], h, k))
        .collect::<Result<_>>()?;

    let regions: Vec<(BuiltRegion, u64, u64)> = plan
        .regions
        .par_iter()
        .enumerate()
        .map(|(r, region)| {
            let logs = &logs[r * per_region..(r + 1) * per_region];
            build_chain(root, plan, keys, region, &recorded, logs)
        })
        .collect::<Result<_>>()?;

    let mut built = BuiltTrail {
        regions: Vec::with_capacity(regions.len()),
        records: logs.iter().map(|l| l.records).sum(),
        log_files: logs.len() as u64,
        digests: 0,
        head_objects: 0,
        bytes: bytes + logs.iter().map(|l| l.gz).sum::<u64>(),
        inflated_log_bytes: logs.iter().map(|l| l.inflated).sum(),
    };
    for (region, digest_bytes, heads) in regions {
        built.digests += region.digests.len() as u64;
        built.head_objects += heads;
        built.bytes += digest_bytes;
        built.regions.push(region);
    }
    Ok(built)
}

/// The index of log file `k` of hour `h` among its region's, which seeds its records.
fn log_index(plan: &TrailPlan, h: usize, k: usize) -> u64 {
    (h * plan.logs_per_hour + k) as u64
}

fn build_log(root: &Path, plan: &TrailPlan, region: &str, h: usize, k: usize) -> Result<LogBuilt> {
    let delivered = log_time(plan.logs_per_hour, h, k);
    let index = log_index(plan, h, k);
    let file = log_file_json(plan.seed, region, delivered, index, plan.records_per_log);
    let path = log_path(region, delivered, &unique_name(plan.seed, region, index));
    let gz = gzip(&file.json);
    write_file(root, &path, &gz)?;
    Ok(LogBuilt {
        path,
        sha256: to_hex(&sha256(&file.json)),
        oldest: file.oldest,
        newest: file.newest,
        records: plan.records_per_log as u64,
        inflated: file.json.len() as u64,
        gz: gz.len() as u64,
    })
}

/// A region's digests: (the chain, bytes written, head-object files written).
fn build_chain(
    root: &Path,
    plan: &TrailPlan,
    keys: &TrailKeys,
    region: &str,
    recorded: &[usize],
    logs: &[LogBuilt],
) -> Result<(BuiltRegion, u64, u64)> {
    let mut built = BuiltRegion {
        region: region.to_owned(),
        digests: Vec::with_capacity(recorded.len()),
        logs: logs.iter().map(|l| l.path.clone()).collect(),
    };
    let (mut bytes, mut heads) = (0u64, 0u64);
    // (path, hex SHA-256 of the inflated digest, hex signature) of the previous digest.
    let mut previous: Option<(String, String, String)> = None;
    let mut last_hour = None;
    for (j, &h) in recorded.iter().enumerate() {
        if last_hour.is_some_and(|last| last + 1 != h) {
            previous = None;
        }
        last_hour = Some(h);
        let hour_logs = &logs[j * plan.logs_per_hour..(j + 1) * plan.logs_per_hour];
        let (start, end) = (hour(h), hour(h + 1));
        let path = digest_path(region, plan.home(), end);
        let (key, der) = if plan.attacker_from.is_some_and(|from| h >= from) {
            (&keys.attacker, pkcs1_der(&keys.attacker))
        } else if h < plan.rotate_at {
            (&keys.first, pkcs1_der(&keys.first))
        } else {
            (&keys.second, spki_der(&keys.second))
        };
        let time = |t: Option<DateTime<Utc>>| t.map(format_time);
        let log_files: Vec<Value> = hour_logs
            .iter()
            .map(|log| {
                json!({"s3Bucket": BUCKET, "s3Object": log.path, "hashValue": log.sha256,
                       "hashAlgorithm": "SHA-256", "newestEventTime": format_time(log.newest),
                       "oldestEventTime": format_time(log.oldest)})
            })
            .collect();
        let mut digest = json!({
            "awsAccountId": ACCOUNT,
            "digestStartTime": format_time(start),
            "digestEndTime": format_time(end),
            "digestS3Bucket": BUCKET,
            "digestS3Object": path,
            "digestPublicKeyFingerprint": fingerprint(&der),
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": time(hour_logs.iter().map(|l| l.newest).max()),
            "oldestEventTime": time(hour_logs.iter().map(|l| l.oldest).min()),
            "previousDigestS3Bucket": previous.as_ref().map(|_| BUCKET),
            "previousDigestS3Object": previous.as_ref().map(|p| p.0.clone()),
            "previousDigestHashValue": previous.as_ref().map(|p| p.1.clone()),
            "previousDigestHashAlgorithm": previous.as_ref().map(|_| "SHA-256"),
            "previousDigestSignature": previous.as_ref().map(|p| p.2.clone()),
            "logFiles": log_files,
        });
        if let Some(edit) = &plan.edit {
            edit(region, h, &mut digest);
        }
        let inflated = serde_json::to_vec_pretty(&digest).expect("a Value serializes");
        let inflated_sha256 = to_hex(&sha256(&inflated));
        let to_sign = string_to_sign(&digest, &inflated_sha256);
        let signature = sign(key, to_sign.as_bytes());
        let gz = gzip(&inflated);
        write_file(root, &path, &gz)?;
        bytes += gz.len() as u64;
        let newest = h + 1 == plan.hours;
        let head = match plan.head_objects {
            HeadObjects::All => true,
            HeadObjects::AllButNewest => !newest,
            HeadObjects::None => false,
        };
        if head {
            let text = head_object_json(&signature, end + TimeDelta::seconds(41), &gz);
            write_file(root, &head_object_path(&path), text.as_bytes())?;
            bytes += text.len() as u64;
            heads += 1;
        }
        previous = Some((path.clone(), inflated_sha256, to_hex(&signature)));
        built.digests.push(BuiltDigest {
            hour: h,
            path,
            to_sign,
            signature,
            logs: hour_logs.iter().map(|l| l.path.clone()).collect(),
        });
    }
    Ok((built, bytes, heads))
}

/// What a digest's signature covers, built from its JSON values (reference §1.6):
/// `digestEndTime \n bucket/object \n sha256(inflated digest) \n previousDigestSignature`,
/// the literal `null` when there is no previous signature.
fn string_to_sign(digest: &Value, inflated_sha256: &str) -> String {
    let text = |name: &str| digest[name].as_str().unwrap_or("null").to_owned();
    format!(
        "{}\n{}/{}\n{inflated_sha256}\n{}",
        text("digestEndTime"),
        text("digestS3Bucket"),
        text("digestS3Object"),
        text("previousDigestSignature")
    )
}

// ---------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------

/// A log file's inflated JSON and its records' time range.
#[derive(Debug, Clone)]
pub struct LogFileJson {
    /// `{"Records":[…]}`, compact, as CloudTrail writes it.
    pub json: Vec<u8>,
    pub oldest: DateTime<Utc>,
    pub newest: DateTime<Utc>,
}

fn region_hash(region: &str) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for b in region.bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    mix64(hash)
}

/// The 16 characters ending a log file's name: distinct for distinct indexes.
fn unique_name(seed: u64, region: &str, index: u64) -> String {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    // 11 base-62 digits hold any u64, which a bijection of the index fills; 5 more
    // from the region.
    let mut n = mix64(index ^ mix64(seed ^ 0x4c4f_4746));
    let mut r = region_hash(region);
    let mut out = String::with_capacity(16);
    for _ in 0..11 {
        out.push(ALPHABET[(n % 62) as usize] as char);
        n /= 62;
    }
    for _ in 0..5 {
        out.push(ALPHABET[(r % 62) as usize] as char);
        r /= 62;
    }
    out
}

/// The records of a log file of `region` delivered at `delivered`: `n` records from
/// the five minutes before it. `index` (below 2^44) tells the log files of a region
/// apart: records of distinct (region, index, position) have distinct `eventID`s.
pub fn log_file_json(
    seed: u64,
    region: &str,
    delivered: DateTime<Utc>,
    index: u64,
    n: usize,
) -> LogFileJson {
    let region_bits = region_hash(region);
    let mut rng = Rng::new(mix64(seed ^ mix64(region_bits ^ mix64(index))));
    let id_key = mix64(seed.wrapping_add(0x5eed));
    let global = region == "us-east-1";
    let mut out = String::with_capacity(n * 1400 + 16);
    out.push_str("{\"Records\":[");
    let (mut oldest, mut newest) = (delivered, delivered - TimeDelta::days(1));
    for i in 0..n {
        let kind = if i == 0 {
            notable(index, global)
        } else {
            routine(&mut rng, global)
        };
        let time = delivered - TimeDelta::seconds(rng.between(20, 320) as i64);
        oldest = oldest.min(time);
        newest = newest.max(time);
        let unique = mix64(((index << 20) | i as u64) ^ id_key);
        let event_id = format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            unique >> 32,
            (unique >> 16) & 0xffff,
            region_bits & 0xfff,
            0x8000 | ((region_bits >> 12) & 0x3fff),
            ((unique & 0xffff) << 32) | (region_bits >> 32)
        );
        if i > 0 {
            out.push(',');
        }
        let call = make_call(kind, &mut rng, region);
        write_record(&mut out, &call, region, time, &event_id, &mut rng);
    }
    out.push_str("]}");
    if n == 0 {
        newest = oldest;
    }
    LogFileJson {
        json: out.into_bytes(),
        oldest,
        newest,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    // Routine.
    AppGetObject,
    AppPutObject,
    AppGetMissingObject,
    LambdaGetObject,
    LambdaDecrypt,
    ServiceAssumeRole,
    DescribeInstances,
    GetCallerIdentity,
    ListBuckets,
    DescribeTrails,
    ListUsers,
    RunInstances,
    ConsoleLogin,
    // Notable.
    CreateUser,
    DeleteBucketDenied,
    ConsoleLoginFailed,
    AttachUserPolicy,
    RootConsoleLogin,
    StopLogging,
    PutBucketPolicyDenied,
    ConsoleLoginHidden,
    CreateAccessKey,
    OpenSecurityGroup,
    TerminateInstancesDenied,
    StartLogging,
    CreateUserDenied,
    DeleteUser,
}

/// The notable events, in the order the first records of log files take them.
const NOTABLE: [Kind; 15] = [
    Kind::CreateUser,
    Kind::DeleteBucketDenied,
    Kind::ConsoleLoginFailed,
    Kind::AttachUserPolicy,
    Kind::RootConsoleLogin,
    Kind::StopLogging,
    Kind::PutBucketPolicyDenied,
    Kind::ConsoleLoginHidden,
    Kind::CreateAccessKey,
    Kind::OpenSecurityGroup,
    Kind::TerminateInstancesDenied,
    Kind::StartLogging,
    Kind::CreateUserDenied,
    Kind::DeleteUser,
    Kind::ConsoleLogin,
];

/// Whether the event is of a global service (IAM, console sign-in): recorded in
/// us-east-1 only.
fn is_global(kind: Kind) -> bool {
    use Kind::*;
    matches!(
        kind,
        CreateUser
            | AttachUserPolicy
            | ConsoleLoginFailed
            | RootConsoleLogin
            | ConsoleLoginHidden
            | CreateAccessKey
            | CreateUserDenied
            | DeleteUser
            | ConsoleLogin
            | ListUsers
    )
}

fn notable(index: u64, global: bool) -> Kind {
    let usable: &[Kind] = if global {
        &NOTABLE
    } else {
        static REGIONAL: OnceLock<Vec<Kind>> = OnceLock::new();
        REGIONAL.get_or_init(|| NOTABLE.into_iter().filter(|k| !is_global(*k)).collect())
    };
    usable[(index % usable.len() as u64) as usize]
}

const ROUTINE: [(Kind, f64); 13] = [
    (Kind::AppGetObject, 28.0),
    (Kind::AppPutObject, 10.0),
    (Kind::AppGetMissingObject, 1.0),
    (Kind::LambdaGetObject, 6.0),
    (Kind::LambdaDecrypt, 8.0),
    (Kind::ServiceAssumeRole, 5.0),
    (Kind::DescribeInstances, 10.0),
    (Kind::GetCallerIdentity, 5.0),
    (Kind::ListBuckets, 3.0),
    (Kind::DescribeTrails, 3.0),
    (Kind::ListUsers, 3.0),
    (Kind::RunInstances, 2.0),
    (Kind::ConsoleLogin, 0.5),
];

fn routine(rng: &mut Rng, global: bool) -> Kind {
    static WEIGHTS: OnceLock<[Vec<f64>; 2]> = OnceLock::new();
    let weights = WEIGHTS.get_or_init(|| {
        let all: Vec<f64> = ROUTINE.iter().map(|(_, w)| *w).collect();
        let regional = ROUTINE
            .iter()
            .map(|(k, w)| if is_global(*k) { 0.0 } else { *w })
            .collect();
        [all, regional]
    });
    // One in fifty routine records is a notable one.
    if rng.chance(0.02) {
        return notable(rng.next_u64(), global);
    }
    ROUTINE[rng.weighted(&weights[usize::from(!global)])].0
}

/// Who acts: the `userIdentity` JSON (split where a session's creation time goes),
/// and where they act from.
struct Actor {
    identity: &'static str,
    /// For role sessions: the rest of the identity after the `creationDate` value.
    session_tail: Option<&'static str>,
    ip: &'static str,
    agent: &'static str,
}

const UA_CLI: &str = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe sid/4c2a1f0e9b8d";
const UA_TERRAFORM: &str = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.3 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64";
const UA_GO: &str = "aws-sdk-go-v2/1.25.3 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.150.0 ft/ci-deploy";
const UA_BROWSER: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36";
const UA_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15";
const UA_JAVA: &str = "[aws-sdk-java/2.25.10 Linux/6.1.79-99.167.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.2+13-LTS Java/21.0.2 vendor/Amazon.com_Inc. exec-env/AWS_ECS_EC2 io/sync http/Apache cfg/retry-mode/legacy]";
const UA_LAMBDA: &str = "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#5.10.209-219.895.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.51";
const UA_CONSOLE: &str = "AWS Internal";

const APP_INSTANCE: &str = "i-0a1b2c3d4e5f67890";
const SSO_ADMIN: &str = "AWSReservedSSO_AdministratorAccess_4f2c1e9a8b7d6c5e";
const SSO_READONLY: &str = "AWSReservedSSO_ReadOnlyAccess_9a8b7c6d5e4f3a2b";

#[derive(Clone, Copy)]
enum Who {
    Alice,
    Bob,
    Deploy,
    Carol,
    Dave,
    App,
    Lambda,
    LambdaService,
    Root,
    AliceSignIn,
    Hidden,
}

fn actor(who: Who) -> &'static Actor {
    static CAST: OnceLock<Vec<Actor>> = OnceLock::new();
    let cast = CAST.get_or_init(|| {
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let user = |name: &str, id: &str, key: &str| {
            leak(format!(
                r#"{{"type":"IAMUser","principalId":"{id}","arn":"arn:aws:iam::{ACCOUNT}:user/{name}","accountId":"{ACCOUNT}","accessKeyId":"{key}","userName":"{name}"}}"#
            ))
        };
        let session = |role_path: &str, role: &str, role_id: &str, session: &str, key: &str, mfa: bool| {
            let head = leak(format!(
                r#"{{"type":"AssumedRole","principalId":"{role_id}:{session}","arn":"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}","accountId":"{ACCOUNT}","accessKeyId":"{key}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"{role_id}","arn":"arn:aws:iam::{ACCOUNT}:role/{role_path}{role}","accountId":"{ACCOUNT}","userName":"{role}"}},"webIdFederationData":{{}},"attributes":{{"creationDate":""#
            ));
            let tail = leak(format!(r#"","mfaAuthenticated":"{mfa}"}}}}}}"#));
            (head, tail)
        };
        let plain = |identity: &'static str, ip, agent| Actor {
            identity,
            session_tail: None,
            ip,
            agent,
        };
        let role = |(identity, tail): (&'static str, &'static str), ip, agent| Actor {
            identity,
            session_tail: Some(tail),
            ip,
            agent,
        };
        vec![
            plain(
                user("alice", "AIDA4Q7XKLM2ALICE0001", "AKIA4Q7XKLM2ALICE001"),
                "203.0.113.7",
                UA_CLI,
            ),
            plain(
                user("bob", "AIDA4Q7XKLM2BOB000002", "AKIA4Q7XKLM2BOB00002"),
                "198.51.100.23",
                UA_TERRAFORM,
            ),
            plain(
                user("deploy", "AIDA4Q7XKLM2DEPLOY003", "AKIA4Q7XKLM2DEPLOY03"),
                "198.51.100.200",
                UA_GO,
            ),
            role(
                session(
                    "aws-reserved/sso.amazonaws.com/",
                    SSO_ADMIN,
                    "AROA4Q7XKLM2SSOADMIN",
                    "carol",
                    "ASIA4Q7XKLM2CAROL004",
                    false,
                ),
                "203.0.113.12",
                UA_BROWSER,
            ),
            role(
                session(
                    "aws-reserved/sso.amazonaws.com/",
                    SSO_READONLY,
                    "AROA4Q7XKLM2SSOREAD0",
                    "dave",
                    "ASIA4Q7XKLM2DAVE0005",
                    false,
                ),
                "198.51.100.61",
                UA_MAC,
            ),
            role(
                session(
                    "",
                    "app-server",
                    "AROA4Q7XKLM2APPSERVR",
                    APP_INSTANCE,
                    "ASIA4Q7XKLM2APPSRV06",
                    false,
                ),
                "10.0.12.34",
                UA_JAVA,
            ),
            role(
                session(
                    "service-role/",
                    "resize-images-role",
                    "AROA4Q7XKLM2RESIZE07",
                    "resize-images",
                    "ASIA4Q7XKLM2RESIZE07",
                    false,
                ),
                "54.160.10.21",
                UA_LAMBDA,
            ),
            plain(
                r#"{"type":"AWSService","invokedBy":"lambda.amazonaws.com"}"#,
                "lambda.amazonaws.com",
                "lambda.amazonaws.com",
            ),
            plain(
                leak(format!(
                    r#"{{"type":"Root","principalId":"{ACCOUNT}","arn":"arn:aws:iam::{ACCOUNT}:root","accountId":"{ACCOUNT}","accessKeyId":""}}"#
                )),
                "203.0.113.7",
                UA_BROWSER,
            ),
            plain(
                user("alice", "AIDA4Q7XKLM2ALICE0001", ""),
                "203.0.113.7",
                UA_BROWSER,
            ),
            plain(
                leak(format!(
                    r#"{{"type":"IAMUser","accountId":"{ACCOUNT}","accessKeyId":"","userName":"HIDDEN_DUE_TO_SECURITY_REASONS"}}"#
                )),
                "192.0.2.66",
                UA_BROWSER,
            ),
        ]
    });
    &cast[who as usize]
}

/// One API call or sign-in, before it is written as a record.
struct Call {
    who: Who,
    source: &'static str,
    name: &'static str,
    /// Instead of the actor's usual address.
    ip: Option<String>,
    error: Option<(&'static str, String)>,
    request: String,
    response: String,
    additional: Option<String>,
    resources: Option<String>,
    read_only: bool,
    sign_in: bool,
    data: bool,
    /// The host of `tlsDetails` (none for console sign-ins and services).
    host: Option<String>,
    console: bool,
}

impl Call {
    fn new(who: Who, source: &'static str, name: &'static str) -> Call {
        Call {
            who,
            source,
            name,
            ip: None,
            error: None,
            request: "null".into(),
            response: "null".into(),
            additional: None,
            resources: None,
            read_only: false,
            sign_in: false,
            data: false,
            host: None,
            console: false,
        }
    }

    fn reading(mut self) -> Call {
        self.read_only = true;
        self
    }

    fn host(mut self, host: String) -> Call {
        self.host = Some(host);
        self
    }
}

const BUCKETS: [&str; 3] = ["acme-reports", "acme-uploads", "acme-exports"];
const NEW_USERS: [&str; 6] = [
    "eve",
    "frank",
    "svc-reporting",
    "contractor-01",
    "backup-admin",
    "grace",
];
const INSTANCES: [&str; 4] = [
    "i-0fedcba9876543210",
    "i-0123456789abcdef0",
    "i-0a9b8c7d6e5f40312",
    "i-04c3b2a1908f7e6d5",
];

fn object_key(rng: &mut Rng) -> String {
    let day = rng.between(1, 28);
    match rng.below(4) {
        0 => format!("reports/2026/03/{day:02}/daily-sales.csv"),
        1 => format!("uploads/{}/photo-{:05}.jpg", rng.hex(8), rng.below(100_000)),
        2 => format!(
            "exports/2026/03/{day:02}/orders-{:05}.csv.gz",
            rng.below(100_000)
        ),
        _ => "reports/2026/03/q1-payroll.csv".to_owned(),
    }
}

fn s3_object(mut call: Call, rng: &mut Rng, region: &str, bucket: &str, put: bool) -> Call {
    let key = object_key(rng);
    let host = format!("{bucket}.s3.{region}.amazonaws.com");
    call.request = format!(r#"{{"bucketName":"{bucket}","Host":"{host}","key":"{key}"}}"#);
    if put {
        call.response = format!(
            r#"{{"x-amz-server-side-encryption":"AES256","x-amz-version-id":"{}"}}"#,
            rng.hex(16)
        );
    }
    let (bytes_in, bytes_out) = if put {
        (rng.between(1_000, 5_000_000), 0)
    } else {
        (0, rng.between(1_000, 5_000_000))
    };
    call.additional = Some(format!(
        r#"{{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":{bytes_in},"AuthenticationMethod":"AuthHeader","x-amz-id-2":"{}","bytesTransferredOut":{bytes_out}}}"#,
        rng.hex(16)
    ));
    call.resources = Some(format!(
        r#"[{{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::{bucket}/{key}"}},{{"accountId":"{ACCOUNT}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::{bucket}"}}]"#
    ));
    call.read_only = !put;
    call.data = true;
    call.host = Some(host);
    call
}

fn sign_in(who: Who, success: bool, mfa: bool) -> Call {
    let mut call = Call::new(who, "signin.amazonaws.com", "ConsoleLogin");
    call.sign_in = true;
    call.response = format!(
        r#"{{"ConsoleLogin":"{}"}}"#,
        if success { "Success" } else { "Failure" }
    );
    call.additional = Some(format!(
        r#"{{"LoginTo":"https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_a1b2c3d4e5f60718","MobileVersion":"No","MFAUsed":"{}"}}"#,
        if mfa { "Yes" } else { "No" }
    ));
    call
}

fn denied_message(who: &str, action: &str, resource: &str) -> String {
    format!(
        "User: {who} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action"
    )
}

fn make_call(kind: Kind, rng: &mut Rng, region: &str) -> Call {
    use Kind::*;
    let iam_host = || "iam.amazonaws.com".to_owned();
    let trail_arn = format!("arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/{TRAIL}");
    match kind {
        AppGetObject => {
            let bucket = BUCKETS[rng.index(BUCKETS.len())];
            let call = Call::new(Who::App, "s3.amazonaws.com", "GetObject");
            s3_object(call, rng, region, bucket, false)
        }
        AppPutObject => {
            let bucket = BUCKETS[rng.index(BUCKETS.len())];
            let call = Call::new(Who::App, "s3.amazonaws.com", "PutObject");
            s3_object(call, rng, region, bucket, true)
        }
        AppGetMissingObject => {
            let mut call = s3_object(
                Call::new(Who::App, "s3.amazonaws.com", "GetObject"),
                rng,
                region,
                "acme-exports",
                false,
            );
            call.error = Some(("NoSuchKey", "The specified key does not exist.".into()));
            call
        }
        LambdaGetObject => s3_object(
            Call::new(Who::Lambda, "s3.amazonaws.com", "GetObject"),
            rng,
            region,
            "acme-uploads",
            false,
        ),
        LambdaDecrypt => {
            let mut call = Call::new(Who::Lambda, "kms.amazonaws.com", "Decrypt").reading();
            call.request = r#"{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"aws:lambda:FunctionArn":"resize-images"}}"#.into();
            call.resources = Some(format!(
                r#"[{{"accountId":"{ACCOUNT}","type":"AWS::KMS::Key","ARN":"arn:aws:kms:{region}:{ACCOUNT}:key/6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b"}}]"#
            ));
            call.host(format!("kms.{region}.amazonaws.com"))
        }
        ServiceAssumeRole => {
            let mut call =
                Call::new(Who::LambdaService, "sts.amazonaws.com", "AssumeRole").reading();
            let role = format!("arn:aws:iam::{ACCOUNT}:role/service-role/resize-images-role");
            call.request = format!(r#"{{"roleArn":"{role}","roleSessionName":"resize-images"}}"#);
            call.response = format!(
                r#"{{"credentials":{{"accessKeyId":"ASIA4Q7XKLM2{}","sessionToken":"IQoJb3JpZ2luX2VjE{}","expiration":"Mar 1, 2026, 11:00:00 PM"}}}}"#,
                rng.hex(8).to_uppercase(),
                rng.hex(16)
            );
            call.resources = Some(format!(
                r#"[{{"accountId":"{ACCOUNT}","type":"AWS::IAM::Role","ARN":"{role}"}}]"#
            ));
            call
        }
        DescribeInstances => {
            let who = if rng.chance(0.7) {
                Who::Deploy
            } else {
                Who::Bob
            };
            let mut call = Call::new(who, "ec2.amazonaws.com", "DescribeInstances").reading();
            call.request = r#"{"instancesSet":{},"filterSet":{}}"#.into();
            call.host(format!("ec2.{region}.amazonaws.com"))
        }
        GetCallerIdentity => {
            let who = [Who::Deploy, Who::Bob, Who::Alice][rng.index(3)];
            Call::new(who, "sts.amazonaws.com", "GetCallerIdentity")
                .reading()
                .host(format!("sts.{region}.amazonaws.com"))
        }
        ListBuckets => {
            let who = [Who::Dave, Who::Bob][rng.index(2)];
            let mut call = Call::new(who, "s3.amazonaws.com", "ListBuckets").reading();
            call.request = format!(r#"{{"Host":"s3.{region}.amazonaws.com"}}"#);
            call.console = matches!(who, Who::Dave);
            call.host(format!("s3.{region}.amazonaws.com"))
        }
        DescribeTrails => {
            let mut call =
                Call::new(Who::Dave, "cloudtrail.amazonaws.com", "DescribeTrails").reading();
            call.request = r#"{"includeShadowTrails":true}"#.into();
            call.console = true;
            call
        }
        ListUsers => {
            let who = [Who::Dave, Who::Alice][rng.index(2)];
            let mut call = Call::new(who, "iam.amazonaws.com", "ListUsers").reading();
            call.console = matches!(who, Who::Dave);
            call.host(iam_host())
        }
        RunInstances => {
            let instance = format!("i-0{}", rng.hex(16));
            let mut call = Call::new(Who::Deploy, "ec2.amazonaws.com", "RunInstances");
            call.request = r#"{"instancesSet":{"items":[{"imageId":"ami-0abcdef1234567890","minCount":1,"maxCount":1}]},"instanceType":"t3.micro","blockDeviceMapping":{},"monitoring":{"enabled":false},"disableApiTermination":false}"#.into();
            call.response = format!(
                r#"{{"requestId":"{}","reservationId":"r-0{}","ownerId":"{ACCOUNT}","groupSet":{{}},"instancesSet":{{"items":[{{"instanceId":"{instance}","imageId":"ami-0abcdef1234567890","instanceState":{{"code":0,"name":"pending"}},"privateIpAddress":"10.0.1.{}","instanceType":"t3.micro"}}]}}}}"#,
                uuid(rng),
                rng.hex(16),
                rng.between(4, 250)
            );
            call.host(format!("ec2.{region}.amazonaws.com"))
        }
        ConsoleLogin => sign_in(Who::AliceSignIn, true, true),
        CreateUser | DeleteUser => {
            let name = NEW_USERS[rng.index(NEW_USERS.len())];
            let create = kind == CreateUser;
            let mut call = Call::new(
                Who::Alice,
                "iam.amazonaws.com",
                if create { "CreateUser" } else { "DeleteUser" },
            );
            call.request = format!(r#"{{"userName":"{name}"}}"#);
            if create {
                call.response = format!(
                    r#"{{"user":{{"path":"/","userName":"{name}","userId":"AIDA4Q7XKLM2{}","arn":"arn:aws:iam::{ACCOUNT}:user/{name}","createDate":"Mar 1, 2026, 9:30:00 AM"}}}}"#,
                    rng.hex(9).to_uppercase()
                );
            }
            call.host(iam_host())
        }
        CreateAccessKey => {
            let name = NEW_USERS[rng.index(NEW_USERS.len())];
            let mut call = Call::new(Who::Alice, "iam.amazonaws.com", "CreateAccessKey");
            call.request = format!(r#"{{"userName":"{name}"}}"#);
            call.response = format!(
                r#"{{"accessKey":{{"userName":"{name}","accessKeyId":"AKIA4Q7XKLM2{}","status":"Active","createDate":"Mar 1, 2026, 9:31:00 AM"}}}}"#,
                rng.hex(8).to_uppercase()
            );
            call.host(iam_host())
        }
        AttachUserPolicy => {
            let mut call = Call::new(Who::Carol, "iam.amazonaws.com", "AttachUserPolicy");
            call.request =
                r#"{"userName":"bob","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}"#
                    .into();
            call.console = true;
            call.host(iam_host())
        }
        CreateUserDenied => {
            let name = NEW_USERS[rng.index(NEW_USERS.len())];
            let mut call = Call::new(Who::Bob, "iam.amazonaws.com", "CreateUser");
            call.request = format!(r#"{{"userName":"{name}"}}"#);
            call.error = Some((
                "AccessDenied",
                denied_message(
                    &format!("arn:aws:iam::{ACCOUNT}:user/bob"),
                    "iam:CreateUser",
                    &format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
                ),
            ));
            call.host(iam_host())
        }
        DeleteBucketDenied => {
            let bucket = "acme-logs";
            let mut call = Call::new(Who::Bob, "s3.amazonaws.com", "DeleteBucket");
            let host = format!("{bucket}.s3.{region}.amazonaws.com");
            call.request = format!(r#"{{"bucketName":"{bucket}","Host":"{host}"}}"#);
            call.error = Some(("AccessDenied", "Access Denied".into()));
            call.resources = Some(format!(
                r#"[{{"accountId":"{ACCOUNT}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::{bucket}"}}]"#
            ));
            call.host(host)
        }
        PutBucketPolicyDenied => {
            let bucket = "acme-reports";
            let mut call = Call::new(Who::Dave, "s3.amazonaws.com", "PutBucketPolicy");
            let host = format!("{bucket}.s3.{region}.amazonaws.com");
            call.request = format!(
                r#"{{"bucketName":"{bucket}","Host":"{host}","policy":"","bucketPolicy":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{bucket}/*"}}]}}}}"#
            );
            call.error = Some(("AccessDenied", "Access Denied".into()));
            call.resources = Some(format!(
                r#"[{{"accountId":"{ACCOUNT}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::{bucket}"}}]"#
            ));
            call.console = true;
            call.host(host)
        }
        ConsoleLoginFailed => {
            let mut call = sign_in(Who::AliceSignIn, false, false);
            call.ip = Some(format!("192.0.2.{}", rng.between(2, 254)));
            call.error_message_only("Failed authentication");
            call
        }
        ConsoleLoginHidden => {
            let mut call = sign_in(Who::Hidden, false, false);
            call.ip = Some(format!("192.0.2.{}", rng.between(2, 254)));
            call.error_message_only("No username found in supplied account");
            call
        }
        RootConsoleLogin => sign_in(Who::Root, true, true),
        StopLogging | StartLogging => {
            let mut call = Call::new(
                Who::Carol,
                "cloudtrail.amazonaws.com",
                if kind == StopLogging {
                    "StopLogging"
                } else {
                    "StartLogging"
                },
            );
            call.request = format!(r#"{{"name":"{trail_arn}"}}"#);
            call.console = true;
            call
        }
        OpenSecurityGroup => {
            let group = format!("sg-0{}", rng.hex(16));
            let mut call = Call::new(
                Who::Bob,
                "ec2.amazonaws.com",
                "AuthorizeSecurityGroupIngress",
            );
            call.request = format!(
                r#"{{"groupId":"{group}","ipPermissions":{{"items":[{{"ipProtocol":"tcp","fromPort":22,"toPort":22,"groups":{{}},"ipRanges":{{"items":[{{"cidrIp":"0.0.0.0/0"}}]}},"ipv6Ranges":{{}},"prefixListIds":{{}}}}]}}}}"#
            );
            call.response = format!(
                r#"{{"requestId":"{}","_return":true,"securityGroupRuleSet":{{"items":[{{"groupOwnerId":"{ACCOUNT}","groupId":"{group}","securityGroupRuleId":"sgr-0{}","isEgress":false,"ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIpv4":"0.0.0.0/0"}}]}}}}"#,
                uuid(rng),
                rng.hex(16)
            );
            call.host(format!("ec2.{region}.amazonaws.com"))
        }
        TerminateInstancesDenied => {
            let instance = INSTANCES[rng.index(INSTANCES.len())];
            let mut call = Call::new(Who::Deploy, "ec2.amazonaws.com", "TerminateInstances");
            call.request =
                format!(r#"{{"instancesSet":{{"items":[{{"instanceId":"{instance}"}}]}}}}"#);
            call.error = Some((
                "Client.UnauthorizedOperation",
                format!(
                    "You are not authorized to perform this operation. {}",
                    denied_message(
                        &format!("arn:aws:iam::{ACCOUNT}:user/deploy"),
                        "ec2:TerminateInstances",
                        &format!("arn:aws:ec2:{region}:{ACCOUNT}:instance/{instance}"),
                    )
                ),
            ));
            call.host(format!("ec2.{region}.amazonaws.com"))
        }
    }
}

impl Call {
    /// A failed console sign-in says why in `errorMessage` alone.
    fn error_message_only(&mut self, message: &str) {
        self.error = Some(("", message.to_owned()));
    }
}

fn uuid(rng: &mut Rng) -> String {
    let (a, b) = (rng.next_u64(), rng.next_u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 50),
        b & 0xffff_ffff_ffff
    )
}

fn s3_request_id(rng: &mut Rng) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut n = rng.next_u64();
    (0..16)
        .map(|_| {
            let c = ALPHABET[(n & 31) as usize] as char;
            n >>= 4;
            c
        })
        .collect()
}

/// Writes one record, in the field order CloudTrail uses.
fn write_record(
    out: &mut String,
    call: &Call,
    region: &str,
    time: DateTime<Utc>,
    event_id: &str,
    rng: &mut Rng,
) {
    let who = actor(call.who);
    out.push_str(r#"{"eventVersion":""#);
    out.push_str(if call.sign_in { "1.09" } else { "1.11" });
    out.push_str(r#"","userIdentity":"#);
    out.push_str(who.identity);
    if let Some(tail) = who.session_tail {
        // The session began five minutes before the hour.
        let began = time - TimeDelta::seconds(time.timestamp().rem_euclid(3600) + 300);
        push_time(out, began);
        out.push_str(tail);
    }
    out.push_str(r#","eventTime":""#);
    push_time(out, time);
    let ip = call.ip.as_deref().unwrap_or(who.ip);
    let agent = if call.console && !call.sign_in {
        UA_CONSOLE
    } else {
        who.agent
    };
    let _ = write!(
        out,
        r#"","eventSource":"{}","eventName":"{}","awsRegion":"{region}","sourceIPAddress":"{ip}","userAgent":"{agent}""#,
        call.source, call.name
    );
    if let Some((code, message)) = &call.error {
        if !code.is_empty() {
            let _ = write!(out, r#","errorCode":"{code}""#);
        }
        let _ = write!(out, r#","errorMessage":"{message}""#);
    }
    let _ = write!(
        out,
        r#","requestParameters":{},"responseElements":{}"#,
        call.request, call.response
    );
    if let Some(additional) = &call.additional {
        let _ = write!(out, r#","additionalEventData":{additional}"#);
    }
    if !call.sign_in {
        let request_id = if call.source == "s3.amazonaws.com" {
            s3_request_id(rng)
        } else {
            uuid(rng)
        };
        let _ = write!(out, r#","requestID":"{request_id}""#);
    }
    let _ = write!(
        out,
        r#","eventID":"{event_id}","readOnly":{}"#,
        call.read_only
    );
    if let Some(resources) = &call.resources {
        let _ = write!(out, r#","resources":{resources}"#);
    }
    let event_type = if call.sign_in {
        "AwsConsoleSignIn"
    } else {
        "AwsApiCall"
    };
    let _ = write!(
        out,
        r#","eventType":"{event_type}","managementEvent":{},"recipientAccountId":"{ACCOUNT}","eventCategory":"{}""#,
        !call.data,
        if call.data { "Data" } else { "Management" }
    );
    if let Some(host) = &call.host {
        let _ = write!(
            out,
            r#","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"{host}"}}"#
        );
    } else if call.sign_in {
        out.push_str(r#","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"signin.aws.amazon.com"}"#);
    }
    if call.console {
        out.push_str(r#","sessionCredentialFromConsole":"true""#);
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};
    use std::io::Read as _;

    use super::*;

    /// Every file under `root`: relative path → bytes.
    fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
        fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(root, &path, out);
                } else {
                    let relative = path.strip_prefix(root).unwrap().to_str().unwrap();
                    out.insert(relative.to_owned(), std::fs::read(&path).unwrap());
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(root, root, &mut out);
        out
    }

    fn gunzip(gz: &[u8]) -> Vec<u8> {
        let mut decoder = flate2::read::GzDecoder::new(gz);
        let mut out = Vec::new();
        decoder.read_to_end(&mut out).unwrap();
        out
    }

    fn plan() -> TrailPlan {
        TrailPlan {
            regions: vec!["us-east-1".into(), "eu-west-1".into()],
            hours: 5,
            logs_per_hour: 3,
            records_per_log: 40,
            rotate_at: 2,
            ..TrailPlan::default()
        }
    }

    fn built(plan: &TrailPlan) -> (tempfile::TempDir, BuiltTrail) {
        let dir = tempfile::tempdir().unwrap();
        let built = build_trail(dir.path(), plan).unwrap();
        (dir, built)
    }

    fn is_log(path: &str) -> bool {
        path.contains("/CloudTrail/")
    }

    /// Every record of every log file, with its file.
    fn records(all: &BTreeMap<String, Vec<u8>>) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        for (path, gz) in all.iter().filter(|(p, _)| is_log(p)) {
            let file: Value = serde_json::from_slice(&gunzip(gz)).unwrap();
            let object = file.as_object().unwrap();
            assert_eq!(object.len(), 1, "{path}: only Records");
            for record in file["Records"].as_array().unwrap() {
                out.push((path.clone(), record.clone()));
            }
        }
        out
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes_and_another_seed_other_records() {
        let plan = plan();
        let (a, built) = built(&plan);
        let (b, _) = self::built(&plan);
        let hashes = |root: &Path| -> BTreeMap<String, String> {
            files(root)
                .into_iter()
                .map(|(path, bytes)| (path, to_hex(&sha256(&bytes))))
                .collect()
        };
        let first = hashes(a.path());
        assert_eq!(first, hashes(b.path()));
        // 2 keys files, 30 log files, 10 digests and as many head-object files.
        assert_eq!(first.len(), 2 + 30 + 10 + 10);
        assert_eq!(
            (
                built.log_files,
                built.digests,
                built.head_objects,
                built.records
            ),
            (30, 10, 10, 1200)
        );
        let on_disk: u64 = files(a.path()).values().map(|b| b.len() as u64).sum();
        assert_eq!(built.bytes, on_disk);

        let (c, _) = self::built(&TrailPlan { seed: 2, ..plan });
        let other = hashes(c.path());
        let differ = first
            .iter()
            .filter(|(path, hash)| is_log(path) && other.get(*path) != Some(*hash))
            .count();
        assert_eq!(differ, 30, "every log file differs (by name or bytes)");
    }

    #[test]
    fn log_files_are_records_with_unique_event_ids_in_their_region_and_hour() {
        let plan = plan();
        let (dir, built) = built(&plan);
        let all = files(dir.path());
        let records = records(&all);
        assert_eq!(records.len() as u64, built.records);
        let mut ids = HashSet::new();
        for (path, record) in &records {
            let region = path.split('/').nth(3).unwrap();
            assert_eq!(record["awsRegion"], region, "{path}");
            if region != "us-east-1" {
                let source = record["eventSource"].as_str().unwrap();
                assert!(!matches!(
                    source,
                    "iam.amazonaws.com" | "signin.amazonaws.com"
                ));
            }
            assert_eq!(record["recipientAccountId"], ACCOUNT);
            for field in ["eventTime", "eventSource", "eventName", "eventType"] {
                assert!(record[field].is_string(), "{field} in {record}");
            }
            assert!(record["userIdentity"]["type"].is_string(), "{record}");
            assert!(
                ids.insert(record["eventID"].as_str().unwrap().to_owned()),
                "{record}"
            );
        }
        // Each record lies within the five minutes before its file's delivery.
        let chain = built.region("eu-west-1").unwrap();
        for (i, path) in chain.logs.iter().enumerate() {
            let delivered = log_time(3, i / 3, i % 3);
            let file: Value = serde_json::from_slice(&gunzip(&all[path])).unwrap();
            for record in file["Records"].as_array().unwrap() {
                let time = DateTime::parse_from_rfc3339(record["eventTime"].as_str().unwrap())
                    .unwrap()
                    .with_timezone(&Utc);
                assert!(time < delivered && time > delivered - TimeDelta::minutes(6));
            }
        }
    }

    #[test]
    fn digests_chain_list_their_log_files_and_head_objects_carry_their_signatures() {
        let plan = plan();
        let (dir, built) = built(&plan);
        let all = files(dir.path());
        let keys = trail_keys(plan.key_seed);
        for chain in &built.regions {
            assert_eq!(chain.digests.len(), 5);
            let mut previous: Option<(&BuiltDigest, Vec<u8>)> = None;
            for digest in &chain.digests {
                let inflated = gunzip(&all[&digest.path]);
                let json: Value = serde_json::from_slice(&inflated).unwrap();
                assert_eq!(json["digestS3Object"], digest.path.as_str());
                assert!(
                    digest.path.contains(&format!(
                        "_CloudTrail-Digest_{}_{TRAIL}_us-east-1_",
                        chain.region
                    )),
                    "the home region is the first: {}",
                    digest.path
                );
                let head: Value =
                    serde_json::from_slice(&all[&head_object_path(&digest.path)]).unwrap();
                let signature = head["Metadata"]["signature"].as_str().unwrap();
                assert_eq!(signature, to_hex(&digest.signature));
                match &previous {
                    None => {
                        for field in ["previousDigestSignature", "previousDigestS3Object"] {
                            assert!(json[field].is_null(), "{field}");
                        }
                    }
                    Some((before, before_inflated)) => {
                        let before_head: Value =
                            serde_json::from_slice(&all[&head_object_path(&before.path)]).unwrap();
                        assert_eq!(
                            json["previousDigestSignature"],
                            before_head["Metadata"]["signature"]
                        );
                        assert_eq!(json["previousDigestS3Object"], before.path.as_str());
                        assert_eq!(
                            json["previousDigestHashValue"],
                            to_hex(&sha256(before_inflated))
                        );
                        assert_eq!(json["digestStartTime"], {
                            let before: Value = serde_json::from_slice(before_inflated).unwrap();
                            before["digestEndTime"].clone()
                        });
                    }
                }
                // The string to sign, rebuilt here, verifies under the hour's key.
                let expected = format!(
                    "{}\n{BUCKET}/{}\n{}\n{}",
                    json["digestEndTime"].as_str().unwrap(),
                    digest.path,
                    to_hex(&sha256(&inflated)),
                    json["previousDigestSignature"].as_str().unwrap_or("null")
                );
                assert_eq!(digest.to_sign, expected);
                let key = if digest.hour < plan.rotate_at {
                    &keys.first
                } else {
                    &keys.second
                };
                let scheme = rsa::Pkcs1v15Sign::new::<Sha256>();
                key.to_public_key()
                    .verify(
                        scheme,
                        &Sha256::digest(expected.as_bytes()),
                        &digest.signature,
                    )
                    .unwrap();
                assert_eq!(
                    json["digestPublicKeyFingerprint"],
                    fingerprint(&if digest.hour < plan.rotate_at {
                        pkcs1_der(&keys.first)
                    } else {
                        spki_der(&keys.second)
                    })
                );
                // Every log file of the hour is listed with the hash of its inflated bytes.
                let listed = json["logFiles"].as_array().unwrap();
                assert_eq!(listed.len(), 3);
                for (entry, log) in listed.iter().zip(&digest.logs) {
                    assert_eq!(entry["s3Object"], log.as_str());
                    assert_eq!(entry["hashValue"], to_hex(&sha256(&gunzip(&all[log]))));
                }
                previous = Some((digest, inflated));
            }
        }
    }

    #[test]
    fn the_plans_tamperings_and_head_objects_shape_the_folder() {
        let plan = TrailPlan {
            hours: 8,
            restart_at: Some(5),
            attacker_from: Some(6),
            head_objects: HeadObjects::AllButNewest,
            edit: Some(Arc::new(|region: &str, h: usize, digest: &mut Value| {
                if region == "eu-west-1" && h == 1 {
                    digest["awsAccountId"] = "999999999999".into();
                }
            })),
            ..plan()
        };
        let (dir, built) = built(&plan);
        let all = files(dir.path());
        for chain in &built.regions {
            let hours: Vec<usize> = chain.digests.iter().map(|d| d.hour).collect();
            assert_eq!(hours, [0, 1, 2, 5, 6, 7]);
            let restart: Value =
                serde_json::from_slice(&gunzip(&all[&chain.digest(5).unwrap().path])).unwrap();
            assert!(restart["previousDigestSignature"].is_null());
            let newest = &chain.digest(7).unwrap().path;
            assert!(!all.contains_key(&head_object_path(newest)));
            assert!(all.contains_key(&head_object_path(&chain.digest(6).unwrap().path)));
        }
        assert_eq!(built.head_objects, 10);
        let keys: Value = serde_json::from_slice(&all["public-keys/eu-west-1.json"]).unwrap();
        let attacker = fingerprint(&pkcs1_der(&trail_keys(plan.key_seed).attacker));
        assert_eq!(keys["PublicKeyList"][2]["Fingerprint"], attacker.as_str());
        assert!(!trusted_keys_json(&plan).contains(&attacker));
        let edited = &built.region("eu-west-1").unwrap().digest(1).unwrap().path;
        let edited: Value = serde_json::from_slice(&gunzip(&all[edited])).unwrap();
        assert_eq!(edited["awsAccountId"], "999999999999");

        for (regions, needle) in [
            (vec![], "at least one region"),
            (vec!["us-east-1".into(), "us-east-1".into()], "twice"),
            (vec!["../etc".into()], "no AWS region"),
        ] {
            let error = build_trail(
                dir.path(),
                &TrailPlan {
                    regions,
                    ..plan.clone()
                },
            )
            .unwrap_err()
            .to_string();
            assert!(error.contains(needle), "{error}");
        }
    }

    /// The producer and the verifier agree: the generated trail verifies, every digest
    /// under the trusted keys, and its records read as varied plain sentences.
    #[test]
    fn the_verifier_accepts_the_trail_and_its_records_tell_a_varied_story() {
        use crate::source::cloudtrail::{DirFolder, KeyOrigin, KeyRing, TrailLimits, verify_trail};
        let plan = TrailPlan {
            hours: 8,
            logs_per_hour: 4,
            ..plan()
        };
        let (dir, built) = built(&plan);
        let mut trusted = KeyRing::new();
        let problems = trusted
            .add_listed(
                trusted_keys_json(&plan).as_bytes(),
                &KeyOrigin::Trusted("trusted.json".into()),
            )
            .unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        let report = verify_trail(
            &DirFolder::new(dir.path()),
            &trusted,
            &TrailLimits::default(),
        )
        .unwrap();
        assert_eq!(report.all_findings().count(), 0, "{:#?}", report.chains);
        let ids: Vec<&str> = report.chains.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "123456789012/eu-west-1/main-trail@us-east-1",
                "123456789012/us-east-1/main-trail"
            ]
        );
        for chain in &report.chains {
            assert_eq!((chain.digests, chain.digests_trusted), (8, 8));
            assert_eq!(chain.log_files_verified, 32);
        }
        assert_eq!(built.records, 2 * 8 * 4 * 40);

        let all = files(dir.path());
        let mut seen = BTreeMap::<&str, HashSet<String>>::new();
        let mut sentences = HashSet::new();
        for (_, record) in records(&all) {
            let event = crate::source::cloudtrail::record::normalize(&record).unwrap();
            for field in ["category", "outcome"] {
                seen.entry(field)
                    .or_default()
                    .insert(event[field].as_str().unwrap().to_owned());
            }
            seen.entry("actor type")
                .or_default()
                .insert(record["userIdentity"]["type"].as_str().unwrap().to_owned());
            seen.entry("action")
                .or_default()
                .insert(event["action"].as_str().unwrap().to_owned());
            sentences.insert(crate::query::sentence::sentence(&event));
        }
        let has = |field: &str, values: &[&str]| {
            for value in values {
                assert!(
                    seen[field].contains(*value),
                    "{field} {value}: {:?}",
                    seen[field]
                );
            }
        };
        has(
            "category",
            &["auth", "access", "admin", "permission", "record"],
        );
        has("outcome", &["success", "denied", "failure"]);
        has(
            "actor type",
            &["IAMUser", "AssumedRole", "Root", "AWSService"],
        );
        has(
            "action",
            &[
                "iam.CreateUser",
                "iam.AttachUserPolicy",
                "signin.ConsoleLogin",
                "cloudtrail.StopLogging",
                "s3.GetObject",
                "s3.PutObject",
                "s3.DeleteBucket",
                "ec2.AuthorizeSecurityGroupIngress",
            ],
        );
        assert!(sentences.len() > 100, "{} sentences", sentences.len());
    }
}
