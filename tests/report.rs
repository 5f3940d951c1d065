//! The auditor's report (`trailscope report`): made from real cases (a tampered, signed
//! bundle beside a mapped CSV whose name and events carry Cyrillic and CJK; a bundle
//! whose events carry hostile text), opened in real headless Chromium from Debian
//! (screenshot kept under target/report-test/, its DOM read back, printed to PDF), and
//! the engine's own PDF read back with poppler's `pdftotext`.
//!
//! Without `chromium` or `pdftotext` a test prints why it could not run and stops
//! (it has then proven nothing); with `CI` set, a missing tool fails it.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use trailscope::case::{Case, case_status, import_source};
use trailscope::query::view::MASK;
use trailscope::source::Mapping;
use trailscope::{FindingKind, VerifyOptions};

use crate::support::*;

const CYRILLIC: &str = "служба-аудита";
const CJK: &str = "審計サービス";
const MAPPED_NAME: &str = "журнал_审计.csv";

const ACTOR: &str = "<img src=x onerror=\"document.title='pwned-img'\">";
const RECORD: &str = "<script>document.title='pwned-script'</script>\u{202E}daolnwod";
/// Short enough (48 bytes as JSON) for a state discontinuity to quote it.
const BEFORE: &str = "<svg onload=alert('pwned')>";
const FOLDER: &str = "<b onmouseover=alert(1)>folder";

/// Whether `tool` can be run; if not, says so (or fails under CI).
fn have(tool: &str, package: &str) -> bool {
    let found = Command::new(tool).arg("-v").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is not installed and CI is set: scripts/setup.sh installs {package}"
        );
        eprintln!(
            "SKIPPED (proves nothing): {tool} is not installed; scripts/setup.sh installs {package}"
        );
    }
    found
}

