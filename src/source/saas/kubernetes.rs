//! Kubernetes audit log (`audit.k8s.io/v1`, and `v1beta1`): one JSON object a line as
//! the API server's log backend writes them (or an `EventList`, or an array of
//! events). One request writes one line per stage with the same `auditID`
//! (`RequestReceived`, `ResponseStarted`, `ResponseComplete`, `Panic`); they are folded
//! into one event, held until the request's `ResponseComplete` or `Panic` arrives (or
//! the export ends), so memory grows with the requests in flight, not with the file.
//!
//! A resource has no native "before": its history comes from the successive objects
//! the API server returned for it, volatile fields removed ([`VOLATILE_METADATA`],
//! `status`, …). Per resource the last such object is kept (memory grows with the
//! resources, not the events), so an event's `before` is that earlier object and its
//! `after` the new one. See `../shared/reference/audit-sources.md` §3 and
//! docs/sources/kubernetes.md.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::event::{Event, Party, text, time_of};
use super::{Format, Head, Item, ItemValue, Normalizer, Out};
use crate::canonical::sha256;
use crate::source::SourceKind;
use crate::verify::group;

/// Members of `metadata` that change without the resource changing: taken off every
/// object before it is kept as the resource's state.
pub const VOLATILE_METADATA: &[&str] = &[
    "resourceVersion",
    "generation",
    "managedFields",
    "uid",
    "creationTimestamp",
    "selfLink",
];

/// Annotations that repeat the object or are written by the server: taken off too.
pub const VOLATILE_ANNOTATIONS: &[&str] = &["kubectl.kubernetes.io/last-applied-configuration"];

pub struct Kubernetes;

impl Format for Kubernetes {
    fn kind(&self) -> SourceKind {
        SourceKind::Kubernetes
    }

    fn sniff(&self, head: &Head<'_>) -> bool {
        head.has_keys(&["auditID", "stage", "verb"])
            && head.first.is_some_and(|first| {
                first
                    .get("apiVersion")
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.starts_with("audit.k8s.io/"))
                    || first.get("kind").and_then(Value::as_str) == Some("Event")
            })
    }

    fn wrappers(&self) -> &'static [&'static str] {
        // An `EventList`, as the webhook backend sends them.
        &["items"]
    }

    fn normalizer(&self) -> Box<dyn Normalizer> {
        Box::<KubernetesNormalizer>::default()
    }
}

/// A request whose final stage has not arrived yet: its latest stage line.
struct Held {
    /// Arrival order, so that what is still held at the end comes out in file order.
    seq: u64,
    rank: u8,
    value: Value,
    raw: Vec<u8>,
    file: String,
    line: u64,
    offset: u64,
    /// Stage lines read for it, the held one included.
    lines: u64,
}

/// A request already made an event of.
struct Done {
    /// SHA-256 of the stage line it was made of.
    digest: [u8; 32],
    /// Its `requestReceivedTimestamp`, to tell a late stage line of it from another
    /// request that reuses its id.
    received: Option<String>,
}

#[derive(Default)]
struct KubernetesNormalizer {
    in_flight: HashMap<String, Held>,
    done: HashMap<String, Done>,
    /// Per resource (`apiGroup/resource/namespace/name`), the last object the API
    /// server returned for it, volatile fields removed.
    objects: HashMap<String, Value>,
    seq: u64,
    requests: u64,
    /// Stage lines folded into the request they belong to (not the one kept).
    folded: u64,
    incomplete: u64,
}

/// Order of stages: the final ones (`ResponseComplete`, `Panic`) end a request.
fn rank(stage: Option<&str>) -> u8 {
    match stage {
        Some("RequestReceived") => 0,
        Some("ResponseStarted") => 1,
        Some("ResponseComplete") => 2,
        // `Panic`, or a line that does not say its stage: nothing more will come.
        _ => 3,
    }
}

const FINAL: u8 = 2;

