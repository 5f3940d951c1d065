//! Okta System Log: `LogEvent` records as `/api/v1/logs` returns them (a JSON array),
//! or one record a line. See `../shared/reference/audit-sources.md` §4.3 and
//! docs/sources/okta.md.

use serde_json::{Map, Value, json};

use super::event::{Event, Party, text, utc_time};
use super::{Format, Head, Item, ItemValue, Normalizer, Out};
use crate::source::SourceKind;

pub struct Okta;

impl Format for Okta {
    fn kind(&self) -> SourceKind {
        SourceKind::Okta
    }

    fn sniff(&self, head: &Head<'_>) -> bool {
        head.has_keys(&["uuid", "eventType"])
            && (head.has_keys(&["published"])
                || head.has_keys(&["actor"])
                || head.has_keys(&["outcome"]))
    }

    fn normalizer(&self) -> Box<dyn Normalizer> {
        Box::new(OktaNormalizer)
    }
}

struct OktaNormalizer;

impl Normalizer for OktaNormalizer {
    fn push(&mut self, item: Item<'_>, out: &mut Vec<Out>) -> Result<(), String> {
        let ItemValue::Json(record) = &item.value else {
            return Err("an Okta System Log record is JSON, not a CSV row".into());
        };
        let event = normalize(record)?;
        out.push(Out::of(&item, event));
        Ok(())
    }
}

/// One `LogEvent` as an event.
pub fn normalize(record: &Value) -> Result<Value, String> {
    if !record.is_object() {
        return Err("it is not a JSON object".into());
    }
    let at = |pointer: &str| text(record.pointer(pointer));
    let id = at("/uuid").ok_or("it has no uuid")?;
    let published = at("/published").ok_or("it has no published time")?;
    let ts =
        utc_time(&published).ok_or_else(|| format!("its published {published:?} is not a time"))?;
    let event_type = at("/eventType").ok_or("it has no eventType")?;
    let mut event = Event::new(&id, &ts, &event_type);
    event.text("category", Some(category(&event_type)));

    // Who: known by email when Okta gives one, so a person links across sources.
    if let Some(actor) = record.get("actor").filter(|a| a.is_object()) {
        let a = |key: &str| text(actor.get(key));
        let alternate = a("alternateId");
        let email = alternate.clone().filter(|x| is_email(x));
        let okta_id = a("id");
        let actor_id = email.clone().or_else(|| okta_id.clone());
        let okta_type = a("type");
        event.party(
            "actor",
            Party {
                id: actor_id.as_deref(),
                kind: Some(actor_type(okta_type.as_deref())),
                name: a("displayName").as_deref(),
                email: email.as_deref(),
            },
        );
        event.context("actor_id", json!(okta_id));
        event.context("actor_alternate_id", json!(alternate));
        event.context("actor_type", json!(okta_type));
    }

    // What: the first target; the others are kept in context.
    let targets: Vec<&Value> = record
        .get("target")
        .and_then(Value::as_array)
        .map(|t| t.iter().filter(|t| t.is_object()).collect())
        .unwrap_or_default();
    if let Some(first) = targets.first() {
        let t = |key: &str| text(first.get(key));
        let alternate = t("alternateId");
        let okta_id = t("id");
        let target_id = alternate
            .clone()
            .filter(|x| is_email(x))
            .or_else(|| okta_id.clone());
        let kind = target_type(t("type").as_deref());
        event.party(
            "target",
            Party {
                id: target_id.as_deref(),
                kind: Some(&kind),
                name: t("displayName").as_deref(),
                email: None,
            },
        );
        event.context("target_id", json!(okta_id));
        event.context("target_alternate_id", json!(alternate));
        match first.get("changeDetails") {
            Some(Value::Object(change)) => {
                let side = |key: &str| match change.get(key) {
                    Some(Value::Object(side)) => Value::Object(side.clone()),
                    _ => Value::Null,
                };
                event.set("before", side("from"));
                event.set("after", side("to"));
            }
            Some(other) if !other.is_null() => {
                event.context("change_details", other.clone());
            }
            _ => {}
        }
    }
    let others: Vec<Value> = targets.iter().skip(1).copied().map(other_target).collect();
    if !others.is_empty() {
        event.context("other_targets", Value::Array(others));
    }

    // How it ended: anything but success, denial and failure counts as a success.
    let result = at("/outcome/result");
    let outcome = match result.as_deref().map(str::to_ascii_uppercase).as_deref() {
        None => None,
        Some("DENY") => Some("denied"),
        Some("FAILURE") => Some("failure"),
        Some(_) => Some("success"),
    };
    event.text("outcome", outcome);
    event.text("reason", at("/outcome/reason").as_deref());
    event.context("outcome_result", json!(result));

    // Where from.
    event.source("ip", at("/client/ipAddress").as_deref());
    event.source(
        "user_agent",
        at("/client/userAgent/rawUserAgent").as_deref(),
    );
    event.source(
        "request_id",
        at("/debugContext/debugData/requestId").as_deref(),
    );
    event.source("batch_id", at("/transaction/id").as_deref());

    for (pointer, name) in [
        ("/displayMessage", "display_message"),
        ("/severity", "severity"),
        ("/legacyEventType", "legacy_event_type"),
        ("/transaction/type", "transaction_type"),
        ("/client/zone", "client_zone"),
        ("/client/device", "client_device"),
        ("/client/userAgent/os", "client_os"),
        ("/client/userAgent/browser", "client_browser"),
        ("/client/geographicalContext/city", "city"),
        ("/client/geographicalContext/country", "country"),
        ("/authenticationContext/externalSessionId", "session_id"),
        ("/securityContext/isp", "isp"),
        ("/debugContext/debugData/requestUri", "request_uri"),
    ] {
        event.context(name, json!(at(pointer)));
    }
    if let Some(Value::Array(chain)) = record.pointer("/request/ipChain") {
        let ips: Vec<Value> = chain
            .iter()
            .filter_map(|hop| text(hop.get("ip")))
            .map(Value::String)
            .collect();
        if ips.len() > 1 {
            event.context("ip_chain", Value::Array(ips));
        }
    }
    if let Some(Value::Object(debug)) = record.pointer("/debugContext/debugData") {
        let rest: Map<String, Value> = debug
            .iter()
            .filter(|(key, _)| !matches!(key.as_str(), "requestId" | "requestUri"))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        if !rest.is_empty() {
            event.context("debug_data", Value::Object(rest));
        }
    }
    Ok(event.build())
}

