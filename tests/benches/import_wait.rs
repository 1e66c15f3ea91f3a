//! How long another unit's writes wait while a 12,000-item report is imported (target: under
//! 100 ms each). The import is written in short parts; this measures every create the other
//! unit makes from the import's start to its end, through the running server.
//!
//! `cargo bench -p rectify-tests --bench import_wait` (on PostgreSQL: set
//! `RECTIFY_TEST_DATABASE_URL` as for the tests)

use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::json;

fn main() {
    let items: usize = std::env::var("RECTIFY_BENCH_IMPORT_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12_000);
    let mut app = rectify_tests::spawn_app();
    app.settings.evidence_max_bytes = 64 << 20;
    app.settings.import_max_items = 20_000;
    app.restart();
    let cast = app.cast();
    let other_review = app.review(&cast.sibling, cast.sibling_org);
    let body = json!({
        "text": rectify_tests::large_report_of(items),
        "organization_id": cast.org,
        "title": "12,000 items",
        "kind": "organizational_life",
        "held_on": "2026-11-20",
    });
    let (done, finished) = mpsc::channel();
    let (import_took, waits) = std::thread::scope(|scope| {
        let import = scope.spawn(|| {
            let started = Instant::now();
            let reply = app.post("/api/v1/reviews/import", &cast.coordinator, &body);
            let took = started.elapsed();
            done.send(()).unwrap();
            reply.expect(201);
            took
        });
        let mut waits = Vec::new();
        while finished.try_recv().is_err() {
            let started = Instant::now();
            app.problem(
                &cast.sibling,
                json!({"review_id": other_review, "title": "另一单位的问题"}),
            );
            waits.push(started.elapsed());
        }
        (import.join().unwrap(), waits)
    });
    let mut sorted = waits.clone();
    sorted.sort();
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q) as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "import of {items} items: {:.2} s; the other unit's creates meanwhile: {} \
         (median {:.1} ms, p99 {:.1} ms, max {:.1} ms)",
        import_took.as_secs_f64(),
        waits.len(),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(*sorted.last().unwrap()),
    );
}
