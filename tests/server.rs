//! The service as a process of its own, started and killed by the crash suite. The same as
//! `rectify`'s main, built with the tests so that they can find it.

use clap::{CommandFactory, FromArgMatches};

fn main() {
    let matches = rectify::cli::Cli::command().get_matches();
    let cli = rectify::cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let settings = rectify::config::Settings::load(&matches).unwrap_or_else(|e| {
        eprintln!("rectify-test-server: {e}");
        std::process::exit(1)
    });
    let clock = std::sync::Arc::new(rectify::domain::deadline::SystemClock);
    if let Err(e) = rectify::cli::execute(&settings, clock, cli.command, &mut std::io::stdout()) {
        eprintln!("rectify-test-server: {e}");
        std::process::exit(1);
    }
}