impl Normalizer for KubernetesNormalizer {
    fn push(&mut self, item: Item<'_>, out: &mut Vec<Out>) -> Result<(), String> {
        let ItemValue::Json(record) = &item.value else {
            return Err("it is not a JSON audit event".into());
        };
        if !record.is_object() {
            return Err("it is not a JSON object".into());
        }
        if let Some(kind) = text(record.get("kind"))
            && kind != "Event"
        {
            return Err(format!("its kind is {kind:?}, not Event"));
        }
        let audit_id = text(record.get("auditID")).ok_or("it has no auditID")?;
        // Every line is checked for a usable time on its own, so a bad line is kept in
        // quarantine by itself rather than spoiling its request.
        time(record)?;
        text(record.get("verb")).ok_or("it has no verb")?;
        let stage_rank = rank(record.get("stage").and_then(Value::as_str));
        let received = text(record.get("requestReceivedTimestamp"));
        let digest = sha256(item.raw);

        if let Some(done) = self.done.get(&audit_id) {
            if stage_rank >= FINAL && done.digest == digest {
                // The very line an event was made of, again: an exact repeat, which the
                // reader counts once. The history is not touched.
                let event = normalize(record, true, None)?;
                let mut made = Out::of(&item, event);
                made.content = Some(digest.to_vec());
                out.push(made);
                return Ok(());
            }
            if stage_rank < FINAL && done.received == received {
                // An earlier stage of a request already complete (late, or repeated).
                self.folded += 1;
                return Ok(());
            }
            // Otherwise another request with the same id: read as one of its own, and
            // the reader keeps both with a finding.
        }

        if stage_rank < FINAL {
            self.seq += 1;
            let seq = self.seq;
            let held = Held {
                seq,
                rank: stage_rank,
                value: record.clone(),
                raw: item.raw.to_vec(),
                file: item.file.to_owned(),
                line: item.line,
                offset: item.offset,
                lines: 1,
            };
            match self.in_flight.get_mut(&audit_id) {
                Some(earlier) => {
                    // The last stage wins (a stage that arrives out of order does not
                    // replace a later one).
                    let lines = earlier.lines + 1;
                    if stage_rank >= earlier.rank {
                        *earlier = Held {
                            seq: earlier.seq,
                            ..held
                        };
                    }
                    earlier.lines = lines;
                }
                None => {
                    self.in_flight.insert(audit_id, held);
                }
            }
            return Ok(());
        }

        let event = normalize(record, true, Some(&mut self.objects))?;
        if let Some(held) = self.in_flight.remove(&audit_id) {
            self.folded += held.lines;
        }
        self.requests += 1;
        self.done.insert(audit_id, Done { digest, received });
        let mut made = Out::of(&item, event);
        made.content = Some(digest.to_vec());
        out.push(made);
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<Out>) {
        let mut held: Vec<Held> = self.in_flight.drain().map(|(_, held)| held).collect();
        held.sort_by_key(|held| held.seq);
        for held in held {
            // Its id, time and verb were checked when it arrived.
            let Ok(event) = normalize(&held.value, false, None) else {
                continue;
            };
            self.requests += 1;
            self.incomplete += 1;
            self.folded += held.lines - 1;
            out.push(Out {
                event,
                content: Some(sha256(&held.raw).to_vec()),
                raw: held.raw,
                file: held.file,
                line: held.line,
                offset: held.offset,
            });
        }
    }

    fn summary(&self) -> Option<String> {
        if self.requests == 0 {
            return None;
        }
        let mut said = format!(
            "{} stage lines folded into {} requests (one event a request, from its last stage)",
            group(self.folded),
            group(self.requests)
        );
        if self.incomplete > 0 {
            said.push_str(&format!(
                "; {} requests never reached ResponseComplete or Panic and are kept from their last stage, maybe incomplete",
                group(self.incomplete)
            ));
        }
        Some(said)
    }
}

/// The event's time: `stageTimestamp`, else `requestReceivedTimestamp`, else
/// (`v1beta1`) `timestamp`. The first one present must be a time.
fn time(record: &Value) -> Result<String, String> {
    for key in ["stageTimestamp", "requestReceivedTimestamp", "timestamp"] {
        match record.get(key) {
            None | Some(Value::Null) => {}
            Some(value) => {
                return time_of(value).ok_or_else(|| format!("its {key} {value} is not a time"));
            }
        }
    }
    Err("it has no stageTimestamp or requestReceivedTimestamp".into())
}

/// The actor type of a Kubernetes user name.
fn actor_type(username: &str) -> &'static str {
    if username.starts_with("system:serviceaccount:") {
        "service"
    } else if username.starts_with("system:") {
        "system"
    } else {
        "user"
    }
}

