//! Supervision: 签收 (acknowledging in time), the lights, and how a closing comes out —
//! 持续整改 reopening on its review date, and an auditor's 未整改. Time moves on the injected
//! clock; the scan is run directly where a test needs to know what one round did.

use rectify::service::supervision::{scan, Scanned};
use rectify_tests::{json, spawn_app, Cast, Receiver, TestApp, Value, ADMIN_PASSWORD};

/// A problem of DFSQ with this deadline, confirmed on the app's day (2026-11-23 in Shanghai).
fn confirmed(app: &TestApp, cast: &Cast, deadline: &str) -> (i64, i64) {
    let review = app.review(&cast.coordinator, cast.org);
    let (id, measure) = app.ready_problem(cast, review, "物业服务投诉处理不及时", deadline);
    app.act(&cast.coordinator, id, "confirm", None).expect(200);
    (id, measure)
}

/// A problem submitted by its owner with a done measure and evidence, awaiting verification.
fn submitted(app: &TestApp, cast: &Cast) -> i64 {
    let (id, measure) = confirmed(app, cast, "2026-12-31");
    app.act(&cast.owner, id, "start", None).expect(200);
    app.patch(
        &format!("/api/v1/measures/{measure}"),
        &cast.owner,
        &json!({"done": true}),
    )
    .expect(200);
    app.attach_pdf(&cast.owner, id);
    app.act(&cast.owner, id, "submit", Some("已制定考核办法并执行"))
        .expect(200);
    id
}

fn get(app: &TestApp, token: &str, id: i64) -> Value {
    app.get(&format!("/api/v1/problems/{id}"), token)
        .expect(200)
}

fn transition(app: &TestApp, token: &str, id: i64, body: Value) -> rectify_tests::Reply {
    app.post(&format!("/api/v1/problems/{id}/transitions"), token, &body)
}

fn run_scan(app: &TestApp) -> Scanned {
    scan(&app.db(), app.now()).expect("the scan runs")
}

fn history(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    app.get(&format!("/api/v1/problems/{id}/history"), token)
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// A webhook to a local receiver; without the background jobs its deliveries stay queued.
fn subscribe(app: &TestApp, receiver: &Receiver, org: i64, events: &[&str]) -> i64 {
    app.post(
        "/api/v1/webhooks",
        &app.admin_token,
        &json!({"url": receiver.url, "events": events, "organization_id": org, "secret": "a-shared-secret-of-the-office-system"}),
    )
    .expect(201)["id"]
        .as_i64()
        .unwrap()
}

/// The events queued for a webhook, oldest first.
fn queued(app: &TestApp, hook: i64) -> Vec<Value> {
    let admin = app.login("admin", ADMIN_PASSWORD);
    let mut items = app
        .get(&format!("/api/v1/webhooks/{hook}/deliveries"), &admin)
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .clone();
    items.sort_by_key(|d| d["id"].as_i64());
    items
}

#[test]
fn a_problem_not_acknowledged_in_time_goes_late_and_is_chased_once() {
    let app = spawn_app();
    let cast = app.cast();
    let receiver = Receiver::start(&[]);
    let hook = subscribe(
        &app,
        &receiver,
        cast.org,
        &["problem.acknowledgement_overdue"],
    );
    let (id, _) = confirmed(&app, &cast, "2026-12-31");
    let problem = get(&app, &cast.owner, id);
    // Three days from confirming (the default policy), on the unit's calendar.
    assert_eq!(problem["acknowledge_by"], "2026-11-26");
    assert_eq!(problem["acknowledgement"], "pending");
    assert!(problem["acknowledged_at"].is_null());
    let actions = problem["allowed_actions"].as_array().unwrap();
    assert!(actions.contains(&json!("acknowledge")), "{problem}");

    // 23:59 on the last day in Shanghai: still in time.
    app.set_now("2026-11-26T15:59:00Z");
    assert_eq!(run_scan(&app).acknowledgements_late, 0);
    assert_eq!(get(&app, &cast.owner, id)["acknowledgement"], "pending");

    // Midnight: late, and chased once.
    app.set_now("2026-11-26T16:00:00Z");
    assert_eq!(run_scan(&app).acknowledgements_late, 1);
    assert_eq!(get(&app, &cast.owner, id)["acknowledgement"], "late");
    app.set_now("2026-11-28T02:00:00Z");
    assert_eq!(run_scan(&app), Scanned::default());
    let events = queued(&app, hook);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["event"], "problem.acknowledgement_overdue");

    // Acknowledging now keeps it late; the status stays open; it happens once.
    let cast = app.sign_in_again(&cast);
    let acknowledged = app.act(&cast.owner, id, "acknowledge", None).expect(200);
    assert_eq!(acknowledged["status"], "open");
    assert_eq!(acknowledged["acknowledgement"], "late");
    assert_eq!(acknowledged["acknowledged_at"], "2026-11-28T02:00:00Z");
    assert!(!acknowledged["allowed_actions"]
        .as_array()
        .unwrap()
        .contains(&json!("acknowledge")));
    app.act(&cast.owner, id, "acknowledge", None)
        .problem(409, "already_acknowledged");
    let last = history(&app, &cast.owner, id).pop().unwrap();
    assert_eq!(last["action"], "acknowledge");
    assert_eq!(last["from_status"], "open");
    assert_eq!(last["to_status"], "open");
    // Acknowledged problems are not chased.
    app.set_now("2026-12-02T02:00:00Z");
    assert_eq!(run_scan(&app), Scanned::default());
}

#[test]
fn the_weekly_digest_lists_what_was_not_acknowledged_in_time() {
    let app = spawn_app();
    let cast = app.cast();
    let (late, _) = confirmed(&app, &cast, "2026-12-31");
    let (acknowledged, _) = confirmed(&app, &cast, "2026-12-31");
    app.act(&cast.owner, acknowledged, "acknowledge", None)
        .expect(200);
    // Monday 30 November: the digest of week 48 is judged on Sunday the 29th.
    app.set_now("2026-11-30T02:00:00Z");
    let cast = app.sign_in_again(&cast);
    let digest = app
        .get("/api/v1/reports/digest?week=2026-W48", &cast.coordinator)
        .expect(200);
    let lines = digest["not_acknowledged"].as_array().unwrap();
    let key = get(&app, &cast.coordinator, late)["key"].clone();
    assert_eq!(lines.len(), 1, "{digest}");
    assert_eq!(lines[0]["key"], key);
    // Last day 26 November; late by the 29th: three days.
    assert_eq!(lines[0]["days"], 3);
    let text = app
        .get(
            "/api/v1/reports/digest?week=2026-W48&format=markdown",
            &cast.coordinator,
        )
        .text;
    assert!(text.contains("**逾期未签收（1项）**"), "{text}");
}

#[test]
fn starting_the_work_acknowledges_it_and_the_window_follows_the_units_policy() {
    let app = spawn_app();
    let cast = app.cast();
    // A policy of one day, set on the unit and inherited below it.
    let unit = app
        .patch(
            &format!("/api/v1/organizations/{}", cast.org),
            &app.admin_token,
            &json!({"acknowledge_days": 1}),
        )
        .expect(200);
    assert_eq!(unit["acknowledge_days"], 1);
    assert_eq!(unit["acknowledge_days_effective"], 1);
    let branch = app.create_org("DFSQ1", "东风社区第一党支部", Some(cast.org));
    let branch = app
        .get(&format!("/api/v1/organizations/{branch}"), &app.admin_token)
        .expect(200);
    assert!(branch["acknowledge_days"].is_null());
    assert_eq!(branch["acknowledge_days_effective"], 1);
    assert_eq!(branch["warn_days_effective"], 7);

    let (id, _) = confirmed(&app, &cast, "2026-12-31");
    assert_eq!(get(&app, &cast.owner, id)["acknowledge_by"], "2026-11-24");
    app.set_now("2026-11-24T09:00:00Z");
    let cast = app.sign_in_again(&cast);
    let started = app.act(&cast.owner, id, "start", None).expect(200);
    assert_eq!(started["status"], "in_progress");
    assert_eq!(started["acknowledgement"], "on_time");
    assert_eq!(started["acknowledged_at"], "2026-11-24T09:00:00Z");
    // The start is the acknowledgement: nothing is chased later.
    app.set_now("2026-11-30T02:00:00Z");
    assert_eq!(run_scan(&app).acknowledgements_late, 0);

    // A policy out of range is refused, naming the field; nothing changes.
    let refused = app
        .patch(
            &format!("/api/v1/organizations/{}", cast.org),
            &app.login("admin", ADMIN_PASSWORD),
            &json!({"acknowledge_days": 800, "warn_days": -1}),
        )
        .problem(422, "validation_failed");
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"acknowledge_days") && fields.contains(&"warn_days"),
        "{refused}"
    );
    let unit = app
        .get(
            &format!("/api/v1/organizations/{}", cast.org),
            &cast.coordinator,
        )
        .expect(200);
    assert_eq!(unit["acknowledge_days"], 1);
    assert!(unit["warn_days"].is_null());
}

