//! Hostile bundles and faults: archives that escape their root, symbolic links,
//! duplicate names, decompression bombs, truncated and corrupt archives; lines that are
//! not UTF-8, hundreds of megabytes long, nested 100,000 deep, with duplicate keys,
//! numbers out of range or NUL bytes; empty files and archives; manifests that list
//! missing files or cannot be read; a full disk and kills during an import.
//!
//! Each test builds real files (ZIPs with the `zip` crate, SQLite cases) and says what
//! the reviewer must see: the exact refusal or finding, where it is (entry, line, byte
//! offset), that everything else is still checked, and that an import keeps the bad
//! line in quarantine. Expected offsets and counts are computed here from the bytes.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use trailscope::bundle::Limits;
use trailscope::case::{Case, case_status, import_bundle};
use trailscope::export::{ExportFormat, export_events};
use trailscope::produce;
use trailscope::query::EventFilter;
use trailscope::verify::{Report, Severity, Verdict};
use trailscope::{Error, VerifyOptions, verify_bundle};
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use crate::support::*;

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn options_with(limits: Limits) -> VerifyOptions {
    VerifyOptions {
        limits,
        ..trusting_options()
    }
}

/// The reason a bundle is refused (an `Err`), checked to be one line.
fn refusal(path: &Path, limits: Limits) -> String {
    match verify_bundle(path, &options_with(limits)) {
        Err(Error::Refused { reason, .. }) => {
            assert_eq!(reason.lines().count(), 1, "one line: {reason}");
            reason
        }
        Err(other) => panic!("refused for the wrong reason: {other}"),
        Ok(report) => panic!("accepted: {}", report.headline()),
    }
}

// ---- ZIP archives ----------------------------------------------------------------

/// One entry of a hand-made archive.
struct Entry<'a> {
    name: &'a str,
    data: &'a [u8],
    deflate: bool,
}

fn entry<'a>(name: &'a str, data: &'a [u8]) -> Entry<'a> {
    Entry {
        name,
        data,
        deflate: true,
    }
}

fn write_zip(path: &Path, entries: &[Entry<'_>]) {
    let mut writer = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for e in entries {
        let method = if e.deflate {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        };
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .large_file(e.data.len() as u64 >= u32::MAX as u64);
        writer.start_file(e.name, options).unwrap();
        writer.write_all(e.data).unwrap();
    }
    writer.finish().unwrap();
}

/// A signed generated bundle's manifest and events bytes.
fn bundle_files(events: u64) -> (Fixture, Vec<u8>, Vec<u8>) {
    let f = Fixture::generated(events, 2);
    let manifest = std::fs::read(f.manifest_path()).unwrap();
    let events = std::fs::read(f.events_path()).unwrap();
    (f, manifest, events)
}

#[test]
fn the_hand_made_good_archive_verifies() {
    // The baseline every archive test below departs from.
    let (f, manifest, events) = bundle_files(40);
    let zip = f.temp.path().join("good.zip");
    write_zip(
        &zip,
        &[
            entry("manifest.json", &manifest),
            entry("events.jsonl", &events),
        ],
    );
    let report = verify_with(&zip, &[]);
    assert_eq!(report.findings, vec![]);
    assert_eq!(report.verdict(), Verdict::Verified);
}

#[test]
fn entries_that_escape_the_root_are_refused_naming_the_entry() {
    let (f, manifest, events) = bundle_files(20);
    let names = [
        "../events.jsonl",
        "../../../../tmp/evil",
        "/etc/passwd",
        "/events.jsonl",
        "a/../../events.jsonl",
        "a/./b",
        "C:\\Windows\\evil",
        "..\\evil",
        "dir//events.jsonl",
    ];
    for (i, name) in names.iter().enumerate() {
        let zip = f.temp.path().join(format!("escape-{i}.zip"));
        write_zip(
            &zip,
            &[
                entry("manifest.json", &manifest),
                entry("events.jsonl", &events),
                entry(name, b"{}\n"),
            ],
        );
        let reason = refusal(&zip, Limits::default());
        assert_eq!(
            reason,
            format!("archive entry {name:?} would escape the bundle root"),
            "{name}"
        );
    }
}

#[test]
fn a_symbolic_link_entry_is_refused_naming_it() {
    let (f, manifest, _) = bundle_files(20);
    let zip = f.temp.path().join("symlink.zip");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&zip).unwrap());
    writer
        .start_file("manifest.json", SimpleFileOptions::default())
        .unwrap();
    writer.write_all(&manifest).unwrap();
    writer
        .add_symlink("events.jsonl", "/etc/passwd", SimpleFileOptions::default())
        .unwrap();
    writer.finish().unwrap();
    assert_eq!(
        refusal(&zip, Limits::default()),
        "archive entry \"events.jsonl\" is a symbolic link"
    );
}

/// Replaces every occurrence of `from` by `to` (same length) in a file: how an archive
/// gets two entries of one name, which the `zip` crate's writer refuses to make.
fn patch_bytes(path: &Path, from: &[u8], to: &[u8]) -> usize {
    assert_eq!(from.len(), to.len());
    let mut bytes = std::fs::read(path).unwrap();
    let mut n = 0;
    let mut i = 0;
    while let Some(at) = bytes[i..].windows(from.len()).position(|w| w == from) {
        bytes[i + at..i + at + to.len()].copy_from_slice(to);
        i += at + to.len();
        n += 1;
    }
    std::fs::write(path, bytes).unwrap();
    n
}

#[test]
fn two_entries_of_one_name_are_refused_naming_it() {
    let (f, manifest, events) = bundle_files(20);
    for (i, (twin, decoy)) in [
        ("events.jsonl", "events.jsonX"),
        ("manifest.json", "manifest.jsoX"),
    ]
    .into_iter()
    .enumerate()
    {
        let zip = f.temp.path().join(format!("twins-{i}.zip"));
        write_zip(
            &zip,
            &[
                entry("manifest.json", &manifest),
                entry("events.jsonl", &events),
                entry(decoy, b"{\"forged\":true}\n"),
            ],
        );
        // The local header and the central directory both name the decoy.
        assert_eq!(patch_bytes(&zip, decoy.as_bytes(), twin.as_bytes()), 2);
        assert_eq!(
            refusal(&zip, Limits::default()),
            format!("archive holds two entries named {twin:?}")
        );
    }
}

