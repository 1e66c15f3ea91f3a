use rectify_tests::{json, spawn_app};

#[test]
fn a_problem_walks_from_draft_to_closed_with_its_causes_and_measures() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let created = app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "对物业管理问题跟踪督促不够", "description": "小区物业服务投诉较多，督促整改不及时。", "aspect": "作风建设方面"}),
    );
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["key"], "DFSQ-1");
    assert_eq!(created["status"], "draft");
    assert_eq!(created["kind"], "scheduled");
    assert_eq!(
        created["organization_id"], cast.org,
        "the review's organization by default"
    );

    // Confirming needs an owner, a deadline and a measure; the answer says which are missing.
    let refused = app
        .act(&cast.coordinator, id, "confirm", None)
        .problem(422, "requirements_unmet");
    assert_eq!(refused["missing"], json!(["owner", "deadline", "measure"]));

    let cause = app
        .post(
            "/api/v1/causes",
            &cast.coordinator,
            &json!({"review_id": review, "title": "宗旨意识不够牢固", "problem_ids": [id]}),
        )
        .expect(201);
    assert_eq!(cause["problem_ids"], json!([id]));
    let measure = app.measure(
        &cast.coordinator,
        review,
        &[id],
        json!({"owner_id": cast.owner_id, "deadline": "2026-12-15"}),
    );
    app.patch(
        &format!("/api/v1/problems/{id}"),
        &cast.coordinator,
        &json!({"owner_id": cast.owner_id, "deadline": "2026-12-31"}),
    )
    .expect(200);

    let open = app.act(&cast.coordinator, id, "confirm", None).expect(200);
    assert_eq!(
        (open["status"].as_str(), open["original_deadline"].as_str()),
        (Some("open"), Some("2026-12-31"))
    );
    assert_eq!(
        app.act(&cast.owner, id, "start", None).expect(200)["status"],
        "in_progress"
    );

    // Submitting needs a completion note, every linked measure done, and evidence (the
    // organization requires it, as organizations do unless they say otherwise).
    let refused = app
        .act(&cast.owner, id, "submit", None)
        .problem(422, "requirements_unmet");
    assert_eq!(
        refused["missing"],
        json!(["note", "measures_done", "evidence"])
    );
    app.attach_pdf(&cast.owner, id);
    let done = app
        .patch(
            &format!("/api/v1/measures/{measure}"),
            &cast.owner,
            &json!({"done": true}),
        )
        .expect(200);
    assert_eq!(done["done"], true);
    assert!(done["done_at"].is_string());
    let submitted = app
        .act(
            &cast.owner,
            id,
            "submit",
            Some("已制定物业服务考核办法并召开协调会"),
        )
        .expect(200);
    assert_eq!(submitted["status"], "submitted");
    assert!(submitted["submitted_at"].is_string());

    // The owner cannot verify their own work; a coordinator can.
    app.act(&cast.owner, id, "verify", None)
        .problem(403, "forbidden");
    let closed = app
        .act(&cast.coordinator, id, "verify", Some("经核查，整改到位"))
        .expect(200);
    assert_eq!(closed["status"], "closed");
    assert!(closed["closed_at"].is_string());

    let problem = app
        .get(&format!("/api/v1/problems/{id}"), &cast.coordinator)
        .expect(200);
    assert_eq!(problem["cause_ids"], json!([cause["id"]]));
    assert_eq!(problem["measure_ids"], json!([measure]));
    assert_eq!(problem["allowed_actions"], json!(["reopen"]));

    let history = app
        .get(&format!("/api/v1/problems/{id}/history"), &cast.auditor)
        .expect(200);
    let steps: Vec<(&str, &str)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["action"].as_str().unwrap(),
                h["to_status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("create", "draft"),
            ("confirm", "open"),
            ("start", "in_progress"),
            ("add_evidence", "in_progress"),
            ("submit", "submitted"),
            ("verify", "closed")
        ]
    );
    assert_eq!(
        history["items"][4]["note"],
        "已制定物业服务考核办法并召开协调会"
    );
    assert_eq!(history["items"][4]["actor_id"], cast.owner_id);
    assert_eq!(history["items"][5]["from_status"], "submitted");
}

