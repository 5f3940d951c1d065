//! A ZIP archive of exports, as investigators are handed them: exports made by the
//! generators of `trailscope::produce`, in subfolders, gzipped or not, zipped here with
//! the `zip` crate, are told by content and read exactly as the same files in a folder
//! (the same report, the same events); every one of the eight formats is; entries the
//! archive should not be trusted with (a name that climbs out, a link, an encrypted
//! entry, a bomb that declares or hides its size) are reported with why and the rest
//! imports; a truncated archive, or one holding no export, is refused with a reason.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;
use trailscope::case::Case;
use trailscope::produce::cloudtrail::gzip;
use trailscope::produce::entra::{EntraPlan, write_entra};
use trailscope::produce::github::{GitHubPlan, write_github};
use trailscope::produce::gitlab::{GitLabPlan, write_gitlab};
use trailscope::produce::google::{GooglePlan, write_google};
use trailscope::produce::kubernetes::{KubernetesPlan, write_kubernetes};
use trailscope::produce::okta::{OktaPlan, OktaTruth, write_okta};
use trailscope::produce::purview::{PurviewPlan, PurviewShape, write_purview};
use trailscope::produce::salesforce::{SalesforcePlan, write_salesforce};
use trailscope::source::SourceKind;
use trailscope::source::saas::detect;
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use crate::support::{all_events, count_kind, findings, import, normal, run_trailscope, verify};

/// Every file under `root`, relative with `/`, in path order, with its full path.
fn files_under(root: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut stack = vec![(root.to_owned(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_str().unwrap());
            if entry.file_type().unwrap().is_dir() {
                stack.push((entry.path(), format!("{name}/")));
            } else {
                out.push((name, entry.path()));
            }
        }
    }
    out.sort();
    out
}

/// Zips the files under `root` as a zip tool would (each folder an entry of its own,
/// files deflated), under `top/` when given.
fn zip_folder(root: &Path, zip: &Path, top: Option<&str>) {
    let mut writer = zip::ZipWriter::new(std::fs::File::create(zip).unwrap());
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let prefix = top.map_or(String::new(), |top| format!("{top}/"));
    let mut folders = std::collections::BTreeSet::new();
    for (name, path) in files_under(root) {
        let name = format!("{prefix}{name}");
        for (at, _) in name.match_indices('/') {
            if folders.insert(name[..=at].to_owned()) {
                writer.add_directory(&name[..=at], options).unwrap();
            }
        }
        writer.start_file(name, options).unwrap();
        writer.write_all(&std::fs::read(path).unwrap()).unwrap();
    }
    writer.finish().unwrap();
}

/// Writes a ZIP archive of `entries` (name, bytes), deflated.
fn write_zip(zip: &Path, entries: &[(&str, &[u8])]) {
    let mut writer = zip::ZipWriter::new(std::fs::File::create(zip).unwrap());
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, bytes) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap();
}

/// Where an entry's headers lie in an archive: (local header, central directory
/// header), found by its name (which each holds right after it: at 30 and at 46).
fn headers(bytes: &[u8], name: &str) -> (usize, usize) {
    let at: Vec<usize> = bytes
        .windows(name.len())
        .enumerate()
        .filter(|(_, w)| *w == name.as_bytes())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(at.len(), 2, "{name} is named once in each header");
    (at[0] - 30, at[1] - 46)
}

/// Writes `value` as an entry's uncompressed size into both its headers (the field
/// is at 22 in the local header, at 24 in the central one).
fn declare_size(bytes: &mut [u8], name: &str, value: u32) {
    let (local, central) = headers(bytes, name);
    bytes[local + 22..local + 26].copy_from_slice(&value.to_le_bytes());
    bytes[central + 24..central + 28].copy_from_slice(&value.to_le_bytes());
}

/// The report without what names the container (its path and kind).
fn without_container(mut report: Value) -> Value {
    let bundle = report["bundle"].as_object_mut().unwrap();
    bundle.remove("path");
    bundle.remove("container");
    report
}

/// A case's events as (file, line, raw bytes, normalized event, why quarantined).
type Stored = (String, i64, Vec<u8>, Option<Value>, Option<String>);