#[test]
fn the_light_turns_yellow_within_the_units_warning_days_and_red_when_overdue() {
    let app = spawn_app();
    let cast = app.cast();
    // 2026-11-23: twelve days ahead of the deadline.
    let (id, _) = confirmed(&app, &cast, "2026-12-05");
    let problem = get(&app, &cast.owner, id);
    assert_eq!(problem["light"], "green");
    assert_eq!(problem["warning"], "none");
    app.patch(
        &format!("/api/v1/organizations/{}", cast.org),
        &app.admin_token,
        &json!({"warn_days": 14}),
    )
    .expect(200);
    let problem = get(&app, &cast.owner, id);
    assert_eq!(problem["light"], "yellow");
    // The existing warning keeps its own seven days.
    assert_eq!(problem["warning"], "none");
    app.set_now("2026-12-05T16:00:00Z");
    let cast = app.sign_in_again(&cast);
    assert_eq!(get(&app, &cast.owner, id)["light"], "red");
    app.act(&cast.coordinator, id, "cancel", Some("合并到其他问题"))
        .expect(200);
    assert!(get(&app, &cast.owner, id)["light"].is_null());
}

#[test]
fn a_continuing_closing_reopens_on_its_review_date_unless_a_coordinator_defers_it() {
    let app = spawn_app();
    let cast = app.cast();
    let receiver = Receiver::start(&[]);
    let hook = subscribe(&app, &receiver, cast.org, &["problem.reactivated"]);
    let id = submitted(&app, &cast);

    // What a continuing closing needs, each refusal naming its field; nothing changes.
    let refusals = [
        (
            json!({"action": "verify", "outcome": "continuing"}),
            "review_on",
            "required",
        ),
        (
            json!({"action": "verify", "outcome": "continuing", "review_on": "2026-11-23"}),
            "review_on",
            "after_today",
        ),
        (
            json!({"action": "verify", "review_on": "2027-03-01"}),
            "review_on",
            "continuing_only",
        ),
        (
            json!({"action": "verify", "outcome": "unrectified"}),
            "outcome",
            "closing_outcome",
        ),
        (
            json!({"action": "reject", "note": "x", "outcome": "rectified"}),
            "outcome",
            "action",
        ),
        (
            json!({"action": "verify", "outcome": "finished"}),
            "outcome",
            "",
        ),
    ];
    for (body, field, rule) in refusals {
        let refused = transition(&app, &cast.coordinator, id, body.clone());
        assert_eq!(refused.status, 422, "{body}: {}", refused.text);
        let errors = refused.json()["errors"].clone();
        let error = errors
            .as_array()
            .and_then(|e| e.first())
            .cloned()
            .unwrap_or_default();
        assert_eq!(error["field"], field, "{body}: {errors}");
        if !rule.is_empty() {
            assert_eq!(error["code"], rule, "{body}: {errors}");
        }
    }
    assert_eq!(get(&app, &cast.owner, id)["status"], "submitted");

    let closed = transition(
        &app,
        &cast.coordinator,
        id,
        json!({"action": "verify", "outcome": "continuing", "review_on": "2027-03-01"}),
    )
    .expect(200);
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["outcome"], "continuing");
    assert_eq!(closed["review_on"], "2027-03-01");
    assert!(closed["light"].is_null());

    // A coordinator sets a later date, with the reason; the history says both.
    transition(
        &app,
        &cast.coordinator,
        id,
        json!({"action": "defer_review", "review_on": "2027-04-01"}),
    )
    .problem(422, "requirements_unmet");
    let deferred = transition(
        &app,
        &cast.coordinator,
        id,
        json!({"action": "defer_review", "review_on": "2027-04-01", "note": "需跨年度推进"}),
    )
    .expect(200);
    assert_eq!(deferred["status"], "closed");
    assert_eq!(deferred["review_on"], "2027-04-01");
    let last = history(&app, &cast.coordinator, id).pop().unwrap();
    assert_eq!(last["action"], "defer_review");
    let note = last["note"].as_str().unwrap();
    assert!(
        note.contains("2027-03-01") && note.contains("2027-04-01") && note.contains("需跨年度推进"),
        "{note}"
    );
    // An owner cannot move the date.
    transition(
        &app,
        &cast.owner,
        id,
        json!({"action": "defer_review", "review_on": "2027-05-01", "note": "再推迟"}),
    )
    .problem(403, "forbidden");

    // The old date passes: nothing happens.
    app.set_now("2027-03-02T02:00:00Z");
    assert_eq!(run_scan(&app).reactivated, 0);
    // The evening before the new date in Shanghai: still closed.
    app.set_now("2027-03-31T15:59:00Z");
    assert_eq!(run_scan(&app).reactivated, 0);
    // Midnight of the review date: reopened by the service, once.
    app.set_now("2027-03-31T16:00:00Z");
    assert_eq!(run_scan(&app).reactivated, 1);
    assert_eq!(run_scan(&app).reactivated, 0);
    let cast = app.sign_in_again(&cast);
    let reopened = get(&app, &cast.owner, id);
    assert_eq!(reopened["status"], "in_progress");
    assert!(reopened["outcome"].is_null());
    assert!(reopened["review_on"].is_null());
    assert!(reopened["closed_at"].is_null());
    // The reopened problem is past its old deadline: the ladder takes it up at once, after the
    // reactivation.
    let entries = history(&app, &cast.owner, id);
    let last = entries
        .iter()
        .rev()
        .find(|h| h["action"] != "escalate")
        .unwrap()
        .clone();
    assert_eq!(last["action"], "reactivate");
    assert_eq!(last["from_status"], "closed");
    assert_eq!(last["to_status"], "in_progress");
    assert!(last["actor_id"].is_null());
    assert!(
        last["note"].as_str().unwrap().contains("2027-04-01"),
        "{last}"
    );
    let events = queued(&app, hook);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["event"], "problem.reactivated");
    // The audit log names the scheduler as the actor.
    let audit = app
        .get(
            &format!("/api/v1/audit?entity_type=problem&entity_id={id}"),
            &app.login("admin", ADMIN_PASSWORD),
        )
        .expect(200);
    let actors: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["actor"].as_str())
        .collect();
    assert!(actors.contains(&"scheduler"), "{audit}");
}

#[test]
fn a_rectified_closing_stays_closed_and_an_auditor_may_find_it_unrectified() {
    let app = spawn_app();
    let cast = app.cast();
    let id = submitted(&app, &cast);
    let closed = app.act(&cast.coordinator, id, "verify", None).expect(200);
    assert_eq!(closed["outcome"], "rectified");
    assert!(closed["review_on"].is_null());
    app.set_now("2027-12-01T02:00:00Z");
    assert_eq!(run_scan(&app).reactivated, 0);
    let cast = app.sign_in_again(&cast);
    assert_eq!(get(&app, &cast.owner, id)["status"], "closed");

    let auditor_view = get(&app, &cast.auditor, id);
    assert_eq!(auditor_view["allowed_actions"], json!(["mark_unrectified"]));
    app.act(&cast.coordinator, id, "mark_unrectified", Some("证据不足"))
        .problem(403, "forbidden");
    app.act(&cast.auditor, id, "mark_unrectified", None)
        .problem(422, "requirements_unmet");
    let found = app
        .act(
            &cast.auditor,
            id,
            "mark_unrectified",
            Some("整改材料与实际不符"),
        )
        .expect(200);
    assert_eq!(found["status"], "in_progress");
    assert_eq!(found["outcome"], "unrectified");
    assert!(found["closed_at"].is_null());
    // No caller may take the service's own step.
    app.act(&cast.coordinator, id, "reactivate", None)
        .problem(409, "transition_not_allowed");
}

