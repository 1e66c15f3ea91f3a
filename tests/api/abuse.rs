//! Hostile input, each case as an outside test found it: nothing of it may reach the database
//! or an export, and every refusal names what was wrong.

use rectify_tests::{json, spawn_app, Value};

fn field_of(reply: &Value) -> &str {
    reply["errors"][0]["field"].as_str().unwrap_or_default()
}

#[test]
fn control_characters_are_refused_at_the_boundary_naming_the_field() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let problems_before = app
        .get("/api/v1/problems?total=true", &app.admin_token)
        .expect(200)["total"]
        .clone();

    // Before sign-in: the username.
    let login = app
        .try_login("ad\u{0}min", "whatever-password")
        .problem(422, "validation_failed");
    assert_eq!(field_of(&login), "username");

    // A body field, nested in a batch: named by its path.
    let batch = app
        .post(
            "/api/v1/problems/batch",
            &cast.coordinator,
            &json!({"problems": [
                {"review_id": review, "title": "正常的问题"},
                {"review_id": review, "title": "坏\u{0}的问题"},
            ]}),
        )
        .problem(422, "validation_failed");
    assert_eq!(field_of(&batch), "problems[1].title");
    assert!(batch["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("U+0000"));
    let other = app
        .post(
            "/api/v1/problems",
            &cast.coordinator,
            &json!({"review_id": review, "title": "铃\u{7}声"}),
        )
        .problem(422, "validation_failed");
    assert_eq!(field_of(&other), "title");

    // A query filter.
    let query = app
        .get("/api/v1/problems?q=%00", &cast.coordinator)
        .problem(422, "validation_failed");
    assert_eq!(field_of(&query), "q");

    // A webhook secret (admin), a note.
    let hook = app
        .post(
            "/api/v1/webhooks",
            &app.admin_token,
            &json!({"url": "https://example.invalid/hook", "events": ["problem.created"], "organization_id": cast.org, "secret": "abc\u{0}defabcdefabcdef"}),
        )
        .problem(422, "validation_failed");
    assert_eq!(field_of(&hook), "secret");

    // A multipart form field.
    let form = app
        .multipart(
            "/api/v1/reviews/import",
            &cast.coordinator,
            &[
                ("organization_id", &cast.org.to_string()),
                ("title", "标题\u{0}"),
                ("kind", "other"),
                ("held_on", "2026-11-20"),
            ],
            Some(("report.txt", "一、存在问题\n一是问题。".as_bytes())),
        )
        .problem(422, "validation_failed");
    assert_eq!(field_of(&form), "title");

    // Tabs and line breaks are text, and stay.
    let kept = app
        .post(
            "/api/v1/problems",
            &cast.coordinator,
            &json!({"review_id": review, "title": "第一行\t列", "description": "一\n二\r\n三"}),
        )
        .expect(201);
    assert_eq!(kept["description"], "一\n二\r\n三");
    let problems_after = app
        .get("/api/v1/problems?total=true", &app.admin_token)
        .expect(200)["total"]
        .clone();
    assert_eq!(
        problems_after.as_i64(),
        problems_before.as_i64().map(|n| n + 1)
    );
}

/// Every text cell of a sheet or CSV as a person typing it would write it: a cell marked as
/// text (Excel's hidden quote prefix) reads with its leading `'`, as Excel's formula bar shows.
fn xlsx_texts(bytes: &[u8]) -> Vec<String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut part = |name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let styles = part("xl/styles.xml");
    let formats = styles
        .split("<cellXfs")
        .nth(1)
        .unwrap()
        .split("</cellXfs>")
        .next()
        .unwrap();
    let marked: Vec<bool> = formats
        .split("<xf ")
        .skip(1)
        .map(|xf| xf.split('>').next().unwrap().contains("quotePrefix=\"1\""))
        .collect();
    let sheet = part("xl/worksheets/sheet1.xml");
    let unescape = |t: &str| {
        t.replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    sheet
        .split("<c ")
        .skip(1)
        .filter(|cell| cell.contains("t=\"inlineStr\""))
        .map(|cell| {
            let style: usize = cell
                .split("s=\"")
                .nth(1)
                .map_or(0, |s| s.split('"').next().unwrap().parse().unwrap());
            let text = cell
                .split("<t")
                .nth(1)
                .unwrap()
                .split_once('>')
                .unwrap()
                .1
                .split("</t>")
                .next()
                .unwrap();
            let prefix = if marked[style] { "'" } else { "" };
            format!("{prefix}{}", unescape(text))
        })
        .collect()
}

fn csv_texts(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let mut cells = Vec::new();
    let (mut cell, mut quoted, mut chars) = (
        String::new(),
        false,
        text.trim_start_matches('\u{feff}').chars().peekable(),
    );
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) | ('\n', false) => {
                cells.push(std::mem::take(&mut cell).trim_end_matches('\r').to_owned())
            }
            (c, _) => cell.push(c),
        }
    }
    cells
}

