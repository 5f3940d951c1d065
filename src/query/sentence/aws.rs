//! AWS API calls in plain words: "alice (IAM user) tried to delete S3 bucket acme-logs
//! from 203.0.113.7 — refused: AccessDenied".
//!
//! **Which events.** An event is worded here when its `context.event_source` is an
//! AWS service endpoint (`….amazonaws.com`, or `….amazonaws.com.cn`). Every CloudTrail
//! record and lookup-events item that names its source carries it
//! (`source::cloudtrail::record` copies `eventSource` there), our own events do not
//! (their context names no AWS endpoint), and a mapped file that keeps the endpoint is
//! worded the same way. `actor.aws_type` is not the rule: Insights events and
//! lookup-events summaries have none.
//!
//! **Data, not branches.** The action is `<service>.<EventName>`. The name is split
//! into its words (`PutBucketPolicy` → Put · bucket policy); the first is looked up in
//! [`VERBS`] (past tense, infinitive, and how an object that is not the target joins
//! it), the rest is the object, and the target (`type` + `name`) says what it was done
//! to:
//!
//! * the object names the target's kind: "deleted S3 bucket acme-logs";
//! * the object is a part of the target: "changed the policy of S3 bucket acme-reports";
//! * any other object joins the target by the verb's word: "created an access key for
//!   IAM user eve", "generated a data key with KMS key …";
//! * no target: the service and the object, "looked up EC2 instances".
//!
//! [`EXCEPTIONS`] word the calls whose words say too little ("ConsoleLogin", "GetObject",
//! "StopLogging", "AttachUserPolicy", …) from a small template over the event; an
//! exception whose template needs a value the event lacks gives way to the general
//! rule. A verb no table knows reads "ran FrobnicateWidget on EC2". Services are named
//! by [`SERVICES`] (`s3` → S3, `signin` → AWS console), else as they are.
//!
//! The actor is named with what kind of principal it is ("alice (IAM user)", "carol
//! (signed in through IAM Identity Center as AdministratorAccess)", "root account",
//! "Lambda (AWS service)"); the caller's address follows the deed when it is an IP
//! address ("from 203.0.113.7"); a refused or failed call says so with its error code
//! ("— refused: AccessDenied", "— failed: NoSuchKey"), and as what was *tried*
//! ("tried to delete …"), never in a past tense that could read as done.

use std::net::IpAddr;

use serde_json::Value;

use super::*;
use crate::source::cloudtrail::record::HIDDEN_USER_NAME;

/// The sentence of an AWS API call, or `None` when the event is not one (see the
/// module's rule) and the general wording applies.
pub(super) fn aws_sentence(event: &Value) -> Option<String> {
    let endpoint = event.pointer("/context/event_source")?.as_str()?;
    let service = service_of(endpoint)?;
    let action = event.get("action")?.as_str()?;
    let name = match action.split_once('.') {
        Some((_, name)) => name,
        None => action,
    };
    let name = without_api_version(name.trim());
    if name.is_empty() {
        return None;
    }
    let call = Call {
        event,
        service,
        name,
    };
    if event.pointer("/context/event_type").and_then(Value::as_str) == Some("AwsCloudTrailInsight")
    {
        return Some(insight(event, &call));
    }
    let who = who(event);
    let deed = call.deed();
    let from = event
        .pointer("/source/ip")
        .and_then(Value::as_str)
        .and_then(|ip| ip.trim().parse::<IpAddr>().ok())
        .map(|ip| format!(" from {ip}"))
        .unwrap_or_default();
    let why = || {
        let code = text_at(event, "/context/error_code").or_else(|| text(event, "reason"));
        code.map(|c| format!(": {c}")).unwrap_or_default()
    };
    Some(match event.get("outcome").and_then(Value::as_str) {
        Some("success") => format!("{who} {}{from}", deed.past),
        Some("denied") => format!("{who} tried to {}{from} — refused{}", deed.base, why()),
        Some("failure") => format!("{who} tried to {}{from} — failed{}", deed.base, why()),
        Some(other) => format!(
            "{who} {}{from} (outcome: {})",
            deed.past,
            shorten(other, TEXT_CHARS)
        ),
        None => format!("{who} {}{from} (outcome not recorded)", deed.past),
    })
}

