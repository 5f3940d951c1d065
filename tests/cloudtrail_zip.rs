//! A CloudTrail evidence folder that arrives as a ZIP archive of the folder: a trail
//! made by `trailscope gen-cloudtrail`, zipped with its files at the archive's top or
//! under one folder (as zipping a folder does), verifies and imports exactly as the
//! folder does; a log file edited before zipping breaks it at that file; a cut archive
//! is refused with a reason.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;
use trailscope::produce::cloudtrail::gzip;
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use crate::support::run_trailscope;

/// A generated trail in `evidence/`, with the reviewer's keys beside it.
struct Trail {
    dir: tempfile::TempDir,
}

impl Trail {
    fn new() -> Trail {
        let dir = tempfile::tempdir().unwrap();
        let trail = Trail { dir };
        let output = run_trailscope(&[
            "gen-cloudtrail",
            trail.root().to_str().unwrap(),
            "--regions",
            "us-east-1,eu-west-1",
            "--hours",
            "4",
            "--logs-per-hour",
            "2",
            "--records-per-log",
            "10",
            "--trusted-keys-out",
            trail.keys().to_str().unwrap(),
        ]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        trail
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("evidence")
    }

    fn keys(&self) -> PathBuf {
        self.dir.path().join("aws-keys.json")
    }

    /// The folder zipped: its files at the top of the archive, or under `evidence/`.
    fn zip(&self, under_folder: bool) -> PathBuf {
        let name = if under_folder { "under.zip" } else { "top.zip" };
        let zip = self.dir.path().join(name);
        zip_folder(&self.root(), &zip, under_folder.then_some("evidence"));
        zip
    }

    /// `trailscope verify PATH --json` with the reviewer's keys: exit code and report.
    fn verify(&self, path: &Path) -> (i32, Value) {
        let output = run_trailscope(&[
            "verify",
            path.to_str().unwrap(),
            "--json",
            "--trusted-keys",
            self.keys().to_str().unwrap(),
        ]);
        let json = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
        (output.status.code().unwrap(), json)
    }

    /// The log files, relative to the root, in path order.
    fn log_files(&self) -> Vec<String> {
        files(&self.root())
            .into_iter()
            .filter(|(path, _)| path.contains("/CloudTrail/"))
            .map(|(path, _)| path)
            .collect()
    }
}

/// Every file under `root`, relative with `/`, in path order, with its full path; the
/// folders too (with a trailing `/`, and no full path).
fn walk(root: &Path) -> Vec<(String, Option<PathBuf>)> {
    let mut out = Vec::new();
    let mut stack = vec![(root.to_owned(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_str().unwrap());
            if entry.file_type().unwrap().is_dir() {
                out.push((format!("{name}/"), None));
                stack.push((entry.path(), format!("{name}/")));
            } else {
                out.push((name, Some(entry.path())));
            }
        }
    }
    out.sort();
    out
}

fn files(root: &Path) -> Vec<(String, PathBuf)> {
    walk(root)
        .into_iter()
        .filter_map(|(name, path)| Some((name, path?)))
        .collect()
}

/// Zips `root` as a zip tool would: folders as entries of their own, files deflated,
/// all under `top/` when given.
fn zip_folder(root: &Path, zip: &Path, top: Option<&str>) {
    let mut writer = zip::ZipWriter::new(std::fs::File::create(zip).unwrap());
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let prefix = top.map_or(String::new(), |top| format!("{top}/"));
    if !prefix.is_empty() {
        writer.add_directory(prefix.as_str(), options).unwrap();
    }
    for (name, path) in walk(root) {
        match path {
            None => writer
                .add_directory(format!("{prefix}{name}"), options)
                .unwrap(),
            Some(path) => {
                writer
                    .start_file(format!("{prefix}{name}"), options)
                    .unwrap();
                writer.write_all(&std::fs::read(path).unwrap()).unwrap();
            }
        }
    }
    writer.finish().unwrap();
}

/// The report without what names the container (its path and kind).
fn without_container(mut report: Value) -> Value {
    let bundle = report["bundle"].as_object_mut().unwrap();
    bundle.remove("path");
    bundle.remove("container");
    report
}

/// Rewrites a gzip file of the folder: its inflated JSON changed by `change`.
fn rewrite(path: &Path, change: impl FnOnce(&mut Value)) {
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut text)
        .unwrap();
    let mut value: Value = serde_json::from_slice(&text).unwrap();
    change(&mut value);
    std::fs::write(path, gzip(&serde_json::to_vec(&value).unwrap())).unwrap();
}

