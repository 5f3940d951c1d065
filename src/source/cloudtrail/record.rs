//! One CloudTrail record → the normalized event (docs/event-model.md), in our field
//! names. Pure functions: no I/O, and no input makes them panic (a value of the wrong
//! type anywhere is read as absent, or is an `Err` for the two fields an event needs).
//!
//! The mapping (reference: `audit-sources.md` §1.2):
//!
//! | ours | from the record |
//! |---|---|
//! | `id` | `eventID` |
//! | `ts` | `eventTime`, as RFC 3339 UTC with milliseconds (missing or unreadable: `Err`) |
//! | `action` | `<service>.<eventName>`, the service being `eventSource` without `.amazonaws.com` (`eventName` missing: `Err`) |
//! | `category` | see `category` |
//! | `actor` | `userIdentity`, see `actor` |
//! | `on_behalf_of` | `userIdentity.onBehalfOf` (`userId`, else `subject`), else `sessionContext.sourceIdentity` |
//! | `target` | the first of `resources[]` with an ARN, else a request key, see `target` |
//! | `outcome`, `reason` | `errorCode` / `errorMessage`, console sign-ins from `responseElements`, see `outcome` |
//! | `source` | `ip` sourceIPAddress, `user_agent` userAgent, `channel` (`console`, `service`, `api`), `request_id` requestID, `client_id` userIdentity.accessKeyId, `batch_id` sharedEventID |
//! | `requested`, `result` | `requestParameters`, `responseElements` as they are (never `before`/`after`: a request is not a record's state) |
//! | `context` | region, accounts, event type/category/version, `readOnly`, `managementEvent`, `additionalEventData`, `errorCode`, TLS host header, VPC endpoint, MFA, `invokedBy`, the full `eventSource`, … (snake_case names) |
//!
//! Absent, null and empty values are left out; nothing is invented.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Map, Value};

/// What CloudTrail writes as the user name of a console sign-in whose user name was
/// mistyped (the text could be a password, so it is not recorded).
pub const HIDDEN_USER_NAME: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