/// An Insights event is no call: CloudTrail saw a call's rate (or its errors' rate)
/// leave its usual range, or come back.
fn insight(event: &Value, call: &Call<'_>) -> String {
    let details = event.pointer("/context/insight_details");
    let detail = |key: &str| details.and_then(|d| d.get(key)).and_then(Value::as_str);
    let rate = match detail("insightType") {
        Some("ApiErrorRateInsight") => "error rate",
        _ => "call rate",
    };
    let state = match detail("state") {
        Some("Start") => "began",
        Some("End") => "ended",
        _ => "was seen",
    };
    format!(
        "CloudTrail Insights: an unusual {rate} of {} on {} {state}",
        shorten(call.name, TEXT_CHARS),
        call.service_name()
    )
}

// ---------------------------------------------------------------------------------
// Tables

/// How a verb joins an object that is not its target.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Join {
    /// "changed the event selectors of CloudTrail trail t"
    Of,
    /// "created an access key for IAM user eve"
    For,
    /// "added a permission to Lambda function f"
    To,
    /// "removed a permission from Lambda function f"
    From,
    /// "generated a data key with KMS key k"
    With,
}

/// A verb: its word in an API name, past tense, infinitive, how it joins an object
/// that is not its target, and the object it takes when the name has none
/// (`Decrypt` → "decrypted data with KMS key …").
struct Verb {
    word: &'static str,
    past: &'static str,
    base: &'static str,
    join: Join,
    bare: Option<&'static str>,
}

const fn verb(word: &'static str, past: &'static str, base: &'static str, join: Join) -> Verb {
    Verb {
        word,
        past,
        base,
        join,
        bare: None,
    }
}

const fn verb_on(
    word: &'static str,
    past: &'static str,
    base: &'static str,
    join: Join,
    bare: &'static str,
) -> Verb {
    Verb {
        word,
        past,
        base,
        join,
        bare: Some(bare),
    }
}

/// The first word of an API name. Reads are "read", "looked up" or "listed"; every
/// kind of write says what it did.
const VERBS: &[Verb] = &[
    verb("Create", "created", "create", Join::For),
    verb("Delete", "deleted", "delete", Join::Of),
    verb("Put", "changed", "change", Join::Of),
    verb("Update", "changed", "change", Join::Of),
    verb("Modify", "changed", "change", Join::Of),
    verb("Change", "changed", "change", Join::Of),
    verb("Set", "set", "set", Join::Of),
    verb("Replace", "replaced", "replace", Join::Of),
    verb("Reset", "reset", "reset", Join::Of),
    verb("Attach", "attached", "attach", Join::To),
    verb("Detach", "detached", "detach", Join::From),
    verb("Associate", "associated", "associate", Join::With),
    verb("Disassociate", "disassociated", "disassociate", Join::From),
    verb("Add", "added", "add", Join::To),
    verb("Remove", "removed", "remove", Join::From),
    verb("Get", "read", "read", Join::Of),
    verb("Describe", "looked up", "look up", Join::Of),
    verb("Head", "looked up", "look up", Join::Of),
    verb("Lookup", "looked up", "look up", Join::Of),
    verb("List", "listed", "list", Join::Of),
    verb("Search", "searched", "search", Join::Of),
    verb("Start", "started", "start", Join::For),
    verb("Stop", "stopped", "stop", Join::For),
    verb("Run", "launched", "launch", Join::For),
    verb("Terminate", "terminated", "terminate", Join::Of),
    verb("Reboot", "rebooted", "reboot", Join::Of),
    verb("Authorize", "allowed", "allow", Join::To),
    verb("Revoke", "revoked", "revoke", Join::From),
    verb("Enable", "enabled", "enable", Join::For),
    verb("Disable", "disabled", "disable", Join::For),
    verb("Activate", "activated", "activate", Join::For),
    verb("Deactivate", "deactivated", "deactivate", Join::Of),
    verb("Tag", "tagged", "tag", Join::Of),
    verb("Untag", "untagged", "untag", Join::Of),
    verb("Assume", "assumed", "assume", Join::Of),
    verb_on("Decrypt", "decrypted", "decrypt", Join::With, "data"),
    verb_on("Encrypt", "encrypted", "encrypt", Join::With, "data"),
    verb_on("Sign", "signed", "sign", Join::With, "data"),
    verb_on("Verify", "verified", "verify", Join::With, "a signature"),
    verb("Generate", "generated", "generate", Join::With),
    verb("Schedule", "scheduled", "schedule", Join::For),
    verb("Cancel", "cancelled", "cancel", Join::Of),
    verb("Invoke", "invoked", "invoke", Join::Of),
    verb_on("Publish", "published", "publish", Join::To, "a message"),
    verb_on("Receive", "received", "receive", Join::From, "messages"),
    verb("Send", "sent", "send", Join::To),
    verb("Upload", "uploaded", "upload", Join::To),
    verb("Download", "downloaded", "download", Join::From),
    verb("Copy", "copied", "copy", Join::Of),
    verb("Restore", "restored", "restore", Join::Of),
    verb("Rotate", "rotated", "rotate", Join::Of),
    verb("Import", "imported", "import", Join::To),
    verb("Export", "exported", "export", Join::From),
    verb("Register", "registered", "register", Join::With),
    verb("Deregister", "deregistered", "deregister", Join::From),
    verb("Allocate", "allocated", "allocate", Join::For),
    verb("Release", "released", "release", Join::Of),
    verb("Accept", "accepted", "accept", Join::For),
    verb("Reject", "rejected", "reject", Join::For),
];

