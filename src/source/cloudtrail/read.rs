//! A CloudTrail evidence folder as a source: the trail verified (`verify`), and every
//! record of every log file handed to the sink as it arrived, with where it lies (log
//! file, record number, byte offset in the inflated file) and its normalized event
//! (`record`). The verifier's facts become the one report shape: per digest chain its
//! verdict and five dimensions, every finding located in its file.
//!
//! Records repeat: CloudTrail may deliver one event twice. A repeat identical to the
//! first (same `eventID`, same bytes) is one event and a `duplicate_record` notice; a
//! repeat that differs is kept beside the first, with the same finding saying so —
//! never silently collapsed.

use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;
use std::path::Path;

use rayon::prelude::*;
use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use super::format_time;
use super::keys::{KeyOrigin, KeyRing};
use super::layout::{DirFolder, Entry, classify};
use super::record::normalize;
use super::verify::{
    ChainResult, ChainTrust, LogFileBytes, LogFileStatus, TrailLimits, TrailReport,
    verify_trail_reading_until,
};
use crate::bundle::{Container, LineSpan, Provenance};
use crate::canonical::{self, to_hex};
use crate::source::SourceKind;
use crate::verify::{
    BundleInfo, ChainReport, Dimension, DimensionStatus, EventFields, Finding, FindingKind,
    LineCheck, LineSink, Report, SeenLine, SignatureReport, SignatureStatus, Verdict,
    VerifyOptions, chain_verdict, group,
};
use crate::{Error, Result};

/// Whether `path` is a CloudTrail evidence folder: a directory with `AWSLogs/` in it.
pub fn is_trail_folder(path: &Path) -> bool {
    path.is_dir() && path.join("AWSLogs").is_dir()
}

/// The compressed size of the folder's log files, for progress.
pub fn log_bytes_total(root: &Path) -> Option<u64> {
    use super::layout::Folder as _;
    let listing = DirFolder::new(root).list().ok()?;
    Some(
        listing
            .files
            .iter()
            .filter(|path| matches!(classify(path), Entry::LogFile(_)))
            .filter_map(|path| std::fs::metadata(root.join(path)).ok())
            .map(|m| m.len())
            .sum(),
    )
}

/// The keys the reviewer trusts for CloudTrail (list-public-keys files given as
/// trusted keys). A trusted file with a key that cannot be read is refused.
fn trusted_ring(options: &VerifyOptions) -> Result<KeyRing> {
    let mut ring = KeyRing::new();
    for (path, text) in options.trusted_keys.aws_key_lists() {
        let problems = ring
            .add_listed(
                text.as_bytes(),
                &KeyOrigin::Trusted(path.display().to_string()),
            )
            .map_err(|e| Error::TrustedKeys {
                path: path.clone(),
                line: 1,
                reason: e.to_string(),
            })?;
        if let Some(problem) = problems.first() {
            return Err(Error::TrustedKeys {
                path: path.clone(),
                line: 1,
                reason: problem.clone(),
            });
        }
    }
    Ok(ring)
}

/// Verifies the trail in `root` and hands every record to `sink`.
pub fn read_trail(root: &Path, options: &VerifyOptions, sink: &mut dyn LineSink) -> Result<Report> {
    let trusted = trusted_ring(options)?;
    let folder = DirFolder::new(root);
    let limits = TrailLimits {
        // A log file's inflated JSON is held while its records are read.
        max_log_bytes: TrailLimits::default().max_log_bytes,
        ..TrailLimits::default()
    };
    let mut reader = Records {
        sink,
        root,
        seen: HashMap::new(),
        findings: Vec::new(),
        tallies: BTreeMap::new(),
        records: 0,
        malformed: 0,
        bytes_read: 0,
        files: Vec::new(),
        failed: None,
    };
    let trail = verify_trail_reading_until(&folder, &trusted, &limits, &mut |log| match reader
        .file(&log)
    {
        Ok(()) => ControlFlow::Continue(()),
        Err(error) => {
            reader.failed = Some(error);
            ControlFlow::Break(())
        }
    })?;
    if let Some(error) = reader.failed.take() {
        return Err(error);
    }
    Ok(reader.report(root, &trail))
}

/// What the records of one chain (or of the log files no digest lists) held.
#[derive(Debug, Default)]
struct Tally {
    events: u64,
    first_ts: Option<(i64, String)>,
    last_ts: Option<(i64, String)>,
}