/// Lines of a valid-looking events file `n_bytes` long (compresses very well).
fn repetitive_lines(n_bytes: usize) -> Vec<u8> {
    let line = b"{\"chain\":\"bomb\",\"note\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}\n";
    line.iter().copied().cycle().take(n_bytes).collect()
}

/// A signed bundle's manifest and 3 MiB of repetitive events (about 100-fold
/// compressible) in an archive `name` beside it.
fn archive_with_big_events(name: &str) -> (Fixture, std::path::PathBuf) {
    let (f, manifest, _) = bundle_files(20);
    let zip = f.temp.path().join(name);
    write_zip(
        &zip,
        &[
            entry("manifest.json", &manifest),
            entry("events.jsonl", &repetitive_lines(3 << 20)),
        ],
    );
    (f, zip)
}

#[test]
fn a_real_decompression_bomb_is_refused_by_the_default_ratio() {
    // 64 MiB of zeros deflate to about 64 KB: a ratio of about 1,030, over 1,000.
    let temp = tempfile::tempdir().unwrap();
    let zip = temp.path().join("bomb.zip");
    let zeros = vec![0u8; 64 << 20];
    write_zip(&zip, &[entry("events.jsonl", &zeros)]);
    let compressed = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap())
        .unwrap()
        .by_index_raw(0)
        .unwrap()
        .compressed_size();
    assert!((64 << 20) / compressed > 1000, "{compressed}");
    assert_eq!(
        refusal(&zip, Limits::default()),
        format!(
            "archive entry \"events.jsonl\" declares {} bytes uncompressed from {compressed} compressed, over the limit of 1000 times (a decompression bomb?)",
            64 << 20
        )
    );
    // A looser ratio lets it through to be read (and found to be no bundle at all).
    let loose = Limits {
        max_compression_ratio: 2000,
        ..Limits::default()
    };
    let report = verify_bundle(&zip, &options_with(loose)).unwrap();
    assert_eq!(report.verdict(), Verdict::Broken);
}

#[test]
fn entry_total_and_ratio_bounds_are_each_configurable_and_name_the_entry() {
    let (_temp, zip) = archive_with_big_events("bounds.zip");
    let raw = |name: &str| {
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
        let e = archive.by_name(name).unwrap();
        (e.size(), e.compressed_size())
    };
    let (size, compressed) = raw("events.jsonl");
    let (manifest_size, _) = raw("manifest.json");
    assert_eq!(size, 3 << 20);

    // Per entry.
    let per_entry = Limits {
        max_entry_bytes: 2 << 20,
        ..Limits::default()
    };
    assert_eq!(
        refusal(&zip, per_entry),
        format!(
            "archive entry \"events.jsonl\" declares {size} bytes uncompressed, over the limit of {} bytes for one entry",
            2 << 20
        )
    );
    // Ratio (the entry compresses about 100-fold).
    let ratio = Limits {
        max_compression_ratio: 10,
        ..Limits::default()
    };
    assert_eq!(
        refusal(&zip, ratio),
        format!(
            "archive entry \"events.jsonl\" declares {size} bytes uncompressed from {compressed} compressed, over the limit of 10 times (a decompression bomb?)"
        )
    );
    // Total: each entry fits, both together do not.
    let total = Limits {
        max_total_bytes: size + manifest_size - 1,
        ..Limits::default()
    };
    assert_eq!(
        refusal(&zip, total),
        format!(
            "archive entries up to \"events.jsonl\" declare {} bytes uncompressed, over the limit of {} bytes for the whole archive",
            size + manifest_size,
            size + manifest_size - 1
        )
    );
    // At the limits exactly, the archive is read.
    let exact = Limits {
        max_entry_bytes: size,
        max_total_bytes: size + manifest_size,
        max_compression_ratio: size.div_ceil(compressed),
        ..Limits::default()
    };
    assert!(verify_bundle(&zip, &options_with(exact)).is_ok());
}

