//! The authorization matrix: every operation of the committed OpenAPI document (so a new
//! endpoint joins by being documented) × every kind of caller × a record inside the caller's
//! subtree, outside it, or not existing. Inside, each caller gets what the `INSIDE` table
//! says. What must hold everywhere:
//! - no 5xx, whatever the caller and the record;
//! - a record outside the subtree answers exactly as one that does not exist, never 2xx;
//! - without credentials, only the public operations answer anything but 401;
//! - a read-only service token and an auditor never get a 2xx from a write.

use std::collections::BTreeMap;

use rectify_tests::{json, spawn_app, TestApp, Value};

const NONEXISTENT: i64 = 987_654;
/// Operations anyone may call.
const PUBLIC: [&str; 4] = [
    "POST /api/v1/auth/login",
    "GET /healthz",
    "GET /readyz",
    "GET /version",
];
/// Writes a caller makes on their own account, allowed to every signed-in person.
const OWN_ACCOUNT: [&str; 1] = ["POST /api/v1/auth/password"];

fn operations() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(rectify_openapi::committed_path()).unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                found.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    found
}

/// The kind of record a path's `{id}` names: the segment before it.
fn kind_of(path: &str) -> &str {
    let parts: Vec<&str> = path.split('/').collect();
    parts
        .iter()
        .position(|p| *p == "{id}")
        .map(|i| parts[i - 1])
        .unwrap_or("")
}

/// What each caller of the record's own community gets from an operation on it, with the
/// empty body the matrix sends: `2` a 2xx, `F` 403 (their role may not), `B` 400/415/422 (the
/// body is checked: the role may, or the body is read before the role is asked), `C` 409 (the
/// role may; the record's state does not allow it, as a document of a problem not closed out).
/// Columns:
/// coordinator, owner, auditor, read-only service token, read-write service token. Every
/// operation on a record is listed: a new one fails the matrix until it is placed here.
const INSIDE: &[(&str, &str)] = &[
    ("GET /api/v1/causes/{id}", "22222"),
    ("PATCH /api/v1/causes/{id}", "2FFF2"),
    ("GET /api/v1/measures/{id}", "22222"),
    ("PATCH /api/v1/measures/{id}", "2FFF2"),
    ("GET /api/v1/organizations/{id}", "22222"),
    ("PATCH /api/v1/organizations/{id}", "FFFFF"),
    ("POST /api/v1/organizations/{id}/deactivate", "FFFFF"),
    ("GET /api/v1/problems/{id}", "22222"),
    ("PATCH /api/v1/problems/{id}", "2FFF2"),
    ("GET /api/v1/problems/{id}/evidence", "22222"),
    ("POST /api/v1/problems/{id}/evidence", "BFFFB"),
    ("POST /api/v1/problems/{id}/extensions", "BBBFB"),
    ("GET /api/v1/problems/{id}/history", "22222"),
    ("GET /api/v1/problems/{id}/closure.docx", "CCCCC"),
    ("GET /api/v1/problems/{id}/notes", "22222"),
    ("POST /api/v1/problems/{id}/notes", "BBBFB"),
    ("GET /api/v1/problems/{id}/rechecks", "22222"),
    ("POST /api/v1/problems/{id}/rechecks", "BBBFB"),
    ("POST /api/v1/problems/{id}/recurrence", "BBBFB"),
    ("GET /api/v1/supervision-notices/{id}", "22222"),
    ("GET /api/v1/supervision-notices/{id}/notice.docx", "22222"),
    ("GET /api/v1/problems/{id}/watchers", "22222"),
    ("POST /api/v1/problems/{id}/watchers", "BFFFF"),
    ("GET /api/v1/reviews/{id}/watchers", "22222"),
    ("POST /api/v1/reviews/{id}/watchers", "BFFFF"),
    ("DELETE /api/v1/watchers/{id}", "2FFFF"),
    ("POST /api/v1/supervision-notices/{id}/reply", "BBBFB"),
    ("POST /api/v1/problems/{id}/transitions", "BBBFB"),
    ("GET /api/v1/reviews/{id}", "22222"),
    ("GET /api/v1/reviews/{id}/report.docx", "22222"),
    ("PATCH /api/v1/reviews/{id}", "2FFF2"),
    ("GET /api/v1/service-accounts/{id}", "FFFFF"),
    ("PATCH /api/v1/service-accounts/{id}", "FFFFF"),
    ("POST /api/v1/service-accounts/{id}/tokens", "FFFFF"),
    (
        "DELETE /api/v1/service-accounts/{id}/tokens/{token_id}",
        "FFFFF",
    ),
    ("GET /api/v1/users/{id}", "22222"),
    ("PATCH /api/v1/users/{id}", "FFFFF"),
    ("POST /api/v1/users/{id}/deactivate", "FFFFF"),
    ("POST /api/v1/users/{id}/password", "BBBFB"),
    ("GET /api/v1/webhooks/{id}", "FFFFF"),
    ("PATCH /api/v1/webhooks/{id}", "FFFFF"),
    ("GET /api/v1/webhooks/{id}/deliveries", "FFFFF"),
];