/// What a resource's state change was, read from one request.
enum Change {
    None,
    Set { before: Option<Value>, after: Value },
    Deleted { before: Option<Value> },
}

/// One stage line as an event. `complete` when it is a request's final stage;
/// `objects` (the resources' last known objects) to give it `before`/`after` and move
/// the history on (`None` for a repeat or an incomplete request, which change nothing).
fn normalize(
    record: &Value,
    complete: bool,
    objects: Option<&mut HashMap<String, Value>>,
) -> Result<Value, String> {
    let get = |key: &str| record.get(key);
    let s = |key: &str| text(get(key));
    let id = s("auditID").ok_or("it has no auditID")?;
    let ts = time(record)?;
    let verb = s("verb").ok_or("it has no verb")?;
    let reference = get("objectRef").filter(|r| r.is_object());
    let at = |key: &str| text(reference.and_then(|r| r.get(key)));
    let resource = at("resource");
    let subresource = at("subresource");
    let namespace = at("namespace");
    let api_group = at("apiGroup").unwrap_or_default();
    let request_object = get("requestObject").filter(|o| o.is_object());
    let response_object = get("responseObject").filter(|o| o.is_object());
    let path = s("requestURI").map(|uri| uri.split('?').next().unwrap_or_default().to_owned());

    let action = match (&resource, &subresource) {
        (Some(resource), Some(sub)) => format!("{verb} {resource}/{sub}"),
        (Some(resource), None) => format!("{verb} {resource}"),
        (None, _) => format!("{verb} {}", path.as_deref().unwrap_or("/")),
    };
    let mut event = Event::new(&id, &ts, &action);
    event.text(
        "category",
        Some(category(
            &verb,
            &api_group,
            resource.as_deref(),
            subresource.as_deref(),
        )),
    );

    // Who: the authenticated user; an impersonated user is whom it acted as.
    let user = get("user");
    let username = text(user.and_then(|u| u.get("username")));
    let email = |name: &str| {
        (name.contains('@') && !name.contains(':') && !name.contains(' ')).then(|| name.to_owned())
    };
    if let Some(username) = &username {
        let email = email(username);
        event.party(
            "actor",
            Party {
                id: Some(username),
                kind: Some(actor_type(username)),
                email: email.as_deref(),
                ..Party::default()
            },
        );
    }
    let impersonated = get("impersonatedUser");
    if let Some(name) = text(impersonated.and_then(|u| u.get("username"))) {
        let email = email(&name);
        event.party(
            "on_behalf_of",
            Party {
                id: Some(&name),
                kind: Some(actor_type(&name)),
                email: email.as_deref(),
                ..Party::default()
            },
        );
    }

    // What: the object, by namespace/name (a create names it only in its body).
    let named_in = |object: Option<&Value>| {
        object
            .filter(|o| is_state(o))
            .and_then(|o| text(o.pointer("/metadata/name")))
    };
    let name = at("name")
        .or_else(|| named_in(response_object))
        .or_else(|| named_in(request_object));
    let target_id = name.as_ref().map(|name| match &namespace {
        Some(namespace) => format!("{namespace}/{name}"),
        None => name.clone(),
    });
    if let Some(resource) = &resource {
        event.party(
            "target",
            Party {
                id: target_id.as_deref(),
                kind: Some(resource),
                name: name.as_deref(),
                ..Party::default()
            },
        );
    }

    // How it ended.
    let annotations = get("annotations").and_then(Value::as_object);
    let annotation = |key: &str| text(annotations.and_then(|a| a.get(key)));
    let status = get("responseStatus");
    let code = status.and_then(|s| s.get("code")).and_then(Value::as_i64);
    let forbidden = annotation("authorization.k8s.io/decision").as_deref() == Some("forbid");
    let panicked = get("stage").and_then(Value::as_str) == Some("Panic");
    let outcome = if forbidden || matches!(code, Some(401 | 403)) {
        Some("denied")
    } else if code.is_some_and(|c| c >= 400) || panicked {
        Some("failure")
    } else if complete {
        Some("success")
    } else {
        // Its response was never logged: how it ended is not known.
        None
    };
    event.text("outcome", outcome);
    if outcome.is_some_and(|o| o != "success") {
        let message = text(status.and_then(|s| s.get("message")));
        event.text(
            "reason",
            message
                .or_else(|| annotation("authorization.k8s.io/reason"))
                .as_deref(),
        );
    }

    // Where from: the last address is the connection's; the others were sent by the
    // client (X-Forwarded-For, X-Real-Ip) and can be anything.
    let addresses: Vec<String> = get("sourceIPs")
        .and_then(Value::as_array)
        .map(|ips| ips.iter().filter_map(|ip| text(Some(ip))).collect())
        .unwrap_or_default();
    event.source("ip", addresses.last().map(String::as_str));
    event.source("user_agent", s("userAgent").as_deref());
    event.source("request_id", Some(&id));

    // The resource's state, from the objects the API server returned.
    let key = match (&resource, &name) {
        (Some(resource), Some(name)) => Some(format!(
            "{api_group}/{resource}/{}/{name}",
            namespace.as_deref().unwrap_or_default()
        )),
        _ => None,
    };
    let level = s("level");
    let (change, response_is_after) = match (objects, key) {
        (Some(objects), Some(key)) if outcome == Some("success") => state_change(
            objects,
            &key,
            &verb,
            subresource.as_deref(),
            level.as_deref(),
            request_object,
            response_object,
        ),
        _ => (Change::None, false),
    };
    if let Some(request) = get("requestObject").filter(|o| !o.is_null()) {
        event.set("requested", request.clone());
    }
    if !response_is_after && let Some(response) = get("responseObject").filter(|o| !o.is_null()) {
        event.set("result", response.clone());
    }

    let mut context = Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value.filter(|v| !v.is_null()) {
            context.insert(key.to_owned(), value);
        }
    };
    put("level", level.map(Value::String));
    put("stage", get("stage").cloned());
    if !complete {
        put("incomplete", Some(Value::Bool(true)));
    }
    put("request_uri", get("requestURI").cloned());
    put("verb", Some(Value::String(verb.clone())));
    for (key, name) in [
        ("apiGroup", "api_group"),
        ("apiVersion", "api_version"),
        ("resource", "resource"),
        ("subresource", "subresource"),
        ("namespace", "namespace"),
        ("uid", "object_uid"),
        ("resourceVersion", "object_resource_version"),
    ] {
        put(name, reference.and_then(|r| r.get(key)).cloned());
    }
    if reference.is_none() {
        put("non_resource_url", path.map(Value::String));
    }
    put("user_uid", user.and_then(|u| u.get("uid")).cloned());
    put("groups", user.and_then(|u| u.get("groups")).cloned());
    put("user_extra", user.and_then(|u| u.get("extra")).cloned());
    put(
        "impersonated_groups",
        impersonated.and_then(|u| u.get("groups")).cloned(),
    );
    if addresses.len() > 1 {
        put(
            "client_supplied_ips",
            Some(Value::from(addresses[..addresses.len() - 1].to_vec())),
        );
    }
    put("response_status", status.cloned());
    put("annotations", get("annotations").cloned());
    put(
        "received_at",
        get("requestReceivedTimestamp")
            .and_then(time_of)
            .map(Value::String),
    );
    put(
        "stage_at",
        get("stageTimestamp").and_then(time_of).map(Value::String),
    );
    event.set("context", Value::Object(context));

    let mut built = event.build();
    match change {
        Change::None => {}
        Change::Set { before, after } => {
            if let Some(before) = before {
                built["before"] = before;
            }
            built["after"] = after;
        }
        Change::Deleted { before } => {
            // `{}` when no earlier object was seen: the record still ends here.
            built["before"] = before.unwrap_or_else(|| Value::Object(Map::new()));
            built["after"] = Value::Null;
        }
    }
    Ok(built)
}

