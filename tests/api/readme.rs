//! The README's walk-through, run as pasted: every `sh` block of "A first walk-through with
//! curl", in order, in one bash session, against a fresh server. Two things are put in: the
//! server's address for `http://127.0.0.1:8080` and the admin's password for the placeholder
//! that stands for the one printed at the first start. `cargo run --release -- ARGS` runs the
//! same binary the crash suite runs, on this test's database. Each curl fails on an error
//! status, so a step that the service refuses stops the walk-through here as it would stop a
//! reader.

use std::path::Path;
use std::process::Command;

use rectify_tests::{spawn_app, ADMIN_PASSWORD};

const README: &str = include_str!("../../README.md");
const BINARY: &str = env!("CARGO_BIN_EXE_rectify-test-server");
const SECTION: &str = "## A first walk-through with curl";
const ADDRESS: &str = "http://127.0.0.1:8080";
const PASSWORD_PLACEHOLDER: &str = "THE-PRINTED-PASSWORD";

/// The `sh` blocks of the walk-through section, in order.
fn walk_through_blocks() -> Vec<String> {
    let start = README
        .find(SECTION)
        .expect("the README has its walk-through");
    let section = &README[start + SECTION.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let mut blocks = Vec::new();
    let mut lines = section.lines();
    while let Some(line) = lines.next() {
        if line.trim_end() == "```sh" {
            let block: Vec<&str> = lines
                .by_ref()
                .take_while(|l| l.trim_end() != "```")
                .collect();
            blocks.push(block.join("\n"));
        }
    }
    blocks
}

/// What the walk-through runs before its first line: strict bash, curl failing on an error
/// status (with the body shown), and `cargo run --release --` as the built binary.
const PRELUDE: &str = r#"set -euo pipefail
set -x
curl() { command curl --fail-with-body --show-error --max-time 60 "$@"; }
cargo() {
    if [[ "$*" != "run --release -- "* ]]; then
        echo "the walk-through may run cargo only as 'cargo run --release -- …', not: cargo $*" >&2
        return 2
    fi
    shift 3
    "$RECTIFY_BIN" "$@"
}
"#;

#[test]
fn the_readme_walk_through_runs_as_pasted_against_a_fresh_server() {
    let app = spawn_app();
    let blocks = walk_through_blocks();
    assert!(
        blocks.len() >= 10,
        "the walk-through lost its blocks: {}",
        blocks.len()
    );
    let script = blocks.join("\n\n");
    assert!(script.contains(ADDRESS) && script.contains(PASSWORD_PLACEHOLDER));
    let script = format!(
        "{PRELUDE}\n{}\n",
        script
            .replace(ADDRESS, &app.address)
            .replace(PASSWORD_PLACEHOLDER, ADMIN_PASSWORD)
    );

    // The reader's folder: the repository's samples beside what the walk-through downloads.
    let folder = tempfile::tempdir().unwrap();
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::os::unix::fs::symlink(repository.join("examples"), folder.path().join("examples"))
        .unwrap();
    let database = match app.settings.database_url() {
        rectify_db::DatabaseUrl::Sqlite(path) => path.display().to_string(),
        rectify_db::DatabaseUrl::Postgres(url) => url,
    };
    let mut bash = Command::new("bash");
    bash.arg("-c")
        .arg(&script)
        .current_dir(folder.path())
        .env("RECTIFY_BIN", BINARY)
        .env("RECTIFY_DATA_DIR", &app.settings.data_dir)
        .env("RECTIFY_DATABASE_URL", &database)
        .env("RECTIFY_LOG", "error");
    if let Some(secret) = &app.settings.jwt_secret {
        bash.env("RECTIFY_JWT_SECRET", secret.expose());
    }
    let ran = bash.output().expect("bash runs");
    let (out, err) = (
        String::from_utf8_lossy(&ran.stdout),
        String::from_utf8_lossy(&ran.stderr),
    );
    assert!(
        ran.status.success(),
        "the walk-through stopped ({}):\n--- stdout\n{out}\n--- stderr (the last 6000 bytes)\n{}",
        ran.status,
        &err[err.len().saturating_sub(6000)..]
    );

    // What a reader would check at the end: the problem is closed out, at the granted
    // deadline, with every step in its history.
    let found = app
        .get(
            "/api/v1/problems?q=%E7%89%A9%E4%B8%9A%E7%AE%A1%E7%90%86",
            &app.admin_token,
        )
        .expect(200);
    let problem = &found["items"][0];
    assert_eq!(problem["title"], "对物业管理问题跟踪督促不够");
    assert_eq!(
        (problem["status"].as_str(), problem["deadline"].as_str()),
        (Some("closed"), Some("2027-01-31"))
    );
    let history = app
        .get(
            &format!("/api/v1/problems/{}/history", problem["id"]),
            &app.admin_token,
        )
        .expect(200);
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    for step in ["confirm", "start", "submit", "verify"] {
        assert!(actions.contains(&step), "{step} is not in {actions:?}");
    }
    // The service account's batch arrived; the operator's commands took effect.
    let batch = app
        .get(
            "/api/v1/problems?q=%E5%85%9A%E8%B4%B9%E6%94%B6%E7%BC%B4",
            &app.admin_token,
        )
        .expect(200);
    assert_eq!(batch["items"][0]["title"], "党费收缴台账不完整");
    let users = app
        .get("/api/v1/users?limit=100", &app.admin_token)
        .expect(200);
    let names: Vec<&str> = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["username"].as_str())
        .collect();
    for name in ["zhang.wei", "li.ming", "li.na"] {
        assert!(names.contains(&name), "{name} is not in {names:?}");
    }
    assert!(out.contains(r#""ok":true"#), "the audit chain: {out}");

    // The files were saved under the names the commands gave, and are what they say.
    let read = |name: &str| std::fs::read(folder.path().join(name)).unwrap_or_default();
    for workbook in ["整改台账.xlsx", "逾期问题清单.xlsx"] {
        assert!(
            read(workbook).starts_with(b"PK\x03\x04"),
            "{workbook} is not a workbook"
        );
    }
    let csv = read("整改台账.csv");
    assert!(csv.starts_with("\u{feff}序号".as_bytes()), "the CSV ledger");
    assert!(String::from_utf8_lossy(&csv).contains("对物业管理问题跟踪督促不够"));
}
