use rectify_tests::{json, spawn_app};

#[test]
fn an_admin_creates_reads_and_updates_an_organization() {
    let app = spawn_app();
    let reply = app.post(
        "/api/v1/organizations",
        &app.admin_token,
        &json!({"code": "dfsq", "name": "东风社区党委", "timezone": "Asia/Urumqi"}),
    );
    let org = reply.expect(201);
    let id = org["id"].as_i64().unwrap();
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/organizations/{id}").as_str())
    );
    assert_eq!(org["code"], "DFSQ", "codes are stored upper-case");
    assert_eq!(org["name"], "东风社区党委");
    assert_eq!(org["parent_id"], 1, "the root is the default parent");
    assert_eq!(org["timezone"], "Asia/Urumqi");
    assert_eq!(org["active"], true);

    let fetched = app
        .get(&format!("/api/v1/organizations/{id}"), &app.admin_token)
        .expect(200);
    assert_eq!(fetched, org);

    let updated = app
        .patch(
            &format!("/api/v1/organizations/{id}"),
            &app.admin_token,
            &json!({"name": "东风社区党委（新）"}),
        )
        .expect(200);
    assert_eq!(updated["name"], "东风社区党委（新）");
    assert_eq!(updated["timezone"], "Asia/Urumqi");
}

#[test]
fn a_child_takes_its_parents_time_zone_by_default() {
    let app = spawn_app();
    let parent = app
        .post(
            "/api/v1/organizations",
            &app.admin_token,
            &json!({"code": "W", "name": "西部", "timezone": "Asia/Urumqi"}),
        )
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let child = app
        .post(
            "/api/v1/organizations",
            &app.admin_token,
            &json!({"code": "W1", "name": "一支部", "parent_id": parent}),
        )
        .expect(201);
    assert_eq!(child["timezone"], "Asia/Urumqi");
}

#[test]
fn a_duplicate_code_is_409_whatever_its_case() {
    let app = spawn_app();
    app.create_org("DFSQ", "东风社区", None);
    let reply = app.post(
        "/api/v1/organizations",
        &app.admin_token,
        &json!({"code": "dfsq", "name": "另一个"}),
    );
    let problem = reply.problem(409, "code_taken");
    assert_eq!(problem["field"], "code");
}

#[test]
fn an_unknown_parent_is_named() {
    let app = spawn_app();
    let reply = app.post(
        "/api/v1/organizations",
        &app.admin_token,
        &json!({"code": "A", "name": "a", "parent_id": 999}),
    );
    assert_eq!(
        reply.problem(422, "validation_failed")["errors"][0]["field"],
        "parent_id"
    );
}

#[test]
fn only_admins_write_organizations() {
    let app = spawn_app();
    let org = app.create_org("DFSQ", "东风社区", None);
    let (_, coordinator) = app.user_with_token("coord", "coordinator", org);
    app.post(
        "/api/v1/organizations",
        &coordinator,
        &json!({"code": "X", "name": "x", "parent_id": org}),
    )
    .problem(403, "forbidden");
    app.patch(
        &format!("/api/v1/organizations/{org}"),
        &coordinator,
        &json!({"name": "y"}),
    )
    .problem(403, "forbidden");
    app.post(
        &format!("/api/v1/organizations/{org}/deactivate"),
        &coordinator,
        &json!({}),
    )
    .problem(403, "forbidden");
    assert_eq!(
        app.get(&format!("/api/v1/organizations/{org}"), &coordinator)
            .expect(200)["name"],
        "东风社区"
    );
}

#[test]
fn a_sibling_organizations_user_gets_404_everywhere() {
    let app = spawn_app();
    let east = app.create_org("EAST", "东区", None);
    let west = app.create_org("WEST", "西区", None);
    let west_branch = app.create_org("WEST1", "西区一支部", Some(west));
    let (_, east_user) = app.user_with_token("east.auditor", "auditor", east);

    for path in [
        format!("/api/v1/organizations/{west}"),
        format!("/api/v1/organizations/{west_branch}"),
        "/api/v1/organizations/1".into(),
    ] {
        app.get(&path, &east_user).problem(404, "not_found");
    }
    app.patch(
        &format!("/api/v1/organizations/{west}"),
        &east_user,
        &json!({"name": "z"}),
    )
    .problem(404, "not_found");
    app.post(
        &format!("/api/v1/organizations/{west}/deactivate"),
        &east_user,
        &json!({}),
    )
    .problem(404, "not_found");
    app.get(&format!("/api/v1/organizations?within={west}"), &east_user)
        .problem(422, "validation_failed");

    let listed = app.get("/api/v1/organizations", &east_user).expect(200);
    let codes: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["EAST"]);
}

