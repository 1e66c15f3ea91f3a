//! The ledger export on a large ledger: time, file size and the server's peak memory while it
//! writes the sheet, for 10,000 and 100,000 problems. Bounded memory means the peak hardly
//! grows with the rows (the XLSX writer keeps one row in memory, the rows are read a page at
//! a time).
//!
//!     cargo bench -p rectify-tests --bench ledger

use std::time::Instant;

use rectify_tests::{seed_problems, spawn_app};

/// The process's peak resident memory since the last reset, in MiB (Linux).
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn reset_peak() {
    // Writing 5 to clear_refs resets VmHWM to the current RSS.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
    println!(
        "backend: {}",
        if rectify_tests::on_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    for n in [10_000usize, 100_000] {
        let mut app = spawn_app();
        let cast = app.cast();
        let review = app.review(&cast.coordinator, cast.org);
        seed_problems(&app, n, review, cast.org, cast.owner_id);
        app.restart();
        for format in ["xlsx", "csv"] {
            reset_peak();
            let before = peak_mib();
            let started = Instant::now();
            let size = app.download_len(
                &format!("/api/v1/reports/ledger?review_id={review}&format={format}"),
                &cast.coordinator,
            );
            let elapsed = started.elapsed().as_secs_f64();
            println!(
                "{n:>7} problems, {format:<4}: {elapsed:>6.2} s, {:>6.1} MiB file, peak memory +{:.1} MiB over {:.1} MiB",
                size as f64 / 1048576.0,
                peak_mib() - before,
                before
            );
        }
    }
}
