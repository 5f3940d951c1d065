//! Sentences of the exports without integrity, for events their normalizers made: each
//! test writes records in the documented shape to a real file (or folder), opens it as
//! the import does (`Source::open`, told by content), and words every event it reads.

use std::path::Path;

use serde_json::{Value, json};

use super::sentence;
use crate::bundle::Limits;
use crate::source::{Source, SourceKind};
use crate::verify::{LineSink, SeenLine, VerifyOptions};

/// Keeps each normalized event, in the order the source hands them over.
#[derive(Default)]
struct Events(Vec<Value>);

impl LineSink for Events {
    fn line(&mut self, line: SeenLine<'_>) -> crate::Result<()> {
        if let Some(normal) = line.normalized {
            self.0
                .push(serde_json::from_slice(normal).expect("a normalized event is JSON"));
        }
        Ok(())
    }
}

/// The sentences of the export at `path`, which must be read as `kind`.
fn sentences_at(path: &Path, kind: SourceKind) -> Vec<String> {
    let mut source = Source::open(path, None, Limits::default()).expect("the export opens");
    assert_eq!(source.kind(), kind, "told by content");
    let mut events = Events::default();
    source
        .read_into(&VerifyOptions::default(), &mut events)
        .expect("the export reads");
    assert!(!events.0.is_empty(), "no event was read");
    events.0.iter().map(sentence).collect()
}

/// The sentences of one file named `name` holding `text`.
fn sentences(name: &str, text: &str, kind: SourceKind) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    sentences_at(&path, kind)
}