#[test]
fn exported_cells_never_start_a_formula() {
    let app = spawn_app();
    let org = app.create_org("EVIL", "=HYPERLINK(\"http://x\")单位", None);
    let owner = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            &json!({"username": "evil.owner", "display_name": "@SUM(1+1)", "role": "owner", "organization_id": org, "password": rectify_tests::PASSWORD}),
        )
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let coordinator = {
        app.create_user("evil.coord", "coordinator", org);
        app.login("evil.coord", rectify_tests::PASSWORD)
    };
    let review = app
        .post(
            "/api/v1/reviews",
            &coordinator,
            &json!({"organization_id": org, "title": "-review", "kind": "other", "held_on": "2026-11-10", "aspects": ["+方面"]}),
        )
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let problem = app.problem(
        &coordinator,
        json!({"review_id": review, "title": "=1+1 标题", "description": "\t缩进", "aspect": "+方面", "owner_id": owner, "deadline": "2026-11-20"}),
    )["id"]
        .as_i64()
        .unwrap();
    app.post(
        "/api/v1/causes",
        &coordinator,
        &json!({"review_id": review, "title": "-原因", "problem_ids": [problem]}),
    )
    .expect(201);
    app.measure(
        &coordinator,
        review,
        &[problem],
        json!({"title": "@措施", "deadline": "2026-11-20", "owner_id": owner}),
    );
    app.act(&coordinator, problem, "confirm", None).expect(200);
    app.post(
        &format!("/api/v1/problems/{problem}/notes"),
        &coordinator,
        &json!({"body": "=进展"}),
    )
    .expect(201);

    let formula = |cell: &String| cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    for (path, texts) in [
        (
            format!("/api/v1/reports/ledger?review_id={review}&format=csv"),
            csv_texts as fn(&[u8]) -> Vec<String>,
        ),
        (
            format!("/api/v1/reports/ledger?review_id={review}&format=xlsx"),
            xlsx_texts,
        ),
        ("/api/v1/reports/overdue?format=csv".to_owned(), csv_texts),
        ("/api/v1/reports/overdue?format=xlsx".to_owned(), xlsx_texts),
    ] {
        let cells = texts(&app.get_bytes(&path, &coordinator));
        let dangerous: Vec<&String> = cells.iter().filter(|c| formula(c)).collect();
        assert!(dangerous.is_empty(), "{path}: {dangerous:?}");
        // The hostile values are there, defused.
        for planted in ["'=1+1 标题", "'=HYPERLINK(\"http://x\")单位", "'@SUM(1+1)"] {
            assert!(
                cells.iter().any(|c| c.contains(planted)),
                "{path}: {planted} missing from {cells:?}"
            );
        }
    }
}