/// Whether an Okta `alternateId` is an email address (a login), not a client id or a
/// name.
fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !text.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// The model's actor type for Okta's.
fn actor_type(kind: Option<&str>) -> &'static str {
    match kind {
        Some("User") => "user",
        Some("SystemPrincipal") => "system",
        _ => "service",
    }
}

/// The model's target type for Okta's (`User`, `UserGroup`, `AppInstance`, …).
fn target_type(kind: Option<&str>) -> String {
    match kind {
        Some("User") => "user".into(),
        Some("UserGroup") => "group".into(),
        Some("AppInstance") => "app".into(),
        Some("AppUser") => "app user".into(),
        Some(other) if !other.trim().is_empty() => other.to_ascii_lowercase(),
        _ => "object".into(),
    }
}

/// The model's category for an event type.
fn category(event_type: &str) -> &'static str {
    let t = event_type.to_ascii_lowercase();
    if t == "user.authentication.sso" {
        "access"
    } else if t.starts_with("user.session.")
        || t.starts_with("user.authentication.")
        || t.starts_with("user.mfa.")
        || t.starts_with("core.user_auth.")
        || t == "policy.evaluate_sign_on"
        || t.starts_with("user.account.lock")
        || t.starts_with("user.account.unlock")
        || t.contains("password")
    {
        "auth"
    } else if t.contains("privilege")
        || t.contains("membership")
        || t.contains("role")
        || t.contains("grant")
        || t.contains("consent")
    {
        "permission"
    } else if t.starts_with("system.") {
        "system"
    } else if t.starts_with("application.") || t.starts_with("app.") {
        "integration"
    } else if t.starts_with("user.") || t.starts_with("group.") {
        "record"
    } else {
        "admin"
    }
}

