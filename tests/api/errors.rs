//! Every error is RFC 9457 problem+json, and nothing is written on any error.

use rectify_tests::{json, spawn_app, TestApp};

fn org_count(app: &TestApp) -> i64 {
    app.get("/api/v1/organizations?total=true", &app.admin_token)
        .expect(200)["total"]
        .as_i64()
        .unwrap()
}

#[test]
fn an_unknown_route_is_a_404_problem() {
    let app = spawn_app();
    let reply = app.call("GET", "/api/v1/nothing-here", None, None);
    let problem = reply.problem(404, "no_route");
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("/api/v1/nothing-here"));
}

#[test]
fn malformed_json_is_400_and_writes_nothing() {
    let app = spawn_app();
    let before = org_count(&app);
    let auth = format!("Bearer {}", app.admin_token);
    let reply = app.send(
        "POST",
        "/api/v1/organizations",
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        br#"{"code": "X1", "name": "#.to_vec(),
    );
    reply.problem(400, "malformed_json");
    assert_eq!(org_count(&app), before);
}

#[test]
fn a_wrong_content_type_is_415() {
    let app = spawn_app();
    let before = org_count(&app);
    let auth = format!("Bearer {}", app.admin_token);
    let reply = app.send(
        "POST",
        "/api/v1/organizations",
        &[("authorization", &auth), ("content-type", "text/plain")],
        br#"{"code": "X1", "name": "x"}"#.to_vec(),
    );
    reply.problem(415, "unsupported_media_type");
    let missing = app.send(
        "POST",
        "/api/v1/organizations",
        &[("authorization", &auth)],
        br#"{"code": "X1", "name": "x"}"#.to_vec(),
    );
    missing.problem(415, "unsupported_media_type");
    assert_eq!(org_count(&app), before);
}

#[test]
fn a_body_over_the_limit_is_413() {
    let app = spawn_app();
    let before = org_count(&app);
    let huge = "名".repeat(40_000); // 120 KB, over the 64 KiB the tests configure
    let reply = app.post(
        "/api/v1/organizations",
        &app.admin_token,
        &json!({"code": "BIG", "name": huge}),
    );
    reply.problem(413, "payload_too_large");
    assert_eq!(org_count(&app), before);
}

#[test]
fn unknown_and_missing_fields_are_named() {
    let app = spawn_app();
    let unknown = app.post(
        "/api/v1/organizations",
        &app.admin_token,
        &json!({"code": "X1", "name": "x", "colour": "red"}),
    );
    let problem = unknown.problem(422, "invalid_body");
    assert!(
        problem["detail"].as_str().unwrap().contains("colour"),
        "{problem}"
    );

    let missing = app.post(
        "/api/v1/organizations",
        &app.admin_token,
        &json!({"code": "X1"}),
    );
    let problem = missing.problem(422, "invalid_body");
    assert!(
        problem["detail"].as_str().unwrap().contains("name"),
        "{problem}"
    );

    let wrong_type = app.post(
        "/api/v1/organizations",
        &app.admin_token,
        &json!({"code": 5, "name": "x"}),
    );
    let problem = wrong_type.problem(422, "invalid_body");
    assert_eq!(problem["errors"][0]["field"], "code", "{problem}");
    assert_eq!(problem["errors"][0]["code"], "type");
    assert_eq!(
        (unknown_field(&app), missing_field(&app)),
        ("colour".to_owned(), "name".to_owned())
    );
}

fn unknown_field(app: &rectify_tests::TestApp) -> String {
    let body = json!({"code": "X1", "name": "x", "colour": "red"});
    let reply = app.post("/api/v1/organizations", &app.admin_token, &body);
    let problem = reply.problem(422, "invalid_body");
    assert_eq!(problem["errors"][0]["code"], "unknown_field");
    problem["errors"][0]["field"].as_str().unwrap().to_owned()
}

fn missing_field(app: &rectify_tests::TestApp) -> String {
    let body = json!({"code": "X1"});
    let reply = app.post("/api/v1/organizations", &app.admin_token, &body);
    let problem = reply.problem(422, "invalid_body");
    assert_eq!(problem["errors"][0]["code"], "required");
    problem["errors"][0]["field"].as_str().unwrap().to_owned()
}

/// A mistyped value deep in a batch is named by its path, not by a line and column.
#[test]
fn a_value_that_does_not_fit_is_named_by_its_path_in_a_batch() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let mut problems: Vec<serde_json::Value> = (0..12)
        .map(
            |i| json!({"review_id": review, "title": format!("问题{i}"), "deadline": "2026-12-31"}),
        )
        .collect();
    problems[10]["deadline"] = json!("2026-02-30");
    let reply = app.post(
        "/api/v1/problems/batch",
        &cast.coordinator,
        &json!({ "problems": problems }),
    );
    let problem = reply.problem(422, "invalid_body");
    assert_eq!(
        problem["errors"][0]["field"], "problems[10].deadline",
        "{problem}"
    );
    assert!(
        !problem["detail"].as_str().unwrap().contains("column"),
        "{problem}"
    );
}

