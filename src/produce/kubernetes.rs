//! Generates a Kubernetes API server audit log (`audit.k8s.io/v1`, one JSON event a
//! line, as the log backend writes it; `docs/sources/kubernetes.md`) with the quirks
//! real ones have: the stages of one request written as separate lines, interleaved
//! with other requests' lines; requests whose last stage never arrives; impersonation;
//! forbidden requests; a spoofed X-Forwarded-For before the real address; a Deployment
//! scaled several times (through the scale subresource and by patching it) and a
//! ConfigMap edited; whole lines repeated exactly, an auditID reused by a different
//! request, lines with no timestamp or one that is not a time, and a line that is not
//! JSON. It returns what it wrote as the truth an import must reproduce.
//!
//! Like the rest of `produce`, it shares nothing with the reader it feeds.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::quirks::{self, Quirk};
use super::rng::Rng;

/// What to write.
#[derive(Debug, Clone)]
pub struct KubernetesPlan {
    /// Background requests (pods, leases, secrets, exec, health checks, …).
    pub requests: usize,
    pub seed: u64,
    /// Times the Deployment `prod/web` is scaled (alternately through the scale
    /// subresource and by a patch of the Deployment).
    pub scales: usize,
    /// Times the ConfigMap `prod/web-config` is edited.
    pub edits: usize,
    /// Background requests whose lines are all repeated exactly at the end, as an
    /// overlapping second copy of the log gives them.
    pub repeats: usize,
    /// Background requests whose auditID a different final line reuses.
    pub conflicting: usize,
    /// Background requests whose final stage never arrives.
    pub incomplete: usize,
    /// Lines with no timestamp or one that is not a time.
    pub untimed: usize,
    /// Lines that are not JSON.
    pub broken: usize,
}

impl Default for KubernetesPlan {
    fn default() -> KubernetesPlan {
        KubernetesPlan {
            requests: 300,
            seed: 7,
            scales: 4,
            edits: 4,
            repeats: 0,
            conflicting: 0,
            incomplete: 0,
            untimed: 0,
            broken: 0,
        }
    }
}

/// What was written: what an import must find.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KubernetesTruth {
    /// Lines written.
    pub lines: u64,
    /// Events an import keeps: one per request (complete or not) plus the requests
    /// that reuse an auditID.
    pub events: u64,
    /// Lines kept in quarantine (not JSON, no usable time).
    pub quarantined: u64,
    /// Final stage lines repeated exactly (each repeated request counts once).
    pub exact_repeats: u64,
    /// Stage lines folded into the request they belong to (every line of a request
    /// but the one its event is made of, repeats included).
    pub folded: u64,
    /// Requests read (the events).
    pub requests: u64,
    /// Requests whose final stage never arrived.
    pub incomplete: u64,
    /// Events per actor (`user.username`).
    pub per_actor: BTreeMap<String, u64>,
    /// Events per outcome; `""` for a request that never completed.
    pub outcomes: BTreeMap<String, u64>,
    /// Each change of `prod/web`'s replicas: (ts, before, after); the create has no
    /// before.
    pub replicas: Vec<(String, Option<i64>, i64)>,
    /// Each change of a data key of ConfigMap `prod/web-config`: (ts, key, before,
    /// after); its creation gives every key with no before.
    pub config: Vec<(String, String, Option<String>, String)>,
    /// Its data at the end.
    pub config_data: BTreeMap<String, String>,
    /// Resources created then deleted: (resource, namespace/name).
    pub deleted: Vec<(String, String)>,
    /// Impersonated requests: (auditID, user, impersonated user).
    pub impersonations: Vec<(String, String, String)>,
    /// Requests with a client-supplied address before the real one: (auditID, real
    /// address, the one the client claimed).
    pub spoofed: Vec<(String, String, String)>,
    /// The attempt to scale `prod/web` that was forbidden: (auditID, user).
    pub forbidden_scale: Option<(String, String)>,
}