/// A call worded by template: `{target}` (its kind and name), `{target_name}`,
/// `{requested:/pointer}` and `{result:/pointer}` (a value of the request or the
/// response; an ARN shows its name), `{rules}` (a security group's rules, from the
/// request); `[…]` is left out when a value inside it is missing. A missing value
/// outside brackets hands the call to the general rule.
struct Exception {
    service: &'static str,
    name: &'static str,
    past: &'static str,
    base: &'static str,
    rest: &'static str,
}

const fn exception(
    service: &'static str,
    name: &'static str,
    past: &'static str,
    base: &'static str,
    rest: &'static str,
) -> Exception {
    Exception {
        service,
        name,
        past,
        base,
        rest,
    }
}

#[rustfmt::skip]
const EXCEPTIONS: &[Exception] = &[
    exception("signin", "ConsoleLogin", "signed in", "sign in", " to the AWS console"),
    exception("signin", "CheckMfa", "passed", "pass", " the AWS console's MFA check"),
    exception("signin", "SwitchRole", "switched", "switch", " roles in the AWS console[ to {target}]"),
    exception("signin", "ExitRole", "left", "leave", " a role in the AWS console"),
    exception("signin", "RenewRole", "renewed", "renew", " a role session in the AWS console"),
    exception("sts", "GetCallerIdentity", "checked", "check", " which AWS identity they are using"),
    exception("sts", "GetSessionToken", "got", "get", " temporary credentials"),
    exception("sts", "GetFederationToken", "got", "get", " temporary credentials for a federated user[ named {requested:/name}]"),
    exception("sts", "AssumeRoleWithSAML", "assumed", "assume", " {target} through a SAML sign-in"),
    exception("sts", "AssumeRoleWithWebIdentity", "assumed", "assume", " {target} through a web identity sign-in"),
    exception("cloudtrail", "StopLogging", "stopped", "stop", " CloudTrail logging[ for trail {target_name}]"),
    exception("cloudtrail", "StartLogging", "started", "start", " CloudTrail logging[ for trail {target_name}]"),
    exception("cloudtrail", "PutEventSelectors", "changed", "change", " which events {target} records (event selectors)"),
    exception("s3", "GetObject", "read", "read", " object {requested:/key} in S3 bucket {requested:/bucketName}"),
    exception("s3", "HeadObject", "looked up", "look up", " object {requested:/key} in S3 bucket {requested:/bucketName}"),
    exception("s3", "PutObject", "uploaded", "upload", " object {requested:/key} to S3 bucket {requested:/bucketName}"),
    exception("s3", "CopyObject", "copied", "copy", " object {requested:/key} into S3 bucket {requested:/bucketName}"),
    exception("s3", "DeleteObject", "deleted", "delete", " object {requested:/key} in S3 bucket {requested:/bucketName}"),
    exception("s3", "DeleteObjects", "deleted", "delete", " objects in S3 bucket {requested:/bucketName}"),
    exception("ec2", "AuthorizeSecurityGroupIngress", "opened", "open", " {target}[ to {rules}]"),
    exception("ec2", "AuthorizeSecurityGroupEgress", "opened", "open", " {target} for outbound traffic[ to {rules}]"),
    exception("ec2", "RevokeSecurityGroupIngress", "closed", "close", " {target}[ to {rules}]"),
    exception("ec2", "RevokeSecurityGroupEgress", "closed", "close", " {target} for outbound traffic[ to {rules}]"),
    exception("iam", "AttachUserPolicy", "attached", "attach", " policy {requested:/policyArn} to {target}"),
    exception("iam", "AttachRolePolicy", "attached", "attach", " policy {requested:/policyArn} to {target}"),
    exception("iam", "AttachGroupPolicy", "attached", "attach", " policy {requested:/policyArn} to {target}"),
    exception("iam", "DetachUserPolicy", "detached", "detach", " policy {requested:/policyArn} from {target}"),
    exception("iam", "DetachRolePolicy", "detached", "detach", " policy {requested:/policyArn} from {target}"),
    exception("iam", "DetachGroupPolicy", "detached", "detach", " policy {requested:/policyArn} from {target}"),
    exception("iam", "PutUserPolicy", "set", "set", " inline policy {requested:/policyName} on {target}"),
    exception("iam", "PutRolePolicy", "set", "set", " inline policy {requested:/policyName} on {target}"),
    exception("iam", "PutGroupPolicy", "set", "set", " inline policy {requested:/policyName} on {target}"),
    exception("iam", "DeleteUserPolicy", "deleted", "delete", " inline policy {requested:/policyName} of {target}"),
    exception("iam", "DeleteRolePolicy", "deleted", "delete", " inline policy {requested:/policyName} of {target}"),
    exception("iam", "DeleteGroupPolicy", "deleted", "delete", " inline policy {requested:/policyName} of {target}"),
    exception("iam", "AddUserToGroup", "added", "add", " {target} to IAM group {requested:/groupName}"),
    exception("iam", "RemoveUserFromGroup", "removed", "remove", " {target} from IAM group {requested:/groupName}"),
    exception("iam", "CreateAccessKey", "created", "create", " access key[ {result:/accessKey/accessKeyId}] for {target}"),
    exception("iam", "DeleteAccessKey", "deleted", "delete", " access key[ {requested:/accessKeyId}] of {target}"),
    exception("iam", "UpdateAccessKey", "set", "set", " access key[ {requested:/accessKeyId}] of {target} to {requested:/status}"),
    exception("iam", "CreateLoginProfile", "gave", "give", " {target} a console password"),
    exception("iam", "UpdateLoginProfile", "changed", "change", " the console password of {target}"),
    exception("iam", "DeleteLoginProfile", "removed", "remove", " the console password of {target}"),
    exception("iam", "ChangePassword", "changed", "change", " their own console password"),
    exception("kms", "ScheduleKeyDeletion", "scheduled", "schedule", " the deletion of {target}[ in {requested:/pendingWindowInDays} days]"),
    exception("dynamodb", "GetItem", "read", "read", " an item from {target}"),
    exception("dynamodb", "PutItem", "wrote", "write", " an item to {target}"),
    exception("dynamodb", "UpdateItem", "changed", "change", " an item in {target}"),
    exception("dynamodb", "DeleteItem", "deleted", "delete", " an item from {target}"),
    exception("dynamodb", "Query", "queried", "query", " {target}"),
    exception("dynamodb", "Scan", "read every item of", "read every item of", " {target}"),
    exception("ssm", "GetParameter", "read", "read", " Systems Manager parameter {requested:/name}"),
    exception("ssm", "PutParameter", "set", "set", " Systems Manager parameter {requested:/name}"),
    exception("ssm", "DeleteParameter", "deleted", "delete", " Systems Manager parameter {requested:/name}"),
    exception("organizations", "LeaveOrganization", "left", "leave", " the AWS organization"),
];

