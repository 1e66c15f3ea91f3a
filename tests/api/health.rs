use rectify_tests::{on_postgres, spawn_app};

#[test]
fn liveness_and_readiness_answer_without_a_token() {
    let app = spawn_app();
    assert_eq!(
        app.call("GET", "/healthz", None, None).expect(200)["status"],
        "ok"
    );
    assert_eq!(
        app.call("GET", "/readyz", None, None).expect(200)["status"],
        "ready"
    );
}

#[test]
fn every_response_carries_a_request_id_and_a_client_id_is_kept() {
    let app = spawn_app();
    let generated = app.call("GET", "/healthz", None, None);
    let id = generated
        .header("x-request-id")
        .expect("an id is generated");
    assert_eq!(id.len(), 36, "a UUID: {id}");

    let kept = app.send(
        "GET",
        "/api/v1/auth/me",
        &[("x-request-id", "office-42-abc")],
        vec![],
    );
    assert_eq!(kept.header("x-request-id"), Some("office-42-abc"));
    assert_eq!(kept.status, 401, "errors carry the id too");
}

#[test]
fn monitors_may_probe_with_head() {
    let app = spawn_app();
    for path in ["/healthz", "/readyz"] {
        let reply = app.send("HEAD", path, &[], vec![]);
        assert_eq!(reply.status, 200, "{path}");
        assert!(reply.text.is_empty(), "{path}: {:?}", reply.text);
    }
}

#[test]
fn answers_are_compressed_for_clients_that_ask_and_plain_for_others() {
    use std::io::Read;
    let app = spawn_app();
    let get = |encoding: Option<&str>| {
        let mut request = ureq::get(app.url("/api/v1/openapi.json"));
        if let Some(encoding) = encoding {
            request = request.header("accept-encoding", encoding);
        }
        let mut response = request.call().unwrap();
        let header = response
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = response
            .body_mut()
            .with_config()
            .limit(16 << 20)
            .read_to_vec()
            .unwrap();
        (header, bytes)
    };
    let (plain_encoding, plain) = get(None);
    assert_eq!(plain_encoding, None);
    let (encoding, zipped) = get(Some("gzip, deflate"));
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert!(
        zipped.len() * 5 < plain.len(),
        "{} of {}",
        zipped.len(),
        plain.len()
    );
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&zipped[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain);
    // Brotli when the client takes it, as browsers do: smaller still.
    let (encoding, squeezed) = get(Some("gzip, deflate, br"));
    assert_eq!(encoding.as_deref(), Some("br"));
    assert!(
        squeezed.len() < zipped.len(),
        "{} vs {}",
        squeezed.len(),
        zipped.len()
    );
    let mut unsqueezed = Vec::new();
    brotli::Decompressor::new(&squeezed[..], 4096)
        .read_to_end(&mut unsqueezed)
        .unwrap();
    assert_eq!(unsqueezed, plain);
}

#[test]
fn pages_of_configured_origins_may_call_the_api_and_others_may_not_read_it() {
    let mut app = spawn_app();
    let preflight = |app: &rectify_tests::TestApp, origin: &str| {
        app.send(
            "OPTIONS",
            "/api/v1/problems",
            &[
                ("origin", origin),
                ("access-control-request-method", "POST"),
                (
                    "access-control-request-headers",
                    "authorization, content-type, idempotency-key",
                ),
            ],
            vec![],
        )
    };
    // Off by default: no CORS headers for anyone.
    let reply = preflight(&app, "https://oa.example.cn");
    assert_eq!(reply.header("access-control-allow-origin"), None);

    app.settings.cors_allow_origins = vec!["https://oa.example.cn".to_owned()];
    app.restart();
    let allowed = preflight(&app, "https://oa.example.cn");
    assert_eq!(allowed.status, 200);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://oa.example.cn")
    );
    assert_eq!(allowed.header("access-control-max-age"), Some("3600"));
    assert_eq!(allowed.header("access-control-allow-credentials"), None);
    let headers = allowed
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(headers.contains("idempotency-key"), "{headers}");
    // The real request carries the origin back and shows the headers a page needs.
    let answer = app.send(
        "GET",
        "/api/v1/auth/me",
        &[
            ("origin", "https://oa.example.cn"),
            ("authorization", &format!("Bearer {}", app.admin_token)),
        ],
        vec![],
    );
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("https://oa.example.cn")
    );
    assert!(answer
        .header("access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase()
        .contains("x-request-id"));
    // Another origin gets its answer, but nothing that lets its page read it.
    let other = app.send(
        "GET",
        "/healthz",
        &[("origin", "https://evil.example.com")],
        vec![],
    );
    assert_eq!(other.status, 200);
    assert_eq!(other.header("access-control-allow-origin"), None);
    assert_eq!(
        preflight(&app, "https://evil.example.com").header("access-control-allow-origin"),
        None
    );
}

