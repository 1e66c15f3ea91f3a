//! Office systems: service accounts and scopes, batch creation, webhooks, the audit log.

use clap::Parser;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use rectify_tests::{spawn_app, Receiver, TestApp};

fn service_account(app: &TestApp, org: i64, scopes: &[&str]) -> (i64, String) {
    let created = app
        .post(
            "/api/v1/service-accounts",
            &app.admin_token,
            &json!({"name": "区委组织部党建平台", "organization_id": org, "scopes": scopes}),
        )
        .expect(201);
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("rct_"));
    (created["account"]["id"].as_i64().unwrap(), token)
}

fn review_body(org: i64) -> Value {
    json!({"organization_id": org, "title": "2026年度组织生活会", "kind": "organizational_life", "held_on": "2026-11-20"})
}

#[test]
fn a_read_only_token_reads_its_subtree_and_is_refused_any_write() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let (id, token) = service_account(&app, cast.org, &["read"]);

    let account = app
        .get(&format!("/api/v1/service-accounts/{id}"), &app.admin_token)
        .expect(200);
    assert_eq!(account["scopes"], json!(["read"]));
    assert_eq!(account["last_used_at"], Value::Null);
    assert!(
        account.to_string().find(&token).is_none(),
        "the secret is never shown again"
    );
    assert_eq!(account["tokens"][0]["prefix"], &token[..12]);

    app.get(&format!("/api/v1/reviews/{review}"), &token)
        .expect(200);
    app.post("/api/v1/reviews", &token, &review_body(cast.org))
        .problem(403, "insufficient_scope");
    app.patch(
        &format!("/api/v1/reviews/{review}"),
        &token,
        &json!({"title": "改"}),
    )
    .problem(403, "insufficient_scope");
    app.post("/api/v1/problems/batch", &token, &json!({"problems": []}))
        .problem(403, "insufficient_scope");
    // Its subtree only: the sibling community does not exist for it.
    let sibling_review = app.review(&cast.sibling, cast.sibling_org);
    app.get(&format!("/api/v1/reviews/{sibling_review}"), &token)
        .problem(404, "not_found");

    let account = app
        .get(&format!("/api/v1/service-accounts/{id}"), &app.admin_token)
        .expect(200);
    assert!(account["last_used_at"].is_string(), "{account}");
    assert!(account["tokens"][0]["last_used_at"].is_string());

    // Only admins manage service accounts.
    app.post(
        "/api/v1/service-accounts",
        &cast.coordinator,
        &json!({"name": "x", "organization_id": cast.org, "scopes": ["read"]}),
    )
    .problem(403, "forbidden");
    app.post(
        "/api/v1/service-accounts",
        &app.admin_token,
        &json!({"name": "x", "organization_id": cast.org, "scopes": []}),
    )
    .problem(422, "validation_failed");
}

#[test]
fn tokens_rotate_and_a_revoked_token_stops_at_once() {
    let app = spawn_app();
    let cast = app.cast();
    let (id, first) = service_account(&app, cast.org, &["read", "write"]);
    let created = app
        .post("/api/v1/reviews", &first, &review_body(cast.org))
        .expect(201);
    assert_eq!(created["organization_id"], cast.org);

    let second = app
        .post(
            &format!("/api/v1/service-accounts/{id}/tokens"),
            &app.admin_token,
            &json!({}),
        )
        .expect(201);
    let (second_token, second_id) = (
        second["token"].as_str().unwrap().to_owned(),
        second["token_id"].as_i64().unwrap(),
    );
    let first_id = second["account"]["tokens"][0]["id"].as_i64().unwrap();
    assert_ne!(first_id, second_id);
    app.get("/api/v1/reviews", &first).expect(200);
    app.get("/api/v1/reviews", &second_token).expect(200);

    app.call(
        "DELETE",
        &format!("/api/v1/service-accounts/{id}/tokens/{first_id}"),
        Some(&app.admin_token),
        None,
    )
    .expect(200);
    app.get("/api/v1/reviews", &first)
        .problem(401, "token_revoked");
    app.get("/api/v1/reviews", &second_token).expect(200);

    app.patch(
        &format!("/api/v1/service-accounts/{id}"),
        &app.admin_token,
        &json!({"active": false}),
    )
    .expect(200);
    app.get("/api/v1/reviews", &second_token)
        .problem(401, "token_revoked");
    app.get("/api/v1/reviews", "rct_0000")
        .problem(401, "invalid_token");
}

