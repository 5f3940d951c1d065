//! Google Workspace activity, as the Admin SDK Reports API (`activities.list`) returns
//! it: a page `{"kind": "admin#reports#activities", "items": [...]}`, a plain array of
//! activities, or one activity a line. One activity may hold several events (an
//! administrator saving several settings at once): each becomes an event of its own,
//! with the id `id.time|id.uniqueQualifier|index`. Settings and user changes carry
//! `OLD_VALUE`/`NEW_VALUE` parameters, which become `before`/`after` keyed by the
//! setting's name. See `../shared/reference/audit-sources.md` §4.4 and
//! docs/sources/google-workspace.md.

use serde_json::{Map, Value};

use super::event::{Event, Party, text, utc_time};
use super::{Format, Head, Item, ItemValue, Normalizer, Out};
use crate::source::SourceKind;

pub struct GoogleWorkspace;

impl Format for GoogleWorkspace {
    fn kind(&self) -> SourceKind {
        SourceKind::GoogleWorkspace
    }

    fn sniff(&self, head: &Head<'_>) -> bool {
        head.has_keys(&["/id/uniqueQualifier", "/id/applicationName", "events"])
    }

    fn wrappers(&self) -> &'static [&'static str] {
        &["items"]
    }

    fn normalizer(&self) -> Box<dyn Normalizer> {
        Box::new(GoogleNormalizer)
    }
}

struct GoogleNormalizer;

impl Normalizer for GoogleNormalizer {
    fn push(&mut self, item: Item<'_>, out: &mut Vec<Out>) -> Result<(), String> {
        let ItemValue::Json(activity) = &item.value else {
            return Err("it is not a JSON activity".into());
        };
        let events = normalize(activity)?;
        let content = content_of(activity);
        for event in events {
            let mut made = Out::of(&item, event);
            made.content = Some(content.clone());
            out.push(made);
        }
        Ok(())
    }
}

/// What a repeat of an activity must equal: the activity without its `etag` (an API
/// artifact), however it was laid out (a page, an array, a line).
fn content_of(activity: &Value) -> Vec<u8> {
    let mut activity = activity.clone();
    if let Some(map) = activity.as_object_mut() {
        map.remove("etag");
    }
    serde_json::to_vec(&activity).unwrap_or_default()
}

