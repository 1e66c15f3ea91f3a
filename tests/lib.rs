//! Test harness: each test gets its own server, on a free port, over its own database (a
//! temporary SQLite file, or a fresh PostgreSQL schema when `RECTIFY_TEST_DATABASE_URL`
//! names a PostgreSQL database), and speaks HTTP to it.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use diesel::connection::SimpleConnection;
use diesel::Connection;
use rectify::config::{LogFormat, Secret, Settings};
use rectify::domain::deadline::Clock;
use rectify::startup::Application;
use rectify_db::DatabaseUrl;
pub use serde_json::{json, Value};

/// The server's "now": fixed, and moved only by the test.
pub struct TestClock(Mutex<chrono::DateTime<chrono::Utc>>);

impl Clock for TestClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        *self.0.lock().unwrap()
    }
}

/// The day every test starts on: Monday 23 November 2026, 10:00 in Shanghai.
pub const START: &str = "2026-11-23T02:00:00Z";

pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";
pub const PASSWORD: &str = "password-for-tests";

/// A PostgreSQL schema that exists for one test and is dropped after it.
struct PgSchema {
    base_url: String,
    name: String,
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.base_url) {
            let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

fn test_database(data_dir: &std::path::Path) -> (DatabaseUrl, Option<PgSchema>) {
    let Ok(base_url) = std::env::var("RECTIFY_TEST_DATABASE_URL") else {
        return (DatabaseUrl::Sqlite(data_dir.join("rectify.db")), None);
    };
    assert!(
        base_url.starts_with("postgres://") || base_url.starts_with("postgresql://"),
        "RECTIFY_TEST_DATABASE_URL must be a postgres:// URL, not {base_url:?}"
    );
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        u32::from_le_bytes(rectify::auth::random_bytes::<4>())
    );
    let mut conn = diesel::PgConnection::establish(&base_url).unwrap_or_else(|e| {
        panic!("PostgreSQL at RECTIFY_TEST_DATABASE_URL is not reachable: {e}")
    });
    conn.batch_execute(&format!("CREATE SCHEMA {name}"))
        .expect("create a test schema");
    let separator = if base_url.contains('?') { '&' } else { '?' };
    let url = format!("{base_url}{separator}options=-csearch_path%3D{name}");
    (
        DatabaseUrl::Postgres(url),
        Some(PgSchema { base_url, name }),
    )
}

pub fn on_postgres() -> bool {
    std::env::var("RECTIFY_TEST_DATABASE_URL").is_ok()
}

/// An HTTP answer, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status and returns the JSON body.
    #[track_caller]
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        if self.text.is_empty() {
            Value::Null
        } else {
            self.json()
        }
    }

    /// Asserts an RFC 9457 problem with this status and code; returns it.
    #[track_caller]
    pub fn problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "errors are problem+json"
        );
        let body = self.json();
        assert_eq!(body["status"], status);
        assert_eq!(body["code"], code, "problem: {body}");
        assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
        assert_eq!(body["type"], format!("urn:rectify:problem:{code}"));
        body
    }
}

pub struct TestApp {
    pub address: String,
    pub admin_token: String,
    pub settings: Settings,
    clock: Arc<TestClock>,
    agent: ureq::Agent,
    handle: Option<ServerHandle>,
    thread: Option<JoinHandle<()>>,
    _data_dir: Option<tempfile::TempDir>,
    _schema: Option<PgSchema>,
}

pub fn spawn_app() -> TestApp {
    spawn_app_at(START)
}