#[test]
fn a_batch_is_created_all_or_nothing_with_each_failure_named() {
    let mut app = spawn_app();
    // A thousand problems is more than the tests' usual body limit, not the service's (1 MiB).
    app.settings.max_body_bytes = 1 << 20;
    app.restart();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let measure = app.measure(&cast.coordinator, review, &[], json!({}));
    let item = |title: &str| json!({"review_id": review, "title": title, "owner_id": cast.owner_id, "deadline": "2026-12-31", "measure_ids": [measure]});
    let count = || {
        app.get("/api/v1/problems?total=true", &cast.coordinator)
            .expect(200)["total"]
            .as_i64()
            .unwrap()
    };

    let bad = json!({"problems": [item("甲"), item(""), {"review_id": 999999, "title": "丙"}, item("丁")]});
    let problem = app
        .post("/api/v1/problems/batch", &cast.coordinator, &bad)
        .problem(422, "validation_failed");
    assert_eq!(
        problem["errors"][0]["field"], "problems[1].title",
        "{problem}"
    );
    // Past the field rules, the records: the unknown review is named by index too.
    let bad = json!({"problems": [item("甲"), {"review_id": 999999, "title": "丙"}, item("丁")]});
    let problem = app
        .post("/api/v1/problems/batch", &cast.coordinator, &bad)
        .problem(422, "batch_invalid");
    assert_eq!(
        problem["errors"],
        json!([{"field": "problems[1].review_id", "code": "exists", "message": "review 999999 does not exist"}])
    );
    assert_eq!(count(), 0, "nothing was written");

    let many: Vec<Value> = (0..1001).map(|i| item(&format!("问题{i}"))).collect();
    app.post(
        "/api/v1/problems/batch",
        &cast.coordinator,
        &json!({"problems": many}),
    )
    .problem(422, "validation_failed");

    let good = json!({"problems": (1..=3).map(|i| item(&format!("问题{i}"))).collect::<Vec<_>>()});
    let send = || {
        app.send(
            "POST",
            "/api/v1/problems/batch",
            &[
                ("authorization", &format!("Bearer {}", cast.coordinator)),
                ("content-type", "application/json"),
                ("idempotency-key", "oa-batch-0001"),
            ],
            good.to_string().into_bytes(),
        )
    };
    let created = send().expect(201);
    let keys: Vec<&str> = created["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["DFSQ-1", "DFSQ-2", "DFSQ-3"]);
    assert_eq!(created["problems"][2]["measure_ids"], json!([measure]));
    assert_eq!(send().expect(201), created, "a retry gets the first answer");
    assert_eq!(count(), 3);

    let thousand: Vec<Value> = (0..1000).map(|i| item(&format!("批量问题{i}"))).collect();
    let created = app
        .post(
            "/api/v1/problems/batch",
            &cast.coordinator,
            &json!({"problems": thousand}),
        )
        .expect(201);
    assert_eq!(created["problems"].as_array().unwrap().len(), 1000);
    assert_eq!(count(), 1003);
}

fn hmac_hex(secret: &str, message: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(message.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

const SECRET: &str = "a-shared-secret-of-the-office-system";

fn subscribe(app: &TestApp, receiver: &Receiver, org: i64, events: &[&str]) -> i64 {
    app.post(
        "/api/v1/webhooks",
        &app.admin_token,
        &json!({"url": receiver.url, "events": events, "organization_id": org, "secret": SECRET}),
    )
    .expect(201)["id"]
        .as_i64()
        .unwrap()
}

fn with_jobs() -> TestApp {
    let mut app = spawn_app();
    app.settings.background_jobs = true;
    app.restart();
    app
}

#[test]
fn a_webhook_arrives_signed_and_only_for_its_subtree() {
    let app = with_jobs();
    let cast = app.cast();
    let receiver = Receiver::start(&[]);
    let hook = subscribe(
        &app,
        &receiver,
        cast.org,
        &["problem.created", "problem.transitioned"],
    );
    let sibling_review = app.review(&cast.sibling, cast.sibling_org);
    app.problem(
        &cast.sibling,
        json!({"review_id": sibling_review, "title": "别处的问题"}),
    );
    let review = app.review(&cast.coordinator, cast.org);
    let problem = app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "对物业管理问题跟踪督促不够"}),
    );

    let got = receiver.wait_for(1);
    let request = &got[0];
    let timestamp = &request.headers["x-rectify-timestamp"];
    assert_eq!(
        request.headers["x-rectify-signature"],
        format!(
            "sha256={}",
            hmac_hex(SECRET, &format!("{timestamp}.{}", request.body))
        )
    );
    assert_eq!(request.headers["x-rectify-event"], "problem.created");
    let body: Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(body["event"], "problem.created");
    assert_eq!(body["id"], request.headers["x-rectify-delivery"].as_str());
    assert_eq!(body["data"]["key"], problem["key"]);
    assert_eq!(body["data"]["title"], "对物业管理问题跟踪督促不够");

    let deliveries = app
        .get(
            &format!("/api/v1/webhooks/{hook}/deliveries"),
            &app.admin_token,
        )
        .expect(200);
    assert_eq!(
        deliveries["items"].as_array().unwrap().len(),
        1,
        "the sibling's problem is not sent"
    );
}