#[test]
fn a_rechecked_problem_that_held_stays_closed_and_one_that_recurred_reopens() {
    let app = spawn_app();
    let cast = app.cast();
    let receiver = Receiver::start(&[]);
    let hook = subscribe(&app, &receiver, cast.org, &["problem.recheck_due"]);
    // A unit that re-checks after 60 days.
    app.patch(
        &format!("/api/v1/organizations/{}", cast.org),
        &app.admin_token,
        &json!({"recheck_days": 60}),
    )
    .expect(200);
    let held = submitted(&app, &cast);
    let recurred = submitted(&app, &cast);
    for id in [held, recurred] {
        let closed = app.act(&cast.coordinator, id, "verify", None).expect(200);
        // Closed on 23 November: re-checked on 22 January.
        assert_eq!(closed["recheck_on"], "2027-01-22");
    }
    // A continuing closing has its review date instead.
    let continuing = submitted(&app, &cast);
    let closed = transition(
        &app,
        &cast.coordinator,
        continuing,
        json!({"action": "verify", "outcome": "continuing", "review_on": "2027-06-30"}),
    )
    .expect(200);
    assert!(closed["recheck_on"].is_null());

    app.set_now("2027-01-21T15:59:00Z");
    assert_eq!(run_scan(&app).rechecks_due, 0);
    app.set_now("2027-01-21T16:00:00Z");
    assert_eq!(run_scan(&app).rechecks_due, 2);
    assert_eq!(run_scan(&app).rechecks_due, 0);
    let events = queued(&app, hook);
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events.iter().all(|e| e["event"] == "problem.recheck_due"));

    let cast = app.sign_in_again(&cast);
    // The coordinators' digest of the week lists both; the owner's does not.
    let digest = |token: &str| {
        app.get("/api/v1/reports/digest?week=2027-W03", token)
            .expect(200)["recheck_due"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(digest(&cast.coordinator), 2);
    assert_eq!(digest(&cast.owner), 0);
    let rechecks = |id: i64| format!("/api/v1/problems/{id}/rechecks");
    // Only a coordinator records a re-check; an unknown outcome names its field.
    app.post(
        &rechecks(held),
        &cast.owner,
        &json!({"outcome": "held", "note": "已复查"}),
    )
    .problem(403, "forbidden");
    let refused = app
        .post(
            &rechecks(held),
            &cast.coordinator,
            &json!({"outcome": "fine", "note": "已复查"}),
        )
        .problem(422, "invalid_body");
    assert_eq!(refused["errors"][0]["field"], "outcome", "{refused}");

    let recorded = app
        .post(
            &rechecks(held),
            &cast.coordinator,
            &json!({"outcome": "held", "note": "走访居民，物业投诉未再出现"}),
        )
        .expect(201);
    assert_eq!(recorded["outcome"], "held");
    let problem = get(&app, &cast.coordinator, held);
    assert_eq!(problem["status"], "closed");
    assert!(problem["recheck_on"].is_null());

    app.post(
        &rechecks(recurred),
        &cast.coordinator,
        &json!({"outcome": "recurred", "note": "物业投诉再次集中出现"}),
    )
    .expect(201);
    let problem = get(&app, &cast.coordinator, recurred);
    assert_eq!(problem["status"], "in_progress");
    assert!(problem["closed_at"].is_null() && problem["recheck_on"].is_null());
    let last = history(&app, &cast.coordinator, recurred).pop().unwrap();
    assert_eq!(last["action"], "reopen");
    assert!(
        last["note"]
            .as_str()
            .unwrap()
            .contains("物业投诉再次集中出现"),
        "{last}"
    );
    // A problem no longer closed is not re-checked.
    app.post(
        &rechecks(recurred),
        &cast.coordinator,
        &json!({"outcome": "held", "note": "x"}),
    )
    .problem(409, "transition_not_allowed");
    let listed = app.get(&rechecks(recurred), &cast.auditor).expect(200);
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["outcome"], "recurred");
    // Nothing more is announced for re-checks that were recorded.
    app.set_now("2027-02-01T02:00:00Z");
    assert_eq!(run_scan(&app).rechecks_due, 0);
}

