//! `generate`: writes a realistic, deterministic audit bundle of the simulated company
//! Acme (directory or ZIP), streaming — memory stays flat however many events.
//!
//! Output depends only on `(events, chains, seed, stub_ratio, format_version)` (and the
//! key, for the signature): no clock, no OS randomness, no hash-map iteration order.
//! Events are hashed and linked exactly as spec §3 says, stubs as §4, in format version
//! 2 unless asked for 1 (spec v2: body hashes, and each chain's Merkle root in the
//! manifest). This module must never hold the whole events file in memory, and never
//! write a hash it did not compute.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use serde_json::{Value, json};

use super::jcs::Obj;
use super::keys::SigningKeyFile;
use super::rng::{Rng, mix64};
use super::roster::Actor;
use super::seal::{
    ChainSummaries, ChainSummary, DigestWriter, ZERO_HASH, build_manifest, build_manifest_v2,
    exported_after, manifest_bytes, sign_manifest, write_manifest,
};
use super::world::{Draft, Source, Target, World};
use crate::bundle::FormatVersion;
use crate::canonical::{Digest32, canonicalize, linked_hash, sha256, to_hex};
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
    /// The format version to write (spec v1 or v2).
    pub format_version: FormatVersion,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            events: 1000,
            chains: 1,
            seed: 1,
            stub_ratio: 0.0,
            zip: false,
            sign_key: None,
            format_version: FormatVersion::LATEST,
        }
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
    if index == 0 {
        "acme-prod".to_owned()
    } else {
        format!("acme-region-{index}")
    }
}

fn format_ts(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn format_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

/// The simulated wall clock: busy on weekday working hours, quiet at night and weekends.
struct Clock {
    ms: i64,
    next_rollover: i64,
}

impl Clock {
    fn new() -> Clock {
        let day_start = START_MS - START_MS.rem_euclid(DAY_MS);
        Clock {
            ms: START_MS,
            next_rollover: day_start + DAY_MS + ROLLOVER_MS,
        }
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

/// Writes an actor (spec §2.1 `actor`) canonically; done once per actor.
fn actor_json(actor: &Actor) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    Obj::new(&mut out)
        .opt_str("email", actor.email.as_deref())
        .str("id", &actor.id)
        .str("name", &actor.name)
        .str("type", actor.kind)
        .end();
    out
}

fn write_source(out: &mut Vec<u8>, source: &Source) {
    let mut o = Obj::new(out);
    o.opt_str("batch_id", source.batch_id.as_deref())
        .str("channel", source.channel)
        .opt_str("client_id", source.client_id)
        .opt_str("ip", source.ip.as_deref())
        .opt_str("request_id", source.request_id.as_deref());
    if let Some(rule) = source.rule {
        let mut r = Obj::new(o.key("rule"));
        r.str("id", rule.id)
            .str("name", rule.name)
            .u64("version", u64::from(rule.version))
            .end();
    }
    o.opt_str("user_agent", source.user_agent).end();
}

fn write_target(out: &mut Vec<u8>, target: Option<&Target>) {
    match target {
        Some(t) => Obj::new(out)
            .str("id", &t.id)
            .str("name", &t.name)
            .str("type", t.kind)
            .end(),
        None => out.extend_from_slice(b"null"),
    }
}

/// Where an event goes and what identifies it, beside its draft.
struct Placement<'a> {
    chain: &'a str,
    seq: u64,
    id: &'a str,
    ts: &'a str,
    /// `None` for a version 2 body, which leaves the link out.
    prev_hash: Option<&'a str>,
}

/// Writes the event without its `hash` (version 2: without `prev_hash` either), in
/// canonical form (spec §3): these bytes are exactly what the hash (version 2: the body
/// hash) covers. Keys are in JCS order.
fn write_event(out: &mut Vec<u8>, draft: &Draft, at: &Placement<'_>, actors: &[Vec<u8>]) {
    let mut o = Obj::new(out);
    o.str("action", draft.action)
        .raw("actor", &actors[draft.actor])
        .opt_value("after", draft.after.as_ref())
        .opt_value("before", draft.before.as_ref())
        .str("category", draft.category)
        .str("chain", at.chain)
        .opt_value("context", draft.context.as_ref())
        .str("id", at.id);
    if let Some(principal) = draft.on_behalf_of {
        o.raw("on_behalf_of", &actors[principal]);
    }
    o.str("outcome", draft.outcome)
        .opt_str("prev_hash", at.prev_hash)
        .opt_str("reason", draft.reason.as_deref())
        .u64("seq", at.seq);
    if let Some(source) = &draft.source {
        write_source(o.key("source"), source);
    }
    write_target(o.key("target"), draft.target.as_ref());
    o.str("ts", at.ts).end();
}

/// Checks now and then that what `write_event` wrote is canonical, as the verifier
/// will judge it; a generator that wrote unverifiable hashes would be worse than none.
fn check_canonical(event: &[u8]) -> std::io::Result<()> {
    match canonicalize(event) {
        Ok(text) if text.as_bytes() == event => Ok(()),
        Ok(text) => Err(std::io::Error::other(format!(
            "generated event is not canonical JSON:\n  wrote {}\n  JCS   {text}",
            String::from_utf8_lossy(event)
        ))),
        Err(e) => Err(std::io::Error::other(format!(
            "generated event is not JSON: {e}"
        ))),
    }
}

/// What writing the events file produced.
struct EventsWritten {
    chains: Vec<ChainSummary>,
    /// Version 2: each chain's Merkle root (hex), in the order of `chains`.
    merkle_roots: Vec<Option<String>>,
    stubs: u64,
    sha256: String,
    bytes: u64,
    first_ms: i64,
    last_ms: i64,
}

/// What the simulation produced, apart from the bytes.
struct Simulated {
    chains: Vec<ChainSummary>,
    merkle_roots: Vec<Option<String>>,
    stubs: u64,
    first_ms: i64,
    last_ms: i64,
}

/// Bytes handed to the writer thread in chunks of about this size.
const CHUNK: usize = 1 << 18;

/// The simulation's side of the hand-over: fills a chunk, sends it when full, and
/// reuses the chunks the writer gives back.
struct Chunks {
    current: Vec<u8>,
    full: mpsc::SyncSender<Vec<u8>>,
    empty: mpsc::Receiver<Vec<u8>>,
}

impl Chunks {
    fn send(&mut self) -> std::io::Result<()> {
        let next = self
            .empty
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK + 8192));
        let full = std::mem::replace(&mut self.current, next);
        // The writer only hangs up after an error, which `write_events` reports.
        self.full
            .send(full)
            .map_err(|_| std::io::Error::other("the events writer stopped"))
    }

    fn send_if_full(&mut self) -> std::io::Result<()> {
        if self.current.len() >= CHUNK {
            self.send()
        } else {
            Ok(())
        }
    }
}

