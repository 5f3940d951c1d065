//! Kubernetes API requests in plain words: "system:serviceaccount:ci:deployer was
//! refused permission to delete pod web-1 in namespace prod", "alice@acme.com ran a
//! command (sh) in pod web-1 in namespace prod", "bob@acme.com changed deployment web in
//! namespace prod: spec.replicas from 2 to 5".
//!
//! **Which events.** Those the Kubernetes normalizer made (`source::saas::kubernetes`):
//! a `context.verb` that begins the action (`delete pods`), with the request's `level`,
//! `stage` or URI beside it.
//!
//! **Data, not branches.** The verb is looked up in [`VERBS`] (past tense, infinitive,
//! and whether it names one object or many), the resource in [`RESOURCES`] (its
//! singular in words; an unknown one loses its plural's "s"), a subresource in
//! [`SUBRESOURCES`] ("exec" → "ran a command in"). The object is named with its
//! namespace. A change the API server's answers show is listed field by field. The user
//! name says what kind of account it is (`system:serviceaccount:…`, `system:node:…`), so
//! no kind is added to it; one who impersonated another is said to.
//!
//! The caller's address is left out: the API server logs the last hop, mostly a node
//! or a load balancer inside the cluster, which reads as noise here (the detail shows
//! it).

use serde_json::Value;

use super::saas::*;
use super::*;

/// How a verb names what it was done to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// One object: "deleted pod web-1 in namespace prod".
    One,
    /// The kind: "listed secrets in namespace prod".
    Many,
}

/// (verb, past, infinitive, form).
const VERBS: &[(&str, &str, &str, Form)] = &[
    ("get", "read", "read", Form::One),
    ("list", "listed", "list", Form::Many),
    ("watch", "watched", "watch", Form::Many),
    ("create", "created", "create", Form::One),
    ("update", "updated", "update", Form::One),
    ("patch", "changed", "change", Form::One),
    ("delete", "deleted", "delete", Form::One),
    (
        "deletecollection",
        "deleted all matching",
        "delete all matching",
        Form::Many,
    ),
    ("impersonate", "impersonated", "impersonate", Form::One),
    ("bind", "bound", "bind", Form::One),
    ("escalate", "escalated", "escalate", Form::One),
    ("approve", "approved", "approve", Form::One),
    ("use", "used", "use", Form::One),
];

/// (resource, its singular in words).
const RESOURCES: &[(&str, &str)] = &[
    ("pods", "pod"),
    ("deployments", "deployment"),
    ("replicasets", "replica set"),
    ("statefulsets", "stateful set"),
    ("daemonsets", "daemon set"),
    ("jobs", "job"),
    ("cronjobs", "cron job"),
    ("services", "service"),
    ("endpoints", "endpoints"),
    ("endpointslices", "endpoint slice"),
    ("configmaps", "config map"),
    ("secrets", "secret"),
    ("serviceaccounts", "service account"),
    ("namespaces", "namespace"),
    ("nodes", "node"),
    ("persistentvolumes", "persistent volume"),
    ("persistentvolumeclaims", "persistent volume claim"),
    ("storageclasses", "storage class"),
    ("ingresses", "ingress"),
    ("networkpolicies", "network policy"),
    ("roles", "role"),
    ("rolebindings", "role binding"),
    ("clusterroles", "cluster role"),
    ("clusterrolebindings", "cluster role binding"),
    ("customresourcedefinitions", "custom resource definition"),
    ("horizontalpodautoscalers", "horizontal pod autoscaler"),
    ("poddisruptionbudgets", "pod disruption budget"),
    ("events", "event"),
    ("leases", "lease"),
    ("certificatesigningrequests", "certificate signing request"),
    ("tokenreviews", "token review"),
    ("subjectaccessreviews", "subject access review"),
    ("selfsubjectaccessreviews", "self subject access review"),
    ("selfsubjectrulesreviews", "self subject rules review"),
    (
        "mutatingwebhookconfigurations",
        "mutating webhook configuration",
    ),
    (
        "validatingwebhookconfigurations",
        "validating webhook configuration",
    ),
    ("priorityclasses", "priority class"),
    ("limitranges", "limit range"),
    ("resourcequotas", "resource quota"),
    ("replicationcontrollers", "replication controller"),
    ("volumeattachments", "volume attachment"),
];