/// Services by their endpoint's first label, as a reader knows them.
const SERVICES: &[(&str, &str)] = &[
    ("s3", "S3"),
    ("iam", "IAM"),
    ("ec2", "EC2"),
    ("kms", "KMS"),
    ("sts", "STS"),
    ("signin", "AWS console"),
    ("cloudtrail", "CloudTrail"),
    ("lambda", "Lambda"),
    ("rds", "RDS"),
    ("dynamodb", "DynamoDB"),
    ("sns", "SNS"),
    ("sqs", "SQS"),
    ("logs", "CloudWatch Logs"),
    ("monitoring", "CloudWatch"),
    ("events", "EventBridge"),
    ("config", "Config"),
    ("guardduty", "GuardDuty"),
    ("securityhub", "Security Hub"),
    ("organizations", "Organizations"),
    ("account", "Account Management"),
    ("access-analyzer", "IAM Access Analyzer"),
    ("detective", "Detective"),
    ("inspector2", "Inspector"),
    ("macie2", "Macie"),
    ("sso", "IAM Identity Center"),
    ("sso-oauth", "IAM Identity Center"),
    ("sso-directory", "IAM Identity Center directory"),
    ("identitystore", "IAM Identity Center identity store"),
    ("secretsmanager", "Secrets Manager"),
    ("ssm", "Systems Manager"),
    ("ecr", "ECR"),
    ("ecs", "ECS"),
    ("eks", "EKS"),
    ("elasticloadbalancing", "Elastic Load Balancing"),
    ("autoscaling", "Auto Scaling"),
    ("cloudformation", "CloudFormation"),
    ("cloudfront", "CloudFront"),
    ("route53", "Route 53"),
    ("apigateway", "API Gateway"),
    ("acm", "Certificate Manager"),
    ("athena", "Athena"),
    ("glue", "Glue"),
    ("redshift", "Redshift"),
    ("elasticfilesystem", "EFS"),
    ("kinesis", "Kinesis"),
    ("states", "Step Functions"),
    ("backup", "AWS Backup"),
    ("wafv2", "WAF"),
    ("cognito-idp", "Cognito user pools"),
    ("bedrock", "Bedrock"),
];

