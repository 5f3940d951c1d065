//! `generate`: writes a realistic, deterministic audit bundle of the simulated company
//! Acme (directory or ZIP), streaming — memory stays flat however many events.
//!
//! Output depends only on `(events, chains, seed, stub_ratio)` (and the key, for the
//! signature): no clock, no OS randomness, no hash-map iteration order. Events are
//! hashed and linked exactly as spec §3 says, stubs as §4. This module must never hold
//! the whole events file in memory, and never write a hash it did not compute.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};

use super::keys::SigningKeyFile;
use super::rng::{Rng, mix64};
use super::roster::Actor;
use super::seal::{
    ChainSummaries, ChainSummary, DigestWriter, ZERO_HASH, build_manifest, exported_after, manifest_bytes,
    sign_manifest, write_manifest,
};
use super::world::{Draft, Source, Target, World};
use crate::canonical::{event_hash, parse, to_hex};
use crate::{Error, Result};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    /// Lines to write, stubs included.
    pub events: u64,
    /// Chains to spread them over: `acme-prod`, `acme-region-1`, `acme-region-2`, …
    pub chains: u32,
    pub seed: u64,
    /// Probability that an event is written as a stub (spec §4) instead.
    pub stub_ratio: f64,
    /// Write a ZIP file at `out` instead of a directory.
    pub zip: bool,
    /// Sign the manifest with this key.
    pub sign_key: Option<SigningKeyFile>,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions { events: 1000, chains: 1, seed: 1, stub_ratio: 0.0, zip: false, sign_key: None }
    }
}

/// What was generated.
#[derive(Debug, Clone)]
pub struct GenSummary {
    /// Lines written, stubs included.
    pub events: u64,
    pub stubs: u64,
    /// Chains that received at least one event, in order.
    pub chains: Vec<ChainSummary>,
    /// The directory or ZIP file written.
    pub path: PathBuf,
}

/// 2026-01-05T08:00:00Z, a Monday morning.
const START_MS: i64 = 1_767_600_000_000;
const DAY_MS: i64 = 86_400_000;
/// The business day rolls over (sessions expire, nightly jobs run) at 02:00 UTC.
const ROLLOVER_MS: i64 = 2 * 3_600_000;

/// The id of chain `index`.
fn chain_name(index: usize) -> String {
    if index == 0 { "acme-prod".to_owned() } else { format!("acme-region-{index}") }
}

fn format_ts(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn format_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().format("%Y-%m-%d").to_string()
}

/// The simulated wall clock: busy on weekday working hours, quiet at night and weekends.
struct Clock {
    ms: i64,
    next_rollover: i64,
}

impl Clock {
    fn new() -> Clock {
        let day_start = START_MS - START_MS.rem_euclid(DAY_MS);
        Clock { ms: START_MS, next_rollover: day_start + DAY_MS + ROLLOVER_MS }
    }

    fn is_off_hours(ms: i64) -> bool {
        let days = ms.div_euclid(DAY_MS);
        let weekday = (days + 3).rem_euclid(7); // 1970-01-01 was a Thursday; Monday = 0
        let hour = ms.rem_euclid(DAY_MS) / 3_600_000;
        weekday >= 5 || !(8..18).contains(&hour)
    }

    /// Mean seconds between events at `ms`.
    fn mean_gap(ms: i64) -> f64 {
        let days = ms.div_euclid(DAY_MS);
        let weekday = (days + 3).rem_euclid(7);
        let hour = ms.rem_euclid(DAY_MS) / 3_600_000;
        match hour {
            _ if weekday >= 5 => 300.0,
            8..=17 => 12.0,
            7 | 18..=21 => 90.0,
            _ => 420.0,
        }
    }

    /// Moves on; returns true when this step crossed the daily rollover.
    fn advance(&mut self, scripted: bool, rng: &mut Rng) -> bool {
        let gap = if scripted {
            rng.between(80, 1500) as i64
        } else {
            (rng.exponential(Self::mean_gap(self.ms)) * 1000.0) as i64 + 1
        };
        let next = self.ms + gap;
        if next >= self.next_rollover {
            self.ms = self.next_rollover + rng.below(5000) as i64;
            self.next_rollover += DAY_MS;
            true
        } else {
            self.ms = next;
            false
        }
    }
}