/// Rewrites the declared uncompressed size of every entry named `name` (local header
/// and central directory) to `declared`: an archive that lies about its sizes.
fn lie_about_size(path: &Path, name: &str, declared: u32) {
    let mut bytes = std::fs::read(path).unwrap();
    let mut patched = 0;
    for (signature, size_at, name_len_at, name_at) in [
        (b"PK\x03\x04", 22usize, 26usize, 30usize),
        (b"PK\x01\x02", 24, 28, 46),
    ] {
        let mut i = 0;
        while let Some(at) = bytes[i..].windows(4).position(|w| w == signature) {
            let at = i + at;
            let name_len =
                u16::from_le_bytes([bytes[at + name_len_at], bytes[at + name_len_at + 1]]) as usize;
            if bytes.get(at + name_at..at + name_at + name_len) == Some(name.as_bytes()) {
                bytes[at + size_at..at + size_at + 4].copy_from_slice(&declared.to_le_bytes());
                patched += 1;
            }
            i = at + 4;
        }
    }
    assert_eq!(patched, 2, "local header and central directory");
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn an_entry_that_lies_about_its_size_is_stopped_on_the_real_bytes() {
    let (f, manifest, _) = bundle_files(20);
    let big = repetitive_lines(3 << 20);
    for (name, lying) in [("events.jsonl", true), ("manifest.json", false)] {
        let zip = f.temp.path().join(format!("liar-{name}.zip"));
        let (events, manifest_data): (&[u8], &[u8]) = if lying {
            (&big, &manifest)
        } else {
            (b"", &big)
        };
        write_zip(
            &zip,
            &[
                entry("manifest.json", manifest_data),
                entry("events.jsonl", events),
            ],
        );
        lie_about_size(&zip, name, 1000);
        let limits = Limits {
            max_entry_bytes: 1 << 20,
            ..Limits::default()
        };
        // The `zip` crate stops at the declared size; the engine's own bound stands
        // behind it. Either way the archive is refused, naming the entry.
        let reason = refusal(&zip, limits);
        assert!(
            reason == format!("{name}: File is larger than its declared uncompressed size")
                || reason.starts_with(&format!(
                    "{name}: archive entry {name:?} decompresses to more than {} bytes, the limit for one entry",
                    1 << 20
                )),
            "{reason}"
        );
    }
    // And so is an archive whose entries lie about their total.
    let zip = f.temp.path().join("liar-total.zip");
    write_zip(
        &zip,
        &[
            entry("manifest.json", &manifest),
            entry("events.jsonl", &big),
        ],
    );
    lie_about_size(&zip, "events.jsonl", 1000);
    let limits = Limits {
        max_total_bytes: 2 << 20,
        ..Limits::default()
    };
    assert!(refusal(&zip, limits).starts_with("events.jsonl: "));
}

#[test]
fn an_archive_cut_anywhere_is_refused_with_one_line() {
    let temp = tempfile::tempdir().unwrap();
    let zip = temp.path().join("whole.zip");
    produce::generate(
        &zip,
        &produce::GenOptions {
            events: 300,
            chains: 2,
            seed: 3,
            zip: true,
            sign_key: Some(test_key()),
            ..produce::GenOptions::default()
        },
    )
    .unwrap();
    let bytes = std::fs::read(&zip).unwrap();
    let len = bytes.len();
    let cuts = [
        4,
        30,
        100,
        len / 4,
        len / 2,
        3 * len / 4,
        len - 100,
        len - 22,
        len - 1,
    ];
    for cut in cuts {
        let cut_path = temp.path().join(format!("cut-{cut}.zip"));
        std::fs::write(&cut_path, &bytes[..cut]).unwrap();
        let reason = refusal(&cut_path, Limits::default());
        assert!(
            reason.starts_with("not a readable ZIP archive ("),
            "cut at {cut} of {len}: {reason}"
        );
    }
}

#[test]
fn a_corrupt_entry_is_refused_naming_it_and_an_import_of_it_changes_nothing() {
    let (f, manifest, events) = bundle_files(200);
    let mut refused = 0;
    for (i, deflate) in [true, false].into_iter().enumerate() {
        let zip = f.temp.path().join(format!("corrupt-{i}.zip"));
        write_zip(
            &zip,
            &[
                entry("manifest.json", &manifest),
                Entry {
                    name: "events.jsonl",
                    data: &events,
                    deflate,
                },
            ],
        );
        let (start, length) = {
            let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
            let index = archive.index_for_name("events.jsonl").unwrap();
            let e = archive.by_index_raw(index).unwrap();
            (e.data_start().unwrap(), e.compressed_size())
        };
        // Flip one byte in the middle of the entry's data: the CRC (or the inflater)
        // must catch it.
        let mut bytes = std::fs::read(&zip).unwrap();
        let at = (start + length / 2) as usize;
        bytes[at] ^= 0x55;
        std::fs::write(&zip, &bytes).unwrap();
        let modified = std::fs::metadata(&zip).unwrap().modified().unwrap();
        let reason = refusal(&zip, Limits::default());
        assert!(reason.starts_with("events.jsonl: "), "{reason}");
        refused += 1;

        // Importing it fails the same way and leaves a case holding another bundle as it was.
        let case_path = f.temp.path().join(format!("corrupt-{i}.case"));
        import_into(&case_path, &f.dir);
        let before = case_snapshot(&case_path);
        let mut case = Case::open(&case_path).unwrap();
        let result = import_bundle(
            &mut case,
            &zip,
            &trusting_options(),
            IMPORTED_AT,
            &mut |_| std::ops::ControlFlow::Continue(()),
        );
        assert!(matches!(result, Err(Error::Refused { .. })), "{result:?}");
        drop(case);
        assert_eq!(case_snapshot(&case_path), before);
        // The refused evidence itself is untouched.
        assert_eq!(std::fs::read(&zip).unwrap(), bytes);
        assert_eq!(
            std::fs::metadata(&zip).unwrap().modified().unwrap(),
            modified
        );
    }
    assert_eq!(refused, 2);
}

#[test]
fn an_empty_archive_is_not_called_a_broken_bundle_but_no_format_trailscope_knows() {
    let temp = tempfile::tempdir().unwrap();
    let zip = temp.path().join("empty.zip");
    write_zip(&zip, &[]);
    assert_eq!(
        std::fs::read(&zip).unwrap().len(),
        22,
        "just the end record"
    );
    let error = verify_bundle(&zip, &VerifyOptions::default()).unwrap_err();
    assert!(matches!(error, Error::UnknownFormat { .. }), "{error}");
    let message = error.to_string();
    assert!(
        message.contains("is not a format Trailscope knows")
            && message.contains("a ZIP archive holding nothing Trailscope reads"),
        "{message}"
    );
    // What it looked for: every source Trailscope reads, by name.
    for looked_for in [
        "an audit bundle (a ZIP archive or folder holding manifest.json",
        "AWS CloudTrail evidence",
        "Microsoft 365 audit log",
        "Entra ID audit log",
        "Okta System Log",
        "Kubernetes audit log",
        "GitHub audit log",
        "GitLab audit events",
        "Google Workspace activity",
        "Salesforce audit export",
    ] {
        assert!(message.contains(looked_for), "{looked_for}: {message}");
    }
}

// ---- Lines -------------------------------------------------------------------------

/// A signed directory bundle of 60 events with `inserts` (1-based line number in the
/// new file, bytes) put in; the manifest pins the new file and is re-signed, so the
/// inserted lines are the only problems. Returns the fixture and the file's lines.
fn bundle_with_lines(inserts: &[(usize, Vec<u8>)]) -> (Fixture, Vec<Vec<u8>>) {
    let f = Fixture::generated(60, 2);
    let mut lines: Vec<Vec<u8>> = f.lines().into_iter().map(String::into_bytes).collect();
    for (line_no, bytes) in inserts {
        lines.insert(line_no - 1, bytes.clone());
    }
    let mut file = lines.join(&b'\n');
    file.push(b'\n');
    std::fs::write(f.events_path(), &file).unwrap();
    repin(&f, &Sha256::digest(&file), file.len() as u64);
    (f, lines)
}

/// Pins the events file's new digest and size in the manifest and re-signs it.
fn repin(f: &Fixture, sha256: &[u8], bytes: u64) {
    let mut manifest = f.manifest();
    manifest["files"][0]["sha256"] = json!(hex(sha256));
    manifest["files"][0]["bytes"] = json!(bytes);
    produce::sign_manifest(&mut manifest, &test_key());
    f.write_manifest(&manifest);
}

/// Byte offset of each line (1-based line `n` at index `n - 1`) of a file of `lines`.
fn offsets(lines: &[Vec<u8>]) -> Vec<u64> {
    let mut at = 0u64;
    lines
        .iter()
        .map(|line| {
            let here = at;
            at += line.len() as u64 + 1;
            here
        })
        .collect()
}

/// The one malformed-line finding of a report whose only problems are malformed lines,
/// as (line, byte offset, detail), in file order.
fn malformed(report: &Report) -> Vec<(u64, u64, String)> {
    for f in &report.findings {
        assert!(
            f.kind.as_str() == "malformed_line" || f.severity() == Severity::Notice,
            "only malformed lines: {}",
            f.describe()
        );
    }
    report
        .findings
        .iter()
        .filter(|f| f.kind.as_str() == "malformed_line")
        .map(|f| {
            assert_eq!(f.file.as_deref(), Some("events.jsonl"));
            (
                f.line.unwrap(),
                f.byte_offset.unwrap(),
                f.detail.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// The lines a case quarantined and the findings it stored, as (line, byte offset, reason).
type Quarantine = (Vec<(i64, Vec<u8>, String)>, Vec<(i64, i64, String)>);

fn quarantine(case_path: &Path) -> Quarantine {
    let connection = read_only(case_path);
    (
        triples(
            &connection,
            "SELECT line, raw, malformed FROM event WHERE malformed IS NOT NULL ORDER BY line",
        ),
        triples(
            &connection,
            "SELECT line, byte_offset, detail FROM finding WHERE kind = 'malformed_line' ORDER BY line",
        ),
    )
}

fn read_only(case_path: &Path) -> Connection {
    Connection::open_with_flags(case_path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

/// Every row of a query of three columns.
fn triples<A, B, C>(connection: &Connection, sql: &str) -> Vec<(A, B, C)>
where
    A: rusqlite::types::FromSql,
    B: rusqlite::types::FromSql,
    C: rusqlite::types::FromSql,
{
    connection
        .prepare(sql)
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap()
}

/// A fresh event line for `chain`/`seq`-free garbage: an object with every required
/// field but readable chain fields missing, so it cannot take a place in a chain.
fn hostile(body: &str) -> Vec<u8> {
    format!("{{\"action\":\"order.updated\",\"x\":{body}}}").into_bytes()
}

#[test]
fn each_kind_of_bad_line_is_located_reported_and_kept_and_the_rest_is_checked() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "invalid UTF-8",
            b"{\"action\":\"order.\xff\xfeupdated\"}".to_vec(),
            "not valid UTF-8",
        ),
        (
            "a lone surrogate escape",
            hostile("\"\\ud800\""),
            "hex escape",
        ),
        (
            "100,000 nested arrays",
            hostile(&deep),
            "recursion limit exceeded",
        ),
        (
            "100,000 open brackets",
            hostile(&"[".repeat(100_000)),
            "recursion limit exceeded",
        ),
        (
            "a duplicate top-level key",
            b"{\"chain\":\"acme-prod\",\"seq\":3,\"chain\":\"acme-prod\"}".to_vec(),
            "duplicate key \"chain\"",
        ),
        (
            "a duplicate nested key",
            hostile("{\"id\":\"u1\",\"id\":\"u2\"}"),
            "duplicate key \"id\"",
        ),
        ("1e400", hostile("1e400"), "number out of range"),
        ("-1e400", hostile("-1e400"), "number out of range"),
        (
            "a NUL byte outside strings",
            b"{\"action\":\"order.updated\"\0}".to_vec(),
            "not valid JSON",
        ),
        (
            "a raw NUL byte in a string",
            hostile("\"a\0b\""),
            "control character",
        ),
        ("a bare NUL", b"\0".to_vec(), "not valid JSON"),
        ("a JSON array", b"[1,2,3]".to_vec(), "not a JSON object"),
        ("a JSON string", b"\"event\"".to_vec(), "not a JSON object"),
        (
            "a huge seq",
            b"{\"chain\":\"acme-prod\",\"seq\":123456789012345678901234567890}".to_vec(),
            "\"seq\" is not an integer from 1 to 2^53-1",
        ),
    ];
    // Each bad line goes in after a good one, spread over the file.
    let inserts: Vec<(usize, Vec<u8>)> = cases
        .iter()
        .enumerate()
        .map(|(i, (_, bytes, _))| (2 + 4 * i, bytes.clone()))
        .collect();
    let (f, lines) = bundle_with_lines(&inserts);
    let at = offsets(&lines);
    let report = f.verify();

    let found = malformed(&report);
    assert_eq!(found.len(), cases.len(), "{found:#?}");
    for ((what, _, reason), ((line, _), (found_line, found_offset, detail))) in
        cases.iter().zip(inserts.iter().zip(&found))
    {
        assert_eq!(found_line, &(*line as u64), "{what}");
        assert_eq!(found_offset, &at[line - 1], "{what}");
        assert!(detail.contains(reason), "{what}: {detail}");
        assert_eq!(detail.lines().count(), 1, "{what}: {detail}");
    }
    // Every good line around them is still checked: all 60 events, every link holding.
    assert_eq!(report.n_events(), 60);
    assert_eq!(report.bundle.malformed_lines, cases.len() as u64);
    assert_eq!(report.bundle.lines, 60 + cases.len() as u64);
    assert_eq!(report.verdict(), Verdict::Broken);

    // An import keeps every bad line byte-exact in quarantine, with a finding each.
    let case_path = f.temp.path().join("hostile.case");
    let outcome = import_into(&case_path, &f.dir);
    assert_eq!(outcome.report.bundle.malformed_lines, cases.len() as u64);
    let (rows, findings) = quarantine(&case_path);
    assert_eq!(rows.len(), cases.len());
    for ((line, bytes), ((row_line, raw, why), (finding_line, finding_offset, _))) in
        inserts.iter().zip(rows.iter().zip(&findings))
    {
        assert_eq!(*row_line, *line as i64);
        assert_eq!(raw, bytes, "line {line} is kept byte for byte");
        assert!(!why.is_empty());
        assert_eq!(*finding_line, *line as i64);
        assert_eq!(*finding_offset, at[line - 1] as i64);
    }
    let case = Case::open_read_only(&case_path).unwrap();
    let status = case_status(&case).unwrap();
    assert_eq!(status.n_events, 60);
    assert_eq!(status.n_malformed, cases.len() as i64);

    // Exports of the whole case stay well-formed whatever the lines held: JSON Lines
    // is one valid JSON value per stored line (a bad line described, its bytes kept as
    // text), and CSV parses back to one record per line with no cell a spreadsheet
    // would run as a formula.
    let all = EventFilter::default();
    let mut jsonl = Vec::new();
    let n = export_events(&case, &all, ExportFormat::Jsonl, &mut jsonl).unwrap();
    assert_eq!(n, 60 + cases.len() as u64);
    let text = String::from_utf8(jsonl).expect("the JSONL export is UTF-8");
    let values: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("every exported line is JSON"))
        .collect();
    assert_eq!(values.len() as u64, n);
    let described = values
        .iter()
        .filter(|v| v.get("malformed_line").is_some())
        .count();
    assert_eq!(
        described,
        cases.len(),
        "each bad line is exported, described"
    );
    // … with its text as it arrived (a duplicate key's two values both there).
    let mut exported_texts: Vec<String> = values
        .iter()
        .filter_map(|v| v.get("malformed_line")?.as_str().map(str::to_owned))
        .collect();
    let mut stored_texts: Vec<String> = rows
        .iter()
        .map(|(_, raw, _)| String::from_utf8_lossy(raw).into_owned())
        .collect();
    exported_texts.sort();
    stored_texts.sort();
    assert_eq!(exported_texts, stored_texts);
    let mut csv_bytes = Vec::new();
    export_events(&case, &all, ExportFormat::Csv, &mut csv_bytes).unwrap();
    let mut reader = csv::Reader::from_reader(csv_bytes.as_slice());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len() as u64, n);
    for record in &records {
        for cell in record {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a formula-like cell: {cell:?}"
            );
        }
    }
}

#[test]
fn a_huge_integer_reads_as_the_nearest_double_and_verifies_with_a_warning() {
    // JCS reads every number as an IEEE-754 double, as ECMAScript does: a producer
    // hashing the double and writing the integer's digits is consistent, but the hash
    // no longer protects those digits, so each such value is warned about.
    let f = Fixture::generated(20, 1);
    let mut lines = f.lines();
    let mut event: Value = serde_json::from_str(&lines[4]).unwrap();
    event["context"] = json!({"big": 1.2345678901234568e29, "neg": -1.2345678901234568e29});
    lines[4] = serde_json::to_string(&event).unwrap();
    let mut lines = relink(&lines);
    let text = lines[4].clone();
    lines[4] = text
        .replace("-1.2345678901234568e+29", "-123456789012345678901234567890")
        .replace("1.2345678901234568e+29", "123456789012345678901234567890");
    assert_ne!(lines[4], text);
    assert!(lines[4].contains("\"big\":123456789012345678901234567890"));
    f.write_lines(&lines);
    f.reseal(Some(&test_key()));
    let report = f.verify();
    let warned: Vec<(&str, Option<u64>, Option<&str>)> = report
        .findings
        .iter()
        .map(|f| (f.kind.as_str(), f.line, f.detail.as_deref()))
        .collect();
    assert_eq!(
        warned,
        vec![
            ("imprecise_number", Some(5), Some("field context.big")),
            ("imprecise_number", Some(5), Some("field context.neg")),
        ]
    );
    assert_eq!(report.verdict(), Verdict::Verified);
}

#[test]
fn an_escaped_nul_in_a_string_is_an_ordinary_character_kept_byte_exact() {
    let f = Fixture::generated(20, 1);
    let mut lines = f.lines();
    let mut event: Value = serde_json::from_str(&lines[2]).unwrap();
    event["reason"] = json!("before\u{0}after");
    lines[2] = serde_json::to_string(&event).unwrap();
    let lines = relink(&lines);
    assert!(lines[2].contains("before\\u0000after"));
    f.write_lines(&lines);
    f.reseal(Some(&test_key()));
    let report = f.verify();
    assert_eq!(report.findings, vec![]);
    let case_path = f.temp.path().join("nul.case");
    import_into(&case_path, &f.dir);
    let raw: Vec<u8> = read_only(&case_path)
        .query_row("SELECT raw FROM event WHERE line = 3", [], |row| row.get(0))
        .unwrap();
    assert_eq!(raw, lines[2].as_bytes());
}

/// Writes a file of `head`, then one line of `n_bytes` ('a's inside a JSON string)
/// written in chunks, then `tail`; never holds the long line in memory.
fn write_with_long_line(path: &Path, head: &[Vec<u8>], n_bytes: u64, tail: &[Vec<u8>]) -> Vec<u8> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut digest = Sha256::new();
    let mut put = |bytes: &[u8], file: &mut std::io::BufWriter<std::fs::File>| {
        file.write_all(bytes).unwrap();
        digest.update(bytes);
    };
    for line in head {
        put(line, &mut file);
        put(b"\n", &mut file);
    }
    let opening = b"{\"action\":\"order.updated\",\"padding\":\"";
    let closing = b"\"}\n";
    put(opening, &mut file);
    let chunk = vec![b'a'; 1 << 20];
    let mut left = n_bytes - (opening.len() + closing.len() - 1) as u64;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        put(&chunk[..n], &mut file);
        left -= n as u64;
    }
    put(closing, &mut file);
    for line in tail {
        put(line, &mut file);
        put(b"\n", &mut file);
    }
    file.flush().unwrap();
    drop(file);
    digest.finalize().to_vec()
}