/// Acronyms that API names write in mixed case (`PutBucketAcl`).
const ACRONYMS: &[(&str, &str)] = &[
    ("acl", "ACL"),
    ("acls", "ACLs"),
    ("cors", "CORS"),
    ("mfa", "MFA"),
    ("vpc", "VPC"),
    ("vpcs", "VPCs"),
    ("ip", "IP"),
    ("api", "API"),
    ("url", "URL"),
    ("dns", "DNS"),
    ("saml", "SAML"),
    ("oidc", "OIDC"),
    ("ssh", "SSH"),
];

// ---------------------------------------------------------------------------------
// The deed

struct Call<'a> {
    event: &'a Value,
    /// The endpoint's first label: `s3`, `iam`, `signin`.
    service: &'a str,
    /// The API name without Lambda's version suffix.
    name: &'a str,
}

impl Call<'_> {
    fn deed(&self) -> Deed {
        EXCEPTIONS
            .iter()
            .filter(|e| e.service == self.service && e.name == self.name)
            .find_map(|e| {
                let rest = render(e.rest, |key| self.value(key))?;
                Some(Deed::new(e.past, e.base, &rest))
            })
            .unwrap_or_else(|| self.general())
    }

    /// A template's value.
    fn value(&self, key: &str) -> Option<String> {
        match key {
            "target" => self.target(),
            "target_name" => self
                .event
                .get("target")
                .and_then(|t| t.get("name").or_else(|| t.get("id")))
                .and_then(shown),
            "rules" => rules(self.event.get("requested")?),
            _ => {
                let (side, pointer) = key.split_once(':')?;
                self.event.get(side)?.pointer(pointer).and_then(shown)
            }
        }
    }

    /// The target as its kind and name: "S3 bucket acme-logs".
    fn target(&self) -> Option<String> {
        let target = self.event.get("target")?;
        let kind = target.get("type").and_then(shown);
        let name = target
            .get("name")
            .or_else(|| target.get("id"))
            .and_then(shown);
        match (kind, name) {
            (Some(kind), Some(name)) => Some(format!("{kind} {name}")),
            (None, Some(name)) => Some(name),
            _ => None,
        }
    }

    fn service_name(&self) -> String {
        readable_service(self.service)
    }

    /// The general rule (see the module's documentation).
    fn general(&self) -> Deed {
        let mut words = name_words(self.name);
        if words.len() > 1 && words[0] == "Batch" {
            words.remove(0);
        }
        let Some(verb) = words
            .first()
            .and_then(|w| VERBS.iter().find(|v| v.word == w.as_str()))
        else {
            return self.ran();
        };
        let object: Vec<String> = words[1..].iter().map(|w| object_word(w)).collect();
        let target = self.target();
        let kind: Vec<String> = self
            .event
            .pointer("/target/type")
            .and_then(Value::as_str)
            .map(|t| t.split_whitespace().map(str::to_lowercase).collect())
            .unwrap_or_default();
        let rest = match (object.is_empty(), target) {
            (true, Some(target)) => match verb.bare {
                Some(bare) => format!(" {bare} {} {target}", join_word(verb.join)),
                None => format!(" {target}"),
            },
            (true, None) => match verb.bare {
                Some(bare) => format!(" {bare} with {}", self.service_name()),
                None => return self.ran(),
            },
            (false, Some(target)) => {
                let lower: Vec<String> = object.iter().map(|w| w.to_lowercase()).collect();
                if names_kind(&lower, &kind) {
                    format!(" {target}")
                } else if let Some(part) = part_of(&lower, &kind) {
                    let part = object[part..].join(" ");
                    // A part is made anew ("created a version of IAM policy p"), else
                    // acted on as the one it is ("changed the policy of S3 bucket b").
                    let the = if verb.word == "Create" {
                        article(&part)
                    } else {
                        "the"
                    };
                    format!(" {the} {part} of {target}")
                } else {
                    let object = object.join(" ");
                    let what = match verb.join {
                        Join::Of => format!("the {object}"),
                        _ if is_plural(&object) => object,
                        _ => format!("{} {object}", article(&object)),
                    };
                    format!(" {what} {} {target}", join_word(verb.join))
                }
            }
            (false, None) => {
                let object = format!("{} {}", self.service_name(), object.join(" "));
                if is_plural(&object) {
                    format!(" {object}")
                } else if verb.join == Join::Of {
                    format!(" the {object}")
                } else {
                    format!(" {} {object}", article(&object))
                }
            }
        };
        Deed::new(verb.past, verb.base, &rest)
    }

    /// A call no table knows: "ran FrobnicateWidget on EC2 instance i-…".
    fn ran(&self) -> Deed {
        let on = self.target().unwrap_or_else(|| self.service_name());
        let name = shorten(self.name, TEXT_CHARS);
        Deed::new("ran", "run", &format!(" {name} on {on}"))
    }
}

