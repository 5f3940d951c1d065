//! Kubernetes audit logs, generated with the quirks real ones have (stages of one
//! request interleaved with other requests' lines, requests that never complete,
//! impersonation, forbidden requests, spoofed X-Forwarded-For, repeats), through the
//! `trailscope` binary and the case: one event a request; events, actors, outcomes and
//! the history of a scaled Deployment and an edited ConfigMap match what the generator
//! wrote; a folder of rotated files (one gzip) folds requests across files.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};
use trailscope::case::Case;
use trailscope::produce::kubernetes::{KubernetesPlan, KubernetesTruth, write_kubernetes};
use trailscope::query;

use crate::support::{all_events, count_kind, import, normal, verify};

fn quirky() -> KubernetesPlan {
    KubernetesPlan {
        requests: 400,
        seed: 23,
        scales: 6,
        edits: 5,
        repeats: 6,
        conflicting: 2,
        incomplete: 3,
        untimed: 2,
        broken: 1,
    }
}

/// The report's counts against the generator's truth.
fn check_report(report: &Value, truth: &KubernetesTruth) {
    assert_eq!(report["verdict"], "unverifiable", "{report:#}");
    assert_eq!(report["bundle"]["source"], "kubernetes");
    let chain = &report["chains"][0];
    assert_eq!(chain["counts"]["records"], truth.events);
    assert_eq!(
        count_kind(report, "malformed_record") as u64,
        truth.quarantined
    );
    let completeness = chain["dimensions"]["completeness"]["detail"]
        .as_str()
        .unwrap();
    assert!(
        completeness.contains(&format!(
            "{} stage lines folded into {} requests",
            truth.folded, truth.requests
        )),
        "{completeness}"
    );
    if truth.incomplete > 0 {
        assert!(
            completeness.contains(&format!(
                "{} requests never reached ResponseComplete or Panic",
                truth.incomplete
            )),
            "{completeness}"
        );
    }
}

