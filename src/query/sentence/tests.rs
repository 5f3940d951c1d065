//! Tests of the sentences: one event each, read as a reviewer would read it.

use super::*;
use serde_json::json;

fn user(name: &str) -> Value {
    json!({"id": "u_001", "type": "user", "name": name})
}

fn order(name: &str) -> Value {
    json!({"type": "Order", "id": "1842", "name": name})
}

fn event(action: &str, actor: Value, target: Value, extra: Value) -> Value {
    let mut event =
        json!({"action": action, "actor": actor, "target": target, "outcome": "success"});
    for (k, v) in extra.as_object().expect("extra fields are an object") {
        event[k] = v.clone();
    }
    event
}

#[test]
fn a_status_change_names_the_field_and_both_values() {
    for action in ["order.updated", "order.approved"] {
        let e = event(
            action,
            user("Maria Lopez"),
            order("Order #1842"),
            json!({"before": {"status": "Pending Review"}, "after": {"status": "Approved"}}),
        );
        assert_eq!(
            sentence(&e),
            "Maria Lopez changed Order #1842 status from Pending Review to Approved"
        );
    }
}

#[test]
fn an_automation_is_named_with_its_rule_version() {
    let e = event(
        "lead.assigned",
        json!({"id": "auto_lead_router", "type": "automation", "name": "Lead Router"}),
        json!({"type": "Lead", "id": "1007", "name": "Lead #1007"}),
        json!({
            "before": {"owner": "u_004"}, "after": {"owner": "u_019"},
            "source": {"channel": "rule", "rule": {"id": "rule_014", "version": 3, "name": "Route EMEA leads"}}
        }),
    );
    assert_eq!(
        sentence(&e),
        "Lead Router (automation, rule v3) changed Lead #1007 owner from u_004 to u_019"
    );
}

#[test]
fn a_denied_event_says_what_was_refused_and_why() {
    let e = event(
        "export.created",
        user("Jacob Miller"),
        json!({"type": "List", "id": "customers", "name": "Customer list"}),
        json!({"outcome": "denied", "reason": "missing permission export:customers"}),
    );
    assert_eq!(
        sentence(&e),
        "Jacob Miller was refused permission to export Customer list: missing permission export:customers"
    );
    let without_target = event(
        "order.deleted",
        user("Zoë Larsen"),
        Value::Null,
        json!({"outcome": "denied"}),
    );
    let said = sentence(&without_target);
    assert!(
        said.starts_with("Zoë Larsen was refused permission to delete"),
        "{said}"
    );
}

#[test]
fn two_or_three_changed_fields_are_listed() {
    let e = event(
        "order.updated",
        user("Maria Lopez"),
        order("Order #1842"),
        json!({"before": {"status": "Draft", "amount": 10}, "after": {"status": "Pending Review", "amount": 12}}),
    );
    assert_eq!(
        sentence(&e),
        "Maria Lopez changed Order #1842 amount from 10 to 12 and status from Draft to Pending Review"
    );
    let e = event(
        "order.shipped",
        user("Tomás Wang"),
        order("Order #1003"),
        json!({"before": {"status": "Approved", "tracking_number": null, "paid": false},
               "after": {"status": "Shipped", "tracking_number": "1Z257C", "paid": true}}),
    );
    assert_eq!(
        sentence(&e),
        "Tomás Wang changed Order #1003 paid from no to yes, status from Approved to Shipped \
         and tracking_number from empty to 1Z257C"
    );
}

#[test]
fn more_than_three_changed_fields_are_counted() {
    let e = event(
        "order.updated",
        user("Maria Lopez"),
        order("Order #1842"),
        json!({"before": {"a": 1, "b": 1, "c": 1, "d": 1, "e": 1}, "after": {"a": 2, "b": 2, "c": 2, "d": 2, "e": 2}}),
    );
    assert_eq!(sentence(&e), "Maria Lopez changed 5 fields of Order #1842");
}

#[test]
fn nested_changes_name_their_path_and_many_name_their_top_level_field() {
    let before = json!({"address": {"city": "Berlin", "country": "DE", "postal_code": "10115", "street": "111 Market Sq"}});
    let after = json!({"address": {"city": "Leeds", "country": "GB", "postal_code": "LS1 4AP", "street": "145 Birch St"}});
    let customer = json!({"type": "Customer", "id": "1001", "name": "Customer #1001"});
    let e = event(
        "customer.updated",
        user("Maria Ruiz"),
        customer.clone(),
        json!({"before": before, "after": after}),
    );
    assert_eq!(
        sentence(&e),
        "Maria Ruiz changed 4 fields of Customer #1001 (address)"
    );
    let e = event(
        "customer.updated",
        user("Maria Ruiz"),
        customer,
        json!({"before": {"address": {"street": "55 Harbour Rd"}}, "after": {"address": {"street": "189 Calle Mayor"}}}),
    );
    assert_eq!(
        sentence(&e),
        "Maria Ruiz changed Customer #1001 address.street from 55 Harbour Rd to 189 Calle Mayor"
    );
}

