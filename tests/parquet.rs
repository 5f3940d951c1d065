//! `trailscope export --format parquet`: a generated case exported through the real
//! binary and read back with DuckDB (Python, from target/py or TRAILSCOPE_PYTHON), its
//! counts checked against the engine's own, its partitions against the events' days,
//! its raw-record hashes against the records; and a folder that is not empty refused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use trailscope::case::Case;
use trailscope::query::{self, EventFilter};

use crate::support::{Fixture, import_into, run_trailscope};

/// The Python that has DuckDB: TRAILSCOPE_PYTHON, else `<repo>/target/py/bin/python`
/// (made by scripts/setup.sh). Fails, never skips, when DuckDB cannot be imported.
fn python_with_duckdb() -> PathBuf {
    let python = std::env::var_os("TRAILSCOPE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/py/bin/python"));
    let check = std::process::Command::new(&python)
        .args(["-c", "import duckdb"])
        .output();
    match check {
        Ok(output) if output.status.success() => python,
        Ok(output) => panic!(
            "DuckDB is not importable by {}: {}\nRun scripts/setup.sh (it makes the venv \
             target/py with duckdb) or set TRAILSCOPE_PYTHON to a Python that has duckdb.",
            python.display(),
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(e) => panic!(
            "cannot run {} ({e}); run scripts/setup.sh (it makes the venv target/py with \
             duckdb) or set TRAILSCOPE_PYTHON to a Python that has duckdb",
            python.display()
        ),
    }
}

