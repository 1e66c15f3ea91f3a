//! The operator's subcommands, on the same database as a running server.

use clap::Parser;
use rectify::cli::{execute, Cli};
use rectify_tests::spawn_app;

fn run(app: &rectify_tests::TestApp, args: &[&str]) -> Result<String, String> {
    let cli = Cli::try_parse_from(std::iter::once("rectify").chain(args.iter().copied()))
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    execute(&app.settings, app.clock(), cli.command, &mut out).map_err(|e| e.to_string())?;
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

#[test]
fn import_reads_a_report_file_into_a_draft_review() {
    let app = spawn_app();
    app.create_org("DFSQ", "东风社区党委", None);
    let file = app
        .data_dir()
        .join("东风社区2026年度民主生活会对照检查材料.txt");
    std::fs::write(
        &file,
        "一、存在问题\n（一）作风方面：一是调研少。二是会议多。\n二、原因剖析\n一是宗旨意识不强。\n三、整改措施\n（一）改进作风。每月走访。\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let out = run(&app, &["import", path, "--org", "dfsq", "--dry-run"]).unwrap();
    assert!(
        out.starts_with("dry run: nothing was written (report)"),
        "{out}"
    );
    assert!(
        out.contains("1 aspects, 2 problems, 1 causes, 1 measures, 0 warnings"),
        "{out}"
    );
    let reviews = || {
        app.get("/api/v1/reviews", &app.admin_token).expect(200)["items"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert!(reviews().is_empty());

    let out = run(
        &app,
        &["import", path, "--org", "DFSQ", "--held-on", "2026-11-20"],
    )
    .unwrap();
    assert!(out.contains("DFSQ-1"), "{out}");
    assert!(out.contains("调研少"), "{out}");
    let reviews = reviews();
    assert_eq!(reviews.len(), 1);
    // The title comes from the file's name, the kind from what the title names.
    assert_eq!(
        reviews[0]["title"],
        "东风社区2026年度民主生活会对照检查材料"
    );
    assert_eq!(reviews[0]["kind"], "democratic_life");
    assert_eq!(reviews[0]["held_on"], "2026-11-20");

    let error = run(&app, &["import", path, "--org", "NOPE"]).unwrap_err();
    assert!(error.contains("NOPE"), "{error}");

    // The summary's columns line up in a terminal, Chinese titles and all.
    let rows: Vec<&str> = out.lines().filter(|l| l.contains("DFSQ-")).collect();
    let deadline_at = |line: &str| {
        let before = &line[..line.find(" - ").unwrap()];
        before
            .chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum::<usize>()
    };
    assert_eq!(rows.len(), 2, "{out}");
    assert_eq!(deadline_at(rows[0]), deadline_at(rows[1]), "{out}");

    // A refusal says why in full: here, the warnings that explain an empty result.
    let empty = app.data_dir().join("空.txt");
    std::fs::write(&empty, "只有一段话，没有任何编号。\n").unwrap();
    let error = run(&app, &["import", empty.to_str().unwrap(), "--org", "DFSQ"]).unwrap_err();
    assert!(error.contains("No problems were found"), "{error}");
    assert!(error.contains("warning    no_sections"), "{error}");
}

#[test]
fn dev_seed_fills_an_empty_ledger_that_the_api_serves_and_the_audit_log_accounts_for() {
    let app = spawn_app();
    let out = run(&app, &["dev", "seed", "--problems", "2000"]).unwrap();
    assert!(out.contains("seeded 2000 problems"), "{out}");
    let password = out
        .split("the password ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the password, shown once");
    let city = app.login("seed.coordinator", password);
    let count = |token: &str, filter: &str| {
        app.get(
            &format!("/api/v1/problems?limit=1&total=true{filter}"),
            token,
        )
        .expect(200)["total"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(count(&city, ""), 2000);
    // Statuses follow from when each review was held: most closed, some overdue, a few at
    // every other step.
    let closed = count(&city, "&status=closed");
    let overdue = count(&city, "&overdue=true");
    assert!(closed > 1000 && closed < 1900, "{closed} closed");
    assert!(overdue > 20 && overdue < 300, "{overdue} overdue");
    for status in ["draft", "open", "in_progress", "submitted", "cancelled"] {
        assert!(
            count(&city, &format!("&status={status}")) > 0,
            "no {status}"
        );
    }
    // A district's secretary sees the district's subtree and nothing else.
    let district = app.login("d1.sj", password);
    let in_district = count(&district, "");
    assert!(in_district > 0 && in_district < 2000, "{in_district}");
    let orgs = app.get("/api/v1/organizations?q=D1", &city).expect(200);
    let d1 = orgs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["code"] == "D1")
        .expect("the district D1")["id"]
        .as_i64()
        .unwrap();
    let progress = app
        .get(
            &format!("/api/v1/reports/progress?organization_id={d1}"),
            &city,
        )
        .expect(200);
    // The progress tallies the seed built agree with the ledger.
    assert_eq!(
        progress["total"]["overdue"].as_i64(),
        Some(count(&district, "&overdue=true"))
    );
    assert_eq!(
        progress["total"]["by_status"]["closed"].as_i64(),
        Some(count(&district, "&status=closed"))
    );
    // A problem's history leads to its status, and a new problem takes the next key.
    let page = app
        .get("/api/v1/problems?status=closed&limit=1", &district)
        .expect(200);
    let closed_one = &page["items"][0];
    let history = app
        .get(
            &format!("/api/v1/problems/{}/history", closed_one["id"]),
            &district,
        )
        .expect(200);
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "confirm", "start", "submit", "verify"]);
    let review = app
        .get(
            &format!("/api/v1/reviews?organization_id={d1}&limit=1"),
            &district,
        )
        .expect(200)["items"][0]["id"]
        .as_i64()
        .unwrap();
    let created = app
        .post(
            "/api/v1/problems",
            &district,
            &serde_json::json!({"review_id": review, "title": "新发现的问题",
                                "aspect": "作风建设方面"}),
        )
        .expect(201);
    let key = created["key"].as_str().unwrap();
    let seeded_with_key = app
        .get(&format!("/api/v1/problems?q={key}&limit=5"), &district)
        .expect(200);
    assert_eq!(
        seeded_with_key["items"].as_array().unwrap().len(),
        1,
        "{key}"
    );

    // The seed is in the audit log, whose chain holds; a second seed is refused.
    let out = run(&app, &["audit", "verify"]).unwrap();
    assert!(out.contains("audit log intact"), "{out}");
    let error = run(&app, &["dev", "seed", "--problems", "10"]).unwrap_err();
    assert!(error.contains("fills an empty ledger"), "{error}");
}