/// One JSON record a line.
fn lines(records: &[Value]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

/// A sentence is one line of plain text: no control character, no bidirectional
/// override, and markup kept as the characters it is.
fn assert_plain(said: &str) {
    assert!(!said.chars().any(char::is_control), "{said:?}");
    assert!(
        !said
            .chars()
            .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')),
        "{said:?}"
    );
}

/// Text that must come out as one line of plain text.
const HOSTILE: &str = "Eve\u{202E}<b>Ops</b>\n\u{0007}<script>x</script>";

// ---------------------------------------------------------------------------------
// Okta

fn okta(event_type: &str, actor: Value, targets: Value, outcome: Value) -> Value {
    json!({
        "uuid": format!("2b9f7d6a-{event_type}"), "published": "2026-03-02T09:15:00.123Z",
        "eventType": event_type, "version": "0", "severity": "INFO",
        "displayMessage": "User login to Okta", "actor": actor,
        "client": {"userAgent": {"rawUserAgent": "Mozilla/5.0", "os": "Mac OS X", "browser": "SAFARI"},
                   "zone": "null", "device": "Computer", "id": null, "ipAddress": "203.0.113.7",
                   "geographicalContext": {"city": "Lisbon", "country": "Portugal"}},
        "outcome": outcome, "target": targets,
        "transaction": {"type": "WEB", "id": "Wx1Yz2", "detail": {}},
        "debugContext": {"debugData": {"requestId": "Wx1Yz2", "requestUri": "/api/v1/authn"}},
        "request": {"ipChain": [{"ip": "203.0.113.7"}]}
    })
}

fn okta_person(email: &str, id: &str, name: &str) -> Value {
    json!({"id": id, "type": "User", "alternateId": email, "displayName": name, "detailEntry": null})
}

#[test]
fn okta_sign_ins_policies_groups_and_profiles_read_as_what_happened() {
    let maria = okta_person("maria@acme.com", "00u1maria", "Maria Lopez");
    let bob = okta_person("bob@acme.com", "00u1bob", "Bob Stone");
    let success = json!({"result": "SUCCESS", "reason": null});
    let policy = json!([
        {"id": "00p1", "type": "PolicyEntity", "alternateId": "unknown", "displayName": "Default Policy"},
        {"id": "0pr1", "type": "PolicyRule", "alternateId": "00p1", "displayName": "Require MFA off network"}
    ]);
    let mut profile = bob.clone();
    profile["changeDetails"] =
        json!({"from": {"department": "Sales"}, "to": {"department": "Finance"}});
    let mut grant = okta(
        "user.account.privilege.grant",
        maria.clone(),
        json!([bob.clone()]),
        success.clone(),
    );
    grant["debugContext"]["debugData"]["privilegeGranted"] = json!("Super Administrator");
    let mut unknown = okta(
        "user.account.update_primary_email",
        maria.clone(),
        json!([bob.clone()]),
        success.clone(),
    );
    unknown["displayMessage"] = json!("Update primary email address");
    let mut untyped = unknown.clone();
    untyped["uuid"] = json!("2b9f7d6a-x");
    untyped["eventType"] = json!("user.risk.detect");
    untyped["displayMessage"] = json!("User risk detected");
    let records = [
        okta(
            "user.session.start",
            maria.clone(),
            json!([]),
            success.clone(),
        ),
        okta(
            "user.session.start",
            bob.clone(),
            json!([]),
            json!({"result": "FAILURE", "reason": "INVALID_CREDENTIALS"}),
        ),
        okta(
            "policy.evaluate_sign_on",
            bob.clone(),
            policy.clone(),
            json!({"result": "DENY", "reason": "Sign-on policy evaluation resulted in DENY"}),
        ),
        okta(
            "policy.evaluate_sign_on",
            maria.clone(),
            policy,
            json!({"result": "CHALLENGE", "reason": "Sign-on policy evaluation resulted in CHALLENGE"}),
        ),
        okta(
            "group.user_membership.add",
            json!({"id": "0oa0sys", "type": "SystemPrincipal", "alternateId": "system@okta.com", "displayName": "Okta System"}),
            json!([bob.clone(), {"id": "00g1pay", "type": "UserGroup", "alternateId": "unknown", "displayName": "Payroll"}]),
            success.clone(),
        ),
        okta(
            "user.account.update_profile",
            json!({"id": "0oa1hr", "type": "PublicClientApp", "alternateId": "0oa1hr", "displayName": "HR Sync"}),
            json!([profile]),
            success.clone(),
        ),
        grant,
        okta(
            "user.account.update_password",
            bob.clone(),
            json!([bob.clone()]),
            success.clone(),
        ),
        okta(
            "user.authentication.sso",
            bob.clone(),
            json!([{"id": "0oa1exp", "type": "AppInstance", "alternateId": "Expense Tracker", "displayName": "Expense Tracker"}]),
            json!({"result": "SKIPPED", "reason": null}),
        ),
        unknown,
        untyped,
    ];
    let records: Vec<Value> = records
        .into_iter()
        .enumerate()
        .map(|(i, mut record)| {
            record["uuid"] = json!(format!("2b9f7d6a-15d8-11f0-9a5b-{i:012}"));
            record
        })
        .collect();
    let said = sentences("okta.json", &json!(records).to_string(), SourceKind::Okta);
    assert_eq!(
        said,
        [
            "Maria Lopez signed in to Okta from 203.0.113.7",
            "Bob Stone tried to sign in to Okta from 203.0.113.7 — failed: INVALID_CREDENTIALS",
            "Bob Stone was refused permission to sign in by the sign-on policy Default Policy (rule Require MFA off network) from 203.0.113.7: Sign-on policy evaluation resulted in DENY",
            "Maria Lopez was asked to verify their identity by the sign-on policy Default Policy (rule Require MFA off network) from 203.0.113.7",
            "Okta System (system) added Bob Stone to the group Payroll from 203.0.113.7",
            "HR Sync (service) changed the profile of Bob Stone: department from Sales to Finance from 203.0.113.7",
            "Maria Lopez granted the admin role Super Administrator to Bob Stone from 203.0.113.7",
            "Bob Stone changed the password of their own account from 203.0.113.7",
            "Bob Stone signed in to Expense Tracker through Okta from 203.0.113.7 (Okta's result: SKIPPED)",
            "Maria Lopez updated primary email address — Bob Stone from 203.0.113.7",
            "Maria Lopez performed “User risk detected” on Bob Stone from 203.0.113.7",
        ]
    );
}

#[test]
fn okta_names_and_messages_read_as_one_plain_line() {
    let mut record = okta(
        "user.risk.detect",
        okta_person("eve@acme.com", "00u1eve", HOSTILE),
        json!([]),
        json!({"result": "SUCCESS"}),
    );
    record["displayMessage"] = json!(HOSTILE);
    let said = sentences("okta.json", &lines(&[record]), SourceKind::Okta);
    assert_plain(&said[0]);
    assert!(
        said[0].starts_with("Eve\u{FFFD}<b>Ops</b>  <script>x</script> performed"),
        "{}",
        said[0]
    );
}

// ---------------------------------------------------------------------------------
// Entra ID

fn entra(activity: &str, category: &str, initiated: Value, targets: Value) -> Value {
    json!({
        "id": format!("Directory_{}", activity.replace(' ', "_")), "category": category,
        "correlationId": "c0ffee00-0000-4000-8000-000000000001", "result": "success",
        "resultReason": "", "activityDisplayName": activity,
        "activityDateTime": "2026-03-02T09:15:00.1234567Z", "loggedByService": "Core Directory",
        "operationType": "Update", "initiatedBy": initiated, "targetResources": targets,
        "additionalDetails": [{"key": "User-Agent", "value": "Mozilla/5.0"}]
    })
}

fn entra_user(upn: &str, name: &str, ip: &str) -> Value {
    json!({"user": {"id": format!("oid-{upn}"), "displayName": name, "userPrincipalName": upn, "ipAddress": ip}, "app": null})
}

fn entra_target(upn: &str, name: Value, properties: Value) -> Value {
    json!({"id": format!("oid-{upn}"), "displayName": name, "type": "User", "userPrincipalName": upn,
           "modifiedProperties": properties})
}

#[test]
fn entra_activities_say_they_are_entra_s_and_name_roles_and_properties() {
    let maria = entra_user("maria@acme.com", "Maria Lopez", "203.0.113.7");
    let grant = entra(
        "Add member to role",
        "RoleManagement",
        maria.clone(),
        json!([
            entra_target("bob@acme.com", json!("Bob"), json!([
                {"displayName": "Role.DisplayName", "oldValue": null, "newValue": "\"Global Administrator\""},
                {"displayName": "Role.TemplateId", "oldValue": null, "newValue": "\"62e90394\""}
            ])),
            {"id": "62e90394", "displayName": "Global Administrator", "type": "Role", "modifiedProperties": []}
        ]),
    );
    let update = entra(
        "Update user",
        "UserManagement",
        json!({"user": null, "app": {"appId": "a0a0", "displayName": "HR Provisioning",
                                     "servicePrincipalId": "sp-1", "servicePrincipalName": null}}),
        json!([entra_target(
            "bob@acme.com",
            Value::Null,
            json!([
                {"displayName": "Department", "oldValue": "[\"Sales\"]", "newValue": "[\"Finance\"]"},
                {"displayName": "JobTitle", "oldValue": null, "newValue": "[\"Analyst\"]"},
                {"displayName": "Included Updated Properties", "oldValue": null, "newValue": "\"Department, JobTitle\""}
            ])
        )]),
    );
    let mut reset = entra(
        "Reset password (self-service)",
        "UserManagement",
        entra_user("carla@acme.com", "", "198.51.100.23"),
        json!([entra_target("carla@acme.com", Value::Null, json!([]))]),
    );
    reset["result"] = json!("failure");
    reset["resultReason"] = json!("User's account is locked");
    let mut consent = entra(
        "Consent to application",
        "ApplicationManagement",
        entra_user("carla@acme.com", "", "198.51.100.23"),
        json!([{"id": "7c3e", "displayName": "Expense Tracker", "type": "ServicePrincipal",
                "modifiedProperties": [{"displayName": "ConsentAction.Permissions", "oldValue": null,
                                        "newValue": "[\"User.Read Mail.Read\"]"}]}]),
    );
    consent["result"] = json!("timeout");
    consent["resultReason"] = json!("Microsoft.Online.Directory.TimeoutException");
    let mut unknown = entra(
        "Update policy",
        "Policy",
        maria.clone(),
        json!([{"id": "pol-1", "displayName": "Block legacy sign-in", "type": "Policy", "modifiedProperties": []}]),
    );
    unknown["result"] = json!("unknownFutureValue");
    let page = json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits",
                      "value": [grant, update, reset, consent, unknown]});
    let said = sentences("entra.json", &page.to_string(), SourceKind::EntraId);
    assert_eq!(
        said,
        [
            "Entra: Maria Lopez added Bob to the role Global Administrator from 203.0.113.7",
            "Entra: HR Provisioning (service) changed user bob@acme.com: Department from Sales to Finance and JobTitle to Analyst",
            "Entra: carla@acme.com tried to reset their own password (self-service) from 198.51.100.23 — failed: User's account is locked",
            "Entra: carla@acme.com tried to consent to the application Expense Tracker (permissions: User.Read Mail.Read) from 198.51.100.23 — failed: Microsoft.Online.Directory.TimeoutException",
            "Entra: Maria Lopez tried to update policy Block legacy sign-in from 203.0.113.7 — how it ended was not recorded",
        ]
    );
}