/// One event line as written (the `hash` is appended after hashing).
#[derive(Serialize)]
struct EventLine<'a> {
    chain: &'a str,
    seq: u64,
    id: &'a str,
    ts: &'a str,
    action: &'a str,
    category: &'a str,
    actor: &'a Actor,
    #[serde(skip_serializing_if = "Option::is_none")]
    on_behalf_of: Option<&'a Actor>,
    target: Option<&'a Target>,
    outcome: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a Source>,
    #[serde(skip_serializing_if = "Option::is_none")]
    before: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<&'a Value>,
    prev_hash: &'a str,
}

/// What writing the events file produced.
struct EventsWritten {
    chains: Vec<ChainSummary>,
    stubs: u64,
    sha256: String,
    bytes: u64,
    first_ms: i64,
    last_ms: i64,
}

/// Streams `options.events` lines into `sink`, hashing the file as it goes.
fn write_events<W: Write>(sink: W, options: &GenOptions) -> std::io::Result<(EventsWritten, W)> {
    let n_chains = options.chains.max(1) as usize;
    let mut rng = Rng::new(mix64(options.seed ^ 0x4143_4D45_5F47_454E));
    // Stubs draw from their own stream, so the same seed with another ratio hides
    // different events of the very same history.
    let mut stub_rng = Rng::new(mix64(options.seed ^ 0x5354_5542_5354_5542));
    let id_base = mix64(options.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x4556_545F_4944);
    let mut world = World::new(n_chains, &mut rng);
    let mut clock = Clock::new();
    world.set_day(format_date(clock.ms), format_date(clock.ms + 30 * DAY_MS));

    let names: Vec<String> = (0..n_chains).map(chain_name).collect();
    let mut next_seq = vec![1u64; n_chains];
    let mut prev_hash: Vec<String> = vec![ZERO_HASH.to_owned(); n_chains];
    let mut summaries = ChainSummaries::default();
    let mut out = BufWriter::with_capacity(1 << 18, DigestWriter::new(sink));
    let mut line = Vec::with_capacity(4096);
    let mut scratch = Vec::with_capacity(4096);
    let mut stubs = 0;
    let mut first_ms = None;

    for n in 0..options.events {
        let scripted = world.queued_chain().is_some();
        if clock.advance(scripted, &mut rng) {
            let today = format_date(clock.ms);
            world.start_day(today, format_date(clock.ms + 30 * DAY_MS), &mut rng);
        }
        let chain = match world.queued_chain() {
            Some(chain) => chain,
            None if (n as usize) < n_chains => n as usize,
            None => rng.index(n_chains),
        };
        let draft: Draft = world.next_draft(chain, clock.ms, Clock::is_off_hours(clock.ms), &mut rng);
        let id = format!("evt_{:016x}", mix64(id_base.wrapping_add(n)));
        let ts = format_ts(clock.ms);
        first_ms.get_or_insert(clock.ms);
        let seq = next_seq[chain];
        let event = EventLine {
            chain: &names[chain],
            seq,
            id: &id,
            ts: &ts,
            action: draft.action,
            category: draft.category,
            actor: world.actor(draft.actor),
            on_behalf_of: draft.on_behalf_of.map(|i| world.actor(i)),
            target: draft.target.as_ref(),
            outcome: draft.outcome,
            reason: draft.reason.as_deref(),
            source: draft.source.as_ref(),
            before: draft.before.as_ref(),
            after: draft.after.as_ref(),
            context: draft.context.as_ref(),
            prev_hash: &prev_hash[chain],
        };
        line.clear();
        serde_json::to_writer(&mut line, &event)?;
        let hash = {
            let parsed = parse(&line).map_err(|e| std::io::Error::other(format!("generated event: {e}")))?;
            to_hex(&event_hash(&parsed, &mut scratch))
        };
        if stub_rng.chance(options.stub_ratio) {
            stubs += 1;
            out.write_all(b"{\"chain\":")?;
            serde_json::to_writer(&mut out, &names[chain])?;
            write!(
                out,
                ",\"seq\":{seq},\"omitted\":true,\"prev_hash\":\"{}\",\"hash\":\"{hash}\",\"omitted_reason\":\"filtered\"}}\n",
                prev_hash[chain]
            )?;
        } else {
            // The line without its closing brace, then the hash of everything before it.
            out.write_all(&line[..line.len() - 1])?;
            out.write_all(b",\"hash\":\"")?;
            out.write_all(hash.as_bytes())?;
            out.write_all(b"\"}\n")?;
        }
        summaries.add(&names[chain], seq, &prev_hash[chain], &hash);
        next_seq[chain] += 1;
        prev_hash[chain] = hash;
    }
    let (sink, sha256, bytes) = out.into_inner().map_err(|e| e.into_error())?.finish();
    let written = EventsWritten {
        chains: summaries.list,
        stubs,
        sha256,
        bytes,
        first_ms: first_ms.unwrap_or(START_MS),
        last_ms: clock.ms,
    };
    Ok((written, sink))
}