/// Streams `options.events` lines into `sink`, hashing the file as it goes. The
/// simulation runs on this thread; hashing the file and writing it run on another,
/// so the two halves of the work overlap.
fn write_events<W: Write + Send>(
    sink: W,
    options: &GenOptions,
) -> std::io::Result<(EventsWritten, W)> {
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = mpsc::sync_channel::<Vec<u8>>(4);
        let (empty_tx, empty_rx) = mpsc::channel::<Vec<u8>>();
        let writer = scope.spawn(move || -> std::io::Result<(W, String, u64)> {
            let mut out = DigestWriter::new(sink);
            for mut chunk in full_rx {
                out.write_all(&chunk)?;
                chunk.clear();
                let _ = empty_tx.send(chunk);
            }
            out.flush()?;
            Ok(out.finish())
        });
        let mut chunks = Chunks {
            current: Vec::with_capacity(CHUNK + 8192),
            full: full_tx,
            empty: empty_rx,
        };
        let simulated = simulate(options, &mut chunks).and_then(|simulated| {
            chunks.send()?;
            Ok(simulated)
        });
        drop(chunks);
        let written = writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let (sink, sha256, bytes) = written?;
        let simulated = simulated?;
        let written = EventsWritten {
            chains: simulated.chains,
            merkle_roots: simulated.merkle_roots,
            stubs: simulated.stubs,
            sha256,
            bytes,
            first_ms: simulated.first_ms,
            last_ms: simulated.last_ms,
        };
        Ok((written, sink))
    })
}