/// One activity as its events, in order.
pub fn normalize(activity: &Value) -> Result<Vec<Value>, String> {
    if !activity.is_object() {
        return Err("it is not a JSON object".into());
    }
    let get = |key: &str| activity.get(key);
    let id = get("id")
        .filter(|id| id.is_object())
        .ok_or("it has no id")?;
    let time = text(id.get("time")).ok_or("it has no id.time")?;
    let ts = utc_time(&time).ok_or_else(|| format!("its id.time {time:?} is not a time"))?;
    let unique = text(id.get("uniqueQualifier")).ok_or("it has no id.uniqueQualifier")?;
    let application = text(id.get("applicationName"));
    let events = get("events")
        .and_then(Value::as_array)
        .filter(|events| !events.is_empty())
        .ok_or("it has no events")?;

    // Who: the account's email (else its profile id); an application impersonating a
    // user is the actor, on that user's behalf.
    let actor = get("actor");
    let a = |key: &str| text(actor.and_then(|a| a.get(key)));
    let email = a("email");
    let profile = a("profileId");
    let key = a("key");
    let caller = a("callerType");
    let app_info = actor.and_then(|a| a.get("applicationInfo"));
    let app = |key: &str| text(app_info.and_then(|i| i.get(key)));
    let client_id = app("oauthClientId");
    let impersonating = app_info
        .and_then(|i| i.get("impersonation"))
        .and_then(Value::as_bool)
        == Some(true);
    let account_id = email.clone().or_else(|| profile.clone());
    let account_type = if email.is_none() && profile.is_none() && key.as_deref() == Some("SYSTEM") {
        "system"
    } else if caller.as_deref() == Some("KEY")
        || email
            .as_deref()
            .is_some_and(|e| e.ends_with(".gserviceaccount.com"))
    {
        "service"
    } else {
        "user"
    };
    let ip = text(get("ipAddress"));

    let mut made = Vec::with_capacity(events.len());
    for (index, entry) in events.iter().enumerate() {
        let name = text(entry.get("name"))
            .ok_or_else(|| format!("its event {index} (of {}) has no name", events.len()))?;
        let event_type = text(entry.get("type"));
        let parameters = parameters(entry.get("parameters"));
        let p = |key: &str| text(parameters.get(key));
        let mut event = Event::new(&format!("{time}|{unique}|{index}"), &ts, &name);
        event.text(
            "category",
            Some(category(
                application.as_deref(),
                event_type.as_deref(),
                &name,
            )),
        );
        match (impersonating, &client_id) {
            (true, Some(client)) => {
                let app_name = app("applicationName");
                event.party(
                    "actor",
                    Party {
                        id: Some(client),
                        kind: Some("service"),
                        name: app_name.as_deref(),
                        ..Party::default()
                    },
                );
                event.party(
                    "on_behalf_of",
                    Party {
                        id: account_id.as_deref(),
                        kind: Some(account_type),
                        email: email.as_deref(),
                        ..Party::default()
                    },
                );
            }
            _ => {
                event.party(
                    "actor",
                    Party {
                        id: account_id.as_deref().or(key.as_deref()),
                        kind: Some(account_type),
                        email: email.as_deref(),
                        ..Party::default()
                    },
                );
            }
        }

        // What: a group, a user, a document, or an application's settings.
        let target = if let Some(group) = p("GROUP_EMAIL") {
            Some(("group", group, None))
        } else if let Some(user) = p("USER_EMAIL") {
            Some(("user", user, None))
        } else if let Some(doc) = p("doc_id") {
            Some(("document", doc, p("doc_title")))
        } else if let Some(app) = p("APPLICATION_NAME") {
            let id = match p("ORG_UNIT_NAME") {
                Some(unit) => format!("{app} @ {unit}"),
                None => app,
            };
            Some(("application settings", id, None))
        } else {
            None
        };
        if let Some((kind, id, title)) = &target {
            event.party(
                "target",
                Party {
                    id: Some(id),
                    kind: Some(kind),
                    name: title.as_deref(),
                    ..Party::default()
                },
            );
        }

        // How it ended: the log records what was done; failures say so in their name.
        let lower = name.to_ascii_lowercase();
        let outcome = if lower.contains("failure") || lower.contains("failed") {
            "failure"
        } else if lower.contains("denied") {
            "denied"
        } else {
            "success"
        };
        event.text("outcome", Some(outcome));
        if outcome != "success" {
            event.text("reason", p("login_failure_type").as_deref());
        }
        event.source("ip", ip.as_deref());
        event.source("client_id", client_id.as_deref());

        // What changed: OLD_VALUE → NEW_VALUE of the setting named (else of the event),
        // per grantee for a Drive sharing change.
        let old = parameters.get("OLD_VALUE").or(parameters.get("old_value"));
        let new = parameters.get("NEW_VALUE").or(parameters.get("new_value"));
        if old.is_some() || new.is_some() {
            let mut key = p("SETTING_NAME")
                .or_else(|| p("setting_name"))
                .unwrap_or_else(|| name.clone());
            if let Some(grantee) = p("target_user").or_else(|| p("target_domain")) {
                key = format!("{key} {grantee}");
            }
            let side = |value: Option<&Value>| {
                value.map(|v| Value::Object(Map::from_iter([(key.clone(), v.clone())])))
            };
            if let Some(before) = side(old) {
                event.set("before", before);
            }
            if let Some(after) = side(new) {
                event.set("after", after);
            }
        }

        event.context("application_name", application.clone().into());
        event.context("event_type", event_type.into());
        event.context("customer_id", text(id.get("customerId")).into());
        event.context("owner_domain", text(get("ownerDomain")).into());
        event.context("caller_type", caller.clone().into());
        event.context("profile_id", profile.clone().into());
        event.context("actor_key", key.clone().into());
        event.context("application", app("applicationName").into());
        if events.len() > 1 {
            event.context(
                "event_of_activity",
                Value::String(format!("{} of {}", index + 1, events.len())),
            );
        }
        if !parameters.is_empty() {
            event.context("parameters", Value::Object(parameters.clone()));
        }
        made.push(event.build());
    }
    Ok(made)
}

/// `parameters[{name, value | intValue | boolValue | multiValue | …}]` as `{name: value}`:
/// integers (written as strings) as numbers, messages as objects.
fn parameters(list: Option<&Value>) -> Map<String, Value> {
    let mut map = Map::new();
    for parameter in list.and_then(Value::as_array).into_iter().flatten() {
        if let Some(name) = text(parameter.get("name")) {
            map.insert(name, parameter_value(parameter));
        }
    }
    map
}