#[test]
fn an_overdue_problem_climbs_the_ladder_once_per_level_telling_more_people_at_each() {
    let app = spawn_app();
    let cast = app.cast();
    let receiver = Receiver::start(&[]);
    let hook = subscribe(&app, &receiver, cast.org, &["problem.escalated"]);
    // The community's leader in charge and head; the street above has a coordinator.
    let street = app.create_org("JD", "东风街道党工委", None);
    let (street_coordinator, _) = app.user_with_token("jd.coord", "coordinator", street);
    app.patch(
        &format!("/api/v1/organizations/{}", cast.org),
        &app.admin_token,
        &json!({"parent_id": street}),
    )
    .expect(200);
    let leader = app.create_user("fen.guan", "coordinator", cast.org);
    let head = app.create_user("shu.ji", "coordinator", cast.org);
    let unit = app
        .patch(
            &format!("/api/v1/organizations/{}", cast.org),
            &app.admin_token,
            &json!({"leader_id": leader, "head_id": head, "escalate_after_days": 5}),
        )
        .expect(200);
    assert_eq!(unit["leader_id"], leader);
    assert_eq!(unit["escalate_after_days_effective"], 5);
    // A leader who does not exist is refused, naming the field.
    let refused = app
        .patch(
            &format!("/api/v1/organizations/{}", cast.org),
            &app.admin_token,
            &json!({"head_id": 987654}),
        )
        .problem(422, "validation_failed");
    assert_eq!(refused["errors"][0]["field"], "head_id");

    // Deadline 10 December: yellow from 3 December, red from 11, 督办 from 16.
    let (id, _) = confirmed(&app, &cast, "2026-12-10");
    assert_eq!(run_scan(&app).escalations, 0);
    assert_eq!(get(&app, &cast.owner, id)["escalation_level"], 0);

    let steps = [
        ("2026-12-02T02:00:00Z", 0, 0),
        ("2026-12-03T02:00:00Z", 1, 1),
        ("2026-12-05T02:00:00Z", 0, 1),
        ("2026-12-11T02:00:00Z", 1, 2),
        ("2026-12-15T02:00:00Z", 0, 2),
        ("2026-12-16T02:00:00Z", 1, 3),
        ("2026-12-30T02:00:00Z", 0, 3),
    ];
    for (now, climbed, level) in steps {
        app.set_now(now);
        assert_eq!(run_scan(&app).escalations, climbed, "{now}");
        let admin = app.login("admin", ADMIN_PASSWORD);
        assert_eq!(get(&app, &admin, id)["escalation_level"], level, "{now}");
    }
    let events = queued(&app, hook);
    assert_eq!(events.len(), 3, "{events:?}");
    let told = |event: &Value| -> Vec<(String, i64)> {
        event["payload"]["data"]["notified"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["as"].as_str().unwrap().to_owned(),
                    n["user_id"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let owner = ("owner".to_owned(), cast.owner_id);
    assert_eq!(events[0]["payload"]["data"]["level"], 1);
    assert_eq!(
        told(&events[0]),
        vec![owner.clone(), ("leader".into(), leader)]
    );
    assert_eq!(events[1]["payload"]["data"]["level"], 2);
    assert_eq!(
        told(&events[1]),
        vec![
            owner.clone(),
            ("leader".into(), leader),
            ("head".into(), head),
            ("parent_coordinators".into(), street_coordinator),
        ]
    );
    assert_eq!(events[2]["payload"]["data"]["level"], 3);
    let admin = app.login("admin", ADMIN_PASSWORD);
    let escalations: Vec<Value> = history(&app, &admin, id)
        .into_iter()
        .filter(|h| h["action"] == "escalate")
        .collect();
    assert_eq!(escalations.len(), 3);
    assert!(escalations
        .iter()
        .all(|h| h["from_status"] == "open" && h["to_status"] == "open"));
    assert!(
        escalations[2]["note"].as_str().unwrap().contains("督办"),
        "{escalations:?}"
    );

    // A later deadline starts the ladder again; but this is the second time the problem
    // lapsed into red within its review, so the red is a 督办 at once.
    app.sql(&format!(
        "UPDATE problems SET deadline = '2027-01-10' WHERE id = {id}"
    ));
    app.set_now("2027-01-11T02:00:00Z");
    assert_eq!(run_scan(&app).escalations, 3);
    let events = queued(&app, hook);
    assert_eq!(events.len(), 6);
    assert_eq!(events[5]["payload"]["data"]["level"], 3);
    assert!(
        events[5]["payload"]["data"]["notice"].is_string(),
        "{events:?}"
    );
    let admin = app.login("admin", ADMIN_PASSWORD);
    assert_eq!(get(&app, &admin, id)["escalation_level"], 3);
}

#[test]
fn two_yellows_that_lapse_into_red_within_a_review_make_the_second_a_supervision_item() {
    let app = spawn_app();
    let cast = app.cast();
    let street = app.create_org("JD", "东风街道党工委", None);
    app.patch(
        &format!("/api/v1/organizations/{}", cast.org),
        &app.admin_token,
        &json!({"parent_id": street}),
    )
    .expect(200);
    let review = app.review(&cast.coordinator, cast.org);
    let other_review = app.review(&cast.coordinator, cast.org);
    let problem = |review: i64, title: &str, deadline: &str| {
        let (id, _) = app.ready_problem(&cast, review, title, deadline);
        app.act(&cast.coordinator, id, "confirm", None).expect(200);
        id
    };
    let first = problem(review, "物业服务投诉处理不及时", "2026-12-10");
    let second = problem(review, "党员教育管理不够严格", "2026-12-20");
    let elsewhere = problem(other_review, "台账资料归档不规范", "2026-12-20");
    // The first lapse into red is red, nothing more.
    app.set_now("2026-12-11T02:00:00Z");
    run_scan(&app);
    let admin = app.login("admin", ADMIN_PASSWORD);
    assert_eq!(get(&app, &admin, first)["escalation_level"], 2);
    // The second of the same review goes straight to 督办, with a notice; a problem of
    // another review lapsing the same day is only red.
    app.set_now("2026-12-21T02:00:00Z");
    run_scan(&app);
    let admin = app.login("admin", ADMIN_PASSWORD);
    assert_eq!(get(&app, &admin, second)["escalation_level"], 3);
    assert_eq!(get(&app, &admin, elsewhere)["escalation_level"], 2);
    let notices = app.get("/api/v1/supervision-notices", &admin).expect(200)["items"]
        .as_array()
        .unwrap()
        .clone();
    let named: Vec<i64> = notices
        .iter()
        .flat_map(|n| n["problem_ids"].as_array().unwrap().clone())
        .map(|id| id.as_i64().unwrap())
        .collect();
    assert_eq!(named, vec![second], "{notices:?}");
    // Once: later rounds add nothing.
    app.set_now("2026-12-22T02:00:00Z");
    assert_eq!(run_scan(&app).escalations, 0);
}

#[test]
fn a_supervision_notice_is_numbered_per_issuer_and_year_and_answered_once_by_its_recipient() {
    let app = spawn_app();
    let cast = app.cast();
    // The street above the community, with its coordinator.
    let street = app.create_org("JD", "东风街道党工委", None);
    let (_, street_coordinator) = app.user_with_token("jd.coord", "coordinator", street);
    app.patch(
        &format!("/api/v1/organizations/{}", cast.org),
        &app.admin_token,
        &json!({"parent_id": street, "escalate_after_days": 3}),
    )
    .expect(200);
    let (id, _) = confirmed(&app, &cast, "2026-11-25");
    let notices = "/api/v1/supervision-notices";

    // By hand: the street to the community, naming its problem.
    let issued = app
        .post(
            notices,
            &street_coordinator,
            &json!({"recipient_organization_id": cast.org, "problem_ids": [id],
                    "subject": "关于督促整改物业管理问题的督办通知"}),
        )
        .expect(201);
    assert_eq!(issued["reference"], "督〔2026〕1号");
    assert_eq!(issued["automatic"], false);
    assert_eq!(issued["reply_by"], "2026-11-30");
    assert_eq!(issued["problem_ids"], json!([id]));
    // Not to itself or a unit beside it; not naming another unit's problem; nothing written.
    let sibling_review = app.review(&cast.sibling, cast.sibling_org);
    let elsewhere = app.problem(
        &cast.sibling,
        json!({"review_id": sibling_review, "title": "别处的问题"}),
    )["id"]
        .clone();
    for (body, field) in [
        (
            json!({"recipient_organization_id": street, "problem_ids": [id], "subject": "x"}),
            "recipient_organization_id",
        ),
        (
            json!({"recipient_organization_id": cast.org, "problem_ids": [elsewhere], "subject": "x"}),
            "problem_ids",
        ),
        (
            json!({"recipient_organization_id": cast.org, "problem_ids": [id], "subject": "x", "reply_by": "2026-11-23"}),
            "reply_by",
        ),
    ] {
        let refused = app
            .post(notices, &street_coordinator, &body)
            .problem(422, "validation_failed");
        assert_eq!(refused["errors"][0]["field"], field, "{refused}");
    }
    // The community coordinator cannot issue to the street above it.
    app.post(
        notices,
        &cast.coordinator,
        &json!({"recipient_organization_id": street, "problem_ids": [id], "subject": "x"}),
    )
    .problem(422, "validation_failed");
    // The sibling community sees nothing of it.
    app.get(&format!("{notices}/{}", issued["id"]), &cast.sibling)
        .problem(404, "not_found");
    assert_eq!(
        app.get(notices, &cast.sibling).expect(200)["items"],
        json!([])
    );

    // The ladder: red for more than three days issues the next number by itself, once.
    app.set_now("2026-11-29T02:00:00Z");
    run_scan(&app);
    app.set_now("2026-11-30T02:00:00Z");
    run_scan(&app);
    let cast = app.sign_in_again(&cast);
    let street_coordinator = app.login("jd.coord", rectify_tests::PASSWORD);
    let listed = app.get(notices, &street_coordinator).expect(200);
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{listed}");
    let automatic = &items[0];
    assert_eq!(automatic["reference"], "督〔2026〕2号");
    assert_eq!(automatic["automatic"], true);
    assert!(automatic["issued_by"].is_null());
    assert_eq!(automatic["issuing_organization_id"], street);
    assert_eq!(automatic["problem_ids"], json!([id]));

    // The reply is due by the end of its day; then late; the recipient answers, once.
    app.set_now("2026-12-02T02:00:00Z");
    let cast = app.sign_in_again(&cast);
    let street_coordinator = app.login("jd.coord", rectify_tests::PASSWORD);
    let first = format!("{notices}/{}", issued["id"]);
    assert_eq!(
        app.get(&first, &cast.owner).expect(200)["reply_days_overdue"],
        2
    );
    let waiting = app
        .get(&format!("{notices}?awaiting_reply=true"), &cast.coordinator)
        .expect(200);
    assert_eq!(waiting["items"].as_array().unwrap().len(), 2);
    let reply = format!("{first}/reply");
    app.post(&reply, &street_coordinator, &json!({"reply": "代为回复"}))
        .problem(403, "forbidden");
    app.post(&reply, &cast.owner, &json!({"reply": "已整改"}))
        .problem(403, "forbidden");
    let answered = app
        .post(
            &reply,
            &cast.coordinator,
            &json!({"reply": "已约谈物业公司，12月20日前完成整改"}),
        )
        .expect(200);
    assert_eq!(answered["reply_days_overdue"], 0);
    assert!(answered["replied_at"].is_string());
    app.post(&reply, &cast.coordinator, &json!({"reply": "再次回复"}))
        .problem(409, "already_replied");
    let waiting = app
        .get(&format!("{notices}?awaiting_reply=true"), &cast.coordinator)
        .expect(200);
    assert_eq!(waiting["items"].as_array().unwrap().len(), 1);
}

#[test]
fn a_watcher_outside_the_subtree_reads_that_one_problem_and_nothing_else() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let (watched, _) = app.ready_problem(&cast, review, "物业服务投诉处理不及时", "2026-12-31");
    let (other, _) = app.ready_problem(&cast, review, "党员教育管理不够严格", "2026-12-31");
    let problem = |id: i64| format!("/api/v1/problems/{id}");
    // The sibling community (outside DFSQ) sees neither.
    app.get(&problem(watched), &cast.sibling)
        .problem(404, "not_found");

    // 抄送 to the sibling community: its coordinator reads that problem, its history and
    // notes, read-only, and nothing else.
    let receiver = Receiver::start(&[]);
    let hook = subscribe(&app, &receiver, cast.sibling_org, &["problem.transitioned"]);
    let watcher = app
        .post(
            &format!("{}/watchers", problem(watched)),
            &cast.coordinator,
            &json!({"organization_id": cast.sibling_org}),
        )
        .expect(201);
    assert_eq!(watcher["organization_id"], cast.sibling_org);
    let read = app.get(&problem(watched), &cast.sibling).expect(200);
    assert_eq!(read["title"], "物业服务投诉处理不及时");
    assert_eq!(read["allowed_actions"], json!([]));
    app.get(&format!("{}/history", problem(watched)), &cast.sibling)
        .expect(200);
    app.get(&problem(other), &cast.sibling)
        .problem(404, "not_found");
    let listed = app.get("/api/v1/problems", &cast.sibling).expect(200);
    assert_eq!(listed["items"], json!([]), "the list stays the subtree's");
    app.act(&cast.sibling, watched, "confirm", None)
        .problem(404, "not_found");
    app.patch(&problem(watched), &cast.sibling, &json!({"title": "改"}))
        .problem(404, "not_found");
    app.get(&format!("{}/watchers", problem(watched)), &cast.sibling)
        .problem(404, "not_found");
    // The read is audited as a watcher's.
    let audit = app
        .get(
            "/api/v1/audit?action=problem.read_as_watcher",
            &app.admin_token,
        )
        .expect(200);
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");
    // Its events reach the watching unit's webhooks.
    app.act(&cast.coordinator, watched, "confirm", None)
        .expect(200);
    app.act(&cast.coordinator, other, "confirm", None)
        .expect(200);
    let events = queued(&app, hook);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["payload"]["data"]["id"], watched);

    // A person watching a whole review reads each of its problems; only coordinators manage
    // watchers; removing one ends the reading.
    let (outsider_id, outsider) = app.user_with_token("xf.owner", "owner", cast.sibling_org);
    app.post(
        &format!("/api/v1/reviews/{review}/watchers"),
        &cast.owner,
        &json!({"user_id": outsider_id}),
    )
    .problem(403, "forbidden");
    let refused = app
        .post(
            &format!("/api/v1/reviews/{review}/watchers"),
            &cast.coordinator,
            &json!({"user_id": outsider_id, "organization_id": cast.sibling_org}),
        )
        .problem(422, "validation_failed");
    assert_eq!(refused["errors"][0]["code"], "one_of");
    let review_watcher = app
        .post(
            &format!("/api/v1/reviews/{review}/watchers"),
            &cast.coordinator,
            &json!({"user_id": outsider_id}),
        )
        .expect(201);
    app.get(&problem(other), &outsider).expect(200);
    app.call(
        "DELETE",
        &format!("/api/v1/watchers/{}", review_watcher["id"]),
        Some(&cast.coordinator),
        None,
    )
    .expect(204);
    app.get(&problem(other), &outsider)
        .problem(404, "not_found");
    app.get(&problem(watched), &outsider).expect(200);
    app.call(
        "DELETE",
        &format!("/api/v1/watchers/{}", watcher["id"]),
        Some(&cast.sibling),
        None,
    )
    .problem(404, "not_found");
}

#[test]
fn a_problem_imported_next_year_is_flagged_as_a_recurrence_of_this_years_closed_one() {
    let app = spawn_app();
    let cast = app.cast();
    // This year: a problem closed out.
    let earlier = submitted(&app, &cast);
    app.act(&cast.coordinator, earlier, "verify", None)
        .expect(200);

    // Next year's report names it again, beside a new one.
    app.set_now("2027-11-20T02:00:00Z");
    let cast = app.sign_in_again(&cast);
    let text = "\
东风社区党委2027年度组织生活会对照检查材料
一、存在问题
（一）服务群众方面
一是物业服务投诉处理仍然不及时。
二是党费收缴台账不完整。
二、原因剖析
一是为民服务意识不强。
三、整改措施
（一）改进服务群众。建立物业投诉台账，件件有回音。
";
    let report = json!({"text": text, "organization_id": cast.org, "title": "2027年度组织生活会",
                        "kind": "organizational_life", "held_on": "2027-11-15"});
    // The dry run shows the flag before anything is written.
    let preview = app
        .post(
            "/api/v1/reviews/import?dry_run=true",
            &cast.coordinator,
            &report,
        )
        .expect(200);
    let previewed: Vec<(String, Value)> = preview["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["title"].as_str().unwrap().to_owned(),
                p["possible_recurrence_of"].clone(),
            )
        })
        .collect();
    let (_, flags) = previewed
        .iter()
        .find(|(title, _)| title.contains("物业"))
        .unwrap_or_else(|| panic!("{preview}"));
    assert_eq!(flags[0]["id"], earlier, "{preview}");
    assert_eq!(flags.as_array().unwrap().len(), 1, "{preview}");
    let (_, none) = previewed
        .iter()
        .find(|(title, _)| title.contains("党费"))
        .unwrap();
    assert_eq!(none, &json!([]));
    let imported = app
        .post("/api/v1/reviews/import", &cast.coordinator, &report)
        .expect(201);
    let review = imported["review"]["id"].as_i64().unwrap();
    let listed = app
        .get(
            &format!("/api/v1/problems?review_id={review}"),
            &cast.coordinator,
        )
        .expect(200);
    let items = listed["items"].as_array().unwrap();
    let find = |word: &str| {
        items
            .iter()
            .find(|p| p["title"].as_str().unwrap_or_default().contains(word))
            .unwrap_or_else(|| panic!("no problem about {word}: {listed}"))
            .clone()
    };
    let again = find("物业");
    let flagged = again["possible_recurrence_of"].as_array().unwrap();
    assert_eq!(flagged.len(), 1, "{again}");
    assert_eq!(flagged[0]["id"], earlier);
    assert_eq!(
        flagged[0]["key"],
        get(&app, &cast.coordinator, earlier)["key"]
    );
    assert!(flagged[0]["score"].as_f64().unwrap() >= 0.4, "{again}");
    assert!(again["recurrence_of"].is_null());
    assert_eq!(find("党费")["possible_recurrence_of"], json!([]));

    // A coordinator confirms it; a flag that does not exist is refused by name.
    let id = again["id"].as_i64().unwrap();
    let decide = format!("/api/v1/problems/{id}/recurrence");
    app.post(
        &decide,
        &cast.owner,
        &json!({"of": earlier, "decision": "confirm"}),
    )
    .problem(403, "forbidden");
    let refused = app
        .post(
            &decide,
            &cast.coordinator,
            &json!({"of": id, "decision": "confirm"}),
        )
        .problem(422, "validation_failed");
    assert_eq!(refused["errors"][0]["field"], "of");
    let confirmed = app
        .post(
            &decide,
            &cast.coordinator,
            &json!({"of": earlier, "decision": "confirm"}),
        )
        .expect(200);
    assert_eq!(confirmed["recurrence_of"], earlier);
    assert_eq!(confirmed["possible_recurrence_of"], json!([]));
}

