//! Entra ID (Azure AD) audit logs: Microsoft Graph `directoryAudit` JSON (the
//! `{"value": […]}` page Graph returns, a bare array as the portal's JSON download
//! writes it, or one record a line) and the portal's "Download" CSV, a flattened
//! `directoryAudit` (`Date (UTC), CorrelationId, Service, Category, Activity, Result,
//! …, Target1Type, …, Target1ModifiedProperty1OldValue, …`). A CSV row is turned into
//! the Graph shape first, so both read the same way. See
//! `../shared/reference/audit-sources.md` §2.4 and docs/sources/entra-id.md.

use serde_json::{Map, Value, json};

use super::event::{Event, Party, decoded, text, unwrapped_pair, utc_time};
use super::{Format, Head, Item, ItemValue, Normalizer, Out, Row};
use crate::canonical::{sha256, to_hex};
use crate::source::SourceKind;
use crate::source::records::Header;

pub struct Entra;

/// The portal CSV's columns that tell it apart (with `Date (UTC)` or `Date`).
const CSV_COLUMNS: &[&str] = &[
    "CorrelationId",
    "Activity",
    "Result",
    "ActorType",
    "Target1Type",
];

/// The modified property Entra adds to list the others: not a property of the record.
const UPDATED_PROPERTIES: &str = "Included Updated Properties";

impl Format for Entra {
    fn kind(&self) -> SourceKind {
        SourceKind::EntraId
    }

    fn sniff(&self, head: &Head<'_>) -> bool {
        head.has_columns(CSV_COLUMNS)
            && (head.has_columns(&["Date (UTC)"]) || head.has_columns(&["Date"]))
            || head.has_keys(&["activityDisplayName"])
                && (head.has_keys(&["activityDateTime"])
                    || head.has_keys(&["initiatedBy"])
                    || head.has_keys(&["targetResources"]))
    }

    fn wrappers(&self) -> &'static [&'static str] {
        &["value"]
    }

    fn normalizer(&self) -> Box<dyn Normalizer> {
        Box::new(EntraNormalizer)
    }
}

struct EntraNormalizer;

impl Normalizer for EntraNormalizer {
    fn begin_file(&mut self, _file: &str, header: Option<&Header>) -> Result<(), String> {
        match header {
            Some(header)
                if !header.index.contains_key("Activity")
                    || !(header.index.contains_key("Date (UTC)")
                        || header.index.contains_key("Date")) =>
            {
                Err("the CSV file has no Activity or Date (UTC) column".into())
            }
            _ => Ok(()),
        }
    }

    fn push(&mut self, item: Item<'_>, out: &mut Vec<Out>) -> Result<(), String> {
        let event = match &item.value {
            ItemValue::Json(value) => normalize(value, None)?,
            ItemValue::Row(row) => {
                // The portal CSV has no id column: a row is known by its SHA-256.
                let record = row_record(row)?;
                normalize(&record, Some(&to_hex(&sha256(item.raw))))?
            }
        };
        out.push(Out::of(&item, event));
        Ok(())
    }
}

