use rectify_tests::{json, spawn_app, ADMIN_PASSWORD, PASSWORD};

#[test]
fn login_returns_a_bearer_token_that_identifies_the_user() {
    let app = spawn_app();
    let reply = app.try_login("admin", ADMIN_PASSWORD);
    let body = reply.expect(200);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], app.settings.token_ttl_minutes * 60);
    assert_eq!(reply.header("cache-control"), Some("no-store"));

    let me = app
        .get("/api/v1/auth/me", body["access_token"].as_str().unwrap())
        .expect(200);
    assert_eq!(me["user"]["username"], "admin");
    assert_eq!(me["user"]["role"], "admin");
    assert_eq!(me["organization"]["code"], "ROOT");
    assert!(me["user"].get("password").is_none() && me["user"].get("password_hash").is_none());
}

#[test]
fn usernames_are_matched_without_regard_to_case() {
    let app = spawn_app();
    app.login("ADMIN", ADMIN_PASSWORD);
}

#[test]
fn a_wrong_password_or_unknown_user_is_401_with_the_same_answer() {
    let app = spawn_app();
    let wrong = app
        .try_login("admin", "not-the-password")
        .problem(401, "invalid_credentials");
    let unknown = app
        .try_login("nobody", "not-the-password")
        .problem(401, "invalid_credentials");
    assert_eq!(wrong["detail"], unknown["detail"]);
    let reply = app.try_login("admin", "x");
    assert!(reply
        .header("www-authenticate")
        .unwrap()
        .starts_with("Bearer"));
}

#[test]
fn login_validates_its_body() {
    let app = spawn_app();
    let reply = app.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&json!({"username": "", "password": ""})),
    );
    let problem = reply.problem(422, "validation_failed");
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
}

#[test]
fn missing_malformed_and_forged_tokens_are_401_with_precise_codes() {
    let app = spawn_app();
    app.call("GET", "/api/v1/auth/me", None, None)
        .problem(401, "missing_token");
    app.send(
        "GET",
        "/api/v1/auth/me",
        &[("authorization", "Basic abc")],
        vec![],
    )
    .problem(401, "invalid_token");
    // A token pasted without its scheme: the answer says what to put before it.
    let bare = app.send(
        "GET",
        "/api/v1/auth/me",
        &[("authorization", app.admin_token.as_str())],
        vec![],
    );
    let detail = bare.problem(401, "invalid_token")["detail"].clone();
    assert!(
        detail
            .as_str()
            .unwrap()
            .contains("Authorization: Bearer <token>"),
        "{detail}"
    );
    app.get("/api/v1/auth/me", "not.a.jwt")
        .problem(401, "invalid_token");
    // A token signed with another key.
    let forged = rectify::auth::TokenKeys::new(b"some-other-secret-some-other-secret", 600)
        .issue(1, 1, "admin", 0, app.now().timestamp())
        .unwrap();
    app.get("/api/v1/auth/me", &forged)
        .problem(401, "invalid_token");
}

#[test]
fn a_deactivated_user_is_shut_out_at_once() {
    let app = spawn_app();
    let root = 1;
    let (id, token) = app.user_with_token("li.na", "owner", root);
    app.get("/api/v1/auth/me", &token).expect(200);
    app.post(
        &format!("/api/v1/users/{id}/deactivate"),
        &app.admin_token,
        &json!({}),
    )
    .expect(200);
    app.get("/api/v1/auth/me", &token)
        .problem(401, "token_revoked");
    app.try_login("li.na", PASSWORD)
        .problem(401, "invalid_credentials");
}

