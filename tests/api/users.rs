use rectify_tests::{json, spawn_app, PASSWORD};

#[test]
fn an_admin_creates_a_user_whose_password_is_never_returned() {
    let app = spawn_app();
    let org = app.create_org("DFSQ", "东风社区", None);
    let reply = app.post(
        "/api/v1/users",
        &app.admin_token,
        &json!({
            "username": "Zhang.Wei", "display_name": "张伟", "email": "zhang.wei@example.cn",
            "role": "coordinator", "organization_id": org, "password": PASSWORD
        }),
    );
    let user = reply.expect(201);
    let id = user["id"].as_i64().unwrap();
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/users/{id}").as_str())
    );
    assert_eq!(user["username"], "zhang.wei");
    assert_eq!(user["display_name"], "张伟");
    assert_eq!(user["role"], "coordinator");
    assert_eq!(user["organization_id"], org);
    assert!(!reply.text.contains(PASSWORD) && !reply.text.contains("argon2"));
    assert_eq!(
        app.get(&format!("/api/v1/users/{id}"), &app.admin_token)
            .expect(200),
        user
    );
    app.login("zhang.wei", PASSWORD);
}

#[test]
fn a_duplicate_username_is_409_whatever_its_case() {
    let app = spawn_app();
    app.create_user("li.na", "owner", 1);
    let reply = app.post(
        "/api/v1/users",
        &app.admin_token,
        &json!({"username": "LI.NA", "display_name": "李娜", "role": "owner", "organization_id": 1, "password": PASSWORD}),
    );
    assert_eq!(reply.problem(409, "username_taken")["field"], "username");
}

#[test]
fn user_fields_are_validated_one_by_one() {
    let app = spawn_app();
    let reply = app.post(
        "/api/v1/users",
        &app.admin_token,
        &json!({"username": "张", "display_name": "", "email": "not-an-email", "role": "owner", "organization_id": 1, "password": "short"}),
    );
    let problem = reply.problem(422, "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["display_name", "email", "password", "username"]);

    let bad_role = app.post(
        "/api/v1/users",
        &app.admin_token,
        &json!({"username": "ok.name", "display_name": "x", "role": "boss", "organization_id": 1, "password": PASSWORD}),
    );
    assert!(bad_role.problem(422, "invalid_body")["detail"]
        .as_str()
        .unwrap()
        .contains("boss"));

    let no_org = app.post(
        "/api/v1/users",
        &app.admin_token,
        &json!({"username": "ok.name", "display_name": "x", "role": "owner", "organization_id": 777, "password": PASSWORD}),
    );
    assert_eq!(
        no_org.problem(422, "validation_failed")["errors"][0]["field"],
        "organization_id"
    );
    assert_eq!(
        app.get("/api/v1/users?total=true", &app.admin_token)
            .expect(200)["total"],
        1
    );
}

#[test]
fn only_admins_write_users() {
    let app = spawn_app();
    let org = app.create_org("DFSQ", "东风社区", None);
    let (id, coordinator) = app.user_with_token("coord", "coordinator", org);
    let body = json!({"username": "x.y", "display_name": "x", "role": "owner", "organization_id": org, "password": PASSWORD});
    app.post("/api/v1/users", &coordinator, &body)
        .problem(403, "forbidden");
    app.patch(
        &format!("/api/v1/users/{id}"),
        &coordinator,
        &json!({"role": "admin"}),
    )
    .problem(403, "forbidden");
    app.post(
        &format!("/api/v1/users/{id}/password"),
        &coordinator,
        &json!({"new_password": "another-password"}),
    )
    .problem(403, "forbidden");
    app.post(
        &format!("/api/v1/users/{id}/deactivate"),
        &coordinator,
        &json!({}),
    )
    .problem(403, "forbidden");
}

#[test]
fn users_of_a_sibling_organization_are_not_found() {
    let app = spawn_app();
    let east = app.create_org("EAST", "东区", None);
    let west = app.create_org("WEST", "西区", None);
    let west_user = app.create_user("west.owner", "owner", west);
    let (_, east_coordinator) = app.user_with_token("east.coord", "coordinator", east);
    app.create_user("east.owner", "owner", east);

    app.get(&format!("/api/v1/users/{west_user}"), &east_coordinator)
        .problem(404, "not_found");
    app.patch(
        &format!("/api/v1/users/{west_user}"),
        &east_coordinator,
        &json!({"display_name": "z"}),
    )
    .problem(404, "not_found");
    app.post(
        &format!("/api/v1/users/{west_user}/deactivate"),
        &east_coordinator,
        &json!({}),
    )
    .problem(404, "not_found");
    app.post(
        &format!("/api/v1/users/{west_user}/password"),
        &east_coordinator,
        &json!({"new_password": "whatever-long"}),
    )
    .problem(404, "not_found");
    app.get(
        &format!("/api/v1/users?organization_id={west}"),
        &east_coordinator,
    )
    .problem(422, "validation_failed");

    let listed = app.get("/api/v1/users", &east_coordinator).expect(200);
    let mut names: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["east.coord", "east.owner"]);
}