#[test]
fn refused_actions_answer_with_the_right_status_and_change_nothing() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let (id, _) = app.ready_problem(&cast, review, "信访件办理不及时", "2026-12-31");

    // The status does not allow it: 409 naming what is allowed.
    let wrong_state = app
        .act(&cast.coordinator, id, "verify", None)
        .problem(409, "transition_not_allowed");
    assert_eq!(wrong_state["allowed_actions"], json!(["confirm", "cancel"]));
    // The role does not allow it: 403.
    app.act(&cast.owner, id, "confirm", None)
        .problem(403, "forbidden");
    app.act(&cast.auditor, id, "cancel", Some("x"))
        .problem(403, "forbidden");
    // A missing reason: 422.
    assert_eq!(
        app.act(&cast.coordinator, id, "cancel", Some("  "))
            .problem(422, "requirements_unmet")["missing"],
        json!(["note"])
    );
    // An unknown action: 422 naming it.
    app.act(&cast.coordinator, id, "approve", None)
        .problem(422, "invalid_body");

    let unchanged = app
        .get(&format!("/api/v1/problems/{id}"), &cast.coordinator)
        .expect(200);
    assert_eq!(
        (unchanged["status"].as_str(), unchanged["version"].as_i64()),
        (Some("draft"), Some(1))
    );
    assert_eq!(
        app.get(&format!("/api/v1/problems/{id}/history"), &cast.coordinator)
            .expect(200)["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Status never changes by PATCH; a confirmed deadline moves only by extension.
    let patch = app.patch(
        &format!("/api/v1/problems/{id}"),
        &cast.coordinator,
        &json!({"status": "closed"}),
    );
    assert_eq!(
        patch.problem(422, "validation_failed")["errors"][0]["field"],
        "status"
    );
    app.act(&cast.coordinator, id, "confirm", None).expect(200);
    let patch = app.patch(
        &format!("/api/v1/problems/{id}"),
        &cast.coordinator,
        &json!({"deadline": "2027-03-01"}),
    );
    assert_eq!(
        patch.problem(422, "validation_failed")["errors"][0]["code"],
        "needs_extension"
    );
    // Owners and auditors do not edit problems.
    app.patch(
        &format!("/api/v1/problems/{id}"),
        &cast.owner,
        &json!({"title": "x"}),
    )
    .problem(403, "forbidden");

    // Reject and reopen need reasons; a submitter may not verify even as a coordinator.
    app.patch(
        &format!("/api/v1/problems/{id}"),
        &cast.coordinator,
        &json!({"owner_id": null}),
    )
    .expect(200);
    let (coord_id, coordinator_owner) = (
        app.get("/api/v1/auth/me", &cast.coordinator).expect(200)["user"]["id"]
            .as_i64()
            .unwrap(),
        &cast.coordinator,
    );
    app.patch(
        &format!("/api/v1/problems/{id}"),
        &cast.coordinator,
        &json!({"owner_id": coord_id}),
    )
    .expect(200);
    app.act(coordinator_owner, id, "start", None).expect(200);
    let measure = app
        .get(&format!("/api/v1/problems/{id}"), &cast.coordinator)
        .expect(200)["measure_ids"][0]
        .as_i64()
        .unwrap();
    app.patch(
        &format!("/api/v1/measures/{measure}"),
        &cast.coordinator,
        &json!({"done": true}),
    )
    .expect(200);
    app.attach_pdf(coordinator_owner, id);
    app.act(coordinator_owner, id, "submit", Some("完成"))
        .expect(200);
    let own = app
        .act(coordinator_owner, id, "verify", None)
        .problem(422, "requirements_unmet");
    assert_eq!(own["missing"], json!(["other_verifier"]));
    app.act(&cast.coordinator2, id, "reject", None)
        .problem(422, "requirements_unmet");
    app.act(&cast.coordinator2, id, "reject", Some("佐证不足"))
        .expect(200);
    app.act(coordinator_owner, id, "submit", Some("补充材料"))
        .expect(200);
    app.act(&cast.coordinator2, id, "verify", None).expect(200);
    app.act(&cast.coordinator2, id, "cancel", Some("x"))
        .problem(409, "transition_not_allowed");
    let reopened = app
        .act(&cast.coordinator2, id, "reopen", Some("回头看发现问题反弹"))
        .expect(200);
    assert_eq!(reopened["status"], "in_progress");
    assert!(reopened["closed_at"].is_null());
}

#[test]
fn a_stale_if_match_is_412_and_the_etag_follows_the_version() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let (id, _) = app.ready_problem(&cast, review, "学习制度落实不到位", "2026-12-31");
    let path = format!("/api/v1/problems/{id}");
    let read = app.get(&path, &cast.coordinator);
    let read_tag = read.header("etag").unwrap().to_owned();
    assert!(read_tag.starts_with("\"1-"), "{read_tag}");

    let auth = format!("Bearer {}", cast.coordinator);
    let patch = |etag: &str, title: &str| {
        app.send(
            "PATCH",
            &path,
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
                ("if-match", etag),
            ],
            serde_json::to_vec(&json!({"title": title})).unwrap(),
        )
    };
    let first = patch(&read_tag, "学习制度落实不够到位");
    assert!(first.header("etag").unwrap().starts_with("\"2-"));
    assert_eq!(first.expect(200)["version"], 2);
    let stale = patch(&read_tag, "覆盖别人的修改");
    assert_eq!(stale.problem(412, "version_mismatch")["current_version"], 2);
    // The bare version, as tags were written before, is read the same way.
    patch("\"1\"", "覆盖别人的修改").problem(412, "version_mismatch");
    let transition = app.send(
        "POST",
        &format!("{path}/transitions"),
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
            ("if-match", &read_tag),
        ],
        br#"{"action": "confirm"}"#.to_vec(),
    );
    transition.problem(412, "version_mismatch");
    assert_eq!(
        app.get(&path, &cast.coordinator).expect(200)["title"],
        "学习制度落实不够到位"
    );
}

