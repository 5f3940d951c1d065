//! Microsoft 365 / Purview unified audit log: the classic search export
//! (`CreationDate,UserIds,Operations,AuditData`), the newer one
//! (`RecordId,CreationDate,RecordType,Operation,UserId,AuditData,…`), and Management
//! Activity API JSON (an array, or one record a line, of `AuditData` objects).
//! Whatever the container, the record is its `AuditData` (the common schema); the
//! wrapper columns are not read. See `../shared/reference/audit-sources.md` §2 and
//! docs/sources/microsoft-365.md.

use serde_json::{Map, Value};

use super::event::{Event, Party, decoded, text, unwrapped_pair, utc_time};
use super::{Format, Head, Item, ItemValue, Normalizer, Out};
use crate::source::SourceKind;
use crate::source::records::Header;

pub struct Purview;

impl Format for Purview {
    fn kind(&self) -> SourceKind {
        SourceKind::Microsoft365
    }

    fn sniff(&self, head: &Head<'_>) -> bool {
        head.has_columns(&["CreationDate", "AuditData"])
            && (head.has_columns(&["UserIds", "Operations"])
                || head.has_columns(&["UserId", "Operation"]))
            || head.has_keys(&["Id", "CreationTime", "Operation", "UserId"])
                && (head.has_keys(&["Workload"]) || head.has_keys(&["RecordType"]))
    }

    fn normalizer(&self) -> Box<dyn Normalizer> {
        Box::new(PurviewNormalizer)
    }
}

struct PurviewNormalizer;

impl Normalizer for PurviewNormalizer {
    fn begin_file(&mut self, _file: &str, header: Option<&Header>) -> Result<(), String> {
        match header {
            Some(header) if !header.index.contains_key("AuditData") => {
                Err("the CSV file has no AuditData column".into())
            }
            _ => Ok(()),
        }
    }

    fn push(&mut self, item: Item<'_>, out: &mut Vec<Out>) -> Result<(), String> {
        let (record, content) = match &item.value {
            ItemValue::Json(value) => (value.clone(), None),
            ItemValue::Row(row) => {
                let audit = row.get("AuditData").unwrap_or_default();
                let value: Value = serde_json::from_str(audit)
                    .map_err(|e| format!("its AuditData is not valid JSON ({e})"))?;
                (value, Some(audit.as_bytes().to_vec()))
            }
        };
        let event = normalize(&record)?;
        let mut made = Out::of(&item, event);
        made.content = content;
        out.push(made);
        Ok(())
    }
}