#[test]
fn a_receiver_that_fails_twice_gets_exactly_one_successful_delivery() {
    let app = with_jobs();
    let cast = app.cast();
    let receiver = Receiver::start(&[500, 503]);
    let hook = subscribe(&app, &receiver, cast.org, &["problem.created"]);
    let review = app.review(&cast.coordinator, cast.org);
    app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "问题"}),
    );

    // Retries are due on the service's clock: each waits until the clock passes its time.
    let attempts = |n: usize| {
        poll(
            &app,
            &format!("/api/v1/webhooks/{hook}/deliveries"),
            |page| page["items"][0]["attempts"] == n,
        )
    };
    receiver.wait_for(1);
    let first = attempts(1);
    assert_eq!(first["items"][0]["status"], "pending");
    let retry_at: chrono::DateTime<chrono::Utc> = first["items"][0]["next_attempt_at"]
        .as_str()
        .expect("a retry is scheduled")
        .parse()
        .unwrap();
    assert!(retry_at > app.now(), "the retry waits for the clock");
    assert_eq!(receiver.received().len(), 1, "no retry before its time");
    app.advance(chrono::Duration::seconds(1));
    receiver.wait_for(2);
    attempts(2);
    app.advance(chrono::Duration::seconds(1));
    let got = receiver.wait_for(3);
    let answered: Vec<u16> = got.iter().map(|r| r.answered).collect();
    assert_eq!(answered, [500, 503, 200]);
    let ids: Vec<&String> = got
        .iter()
        .map(|r| &r.headers["x-rectify-delivery"])
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "one delivery, retried");

    let delivery = poll(
        &app,
        &format!("/api/v1/webhooks/{hook}/deliveries"),
        |page| page["items"][0]["status"] == "delivered",
    )["items"][0]
        .clone();
    assert_eq!(delivery["attempts"], 3);
    let statuses: Vec<&Value> = delivery["attempt_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["status_code"])
        .collect();
    assert_eq!(statuses, [&json!(500), &json!(503), &json!(200)]);
    assert_eq!(receiver.received().len(), 3, "nothing more was sent");

    // A delivered one can be sent again on request, under the same id.
    let id = delivery["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/webhook-deliveries/{id}/resend"),
        &app.admin_token,
        &json!({}),
    )
    .expect(200);
    let again = receiver.wait_for(4);
    assert_eq!(again[3].headers["x-rectify-delivery"], *ids[0]);
}

#[test]
fn a_group_robot_that_answers_200_with_an_error_code_is_retried_not_counted_delivered() {
    let app = with_jobs();
    let cast = app.cast();
    let robot = Receiver::robot(&[93000]);
    let hook = subscribe(&app, &robot, cast.org, &["problem.created"]);
    let review = app.review(&cast.coordinator, cast.org);
    app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "问题"}),
    );
    robot.wait_for(1);
    let refused = poll(
        &app,
        &format!("/api/v1/webhooks/{hook}/deliveries"),
        |page| page["items"][0]["attempts"] == 1,
    );
    let first = &refused["items"][0];
    assert_eq!(first["status"], "pending", "{first}");
    let error = first["attempt_log"][0]["error"].as_str().unwrap();
    assert!(error.contains("errcode 93000"), "{error}");
    app.advance(chrono::Duration::seconds(1));
    robot.wait_for(2);
    let delivered = poll(
        &app,
        &format!("/api/v1/webhooks/{hook}/deliveries"),
        |page| page["items"][0]["status"] == "delivered",
    );
    assert_eq!(delivered["items"][0]["attempts"], 2);
}