/// One `directoryAudit` object as an event; `fallback_id` for a record with no `id`
/// (a CSV row).
pub fn normalize(record: &Value, fallback_id: Option<&str>) -> Result<Value, String> {
    if !record.is_object() {
        return Err("it is not a JSON object".into());
    }
    let get = |key: &str| record.get(key);
    let s = |key: &str| text(get(key));
    let id = s("id")
        .or_else(|| fallback_id.map(str::to_owned))
        .ok_or("it has no id")?;
    let when = s("activityDateTime").ok_or("it has no activityDateTime")?;
    let ts =
        utc_time(&when).ok_or_else(|| format!("its activityDateTime {when:?} is not a time"))?;
    let activity = s("activityDisplayName").ok_or("it has no activityDisplayName")?;
    let entra_category = s("category");
    let mut event = Event::new(&id, &ts, &activity);
    event.text(
        "category",
        Some(category(&activity, entra_category.as_deref())),
    );

    // Who: a user (by UPN) or an app (by its service principal).
    let initiated = get("initiatedBy");
    let user = initiated
        .and_then(|i| i.get("user"))
        .filter(|u| u.is_object());
    let app = initiated
        .and_then(|i| i.get("app"))
        .filter(|a| a.is_object());
    let of = |party: Option<&Value>, key: &str| text(party.and_then(|p| p.get(key)));
    let upn = of(user, "userPrincipalName");
    let user_id = of(user, "id");
    let app_id = of(app, "appId");
    if let Some(actor_id) = upn.clone().or_else(|| user_id.clone()) {
        event.party(
            "actor",
            Party {
                id: Some(&actor_id),
                kind: Some("user"),
                name: of(user, "displayName").as_deref(),
                email: upn.as_deref().filter(|u| u.contains('@')),
            },
        );
        if upn.is_some() {
            event.context("actor_object_id", json!(user_id));
        }
        event.context("actor_home_tenant_id", json!(of(user, "homeTenantId")));
        event.context("actor_home_tenant_name", json!(of(user, "homeTenantName")));
    } else if let Some(actor_id) = of(app, "servicePrincipalId")
        .or_else(|| app_id.clone())
        .or_else(|| of(app, "displayName"))
    {
        event.party(
            "actor",
            Party {
                id: Some(&actor_id),
                kind: Some("service"),
                name: of(app, "displayName")
                    .or_else(|| of(app, "servicePrincipalName"))
                    .as_deref(),
                email: None,
            },
        );
        event.context("actor_app_id", json!(app_id));
        event.context(
            "actor_service_principal_name",
            json!(of(app, "servicePrincipalName")),
        );
    }

    // What: the first target; the others are kept in context.
    let targets: Vec<&Value> = get("targetResources")
        .and_then(Value::as_array)
        .map(|t| t.iter().filter(|t| t.is_object()).collect())
        .unwrap_or_default();
    if let Some(first) = targets.first() {
        let t = |key: &str| text(first.get(key));
        let kind = target_type(t("type").as_deref());
        let upn = t("userPrincipalName");
        let object = t("id");
        let target_id = if kind == "user" {
            upn.clone().or_else(|| object.clone())
        } else {
            object.clone().or_else(|| upn.clone())
        };
        event.party(
            "target",
            Party {
                id: target_id.as_deref(),
                kind: Some(kind),
                name: t("displayName").as_deref(),
                email: None,
            },
        );
        if object.is_some() && object != target_id {
            event.context("target_object_id", json!(object));
        }
        event.context("target_group_type", json!(t("groupType")));
        let (before, after, updated) = modified(first.get("modifiedProperties"));
        event.set("before", Value::Object(before));
        event.set("after", Value::Object(after));
        event.context("updated_properties", updated.unwrap_or(Value::Null));
    }
    let others: Vec<Value> = targets.iter().skip(1).copied().map(other_target).collect();
    if !others.is_empty() {
        event.context("other_targets", Value::Array(others));
    }

    // How it ended.
    let result = s("result");
    let outcome = match result.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("success") => Some("success"),
        Some("failure" | "timeout") => Some("failure"),
        _ => None,
    };
    event.text("outcome", outcome);
    event.text("reason", s("resultReason").as_deref());

    // Where from.
    let details = additional_details(get("additionalDetails"));
    let agent = details.iter().find_map(|(key, value)| {
        let key = key.to_ascii_lowercase();
        (key == "user-agent" || key == "useragent")
            .then(|| text(Some(value)))
            .flatten()
    });
    event.source("ip", of(user, "ipAddress").as_deref());
    event.source("user_agent", agent.as_deref());
    event.source("request_id", s("correlationId").as_deref());
    event.source("client_id", app_id.as_deref());

    for (key, name) in [
        ("category", "category"),
        ("loggedByService", "logged_by_service"),
        ("operationType", "operation_type"),
        ("result", "result"),
    ] {
        event.context(name, json!(s(key)));
    }
    if !details.is_empty() {
        event.context("additional_details", Value::Object(details));
    }
    Ok(event.build())
}

/// The model's category for an activity, from its name and Entra's category.
fn category(activity: &str, entra_category: Option<&str>) -> &'static str {
    let activity = activity.to_ascii_lowercase();
    let entra = entra_category.unwrap_or_default().to_ascii_lowercase();
    if activity.contains("role")
        || activity.contains("consent")
        || activity.contains("permission")
        || activity.contains("owner")
        || matches!(
            entra.as_str(),
            "rolemanagement"
                | "authorization"
                | "authorizationpolicy"
                | "permissiongrantpolicy"
                | "entitlementmanagement"
        )
        || entra == "groupmanagement" && activity.contains("member")
    {
        "permission"
    } else if entra == "authentication"
        || activity.contains("password")
        || activity.contains("sign-in")
        || activity.contains("security info")
    {
        "auth"
    } else if matches!(
        entra.as_str(),
        "usermanagement" | "groupmanagement" | "device" | "contact" | "administrativeunit"
    ) {
        "record"
    } else if entra == "applicationmanagement" {
        "integration"
    } else {
        "admin"
    }
}