/// When every generated log starts: 2026-03-02T09:00:00Z.
fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn micros(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn millis(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

const ALICE: &str = "alice@acme.com";
const BOB: &str = "bob@acme.com";
const DEPLOYER: &str = "system:serviceaccount:ci:deployer";
const NODE: &str = "system:node:ip-10-0-1-23.ec2.internal";
const SCHEDULER: &str = "system:kube-scheduler";
const CONTROLLER: &str = "system:kube-controller-manager";
const ANONYMOUS: &str = "system:anonymous";
const KUBECTL: &str = "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350";
const OFFICE: &str = "10.0.0.12";
const DEPLOYMENT_UID: &str = "5b1c0a52-4f3e-4c43-9d0e-1f6a7e2b9c01";
const CONFIG_UID: &str = "0e9d4a31-77a2-4b8e-a1c5-3f0e2d6c8b17";

/// One request: its common members, and what its stages add.
struct Request {
    id: String,
    received: DateTime<Utc>,
    done: DateTime<Utc>,
    /// Its stages, the final one last.
    stages: Vec<&'static str>,
    /// Members every stage line has.
    base: Value,
    /// Members only the final stage has (`responseStatus`, `responseObject`).
    response: Value,
    actor: String,
    outcome: &'static str,
    /// A background request with no objects (may be chosen for a quirk).
    plain: bool,
    incomplete: bool,
}

impl Request {
    /// Its stage lines: (time, line).
    fn lines(&self) -> Vec<(DateTime<Utc>, String)> {
        let n = if self.incomplete {
            self.stages.len() - 1
        } else {
            self.stages.len()
        };
        self.stages[..n]
            .iter()
            .enumerate()
            .map(|(i, stage)| {
                let last = i + 1 == self.stages.len();
                let at = match *stage {
                    "RequestReceived" => self.received,
                    "ResponseStarted" => self.received + Duration::milliseconds(3),
                    _ => self.done,
                };
                let mut line = self.base.clone();
                line["stage"] = json!(stage);
                line["stageTimestamp"] = json!(micros(at));
                if *stage == "ResponseStarted" {
                    line["responseStatus"] = json!({"metadata": {}, "code": 200});
                    line["annotations"] = self.response["annotations"].clone();
                }
                if last
                    && let (Some(line), Some(response)) =
                        (line.as_object_mut(), self.response.as_object())
                {
                    line.extend(response.clone());
                }
                (at, to_line(&line))
            })
            .collect()
    }
}

/// An event written the way the API server writes them: its members in its order.
fn to_line(event: &Value) -> String {
    const ORDER: [&str; 19] = [
        "kind",
        "apiVersion",
        "level",
        "auditID",
        "stage",
        "requestURI",
        "verb",
        "user",
        "impersonatedUser",
        "sourceIPs",
        "userAgent",
        "objectRef",
        "responseStatus",
        "requestObject",
        "responseObject",
        "requestReceivedTimestamp",
        "stageTimestamp",
        "annotations",
        "timestamp",
    ];
    let map = event.as_object().unwrap();
    let mut parts = Vec::new();
    for key in ORDER {
        if let Some(value) = map.get(key) {
            parts.push(format!("{}:{}", json!(key), value));
        }
    }
    format!("{{{}}}", parts.join(","))
}

/// What a request is, before its times and id are drawn.
struct Spec {
    level: &'static str,
    verb: &'static str,
    uri: String,
    user: Value,
    impersonated: Option<Value>,
    ips: Vec<String>,
    agent: &'static str,
    object_ref: Option<Value>,
    request_object: Option<Value>,
    response_object: Option<Value>,
    status: Value,
    annotations: Value,
    stages: Vec<&'static str>,
    outcome: &'static str,
    /// Milliseconds between received and complete.
    latency: i64,
}

fn user(name: &str) -> Value {
    let groups: Vec<&str> = if name.starts_with("system:serviceaccount:") {
        vec![
            "system:serviceaccounts",
            "system:serviceaccounts:ci",
            "system:authenticated",
        ]
    } else if name == ANONYMOUS {
        vec!["system:unauthenticated"]
    } else if name.starts_with("system:node:") {
        vec!["system:nodes", "system:authenticated"]
    } else if name.starts_with("system:") {
        vec!["system:authenticated"]
    } else {
        vec!["oidc:engineering", "system:authenticated"]
    };
    let mut user = json!({"username": name, "groups": groups});
    if !name.starts_with("system:") {
        user["uid"] = json!(format!("oidc:{}", name.split('@').next().unwrap_or(name)));
    }
    user
}

fn status(code: u16) -> Value {
    if code < 400 {
        json!({"metadata": {}, "code": code})
    } else {
        let (reason, message) = match code {
            403 => ("Forbidden", "forbidden"),
            404 => ("NotFound", "not found"),
            409 => ("AlreadyExists", "already exists"),
            _ => ("InternalError", "an error on the server"),
        };
        json!({"metadata": {}, "status": "Failure", "message": message, "reason": reason, "code": code})
    }
}

fn allow(reason: &str) -> Value {
    json!({"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": reason})
}

fn forbid() -> Value {
    json!({"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""})
}

fn reference(resource: &str, namespace: Option<&str>, name: Option<&str>, group: &str) -> Value {
    let mut object = json!({"resource": resource, "apiVersion": "v1"});
    if let Some(namespace) = namespace {
        object["namespace"] = json!(namespace);
    }
    if let Some(name) = name {
        object["name"] = json!(name);
    }
    if !group.is_empty() {
        object["apiGroup"] = json!(group);
    }
    object
}

/// The Deployment `prod/web` as the API server returns it.
fn deployment(replicas: i64, observed: i64, version: u64, generation: u64) -> Value {
    let applied = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"annotations": {}, "labels": {"app": "web", "team": "payments"}, "name": "web", "namespace": "prod"},
        "spec": {"replicas": replicas}});
    json!({
        "kind": "Deployment", "apiVersion": "apps/v1",
        "metadata": {
            "name": "web", "namespace": "prod", "uid": DEPLOYMENT_UID,
            "resourceVersion": version.to_string(), "generation": generation,
            "creationTimestamp": "2026-03-02T09:00:05Z",
            "labels": {"app": "web", "team": "payments"},
            "annotations": {"deployment.kubernetes.io/revision": "1",
                            "kubectl.kubernetes.io/last-applied-configuration": format!("{applied}\n")},
            "managedFields": [{"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "apps/v1",
                               "time": "2026-03-02T09:00:05Z", "fieldsType": "FieldsV1",
                               "fieldsV1": {"f:spec": {"f:replicas": {}}}},
                              {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1",
                               "time": "2026-03-02T09:00:06Z", "fieldsType": "FieldsV1", "subresource": "status",
                               "fieldsV1": {"f:status": {"f:replicas": {}}}}]
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "web", "image": "registry.acme.com/web:1.4.2",
                                                  "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                                                  "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}}}]}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
            "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600
        },
        "status": {"observedGeneration": generation.saturating_sub(1), "replicas": observed,
                   "updatedReplicas": observed, "readyReplicas": observed, "availableReplicas": observed}
    })
}

