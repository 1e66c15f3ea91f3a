use rectify_tests::{json, spawn_app};

#[test]
fn a_coordinator_records_a_review_with_its_aspects() {
    let app = spawn_app();
    let cast = app.cast();
    let reply = app.post(
        "/api/v1/reviews",
        &cast.coordinator,
        &json!({
            "organization_id": cast.org, "title": "2023年度组织生活会", "kind": "organizational_life",
            "held_on": "2024-01-20", "aspects": ["政治建设方面", "思想建设方面", "作风建设方面"],
            "source_text": "一、存在问题……"
        }),
    );
    let review = reply.expect(201);
    let id = review["id"].as_i64().unwrap();
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/reviews/{id}").as_str())
    );
    assert_eq!(
        review["aspects"],
        json!(["政治建设方面", "思想建设方面", "作风建设方面"])
    );
    assert_eq!(review["held_on"], "2024-01-20");
    assert_eq!(
        app.get(&format!("/api/v1/reviews/{id}"), &cast.owner)
            .expect(200),
        review
    );

    let listed = app
        .get(
            "/api/v1/reviews?kind=organizational_life&total=true",
            &cast.auditor,
        )
        .expect(200);
    assert_eq!(listed["total"], 1);
    let found = app
        .get(
            "/api/v1/reviews?q=%E7%BB%84%E7%BB%87%E7%94%9F%E6%B4%BB",
            &cast.auditor,
        )
        .expect(200);
    assert_eq!(found["items"][0]["id"], id, "组织生活");
}

#[test]
fn an_aspect_in_use_cannot_be_removed_but_others_can_be_reordered() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "x", "aspect": "作风建设方面"}),
    );
    let path = format!("/api/v1/reviews/{review}");
    let refused = app.patch(
        &path,
        &cast.coordinator,
        &json!({"aspects": ["政治建设方面"]}),
    );
    assert_eq!(refused.problem(409, "aspect_in_use")["field"], "aspects");
    let changed = app
        .patch(
            &path,
            &cast.coordinator,
            &json!({"aspects": ["作风建设方面", "组织建设方面"], "title": "新标题"}),
        )
        .expect(200);
    assert_eq!(changed["aspects"], json!(["作风建设方面", "组织建设方面"]));
    assert_eq!(changed["version"], 2);
    let dup = app.patch(&path, &cast.coordinator, &json!({"aspects": ["a", "a"]}));
    assert_eq!(
        dup.problem(422, "validation_failed")["errors"][0]["code"],
        "unique"
    );
}

#[test]
fn review_input_is_validated_field_by_field() {
    let app = spawn_app();
    let cast = app.cast();
    let bad = app.post(
        "/api/v1/reviews",
        &cast.coordinator,
        &json!({"organization_id": cast.sibling_org, "title": "", "kind": "organizational_life", "held_on": "2024-01-20"}),
    );
    let problem = bad.problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "title");
    let unseen = app.post(
        "/api/v1/reviews",
        &cast.coordinator,
        &json!({"organization_id": cast.sibling_org, "title": "x", "kind": "organizational_life", "held_on": "2024-01-20"}),
    );
    assert_eq!(
        unseen.problem(422, "validation_failed")["errors"][0]["field"],
        "organization_id"
    );
    let bad_date = app.post(
        "/api/v1/reviews",
        &cast.coordinator,
        &json!({"organization_id": cast.org, "title": "x", "kind": "organizational_life", "held_on": "2024-13-01"}),
    );
    bad_date.problem(422, "invalid_body");
    app.post("/api/v1/reviews", &cast.owner, &json!({"organization_id": cast.org, "title": "x", "kind": "audit", "held_on": "2024-01-01"}))
        .problem(403, "forbidden");
}