/// A confirmed problem of `unit`, owned by `owner`, due on `deadline`; returns (problem, measure).
fn confirmed_in(
    app: &TestApp,
    coordinator: &str,
    review: i64,
    unit: i64,
    owner: i64,
    deadline: &str,
) -> (i64, i64) {
    let id = app.problem(
        coordinator,
        json!({"review_id": review, "title": "物业服务投诉处理不及时", "organization_id": unit,
               "owner_id": owner, "deadline": deadline}),
    )["id"]
        .as_i64()
        .unwrap();
    let measure = app.measure(coordinator, review, &[id], json!({}));
    app.act(coordinator, id, "confirm", None).expect(200);
    (id, measure)
}

/// The owner starts, finishes the measure, proves and submits; a coordinator verifies.
fn work_and_close(app: &TestApp, coordinator: &str, owner: &str, problem: (i64, i64)) {
    let (id, measure) = problem;
    if get(app, owner, id)["status"] == "open" {
        app.act(owner, id, "start", None).expect(200);
    }
    app.patch(
        &format!("/api/v1/measures/{measure}"),
        owner,
        &json!({"done": true}),
    )
    .expect(200);
    app.attach_pdf(owner, id);
    app.act(owner, id, "submit", Some("已整改")).expect(200);
    app.act(coordinator, id, "verify", None).expect(200);
}