/// The case's answers against the generator's truth.
fn check_case(case_path: &Path, truth: &KubernetesTruth) {
    let case = Case::open_read_only(case_path).unwrap();
    let rows = all_events(&case);
    let readable: Vec<_> = rows.iter().filter(|r| r.malformed.is_none()).collect();
    assert_eq!(readable.len() as u64, truth.events, "events");
    assert_eq!(
        (rows.len() - readable.len()) as u64,
        truth.quarantined,
        "quarantined lines are kept"
    );
    let per_actor: BTreeMap<String, u64> = query::list_actors(&case)
        .unwrap()
        .into_iter()
        .map(|a| (a.actor_id, a.n_events as u64))
        .collect();
    assert_eq!(per_actor, truth.per_actor, "events per actor");
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    for row in &readable {
        *outcomes
            .entry(row.outcome.clone().unwrap_or_default())
            .or_default() += 1;
    }
    assert_eq!(outcomes, truth.outcomes, "outcomes");
    let by_id = |id: &str| -> Value {
        let row = readable
            .iter()
            .find(|r| r.id.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("no event {id}"));
        normal(row)
    };

    // The Deployment: every change of its replicas is one field change, in order.
    let timeline = query::timeline(&case, "deployments", "prod/web", None).unwrap();
    let mut replicas = Vec::new();
    for entry in &timeline.entries {
        assert!(entry.discrepancies.is_empty(), "{:?}", entry.discrepancies);
        let event = normal(&entry.row);
        let Some(after) = event.get("after") else {
            continue;
        };
        let after = after["spec"]["replicas"].as_i64().unwrap();
        let ts = event["ts"].as_str().unwrap().to_owned();
        if event.get("before").is_none() {
            replicas.push((ts, None, after));
            continue;
        }
        assert_eq!(entry.changes.len(), 1, "{:?}", entry.changes);
        let change = &entry.changes[0];
        assert_eq!(change.path, "spec.replicas");
        replicas.push((ts, change.before.as_ref().and_then(Value::as_i64), after));
    }
    assert!(truth.replicas.len() >= 5);
    assert_eq!(replicas, truth.replicas, "history of prod/web");
    assert_eq!(
        timeline.state.fields["spec"]["replicas"],
        json!(truth.replicas.last().unwrap().2),
        "state of prod/web"
    );
    assert!(
        timeline.state.fields.get("status").is_none()
            && timeline.state.fields["metadata"]
                .get("resourceVersion")
                .is_none(),
        "volatile fields are not state"
    );
    // Its state at a moment: after the second change, before the third.
    let second = crate::support::millis(&truth.replicas[2].0);
    let then = query::timeline(&case, "deployments", "prod/web", Some(second)).unwrap();
    assert_eq!(
        then.state.fields["spec"]["replicas"],
        json!(truth.replicas[2].2)
    );
    // The forbidden scale is in the history and changed nothing.
    let (forbidden, who) = truth.forbidden_scale.as_ref().unwrap();
    let refused = by_id(forbidden);
    assert_eq!(refused["outcome"], "denied");
    assert_eq!(refused["actor"]["id"], who.as_str());
    assert!(refused.get("after").is_none());
    assert!(refused["reason"].as_str().unwrap().contains("forbidden"));

    // The ConfigMap: its creation gives every key; each edit one data key.
    let timeline = query::timeline(&case, "configmaps", "prod/web-config", None).unwrap();
    let mut config = Vec::new();
    for entry in &timeline.entries {
        assert!(entry.discrepancies.is_empty(), "{:?}", entry.discrepancies);
        let event = normal(&entry.row);
        let ts = event["ts"].as_str().unwrap().to_owned();
        if event.get("before").is_none() {
            for (key, value) in event["after"]["data"].as_object().unwrap() {
                config.push((
                    ts.clone(),
                    key.clone(),
                    None,
                    value.as_str().unwrap().to_owned(),
                ));
            }
            continue;
        }
        assert_eq!(entry.changes.len(), 1, "{:?}", entry.changes);
        let change = &entry.changes[0];
        let key = change.path.strip_prefix("data.").unwrap().to_owned();
        let text = |v: &Option<Value>| v.as_ref().map(|v| v.as_str().unwrap().to_owned());
        config.push((ts, key, text(&change.before), text(&change.after).unwrap()));
    }
    let mut expected = truth.config.clone();
    expected.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    config.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    assert!(truth.config.len() >= 8);
    assert_eq!(config, expected, "history of prod/web-config");
    assert_eq!(
        timeline.state.fields["data"],
        json!(truth.config_data),
        "state of prod/web-config"
    );

    // A deleted resource no longer exists.
    for (resource, id) in &truth.deleted {
        let timeline = query::timeline(&case, resource, id, None).unwrap();
        assert!(!timeline.state.exists, "{resource} {id}");
        let last = normal(&timeline.entries.last().unwrap().row);
        assert_eq!(last["after"], Value::Null);
        assert_eq!(last["action"], "delete configmaps");
    }

    // Impersonation: the user acted as another.
    assert!(!truth.impersonations.is_empty());
    for (id, actor, as_user) in &truth.impersonations {
        let event = by_id(id);
        assert_eq!(event["actor"]["id"], actor.as_str());
        assert_eq!(event["on_behalf_of"]["id"], as_user.as_str());
    }
    // Spoofed X-Forwarded-For: the real address is the last.
    assert!(truth.spoofed.len() >= 10);
    for (id, real, claimed) in &truth.spoofed {
        let event = by_id(id);
        assert_eq!(event["source"]["ip"], real.as_str(), "{id}");
        assert_eq!(event["context"]["client_supplied_ips"], json!([claimed]));
    }
}