#[test]
fn responses_carry_security_headers_and_secrets_are_never_cached() {
    let app = spawn_app();
    let cast = app.cast();
    let health = app.call("GET", "/healthz", None, None);
    assert_eq!(health.header("x-content-type-options"), Some("nosniff"));
    let me = app.call("GET", "/api/v1/auth/me", Some(&cast.owner), None);
    assert_eq!(me.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(me.header("cache-control"), Some("no-store"));
    let issued = app.call(
        "POST",
        "/api/v1/service-accounts",
        Some(&app.admin_token),
        Some(&json!({"name": "办公系统", "organization_id": cast.org, "scopes": ["read"]})),
    );
    assert_eq!(issued.status, 201);
    assert_eq!(
        issued.header("cache-control"),
        Some("no-store"),
        "the one-time token"
    );
    let refused = app.call("GET", "/api/v1/auth/me", Some("not-a-token"), None);
    assert_eq!(refused.header("cache-control"), Some("no-store"));

    let docs = app.call("GET", "/docs/", None, None);
    assert_eq!(docs.status, 200);
    let policy = docs
        .header("content-security-policy")
        .expect("a CSP on the docs");
    assert!(
        policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self'"),
        "{policy}"
    );
    let digest = app.call(
        "GET",
        "/api/v1/reports/digest?week=2026-W47&format=html",
        Some(&cast.coordinator),
        None,
    );
    assert_eq!(digest.status, 200, "{}", digest.text);
    let policy = digest
        .header("content-security-policy")
        .expect("a CSP on the digest");
    assert!(
        policy.starts_with("default-src 'none'") && policy.contains("frame-ancestors 'none'"),
        "{policy}"
    );
}

#[cfg(unix)]
#[test]
fn the_data_directory_and_database_are_the_owners_alone() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app();
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&app.data_dir()), 0o700);
    if let rectify_db::DatabaseUrl::Sqlite(path) = app.settings.database_url() {
        assert_eq!(mode(&path), 0o600);
        let wal = std::path::PathBuf::from(format!("{}-wal", path.display()));
        if wal.exists() {
            assert_eq!(mode(&wal), 0o600);
        }
    }
}

#[test]
fn a_token_from_the_future_is_refused() {
    let app = spawn_app();
    let secret = match &app.settings.jwt_secret {
        Some(secret) => secret.expose().as_bytes().to_vec(),
        None => std::fs::read_to_string(app.data_dir().join("jwt-secret"))
            .unwrap()
            .trim()
            .as_bytes()
            .to_vec(),
    };
    let keys = rectify::auth::TokenKeys::new(&secret, 3600);
    let now = app.now().timestamp();
    let later = keys.issue(1, 1, "admin", 0, now + 3600).unwrap();
    app.get("/api/v1/auth/me", &later)
        .problem(401, "invalid_token");
    // Signed alike and issued now, it is judged on (and fails) the password version instead.
    let present = keys.issue(1, 1, "admin", 0, now).unwrap();
    app.get("/api/v1/auth/me", &present)
        .problem(401, "token_revoked");
}

#[test]
fn a_shared_cause_lists_only_the_problems_the_caller_may_see() {
    let app = spawn_app();
    let cast = app.cast();
    // A review held above both communities, with a problem in each and one cause for both.
    let review = app.review(&app.admin_token, 1);
    let ours = app.problem(
        &app.admin_token,
        json!({"review_id": review, "title": "东风的问题", "organization_id": cast.org}),
    )["id"]
        .clone();
    let theirs = app.problem(
        &app.admin_token,
        json!({"review_id": review, "title": "西风的问题", "organization_id": cast.sibling_org}),
    )["id"]
        .clone();
    let cause = app
        .post(
            "/api/v1/causes",
            &app.admin_token,
            &json!({"review_id": review, "title": "共同的原因", "problem_ids": [ours, theirs]}),
        )
        .expect(201);
    assert_eq!(cause["problem_ids"], json!([ours, theirs]));
    let measure = app.measure(
        &app.admin_token,
        review,
        &[ours.as_i64().unwrap(), theirs.as_i64().unwrap()],
        json!({}),
    );

    let seen = app
        .get(
            &format!("/api/v1/causes/{}", cause["id"]),
            &cast.coordinator,
        )
        .expect(200);
    assert_eq!(seen["problem_ids"], json!([ours]));
    let listed = app
        .get(&format!("/api/v1/causes?problem_id={ours}"), &cast.auditor)
        .expect(200);
    assert_eq!(listed["items"][0]["problem_ids"], json!([ours]));
    let measure = app
        .get(&format!("/api/v1/measures/{measure}"), &cast.coordinator)
        .expect(200);
    assert_eq!(measure["problem_ids"], json!([ours]));
}

