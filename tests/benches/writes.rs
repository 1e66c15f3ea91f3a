//! What a write costs through the running server: `RECTIFY_BENCH_WRITES` problems (default
//! 1,000) created, confirmed and edited one after another by one client, each timed. Every
//! write is durable when answered. On PostgreSQL, set `RECTIFY_TEST_DATABASE_URL`.
//!
//! `cargo bench -p rectify-tests --bench writes`

use std::time::{Duration, Instant};

use rectify_tests::{json, spawn_app};

fn summary(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let total: Duration = samples.iter().sum();
    println!(
        "{name:<28} {:>8.2} ms {:>8.2} ms {:>8.0}/s",
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 99 / 100]),
        samples.len() as f64 / total.as_secs_f64()
    );
}

fn main() {
    let n: usize = std::env::var("RECTIFY_BENCH_WRITES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let timed = |f: &mut dyn FnMut()| {
        let started = Instant::now();
        f();
        started.elapsed()
    };
    let mut ids = Vec::with_capacity(n);
    let creates: Vec<Duration> = (0..n)
        .map(|i| {
            timed(&mut || {
                let problem = app.problem(
                    &cast.coordinator,
                    json!({
                        "review_id": review,
                        "title": format!("物业服务投诉处理不及时 {i}"),
                        "description": "群众反映的问题跟踪督促不够，整改不及时。",
                        "aspect": "作风建设方面",
                        "owner_id": cast.owner_id,
                        "deadline": "2027-03-31",
                    }),
                );
                ids.push(problem["id"].as_i64().unwrap());
            })
        })
        .collect();
    for id in &ids {
        app.measure(&cast.coordinator, review, &[*id], json!({}));
    }
    let confirms: Vec<Duration> = ids
        .iter()
        .map(|id| {
            timed(&mut || {
                app.act(&cast.coordinator, *id, "confirm", None).expect(200);
            })
        })
        .collect();
    let edits: Vec<Duration> = ids
        .iter()
        .map(|id| {
            timed(&mut || {
                app.patch(
                    &format!("/api/v1/problems/{id}"),
                    &cast.coordinator,
                    &json!({"title": format!("物业服务投诉处理不及时（已修改）{id}")}),
                )
                .expect(200);
            })
        })
        .collect();
    println!(
        "\nbackend: {}, {n} of each, one client",
        if rectify_tests::on_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!(
        "{:<28} {:>11} {:>11} {:>10}",
        "write", "median", "p99", "rate"
    );
    summary("create a problem", creates);
    summary("confirm (a transition)", confirms);
    summary("edit its title", edits);
}