impl Tally {
    fn add(&mut self, ts: Option<i64>, text: Option<&str>) {
        self.events += 1;
        let (Some(ts), Some(text)) = (ts, text) else {
            return;
        };
        if self.first_ts.as_ref().is_none_or(|(t, _)| ts < *t) {
            self.first_ts = Some((ts, text.to_owned()));
        }
        if self.last_ts.as_ref().is_none_or(|(t, _)| ts > *t) {
            self.last_ts = Some((ts, text.to_owned()));
        }
    }

    fn merge(&mut self, other: Tally) {
        self.events += other.events;
        if let Some(first) = other.first_ts
            && self.first_ts.as_ref().is_none_or(|(t, _)| first.0 < *t)
        {
            self.first_ts = Some(first);
        }
        if let Some(last) = other.last_ts
            && self.last_ts.as_ref().is_none_or(|(t, _)| last.0 > *t)
        {
            self.last_ts = Some(last);
        }
    }
}

/// The record reader, fed one log file at a time by the verifier.
struct Records<'s, 'r> {
    sink: &'s mut dyn LineSink,
    root: &'r Path,
    /// eventID → the record's bytes, both as the first 8 bytes of their SHA-256: about
    /// 40 bytes a record, so two million records stay near 80 MB.
    seen: HashMap<u64, u64>,
    findings: Vec<Finding>,
    /// Per chain id, or per "account/region" for log files no digest lists.
    tallies: BTreeMap<String, Tally>,
    records: u64,
    malformed: u64,
    bytes_read: u64,
    /// Each log file read: path, SHA-256 of its inflated bytes, inflated size.
    files: Vec<(String, String, u64)>,
    failed: Option<Error>,
}

/// A log file's JSON: its records, each kept as the bytes it arrived as.
#[derive(Deserialize)]
struct LogFile<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<&'a RawValue>,
}

/// One record, read and normalized (on any core) before it goes to the sink in order.
struct Prepared {
    offset: usize,
    len: usize,
    event: std::result::Result<(Vec<u8>, EventFields, Option<String>), String>,
    /// First 8 bytes of the SHA-256 of the eventID, and of the record's bytes.
    id_key: Option<u64>,
    raw_key: u64,
}

fn key64(bytes: &[u8]) -> u64 {
    let digest = Sha256::digest(bytes);
    u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
}

