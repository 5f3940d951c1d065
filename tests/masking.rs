//! A masked field is hidden in every output: each CLI command's text and JSON, and
//! every export — wherever the field is nested (`after.contact.email`,
//! `after.items[0].email`, `actor.email`). Regression: `diff` and `timeline --json`
//! printed nested emails in clear while the exports hid them.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::*;

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// Every value of a member named `email`, at any depth, in the events file (masking is
/// by name: `contact_email` is another field and stays shown).
fn addresses(lines: &[String]) -> Vec<String> {
    fn walk(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            Value::Object(members) => {
                for (key, member) in members {
                    match member {
                        Value::String(text) if key == "email" => out.push(text.clone()),
                        other => walk(other, out),
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for line in lines {
        walk(&serde_json::from_str(line).unwrap(), &mut out);
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn a_masked_nested_field_is_hidden_in_every_cli_output_and_export() {
    let f = Fixture::generated(300, 1);
    let mut lines = f.lines();
    // Give updates of records nested emails, before and after, at two depths.
    let mut touched: Vec<(String, String, String)> = Vec::new();
    for (i, line) in lines.iter_mut().enumerate() {
        let mut event: Value = serde_json::from_str(line).unwrap();
        if !event["before"].is_object() || !event["after"].is_object() || touched.len() >= 6 {
            continue;
        }
        let n = touched.len();
        event["before"]["contact"] = json!({"email": format!("old{n}@masked.example")});
        event["after"]["contact"] = json!({"email": format!("new{n}@masked.example")});
        event["after"]["items"] = json!([{"email": format!("item{n}@masked.example"), "qty": i}]);
        touched.push((
            event["id"].as_str().unwrap().to_owned(),
            event["target"]["type"].as_str().unwrap().to_owned(),
            event["target"]["id"].as_str().unwrap().to_owned(),
        ));
        *line = event.to_string();
    }
    assert_eq!(
        touched.len(),
        6,
        "the generated bundle has updates to dress up"
    );
    let lines = relink(&lines);
    f.write_lines(&lines);
    f.reseal(Some(&test_key()));
    let secrets = addresses(&lines);
    assert!(secrets.len() > 18, "{secrets:?}");

    let case = f.temp.path().join("masked.case");
    import_into(&case, &f.dir);
    let case = path_str(&case);
    let output = run_trailscope(&["mask", "--case", case, "--add", "email"]);
    assert_eq!(output.status.code(), Some(0));

    let csv = f.temp.path().join("out.csv");
    let jsonl = f.temp.path().join("out.jsonl");
    let mut runs: Vec<Vec<String>> = vec![
        vec!["events", "--case", case, "--limit", "1000"],
        vec![
            "events", "--case", case, "--limit", "1000", "--format", "json",
        ],
        vec![
            "events", "--case", case, "--limit", "1000", "--format", "csv",
        ],
        vec![
            "events",
            "--case",
            case,
            "--text",
            "masked.example",
            "--format",
            "json",
        ],
        vec!["actors", "--case", case, "--json"],
        vec!["facets", "--case", case, "--by", "actor", "--json"],
        vec![
            "export",
            "--case",
            case,
            "--format",
            "csv",
            "--out",
            path_str(&csv),
        ],
        vec![
            "export",
            "--case",
            case,
            "--format",
            "jsonl",
            "--out",
            path_str(&jsonl),
        ],
    ]
    .into_iter()
    .map(|args| args.into_iter().map(str::to_owned).collect())
    .collect();
    for (id, target_type, target_id) in &touched {
        for json in [false, true] {
            let mut diff = vec!["diff", "--case", case, id.as_str()];
            let mut timeline = vec!["timeline", "--case", case, target_type, target_id];
            if json {
                diff.push("--json");
                timeline.push("--json");
            }
            runs.push(diff.into_iter().map(str::to_owned).collect());
            runs.push(timeline.into_iter().map(str::to_owned).collect());
        }
    }
    let mut shown_changes = 0;
    for args in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = run_trailscope(&args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        if args[0] == "export" {
            text = std::fs::read_to_string(args[args.len() - 1]).unwrap();
        }
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "{args:?} shows {secret}");
        }
        if args[0] == "diff" && text.contains("contact.email") {
            shown_changes += 1;
        }
    }
    // The change to a masked field is still listed (with its values hidden).
    assert_eq!(shown_changes, 2 * touched.len());
}