/// Runs `script` (given the export folder as argv[1]) with DuckDB's Python; the JSON it
/// prints.
fn duckdb(dir: &Path, script: &str) -> Value {
    let output = std::process::Command::new(python_with_duckdb())
        .arg("-c")
        .arg(script)
        .arg(dir)
        .output()
        .expect("run python");
    assert!(
        output.status.success(),
        "the DuckDB script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "the DuckDB script printed no JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

const READ_BACK: &str = r#"
import json, sys, duckdb
d = sys.argv[1]
src = f"read_parquet('{d}/*/*.parquet', hive_partitioning=true)"
con = duckdb.connect()
q = lambda sql: con.execute(sql.replace("SRC", src)).fetchall()
out = {}
out["rows"] = q("SELECT count(*) FROM SRC")[0][0]
out["actors"] = {a: n for a, n in q(
    "SELECT actor_id, count(*) FROM SRC WHERE NOT omitted AND actor_id IS NOT NULL GROUP BY 1")}
out["types"] = {c: t for c, t, *_ in q("DESCRIBE SELECT * FROM SRC")}
# Every row's day (UTC, from its ms) beside the folder it is in.
out["days"] = [[str(day), lo, hi, n] for day, lo, hi, n in q(
    "SELECT date, min(epoch_ms(ts)), max(epoch_ms(ts)), count(*) FROM SRC GROUP BY 1 ORDER BY 1")]
out["bad_hashes"] = q(
    "SELECT count(*) FROM SRC WHERE raw IS NOT NULL AND sha256(raw) <> raw_sha256")[0][0]
out["hashed"] = q("SELECT count(*) FROM SRC WHERE raw IS NOT NULL")[0][0]
row = q("SELECT raw, raw_sha256, event_id, epoch_ms(ts), line, verified FROM SRC ORDER BY ts, line LIMIT 1")[0]
out["first"] = {"raw": row[0], "raw_sha256": row[1], "event_id": row[2], "ts": row[3],
                "line": row[4], "verified": row[5]}
print(json.dumps(out))
"#;

const FILTERED: &str = r#"
import json, sys, duckdb
d, action, day = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect()
n = con.execute(
    f"SELECT count(*) FROM read_parquet('{d}/*/*.parquet', hive_partitioning=true) "
    "WHERE action = ? AND date = ? AND NOT omitted", [action, day]).fetchone()[0]
print(json.dumps(n))
"#;

const DAY_MS: i64 = 86_400_000;

fn day_of(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string()
}

fn export_parquet(case: &Path, out: &Path) -> std::process::Output {
    run_trailscope(&[
        "export",
        "--case",
        case.to_str().unwrap(),
        "--format",
        "parquet",
        "--out",
        out.to_str().unwrap(),
    ])
}

#[test]
fn parquet_export_reads_back_in_duckdb_as_the_engine_counts() {
    // Several thousand events: the generator's days run from a Monday morning.
    let fixture = Fixture::generated(10_000, 2);
    let case_path = fixture.temp.path().join("case.trailscope");
    import_into(&case_path, &fixture.dir);
    let out = fixture.temp.path().join("parquet");
    let output = export_parquet(&case_path, &out);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let case = Case::open_read_only(&case_path).unwrap();
    let mut all = 0u64;
    let mut first: Option<query::EventRow> = None;
    let mut days: BTreeMap<String, u64> = BTreeMap::new();
    query::for_each_event(&case, &EventFilter::default(), |row| {
        all += 1;
        *days.entry(day_of(row.ts.unwrap())).or_default() += 1;
        first.get_or_insert(row);
        Ok(())
    })
    .unwrap();
    assert_eq!(all, 10_000);
    assert!(days.len() >= 3, "the events span several days: {days:?}");

    // The layout: one folder a day, one file in each.
    let mut folders: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    folders.sort();
    let expected: Vec<String> = days.keys().map(|d| format!("date={d}")).collect();
    assert_eq!(folders, expected);
    for folder in &folders {
        let files: Vec<String> = std::fs::read_dir(out.join(folder))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(files, ["part-00000.parquet"], "{folder}");
    }
    // Nothing left beside it.
    let siblings: Vec<String> = std::fs::read_dir(fixture.temp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.contains("partial"))
        .collect();
    assert!(siblings.is_empty(), "{siblings:?}");

    let read = duckdb(&out, READ_BACK);
    assert_eq!(read["rows"], all);

    // Actor counts: DuckDB's equal the engine's, actor by actor.
    let engine: BTreeMap<String, u64> = query::list_actors(&case)
        .unwrap()
        .into_iter()
        .map(|actor| {
            let filter = EventFilter {
                actors: vec![actor.actor_id.clone()],
                ..EventFilter::default()
            };
            let n = query::count_events(&case, &filter).unwrap();
            assert_eq!(n, actor.n_events as u64, "{}", actor.actor_id);
            (actor.actor_id, n)
        })
        .collect();
    let parquet: BTreeMap<String, u64> = read["actors"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(actor, n)| (actor.clone(), n.as_u64().unwrap()))
        .collect();
    assert!(engine.len() > 1);
    assert_eq!(parquet, engine);

    // Types: ts a UTC timestamp, verified a boolean, the rest as documented.
    let types = &read["types"];
    assert_eq!(types["ts"], "TIMESTAMP WITH TIME ZONE");
    assert_eq!(types["verified"], "BOOLEAN");
    assert_eq!(types["seq"], "BIGINT");
    assert_eq!(types["raw"], "VARCHAR");
    assert_eq!(types["raw_bytes"], "BLOB");

    // Each partition holds exactly its UTC day's events.
    let mut seen = BTreeMap::new();
    for entry in read["days"].as_array().unwrap() {
        let day = entry[0].as_str().unwrap().to_owned();
        let (lo, hi) = (entry[1].as_i64().unwrap(), entry[2].as_i64().unwrap());
        assert_eq!(day_of(lo), day);
        assert_eq!(day_of(hi), day);
        assert!(hi - lo < DAY_MS);
        seen.insert(day, entry[3].as_u64().unwrap());
    }
    assert_eq!(seen, days);

    // The record hashes: every row's raw re-hashes to its raw_sha256 (in DuckDB), and
    // the first row's, checked here too, is its record's.
    assert_eq!(read["bad_hashes"], 0);
    assert_eq!(read["hashed"], all);
    let first = first.unwrap();
    let raw = read["first"]["raw"].as_str().unwrap();
    assert_eq!(raw.as_bytes(), first.raw.as_slice());
    assert_eq!(
        read["first"]["raw_sha256"].as_str().unwrap(),
        trailscope::canonical::to_hex(&trailscope::canonical::sha256(raw.as_bytes()))
    );
    assert_eq!(read["first"]["event_id"].as_str(), first.id.as_deref());
    assert_eq!(read["first"]["ts"].as_i64(), first.ts);
    assert_eq!(read["first"]["line"].as_i64(), Some(first.line));
    assert_eq!(read["first"]["verified"].as_bool(), Some(first.verified()));
    assert_eq!(read["first"]["verified"].as_bool(), Some(true));

    // A filtered count: one action on one day, as the engine counts it.
    let day = days.keys().nth(1).unwrap().clone();
    let since = super::support::millis(&format!("{day}T00:00:00Z"));
    let action = first.action.clone().unwrap();
    let filter = EventFilter {
        action: Some(action.clone()),
        since: Some(since),
        until: Some(since + DAY_MS),
        ..EventFilter::default()
    };
    let expected = query::count_events(&case, &filter).unwrap();
    assert!(expected > 0, "{action} on {day}");
    let output = std::process::Command::new(python_with_duckdb())
        .arg("-c")
        .arg(FILTERED)
        .args([out.to_str().unwrap(), &action, &day])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let counted: u64 = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(counted, expected);

    // The export is journaled as the others are: its format, filter and count.
    let connection = rusqlite::Connection::open(&case_path).unwrap();
    let lines: Vec<String> = connection
        .prepare("SELECT CAST(line AS TEXT) FROM journal ORDER BY seq")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let exported: Vec<Value> = lines
        .iter()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|entry| entry.to_string().contains("events.exported"))
        .collect();
    assert_eq!(exported.len(), 1, "{lines:?}");
    let text = exported[0].to_string();
    assert!(text.contains("\"format\":\"parquet\""), "{text}");
    assert!(text.contains("\"count\":10000"), "{text}");
    assert!(text.contains("part-00000.parquet"), "{text}");
}

#[test]
fn parquet_export_refuses_a_folder_that_is_not_empty() {
    let fixture = Fixture::generated(50, 1);
    let case_path = fixture.temp.path().join("case.trailscope");
    import_into(&case_path, &fixture.dir);
    let out = fixture.temp.path().join("busy");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();

    let output = export_parquet(&case_path, &out);
    assert_ne!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not an empty folder"), "{stderr}");
    let inside: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(inside, ["notes.txt"]);
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    let partial: Vec<String> = std::fs::read_dir(fixture.temp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.contains("partial"))
        .collect();
    assert!(partial.is_empty(), "{partial:?}");

    // A file is refused as well; an empty folder is written into.
    let file = fixture.temp.path().join("file.parquet");
    std::fs::write(&file, "x").unwrap();
    assert_ne!(export_parquet(&case_path, &file).status.code(), Some(0));
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
    let empty = fixture.temp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let output = export_parquet(&case_path, &empty);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(std::fs::read_dir(&empty).unwrap().next().is_some());
}

#[test]
fn parquet_export_puts_timeless_lines_in_the_null_partition_and_respects_masking() {
    use sha2::{Digest, Sha256};
    let f = Fixture::generated(200, 1);
    let mut lines = f.lines();
    let garbage = "{\"action\": \"order.updated\", this is not JSON".to_owned();
    lines.insert(10, garbage.clone()); // line 11: quarantined, no time
    lines.insert(20, "NOT_UTF8".to_owned()); // line 21: not UTF-8 either
    f.write_lines(&lines);
    let not_utf8: &[u8] = b"{\"action\": \"\xff\xfe\"}";
    let bytes = std::fs::read(f.events_path()).unwrap();
    let at = bytes.windows(8).position(|w| w == b"NOT_UTF8").unwrap();
    let bytes = [&bytes[..at], not_utf8, &bytes[at + 8..]].concat();
    std::fs::write(f.events_path(), &bytes).unwrap();
    let mut manifest = f.manifest();
    manifest["files"][0]["sha256"] = serde_json::json!(trailscope::canonical::to_hex(
        Sha256::digest(&bytes).as_slice()
    ));
    manifest["files"][0]["bytes"] = serde_json::json!(bytes.len());
    trailscope::produce::sign_manifest(&mut manifest, &crate::support::test_key());
    f.write_manifest(&manifest);
    let case_path = f.temp.path().join("case.trailscope");
    import_into(&case_path, &f.dir);

    let unmasked = f.temp.path().join("unmasked");
    assert_eq!(export_parquet(&case_path, &unmasked).status.code(), Some(0));
    assert!(
        unmasked
            .join("date=__HIVE_DEFAULT_PARTITION__/part-00000.parquet")
            .is_file()
    );
    let read = duckdb(
        &unmasked,
        r#"
import json, sys, duckdb
src = f"read_parquet('{sys.argv[1]}/*/*.parquet', hive_partitioning=true)"
rows = duckdb.sql(f"""SELECT date IS NULL, ts IS NULL, malformed, line, raw, raw_sha256,
  sha256(coalesce(raw::BLOB, raw_bytes)), hex(raw_bytes) FROM {src} WHERE date IS NULL ORDER BY line""").fetchall()
print(json.dumps([list(r) for r in rows]))
"#,
    );
    let rows = read.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{read}");
    for row in rows {
        assert_eq!(row[0], true);
        assert_eq!(row[1], true);
        assert!(row[2].is_string(), "a reason: {read}");
        assert_eq!(row[5], row[6], "the record re-hashes: {read}");
    }
    assert_eq!(rows[0][3], 11);
    assert_eq!(rows[0][4], garbage.as_str());
    assert_eq!(rows[0][7], Value::Null);
    // Not UTF-8: kept as bytes, in raw_bytes, with raw null.
    assert_eq!(rows[1][3], 21);
    assert_eq!(rows[1][4], Value::Null);
    let hex: String = not_utf8.iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(rows[1][7], hex.as_str());
    assert_eq!(
        rows[1][5],
        trailscope::canonical::to_hex(&trailscope::canonical::sha256(not_utf8)).as_str()
    );

    // Masked names: hidden as the CSV export hides them, and the records withheld.
    let output = run_trailscope(&[
        "mask",
        "--case",
        case_path.to_str().unwrap(),
        "--add",
        "name",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let masked = f.temp.path().join("masked");
    assert_eq!(export_parquet(&case_path, &masked).status.code(), Some(0));
    let read = duckdb(
        &masked,
        r#"
import json, sys, duckdb
src = f"read_parquet('{sys.argv[1]}/*/*.parquet', hive_partitioning=true)"
print(json.dumps(duckdb.sql(f"""SELECT count(*), count(actor_name), count(DISTINCT actor_name),
  min(actor_name), count(raw), count(raw_bytes), bool_and(raw_withheld), count(raw_sha256)
  FROM {src}""").fetchall()[0]))
"#,
    );
    let all = lines.len() as u64;
    assert_eq!(read[0], all);
    assert!(read[1].as_u64().unwrap() > 0);
    assert_eq!(read[2], 1, "{read}");
    assert_eq!(read[3], trailscope::query::view::MASK);
    assert_eq!((read[4].as_u64(), read[5].as_u64()), (Some(0), Some(0)));
    assert_eq!(read[6], true);
    assert_eq!(read[7], all);
}