/// A server whose clock starts at `now` (RFC 3339): tests that build a history move it forward
/// from there, as time goes (a token issued "later" is refused as coming from the future).
pub fn spawn_app_at(now: &str) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temporary directory");
    let (database_url, schema) = test_database(data_dir.path());
    let jwt_secret = match database_url {
        // On SQLite the generated secret file is exercised; PostgreSQL requires one.
        DatabaseUrl::Sqlite(_) => None,
        DatabaseUrl::Postgres(_) => Some(Secret::new("test-signing-secret-test-signing-secret")),
    };
    let settings = Settings {
        config: None,
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.path().to_path_buf(),
        database_url: Some(database_url),
        db_pool_size: 4,
        jwt_secret,
        admin_password: Some(Secret::new(ADMIN_PASSWORD)),
        // The longest allowed (30 days): tests move the clock by days.
        token_ttl_minutes: 43_200,
        max_body_bytes: 64 * 1024,
        evidence_max_bytes: 256 * 1024,
        import_max_items: 2_000,
        api_rate_limit: 0,
        // The receivers the tests start listen on loopback.
        webhook_allow_hosts: vec!["127.0.0.1".to_owned()],
        trusted_proxies: Vec::new(),
        cors_allow_origins: Vec::new(),
        body_timeout_secs: 30,
        workers: 2,
        shutdown_timeout_secs: 5,
        webhook_poll_ms: 20,
        webhook_retry_base_ms: 20,
        overdue_scan_secs: 1,
        // Tests that need the webhook worker or the overdue scan turn them on.
        background_jobs: false,
        digest_at: "mon 09:00".parse().unwrap(),
        smtp_from: "Rectify <rectify@test.invalid>".into(),
        smtp_url: None,
        log_format: LogFormat::Text,
        log_level: "warn".into(),
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        // Redirects are answers to check, not to follow.
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let mut app = TestApp {
        address: String::new(),
        admin_token: String::new(),
        settings,
        clock: Arc::new(TestClock(Mutex::new(
            now.parse().expect("an RFC 3339 time"),
        ))),
        agent,
        handle: None,
        thread: None,
        _data_dir: Some(data_dir),
        _schema: schema,
    };
    app.start();
    app.admin_token = app.login("admin", ADMIN_PASSWORD);
    app
}