fn prepare(raw: &RawValue, base: usize) -> Prepared {
    let text = raw.get();
    let offset = text.as_ptr() as usize - base;
    let parsed: std::result::Result<serde_json::Value, String> =
        serde_json::from_str(text).map_err(|e| format!("the record is not JSON: {e}"));
    let id = parsed
        .as_ref()
        .ok()
        .and_then(|record| record.get("eventID"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned);
    let event = parsed
        .and_then(|record| normalize(&record))
        .and_then(|event| {
            let bytes = serde_json::to_vec(&event).map_err(|e| e.to_string())?;
            let fields = canonical::parse(&bytes)
                .map(|json| EventFields::of(&json))
                .map_err(|e| e.to_string())?;
            Ok((bytes, fields, event["ts"].as_str().map(str::to_owned)))
        });
    Prepared {
        offset,
        len: text.len(),
        event,
        id_key: id.as_deref().map(|id| key64(id.as_bytes())),
        raw_key: key64(text.as_bytes()),
    }
}

impl Records<'_, '_> {
    fn file(&mut self, log: &LogFileBytes<'_>) -> Result<()> {
        self.files.push((
            log.path.to_owned(),
            to_hex(log.sha256),
            log.inflated.len() as u64,
        ));
        let tally_key = match log.chain {
            Some(chain) => chain.to_owned(),
            None => unlisted_key(log.path),
        };
        // A record is vouched for when its file matches a digest whose signature holds.
        let vouched = matches!(log.status, LogFileStatus::Verified { .. });
        match serde_json::from_slice::<LogFile<'_>>(log.inflated) {
            Ok(file) => {
                let base = log.inflated.as_ptr() as usize;
                let prepared: Vec<Prepared> = file
                    .records
                    .par_iter()
                    .map(|raw| prepare(raw, base))
                    .collect();
                for (index, record) in prepared.into_iter().enumerate() {
                    self.record(log, index as u64 + 1, record, vouched, &tally_key)?;
                }
            }
            Err(error) => {
                // Not `{"Records": [...]}`: the file is kept whole as one malformed record.
                let reason =
                    format!("the log file is not CloudTrail's {{\"Records\": [...]}}: {error}");
                self.malformed(log.path, 1, 0, log.inflated, reason)?;
            }
        }
        self.bytes_read += std::fs::metadata(self.root.join(log.path)).map_or(0, |m| m.len());
        self.sink.progress(self.bytes_read)
    }

    fn record(
        &mut self,
        log: &LogFileBytes<'_>,
        number: u64,
        record: Prepared,
        vouched: bool,
        tally_key: &str,
    ) -> Result<()> {
        let raw = &log.inflated[record.offset..record.offset + record.len];
        let (normalized, fields, ts_text) = match record.event {
            Ok(event) => event,
            Err(reason) => {
                return self.malformed(log.path, number, record.offset as u64, raw, reason);
            }
        };
        let mut n_findings = 0;
        if let Some(id_key) = record.id_key {
            match self.seen.insert(id_key, record.raw_key) {
                Some(first) if first == record.raw_key => {
                    self.findings.push(
                        Finding::new(FindingKind::DuplicateRecord)
                            .at(log.path, number, record.offset as u64)
                            .detail(format!(
                                "eventID {} was delivered before with the same content; it is counted once",
                                fields.id.as_deref().unwrap_or("?")
                            )),
                    );
                    return Ok(());
                }
                Some(_) => {
                    n_findings = 1;
                    self.findings.push(
                        Finding::new(FindingKind::DuplicateRecord)
                            .at(log.path, number, record.offset as u64)
                            .detail(format!(
                                "eventID {} was delivered before with different content; both are kept",
                                fields.id.as_deref().unwrap_or("?")
                            )),
                    );
                }
                None => {}
            }
        }
        self.records += 1;
        self.tallies
            .entry(tally_key.to_owned())
            .or_default()
            .add(fields.ts_millis, ts_text.as_deref());
        let span = LineSpan {
            line_no: number,
            offset: record.offset as u64,
            start: 0,
            end: raw.len(),
            too_long: None,
        };
        self.sink.line(SeenLine {
            file: log.path,
            span: &span,
            raw,
            check: &LineCheck::Unchained { vouched },
            fields: Some(fields),
            normalized: Some(&normalized),
            n_breaking_findings: 0,
            n_findings,
        })
    }

    fn malformed(
        &mut self,
        file: &str,
        number: u64,
        offset: u64,
        raw: &[u8],
        reason: String,
    ) -> Result<()> {
        self.records += 1;
        self.malformed += 1;
        self.findings.push(
            Finding::new(FindingKind::MalformedRecord)
                .at(file, number, offset)
                .detail(format!("record {}: {reason}", group(number))),
        );
        let span = LineSpan {
            line_no: number,
            offset,
            start: 0,
            end: raw.len(),
            too_long: None,
        };
        self.sink.line(SeenLine {
            file,
            span: &span,
            raw,
            check: &LineCheck::Malformed {
                reason,
                chain: None,
                seq: None,
                link: None,
            },
            fields: None,
            normalized: None,
            n_breaking_findings: 0,
            n_findings: 1,
        })
    }

    fn report(mut self, root: &Path, trail: &TrailReport) -> Report {
        // Records of log files no digest lists (delivered at the edges of the digests'
        // hours, or unreferenced) count with their region's chain: each is shown
        // unproven, and an unreferenced file is a finding of its own. They do not
        // weaken what the digests prove of the hours they cover.
        let mut chains: Vec<ChainReport> = Vec::new();
        for chain in &trail.chains {
            let mut tally = self.tallies.remove(&chain.id).unwrap_or_default();
            if !chain.key.backfill
                && let Some(unlisted) = self.tallies.remove(&region_of(chain))
            {
                tally.merge(unlisted);
            }
            chains.push(chain_report(chain, &tally));
        }
        // A region with no digest at all: nothing proves its records.
        for (id, tally) in std::mem::take(&mut self.tallies) {
            chains.push(unlisted_report(&id, &tally, trail.digest_files == 0));
        }
        let mut findings: Vec<Finding> = trail.all_findings().cloned().collect();
        findings.append(&mut self.findings);
        let all_trusted =
            !trail.chains.is_empty() && trail.chains.iter().all(|c| c.trust == ChainTrust::Trusted);
        let any_invalid = trail
            .all_findings()
            .any(|f| f.kind == FindingKind::DigestSignatureInvalid);
        let mut files = self.files;
        files.sort();
        Report {
            bundle: BundleInfo {
                path: root.display().to_string(),
                container: Container::Directory,
                source: SourceKind::CloudTrail,
                mapping: None,
                mapping_sha256: None,
                has_manifest: trail.digest_files > 0,
                provenance: Provenance {
                    producer: Some("AWS CloudTrail".into()),
                    scope: Some(
                        trail
                            .chains
                            .iter()
                            .map(|c| c.id.clone())
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                    .filter(|s| !s.is_empty()),
                    ..Provenance::default()
                },
                lines: self.records,
                malformed_lines: self.malformed,
                files,
                manifest_sha256: None,
            },
            chains,
            signature: SignatureReport {
                status: if any_invalid {
                    SignatureStatus::Invalid
                } else if all_trusted {
                    SignatureStatus::Trusted
                } else if trail.digest_files > 0 {
                    SignatureStatus::Untrusted
                } else {
                    SignatureStatus::Absent
                },
                key_id: all_trusted.then(|| "AWS CloudTrail".to_owned()),
            },
            findings,
            findings_not_listed: trail.findings_not_listed.clone(),
        }
    }
}

/// Where the records of a log file no digest lists are counted until the chains are
/// known: `[org/]account/region`.
fn unlisted_key(path: &str) -> String {
    match classify(path) {
        Entry::LogFile(key) => match key.org {
            Some(org) => format!("{org}/{}/{}", key.account, key.region),
            None => format!("{}/{}", key.account, key.region),
        },
        _ => "(not in a region's folder)".to_owned(),
    }
}

/// The `[org/]account/region` of a chain, to match `unlisted_key`.
fn region_of(chain: &ChainResult) -> String {
    match &chain.key.org {
        Some(org) => format!("{org}/{}/{}", chain.key.account, chain.key.source_region),
        None => format!("{}/{}", chain.key.account, chain.key.source_region),
    }
}

fn dimension(status: DimensionStatus, detail: impl Into<String>) -> Dimension {
    Dimension {
        status,
        detail: detail.into(),
    }
}

fn hours(n: u64) -> String {
    format!("{} {}", group(n), if n == 1 { "hour" } else { "hours" })
}

/// One digest chain in the report's shape: integrity is the log files matching their
/// digests; linkage the digests' signatures chaining one to the next; completeness the
/// hours no digest covers; authenticity whose keys signed; coverage the hours covered.
fn chain_report(chain: &ChainResult, tally: &Tally) -> ChainReport {
    let breaks = |kinds: &[FindingKind]| {
        chain
            .findings
            .iter()
            .filter(|f| kinds.contains(&f.kind))
            .count()
    };
    let file_breaks = breaks(&[
        FindingKind::LogFileHashMismatch,
        FindingKind::LogFileMissing,
        FindingKind::GzipTrailingData,
    ]);
    let integrity = if file_breaks > 0 {
        dimension(
            DimensionStatus::Failed,
            format!(
                "broken: {} of {} log files listed by its digests are missing or differ from the hash their digest records",
                group(file_breaks as u64),
                group(chain.log_files_listed as u64)
            ),
        )
    } else if chain.log_files_verified == chain.log_files_listed && chain.log_files_listed > 0 {
        dimension(
            DimensionStatus::Proven,
            format!(
                "proven: all {} log files match the SHA-256 their digest files record",
                group(chain.log_files_verified as u64)
            ),
        )
    } else {
        dimension(
            DimensionStatus::Unproven,
            format!(
                "{} of {} log files match a digest whose signature could be checked",
                group(chain.log_files_verified as u64),
                group(chain.log_files_listed as u64)
            ),
        )
    };
    let link_breaks = breaks(&[
        FindingKind::DigestSignatureInvalid,
        FindingKind::DigestHashMismatch,
        FindingKind::DigestMissing,
        FindingKind::DigestMoved,
    ]);
    let linkage = if link_breaks > 0 {
        dimension(
            DimensionStatus::Failed,
            format!(
                "broken: {} of its {} digest files fail their signature, their link to the one before, or are missing",
                group(link_breaks as u64),
                group(chain.digests as u64)
            ),
        )
    } else if chain.digests_unchecked > 0 {
        dimension(
            DimensionStatus::Unproven,
            format!(
                "{} of {} digest files verified and linked; {} could not be checked (no signature or no key in the folder)",
                group(chain.digests_verified as u64),
                group(chain.digests as u64),
                group(chain.digests_unchecked as u64)
            ),
        )
    } else {
        dimension(
            DimensionStatus::Proven,
            format!(
                "proven: all {} digest files are signed and each links to the one before it",
                group(chain.digests as u64)
            ),
        )
    };
    let completeness = if chain.gaps.is_empty() {
        dimension(
            DimensionStatus::Proven,
            "proven: every hour from the first digest to the last is covered; no log file is missing",
        )
    } else {
        let missing: u64 = chain.gaps.iter().map(|g| g.hours).sum();
        let spans: Vec<String> = chain
            .gaps
            .iter()
            .map(|g| {
                format!(
                    "{} to {}{}",
                    format_time(g.start),
                    format_time(g.end),
                    if g.restart {
                        " (the chain restarts: validation was off)"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        dimension(
            DimensionStatus::Failed,
            format!(
                "broken: {} no verified digest covers: {}",
                hours(missing),
                spans.join("; ")
            ),
        )
    };
    let authenticity = match chain.trust {
        ChainTrust::Trusted => dimension(
            DimensionStatus::Proven,
            "proven: every digest file is signed by an AWS key you trust",
        ),
        ChainTrust::FolderKeys => dimension(
            DimensionStatus::Unproven,
            "the digests are signed by keys that came with the folder, not keys you trust: whoever made the folder could have made them (add the region's `aws cloudtrail list-public-keys` output to your trusted keys)",
        ),
        ChainTrust::Incomplete => {
            let unvouched: Vec<String> = chain
                .unvouched
                .iter()
                .map(|(from, to)| format!("{} to {}", format_time(*from), format_time(*to)))
                .collect();
            let detail = if unvouched.is_empty() {
                "not every digest file's signature holds".to_owned()
            } else {
                format!(
                    "nothing vouches for {}: the signature of the digest covering it is not in the folder (collect its head-object file)",
                    unvouched.join("; ")
                )
            };
            dimension(DimensionStatus::Unproven, detail)
        }
    };
    let coverage = match (chain.first_covered, chain.last_covered) {
        (Some(from), Some(to)) => dimension(
            DimensionStatus::Proven,
            format!(
                "{} covered by {} digest files, {} to {}",
                hours(chain.hours_covered),
                group(chain.digests as u64),
                format_time(from),
                format_time(to)
            ),
        ),
        _ => dimension(DimensionStatus::Unproven, "no digest file could be read"),
    };
    let broken = chain
        .findings
        .iter()
        .any(|f| f.severity() == crate::verify::Severity::Break);
    ChainReport {
        id: chain.id.clone(),
        verdict: chain_verdict(broken, true, chain.trust == ChainTrust::Trusted),
        events: tally.events,
        omitted: 0,
        first_seq: u64::from(tally.events > 0),
        last_seq: tally.events,
        head_hash: String::new(),
        start_prev_hash: None,
        first_ts: tally.first_ts.as_ref().map(|t| t.1.clone()),
        last_ts: tally.last_ts.as_ref().map(|t| t.1.clone()),
        integrity,
        linkage,
        completeness,
        authenticity,
        coverage,
    }
}

/// Log files no digest in the folder lists: shown, proven by nothing.
fn unlisted_report(region: &str, tally: &Tally, no_digests_at_all: bool) -> ChainReport {
    let why = if no_digests_at_all {
        "not provable: the folder holds no digest files (only CloudTrail/ was copied); collect CloudTrail-Digest/ and the digests' signatures with scripts/collect-cloudtrail.sh"
    } else {
        "not provable: the folder holds no digest file of this region; collect its CloudTrail-Digest/ folder and the digests' signatures with scripts/collect-cloudtrail.sh"
    };
    let id = format!("{region} (no digests)");
    let span = match (&tally.first_ts, &tally.last_ts) {
        (Some((_, from)), Some((_, to))) => format!("events from {from} to {to}"),
        _ => "no readable event times".to_owned(),
    };
    ChainReport {
        id,
        verdict: Verdict::Unverifiable,
        events: tally.events,
        omitted: 0,
        first_seq: u64::from(tally.events > 0),
        last_seq: tally.events,
        head_hash: String::new(),
        start_prev_hash: None,
        first_ts: tally.first_ts.as_ref().map(|t| t.1.clone()),
        last_ts: tally.last_ts.as_ref().map(|t| t.1.clone()),
        integrity: dimension(DimensionStatus::Unproven, why),
        linkage: dimension(DimensionStatus::Unproven, why),
        completeness: dimension(DimensionStatus::Unproven, why),
        authenticity: dimension(DimensionStatus::Unproven, why),
        coverage: dimension(DimensionStatus::Unproven, format!("measured: {span}")),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::verify::testkit::{self, Plan};
    use super::*;
    use crate::verify::TrustedKeys;

    /// Keeps what a case import would: each record's file, number, vouching and event.
    #[derive(Default)]
    struct Kept {
        records: Vec<(String, u64, bool, Option<serde_json::Value>)>,
        raw: Vec<Vec<u8>>,
    }

    impl LineSink for Kept {
        fn wants_fields(&self) -> bool {
            true
        }
        fn line(&mut self, line: SeenLine<'_>) -> Result<()> {
            let vouched = matches!(line.check, LineCheck::Unchained { vouched: true });
            let event = line
                .normalized
                .map(|bytes| serde_json::from_slice(bytes).unwrap());
            self.records
                .push((line.file.to_owned(), line.span.line_no, vouched, event));
            self.raw.push(line.raw.to_vec());
            Ok(())
        }
    }

    fn options(trusted_json: Option<String>) -> VerifyOptions {
        let mut options = VerifyOptions::default();
        if let Some(json) = trusted_json {
            options.trusted_keys = TrustedKeys::parse(&json, Path::new("trusted.json")).unwrap();
        }
        options
    }

    fn read(root: &Path, plan: &Plan, trusted: bool) -> (Report, Kept) {
        let trusted = trusted.then(|| testkit::real_keys_json(plan));
        let mut kept = Kept::default();
        let report = read_trail(root, &options(trusted), &mut kept).unwrap();
        (report, kept)
    }

    fn built(plan: &Plan) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        testkit::build(dir.path(), plan);
        dir
    }

    #[test]
    fn a_clean_trail_under_trusted_keys_is_verified_with_every_record_vouched() {
        let plan = Plan::default();
        let dir = built(&plan);
        assert!(is_trail_folder(dir.path()));
        let (report, kept) = read(dir.path(), &plan, true);
        assert_eq!(report.verdict(), Verdict::Verified, "{}", report.headline());
        assert!(report.headline().contains("signed by an AWS key you trust"));
        let expected = (plan.hours * plan.logs_per_hour * plan.records_per_log) as u64;
        assert_eq!(report.n_events(), expected);
        assert_eq!(kept.records.len() as u64, expected);
        assert!(
            kept.records.iter().all(|r| r.2),
            "every record is vouched for"
        );
        // Each record is normalized into the event model, in our field names.
        let event = kept.records[0].3.as_ref().unwrap();
        assert_eq!(event["action"], "iam.CreateUser");
        assert!(event["requested"].is_object() && event.get("before").is_none());
        let chain = &report.chains[0];
        for dimension in [
            &chain.integrity,
            &chain.linkage,
            &chain.completeness,
            &chain.authenticity,
        ] {
            assert_eq!(
                dimension.status,
                DimensionStatus::Proven,
                "{}",
                dimension.detail
            );
        }
        assert!(
            chain
                .coverage
                .detail
                .starts_with("6 hours covered by 6 digest files")
        );
        assert_eq!(report.bundle.files.len(), plan.hours * plan.logs_per_hour);
    }

    #[test]
    fn with_only_the_folders_keys_it_is_intact_and_says_whose_keys() {
        let plan = Plan::default();
        let dir = built(&plan);
        let (report, kept) = read(dir.path(), &plan, false);
        assert_eq!(report.verdict(), Verdict::Intact);
        assert!(
            report.headline().contains("came with the folder"),
            "{}",
            report.headline()
        );
        // The content is still vouched for by a digest whose signature holds.
        assert!(kept.records.iter().all(|r| r.2));
    }

    #[test]
    fn an_edited_record_breaks_the_trail_and_its_files_records_are_not_vouched() {
        let plan = Plan::default();
        let dir = built(&plan);
        let built = testkit::build(dir.path(), &plan);
        let target = built.logs[3].clone();
        testkit::rewrite(dir.path(), &target, |v| {
            v["Records"][1]["sourceIPAddress"] = "198.51.100.1".into()
        });
        let (report, kept) = read(dir.path(), &plan, true);
        assert_eq!(report.verdict(), Verdict::Broken);
        assert!(
            report
                .headline()
                .contains("differs from the hash its digest"),
            "{}",
            report.headline()
        );
        let (edited, others): (Vec<_>, Vec<_>) = kept.records.iter().partition(|r| r.0 == target);
        assert_eq!(edited.len(), plan.records_per_log);
        assert!(edited.iter().all(|r| !r.2) && others.iter().all(|r| r.2));
        assert_eq!(report.chains[0].integrity.status, DimensionStatus::Failed);
    }

    #[test]
    fn a_folder_without_digests_is_unverifiable_and_says_how_to_get_them() {
        let plan = Plan::default();
        let dir = built(&plan);
        std::fs::remove_dir_all(dir.path().join("AWSLogs/123456789012/CloudTrail-Digest")).unwrap();
        let (report, kept) = read(dir.path(), &plan, true);
        assert_eq!(report.verdict(), Verdict::Unverifiable);
        let headline = report.headline();
        assert!(
            headline.contains("no digest files") && headline.contains("collect-cloudtrail"),
            "{headline}"
        );
        assert_eq!(
            kept.records.len(),
            plan.hours * plan.logs_per_hour * plan.records_per_log
        );
        assert!(kept.records.iter().all(|r| !r.2));
    }

    #[test]
    fn a_repeated_record_is_one_event_and_a_differing_repeat_is_kept_beside_it() {
        let record = |ip: &str| {
            serde_json::json!({"eventVersion": "1.11", "eventID": "e-1", "eventTime": "2026-03-01T10:00:00Z",
                "eventSource": "s3.amazonaws.com", "eventName": "DeleteBucket", "sourceIPAddress": ip,
                "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/alice", "userName": "alice"}})
        };
        let other = serde_json::json!({"eventID": "e-2", "eventTime": "2026-03-01T10:01:00Z",
            "eventSource": "iam.amazonaws.com", "eventName": "CreateUser"});
        // CloudTrail's own repeats: the same record again, and once changed.
        let file = serde_json::json!({"Records": [record("203.0.113.7"), other, record("203.0.113.7"), record("192.0.2.55")]});
        let inflated = serde_json::to_vec(&file).unwrap();
        let sha256 = [0u8; 32];
        let mut kept = Kept::default();
        let mut reader = Records {
            sink: &mut kept,
            root: Path::new("/nonexistent"),
            seen: HashMap::new(),
            findings: Vec::new(),
            tallies: BTreeMap::new(),
            records: 0,
            malformed: 0,
            bytes_read: 0,
            files: Vec::new(),
            failed: None,
        };
        reader
            .file(&LogFileBytes {
                path: "AWSLogs/1/CloudTrail/us-east-1/2026/03/01/x.json.gz",
                chain: Some("1/us-east-1/t"),
                status: LogFileStatus::Verified { trusted: true },
                inflated: &inflated,
                sha256: &sha256,
            })
            .unwrap();
        let findings = std::mem::take(&mut reader.findings);
        assert_eq!(reader.records, 3, "the identical repeat is counted once");
        let details: Vec<(u64, String)> = findings
            .iter()
            .map(|f| (f.line.unwrap(), f.detail.clone().unwrap()))
            .collect();
        assert_eq!(details.len(), 2, "{details:?}");
        assert!(
            details[0].0 == 3 && details[0].1.contains("same content"),
            "{details:?}"
        );
        assert!(
            details[1].0 == 4 && details[1].1.contains("both are kept"),
            "{details:?}"
        );
        assert!(
            findings
                .iter()
                .all(|f| f.kind == FindingKind::DuplicateRecord)
        );
        let numbers: Vec<u64> = kept.records.iter().map(|r| r.1).collect();
        assert_eq!(numbers, [1, 2, 4]);
        // Each kept record is its own bytes, exactly as they arrived in the file.
        assert_eq!(
            kept.raw[2],
            serde_json::to_vec(&record("192.0.2.55")).unwrap()
        );
        assert!(kept.records.iter().all(|r| r.2), "its file is verified");
    }
}