#[test]
fn lists_page_with_an_opaque_cursor_and_count_on_request() {
    let app = spawn_app();
    for i in 0..5 {
        app.create_org(&format!("P{i}"), &format!("支部{i}"), None);
    }
    let first = app
        .get("/api/v1/organizations?limit=4&total=true", &app.admin_token)
        .expect(200);
    assert_eq!(first["total"], 6);
    assert_eq!(first["items"].as_array().unwrap().len(), 4);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .get(
            &format!("/api/v1/organizations?limit=4&cursor={cursor}"),
            &app.admin_token,
        )
        .expect(200);
    let codes: Vec<&str> = second["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["P3", "P4"]);
    assert!(second["next_cursor"].is_null());
    assert!(second.get("total").is_none(), "total only when asked");

    let found = app
        .get(
            "/api/v1/organizations?q=%E6%94%AF%E9%83%A82",
            &app.admin_token,
        )
        .expect(200);
    assert_eq!(
        found["items"][0]["code"], "P2",
        "q finds Chinese names: 支部2"
    );
    let children = app
        .get(
            "/api/v1/organizations?parent_id=1&total=true",
            &app.admin_token,
        )
        .expect(200);
    assert_eq!(children["total"], 5);
}

#[test]
fn moving_an_organization_carries_its_subtree_and_refuses_cycles() {
    let app = spawn_app();
    let a = app.create_org("A", "甲", None);
    let a1 = app.create_org("A1", "甲一", Some(a));
    let a11 = app.create_org("A11", "甲一一", Some(a1));
    let b = app.create_org("B", "乙", None);
    let (_, b_user) = app.user_with_token("b.auditor", "auditor", b);
    app.get(&format!("/api/v1/organizations/{a11}"), &b_user)
        .problem(404, "not_found");

    app.patch(
        &format!("/api/v1/organizations/{a1}"),
        &app.admin_token,
        &json!({"parent_id": b}),
    )
    .expect(200);
    assert_eq!(
        app.get(&format!("/api/v1/organizations/{a11}"), &b_user)
            .expect(200)["code"],
        "A11"
    );

    let cycle = app.patch(
        &format!("/api/v1/organizations/{b}"),
        &app.admin_token,
        &json!({"parent_id": a11}),
    );
    assert_eq!(
        cycle.problem(422, "validation_failed")["errors"][0]["code"],
        "no_cycle"
    );
    app.patch(
        "/api/v1/organizations/1",
        &app.admin_token,
        &json!({"parent_id": a}),
    )
    .problem(422, "root_is_fixed");
}

#[test]
fn deactivation_needs_an_empty_organization_and_spares_the_root() {
    let app = spawn_app();
    let org = app.create_org("DFSQ", "东风社区", None);
    let branch = app.create_org("DFSQ1", "一支部", Some(org));
    let user = app.create_user("zhao", "owner", branch);
    let deactivate = |id: i64| {
        app.post(
            &format!("/api/v1/organizations/{id}/deactivate"),
            &app.admin_token,
            &json!({}),
        )
    };

    deactivate(org).problem(409, "has_active_children");
    deactivate(branch).problem(409, "has_active_users");
    deactivate(1).problem(422, "root_is_fixed");

    app.post(
        &format!("/api/v1/users/{user}/deactivate"),
        &app.admin_token,
        &json!({}),
    )
    .expect(200);
    assert_eq!(deactivate(branch).expect(200)["active"], false);
    assert_eq!(deactivate(org).expect(200)["active"], false);
    app.post(
        "/api/v1/organizations",
        &app.admin_token,
        &json!({"code": "N", "name": "n", "parent_id": org}),
    )
    .problem(422, "parent_inactive");
}

#[test]
fn organization_endpoints_need_a_token() {
    let app = spawn_app();
    app.call("GET", "/api/v1/organizations", None, None)
        .problem(401, "missing_token");
    app.call("GET", "/api/v1/organizations/1", None, None)
        .problem(401, "missing_token");
    app.call(
        "POST",
        "/api/v1/organizations",
        None,
        Some(&json!({"code": "A", "name": "a"})),
    )
    .problem(401, "missing_token");
    app.call(
        "PATCH",
        "/api/v1/organizations/1",
        None,
        Some(&json!({"name": "a"})),
    )
    .problem(401, "missing_token");
}

#[test]
fn a_missing_organization_is_404() {
    let app = spawn_app();
    app.get("/api/v1/organizations/424242", &app.admin_token)
        .problem(404, "not_found");
    app.patch(
        "/api/v1/organizations/424242",
        &app.admin_token,
        &json!({"name": "x"}),
    )
    .problem(404, "not_found");
}