impl TestApp {
    fn start(&mut self) {
        let settings = self.settings.clone();
        let clock: Arc<dyn Clock> = self.clock.clone();
        let (sender, receiver) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                match Application::build_with_clock(&settings, clock) {
                    Ok(app) => {
                        sender.send(Ok((app.port(), app.handle()))).unwrap();
                        app.run_until_stopped().await.expect("server ran");
                    }
                    Err(e) => sender.send(Err(e.to_string())).unwrap(),
                }
            })
        });
        let (port, handle) = receiver
            .recv()
            .expect("server thread answered")
            .unwrap_or_else(|e| panic!("server failed to start: {e}"));
        self.address = format!("http://127.0.0.1:{port}");
        self.handle = Some(handle);
        self.thread = Some(thread);
        self.wait_until_ready();
    }

    /// Polls /readyz until the server answers (bounded).
    fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(reply) = self.agent.get(format!("{}/readyz", self.address)).call() {
                if reply.status() == 200 {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "server never became ready");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn stop(&mut self) {
        if let Some(handle) = self.handle.take() {
            actix_web::rt::System::new().block_on(handle.stop(true));
        }
        if let Some(thread) = self.thread.take() {
            thread.join().expect("server thread ended cleanly");
        }
    }

    /// Another server on the same database and data (as two servers share one PostgreSQL),
    /// with the same clock and settings.
    pub fn second_server(&self) -> TestApp {
        let mut twin = TestApp {
            address: String::new(),
            admin_token: String::new(),
            settings: self.settings.clone(),
            clock: self.clock.clone(),
            agent: self.agent.clone(),
            handle: None,
            thread: None,
            _data_dir: None,
            _schema: None,
        };
        twin.start();
        twin.admin_token = twin.login("admin", ADMIN_PASSWORD);
        twin
    }

    /// Stops the server and starts it again on the same data.
    pub fn restart(&mut self) {
        self.stop();
        self.start();
    }

    /// Runs the service as a separate process (`binary`) on this test's database and points
    /// every helper at it, so that a test can kill it. The in-process server is stopped first.
    pub fn spawn_process(&mut self, binary: &str) -> ServerProcess {
        self.stop();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let database = match self.settings.database_url() {
            DatabaseUrl::Sqlite(path) => path.display().to_string(),
            DatabaseUrl::Postgres(url) => url,
        };
        let mut command = std::process::Command::new(binary);
        command
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--data-dir", &self.settings.data_dir.display().to_string()])
            .args(["--database-url", &database, "--workers", "2"])
            .args(["--background-jobs", "false"])
            .args([
                "--token-ttl-minutes",
                &self.settings.token_ttl_minutes.to_string(),
            ])
            .env("RECTIFY_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RECTIFY_LOG", "error")
            .stdout(std::process::Stdio::null());
        if let Some(secret) = &self.settings.jwt_secret {
            command.env("RECTIFY_JWT_SECRET", secret.expose());
        }
        let child = command.spawn().expect("start the server process");
        self.address = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while self
            .try_call("GET", "/readyz")
            .is_none_or(|status| status != 200)
        {
            assert!(
                Instant::now() < deadline,
                "the server process never became ready"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        ServerProcess { child }
    }

    /// A sample from `/metrics` carrying these labels; `None` when the server reports none.
    pub fn metric(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let text = self.call("GET", "/metrics", None, None).text;
        let lines = text.lines().map(|l| Ok(l.to_owned()));
        let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text format");
        sample(&scrape, name, labels)
    }

    /// A request's status, or None when the server could not be reached (it was killed).
    pub fn try_call(&self, method: &str, path: &str) -> Option<u16> {
        self.try_send(method, path, &[], Vec::new())
            .ok()
            .map(|r| r.status)
    }

    /// Sends JSON with a token; None when the server could not be reached or broke off.
    pub fn try_post(&self, path: &str, token: &str, body: &Value) -> Option<(u16, Value)> {
        let bearer = format!("Bearer {token}");
        let headers = [
            ("authorization", bearer.as_str()),
            ("content-type", "application/json"),
        ];
        let reply = self
            .try_send("POST", path, &headers, serde_json::to_vec(body).ok()?)
            .ok()?;
        let body = serde_json::from_str(&reply.text).unwrap_or(Value::Null);
        Some((reply.status, body))
    }

    /// The server's "now".
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The server's clock, for the CLI and services called directly.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// Moves the server's clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        *self.clock.0.lock().unwrap() += by;
    }

    /// Moves the server's clock, e.g. `app.set_now("2026-12-02T02:00:00Z")`.
    pub fn set_now(&self, rfc3339: &str) {
        *self.clock.0.lock().unwrap() = rfc3339.parse().expect("an RFC 3339 time");
    }

    /// On PostgreSQL, the database URL the tests were given and this test's schema in it.
    pub fn pg_schema(&self) -> Option<(String, String)> {
        self._schema
            .as_ref()
            .map(|s| (s.base_url.clone(), s.name.clone()))
    }

    pub fn data_dir(&self) -> PathBuf {
        self.settings.data_dir.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Sends a request with raw bytes and extra headers.
    pub fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Reply {
        self.try_send(method, path, headers, body)
            .unwrap_or_else(|e| panic!("{method} {path} failed: {e}"))
    }

    /// As [`TestApp::send`], with the transport's failure (a killed server) as an error.
    pub fn try_send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<Reply, ureq::Error> {
        let mut request = ureq::http::Request::builder()
            .method(method)
            .uri(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(body).expect("a well-formed request");
        let mut response = self.agent.run(request)?;
        Ok(Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response
                .body_mut()
                .with_config()
                .limit(64 << 20)
                .read_to_string()
                // A binary body (a download) is read as bytes by get_bytes instead.
                .unwrap_or_default(),
        })
    }

    /// GETs a file (a download or an export) as bytes; panics unless it is 200.
    #[track_caller]
    pub fn get_bytes(&self, path: &str, token: &str) -> Vec<u8> {
        let mut response = self
            .agent
            .get(self.url(path))
            .header("authorization", &format!("Bearer {token}"))
            .call()
            .unwrap_or_else(|e| panic!("GET {path} failed: {e}"));
        assert_eq!(response.status().as_u16(), 200, "GET {path}");
        response
            .body_mut()
            .with_config()
            .limit(256 << 20)
            .read_to_vec()
            .expect("a readable body")
    }

    /// GETs a file and counts its bytes without keeping them (benchmarks measure memory).
    pub fn download_len(&self, path: &str, token: &str) -> u64 {
        let mut response = self
            .agent
            .get(self.url(path))
            .header("authorization", &format!("Bearer {token}"))
            .call()
            .unwrap_or_else(|e| panic!("GET {path} failed: {e}"));
        assert_eq!(response.status().as_u16(), 200, "GET {path}");
        std::io::copy(
            &mut response.body_mut().with_config().limit(u64::MAX).reader(),
            &mut std::io::sink(),
        )
        .expect("a readable body")
    }

    /// Sends JSON (or nothing) with a bearer token (or none).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if let Some(bearer) = &bearer {
            headers.push(("authorization", bearer));
        }
        let bytes = match body {
            Some(body) => {
                headers.push(("content-type", "application/json"));
                serde_json::to_vec(body).unwrap()
            }
            None => Vec::new(),
        };
        self.send(method, path, &headers, bytes)
    }

    pub fn get(&self, path: &str, token: &str) -> Reply {
        self.call("GET", path, Some(token), None)
    }

    pub fn post(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.call("POST", path, Some(token), Some(body))
    }

    pub fn patch(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.call("PATCH", path, Some(token), Some(body))
    }

    pub fn try_login(&self, username: &str, password: &str) -> Reply {
        self.call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&json!({"username": username, "password": password})),
        )
    }

    #[track_caller]
    pub fn login(&self, username: &str, password: &str) -> String {
        let body = self.try_login(username, password).expect(200);
        body["access_token"].as_str().expect("a token").to_owned()
    }

    /// Creates an organization as admin; returns its id.
    #[track_caller]
    pub fn create_org(&self, code: &str, name: &str, parent_id: Option<i64>) -> i64 {
        let mut body = json!({"code": code, "name": name});
        if let Some(parent) = parent_id {
            body["parent_id"] = json!(parent);
        }
        self.post("/api/v1/organizations", &self.admin_token, &body)
            .expect(201)["id"]
            .as_i64()
            .unwrap()
    }

    /// Creates a user (password [`PASSWORD`]) as admin; returns its id.
    #[track_caller]
    pub fn create_user(&self, username: &str, role: &str, organization_id: i64) -> i64 {
        let body = json!({
            "username": username,
            "display_name": format!("测试用户 {username}"),
            "role": role,
            "organization_id": organization_id,
            "password": PASSWORD,
        });
        self.post("/api/v1/users", &self.admin_token, &body)
            .expect(201)["id"]
            .as_i64()
            .unwrap()
    }

    /// Creates a user and signs them in; returns (id, token).
    #[track_caller]
    pub fn user_with_token(
        &self,
        username: &str,
        role: &str,
        organization_id: i64,
    ) -> (i64, String) {
        let id = self.create_user(username, role, organization_id);
        (id, self.login(username, PASSWORD))
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A small ledger's cast: a community (DFSQ) with a coordinator, a second coordinator, an
/// owner and an auditor, and a sibling community (XFSQ) whose coordinator must see nothing
/// of DFSQ's.
pub struct Cast {
    pub org: i64,
    pub sibling_org: i64,
    pub coordinator: String,
    pub coordinator2: String,
    pub owner: String,
    pub owner_id: i64,
    pub auditor: String,
    pub sibling: String,
}

impl TestApp {
    /// The same people signed in again (after the clock moved past their tokens' lifetime).
    pub fn sign_in_again(&self, cast: &Cast) -> Cast {
        Cast {
            coordinator: self.login("coord", PASSWORD),
            coordinator2: self.login("coord2", PASSWORD),
            owner: self.login("owner", PASSWORD),
            auditor: self.login("auditor", PASSWORD),
            sibling: self.login("sibling", PASSWORD),
            ..*cast
        }
    }

    pub fn cast(&self) -> Cast {
        let org = self.create_org("DFSQ", "东风社区党委", None);
        let sibling_org = self.create_org("XFSQ", "西风社区党委", None);
        let (_, coordinator) = self.user_with_token("coord", "coordinator", org);
        let (_, coordinator2) = self.user_with_token("coord2", "coordinator", org);
        let (owner_id, owner) = self.user_with_token("owner", "owner", org);
        let (_, auditor) = self.user_with_token("auditor", "auditor", org);
        let (_, sibling) = self.user_with_token("sibling", "coordinator", sibling_org);
        Cast {
            org,
            sibling_org,
            coordinator,
            coordinator2,
            owner,
            owner_id,
            auditor,
            sibling,
        }
    }

    /// A review of the organization with two aspects; returns its id.
    #[track_caller]
    pub fn review(&self, token: &str, org: i64) -> i64 {
        let body = json!({
            "organization_id": org, "title": "2026年度组织生活会", "kind": "organizational_life",
            "held_on": "2026-11-10", "aspects": ["政治建设方面", "作风建设方面"]
        });
        self.post("/api/v1/reviews", token, &body).expect(201)["id"]
            .as_i64()
            .unwrap()
    }

    /// A problem created with these fields (review_id and title are required); returns it.
    #[track_caller]
    pub fn problem(&self, token: &str, body: Value) -> Value {
        self.post("/api/v1/problems", token, &body).expect(201)
    }

    /// A measure of the review linked to these problems; returns its id.
    #[track_caller]
    pub fn measure(&self, token: &str, review: i64, problems: &[i64], extra: Value) -> i64 {
        let mut body =
            json!({"review_id": review, "title": "建立物业服务考核办法", "problem_ids": problems});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        self.post("/api/v1/measures", token, &body).expect(201)["id"]
            .as_i64()
            .unwrap()
    }

    pub fn act(&self, token: &str, problem: i64, action: &str, note: Option<&str>) -> Reply {
        let mut body = json!({"action": action});
        if let Some(note) = note {
            body["note"] = json!(note);
        }
        self.post(
            &format!("/api/v1/problems/{problem}/transitions"),
            token,
            &body,
        )
    }

    /// A problem ready to confirm: an owner, a deadline and a measure. Returns (problem, measure).
    #[track_caller]
    pub fn ready_problem(
        &self,
        cast: &Cast,
        review: i64,
        title: &str,
        deadline: &str,
    ) -> (i64, i64) {
        let problem = self.problem(
            &cast.coordinator,
            json!({"review_id": review, "title": title, "aspect": "作风建设方面", "owner_id": cast.owner_id, "deadline": deadline}),
        )["id"]
            .as_i64()
            .unwrap();
        let measure = self.measure(&cast.coordinator, review, &[problem], json!({}));
        (problem, measure)
    }
}

/// A tiny but real PDF: what a scanned meeting record would be.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

impl TestApp {
    /// Uploads a file as multipart/form-data (fields `file` and `description`).
    pub fn upload(
        &self,
        token: &str,
        problem: i64,
        file_name: &str,
        bytes: &[u8],
        description: &str,
    ) -> Reply {
        self.try_upload(token, problem, file_name, bytes, description)
            .unwrap_or_else(|e| panic!("upload failed: {e}"))
    }

    /// As [`TestApp::upload`], with the transport's failure (a killed server) as an error.
    pub fn try_upload(
        &self,
        token: &str,
        problem: i64,
        file_name: &str,
        bytes: &[u8],
        description: &str,
    ) -> Result<Reply, ureq::Error> {
        let boundary = "----rectify-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n{description}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let auth = format!("Bearer {token}");
        let content_type = format!("multipart/form-data; boundary={boundary}");
        self.try_send(
            "POST",
            &format!("/api/v1/problems/{problem}/evidence"),
            &[("authorization", &auth), ("content-type", &content_type)],
            body,
        )
    }

    /// Posts a multipart form: text fields, then a file field named `file` if given.
    pub fn multipart(
        &self,
        path: &str,
        token: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Reply {
        let boundary = "----rectify-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        if let Some((file_name, bytes)) = file {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let auth = format!("Bearer {token}");
        let content_type = format!("multipart/form-data; boundary={boundary}");
        self.send(
            "POST",
            path,
            &[("authorization", &auth), ("content-type", &content_type)],
            body,
        )
    }

    /// Attaches a small PDF as evidence; returns its record.
    #[track_caller]
    pub fn attach_pdf(&self, token: &str, problem: i64) -> Value {
        self.upload(token, problem, "整改会议纪要.pdf", PDF, "专题会议纪要")
            .expect(201)
    }
}

impl TestApp {
    /// Runs SQL on the test database directly, as a database administrator would.
    #[track_caller]
    pub fn sql(&self, statements: &str) {
        self.try_sql(statements)
            .unwrap_or_else(|e| panic!("{statements}: {e}"));
    }

    pub fn try_sql(&self, statements: &str) -> Result<(), String> {
        match &self.settings.database_url() {
            DatabaseUrl::Postgres(url) => diesel::PgConnection::establish(url)
                .expect("connect to PostgreSQL")
                .batch_execute(statements),
            DatabaseUrl::Sqlite(path) => {
                diesel::SqliteConnection::establish(path.to_str().unwrap())
                    .expect("open SQLite")
                    .batch_execute(statements)
            }
        }
        .map_err(|e| e.to_string())
    }

    /// A second handle on the server's database, for calling services directly.
    pub fn db(&self) -> rectify_db::Db {
        rectify_db::Db::connect(
            &self.settings.database_url(),
            &rectify_db::DbOptions::default(),
        )
        .expect("open the test database")
        .0
    }
}

/// The service running as a child process; killed (SIGKILL) when dropped.
pub struct ServerProcess {
    child: std::process::Child,
}

impl ServerProcess {
    /// The process's id (for its CPU time and memory in `/proc`).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process at once, as a power cut would: no shutdown, no flush.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a webhook receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// The request's target: path and query (`/hooks/rectify?timestamp=…&sign=…`).
    pub target: String,
    pub headers: std::collections::HashMap<String, String>,
    pub body: String,
    /// The status the receiver answered.
    pub answered: u16,
}

/// A local HTTP server standing in for an office system's webhook endpoint. It answers
/// the given statuses in turn, then 200.
pub struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub fn start(statuses: &[u16]) -> Self {
        Self::answering(statuses.iter().map(|s| (*s, String::new())).collect())
    }

    /// A group robot (WeCom, DingTalk): HTTP 200 each time, with these `errcode`s in turn in
    /// its JSON answer, then 0.
    pub fn robot(errcodes: &[i64]) -> Self {
        Self::answering(
            errcodes
                .iter()
                .map(|code| {
                    (
                        200,
                        format!("{{\"errcode\":{code},\"errmsg\":\"test refusal\"}}"),
                    )
                })
                .chain(std::iter::once((
                    200,
                    "{\"errcode\":0,\"errmsg\":\"ok\"}".to_owned(),
                )))
                .collect(),
        )
    }

    /// Answers these (status, body) in turn, then the last one again, or 200.
    fn answering(answers: Vec<(u16, String)>) -> Self {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a receiver");
        let url = format!("http://{}/hooks/rectify", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let last = answers.last().cloned().filter(|(_, body)| !body.is_empty());
        let (log, mut script) = (received.clone(), answers.into_iter());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut headers = std::collections::HashMap::new();
                let mut line = String::new();
                reader.read_line(&mut line).ok(); // request line
                let target = line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_owned();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((k, v)) = line.trim_end().split_once(':') {
                        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
                    }
                }
                let length: usize = headers
                    .get("content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; length];
                reader.read_exact(&mut body).ok();
                let (answered, answer) = script
                    .next()
                    .or_else(|| last.clone())
                    .unwrap_or((200, String::new()));
                log.lock().unwrap().push(Received {
                    target,
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                    answered,
                });
                let _ = write!(
                    stream,
                    "HTTP/1.1 {answered} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        Self { url, received }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Polls until at least `n` requests arrived (bounded), and returns them all.
    #[track_caller]
    pub fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "the receiver got {} of {n} requests",
                got.len()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// A local SMTP server that accepts every message and keeps it, standing in for a relay.
pub struct SmtpSink {
    pub url: String,
    messages: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub fn start() -> Self {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an SMTP sink");
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let messages = Arc::new(Mutex::new(Vec::new()));
        let kept = messages.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let kept = kept.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let _ = stream.write_all(b"220 sink ESMTP\r\n");
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                        let answer: &[u8] = match verb.as_str() {
                            "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                            "DATA" => {
                                let _ = stream.write_all(b"354 go on\r\n");
                                let mut message = String::new();
                                loop {
                                    line.clear();
                                    if reader.read_line(&mut line).unwrap_or(0) == 0
                                        || line == ".\r\n"
                                    {
                                        break;
                                    }
                                    message.push_str(&line);
                                }
                                kept.lock().unwrap().push(message);
                                b"250 queued\r\n"
                            }
                            "QUIT" => {
                                let _ = stream.write_all(b"221 bye\r\n");
                                return;
                            }
                            _ => b"250 OK\r\n",
                        };
                        let _ = stream.write_all(answer);
                    }
                });
            }
        });
        Self { url, messages }
    }

    pub fn messages(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }
}