#[test]
fn changing_ones_password_needs_the_old_one_and_ends_old_tokens() {
    let app = spawn_app();
    let (_, token) = app.user_with_token("wang.fang", "coordinator", 1);
    let wrong = app.post(
        "/api/v1/auth/password",
        &token,
        &json!({"old_password": "not-it-at-all", "new_password": "a-new-password"}),
    );
    let problem = wrong.problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "old_password");

    let weak = app.post(
        "/api/v1/auth/password",
        &token,
        &json!({"old_password": PASSWORD, "new_password": "short"}),
    );
    assert_eq!(
        weak.problem(422, "validation_failed")["errors"][0]["field"],
        "new_password"
    );

    app.post(
        "/api/v1/auth/password",
        &token,
        &json!({"old_password": PASSWORD, "new_password": "a-new-password"}),
    )
    .expect(204);
    app.get("/api/v1/auth/me", &token)
        .problem(401, "token_revoked");
    app.try_login("wang.fang", PASSWORD)
        .problem(401, "invalid_credentials");
    let fresh = app.login("wang.fang", "a-new-password");
    app.get("/api/v1/auth/me", &fresh).expect(200);
}

#[test]
fn a_token_expires_when_the_clock_passes_its_lifetime() {
    let app = spawn_app();
    let (_, token) = app.user_with_token("short.lived", "owner", 1);
    app.get("/api/v1/auth/me", &token).expect(200);
    let ttl = chrono::Duration::minutes(app.settings.token_ttl_minutes);
    // Within the lifetime (and the few seconds of leeway for clock skew) it still works.
    app.advance(ttl);
    app.get("/api/v1/auth/me", &token).expect(200);
    app.advance(chrono::Duration::seconds(10));
    app.get("/api/v1/auth/me", &token)
        .problem(401, "token_expired");
    let fresh = app.login("short.lived", PASSWORD);
    app.get("/api/v1/auth/me", &fresh).expect(200);
}

#[test]
fn a_cached_caller_is_stopped_at_once_by_a_change_made_through_another_server() {
    let app = spawn_app();
    let twin = app.second_server();
    let unit = app.create_org("DFSQ", "东风社区党委", None);
    let other = app.create_org("XFSQ", "西风社区党委", None);
    let (owner, owner_token) = app.user_with_token("li.na", "owner", unit);
    let (coordinator, coordinator_token) = app.user_with_token("wang.fang", "coordinator", unit);
    // Each caller is checked, then served again as checked.
    for _ in 0..3 {
        app.get("/api/v1/auth/me", &owner_token).expect(200);
        app.get("/api/v1/auth/me", &coordinator_token).expect(200);
    }

    // A deactivation on the other server stops the caller here at the very next request.
    twin.post(
        &format!("/api/v1/users/{owner}/deactivate"),
        &twin.admin_token,
        &json!({}),
    )
    .expect(200);
    app.get("/api/v1/auth/me", &owner_token)
        .problem(401, "token_revoked");

    // A role taken away there is gone here at once too: the coordinator may no longer write.
    let review = json!({"organization_id": unit, "title": "2026年度组织生活会",
                        "kind": "organizational_life", "held_on": "2026-11-10"});
    app.post("/api/v1/reviews", &coordinator_token, &review)
        .expect(201);
    twin.patch(
        &format!("/api/v1/users/{coordinator}"),
        &twin.admin_token,
        &json!({"role": "auditor"}),
    )
    .expect(200);
    app.post("/api/v1/reviews", &coordinator_token, &review)
        .problem(403, "forbidden");
    assert_eq!(
        app.get("/api/v1/auth/me", &coordinator_token).expect(200)["user"]["role"],
        "auditor"
    );

    // Moved to another unit there: here, the caller's subtree is the new one at once.
    twin.patch(
        &format!("/api/v1/users/{coordinator}"),
        &twin.admin_token,
        &json!({"organization_id": other}),
    )
    .expect(200);
    let me = app.get("/api/v1/auth/me", &coordinator_token).expect(200);
    assert_eq!(me["organization"]["id"], other, "{me}");

    // A change made outside any server (another tool on the same database) counts the same.
    let (_, third_token) = app.user_with_token("zhao.lei", "owner", unit);
    app.get("/api/v1/auth/me", &third_token).expect(200);
    app.sql("UPDATE organizations SET active = false WHERE code = 'DFSQ'");
    app.get("/api/v1/auth/me", &third_token)
        .problem(401, "token_revoked");
}