/// One CloudTrail log record (an element of a log file's `Records`) as the normalized
/// event. `Err` names the field when `eventTime` or `eventName` is missing or
/// unreadable, or when the record is not a JSON object.
pub fn normalize(record: &Value) -> Result<Value, String> {
    let Some(rec) = record.as_object() else {
        return Err(format!(
            "a CloudTrail record is a JSON object, not {}",
            kind_of(record)
        ));
    };
    let event_name = required_name(rec, "eventName")?;
    let ts = time_of(rec.get("eventTime"), "eventTime", false)?;
    let event_source = text(rec.get("eventSource"));
    let service = event_source.map(service_of);
    let event_type = text(rec.get("eventType"));
    let identity = rec.get("userIdentity").and_then(Value::as_object);
    let read_only = flag(rec.get("readOnly"));

    let mut event = Map::new();
    put_text(&mut event, "id", text(rec.get("eventID")));
    event.insert("ts".into(), Value::String(ts));
    event.insert("action".into(), Value::String(action(service, event_name)));
    let category = category(
        service,
        event_name,
        event_type,
        text(rec.get("eventCategory")),
        read_only,
    );
    event.insert("category".into(), Value::String(category.into()));

    let actor = identity.and_then(|identity| actor(identity, rec));
    let actor_id = actor
        .as_ref()
        .and_then(|a| a.get("id"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(actor) = actor {
        event.insert("actor".into(), Value::Object(actor));
    }
    if let Some(principal) = identity.and_then(on_behalf_of)
        && principal.get("id").and_then(Value::as_str) != actor_id.as_deref()
    {
        event.insert("on_behalf_of".into(), Value::Object(principal));
    }
    if let Some(target) = target(rec, service) {
        event.insert("target".into(), Value::Object(target));
    }
    let (outcome, reason) = outcome(rec, event_name, event_type);
    event.insert("outcome".into(), Value::String(outcome.into()));
    put_text(&mut event, "reason", reason.as_deref());

    let mut source = Map::new();
    put_text(&mut source, "ip", text(rec.get("sourceIPAddress")));
    put_text(&mut source, "user_agent", text(rec.get("userAgent")));
    put_text(&mut source, "channel", channel(rec, identity, event_type));
    put_text(&mut source, "request_id", text(rec.get("requestID")));
    put_text(&mut source, "batch_id", text(rec.get("sharedEventID")));
    put_text(
        &mut source,
        "client_id",
        identity.and_then(|i| text(i.get("accessKeyId"))),
    );
    put_object(&mut event, "source", source);

    put_json(&mut event, "requested", rec.get("requestParameters"));
    put_json(&mut event, "result", rec.get("responseElements"));
    put_object(&mut event, "context", context(rec, identity, event_source));
    Ok(Value::Object(event))
}

/// One element of `aws cloudtrail lookup-events` output (`Events[]`). Its
/// `CloudTrailEvent` is the full record as JSON text (an already parsed object is
/// accepted too) and is normalized like a log record. When it is missing, unreadable,
/// or lacks what an event needs, the summary fields are used instead (`EventId`,
/// `EventName`, `EventSource`, `EventTime` as RFC 3339 text or epoch seconds,
/// `Username`, `AccessKeyId`, `ReadOnly`, `Resources[0]`), `context.cloudtrail_event`
/// says why, and `outcome` is left out: the summary does not say it.
pub fn normalize_lookup_event(item: &Value) -> Result<Value, String> {
    let Some(obj) = item.as_object() else {
        return Err(format!(
            "a lookup-events item is a JSON object, not {}",
            kind_of(item)
        ));
    };
    let why = match obj.get("CloudTrailEvent") {
        None | Some(Value::Null) => "missing".to_owned(),
        Some(Value::String(json)) => match serde_json::from_str::<Value>(json) {
            Ok(record) => match normalize(&record) {
                Ok(event) => return Ok(event),
                Err(e) => format!("unreadable: {e}"),
            },
            Err(e) => format!("unreadable: not JSON ({e})"),
        },
        Some(record @ Value::Object(_)) => match normalize(record) {
            Ok(event) => return Ok(event),
            Err(e) => format!("unreadable: {e}"),
        },
        Some(other) => format!(
            "unreadable: {}, not the record as JSON text",
            kind_of(other)
        ),
    };

    let event_name = required_name(obj, "EventName")?;
    let ts = time_of(obj.get("EventTime"), "EventTime", true)?;
    let event_source = text(obj.get("EventSource"));
    let service = event_source.map(service_of);

    let mut event = Map::new();
    put_text(&mut event, "id", text(obj.get("EventId")));
    event.insert("ts".into(), Value::String(ts));
    event.insert("action".into(), Value::String(action(service, event_name)));
    let category = category(service, event_name, None, None, flag(obj.get("ReadOnly")));
    event.insert("category".into(), Value::String(category.into()));
    if let Some(user) = text(obj.get("Username")) {
        let mut actor = Map::new();
        put_text(&mut actor, "id", Some(user));
        put_text(&mut actor, "name", Some(user));
        event.insert("actor".into(), Value::Object(actor));
    }
    let first_resource = obj
        .get("Resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .find_map(|r| text(r.get("ResourceName")).map(|name| (r, name)));
    if let Some((resource, name)) = first_resource {
        let mut target = Map::new();
        put_text(
            &mut target,
            "type",
            text(resource.get("ResourceType"))
                .map(readable_type)
                .as_deref(),
        );
        put_text(&mut target, "id", Some(name));
        put_text(&mut target, "name", Some(last_segment(name)));
        event.insert("target".into(), Value::Object(target));
    }
    let mut source = Map::new();
    put_text(&mut source, "client_id", text(obj.get("AccessKeyId")));
    put_object(&mut event, "source", source);
    let mut context = Map::new();
    put_text(&mut context, "event_source", event_source);
    put_json(&mut context, "read_only", obj.get("ReadOnly"));
    context.insert("cloudtrail_event".into(), Value::String(why));
    event.insert("context".into(), Value::Object(context));
    Ok(Value::Object(event))
}

// ---------------------------------------------------------------------------------
// Action and category

/// The service of an `eventSource`: `s3.amazonaws.com` → `s3`.
fn service_of(event_source: &str) -> &str {
    event_source
        .strip_suffix(".amazonaws.com.cn")
        .or_else(|| event_source.strip_suffix(".amazonaws.com"))
        .unwrap_or(event_source)
}

fn action(service: Option<&str>, event_name: &str) -> String {
    match service {
        Some(service) if !service.is_empty() => format!("{service}.{event_name}"),
        _ => event_name.to_owned(),
    }
}

/// Calls that hand out credentials (STS) or sign someone in (Identity Center portal).
const CREDENTIAL_CALLS: [&str; 5] = [
    "AssumeRole",
    "AssumeRoleWithSAML",
    "AssumeRoleWithWebIdentity",
    "GetSessionToken",
    "GetFederationToken",
];
const PORTAL_SIGN_IN: [&str; 4] = ["Authenticate", "Federate", "GetRoleCredentials", "Logout"];

/// Services whose writes change who is watching: the trail itself, Config, the
/// security services, the organization and the account.
const ADMIN_SERVICES: [&str; 10] = [
    "cloudtrail",
    "config",
    "guardduty",
    "securityhub",
    "organizations",
    "account",
    "access-analyzer",
    "detective",
    "inspector2",
    "macie2",
];

/// Services whose every write changes who may do what: IAM and IAM Identity Center.
const PERMISSION_SERVICES: [&str; 4] = ["iam", "sso", "sso-directory", "identitystore"];

/// Writes to other services that change a resource's policy, ACL, grants or network
/// access (names without Lambda's API-version suffix).
const PERMISSION_CALLS: [&str; 25] = [
    "PutBucketPolicy",
    "DeleteBucketPolicy",
    "PutBucketAcl",
    "PutObjectAcl",
    "PutBucketPublicAccessBlock",
    "DeleteBucketPublicAccessBlock",
    "PutAccountPublicAccessBlock",
    "DeleteAccountPublicAccessBlock",
    "PutBucketOwnershipControls",
    "PutKeyPolicy",
    "CreateGrant",
    "RevokeGrant",
    "RetireGrant",
    "AddPermission",
    "RemovePermission",
    "AddLayerVersionPermission",
    "RemoveLayerVersionPermission",
    "PutResourcePolicy",
    "DeleteResourcePolicy",
    "SetRepositoryPolicy",
    "DeleteRepositoryPolicy",
    "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress",
];

/// Name prefixes of calls that only read, for records without `readOnly`.
const READ_PREFIXES: [&str; 6] = ["Get", "List", "Describe", "Head", "Lookup", "BatchGet"];

/// The category, first rule that applies:
///
/// 1. `auth`: console sign-in events (`eventType` `AwsConsoleSignIn`, or any event of
///    `signin` or `sso-oauth`), STS calls that hand out credentials (`AssumeRole*`,
///    `GetSessionToken`, `GetFederationToken`), and the Identity Center portal's
///    sign-in calls (`sso` `Authenticate`, `Federate`, `GetRoleCredentials`, `Logout`).
///    They come first because CloudTrail marks `AssumeRole` read-only.
/// 2. `system`: what AWS itself reports (`AwsServiceEvent`, Insights events).
/// 3. `access`: read-only calls (`readOnly` true; when the record does not say, a name
///    starting with Get, List, Describe, Head, Lookup or BatchGet), data reads included.
/// 4. `admin`: writes to CloudTrail, Config, GuardDuty, Security Hub, Organizations,
///    Account, Access Analyzer, Detective, Inspector and Macie (`StopLogging`,
///    `DeleteTrail`, `UpdateTrail`, `StopConfigurationRecorder`, `DeleteDetector`, …).
/// 5. `permission`: writes to IAM and IAM Identity Center (`sso`, `sso-directory`,
///    `identitystore`), and policy, ACL, grant and security-group changes anywhere
///    else (`PERMISSION_CALLS`).
/// 6. `record`: every other write (`DeleteBucket`, `RunInstances`, `PutObject`, …).
pub fn category(
    service: Option<&str>,
    event_name: &str,
    event_type: Option<&str>,
    event_category: Option<&str>,
    read_only: Option<bool>,
) -> &'static str {
    let service = service.unwrap_or("");
    let name = without_api_version(event_name);
    if event_type == Some("AwsConsoleSignIn")
        || matches!(service, "signin" | "sso-oauth")
        || (service == "sts" && CREDENTIAL_CALLS.contains(&name))
        || (service == "sso" && PORTAL_SIGN_IN.contains(&name))
    {
        return "auth";
    }
    if matches!(event_type, Some("AwsServiceEvent" | "AwsCloudTrailInsight"))
        || event_category == Some("Insight")
    {
        return "system";
    }
    let read_only = read_only.unwrap_or_else(|| READ_PREFIXES.iter().any(|p| name.starts_with(p)));
    if read_only {
        return "access";
    }
    if ADMIN_SERVICES.contains(&service) {
        return "admin";
    }
    if PERMISSION_SERVICES.contains(&service) || PERMISSION_CALLS.contains(&name) {
        return "permission";
    }
    "record"
}

/// Lambda's event names carry the API version: `AddPermission20150331v2` → `AddPermission`.
fn without_api_version(name: &str) -> &str {
    let trailing_digits =
        |s: &str| s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let mut rest = name;
    let digits = trailing_digits(rest);
    if (1..8).contains(&digits)
        && let Some(before) = rest[..rest.len() - digits].strip_suffix('v')
    {
        rest = before;
    }
    if trailing_digits(rest) == 8 && rest.len() > 8 {
        &rest[..rest.len() - 8]
    } else {
        name
    }
}

// ---------------------------------------------------------------------------------
// Actor

/// Who acted, from `userIdentity`:
///
/// * `id`: `arn`, else `principalId`, else `invokedBy`, else `accountId`. For an
///   `IdentityCenterUser` with neither ARN nor principal id, the Identity Center user
///   (`onBehalfOf.userId`), so that the account's Identity Center users are not one
///   actor. A sign-in whose user name CloudTrail hid gets `<accountId>/HIDDEN_DUE_TO_SECURITY_REASONS`
///   (no ARN, principal id or service name has that form), so it is neither the
///   account nor an IAM user really named so.
/// * `type` (spec §2.2): `actor_type`; CloudTrail's own type in `aws_type`.
/// * `name`: `userName` (the root user's is its account alias: `account_alias`, and the
///   name is "root account"), else the session name of an assumed-role or
///   federated-user ARN (`…:assumed-role/Admin/alice` → `alice`), else
///   `sessionIssuer.userName`, else the invoking service.
/// * `role` (the role's name) and `role_arn` for role sessions; `account_id`.
fn actor(identity: &Map<String, Value>, rec: &Map<String, Value>) -> Option<Map<String, Value>> {
    let aws_type = text(identity.get("type"));
    let arn = text(identity.get("arn"));
    let principal = text(identity.get("principalId"));
    let invoked_by = text(identity.get("invokedBy"));
    let account = text(identity.get("accountId"));
    let user_name = text(identity.get("userName"));
    let issuer = identity
        .get("sessionContext")
        .and_then(|c| c.get("sessionIssuer"))
        .and_then(Value::as_object);
    let issuer_type = issuer.and_then(|i| text(i.get("type")));
    let issuer_name = issuer.and_then(|i| text(i.get("userName")));
    let issuer_arn = issuer.and_then(|i| text(i.get("arn")));
    let session = arn.and_then(session_of);
    let hidden = user_name == Some(HIDDEN_USER_NAME);
    let is_root = aws_type == Some("Root");

    let id = if aws_type == Some("IdentityCenterUser") && arn.is_none() && principal.is_none() {
        identity
            .get("onBehalfOf")
            .and_then(|o| text(o.get("userId")))
            .map(str::to_owned)
    } else {
        None
    }
    .or_else(|| arn.or(principal).or(invoked_by).map(str::to_owned))
    .or_else(|| match (account, hidden) {
        (Some(account), true) => Some(format!("{account}/{HIDDEN_USER_NAME}")),
        (Some(account), false) => Some(account.to_owned()),
        (None, true) => Some(HIDDEN_USER_NAME.to_owned()),
        (None, false) => None,
    });
    let name = if is_root {
        Some("root account")
    } else {
        user_name.or(session.map(|s| s.name)).or(issuer_name).or(
            if aws_type == Some("AWSService") {
                invoked_by
            } else {
                None
            },
        )
    };
    let role = session
        .and_then(|s| s.role)
        .or(if issuer_type == Some("Role") {
            issuer_name
        } else {
            None
        });

    let mut actor = Map::new();
    put_text(&mut actor, "id", id.as_deref());
    put_text(
        &mut actor,
        "type",
        actor_type(aws_type, rec, role, issuer_arn),
    );
    put_text(&mut actor, "name", name);
    put_text(&mut actor, "aws_type", aws_type);
    put_text(&mut actor, "role", role);
    if issuer_type == Some("Role") {
        put_text(&mut actor, "role_arn", issuer_arn);
    }
    put_text(&mut actor, "account_id", account);
    if is_root {
        put_text(&mut actor, "account_alias", user_name);
    }
    (!actor.is_empty()).then_some(actor)
}

/// Our actor type (spec §2.2 lists `user`, `admin`, `automation`, `api_client`,
/// `webhook`, `import`, `job`, `integration`, `system`) for a CloudTrail identity type:
///
/// * `user`: `IAMUser`, `Root`, `FederatedUser`, `SAMLUser`, `WebIdentityUser`,
///   `IdentityCenterUser` — credentials that belong to a person (or an app's end user);
///   and an `AssumedRole` session that shows a person: a role of an IAM Identity Center
///   permission set (`AWSReservedSSO_…`) or console credentials
///   (`sessionCredentialFromConsole`).
/// * `system`: `AWSService`, and an `AssumedRole` session of a service-linked role
///   (`…:role/aws-service-role/…`) or invoked by a service (`invokedBy`): AWS acting.
/// * `api_client`: any other `AssumedRole` session (an instance profile, a Lambda
///   function, a CI pipeline, or a person using the CLI: the record cannot tell), and
///   `AWSAccount` (another account's caller).
/// * anything else: left out (CloudTrail's type stays in `aws_type`).
fn actor_type(
    aws_type: Option<&str>,
    rec: &Map<String, Value>,
    role: Option<&str>,
    issuer_arn: Option<&str>,
) -> Option<&'static str> {
    match aws_type? {
        "IAMUser" | "Root" | "FederatedUser" | "SAMLUser" | "WebIdentityUser"
        | "IdentityCenterUser" => Some("user"),
        "AWSService" => Some("system"),
        "AWSAccount" => Some("api_client"),
        "AssumedRole" => {
            let invoked = rec
                .get("userIdentity")
                .and_then(|i| text(i.get("invokedBy")))
                .is_some();
            if issuer_arn.is_some_and(|a| a.contains(":role/aws-service-role/")) || invoked {
                Some("system")
            } else if role.is_some_and(|r| r.starts_with("AWSReservedSSO_"))
                || flag(rec.get("sessionCredentialFromConsole")) == Some(true)
            {
                Some("user")
            } else {
                Some("api_client")
            }
        }
        _ => None,
    }
}

/// The role and session of `arn:aws:sts::1:assumed-role/Admin/alice`, or the name of
/// `arn:aws:sts::1:federated-user/Bob`.
#[derive(Clone, Copy)]
struct Session<'a> {
    role: Option<&'a str>,
    name: &'a str,
}