/// Peak resident memory of a child process, polled from /proc until it exits, in bytes.
fn run_measuring_peak_memory(mut command: Command) -> (std::process::ExitStatus, String, u64) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0u64;
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).unwrap();
        text
    });
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file)
            && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:"))
        {
            let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            return (status, reader.join().unwrap(), peak_kib * 1024);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_line_of_300_megabytes_is_skipped_in_bounded_memory_and_the_rest_is_checked() {
    let f = Fixture::generated(60, 2);
    let lines: Vec<Vec<u8>> = f.lines().into_iter().map(String::into_bytes).collect();
    let (head, tail) = lines.split_at(30);
    let long: u64 = 300 << 20;
    let started = Instant::now();
    let sha = write_with_long_line(&f.events_path(), head, long, tail);
    let size = std::fs::metadata(f.events_path()).unwrap().len();
    repin(&f, &sha, size);
    let offset: u64 = head.iter().map(|l| l.len() as u64 + 1).sum();

    // The real binary, its memory watched: far below the line's size.
    let mut command = Command::new(env!("CARGO_BIN_EXE_trailscope"));
    command
        .args(["verify", "--json", "--trusted-keys"])
        .arg(trusted_keys_path())
        .arg(&f.dir);
    let (status, stdout, peak) = run_measuring_peak_memory(command);
    assert_eq!(status.code(), Some(1));
    assert!(peak < 150 << 20, "peak RSS {} MiB", peak >> 20);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let problems: Vec<&Value> = findings
        .iter()
        .filter(|f| f["severity"] != "notice")
        .collect();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let finding = problems[0];
    assert_eq!(finding["kind"], "malformed_line");
    assert_eq!(finding["file"], "events.jsonl");
    assert_eq!(finding["line"], 31);
    assert_eq!(finding["byte_offset"], offset);
    assert_eq!(
        finding["detail"],
        format!(
            "the line is {} bytes long, over the limit; it was not read",
            trailscope::verify::group(long)
        )
    );
    assert_eq!(
        report["chains"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["events"].as_u64().unwrap())
            .sum::<u64>(),
        60
    );
    eprintln!(
        "300 MB line: {:?}, peak RSS {} MiB",
        started.elapsed(),
        peak >> 20
    );
}

#[test]
fn the_line_limit_is_configurable_and_a_long_line_is_quarantined_on_import() {
    let long = hostile(&format!("\"{}\"", "x".repeat(40_000)));
    let (f, lines) = bundle_with_lines(&[(7, long.clone())]);
    let at = offsets(&lines);
    let longest_event = lines.iter().filter(|l| **l != long).map(Vec::len).max();
    assert!(longest_event < Some(8 << 10), "{longest_event:?}");
    // Under the default limit the line is read and found malformed for what it is.
    let found = malformed(&f.verify());
    assert_eq!(found.len(), 1);
    assert!(found[0].2.contains("\"chain\" is missing"), "{found:?}");
    // Under an 8 KiB limit (over every event, a fifth of this line) it is not read.
    let limits = Limits {
        max_line_bytes: 8 << 10,
        ..Limits::default()
    };
    let report = verify_bundle(&f.dir, &options_with(limits)).unwrap();
    assert_eq!(
        malformed(&report),
        vec![(
            7,
            at[6],
            format!(
                "the line is {} bytes long, over the limit; it was not read",
                trailscope::verify::group(long.len() as u64)
            )
        )]
    );
    assert_eq!(report.n_events(), 60);

    // Import: the line has a quarantined row (its bytes were never read, so none are
    // kept) and a finding, so nothing the bundle held disappears without a word.
    let case_path = f.temp.path().join("long.case");
    let mut case = Case::open(&case_path).unwrap();
    import_bundle(
        &mut case,
        &f.dir,
        &options_with(limits),
        IMPORTED_AT,
        &mut |_| std::ops::ControlFlow::Continue(()),
    )
    .unwrap();
    drop(case);
    let (rows, findings) = quarantine(&case_path);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, 7);
    assert!(rows[0].2.contains("over the limit"), "{:?}", rows[0].2);
    assert_eq!(
        findings,
        vec![(7, at[6] as i64, report.findings[0].detail.clone().unwrap())]
    );
}