/// The model's target type for Entra's (`User`, `Group`, `ServicePrincipal`, …).
fn target_type(kind: Option<&str>) -> &'static str {
    match kind.map(str::to_ascii_lowercase).as_deref() {
        Some("user") => "user",
        Some("group") => "group",
        Some("serviceprincipal") => "service principal",
        Some("application") => "application",
        Some("role") => "role",
        Some("device") => "device",
        Some("policy") => "policy",
        Some("directory") => "directory",
        _ => "directory object",
    }
}

/// A modified value: JSON written inside a string is decoded (`"[\"Sales\"]"` →
/// `["Sales"]`, `"\"Sales\""` → `"Sales"`); `None` for null or an empty string (the
/// property had no value).
fn value(value: Option<&Value>) -> Option<Value> {
    match value? {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') => {
            Some(serde_json::from_str::<String>(s).map_or_else(|_| json!(s), Value::String))
        }
        other => Some(decoded(other)),
    }
}

/// `modifiedProperties` as (before, after, the "Included Updated Properties" list):
/// `{displayName: oldValue}`, `{displayName: newValue}`, one-element arrays read as
/// their value (`unwrapped_pair`).
fn modified(properties: Option<&Value>) -> (Map<String, Value>, Map<String, Value>, Option<Value>) {
    let mut before = Map::new();
    let mut after = Map::new();
    let mut updated = None;
    for property in properties.and_then(Value::as_array).into_iter().flatten() {
        let Some(name) = text(property.get("displayName")) else {
            continue;
        };
        if name == UPDATED_PROPERTIES {
            updated = value(property.get("newValue"));
            continue;
        }
        let (old, new) = unwrapped_pair(
            value(property.get("oldValue")),
            value(property.get("newValue")),
        );
        if let Some(old) = old {
            before.insert(name.clone(), old);
        }
        if let Some(new) = new {
            after.insert(name, new);
        }
    }
    (before, after, updated)
}

/// A target after the first, as context: its type, id, name, UPN and what changed on it.
fn other_target(target: &Value) -> Value {
    let mut object = Map::new();
    let t = |key: &str| text(target.get(key));
    object.insert("type".into(), json!(target_type(t("type").as_deref())));
    for (key, name) in [
        ("id", "id"),
        ("displayName", "name"),
        ("userPrincipalName", "user_principal_name"),
        ("groupType", "group_type"),
    ] {
        if let Some(v) = t(key) {
            object.insert(name.into(), json!(v));
        }
    }
    let (before, after, _) = modified(target.get("modifiedProperties"));
    if !before.is_empty() {
        object.insert("before".into(), Value::Object(before));
    }
    if !after.is_empty() {
        object.insert("after".into(), Value::Object(after));
    }
    Value::Object(object)
}

/// `additionalDetails` (`[{key, value}]`) as an object.
fn additional_details(details: Option<&Value>) -> Map<String, Value> {
    details
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|d| {
            let value = d.get("value").filter(|v| !v.is_null())?;
            Some((text(d.get("key"))?, value.clone()))
        })
        .collect()
}

/// Sets `key` to `value` when there is one.
fn put(object: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        object.insert(key.to_owned(), json!(value));
    }
}

