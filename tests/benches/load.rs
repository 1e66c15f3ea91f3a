//! The service under load, as a peer would be measured: seeds `RECTIFY_BENCH_PROBLEMS`
//! problems (default 1,000,000) with `rectify dev seed` into the real database (SQLite, or PostgreSQL with
//! `RECTIFY_TEST_DATABASE_URL`), starts the release server as a process of its own, and drives
//! it over loopback with wrk (Debian's package `wrk`) for `RECTIFY_BENCH_SECONDS` (default 10)
//! per scenario. Prints one table (req/s, p50, p99, errors, the server's CPU per request, the
//! whole machine's CPU per request, the server's peak RSS) and writes it, with the machine's
//! cores and load average, to `RECTIFY_BENCH_OUT` (default `target/load-<backend>.md`).
//!
//!     cargo bench -p rectify-tests --bench load
//!
//! `RECTIFY_BENCH_DRAFTS` (default 40,000) drafts are made for the confirmations, one each.
//! `RECTIFY_BENCH_ONLY=<words>` runs only the scenarios whose names hold them, for profiling
//! one (`perf record -g -p <pid>` on the server while it runs).

use std::io::Write;
use std::process::Command;
use std::time::Instant;

use rectify_tests::{json, on_postgres, spawn_app, TestApp};

const SERVER: &str = env!("CARGO_BIN_EXE_rectify-test-server");

/// One scenario's figures.
struct Row {
    name: String,
    connections: usize,
    requests: u64,
    errors: u64,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    server_cpu_ms: f64,
    machine_cpu_ms: f64,
    peak_rss_mb: f64,
}

/// A query value, percent-encoded.
fn url_encoded(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// User and system CPU time of a process, in milliseconds.
fn process_cpu_ms(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the server's stat");
    // The command may hold spaces; the fields after its closing parenthesis are fixed.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..]
        .split_whitespace()
        .collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks * 1000.0 / clock_ticks()
}

/// Busy CPU time of the whole machine (every process, the load generator and PostgreSQL too).
fn machine_cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap();
    let cpu: Vec<f64> = stat
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    // user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
    let busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + cpu[7];
    busy * 1000.0 / clock_ticks()
}