fn join_word(join: Join) -> &'static str {
    match join {
        Join::Of => "of",
        Join::For => "for",
        Join::To => "to",
        Join::From => "from",
        Join::With => "with",
    }
}

/// Whether the object words name the target's kind, by their last noun: "bucket"
/// and "S3 bucket", "instances" and "EC2 instance", "configuration recorder" and
/// "Config recorder"; "resource" names any.
fn names_kind(object: &[String], kind: &[String]) -> bool {
    let (Some(last), Some(kind_last)) = (object.last(), kind.last()) else {
        return false;
    };
    if matches!(object, [only] if only == "resource" || only == "resources") {
        return true;
    }
    same_noun(last, kind_last)
}

/// Where the part begins when the object starts with the target's kind and goes on
/// ("bucket policy" of an "S3 bucket": the policy).
fn part_of(object: &[String], kind: &[String]) -> Option<usize> {
    (1..object.len().min(kind.len() + 1)).rev().find(|&k| {
        let tail = &kind[kind.len() - k..];
        object[..k - 1] == tail[..k - 1] && same_noun(&object[k - 1], &tail[k - 1])
    })
}

/// `instances` is `instance`, `policies` is `policy`.
fn same_noun(word: &str, noun: &str) -> bool {
    word == noun
        || word.strip_suffix('s') == Some(noun)
        || word.strip_suffix("es") == Some(noun)
        || word
            .strip_suffix("ies")
            .is_some_and(|stem| noun.strip_suffix('y') == Some(stem))
}

fn is_plural(words: &str) -> bool {
    let last = words.rsplit(' ').next().unwrap_or(words).to_lowercase();
    last.ends_with('s') && !["ss", "us", "is", "as"].iter().any(|e| last.ends_with(e))
}