/// A ConfigMap as the API server returns it.
fn config_map(
    namespace: &str,
    name: &str,
    uid: &str,
    data: &BTreeMap<String, String>,
    version: u64,
) -> Value {
    json!({
        "kind": "ConfigMap", "apiVersion": "v1",
        "metadata": {"name": name, "namespace": namespace, "uid": uid,
                     "resourceVersion": version.to_string(), "creationTimestamp": "2026-03-02T09:00:20Z",
                     "managedFields": [{"manager": "kubectl-edit", "operation": "Update", "apiVersion": "v1",
                                        "time": "2026-03-02T09:00:20Z", "fieldsType": "FieldsV1",
                                        "fieldsV1": {"f:data": {}}}]},
        "data": data
    })
}

/// The story: what happens to the Deployment and the ConfigMaps, in order.
enum Story {
    CreateDeployment,
    Scale { through_subresource: bool },
    ForbiddenScale,
    GetDeployment,
    CreateConfig,
    EditConfig,
    CreateTemp,
    DeleteTemp,
}

/// Writes the log to `path` and returns the truth.
pub fn write_kubernetes(path: &Path, plan: &KubernetesPlan) -> std::io::Result<KubernetesTruth> {
    let mut rng = Rng::new(plan.seed);
    let mut truth = KubernetesTruth::default();

    let mut story = vec![
        Story::CreateDeployment,
        Story::CreateConfig,
        Story::CreateTemp,
    ];
    for k in 0..plan.scales.max(plan.edits) {
        if k < plan.scales {
            story.push(Story::Scale {
                through_subresource: k % 2 == 0,
            });
        }
        if k == 1 {
            story.push(Story::ForbiddenScale);
            story.push(Story::GetDeployment);
            story.push(Story::DeleteTemp);
        }
        if k < plan.edits {
            story.push(Story::EditConfig);
        }
    }
    if plan.scales.max(plan.edits) < 2 {
        story.push(Story::DeleteTemp);
    }

    // The story's steps spread among the background requests.
    let total = plan.requests + story.len();
    let every = (total / story.len()).max(1);
    let mut steps = story.into_iter();
    let mut requests: Vec<Request> = Vec::with_capacity(total);
    let mut time = start();
    let mut replicas: i64 = 2;
    let mut observed: i64 = 2;
    let mut version: u64 = 48_210;
    let mut generation: u64 = 1;
    let mut config: BTreeMap<String, String> = BTreeMap::new();
    let mut config_versions = 0u64;
    let mut values = ["debug", "warn", "error", "info"].iter().cycle();
    let mut flags = ["on", "off"].iter().cycle();
    let mut background = 0usize;
    for n in 0..total {
        time += Duration::milliseconds(150 + rng.below(700) as i64);
        let step = if n % every == 0 { steps.next() } else { None };
        let step = match step {
            Some(step) => step,
            None if background < plan.requests => {
                background += 1;
                let spec = background_request(&mut rng, n);
                requests.push(request(&mut rng, time, spec, true));
                continue;
            }
            None => match steps.next() {
                Some(step) => step,
                None => continue,
            },
        };
        // A story step happens on its own: the previous requests are well done.
        time += Duration::seconds(2);
        let (replicas_known, config_known) = (truth.replicas.len(), truth.config.len());
        version += 1 + rng.below(40);
        let spec = match step {
            Story::CreateDeployment => {
                let mut body = deployment(2, 0, 0, 1);
                body.as_object_mut().unwrap().remove("status");
                let metadata = body["metadata"].as_object_mut().unwrap();
                for key in [
                    "uid",
                    "resourceVersion",
                    "generation",
                    "creationTimestamp",
                    "managedFields",
                ] {
                    metadata.remove(key);
                }
                truth.replicas.push((String::new(), None, 2));
                Spec {
                    level: "RequestResponse",
                    verb: "create",
                    uri: "/apis/apps/v1/namespaces/prod/deployments?fieldManager=kubectl-client-side-apply&fieldValidation=Strict".into(),
                    user: user(DEPLOYER),
                    impersonated: None,
                    ips: vec!["10.0.3.41".into()],
                    agent: KUBECTL,
                    object_ref: Some(reference("deployments", Some("prod"), None, "apps")),
                    request_object: Some(body),
                    response_object: Some(deployment(2, 0, version, 1)),
                    status: status(201),
                    annotations: allow("RBAC: allowed by RoleBinding \"deployer/prod\" of Role \"deployer\" to ServiceAccount \"deployer/ci\""),
                    stages: vec!["RequestReceived", "ResponseComplete"],
                    outcome: "success",
                    latency: 40,
                }
            }
            Story::Scale {
                through_subresource,
            } => {
                let old = replicas;
                replicas = loop {
                    let next = 1 + rng.below(9) as i64;
                    if next != old {
                        break next;
                    }
                };
                truth.replicas.push((String::new(), Some(old), replicas));
                let ips = vec!["203.0.113.50".to_owned(), OFFICE.to_owned()];
                if through_subresource {
                    let scale = json!({"kind": "Scale", "apiVersion": "autoscaling/v1",
                        "metadata": {"name": "web", "namespace": "prod", "uid": DEPLOYMENT_UID,
                                     "resourceVersion": version.to_string(), "creationTimestamp": "2026-03-02T09:00:05Z"},
                        "spec": {"replicas": replicas}, "status": {"replicas": observed, "selector": "app=web"}});
                    let mut object_ref =
                        reference("deployments", Some("prod"), Some("web"), "apps");
                    object_ref["subresource"] = json!("scale");
                    Spec {
                        level: "RequestResponse",
                        verb: "patch",
                        uri: "/apis/apps/v1/namespaces/prod/deployments/web/scale".into(),
                        user: user(ALICE),
                        impersonated: None,
                        ips,
                        agent: KUBECTL,
                        object_ref: Some(object_ref),
                        request_object: Some(json!({"spec": {"replicas": replicas}})),
                        response_object: Some(scale),
                        status: status(200),
                        annotations: allow(
                            "RBAC: allowed by ClusterRoleBinding \"sre\" of ClusterRole \"edit\" to Group \"oidc:engineering\"",
                        ),
                        stages: vec!["RequestReceived", "ResponseComplete"],
                        outcome: "success",
                        latency: 30,
                    }
                } else {
                    generation += 1;
                    Spec {
                        level: "RequestResponse",
                        verb: "patch",
                        uri: "/apis/apps/v1/namespaces/prod/deployments/web?fieldManager=kubectl-client-side-apply&fieldValidation=Strict".into(),
                        user: user(DEPLOYER),
                        impersonated: None,
                        ips: vec!["10.0.3.41".into()],
                        agent: KUBECTL,
                        object_ref: Some(reference("deployments", Some("prod"), Some("web"), "apps")),
                        request_object: Some(json!({"metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": format!("{{\"spec\":{{\"replicas\":{replicas}}}}}\n")}},
                                                    "spec": {"replicas": replicas}})),
                        response_object: Some(deployment(replicas, observed, version, generation)),
                        status: status(200),
                        annotations: allow("RBAC: allowed by RoleBinding \"deployer/prod\" of Role \"deployer\" to ServiceAccount \"deployer/ci\""),
                        stages: vec!["RequestReceived", "ResponseComplete"],
                        outcome: "success",
                        latency: 30,
                    }
                }
            }
            Story::ForbiddenScale => {
                let mut object_ref = reference("deployments", Some("prod"), Some("web"), "apps");
                object_ref["subresource"] = json!("scale");
                let mut refused = status(403);
                refused["message"] = json!(
                    "deployments.apps \"web\" is forbidden: User \"bob@acme.com\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"prod\""
                );
                refused["details"] = json!({"name": "web", "group": "apps", "kind": "deployments"});
                Spec {
                    level: "RequestResponse",
                    verb: "patch",
                    uri: "/apis/apps/v1/namespaces/prod/deployments/web/scale".into(),
                    user: user(BOB),
                    impersonated: None,
                    ips: vec![OFFICE.into()],
                    agent: KUBECTL,
                    object_ref: Some(object_ref),
                    request_object: Some(json!({"spec": {"replicas": 40}})),
                    response_object: None,
                    status: refused,
                    annotations: forbid(),
                    stages: vec!["RequestReceived", "ResponseComplete"],
                    outcome: "denied",
                    latency: 4,
                }
            }
            Story::GetDeployment => {
                // By now the controller has caught up.
                observed = replicas;
                Spec {
                    level: "RequestResponse",
                    verb: "get",
                    uri: "/apis/apps/v1/namespaces/prod/deployments/web".into(),
                    user: user(ALICE),
                    impersonated: None,
                    ips: vec![OFFICE.into()],
                    agent: KUBECTL,
                    object_ref: Some(reference("deployments", Some("prod"), Some("web"), "apps")),
                    request_object: None,
                    response_object: Some(deployment(replicas, observed, version, generation)),
                    status: status(200),
                    annotations: allow(
                        "RBAC: allowed by ClusterRoleBinding \"sre\" of ClusterRole \"edit\" to Group \"oidc:engineering\"",
                    ),
                    stages: vec!["RequestReceived", "ResponseComplete"],
                    outcome: "success",
                    latency: 6,
                }
            }
            Story::CreateConfig => {
                for (key, value) in [
                    ("LOG_LEVEL", "info"),
                    ("FEATURE_CHECKOUT_V2", "off"),
                    ("CACHE_TTL", "300"),
                ] {
                    config.insert(key.into(), value.into());
                    truth
                        .config
                        .push((String::new(), key.into(), None, value.into()));
                }
                // Logged at Request level: only the body, which is the whole object.
                Spec {
                    level: "Request",
                    verb: "create",
                    uri: "/api/v1/namespaces/prod/configmaps?fieldManager=kubectl-create&fieldValidation=Strict".into(),
                    user: user(ALICE),
                    impersonated: None,
                    ips: vec![OFFICE.into()],
                    agent: KUBECTL,
                    object_ref: Some(reference("configmaps", Some("prod"), None, "")),
                    request_object: Some(json!({"kind": "ConfigMap", "apiVersion": "v1",
                                                "metadata": {"name": "web-config", "namespace": "prod", "creationTimestamp": null},
                                                "data": config})),
                    response_object: None,
                    status: status(201),
                    annotations: allow("RBAC: allowed by ClusterRoleBinding \"sre\" of ClusterRole \"edit\" to Group \"oidc:engineering\""),
                    stages: vec!["RequestReceived", "ResponseComplete"],
                    outcome: "success",
                    latency: 20,
                }
            }
            Story::EditConfig => {
                config_versions += 1;
                let (key, value) = match config_versions % 4 {
                    1 => ("LOG_LEVEL", (*values.next().unwrap()).to_owned()),
                    2 => ("FEATURE_CHECKOUT_V2", (*flags.next().unwrap()).to_owned()),
                    3 if !config.contains_key("MAINTENANCE_BANNER") => (
                        "MAINTENANCE_BANNER",
                        "Checkout is read-only 22:00-23:00 UTC".to_owned(),
                    ),
                    _ => ("CACHE_TTL", (600 * config_versions).to_string()),
                };
                let old = config.insert(key.to_owned(), value.clone());
                truth
                    .config
                    .push((String::new(), key.to_owned(), old, value.clone()));
                Spec {
                    level: "RequestResponse",
                    verb: "patch",
                    uri: "/api/v1/namespaces/prod/configmaps/web-config?fieldManager=kubectl-edit&fieldValidation=Strict".into(),
                    user: user(ALICE),
                    impersonated: None,
                    ips: vec![OFFICE.into()],
                    agent: KUBECTL,
                    object_ref: Some(reference("configmaps", Some("prod"), Some("web-config"), "")),
                    request_object: Some(json!({"data": {key: value}})),
                    response_object: Some(config_map("prod", "web-config", CONFIG_UID, &config, version)),
                    status: status(200),
                    annotations: allow("RBAC: allowed by ClusterRoleBinding \"sre\" of ClusterRole \"edit\" to Group \"oidc:engineering\""),
                    stages: vec!["RequestReceived", "ResponseComplete"],
                    outcome: "success",
                    latency: 25,
                }
            }
            Story::CreateTemp => {
                let data = BTreeMap::from([("TMP".to_owned(), "1".to_owned())]);
                Spec {
                    level: "RequestResponse",
                    verb: "create",
                    uri: "/api/v1/namespaces/staging/configmaps".into(),
                    user: user(DEPLOYER),
                    impersonated: None,
                    ips: vec!["10.0.3.41".into()],
                    agent: KUBECTL,
                    object_ref: Some(reference("configmaps", Some("staging"), None, "")),
                    request_object: Some(json!({"kind": "ConfigMap", "apiVersion": "v1",
                                                "metadata": {"name": "tmp-config", "namespace": "staging"}, "data": data})),
                    response_object: Some(config_map(
                        "staging",
                        "tmp-config",
                        "4d2b7c90-1e6f-4a3d-8b52-9c7e0f1a2d34",
                        &data,
                        version,
                    )),
                    status: status(201),
                    annotations: allow(
                        "RBAC: allowed by RoleBinding \"deployer/staging\" of Role \"deployer\" to ServiceAccount \"deployer/ci\"",
                    ),
                    stages: vec!["RequestReceived", "ResponseComplete"],
                    outcome: "success",
                    latency: 12,
                }
            }
            Story::DeleteTemp => {
                truth
                    .deleted
                    .push(("configmaps".into(), "staging/tmp-config".into()));
                Spec {
                    level: "RequestResponse",
                    verb: "delete",
                    uri: "/api/v1/namespaces/staging/configmaps/tmp-config".into(),
                    user: user(DEPLOYER),
                    impersonated: None,
                    ips: vec!["10.0.3.41".into()],
                    agent: KUBECTL,
                    object_ref: Some(reference(
                        "configmaps",
                        Some("staging"),
                        Some("tmp-config"),
                        "",
                    )),
                    request_object: Some(
                        json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}),
                    ),
                    response_object: Some(
                        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                                 "details": {"name": "tmp-config", "kind": "configmaps", "uid": "4d2b7c90-1e6f-4a3d-8b52-9c7e0f1a2d34"}}),
                    ),
                    status: status(200),
                    annotations: allow(
                        "RBAC: allowed by RoleBinding \"deployer/staging\" of Role \"deployer\" to ServiceAccount \"deployer/ci\"",
                    ),
                    stages: vec!["RequestReceived", "ResponseComplete"],
                    outcome: "success",
                    latency: 9,
                }
            }
        };
        let forbidden = spec.outcome == "denied";
        let made = request(&mut rng, time, spec, false);
        // The changes happened when the request completed.
        for change in &mut truth.replicas[replicas_known..] {
            change.0 = millis(made.done);
        }
        for change in &mut truth.config[config_known..] {
            change.0 = millis(made.done);
        }
        if forbidden {
            truth.forbidden_scale = Some((made.id.clone(), made.actor.clone()));
        }
        requests.push(made);
        time += Duration::seconds(2);
    }
    truth.config_data = config;

    // Quirks among the background requests.
    let plain: Vec<usize> = (0..requests.len())
        .filter(|&i| requests[i].plain && requests[i].stages.len() >= 2)
        .collect();
    for k in 0..plan.incomplete.min(plain.len()) {
        requests[plain[quirks::pick(Quirk::Incomplete, k, plain.len())]].incomplete = true;
    }
    let complete_plain: Vec<usize> = plain
        .iter()
        .copied()
        .filter(|i| !requests[*i].incomplete)
        .collect();

    // Every line, in time order: the stages of one request interleave with others'.
    let mut lines: Vec<(DateTime<Utc>, usize, String)> = Vec::new();
    for (i, request) in requests.iter().enumerate() {
        for (at, line) in request.lines() {
            lines.push((at, i, line));
        }
        let written = if request.incomplete {
            request.stages.len() - 1
        } else {
            request.stages.len()
        };
        truth.folded += written as u64 - 1;
        truth.requests += 1;
        *truth.per_actor.entry(request.actor.clone()).or_default() += 1;
        let outcome = if request.incomplete {
            truth.incomplete += 1;
            ""
        } else {
            request.outcome
        };
        *truth.outcomes.entry(outcome.to_owned()).or_default() += 1;
        if let Some(on_behalf) = request.base["impersonatedUser"]["username"].as_str() {
            truth.impersonations.push((
                request.id.clone(),
                request.actor.clone(),
                on_behalf.to_owned(),
            ));
        }
        if let Some(ips) = request.base["sourceIPs"].as_array()
            && ips.len() > 1
        {
            truth.spoofed.push((
                request.id.clone(),
                ips.last().unwrap().as_str().unwrap().to_owned(),
                ips[0].as_str().unwrap().to_owned(),
            ));
        }
    }
    lines.sort_by_key(|a| (a.0, a.1));
    let mut lines: Vec<String> = lines.into_iter().map(|(_, _, line)| line).collect();

    // Lines with no usable time, and lines that are not JSON, among the others (never
    // first: the first line tells the format).
    let written = lines.len();
    let middle = |k: usize, n: usize| (written * (k + 1) / (n + 2)).max(3);
    for k in 0..plan.untimed * usize::from(!complete_plain.is_empty()) {
        let i = quirks::pick(Quirk::Untimed, k, complete_plain.len());
        let mut event = requests[complete_plain[i]].base.clone();
        event["auditID"] = json!(format!("00000000-0000-4000-8000-{:012}", 700 + k));
        event["stage"] = json!("ResponseComplete");
        event["responseStatus"] = status(200);
        // Its times are gone, or neither is a time.
        quirks::untime(k, &mut event, "requestReceivedTimestamp", "not a time");
        quirks::untime(k, &mut event, "stageTimestamp", "2026-02-30T25:61:00Z");
        let at = middle(k, plan.untimed);
        lines.insert(at, to_line(&event));
        truth.quarantined += 1;
    }
    for k in 0..plan.broken {
        let at = middle(k, plan.broken) + 1;
        lines.insert(
            at,
            "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"9f".into(),
        );
        truth.quarantined += 1;
    }

    // A second, overlapping copy of part of the log: whole requests repeated exactly.
    for k in 0..plan.repeats.min(complete_plain.len()) {
        let request =
            &requests[complete_plain[quirks::pick(Quirk::Repeat, k, complete_plain.len())]];
        let repeated = request.lines();
        truth.folded += repeated.len() as u64 - 1;
        truth.exact_repeats += 1;
        lines.extend(repeated.into_iter().map(|(_, line)| line));
    }
    // An auditID reused by a different request (a final line of other content).
    for k in 0..plan.conflicting.min(complete_plain.len()) {
        let request =
            &requests[complete_plain[quirks::pick(Quirk::Conflicting, k, complete_plain.len())]];
        let mut event = request.base.clone();
        event["stage"] = json!("ResponseComplete");
        event["stageTimestamp"] = json!(micros(request.done + Duration::milliseconds(250)));
        event["responseStatus"] = status(500);
        event["sourceIPs"] = json!(["10.0.9.9"]);
        lines.push(to_line(&event));
        truth.requests += 1;
        *truth.per_actor.entry(request.actor.clone()).or_default() += 1;
        *truth.outcomes.entry("failure".into()).or_default() += 1;
    }
    truth.events = truth.requests;
    truth.lines = lines.len() as u64;
    // A log mostly written in exact repeats is no use: catch a plan that asks for it.
    debug_assert!(truth.exact_repeats as usize <= requests.len());

    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    for line in &lines {
        file.write_all(line.as_bytes())?;
        file.write_all(b"\n")?;
    }
    file.flush()?;
    Ok(truth)
}