#[test]
fn the_scorecard_ranks_four_units_as_a_hand_count_does() {
    let app = spawn_app();
    let cast = app.cast();
    let coordinator = cast.coordinator.clone();
    let review = app.review(&coordinator, cast.org);
    let mut units = Vec::new();
    for code in ["A", "B", "C", "D"] {
        let unit = app.create_org(
            &format!("DF{code}"),
            &format!("东风第{code}支部"),
            Some(cast.org),
        );
        let (owner_id, owner) =
            app.user_with_token(&format!("{}.owner", code.to_lowercase()), "owner", unit);
        units.push((unit, owner_id, owner));
    }
    let [(a, a_id, a_owner), (b, b_id, _), (c, c_id, c_owner), (d, d_id, d_owner)] =
        <[_; 4]>::try_from(units).unwrap();

    // 23 November: all four confirmed (the last day to acknowledge is the 26th).
    let a1 = confirmed_in(&app, &coordinator, review, a, a_id, "2026-12-20");
    let _b1 = confirmed_in(&app, &coordinator, review, b, b_id, "2026-12-10");
    let c1 = confirmed_in(&app, &coordinator, review, c, c_id, "2026-11-25");
    let d1 = confirmed_in(&app, &coordinator, review, d, d_id, "2026-12-20");
    // A and D close on time; C starts (acknowledging) but closes late; B does nothing.
    work_and_close(&app, &coordinator, &a_owner, a1);
    work_and_close(&app, &coordinator, &d_owner, d1);
    app.act(&c_owner, c1.0, "start", None).expect(200);
    app.set_now("2026-11-27T02:00:00Z");
    let cast = app.sign_in_again(&cast);
    let c_owner = app.login("c.owner", rectify_tests::PASSWORD);
    work_and_close(&app, &cast.coordinator, &c_owner, c1);
    // 30 November: D's re-check finds the problem back (reopened, due 20 December), and the
    // community sends D a 督办 notice.
    app.set_now("2026-11-30T02:00:00Z");
    let cast = app.sign_in_again(&cast);
    app.post(
        &format!("/api/v1/problems/{}/rechecks", d1.0),
        &cast.coordinator,
        &json!({"outcome": "recurred", "note": "物业投诉再次出现"}),
    )
    .expect(201);
    app.post(
        "/api/v1/supervision-notices",
        &cast.coordinator,
        &json!({"recipient_organization_id": d, "problem_ids": [d1.0], "subject": "督办通知"}),
    )
    .expect(201);

    app.set_now("2027-01-05T02:00:00Z");
    let cast = app.sign_in_again(&cast);
    let card = app
        .get(
            &format!(
                "/api/v1/reports/scorecard?organization_id={}&from=2026-11-01&to=2026-12-31",
                cast.org
            ),
            &cast.coordinator,
        )
        .expect(200);
    // By hand, with the documented weights (40 on time, 30 acknowledged, 30 re-checks held,
    // −2 per overdue, −0.1 per day overdue, −5 per notice):
    // A: 40 + 30 + 30                         = 100.0
    // B: 40 (nothing closed) + 0 + 30 − 2 − 2.1 (21 days at 31 December) = 65.9
    // D: 40 + 30 + 0 (its re-check recurred) − 2 − 1.1 (11 days) − 5 = 61.9
    // C: 0 (closed two days late) + 30 + 30   = 60.0
    let expected = [
        // code, rank, closed, on time, acks due, acks on time, overdue, days, held, recurred, notices, score
        ("DFA", 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 100.0),
        ("DFB", 2, 0, 0, 1, 0, 1, 21, 0, 0, 0, 65.9),
        ("DFD", 3, 1, 1, 1, 1, 1, 11, 0, 1, 1, 61.9),
        ("DFC", 4, 1, 0, 1, 1, 0, 0, 0, 0, 0, 60.0),
    ];
    let units = card["units"].as_array().unwrap();
    assert_eq!(units.len(), 4, "{card}");
    for (unit, want) in units.iter().zip(expected) {
        let (
            code,
            rank,
            closed,
            on_time,
            due,
            acked,
            overdue,
            days,
            held,
            recurred,
            notices,
            score,
        ) = want;
        let got = (
            unit["code"].as_str().unwrap(),
            unit["rank"].as_u64().unwrap(),
            unit["closed"].as_u64().unwrap(),
            unit["closed_on_time"].as_u64().unwrap(),
            unit["acknowledgements_due"].as_u64().unwrap(),
            unit["acknowledged_on_time"].as_u64().unwrap(),
            unit["overdue"].as_u64().unwrap(),
            unit["overdue_days"].as_u64().unwrap(),
            unit["rechecks_held"].as_u64().unwrap(),
            unit["rechecks_recurred"].as_u64().unwrap(),
            unit["notices_received"].as_u64().unwrap(),
            unit["score"].as_f64().unwrap(),
        );
        assert_eq!(
            got,
            (
                code, rank, closed, on_time, due, acked, overdue, days, held, recurred, notices,
                score
            ),
            "{unit}"
        );
    }
    // The same table as CSV, for a spreadsheet.
    let csv = app.get_bytes(
        &format!(
            "/api/v1/reports/scorecard?organization_id={}&from=2026-11-01&to=2026-12-31&format=csv",
            cast.org
        ),
        &cast.coordinator,
    );
    let text = String::from_utf8(csv).unwrap();
    assert!(text.starts_with("\u{feff}排名,单位代码"), "{text}");
    assert!(text.contains("1,DFA,东风第A支部,1,1,100.0%"), "{text}");
    // A period that ends before it starts is refused by name.
    let refused = app
        .get(
            "/api/v1/reports/scorecard?from=2026-12-31&to=2026-11-01",
            &cast.coordinator,
        )
        .problem(422, "validation_failed");
    assert_eq!(refused["errors"][0]["field"], "from");
}

/// A review of DFSQ held on `held_on`.
fn review_held(app: &TestApp, cast: &Cast, title: &str, held_on: &str) -> i64 {
    app.post(
        "/api/v1/reviews",
        &cast.coordinator,
        &json!({"organization_id": cast.org, "title": title, "kind": "organizational_life",
                "held_on": held_on}),
    )
    .expect(201)["id"]
        .as_i64()
        .unwrap()
}

/// Confirms a flagged recurrence.
fn confirm_recurrence(app: &TestApp, coordinator: &str, id: i64, of: i64) {
    let flagged = get(app, coordinator, id)["possible_recurrence_of"].clone();
    assert!(
        flagged.as_array().unwrap().iter().any(|f| f["id"] == of),
        "{id} is not flagged against {of}: {flagged}"
    );
    app.post(
        &format!("/api/v1/problems/{id}/recurrence"),
        coordinator,
        &json!({"of": of, "decision": "confirm"}),
    )
    .expect(200);
}