#[test]
fn a_webhook_carries_on_the_trace_of_the_request_that_caused_it() {
    let app = with_jobs();
    let cast = app.cast();
    let receiver = Receiver::start(&[]);
    subscribe(&app, &receiver, cast.org, &["problem.created"]);
    let review = app.review(&cast.coordinator, cast.org);
    let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let body = json!({"review_id": review, "title": "带追踪的问题"}).to_string();
    let auth = format!("Bearer {}", cast.coordinator);
    app.send(
        "POST",
        "/api/v1/problems",
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
            ("traceparent", incoming),
        ],
        body.into_bytes(),
    )
    .expect(201);
    // Without a trace of its own, a request starts one; its webhook carries that.
    app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "不带追踪的问题"}),
    );
    let got = receiver.wait_for(2);
    let traces: Vec<&str> = got
        .iter()
        .map(|r| r.headers["traceparent"].as_str())
        .collect();
    let parts: Vec<Vec<&str>> = traces.iter().map(|t| t.split('-').collect()).collect();
    // The same trace, a span of the delivery's own.
    assert_eq!(
        parts[0][1], "4bf92f3577b34da6a3ce929d0e0e4736",
        "{traces:?}"
    );
    assert_ne!(parts[0][2], "00f067aa0ba902b7");
    assert_eq!((parts[0][0], parts[0][3]), ("00", "01"));
    assert_eq!(parts[1].len(), 4);
    assert_ne!(parts[1][1], parts[0][1], "{traces:?}");
    assert_eq!(parts[1][1].len(), 32);
}

/// Polls a GET until `done` holds (bounded).
#[track_caller]
fn poll(app: &TestApp, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let value = app.get(path, &app.admin_token).expect(200);
        if done(&value) {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{path} never got there: {value}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn two_servers_on_one_database_send_each_delivery_once() {
    let app = with_jobs();
    let twin = app.second_server();
    let cast = app.cast();
    let receiver = Receiver::start(&[]);
    let hook = subscribe(&app, &receiver, cast.org, &["problem.created"]);
    let review = app.review(&cast.coordinator, cast.org);
    let problems: Vec<Value> = (0..40)
        .map(|i| json!({"review_id": review, "title": format!("问题{i}")}))
        .collect();
    twin.post(
        "/api/v1/problems/batch",
        &cast.coordinator,
        &json!({"problems": problems}),
    )
    .expect(201);

    let got = receiver.wait_for(40);
    let page = poll(
        &app,
        &format!("/api/v1/webhooks/{hook}/deliveries?limit=100"),
        |page| {
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["status"] == "delivered")
        },
    );
    // Each delivery was attempted once, by one of the two workers.
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 40);
    assert!(items.iter().all(|d| d["attempts"] == 1), "{page}");
    let mut ids: Vec<&String> = got
        .iter()
        .map(|r| &r.headers["x-rectify-delivery"])
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 40);
    assert_eq!(receiver.received().len(), 40);
}

#[test]
fn a_change_made_before_a_crash_is_delivered_after_the_restart() {
    // The server records the change and its delivery, then stops before any worker runs.
    let mut app = spawn_app();
    let cast = app.cast();
    let receiver = Receiver::start(&[]);
    subscribe(&app, &receiver, cast.org, &["problem.created"]);
    let review = app.review(&cast.coordinator, cast.org);
    let problem = app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "重启后送达"}),
    );
    app.stop();
    assert!(receiver.received().is_empty());

    app.settings.background_jobs = true;
    app.restart();
    let got = receiver.wait_for(1);
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["data"]["id"], problem["id"]);
}

#[test]
fn problem_overdue_fires_once_per_deadline_on_the_day_it_is_overdue() {
    let app = with_jobs();
    let cast = app.cast();
    let receiver = Receiver::start(&[]);
    let hook = subscribe(&app, &receiver, cast.org, &["problem.overdue"]);
    let review = app.review(&cast.coordinator, cast.org);
    let (id, _) = app.ready_problem(&cast, review, "逾期问题", "2026-11-30");
    app.act(&cast.coordinator, id, "confirm", None).expect(200);
    assert!(receiver.received().is_empty());

    // 1 December in Shanghai: the deadline has passed.
    app.set_now("2026-11-30T17:00:00Z");
    let got = receiver.wait_for(1);
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["event"], "problem.overdue");
    assert_eq!(body["data"]["id"], id);
    assert_eq!(body["data"]["days_overdue"], 1);

    // Later scans, on later days, fire nothing more for the same deadline.
    let db = app.db();
    for now in ["2026-12-01T02:00:00Z", "2026-12-05T02:00:00Z"] {
        let fired = rectify::delivery::notice_overdue(&db, now.parse().unwrap()).unwrap();
        assert_eq!(fired, 0);
    }
    let deliveries = app
        .get(
            &format!("/api/v1/webhooks/{hook}/deliveries"),
            &app.admin_token,
        )
        .expect(200);
    assert_eq!(deliveries["items"].as_array().unwrap().len(), 1);
}