#[test]
fn the_version_names_the_release_its_commit_backend_and_schema() {
    let app = spawn_app();
    let version = app.call("GET", "/version", None, None).expect(200);
    assert_eq!(version["version"], env!("CARGO_PKG_VERSION"));
    let backend = if rectify_tests::on_postgres() {
        "postgresql"
    } else {
        "sqlite"
    };
    assert_eq!(version["backend"], backend);
    // The newest migration the binary carries is the one applied.
    let migrations =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../db/migrations/sqlite");
    let newest = std::fs::read_dir(migrations)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with("20"))
        .max()
        .unwrap();
    let applied = version["schema_version"].as_str().unwrap();
    assert!(
        newest
            .replace('-', "")
            .starts_with(&applied.replace('-', "")),
        "{newest} vs {applied}"
    );
    assert!(version["commit"].is_string());
}

#[test]
fn metrics_are_scraped_in_prometheus_text_format_by_route_template() {
    let app = spawn_app();
    for id in [1, 2, 3] {
        app.get(
            &format!("/api/v1/problems/{}", 900_000 + id),
            &app.admin_token,
        )
        .problem(404, "not_found");
    }
    app.get("/api/v1/problems", &app.admin_token).expect(200);
    let reply = app.call("GET", "/metrics", None, None);
    assert_eq!(reply.status, 200);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let lines = reply.text.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text format");
    // One scrape, read for every figure, so that they are of one moment.
    let value = |name: &str, labels: &[(&str, &str)]| rectify_tests::sample(&scrape, name, labels);
    let requests = "rectify_http_requests_total";
    let by_template = [
        ("route", "/api/v1/problems/:id"),
        ("method", "GET"),
        ("status", "404"),
    ];
    assert_eq!(value(requests, &by_template), Some(3.0));
    assert_eq!(
        value(
            requests,
            &[("route", "/api/v1/problems"), ("status", "200")]
        ),
        Some(1.0)
    );
    // Concrete paths never become series of their own.
    assert!(!reply.text.contains("900001"));
    assert!(scrape
        .samples
        .iter()
        .any(|s| s.metric == "rectify_http_request_duration_seconds"
            && s.labels.get("route") == Some("/api/v1/problems/:id")));
    assert!(value("rectify_db_pool_connections", &[]).unwrap() >= 1.0);
    assert_eq!(value("rectify_webhook_outbox_pending", &[]), Some(0.0));
    assert_eq!(
        value("rectify_webhook_outbox_oldest_age_seconds", &[]),
        Some(0.0)
    );
    // SQLite's one writer: nothing waits while nothing writes, and the sign-in wrote.
    if !on_postgres() {
        assert_eq!(value("rectify_db_writer_waiting", &[]), Some(0.0));
        assert!(value("rectify_db_writes_total", &[]).unwrap() >= 1.0);
    }
    // Every background job has its series from the start, run or not.
    for job in [
        "webhook worker",
        "weekly digest",
        "unfinished imports",
        "overdue scan",
    ] {
        assert_eq!(
            value("rectify_background_job_errors_total", &[("job", job)]),
            Some(0.0)
        );
    }
    assert_eq!(
        value("rectify_digest_messages_total", &[("channel", "email")]),
        Some(0.0)
    );
}

#[test]
fn background_job_rounds_are_counted() {
    let mut app = spawn_app();
    app.settings.background_jobs = true;
    app.restart();
    let scrape_value =
        |name: &str, job: &str| app.metric(name, &[("job", job)]).unwrap_or(f64::NAN);
    // The overdue scan runs every second in tests; poll until a round has been counted.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while scrape_value("rectify_background_job_runs_total", "overdue scan") < 1.0 {
        assert!(std::time::Instant::now() < deadline, "no round was counted");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        scrape_value("rectify_background_job_errors_total", "overdue scan"),
        0.0
    );
}
