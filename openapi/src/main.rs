//! Writes the OpenAPI document to `openapi/openapi.json`, or with `--check` fails when the
//! committed file differs from what the code describes.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    let document = rectify_openapi::document_json();
    if std::env::args().any(|a| a == "--check") {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed == document {
            println!("{} is up to date", path.display());
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "{} differs from the code; run `cargo run -p rectify-openapi` and commit it",
            path.display()
        );
        return ExitCode::FAILURE;
    }
    if let Err(e) = std::fs::write(&path, &document) {
        eprintln!("cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    println!("wrote {}", path.display());
    ExitCode::SUCCESS
}