/// Runs the simulation and writes every line into `chunks`.
fn simulate(options: &GenOptions, chunks: &mut Chunks) -> std::io::Result<Simulated> {
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
    let mut prev_raw: Vec<Digest32> = vec![[0; 32]; n_chains];
    let v2 = options.format_version == FormatVersion::V2;
    let mut summaries = ChainSummaries::default();
    if v2 {
        summaries.track_merkle();
    }
    let mut line = Vec::with_capacity(4096);
    let actors: Vec<Vec<u8>> = world.roster.actors.iter().map(actor_json).collect();
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
        let draft: Draft =
            world.next_draft(chain, clock.ms, Clock::is_off_hours(clock.ms), &mut rng);
        let id = format!("evt_{:016x}", mix64(id_base.wrapping_add(n)));
        let ts = format_ts(clock.ms);
        first_ms.get_or_insert(clock.ms);
        let seq = next_seq[chain];
        let at = Placement {
            chain: &names[chain],
            seq,
            id: &id,
            ts: &ts,
            prev_hash: (!v2).then_some(prev_hash[chain].as_str()),
        };
        line.clear();
        write_event(&mut line, &draft, &at, &actors);
        if n % 4096 == 0 {
            check_canonical(&line)?;
        }
        // Version 1: the hash of the canonical event. Version 2: that is the body hash,
        // and the hash is SHA-256 of the previous hash and the body hash.
        let digest = sha256(&line);
        let (hash_raw, body_hash) = if v2 {
            (
                linked_hash(&prev_raw[chain], &digest),
                Some(to_hex(&digest)),
            )
        } else {
            (digest, None)
        };
        let hash = to_hex(&hash_raw);
        let out = &mut chunks.current;
        if stub_rng.chance(options.stub_ratio) {
            stubs += 1;
            let mut stub = Obj::new(out);
            stub.opt_str("body_hash", body_hash.as_deref())
                .str("chain", &names[chain])
                .str("hash", &hash)
                .raw("omitted", b"true")
                .str("omitted_reason", "filtered")
                .str("prev_hash", &prev_hash[chain])
                .u64("seq", seq)
                .end();
            out.push(b'\n');
        } else if let Some(body_hash) = &body_hash {
            // The canonical body without its closing brace, then the links.
            out.extend_from_slice(&line[..line.len() - 1]);
            out.extend_from_slice(b",\"prev_hash\":\"");
            out.extend_from_slice(prev_hash[chain].as_bytes());
            out.extend_from_slice(b"\",\"body_hash\":\"");
            out.extend_from_slice(body_hash.as_bytes());
            out.extend_from_slice(b"\",\"hash\":\"");
            out.extend_from_slice(hash.as_bytes());
            out.extend_from_slice(b"\"}\n");
        } else {
            // The canonical event without its closing brace, then the hash of it all.
            out.extend_from_slice(&line[..line.len() - 1]);
            out.extend_from_slice(b",\"hash\":\"");
            out.extend_from_slice(hash.as_bytes());
            out.extend_from_slice(b"\"}\n");
        }
        chunks.send_if_full()?;
        summaries.add(&names[chain], seq, &prev_hash[chain], &hash);
        next_seq[chain] += 1;
        prev_hash[chain] = hash;
        prev_raw[chain] = hash_raw;
    }
    Ok(Simulated {
        merkle_roots: summaries.merkle_roots(),
        chains: summaries.list,
        stubs,
        first_ms: first_ms.unwrap_or(START_MS),
        last_ms: clock.ms,
    })
}

/// The manifest for what `write_events` wrote, signed if a key is given.
fn manifest_for(written: &EventsWritten, options: &GenOptions) -> Value {
    let files = [(
        "events.jsonl".to_owned(),
        written.sha256.clone(),
        written.bytes,
    )];
    let bundle_id = format!("b-{}", &written.sha256[..12]);
    let exported_at = exported_after(written.last_ms);
    let mut manifest = match options.format_version {
        FormatVersion::V1 => build_manifest(&written.chains, &files, &bundle_id, &exported_at),
        FormatVersion::V2 => build_manifest_v2(
            &written.chains,
            &written.merkle_roots,
            &files,
            &bundle_id,
            &exported_at,
        ),
    };
    let span = format!(
        "{} to {}",
        format_date(written.first_ms),
        format_date(written.last_ms)
    );
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
        return Err(Error::Invalid(
            "a bundle needs at least one chain".to_owned(),
        ));
    }
    if !(0.0..=1.0).contains(&options.stub_ratio) {
        return Err(Error::Invalid(format!(
            "stub ratio {} is not between 0 and 1",
            options.stub_ratio
        )));
    }
    let written = if options.zip {
        generate_zip(out, options)?
    } else {
        generate_directory(out, options)?
    };
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
    // An existing manifest would describe other events until the new one is written.
    match std::fs::remove_file(out.join("manifest.json")) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(Error::io(out.join("manifest.json"), e));
        }
        _ => {}
    }
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
    archive
        .start_file("manifest.json", entry)
        .map_err(|e| zip_error(&partial, e))?;
    archive
        .write_all(&manifest_bytes(&manifest))
        .map_err(|e| Error::io(&partial, e))?;
    let file = archive.finish().map_err(|e| zip_error(&partial, e))?;
    let file = file
        .into_inner()
        .map_err(|e| Error::io(&partial, e.into_error()))?;
    file.sync_all().map_err(|e| Error::io(&partial, e))?;
    std::fs::rename(&partial, out).map_err(|e| Error::io(out, e))?;
    Ok(written)
}