/// An API name's words: `PutBucketPolicy` → Put, Bucket, Policy; `DescribeDBInstances`
/// → Describe, DB, Instances; `EnableMFADevice` → Enable, MFA, Device.
fn name_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1);
        let starts_word = c.is_uppercase()
            && (prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(char::is_uppercase)
                    && next.is_some_and(|n| n.is_lowercase())));
        if (starts_word || c == '_' || c == '-') && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        if c != '_' && c != '-' {
            current.push(c);
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// An object word as a sentence shows it: lowercase, acronyms kept ("DB", "ACL").
fn object_word(word: &str) -> String {
    let lower = word.to_lowercase();
    if let Some((_, acronym)) = ACRONYMS.iter().find(|(w, _)| *w == lower) {
        return (*acronym).to_owned();
    }
    let acronym = word.chars().count() > 1 && word.chars().all(|c| !c.is_lowercase());
    if acronym { word.to_owned() } else { lower }
}

/// Lambda's names carry their API version: `AddPermission20150331v2` → `AddPermission`.
fn without_api_version(name: &str) -> &str {
    let digits_at_end = |s: &str| s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let mut rest = name;
    let digits = digits_at_end(rest);
    if (1..8).contains(&digits)
        && let Some(before) = rest[..rest.len() - digits].strip_suffix('v')
    {
        rest = before;
    }
    if digits_at_end(rest) == 8 && rest.len() > 8 {
        &rest[..rest.len() - 8]
    } else {
        name
    }
}

// ---------------------------------------------------------------------------------
// Values

/// A value as a template shows it: text (an ARN as its name), numbers and yes/no;
/// nothing for blanks, arrays and objects.
fn shown(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(shorten(arn_name(s.trim()), TEXT_CHARS)),
        Value::Number(_) | Value::Bool(_) => Some(describe_value(value)),
        _ => None,
    }
}

/// The name in an ARN: `arn:aws:iam::aws:policy/AdministratorAccess` →
/// `AdministratorAccess`. Anything else as it is.
fn arn_name(value: &str) -> &str {
    if !value.starts_with("arn:") {
        return value;
    }
    let Some(resource) = value.splitn(6, ':').nth(5) else {
        return value;
    };
    let resource = resource.trim_end_matches('/');
    let name = match resource.rsplit_once('/') {
        Some((_, name)) => name,
        None => resource.rsplit_once(':').map_or(resource, |(_, name)| name),
    };
    if name.is_empty() { value } else { name }
}

fn text_at(event: &Value, pointer: &str) -> Option<String> {
    event
        .pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(|s| shorten(s, TEXT_CHARS))
}

/// The endpoint's service: `s3.amazonaws.com` → `s3`; `None` for anything that is not
/// an AWS endpoint.
fn service_of(endpoint: &str) -> Option<&str> {
    let service = endpoint
        .strip_suffix(".amazonaws.com.cn")
        .or_else(|| endpoint.strip_suffix(".amazonaws.com"))?;
    (!service.is_empty()).then_some(service)
}

fn readable_service(service: &str) -> String {
    SERVICES.iter().find(|(id, _)| *id == service).map_or_else(
        || shorten(service, TEXT_CHARS),
        |(_, name)| (*name).to_owned(),
    )
}

/// A security group's rules from the request, as a reader weighs them: "anywhere
/// (0.0.0.0/0) on port 22 (TCP)". At most three; more are counted.
fn rules(requested: &Value) -> Option<String> {
    const LISTED: usize = 3;
    let items = requested.pointer("/ipPermissions/items")?.as_array()?;
    let mut clauses: Vec<String> = items.iter().take(LISTED).filter_map(rule).collect();
    if clauses.is_empty() {
        return None;
    }
    if items.len() > LISTED {
        clauses.push(counted(
            (items.len() - LISTED) as u64,
            "more rule",
            "more rules",
        ));
    }
    Some(list(&clauses))
}