#[test]
fn entra_names_read_as_one_plain_line() {
    let record = entra(
        "Add member to group",
        "GroupManagement",
        entra_user("maria@acme.com", HOSTILE, "203.0.113.7"),
        json!([entra_target(
            "bob@acme.com",
            json!(HOSTILE),
            json!([
                {"displayName": "Group.DisplayName", "oldValue": null, "newValue": "\"Pay\\nroll\""}
            ])
        )]),
    );
    let said = sentences(
        "entra.json",
        &json!([record]).to_string(),
        SourceKind::EntraId,
    );
    assert_plain(&said[0]);
    assert!(
        said[0].starts_with("Entra: Eve\u{FFFD}<b>Ops</b>"),
        "{}",
        said[0]
    );
    assert!(said[0].contains("to the group Pay roll"), "{}", said[0]);
}

// ---------------------------------------------------------------------------------
// Kubernetes

fn request(id: &str, verb: &str, user: &str, object_ref: Value, code: u16) -> Value {
    json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
        "auditID": id, "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/prod/pods",
        "verb": verb, "user": {"username": user, "groups": ["system:authenticated"]},
        "sourceIPs": ["10.0.3.41"], "userAgent": "kubectl/v1.30.1", "objectRef": object_ref,
        "responseStatus": {"metadata": {}, "code": code},
        "requestReceivedTimestamp": "2026-03-02T09:00:00.000000Z",
        "stageTimestamp": "2026-03-02T09:00:00.120000Z"
    })
}

