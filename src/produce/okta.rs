//! Generates Okta System Log exports (`docs/sources/okta.md`): `LogEvent` records as
//! `/api/v1/logs` returns them (a JSON array) or one a line. Records are sign-ins that
//! succeed and fail, sign-on policy evaluations that allow, deny or challenge, profile
//! updates changing the department of several users (by an administrator and by an
//! integration app) with `changeDetails`, admin role grants with before and after, group
//! memberships added by the Okta system in batch jobs (one `transaction.id` for several
//! events), and SSO into apps. The quirks real exports have: records repeated by
//! overlapping pulls, a `uuid` repeated with other content, and `published` missing or
//! not a time. It returns what it wrote as the truth an import must reproduce.
//!
//! Like the rest of `produce`, it shares nothing with the reader it feeds.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::quirks::{self, Quirk, Quirks, Row};
use super::rng::Rng;

/// Which export shape to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OktaShape {
    /// A JSON array, as `/api/v1/logs` returns it.
    Array,
    /// One record a line.
    Lines,
}

/// What to write.
#[derive(Debug, Clone)]
pub struct OktaPlan {
    /// Distinct records, before the quirks below are added.
    pub records: usize,
    pub seed: u64,
    pub shape: OktaShape,
    /// Records repeated exactly, appended at the end.
    pub repeats: usize,
    /// Records whose `uuid` repeats an earlier one with different content.
    pub conflicting: usize,
    /// Records whose `published` is missing or not a time.
    pub untimed: usize,
}

impl Default for OktaPlan {
    fn default() -> OktaPlan {
        OktaPlan {
            records: 200,
            seed: 7,
            shape: OktaShape::Array,
            repeats: 0,
            conflicting: 0,
            untimed: 0,
        }
    }
}

/// What was written: what an import must find.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OktaTruth {
    /// Records written (all of them, quirks included).
    pub rows: u64,
    /// Events an import keeps: distinct records plus conflicting repeats.
    pub events: u64,
    /// Records kept in quarantine (untimed).
    pub quarantined: u64,
    /// Exact repeats, counted once.
    pub exact_repeats: u64,
    /// Events per actor id (a person's email, else the Okta id).
    pub per_actor: BTreeMap<String, u64>,
    /// Events per outcome (`success`, `failure`, `denied`).
    pub outcomes: BTreeMap<String, u64>,
    /// Events per raw `outcome.result` (`SUCCESS`, `CHALLENGE`, …).
    pub results: BTreeMap<String, u64>,
    /// Per user whose department changed: each change (ts, before, after), in order.
    pub departments: BTreeMap<String, Vec<(String, Option<String>, String)>>,
    /// Admin role grants, in order.
    pub role_grants: Vec<RoleGrant>,
    /// Batch jobs: transaction id → how many events it holds.
    pub batches: BTreeMap<String, u64>,
}

/// An admin role grant: (ts, actor, user, the user's roles before, and after).
pub type RoleGrant = (String, String, String, Vec<String>, Vec<String>);