fn clock_ticks() -> f64 {
    let out = Command::new("getconf").arg("CLK_TCK").output();
    out.ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// wrk's latency figure (`1.23ms`, `456.00us`, `1.02s`) in milliseconds.
fn millis(figure: &str) -> f64 {
    let (number, scale) = if let Some(v) = figure.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = figure.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = figure.strip_suffix('s') {
        (v, 1000.0)
    } else {
        (figure, f64::NAN)
    };
    number.parse::<f64>().map_or(f64::NAN, |n| n * scale)
}

struct Bench {
    address: String,
    pid: u32,
    seconds: u64,
    dir: tempfile::TempDir,
    rows: Vec<Row>,
    /// `RECTIFY_BENCH_ONLY`: run only the scenarios whose names hold this (for profiling one).
    only: Option<String>,
}

impl Bench {
    /// Runs wrk with `script` (Lua) at `connections` and records the figures as `name`.
    fn run(&mut self, name: &str, connections: usize, script: &str) {
        if !self.only.as_deref().is_none_or(|only| name.contains(only)) {
            return;
        }
        let path = self.dir.path().join(format!("{}.lua", self.rows.len()));
        std::fs::write(&path, script).unwrap();
        let (cpu_before, machine_before) = (process_cpu_ms(self.pid), machine_cpu_ms());
        let output = Command::new("wrk")
            .args(["-t", "2", "-c", &connections.to_string()])
            .args([
                "-d",
                &format!("{}s", self.seconds),
                "--latency",
                "--timeout",
                "10s",
            ])
            .arg("-s")
            .arg(&path)
            .arg(&self.address)
            .stderr(std::process::Stdio::inherit())
            .output()
            .expect("wrk runs (apt-get install wrk)");
        let (cpu_after, machine_after) = (process_cpu_ms(self.pid), machine_cpu_ms());
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(output.status.success(), "wrk failed: {text}");
        let find = |prefix: &str| -> Option<String> {
            text.lines()
                .map(str::trim)
                .find_map(|l| l.strip_prefix(prefix))
                .map(|v| v.trim().to_owned())
        };
        let requests: u64 = text
            .lines()
            .find(|l| l.contains(" requests in "))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let errors = find("Non-2xx or 3xx responses:")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
            + find("Socket errors:").map_or(0, |v| {
                v.split(',')
                    .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
                    .sum()
            });
        let row = Row {
            name: name.to_owned(),
            connections,
            requests,
            errors,
            per_second: find("Requests/sec:")
                .and_then(|v| v.parse().ok())
                .unwrap_or(f64::NAN),
            p50_ms: find("50%").map_or(f64::NAN, |v| millis(&v)),
            p99_ms: find("99%").map_or(f64::NAN, |v| millis(&v)),
            server_cpu_ms: (cpu_after - cpu_before) / requests.max(1) as f64,
            machine_cpu_ms: (machine_after - machine_before) / requests.max(1) as f64,
            peak_rss_mb: peak_rss_mb(self.pid),
        };
        println!(
            "{:<46} {:>4} {:>9.0} {:>8.2} {:>8.2} {:>6} {:>7.3} {:>7.3} {:>6.0}",
            row.name,
            row.connections,
            row.per_second,
            row.p50_ms,
            row.p99_ms,
            row.errors,
            row.server_cpu_ms,
            row.machine_cpu_ms,
            row.peak_rss_mb
        );
        self.rows.push(row);
    }
}

/// A wrk script: every request carries the token; `request` is Lua that returns each request.
/// Without it wrk sends the one request `setup` describes (`wrk.path`, `wrk.method`,
/// `wrk.body`) prepared once: calling Lua for every request costs wrk, which shares the two
/// cores with the server, several times what `/healthz` costs the server.
fn script(token: &str, setup: &str, request: Option<&str>) -> String {
    // RECTIFY_BENCH_SHOW_ERRORS=1 prints each thread's first failed answer (it costs wrk time).
    let show = if std::env::var_os("RECTIFY_BENCH_SHOW_ERRORS").is_some() {
        r#"local shown = false
function response(status, headers, body)
  if status >= 300 and not shown then
    shown = true
    io.stderr:write(status .. " " .. body .. "\n")
  end
end"#
    } else {
        ""
    };
    format!(
        r#"{show}
wrk.headers["Authorization"] = "Bearer {token}"
wrk.headers["Content-Type"] = "application/json"
local threads = 0
function setup(thread)
  thread:set("number", threads)
  threads = threads + 1
end
{setup}
{request}
"#,
        request = request.map_or(String::new(), |r| format!("function request()\n  {r}\nend"))
    )
}

/// Commits a second, separate connection makes alone, one row each, durably, in a second: the
/// disk's and the database's own rate, with nothing of the service's.
fn single_connection_commits(app: &TestApp, per_run: usize) -> f64 {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    match app.settings.database_url() {
        rectify_db::DatabaseUrl::Sqlite(path) => {
            let probe = path.with_file_name("commit-probe.db");
            let mut conn =
                diesel::SqliteConnection::establish(probe.to_str().unwrap()).expect("probe");
            conn.batch_execute(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
                 CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, at TEXT);",
            )
            .unwrap();
            let started = Instant::now();
            for _ in 0..per_run {
                conn.batch_execute("INSERT INTO probe (at) VALUES ('2026-12-01T00:00:00Z')")
                    .unwrap();
            }
            per_run as f64 / started.elapsed().as_secs_f64()
        }
        rectify_db::DatabaseUrl::Postgres(url) => {
            let mut conn = diesel::PgConnection::establish(&url).expect("probe");
            conn.batch_execute("CREATE TABLE commit_probe (id BIGSERIAL PRIMARY KEY, at TEXT)")
                .unwrap();
            let started = Instant::now();
            for _ in 0..per_run {
                conn.batch_execute("INSERT INTO commit_probe (at) VALUES ('2026-12-01')")
                    .unwrap();
            }
            let rate = per_run as f64 / started.elapsed().as_secs_f64();
            conn.batch_execute("DROP TABLE commit_probe").unwrap();
            rate
        }
    }
}

/// Seeds the ledger as an operator would, with `rectify dev seed`; returns the seeded users'
/// password and the districts' ids.
fn dev_seed(app: &TestApp, problems: usize) -> (String, Vec<i64>) {
    use clap::Parser;
    let args = [
        "rectify",
        "dev",
        "seed",
        "--problems",
        &problems.to_string(),
    ];
    let cli = rectify::cli::Cli::try_parse_from(args).expect("dev seed's arguments");
    let mut out = Vec::new();
    rectify::cli::execute(&app.settings, app.clock(), cli.command, &mut out).expect("dev seed");
    let out = String::from_utf8(out).unwrap();
    print!("{out}");
    let password = out
        .split("the password ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the seeded users' password")
        .to_owned();
    let districts = out
        .split("(id ")
        .skip(1)
        .filter_map(|rest| rest.split(')').next()?.parse().ok())
        .collect();
    (password, districts)
}

