//! Writes that arrive together: they share commits (on SQLite, group commit), and a write that
//! fails among them is refused alone while every other is acknowledged and kept.

use serde_json::{json, Value};

use rectify_tests::{on_postgres, spawn_app, TestApp};

/// A counter from `/metrics` (0 when the server does not report it: PostgreSQL has no writer).
fn counter(app: &TestApp, name: &str) -> f64 {
    app.metric(name, &[]).unwrap_or(0.0)
}

#[test]
fn a_burst_of_creates_shares_commits_and_a_failing_write_fails_alone() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let writes_before = counter(&app, "rectify_db_writes_total");
    let commits_before = counter(&app, "rectify_db_commits_total");

    const CLIENTS: usize = 16;
    const ROUNDS: usize = 12;
    // Every fourth request is a batch whose first problem is written before its second is
    // found to name an owner who does not exist: the write fails after it has written.
    let outcomes: Vec<(bool, u16, Value)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|client| {
                let (app, cast) = (&app, &cast);
                scope.spawn(move || {
                    (0..ROUNDS)
                        .map(|round| {
                            if round % 4 == 3 {
                                let reply = app.post(
                                    "/api/v1/problems/batch",
                                    &cast.coordinator,
                                    &json!({"problems": [
                                        {"review_id": review, "title": format!("拒收甲 {client}-{round}")},
                                        {"review_id": review, "title": format!("拒收乙 {client}-{round}"),
                                         "owner_id": 999_999_999},
                                    ]}),
                                );
                                (false, reply.status, reply.json())
                            } else {
                                let reply = app.post(
                                    "/api/v1/problems",
                                    &cast.coordinator,
                                    &json!({"review_id": review,
                                            "title": format!("群众反映物业服务 {client}-{round}")}),
                                );
                                (true, reply.status, reply.json())
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("client thread"))
            .collect()
    });

    let mut acknowledged = Vec::new();
    for (good, status, body) in &outcomes {
        if *good {
            assert_eq!(*status, 201, "{body}");
            acknowledged.push(body["id"].as_i64().unwrap());
        } else {
            assert_eq!(*status, 422, "{body}");
            assert_eq!(body["code"], "batch_invalid", "{body}");
            assert_eq!(body["errors"][0]["field"], "problems[1].owner_id", "{body}");
        }
    }
    let refused = outcomes.iter().filter(|(good, ..)| !good).count();
    assert_eq!(acknowledged.len(), CLIENTS * ROUNDS - refused);

    // Every acknowledged create is there, and nothing of a refused batch is.
    let listed = app
        .get(
            &format!("/api/v1/problems?review_id={review}&limit=1&total=true"),
            &cast.coordinator,
        )
        .expect(200);
    assert_eq!(listed["total"], acknowledged.len(), "{listed}");
    for id in &acknowledged {
        app.get(&format!("/api/v1/problems/{id}"), &cast.coordinator)
            .expect(200);
    }
    let refused_found = app
        // q=拒收, the refused batches' word
        .get(
            "/api/v1/problems?q=%E6%8B%92%E6%94%B6&total=true",
            &cast.coordinator,
        )
        .expect(200);
    assert_eq!(refused_found["total"], 0, "{refused_found}");

    // The audit log has one entry per acknowledged create, and its chain holds.
    let created = app
        .get(
            "/api/v1/audit?action=problem.create&limit=200",
            &app.admin_token,
        )
        .expect(200);
    assert_eq!(created["next_cursor"], Value::Null, "{created}");
    let mut audited: Vec<i64> = created["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entity_id"].as_str().unwrap().parse().unwrap())
        .collect();
    audited.sort_unstable();
    acknowledged.sort_unstable();
    assert_eq!(audited, acknowledged);
    let verified = app
        .get("/api/v1/audit/verify", &app.admin_token)
        .expect(200);
    assert_eq!(verified["ok"], true, "{verified}");

    if !on_postgres() {
        // SQLite: writes that waited behind one another went out together.
        let writes = counter(&app, "rectify_db_writes_total") - writes_before;
        let commits = counter(&app, "rectify_db_commits_total") - commits_before;
        assert!(writes >= (CLIENTS * ROUNDS) as f64, "{writes} writes");
        assert!(
            commits < writes,
            "{commits} commits for {writes} writes: no write shared a commit"
        );
    }
}