#[test]
fn elements_added_to_or_removed_from_an_array_are_named() {
    let ticket = json!({"type": "Ticket", "id": "1003", "name": "Ticket #1003"});
    let tags = |b: Value, a: Value| {
        sentence(&event(
            "ticket.updated",
            user("Zoë Larsen"),
            ticket.clone(),
            json!({"before": {"tags": b}, "after": {"tags": a}}),
        ))
    };
    assert_eq!(
        tags(json!(["bug", "vip"]), json!(["bug", "vip", "login"])),
        "Zoë Larsen added login to Ticket #1003 tags"
    );
    assert_eq!(
        tags(json!(["login"]), json!([])),
        "Zoë Larsen removed login from Ticket #1003 tags"
    );
    assert_eq!(
        tags(json!(["a"]), json!(["b", "c"])),
        "Zoë Larsen changed Ticket #1003 tags (added b and c; removed a)"
    );
}

#[test]
fn created_deleted_and_viewed_records_are_named() {
    let customer = json!({"type": "Customer", "id": "1001", "name": "Customer #1001"});
    let lead = json!({"type": "Lead", "id": "1007", "name": "Lead #1007"});
    let created = event(
        "customer.created",
        user("Noor Miller"),
        customer.clone(),
        json!({"before": null, "after": {"plan": "Basic"}}),
    );
    let deleted = event(
        "lead.deleted",
        user("Noor Miller"),
        lead,
        json!({"before": {"status": "New"}, "after": null, "reason": "spam"}),
    );
    let viewed = event("customer.viewed", user("Noor Miller"), customer, json!({}));
    assert_eq!(sentence(&created), "Noor Miller created Customer #1001");
    assert_eq!(sentence(&deleted), "Noor Miller deleted Lead #1007");
    assert_eq!(sentence(&viewed), "Noor Miller viewed Customer #1001");
}

#[test]
fn sign_in_sign_out_and_failed_sign_in_read_as_such() {
    let me = json!({"type": "User", "id": "u_001", "name": "Dana Reyes"});
    let login = event("user.login", user("Dana Reyes"), me.clone(), json!({}));
    let logout = event("user.logout", user("Dana Reyes"), me.clone(), json!({}));
    let failed = event(
        "user.login_failed",
        user("Dana Reyes"),
        me.clone(),
        json!({"outcome": "failure", "reason": "invalid password"}),
    );
    let failed_no_reason = event(
        "user.login_failed",
        user("Dana Reyes"),
        me,
        json!({"outcome": "failure"}),
    );
    assert_eq!(sentence(&login), "Dana Reyes signed in");
    assert_eq!(sentence(&logout), "Dana Reyes signed out");
    assert_eq!(
        sentence(&failed),
        "Dana Reyes failed to sign in: invalid password"
    );
    assert_eq!(sentence(&failed_no_reason), "Dana Reyes failed to sign in");
}

#[test]
fn roles_granted_and_revoked_name_the_role_and_the_person() {
    let noor = json!({"type": "User", "id": "u_009", "name": "Noor Bello"});
    let granted = event(
        "role.granted",
        user("Dana Reyes"),
        noor.clone(),
        json!({"before": {"roles": ["sales_rep"]}, "after": {"roles": ["sales_rep", "admin"]}}),
    );
    let revoked = event(
        "role.revoked",
        user("Dana Reyes"),
        noor.clone(),
        json!({"before": {"roles": ["sales_rep", "admin"]}, "after": {"roles": ["sales_rep"]},
                               "context": {"role": "admin"}}),
    );
    let unknown = event("role.granted", user("Dana Reyes"), noor, json!({}));
    assert_eq!(
        sentence(&granted),
        "Dana Reyes granted the admin role to Noor Bello"
    );
    assert_eq!(
        sentence(&revoked),
        "Dana Reyes revoked the admin role from Noor Bello"
    );
    assert_eq!(
        sentence(&unknown),
        "Dana Reyes granted a role to Noor Bello"
    );
}

#[test]
fn an_export_says_how_many_of_what_and_the_filter() {
    let export = |context: Value| {
        sentence(&event(
            "export.created",
            user("Noor Miller"),
            Value::Null,
            json!({"context": context}),
        ))
    };
    assert_eq!(
        export(json!({"row_count": 1204, "filter": {"type": "Customer", "region": "EU"}})),
        "Noor Miller exported 1,204 customers (filter: region = EU)"
    );
    assert_eq!(
        export(
            json!({"row_count": 1, "format": "csv", "filter": {"type": "Customer", "plan": "Enterprise", "vip": true}})
        ),
        "Noor Miller exported 1 customer as CSV (filter: plan = Enterprise, vip = yes)"
    );
    assert_eq!(
        export(json!({"row_count": 12})),
        "Noor Miller exported 12 rows"
    );
    assert_eq!(export(json!({})), "Noor Miller exported data");
}