fn pod(name: Option<&str>, sub: Option<&str>) -> Value {
    let mut object = json!({"resource": "pods", "namespace": "prod", "apiVersion": "v1"});
    if let Some(name) = name {
        object["name"] = json!(name);
    }
    if let Some(sub) = sub {
        object["subresource"] = json!(sub);
    }
    object
}

fn deployment(replicas: u64) -> Value {
    json!({"kind": "Deployment", "apiVersion": "apps/v1",
           "metadata": {"name": "web", "namespace": "prod", "resourceVersion": format!("{replicas}")},
           "spec": {"replicas": replicas}})
}

#[test]
fn kubernetes_requests_read_as_who_did_what_to_which_object() {
    const DEPLOYER: &str = "system:serviceaccount:ci:deployer";
    let mut refused = request("a1", "delete", DEPLOYER, pod(Some("web-1"), None), 403);
    refused["responseStatus"]["message"] = json!(
        "pods \"web-1\" is forbidden: User \"system:serviceaccount:ci:deployer\" cannot delete resource \"pods\" in API group \"\" in the namespace \"prod\""
    );
    refused["annotations"] =
        json!({"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""});
    let mut exec = request(
        "a2",
        "create",
        "alice@acme.com",
        pod(Some("web-1"), Some("exec")),
        101,
    );
    exec["requestURI"] = json!(
        "/api/v1/namespaces/prod/pods/web-1/exec?command=sh&command=-c&command=cat%20%2Fetc%2Fpasswd&container=web&stdin=true"
    );
    let mut conflict = request(
        "a3",
        "create",
        DEPLOYER,
        json!({"resource": "configmaps", "namespace": "ci", "name": "build-cache", "apiVersion": "v1"}),
        409,
    );
    conflict["responseStatus"]["message"] = json!("configmaps \"build-cache\" already exists");
    let mut impersonating = request("a4", "list", "alice@acme.com", pod(None, None), 200);
    impersonating["impersonatedUser"] =
        json!({"username": "bob@acme.com", "groups": ["oidc:support"]});
    let deployments = json!({"resource": "deployments", "namespace": "prod", "apiGroup": "apps", "apiVersion": "v1"});
    let mut create = request("a5", "create", "bob@acme.com", deployments.clone(), 201);
    create["level"] = json!("RequestResponse");
    create["responseObject"] = deployment(2);
    let mut named = deployments.clone();
    named["name"] = json!("web");
    let mut patch = request("a6", "patch", "bob@acme.com", named.clone(), 200);
    patch["level"] = json!("RequestResponse");
    patch["requestObject"] = json!({"spec": {"replicas": 5}});
    patch["responseObject"] = deployment(5);
    let mut anonymous = request(
        "a7",
        "list",
        "system:anonymous",
        json!({"resource": "secrets", "apiVersion": "v1"}),
        403,
    );
    anonymous["annotations"] = json!({"authorization.k8s.io/decision": "forbid"});
    let mut health = request("a8", "get", "system:anonymous", Value::Null, 200);
    health["requestURI"] = json!("/healthz?verbose");
    let mut panic = request(
        "a9",
        "get",
        "alice@acme.com",
        pod(Some("web-1"), Some("log")),
        500,
    );
    panic["stage"] = json!("Panic");
    panic["responseStatus"]["message"] = json!("APIServer panic'd: runtime error");
    let mut watching = request("b1", "watch", "system:kube-scheduler", pod(None, None), 200);
    watching["stage"] = json!("RequestReceived");
    watching.as_object_mut().unwrap().remove("responseStatus");
    let said = sentences(
        "audit.log",
        &lines(&[
            refused,
            exec,
            conflict,
            impersonating,
            create,
            patch,
            anonymous,
            health,
            panic,
            watching,
        ]),
        SourceKind::Kubernetes,
    );
    assert_eq!(
        said,
        [
            "system:serviceaccount:ci:deployer was refused permission to delete pod web-1 in namespace prod",
            "alice@acme.com ran a command (sh -c cat /etc/passwd) in pod web-1 in namespace prod",
            "system:serviceaccount:ci:deployer tried to create config map build-cache in namespace ci — failed: configmaps \"build-cache\" already exists",
            "alice@acme.com, impersonating bob@acme.com, listed pods in namespace prod",
            "bob@acme.com created deployment web in namespace prod",
            "bob@acme.com changed deployment web in namespace prod: spec.replicas from 2 to 5",
            "An unauthenticated caller (system:anonymous) was refused permission to list secrets",
            "An unauthenticated caller (system:anonymous) requested /healthz from the API server",
            "alice@acme.com tried to read the logs of pod web-1 in namespace prod — failed: APIServer panic'd: runtime error",
            "system:kube-scheduler tried to watch pods in namespace prod — how it ended was not recorded",
        ]
    );
}

#[test]
fn kubernetes_names_read_as_one_plain_line() {
    let record = request("h1", "delete", HOSTILE, pod(Some(HOSTILE), None), 200);
    let said = sentences("audit.log", &lines(&[record]), SourceKind::Kubernetes);
    assert_plain(&said[0]);
    assert!(
        said[0].contains(" deleted pod Eve\u{FFFD}<b>Ops</b>"),
        "{}",
        said[0]
    );
}

// ---------------------------------------------------------------------------------
// GitHub

fn github(id: &str, action: &str, actor: &str, extra: Value) -> Value {
    let mut entry = json!({
        "@timestamp": 1772443800000_i64, "_document_id": id, "action": action, "actor": actor,
        "actor_id": 1001, "actor_location": {"country_code": "DE"}, "created_at": 1772443800000_i64,
        "operation_type": "modify", "org": "acme", "org_id": 9001
    });
    for (key, value) in extra.as_object().unwrap() {
        entry[key] = value.clone();
    }
    entry
}

#[test]
fn github_actions_read_as_who_did_what_to_which_repository_team_or_branch() {
    let records = [
        github(
            "d1",
            "repo.add_member",
            "maria-lopez",
            json!({"repo": "acme/api", "user": "bob", "permission": "write"}),
        ),
        github(
            "d2",
            "repo.access",
            "maria-lopez",
            json!({"repo": "acme/api", "visibility": "private", "visibility_was": "public",
                   "actor_ip": "203.0.113.7"}),
        ),
        github(
            "d3",
            "team.remove_member",
            "jdoe",
            json!({"team": "acme/security", "user": "carla"}),
        ),
        github(
            "d4",
            "org.update_member",
            "jdoe",
            json!({"user": "bob-stone", "permission": "admin", "old_permission": "read"}),
        ),
        github(
            "d5",
            "protected_branch.update",
            "jdoe",
            json!({"repo": "acme/api", "name": "main",
                   "required_approving_review_count": 2, "required_approving_review_count_was": 1}),
        ),
        github(
            "d6",
            "hook.events_changed",
            "jdoe",
            json!({"repo": "acme/api", "data": {"hook_id": 77, "events": ["push", "release"], "events_were": ["push"]}}),
        ),
        github(
            "d7",
            "workflows.completed_workflow_run",
            "github-actions[bot]",
            json!({"repo": "acme/api", "conclusion": "failure"}),
        ),
        github(
            "d8",
            "user.failed_login",
            "bob-stone",
            json!({"user": "bob-stone", "actor_ip": "198.51.100.9"}),
        ),
        github(
            "d9",
            "repository_ruleset.create",
            "jdoe",
            json!({"repo": "acme/api"}),
        ),
    ];
    let said = sentences(
        "github.json",
        &json!(records).to_string(),
        SourceKind::GitHub,
    );
    assert_eq!(
        said,
        [
            "maria-lopez added bob to the repository acme/api with write permission",
            "maria-lopez changed the visibility of the repository acme/api from public to private from 203.0.113.7",
            "jdoe removed carla from the team acme/security",
            "jdoe changed the role of bob-stone in the organization acme from read to admin",
            "jdoe changed the protection of the branch main of the repository acme/api: required approving review count from 1 to 2",
            "jdoe changed the events of the webhook 77 on the repository acme/api from [push] to [push, release]",
            "github-actions[bot] (automation) finished a workflow run in the repository acme/api (conclusion: failure)",
            "bob-stone tried to sign in to GitHub from 198.51.100.9 — failed",
            "jdoe created repository ruleset — repository acme/api",
        ]
    );
}

#[test]
fn github_values_read_as_one_plain_line() {
    let record = github("h1", "repo.create", "maria-lopez", json!({"repo": HOSTILE}));
    let said = sentences("github.json", &lines(&[record]), SourceKind::GitHub);
    assert_plain(&said[0]);
    assert_eq!(
        said[0],
        "maria-lopez created the repository Eve\u{FFFD}<b>Ops</b>  <script>x</script>"
    );
}

// ---------------------------------------------------------------------------------
// GitLab

fn gitlab(id: u64, event_type: &str, author: &str, entity: (&str, &str), details: Value) -> Value {
    let mut details = details;
    details["author_name"] = json!(author);
    details["ip_address"] = json!("203.0.113.7");
    details["entity_path"] = json!(entity.1);
    json!({
        "id": id, "author_id": 7, "author_name": author, "entity_id": 11,
        "entity_type": entity.0, "entity_path": entity.1, "event_type": event_type,
        "details": details, "ip_address": "203.0.113.7",
        "target_id": details.get("target_id").cloned().unwrap_or(Value::Null),
        "target_type": details.get("target_type").cloned().unwrap_or(Value::Null),
        "target_details": details.get("target_details").cloned().unwrap_or(Value::Null),
        "created_at": "2026-03-02T09:30:00.000Z"
    })
}

#[test]
fn gitlab_events_read_as_access_given_changed_and_sign_ins_tried() {
    let bob = json!({"target_id": 42, "target_type": "User", "target_details": "Bob Stone"});
    let with = |extra: Value| {
        let mut details = bob.clone();
        for (k, v) in extra.as_object().unwrap() {
            details[k] = v.clone();
        }
        details
    };
    let mut failed = gitlab(
        3,
        "login_failed_with_standard_authentication",
        "bob",
        ("User", "bob"),
        json!({"failed_login": "STANDARD", "target_details": "bob"}),
    );
    failed["author_id"] = json!(-1);
    failed["ip_address"] = json!("198.51.100.9");
    failed["details"]["ip_address"] = json!("198.51.100.9");
    let records = [
        gitlab(
            1,
            "member_created",
            "Maria Lopez",
            ("Project", "acme/api"),
            with(json!({"add": "user_access", "as": "Developer"})),
        ),
        gitlab(
            2,
            "member_updated",
            "Maria Lopez",
            ("Group", "acme/platform"),
            with(
                json!({"change": "access_level", "from": "Developer", "to": "Maintainer",
                        "expiry_from": null, "expiry_to": null}),
            ),
        ),
        failed,
        gitlab(
            4,
            "authenticated_with_group_saml",
            "Carla Diaz",
            ("Group", "acme"),
            json!({"with": "group_saml"}),
        ),
        gitlab(
            5,
            "project_visibility_level_updated",
            "Maria Lopez",
            ("Project", "acme/api"),
            json!({"change": "visibility", "from": "Private", "to": "Public",
                   "target_id": 11, "target_type": "Project", "target_details": "acme/api"}),
        ),
        gitlab(
            6,
            "repository_download_operation",
            "Carla Diaz",
            ("Project", "acme/api"),
            json!({"custom_message": "Repository Download Started",
                   "target_id": 11, "target_type": "Project", "target_details": "acme/api"}),
        ),
        gitlab(
            7,
            "merge_request_approval_rules_updated",
            "Maria Lopez",
            ("Project", "acme/api"),
            json!({"custom_message": "Updated approval rules <b>now</b>",
                   "target_id": 11, "target_type": "Project", "target_details": "acme/api"}),
        ),
    ];
    let said = sentences(
        "gitlab.json",
        &json!(records).to_string(),
        SourceKind::GitLab,
    );
    assert_eq!(
        said,
        [
            "Maria Lopez gave Bob Stone Developer access to the project acme/api from 203.0.113.7",
            "Maria Lopez changed the access of Bob Stone to the group acme/platform from Developer to Maintainer from 203.0.113.7",
            "Someone tried to sign in to GitLab as bob with a password from 198.51.100.9 — failed",
            "Carla Diaz signed in to GitLab with SAML single sign-on from 203.0.113.7",
            "Maria Lopez changed the visibility of the project acme/api from Private to Public from 203.0.113.7",
            "Carla Diaz downloaded the repository of the project acme/api from 203.0.113.7",
            "Maria Lopez updated approval rules <b>now</b> in the project acme/api from 203.0.113.7",
        ]
    );
}

#[test]
fn gitlab_admin_csv_rows_read_from_gitlab_s_own_sentences() {
    let csv = "\
ID,Author ID,Author Name,Entity ID,Entity Type,Entity Path,Target ID,Target Type,Target Details,Action,IP Address,Created At (UTC)
4711,7,Maria Lopez,11,Group,acme/platform,42,User,Bob Stone,Changed access level from Developer to Maintainer,203.0.113.7,2026-03-02 09:30:00
4712,7,Maria Lopez,12,Project,acme/api,,,,Added protected branch main,203.0.113.7,2026-03-02 09:31:00
4713,-1,\"Eve\u{202E}\n<script>\",12,Project,acme/api,,,,\"Repository Download Started\",,2026-03-02 09:32:00
";
    let said = sentences("audit.csv", csv, SourceKind::GitLab);
    assert_eq!(
        said[..2],
        [
            "Maria Lopez changed the access of Bob Stone to the group acme/platform from Developer to Maintainer from 203.0.113.7",
            "Maria Lopez added protected branch main in the project acme/api from 203.0.113.7",
        ]
    );
    assert_plain(&said[2]);
    assert_eq!(
        said[2],
        "Eve\u{FFFD} <script> performed “Repository Download Started” on the project acme/api"
    );
}

// ---------------------------------------------------------------------------------
// Google Workspace

fn activity(
    application: &str,
    unique: &str,
    actor: Value,
    ip: Option<&str>,
    events: Value,
) -> Value {
    let mut activity = json!({
        "kind": "admin#reports#activity", "etag": "\"abc\"",
        "id": {"time": "2026-03-02T09:15:00.123Z", "uniqueQualifier": unique,
               "applicationName": application, "customerId": "C03az79cb"},
        "actor": actor, "ownerDomain": "acme.com", "events": events
    });
    if let Some(ip) = ip {
        activity["ipAddress"] = json!(ip);
    }
    activity
}

fn google_user(email: &str) -> Value {
    json!({"callerType": "USER", "email": email, "profileId": "1093"})
}

fn parameter(name: &str, value: &str) -> Value {
    json!({"name": name, "value": value})
}

#[test]
fn google_events_read_as_what_each_application_did() {
    let items = [
        activity(
            "admin",
            "1",
            google_user("bob@acme.com"),
            None,
            json!([{"type": "USER_SETTINGS", "name": "CHANGE_PASSWORD",
                    "parameters": [parameter("USER_EMAIL", "carol@acme.com")]}]),
        ),
        activity(
            "login",
            "2",
            google_user("eve@acme.com"),
            Some("198.51.100.9"),
            json!([{"type": "login", "name": "login_failure", "parameters": [
                parameter("login_type", "google_password"),
                parameter("login_failure_type", "login_failure_invalid_password"),
                {"name": "is_suspicious", "boolValue": false}]}]),
        ),
        activity(
            "admin",
            "3",
            google_user("maria@acme.com"),
            Some("203.0.113.7"),
            json!([
                {"type": "APPLICATION_SETTINGS", "name": "CHANGE_APPLICATION_SETTING", "parameters": [
                    parameter("APPLICATION_NAME", "Gmail"), parameter("SETTING_NAME", "Email forwarding"),
                    parameter("OLD_VALUE", "false"), parameter("NEW_VALUE", "true"),
                    parameter("ORG_UNIT_NAME", "Sales")]},
                {"type": "DELEGATED_ADMIN_SETTINGS", "name": "ASSIGN_ROLE", "parameters": [
                    parameter("ROLE_NAME", "_GROUPS_ADMIN_ROLE"), parameter("USER_EMAIL", "eve@acme.com")]},
                {"type": "USER_SETTINGS", "name": "CHANGE_NICKNAME", "parameters": [
                    parameter("USER_EMAIL", "eve@acme.com"),
                    parameter("OLD_VALUE", "evie"), parameter("NEW_VALUE", "eve")]}
            ]),
        ),
        activity(
            "drive",
            "4",
            json!({"callerType": "USER", "email": "bob@acme.com", "profileId": "1",
                   "applicationInfo": {"oauthClientId": "12345.apps", "applicationName": "Acme Backup", "impersonation": true}}),
            None,
            json!([{"type": "access", "name": "download", "parameters": [
                parameter("doc_id", "1aBcD777xYz"), parameter("doc_title", "Payroll 2026")]}]),
        ),
        activity(
            "drive",
            "5",
            google_user("grace@acme.com"),
            None,
            json!([{"type": "acl_change", "name": "change_user_access", "parameters": [
                parameter("doc_id", "1aBcD9"), parameter("doc_title", "Customer list"),
                parameter("target_user", "partner@outside.example"),
                {"name": "old_value", "multiValue": ["none"]}, {"name": "new_value", "multiValue": ["can_view"]}]}]),
        ),
        activity(
            "token",
            "6",
            google_user("grace@acme.com"),
            None,
            json!([{"type": "auth", "name": "authorize", "parameters": [
                parameter("client_id", "55555-mailmerge.apps.googleusercontent.com"),
                parameter("app_name", "Mail Merge Pro"),
                {"name": "scope", "multiValue": ["https://www.googleapis.com/auth/gmail.send",
                                                  "https://www.googleapis.com/auth/drive.readonly"]}]}]),
        ),
        activity(
            "drive",
            "7",
            google_user("grace@acme.com"),
            None,
            json!([{"type": "access", "name": "download_denied", "parameters": [
                parameter("doc_id", "1aBcD9"), parameter("doc_title", "Customer list")]}]),
        ),
    ];
    let page = json!({"kind": "admin#reports#activities", "items": items});
    let said = sentences(
        "google.json",
        &page.to_string(),
        SourceKind::GoogleWorkspace,
    );
    assert_eq!(
        said,
        [
            "bob@acme.com changed the password of carol@acme.com",
            "eve@acme.com tried to sign in to Google with a password from 198.51.100.9 — failed: invalid password",
            "maria@acme.com changed the Gmail setting Email forwarding for Sales from false to true from 203.0.113.7",
            "maria@acme.com gave eve@acme.com the admin role Groups Admin from 203.0.113.7",
            "maria@acme.com changed user eve@acme.com: nickname from evie to eve from 203.0.113.7",
            "Acme Backup (service), acting for bob@acme.com, downloaded Payroll 2026",
            "grace@acme.com changed the access of partner@outside.example to Customer list from none to can view",
            "grace@acme.com allowed the app Mail Merge Pro to use their Google account (gmail.send, drive.readonly)",
            "grace@acme.com was refused permission to perform “download_denied” on Customer list",
        ]
    );
}

#[test]
fn google_titles_read_as_one_plain_line() {
    let item = activity(
        "drive",
        "9",
        google_user("grace@acme.com"),
        None,
        json!([{"name": "view", "parameters": [parameter("doc_id", "d"), parameter("doc_title", HOSTILE)]}]),
    );
    let said = sentences("google.json", &lines(&[item]), SourceKind::GoogleWorkspace);
    assert_plain(&said[0]);
    assert_eq!(
        said[0],
        "grace@acme.com viewed Eve\u{FFFD}<b>Ops</b>  <script>x</script>"
    );
}

// ---------------------------------------------------------------------------------
// Salesforce

#[test]
fn salesforce_history_and_setup_changes_read_as_what_changed_on_which_record() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "OpportunityFieldHistory.csv",
        "\
Id,OpportunityId,Opportunity.Name,Field,DataType,OldValue,NewValue,CreatedById,CreatedDate
008000000000001AAA,006000000000001AAA,Big Deal,created,Text,,,005000000000001AAA,2026-03-02T08:00:00.000Z
008000000000002AAA,006000000000001AAA,Big Deal,StageName,Picklist,Prospecting,Closed Won,005000000000001AAA,2026-03-02T09:00:00.000Z
008000000000003AAA,006000000000001AAA,Big Deal,Description,TextArea,,,005000000000002AAA,2026-03-02T09:30:00.000Z
008000000000004AAA,006000000000001AAA,Big Deal,NextStep,Text,Call,\"=HYPERLINK(\"\"http://x\"\")\n<b>\u{202E}x\",005000000000002AAA,2026-03-02T09:45:00.000Z
",
    );
    write(
        "AccountHistory.csv",
        "\
Id,AccountId,Account.Name,Field,DataType,OldValue,NewValue,CreatedById,CreatedDate
017000000000001AAA,001000000000001AAA,Acme Corp,Owner,Text,Maria Lopez,Omar Sato,005000000000001AAA,2026-03-02T10:00:00.000Z
017000000000002AAA,001000000000001AAA,Acme Corp,Owner,EntityId,005000000000001AAA,005000000000002AAA,005000000000001AAA,2026-03-02T10:00:00.000Z
017000000000003AAA,001000000000001AAA,Acme Corp,Rating,Picklist,Warm,Hot,005000000000001AAA,2026-03-02T10:00:00.000Z
",
    );
    write(
        "SetupAuditTrail.csv",
        "\
Id,Action,Section,Display,CreatedById,CreatedDate,DelegateUser,ResponsibleNamespacePrefix,CreatedByContext,CreatedByIssuer
0Ym000000000001AAA,PermSetAssign,Manage Users,Permission set Export: assigned to user Omar Sato,005000000000002AAA,2026-03-02T11:00:00.000+0000,dana@acme.com.prod,,,
0Ym000000000002AAA,changedProfileForUser,Manage Users,Changed profile for user Omar Sato from Standard User to System Administrator,005000000000001AAA,2026-03-02T12:00:00.000+0000,,,,
0Ym000000000003AAA,changedSessionTimeout,Session Settings,,005000000000001AAA,2026-03-02T13:00:00.000+0000,,,,
",
    );
    write(
        "User.csv",
        "\
Id,Username,Name,Email
005000000000001AAA,maria@acme.com.prod,Maria Lopez,maria@acme.com
005000000000002AAA,omar@acme.com.prod,Omar Sato,omar@acme.com
005000000000009AAA,dana@acme.com.prod,Dana Reyes,dana@acme.com
",
    );
    let said = sentences_at(dir.path(), SourceKind::Salesforce);
    assert_eq!(
        said[..6],
        [
            "Maria Lopez created Opportunity Big Deal",
            "Maria Lopez changed Opportunity Big Deal: Stage from Prospecting to Closed Won",
            "Omar Sato changed Opportunity Big Deal: Description (values not recorded)",
            "Omar Sato changed Opportunity Big Deal: Next Step from Call to =HYPERLINK(\"http://x\") <b>\u{FFFD}x",
            "Maria Lopez changed Account Acme Corp: Owner from Maria Lopez to Omar Sato and Rating from Warm to Hot",
            "Dana Reyes, impersonating Omar Sato, made a setup change in Manage Users: Permission set Export: assigned to user Omar Sato",
        ]
    );
    assert_plain(&said[3]);
    assert_eq!(
        said[6..],
        [
            "Maria Lopez changed profile for user Omar Sato from Standard User to System Administrator",
            "Maria Lopez made a setup change in Session Settings (changedSessionTimeout)",
        ]
    );
}

// ---------------------------------------------------------------------------------
// Events of no export keep the general wording.

#[test]
fn events_of_our_own_format_are_not_taken_for_an_export_s() {
    let ours = json!({"id": "1", "ts": "2026-03-02T09:00:00.000Z", "action": "order.updated",
        "actor": {"id": "u_001", "type": "user", "name": "Maria Lopez"},
        "target": {"type": "Order", "id": "1842", "name": "Order #1842"},
        "outcome": "success", "before": {"status": "Pending Review"}, "after": {"status": "Approved"},
        "context": {"org": "acme", "verb": "patch"}});
    assert_eq!(
        sentence(&ours),
        "Maria Lopez changed Order #1842 status from Pending Review to Approved"
    );
}