/// Whether an object is a resource's own (not a `Status`, a list, or options).
fn is_state(object: &Value) -> bool {
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    object.get("metadata").is_some_and(Value::is_object)
        && !matches!(kind, "Status" | "DeleteOptions" | "Scale" | "")
        && !kind.ends_with("List")
}

/// An object as a resource's state: volatile fields taken off.
pub fn stable(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(map) = object.as_object_mut() {
        map.remove("status");
        if let Some(Value::Object(metadata)) = map.get_mut("metadata") {
            for key in VOLATILE_METADATA {
                metadata.remove(*key);
            }
            let emptied = match metadata.get_mut("annotations") {
                Some(Value::Object(annotations)) => {
                    for key in VOLATILE_ANNOTATIONS {
                        annotations.remove(*key);
                    }
                    annotations.is_empty()
                }
                _ => false,
            };
            if emptied {
                metadata.remove("annotations");
            }
        }
    }
    object
}

/// How a successful request moved a resource's history on: (the change, whether the
/// response object became the `after`).
fn state_change(
    objects: &mut HashMap<String, Value>,
    key: &str,
    verb: &str,
    subresource: Option<&str>,
    level: Option<&str>,
    request: Option<&Value>,
    response: Option<&Value>,
) -> (Change, bool) {
    match (subresource, verb) {
        (None, "delete") => (
            Change::Deleted {
                before: objects.remove(key),
            },
            false,
        ),
        (None, "create" | "update" | "patch") => {
            let from_response = response.filter(|o| is_state(o));
            // At Request level only the body is logged; a create's or an update's body
            // is the whole object (a patch's is not).
            let object = from_response.or_else(|| {
                (response.is_none() && level == Some("Request") && verb != "patch")
                    .then_some(request)
                    .flatten()
                    .filter(|o| is_state(o))
            });
            match object {
                Some(object) => {
                    let after = stable(object);
                    let earlier = objects.insert(key.to_owned(), after.clone());
                    let before = if verb == "create" { None } else { earlier };
                    (Change::Set { before, after }, from_response.is_some())
                }
                None => {
                    // Changed, but how is not logged: what was known is no longer so.
                    objects.remove(key);
                    (Change::None, false)
                }
            }
        }
        (None, "get") => {
            // A read says what the resource is now: the next change is compared with it.
            if let Some(object) = response.filter(|o| is_state(o)) {
                objects.insert(key.to_owned(), stable(object));
            }
            (Change::None, false)
        }
        (Some("scale"), "update" | "patch") => {
            let replicas = response
                .filter(|o| o.get("kind").and_then(Value::as_str) == Some("Scale"))
                .and_then(|scale| scale.pointer("/spec/replicas"))
                .cloned();
            let Some(replicas) = replicas else {
                // Scaled, but to what is not logged.
                objects.remove(key);
                return (Change::None, false);
            };
            let Some(parent) = objects.get_mut(key) else {
                return (Change::None, false);
            };
            // The scale subresource sets the parent's spec.replicas, and only it.
            let before = parent.clone();
            if let Some(map) = parent.as_object_mut() {
                let spec = map
                    .entry("spec")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Some(spec) = spec.as_object_mut() {
                    spec.insert("replicas".into(), replicas);
                }
            }
            (
                Change::Set {
                    before: Some(before),
                    after: parent.clone(),
                },
                false,
            )
        }
        _ => (Change::None, false),
    }
}