#[test]
fn users_are_filtered_by_role_and_text() {
    let app = spawn_app();
    let org = app.create_org("DFSQ", "东风社区", None);
    app.create_user("owner.a", "owner", org);
    app.create_user("owner.b", "owner", org);
    app.create_user("aud", "auditor", org);
    let owners = app
        .get(
            &format!("/api/v1/users?role=owner&organization_id={org}&total=true"),
            &app.admin_token,
        )
        .expect(200);
    assert_eq!(owners["total"], 2);
    let found = app
        .get("/api/v1/users?q=OWNER.B", &app.admin_token)
        .expect(200);
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let page = app
        .get("/api/v1/users?limit=2", &app.admin_token)
        .expect(200);
    assert!(page["next_cursor"].is_string());
}

#[test]
fn an_admin_changes_role_email_and_organization() {
    let app = spawn_app();
    let org = app.create_org("DFSQ", "东风社区", None);
    let id = app.create_user("li.na", "owner", 1);
    let changed = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &app.admin_token,
            &json!({"role": "coordinator", "email": "li@example.cn", "organization_id": org}),
        )
        .expect(200);
    assert_eq!(
        (
            changed["role"].as_str(),
            changed["organization_id"].as_i64()
        ),
        (Some("coordinator"), Some(org))
    );
    assert_eq!(changed["email"], "li@example.cn");
    let cleared = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &app.admin_token,
            &json!({"email": null}),
        )
        .expect(200);
    assert!(cleared["email"].is_null());
    app.patch(
        &format!("/api/v1/users/{id}"),
        &app.admin_token,
        &json!({"email": "nope"}),
    )
    .problem(422, "validation_failed");
    app.patch(
        &format!("/api/v1/users/{id}"),
        &app.admin_token,
        &json!({"password": "sneaky-password"}),
    )
    .problem(422, "invalid_body");
}

#[test]
fn admins_cannot_lock_themselves_out() {
    let app = spawn_app();
    app.post("/api/v1/users/1/deactivate", &app.admin_token, &json!({}))
        .problem(409, "own_account");
    for change in [json!({"role": "auditor"}), json!({"active": false})] {
        app.patch("/api/v1/users/1", &app.admin_token, &change)
            .problem(409, "own_account");
    }
    // A stolen token alone must not change the password: the own route asks for the old one.
    app.post(
        "/api/v1/users/1/password",
        &app.admin_token,
        &json!({"new_password": "taken-over-password"}),
    )
    .problem(409, "own_account");
    app.get("/api/v1/auth/me", &app.admin_token).expect(200);

    // Another admin can.
    let (_, second) = app.user_with_token("second.admin", "admin", 1);
    app.post("/api/v1/users/1/deactivate", &second, &json!({}))
        .expect(200);
    app.get("/api/v1/auth/me", &app.admin_token)
        .problem(401, "token_revoked");
}

#[test]
fn an_admin_resets_a_password_and_old_sessions_end() {
    let app = spawn_app();
    let (id, token) = app.user_with_token("forgetful", "owner", 1);
    app.post(
        &format!("/api/v1/users/{id}/password"),
        &app.admin_token,
        &json!({"new_password": "tiny"}),
    )
    .problem(422, "validation_failed");
    app.post(
        &format!("/api/v1/users/{id}/password"),
        &app.admin_token,
        &json!({"new_password": "reset-by-admin"}),
    )
    .expect(200);
    app.get("/api/v1/auth/me", &token)
        .problem(401, "token_revoked");
    app.try_login("forgetful", PASSWORD)
        .problem(401, "invalid_credentials");
    app.login("forgetful", "reset-by-admin");
}

#[test]
fn user_endpoints_need_a_token_and_404_for_missing_users() {
    let app = spawn_app();
    app.call("GET", "/api/v1/users", None, None)
        .problem(401, "missing_token");
    app.call("GET", "/api/v1/users/1", None, None)
        .problem(401, "missing_token");
    app.get("/api/v1/users/98765", &app.admin_token)
        .problem(404, "not_found");
    app.patch(
        "/api/v1/users/98765",
        &app.admin_token,
        &json!({"display_name": "x"}),
    )
    .problem(404, "not_found");
}
