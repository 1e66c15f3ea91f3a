use clap::{CommandFactory, FromArgMatches};

fn main() {
    let matches = rectify::cli::Cli::command().get_matches();
    let cli = rectify::cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let settings = match rectify::config::Settings::load(&matches) {
        Ok(settings) => settings,
        Err(e) => fail(&e),
    };
    rectify::telemetry::init(settings.log_format, &settings.log_level);
    if let Err(e) = rectify::cli::execute(
        &settings,
        std::sync::Arc::new(rectify::domain::deadline::SystemClock),
        cli.command,
        &mut std::io::stdout(),
    ) {
        fail(&e);
    }
}

/// Invalid configuration or a failed command: one clear line, exit status 1.
fn fail(error: &dyn std::fmt::Display) -> ! {
    eprintln!("rectify: error: {error}");
    std::process::exit(1);
}