/// A request from a spec: its id and times drawn.
fn request(rng: &mut Rng, time: DateTime<Utc>, spec: Spec, plain: bool) -> Request {
    let id = format!(
        "{}-{}-4{}-{}-{}",
        rng.hex(8),
        rng.hex(4),
        rng.hex(3),
        rng.hex(4),
        rng.hex(12)
    );
    let received = time + Duration::microseconds(rng.below(1000) as i64);
    let done = received + Duration::microseconds(spec.latency * 1000 + rng.below(1000) as i64);
    let actor = spec.user["username"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut base = Map::new();
    base.insert("kind".into(), json!("Event"));
    base.insert("apiVersion".into(), json!("audit.k8s.io/v1"));
    base.insert("level".into(), json!(spec.level));
    base.insert("auditID".into(), json!(id));
    base.insert("requestURI".into(), json!(spec.uri));
    base.insert("verb".into(), json!(spec.verb));
    base.insert("user".into(), spec.user);
    if let Some(impersonated) = spec.impersonated {
        base.insert("impersonatedUser".into(), impersonated);
    }
    base.insert("sourceIPs".into(), json!(spec.ips));
    base.insert("userAgent".into(), json!(spec.agent));
    if let Some(object_ref) = spec.object_ref {
        base.insert("objectRef".into(), object_ref);
    }
    if let Some(object) = spec.request_object {
        base.insert("requestObject".into(), object);
    }
    base.insert("requestReceivedTimestamp".into(), json!(micros(received)));
    // Authorization comes after the RequestReceived stage: its annotations are on the
    // later stages only.
    let mut response = Map::new();
    response.insert("responseStatus".into(), spec.status);
    if let Some(object) = spec.response_object {
        response.insert("responseObject".into(), object);
    }
    response.insert("annotations".into(), spec.annotations);
    Request {
        id,
        received,
        done,
        stages: spec.stages,
        base: Value::Object(base),
        response: Value::Object(response),
        actor,
        outcome: spec.outcome,
        plain,
        incomplete: false,
    }
}

/// A request of the cluster's everyday traffic.
fn background_request(rng: &mut Rng, n: usize) -> Spec {
    const NAMESPACES: [&str; 3] = ["prod", "staging", "monitoring"];
    let namespace = NAMESPACES[rng.index(NAMESPACES.len())];
    let pod = format!(
        "web-7d9f8c6b5-{}",
        ["x2k9p", "m4q7z", "b8n3c", "t6v1r"][n % 4]
    );
    let spoof = rng.chance(0.3);
    let latency = 2 + rng.below(60) as i64;
    let office = |spoof: bool| {
        if spoof {
            vec!["198.51.100.23".to_owned(), OFFICE.to_owned()]
        } else {
            vec![OFFICE.to_owned()]
        }
    };
    let base = |level, verb, uri: String, who: &str, object_ref: Option<Value>| Spec {
        level,
        verb,
        uri,
        user: user(who),
        impersonated: None,
        ips: vec!["10.0.1.23".into()],
        agent: "kubelet/v1.30.2 (linux/amd64) kubernetes/3968350",
        object_ref,
        request_object: None,
        response_object: None,
        status: status(200),
        annotations: allow(""),
        stages: vec!["RequestReceived", "ResponseComplete"],
        outcome: "success",
        latency,
    };
    match rng.weighted(&[5.0, 4.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.3]) {
        0 => Spec {
            ips: vec!["10.0.1.10".into()],
            agent: "kube-controller-manager/v1.30.2 (linux/amd64) kubernetes/3968350/leader-election",
            // Leases are logged without their RequestReceived stage (omitStages).
            stages: vec!["ResponseComplete"],
            annotations: allow("RBAC: allowed by ClusterRoleBinding \"system:kube-controller-manager\" of ClusterRole \"system:kube-controller-manager\" to User \"system:kube-controller-manager\""),
            ..base(
                "Metadata",
                "update",
                "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager?timeout=5s".into(),
                CONTROLLER,
                Some(reference("leases", Some("kube-system"), Some("kube-controller-manager"), "coordination.k8s.io")),
            )
        },
        1 => {
            let missing = rng.chance(0.1);
            Spec {
                status: status(if missing { 404 } else { 200 }),
                outcome: if missing { "failure" } else { "success" },
                ..base(
                    "Metadata",
                    "get",
                    format!("/api/v1/namespaces/{namespace}/pods/{pod}"),
                    NODE,
                    Some(reference("pods", Some(namespace), Some(&pod), "")),
                )
            }
        }
        2 => Spec {
            ips: vec!["10.0.1.11".into()],
            agent: "kube-scheduler/v1.30.2 (linux/amd64) kubernetes/3968350/scheduler",
            stages: vec!["RequestReceived", "ResponseStarted", "ResponseComplete"],
            latency: 300 + rng.below(900) as i64,
            ..base(
                "Metadata",
                "watch",
                "/api/v1/pods?allowWatchBookmarks=true&fieldSelector=status.phase%21%3DSucceeded&watch=true".into(),
                SCHEDULER,
                Some(reference("pods", None, None, "")),
            )
        },
        3 => Spec {
            ips: office(spoof),
            agent: KUBECTL,
            annotations: allow("RBAC: allowed by RoleBinding \"readers/prod\" of ClusterRole \"view-secrets\" to User \"bob@acme.com\""),
            ..base(
                "Metadata",
                "list",
                "/api/v1/namespaces/prod/secrets?limit=500".into(),
                BOB,
                Some(reference("secrets", Some("prod"), None, "")),
            )
        },
        4 => {
            let mut refused = status(403);
            refused["message"] = json!("secrets \"aws-credentials\" is forbidden: User \"bob@acme.com\" cannot get resource \"secrets\" in API group \"\" in the namespace \"kube-system\"");
            Spec {
                ips: office(spoof),
                agent: KUBECTL,
                status: refused,
                annotations: forbid(),
                outcome: "denied",
                ..base(
                    "Metadata",
                    "get",
                    "/api/v1/namespaces/kube-system/secrets/aws-credentials".into(),
                    BOB,
                    Some(reference("secrets", Some("kube-system"), Some("aws-credentials"), "")),
                )
            }
        }
        5 => {
            let mut object_ref = reference("pods", Some("prod"), Some(&pod), "");
            object_ref["subresource"] = json!("exec");
            Spec {
                ips: office(spoof),
                agent: KUBECTL,
                status: status(101),
                annotations: allow("RBAC: allowed by ClusterRoleBinding \"sre\" of ClusterRole \"edit\" to Group \"oidc:engineering\""),
                latency: 1500 + rng.below(4000) as i64,
                ..base(
                    "Metadata",
                    "create",
                    format!("/api/v1/namespaces/prod/pods/{pod}/exec?command=sh&container=web&stdin=true&stdout=true&tty=true"),
                    ALICE,
                    Some(object_ref),
                )
            }
        }
        6 => Spec {
            ips: office(spoof),
            agent: KUBECTL,
            impersonated: Some(json!({"username": BOB, "groups": ["oidc:support", "system:authenticated"]})),
            annotations: allow("RBAC: allowed by RoleBinding \"support/prod\" of ClusterRole \"view\" to User \"bob@acme.com\""),
            ..base(
                "Metadata",
                "list",
                "/api/v1/namespaces/prod/pods?limit=500".into(),
                ALICE,
                Some(reference("pods", Some("prod"), None, "")),
            )
        },
        7 => Spec {
            ips: vec!["10.0.0.5".into()],
            agent: "kube-probe/1.30",
            annotations: allow("RBAC: allowed by ClusterRoleBinding \"system:public-info-viewer\" of ClusterRole \"system:public-info-viewer\" to Group \"system:unauthenticated\""),
            ..base("Metadata", "get", "/healthz".into(), ANONYMOUS, None)
        },
        8 => {
            let mut refused = status(403);
            refused["message"] = json!("secrets is forbidden: User \"system:anonymous\" cannot list resource \"secrets\" in API group \"\" at the cluster scope");
            Spec {
                ips: vec!["198.51.100.200".into(), "192.0.2.66".into()],
                agent: "curl/8.5.0",
                status: refused,
                annotations: forbid(),
                outcome: "denied",
                ..base(
                    "Metadata",
                    "list",
                    "/api/v1/secrets".into(),
                    ANONYMOUS,
                    Some(reference("secrets", None, None, "")),
                )
            }
        }
        9 => Spec {
            ips: vec!["10.0.3.41".into()],
            agent: KUBECTL,
            status: status(409),
            outcome: "failure",
            annotations: allow("RBAC: allowed by RoleBinding \"deployer/ci\" of Role \"deployer\" to ServiceAccount \"deployer/ci\""),
            ..base(
                "Metadata",
                "create",
                "/api/v1/namespaces/ci/configmaps".into(),
                DEPLOYER,
                Some(reference("configmaps", Some("ci"), Some("build-cache"), "")),
            )
        },
        _ => {
            let mut object_ref = reference("pods", Some("prod"), Some(&pod), "");
            object_ref["subresource"] = json!("log");
            let mut panicked = status(500);
            panicked["message"] = json!("APIServer panic'd: runtime error: invalid memory address or nil pointer dereference");
            Spec {
                ips: office(spoof),
                agent: KUBECTL,
                stages: vec!["RequestReceived", "Panic"],
                status: panicked,
                outcome: "failure",
                ..base(
                    "Metadata",
                    "get",
                    format!("/api/v1/namespaces/prod/pods/{pod}/log?follow=true"),
                    ALICE,
                    Some(object_ref),
                )
            }
        }
    }
}