#[test]
fn an_import_names_its_file_and_counts() {
    let import = json!({"id": "imp_customer_csv", "type": "import", "name": "Customer CSV Import"});
    let completed = event(
        "import.completed",
        import,
        Value::Null,
        json!({
            "on_behalf_of": {"id": "u_003", "type": "admin", "name": "Noor Miller"},
            "context": {"file_name": "customers.csv", "rows_total": 10, "rows_created": 9, "rows_failed": 1}
        }),
    );
    assert_eq!(
        sentence(&completed),
        "Customer CSV Import (import), acting for Noor Miller, imported customers.csv: 9 of 10 rows created, 1 failed"
    );
    let started = event(
        "import.started",
        user("Liam Costa"),
        Value::Null,
        json!({"context": {"file_name": "leads.csv", "rows_total": 16}}),
    );
    assert_eq!(
        sentence(&started),
        "Liam Costa started importing leads.csv (16 rows)"
    );
}

#[test]
fn a_failure_says_what_was_tried_and_why_it_failed() {
    let slack = json!({"id": "int_slack", "type": "integration", "name": "Slack Notifier"});
    let ticket = json!({"type": "Ticket", "id": "1015", "name": "Ticket #1015"});
    let e = event(
        "notification.sent",
        slack,
        ticket.clone(),
        json!({"outcome": "failure", "reason": "channel_not_found"}),
    );
    assert_eq!(
        sentence(&e),
        "Slack Notifier (integration) tried to send a notification about Ticket #1015 but it failed: channel_not_found"
    );
    let e = event(
        "ticket.updated",
        user("Lena Costa"),
        ticket.clone(),
        json!({"outcome": "failure", "before": {"status": "Open"}, "after": {"status": "Closed"}}),
    );
    assert_eq!(
        sentence(&e),
        "Lena Costa tried to change Ticket #1015 status from Open to Closed but it failed"
    );
    let e = event(
        "ticket.frobnicated",
        user("Lena Costa"),
        ticket,
        json!({"outcome": "failure", "reason": "x"}),
    );
    assert_eq!(
        sentence(&e),
        "Lena Costa tried to perform ticket.frobnicated on Ticket #1015 but it failed: x"
    );
}

#[test]
fn acting_for_someone_and_impersonation_are_never_hidden() {
    let order = order("Order #1842");
    let dana = json!({"id": "u_001", "type": "admin", "name": "Dana Reyes"});
    let omar = json!({"id": "u_017", "type": "user", "name": "Omar Sato"});
    let changes =
        json!({"on_behalf_of": omar, "before": {"status": "Draft"}, "after": {"status": "Void"}});
    let e = event(
        "order.updated",
        dana.clone(),
        order.clone(),
        changes.clone(),
    );
    assert_eq!(
        sentence(&e),
        "Dana Reyes, acting for Omar Sato, changed Order #1842 status from Draft to Void"
    );
    let mut impersonated = e.clone();
    impersonated["context"] = json!({"impersonation": true});
    assert_eq!(
        sentence(&impersonated),
        "Dana Reyes, impersonating Omar Sato, changed Order #1842 status from Draft to Void"
    );
    let mut denied = e;
    denied["outcome"] = json!("denied");
    assert_eq!(
        sentence(&denied),
        "Dana Reyes, acting for Omar Sato, was refused permission to change Order #1842 status from Draft to Void"
    );
    let started = event(
        "support.impersonation_started",
        dana,
        json!({"type": "User", "id": "u_024", "name": "Zoë Larsen"}),
        json!({}),
    );
    assert_eq!(
        sentence(&started),
        "Dana Reyes started impersonating Zoë Larsen"
    );
}

#[test]
fn machine_actors_show_their_type_and_unknown_types_as_they_are() {
    let invoice = json!({"type": "Invoice", "id": "1001", "name": "Invoice INV-01001"});
    let by = |id: &str, kind: &str, name: &str| {
        sentence(&event(
            "invoice.viewed",
            json!({"id": id, "type": kind, "name": name}),
            invoice.clone(),
            json!({}),
        ))
    };
    assert_eq!(
        by("apic_shop", "api_client", "Shop"),
        "Shop (API client) viewed Invoice INV-01001"
    );
    assert_eq!(
        by("wh_stripe", "webhook", "Stripe Webhooks"),
        "Stripe Webhooks (webhook) viewed Invoice INV-01001"
    );
    assert_eq!(
        by("imp_1", "import", "CSV Import"),
        "CSV Import (import) viewed Invoice INV-01001"
    );
    assert_eq!(
        by("job_1", "job", "Nightly Run"),
        "Nightly Run (job) viewed Invoice INV-01001"
    );
    assert_eq!(
        by("int_1", "integration", "Stripe Sync"),
        "Stripe Sync (integration) viewed Invoice INV-01001"
    );
    assert_eq!(
        by("system", "system", "Acme CRM"),
        "Acme CRM (system) viewed Invoice INV-01001"
    );
    assert_eq!(
        by("r2", "robot", "R2"),
        "R2 (robot) viewed Invoice INV-01001"
    );
    assert_eq!(by("u_1", "admin", "Dana"), "Dana viewed Invoice INV-01001");
    let rule_without_version = event(
        "invoice.viewed",
        json!({"id": "auto_1", "type": "automation", "name": "Dunning"}),
        invoice,
        json!({"source": {"rule": {"id": "rule_9"}}}),
    );
    assert_eq!(
        sentence(&rule_without_version),
        "Dunning (automation, rule rule_9) viewed Invoice INV-01001"
    );
}