#[test]
fn a_zipped_folder_verifies_like_the_folder_at_the_top_or_under_one_folder() {
    let trail = Trail::new();
    let (code, folder) = trail.verify(&trail.root());
    assert_eq!(code, 0, "{folder:#}");
    assert_eq!(folder["verdict"], "verified");
    assert_eq!(folder["bundle"]["container"], "directory");
    let chains = folder["chains"].as_array().unwrap();
    assert_eq!(chains.len(), 2);
    for chain in chains {
        assert_eq!(chain["counts"]["digests_verified"], 4);
        assert_eq!(chain["counts"]["log_files_verified"], 8);
        assert_eq!(chain["counts"]["records"], 80);
    }
    for under_folder in [false, true] {
        let zip = trail.zip(under_folder);
        let (zip_code, report) = trail.verify(&zip);
        assert_eq!(zip_code, code, "{report:#}");
        assert_eq!(report["bundle"]["container"], "zip");
        assert_eq!(report["bundle"]["path"], zip.to_str().unwrap());
        // Verdict, headline, every chain's counts and dimensions, every finding.
        assert_eq!(
            without_container(report),
            without_container(folder.clone()),
            "under a folder: {under_folder}"
        );
    }
}

/// `trailscope events --format json` of a case, one event a line.
fn events(case: &Path) -> Vec<Value> {
    let output = run_trailscope(&[
        "events",
        "--case",
        case.to_str().unwrap(),
        "--format",
        "json",
        "--limit",
        "1000",
    ]);
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_zipped_folder_imports_the_same_events() {
    let trail = Trail::new();
    let mut imported = Vec::new();
    for (name, path) in [
        ("folder", trail.root()),
        ("top", trail.zip(false)),
        ("under", trail.zip(true)),
    ] {
        let case = trail.dir.path().join(format!("{name}.case"));
        let output = run_trailscope(&[
            "import",
            "--case",
            case.to_str().unwrap(),
            "--trusted-keys",
            trail.keys().to_str().unwrap(),
            path.to_str().unwrap(),
        ]);
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        imported.push(events(&case));
    }
    assert_eq!(imported[0].len(), 160);
    assert_eq!(imported[1], imported[0]);
    assert_eq!(imported[2], imported[0]);
}

#[test]
fn a_log_file_tampered_before_zipping_breaks_the_zip_at_that_file() {
    let trail = Trail::new();
    let edited = trail.log_files()[3].clone();
    rewrite(&trail.root().join(&edited), |v| {
        v["Records"][2]["sourceIPAddress"] = "198.51.100.66".into()
    });
    let (_, folder) = trail.verify(&trail.root());
    for under_folder in [false, true] {
        let (code, report) = trail.verify(&trail.zip(under_folder));
        assert_eq!(code, 1, "{report:#}");
        assert_eq!(report["verdict"], "broken");
        let mismatches: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "log_file_hash_mismatch")
            .collect();
        assert_eq!(mismatches.len(), 1, "{report:#}");
        assert_eq!(mismatches[0]["file"], edited.as_str());
        assert_eq!(without_container(report), without_container(folder.clone()));
    }
}