/// A target after the first, as context.
fn other_target(target: &Value) -> Value {
    let mut object = Map::new();
    let t = |key: &str| text(target.get(key));
    object.insert("type".into(), json!(target_type(t("type").as_deref())));
    for (key, name) in [
        ("id", "id"),
        ("alternateId", "alternate_id"),
        ("displayName", "name"),
    ] {
        if let Some(v) = t(key) {
            object.insert(name.into(), json!(v));
        }
    }
    if let Some(change) = target.get("changeDetails").filter(|c| !c.is_null()) {
        object.insert("change_details".into(), change.clone());
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile_update() -> Value {
        json!({
            "uuid": "2b9f7d6a-15d8-11f0-9a5b-000000000001",
            "published": "2026-03-02T09:15:00.123Z",
            "eventType": "user.account.update_profile",
            "version": "0",
            "severity": "INFO",
            "displayMessage": "Update user profile for Okta",
            "actor": {"id": "00u1maria", "type": "User", "alternateId": "maria@acme.com",
                      "displayName": "Maria Lopez", "detailEntry": null},
            "client": {"userAgent": {"rawUserAgent": "Mozilla/5.0", "os": "Mac OS X", "browser": "CHROME"},
                       "zone": "null", "device": "Computer", "id": null, "ipAddress": "203.0.113.7",
                       "geographicalContext": {"city": "Lisbon", "country": "Portugal"}},
            "outcome": {"result": "SUCCESS", "reason": null},
            "target": [{"id": "00u1bob", "type": "User", "alternateId": "bob@acme.com",
                        "displayName": "Bob Stone",
                        "changeDetails": {"from": {"department": "Sales"}, "to": {"department": "Finance"}}}],
            "transaction": {"type": "WEB", "id": "Wx1Yz2", "detail": {}},
            "debugContext": {"debugData": {"requestId": "Wx1Yz2", "requestUri": "/api/v1/users/00u1bob"}},
            "request": {"ipChain": [{"ip": "203.0.113.7"}]}
        })
    }

    #[test]
    fn a_profile_update_reads_who_changed_what_with_before_and_after() {
        let event = normalize(&profile_update()).unwrap();
        assert_eq!(event["id"], "2b9f7d6a-15d8-11f0-9a5b-000000000001");
        assert_eq!(event["ts"], "2026-03-02T09:15:00.123Z");
        assert_eq!(event["action"], "user.account.update_profile");
        assert_eq!(event["category"], "record");
        assert_eq!(
            event["actor"],
            json!({"id": "maria@acme.com", "type": "user", "name": "Maria Lopez", "email": "maria@acme.com"})
        );
        assert_eq!(event["context"]["actor_id"], "00u1maria");
        assert_eq!(
            event["target"],
            json!({"id": "bob@acme.com", "type": "user", "name": "Bob Stone"})
        );
        assert_eq!(event["context"]["target_id"], "00u1bob");
        assert_eq!(event["before"], json!({"department": "Sales"}));
        assert_eq!(event["after"], json!({"department": "Finance"}));
        assert_eq!(event["outcome"], "success");
        assert_eq!(
            event["source"],
            json!({"ip": "203.0.113.7", "user_agent": "Mozilla/5.0",
                   "request_id": "Wx1Yz2", "batch_id": "Wx1Yz2"})
        );
        assert_eq!(event["context"]["city"], "Lisbon");
        assert!(event["context"].get("ip_chain").is_none());
    }

    #[test]
    fn outcomes_read_as_the_issue_says() {
        let with = |result: Option<&str>| {
            let mut record = profile_update();
            match result {
                Some(r) => {
                    record["outcome"] = json!({"result": r, "reason": "INVALID_CREDENTIALS"})
                }
                None => {
                    record.as_object_mut().unwrap().remove("outcome");
                }
            }
            normalize(&record).unwrap()
        };
        for (result, outcome) in [
            ("SUCCESS", "success"),
            ("ALLOW", "success"),
            ("DENY", "denied"),
            ("FAILURE", "failure"),
            ("CHALLENGE", "success"),
            ("SKIPPED", "success"),
            ("UNKNOWN", "success"),
        ] {
            let event = with(Some(result));
            assert_eq!(event["outcome"], outcome, "{result}");
            assert_eq!(event["context"]["outcome_result"], result);
            assert_eq!(event["reason"], "INVALID_CREDENTIALS");
        }
        assert!(with(None).get("outcome").is_none());
    }

    #[test]
    fn an_app_or_system_actor_is_known_by_its_okta_id_and_other_targets_go_to_context() {
        let mut record = profile_update();
        record["actor"] = json!({"id": "0oa1hr", "type": "PublicClientApp",
                                 "alternateId": "0oa1hr", "displayName": "HR Sync"});
        record["eventType"] = json!("group.user_membership.add");
        record["target"] = json!([
            {"id": "00u1bob", "type": "User", "alternateId": "bob@acme.com", "displayName": "Bob"},
            {"id": "00g1pay", "type": "UserGroup", "alternateId": "unknown", "displayName": "Payroll"}
        ]);
        let event = normalize(&record).unwrap();
        assert_eq!(
            event["actor"],
            json!({"id": "0oa1hr", "type": "service", "name": "HR Sync"})
        );
        assert_eq!(event["category"], "permission");
        assert_eq!(
            event["context"]["other_targets"],
            json!([{"type": "group", "id": "00g1pay", "alternate_id": "unknown", "name": "Payroll"}])
        );
        assert!(event.get("before").is_none());
        record["actor"] = json!({"id": "0oa0sys", "type": "SystemPrincipal",
                                 "alternateId": "system@okta.com", "displayName": "Okta System"});
        let event = normalize(&record).unwrap();
        assert_eq!(event["actor"]["id"], "system@okta.com");
        assert_eq!(event["actor"]["type"], "system");
    }

    #[test]
    fn a_record_without_a_usable_time_or_id_says_why() {
        let mut record = profile_update();
        record["published"] = json!("yesterday");
        assert!(normalize(&record).unwrap_err().contains("not a time"));
        record.as_object_mut().unwrap().remove("published");
        assert!(normalize(&record).unwrap_err().contains("published"));
        let mut record = profile_update();
        record.as_object_mut().unwrap().remove("uuid");
        assert!(normalize(&record).unwrap_err().contains("uuid"));
        assert!(normalize(&json!(7)).is_err());
    }

    #[test]
    fn only_real_addresses_count_as_email() {
        assert!(is_email("bob@acme.com"));
        assert!(!is_email("0oa1hr"));
        assert!(!is_email("unknown"));
        assert!(!is_email("@acme.com"));
        assert!(!is_email("bob@localhost"));
    }
}