fn stored_events(case: &Path) -> Vec<Stored> {
    let case = Case::open_read_only(case).unwrap();
    let mut rows: Vec<Stored> = all_events(&case)
        .into_iter()
        .map(|row| {
            let event = row.normal.is_some().then(|| normal(&row));
            (row.file, row.line, row.raw, event, row.malformed)
        })
        .collect();
    rows.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    rows
}

/// Two Okta pulls (one gzipped, in folders of their month), a Microsoft 365 export and
/// a note, in `root`: the Okta files come first, so the folder is an Okta export whose
/// other files are skipped. Returns the truth of both pulls.
fn mixed_folder(root: &Path) -> (OktaTruth, OktaTruth) {
    std::fs::create_dir_all(root.join("okta/2026-01")).unwrap();
    std::fs::create_dir_all(root.join("okta/2026-02")).unwrap();
    std::fs::create_dir_all(root.join("purview")).unwrap();
    let january = write_okta(
        &root.join("okta/2026-01/system-log.json"),
        &OktaPlan {
            repeats: 5,
            ..OktaPlan::default()
        },
    )
    .unwrap();
    let plain = root.join("system-log-2.json");
    let february = write_okta(
        &plain,
        &OktaPlan {
            seed: 99,
            ..OktaPlan::default()
        },
    )
    .unwrap();
    std::fs::write(
        root.join("okta/2026-02/system-log.json.gz"),
        gzip(&std::fs::read(&plain).unwrap()),
    )
    .unwrap();
    std::fs::remove_file(plain).unwrap();
    write_purview(
        &root.join("purview/audit.csv"),
        &PurviewPlan {
            shape: PurviewShape::Classic,
            ..PurviewPlan::default()
        },
    )
    .unwrap();
    std::fs::write(root.join("readme.txt"), "Exported by the IT team.\n").unwrap();
    (january, february)
}

#[test]
fn a_zip_of_exports_of_several_formats_reads_exactly_as_the_folder_it_holds() {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("exports");
    let (january, february) = mixed_folder(&folder);
    let zip = temp.path().join("exports.zip");
    zip_folder(&folder, &zip, None);

    assert_eq!(
        detect(&folder).unwrap().map(|f| f.kind()),
        Some(SourceKind::Okta)
    );
    assert_eq!(
        detect(&zip).unwrap().map(|f| f.kind()),
        Some(SourceKind::Okta)
    );

    let (code, from_folder) = verify(&folder);
    assert_eq!(code, 4, "unverifiable: {from_folder:#}");
    let chain = &from_folder["chains"][0];
    // Each pull's repeats are counted once; the two pulls share no id.
    assert_eq!(chain["counts"]["records"], january.events + february.events);
    let skipped: Vec<&str> = findings(&from_folder, "file_skipped")
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["purview/audit.csv", "readme.txt"]);

    let (zip_code, from_zip) = verify(&zip);
    assert_eq!(zip_code, code, "{from_zip:#}");
    assert_eq!(from_zip["bundle"]["container"], "zip");
    assert_eq!(from_folder["bundle"]["container"], "directory");
    // Verdict, counts, dimensions, files and their SHA-256, every finding.
    assert_eq!(without_container(from_zip), without_container(from_folder));

    let mut imported = Vec::new();
    for (name, path) in [("folder", &folder), ("zip", &zip)] {
        let case = temp.path().join(format!("{name}.case"));
        import(&case, path);
        imported.push(stored_events(&case));
    }
    assert_eq!(
        imported[0].len() as u64,
        january.events + january.quarantined + february.events + february.quarantined
    );
    assert_eq!(imported[1], imported[0]);

    // Zipped as a folder is (everything under its name): the same events, each file
    // named from the archive's top.
    let under = temp.path().join("under.zip");
    zip_folder(&folder, &under, Some("exports"));
    let case = temp.path().join("under.case");
    import(&case, &under);
    let renamed: Vec<Stored> = imported[0]
        .iter()
        .map(|(file, line, raw, event, why)| {
            let file = format!("exports/{file}");
            (file, *line, raw.clone(), event.clone(), why.clone())
        })
        .collect();
    assert_eq!(stored_events(&case), renamed);
}