/// The manifest for what `write_events` wrote, signed if a key is given.
fn manifest_for(written: &EventsWritten, options: &GenOptions) -> Value {
    let files = [("events.jsonl".to_owned(), written.sha256.clone(), written.bytes)];
    let bundle_id = format!("b-{}", &written.sha256[..12]);
    let mut manifest = build_manifest(&written.chains, &files, &bundle_id, &exported_after(written.last_ms));
    let span = format!("{} to {}", format_date(written.first_ms), format_date(written.last_ms));
    manifest["scope"] = if written.stubs > 0 {
        json!({
            "description": format!("Filtered export, {span}: events outside the filter are stubs"),
            "filter": {"sample": "random", "omitted_ratio": options.stub_ratio},
        })
    } else {
        json!({"description": format!("All events, {span}"), "filter": {}})
    };
    if let Some(key) = &options.sign_key {
        sign_manifest(&mut manifest, key);
    }
    manifest
}

/// Generates a bundle at `out`: a directory holding `events.jsonl` and `manifest.json`,
/// or with `options.zip` a ZIP file holding both at its root.
pub fn generate(out: &Path, options: &GenOptions) -> Result<GenSummary> {
    if options.chains == 0 {
        return Err(Error::Invalid("a bundle needs at least one chain".to_owned()));
    }
    if !(0.0..=1.0).contains(&options.stub_ratio) {
        return Err(Error::Invalid(format!("stub ratio {} is not between 0 and 1", options.stub_ratio)));
    }
    let written = if options.zip { generate_zip(out, options)? } else { generate_directory(out, options)? };
    Ok(GenSummary {
        events: options.events,
        stubs: written.stubs,
        chains: written.chains,
        path: out.to_owned(),
    })
}

fn generate_directory(out: &Path, options: &GenOptions) -> Result<EventsWritten> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let events_path = out.join("events.jsonl");
    let file = File::create(&events_path).map_err(|e| Error::io(&events_path, e))?;
    let (written, file) = write_events(file, options).map_err(|e| Error::io(&events_path, e))?;
    file.sync_all().map_err(|e| Error::io(&events_path, e))?;
    write_manifest(&out.join("manifest.json"), &manifest_for(&written, options))?;
    Ok(written)
}

fn zip_error(path: &Path, error: zip::result::ZipError) -> Error {
    match error {
        zip::result::ZipError::Io(e) => Error::io(path, e),
        other => Error::Invalid(format!("cannot write {}: {other}", path.display())),
    }
}

/// Writes the ZIP beside `out` under a temporary name and renames it at the end, so a
/// failed run never leaves a half-written bundle under the real name.
fn generate_zip(out: &Path, options: &GenOptions) -> Result<EventsWritten> {
    use zip::write::SimpleFileOptions;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let file = File::create(&partial).map_err(|e| Error::io(&partial, e))?;
    let mut archive = zip::ZipWriter::new(BufWriter::with_capacity(1 << 18, file));
    // A fixed time keeps the archive reproducible; ZIP64 only where sizes may need it.
    let entry = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let large = options.events.saturating_mul(2_000) >= u64::from(u32::MAX);
    archive
        .start_file("events.jsonl", entry.large_file(large))
        .map_err(|e| zip_error(&partial, e))?;
    let (written, _) = write_events(&mut archive, options).map_err(|e| Error::io(&partial, e))?;
    let manifest = manifest_for(&written, options);
    archive.start_file("manifest.json", entry).map_err(|e| zip_error(&partial, e))?;
    archive.write_all(&manifest_bytes(&manifest)).map_err(|e| Error::io(&partial, e))?;
    let file = archive.finish().map_err(|e| zip_error(&partial, e))?;
    let file = file.into_inner().map_err(|e| Error::io(&partial, e.into_error()))?;
    file.sync_all().map_err(|e| Error::io(&partial, e))?;
    std::fs::rename(&partial, out).map_err(|e| Error::io(out, e))?;
    Ok(written)
}