#[test]
fn the_cli_takes_every_limit_with_size_suffixes_and_refuses_in_one_line() {
    let (f, zip) = archive_with_big_events("limits.zip");
    let zip = path_str(&zip);
    for (flag, value, says) in [
        (
            "--max-entry-bytes",
            "2M",
            "over the limit of 2097152 bytes for one entry",
        ),
        (
            "--max-total-bytes",
            "3M",
            "over the limit of 3145728 bytes for the whole archive",
        ),
        ("--max-ratio", "10", "over the limit of 10 times"),
    ] {
        for command in ["verify", "import"] {
            let case = f.temp.path().join("limits.case");
            let case = path_str(&case);
            let args: Vec<&str> = match command {
                "verify" => vec!["verify", zip, flag, value],
                _ => vec!["import", "--case", case, zip, flag, value],
            };
            let output = run_trailscope(&args);
            assert_eq!(output.status.code(), Some(2), "{args:?}");
            let stderr = String::from_utf8(output.stderr).unwrap();
            let last = stderr.lines().last().unwrap_or_default();
            assert!(last.starts_with("trailscope: refused "), "{stderr}");
            assert!(last.contains("archive entr"), "{stderr}");
            assert!(last.contains("\"events.jsonl\""), "{stderr}");
            assert!(last.contains(says), "{flag}: {stderr}");
        }
    }
    // Under loose enough limits the same archive is read (and is broken, not refused).
    let output = run_trailscope(&[
        "verify",
        zip,
        "--max-entry-bytes",
        "4M",
        "--max-ratio",
        "1000",
    ]);
    assert_eq!(output.status.code(), Some(1));

    // --max-line-bytes, with a K suffix, on verify and import.
    let long = hostile(&format!("\"{}\"", "x".repeat(40_000)));
    let (f, lines) = bundle_with_lines(&[(4, long)]);
    let at = offsets(&lines);
    let dir = path_str(&f.dir);
    let output = run_trailscope(&["verify", dir, "--json", "--max-line-bytes", "16K"]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = &report["findings"][0];
    assert_eq!(finding["kind"], "malformed_line");
    assert_eq!(
        (finding["line"].as_u64(), finding["byte_offset"].as_u64()),
        (Some(4), Some(at[3]))
    );
    assert!(
        finding["detail"]
            .as_str()
            .unwrap()
            .contains("over the limit")
    );
    let case = f.temp.path().join("line.case");
    let output = run_trailscope(&[
        "import",
        "--case",
        path_str(&case),
        dir,
        "--max-line-bytes",
        "16K",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let (rows, _) = quarantine(&case);
    assert_eq!(rows.len(), 1);
    assert!(rows[0].2.contains("over the limit"));

    // A size that is not one is a usage error.
    let output = run_trailscope(&["verify", dir, "--max-line-bytes", "12T"]);
    assert_eq!(output.status.code(), Some(2));
}

// ---- Empty files and manifests ---------------------------------------------------------

#[test]
fn an_empty_events_file_is_read_and_says_what_it_lacks() {
    // A bare empty file: nothing is verified, and the report says there is nothing.
    let temp = tempfile::tempdir().unwrap();
    let empty = temp.path().join("empty.jsonl");
    std::fs::write(&empty, b"").unwrap();
    let report = verify_with(&empty, &[]);
    assert_eq!(report.n_events(), 0);
    assert_eq!(report.chains.len(), 0);
    assert_eq!(report.verdict(), Verdict::Empty);
    let headline = report.headline();
    assert!(headline.starts_with("No events: "), "{headline}");
    assert!(
        !headline.contains("chain holds") && !headline.contains("Intact"),
        "{headline}"
    );
    // Nothing to import: refused with a reason, and the case holds no bundle.
    let case_path = temp.path().join("empty.case");
    let mut case = Case::open(&case_path).unwrap();
    let refused = import_bundle(
        &mut case,
        &empty,
        &trusting_options(),
        IMPORTED_AT,
        &mut |_| std::ops::ControlFlow::Continue(()),
    )
    .unwrap_err();
    assert!(matches!(refused, Error::NoEvents { .. }), "{refused}");
    assert!(case_status(&case).unwrap().bundles.is_empty());

    // A manifest pinning events the (now empty) file does not hold: truncated chains
    // and a file digest mismatch.
    let f = Fixture::generated(30, 2);
    std::fs::write(f.events_path(), b"").unwrap();
    let report = f.verify();
    assert_eq!(report.verdict(), Verdict::Broken);
    let mut kinds: Vec<&str> = report.findings.iter().map(|f| f.kind.as_str()).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        vec!["file_digest_mismatch", "truncated", "truncated"]
    );
}

#[test]
fn a_manifest_listing_missing_or_outside_files_is_reported_and_the_rest_is_checked() {
    for listed in [
        "more.jsonl",
        "../outside.jsonl",
        "/etc/passwd",
        "sub/../../x.jsonl",
    ] {
        let f = Fixture::generated(40, 2);
        let mut manifest = f.manifest();
        let mut extra = manifest["files"][0].clone();
        extra["path"] = json!(listed);
        manifest["files"].as_array_mut().unwrap().push(extra);
        produce::sign_manifest(&mut manifest, &test_key());
        f.write_manifest(&manifest);
        let report = f.verify();
        let found: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.severity() != Severity::Notice)
            .map(|f| {
                format!(
                    "{}: {}",
                    f.kind.as_str(),
                    f.detail.clone().unwrap_or_default()
                )
            })
            .collect();
        let expected = if listed == "more.jsonl" {
            format!(
                "file_digest_mismatch: the manifest lists {listed}, but the bundle does not hold it"
            )
        } else {
            format!(
                "file_digest_mismatch: the manifest lists {listed:?}, which would lie outside the bundle; it was not read"
            )
        };
        assert_eq!(found, vec![expected], "{listed}");
        assert_eq!(
            report.n_events(),
            40,
            "{listed}: events.jsonl is still checked"
        );
        assert_eq!(report.verdict(), Verdict::Broken);
    }
}

#[test]
fn a_malformed_manifest_is_a_finding_and_the_events_are_still_checked() {
    let deep = format!("{{\"chains\":{}", "[".repeat(100_000));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", vec![], "manifest.json is not valid JSON: EOF while parsing a value"),
        ("cut short", b"{\"format\":\"audit-bundle\",\"chains\":[".to_vec(), "manifest.json is not valid JSON: EOF while parsing"),
        ("not an object", b"[1,2]".to_vec(), "manifest.json is not a JSON object"),
        ("no chains", b"{\"files\":[]}".to_vec(), "manifest has no \"chains\""),
        ("chains not an array", b"{\"chains\":{},\"files\":[]}".to_vec(), "manifest \"chains\" is not an array"),
        ("duplicate key", b"{\"chains\":[],\"chains\":[],\"files\":[]}".to_vec(), "duplicate key \"chains\""),
        ("nested 100,000 deep", deep.into_bytes(), "recursion limit exceeded"),
        ("invalid UTF-8", b"{\"format\":\"\xff\"}".to_vec(), "manifest.json is not valid JSON"),
        ("a NUL byte", b"{\0}".to_vec(), "manifest.json is not valid JSON"),
        ("a number out of range", b"{\"chains\":[],\"files\":[],\"format_version\":1e400}".to_vec(), "number out of range"),
        (
            "a negative event count",
            br#"{"chains":[{"id":"a","first_seq":1,"last_seq":1,"event_count":-1,"start_prev_hash":"","head_hash":""}],"files":[]}"#.to_vec(),
            "manifest chains[0]: \"event_count\" is not a non-negative integer",
        ),
    ];
    let f = Fixture::generated(30, 2);
    for (what, bytes, says) in &cases {
        std::fs::write(f.manifest_path(), bytes).unwrap();
        let report = f.verify();
        let mismatch: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.kind.as_str() == "manifest_mismatch")
            .map(|f| f.detail.clone().unwrap_or_default())
            .collect();
        assert_eq!(mismatch.len(), 1, "{what}: {mismatch:?}");
        assert!(mismatch[0].contains(says), "{what}: {}", mismatch[0]);
        assert!(
            mismatch[0].ends_with("; the bundle is checked as if it had no manifest"),
            "{what}"
        );
        assert_eq!(mismatch[0].lines().count(), 1);
        assert_eq!(report.n_events(), 30, "{what}");
        assert_eq!(report.verdict(), Verdict::Broken, "{what}");
        // Every event is still hashed and linked: the chains' integrity holds.
        for chain in &report.chains {
            assert_eq!(
                chain.integrity.status,
                trailscope::DimensionStatus::Proven,
                "{what}"
            );
        }
    }
    // A manifest over the size limit is not read.
    std::fs::write(f.manifest_path(), vec![b' '; 2048]).unwrap();
    let limits = Limits {
        max_manifest_bytes: 1024,
        ..Limits::default()
    };
    let report = verify_bundle(&f.dir, &options_with(limits)).unwrap();
    assert!(report.findings.iter().any(|f| {
        f.detail
            .as_deref()
            .is_some_and(|d| d.starts_with("manifest.json is larger than 1024 bytes"))
    }));
    assert_eq!(report.n_events(), 30);
}