#[test]
fn other_actions_are_phrased_from_their_words() {
    let system = json!({"id": "system", "type": "system", "name": "Acme CRM"});
    let job = json!({"id": "job_nightly", "type": "job", "name": "Nightly Invoice Run"});
    let admin = json!({"id": "u_004", "type": "admin", "name": "Zoë Okafor"});
    let client = json!({"type": "ApiClient", "id": "cli_8f", "name": "Shopify Storefront"});
    let ravi = json!({"type": "User", "id": "u_039", "name": "Ravi Mensah"});
    let cases = [
        (
            event(
                "system.backup_completed",
                system.clone(),
                Value::Null,
                json!({}),
            ),
            "Acme CRM (system) completed a backup",
        ),
        (
            event("job.started", job, Value::Null, json!({})),
            "Nightly Invoice Run (job) started",
        ),
        (
            event(
                "api_client.secret_rotated",
                admin.clone(),
                client,
                json!({}),
            ),
            "Zoë Okafor rotated the secret of Shopify Storefront",
        ),
        (
            event(
                "invoice.voided",
                admin.clone(),
                json!({"type": "Invoice", "id": "1", "name": "INV-1"}),
                json!({}),
            ),
            "Zoë Okafor voided INV-1",
        ),
        (
            event("report.generated", admin.clone(), Value::Null, json!({})),
            "Zoë Okafor generated a report",
        ),
        (
            event(
                "user.locked",
                system,
                ravi,
                json!({"before": {"locked": false}, "after": {"locked": true}}),
            ),
            "Acme CRM (system) locked Ravi Mensah",
        ),
        (
            event("account.past_due", admin, Value::Null, json!({})),
            "Zoë Okafor performed account.past_due",
        ),
    ];
    for (e, expected) in cases {
        assert_eq!(sentence(&e), expected);
    }
}

#[test]
fn missing_names_fall_back_to_ids_and_types() {
    let e = event(
        "order.viewed",
        json!({"id": "u_042", "type": "user"}),
        json!({"type": "Order", "id": "1842"}),
        json!({}),
    );
    assert_eq!(sentence(&e), "u_042 viewed Order 1842");
    let e = json!({"action": "order.viewed", "outcome": "success", "target": null});
    assert_eq!(sentence(&e), "Someone viewed an order");
}

#[test]
fn a_stub_says_an_event_was_omitted_and_why() {
    let stub = json!({"chain": "acme-prod", "seq": 42, "omitted": true, "prev_hash": "00", "hash": "11",
                      "omitted_reason": "filtered"});
    assert_eq!(
        sentence(&stub),
        "An event was omitted from this export (reason: filtered)"
    );
    let stub = json!({"chain": "acme-prod", "seq": 42, "omitted": true});
    assert_eq!(sentence(&stub), "An event was omitted from this export");
}

#[test]
fn values_are_described_plainly() {
    assert_eq!(describe_value(&json!("Approved")), "Approved");
    assert_eq!(describe_value(&json!(12)), "12");
    assert_eq!(describe_value(&json!(178.0)), "178");
    assert_eq!(describe_value(&json!(14206.42)), "14206.42");
    assert_eq!(describe_value(&json!(-3)), "-3");
    assert_eq!(describe_value(&json!(1e21)), "1e21");
    assert_eq!(describe_value(&json!(true)), "yes");
    assert_eq!(describe_value(&json!(false)), "no");
    assert_eq!(describe_value(&Value::Null), "empty");
    assert_eq!(describe_value(&json!("")), "blank");
    assert_eq!(describe_value(&json!(["smb", "vip"])), "[smb, vip]");
    assert_eq!(describe_value(&json!([])), "[]");
    assert_eq!(
        describe_value(&json!([{"qty": 1}, [1, 2], null])),
        "[{1 field}, [2 items], empty]"
    );
    assert_eq!(
        describe_value(&json!({"a": 1, "b": 2, "c": 3})),
        "{3 fields}"
    );
    assert_eq!(describe_value(&json!({})), "{}");
}

#[test]
fn long_values_are_cut_with_an_ellipsis() {
    let long = "x".repeat(200);
    let described = describe_value(&json!(long));
    assert_eq!(described.chars().count(), 80);
    assert!(described.ends_with("xx…"));
    let many: Vec<Value> = (0..100).map(|i| json!(i)).collect();
    let described = describe_value(&Value::Array(many));
    assert!(described.starts_with("[0, 1, 2") && described.ends_with('…'));
    assert!(described.chars().count() <= 80);
}

#[test]
fn the_sentence_is_one_line_of_plain_text() {
    let e = event(
        "order.updated",
        user("Eve\n<b>Admin</b>\u{202E}gnp.exe"),
        order("Order\r\n#1"),
        json!({"before": {"note": "a\tb"}, "after": {"note": "c"}}),
    );
    let s = sentence(&e);
    assert_eq!(
        s,
        "Eve <b>Admin</b>\u{FFFD}gnp.exe changed Order  #1 note from a b to c"
    );
    assert!(!s.contains('\n'));
}