fn main() {
    let n: usize = std::env::var("RECTIFY_BENCH_PROBLEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let seconds: u64 = std::env::var("RECTIFY_BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let backend = if on_postgres() { "postgres" } else { "sqlite" };
    let mut app = spawn_app();
    let started = Instant::now();
    let (password, districts) = dev_seed(&app, n);
    println!("seeded in {:.1} s", started.elapsed().as_secs_f64());
    let coordinator = app.login("seed.coordinator", &password);
    let district = districts[0];
    // A branch of the first district, one of its reviews and one of its owners: where the
    // creates and the confirmations go.
    let found = app
        .get("/api/v1/organizations?q=D1S1C1B1", &coordinator)
        .expect(200);
    let branch_id = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["code"] == "D1S1C1B1")
        .and_then(|o| o["id"].as_i64())
        .expect("the branch D1S1C1B1");
    let owner_id = app
        .get(
            &format!("/api/v1/users?organization_id={branch_id}&role=owner"),
            &coordinator,
        )
        .expect(200)["items"][0]["id"]
        .as_i64()
        .expect("an owner of D1S1C1B1");
    let review = app
        .get(
            &format!("/api/v1/reviews?organization_id={branch_id}&limit=1"),
            &coordinator,
        )
        .expect(200)["items"][0]["id"]
        .as_i64()
        .expect("a review of D1S1C1B1");
    let measure = app
        .get(
            &format!("/api/v1/measures?review_id={review}"),
            &coordinator,
        )
        .expect(200)["items"][0]["id"]
        .as_i64()
        .expect("a measure of the review");
    // Drafts with an owner, a deadline and a measure (what confirming asks for), one for each confirmation the transition run
    // makes; created through the API so that they are what a real ledger holds.
    // RECTIFY_BENCH_DRAFTS: as many as the run confirms (default 40,000; fewer where
    // confirmations are slower, on PostgreSQL).
    let drafts: usize = std::env::var("RECTIFY_BENCH_DRAFTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40_000);
    let mut draft_ids = Vec::with_capacity(drafts);
    for start in (0..drafts).step_by(500) {
        let items: Vec<_> = (start..(start + 500).min(drafts))
            .map(|i| {
                json!({"review_id": review, "title": format!("待确认问题 {i}"),
                       "owner_id": owner_id, "deadline": "2027-06-30",
                       "measure_ids": [measure]})
            })
            .collect();
        let created = app
            .post(
                "/api/v1/problems/batch",
                &coordinator,
                &json!({"problems": items}),
            )
            .expect(201);
        draft_ids.extend(
            created["problems"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_i64().unwrap()),
        );
    }
    assert!(draft_ids.windows(2).all(|w| w[1] == w[0] + 1));
    // The cursor of the 1,000th page of the overdue list, 25 a page (or of its last page).
    let mut deep = String::from("/api/v1/problems?overdue=true&limit=25");
    let mut depth = 1;
    while depth < 1000 {
        let page = app.get(&deep, &coordinator).expect(200);
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                deep = format!("/api/v1/problems?overdue=true&limit=25&cursor={cursor}");
                depth += 1;
            }
            None => break,
        }
    }

    let started = Instant::now();
    let server = app.spawn_process(SERVER);
    let ready = started.elapsed();
    let pid = server.id();
    println!("server pid {pid}, ready in {:.2} s", ready.as_secs_f64());
    let mut bench = Bench {
        address: app.address.clone(),
        pid,
        seconds,
        dir: tempfile::tempdir().unwrap(),
        rows: Vec::new(),
        only: std::env::var("RECTIFY_BENCH_ONLY").ok(),
    };
    println!(
        "\n{:<46} {:>4} {:>9} {:>8} {:>8} {:>6} {:>7} {:>7} {:>6}",
        "scenario", "conn", "req/s", "p50 ms", "p99 ms", "errors", "srv ms", "all ms", "RSS MB"
    );
    let token = &coordinator;
    let get = |path: &str| script(token, &format!(r#"wrk.path = "{path}""#), None);
    bench.run("GET /healthz", 32, &get("/healthz"));
    let first_seeded = draft_ids[0] - n as i64;
    bench.run(
        "GET /api/v1/problems/{id} (random id)",
        32,
        &script(
            token,
            "",
            Some(&format!(
                r#"return wrk.format("GET", "/api/v1/problems/" .. math.random({first_seeded}, {}))"#,
                draft_ids[0] - 1
            )),
        ),
    );
    bench.run(
        "overdue list, first page (25)",
        32,
        &get("/api/v1/problems?overdue=true&limit=25"),
    );
    bench.run(&format!("overdue list, page {depth}"), 32, &get(&deep));
    bench.run(
        "overdue list, first page, total=true",
        32,
        &get("/api/v1/problems?overdue=true&limit=25&total=true"),
    );
    bench.run(
        "rare search term (1 of 10,000 problems)",
        32,
        &get(&format!(
            "/api/v1/problems?q={}&limit=25",
            url_encoded(rectify::service::dev_seed::RARE_SUBJECT)
        )),
    );
    bench.run(
        "overdue report, a district",
        8,
        &get(&format!(
            "/api/v1/reports/overdue?organization_id={district}"
        )),
    );
    bench.run(
        "progress report, a district",
        32,
        &get(&format!(
            "/api/v1/reports/progress?organization_id={district}"
        )),
    );
    let commits = single_connection_commits(&app, 2_000);
    println!("single-connection durable commits: {commits:.0}/s");
    let create = format!(
        r#"wrk.method = "POST"
wrk.path = "/api/v1/problems"
wrk.body = '{}'"#,
        json!({"review_id": review, "title": "群众反映物业服务投诉处理不及时",
               "description": "跟踪督促不够，整改不及时。", "owner_id": owner_id,
               "deadline": "2027-03-31", "aspect": "作风建设方面"})
    );
    bench.run("durable creates", 64, &script(token, &create, None));
    // Each wrk thread confirms its own half of the drafts, in order, each once.
    let confirm = format!(
        r#"local next = nil
function init(args)
  next = {first} + number
end"#,
        first = draft_ids[0]
    );
    bench.run(
        "transitions (confirm), each on its own problem",
        32,
        &script(
            token,
            &confirm,
            Some(
                r#"local id = next
  next = next + 2
  return wrk.format("POST", "/api/v1/problems/" .. id .. "/transitions", nil, '{"action":"confirm"}')"#,
            ),
        ),
    );
    let figure = |name: &str| bench.rows.iter().find(|r| r.name.starts_with(name));
    let created = figure("durable creates").map_or(f64::NAN, |r| r.per_second);
    let confirmed = figure("transitions").map_or(0, |r| r.requests as usize);
    assert!(
        confirmed <= draft_ids.len(),
        "the transition run ran out of drafts ({confirmed} of {}); shorten it",
        draft_ids.len()
    );
    drop(server);

    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut report = format!(
        "# Load: {backend}, {n} problems\n\n\
         Machine: {cores} cores; load average before the run ended: {}.\n\
         Server ready {:.2} s after start. wrk, 2 threads, {seconds} s a scenario.\n\
         Single-connection durable commits (one row each): {commits:.0}/s; durable creates \
         reached {:.2}× that.\n\n\
         | scenario | conn | req/s | p50 ms | p99 ms | errors | server CPU ms/req | machine CPU ms/req | server peak RSS MB |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
        ready.as_secs_f64(),
        created / commits,
    );
    for r in &bench.rows {
        report.push_str(&format!(
            "| {} | {} | {:.0} | {:.2} | {:.2} | {} | {:.3} | {:.3} | {:.0} |\n",
            r.name,
            r.connections,
            r.per_second,
            r.p50_ms,
            r.p99_ms,
            r.errors,
            r.server_cpu_ms,
            r.machine_cpu_ms,
            r.peak_rss_mb
        ));
    }
    println!("\n{report}");
    let out = std::env::var("RECTIFY_BENCH_OUT")
        .unwrap_or_else(|_| format!("{}/../target/load-{backend}.md", env!("CARGO_MANIFEST_DIR")));
    std::fs::File::create(&out)
        .and_then(|mut f| f.write_all(report.as_bytes()))
        .unwrap_or_else(|e| panic!("write {out}: {e}"));
    println!("written to {out}");
    let failing: Vec<&str> = bench
        .rows
        .iter()
        .filter(|r| r.errors > 0)
        .map(|r| r.name.as_str())
        .collect();
    assert!(
        failing.is_empty(),
        "requests failed in {failing:?} (RECTIFY_BENCH_SHOW_ERRORS=1 shows why)"
    );
}