// ---- Faults: a full disk, kills ------------------------------------------------------------

/// What a case holds, to compare before and after a failed import: bundles, row counts
/// and SQLite's integrity check, read from a read-only connection.
fn case_snapshot(case_path: &Path) -> (String, Vec<(i64, String, i64)>, i64, i64) {
    let case = Case::open_read_only(case_path).unwrap();
    let integrity = case.integrity_check().unwrap();
    drop(case);
    let connection = read_only(case_path);
    let bundles = triples(
        &connection,
        "SELECT bundle_idx, digest, n_events_added FROM bundle ORDER BY bundle_idx",
    );
    let count = |sql: &str| {
        connection
            .query_row(sql, [], |row| row.get::<_, i64>(0))
            .unwrap()
    };
    (
        integrity,
        bundles,
        count("SELECT count(*) FROM event"),
        count("SELECT count(*) FROM finding"),
    )
}

/// `trailscope import` of `bundle` into `case_path` with the files it may write limited
/// to `max_kib` KiB (`ulimit -f`; SIGXFSZ ignored so a write past it fails with EFBIG,
/// as on a full disk).
fn import_with_file_limit(case_path: &Path, bundle: &Path, max_kib: u64) -> std::process::Output {
    Command::new("bash")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {max_kib}; exec \"$0\" import --case \"$1\" --trusted-keys \"$2\" \"$3\""
        ))
        .arg(env!("CARGO_BIN_EXE_trailscope"))
        .arg(case_path)
        .arg(trusted_keys_path())
        .arg(bundle)
        .output()
        .unwrap()
}

