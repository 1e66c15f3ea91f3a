use clap::Parser;

fn main() {
    let cli = rectify::cli::Cli::parse();
    let settings = match rectify::config::Settings::load(&cli.settings) {
        Ok(settings) => settings,
        Err(e) => fail(&e),
    };
    rectify::telemetry::init(settings.log_format, &settings.log_level);
    if let Err(e) = rectify::cli::execute(&settings, cli.command, &mut std::io::stdout()) {
        fail(&e);
    }
}

/// Invalid configuration or a failed command: one clear line, exit status 1.
fn fail(error: &dyn std::fmt::Display) -> ! {
    eprintln!("rectify: error: {error}");
    std::process::exit(1);
}