/// One export of each of the eight formats, written where `dir` says.
fn each_format(dir: &Path) -> Vec<(SourceKind, PathBuf, u64)> {
    std::fs::create_dir_all(dir).unwrap();
    let salesforce = dir.join("salesforce");
    vec![
        (
            SourceKind::Microsoft365,
            dir.join("audit.csv"),
            write_purview(&dir.join("audit.csv"), &PurviewPlan::default())
                .unwrap()
                .events,
        ),
        (
            SourceKind::EntraId,
            dir.join("entra.json"),
            write_entra(&dir.join("entra.json"), &EntraPlan::default())
                .unwrap()
                .events,
        ),
        (
            SourceKind::Okta,
            dir.join("okta.json"),
            write_okta(&dir.join("okta.json"), &OktaPlan::default())
                .unwrap()
                .events,
        ),
        (
            SourceKind::Kubernetes,
            dir.join("kube-audit.log"),
            write_kubernetes(&dir.join("kube-audit.log"), &KubernetesPlan::default())
                .unwrap()
                .events,
        ),
        (
            SourceKind::GitHub,
            dir.join("github.json"),
            write_github(&dir.join("github.json"), &GitHubPlan::default())
                .unwrap()
                .events,
        ),
        (
            SourceKind::GitLab,
            dir.join("gitlab.json"),
            write_gitlab(&dir.join("gitlab.json"), &GitLabPlan::default())
                .unwrap()
                .events,
        ),
        (
            SourceKind::GoogleWorkspace,
            dir.join("google.json"),
            write_google(&dir.join("google.json"), &GooglePlan::default())
                .unwrap()
                .events,
        ),
        (
            SourceKind::Salesforce,
            salesforce.clone(),
            write_salesforce(&salesforce, &SalesforcePlan::default())
                .unwrap()
                .events,
        ),
    ]
}

#[test]
fn each_of_the_eight_formats_zipped_in_a_subfolder_gzipped_or_not_reads_as_the_export() {
    let temp = tempfile::tempdir().unwrap();
    for (n, (kind, export, events)) in each_format(&temp.path().join("exports"))
        .into_iter()
        .enumerate()
    {
        let name = kind.as_str();
        let gzipped = n % 2 == 1;
        // The archive: the export (a file, or a folder's files) under `<kind>/`.
        let root = temp.path().join(format!("{name}-root"));
        let files = if export.is_dir() {
            files_under(&export)
        } else {
            let file = export.file_name().unwrap().to_str().unwrap().to_owned();
            vec![(file, export.clone())]
        };
        for (file, path) in files {
            let bytes = std::fs::read(path).unwrap();
            let (file, bytes) = if gzipped {
                (format!("{file}.gz"), gzip(&bytes))
            } else {
                (file, bytes)
            };
            let at = root.join(name).join(file);
            std::fs::create_dir_all(at.parent().unwrap()).unwrap();
            std::fs::write(at, bytes).unwrap();
        }
        let zip = temp.path().join(format!("{name}.zip"));
        zip_folder(&root, &zip, None);

        assert_eq!(
            detect(&zip).unwrap().map(|f| f.kind()),
            Some(kind),
            "{name}"
        );
        let (code, from_zip) = verify(&zip);
        let (export_code, from_export) = verify(&export);
        assert_eq!(code, export_code, "{name}: {from_zip:#}");
        assert_eq!(from_zip["verdict"], "unverifiable", "{name}");
        assert_eq!(from_zip["bundle"]["source"], name);
        assert_eq!(from_zip["chains"][0]["counts"]["records"], events, "{name}");
        // The same stream: counts, times, coverage and every dimension's words.
        assert_eq!(from_zip["chains"], from_export["chains"], "{name}");
        let kinds = |report: &Value| {
            let mut kinds: Vec<String> = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["kind"].as_str().unwrap().to_owned())
                .collect();
            kinds.sort();
            kinds
        };
        assert_eq!(kinds(&from_zip), kinds(&from_export), "{name}");
    }
}

