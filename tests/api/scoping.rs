//! A caller never learns that a record outside their subtree exists.

use rectify_tests::{json, spawn_app};

#[test]
fn a_sibling_organizations_coordinator_gets_404_on_every_ticket_endpoint() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let (problem, measure) = app.ready_problem(&cast, review, "物业管理问题", "2026-12-31");
    let cause = app
        .post(
            "/api/v1/causes",
            &cast.coordinator,
            &json!({"review_id": review, "title": "原因", "problem_ids": [problem]}),
        )
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let s = &cast.sibling;

    for path in [
        format!("/api/v1/reviews/{review}"),
        format!("/api/v1/problems/{problem}"),
        format!("/api/v1/problems/{problem}/history"),
        format!("/api/v1/problems/{problem}/notes"),
        format!("/api/v1/causes/{cause}"),
        format!("/api/v1/measures/{measure}"),
    ] {
        app.get(&path, s).problem(404, "not_found");
    }
    for (path, body) in [
        (format!("/api/v1/reviews/{review}"), json!({"title": "x"})),
        (format!("/api/v1/problems/{problem}"), json!({"title": "x"})),
        (format!("/api/v1/causes/{cause}"), json!({"title": "x"})),
        (format!("/api/v1/measures/{measure}"), json!({"done": true})),
    ] {
        app.patch(&path, s, &body).problem(404, "not_found");
    }
    app.act(s, problem, "confirm", None)
        .problem(404, "not_found");
    app.post(
        &format!("/api/v1/problems/{problem}/notes"),
        s,
        &json!({"body": "看看"}),
    )
    .problem(404, "not_found");
    // Creating against a review they cannot see names the field, as if it did not exist.
    for (path, body) in [
        (
            "/api/v1/problems",
            json!({"review_id": review, "title": "x"}),
        ),
        ("/api/v1/causes", json!({"review_id": review, "title": "x"})),
        (
            "/api/v1/measures",
            json!({"review_id": review, "title": "x"}),
        ),
    ] {
        let problem = app.post(path, s, &body).problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "review_id");
        assert!(problem["detail"]
            .as_str()
            .unwrap()
            .contains("does not exist"));
    }
    for path in [
        "/api/v1/problems",
        "/api/v1/reviews",
        "/api/v1/causes",
        "/api/v1/measures",
    ] {
        let page = app.get(path, s).expect(200);
        assert_eq!(page["items"], json!([]), "{path} lists nothing of DFSQ's");
    }
    // Nothing changed.
    assert_eq!(
        app.get(&format!("/api/v1/problems/{problem}"), &cast.coordinator)
            .expect(200)["version"],
        1
    );
}

#[test]
fn auditors_read_everything_in_their_subtree_and_change_nothing() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let (problem, measure) = app.ready_problem(&cast, review, "物业管理问题", "2026-12-31");
    let a = &cast.auditor;
    app.get(&format!("/api/v1/problems/{problem}"), a)
        .expect(200);
    app.get(&format!("/api/v1/problems/{problem}/history"), a)
        .expect(200);
    app.get(&format!("/api/v1/reviews/{review}"), a).expect(200);
    app.get(&format!("/api/v1/measures/{measure}"), a)
        .expect(200);
    assert_eq!(
        app.get(&format!("/api/v1/problems/{problem}"), a)
            .expect(200)["allowed_actions"],
        json!([])
    );

    app.post("/api/v1/reviews", a, &json!({"organization_id": cast.org, "title": "x", "kind": "audit", "held_on": "2026-11-01"}))
        .problem(403, "forbidden");
    app.patch(
        &format!("/api/v1/reviews/{review}"),
        a,
        &json!({"title": "x"}),
    )
    .problem(403, "forbidden");
    app.patch(
        &format!("/api/v1/problems/{problem}"),
        a,
        &json!({"title": "x"}),
    )
    .problem(403, "forbidden");
    app.patch(
        &format!("/api/v1/measures/{measure}"),
        a,
        &json!({"done": true}),
    )
    .problem(403, "forbidden");
    app.post(
        "/api/v1/causes",
        a,
        &json!({"review_id": review, "title": "x"}),
    )
    .problem(403, "forbidden");
    app.post(
        &format!("/api/v1/problems/{problem}/notes"),
        a,
        &json!({"body": "x"}),
    )
    .problem(403, "forbidden");
    app.act(a, problem, "confirm", None)
        .problem(403, "forbidden");
}