/// Polls a webhook's deliveries until `done` holds for the first one (the worker is a loop).
fn first_delivery(app: &rectify_tests::TestApp, hook: i64, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let page = app
            .get(
                &format!("/api/v1/webhooks/{hook}/deliveries"),
                &app.admin_token,
            )
            .expect(200);
        if done(&page["items"][0]) {
            return page["items"][0].clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no delivery got there: {page}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn webhooks_reach_only_public_addresses_or_allowed_hosts() {
    let mut app = spawn_app();
    app.settings.webhook_allow_hosts = Vec::new();
    app.restart();
    let cast = app.cast();
    fn hook(app: &rectify_tests::TestApp, org: i64, url: &str) -> rectify_tests::Reply {
        app.post(
            "/api/v1/webhooks",
            &app.admin_token,
            &json!({"url": url, "events": ["problem.created"], "organization_id": org, "secret": "a-shared-secret-0123456789"}),
        )
    }
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/hook",
        "http://0x7f000001/hook",
        "http://2130706433/hook",
        "http://localhost:5432/",
        "http://10.0.0.5/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fd00:ec2::254]/",
    ] {
        let refused = hook(&app, cast.org, url).problem(422, "validation_failed");
        assert_eq!(refused["errors"][0]["field"], "url", "{url}");
        assert_eq!(
            refused["errors"][0]["code"], "public_address",
            "{url}: {refused}"
        );
    }

    // Allowed by name when it was made; no longer allowed when the worker sends: refused at
    // the connection, with a reason and no network detail.
    let receiver = rectify_tests::Receiver::start(&[]);
    app.settings.webhook_allow_hosts = vec!["127.0.0.1".to_owned()];
    app.restart();
    let closed = hook(&app, cast.org, "http://127.0.0.1:1/closed").expect(201)["id"]
        .as_i64()
        .unwrap();
    let blocked = hook(&app, cast.org, &receiver.url).expect(201)["id"]
        .as_i64()
        .unwrap();
    app.settings.background_jobs = true;
    app.settings.webhook_allow_hosts = vec!["127.0.0.2".to_owned()];
    app.restart();
    let review = app.review(&cast.coordinator, cast.org);
    app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "问题"}),
    );
    let refused = first_delivery(&app, blocked, |d| d["attempts"] == 1);
    assert_eq!(
        refused["last_error"],
        "the receiver's address is not public and not allowed (webhook_allow_hosts)"
    );
    let unreachable = first_delivery(&app, closed, |d| d["attempts"] == 1);
    assert_eq!(
        unreachable["last_error"],
        "the receiver's address is not public and not allowed (webhook_allow_hosts)"
    );
    assert!(receiver.received().is_empty());
}

#[test]
fn a_failed_send_does_not_tell_open_from_closed_ports() {
    let mut app = spawn_app();
    app.settings.background_jobs = true;
    app.restart();
    let cast = app.cast();
    let hook = app
        .post(
            "/api/v1/webhooks",
            &app.admin_token,
            &json!({"url": "http://127.0.0.1:1/closed", "events": ["problem.created"], "organization_id": cast.org, "secret": "a-shared-secret-0123456789"}),
        )
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let review = app.review(&cast.coordinator, cast.org);
    app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "问题"}),
    );
    let failed = first_delivery(&app, hook, |d| d["attempts"] == 1);
    assert_eq!(failed["last_error"], "the receiver could not be reached");
}

fn login_from(
    app: &rectify_tests::TestApp,
    address: &str,
    username: &str,
    password: &str,
) -> rectify_tests::Reply {
    app.send(
        "POST",
        "/api/v1/auth/login",
        &[
            ("content-type", "application/json"),
            ("x-forwarded-for", address),
        ],
        json!({"username": username, "password": password})
            .to_string()
            .into_bytes(),
    )
}