fn session_of(arn: &str) -> Option<Session<'_>> {
    let resource = arn_resource(arn)?;
    if let Some(rest) = resource.strip_prefix("assumed-role/") {
        let (role, name) = rest.split_once('/')?;
        return (!role.is_empty() && !name.is_empty()).then_some(Session {
            role: Some(role),
            name,
        });
    }
    let name = resource.strip_prefix("federated-user/")?;
    (!name.is_empty()).then_some(Session { role: None, name })
}

/// Whom the actor acted for: an Identity Center user (`onBehalfOf.userId`, or the
/// `subject` of a federated one), else the source identity the session carries
/// (`sessionContext.sourceIdentity`). `invokedBy` is not one: the service acted for the
/// principal, not the other way round (it is `context.invoked_by`, channel `service`).
fn on_behalf_of(identity: &Map<String, Value>) -> Option<Map<String, Value>> {
    let mut principal = Map::new();
    if let Some(obo) = identity.get("onBehalfOf").and_then(Value::as_object) {
        let user_id = text(obo.get("userId"));
        let id = user_id.or(text(obo.get("subject")));
        if let Some(id) = id {
            put_text(&mut principal, "id", Some(id));
            if user_id.is_some() || text(obo.get("subjectType")) == Some("user") {
                put_text(&mut principal, "type", Some("user"));
            }
            put_text(
                &mut principal,
                "identity_store_arn",
                text(obo.get("identityStoreArn")),
            );
            return Some(principal);
        }
    }
    let source_identity = identity
        .get("sessionContext")
        .and_then(|c| text(c.get("sourceIdentity")))
        .or_else(|| text(identity.get("sourceIdentity")))?;
    put_text(&mut principal, "id", Some(source_identity));
    put_text(&mut principal, "name", Some(source_identity));
    Some(principal)
}

// ---------------------------------------------------------------------------------
// Target

/// Request keys that name what a call was made on, by service: (service, key, type).
/// The first one present wins, so a call on a user's policy names the user.
const REQUEST_TARGETS: [(&str, &str, &str); 27] = [
    ("s3", "bucketName", "S3 bucket"),
    ("iam", "userName", "IAM user"),
    ("iam", "roleName", "IAM role"),
    ("iam", "groupName", "IAM group"),
    ("iam", "policyArn", "IAM policy"),
    ("iam", "policyName", "IAM policy"),
    ("iam", "instanceProfileName", "IAM instance profile"),
    ("sts", "roleArn", "IAM role"),
    ("ec2", "instanceId", "EC2 instance"),
    ("ec2", "groupId", "EC2 security group"),
    ("ec2", "volumeId", "EC2 volume"),
    ("ec2", "snapshotId", "EC2 snapshot"),
    ("lambda", "functionName", "Lambda function"),
    ("cloudtrail", "trailName", "CloudTrail trail"),
    ("cloudtrail", "name", "CloudTrail trail"),
    ("kms", "keyId", "KMS key"),
    ("dynamodb", "tableName", "DynamoDB table"),
    ("rds", "dBInstanceIdentifier", "RDS DB instance"),
    ("rds", "dBClusterIdentifier", "RDS DB cluster"),
    ("config", "configurationRecorderName", "Config recorder"),
    ("config", "deliveryChannelName", "Config delivery channel"),
    ("guardduty", "detectorId", "GuardDuty detector"),
    ("secretsmanager", "secretId", "Secrets Manager secret"),
    ("logs", "logGroupName", "CloudWatch Logs log group"),
    ("sns", "topicArn", "SNS topic"),
    ("sqs", "queueUrl", "SQS queue"),
    ("organizations", "accountId", "AWS account"),
];

/// What the call was made on:
///
/// 1. the first entry of `resources[]` with an `ARN`: `id` the ARN, `name` its last
///    segment, `type` its `type` in words (`AWS::S3::Bucket` → "S3 bucket",
///    `AWS::RDS::DBInstance` → "RDS DB instance");
/// 2. else the first key of `REQUEST_TARGETS` for the service in `requestParameters`
///    (`id` as given: a name stays a name, an ARN an ARN);
/// 3. else, for EC2, the one instance of `instancesSet` in the request or, for
///    `RunInstances`, in the response (several instances: no target, they are in
///    `requested`/`result`).
fn target(rec: &Map<String, Value>, service: Option<&str>) -> Option<Map<String, Value>> {
    let mut target = Map::new();
    let resource = rec
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .find_map(|r| text(r.get("ARN")).map(|arn| (r, arn)));
    if let Some((resource, arn)) = resource {
        let kind = text(resource.get("type")).map(readable_type);
        put_text(&mut target, "type", kind.as_deref());
        put_text(&mut target, "id", Some(arn));
        put_text(&mut target, "name", Some(last_segment(arn)));
        return Some(target);
    }
    let service = service?;
    let request = rec.get("requestParameters").and_then(Value::as_object);
    let (kind, id) = request
        .and_then(|request| {
            REQUEST_TARGETS
                .iter()
                .filter(|(s, _, _)| *s == service)
                .find_map(|(_, key, kind)| text(request.get(*key)).map(|id| (*kind, id)))
        })
        .or_else(|| {
            if service != "ec2" {
                return None;
            }
            one_instance(rec.get("requestParameters"))
                .or_else(|| one_instance(rec.get("responseElements")))
                .map(|id| ("EC2 instance", id))
        })?;
    put_text(&mut target, "type", Some(kind));
    put_text(&mut target, "id", Some(id));
    put_text(&mut target, "name", Some(last_segment(id)));
    Some(target)
}

/// The one instance of an EC2 `instancesSet` (none when it lists several).
fn one_instance(value: Option<&Value>) -> Option<&str> {
    let items = value?.get("instancesSet")?.get("items")?.as_array()?;
    match items.as_slice() {
        [only] => text(only.get("instanceId")),
        _ => None,
    }
}

/// A CloudFormation-style type in words: `AWS::S3::Bucket` → "S3 bucket",
/// `AWS::IAM::AccessKey` → "IAM access key". Anything else stays as it is.
fn readable_type(kind: &str) -> String {
    let parts: Vec<&str> = kind.split("::").collect();
    let [_, service, resource] = parts.as_slice() else {
        return kind.to_owned();
    };
    if service.is_empty() || resource.is_empty() {
        return kind.to_owned();
    }
    format!("{service} {}", words(resource))
}