#[test]
fn an_unchanged_answer_is_304_and_a_new_version_day_or_reader_gets_a_new_tag() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    // Due in six days: "due soon" today, overdue a week later, at the same version.
    let (id, _) = app.ready_problem(&cast, review, "学习制度落实不到位", "2026-11-29");
    app.act(&cast.coordinator, id, "confirm", None).expect(200);
    let get = |path: &str, token: &str, tag: Option<&str>| {
        let auth = format!("Bearer {token}");
        let mut headers = vec![("authorization", auth.as_str())];
        if let Some(tag) = tag {
            headers.push(("if-none-match", tag));
        }
        app.send("GET", path, &headers, Vec::new())
    };
    let tag_of = |reply: &rectify_tests::Reply| reply.header("etag").unwrap().to_owned();
    let path = format!("/api/v1/problems/{id}");

    let first = get(&path, &cast.coordinator, None);
    let tag = tag_of(&first);
    assert_eq!(first.expect(200)["warning"], "due_soon");
    let unchanged = get(&path, &cast.coordinator, Some(&tag));
    assert_eq!(unchanged.status, 304);
    assert!(unchanged.text.is_empty());
    assert_eq!(tag_of(&unchanged), tag);
    // A list of tags, one of them weak, names it too.
    let listed = format!("\"0-0000\", W/{tag}");
    assert_eq!(get(&path, &cast.coordinator, Some(&listed)).status, 304);

    // The owner is offered other actions: another answer, another tag.
    let owners = get(&path, &cast.owner, Some(&tag));
    assert_eq!(owners.status, 200);
    assert_ne!(tag_of(&owners), tag);

    // A week later the same version reads overdue: the tag changes with the answer.
    app.advance(chrono::Duration::days(7));
    let later = get(&path, &cast.coordinator, Some(&tag));
    assert_eq!(later.status, 200);
    assert_eq!(later.json()["warning"], "overdue");
    let later_tag = tag_of(&later);
    assert_ne!(later_tag, tag);
    assert_eq!(later_tag.split('-').next(), tag.split('-').next());

    // Lists and the OpenAPI document have tags too; a change to a listed record changes it.
    let list = format!("/api/v1/problems?review_id={review}");
    let list_tag = tag_of(&get(&list, &cast.coordinator, None));
    assert_eq!(get(&list, &cast.coordinator, Some(&list_tag)).status, 304);
    app.patch(
        &path,
        &cast.coordinator,
        &json!({"title": "学习制度落实不够到位"}),
    )
    .expect(200);
    assert_eq!(get(&list, &cast.coordinator, Some(&list_tag)).status, 200);
    let document = app.send("GET", "/api/v1/openapi.json", &[], Vec::new());
    let document_tag = tag_of(&document);
    let again = app.send(
        "GET",
        "/api/v1/openapi.json",
        &[("if-none-match", &document_tag)],
        Vec::new(),
    );
    assert_eq!(again.status, 304);
    // A write is never answered 304, whatever it sends.
    let write = app.send(
        "PATCH",
        &path,
        &[
            ("authorization", &format!("Bearer {}", cast.coordinator)),
            ("content-type", "application/json"),
            ("if-none-match", "*"),
        ],
        serde_json::to_vec(&json!({"title": "学习制度落实仍不到位"})).unwrap(),
    );
    assert_eq!(write.status, 200);
}

