//! The operator's subcommands, on the same database as a running server.

use clap::Parser;
use rectify::cli::{execute, Cli};
use rectify_tests::spawn_app;

fn run(app: &rectify_tests::TestApp, args: &[&str]) -> Result<String, String> {
    let cli = Cli::try_parse_from(std::iter::once("rectify").chain(args.iter().copied()))
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    execute(&app.settings, cli.command, &mut out).map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).unwrap())
}

#[test]
fn org_add_and_user_add_create_records_the_api_serves() {
    let app = spawn_app();
    let out = run(
        &app,
        &["org", "add", "--code", "dfsq", "--name", "东风社区党委"],
    )
    .unwrap();
    assert!(
        out.contains("created organization DFSQ 东风社区党委"),
        "{out}"
    );
    let out = run(
        &app,
        &[
            "org",
            "add",
            "--code",
            "DFSQ1",
            "--name",
            "一支部",
            "--parent",
            "DFSQ",
        ],
    )
    .unwrap();
    assert!(out.contains("DFSQ1"), "{out}");

    let out = run(
        &app,
        &[
            "user",
            "add",
            "--username",
            "zhang.wei",
            "--display-name",
            "张伟",
            "--role",
            "coordinator",
            "--org",
            "DFSQ1",
        ],
    )
    .unwrap();
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a generated password is printed");
    let token = app.login("zhang.wei", password);
    let me = app.get("/api/v1/auth/me", &token).expect(200);
    assert_eq!(me["organization"]["code"], "DFSQ1");
    assert_eq!(me["user"]["role"], "coordinator");
}

#[test]
fn set_password_replaces_the_password() {
    let app = spawn_app();
    app.create_user("li.na", "owner", 1);
    let out = run(&app, &["user", "set-password", "li.na"]).unwrap();
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    app.try_login("li.na", rectify_tests::PASSWORD)
        .problem(401, "invalid_credentials");
    app.login("li.na", password);
}

#[test]
fn cli_mistakes_are_refused_with_a_clear_message() {
    let app = spawn_app();
    let dup = run(&app, &["org", "add", "--code", "ROOT", "--name", "x"]).unwrap_err();
    assert!(dup.contains("ROOT already exists"), "{dup}");
    let bad_parent = run(
        &app,
        &[
            "org", "add", "--code", "X", "--name", "x", "--parent", "NOPE",
        ],
    )
    .unwrap_err();
    assert!(bad_parent.contains("NOPE was not found"), "{bad_parent}");
    let bad_role = run(
        &app,
        &[
            "user",
            "add",
            "--username",
            "a.b",
            "--display-name",
            "x",
            "--role",
            "boss",
            "--org",
            "ROOT",
        ],
    )
    .unwrap_err();
    assert!(bad_role.contains("unknown role"), "{bad_role}");
    let unknown = run(&app, &["user", "set-password", "ghost"]).unwrap_err();
    assert!(unknown.contains("ghost was not found"), "{unknown}");
}

#[test]
fn migrate_reports_an_up_to_date_database() {
    let app = spawn_app();
    let out = run(&app, &["migrate"]).unwrap();
    assert!(out.contains("is up to date"), "{out}");
}