#[test]
fn progress_reports_rate_acknowledgements_split_closings_by_outcome_and_count_recurrences() {
    let app = spawn_app();
    let cast = app.cast();
    let (coordinator, owner) = (cast.coordinator.clone(), cast.owner.clone());
    let reviews = [
        review_held(&app, &cast, "2024年度组织生活会", "2024-11-10"),
        review_held(&app, &cast, "2025年度组织生活会", "2025-11-10"),
        review_held(&app, &cast, "2026年度组织生活会", "2026-11-10"),
    ];
    let new_problem = |review: i64| {
        confirmed_in(
            &app,
            &coordinator,
            review,
            cast.org,
            cast.owner_id,
            "2026-12-31",
        )
    };
    // 2024: the property complaints closed as rectified; the dues ledger as continuing.
    let first = new_problem(reviews[0]);
    work_and_close(&app, &coordinator, &owner, first);
    let dues = app.problem(
        &coordinator,
        json!({"review_id": reviews[0], "title": "党费收缴台账不完整", "owner_id": cast.owner_id,
               "deadline": "2026-12-31"}),
    )["id"]
        .as_i64()
        .unwrap();
    let measure = app.measure(&coordinator, reviews[0], &[dues], json!({}));
    app.act(&coordinator, dues, "confirm", None).expect(200);
    app.act(&owner, dues, "start", None).expect(200);
    app.patch(
        &format!("/api/v1/measures/{measure}"),
        &owner,
        &json!({"done": true}),
    )
    .expect(200);
    app.attach_pdf(&owner, dues);
    app.act(&owner, dues, "submit", Some("已建立台账"))
        .expect(200);
    transition(
        &app,
        &coordinator,
        dues,
        json!({"action": "verify", "outcome": "continuing", "review_on": "2027-03-01"}),
    )
    .expect(200);
    // 2025: the complaints again, confirmed as come back, and closed again.
    let second = new_problem(reviews[1]);
    confirm_recurrence(&app, &coordinator, second.0, first.0);
    work_and_close(&app, &coordinator, &owner, second);
    // 2026: a third time (年年提), acknowledged in time; and a problem nobody acknowledges.
    let third = new_problem(reviews[2]);
    confirm_recurrence(&app, &coordinator, third.0, second.0);
    app.act(&owner, third.0, "acknowledge", None).expect(200);
    let ignored = app.problem(
        &coordinator,
        json!({"review_id": reviews[2], "title": "三会一课记录不规范", "owner_id": cast.owner_id,
               "deadline": "2026-12-31"}),
    )["id"]
        .as_i64()
        .unwrap();
    app.measure(&coordinator, reviews[2], &[ignored], json!({}));
    app.act(&coordinator, ignored, "confirm", None).expect(200);

    // Confirmed on 23 November with three days to acknowledge: late from the 27th.
    app.set_now("2026-11-27T02:00:00Z");
    let cast = app.sign_in_again(&cast);
    let progress = |query: &str| {
        app.get(
            &format!(
                "/api/v1/reports/progress?organization_id={}{query}",
                cast.org
            ),
            &cast.coordinator,
        )
        .expect(200)
    };
    let report = progress("");
    let total = &report["total"];
    assert_eq!(total["acknowledgements_due"], 5, "{total}");
    assert_eq!(total["acknowledged_on_time_rate"], 0.8);
    assert_eq!(
        total["closed_by_outcome"],
        json!({"rectified": 2, "continuing": 1})
    );
    assert_eq!(total["unrectified"], 0);
    let recurrence = &report["recurrence"];
    assert_eq!(recurrence["confirmed"], 2, "{recurrence}");
    // Closed in reviews before the newest (2026): both of 2024 and the one of 2025.
    assert_eq!(recurrence["closed_in_earlier_reviews"], 3);
    assert_eq!(recurrence["recurrence_rate"], 0.6667);
    let chains = recurrence["year_after_year"].as_array().unwrap();
    assert_eq!(chains.len(), 1, "{recurrence}");
    assert_eq!(chains[0]["problem_id"], third.0);
    assert_eq!(chains[0]["reviews"], 3);
    let chain: Vec<(i64, String)> = chains[0]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_i64().unwrap(),
                p["held_on"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        chain,
        vec![
            (first.0, "2024-11-10".to_owned()),
            (second.0, "2025-11-10".to_owned()),
            (third.0, "2026-11-10".to_owned()),
        ]
    );
    // One review: 2025's problem came back from what 2024 closed (one of two).
    let of_2025 = progress(&format!("&review_id={}", reviews[1]));
    assert_eq!(of_2025["recurrence"]["confirmed"], 1);
    assert_eq!(of_2025["recurrence"]["closed_in_earlier_reviews"], 2);
    assert_eq!(of_2025["recurrence"]["recurrence_rate"], 0.5);
    assert_eq!(of_2025["recurrence"]["year_after_year"], json!([]));
    // As it stood the day before any of it.
    let before = progress("&as_of=2026-11-22");
    assert_eq!(before["total"]["acknowledgements_due"], 0);
    assert!(before["total"]["acknowledged_on_time_rate"].is_null());
    assert_eq!(
        before["total"]["closed_by_outcome"],
        json!({"rectified": 0, "continuing": 0})
    );
    assert_eq!(before["recurrence"]["confirmed"], 0);
    assert!(before["recurrence"]["recurrence_rate"].is_null());
    // An auditor finds 2025's closing unrectified: it leaves the rectified count.
    app.act(
        &cast.auditor,
        second.0,
        "mark_unrectified",
        Some("整改材料与实际不符"),
    )
    .expect(200);
    let after = progress("");
    assert_eq!(after["total"]["unrectified"], 1);
    assert_eq!(
        after["total"]["closed_by_outcome"],
        json!({"rectified": 1, "continuing": 1})
    );
    // ... and the figures of an earlier day are as they were: the day before, the 26th, the
    // last problem still had time to be acknowledged.
    let day_before = progress("&as_of=2026-11-26");
    assert_eq!(day_before["total"]["acknowledgements_due"], 4);
    assert_eq!(day_before["total"]["acknowledged_on_time_rate"], 1.0);
    assert_eq!(day_before["total"]["unrectified"], 0);
    assert_eq!(
        day_before["total"]["closed_by_outcome"],
        json!({"rectified": 2, "continuing": 1})
    );
}

#[test]
fn overdue_replies_and_due_rechecks_are_overdue_items_and_a_reply_cites_its_evidence() {
    let app = spawn_app();
    let cast = app.cast();
    let street = app.create_org("JD", "东风街道党工委", None);
    let (_, street_coordinator) = app.user_with_token("jd.coord", "coordinator", street);
    // Re-checked a week after closing.
    app.patch(
        &format!("/api/v1/organizations/{}", cast.org),
        &app.admin_token,
        &json!({"parent_id": street, "recheck_days": 7}),
    )
    .expect(200);
    let (late, _) = confirmed(&app, &cast, "2026-12-31");
    let closed = submitted(&app, &cast);
    app.act(&cast.coordinator, closed, "verify", None)
        .expect(200);
    let notice = app
        .post(
            "/api/v1/supervision-notices",
            &street_coordinator,
            &json!({"recipient_organization_id": cast.org, "problem_ids": [late],
                    "subject": "关于督促整改物业管理问题的督办通知",
                    "body": "你单位物业服务投诉处理不及时问题整改进度滞后。\n请高度重视，限期整改。"}),
        )
        .expect(201);
    assert_eq!(notice["reply_by"], "2026-11-30");
    assert_eq!(notice["reply_evidence_ids"], json!([]));
    let notice_id = notice["id"].as_i64().unwrap();

    // 2 December: the reply is two days late, the re-check (30 November) two days due.
    app.set_now("2026-12-02T02:00:00Z");
    let cast = app.sign_in_again(&cast);
    let report = app
        .get("/api/v1/reports/overdue", &cast.coordinator)
        .expect(200);
    let replies = report["overdue_replies"].as_array().unwrap();
    assert_eq!(replies.len(), 1, "{report}");
    assert_eq!(replies[0]["reference"], "督〔2026〕1号");
    assert_eq!(replies[0]["unit"], "东风社区党委");
    assert_eq!(replies[0]["days_overdue"], 2);
    assert_eq!(replies[0]["problem_ids"], json!([late]));
    let rechecks = report["rechecks_due"].as_array().unwrap();
    assert_eq!(rechecks.len(), 1, "{report}");
    assert_eq!(rechecks[0]["problem_id"], closed);
    assert_eq!(rechecks[0]["recheck_on"], "2026-11-30");
    assert_eq!(rechecks[0]["days_overdue"], 2);
    // The same in the sheet, each on its own tab, and as things stood on 29 November: nothing.
    let earlier = app
        .get(
            "/api/v1/reports/overdue?as_of=2026-11-29",
            &cast.coordinator,
        )
        .expect(200);
    assert_eq!(earlier["overdue_replies"], json!([]));
    // The sibling community sees neither.
    let sibling = app
        .get("/api/v1/reports/overdue", &cast.sibling)
        .expect(200);
    assert_eq!(sibling["overdue_replies"], json!([]));
    assert_eq!(sibling["rechecks_due"], json!([]));

    // The weekly digest of week 49, judged on Sunday 6 December.
    app.set_now("2026-12-07T02:00:00Z");
    let cast = app.sign_in_again(&cast);
    let digest = app
        .get("/api/v1/reports/digest?week=2026-W49", &cast.coordinator)
        .expect(200);
    let lines = digest["overdue_replies"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{digest}");
    assert_eq!(lines[0]["key"], "督〔2026〕1号");
    assert_eq!(lines[0]["days"], 6);
    let text = app
        .get(
            "/api/v1/reports/digest?week=2026-W49&format=markdown",
            &cast.coordinator,
        )
        .text;
    assert!(text.contains("督办逾期未答复（1项）"), "{text}");

    // The reply cites evidence attached to the problem it names; nothing else.
    let evidence = app.attach_pdf(&cast.owner, late)["id"].as_i64().unwrap();
    let (elsewhere, _) = confirmed(&app, &cast, "2026-12-31");
    let other = app.attach_pdf(&cast.owner, elsewhere)["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/supervision-notices/{notice_id}/reply");
    let refused = app
        .post(
            &path,
            &cast.coordinator,
            &json!({"reply": "已整改", "evidence_ids": [evidence, other]}),
        )
        .problem(422, "validation_failed");
    assert_eq!(refused["errors"][0]["field"], "evidence_ids[1]");
    let replied = app
        .post(
            &path,
            &cast.coordinator,
            &json!({"reply": "已约谈物业公司，建立投诉台账，件件有回音。", "evidence_ids": [evidence]}),
        )
        .expect(200);
    assert_eq!(replied["reply_evidence_ids"], json!([evidence]));
    let report = app
        .get("/api/v1/reports/overdue", &cast.coordinator)
        .expect(200);
    assert_eq!(report["overdue_replies"], json!([]));

    // The notice printed, with its reply.
    let bytes = app.get_bytes(
        &format!("/api/v1/supervision-notices/{notice_id}/notice.docx"),
        &cast.coordinator,
    );
    let (_dir, pdf) = crate::reports::printed("notice.docx", &bytes);
    let text = crate::import::run("pdftotext", &[&pdf, "-"]).replace(['\n', ' '], "");
    let key = get(&app, &cast.coordinator, late)["key"]
        .as_str()
        .unwrap()
        .to_owned();
    for expected in [
        "督〔2026〕1号",
        "关于督促整改物业管理问题的督办通知",
        "东风社区党委：",
        "请高度重视，限期整改。",
        "一、督办事项",
        &format!("1.{key}物业服务投诉处理不及时（整改时限2026年12月31日）"),
        "请于2026年11月30日前将整改落实情况书面报送东风街道党工委",
        "办理情况回复",
        "已约谈物业公司，建立投诉台账，件件有回音。",
        "佐证材料：",
    ] {
        assert!(text.contains(expected), "{expected} is not in:\n{text}");
    }
    app.get(
        &format!("/api/v1/supervision-notices/{notice_id}/notice.docx"),
        &cast.sibling,
    )
    .problem(404, "not_found");
}

#[test]
fn a_leader_is_told_from_yellow_a_head_from_red_and_a_watcher_sees_what_they_watch() {
    let app = spawn_app();
    let cast = app.cast();
    let (leader, _) = app.user_with_token("fen.guan", "owner", cast.org);
    let (head, _) = app.user_with_token("shu.ji", "owner", cast.org);
    app.patch(
        &format!("/api/v1/organizations/{}", cast.org),
        &app.admin_token,
        &json!({"leader_id": leader, "head_id": head}),
    )
    .expect(200);
    // Due 3 December: yellow on Sunday 29 November (within 7 days), red from the 4th.
    let (id, _) = confirmed(&app, &cast, "2026-12-03");
    app.post(
        &format!("/api/v1/problems/{id}/watchers"),
        &cast.coordinator,
        &json!({"organization_id": cast.sibling_org}),
    )
    .expect(201);
    app.set_now("2026-11-30T02:00:00Z");
    let digest = |token: &str, week: &str| {
        app.get(&format!("/api/v1/reports/digest?week={week}"), token)
            .expect(200)
    };
    let cast = app.sign_in_again(&cast);
    let (leader_token, head_token) = (
        app.login("fen.guan", rectify_tests::PASSWORD),
        app.login("shu.ji", rectify_tests::PASSWORD),
    );
    let key = get(&app, &cast.coordinator, id)["key"].clone();
    let keys = |digest: &Value, section: &str| -> Vec<Value> {
        digest[section]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["key"].clone())
            .collect()
    };
    assert_eq!(
        keys(&digest(&leader_token, "2026-W48"), "escalated"),
        vec![key.clone()]
    );
    assert_eq!(
        keys(&digest(&head_token, "2026-W48"), "escalated"),
        Vec::<Value>::new()
    );
    assert_eq!(
        keys(&digest(&cast.sibling, "2026-W48"), "watched"),
        vec![key.clone()]
    );
    // The coordinator has it in their own lists already: not repeated.
    assert_eq!(
        keys(&digest(&cast.coordinator, "2026-W48"), "escalated"),
        Vec::<Value>::new()
    );
    // Red by Sunday 6 December: the head is told too.
    app.set_now("2026-12-07T02:00:00Z");
    let head_token = app.login("shu.ji", rectify_tests::PASSWORD);
    let text = app
        .get(
            "/api/v1/reports/digest?week=2026-W49&format=markdown",
            &head_token,
        )
        .text;
    assert!(text.contains("预警升级提醒（1项）"), "{text}");
}