const STATUSES: [&str; 6] = [
    "draft",
    "open",
    "in_progress",
    "submitted",
    "closed",
    "cancelled",
];

/// Seeds `n` problems straight into the database (benchmarks): statuses in turn (each with the
/// history that leads there), deadlines over two years, one in ten long-term, one in a hundred
/// about 物业. The progress tallies are built at the next start.
/// Builds the progress tallies again from every problem's history, as a database that has
/// none gets at its first start (the seeding below writes problems around them).
pub fn rebuild_progress_tallies(app: &TestApp) -> u64 {
    let (db, _) = rectify_db::Db::connect(&app.settings.database_url(), &Default::default())
        .expect("database");
    rectify::service::progress_tallies::rebuild(&db).expect("rebuild the progress tallies")
}

/// Indexes every problem for search again, as a database with an empty index gets at its
/// first start.
pub fn rebuild_search_index(app: &TestApp) -> u64 {
    let (db, _) = rectify_db::Db::connect(&app.settings.database_url(), &Default::default())
        .expect("database");
    rectify::service::search_index::rebuild(&db).expect("rebuild the search index")
}

pub fn seed_problems(app: &TestApp, n: usize, review: i64, org: i64, owner: i64) {
    use chrono::{Days, NaiveDate};
    use diesel::RunQueryDsl;
    use rectify_db::models::{NewHistory, NewProblem};
    use rectify_db::{Db, DbConnection, DbOptions};
    let (db, _) =
        Db::connect(&app.settings.database_url(), &DbOptions::default()).expect("database");
    let start: NaiveDate = "2026-01-01".parse().unwrap();
    let now = app.clock.now().naive_utc();
    let keys: Vec<String> = (0..n).map(|i| format!("BENCH-{i}")).collect();
    let titles: Vec<String> = (0..n)
        .map(|i| match i % 100 {
            0 => format!("对物业管理问题跟踪督促不够 {i}"),
            1 => format!("信访积案化解进度慢 {i}"),
            _ => format!("学习教育不经常不深入 {i}"),
        })
        .collect();
    let started = Instant::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let rows: Vec<NewProblem> = chunk
            .iter()
            .map(|&i| {
                let deadline = (i % 10 != 0).then(|| start + Days::new((i % 700) as u64));
                NewProblem {
                    key: &keys[i],
                    review_id: review,
                    aspect: Some("作风建设方面"),
                    title: &titles[i],
                    description: "在服务群众方面还有差距，督促整改不及时，工作作风不够扎实。",
                    organization_id: org,
                    owner_id: Some(owner),
                    deadline,
                    original_deadline: deadline,
                    kind: if deadline.is_some() {
                        "scheduled"
                    } else {
                        "long_term"
                    },
                    status: STATUSES[i % 6],
                    created_by: None,
                    created_at: now,
                    updated_at: now,
                }
            })
            .collect();
        // Multi-row INSERT does not pass through diesel's MultiConnection, so seeding talks to
        // the backend's own connection.
        db.write(|conn| -> Result<(), rectify_db::DbError> {
            use rectify_db::schema::problems::dsl as p;
            let insert = diesel::insert_into(p::problems)
                .values(&rows)
                .returning(p::id);
            let ids: Vec<i64> = match conn {
                DbConnection::Sqlite(c) => insert.get_results(c)?,
                DbConnection::Postgres(c) => insert.get_results(c)?,
            };
            // Each problem's history takes it to its status, as the workflow would have.
            let history: Vec<NewHistory> = ids
                .iter()
                .zip(&rows)
                .flat_map(|(id, row)| {
                    let path = rectify::service::dev_seed::steps(row.status);
                    std::iter::once(("create", None, "draft"))
                        .chain(path.iter().scan("draft", |from, (action, to)| {
                            let step = (*action, Some(*from), *to);
                            *from = to;
                            Some(step)
                        }))
                        .map(|(action, from_status, to_status)| NewHistory {
                            problem_id: *id,
                            actor_id: None,
                            action,
                            from_status,
                            to_status,
                            note: None,
                            created_at: now,
                            outcome: (action == "verify").then_some("rectified"),
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            for part in history.chunks(1000) {
                let insert =
                    diesel::insert_into(rectify_db::schema::problem_history::table).values(part);
                match conn {
                    DbConnection::Sqlite(c) => insert.execute(c)?,
                    DbConnection::Postgres(c) => insert.execute(c)?,
                };
            }
            Ok(())
        })
        .expect("seed problems");
    }
    println!(
        "seeded {n} problems in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

const CHINESE_NUMBERS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// A large report: `items` items in all, half problems in aspects of ten, a quarter causes
/// and a quarter measures, each text a little different (as real items are).
pub fn large_report_of(items: usize) -> String {
    let words = [
        "理论学习",
        "物业管理",
        "信访问题",
        "群众工作",
        "组织生活",
        "党费收缴",
        "制度执行",
        "调查研究",
        "作风建设",
        "廉洁自律",
        "宗旨意识",
        "担当作为",
        "服务群众",
        "基层治理",
        "安全生产",
        "环境整治",
    ];
    let phrase = |i: usize| {
        format!(
            "{}不够深入，{}跟踪督促不够，{}流于形式，第{i}项。",
            words[i % words.len()],
            words[(i / 3 + 5) % words.len()],
            words[(i / 7 + 11) % words.len()]
        )
    };
    let mut text = String::from("关于年度组织生活会的对照检查材料\n一、存在问题\n");
    let problems = items / 2;
    for i in 0..problems {
        if i % 10 == 0 {
            text.push_str(&format!(
                "（{}）第{}个方面\n",
                CHINESE_NUMBERS[(i / 10) % 10],
                i / 10 + 1
            ));
        }
        text.push_str(&format!("{}是{}\n", CHINESE_NUMBERS[i % 10], phrase(i)));
    }
    text.push_str("二、原因剖析\n");
    for i in 0..items / 4 {
        text.push_str(&format!("{}. 对{}认识不足。\n", i + 1, phrase(i * 3)));
    }
    text.push_str("三、整改措施\n");
    for i in 0..items / 4 {
        text.push_str(&format!("{}. 加强{}\n", i + 1, phrase(i * 5)));
    }
    text
}

/// A sample of one `/metrics` scrape carrying these labels; `None` when there is none.
pub fn sample(
    scrape: &prometheus_parse::Scrape,
    name: &str,
    labels: &[(&str, &str)],
) -> Option<f64> {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => f64::NAN,
        })
}