/// (subresource, past, infinitive): `{object}` is what it belongs to.
const SUBRESOURCES: &[(&str, &str, &str)] = &[
    (
        "exec",
        "ran a command{command} in {object}",
        "run a command{command} in {object}",
    ),
    ("attach", "attached to {object}", "attach to {object}"),
    (
        "portforward",
        "forwarded a port to {object}",
        "forward a port to {object}",
    ),
    (
        "proxy",
        "connected through the API server to {object}",
        "connect through the API server to {object}",
    ),
    (
        "log",
        "read the logs of {object}",
        "read the logs of {object}",
    ),
    ("scale", "scaled {object}{replicas}", "scale {object}"),
    ("eviction", "evicted {object}", "evict {object}"),
    (
        "binding",
        "assigned {object} to a node",
        "assign {object} to a node",
    ),
    (
        "token",
        "created a token for {object}",
        "create a token for {object}",
    ),
    (
        "ephemeralcontainers",
        "added a debug container to {object}",
        "add a debug container to {object}",
    ),
];

pub(super) fn kubernetes_sentence(event: &Value) -> Option<String> {
    let context = event.get("context")?.as_object()?;
    let verb = context.get("verb")?.as_str()?;
    let action = event.get("action")?.as_str()?;
    let is_request = ["level", "stage", "request_uri", "non_resource_url"]
        .iter()
        .any(|k| context.contains_key(*k));
    if !is_request || !action.starts_with(&format!("{verb} ")) {
        return None;
    }
    let deed = deed(event, verb, &action[verb.len() + 1..]);
    // A refusal's message repeats the deed ("pods "web-1" is forbidden: User … cannot
    // delete …"); any other reason is said.
    let reason = match text(event, "reason") {
        Some(r)
            if event.get("outcome").and_then(Value::as_str) == Some("denied")
                && r.contains("forbidden") =>
        {
            String::new()
        }
        Some(r) => format!(": {r}"),
        None => String::new(),
    };
    Some(tell(event, &who(event), &deed, "", &reason))
}

/// The user name as it is (it says what kind of account it is), and whom it
/// impersonated.
fn who(event: &Value) -> String {
    let name = |party: &Value| match party.get("id").and_then(Value::as_str) {
        Some("system:anonymous") => "An unauthenticated caller (system:anonymous)".to_owned(),
        _ => {
            let mut untyped = party.clone();
            if let Some(fields) = untyped.as_object_mut() {
                fields.remove("type");
            }
            principal(&untyped, None)
        }
    };
    let actor = event
        .get("actor")
        .filter(|a| a.is_object())
        .map_or_else(|| "Someone".to_owned(), name);
    match event.get("on_behalf_of").filter(|p| p.is_object()) {
        Some(whom) => format!("{actor}, impersonating {},", name(whom)),
        None => actor,
    }
}