#[test]
fn a_disk_that_fills_during_an_import_gives_a_clear_error_and_leaves_the_case_unchanged() {
    // The earlier bundle holds the first 200 lines of the one that fills the disk.
    let bigger = Fixture::generated(20_000, 2);
    let earlier = sealed_bundle(&bigger.temp.path().join("earlier"), &bigger.lines()[..200]);
    let case_path = bigger.temp.path().join("full.case");
    import_into(&case_path, &earlier);
    let before = case_snapshot(&case_path);
    assert_eq!(before.0, "ok");
    let status_before = run_trailscope(&["status", "--case", path_str(&case_path), "--json"]);
    let case_size = std::fs::metadata(&case_path).unwrap().len();

    // The room left ranges from none to a few MiB: the write fails at different
    // moments (journal, page cache spill, index build, commit).
    for room_kib in [0u64, 64, 512, 2048, 6144] {
        let when = format!("{room_kib} KiB of room");
        let output = import_with_file_limit(&case_path, &bigger.dir, case_size / 1024 + room_kib);
        assert_eq!(output.status.code(), Some(2), "{when}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        let last = stderr.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("trailscope: case database: ")
                && (last.contains("the disk is full")
                    || last.contains("writing the case file failed"))
                && last.ends_with("the change was rolled back and the case is as it was"),
            "{when}: {stderr}"
        );
        assert_eq!(case_snapshot(&case_path), before, "{when}");
        let status = run_trailscope(&["status", "--case", path_str(&case_path), "--json"]);
        assert_eq!(status.stdout, status_before.stdout, "{when}");
    }

    // With room again, the same import completes.
    let output = import_with_file_limit(&case_path, &bigger.dir, 1 << 30);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (integrity, bundles, events, _) = case_snapshot(&case_path);
    assert_eq!(integrity, "ok");
    assert_eq!(bundles.len(), 2);
    assert_eq!(events, 20_000);
}

