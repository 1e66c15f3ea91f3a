use diesel::Connection;
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
        pg_dump_under_load_restores_whole(&app, &cast.coordinator, review);
        return;
    }
    let evidence_problem = app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "有佐证的问题"}),
    )["id"]
        .as_i64()
        .unwrap();
    app.attach_pdf(&cast.coordinator, evidence_problem);
    let load = Load::start(&app, &cast.coordinator, review);
    let before = load.acknowledged_so_far();
    let said = cli(&app.settings, &app, &["backup", dir]).unwrap();
    assert!(said.contains("1 evidence files"), "{said}");
    load.stop();
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

/// Problems created one after another over HTTP until stopped, each id noted once the
/// service has acknowledged it.
struct Load {
    acknowledged: std::sync::Arc<std::sync::Mutex<Vec<i64>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    writer: std::thread::JoinHandle<()>,
}

impl Load {
    fn start(app: &rectify_tests::TestApp, token: &str, review: i64) -> Self {
        let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (noted, stopped) = (acknowledged.clone(), stop.clone());
        let (address, token) = (app.url(""), token.to_owned());
        let writer = std::thread::spawn(move || {
            let agent = ureq::Agent::new_with_defaults();
            let mut n = 0;
            while !stopped.load(std::sync::atomic::Ordering::SeqCst) && n < 2_000 {
                n += 1;
                let body = json!({"review_id": review, "title": format!("备份期间的问题{n}")});
                if let Ok(mut reply) = agent
                    .post(format!("{address}/api/v1/problems"))
                    .header("authorization", &format!("Bearer {token}"))
                    .send_json(&body)
                {
                    let created: serde_json::Value = reply.body_mut().read_json().unwrap();
                    noted.lock().unwrap().push(created["id"].as_i64().unwrap());
                }
            }
        });
        Self {
            acknowledged,
            stop,
            writer,
        }
    }

    /// Waits until some writes are acknowledged, and returns those acknowledged by now.
    fn acknowledged_so_far(&self) -> Vec<i64> {
        while self.acknowledged.lock().unwrap().len() < 20 {
            std::thread::yield_now();
        }
        self.acknowledged.lock().unwrap().clone()
    }

    fn stop(self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        self.writer.join().unwrap();
    }
}

/// The README's PostgreSQL practice: `pg_dump -Fc` while writes go on, `pg_restore` into an
/// empty database, and the service's own checks on what came back.
fn pg_dump_under_load_restores_whole(app: &rectify_tests::TestApp, token: &str, review: i64) {
    let (base_url, schema) = app.pg_schema().expect("a PostgreSQL test schema");
    let dump = tempfile::tempdir().unwrap();
    let file = dump.path().join("rectify.dump");
    let load = Load::start(app, token, review);
    let before = load.acknowledged_so_far();
    let dumped = std::process::Command::new("pg_dump")
        .args(["-Fc", "-n", &schema, "-f"])
        .arg(&file)
        .args(["-d", &base_url])
        .output()
        .expect("pg_dump runs (postgresql-client)");
    load.stop();
    assert!(
        dumped.status.success(),
        "{}",
        String::from_utf8_lossy(&dumped.stderr)
    );

    // An empty database of its own, as the README says to restore into.
    let (query_start, query) = base_url
        .find('?')
        .map_or((base_url.len(), ""), |i| (i, &base_url[i..]));
    let server = &base_url[..base_url[..query_start].rfind('/').unwrap()];
    let database = format!("{schema}_restored");
    let restored_url = format!("{server}/{database}{query}");
    let mut admin = diesel::PgConnection::establish(&base_url).unwrap();
    diesel::connection::SimpleConnection::batch_execute(
        &mut admin,
        &format!("CREATE DATABASE {database}"),
    )
    .unwrap();
    let restore = std::process::Command::new("pg_restore")
        .args(["-d", &restored_url])
        .arg(&file)
        .output()
        .expect("pg_restore runs");
    let checked = (|| {
        if !restore.status.success() {
            return Err(String::from_utf8_lossy(&restore.stderr).into_owned());
        }
        let separator = if query.is_empty() { '?' } else { '&' };
        let url = format!("{restored_url}{separator}options=-csearch_path%3D{schema}");
        let (db, _) =
            rectify_db::Db::connect(&rectify_db::DatabaseUrl::Postgres(url), &Default::default())
                .map_err(|e| e.to_string())?;
        let chain = rectify::service::audit::verify_chain(&db).map_err(|e| e.detail)?;
        let present = db
            .read(|conn| {
                Ok::<_, rectify_db::DbError>(rectify_db::problems::get_many(conn, &before)?)
            })
            .map_err(|e| e.to_string())?
            .len();
        Ok((chain.first_broken, chain.entries, present))
    })();
    diesel::connection::SimpleConnection::batch_execute(
        &mut admin,
        &format!("DROP DATABASE {database} WITH (FORCE)"),
    )
    .unwrap();
    let (first_broken, entries, present) = checked.unwrap();
    assert_eq!(first_broken, None, "the restored audit chain");
    assert!(
        entries > i64::try_from(before.len()).unwrap(),
        "{entries} audit entries"
    );
    assert_eq!(
        present,
        before.len(),
        "every problem acknowledged before pg_dump started"
    );
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