#[test]
fn hostile_entries_are_reported_with_why_and_the_rest_imports() {
    let temp = tempfile::tempdir().unwrap();
    let export = temp.path().join("okta.json");
    let truth = write_okta(&export, &OktaPlan::default()).unwrap();
    let okta = std::fs::read(&export).unwrap();
    let zip = temp.path().join("hostile.zip");
    {
        let mut writer = zip::ZipWriter::new(std::fs::File::create(&zip).unwrap());
        let options = SimpleFileOptions::default();
        for (name, bytes) in [
            ("okta/system-log.json", &okta[..]),
            ("okta/../../../etc/cron.d/evil", b"* * * * * root sh\n"),
            ("/etc/okta.json", &okta[..]),
            ("okta/locked.json", &okta[..]),
            ("notes.txt", b"nothing to see\n"),
        ] {
            writer.start_file(name, options).unwrap();
            writer.write_all(bytes).unwrap();
        }
        writer
            .add_symlink("okta/passwd.json", "/etc/passwd", options)
            .unwrap();
        writer.finish().unwrap();
    }
    // Mark one entry encrypted (bit 0 of its flags: at 6 in the local header, at 8 in
    // the central one), as a password-protected archive does.
    let mut bytes = std::fs::read(&zip).unwrap();
    let (local, central) = headers(&bytes, "okta/locked.json");
    bytes[local + 6] |= 1;
    bytes[central + 8] |= 1;
    std::fs::write(&zip, &bytes).unwrap();

    let (code, report) = verify(&zip);
    assert_eq!(code, 4, "unverifiable, not refused: {report:#}");
    assert_eq!(report["chains"][0]["counts"]["records"], truth.events);
    let skipped: Vec<(&str, &str)> = findings(&report, "file_skipped")
        .iter()
        .map(|f| (f["file"].as_str().unwrap(), f["detail"].as_str().unwrap()))
        .collect();
    let reason_of = |file: &str| {
        skipped
            .iter()
            .find(|(f, _)| *f == file)
            .unwrap_or_else(|| panic!("{file} is not reported: {skipped:?}"))
            .1
    };
    for climbing in ["okta/../../../etc/cron.d/evil", "/etc/okta.json"] {
        assert!(
            reason_of(climbing).contains("could lead outside the folder"),
            "{skipped:?}"
        );
    }
    assert!(reason_of("okta/locked.json").contains("encrypted"));
    assert!(reason_of("okta/passwd.json").contains("symbolic link"));
    assert!(reason_of("notes.txt").contains("is not a Okta System Log export"));
    assert_eq!(skipped.len(), 5, "{skipped:?}");

    let case = temp.path().join("hostile.case");
    import(&case, &zip);
    let stored = stored_events(&case);
    assert_eq!(stored.len() as u64, truth.events);
    assert!(
        stored
            .iter()
            .all(|(file, ..)| file == "okta/system-log.json")
    );
}