fn deed(event: &Value, verb: &str, what: &str) -> Deed {
    let resource = context_text(event, "resource");
    let Some(resource) = resource else {
        // /healthz, /version, /metrics: the server itself.
        let path = shorten(what, TEXT_CHARS);
        return if verb == "get" {
            Deed::new(
                "requested ",
                "request ",
                &format!("{path} from the API server"),
            )
        } else {
            let method = shorten(&verb.to_uppercase(), TEXT_CHARS);
            Deed::new(
                "sent ",
                "send ",
                &format!("a {method} request for {path} to the API server"),
            )
        };
    };
    let singular = singular(&resource);
    let name = event
        .pointer("/target/name")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .map(|n| shorten(n, TEXT_CHARS));
    let namespace = context_text(event, "namespace")
        .filter(|_| resource != "namespaces")
        .map(|ns| format!(" in namespace {ns}"))
        .unwrap_or_default();
    let one = match &name {
        Some(name) => format!("{singular} {name}{namespace}"),
        None => format!("{} {singular}{namespace}", article(&singular)),
    };

    if let Some(sub) = context_text(event, "subresource") {
        return match SUBRESOURCES.iter().find(|(s, _, _)| *s == sub) {
            Some((_, past, base)) => {
                let fill = |template: &str| {
                    template
                        .replace("{object}", &one)
                        .replace("{command}", &command(event))
                        .replace("{replicas}", &replicas(event))
                };
                Deed {
                    past: fill(past),
                    base: fill(base),
                }
            }
            None => {
                let (past, base) = verb_words(verb);
                Deed {
                    past: format!("{past} the {sub} of {one}"),
                    base: format!("{base} the {sub} of {one}"),
                }
            }
        };
    }

    let form = VERBS
        .iter()
        .find(|(v, _, _, _)| *v == verb)
        .map_or(Form::One, |(_, _, _, form)| *form);
    let object = match form {
        Form::One => one,
        Form::Many => format!("{}{namespace}", plural(&resource, &singular)),
    };
    // A change the API server's answers show, field by field.
    if matches!(verb, "update" | "patch")
        && event.get("before").is_some_and(Value::is_object)
        && let Some(deed) = changed(event, Some(&object), &as_is, &same)
    {
        return deed;
    }
    let (past, base) = verb_words(verb);
    Deed {
        past: format!("{past} {object}"),
        base: format!("{base} {object}"),
    }
}

/// A verb's past tense and infinitive; an unknown verb is said as it is.
fn verb_words(verb: &str) -> (String, String) {
    match VERBS.iter().find(|(v, _, _, _)| *v == verb) {
        Some((_, past, base, _)) => ((*past).to_owned(), (*base).to_owned()),
        None => {
            let verb = shorten(verb, TEXT_CHARS);
            (format!("performed {verb} on"), format!("perform {verb} on"))
        }
    }
}

/// `pods` → "pod"; an unknown resource loses its plural's ending (`widgets` → "widget").
fn singular(resource: &str) -> String {
    if let Some((_, one)) = RESOURCES.iter().find(|(r, _)| *r == resource) {
        return (*one).to_owned();
    }
    let stem = if let Some(stem) = resource.strip_suffix("ies") {
        format!("{stem}y")
    } else if ["sses", "xes", "ches", "shes"]
        .iter()
        .any(|e| resource.ends_with(e))
    {
        resource[..resource.len() - 2].to_owned()
    } else {
        resource.strip_suffix('s').unwrap_or(resource).to_owned()
    };
    shorten(&stem, TEXT_CHARS)
}

/// The resource's plural in words: "config maps", "network policies".
fn plural(resource: &str, singular: &str) -> String {
    if !RESOURCES.iter().any(|(r, _)| *r == resource) {
        return shorten(resource, TEXT_CHARS);
    }
    if singular.ends_with('s') {
        return singular.to_owned();
    }
    noun(singular, 2)
}

/// " (sh -c ls)": the command an exec request ran, from its URI.
fn command(event: &Value) -> String {
    let Some(uri) = event
        .pointer("/context/request_uri")
        .and_then(Value::as_str)
    else {
        return String::new();
    };
    let Some((_, query)) = uri.split_once('?') else {
        return String::new();
    };
    let words: Vec<String> = query
        .split('&')
        .filter_map(|pair| pair.strip_prefix("command="))
        .map(percent_decoded)
        .collect();
    if words.is_empty() {
        String::new()
    } else {
        format!(" ({})", shorten(&words.join(" "), TEXT_CHARS))
    }
}

/// A query value with its `%XX` escapes and `+` decoded.
fn percent_decoded(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// " from 5 to 3 replicas": a scale the API server's answers show.
fn replicas(event: &Value) -> String {
    let count = |side: &str| {
        event
            .pointer(&format!("/{side}/spec/replicas"))
            .and_then(count_of)
    };
    match (count("before"), count("after")) {
        (Some(from), Some(to)) if from != to => format!(" from {from} to {to} replicas"),
        (_, Some(to)) => format!(" to {}", counted(to, "replica", "replicas")),
        _ => String::new(),
    }
}