/// One `AuditData` object as an event.
pub fn normalize(record: &Value) -> Result<Value, String> {
    if !record.is_object() {
        return Err("its AuditData is not a JSON object".into());
    }
    let get = |key: &str| record.get(key);
    let s = |key: &str| text(get(key));
    let id = s("Id").ok_or("its AuditData has no Id")?;
    let created = s("CreationTime").ok_or("its AuditData has no CreationTime")?;
    let ts =
        utc_time(&created).ok_or_else(|| format!("its CreationTime {created:?} is not a time"))?;
    let operation = s("Operation").ok_or("its AuditData has no Operation")?;
    let workload = s("Workload");
    let record_type = get("RecordType").and_then(Value::as_i64);
    let mut event = Event::new(&id, &ts, &operation);
    event.text(
        "category",
        Some(category(&operation, workload.as_deref(), record_type)),
    );

    // Who: the UPN (or the system account) in UserId; UserKey is "Not Available" for apps.
    let user = s("UserId");
    let user_type = get("UserType").and_then(Value::as_i64);
    let actor_kind = match user_type {
        Some(4) | Some(8) => "system",
        Some(5) | Some(6) => "service",
        _ if user
            .as_deref()
            .is_some_and(|u| u.contains('\\') || u.starts_with("app@")) =>
        {
            "service"
        }
        _ => "user",
    };
    let display = s("LogonUserDisplayName");
    event.party(
        "actor",
        Party {
            id: user.as_deref(),
            kind: Some(actor_kind),
            name: display.as_deref(),
            email: user.as_deref().filter(|u| u.contains('@')),
        },
    );
    // A mailbox opened by someone other than its owner.
    if let Some(owner) = s("MailboxOwnerUPN")
        && user
            .as_deref()
            .is_none_or(|u| !u.eq_ignore_ascii_case(&owner))
    {
        event.party(
            "on_behalf_of",
            Party {
                id: Some(&owner),
                kind: Some("user"),
                email: Some(&owner),
                ..Party::default()
            },
        );
    }

    // What it was done to.
    let object = s("ObjectId");
    let (target_type, target_id, target_name) =
        target(record, workload.as_deref(), object.as_deref());
    event.party(
        "target",
        Party {
            id: target_id.as_deref(),
            kind: Some(target_type),
            name: target_name.as_deref(),
            ..Party::default()
        },
    );

    // How it ended: a sign-in failed when it says so, whatever ResultStatus says.
    let status = s("ResultStatus");
    let logon_error = s("LogonError").filter(|e| !e.is_empty());
    let outcome = if operation == "UserLoginFailed" || logon_error.is_some() {
        "failure"
    } else {
        match status.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("failed" | "false" | "partiallysucceeded" | "failure") => "failure",
            _ => "success",
        }
    };
    event.text("outcome", Some(outcome));
    let error_code = s("ErrorCode").filter(|c| c != "0");
    event.text("reason", logon_error.as_deref().or(error_code.as_deref()));

    // Where from.
    let ip = s("ClientIP")
        .or_else(|| s("ActorIpAddress"))
        .or_else(|| s("ClientIPAddress"))
        .map(|ip| strip_port(&ip));
    event.source("ip", ip.as_deref());
    let agent = s("UserAgent")
        .or_else(|| s("ClientInfoString"))
        .or_else(|| named(get("ExtendedProperties"), "UserAgent").and_then(|v| text(Some(&v))));
    event.source("user_agent", agent.as_deref());
    let access = get("AppAccessContext");
    let at = |key: &str| text(access.and_then(|a| a.get(key)));
    event.source("request_id", at("CorrelationId").as_deref());
    event.source(
        "client_id",
        at("ClientAppId").or_else(|| s("AppId")).as_deref(),
    );

    // What changed: ModifiedProperties give both sides (values that are JSON inside a
    // string are decoded); Exchange cmdlet Parameters are what was requested.
    if let Some(Value::Array(properties)) = get("ModifiedProperties") {
        let (before, after) = modified(properties);
        event.set("before", Value::Object(before));
        event.set("after", Value::Object(after));
    }
    if let Some(Value::Array(parameters)) = get("Parameters") {
        let requested: Map<String, Value> = parameters
            .iter()
            .filter_map(|p| Some((text(p.get("Name"))?, p.get("Value").map(decoded)?)))
            .collect();
        event.set("requested", Value::Object(requested));
    }
    for (key, name) in [
        ("Workload", "workload"),
        ("RecordType", "record_type"),
        ("OrganizationId", "organization_id"),
        ("UserType", "user_type"),
        ("ResultStatus", "result_status"),
        ("ObjectId", "object_id"),
        ("SiteUrl", "site_url"),
        ("SourceFileName", "source_file_name"),
        ("ClientAppName", "client_app_name"),
    ] {
        if let Some(value) = get(key) {
            event.context(name, value.clone());
        }
    }
    Ok(event.build())
}

/// The model's category for an operation.
fn category(operation: &str, workload: Option<&str>, record_type: Option<i64>) -> &'static str {
    let op = operation.to_ascii_lowercase();
    if matches!(record_type, Some(9) | Some(15))
        || op.starts_with("userlog")
        || op.contains("signin")
    {
        "auth"
    } else if op.contains("role")
        || op.contains("permission")
        || op.contains("sharing")
        || op.contains("consent")
    {
        "permission"
    } else if op.contains("download") || op.contains("export") {
        "export"
    } else if op.contains("accessed")
        || op.contains("previewed")
        || op.contains("viewed")
        || op.contains("search")
    {
        "access"
    } else if record_type == Some(1) || workload == Some("Exchange") && op.contains('-') {
        "admin"
    } else {
        "record"
    }
}

/// (type, id, name) of what an event was done to.
fn target(
    record: &Value,
    workload: Option<&str>,
    object: Option<&str>,
) -> (&'static str, Option<String>, Option<String>) {
    let s = |key: &str| text(record.get(key));
    match workload {
        Some("AzureActiveDirectory") => {
            // The Target list names the object several ways; its UPN (type 5) reads best.
            let upn = record
                .get("Target")
                .and_then(Value::as_array)
                .and_then(|targets| {
                    targets
                        .iter()
                        .find(|t| t.get("Type").and_then(Value::as_i64) == Some(5))
                })
                .and_then(|t| text(t.get("ID")));
            let id = upn.or_else(|| object.map(str::to_owned));
            let kind = if id.as_deref().is_some_and(|i| i.contains('@')) {
                "user"
            } else {
                "directory object"
            };
            (kind, id, None)
        }
        Some("SharePoint" | "OneDrive") => {
            let name = s("SourceFileName");
            let kind = if name.is_some() { "file" } else { "site" };
            (kind, object.map(str::to_owned), name)
        }
        Some("Exchange") => {
            let kind = if s("MailboxOwnerUPN").is_some() {
                "mailbox"
            } else {
                "Exchange object"
            };
            (
                kind,
                object.map(str::to_owned),
                s("ModifiedObjectResolvedName"),
            )
        }
        Some(other) if !other.is_empty() => {
            let kind = match other {
                "MicrosoftTeams" => "Teams object",
                "PowerBI" => "Power BI object",
                _ => "object",
            };
            (kind, object.map(str::to_owned), None)
        }
        _ => ("object", object.map(str::to_owned), None),
    }
}