#[test]
fn a_flood_of_wrong_passwords_is_held_back_without_locking_the_owner_out() {
    let mut app = spawn_app();
    app.settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    app.restart();
    app.create_user("li.na", "owner", 1);
    let attacker = "203.0.113.9";

    let mut answered = Vec::new();
    for _ in 0..60 {
        let reply = login_from(&app, attacker, "li.na", "not-the-password");
        if reply.status == 429 {
            let wait: i64 = reply
                .header("retry-after")
                .expect("Retry-After")
                .parse()
                .unwrap();
            assert!(wait >= 1);
            assert_eq!(reply.json()["code"], "too_many_attempts");
        }
        answered.push(reply.status);
    }
    assert_eq!(answered[..5], [401; 5], "the first failures are answered");
    assert!(
        answered[5..].iter().all(|s| *s == 429),
        "then held back: {answered:?}"
    );
    // The right password from the attacker's address waits too; from a clean address the owner
    // gets in at once.
    login_from(&app, attacker, "li.na", rectify_tests::PASSWORD).problem(429, "too_many_attempts");
    login_from(&app, "198.51.100.7", "li.na", rectify_tests::PASSWORD).expect(200);
    // Once the wait has passed on the clock, the address may try again.
    app.advance(chrono::Duration::minutes(16));
    login_from(&app, attacker, "li.na", rectify_tests::PASSWORD).expect(200);

    // Sixty-one failures (one held back with the right password) in two audit entries.
    let audit = app
        .get(
            "/api/v1/audit?action=session.login_failed&limit=100",
            &app.admin_token,
        )
        .expect(200);
    let entries = audit["items"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{audit}");
    let failures: i64 = entries
        .iter()
        .map(|e| e["changes"]["failures"].as_i64().unwrap())
        .sum();
    assert_eq!(failures, 61);
    assert!(entries.iter().all(|e| e["changes"]["address"] == attacker));
}

#[test]
fn a_forwarded_address_counts_only_behind_a_trusted_proxy() {
    let app = spawn_app();
    app.create_user("wang.fang", "owner", 1);
    for i in 0..6 {
        // Each claims another address; none is believed: all come from 127.0.0.1.
        login_from(
            &app,
            &format!("198.51.100.{i}"),
            "wang.fang",
            "not-the-password",
        );
    }
    login_from(&app, "192.0.2.77", "wang.fang", rectify_tests::PASSWORD)
        .problem(429, "too_many_attempts");
}

#[test]
fn a_body_that_trickles_in_gets_408_and_a_large_json_import_still_arrives_whole() {
    use std::io::{Read, Write};
    let mut app = spawn_app();
    app.settings.body_timeout_secs = 1;
    app.restart();
    let cast = app.cast();
    // Declares 200 bytes, sends 20, then nothing.
    let address = app.url("/api/v1/problems");
    let authority = address
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let mut socket = std::net::TcpStream::connect(&authority).unwrap();
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    write!(
        socket,
        "POST /api/v1/problems HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{{\"review_id\": 1, ",
        cast.coordinator
    )
    .unwrap();
    let started = std::time::Instant::now();
    let mut answer = String::new();
    let _ = socket.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("body_timeout"), "{answer}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));

    // A JSON import larger than the JSON limit (64 KiB in tests) but within the upload limit
    // arrives whole.
    let mut text = String::from("一、存在问题\n");
    while text.len() < 100 * 1024 {
        text.push_str("一是理论学习不够深入，学习笔记流于形式。\n");
    }
    let imported = app
        .post(
            "/api/v1/reviews/import?dry_run=true",
            &cast.coordinator,
            &json!({"text": text, "organization_id": cast.org, "title": "大报告", "kind": "other", "held_on": "2026-11-20"}),
        )
        .expect(200);
    assert!(imported["problems"].as_array().unwrap().len() > 1000);
}

#[test]
fn an_api_rate_limit_when_set_holds_back_one_caller_and_says_where_each_stands() {
    let mut app = spawn_app();
    let cast = app.cast();
    // Off by default: no limit, no headers.
    let reply = app.get("/api/v1/problems", &cast.coordinator);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("ratelimit-limit"), None);

    app.settings.api_rate_limit = 3;
    app.restart();
    for remaining in ["2", "1", "0"] {
        let reply = app.get("/api/v1/problems", &cast.coordinator);
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("ratelimit-limit"), Some("3"));
        assert_eq!(reply.header("ratelimit-remaining"), Some(remaining));
        assert_eq!(reply.header("ratelimit-policy"), Some("3;w=60"));
    }
    let refused = app.get("/api/v1/problems", &cast.coordinator);
    assert_eq!(refused.header("retry-after"), Some("20"));
    refused.problem(429, "rate_limited");
    // Nothing is written past the limit.
    let review = app.review(&cast.sibling, cast.sibling_org);
    let reply = app.post(
        "/api/v1/problems",
        &cast.coordinator,
        &json!({"review_id": review, "title": "超限的写入"}),
    );
    reply.problem(429, "rate_limited");
    // Others keep their own allowance; health checks are not counted.
    assert_eq!(app.get("/api/v1/problems", &cast.auditor).status, 200);
    assert_eq!(app.try_call("GET", "/healthz"), Some(200));
    // One request's worth comes back every 20 s, on the service's clock.
    app.advance(chrono::Duration::seconds(20));
    assert_eq!(app.get("/api/v1/problems", &cast.coordinator).status, 200);
}