#[test]
fn a_wecom_robot_gets_a_line_people_read_when_a_problem_goes_overdue() {
    let app = with_jobs();
    let cast = app.cast();
    let robot = Receiver::robot(&[]);
    app.post(
        "/api/v1/webhooks",
        &app.admin_token,
        &json!({"url": robot.url, "kind": "wecom", "events": ["problem.overdue"], "organization_id": cast.org}),
    )
    .expect(201);
    let review = app.review(&cast.coordinator, cast.org);
    let (id, _) = app.ready_problem(&cast, review, "逾期问题", "2026-11-30");
    let key = app.act(&cast.coordinator, id, "confirm", None).expect(200)["key"]
        .as_str()
        .unwrap()
        .to_owned();
    app.set_now("2026-11-30T17:00:00Z");
    let got = robot.wait_for(1);
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["msgtype"], "markdown");
    let content = body["markdown"]["content"].as_str().unwrap();
    assert!(
        content.starts_with(&format!(
            "**整改逾期提醒**\n- {key} 逾期问题（东风社区党委，责任人"
        )),
        "{content}"
    );
    assert!(content.contains("整改时限2026-11-30"), "{content}");
    // WeCom checks no signature: the address holds the robot's key, and nothing is added.
    assert_eq!(got[0].target, "/hooks/rectify");
}

#[test]
fn the_scheduled_digest_goes_out_when_the_clock_crosses_into_the_next_week() {
    let app = with_jobs();
    let cast = app.cast();
    let receiver = Receiver::start(&[]);
    subscribe(&app, &receiver, cast.org, &["digest.weekly"]);
    let review = app.review(&cast.coordinator, cast.org);
    let (id, _) = app.ready_problem(&cast, review, "周报里的逾期问题", "2026-11-24");
    app.act(&cast.coordinator, id, "confirm", None).expect(200);
    let deliveries = |week: &str| {
        app.get(
            &format!("/api/v1/reports/digest/deliveries?week={week}"),
            &app.admin_token,
        )
        .expect(200)
    };

    // Sunday 29 November, 23:00 in Shanghai: still week 48, so the scheduled run covers
    // week 47 (nothing then) and nothing of week 48 goes out.
    app.set_now("2026-11-29T15:00:00Z");
    poll(
        &app,
        "/api/v1/reports/digest/deliveries?week=2026-W47",
        |page| {
            page.as_array()
                .is_some_and(|rows| rows.iter().any(|r| r["status"] == "empty"))
        },
    );
    assert_eq!(deliveries("2026-W48"), json!([]));
    assert!(receiver.received().is_empty());

    // Monday 30 November, 09:00 in Shanghai: week 48's digest goes out.
    app.set_now("2026-11-30T01:00:00Z");
    let got = receiver.wait_for(1);
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["event"], "digest.weekly");
    assert_eq!(body["data"]["digest"]["week"], "2026-W48");
    let overdue = &body["data"]["digest"]["newly_overdue"];
    assert!(
        overdue
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["title"] == "周报里的逾期问题"),
        "{overdue}"
    );
}

