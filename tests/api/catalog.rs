//! Causes, measures and notes.

use rectify_tests::{json, spawn_app};

#[test]
fn causes_and_measures_link_to_many_problems_and_back() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let p1 = app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "一"}),
    )["id"]
        .as_i64()
        .unwrap();
    let p2 = app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "二"}),
    )["id"]
        .as_i64()
        .unwrap();
    let cause = app
        .post(
            "/api/v1/causes",
            &cast.coordinator,
            &json!({"review_id": review, "title": "理论学习不深入", "problem_ids": [p2, p1, p1]}),
        )
        .expect(201);
    assert_eq!(cause["problem_ids"], json!([p1, p2]));
    let cause_id = cause["id"].as_i64().unwrap();
    let measure = app.measure(
        &cast.coordinator,
        review,
        &[p1],
        json!({"deadline": "2026-11-20"}),
    );

    assert_eq!(
        app.get(&format!("/api/v1/problems/{p1}"), &cast.coordinator)
            .expect(200)["cause_ids"],
        json!([cause_id])
    );
    assert_eq!(
        app.get(&format!("/api/v1/problems/{p2}"), &cast.coordinator)
            .expect(200)["measure_ids"],
        json!([])
    );

    let relinked = app
        .patch(
            &format!("/api/v1/causes/{cause_id}"),
            &cast.coordinator,
            &json!({"problem_ids": [p2]}),
        )
        .expect(200);
    assert_eq!(relinked["problem_ids"], json!([p2]));
    assert_eq!(
        app.get(&format!("/api/v1/problems/{p1}"), &cast.coordinator)
            .expect(200)["cause_ids"],
        json!([])
    );

    let listed = app
        .get(&format!("/api/v1/causes?problem_id={p2}"), &cast.owner)
        .expect(200);
    assert_eq!(listed["items"][0]["id"], cause_id);
    let measures = app
        .get(
            &format!("/api/v1/measures?review_id={review}&done=false"),
            &cast.owner,
        )
        .expect(200);
    assert_eq!(measures["items"][0]["id"], measure);
    // Measures fall due like problems: 20 November is 3 days before the test's today.
    assert_eq!(
        (
            measures["items"][0]["overdue"].as_bool(),
            measures["items"][0]["days_overdue"].as_i64()
        ),
        (Some(true), Some(3))
    );

    let elsewhere = app.review(&cast.coordinator, cast.org);
    let foreign = app.post(
        "/api/v1/causes",
        &cast.coordinator,
        &json!({"review_id": elsewhere, "title": "x", "problem_ids": [p1]}),
    );
    assert_eq!(
        foreign.problem(422, "validation_failed")["errors"][0]["field"],
        "problem_ids"
    );
}

#[test]
fn only_the_measures_owner_or_a_coordinator_marks_it_done() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let (other_owner_id, other_owner) = app.user_with_token("owner2", "owner", cast.org);
    let mine = app.measure(
        &cast.coordinator,
        review,
        &[],
        json!({"owner_id": cast.owner_id}),
    );
    let theirs = app.measure(
        &cast.coordinator,
        review,
        &[],
        json!({"owner_id": other_owner_id}),
    );

    app.patch(
        &format!("/api/v1/measures/{theirs}"),
        &cast.owner,
        &json!({"done": true}),
    )
    .problem(403, "forbidden");
    app.patch(
        &format!("/api/v1/measures/{mine}"),
        &cast.owner,
        &json!({"title": "改标题"}),
    )
    .problem(403, "forbidden");
    let done = app
        .patch(
            &format!("/api/v1/measures/{mine}"),
            &cast.owner,
            &json!({"done": true}),
        )
        .expect(200);
    assert!(done["done_at"].is_string());
    let undone = app
        .patch(
            &format!("/api/v1/measures/{mine}"),
            &cast.coordinator,
            &json!({"done": false}),
        )
        .expect(200);
    assert!(undone["done_at"].is_null());
    app.patch(
        &format!("/api/v1/measures/{theirs}"),
        &other_owner,
        &json!({"done": true}),
    )
    .expect(200);
}

#[test]
fn progress_notes_are_kept_in_order() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let (problem, _) = app.ready_problem(&cast, review, "物业", "2026-12-31");
    let path = format!("/api/v1/problems/{problem}/notes");
    let first = app
        .post(&path, &cast.owner, &json!({"body": "已与物业公司约谈"}))
        .expect(201);
    assert_eq!(first["author_id"], cast.owner_id);
    app.post(&path, &cast.coordinator, &json!({"body": "督促下周复查"}))
        .expect(201);
    app.post(&path, &cast.owner, &json!({"body": ""}))
        .problem(422, "validation_failed");
    let (_, stranger) = app.user_with_token("stranger", "owner", cast.org);
    app.post(&path, &stranger, &json!({"body": "x"}))
        .problem(403, "forbidden");

    let notes = app
        .get(&format!("{path}?limit=1"), &cast.auditor)
        .expect(200);
    assert_eq!(notes["items"][0]["body"], "已与物业公司约谈");
    let cursor = notes["next_cursor"].as_str().unwrap();
    let next = app
        .get(&format!("{path}?limit=1&cursor={cursor}"), &cast.auditor)
        .expect(200);
    assert_eq!(next["items"][0]["body"], "督促下周复查");
}