/// Where the pictures a person looks at are kept: target/report-test/.
fn kept(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/report-test");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs headless Chromium on a local HTML file with `args`; its standard output.
fn chromium(html: &Path, profile: &Path, args: &[&str]) -> String {
    let output = Command::new("timeout")
        .arg("180")
        .arg("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("run chromium");
    assert!(
        output.status.success(),
        "chromium {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("chromium writes UTF-8")
}

fn pdftotext(pdf: &Path) -> String {
    let output = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(
        output.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Text with every whitespace character removed: lines wrap differently in each
/// reader, the words do not.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// `trailscope report --json` of `case` into `dir`: (its JSON, the HTML, the PDF path).
fn report(case: &Path, dir: &Path, name: &str) -> (Value, String, PathBuf) {
    let html = dir.join(format!("{name}.html"));
    let pdf = dir.join(format!("{name}.pdf"));
    let output = run_trailscope(&[
        "report",
        "--case",
        case.to_str().unwrap(),
        "--out",
        html.to_str().unwrap(),
        "--pdf",
        pdf.to_str().unwrap(),
        "--retention",
        "90d",
        "--json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let said: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(!html.with_extension("html.partial").exists());
    (said, std::fs::read_to_string(&html).unwrap(), pdf)
}

const MAPPING: &str = r#"
name = "Acme ERP audit export"
[time]
format = "%Y-%m-%d %H:%M:%S"
timezone = "UTC"
[fields]
id = { hash_of_record = true }
ts = "When"
"actor.id" = "Who"
"actor.name" = "Name"
"actor.type" = { value = "user" }
action = "What"
"target.type" = { value = "Order" }
"target.id" = "Order"
"#;

/// A signed bundle of 40 events: one event's actor type is Cyrillic and CJK (a
/// warning naming it), then line 12 is changed without its hash (broken); beside it a
/// CSV whose name is Cyrillic and CJK, read through a mapping (unverifiable).
fn tampered_case(dir: &Path) -> PathBuf {
    let fixture = Fixture::generated(40, 1);
    let mut lines = fixture.lines();
    lines[29] = edit(&lines[29], |e| {
        e["actor"]["type"] = json!(format!("{CYRILLIC} {CJK}"))
    });
    fixture.write_lines(&relink(&lines));
    fixture.reseal(Some(&test_key()));
    let mut lines = fixture.lines();
    lines[11] = edit(&lines[11], |e| e["reason"] = json!("edited after the fact"));
    fixture.write_lines(&lines);

    let csv = dir.join(MAPPED_NAME);
    std::fs::write(
        &csv,
        "When,Who,Name,What,Order\r\n\
         2026-01-05 09:00:00,ivan,Иван Петров,order.updated,1842\r\n\
         2026-01-05 09:30:00,mei,王美,order.updated,1843\r\n",
    )
    .unwrap();
    let case_path = dir.join("investigation.case");
    import_into(&case_path, &fixture.dir);
    let mut case = Case::open(&case_path).unwrap();
    import_source(
        &mut case,
        &csv,
        Some(&Mapping::parse(MAPPING).unwrap()),
        &VerifyOptions::default(),
        IMPORTED_AT,
        &mut |_| std::ops::ControlFlow::Continue(()),
    )
    .unwrap();
    case_path
}

#[test]
fn a_report_of_a_tampered_bundle_opens_in_chromium_prints_and_its_pdf_reads_back() {
    let temp = tempfile::tempdir().unwrap();
    let case_path = tampered_case(temp.path());
    let (said, html, pdf) = report(&case_path, temp.path(), "report");
    assert_eq!(said["verdict"], "broken");
    assert_eq!(said["written"][1]["font"], "DejaVu Sans", "{said}");

    // The truth, read from the case apart from the report.
    let case = Case::open_read_only(&case_path).unwrap();
    let status = case_status(&case).unwrap();
    let groups = trailscope::query::finding_groups(status.findings.clone());
    let kinds: Vec<FindingKind> = status.findings.iter().map(|f| f.kind).collect();
    assert!(kinds.contains(&FindingKind::UnknownActorType), "{kinds:?}");
    let tampered = status
        .findings
        .iter()
        .find(|f| f.severity == trailscope::verify::Severity::Break && f.seq == Some(12))
        .expect("a breaking finding at the edited event");

    assert!(html.contains("Overall verdict: Broken"));
    assert!(!html.contains("<script"));
    for group in &groups {
        assert!(
            html.contains(&trailscope::report::html::escape(&group.message)),
            "{}",
            group.message
        );
    }

    if have("chromium", "chromium") {
        let profile = temp.path().join("chromium-profile");
        let dom = chromium(&temp.path().join("report.html"), &profile, &["--dump-dom"]);
        assert!(dom.contains("Overall verdict: Broken"), "{dom}");
        assert!(!dom.to_lowercase().contains("<script"));
        assert!(dom.contains(MAPPED_NAME) && dom.contains(CJK));

        let screenshot = kept("tampered-report.png");
        let _ = std::fs::remove_file(&screenshot);
        chromium(
            &temp.path().join("report.html"),
            &profile,
            &[
                &format!("--screenshot={}", screenshot.display()),
                "--window-size=1100,3000",
            ],
        );
        let png = std::fs::read(&screenshot).expect("the screenshot was written");
        assert!(png.starts_with(b"\x89PNG") && png.len() > 50_000);
        eprintln!("screenshot of the report: {}", screenshot.display());

        let printed = kept("tampered-report-printed.pdf");
        let _ = std::fs::remove_file(&printed);
        chromium(
            &temp.path().join("report.html"),
            &profile,
            &[
                &format!("--print-to-pdf={}", printed.display()),
                "--no-pdf-header-footer",
            ],
        );
        if have("pdftotext", "poppler-utils") {
            let text = pdftotext(&printed);
            let pages = text.split('\u{c}').filter(|p| !p.trim().is_empty()).count();
            // The title page, then every major section on a page of its own.
            assert!(pages >= 5, "{pages} pages printed");
            assert!(squeezed(&text).contains(&squeezed("Overall verdict: Broken")));
            eprintln!("the report as Chromium prints it: {}", printed.display());
        }
    }

    if have("pdftotext", "poppler-utils") {
        let text = pdftotext(&pdf);
        let flat = squeezed(&text);
        let n_pages = said["written"][1]["pages"].as_u64().unwrap();
        assert!(text.contains(&format!("Page 1 of {n_pages}")));
        assert!(text.contains(&format!("Page {n_pages} of {n_pages}")));
        for words in [
            "Overall verdict: Broken",
            "NOT PROVEN",
            "Unverifiable",
            "Breaks the trail",
        ] {
            assert!(flat.contains(&squeezed(words)), "{words} in\n{text}");
        }
        for group in &groups {
            assert!(
                flat.contains(&squeezed(&group.message)),
                "{}\nnot in\n{text}",
                group.message
            );
        }
        assert!(flat.contains(&squeezed(&tampered.message)));
        let kept_pdf = kept("tampered-report.pdf");
        std::fs::copy(&pdf, &kept_pdf).unwrap();
        eprintln!("the engine's PDF: {}", kept_pdf.display());
        // Non-Latin text from an event and a file name: extracted as it is.
        for non_latin in [CYRILLIC, CJK, MAPPED_NAME] {
            assert!(flat.contains(non_latin), "{non_latin} in\n{text}");
        }
    }
}

/// The newest update event whose record was changed before, made hostile: its actor's
/// name and type, its record's name and a `before` value that disagrees with what
/// earlier events left (a state discontinuity quoting it). Returns the bundle and the
/// field changed.
fn hostile_bundle(dir: &Path) -> (PathBuf, String) {
    let fixture = Fixture::generated(120, 1);
    let mut lines = fixture.lines();
    let events: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (at, field) = (0..events.len())
        .rev()
        .find_map(|i| {
            let event = &events[i];
            let before = event.get("before")?.as_object()?;
            let field = before
                .iter()
                .find(|(_, v)| v.is_string())
                .map(|(k, _)| k.clone())?;
            let target = &event["target"];
            let earlier = events[..i].iter().any(|e| {
                e["target"] == *target && e.get("after").and_then(|a| a.get(&field)).is_some()
            });
            earlier.then_some((i, field))
        })
        .expect("an update of a record changed before");
    lines[at] = edit(&lines[at], |e| {
        e["actor"]["name"] = json!(ACTOR);
        e["actor"]["type"] = json!(ACTOR);
        e["target"]["name"] = json!(RECORD);
        e["before"][&field] = json!(BEFORE);
    });
    fixture.write_lines(&relink(&lines));
    fixture.reseal(Some(&test_key()));
    let folder = dir.join(FOLDER);
    std::fs::rename(&fixture.dir, &folder).unwrap();
    (folder, field)
}

#[test]
fn hostile_event_text_is_escaped_in_the_report_inert_in_chromium_and_masked_when_asked() {
    let temp = tempfile::tempdir().unwrap();
    let (bundle, field) = hostile_bundle(temp.path());
    let case_path = temp.path().join("hostile.case");
    import_into(&case_path, &bundle);
    {
        // The payloads did reach the case's findings: the report has them to show.
        let case = Case::open_read_only(&case_path).unwrap();
        let status = case_status(&case).unwrap();
        let quoted: Vec<&str> = status
            .findings
            .iter()
            .map(|f| f.message.as_str())
            .filter(|m| m.contains("<svg onload") || m.contains("<img src=x"))
            .collect();
        assert!(quoted.len() >= 2, "{:#?}", status.findings);
    }

    let (_, html, pdf) = report(&case_path, temp.path(), "hostile");
    for payload in ["<img", "<svg", "<b ", "<script"] {
        assert!(!html.contains(payload), "{payload} unescaped in the HTML");
    }
    assert!(!html.contains(" onerror=\"") && !html.contains(" onload=\""));
    assert!(
        html.contains("&lt;svg onload=alert(&#39;pwned&#39;)&gt;")
            && html.contains("&lt;b onmouseover=alert(1)&gt;folder")
    );

    if have("chromium", "chromium") {
        let profile = temp.path().join("chromium-profile");
        let dom = chromium(&temp.path().join("hostile.html"), &profile, &["--dump-dom"]);
        let lower = dom.to_lowercase();
        for element in ["<img", "<svg", "<script", "<b "] {
            assert!(
                !lower.contains(element),
                "{element} became an element:\n{dom}"
            );
        }
        assert!(dom.contains("<title>Audit log examination report</title>"));
        // Shown as the same characters: the serialised DOM escapes them again.
        assert!(dom.contains("&lt;svg onload=alert('pwned')&gt;"), "{dom}");
        let screenshot = kept("hostile-report.png");
        let _ = std::fs::remove_file(&screenshot);
        chromium(
            &temp.path().join("hostile.html"),
            &profile,
            &[
                &format!("--screenshot={}", screenshot.display()),
                "--window-size=1100,2400",
            ],
        );
        assert!(std::fs::read(&screenshot).unwrap().starts_with(b"\x89PNG"));
        eprintln!("screenshot of the hostile report: {}", screenshot.display());
    }
    if have("pdftotext", "poppler-utils") {
        let flat = squeezed(&pdftotext(&pdf));
        assert!(flat.contains(&squeezed(BEFORE)), "{flat}");
        assert!(flat.contains(&squeezed(FOLDER)));
    }

    // Masking the field hides its value everywhere in the report; the finding stays.
    let mut case = Case::open(&case_path).unwrap();
    case.set_masked_fields(std::slice::from_ref(&field), &[])
        .unwrap();
    drop(case);
    let (_, masked_html, masked_pdf) = report(&case_path, temp.path(), "masked");
    assert!(
        !masked_html.contains("svg onload"),
        "the masked value leaked"
    );
    assert!(masked_html.contains(&format!("field {field}")));
    assert!(masked_html.contains(&format!("left {MASK}, this event")));
    if have("pdftotext", "poppler-utils") {
        let text = pdftotext(&masked_pdf);
        assert!(!text.contains("svg onload"));
        assert!(text.contains(MASK));
    }
}

#[test]
fn the_report_is_never_written_over_the_case_and_a_bad_retention_is_refused() {
    let temp = tempfile::tempdir().unwrap();
    let fixture = Fixture::generated(10, 1);
    let case_path = temp.path().join("c.case");
    import_into(&case_path, &fixture.dir);
    let before = std::fs::read(&case_path).unwrap();
    let case = case_path.to_str().unwrap();
    let out = temp.path().join("r.html");
    let out = out.to_str().unwrap();
    for args in [
        vec!["report", "--case", case, "--out", case],
        vec!["report", "--case", case, "--out", out, "--pdf", case],
        vec!["report", "--case", case, "--out", out, "--pdf", out],
        vec![
            "report",
            "--case",
            case,
            "--out",
            out,
            "--retention",
            "7 years",
        ],
    ] {
        let output = run_trailscope(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!String::from_utf8_lossy(&output.stderr).is_empty());
        assert!(!Path::new(out).exists(), "{args:?} wrote a report");
    }
    assert_eq!(
        std::fs::read(&case_path).unwrap(),
        before,
        "the case changed"
    );
}

/// The reviewer's work in the report: starred and tagged events with their notes (a
/// note in Cyrillic and CJK, and one holding markup), saved searches with their counts,
/// the custody receipts with each file's SHA-256, and the journal with its head.
#[test]
fn the_report_holds_the_reviewers_marks_searches_receipts_and_journal() {
    let temp = tempfile::tempdir().unwrap();
    let fixture = crate::support::Fixture::generated(30, 1);
    let case = temp.path().join("case.sqlite");
    let c = case.to_str().unwrap();
    let keys = crate::support::trusted_keys_path();
    let imported = run_trailscope(&[
        "import",
        "--case",
        c,
        "--trusted-keys",
        keys.to_str().unwrap(),
        fixture.dir.to_str().unwrap(),
    ]);
    assert_eq!(imported.status.code(), Some(0));
    let first = fixture.event(3)["id"].as_str().unwrap().to_owned();
    let second = fixture.event(17)["id"].as_str().unwrap().to_owned();
    let note = format!("Confirmed with {CYRILLIC} / {CJK}");
    for args in [
        vec!["star", "--case", c, &first],
        vec!["note", "--case", c, &first, "--text", &note],
        vec!["tag", "--case", c, &second, "--tag", "follow-up"],
        vec!["note", "--case", c, &second, "--text", BEFORE],
        vec![
            "search",
            "save",
            "--case",
            c,
            "Follow-ups",
            "--tag",
            "follow-up",
        ],
    ] {
        let output = run_trailscope(&args);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let journal = run_trailscope(&["journal", "--case", c, "--json"]);
    let head: Value = serde_json::from_slice(&journal.stdout).unwrap();
    let head = head["head_hash"].as_str().unwrap().to_owned();
    let events_sha = trailscope::canonical::to_hex(&trailscope::canonical::sha256(
        &std::fs::read(fixture.events_path()).unwrap(),
    ));

    let (_, html, pdf) = report(&case, temp.path(), "work");
    assert!(html.contains("What the reviewer marked"));
    assert!(html.contains(&note), "the note is in the HTML");
    assert!(!html.contains(BEFORE), "a note's markup is escaped");
    assert!(html.contains("&lt;svg onload=alert(&#39;pwned&#39;)&gt;") || html.contains("&lt;svg"));
    assert!(html.contains("Follow-ups"));
    assert!(
        html.contains(&events_sha),
        "the receipt lists the file's SHA-256"
    );
    assert!(
        html.contains(&head),
        "the journal head ties the report to the case"
    );
    assert!(
        html.contains("Maria") || html.contains("starred the event"),
        "journal entries are listed"
    );

    if have("chromium", "chromium") {
        let dom = chromium(
            &temp.path().join("work.html"),
            &temp.path().join("profile"),
            &["--dump-dom"],
        );
        assert!(dom.contains("What the reviewer marked"));
        assert!(
            !dom.contains("<svg"),
            "the note's markup is text in the page"
        );
        chromium(
            &temp.path().join("work.html"),
            &temp.path().join("profile"),
            &[
                &format!("--screenshot={}", kept("work-report.png").display()),
                "--window-size=1100,1600",
            ],
        );
    }
    std::fs::copy(&pdf, kept("work-report.pdf")).unwrap();
    if have("pdftotext", "poppler-utils") {
        // In the order it was drawn (-raw), so a table cell's lines stay together
        // (-layout interleaves the lines of cells side by side).
        let output = Command::new("pdftotext")
            .args(["-raw", "-enc", "UTF-8"])
            .arg(&pdf)
            .arg("-")
            .output()
            .expect("run pdftotext");
        let text = squeezed(&String::from_utf8(output.stdout).unwrap());
        assert!(
            text.contains(&squeezed("Verified")),
            "the verdict is in the PDF"
        );
        assert!(
            text.contains(&squeezed(&note)),
            "the starred event's note is in the PDF"
        );
        assert!(text.contains("follow-up"));
        for id in [&first, &second] {
            let row = fixture
                .lines()
                .iter()
                .position(|l| l.contains(id.as_str()))
                .unwrap()
                + 1;
            assert!(
                text.contains(&squeezed(&format!("line {row} of events.jsonl"))),
                "the marked event on line {row} is in the PDF"
            );
        }
        assert!(text.contains(&head[..32]), "the journal head is in the PDF");
    }
}

/// `report::write_files`, the one writer the CLI and the app share: both files are
/// written and described by their own bytes (size and SHA-256 computed here from what
/// is on disk), the journal entry names them, and a target that is the case itself or
/// one file for both formats is refused before anything is written.
#[test]
fn the_engine_writes_both_files_says_what_it_wrote_and_refuses_the_case() {
    use trailscope::case::Subject;
    use trailscope::report::{ReportOptions, write_files};

    let temp = tempfile::tempdir().unwrap();
    let fixture = Fixture::generated(12, 1);
    let case_path = temp.path().join("w.case");
    import_into(&case_path, &fixture.dir);
    let reviewer = trailscope::reviewer::Reviewer::from_key(
        "Maria Lopez",
        trailscope::produce::SigningKeyFile::from_seed("reviewer-maria", [0x4d; 32]),
    );
    {
        let mut case = Case::open(&case_path).unwrap();
        case.set_reviewer(reviewer.clone());
        let first = all_events(&case)[0].event_idx;
        case.star(&Subject::Event(first), true).unwrap();
    }
    let case_bytes = std::fs::read(&case_path).unwrap();
    let case = Case::open_read_only(&case_path).unwrap();
    let options = ReportOptions {
        made_at: chrono::DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap(),
        retention_days: None,
    };

    let html = temp.path().join("r.html");
    let pdf = temp.path().join("r.pdf");
    let written = write_files(&case, Some(&reviewer), &html, Some(&pdf), &options).unwrap();
    let truth = case_status(&case).unwrap().verdict();
    assert_eq!(written.verdict, truth);
    let sha = |bytes: &[u8]| trailscope::canonical::to_hex(&trailscope::canonical::sha256(bytes));
    let html_bytes = std::fs::read(&html).unwrap();
    let pdf_bytes = std::fs::read(&pdf).unwrap();
    assert_eq!(written.html.path, html);
    assert_eq!(written.html.bytes, html_bytes.len() as u64);
    assert_eq!(written.html.sha256, sha(&html_bytes));
    let written_pdf = written.pdf.as_ref().expect("a PDF was asked for");
    assert_eq!(written_pdf.file.bytes, pdf_bytes.len() as u64);
    assert_eq!(written_pdf.file.sha256, sha(&pdf_bytes));
    assert!(pdf_bytes.starts_with(b"%PDF-"));
    assert!(written_pdf.pages >= 1);
    let page = String::from_utf8(html_bytes).unwrap();
    // A signed bundle, untouched, imported trusting its key.
    assert_eq!(truth, trailscope::Verdict::Verified);
    assert!(page.contains("Overall verdict: Verified"));
    let head = written
        .journal_head
        .as_deref()
        .expect("the star was journaled");
    assert!(page.contains(head), "the journal head is on the title page");

    let entry = written.journal_entry();
    assert_eq!(entry.action, "report.written");
    assert_eq!(entry.context["out"], html.display().to_string());
    assert_eq!(entry.context["pdf"], pdf.display().to_string());
    assert_eq!(entry.context["journal_head"], head);
    assert_eq!(entry.context["files"][0]["sha256"], sha(page.as_bytes()));
    assert_eq!(entry.context["files"][1]["sha256"], sha(&pdf_bytes));
    assert_eq!(entry.context["files"][1]["pages"], written_pdf.pages);

    // Refused: the case as either target, and one file for both formats.
    let other = temp.path().join("other.html");
    for (html, pdf) in [
        (case_path.as_path(), None),
        (other.as_path(), Some(case_path.as_path())),
        (other.as_path(), Some(other.as_path())),
    ] {
        let refused = write_files(&case, Some(&reviewer), html, pdf, &options);
        assert!(
            matches!(refused, Err(trailscope::Error::Invalid(_))),
            "{html:?} {pdf:?}: {refused:?}"
        );
    }
    assert!(!other.exists(), "a refused report wrote a file");
    drop(case);
    assert_eq!(
        std::fs::read(&case_path).unwrap(),
        case_bytes,
        "the case changed"
    );
}