/// People: (email, Okta id, display name).
const ADMINS: [(&str, &str, &str); 2] = [
    ("maria@acme.com", "00u1maria0000000a001", "Maria Lopez"),
    ("it-admin@acme.com", "00u1itadm0000000a002", "IT Admin"),
];
const USERS: [(&str, &str, &str); 6] = [
    ("bob@acme.com", "00u1bob00000000b001", "Bob Stone"),
    ("carla@acme.com", "00u1carla000000b002", "Carla Diaz"),
    ("dev@acme.com", "00u1dev00000000b003", "Dev Patel"),
    ("eve@acme.com", "00u1eve00000000b004", "Eve Adams"),
    ("frank@acme.com", "00u1frank000000b005", "Frank Moore"),
    ("grace@acme.com", "00u1grace000000b006", "Grace Kim"),
];
/// The integration app that pushes HR changes: its client id is its `alternateId`.
const APP: (&str, &str) = ("0oa1hrsync000000c001", "HR Sync");
/// Okta itself, as group rules run.
const SYSTEM: (&str, &str) = ("system@okta.com", "0oa1system00000s001");
const DEPARTMENTS: [&str; 5] = ["Sales", "Finance", "Legal", "Engineering", "Support"];
const ROLES: [&str; 3] = [
    "Super Administrator",
    "Org Administrator",
    "Help Desk Administrator",
];
const GROUPS: [(&str, &str); 2] = [
    ("00g1payroll00000g001", "Payroll"),
    ("00g1vpn000000000g002", "VPN Users"),
];
const IPS: [&str; 4] = ["203.0.113.7", "198.51.100.23", "192.0.2.44", "203.0.113.99"];

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// Writes the export to `path` and returns the truth.
pub fn write_okta(path: &Path, plan: &OktaPlan) -> std::io::Result<OktaTruth> {
    let mut rng = Rng::new(plan.seed);
    let mut truth = OktaTruth::default();
    let mut world = World::default();
    let mut records: Vec<Value> = Vec::with_capacity(plan.records);
    let mut time = start();
    for n in 0..plan.records {
        time += Duration::seconds(1 + rng.index(90) as i64);
        let record = record(&mut rng, n, time, &mut world, &mut truth);
        count(&mut truth, &record);
        records.push(record);
    }
    truth.events = records.len() as u64;
    let quirks = Quirks {
        repeats: plan.repeats,
        conflicting: plan.conflicting,
        untimed: plan.untimed,
        broken: 0,
    };
    // Conflicting repeats, from records that change no profile or role.
    let plain: Vec<usize> = (0..records.len())
        .filter(|&i| records[i]["target"][0].get("changeDetails").is_none())
        .collect();
    let (rows, added) = quirks.rows(
        &records,
        &plain,
        |quirk, k, record| match quirk {
            Quirk::Conflicting => {
                record["client"]["ipAddress"] = json!("192.0.2.200");
                count(&mut truth, record);
                truth.events += 1;
            }
            Quirk::Untimed => {
                record["uuid"] = json!(format!("ffffffff-0000-11f0-8000-{k:012}"));
                quirks::untime(k, record, "published", "2026-03-02 around noon");
            }
            _ => {}
        },
        None,
    );
    truth.quarantined = added.quarantined();
    truth.exact_repeats = added.repeats;
    truth.rows = rows.len() as u64;
    let rows: Vec<&Value> = rows.iter().filter_map(Row::record).collect();
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    match plan.shape {
        OktaShape::Array => {
            file.write_all(b"[")?;
            for (i, row) in rows.iter().enumerate() {
                if i > 0 {
                    file.write_all(b",")?;
                }
                serde_json::to_writer(&mut file, row)?;
            }
            file.write_all(b"]")?;
        }
        OktaShape::Lines => {
            for row in &rows {
                serde_json::to_writer(&mut file, row)?;
                file.write_all(b"\n")?;
            }
        }
    }
    file.flush()?;
    Ok(truth)
}

/// Counts a record's actor, outcome and batch into the truth.
fn count(truth: &mut OktaTruth, record: &Value) {
    let actor = &record["actor"];
    let alternate = actor["alternateId"].as_str().unwrap_or_default();
    let id = if alternate.contains('@') {
        alternate
    } else {
        actor["id"].as_str().unwrap_or_default()
    };
    *truth.per_actor.entry(id.to_owned()).or_default() += 1;
    let result = record["outcome"]["result"].as_str().unwrap_or_default();
    let outcome = match result {
        "DENY" => "denied",
        "FAILURE" => "failure",
        _ => "success",
    };
    *truth.outcomes.entry(outcome.to_owned()).or_default() += 1;
    *truth.results.entry(result.to_owned()).or_default() += 1;
    if record["transaction"]["type"] == "JOB" {
        let id = record["transaction"]["id"].as_str().unwrap_or_default();
        *truth.batches.entry(id.to_owned()).or_default() += 1;
    }
}

