use rectify_tests::{json, spawn_app, PASSWORD};

#[test]
fn organizations_users_and_tokens_survive_a_restart() {
    let mut app = spawn_app();
    let org = app.create_org("DFSQ", "东风社区党委", None);
    let (user, token) = app.user_with_token("zhang.wei", "coordinator", org);

    app.restart();

    assert_eq!(
        app.get(&format!("/api/v1/organizations/{org}"), &app.admin_token)
            .expect(200)["name"],
        "东风社区党委"
    );
    assert_eq!(
        app.get(&format!("/api/v1/users/{user}"), &app.admin_token)
            .expect(200)["username"],
        "zhang.wei"
    );
    assert_eq!(
        app.get("/api/v1/auth/me", &token).expect(200)["user"]["id"],
        user,
        "tokens outlive a restart"
    );
    app.login("zhang.wei", PASSWORD);
    // The first start's bootstrap does not run again: still one root and one admin.
    let admins = app
        .get("/api/v1/users?role=admin&total=true", &app.admin_token)
        .expect(200);
    assert_eq!(admins["total"], 1);
    let _ = json!(null);
}

#[cfg(unix)]
#[test]
fn the_generated_signing_secret_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    if rectify_tests::on_postgres() {
        return; // PostgreSQL takes its secret from the configuration.
    }
    let app = spawn_app();
    let meta = std::fs::metadata(app.data_dir().join("jwt-secret")).expect("secret file kept");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
}

/// Runs the CLI in-process with `settings`: its output, or its error as text.
fn cli(
    settings: &rectify::config::Settings,
    app: &rectify_tests::TestApp,
    args: &[&str],
) -> Result<String, String> {
    use clap::Parser;
    let parsed =
        rectify::cli::Cli::try_parse_from(std::iter::once("rectify").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    rectify::cli::execute(settings, app.clock(), parsed.command, &mut out)
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).unwrap())
}

#[test]
fn a_backup_taken_while_writes_go_on_restores_whole_and_verified() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let backups = tempfile::tempdir().unwrap();
    let dir = backups.path().join("backup");
    let dir = dir.to_str().unwrap();
    if rectify_tests::on_postgres() {
        // PostgreSQL's backups are pg_dump's: the command says so and writes nothing.
        let refused = cli(&app.settings, &app, &["backup", dir]).unwrap_err();
        assert!(refused.contains("pg_dump"), "{refused}");
        assert!(!std::path::Path::new(dir).exists());
        return;
    }
    let evidence_problem = app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "有佐证的问题"}),
    )["id"]
        .as_i64()
        .unwrap();
    app.attach_pdf(&cast.coordinator, evidence_problem);
    // Writes keep coming while the backup runs; each acknowledged id is noted.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        let (address, token) = (app.url(""), cast.coordinator.clone());
        std::thread::spawn(move || {
            let agent = ureq::Agent::new_with_defaults();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) && n < 2_000 {
                n += 1;
                let body = json!({"review_id": review, "title": format!("备份期间的问题{n}")});
                if let Ok(mut reply) = agent
                    .post(format!("{address}/api/v1/problems"))
                    .header("authorization", &format!("Bearer {token}"))
                    .send_json(&body)
                {
                    let created: serde_json::Value = reply.body_mut().read_json().unwrap();
                    acknowledged
                        .lock()
                        .unwrap()
                        .push(created["id"].as_i64().unwrap());
                }
            }
        })
    };
    while acknowledged.lock().unwrap().len() < 20 {
        std::thread::yield_now();
    }
    let before: Vec<i64> = acknowledged.lock().unwrap().clone();
    let said = cli(&app.settings, &app, &["backup", dir]).unwrap();
    assert!(said.contains("1 evidence files"), "{said}");
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    writer.join().unwrap();
    // A backup does not go over an earlier one.
    assert!(cli(&app.settings, &app, &["backup", dir])
        .unwrap_err()
        .contains("not empty"));

    // Restored into another data directory: whole, intact, its audit chain verified.
    let target = tempfile::tempdir().unwrap();
    let mut restored = app.settings.clone();
    restored.data_dir = target.path().to_path_buf();
    restored.database_url = None;
    let said = cli(&restored, &app, &["restore", dir]).unwrap();
    assert!(said.contains("audit log verified"), "{said}");
    // A second restore would replace a database: only with --force, and it keeps the old one.
    let refused = cli(&restored, &app, &["restore", dir]).unwrap_err();
    assert!(refused.contains("--force"), "{refused}");
    let said = cli(&restored, &app, &["restore", dir, "--force"]).unwrap();
    assert!(said.contains("is now"), "{said}");
    let (db, _) = rectify_db::Db::connect(&restored.database_url(), &Default::default()).unwrap();
    assert_eq!(db.integrity_problems().unwrap(), Vec::<String>::new());
    let chain = rectify::service::audit::verify_chain(&db).unwrap();
    assert_eq!(chain.first_broken, None);
    let present: Vec<i64> = db
        .read(|conn| Ok::<_, rectify_db::DbError>(rectify_db::problems::get_many(conn, &before)?))
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(
        present.len(),
        before.len(),
        "every problem acknowledged before the backup"
    );
    // The evidence file came along, at the path its hash names.
    let files = walk(&target.path().join("evidence"));
    assert!(files.iter().any(|f| f.len() == 64), "{files:?}");
    // A backup that is not one, or is damaged, restores nothing.
    let empty = tempfile::tempdir().unwrap();
    let refused = cli(
        &restored,
        &app,
        &["restore", empty.path().to_str().unwrap()],
    )
    .unwrap_err();
    assert!(refused.contains("not a backup"), "{refused}");
    let damaged = tempfile::tempdir().unwrap();
    std::fs::write(
        damaged.path().join("rectify.db"),
        b"SQLite format 3\0 but not really",
    )
    .unwrap();
    assert!(cli(
        &restored,
        &app,
        &["restore", damaged.path().to_str().unwrap(), "--force"]
    )
    .is_err());
}

/// The names of the files under `dir`, at any depth.
fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.file_type().unwrap().is_dir() {
            names.extend(walk(&entry.path()));
        } else {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names
}