/// A portal CSV row in the Graph shape.
fn row_record(row: &Row<'_>) -> Result<Value, String> {
    let t = |name: &str| row.text(name);
    let has = |name: &str| row.header.index.contains_key(name);
    let date_column = if has("Date (UTC)") {
        "Date (UTC)"
    } else {
        "Date"
    };
    let date = t(date_column).ok_or_else(|| format!("its {date_column} is empty"))?;
    if utc_time(date).is_none() {
        return Err(format!("its {date_column} {date:?} is not a time"));
    }
    let mut record = Map::new();
    put(&mut record, "id", t("Id"));
    put(&mut record, "activityDateTime", Some(date));
    for (column, key) in [
        ("CorrelationId", "correlationId"),
        ("Service", "loggedByService"),
        ("Category", "category"),
        ("Activity", "activityDisplayName"),
        ("Result", "result"),
        ("ResultReason", "resultReason"),
        ("OperationType", "operationType"),
    ] {
        put(&mut record, key, t(column));
    }
    let mut details = Vec::new();
    if let Some(agent) = t("User Agent") {
        details.push(json!({"key": "User-Agent", "value": agent}));
    }
    for n in 1.. {
        let key = format!("AdditionalDetail{n}Key");
        if !has(&key) {
            break;
        }
        if let Some(k) = t(&key) {
            details.push(json!({"key": k, "value": t(&format!("AdditionalDetail{n}Value"))}));
        }
    }
    if !details.is_empty() {
        record.insert("additionalDetails".into(), Value::Array(details));
    }
    let actor_type = t("ActorType").map(str::to_ascii_lowercase);
    let mut initiated = Map::new();
    if actor_type.as_deref() == Some("user")
        || actor_type.is_none() && t("ActorUserPrincipalName").is_some()
    {
        let mut user = Map::new();
        put(&mut user, "id", t("ActorObjectId"));
        put(&mut user, "displayName", t("ActorDisplayName"));
        put(&mut user, "userPrincipalName", t("ActorUserPrincipalName"));
        put(&mut user, "ipAddress", t("IPAddress"));
        put(&mut user, "homeTenantId", t("ActorHomeTenantId"));
        put(&mut user, "homeTenantName", t("ActorHomeTenantName"));
        initiated.insert("user".into(), Value::Object(user));
    } else {
        let mut app = Map::new();
        put(
            &mut app,
            "servicePrincipalId",
            t("ActorServicePrincipalId").or_else(|| t("ActorObjectId")),
        );
        put(&mut app, "displayName", t("ActorDisplayName"));
        put(
            &mut app,
            "servicePrincipalName",
            t("ActorServicePrincipalName"),
        );
        if !app.is_empty() {
            initiated.insert("app".into(), Value::Object(app));
        }
    }
    record.insert("initiatedBy".into(), Value::Object(initiated));
    let mut targets = Vec::new();
    for n in 1.. {
        let column = |field: &str| format!("Target{n}{field}");
        if !has(&column("Type")) {
            break;
        }
        let mut target = Map::new();
        put(&mut target, "type", t(&column("Type")));
        put(&mut target, "displayName", t(&column("DisplayName")));
        put(&mut target, "id", t(&column("ObjectId")));
        put(
            &mut target,
            "userPrincipalName",
            t(&column("UserPrincipalName")),
        );
        let mut properties = Vec::new();
        for m in 1.. {
            let property = |field: &str| column(&format!("ModifiedProperty{m}{field}"));
            if !has(&property("Name")) {
                break;
            }
            if let Some(name) = t(&property("Name")) {
                properties.push(json!({
                    "displayName": name,
                    "oldValue": row.get(&property("OldValue")).filter(|v| !v.is_empty()),
                    "newValue": row.get(&property("NewValue")).filter(|v| !v.is_empty()),
                }));
            }
        }
        if target.is_empty() && properties.is_empty() {
            continue;
        }
        target.insert("modifiedProperties".into(), Value::Array(properties));
        targets.push(Value::Object(target));
    }
    record.insert("targetResources".into(), Value::Array(targets));
    Ok(Value::Object(record))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::records::Header;

    fn department_update() -> Value {
        json!({
            "id": "Directory_5f1c7e0a_ABCDE_12345678",
            "category": "UserManagement",
            "correlationId": "c0ffee00-0000-4000-8000-000000000001",
            "result": "success",
            "resultReason": "",
            "activityDisplayName": "Update user",
            "activityDateTime": "2026-03-02T09:15:00.1234567Z",
            "loggedByService": "Core Directory",
            "operationType": "Update",
            "initiatedBy": {
                "app": null,
                "user": {"id": "8d0c0000-0000-4000-8000-000000000001", "displayName": "Maria Lopez",
                         "userPrincipalName": "maria@acme.com", "ipAddress": "203.0.113.7"}
            },
            "targetResources": [{
                "id": "8d0c0000-0000-4000-8000-00000000000b",
                "displayName": null,
                "type": "User",
                "userPrincipalName": "bob@acme.com",
                "modifiedProperties": [
                    {"displayName": "Department", "oldValue": "[\"Sales\"]", "newValue": "[\"Finance\"]"},
                    {"displayName": "JobTitle", "oldValue": null, "newValue": "[\"Analyst\"]"},
                    {"displayName": "Included Updated Properties", "oldValue": null, "newValue": "\"Department, JobTitle\""}
                ]
            }],
            "additionalDetails": [{"key": "User-Agent", "value": "Mozilla/5.0"}]
        })
    }

    #[test]
    fn a_user_update_reads_who_changed_which_properties_of_whom() {
        let event = normalize(&department_update(), None).unwrap();
        assert_eq!(event["ts"], "2026-03-02T09:15:00.123Z");
        assert_eq!(event["action"], "Update user");
        assert_eq!(event["category"], "record");
        assert_eq!(
            event["actor"],
            json!({"id": "maria@acme.com", "type": "user", "name": "Maria Lopez", "email": "maria@acme.com"})
        );
        assert_eq!(
            event["target"],
            json!({"id": "bob@acme.com", "type": "user"})
        );
        // Microsoft writes each value as a one-element array: read as the value.
        assert_eq!(event["before"], json!({"Department": "Sales"}));
        assert_eq!(
            event["after"],
            json!({"Department": "Finance", "JobTitle": "Analyst"})
        );
        assert_eq!(
            event["context"]["updated_properties"],
            "Department, JobTitle"
        );
        assert_eq!(
            event["context"]["target_object_id"],
            "8d0c0000-0000-4000-8000-00000000000b"
        );
        assert_eq!(event["outcome"], "success");
        assert!(event.get("reason").is_none());
        assert_eq!(
            event["source"],
            json!({"ip": "203.0.113.7", "user_agent": "Mozilla/5.0",
                   "request_id": "c0ffee00-0000-4000-8000-000000000001"})
        );
        assert_eq!(event["context"]["logged_by_service"], "Core Directory");
    }

    #[test]
    fn an_app_is_known_by_its_service_principal_and_other_targets_go_to_context() {
        let mut record = department_update();
        record["initiatedBy"] = json!({"user": null, "app": {
            "appId": "a0a0", "displayName": "HR Provisioning", "servicePrincipalId": "sp-1",
            "servicePrincipalName": null}});
        record["activityDisplayName"] = json!("Add member to group");
        record["category"] = json!("GroupManagement");
        record["targetResources"] = json!([
            {"id": "u1", "type": "User", "userPrincipalName": "bob@acme.com",
             "modifiedProperties": [{"displayName": "Group.DisplayName", "oldValue": null, "newValue": "\"Payroll\""}]},
            {"id": "g1", "type": "Group", "displayName": "Payroll", "modifiedProperties": []}
        ]);
        let event = normalize(&record, None).unwrap();
        assert_eq!(
            event["actor"],
            json!({"id": "sp-1", "type": "service", "name": "HR Provisioning"})
        );
        assert_eq!(event["source"]["client_id"], "a0a0");
        assert_eq!(event["category"], "permission");
        assert_eq!(event["after"], json!({"Group.DisplayName": "Payroll"}));
        assert_eq!(
            event["context"]["other_targets"],
            json!([{"type": "group", "id": "g1", "name": "Payroll"}])
        );
    }

    #[test]
    fn result_timeout_is_a_failure_and_an_unknown_result_says_nothing() {
        let with = |result: &str| {
            let mut record = department_update();
            record["result"] = json!(result);
            normalize(&record, None).unwrap()
        };
        assert_eq!(with("success")["outcome"], "success");
        assert_eq!(with("Failure")["outcome"], "failure");
        assert_eq!(with("timeout")["outcome"], "failure");
        let unknown = with("unknownFutureValue");
        assert!(unknown.get("outcome").is_none());
        assert_eq!(unknown["context"]["result"], "unknownFutureValue");
    }

    #[test]
    fn a_record_without_a_usable_time_or_id_says_why() {
        let mut record = department_update();
        record["activityDateTime"] = json!("soon");
        assert!(normalize(&record, None).unwrap_err().contains("not a time"));
        record.as_object_mut().unwrap().remove("activityDateTime");
        assert!(
            normalize(&record, None)
                .unwrap_err()
                .contains("activityDateTime")
        );
        let mut record = department_update();
        record.as_object_mut().unwrap().remove("id");
        assert!(normalize(&record, None).unwrap_err().contains("id"));
        assert_eq!(normalize(&record, Some("h1")).unwrap()["id"], "h1");
        assert!(normalize(&json!("x"), None).is_err());
    }

    #[test]
    fn a_property_holding_several_values_stays_a_list_and_no_value_is_left_out() {
        let mut record = department_update();
        record["targetResources"][0]["modifiedProperties"] = json!([
            {"displayName": "OtherMails", "oldValue": "[\"b@x.com\"]",
             "newValue": "[\"b@x.com\",\"bob@acme.com\"]"},
            {"displayName": "Department", "oldValue": "[]", "newValue": "[\"Legal\"]"},
            {"displayName": "ProxyAddresses", "oldValue": "[]", "newValue": "[\"a\",\"b\"]"}
        ]);
        let event = normalize(&record, None).unwrap();
        assert_eq!(
            event["before"],
            json!({"OtherMails": ["b@x.com"], "ProxyAddresses": []})
        );
        assert_eq!(
            event["after"],
            json!({"OtherMails": ["b@x.com", "bob@acme.com"], "Department": "Legal",
                   "ProxyAddresses": ["a", "b"]})
        );
    }

    #[test]
    fn values_written_as_json_inside_strings_are_decoded() {
        assert_eq!(value(Some(&json!("[\"a\"]"))), Some(json!(["a"])));
        assert_eq!(
            value(Some(&json!("\"Global Administrator\""))),
            Some(json!("Global Administrator"))
        );
        assert_eq!(value(Some(&json!("[]"))), Some(json!([])));
        assert_eq!(value(Some(&json!("plain"))), Some(json!("plain")));
        assert_eq!(value(Some(&json!(""))), None);
        assert_eq!(value(Some(&json!(null))), None);
        assert_eq!(value(None), None);
    }

    #[test]
    fn a_portal_csv_row_reads_as_its_graph_record() {
        let names: Vec<String> = [
            "Date (UTC)",
            "CorrelationId",
            "Service",
            "Category",
            "Activity",
            "Result",
            "ResultReason",
            "User Agent",
            "ActorType",
            "ActorDisplayName",
            "ActorObjectId",
            "ActorUserPrincipalName",
            "IPAddress",
            "ActorServicePrincipalId",
            "ActorServicePrincipalName",
            "Target1Type",
            "Target1DisplayName",
            "Target1ObjectId",
            "Target1UserPrincipalName",
            "Target1ModifiedProperty1Name",
            "Target1ModifiedProperty1OldValue",
            "Target1ModifiedProperty1NewValue",
            "Target2Type",
            "Target2DisplayName",
            "Target2ObjectId",
            "Target2UserPrincipalName",
            "Target2ModifiedProperty1Name",
            "Target2ModifiedProperty1OldValue",
            "Target2ModifiedProperty1NewValue",
        ]
        .map(str::to_owned)
        .to_vec();
        let header = Header {
            index: names
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, n)| (n, i))
                .collect(),
            names,
        };
        let fields = vec![
            "2026-03-02T09:15:00.1234567Z",
            "corr-1",
            "Core Directory",
            "UserManagement",
            "Update user",
            "Success",
            "",
            "Mozilla/5.0",
            "User",
            "Maria Lopez",
            "oid-m",
            "maria@acme.com",
            "203.0.113.7",
            "",
            "",
            "User",
            "",
            "oid-b",
            "bob@acme.com",
            "Department",
            "[\"Sales\"]",
            "[\"Finance\"]",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ];
        let row = Row {
            header: &header,
            fields,
        };
        let event = normalize(&row_record(&row).unwrap(), Some("hash")).unwrap();
        assert_eq!(event["id"], "hash");
        assert_eq!(event["actor"]["id"], "maria@acme.com");
        assert_eq!(event["target"]["id"], "bob@acme.com");
        assert_eq!(event["before"], json!({"Department": "Sales"}));
        assert_eq!(event["after"], json!({"Department": "Finance"}));
        assert_eq!(event["outcome"], "success");
        assert_eq!(event["source"]["user_agent"], "Mozilla/5.0");
        assert!(event["context"].get("other_targets").is_none());
        let mut fields = row.fields.clone();
        fields[0] = "";
        let empty = Row {
            header: &header,
            fields,
        };
        assert!(row_record(&empty).unwrap_err().contains("Date (UTC)"));
    }
}