fn parameter_value(parameter: &Value) -> Value {
    let integer = |value: &Value| match value {
        Value::String(s) => s.trim().parse::<i64>().map_or(value.clone(), Value::from),
        _ => value.clone(),
    };
    let message = |value: &Value| Value::Object(parameters(value.get("parameter")));
    let get = |key: &str| parameter.get(key).filter(|v| !v.is_null());
    if let Some(value) = get("value") {
        value.clone()
    } else if let Some(value) = get("intValue") {
        integer(value)
    } else if let Some(value) = get("boolValue") {
        value.clone()
    } else if let Some(value) = get("multiValue") {
        value.clone()
    } else if let Some(Value::Array(values)) = get("multiIntValue") {
        Value::Array(values.iter().map(integer).collect())
    } else if let Some(value) = get("messageValue") {
        message(value)
    } else if let Some(Value::Array(values)) = get("multiMessageValue") {
        Value::Array(values.iter().map(message).collect())
    } else {
        Value::Null
    }
}

/// The model's category, from the application and the event's type and name.
fn category(application: Option<&str>, event_type: Option<&str>, name: &str) -> &'static str {
    let name = name.to_ascii_lowercase();
    let event_type = event_type.unwrap_or_default().to_ascii_lowercase();
    let download = name.contains("download") || name.contains("export") || name == "print";
    match application.unwrap_or_default() {
        "login" | "saml" | "user_accounts" => "auth",
        "token" => "integration",
        "admin" => {
            if name.contains("role") || name.contains("privilege") {
                "permission"
            } else {
                "admin"
            }
        }
        "groups" | "groups_enterprise" => "admin",
        "rules" | "context_aware_access" | "chrome" | "mobile" => "system",
        "access_transparency" => "access",
        _ if download => "export",
        _ if event_type == "acl_change"
            || name.contains("acl")
            || name.contains("access")
            || name.contains("visibility")
            || name.contains("share") =>
        {
            "permission"
        }
        _ if name == "view" || name.contains("preview") || name.contains("view") => "access",
        _ => "record",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings_saved() -> Value {
        json!({
            "kind": "admin#reports#activity", "etag": "\"abc\"",
            "id": {"time": "2026-03-02T09:15:00.123Z", "uniqueQualifier": "-4471822914385412398",
                   "applicationName": "admin", "customerId": "C03az79cb"},
            "actor": {"callerType": "USER", "email": "maria@acme.com", "profileId": "1093"},
            "ipAddress": "203.0.113.7", "ownerDomain": "acme.com",
            "events": [
                {"type": "APPLICATION_SETTINGS", "name": "CHANGE_APPLICATION_SETTING",
                 "parameters": [{"name": "APPLICATION_NAME", "value": "Gmail"},
                                {"name": "SETTING_NAME", "value": "Email forwarding"},
                                {"name": "OLD_VALUE", "value": "false"}, {"name": "NEW_VALUE", "value": "true"},
                                {"name": "ORG_UNIT_NAME", "value": "Sales"}]},
                {"type": "APPLICATION_SETTINGS", "name": "CHANGE_APPLICATION_SETTING",
                 "parameters": [{"name": "APPLICATION_NAME", "value": "Gmail"},
                                {"name": "SETTING_NAME", "value": "Attachment deep scanning"},
                                {"name": "NEW_VALUE", "value": "false"},
                                {"name": "ORG_UNIT_NAME", "value": "Sales"}]}
            ]
        })
    }

    #[test]
    fn an_activity_of_several_events_becomes_several_events_with_before_and_after() {
        let events = normalize(&settings_saved()).unwrap();
        assert_eq!(events.len(), 2);
        let first = &events[0];
        assert_eq!(
            first["id"],
            "2026-03-02T09:15:00.123Z|-4471822914385412398|0"
        );
        assert_eq!(
            events[1]["id"],
            "2026-03-02T09:15:00.123Z|-4471822914385412398|1"
        );
        assert_eq!(first["ts"], "2026-03-02T09:15:00.123Z");
        assert_eq!(first["action"], "CHANGE_APPLICATION_SETTING");
        assert_eq!(first["category"], "admin");
        assert_eq!(
            first["actor"],
            json!({"id": "maria@acme.com", "type": "user", "email": "maria@acme.com"})
        );
        assert_eq!(
            first["target"],
            json!({"id": "Gmail @ Sales", "type": "application settings"})
        );
        assert_eq!(first["before"], json!({"Email forwarding": "false"}));
        assert_eq!(first["after"], json!({"Email forwarding": "true"}));
        assert_eq!(first["source"]["ip"], "203.0.113.7");
        assert_eq!(first["context"]["event_of_activity"], "1 of 2");
        assert!(events[1].get("before").is_none(), "no OLD_VALUE");
        assert_eq!(
            events[1]["after"],
            json!({"Attachment deep scanning": "false"})
        );
    }

    #[test]
    fn users_groups_documents_and_sign_ins_read_as_the_issue_says() {
        let one = |app: &str, name: &str, parameters: Value| {
            let activity = json!({
                "id": {"time": "2026-03-02T09:15:00Z", "uniqueQualifier": "7", "applicationName": app},
                "actor": {"email": "bob@acme.com", "profileId": "1"},
                "events": [{"name": name, "parameters": parameters}]
            });
            normalize(&activity).unwrap().remove(0)
        };
        let rename = one(
            "admin",
            "CHANGE_LAST_NAME",
            json!([{"name": "USER_EMAIL", "value": "eve@acme.com"},
                   {"name": "OLD_VALUE", "value": "Stone"}, {"name": "NEW_VALUE", "value": "Marsh"}]),
        );
        assert_eq!(
            rename["target"],
            json!({"id": "eve@acme.com", "type": "user"})
        );
        assert_eq!(rename["before"], json!({"CHANGE_LAST_NAME": "Stone"}));
        let member = one(
            "admin",
            "ADD_GROUP_MEMBER",
            json!([{"name": "USER_EMAIL", "value": "eve@acme.com"},
                   {"name": "GROUP_EMAIL", "value": "finance@acme.com"}]),
        );
        assert_eq!(member["target"]["type"], "group");
        let failed = one(
            "login",
            "login_failure",
            json!([{"name": "login_type", "value": "google_password"},
                   {"name": "login_failure_type", "value": "login_failure_invalid_password"},
                   {"name": "is_suspicious", "boolValue": false}]),
        );
        assert_eq!(failed["outcome"], "failure");
        assert_eq!(failed["category"], "auth");
        assert_eq!(failed["reason"], "login_failure_invalid_password");
        assert_eq!(failed["context"]["parameters"]["is_suspicious"], false);
        let download = one(
            "drive",
            "download",
            json!([{"name": "doc_id", "value": "1AbC"}, {"name": "doc_title", "value": "salaries.xlsx"},
                   {"name": "size", "intValue": "20480"}]),
        );
        assert_eq!(download["category"], "export");
        assert_eq!(
            download["target"],
            json!({"id": "1AbC", "type": "document", "name": "salaries.xlsx"})
        );
        assert_eq!(download["context"]["parameters"]["size"], 20480);
        let shared = one(
            "drive",
            "change_user_access",
            json!([{"name": "doc_id", "value": "1AbC"}, {"name": "target_user", "value": "x@evil.example"},
                   {"name": "old_value", "multiValue": ["none"]}, {"name": "new_value", "multiValue": ["can_edit"]}]),
        );
        assert_eq!(shared["category"], "permission");
        assert_eq!(
            shared["after"],
            json!({"change_user_access x@evil.example": ["can_edit"]})
        );
    }

    #[test]
    fn an_impersonating_application_acts_on_the_users_behalf() {
        let activity = json!({
            "id": {"time": "2026-03-02T09:15:00Z", "uniqueQualifier": "7", "applicationName": "drive"},
            "actor": {"email": "bob@acme.com", "profileId": "1", "callerType": "USER",
                      "applicationInfo": {"oauthClientId": "12345.apps", "applicationName": "Backupify", "impersonation": true}},
            "events": [{"name": "download", "parameters": [{"name": "doc_id", "value": "d"}]}]
        });
        let event = normalize(&activity).unwrap().remove(0);
        assert_eq!(
            event["actor"],
            json!({"id": "12345.apps", "type": "service", "name": "Backupify"})
        );
        assert_eq!(event["on_behalf_of"]["id"], "bob@acme.com");
        assert_eq!(event["source"]["client_id"], "12345.apps");
    }

    #[test]
    fn an_activity_without_a_usable_time_or_id_or_events_says_why() {
        let mut activity = settings_saved();
        activity["id"]["time"] = json!("last Tuesday");
        assert!(
            normalize(&activity)
                .unwrap_err()
                .contains("\"last Tuesday\" is not a time")
        );
        activity["id"].as_object_mut().unwrap().remove("time");
        assert!(normalize(&activity).unwrap_err().contains("id.time"));
        let mut activity = settings_saved();
        activity["id"]
            .as_object_mut()
            .unwrap()
            .remove("uniqueQualifier");
        assert!(
            normalize(&activity)
                .unwrap_err()
                .contains("uniqueQualifier")
        );
        let mut activity = settings_saved();
        activity["events"] = json!([]);
        assert!(normalize(&activity).unwrap_err().contains("no events"));
        assert!(normalize(&json!("x")).is_err());
    }

    #[test]
    fn the_etag_does_not_make_a_repeat_differ() {
        let mut other = settings_saved();
        other["etag"] = json!("\"def\"");
        assert_eq!(content_of(&settings_saved()), content_of(&other));
        other["ipAddress"] = json!("192.0.2.1");
        assert_ne!(content_of(&settings_saved()), content_of(&other));
    }
}