/// `ModifiedProperties` as (before, after): `{Name: OldValue}`, `{Name: NewValue}`,
/// each value decoded when it is JSON inside a string, one-element arrays read as their
/// value (`unwrapped_pair`); empty old values are left out (the property had none).
fn modified(properties: &[Value]) -> (Map<String, Value>, Map<String, Value>) {
    let mut before = Map::new();
    let mut after = Map::new();
    for property in properties {
        let Some(name) = text(property.get("Name")) else {
            continue;
        };
        // Entra lists the names of the properties it changed as a pseudo-property: it
        // says which changed, it is no property of the object.
        if name == "Included Updated Properties" {
            continue;
        }
        let side = |key: &str| match property.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => None,
            Some(value) => Some(decoded(value)),
        };
        let (old, new) = unwrapped_pair(side("OldValue"), side("NewValue"));
        if let Some(old) = old {
            before.insert(name.clone(), old);
        }
        if let Some(new) = new {
            after.insert(name, new);
        }
    }
    (before, after)
}

/// The value of the `{Name, Value}` entry named `name`.
fn named(list: Option<&Value>, name: &str) -> Option<Value> {
    list?
        .as_array()?
        .iter()
        .find(|entry| entry.get("Name").and_then(Value::as_str) == Some(name))
        .and_then(|entry| entry.get("Value").cloned())
}