fn expected_inside(operation: &str, caller: &str) -> Option<char> {
    let column = [
        "coordinator",
        "owner",
        "auditor",
        "service:read",
        "service:write",
    ]
    .iter()
    .position(|c| *c == caller)?;
    INSIDE
        .iter()
        .find(|(op, _)| *op == operation)
        .and_then(|(_, row)| row.chars().nth(column))
}

fn outcome(status: u16) -> char {
    match status {
        200..=299 => '2',
        403 => 'F',
        400 | 415 | 422 => 'B',
        409 => 'C',
        _ => '?',
    }
}

/// Ids of one record of each kind in one community (with a token id for service accounts).
struct Records(BTreeMap<&'static str, (i64, Option<i64>)>);

fn created(reply: rectify_tests::Reply) -> i64 {
    reply.expect(201)["id"].as_i64().unwrap()
}

/// One record of each kind in the community `org`, made by its coordinator.
fn records_in(app: &TestApp, org: i64, coordinator: &str, name: &str) -> Records {
    let (sibling_org, sibling) = (org, coordinator);
    let mut ids = BTreeMap::new();
    ids.insert("organizations", (sibling_org, None));
    ids.insert(
        "users",
        (
            app.create_user(&format!("{name}.owner"), "owner", sibling_org),
            None,
        ),
    );
    let review = app.review(sibling, sibling_org);
    ids.insert("reviews", (review, None));
    let problem = app.problem(sibling, json!({"review_id": review, "title": "西风的问题"}))["id"]
        .as_i64()
        .unwrap();
    ids.insert("problems", (problem, None));
    ids.insert(
        "causes",
        (
            created(app.post(
                "/api/v1/causes",
                sibling,
                &json!({"review_id": review, "title": "原因"}),
            )),
            None,
        ),
    );
    ids.insert(
        "measures",
        (app.measure(sibling, review, &[problem], json!({})), None),
    );
    let account = app
        .post(
            "/api/v1/service-accounts",
            &app.admin_token,
            &json!({"name": "西风系统", "organization_id": sibling_org, "scopes": ["read"]}),
        )
        .expect(201);
    ids.insert(
        "service-accounts",
        (
            account["account"]["id"].as_i64().unwrap(),
            account["token_id"].as_i64(),
        ),
    );
    let hook = app.post(
        "/api/v1/webhooks",
        &app.admin_token,
        &json!({"url": "http://127.0.0.1:9/hook", "events": ["problem.created"], "organization_id": sibling_org, "secret": "a-shared-secret-0123456789"}),
    );
    ids.insert("webhooks", (created(hook), None));
    let notice = app.post(
        "/api/v1/supervision-notices",
        &app.admin_token,
        &json!({"recipient_organization_id": sibling_org, "problem_ids": [problem], "subject": "督办通知"}),
    );
    ids.insert("supervision-notices", (created(notice), None));
    let watcher = app.post(
        &format!("/api/v1/problems/{problem}/watchers"),
        sibling,
        &json!({"organization_id": sibling_org}),
    );
    ids.insert("watchers", (created(watcher), None));
    Records(ids)
}

fn request(app: &TestApp, method: &str, path: &str, token: Option<&str>) -> u16 {
    let body = (method != "GET" && method != "DELETE").then(|| json!({}));
    app.call(method, path, token, body.as_ref()).status
}

#[test]
fn each_caller_gets_what_their_role_allows_inside_and_nothing_outside() {
    let app = spawn_app();
    let cast = app.cast();
    let outside = records_in(&app, cast.sibling_org, &cast.sibling, "west");
    let inside = records_in(&app, cast.org, &cast.coordinator, "east");
    let service = |scopes: Value| {
        app.post(
            "/api/v1/service-accounts",
            &app.admin_token,
            &json!({"name": "东风系统", "organization_id": cast.org, "scopes": scopes}),
        )
        .expect(201)["token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let callers: Vec<(&str, Option<String>)> = vec![
        ("anonymous", None),
        ("coordinator", Some(cast.coordinator.clone())),
        ("owner", Some(cast.owner.clone())),
        ("auditor", Some(cast.auditor.clone())),
        ("service:read", Some(service(json!(["read"])))),
        ("service:write", Some(service(json!(["read", "write"])))),
    ];

    let (mut requests, mut failures) = (0, Vec::new());
    for (method, path) in operations() {
        let operation = format!("{method} {path}");
        let is_write = method != "GET"
            && !PUBLIC.contains(&operation.as_str())
            && !OWN_ACCOUNT.contains(&operation.as_str());
        let kind = kind_of(&path);
        let placements: Vec<(&str, String)> = if path.contains("{id}") {
            let nonexistent = path
                .replace("{id}", &NONEXISTENT.to_string())
                .replace("{token_id}", &NONEXISTENT.to_string());
            let mut placed = vec![("nonexistent", nonexistent)];
            for (placement, records) in [("outside", &outside), ("inside", &inside)] {
                if let Some((id, token)) = records.0.get(kind) {
                    let there = path
                        .replace("{id}", &id.to_string())
                        .replace("{token_id}", &token.unwrap_or(NONEXISTENT).to_string());
                    placed.push((placement, there));
                }
            }
            placed
        } else {
            vec![("-", path.clone())]
        };
        for (caller, token) in &callers {
            let statuses: Vec<(&str, u16)> = placements
                .iter()
                .map(|(placement, url)| (*placement, request(&app, &method, url, token.as_deref())))
                .collect();
            requests += statuses.len();
            let mut fail =
                |why: String| failures.push(format!("{operation} as {caller}: {why} {statuses:?}"));
            if statuses.iter().any(|(_, s)| *s >= 500) {
                fail("a server error".to_owned());
            }
            if token.is_none()
                && !PUBLIC.contains(&operation.as_str())
                && statuses.iter().any(|(_, s)| *s != 401)
            {
                fail("answered without credentials".to_owned());
            }
            let by = |p: &str| {
                statuses
                    .iter()
                    .find(|(placement, _)| *placement == p)
                    .map(|(_, s)| *s)
            };
            if let (Some(outside), Some(nonexistent)) = (by("outside"), by("nonexistent")) {
                if outside != nonexistent {
                    fail(format!(
                        "outside ({outside}) is told from nonexistent ({nonexistent})"
                    ));
                }
            }
            if let (Some(status), true) = (by("inside"), token.is_some()) {
                match expected_inside(&operation, caller) {
                    Some(expected) if expected == outcome(status) => {}
                    Some(expected) => fail(format!("inside: expected {expected}, got {status}")),
                    None => fail("inside: not in the INSIDE table".to_owned()),
                }
            }
            if statuses
                .iter()
                .any(|(p, s)| !matches!(*p, "-" | "inside") && (200..300).contains(s))
            {
                fail("a 2xx on a record outside the subtree or missing".to_owned());
            }
            let read_only = matches!(*caller, "auditor" | "service:read");
            if read_only && is_write && statuses.iter().any(|(_, s)| (200..300).contains(s)) {
                fail("a read-only caller wrote".to_owned());
            }
        }
    }
    println!(
        "authorization matrix: {} operations, {} callers, {requests} requests, {} failures",
        operations().len(),
        callers.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(requests > 500, "the matrix ran {requests} requests");
}
