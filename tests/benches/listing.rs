//! How listing problems scales: seeds N problems (RECTIFY_BENCH_PROBLEMS, default 1,000,000)
//! into the real database (SQLite, or PostgreSQL with RECTIFY_TEST_DATABASE_URL), then times
//! requests against the running server: a first page against a page deep in the list (keyset
//! pagination must not slow down with depth), the common filters, search and totals.
//!
//!     cargo bench -p rectify-tests --bench listing

use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rectify_tests::{json, seed_problems as seed, spawn_app, TestApp};

/// Median time of `runs` requests, in milliseconds.
fn time(app: &TestApp, token: &str, path: &str, runs: usize) -> f64 {
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let reply = app.get(path, token);
            assert_eq!(reply.status, 200, "{path}: {}", reply.text);
            started.elapsed()
        })
        .collect();
    samples.sort();
    samples[runs / 2].as_secs_f64() * 1000.0
}

fn cursor(position: serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(position.to_string())
}

fn main() {
    let n: usize = std::env::var("RECTIFY_BENCH_PROBLEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let mut app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    seed(&app, n, review, cast.org, cast.owner_id);
    // A server refreshes the planner's statistics at start and hourly; a restart does it now.
    app.restart();
    let token = &cast.coordinator;
    let last_id = app
        .get("/api/v1/problems?sort=-created_at&limit=1", token)
        .expect(200)["items"][0]["id"]
        .as_i64()
        .unwrap();
    let deep_id = last_id - (n as i64) / 10; // 90 % of the way through
    let runs = 15;

    println!(
        "\nbackend: {}, problems: {n}, median of {runs} requests, limit 50",
        if rectify_tests::on_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    let rows: Vec<(&str, String, String)> = vec![
        (
            "created order",
            "/api/v1/problems?limit=50".into(),
            format!(
                "/api/v1/problems?limit=50&cursor={}",
                cursor(json!({"sort": "created_at", "id": deep_id}))
            ),
        ),
        (
            "deadline order, open + in progress",
            "/api/v1/problems?status=open,in_progress&sort=deadline&limit=50".into(),
            format!(
                "/api/v1/problems?status=open,in_progress&sort=deadline&limit=50&cursor={}",
                cursor(json!({"sort": "deadline", "id": deep_id, "deadline": "2027-09-01"}))
            ),
        ),
        (
            "overdue (per time zone)",
            "/api/v1/problems?overdue=true&limit=50".into(),
            format!(
                "/api/v1/problems?overdue=true&limit=50&cursor={}",
                cursor(json!({"sort": "created_at", "id": deep_id}))
            ),
        ),
    ];
    println!(
        "{:<38} {:>12} {:>12} {:>8}",
        "query", "first page", "deep page", "ratio"
    );
    for (name, first, deep) in &rows {
        let (a, b) = (
            time(&app, token, first, runs),
            time(&app, token, deep, runs),
        );
        println!("{name:<38} {a:>9.1} ms {b:>9.1} ms {:>8.2}", b / a);
    }
    println!();
    for (name, path) in [
        (
            "search q=物业 (1 % match)",
            "/api/v1/problems?q=%E7%89%A9%E4%B8%9A&limit=50",
        ),
        (
            "owner + status filter",
            &*format!(
                "/api/v1/problems?owner_id={}&status=submitted&limit=50",
                cast.owner_id
            ),
        ),
        (
            "total=true (count all)",
            "/api/v1/problems?total=true&limit=50",
        ),
        ("one problem", "/api/v1/problems/1"),
    ] {
        println!("{name:<38} {:>9.1} ms", time(&app, token, path, runs));
    }
}