#[test]
fn of_two_concurrent_transitions_exactly_one_wins() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    for round in 0..4 {
        let (id, _) = app.ready_problem(&cast, review, &format!("并发确认 {round}"), "2026-12-31");
        let barrier = std::sync::Barrier::new(2);
        let statuses: Vec<u16> = std::thread::scope(|s| {
            let handles: Vec<_> = [&cast.coordinator, &cast.coordinator2]
                .into_iter()
                .map(|token| {
                    let barrier = &barrier;
                    let app = &app;
                    s.spawn(move || {
                        barrier.wait();
                        app.act(token, id, "confirm", None).status
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut sorted = statuses.clone();
        sorted.sort();
        assert_eq!(sorted, [200, 409], "round {round}: {statuses:?}");
        let history = app
            .get(&format!("/api/v1/problems/{id}/history"), &cast.coordinator)
            .expect(200);
        assert_eq!(
            history["items"].as_array().unwrap().len(),
            2,
            "one create, one confirm"
        );
    }
}

#[test]
fn an_idempotent_retry_returns_the_first_answer_and_creates_one_problem() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let auth = format!("Bearer {}", cast.coordinator);
    let body =
        serde_json::to_vec(&json!({"review_id": review, "title": "党员教育管理不严格"})).unwrap();
    let send = |key: &str, body: Vec<u8>| {
        app.send(
            "POST",
            "/api/v1/problems",
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
                ("idempotency-key", key),
            ],
            body,
        )
    };
    let first = send("office-42-0001", body.clone());
    let created = first.expect(201);
    let retry = send("office-42-0001", body.clone());
    assert_eq!(retry.expect(201), created);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.header("location"), first.header("location"));

    let listed = app
        .get("/api/v1/problems?total=true", &cast.coordinator)
        .expect(200);
    assert_eq!(listed["total"], 1, "the retry created nothing");

    let other = serde_json::to_vec(&json!({"review_id": review, "title": "另一个问题"})).unwrap();
    send("office-42-0001", other).problem(422, "idempotency_key_reused");
    // Keys are per caller: another coordinator's identical key is a new request.
    let auth2 = format!("Bearer {}", cast.coordinator2);
    let theirs = app.send(
        "POST",
        "/api/v1/problems",
        &[
            ("authorization", &auth2),
            ("content-type", "application/json"),
            ("idempotency-key", "office-42-0001"),
        ],
        body,
    );
    assert_ne!(theirs.expect(201)["id"], created["id"]);
    assert_eq!(
        app.get("/api/v1/problems?total=true", &cast.coordinator)
            .expect(200)["total"],
        2
    );
}

#[test]
fn keys_count_per_organization_and_are_never_reused() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let branch = app.create_org("DFSQ1", "第一党支部", Some(cast.org));
    let keys: Vec<String> = [None, None, Some(branch), None]
        .into_iter()
        .map(|unit| {
            let mut body = json!({"review_id": review, "title": "问题"});
            if let Some(unit) = unit {
                body["organization_id"] = json!(unit);
            }
            app.problem(&cast.coordinator, body)["key"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(keys, ["DFSQ-1", "DFSQ-2", "DFSQ1-1", "DFSQ-3"]);
    // A failed create does not use up a number.
    app.post(
        "/api/v1/problems",
        &cast.coordinator,
        &json!({"review_id": review, "title": "x", "aspect": "不存在的方面"}),
    )
    .problem(422, "validation_failed");
    assert_eq!(
        app.problem(
            &cast.coordinator,
            json!({"review_id": review, "title": "y"})
        )["key"],
        "DFSQ-4"
    );
}

#[test]
fn problem_fields_are_checked_against_the_review() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let other_review = app.review(&cast.coordinator, cast.org);
    let foreign_measure = app.measure(&cast.coordinator, other_review, &[], json!({}));
    let field_of = |body: serde_json::Value| {
        app.post("/api/v1/problems", &cast.coordinator, &body)
            .problem(422, "validation_failed")["errors"][0]["field"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        field_of(json!({"review_id": review, "title": "x", "aspect": "组织建设方面"})),
        "aspect"
    );
    assert_eq!(
        field_of(json!({"review_id": review, "title": "x", "measure_ids": [foreign_measure]})),
        "measure_ids"
    );
    assert_eq!(
        field_of(json!({"review_id": review, "title": "x", "organization_id": cast.sibling_org})),
        "organization_id"
    );
    assert_eq!(
        field_of(json!({"review_id": 9999, "title": "x"})),
        "review_id"
    );
    assert_eq!(
        field_of(json!({"review_id": review, "title": "   "})),
        "title"
    );
    let auditor_id = app.get("/api/v1/auth/me", &cast.auditor).expect(200)["user"]["id"].clone();
    assert_eq!(
        field_of(json!({"review_id": review, "title": "x", "owner_id": auditor_id})),
        "owner_id"
    );
    app.post(
        "/api/v1/problems",
        &cast.owner,
        &json!({"review_id": review, "title": "x"}),
    )
    .problem(403, "forbidden");
    assert_eq!(
        app.get("/api/v1/problems?total=true", &cast.coordinator)
            .expect(200)["total"],
        0
    );
}

#[test]
fn a_deadline_outside_the_years_people_mean_is_refused_as_the_import_refuses_it() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    for deadline in ["0001-01-01", "1999-12-31", "2101-01-01"] {
        let refused = app
            .post(
                "/api/v1/problems",
                &cast.coordinator,
                &json!({"review_id": review, "title": "时限笔误", "deadline": deadline}),
            )
            .problem(422, "validation_failed");
        assert_eq!(refused["errors"][0]["field"], "deadline", "{deadline}");
        assert_eq!(refused["errors"][0]["code"], "range", "{deadline}");
    }
    let (id, measure) = app.ready_problem(&cast, review, "时限在范围内", "2100-12-31");
    app.patch(
        &format!("/api/v1/measures/{measure}"),
        &cast.coordinator,
        &json!({"deadline": "1900-01-01"}),
    )
    .problem(422, "validation_failed");
    app.act(&cast.coordinator, id, "confirm", None).expect(200);
    app.act(&cast.owner, id, "start", None).expect(200);
    let refused = app
        .post(
            &format!("/api/v1/problems/{id}/extensions"),
            &cast.owner,
            &json!({"new_deadline": "2200-01-01", "reason": "笔误"}),
        )
        .problem(422, "validation_failed");
    assert_eq!(refused["errors"][0]["field"], "new_deadline");
}