#[test]
fn killing_imports_at_many_random_moments_never_shows_half_a_bundle() {
    // tests/case.rs kills a 100,000-event import at fixed fractions; this one kills a
    // smaller import into a case that already holds a bundle (its first 300 lines), at
    // 12 seeded-random moments, and then finishes each killed import.
    let f = Fixture::generated(30_000, 2);
    let earlier = sealed_bundle(&f.temp.path().join("earlier"), &f.lines()[..300]);
    // The import's transaction is what is killed; the text index built after it (its
    // own steps, each a transaction) would only dilute the moments.
    let import = |case: &Path| {
        let mut command = quiet_import_command(case, &f.dir);
        command.arg("--no-text-index");
        command
    };
    let timed = f.temp.path().join("timed.case");
    let started = Instant::now();
    assert_eq!(import(&timed).status().unwrap().code(), Some(0));
    let full = started.elapsed();

    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut kills = Vec::new();
    for i in 0..12 {
        // xorshift: a fixed sequence of moments between 2% and 98% of a full import.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let fraction = 0.02 + (state % 9600) as f64 / 10_000.0;
        let delay = full.mul_f64(fraction);
        let case_path = f.temp.path().join(format!("killed-{i}.case"));
        import_into(&case_path, &earlier);
        let before = case_snapshot(&case_path);

        let mut child = import(&case_path).spawn().unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        let when = format!("kill {i} at {:.0}% ({delay:?})", fraction * 100.0);
        let after = case_snapshot(&case_path);
        assert_eq!(after.0, "ok", "{when}");
        match after.1.len() {
            1 => assert_eq!(after, before, "{when}: the earlier bundle alone, as it was"),
            2 => assert_eq!(after.2, 30_000, "{when}: the whole new bundle"),
            n => panic!("{when}: {n} bundles"),
        }
        assert!(
            after.1.iter().all(|(_, digest, _)| digest != "pending"),
            "{when}"
        );
        kills.push((case_path, after.1.len()));
    }
    // Each killed case takes the import again, to the end.
    for (case_path, _) in &kills {
        assert_eq!(import(case_path).status().unwrap().code(), Some(0));
        let (integrity, bundles, events, _) = case_snapshot(case_path);
        assert_eq!(
            (integrity.as_str(), bundles.len(), events),
            ("ok", 2, 30_000)
        );
    }
    let interrupted = kills.iter().filter(|(_, n)| *n == 1).count();
    eprintln!(
        "{interrupted} of {} kills interrupted the import",
        kills.len()
    );
    assert!(
        interrupted >= 6,
        "most kills land during the import: {interrupted}"
    );
}