#[test]
fn every_write_is_in_the_audit_log_with_its_actor_request_and_changes() {
    let app = spawn_app();
    let cast = app.cast();
    app.try_login("coord", "wrong-password")
        .problem(401, "invalid_credentials");
    let review = app.review(&cast.coordinator, cast.org);
    app.review(&cast.sibling, cast.sibling_org);
    let reply = app.send(
        "PATCH",
        &format!("/api/v1/reviews/{review}"),
        &[
            ("authorization", &format!("Bearer {}", cast.coordinator)),
            ("content-type", "application/json"),
            ("x-request-id", "oa-req-42"),
        ],
        json!({"title": "2026年度专题组织生活会"})
            .to_string()
            .into_bytes(),
    );
    reply.expect(200);

    let entries = app
        .get(
            &format!("/api/v1/audit?entity_type=review&entity_id={review}"),
            &cast.auditor,
        )
        .expect(200);
    let items = entries["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["action"], "review.create");
    assert_eq!(items[1]["action"], "review.update");
    assert_eq!(items[1]["request_id"], "oa-req-42");
    assert_eq!(items[1]["actor_name"], "coord");
    assert!(items[1]["actor"].as_str().unwrap().starts_with("user:"));
    assert_eq!(
        items[1]["changes"],
        json!({"title": ["2026年度组织生活会", "2026年度专题组织生活会"]})
    );

    let failed = app
        .get(
            "/api/v1/audit?action=session.login_failed",
            &app.admin_token,
        )
        .expect(200);
    assert_eq!(failed["items"][0]["actor_name"], "coord");
    // Secrets never reach the log.
    let users = app
        .get("/api/v1/audit?entity_type=user", &app.admin_token)
        .expect(200);
    assert!(!users.to_string().contains("argon2"), "{users}");
    // Auditors see their subtree; others may not read the log.
    let sibling = app
        .get("/api/v1/audit?action=review.create", &cast.auditor)
        .expect(200);
    assert_eq!(sibling["items"].as_array().unwrap().len(), 1);
    app.get("/api/v1/audit", &cast.coordinator)
        .problem(403, "forbidden");
    app.get("/api/v1/audit/verify", &cast.owner)
        .problem(403, "forbidden");
}

#[test]
fn the_chain_holds_after_a_thousand_concurrent_writes_and_names_an_altered_row() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let problem = app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "并发写入"}),
    );
    let id = problem["id"].as_i64().unwrap();
    std::thread::scope(|s| {
        for t in 0..8 {
            let (app, token) = (&app, &cast.coordinator);
            s.spawn(move || {
                for n in 0..125 {
                    app.post(
                        &format!("/api/v1/problems/{id}/notes"),
                        token,
                        &json!({"body": format!("进展 {t}-{n}")}),
                    )
                    .expect(201);
                }
            });
        }
    });
    let verified = app
        .get("/api/v1/audit/verify", &app.admin_token)
        .expect(200);
    assert_eq!(verified["ok"], true, "{verified}");
    assert_eq!(verified["first_broken"], Value::Null);
    let entries = verified["entries"].as_i64().unwrap();
    assert!(entries >= 1000 + 8, "{verified}");
    let notes = app
        .get(
            "/api/v1/audit?action=note.create&limit=200",
            &app.admin_token,
        )
        .expect(200);
    let seqs: Vec<i64> = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));

    // A database administrator rewrites one entry with plain SQL, past the append-only trigger.
    let tamper = "UPDATE audit_log SET changes = '{\"body\":[null,\"篡改\"]}' WHERE seq = 500;";
    if rectify_tests::on_postgres() {
        app.sql(&format!(
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_rewrite; {tamper}"
        ));
    } else {
        app.sql(&format!("DROP TRIGGER audit_log_no_update; {tamper}"));
    }
    let verified = app
        .get("/api/v1/audit/verify", &app.admin_token)
        .expect(200);
    assert_eq!(
        verified,
        json!({"ok": false, "entries": entries, "first_broken": 500})
    );

    let cli = rectify::cli::Cli::try_parse_from(["rectify", "audit", "verify"]).unwrap();
    let error = rectify::cli::execute(&app.settings, app.clock(), cli.command, &mut Vec::new())
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("the audit log is broken at entry 500 ({entries} entries read)")
    );
}

#[test]
fn the_append_only_trigger_refuses_a_rewrite_through_the_database() {
    let app = spawn_app();
    app.cast();
    let refused = app
        .try_sql("UPDATE audit_log SET actor = 'x' WHERE seq = 1;")
        .expect_err("the audit log refuses updates");
    assert!(refused.contains("append-only"), "{refused}");
    app.try_sql("DELETE FROM audit_log WHERE seq = 1;")
        .expect_err("the audit log refuses deletes");
    let cli = rectify::cli::Cli::try_parse_from(["rectify", "audit", "verify"]).unwrap();
    let mut out = Vec::new();
    rectify::cli::execute(&app.settings, app.clock(), cli.command, &mut out).unwrap();
    assert!(String::from_utf8(out)
        .unwrap()
        .starts_with("audit log intact:"));
}