#[test]
fn an_update_that_changed_nothing_falls_back_to_its_verb() {
    let e = event(
        "order.updated",
        user("Maria Lopez"),
        order("Order #1842"),
        json!({"before": {"status": "Draft"}, "after": {"status": "Draft"}}),
    );
    assert_eq!(sentence(&e), "Maria Lopez updated Order #1842");
}

#[test]
fn a_field_only_after_or_only_before_reads_naturally() {
    let e = event(
        "order.updated",
        user("Maria Lopez"),
        order("Order #1842"),
        json!({"before": {"note": "call"}, "after": {"priority": "High"}}),
    );
    assert_eq!(
        sentence(&e),
        "Maria Lopez changed Order #1842 note from call to nothing and priority to High"
    );
}

// ---------------------------------------------------------------------------------
// AWS CloudTrail: raw records through the real normalizer, then worded.

mod aws {
    use super::*;
    use crate::source::cloudtrail::record::{normalize, normalize_lookup_event};

    const ACCOUNT: &str = "111122223333";

    fn iam_user(name: &str) -> Value {
        json!({
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE",
            "arn": format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
            "accountId": ACCOUNT,
            "accessKeyId": "AKIAEXAMPLE",
            "userName": name
        })
    }

    fn session(role_path: &str, role: &str, name: &str) -> Value {
        json!({
            "type": "AssumedRole",
            "principalId": format!("AROAEXAMPLE:{name}"),
            "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{name}"),
            "accountId": ACCOUNT,
            "accessKeyId": "ASIAEXAMPLE",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROAEXAMPLE",
                    "arn": format!("arn:aws:iam::{ACCOUNT}:role/{role_path}{role}"),
                    "accountId": ACCOUNT,
                    "userName": role
                },
                "attributes": {"creationDate": "2026-03-01T09:00:00Z", "mfaAuthenticated": "true"}
            }
        })
    }

    fn carol() -> Value {
        session(
            "aws-reserved/sso.amazonaws.com/",
            "AWSReservedSSO_AdministratorAccess_4f2c1e9a8b7d6c5e",
            "carol",
        )
    }

    /// A CloudTrail record of `service` (its endpoint's first label) with these
    /// fields added or replaced, normalized as the import normalizes it.
    fn call(identity: Value, service: &str, name: &str, ip: &str, extra: Value) -> Value {
        let mut record = json!({
            "eventVersion": "1.09",
            "userIdentity": identity,
            "eventTime": "2026-03-01T10:15:42Z",
            "eventSource": format!("{service}.amazonaws.com"),
            "eventName": name,
            "awsRegion": "us-east-1",
            "sourceIPAddress": ip,
            "userAgent": "aws-cli/2.15.30",
            "requestParameters": null,
            "responseElements": null,
            "requestID": "7a6ba1a6-2b4e-4c2b-9b3c-0123456789ab",
            "eventID": "3c1f5f8e-9a0b-4c1d-8e2f-0123456789ab",
            "readOnly": false,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": ACCOUNT,
            "eventCategory": "Management"
        });
        for (k, v) in extra.as_object().expect("extra fields are an object") {
            record[k] = v.clone();
        }
        normalize(&record).expect("the record normalizes")
    }

    fn sign_in(identity: Value, ip: &str, result: &str, error: Option<&str>) -> Value {
        let mut extra = json!({
            "eventType": "AwsConsoleSignIn",
            "responseElements": {"ConsoleLogin": result},
            "additionalEventData": {"MFAUsed": "No"}
        });
        if let Some(message) = error {
            extra["errorMessage"] = json!(message);
        }
        call(identity, "signin", "ConsoleLogin", ip, extra)
    }

    fn bucket(name: &str) -> Value {
        json!([{"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{name}")}])
    }

    #[test]
    fn refusals_and_failures_say_what_was_tried_and_the_error_code() {
        let delete = call(
            iam_user("alice"),
            "s3",
            "DeleteBucket",
            "203.0.113.7",
            json!({
                "errorCode": "AccessDenied",
                "errorMessage": "Access Denied",
                "requestParameters": {"bucketName": "acme-logs", "Host": "acme-logs.s3.us-east-1.amazonaws.com"},
                "resources": bucket("acme-logs")
            }),
        );
        assert_eq!(
            sentence(&delete),
            "alice (IAM user) tried to delete S3 bucket acme-logs from 203.0.113.7 — refused: AccessDenied"
        );
        let terminate = call(
            iam_user("deploy"),
            "ec2",
            "TerminateInstances",
            "198.51.100.200",
            json!({
                "errorCode": "Client.UnauthorizedOperation",
                "errorMessage": "You are not authorized to perform this operation.",
                "requestParameters": {"instancesSet": {"items": [{"instanceId": "i-04c3b2a1908f7e6d5"}]}}
            }),
        );
        assert_eq!(
            sentence(&terminate),
            "deploy (IAM user) tried to terminate EC2 instance i-04c3b2a1908f7e6d5 from 198.51.100.200 \
             — refused: Client.UnauthorizedOperation"
        );
        let missing = call(
            session("", "app-server", "i-0a1b2c3d4e5f67890"),
            "s3",
            "GetObject",
            "10.0.12.34",
            json!({
                "errorCode": "NoSuchKey",
                "errorMessage": "The specified key does not exist.",
                "readOnly": true,
                "requestParameters": {"bucketName": "acme-exports", "key": "exports/2026/orders.csv.gz"}
            }),
        );
        assert_eq!(
            sentence(&missing),
            "EC2 instance i-0a1b2c3d4e5f67890 (role app-server) tried to read object \
             exports/2026/orders.csv.gz in S3 bucket acme-exports from 10.0.12.34 — failed: NoSuchKey"
        );
    }

    #[test]
    fn console_sign_ins_read_as_such() {
        let root = json!({
            "type": "Root",
            "principalId": ACCOUNT,
            "arn": format!("arn:aws:iam::{ACCOUNT}:root"),
            "accountId": ACCOUNT,
            "accessKeyId": ""
        });
        assert_eq!(
            sentence(&sign_in(root, "198.51.100.23", "Success", None)),
            "root account signed in to the AWS console from 198.51.100.23"
        );
        let mut alice = iam_user("alice");
        alice["accessKeyId"] = json!("");
        assert_eq!(
            sentence(&sign_in(
                alice,
                "192.0.2.44",
                "Failure",
                Some("Failed authentication")
            )),
            "alice (IAM user) tried to sign in to the AWS console from 192.0.2.44 — failed: Failed authentication"
        );
        let hidden = json!({
            "type": "IAMUser",
            "accountId": ACCOUNT,
            "accessKeyId": "",
            "userName": "HIDDEN_DUE_TO_SECURITY_REASONS"
        });
        assert_eq!(
            sentence(&sign_in(
                hidden,
                "192.0.2.100",
                "Failure",
                Some("No username found in supplied account")
            )),
            "Someone with an unrecognized user name (AWS does not record it) tried to sign in to the \
             AWS console from 192.0.2.100 — failed: No username found in supplied account"
        );
    }

    #[test]
    fn permission_changes_name_the_policy_and_whose_it_is() {
        let policy = call(
            carol(),
            "s3",
            "PutBucketPolicy",
            "203.0.113.12",
            json!({
                "requestParameters": {"bucketName": "acme-reports", "bucketPolicy": {"Version": "2012-10-17"}},
                "resources": bucket("acme-reports"),
                "sessionCredentialFromConsole": "true"
            }),
        );
        assert_eq!(
            sentence(&policy),
            "carol (signed in through IAM Identity Center as AdministratorAccess) changed the policy \
             of S3 bucket acme-reports from 203.0.113.12"
        );
        let attach = call(
            iam_user("alice"),
            "iam",
            "AttachRolePolicy",
            "203.0.113.7",
            json!({"requestParameters": {
                "roleName": "deploy-role",
                "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"
            }}),
        );
        assert_eq!(
            sentence(&attach),
            "alice (IAM user) attached policy AdministratorAccess to IAM role deploy-role from 203.0.113.7"
        );
        let key = call(
            iam_user("alice"),
            "iam",
            "CreateAccessKey",
            "203.0.113.7",
            json!({
                "requestParameters": {"userName": "eve"},
                "responseElements": {"accessKey": {
                    "userName": "eve", "accessKeyId": "AKIAI44QH8DHBEXAMPLE", "status": "Active"
                }}
            }),
        );
        assert_eq!(
            sentence(&key),
            "alice (IAM user) created access key AKIAI44QH8DHBEXAMPLE for IAM user eve from 203.0.113.7"
        );
        let created = call(
            iam_user("alice"),
            "iam",
            "CreateUser",
            "203.0.113.7",
            json!({"requestParameters": {"userName": "frank"}}),
        );
        assert_eq!(
            sentence(&created),
            "alice (IAM user) created IAM user frank from 203.0.113.7"
        );
        let open = call(
            iam_user("bob"),
            "ec2",
            "AuthorizeSecurityGroupIngress",
            "198.51.100.23",
            json!({"requestParameters": {
                "groupId": "sg-0123456789abcdef0",
                "ipPermissions": {"items": [{
                    "ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
                    "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}
                }, {
                    "ipProtocol": "tcp", "fromPort": 8000, "toPort": 8080,
                    "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]},
                    "groups": {"items": [{"groupId": "sg-0aaa"}]}
                }]}
            }}),
        );
        assert_eq!(
            sentence(&open),
            "bob (IAM user) opened EC2 security group sg-0123456789abcdef0 to anywhere (0.0.0.0/0) on \
             port 22 (TCP) and 10.0.0.0/8 and security group sg-0aaa on ports 8000-8080 (TCP) from 198.51.100.23"
        );
        let lambda = call(
            iam_user("deploy"),
            "lambda",
            "AddPermission20150331v2",
            "198.51.100.200",
            json!({"requestParameters": {"functionName": "resize-images", "principal": "s3.amazonaws.com"}}),
        );
        assert_eq!(
            sentence(&lambda),
            "deploy (IAM user) added a permission to Lambda function resize-images from 198.51.100.200"
        );
    }

    #[test]
    fn trail_changes_name_the_trail() {
        let trail = "arn:aws:cloudtrail:us-east-1:111122223333:trail/main-trail";
        let stop = call(
            carol(),
            "cloudtrail",
            "StopLogging",
            "203.0.113.12",
            json!({"requestParameters": {"name": trail}}),
        );
        assert_eq!(
            sentence(&stop),
            "carol (signed in through IAM Identity Center as AdministratorAccess) stopped CloudTrail \
             logging for trail main-trail from 203.0.113.12"
        );
        let mut dana = session("", "Admin", "dana");
        dana["sessionContext"]["sourceIdentity"] = json!("carol");
        let delete = call(
            dana.clone(),
            "cloudtrail",
            "DeleteTrail",
            "AWS Internal",
            json!({"requestParameters": {"name": trail}}),
        );
        assert_eq!(
            sentence(&delete),
            "dana (role Admin), acting for carol, deleted CloudTrail trail main-trail"
        );
        let selectors = call(
            session("", "Admin", "dana"),
            "cloudtrail",
            "PutEventSelectors",
            "203.0.113.50",
            json!({"requestParameters": {"trailName": "main-trail", "eventSelectors": []}}),
        );
        assert_eq!(
            sentence(&selectors),
            "dana (role Admin) changed which events CloudTrail trail main-trail records (event \
             selectors) from 203.0.113.50"
        );
        let recorder = call(
            session("", "Admin", "dana"),
            "config",
            "StopConfigurationRecorder",
            "203.0.113.50",
            json!({"requestParameters": {"configurationRecorderName": "default"}}),
        );
        assert_eq!(
            sentence(&recorder),
            "dana (role Admin) stopped Config recorder default from 203.0.113.50"
        );
    }

    #[test]
    fn services_roles_and_reads_read_plainly() {
        let role = "arn:aws:iam::111122223333:role/service-role/resize-images-role";
        let assume = call(
            json!({"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}),
            "sts",
            "AssumeRole",
            "lambda.amazonaws.com",
            json!({
                "readOnly": true,
                "requestParameters": {"roleArn": role, "roleSessionName": "resize-images"},
                "resources": [{"accountId": ACCOUNT, "type": "AWS::IAM::Role", "ARN": role}]
            }),
        );
        assert_eq!(
            sentence(&assume),
            "Lambda (AWS service) assumed IAM role resize-images-role"
        );
        let decrypt = call(
            session("service-role/", "resize-images-role", "resize-images"),
            "kms",
            "Decrypt",
            "54.160.10.21",
            json!({
                "readOnly": true,
                "resources": [{
                    "accountId": ACCOUNT, "type": "AWS::KMS::Key",
                    "ARN": "arn:aws:kms:us-east-1:111122223333:key/6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b"
                }]
            }),
        );
        assert_eq!(
            sentence(&decrypt),
            "resize-images (role resize-images-role) decrypted data with KMS key \
             6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b from 54.160.10.21"
        );
        let get = call(
            session("", "app-server", "i-0a1b2c3d4e5f67890"),
            "s3",
            "GetObject",
            "10.0.12.34",
            json!({
                "readOnly": true,
                "eventCategory": "Data",
                "requestParameters": {"bucketName": "acme-reports", "key": "2026/03/q1-payroll.csv"},
                "resources": [
                    {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::acme-reports/2026/03/q1-payroll.csv"},
                    {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::acme-reports"}
                ]
            }),
        );
        assert_eq!(
            sentence(&get),
            "EC2 instance i-0a1b2c3d4e5f67890 (role app-server) read object 2026/03/q1-payroll.csv \
             in S3 bucket acme-reports from 10.0.12.34"
        );
        let read = |service: &str, name: &str| {
            sentence(&call(
                iam_user("bob"),
                service,
                name,
                "198.51.100.23",
                json!({"readOnly": true}),
            ))
        };
        assert_eq!(
            read("ec2", "DescribeInstances"),
            "bob (IAM user) looked up EC2 instances from 198.51.100.23"
        );
        assert_eq!(
            read("iam", "ListUsers"),
            "bob (IAM user) listed IAM users from 198.51.100.23"
        );
        assert_eq!(
            read("sts", "GetCallerIdentity"),
            "bob (IAM user) checked which AWS identity they are using from 198.51.100.23"
        );
        assert_eq!(
            read("iam", "GetAccountPasswordPolicy"),
            "bob (IAM user) read the IAM account password policy from 198.51.100.23"
        );
    }

    #[test]
    fn launched_instances_and_unknown_calls_fall_back_to_readable_words() {
        let run = call(
            iam_user("deploy"),
            "ec2",
            "RunInstances",
            "198.51.100.77",
            json!({
                "requestParameters": {"instancesSet": {"items": [{"imageId": "ami-0abcdef1234567890"}]}},
                "responseElements": {"instancesSet": {"items": [{"instanceId": "i-0fedcba9876543210"}]}}
            }),
        );
        assert_eq!(
            sentence(&run),
            "deploy (IAM user) launched EC2 instance i-0fedcba9876543210 from 198.51.100.77"
        );
        let mut two = run.clone();
        two.as_object_mut().unwrap().remove("target");
        assert_eq!(
            sentence(&two),
            "deploy (IAM user) launched EC2 instances from 198.51.100.77"
        );
        let odd = call(
            iam_user("alice"),
            "ec2",
            "FrobnicateWidget",
            "203.0.113.7",
            json!({}),
        );
        assert_eq!(
            sentence(&odd),
            "alice (IAM user) ran FrobnicateWidget on EC2 from 203.0.113.7"
        );
        let unknown_service = call(
            iam_user("alice"),
            "frobozz",
            "ListWidgets",
            "203.0.113.7",
            json!({"readOnly": true}),
        );
        assert_eq!(
            sentence(&unknown_service),
            "alice (IAM user) listed frobozz widgets from 203.0.113.7"
        );
    }

    #[test]
    fn data_reads_secrets_and_insights_read_plainly() {
        let item = call(
            session("", "app-server", "i-0a1b2c3d4e5f67890"),
            "dynamodb",
            "GetItem",
            "10.0.12.34",
            json!({"readOnly": true, "requestParameters": {"tableName": "orders", "key": {"id": {"S": "1"}}}}),
        );
        assert_eq!(
            sentence(&item),
            "EC2 instance i-0a1b2c3d4e5f67890 (role app-server) read an item from DynamoDB table orders \
             from 10.0.12.34"
        );
        let secret = call(
            iam_user("deploy"),
            "secretsmanager",
            "GetSecretValue",
            "198.51.100.200",
            json!({"readOnly": true, "requestParameters": {"secretId": "prod/db-password"}}),
        );
        assert_eq!(
            sentence(&secret),
            "deploy (IAM user) read the value of Secrets Manager secret prod/db-password from 198.51.100.200"
        );
        let mut insight = call(
            json!(null),
            "s3",
            "PutObject",
            "",
            json!({
                "eventType": "AwsCloudTrailInsight",
                "eventCategory": "Insight",
                "insightDetails": {
                    "state": "Start",
                    "eventSource": "s3.amazonaws.com",
                    "eventName": "PutObject",
                    "insightType": "ApiCallRateInsight"
                }
            }),
        );
        assert_eq!(
            sentence(&insight),
            "CloudTrail Insights: an unusual call rate of PutObject on S3 began"
        );
        insight["context"]["insight_details"]["state"] = json!("End");
        assert!(sentence(&insight).ends_with("on S3 ended"));
    }

    #[test]
    fn masked_values_stay_masked() {
        let mut delete = call(
            iam_user("alice"),
            "s3",
            "DeleteBucket",
            "203.0.113.7",
            json!({"errorCode": "AccessDenied", "requestParameters": {"bucketName": "acme-logs"}}),
        );
        delete["actor"]["name"] = json!("••••");
        delete["target"]["name"] = json!("••••");
        delete["source"]["ip"] = json!("••••");
        assert_eq!(
            sentence(&delete),
            "•••• (IAM user) tried to delete S3 bucket •••• — refused: AccessDenied"
        );
    }

    #[test]
    fn a_lookup_summary_without_its_record_says_the_outcome_is_not_recorded() {
        let item = json!({
            "EventId": "5e6f7a8b-1111-4222-8333-0123456789ab",
            "EventName": "DeleteTrail",
            "EventTime": 1_772_357_400.0,
            "EventSource": "cloudtrail.amazonaws.com",
            "Username": "dana",
            "Resources": [{
                "ResourceType": "AWS::CloudTrail::Trail",
                "ResourceName": "arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events"
            }]
        });
        let event = normalize_lookup_event(&item).unwrap();
        assert_eq!(
            sentence(&event),
            "dana deleted CloudTrail trail management-events (outcome not recorded)"
        );
    }

    #[test]
    fn names_from_a_record_stay_one_line_of_plain_text() {
        let delete = call(
            iam_user("eve\n<b>x</b>\u{202E}"),
            "s3",
            "DeleteBucket",
            "not an address",
            json!({"requestParameters": {"bucketName": "acme\r\nlogs"}}),
        );
        assert_eq!(
            sentence(&delete),
            "eve <b>x</b>\u{FFFD} (IAM user) deleted S3 bucket acme  logs"
        );
        // A value is inserted into a template as it is, never read as one.
        let get = call(
            iam_user("bob"),
            "s3",
            "GetObject",
            "192.0.2.1",
            json!({"requestParameters": {"bucketName": "{target}", "key": "[{rules}]"}}),
        );
        assert_eq!(
            sentence(&get),
            "bob (IAM user) read object [{rules}] in S3 bucket {target} from 192.0.2.1"
        );
    }

    #[test]
    fn our_own_events_with_a_context_are_not_taken_for_aws_calls() {
        let e = event(
            "order.deleted",
            user("Noor Miller"),
            order("Order #1842"),
            json!({"context": {"event_source": "crm.internal"}}),
        );
        assert_eq!(sentence(&e), "Noor Miller deleted Order #1842");
    }
}