#[test]
fn a_bomb_is_skipped_whether_it_declares_its_size_or_hides_it() {
    let temp = tempfile::tempdir().unwrap();
    let export = temp.path().join("okta.json");
    let truth = write_okta(&export, &OktaPlan::default()).unwrap();
    let okta = std::fs::read(&export).unwrap();
    let zeros = vec![0u8; 8 << 20];
    let zip = temp.path().join("bombs.zip");
    write_zip(
        &zip,
        &[
            ("okta/a-hidden.json", &zeros),
            ("okta/b-declared.json", &zeros),
            ("okta/system-log.json", &okta),
        ],
    );
    let mut bytes = std::fs::read(&zip).unwrap();
    // One says it holds 1,000 bytes and inflates to 8 MiB; the other says it holds
    // nearly 4 GiB from a few kilobytes.
    declare_size(&mut bytes, "okta/a-hidden.json", 1000);
    declare_size(&mut bytes, "okta/b-declared.json", 0xffff_fff0);
    std::fs::write(&zip, &bytes).unwrap();

    let (code, report) = verify(&zip);
    assert_eq!(code, 4, "{report:#}");
    assert_eq!(report["chains"][0]["counts"]["records"], truth.events);
    let detail = |file: &str| {
        findings(&report, "file_skipped")
            .into_iter()
            .find(|f| f["file"] == file)
            .unwrap_or_else(|| panic!("{file} is not reported: {report:#}"))["detail"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let hidden = detail("okta/a-hidden.json");
    assert!(hidden.contains("inflates past the 1000 bytes"), "{hidden}");
    let declared = detail("okta/b-declared.json");
    assert!(declared.contains("decompression bomb"), "{declared}");
    assert_eq!(count_kind(&report, "file_skipped"), 2);

    // An archive that holds nothing but a bomb is no export: refused, with a reason.
    let alone = temp.path().join("alone.zip");
    write_zip(&alone, &[("okta/b-declared.json", &zeros)]);
    let mut bytes = std::fs::read(&alone).unwrap();
    declare_size(&mut bytes, "okta/b-declared.json", 0xffff_fff0);
    std::fs::write(&alone, &bytes).unwrap();
    let output = run_trailscope(&["verify", alone.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("okta/b-declared.json"), "{stderr}");
}

#[test]
fn a_truncated_or_damaged_zip_is_refused_or_cut_off_with_a_reason() {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("exports");
    let (january, _) = mixed_folder(&folder);
    let zip = temp.path().join("exports.zip");
    zip_folder(&folder, &zip, None);
    let bytes = std::fs::read(&zip).unwrap();

    // Cut in half: the archive's directory, at its end, is gone.
    let cut = temp.path().join("cut.zip");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    for command in ["verify", "import"] {
        let case = temp.path().join("cut.case");
        let args = match command {
            "verify" => vec!["verify", cut.to_str().unwrap()],
            _ => vec![
                "import",
                "--case",
                case.to_str().unwrap(),
                cut.to_str().unwrap(),
            ],
        };
        let output = run_trailscope(&args);
        assert_eq!(output.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("not a readable ZIP archive"), "{stderr}");
    }

    // Damaged inside one entry, its directory whole: that file keeps what is whole
    // and says where it stopped; the others read whole.
    let name = "okta/2026-01/system-log.json";
    let (local, _) = headers(&bytes, name);
    let compressed = u32::from_le_bytes(bytes[local + 18..local + 22].try_into().unwrap());
    let data = local + 30 + name.len();
    let mut damaged = bytes.clone();
    let middle = data + compressed as usize * 2 / 3;
    damaged[middle..middle + 64].fill(0x55);
    let damaged_zip = temp.path().join("damaged.zip");
    std::fs::write(&damaged_zip, &damaged).unwrap();
    let (code, report) = verify(&damaged_zip);
    assert_eq!(code, 1, "a file cut off breaks the export: {report:#}");
    let cut_off = findings(&report, "file_cut_off");
    assert_eq!(cut_off.len(), 1, "{report:#}");
    assert_eq!(cut_off[0]["file"], name);
    let records = report["chains"][0]["counts"]["records"].as_u64().unwrap();
    let whole = verify(&zip).1["chains"][0]["counts"]["records"]
        .as_u64()
        .unwrap();
    assert!(records < whole, "{records} of {whole}");
    assert!(records > whole - january.events, "{records} of {whole}");
}

#[test]
fn a_zip_holding_no_export_is_refused_with_what_it_is() {
    let temp = tempfile::tempdir().unwrap();
    let zip = temp.path().join("notes.zip");
    write_zip(
        &zip,
        &[
            ("notes.txt", b"meeting notes\n"),
            ("photos/a.jpg", b"\xff\xd8\xff"),
        ],
    );
    assert!(detect(&zip).unwrap().is_none());
    let output = run_trailscope(&["verify", zip.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a format Trailscope knows"), "{stderr}");
    assert!(stderr.contains("ZIP archive"), "{stderr}");
    for looked_for in [
        "an audit bundle",
        "AWS CloudTrail evidence",
        "Okta System Log",
    ] {
        assert!(stderr.contains(looked_for), "{looked_for}: {stderr}");
    }
}