#[test]
fn a_log_of_interleaved_stages_imports_one_event_a_request_with_its_history() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("kube-apiserver-audit.log");
    let truth = write_kubernetes(&path, &quirky()).unwrap();
    assert_eq!(truth.incomplete, 3);
    assert!(
        truth.folded > truth.requests / 2,
        "most requests have several stages"
    );
    let (code, report) = verify(&path);
    assert_eq!(code, 4, "unverifiable: {report:#}");
    check_report(&report, &truth);
    assert_eq!(
        report["chains"][0]["counts"]["exact_repeats"],
        truth.exact_repeats
    );
    // One finding per reused auditID, one saying how many exact repeats.
    assert_eq!(count_kind(&report, "duplicate_record"), 2 + 1);
    let case = temp.path().join("kube.case");
    import(&case, &path);
    check_case(&case, &truth);

    // A request whose last stage never arrived is kept from its last stage.
    let case = Case::open_read_only(&case).unwrap();
    let rows = all_events(&case);
    let incomplete: Vec<Value> = rows
        .iter()
        .filter(|r| r.malformed.is_none())
        .map(normal)
        .filter(|e| e["context"]["incomplete"] == true)
        .collect();
    assert_eq!(incomplete.len(), 3);
    for event in &incomplete {
        assert!(event.get("outcome").is_none());
        assert_ne!(event["context"]["stage"], "ResponseComplete");
    }
    // A quarantined line says why.
    let reasons: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "malformed_record")
        .map(|f| f["detail"].as_str().unwrap())
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("no stageTimestamp")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("is not a time")),
        "{reasons:?}"
    );
}

#[test]
fn a_folder_of_rotated_logs_folds_requests_across_files_one_of_them_gzip() {
    let temp = tempfile::tempdir().unwrap();
    let whole = temp.path().join("whole.log");
    let plan = KubernetesPlan {
        untimed: 0,
        broken: 0,
        ..quirky()
    };
    let truth = write_kubernetes(&whole, &plan).unwrap();
    let text = std::fs::read_to_string(&whole).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let half = lines.len() / 2;
    let folder = temp.path().join("audit");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("audit-2026-03-02T09.log"),
        lines[..half].join("\n") + "\n",
    )
    .unwrap();
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(folder.join("audit-2026-03-02T10.log.gz")).unwrap(),
        flate2::Compression::default(),
    );
    gz.write_all((lines[half..].join("\n") + "\n").as_bytes())
        .unwrap();
    gz.finish().unwrap();
    std::fs::write(folder.join("README.txt"), "kube-apiserver audit, node 1\n").unwrap();
    let (code, report) = verify(&folder);
    assert_eq!(code, 4, "{report:#}");
    check_report(&report, &truth);
    assert_eq!(count_kind(&report, "file_skipped"), 1);
    let case = temp.path().join("folder.case");
    import(&case, &folder);
    check_case(&case, &truth);
}

#[test]
fn a_cut_off_gzip_log_keeps_its_whole_lines_and_says_where_it_stopped() {
    let temp = tempfile::tempdir().unwrap();
    let whole = temp.path().join("audit.log");
    write_kubernetes(
        &whole,
        &KubernetesPlan {
            requests: 300,
            ..KubernetesPlan::default()
        },
    )
    .unwrap();
    let bytes = std::fs::read(&whole).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&bytes).unwrap();
    let compressed = encoder.finish().unwrap();
    let cut = temp.path().join("audit.log.gz");
    std::fs::write(&cut, &compressed[..compressed.len() / 2]).unwrap();
    let (code, report) = verify(&cut);
    assert_eq!(code, 1, "records were lost: {report:#}");
    assert_eq!(count_kind(&report, "file_cut_off"), 1, "{report:#}");
    let records = report["chains"][0]["counts"]["records"].as_u64().unwrap();
    assert!((50..300).contains(&records), "{records}");
}

#[test]
fn a_kubernetes_log_is_told_by_content_and_no_other_format_takes_it() {
    use trailscope::source::SourceKind;
    use trailscope::source::saas::{FORMATS, detect};
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("events.jsonl");
    write_kubernetes(&path, &KubernetesPlan::default()).unwrap();
    let format = detect(&path).unwrap().unwrap();
    assert_eq!(format.kind(), SourceKind::Kubernetes);
    let sniffed =
        trailscope::source::saas::read::sniff(std::fs::File::open(&path).unwrap()).unwrap();
    let head = sniffed.head("events.jsonl");
    let claimed: Vec<SourceKind> = FORMATS
        .iter()
        .filter(|f| f.sniff(&head))
        .map(|f| f.kind())
        .collect();
    assert_eq!(claimed, vec![SourceKind::Kubernetes]);
}