#[test]
fn validation_lists_each_failing_field() {
    let app = spawn_app();
    let before = org_count(&app);
    let reply = app.post(
        "/api/v1/organizations",
        &app.admin_token,
        &json!({"code": "bad code!", "name": "  ", "timezone": "Mars/Olympus"}),
    );
    let problem = reply.problem(422, "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["code", "name", "timezone"]);
    for error in problem["errors"].as_array().unwrap() {
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(error["code"].as_str().is_some_and(|c| !c.is_empty()));
    }
    assert_eq!(org_count(&app), before);
}

#[test]
fn bad_query_and_path_parameters_are_problems() {
    let app = spawn_app();
    app.get("/api/v1/organizations?limit=abc", &app.admin_token)
        .problem(400, "invalid_query");
    let problem = app
        .get("/api/v1/organizations?limit=500", &app.admin_token)
        .problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "limit");
    app.get("/api/v1/organizations/not-a-number", &app.admin_token)
        .problem(404, "not_found");
    app.get("/api/v1/organizations?cursor=garbage", &app.admin_token)
        .problem(422, "validation_failed");
}

#[test]
fn a_known_path_with_another_method_is_405_naming_the_allowed_ones() {
    let app = spawn_app();
    let reply = app.call(
        "DELETE",
        "/api/v1/organizations/1",
        Some(&app.admin_token),
        None,
    );
    let problem = reply.problem(405, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("GET, PATCH"));
    assert_eq!(problem["allowed_methods"], json!(["GET", "PATCH"]));
    let reply = app.call("PUT", "/api/v1/problems", None, None);
    assert_eq!(
        reply.problem(405, "method_not_allowed")["allowed_methods"],
        json!(["GET", "POST"])
    );
    // Paths that are not ours stay 404.
    app.call("DELETE", "/api/v1/organizations/1/nothing", None, None)
        .problem(404, "no_route");
}

#[test]
fn accept_language_zh_cn_gives_chinese_titles_details_and_field_messages_with_the_same_codes() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let (problem, _) = app.ready_problem(&cast, review, "学习制度落实不到位", "2026-12-31");
    let auth = format!("Bearer {}", cast.coordinator);
    let ask = |language: Option<&str>, method: &str, path: &str, body: &str| {
        let mut headers = vec![
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
        ];
        if let Some(language) = language {
            headers.push(("accept-language", language));
        }
        app.send(method, path, &headers, body.as_bytes().to_vec())
    };
    let chinese = |s: &serde_json::Value| {
        s.as_str()
            .unwrap_or_default()
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    };
    let transition = format!("/api/v1/problems/{problem}/transitions");
    // One request for each kind of refusal, each with its code.
    let cases: [(&str, &str, &str, u16, &str); 6] = [
        ("GET", "/api/v1/nothing-here", "", 404, "no_route"),
        ("POST", "/api/v1/organizations", "{", 400, "malformed_json"),
        (
            "POST",
            &transition,
            r#"{"action": "verify"}"#,
            409,
            "transition_not_allowed",
        ),
        ("GET", "/api/v1/problems/987654", "", 404, "not_found"),
        ("DELETE", "/api/v1/problems", "", 405, "method_not_allowed"),
        ("GET", "/api/v1/audit", "", 403, "forbidden"),
    ];
    for (method, path, body, status, code) in cases {
        let english = ask(None, method, path, body);
        let english_problem = english.problem(status, code);
        assert!(!chinese(&english_problem["detail"]), "{english_problem}");
        assert_eq!(english.header("content-language"), Some("en"));
        let reply = ask(Some("zh-CN,zh;q=0.9,en;q=0.8"), method, path, body);
        let problem = reply.problem(status, code);
        assert!(chinese(&problem["detail"]), "{code}: {problem}");
        assert!(chinese(&problem["title"]), "{code}: {problem}");
        assert_eq!(reply.header("content-language"), Some("zh-CN"));
        assert!(reply.header("vary").unwrap().contains("Accept-Language"));
    }
    // A refusal of the credentials, raised before any handler, is put into Chinese too.
    let anonymous = app.send(
        "GET",
        "/api/v1/problems",
        &[("accept-language", "zh-CN")],
        Vec::new(),
    );
    assert_eq!(
        anonymous.problem(401, "missing_token")["detail"],
        "未提供登录凭证，请先登录。"
    );
    // Fields keep their names and rules; their messages are in Chinese.
    let invalid = app.send(
        "POST",
        "/api/v1/organizations",
        &[
            ("authorization", &format!("Bearer {}", app.admin_token)),
            ("content-type", "application/json"),
            ("accept-language", "zh-CN"),
        ],
        r#"{"code": "DFSQ", "name": "东风社区党委", "timezone": "Mars/Olympus"}"#
            .as_bytes()
            .to_vec(),
    );
    let problem = invalid.problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "timezone");
    assert_eq!(problem["errors"][0]["code"], "timezone");
    assert_eq!(
        problem["errors"][0]["message"],
        "须为 IANA 时区名，如 Asia/Shanghai"
    );
    assert_eq!(
        problem["detail"],
        "字段不符合规则：`timezone`（须为 IANA 时区名，如 Asia/Shanghai）。"
    );
    // The answer to the same request in English is as before.
    let english = app.send(
        "POST",
        "/api/v1/organizations",
        &[
            ("authorization", &format!("Bearer {}", app.admin_token)),
            ("content-type", "application/json"),
            ("accept-language", "en-US,en;q=0.9"),
        ],
        r#"{"code": "DFSQ", "name": "东风社区党委", "timezone": "Mars/Olympus"}"#
            .as_bytes()
            .to_vec(),
    );
    assert!(
        english.problem(422, "validation_failed")["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("IANA")
    );
}