#[test]
fn the_scorecard_weighs_by_the_organizations_policy_and_prints_as_a_sheet() {
    let app = spawn_app();
    let cast = app.cast();
    let street = app.create_org("JD", "东风街道党工委", None);
    let (_, street_coordinator) = app.user_with_token("jd.coord", "coordinator", street);
    for unit in [cast.org, cast.sibling_org] {
        app.patch(
            &format!("/api/v1/organizations/{unit}"),
            &app.admin_token,
            &json!({"parent_id": street}),
        )
        .expect(200);
    }
    // A notice to DFSQ: 5 points off by default.
    let (id, _) = confirmed(&app, &cast, "2026-12-31");
    app.post(
        "/api/v1/supervision-notices",
        &street_coordinator,
        &json!({"recipient_organization_id": cast.org, "problem_ids": [id],
                "subject": "关于督促整改物业管理问题的督办通知"}),
    )
    .expect(201);
    let card = |query: &str| {
        app.get(
            &format!("/api/v1/reports/scorecard?organization_id={street}{query}"),
            &street_coordinator,
        )
        .expect(200)
    };
    let scores = |card: &Value| -> Vec<(String, f64)> {
        card["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["code"].as_str().unwrap().to_owned(),
                    u["score"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let default = card("");
    assert_eq!(default["weights"]["per_notice"], 5.0);
    assert_eq!(
        scores(&default),
        vec![("XFSQ".to_owned(), 100.0), ("DFSQ".to_owned(), 95.0)]
    );
    // The street weighs a notice at 20 points; the city above it is not changed.
    let weights = json!({"on_time": 50, "acknowledged": 25, "rechecks_held": 25,
                         "per_overdue": 2, "per_overdue_day": 0.1, "per_recurrence": 5,
                         "per_notice": 20});
    let unit = app
        .patch(
            &format!("/api/v1/organizations/{street}"),
            &app.admin_token,
            &json!({"scorecard_weights": weights}),
        )
        .expect(200);
    assert_eq!(unit["scorecard_weights"]["per_notice"], 20.0);
    assert_eq!(unit["scorecard_weights_effective"]["on_time"], 50.0);
    let below = app
        .get(
            &format!("/api/v1/organizations/{}", cast.org),
            &app.admin_token,
        )
        .expect(200);
    assert!(below["scorecard_weights"].is_null());
    assert_eq!(below["scorecard_weights_effective"]["per_notice"], 20.0);
    let weighed = card("");
    assert_eq!(weighed["weights"]["per_notice"], 20.0);
    assert_eq!(
        scores(&weighed),
        vec![("XFSQ".to_owned(), 100.0), ("DFSQ".to_owned(), 80.0)]
    );
    // A weight out of range is refused by name, and nothing changes.
    let mut bad = weights.clone();
    bad["per_overdue_day"] = json!(-1);
    let refused = app
        .patch(
            &format!("/api/v1/organizations/{street}"),
            &app.admin_token,
            &json!({"scorecard_weights": bad}),
        )
        .problem(422, "validation_failed");
    assert_eq!(
        refused["errors"][0]["field"],
        "scorecard_weights.per_overdue_day"
    );
    let mut missing = weights.clone();
    missing.as_object_mut().unwrap().remove("per_notice");
    let refused = app.patch(
        &format!("/api/v1/organizations/{street}"),
        &app.admin_token,
        &json!({"scorecard_weights": missing}),
    );
    assert!(refused.status >= 400, "{}", refused.text);
    assert_eq!(card("")["weights"]["per_notice"], 20.0);
    // null inherits again.
    app.patch(
        &format!("/api/v1/organizations/{street}"),
        &app.admin_token,
        &json!({"scorecard_weights": null}),
    )
    .expect(200);
    assert_eq!(card("")["weights"]["per_notice"], 5.0);

    // The sheet: a title, the columns, a row per unit, best first.
    let bytes = app.get_bytes(
        &format!("/api/v1/reports/scorecard?organization_id={street}&format=xlsx"),
        &street_coordinator,
    );
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["红黑榜"]);
    use calamine::Reader;
    let range = book.worksheet_range("红黑榜").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let header = rows
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "排名"))
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(rows[header].last().unwrap(), "得分");
    assert_eq!(rows[header + 1][1], "XFSQ");
    assert_eq!(rows[header + 2][1], "DFSQ");
    assert_eq!(rows[header + 2].last().unwrap(), "95.0");
}
