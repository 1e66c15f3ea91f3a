//! Records the commit the binary is built from, for `GET /version`: `RECTIFY_COMMIT` when the
//! packager sets it, else what git says of the checkout, else nothing.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=RECTIFY_COMMIT");
    println!("cargo:rerun-if-changed=../.git/HEAD");
    println!("cargo:rerun-if-changed=../.git/refs/heads");
    let commit = std::env::var("RECTIFY_COMMIT").ok().unwrap_or_else(|| {
        Command::new("git")
            .args(["rev-parse", "--short=12", "HEAD"])
            .output()
            .ok()
            .filter(|out| out.status.success())
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    });
    println!("cargo:rustc-env=RECTIFY_COMMIT={commit}");
}