/// The model's category for a request.
fn category(
    verb: &str,
    api_group: &str,
    resource: Option<&str>,
    subresource: Option<&str>,
) -> &'static str {
    let Some(resource) = resource else {
        // /healthz, /metrics, /version, /openapi: the server itself.
        return "system";
    };
    match subresource {
        Some("exec" | "attach" | "portforward" | "proxy" | "log") => return "access",
        Some("token") => return "auth",
        _ => {}
    }
    if matches!(verb, "get" | "list" | "watch") {
        return "access";
    }
    match api_group {
        "rbac.authorization.k8s.io" => "permission",
        "authentication.k8s.io" | "authorization.k8s.io" | "certificates.k8s.io" => "auth",
        "admissionregistration.k8s.io" | "apiregistration.k8s.io" | "apiextensions.k8s.io" => {
            "admin"
        }
        "coordination.k8s.io" | "events.k8s.io" => "system",
        _ => match resource {
            "namespaces" | "nodes" | "persistentvolumes" | "storageclasses" | "priorityclasses" => {
                "admin"
            }
            "events" => "system",
            _ => "record",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn line(value: &Value) -> String {
        value.to_string()
    }

    fn stage(audit_id: &str, stage: &str, ms: u32, extra: Value) -> Value {
        let mut record = json!({
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
            "auditID": audit_id, "stage": stage,
            "requestURI": "/apis/apps/v1/namespaces/prod/deployments/web", "verb": "patch",
            "user": {"username": "alice@acme.com", "groups": ["devs", "system:authenticated"]},
            "sourceIPs": ["198.51.100.9", "10.0.0.12"], "userAgent": "kubectl/v1.30.1",
            "objectRef": {"resource": "deployments", "namespace": "prod", "name": "web",
                          "apiGroup": "apps", "apiVersion": "v1"},
            "requestReceivedTimestamp": "2026-03-02T09:00:00.000000Z",
            "stageTimestamp": format!("2026-03-02T09:00:00.{ms:03}000Z"),
        });
        if let (Some(record), Value::Object(extra)) = (record.as_object_mut(), extra) {
            record.extend(extra);
        }
        record
    }

    fn deployment(replicas: u64, resource_version: &str) -> Value {
        json!({"kind": "Deployment", "apiVersion": "apps/v1",
               "metadata": {"name": "web", "namespace": "prod", "uid": "u-1",
                            "resourceVersion": resource_version, "generation": 4,
                            "creationTimestamp": "2026-03-01T00:00:00Z",
                            "managedFields": [{"manager": "kubectl"}],
                            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{…}"},
                            "labels": {"app": "web"}},
               "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "web", "image": "web:1"}]}}},
               "status": {"replicas": replicas, "readyReplicas": 1}})
    }

    /// Pushes lines through a normalizer, as the reader would.
    fn run(lines: &[Value]) -> (Vec<Out>, Vec<String>, KubernetesNormalizer) {
        let mut normalizer = KubernetesNormalizer::default();
        let mut outs = Vec::new();
        let mut errors = Vec::new();
        for (n, value) in lines.iter().enumerate() {
            let raw = line(value);
            let item = Item {
                file: "audit.log",
                number: n as u64 + 1,
                line: n as u64 + 1,
                offset: 0,
                raw: raw.as_bytes(),
                value: ItemValue::Json(value.clone()),
            };
            if let Err(e) = normalizer.push(item, &mut outs) {
                errors.push(e);
            }
        }
        normalizer.finish(&mut outs);
        (outs, errors, normalizer)
    }

    #[test]
    fn the_stages_of_one_request_fold_into_one_event_from_the_last() {
        let received = stage("a1", "RequestReceived", 0, json!({}));
        let other = stage(
            "b2",
            "ResponseComplete",
            3,
            json!({"verb": "get", "level": "Metadata",
                          "responseStatus": {"code": 200}}),
        );
        let complete = stage(
            "a1",
            "ResponseComplete",
            9,
            json!({"responseStatus": {"code": 200}}),
        );
        let (outs, errors, normalizer) = run(&[received, other, complete.clone()]);
        assert!(errors.is_empty());
        assert_eq!(outs.len(), 2);
        let event = &outs[1].event;
        assert_eq!(event["id"], "a1");
        assert_eq!(event["ts"], "2026-03-02T09:00:00.009Z");
        assert_eq!(event["action"], "patch deployments");
        assert_eq!(event["category"], "record");
        assert_eq!(event["outcome"], "success");
        assert_eq!(
            event["target"],
            json!({"id": "prod/web", "type": "deployments", "name": "web"})
        );
        assert_eq!(event["actor"]["type"], "user");
        assert_eq!(event["actor"]["email"], "alice@acme.com");
        assert_eq!(event["source"]["ip"], "10.0.0.12");
        assert_eq!(
            event["context"]["client_supplied_ips"],
            json!(["198.51.100.9"])
        );
        assert_eq!(outs[1].raw, line(&complete).into_bytes(), "the kept stage");
        assert_eq!(
            normalizer.summary().unwrap(),
            "1 stage lines folded into 2 requests (one event a request, from its last stage)"
        );
    }

    #[test]
    fn a_request_whose_last_stage_never_arrives_is_kept_from_its_last_stage() {
        let received = stage("a1", "RequestReceived", 0, json!({"verb": "watch"}));
        let started = stage("a1", "ResponseStarted", 5, json!({"verb": "watch"}));
        let (outs, _, normalizer) = run(&[received, started.clone()]);
        assert_eq!(outs.len(), 1);
        assert_eq!(outs[0].raw, line(&started).into_bytes());
        assert_eq!(outs[0].event["context"]["incomplete"], true);
        assert!(outs[0].event.get("outcome").is_none());
        assert!(
            normalizer
                .summary()
                .unwrap()
                .contains("1 requests never reached")
        );
    }

    #[test]
    fn denials_failures_impersonation_and_actor_types_read_as_the_issue_says() {
        let outcome = |extra: Value| {
            let (outs, _, _) = run(&[stage("x", "ResponseComplete", 1, extra)]);
            outs[0].event.clone()
        };
        let forbidden = outcome(
            json!({"responseStatus": {"code": 403, "message": "forbidden: User cannot patch"},
                                     "annotations": {"authorization.k8s.io/decision": "forbid"}}),
        );
        assert_eq!(forbidden["outcome"], "denied");
        assert_eq!(forbidden["reason"], "forbidden: User cannot patch");
        assert_eq!(
            outcome(
                json!({"responseStatus": {"code": 200}, "annotations": {"authorization.k8s.io/decision": "forbid"}})
            )["outcome"],
            "denied"
        );
        assert_eq!(
            outcome(json!({"responseStatus": {"code": 401}}))["outcome"],
            "denied"
        );
        assert_eq!(
            outcome(json!({"responseStatus": {"code": 409}}))["outcome"],
            "failure"
        );
        assert_eq!(outcome(json!({"stage": "Panic"}))["outcome"], "failure");
        let impersonating = outcome(json!({"responseStatus": {"code": 200},
            "impersonatedUser": {"username": "system:serviceaccount:prod:web", "groups": ["system:serviceaccounts"]}}));
        assert_eq!(impersonating["actor"]["id"], "alice@acme.com");
        assert_eq!(
            impersonating["on_behalf_of"],
            json!({"id": "system:serviceaccount:prod:web", "type": "service"})
        );
        for (name, kind) in [
            ("system:serviceaccount:ci:deployer", "service"),
            ("system:node:ip-10-0-1-5", "system"),
            ("system:kube-scheduler", "system"),
            ("kubernetes-admin", "user"),
        ] {
            assert_eq!(actor_type(name), kind, "{name}");
        }
        let nonresource = outcome(
            json!({"verb": "get", "requestURI": "/healthz?verbose", "objectRef": null,
                                         "responseStatus": {"code": 200}}),
        );
        assert_eq!(nonresource["action"], "get /healthz");
        assert_eq!(nonresource["category"], "system");
        assert!(nonresource.get("target").is_none());
    }

    #[test]
    fn a_scaled_deployment_shows_one_field_change_per_request() {
        use crate::diff::diff;
        let create = stage(
            "c",
            "ResponseComplete",
            1,
            json!({"verb": "create", "objectRef": {"resource": "deployments", "namespace": "prod", "apiGroup": "apps"},
                   "responseStatus": {"code": 201}, "responseObject": deployment(2, "100")}),
        );
        let patch = stage(
            "p",
            "ResponseComplete",
            2,
            json!({"responseStatus": {"code": 200}, "requestObject": {"spec": {"replicas": 5}},
                   "responseObject": deployment(5, "107")}),
        );
        let scale = stage(
            "s",
            "ResponseComplete",
            3,
            json!({"objectRef": {"resource": "deployments", "subresource": "scale", "namespace": "prod",
                                 "name": "web", "apiGroup": "apps"},
                   "responseStatus": {"code": 200},
                   "responseObject": {"kind": "Scale", "apiVersion": "autoscaling/v1",
                                      "metadata": {"name": "web", "namespace": "prod"},
                                      "spec": {"replicas": 3}, "status": {"replicas": 5}}}),
        );
        let delete = stage(
            "d",
            "ResponseComplete",
            4,
            json!({"verb": "delete", "responseStatus": {"code": 200},
                   "responseObject": {"kind": "Status", "apiVersion": "v1", "status": "Success", "metadata": {}}}),
        );
        let (outs, errors, _) = run(&[create, patch, scale, delete]);
        assert!(errors.is_empty(), "{errors:?}");
        let created = &outs[0].event;
        assert_eq!(created["target"]["id"], "prod/web", "named from its body");
        assert!(created.get("before").is_none());
        assert_eq!(created["after"]["spec"]["replicas"], 2);
        assert!(created["after"].get("status").is_none());
        assert_eq!(
            created["after"]["metadata"],
            json!({"name": "web", "namespace": "prod", "labels": {"app": "web"}})
        );
        for (out, from, to) in [(&outs[1], 2, 5), (&outs[2], 5, 3)] {
            let event = &out.event;
            let changes = diff(event.get("before"), event.get("after"));
            assert_eq!(changes.len(), 1, "{changes:?}");
            assert_eq!(changes[0].path, "spec.replicas");
            assert_eq!(changes[0].before, Some(json!(from)));
            assert_eq!(changes[0].after, Some(json!(to)));
        }
        assert_eq!(outs[1].event["requested"], json!({"spec": {"replicas": 5}}));
        assert!(
            outs[1].event.get("result").is_none(),
            "the response is the after"
        );
        assert_eq!(outs[2].event["action"], "patch deployments/scale");
        assert_eq!(outs[2].event["result"]["kind"], "Scale");
        let deleted = &outs[3].event;
        assert_eq!(deleted["after"], Value::Null);
        assert_eq!(deleted["before"]["spec"]["replicas"], 3);
    }

    #[test]
    fn a_failed_or_metadata_level_change_does_not_claim_a_state() {
        let create = stage(
            "c",
            "ResponseComplete",
            1,
            json!({"verb": "create", "responseStatus": {"code": 201}, "responseObject": deployment(2, "1")}),
        );
        let conflict = stage(
            "f",
            "ResponseComplete",
            2,
            json!({"responseStatus": {"code": 409}, "responseObject": deployment(9, "2")}),
        );
        let blind = stage(
            "m",
            "ResponseComplete",
            3,
            json!({"level": "Metadata", "responseStatus": {"code": 200}}),
        );
        let after = stage(
            "p",
            "ResponseComplete",
            4,
            json!({"responseStatus": {"code": 200}, "responseObject": deployment(4, "3")}),
        );
        let (outs, _, _) = run(&[create, conflict, blind, after]);
        assert!(outs[1].event.get("after").is_none());
        assert!(outs[2].event.get("after").is_none());
        assert!(
            outs[3].event.get("before").is_none(),
            "the blind change made the old object unknown"
        );
        assert_eq!(outs[3].event["after"]["spec"]["replicas"], 4);
    }

    #[test]
    fn repeats_late_stages_and_reused_ids_are_told_apart() {
        let received = stage("a", "RequestReceived", 0, json!({}));
        let complete = stage(
            "a",
            "ResponseComplete",
            5,
            json!({"responseStatus": {"code": 200}}),
        );
        let reused = stage(
            "a",
            "ResponseComplete",
            5,
            json!({"responseStatus": {"code": 500}}),
        );
        let (outs, errors, normalizer) = run(&[
            received.clone(),
            complete.clone(),
            received,
            complete,
            reused,
        ]);
        assert!(errors.is_empty());
        assert_eq!(
            outs.len(),
            3,
            "the event, its exact repeat, the other request"
        );
        assert_eq!(outs[0].content, outs[1].content);
        assert_ne!(outs[0].content, outs[2].content);
        assert_eq!(outs[2].event["outcome"], "failure");
        assert_eq!(normalizer.folded, 2);
    }

    #[test]
    fn a_line_without_a_usable_time_or_id_says_why() {
        let mut no_time = stage("t", "ResponseComplete", 1, json!({}));
        no_time.as_object_mut().unwrap().remove("stageTimestamp");
        no_time
            .as_object_mut()
            .unwrap()
            .remove("requestReceivedTimestamp");
        let mut bad_time = stage("u", "ResponseComplete", 1, json!({}));
        bad_time["stageTimestamp"] = json!("soon");
        let mut no_id = stage("v", "ResponseComplete", 1, json!({}));
        no_id.as_object_mut().unwrap().remove("auditID");
        let (outs, errors, _) = run(&[no_time, bad_time, no_id, json!([1])]);
        assert!(outs.is_empty());
        assert!(errors[0].contains("no stageTimestamp"), "{errors:?}");
        assert!(errors[1].contains("\"soon\" is not a time"), "{errors:?}");
        assert!(errors[2].contains("auditID"), "{errors:?}");
        assert!(errors[3].contains("not a JSON object"), "{errors:?}");
    }

    #[test]
    fn sniffing_takes_audit_events_and_nothing_else() {
        let head = |first: Value| {
            let bytes = first.to_string();
            Kubernetes.sniff(&Head {
                name: "x",
                bytes: bytes.as_bytes(),
                columns: None,
                first: Some(&first),
            })
        };
        assert!(head(stage("a", "ResponseComplete", 1, json!({}))));
        assert!(!head(
            json!({"auditID": "a", "stage": "x", "verb": "get", "kind": "Pod"})
        ));
        assert!(!head(json!({"Id": "x", "Operation": "y"})));
    }
}