fn rule(item: &Value) -> Option<String> {
    let listed = |array: &str, key: &str, show: &dyn Fn(&str) -> String| -> Vec<String> {
        item.pointer(&format!("/{array}/items"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|range| range.get(key).and_then(Value::as_str))
            .map(|s| show(s.trim()))
            .collect()
    };
    let cidr = |c: &str| -> String {
        if c == "0.0.0.0/0" || c == "::/0" {
            format!("anywhere ({c})")
        } else {
            shorten(c, VALUE_CHARS)
        }
    };
    let mut peers = listed("ipRanges", "cidrIp", &cidr);
    peers.extend(listed("ipv6Ranges", "cidrIpv6", &cidr));
    peers.extend(listed("groups", "groupId", &|g| {
        format!("security group {}", shorten(g, VALUE_CHARS))
    }));
    peers.extend(listed("prefixListIds", "prefixListId", &|p| {
        format!("prefix list {}", shorten(p, VALUE_CHARS))
    }));
    if peers.is_empty() {
        return None;
    }
    let protocol = match item.get("ipProtocol") {
        Some(Value::String(p)) => p.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let port = |key: &str| item.get(key).and_then(Value::as_i64);
    let ports = match (protocol.as_str(), port("fromPort"), port("toPort")) {
        ("-1", _, _) => "all ports and protocols".to_owned(),
        ("", _, _) => "some ports".to_owned(),
        (p, Some(from), Some(to)) if from == to && from >= 0 => {
            format!("port {from} ({})", shorten(&p.to_uppercase(), 20))
        }
        (p, Some(0), Some(65535)) => format!("all ports ({})", shorten(&p.to_uppercase(), 20)),
        (p, Some(from), Some(to)) if from >= 0 && to >= from => {
            format!("ports {from}-{to} ({})", shorten(&p.to_uppercase(), 20))
        }
        (p, _, _) => format!("all of {}", shorten(&p.to_uppercase(), 20)),
    };
    Some(format!("{} on {ports}", list(&peers)))
}

/// Fills a template (see [`Exception`]): `None` when a value outside brackets is
/// missing. Values are inserted as they are, never read as template text.
fn render(template: &str, value: impl Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::new();
    let mut optional: Option<(String, bool)> = None;
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        match c {
            '[' => optional = Some((String::new(), true)),
            ']' => {
                if let Some((text, true)) = optional.take() {
                    out.push_str(&text);
                }
            }
            '{' => {
                let key: String = chars.by_ref().take_while(|&c| c != '}').collect();
                match (value(&key), optional.as_mut()) {
                    (Some(v), Some((text, _))) => text.push_str(&v),
                    (Some(v), None) => out.push_str(&v),
                    (None, Some((_, complete))) => *complete = false,
                    (None, None) => return None,
                }
            }
            c => match optional.as_mut() {
                Some((text, _)) => text.push(c),
                None => out.push(c),
            },
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------------
// Who

/// Who called, with what kind of principal they are, and whom they acted for.
fn who(event: &Value) -> String {
    let actor = match event.get("actor").filter(|a| a.is_object()) {
        Some(actor) => principal_words(actor),
        None => "Someone".to_owned(),
    };
    match event.get("on_behalf_of").filter(|p| p.is_object()) {
        Some(acted_for) => format!("{actor}, acting for {},", principal(acted_for, None)),
        None => actor,
    }
}

fn principal_words(actor: &Value) -> String {
    let field = |key: &str| {
        actor
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    };
    let name = field("name")
        .or_else(|| field("id"))
        .map(|n| shorten(n, TEXT_CHARS));
    let Some(name) = name else {
        return principal(actor, None);
    };
    let role = field("role").map(|r| shorten(r, TEXT_CHARS));
    match field("aws_type") {
        Some("IAMUser") if name == HIDDEN_USER_NAME => {
            "Someone with an unrecognized user name (AWS does not record it)".to_owned()
        }
        Some("IAMUser") => format!("{name} (IAM user)"),
        Some("Root") => name,
        Some("FederatedUser") => format!("{name} (federated user)"),
        Some("SAMLUser") => format!("{name} (SAML user)"),
        Some("WebIdentityUser") => format!("{name} (web identity user)"),
        Some("IdentityCenterUser") => format!("{name} (IAM Identity Center user)"),
        Some("AWSAccount") => format!("{name} (another AWS account)"),
        Some("AWSService") => match service_of(&name) {
            Some(service) => format!("{} (AWS service)", readable_service(service)),
            None => format!("{name} (AWS service)"),
        },
        Some("AssumedRole") => {
            let sso_set = role.as_deref().and_then(|r| {
                let set = r.strip_prefix("AWSReservedSSO_")?;
                Some(set.rsplit_once('_').map_or(set, |(set, _)| set).to_owned())
            });
            match (sso_set, role) {
                (Some(set), _) if !set.is_empty() => {
                    format!("{name} (signed in through IAM Identity Center as {set})")
                }
                (Some(_), _) => format!("{name} (signed in through IAM Identity Center)"),
                (None, Some(role)) if field("type") == Some("system") => {
                    format!("{name} (AWS service, role {role})")
                }
                (None, Some(role)) if is_instance_id(&name) => {
                    format!("EC2 instance {name} (role {role})")
                }
                (None, Some(role)) if role == name => format!("role {role}"),
                (None, Some(role)) => format!("{name} (role {role})"),
                (None, None) => format!("{name} (role session)"),
            }
        }
        _ => principal(actor, None),
    }
}

/// An EC2 instance id (`i-` and 8 or 17 hex digits): an instance profile's session.
fn is_instance_id(name: &str) -> bool {
    name.strip_prefix("i-").is_some_and(|hex| {
        matches!(hex.len(), 8 | 17) && hex.chars().all(|c| c.is_ascii_hexdigit())
    })
}
