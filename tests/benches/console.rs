//! How fast the console's pages answer on a large ledger: seeds N problems
//! (RECTIFY_BENCH_PROBLEMS, default 1,000,000) into the real database (SQLite, or PostgreSQL
//! with RECTIFY_TEST_DATABASE_URL), signs a coordinator in through the sign-in form, and times
//! each page as a browser asks for it (median and slowest of the runs).
//!
//!     cargo bench -p rectify-tests --bench console

use std::time::{Duration, Instant};

use rectify_tests::{seed_problems as seed, spawn_app, TestApp, PASSWORD};

fn session(app: &TestApp, username: &str) -> String {
    let page = app.send("GET", "/console/sign-in", &[], Vec::new());
    let binding = page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("rectify_sign_in="))
        .and_then(|v| v.split(';').next())
        .expect("the sign-in cookie")
        .to_owned();
    let at = page
        .text
        .find("name=\"csrf\" value=\"")
        .expect("a form token")
        + 19;
    let token = &page.text[at..at + 64];
    let reply = app.send(
        "POST",
        "/console/sign-in",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("cookie", &binding),
        ],
        format!("csrf={token}&username={username}&password={PASSWORD}").into_bytes(),
    );
    assert_eq!(reply.status, 303, "{}", reply.text);
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("rectify_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session")
        .to_owned()
}

/// (median, slowest) of `runs` requests, in milliseconds.
fn time(app: &TestApp, cookie: &str, path: &str, runs: usize) -> (f64, f64) {
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let reply = app.send("GET", path, &[("cookie", cookie)], Vec::new());
            assert_eq!(reply.status, 200, "{path}: {}", reply.text);
            started.elapsed()
        })
        .collect();
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(samples[runs / 2]), ms(samples[runs - 1]))
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
    // What a first start after seeding would build, built here to be timed.
    let started = std::time::Instant::now();
    rectify_tests::rebuild_progress_tallies(&app);
    println!(
        "built the progress tallies in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let started = std::time::Instant::now();
    rectify_tests::rebuild_search_index(&app);
    println!(
        "built the search index in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // A server refreshes the planner's statistics at start; a restart does it now.
    app.restart();
    let coordinator = session(&app, "coord");
    let owner = session(&app, "owner");
    let runs = 9;
    println!(
        "\nbackend: {}, problems: {n}, {runs} requests each",
        if rectify_tests::on_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!("{:<44} {:>10} {:>10}", "page", "median", "slowest");
    let pages = [
        (
            "coordinator",
            "ledger, first page",
            "/console/ledger".to_owned(),
        ),
        (
            "coordinator",
            "ledger, red lights",
            "/console/ledger?light=red".to_owned(),
        ),
        (
            "coordinator",
            "ledger, search 物业",
            "/console/ledger?q=%E7%89%A9%E4%B8%9A".to_owned(),
        ),
        (
            "coordinator",
            "ledger, search 督促不够 500 (4 matches)",
            "/console/ledger?q=%E7%9D%A3%E4%BF%83%E4%B8%8D%E5%A4%9F%20500".to_owned(),
        ),
        (
            "coordinator",
            "problem page",
            format!("/console/problems/{}", n / 2),
        ),
        (
            "owner",
            "my tasks (owner of every problem)",
            "/console/my".to_owned(),
        ),
        (
            "coordinator",
            "overdue report",
            "/console/overdue".to_owned(),
        ),
        (
            "coordinator",
            "dashboard (progress, 12 weeks)",
            "/console/dashboard".to_owned(),
        ),
    ];
    for (who, name, path) in &pages {
        let cookie = if *who == "owner" {
            &owner
        } else {
            &coordinator
        };
        let (median, slowest) = time(&app, cookie, path, runs);
        println!("{name:<44} {median:>7.1} ms {slowest:>7.1} ms");
    }
}