/// `DBInstance` → "DB instance", `AccessKey` → "access key", `VPC` → "VPC".
fn words(camel: &str) -> String {
    let chars: Vec<char> = camel.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| chars.get(j));
        let next = chars.get(i + 1);
        let starts_word = c.is_uppercase()
            && (prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(|p| p.is_uppercase())
                    && next.is_some_and(|n| n.is_lowercase())));
        if starts_word && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
        .into_iter()
        .map(|w| {
            let acronym = w.chars().count() > 1 && w.chars().all(|c| !c.is_lowercase());
            if acronym { w } else { w.to_lowercase() }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The resource part of an ARN (`arn:partition:service:region:account:resource`).
fn arn_resource(arn: &str) -> Option<&str> {
    if !arn.starts_with("arn:") {
        return None;
    }
    arn.splitn(6, ':').nth(5)
}

/// The name in an ARN: its last `/` segment, else its last `:` segment
/// (`arn:aws:s3:::acme-logs` → `acme-logs`, `…:user/ops/alice` → `alice`,
/// `…:function:resize` → `resize`). Not an ARN: the value itself.
fn last_segment(value: &str) -> &str {
    let Some(resource) = arn_resource(value) else {
        return value;
    };
    let resource = resource.trim_end_matches('/');
    let name = match resource.rsplit_once('/') {
        Some((_, name)) => name,
        None => resource.rsplit_once(':').map_or(resource, |(_, name)| name),
    };
    if name.is_empty() { value } else { name }
}

// ---------------------------------------------------------------------------------
// Outcome, channel, context

/// Error codes (after a `Client.` prefix, case aside) that mean the caller was refused:
/// any starting with `AccessDenied` or `Unauthorized` (`AccessDeniedException`,
/// `UnauthorizedOperation`, `UnauthorizedAccess`, …), and these.
const DENIED_CODES: [&str; 5] = [
    "Forbidden",
    "ForbiddenException",
    "AuthorizationError",
    "AuthorizationErrorException",
    "AllAccessDisabled",
];

/// Whether an `errorCode` says the call was refused (`denied`) rather than failed.
/// Authentication errors (`InvalidClientTokenId`, `SignatureDoesNotMatch`,
/// `ExpiredToken`, `AuthFailure`) are failures, as a failed console sign-in is: the
/// caller could not prove who it was, and no permission was weighed.
pub fn is_denied(error_code: &str) -> bool {
    let lower = error_code.to_ascii_lowercase();
    let code = lower.strip_prefix("client.").unwrap_or(&lower);
    code.starts_with("accessdenied")
        || code.starts_with("unauthorized")
        || DENIED_CODES.iter().any(|d| d.eq_ignore_ascii_case(code))
}

/// `success` without `errorCode`; `denied` for `is_denied` codes; `failure` for any
/// other. A console sign-in event (`ConsoleLogin`, `CheckMfa`, `SwitchRole`, …) says it
/// in `responseElements.<eventName>`: `Success` or `Failure`. The reason is
/// `errorCode: errorMessage` (either alone when the other is missing).
fn outcome(
    rec: &Map<String, Value>,
    event_name: &str,
    event_type: Option<&str>,
) -> (&'static str, Option<String>) {
    let code = rec.get("errorCode").filter(|v| !is_blank(v));
    let message = text(rec.get("errorMessage"));
    let code_text = code.map(|c| match c {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let reason = match (code_text.as_deref(), message) {
        (Some(code), Some(message)) => Some(format!("{code}: {message}")),
        (Some(code), None) => Some(code.to_owned()),
        (None, Some(message)) => Some(message.to_owned()),
        (None, None) => None,
    };
    if event_type == Some("AwsConsoleSignIn") {
        let said = rec
            .get("responseElements")
            .and_then(|r| text(r.get(event_name)));
        match said {
            Some(s) if s.eq_ignore_ascii_case("success") => return ("success", reason),
            Some(s) if s.eq_ignore_ascii_case("failure") => return ("failure", reason),
            _ => {}
        }
    }
    let outcome = match code {
        None => "success",
        Some(Value::String(code)) if is_denied(code) => "denied",
        Some(_) => "failure",
    };
    (outcome, reason)
}

/// `console` for console sign-ins and console credentials, `service` when an AWS
/// service made the call, else `api` (nothing for Insights events, which no one called).
fn channel(
    rec: &Map<String, Value>,
    identity: Option<&Map<String, Value>>,
    event_type: Option<&str>,
) -> Option<&'static str> {
    if event_type == Some("AwsConsoleSignIn")
        || flag(rec.get("sessionCredentialFromConsole")) == Some(true)
    {
        Some("console")
    } else if event_type == Some("AwsServiceEvent")
        || identity.is_some_and(|i| {
            text(i.get("type")) == Some("AWSService") || text(i.get("invokedBy")).is_some()
        })
    {
        Some("service")
    } else if event_type == Some("AwsCloudTrailInsight") {
        None
    } else {
        Some("api")
    }
}

fn context(
    rec: &Map<String, Value>,
    identity: Option<&Map<String, Value>>,
    event_source: Option<&str>,
) -> Map<String, Value> {
    let mut context = Map::new();
    put_text(&mut context, "event_source", event_source);
    for (ours, theirs) in [
        ("aws_region", "awsRegion"),
        ("recipient_account_id", "recipientAccountId"),
        ("read_only", "readOnly"),
        ("management_event", "managementEvent"),
        ("event_type", "eventType"),
        ("event_category", "eventCategory"),
        ("event_version", "eventVersion"),
        ("error_code", "errorCode"),
        ("additional_event_data", "additionalEventData"),
        ("service_event_details", "serviceEventDetails"),
        ("insight_details", "insightDetails"),
        ("vpc_endpoint_id", "vpcEndpointId"),
        ("vpc_endpoint_account_id", "vpcEndpointAccountId"),
        (
            "session_credential_from_console",
            "sessionCredentialFromConsole",
        ),
    ] {
        put_json(&mut context, ours, rec.get(theirs));
    }
    put_json(
        &mut context,
        "client_provided_host_header",
        rec.get("tlsDetails")
            .and_then(|t| t.get("clientProvidedHostHeader")),
    );
    put_json(
        &mut context,
        "mfa_authenticated",
        identity
            .and_then(|i| i.get("sessionContext"))
            .and_then(|c| c.get("attributes"))
            .and_then(|a| a.get("mfaAuthenticated")),
    );
    put_text(
        &mut context,
        "invoked_by",
        identity.and_then(|i| text(i.get("invokedBy"))),
    );
    context
}

// ---------------------------------------------------------------------------------
// Small readers

/// A string that says something (not empty, not only blanks).
fn text(value: Option<&Value>) -> Option<&str> {
    value
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// `true`/`false`, or their text (`"true"`, as `sessionCredentialFromConsole` and
/// lookup-events' `ReadOnly` write it).
fn flag(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

fn required_name<'a>(obj: &'a Map<String, Value>, field: &str) -> Result<&'a str, String> {
    match obj.get(field) {
        None | Some(Value::Null) => Err(format!("{field} is missing")),
        Some(Value::String(s)) if s.trim().is_empty() => Err(format!("{field} is empty")),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(format!("{field} is {}, not text", kind_of(other))),
    }
}

/// A time as RFC 3339 UTC with milliseconds: RFC 3339 text, or, when `epoch_seconds`
/// (lookup-events' `EventTime`), a number of seconds since the epoch. A log record's
/// `eventTime` is always text: a number there is not guessed at.
fn time_of(value: Option<&Value>, field: &str, epoch_seconds: bool) -> Result<String, String> {
    let instant: DateTime<Utc> = match value {
        None | Some(Value::Null) => return Err(format!("{field} is missing")),
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| format!("{field} {:?} is not an RFC 3339 time ({e})", shorten(s)))?,
        Some(Value::Number(n)) if epoch_seconds => {
            let seconds = n.as_f64().filter(|s| s.is_finite() && s.abs() < 1e13);
            seconds
                .and_then(|s| {
                    Utc.timestamp_millis_opt((s * 1000.0).round() as i64)
                        .single()
                })
                .ok_or_else(|| format!("{field} {n} is out of range as seconds since 1970"))?
        }
        Some(other) => return Err(format!("{field} is {}, not a time", kind_of(other))),
    };
    Ok(instant.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

fn shorten(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn put_text(map: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
        map.insert(key.to_owned(), Value::String(value.to_owned()));
    }
}

/// A value as it is, unless it is null or blank text.
fn put_json(map: &mut Map<String, Value>, key: &str, value: Option<&Value>) {
    if let Some(value) = value.filter(|v| !is_blank(v)) {
        map.insert(key.to_owned(), value.clone());
    }
}

fn put_object(map: &mut Map<String, Value>, key: &str, object: Map<String, Value>) {
    if !object.is_empty() {
        map.insert(key.to_owned(), Value::Object(object));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const UA_CLI: &str =
        "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.ubuntu.22 prompt/off command/s3.rb";
    const UA_BROWSER: &str =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0";

    /// An IAM user creates another (IAM docs' CreateUser example, eventVersion 1.08).
    fn create_user() -> Value {
        json!({
            "eventVersion": "1.08",
            "userIdentity": {
                "type": "IAMUser",
                "principalId": "AIDACKCEVSQ6C2EXAMPLE",
                "arn": "arn:aws:iam::444455556666:user/JaneDoe",
                "accountId": "444455556666",
                "accessKeyId": "AKIAI44QH8DHBEXAMPLE",
                "userName": "JaneDoe",
                "sessionContext": {
                    "sessionIssuer": {},
                    "webIdFederationData": {},
                    "attributes": {"creationDate": "2026-03-01T09:10:00Z", "mfaAuthenticated": "false"}
                }
            },
            "eventTime": "2026-03-01T09:30:00Z",
            "eventSource": "iam.amazonaws.com",
            "eventName": "CreateUser",
            "awsRegion": "us-east-1",
            "sourceIPAddress": "192.0.2.10",
            "userAgent": UA_CLI,
            "requestParameters": {"userName": "Richard"},
            "responseElements": {
                "user": {
                    "path": "/",
                    "arn": "arn:aws:iam::444455556666:user/Richard",
                    "userId": "AIDA6ON6E4XEGITEXAMPLE",
                    "createDate": "Mar 1, 2026 9:30:00 AM",
                    "userName": "Richard"
                }
            },
            "requestID": "7a6ba1a6-2b4e-4c2b-9b3c-0123456789ab",
            "eventID": "ba0801a1-87ec-4d26-be87-0123456789ab",
            "readOnly": false,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": "444455556666",
            "eventCategory": "Management",
            "tlsDetails": {
                "tlsVersion": "TLSv1.2",
                "cipherSuite": "ECDHE-RSA-AES128-GCM-SHA256",
                "clientProvidedHostHeader": "iam.amazonaws.com"
            }
        })
    }

    /// alice, signed in through IAM Identity Center, tries to delete a bucket.
    fn delete_bucket_denied() -> Value {
        json!({
            "eventVersion": "1.09",
            "userIdentity": {
                "type": "AssumedRole",
                "principalId": "AROA123456789EXAMPLE:alice",
                "arn": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_DataEngineer_0123456789abcdef/alice",
                "accountId": "111122223333",
                "accessKeyId": "ASIAIOSFODNN7EXAMPLE",
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": "AROA123456789EXAMPLE",
                        "arn": "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DataEngineer_0123456789abcdef",
                        "accountId": "111122223333",
                        "userName": "AWSReservedSSO_DataEngineer_0123456789abcdef"
                    },
                    "webIdFederationData": {},
                    "attributes": {"creationDate": "2026-03-01T08:55:12Z", "mfaAuthenticated": "false"}
                }
            },
            "eventTime": "2026-03-01T10:15:42Z",
            "eventSource": "s3.amazonaws.com",
            "eventName": "DeleteBucket",
            "awsRegion": "eu-west-1",
            "sourceIPAddress": "203.0.113.7",
            "userAgent": UA_CLI,
            "errorCode": "AccessDenied",
            "errorMessage": "Access Denied",
            "requestParameters": {"bucketName": "acme-logs", "Host": "acme-logs.s3.eu-west-1.amazonaws.com"},
            "responseElements": null,
            "additionalEventData": {
                "SignatureVersion": "SigV4",
                "CipherSuite": "TLS_AES_128_GCM_SHA256",
                "bytesTransferredIn": 0,
                "AuthenticationMethod": "AuthHeader",
                "bytesTransferredOut": 243
            },
            "requestID": "8ZJ4W4QK6Q2R5T1V",
            "eventID": "3c1f5f8e-9a0b-4c1d-8e2f-0123456789ab",
            "readOnly": false,
            "resources": [
                {"accountId": "111122223333", "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::acme-logs"}
            ],
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": "111122223333",
            "eventCategory": "Management",
            "tlsDetails": {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": "acme-logs.s3.eu-west-1.amazonaws.com"
            }
        })
    }

    /// A console sign-in with a mistyped user name (sign-in events doc).
    fn sign_in_hidden_failure() -> Value {
        json!({
            "eventVersion": "1.05",
            "userIdentity": {
                "type": "IAMUser",
                "accountId": "111122223333",
                "accessKeyId": "",
                "userName": "HIDDEN_DUE_TO_SECURITY_REASONS"
            },
            "eventTime": "2026-03-02T16:24:34Z",
            "eventSource": "signin.amazonaws.com",
            "eventName": "ConsoleLogin",
            "awsRegion": "us-east-1",
            "sourceIPAddress": "192.0.2.100",
            "userAgent": UA_BROWSER,
            "errorMessage": "No username found in supplied account",
            "requestParameters": null,
            "responseElements": {"ConsoleLogin": "Failure"},
            "additionalEventData": {
                "LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
                "MobileVersion": "No",
                "MFAUsed": "No"
            },
            "eventID": "a7654656-0417-45c6-9386-ea8231385051",
            "eventType": "AwsConsoleSignIn",
            "recipientAccountId": "111122223333"
        })
    }

    fn root_sign_in() -> Value {
        json!({
            "eventVersion": "1.08",
            "userIdentity": {
                "type": "Root",
                "principalId": "111122223333",
                "arn": "arn:aws:iam::111122223333:root",
                "accountId": "111122223333",
                "accessKeyId": ""
            },
            "eventTime": "2026-03-02T07:01:03Z",
            "eventSource": "signin.amazonaws.com",
            "eventName": "ConsoleLogin",
            "awsRegion": "us-east-1",
            "sourceIPAddress": "198.51.100.23",
            "userAgent": UA_BROWSER,
            "requestParameters": null,
            "responseElements": {"ConsoleLogin": "Success"},
            "additionalEventData": {
                "LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
                "MobileVersion": "No",
                "MFAIdentifier": "arn:aws:iam::111122223333:mfa/root-account-mfa-device",
                "MFAUsed": "Yes"
            },
            "eventID": "deadbeef-0417-45c6-9386-ea8231385051",
            "readOnly": false,
            "eventType": "AwsConsoleSignIn",
            "managementEvent": true,
            "recipientAccountId": "111122223333",
            "eventCategory": "Management",
            "tlsDetails": {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": "signin.aws.amazon.com"
            }
        })
    }

    /// Lambda assumes a function's execution role.
    fn service_assume_role() -> Value {
        json!({
            "eventVersion": "1.08",
            "userIdentity": {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"},
            "eventTime": "2026-03-01T11:00:00Z",
            "eventSource": "sts.amazonaws.com",
            "eventName": "AssumeRole",
            "awsRegion": "us-east-1",
            "sourceIPAddress": "lambda.amazonaws.com",
            "userAgent": "lambda.amazonaws.com",
            "requestParameters": {
                "roleArn": "arn:aws:iam::111122223333:role/service-role/resize-images-role",
                "roleSessionName": "resize-images"
            },
            "responseElements": {
                "credentials": {
                    "accessKeyId": "ASIAEXAMPLEKEY123456",
                    "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE",
                    "expiration": "Mar 1, 2026, 11:00:00 PM"
                }
            },
            "requestID": "4f0c2b1a-1111-4222-8333-0123456789ab",
            "eventID": "9e8d7c6b-1111-4222-8333-0123456789ab",
            "readOnly": true,
            "resources": [{
                "accountId": "111122223333",
                "type": "AWS::IAM::Role",
                "ARN": "arn:aws:iam::111122223333:role/service-role/resize-images-role"
            }],
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": "111122223333",
            "sharedEventID": "1b2c3d4e-1111-4222-8333-0123456789ab",
            "eventCategory": "Management"
        })
    }

    /// dana, in the Admin role from the console, stops the trail.
    fn stop_logging() -> Value {
        json!({
            "eventVersion": "1.09",
            "userIdentity": {
                "type": "AssumedRole",
                "principalId": "AROAEXAMPLEID:dana",
                "arn": "arn:aws:sts::111122223333:assumed-role/Admin/dana",
                "accountId": "111122223333",
                "accessKeyId": "ASIAEXAMPLEKEY",
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": "AROAEXAMPLEID",
                        "arn": "arn:aws:iam::111122223333:role/Admin",
                        "accountId": "111122223333",
                        "userName": "Admin"
                    },
                    "webIdFederationData": {},
                    "attributes": {"creationDate": "2026-03-03T22:40:00Z", "mfaAuthenticated": "true"}
                }
            },
            "eventTime": "2026-03-03T23:05:09Z",
            "eventSource": "cloudtrail.amazonaws.com",
            "eventName": "StopLogging",
            "awsRegion": "us-east-1",
            "sourceIPAddress": "203.0.113.50",
            "userAgent": "AWS Internal",
            "requestParameters": {"name": "arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events"},
            "responseElements": null,
            "requestID": "0a1b2c3d-1111-4222-8333-0123456789ab",
            "eventID": "5e6f7a8b-1111-4222-8333-0123456789ab",
            "readOnly": false,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": "111122223333",
            "eventCategory": "Management",
            "sessionCredentialFromConsole": "true"
        })
    }

    /// An application server's instance profile reads an object (a data event).
    fn get_object() -> Value {
        json!({
            "eventVersion": "1.09",
            "userIdentity": {
                "type": "AssumedRole",
                "principalId": "AROAEXAMPLE2:i-0a1b2c3d4e5f67890",
                "arn": "arn:aws:sts::111122223333:assumed-role/app-server/i-0a1b2c3d4e5f67890",
                "accountId": "111122223333",
                "accessKeyId": "ASIAEXAMPLEKEY2",
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": "AROAEXAMPLE2",
                        "arn": "arn:aws:iam::111122223333:role/app-server",
                        "accountId": "111122223333",
                        "userName": "app-server"
                    },
                    "attributes": {"creationDate": "2026-03-01T11:40:00Z", "mfaAuthenticated": "false"},
                    "ec2RoleDelivery": "2.0"
                }
            },
            "eventTime": "2026-03-01T12:00:01Z",
            "eventSource": "s3.amazonaws.com",
            "eventName": "GetObject",
            "awsRegion": "eu-west-1",
            "sourceIPAddress": "10.0.12.34",
            "userAgent": "[aws-sdk-java/2.25.10 Linux/6.1 OpenJDK_64-Bit_Server_VM/21.0.2+13-LTS]",
            "requestParameters": {
                "bucketName": "acme-reports",
                "Host": "acme-reports.s3.eu-west-1.amazonaws.com",
                "key": "2026/03/q1-payroll.csv"
            },
            "responseElements": null,
            "additionalEventData": {"SignatureVersion": "SigV4", "bytesTransferredIn": 0, "bytesTransferredOut": 48213},
            "requestID": "QWERTY1234567890",
            "eventID": "77777777-1111-4222-8333-0123456789ab",
            "readOnly": true,
            "resources": [
                {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::acme-reports/2026/03/q1-payroll.csv"},
                {"accountId": "111122223333", "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::acme-reports"}
            ],
            "eventType": "AwsApiCall",
            "managementEvent": false,
            "recipientAccountId": "111122223333",
            "eventCategory": "Data",
            "vpcEndpointId": "vpce-0123456789abcdef0"
        })
    }

    fn run_instances() -> Value {
        json!({
            "eventVersion": "1.08",
            "userIdentity": {
                "type": "IAMUser",
                "principalId": "AIDAEXAMPLEDEPLOY",
                "arn": "arn:aws:iam::111122223333:user/deploy",
                "accountId": "111122223333",
                "accessKeyId": "AKIAEXAMPLEDEPLOY",
                "userName": "deploy"
            },
            "eventTime": "2026-03-04T08:00:00Z",
            "eventSource": "ec2.amazonaws.com",
            "eventName": "RunInstances",
            "awsRegion": "eu-central-1",
            "sourceIPAddress": "198.51.100.77",
            "userAgent": "terraform/1.7.5 aws-sdk-go-v2/1.25.2",
            "requestParameters": {
                "instancesSet": {"items": [{"imageId": "ami-0abcdef1234567890", "minCount": 1, "maxCount": 1}]},
                "instanceType": "t3.micro",
                "blockDeviceMapping": {},
                "monitoring": {"enabled": false},
                "disableApiTermination": false
            },
            "responseElements": {
                "requestId": "e1f2a3b4-1111-4222-8333-0123456789ab",
                "reservationId": "r-0123456789abcdef0",
                "ownerId": "111122223333",
                "groupSet": {},
                "instancesSet": {"items": [{
                    "instanceId": "i-0fedcba9876543210",
                    "imageId": "ami-0abcdef1234567890",
                    "instanceState": {"code": 0, "name": "pending"},
                    "privateIpAddress": "10.0.1.25",
                    "instanceType": "t3.micro"
                }]}
            },
            "requestID": "e1f2a3b4-1111-4222-8333-0123456789ab",
            "eventID": "88888888-1111-4222-8333-0123456789ab",
            "readOnly": false,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": "111122223333",
            "eventCategory": "Management"
        })
    }

    fn normal(record: &Value) -> Value {
        normalize(record).expect("normalizes")
    }

    #[test]
    fn an_iam_user_creating_a_user() {
        let record = create_user();
        assert_eq!(
            normal(&record),
            json!({
                "id": "ba0801a1-87ec-4d26-be87-0123456789ab",
                "ts": "2026-03-01T09:30:00.000Z",
                "action": "iam.CreateUser",
                "category": "permission",
                "actor": {
                    "id": "arn:aws:iam::444455556666:user/JaneDoe",
                    "type": "user",
                    "name": "JaneDoe",
                    "aws_type": "IAMUser",
                    "account_id": "444455556666"
                },
                "target": {"type": "IAM user", "id": "Richard", "name": "Richard"},
                "outcome": "success",
                "source": {
                    "ip": "192.0.2.10",
                    "user_agent": UA_CLI,
                    "channel": "api",
                    "request_id": "7a6ba1a6-2b4e-4c2b-9b3c-0123456789ab",
                    "client_id": "AKIAI44QH8DHBEXAMPLE"
                },
                "requested": {"userName": "Richard"},
                "result": record["responseElements"],
                "context": {
                    "event_source": "iam.amazonaws.com",
                    "aws_region": "us-east-1",
                    "recipient_account_id": "444455556666",
                    "read_only": false,
                    "management_event": true,
                    "event_type": "AwsApiCall",
                    "event_category": "Management",
                    "event_version": "1.08",
                    "client_provided_host_header": "iam.amazonaws.com",
                    "mfa_authenticated": "false"
                }
            })
        );
    }

    #[test]
    fn an_sso_session_refused_a_bucket_deletion() {
        let record = delete_bucket_denied();
        assert_eq!(
            normal(&record),
            json!({
                "id": "3c1f5f8e-9a0b-4c1d-8e2f-0123456789ab",
                "ts": "2026-03-01T10:15:42.000Z",
                "action": "s3.DeleteBucket",
                "category": "record",
                "actor": {
                    "id": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_DataEngineer_0123456789abcdef/alice",
                    "type": "user",
                    "name": "alice",
                    "aws_type": "AssumedRole",
                    "role": "AWSReservedSSO_DataEngineer_0123456789abcdef",
                    "role_arn": "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DataEngineer_0123456789abcdef",
                    "account_id": "111122223333"
                },
                "target": {"type": "S3 bucket", "id": "arn:aws:s3:::acme-logs", "name": "acme-logs"},
                "outcome": "denied",
                "reason": "AccessDenied: Access Denied",
                "source": {
                    "ip": "203.0.113.7",
                    "user_agent": UA_CLI,
                    "channel": "api",
                    "request_id": "8ZJ4W4QK6Q2R5T1V",
                    "client_id": "ASIAIOSFODNN7EXAMPLE"
                },
                "requested": {"bucketName": "acme-logs", "Host": "acme-logs.s3.eu-west-1.amazonaws.com"},
                "context": {
                    "event_source": "s3.amazonaws.com",
                    "aws_region": "eu-west-1",
                    "recipient_account_id": "111122223333",
                    "read_only": false,
                    "management_event": true,
                    "event_type": "AwsApiCall",
                    "event_category": "Management",
                    "event_version": "1.09",
                    "error_code": "AccessDenied",
                    "additional_event_data": record["additionalEventData"],
                    "client_provided_host_header": "acme-logs.s3.eu-west-1.amazonaws.com",
                    "mfa_authenticated": "false"
                }
            })
        );
    }

    #[test]
    fn a_sign_in_with_a_hidden_user_name_fails_without_colliding() {
        let record = sign_in_hidden_failure();
        assert_eq!(
            normal(&record),
            json!({
                "id": "a7654656-0417-45c6-9386-ea8231385051",
                "ts": "2026-03-02T16:24:34.000Z",
                "action": "signin.ConsoleLogin",
                "category": "auth",
                "actor": {
                    "id": "111122223333/HIDDEN_DUE_TO_SECURITY_REASONS",
                    "type": "user",
                    "name": "HIDDEN_DUE_TO_SECURITY_REASONS",
                    "aws_type": "IAMUser",
                    "account_id": "111122223333"
                },
                "outcome": "failure",
                "reason": "No username found in supplied account",
                "source": {"ip": "192.0.2.100", "user_agent": UA_BROWSER, "channel": "console"},
                "result": {"ConsoleLogin": "Failure"},
                "context": {
                    "event_source": "signin.amazonaws.com",
                    "aws_region": "us-east-1",
                    "recipient_account_id": "111122223333",
                    "event_type": "AwsConsoleSignIn",
                    "event_version": "1.05",
                    "additional_event_data": record["additionalEventData"]
                }
            })
        );
        // Neither the account's own id nor an IAM user that really has that name.
        let id = normal(&record)["actor"]["id"].clone();
        assert_ne!(id, json!("111122223333"));
        assert_ne!(id, json!("HIDDEN_DUE_TO_SECURITY_REASONS"));
        let mut no_account = record.clone();
        no_account["userIdentity"]
            .as_object_mut()
            .unwrap()
            .remove("accountId");
        assert_eq!(
            normal(&no_account)["actor"]["id"],
            json!("HIDDEN_DUE_TO_SECURITY_REASONS")
        );
    }

    #[test]
    fn the_root_user_signs_in() {
        let mut record = root_sign_in();
        let event = normal(&record);
        assert_eq!(event["category"], "auth");
        assert_eq!(event["outcome"], "success");
        assert!(event.get("reason").is_none());
        assert_eq!(
            event["actor"],
            json!({
                "id": "arn:aws:iam::111122223333:root",
                "type": "user",
                "name": "root account",
                "aws_type": "Root",
                "account_id": "111122223333"
            })
        );
        assert_eq!(event["source"]["channel"], "console");
        assert!(
            event["source"].get("client_id").is_none(),
            "empty key id left out"
        );
        assert!(
            event.get("requested").is_none(),
            "null requestParameters left out"
        );
        assert_eq!(event["context"]["additional_event_data"]["MFAUsed"], "Yes");
        // With an account alias, the root user's userName is the alias.
        record["userIdentity"]["userName"] = json!("acme-prod");
        let event = normal(&record);
        assert_eq!(event["actor"]["name"], "root account");
        assert_eq!(event["actor"]["account_alias"], "acme-prod");
    }

    #[test]
    fn a_service_acting_is_the_system() {
        let event = normal(&service_assume_role());
        assert_eq!(event["action"], "sts.AssumeRole");
        assert_eq!(event["category"], "auth");
        assert_eq!(
            event["actor"],
            json!({
                "id": "lambda.amazonaws.com",
                "type": "system",
                "name": "lambda.amazonaws.com",
                "aws_type": "AWSService"
            })
        );
        assert!(event.get("on_behalf_of").is_none());
        assert_eq!(event["source"]["channel"], "service");
        assert_eq!(event["source"]["ip"], "lambda.amazonaws.com");
        assert_eq!(
            event["source"]["batch_id"],
            "1b2c3d4e-1111-4222-8333-0123456789ab"
        );
        assert_eq!(event["context"]["invoked_by"], "lambda.amazonaws.com");
        assert_eq!(
            event["target"],
            json!({
                "type": "IAM role",
                "id": "arn:aws:iam::111122223333:role/service-role/resize-images-role",
                "name": "resize-images-role"
            })
        );
        assert!(event["result"]["credentials"].is_object());
    }

    #[test]
    fn stopping_the_trail_is_admin() {
        let event = normal(&stop_logging());
        assert_eq!(event["action"], "cloudtrail.StopLogging");
        assert_eq!(event["category"], "admin");
        assert_eq!(event["outcome"], "success");
        assert_eq!(event["actor"]["name"], "dana");
        assert_eq!(event["actor"]["role"], "Admin");
        assert_eq!(
            event["actor"]["role_arn"],
            "arn:aws:iam::111122223333:role/Admin"
        );
        assert_eq!(
            event["actor"]["type"], "user",
            "console credentials: a person"
        );
        assert_eq!(event["source"]["channel"], "console");
        assert_eq!(event["context"]["mfa_authenticated"], "true");
        assert_eq!(
            event["target"],
            json!({
                "type": "CloudTrail trail",
                "id": "arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events",
                "name": "management-events"
            })
        );
        assert!(event.get("result").is_none());
        assert!(event.get("before").is_none() && event.get("after").is_none());
    }

    #[test]
    fn a_data_read_is_access() {
        let event = normal(&get_object());
        assert_eq!(event["action"], "s3.GetObject");
        assert_eq!(event["category"], "access");
        assert_eq!(event["actor"]["type"], "api_client");
        assert_eq!(event["actor"]["name"], "i-0a1b2c3d4e5f67890");
        assert_eq!(event["actor"]["role"], "app-server");
        assert_eq!(
            event["target"],
            json!({
                "type": "S3 object",
                "id": "arn:aws:s3:::acme-reports/2026/03/q1-payroll.csv",
                "name": "q1-payroll.csv"
            })
        );
        assert_eq!(
            event["context"]["vpc_endpoint_id"],
            "vpce-0123456789abcdef0"
        );
        assert_eq!(event["context"]["management_event"], false);
        assert_eq!(event["context"]["event_category"], "Data");
        assert_eq!(event["requested"]["key"], "2026/03/q1-payroll.csv");
        assert!(event.get("result").is_none());
    }

    #[test]
    fn run_instances_names_the_instance_it_started() {
        let record = run_instances();
        let event = normal(&record);
        assert_eq!(event["action"], "ec2.RunInstances");
        assert_eq!(event["category"], "record");
        assert_eq!(
            event["target"],
            json!({"type": "EC2 instance", "id": "i-0fedcba9876543210", "name": "i-0fedcba9876543210"})
        );
        assert_eq!(event["requested"], record["requestParameters"]);
        assert_eq!(event["result"], record["responseElements"]);
        assert!(event.get("after").is_none(), "a response is not a state");
        // Several instances: no single target.
        let mut two = record.clone();
        let item = two["responseElements"]["instancesSet"]["items"][0].clone();
        two["responseElements"]["instancesSet"]["items"] = json!([item.clone(), item]);
        assert!(normal(&two).get("target").is_none());
    }

    #[test]
    fn a_lookup_event_is_its_cloudtrail_event() {
        let record = create_user();
        let item = json!({
            "EventId": "ba0801a1-87ec-4d26-be87-0123456789ab",
            "EventName": "CreateUser",
            "ReadOnly": "false",
            "AccessKeyId": "AKIAI44QH8DHBEXAMPLE",
            "EventTime": "2026-03-01T09:30:00+00:00",
            "EventSource": "iam.amazonaws.com",
            "Username": "JaneDoe",
            "Resources": [{"ResourceType": "AWS::IAM::User", "ResourceName": "Richard"}],
            "CloudTrailEvent": serde_json::to_string(&record).unwrap()
        });
        assert_eq!(normalize_lookup_event(&item).unwrap(), normal(&record));
        // Already parsed (e.g. by `jq fromjson`): the same.
        let mut parsed = item.clone();
        parsed["CloudTrailEvent"] = record.clone();
        assert_eq!(normalize_lookup_event(&parsed).unwrap(), normal(&record));
    }

    #[test]
    fn a_lookup_event_without_its_record_keeps_the_summary() {
        let item = json!({
            "EventId": "5e6f7a8b-1111-4222-8333-0123456789ab",
            "EventName": "DeleteTrail",
            "ReadOnly": "false",
            "AccessKeyId": "ASIAEXAMPLEKEY",
            "EventTime": 1_772_357_400.0,
            "EventSource": "cloudtrail.amazonaws.com",
            "Username": "dana",
            "Resources": [{
                "ResourceType": "AWS::CloudTrail::Trail",
                "ResourceName": "arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events"
            }]
        });
        assert_eq!(
            normalize_lookup_event(&item).unwrap(),
            json!({
                "id": "5e6f7a8b-1111-4222-8333-0123456789ab",
                "ts": "2026-03-01T09:30:00.000Z",
                "action": "cloudtrail.DeleteTrail",
                "category": "admin",
                "actor": {"id": "dana", "name": "dana"},
                "target": {
                    "type": "CloudTrail trail",
                    "id": "arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events",
                    "name": "management-events"
                },
                "source": {"client_id": "ASIAEXAMPLEKEY"},
                "context": {
                    "event_source": "cloudtrail.amazonaws.com",
                    "read_only": "false",
                    "cloudtrail_event": "missing"
                }
            })
        );
        // An ISO time reads the same; unreadable record text falls back and says why.
        let mut iso = item.clone();
        iso["EventTime"] = json!("2026-03-01T09:30:00+00:00");
        iso["CloudTrailEvent"] = json!("{\"eventVersion\": \"1.08\", ");
        let event = normalize_lookup_event(&iso).unwrap();
        assert_eq!(event["ts"], "2026-03-01T09:30:00.000Z");
        assert!(
            event["context"]["cloudtrail_event"]
                .as_str()
                .unwrap()
                .starts_with("unreadable: not JSON")
        );
        // A record without eventTime: the summary, and the reason names the field.
        let mut partial = item.clone();
        partial["CloudTrailEvent"] = json!(r#"{"eventName": "DeleteTrail"}"#);
        let event = normalize_lookup_event(&partial).unwrap();
        assert_eq!(
            event["context"]["cloudtrail_event"],
            "unreadable: eventTime is missing"
        );
        // Nothing to go on: an error naming the field.
        let mut bare = item.clone();
        bare.as_object_mut().unwrap().remove("EventTime");
        assert_eq!(
            normalize_lookup_event(&bare).unwrap_err(),
            "EventTime is missing"
        );
    }

    #[test]
    fn a_record_without_time_or_name_is_an_error_naming_the_field() {
        let mut record = create_user();
        record.as_object_mut().unwrap().remove("eventTime");
        assert_eq!(normalize(&record).unwrap_err(), "eventTime is missing");
        record["eventTime"] = json!("yesterday");
        assert!(
            normalize(&record)
                .unwrap_err()
                .starts_with("eventTime \"yesterday\"")
        );
        record["eventTime"] = json!(1_772_357_400);
        assert_eq!(
            normalize(&record).unwrap_err(),
            "eventTime is a number, not a time"
        );
        let mut record = create_user();
        record["eventName"] = json!("");
        assert_eq!(normalize(&record).unwrap_err(), "eventName is empty");
        record["eventName"] = json!(["CreateUser"]);
        assert_eq!(
            normalize(&record).unwrap_err(),
            "eventName is an array, not text"
        );
        assert!(normalize(&json!([])).unwrap_err().contains("JSON object"));
    }

    #[test]
    fn error_codes_deny_or_fail() {
        for code in [
            "AccessDenied",
            "AccessDeniedException",
            "UnauthorizedOperation",
            "Client.UnauthorizedOperation",
            "UnauthorizedAccess",
            "Forbidden",
            "AuthorizationError",
            "AuthorizationErrorException",
            "AllAccessDisabled",
        ] {
            assert!(is_denied(code), "{code}");
            let mut record = delete_bucket_denied();
            record["errorCode"] = json!(code);
            assert_eq!(normal(&record)["outcome"], "denied", "{code}");
        }
        for code in [
            "InvalidClientTokenId",
            "SignatureDoesNotMatch",
            "ExpiredToken",
            "Client.AuthFailure",
            "NoSuchBucket",
            "BucketNotEmpty",
            "ThrottlingException",
        ] {
            assert!(!is_denied(code), "{code}");
            let mut record = delete_bucket_denied();
            record["errorCode"] = json!(code);
            assert_eq!(normal(&record)["outcome"], "failure", "{code}");
        }
        let mut record = delete_bucket_denied();
        record["errorCode"] = json!(403);
        record.as_object_mut().unwrap().remove("errorMessage");
        assert_eq!(normal(&record)["outcome"], "failure");
        assert_eq!(normal(&record)["reason"], "403");
    }

    #[test]
    fn categories() {
        let c = |service: &str, name: &str, read_only: Option<bool>| {
            category(
                Some(service),
                name,
                Some("AwsApiCall"),
                Some("Management"),
                read_only,
            )
        };
        assert_eq!(c("iam", "AttachRolePolicy", Some(false)), "permission");
        assert_eq!(c("iam", "ListUsers", Some(true)), "access");
        assert_eq!(c("iam", "GetUser", None), "access");
        assert_eq!(
            c("sso", "CreateAccountAssignment", Some(false)),
            "permission"
        );
        assert_eq!(c("sts", "AssumeRoleWithSAML", Some(true)), "auth");
        assert_eq!(c("sts", "GetCallerIdentity", Some(true)), "access");
        assert_eq!(c("cloudtrail", "DeleteTrail", Some(false)), "admin");
        assert_eq!(c("cloudtrail", "UpdateTrail", Some(false)), "admin");
        assert_eq!(c("cloudtrail", "DescribeTrails", Some(true)), "access");
        assert_eq!(
            c("config", "StopConfigurationRecorder", Some(false)),
            "admin"
        );
        assert_eq!(c("guardduty", "DeleteDetector", Some(false)), "admin");
        assert_eq!(c("s3", "PutBucketPolicy", Some(false)), "permission");
        assert_eq!(
            c("lambda", "AddPermission20150331v2", Some(false)),
            "permission"
        );
        assert_eq!(
            c("lambda", "UpdateFunctionCode20150331v2", Some(false)),
            "record"
        );
        assert_eq!(
            c("ec2", "AuthorizeSecurityGroupIngress", Some(false)),
            "permission"
        );
        assert_eq!(c("ec2", "TerminateInstances", Some(false)), "record");
        assert_eq!(
            category(
                Some("kms"),
                "RotateKey",
                Some("AwsServiceEvent"),
                None,
                None
            ),
            "system"
        );
        assert_eq!(
            category(
                Some("signin"),
                "CheckMfa",
                Some("AwsConsoleSignIn"),
                None,
                None
            ),
            "auth"
        );
        assert_eq!(without_api_version("GetFunction20150331"), "GetFunction");
        assert_eq!(without_api_version("Ec2v2"), "Ec2v2");
        assert_eq!(without_api_version("12345678"), "12345678");
    }

    #[test]
    fn readable_types_and_names() {
        assert_eq!(readable_type("AWS::S3::Bucket"), "S3 bucket");
        assert_eq!(readable_type("AWS::IAM::AccessKey"), "IAM access key");
        assert_eq!(readable_type("AWS::RDS::DBInstance"), "RDS DB instance");
        assert_eq!(readable_type("AWS::EC2::VPC"), "EC2 VPC");
        assert_eq!(readable_type("AWS::EC2::VPCEndpoint"), "EC2 VPC endpoint");
        assert_eq!(readable_type("AWS::DynamoDB::Table"), "DynamoDB table");
        assert_eq!(readable_type("Custom thing"), "Custom thing");
        assert_eq!(last_segment("arn:aws:iam::1:user/ops/alice"), "alice");
        assert_eq!(
            last_segment("arn:aws:lambda:eu-west-1:1:function:resize"),
            "resize"
        );
        assert_eq!(last_segment("arn:aws:s3:::acme-logs"), "acme-logs");
        assert_eq!(last_segment("acme-logs"), "acme-logs");
        assert_eq!(last_segment("arn:"), "arn:");
    }

    #[test]
    fn identity_center_and_source_identity_are_whom_the_actor_acted_for() {
        // A session carrying the person who started it.
        let mut record = get_object();
        record["userIdentity"]["sessionContext"]["sourceIdentity"] = json!("carol");
        assert_eq!(
            normal(&record)["on_behalf_of"],
            json!({"id": "carol", "name": "carol"})
        );
        // Trusted identity propagation: the role session acts for an Identity Center user.
        record["userIdentity"]["onBehalfOf"] = json!({
            "userId": "544894e8-80c1-707f-60e3-3ba6510dfac1",
            "identityStoreArn": "arn:aws:identitystore::111122223333:identitystore/d-1234567890"
        });
        assert_eq!(
            normal(&record)["on_behalf_of"],
            json!({
                "id": "544894e8-80c1-707f-60e3-3ba6510dfac1",
                "type": "user",
                "identity_store_arn": "arn:aws:identitystore::111122223333:identitystore/d-1234567890"
            })
        );
        // An Identity Center user is the actor, not the account.
        let mut record = create_user();
        record["userIdentity"] = json!({
            "type": "IdentityCenterUser",
            "accountId": "111122223333",
            "onBehalfOf": {
                "userId": "544894e8-80c1-707f-60e3-3ba6510dfac1",
                "identityStoreArn": "arn:aws:identitystore::111122223333:identitystore/d-1234567890"
            },
            "credentialId": "EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE"
        });
        let event = normal(&record);
        assert_eq!(event["actor"]["id"], "544894e8-80c1-707f-60e3-3ba6510dfac1");
        assert_eq!(event["actor"]["type"], "user");
        assert!(event.get("on_behalf_of").is_none(), "not acting for itself");
    }

    #[test]
    fn unknown_identity_types_keep_their_name_only() {
        let mut record = create_user();
        record["userIdentity"]["type"] = json!("Directory");
        let event = normal(&record);
        assert!(event["actor"].get("type").is_none());
        assert_eq!(event["actor"]["aws_type"], "Directory");
        let mut record = delete_bucket_denied();
        record["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] = json!(
            "arn:aws:iam::111122223333:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
        );
        record["userIdentity"]["arn"] = json!(
            "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForConfig/AWSConfig-Describe"
        );
        assert_eq!(normal(&record)["actor"]["type"], "system");
    }

    /// Every value in a record replaced, one at a time, by values of every other type:
    /// never a panic, and `Err` only for the fields an event needs.
    #[test]
    fn type_swapped_records_never_panic() {
        fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
            match value {
                Value::Object(map) => {
                    for (k, v) in map {
                        let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                        out.push(p.clone());
                        pointers(v, p, out);
                    }
                }
                Value::Array(items) => {
                    for (i, v) in items.iter().enumerate() {
                        let p = format!("{at}/{i}");
                        out.push(p.clone());
                        pointers(v, p, out);
                    }
                }
                _ => {}
            }
        }
        let swaps = [
            json!(null),
            json!(true),
            json!(0),
            json!(-1.5e300),
            json!(u64::MAX),
            json!(""),
            json!("  "),
            json!("arn:"),
            json!("arn:aws:sts::1:assumed-role/"),
            json!("é/ü:ß"),
            json!([]),
            json!([1, "a", null]),
            json!({}),
            json!({"items": [{"instanceId": 5}]}),
        ];
        let records = [
            create_user(),
            delete_bucket_denied(),
            sign_in_hidden_failure(),
            root_sign_in(),
            service_assume_role(),
            stop_logging(),
            get_object(),
            run_instances(),
        ];
        let mut tried = 0;
        for record in &records {
            let mut paths = Vec::new();
            pointers(record, String::new(), &mut paths);
            for path in &paths {
                for swap in &swaps {
                    let mut bent = record.clone();
                    *bent.pointer_mut(path).unwrap() = swap.clone();
                    let needed = path == "/eventTime" || path == "/eventName";
                    match normalize(&bent) {
                        Ok(event) => {
                            assert!(event["ts"].is_string() && event["action"].is_string());
                        }
                        Err(e) => assert!(needed, "{path} = {swap}: {e}"),
                    }
                    let item = json!({
                        "EventName": "X",
                        "EventTime": swap,
                        "Resources": [{"ResourceType": swap, "ResourceName": swap}],
                        "ReadOnly": swap,
                        "CloudTrailEvent": serde_json::to_string(&bent).unwrap(),
                    });
                    let _ = normalize_lookup_event(&item);
                    tried += 1;
                }
            }
            for swap in &swaps {
                assert!(normalize(swap).is_err());
                let _ = normalize_lookup_event(swap);
                let _ = normalize_lookup_event(
                    &json!({"CloudTrailEvent": swap, "EventName": swap, "EventTime": swap}),
                );
            }
        }
        assert!(tried > 1000, "{tried}");
    }
}