#[test]
fn a_cut_zip_of_a_trail_is_refused_with_a_reason() {
    let trail = Trail::new();
    let zip = trail.zip(true);
    let bytes = std::fs::read(&zip).unwrap();
    std::fs::write(&zip, &bytes[..bytes.len() / 2]).unwrap();
    let output = run_trailscope(&["verify", zip.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a readable ZIP archive"), "{stderr}");
}

#[test]
fn a_log_file_entry_that_inflates_past_its_declared_size_is_a_finding_at_that_file() {
    let trail = Trail::new();
    let victim = trail.log_files()[1].clone();
    let zip = trail.zip(true);
    let mut bytes = std::fs::read(&zip).unwrap();
    // The entry's name is in its local header (size at 22 from the header's start,
    // the name at 30) and in the central directory (size at 24, the name at 46).
    let name = format!("evidence/{victim}");
    let at: Vec<usize> = bytes
        .windows(name.len())
        .enumerate()
        .filter(|(_, w)| *w == name.as_bytes())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(at.len(), 2);
    for (start, field) in [(at[0] - 30, 22), (at[1] - 46, 24)] {
        bytes[start + field..start + field + 4].copy_from_slice(&10u32.to_le_bytes());
    }
    std::fs::write(&zip, &bytes).unwrap();
    let (code, report) = trail.verify(&zip);
    assert_eq!(code, 1, "{report:#}");
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report:#}");
    assert_eq!(findings[0]["kind"], "log_file_hash_mismatch");
    assert_eq!(findings[0]["file"], victim.as_str());
    let text = findings[0].to_string();
    assert!(text.contains("inflates past the 10 bytes"), "{text}");
}

#[test]
fn hostile_entries_in_a_zipped_trail_are_reported_and_the_trail_still_verifies() {
    let trail = Trail::new();
    let zip = trail.zip(true);
    // The same archive with three entries added that must not be read: a name that
    // climbs out of the folder, a link, and a file outside the trail's folder.
    let hostile = trail.dir.path().join("hostile.zip");
    {
        let mut source = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
        let mut writer = zip::ZipWriter::new(std::fs::File::create(&hostile).unwrap());
        for index in 0..source.len() {
            writer
                .raw_copy_file(source.by_index(index).unwrap())
                .unwrap();
        }
        let options = SimpleFileOptions::default();
        writer
            .start_file("evidence/../../etc/cron.d/evil", options)
            .unwrap();
        writer.write_all(b"* * * * * root sh\n").unwrap();
        writer
            .add_symlink(
                "evidence/public-keys/ap-south-1.json",
                "/etc/passwd",
                options,
            )
            .unwrap();
        writer.start_file("notes.txt", options).unwrap();
        writer.write_all(b"collected by the IT team\n").unwrap();
        writer.finish().unwrap();
    }
    let (code, report) = trail.verify(&hostile);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["verdict"], "verified");
    let skipped: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "file_skipped")
        .map(|f| (f["file"].as_str().unwrap(), f["detail"].as_str().unwrap()))
        .collect();
    assert_eq!(skipped.len(), 3, "{report:#}");
    assert_eq!(skipped[0].0, "evidence/../../etc/cron.d/evil");
    assert!(skipped[0].1.contains("could lead outside the folder"));
    assert_eq!(skipped[1].0, "evidence/public-keys/ap-south-1.json");
    assert!(skipped[1].1.contains("symbolic link"));
    assert_eq!(skipped[2].0, "notes.txt");
    assert!(skipped[2].1.contains("outside evidence/"));
    // Everything else is as the archive without them says.
    let (_, clean) = trail.verify(&zip);
    let mut without = report.clone();
    without["findings"]
        .as_array_mut()
        .unwrap()
        .retain(|f| f["kind"] != "file_skipped");
    without["finding_groups"]
        .as_array_mut()
        .unwrap()
        .retain(|g| g["kind"] != "file_skipped");
    assert_eq!(without_container(without), without_container(clean));
}