/// `203.0.113.7:51234` → `203.0.113.7`; `[2001:db8::1]:443` → `2001:db8::1`; anything
/// else as it is.
fn strip_port(ip: &str) -> String {
    if let Some(rest) = ip.strip_prefix('[')
        && let Some((address, _)) = rest.split_once(']')
    {
        return address.to_owned();
    }
    match ip.split_once(':') {
        Some((address, port)) if !port.contains(':') && address.contains('.') => address.to_owned(),
        _ => ip.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn role_change() -> Value {
        json!({
            "Id": "5f1c7e0a-0000-4000-8000-000000000001",
            "RecordType": 8,
            "CreationTime": "2026-03-02T09:15:00",
            "Operation": "Add member to role.",
            "OrganizationId": "org",
            "UserType": 0,
            "UserKey": "10032001@acme.com",
            "Workload": "AzureActiveDirectory",
            "ResultStatus": "Success",
            "ObjectId": "User_8d0c",
            "UserId": "maria@acme.com",
            "ClientIP": "203.0.113.7:51234",
            "Target": [{"ID": "User_8d0c", "Type": 2}, {"ID": "bob@acme.com", "Type": 5}],
            "ModifiedProperties": [
                {"Name": "Role.DisplayName", "NewValue": "Global Administrator", "OldValue": ""},
                {"Name": "Role.WellKnownObjectName", "NewValue": "[\"CompanyAdministrator\"]", "OldValue": "[]"}
            ]
        })
    }

    #[test]
    fn a_role_change_reads_who_did_what_to_whom_with_before_and_after() {
        let event = normalize(&role_change()).unwrap();
        assert_eq!(event["ts"], "2026-03-02T09:15:00.000Z", "no suffix is UTC");
        assert_eq!(event["action"], "Add member to role.");
        assert_eq!(event["category"], "permission");
        assert_eq!(event["actor"]["id"], "maria@acme.com");
        assert_eq!(event["actor"]["email"], "maria@acme.com");
        assert_eq!(
            event["target"],
            json!({"id": "bob@acme.com", "type": "user"})
        );
        assert_eq!(event["outcome"], "success");
        assert_eq!(event["source"]["ip"], "203.0.113.7");
        assert_eq!(event["after"]["Role.DisplayName"], "Global Administrator");
        // `["CompanyAdministrator"]` beside `[]`: the role's name, where there was none.
        assert_eq!(
            event["after"]["Role.WellKnownObjectName"],
            "CompanyAdministrator"
        );
        assert!(event.get("before").is_none(), "{event:#}");
    }

    #[test]
    fn a_department_change_reads_as_one_value_replaced_and_a_real_list_stays_a_list() {
        let mut record = role_change();
        record["Operation"] = json!("Update user.");
        record["ModifiedProperties"] = json!([
            {"Name": "Department", "OldValue": "[\"Finance\"]", "NewValue": "[\"Legal\"]"},
            {"Name": "OtherMails", "OldValue": "[\"b@x.com\"]", "NewValue": "[\"b@x.com\",\"c@x.com\"]"},
            {"Name": "Included Updated Properties", "OldValue": "", "NewValue": "Department, OtherMails"}
        ]);
        let event = normalize(&record).unwrap();
        assert_eq!(
            event["before"],
            json!({"Department": "Finance", "OtherMails": ["b@x.com"]})
        );
        assert_eq!(
            event["after"],
            json!({"Department": "Legal", "OtherMails": ["b@x.com", "c@x.com"]})
        );
    }

    #[test]
    fn result_status_variants_and_sign_in_failures_read_as_the_issue_says() {
        let with = |status: Option<&str>, operation: &str, logon_error: Option<&str>| {
            let mut record = role_change();
            match status {
                Some(s) => record["ResultStatus"] = json!(s),
                None => {
                    record.as_object_mut().unwrap().remove("ResultStatus");
                }
            }
            record["Operation"] = json!(operation);
            if let Some(e) = logon_error {
                record["LogonError"] = json!(e);
            }
            normalize(&record).unwrap()["outcome"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        for status in ["Succeeded", "Success", "True"] {
            assert_eq!(
                with(Some(status), "Set-Mailbox", None),
                "success",
                "{status}"
            );
        }
        for status in ["Failed", "False", "PartiallySucceeded"] {
            assert_eq!(
                with(Some(status), "Set-Mailbox", None),
                "failure",
                "{status}"
            );
        }
        assert_eq!(
            with(None, "FileAccessed", None),
            "success",
            "absent, as SharePoint leaves it"
        );
        assert_eq!(with(Some("Succeeded"), "UserLoginFailed", None), "failure");
        assert_eq!(
            with(Some("Succeeded"), "UserLoggedIn", Some("InvalidPassword")),
            "failure"
        );
    }

    #[test]
    fn exchange_parameters_are_requested_and_a_mailbox_opened_by_another_is_on_behalf() {
        let record = json!({
            "Id": "x1", "CreationTime": "2026-03-02T10:00:00", "Operation": "Set-Mailbox",
            "RecordType": 1, "Workload": "Exchange", "UserId": "admin@acme.com",
            "ObjectId": "bob", "ModifiedObjectResolvedName": "Bob Stone",
            "Parameters": [{"Name": "Identity", "Value": "bob"}, {"Name": "ForwardingSmtpAddress", "Value": "smtp:x@evil.example"}]
        });
        let event = normalize(&record).unwrap();
        assert_eq!(event["category"], "admin");
        assert_eq!(
            event["requested"]["ForwardingSmtpAddress"],
            "smtp:x@evil.example"
        );
        assert_eq!(event["target"]["name"], "Bob Stone");
        assert!(event.get("before").is_none());
        let read = json!({
            "Id": "x2", "CreationTime": "2026-03-02T10:00:00", "Operation": "MailItemsAccessed",
            "RecordType": 50, "Workload": "Exchange", "UserId": "eve@acme.com",
            "MailboxOwnerUPN": "ceo@acme.com", "ObjectId": "ceo@acme.com"
        });
        let event = normalize(&read).unwrap();
        assert_eq!(event["on_behalf_of"]["id"], "ceo@acme.com");
        assert_eq!(event["category"], "access");
        assert_eq!(event["target"]["type"], "mailbox");
    }

    #[test]
    fn a_record_without_a_usable_time_or_id_says_why() {
        let mut record = role_change();
        record["CreationTime"] = json!("not a time");
        assert!(normalize(&record).unwrap_err().contains("not a time"));
        record.as_object_mut().unwrap().remove("CreationTime");
        assert!(normalize(&record).unwrap_err().contains("CreationTime"));
        let mut record = role_change();
        record.as_object_mut().unwrap().remove("Id");
        assert!(normalize(&record).unwrap_err().contains("Id"));
        assert!(normalize(&json!([1])).is_err());
    }

    #[test]
    fn ports_are_taken_off_addresses() {
        assert_eq!(strip_port("203.0.113.7:51234"), "203.0.113.7");
        assert_eq!(strip_port("[2001:db8::1]:443"), "2001:db8::1");
        assert_eq!(strip_port("2001:db8::1"), "2001:db8::1");
        assert_eq!(strip_port("203.0.113.7"), "203.0.113.7");
    }
}