#[derive(Default)]
struct World {
    departments: BTreeMap<&'static str, &'static str>,
    roles: BTreeMap<&'static str, Vec<String>>,
    /// The group-rule job running now, and how many more events it writes.
    job: Option<(String, usize)>,
}

fn person(actor: (&str, &str, &str)) -> Value {
    json!({"id": actor.1, "type": "User", "alternateId": actor.0, "displayName": actor.2,
           "detailEntry": null})
}

fn client(ip: &str) -> Value {
    json!({"userAgent": {"rawUserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 Safari/605.1.15",
                         "os": "Mac OS X", "browser": "SAFARI"},
           "zone": "null", "device": "Computer", "id": null, "ipAddress": ip,
           "geographicalContext": {"city": "Lisbon", "state": "Lisbon", "country": "Portugal",
                                   "postalCode": null, "geolocation": {"lat": 38.7, "lon": -9.1}}})
}

/// One `LogEvent`.
fn record(
    rng: &mut Rng,
    n: usize,
    at: DateTime<Utc>,
    world: &mut World,
    truth: &mut OktaTruth,
) -> Value {
    let time = at + Duration::milliseconds(rng.index(1000) as i64);
    let ts = time.to_rfc3339_opts(SecondsFormat::Millis, true);
    let uuid = format!(
        "{:08x}-{}-11f0-{}-{:012x}",
        0x2b9f_0000 + n,
        rng.hex(4),
        rng.hex(4),
        n
    );
    let request = format!("aZ{}{}", rng.hex(8), n);
    let ip = IPS[rng.index(IPS.len())];
    let user = USERS[rng.index(USERS.len())];
    let admin = ADMINS[rng.index(ADMINS.len())];
    let mut record = json!({
        "uuid": uuid, "published": ts, "version": "0", "severity": "INFO",
        "legacyEventType": null, "client": client(ip),
        "outcome": {"result": "SUCCESS", "reason": null},
        "transaction": {"type": "WEB", "id": request, "detail": {}},
        "debugContext": {"debugData": {"requestId": request, "requestUri": "/api/v1/authn"}},
        "authenticationContext": {"authenticationStep": 0, "externalSessionId": format!("102{}", rng.hex(12))},
        "securityContext": {"asNumber": 64500, "asOrg": "example net", "isp": "example isp", "domain": "example.net", "isProxy": false},
        "request": {"ipChain": [{"ip": ip, "version": "V4"}]},
        "target": []
    });
    // A group rule's batch job carries on for a few events.
    if let Some((job, left)) = world.job.take() {
        if left > 0 {
            world.job = Some((job.clone(), left - 1));
        }
        let (group_id, group) = GROUPS[n % GROUPS.len()];
        record["eventType"] = json!("group.user_membership.add");
        record["displayMessage"] = json!("Add user to group membership");
        record["actor"] = json!({"id": SYSTEM.1, "type": "SystemPrincipal", "alternateId": SYSTEM.0, "displayName": "Okta System"});
        record["client"] =
            json!({"userAgent": null, "zone": null, "device": null, "id": null, "ipAddress": null});
        record["transaction"] = json!({"type": "JOB", "id": job, "detail": {}});
        record["target"] = json!([
            person(user),
            {"id": group_id, "type": "UserGroup", "alternateId": "unknown", "displayName": group}
        ]);
        return record;
    }
    match rng.index(8) {
        // Sign-ins: most succeed, some fail.
        0 | 1 => {
            record["eventType"] = json!("user.session.start");
            record["displayMessage"] = json!("User login to Okta");
            record["actor"] = person(user);
            if rng.chance(0.4) {
                let reason =
                    ["INVALID_CREDENTIALS", "VERIFICATION_ERROR", "LOCKED_OUT"][rng.index(3)];
                record["outcome"] = json!({"result": "FAILURE", "reason": reason});
            }
        }
        // Sign-on policy: allow, deny or challenge for a second factor.
        2 => {
            record["eventType"] = json!("policy.evaluate_sign_on");
            record["displayMessage"] = json!("Evaluation of sign-on policy");
            record["actor"] = person(user);
            let (result, reason) = [
                ("ALLOW", "Sign-on policy evaluation resulted in ALLOW"),
                ("DENY", "Sign-on policy evaluation resulted in DENY"),
                (
                    "CHALLENGE",
                    "Sign-on policy evaluation resulted in CHALLENGE",
                ),
            ][rng.index(3)];
            record["outcome"] = json!({"result": result, "reason": reason});
            record["target"] = json!([
                {"id": "00p1signon000000p001", "type": "PolicyEntity", "alternateId": "unknown", "displayName": "Default Policy"},
                {"id": "0pr1rule00000000p002", "type": "PolicyRule", "alternateId": "00p1signon000000p001", "displayName": "Require MFA off network"}
            ]);
        }
        // A department change, by an administrator or by the HR integration.
        3 | 4 => {
            let old = world.departments.get(user.0).copied();
            let new = loop {
                let d = DEPARTMENTS[rng.index(DEPARTMENTS.len())];
                if Some(d) != old {
                    break d;
                }
            };
            world.departments.insert(user.0, new);
            truth
                .departments
                .entry(user.0.to_owned())
                .or_default()
                .push((ts.clone(), old.map(str::to_owned), new.to_owned()));
            record["eventType"] = json!("user.account.update_profile");
            record["displayMessage"] = json!("Update user profile for Okta");
            record["actor"] = if rng.chance(0.4) {
                json!({"id": APP.0, "type": "PublicClientApp", "alternateId": APP.0, "displayName": APP.1})
            } else {
                person(admin)
            };
            let mut target = person(user);
            let from = old.map_or_else(|| json!({}), |o| json!({"department": o}));
            target["changeDetails"] = json!({"from": from, "to": {"department": new}});
            record["target"] = json!([target]);
            record["debugContext"]["debugData"]["requestUri"] =
                json!(format!("/api/v1/users/{}", user.1));
        }
        // An admin role grant: the user's roles before and after.
        5 => {
            let role = ROLES[rng.index(ROLES.len())];
            let before = world.roles.get(user.0).cloned().unwrap_or_default();
            let mut after = before.clone();
            if !after.iter().any(|r| r == role) {
                after.push(role.to_owned());
            }
            world.roles.insert(user.0, after.clone());
            truth.role_grants.push((
                ts.clone(),
                admin.0.to_owned(),
                user.0.to_owned(),
                before.clone(),
                after.clone(),
            ));
            record["eventType"] = json!("user.account.privilege.grant");
            record["displayMessage"] = json!("Grant user privilege");
            record["actor"] = person(admin);
            let mut target = person(user);
            target["changeDetails"] =
                json!({"from": {"adminRoles": before}, "to": {"adminRoles": after}});
            record["target"] = json!([target]);
            record["debugContext"]["debugData"]["privilegeGranted"] = json!(role);
        }
        // The start of a group-rule job: this event and the next few share its id.
        6 => {
            world.job = Some((format!("job{}{}", rng.hex(6), n), rng.index(3) + 1));
            return self::record(rng, n, at, world, truth);
        }
        // SSO into an app.
        _ => {
            record["eventType"] = json!("user.authentication.sso");
            record["displayMessage"] = json!("User single sign on to app");
            record["actor"] = person(user);
            record["target"] = json!([
                {"id": "0oa1expense0000a001", "type": "AppInstance", "alternateId": "Expense Tracker", "displayName": "Expense Tracker"}
            ]);
        }
    }
    record
}
