//! The crash suite: the service, as its own process, is killed with SIGKILL at random moments
//! while several clients write; after each kill it starts again on the same database. Every
//! write that was acknowledged (a 2xx) must then be there, nothing half-applied, the audit
//! chain intact and (on SQLite) the file sound.
//!
//! `RECTIFY_CRASH_KILLS` sets the number of kills (CI: the default 20; the README's command
//! runs 100).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use rectify_tests::{json, spawn_app, TestApp, Value};

const BINARY: &str = env!("CARGO_BIN_EXE_rectify-test-server");
const WRITERS: usize = 4;

/// A write the server acknowledged.
#[derive(Debug, Clone)]
enum Ack {
    Problem {
        id: i64,
        title: String,
    },
    Note {
        problem: i64,
        id: i64,
    },
    Cancelled {
        problem: i64,
    },
    Evidence {
        problem: i64,
        id: i64,
        bytes: Vec<u8>,
    },
    Import {
        review: i64,
        problems: usize,
    },
}

/// A small deterministic generator: each run differs by its seed, printed on failure.
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below.max(1)
    }
}

#[allow(clippy::too_many_arguments)]
fn write_until(
    app: &TestApp,
    token: &str,
    org: i64,
    review: i64,
    writer: usize,
    stop: &AtomicBool,
    acks: &Mutex<Vec<Ack>>,
    seed: u64,
) {
    let mut rng = Rng(seed | 1);
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let known: Vec<i64> = acks
            .lock()
            .unwrap()
            .iter()
            .filter_map(|a| match a {
                Ack::Problem { id, .. } => Some(*id),
                _ => None,
            })
            .collect();
        let pick = |rng: &mut Rng| known.get(rng.next(known.len() as u64) as usize).copied();
        let ack = match (n % 6, pick(&mut rng)) {
            (3, Some(problem)) => {
                // Bytes of their own, so that a file mixed up with another is caught.
                let mut bytes = rectify_tests::PDF.to_vec();
                bytes.extend_from_slice(format!("% {writer}-{n}-{}\n", rng.next(1 << 40)).as_bytes());
                app.try_upload(token, problem, "纪要.pdf", &bytes, "会议纪要")
                    .ok()
                    .filter(|r| r.status == 201)
                    .map(|r| Ack::Evidence { problem, id: r.json()["id"].as_i64().unwrap(), bytes })
            }
            (4, _) => app
                .try_post(
                    "/api/v1/reviews/import",
                    token,
                    &json!({"text": "一、存在问题\n一是学习不深入。二是调研不够。\n", "organization_id": org, "title": format!("导入 {writer}-{n}"), "kind": "other", "held_on": "2026-11-20"}),
                )
                .filter(|(status, _)| *status == 201)
                .map(|(_, body)| Ack::Import {
                    review: body["review"]["id"].as_i64().unwrap(),
                    problems: body["problems"].as_array().map_or(0, Vec::len),
                }),
            (1, Some(problem)) => app
                .try_post(
                    &format!("/api/v1/problems/{problem}/notes"),
                    token,
                    &json!({"body": format!("进展 {writer}-{n}")}),
                )
                .filter(|(status, _)| *status == 201)
                .map(|(_, body)| Ack::Note {
                    problem,
                    id: body["id"].as_i64().unwrap(),
                }),
            (2, Some(problem)) => app
                .try_post(
                    &format!("/api/v1/problems/{problem}/transitions"),
                    token,
                    &json!({"action": "cancel", "note": "重复立项，撤销"}),
                )
                .filter(|(status, _)| *status == 200)
                .map(|_| Ack::Cancelled { problem }),
            _ => {
                let title = format!("断电测试问题 {writer}-{n}-{}", rng.next(1_000_000));
                app.try_post(
                    "/api/v1/problems",
                    token,
                    &json!({"review_id": review, "title": title}),
                )
                .filter(|(status, _)| *status == 201)
                .map(|(_, body)| Ack::Problem {
                    id: body["id"].as_i64().unwrap(),
                    title,
                })
            }
        };
        if let Some(ack) = ack {
            acks.lock().unwrap().push(ack);
        } else if stop.load(Ordering::Relaxed) {
            break;
        }
    }
}

#[test]
fn every_acknowledged_write_survives_sigkill() {
    let kills: usize = std::env::var("RECTIFY_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let seed = u64::from_le_bytes(rectify::auth::random_bytes::<8>());
    let mut app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let acks = Mutex::new(Vec::new());
    let mut rng = Rng(seed | 1);
    let mut server = Some(app.spawn_process(BINARY));
    for round in 0..kills {
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| {
            for writer in 0..WRITERS {
                let (app, stop, acks, token) = (&app, &stop, &acks, cast.coordinator.as_str());
                let org = cast.org;
                let seed =
                    seed ^ ((round * WRITERS + writer) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                scope.spawn(move || write_until(app, token, org, review, writer, stop, acks, seed));
            }
            // Let the writers get going, then cut the power at a moment of chance.
            std::thread::sleep(Duration::from_millis(30 + rng.next(220)));
            if let Some(process) = server.take() {
                process.kill();
            }
            stop.store(true, Ordering::Relaxed);
        });
        server = Some(app.spawn_process(BINARY));
    }

    let acks = acks.into_inner().unwrap();
    let mut lost = Vec::new();
    for ack in &acks {
        let present = match ack {
            Ack::Problem { id, title } => {
                let found = app.get(&format!("/api/v1/problems/{id}"), &cast.coordinator);
                found.status == 200 && found.json()["title"] == *title
            }
            Ack::Note { problem, id } => app
                .get(
                    &format!("/api/v1/problems/{problem}/notes?limit=200"),
                    &cast.coordinator,
                )
                .json()["items"]
                .as_array()
                .is_some_and(|notes| notes.iter().any(|n| n["id"] == *id)),
            Ack::Cancelled { problem } => {
                app.get(&format!("/api/v1/problems/{problem}"), &cast.coordinator)
                    .json()["status"]
                    == "cancelled"
            }
            // The record and its file, byte for byte.
            Ack::Evidence { problem, id, bytes } => {
                let listed = app
                    .get(
                        &format!("/api/v1/problems/{problem}/evidence"),
                        &cast.coordinator,
                    )
                    .json()["items"]
                    .as_array()
                    .is_some_and(|items| items.iter().any(|e| e["id"] == *id));
                listed
                    && app.get_bytes(&format!("/api/v1/evidence/{id}/content"), &cast.coordinator)
                        == *bytes
            }
            Ack::Import { review, problems } => {
                let found = app.get(
                    &format!("/api/v1/problems?review_id={review}&total=true"),
                    &cast.coordinator,
                );
                found.status == 200 && found.json()["total"] == *problems
            }
        };
        if !present {
            lost.push(ack.clone());
        }
    }
    let (orphaned, missing) = evidence_files_against_records(&app);
    let verified: Value = app
        .get("/api/v1/audit/verify", &app.admin_token)
        .expect(200);
    if let rectify_db::DatabaseUrl::Sqlite(_) = app.settings.database_url() {
        assert_eq!(integrity(&app), "ok");
    }
    println!(
        "crash suite ({}): {kills} kills, {} acknowledged writes, {} lost, audit entries {}, \
         evidence files without a record {}, records without a file {}",
        if rectify_tests::on_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        acks.len(),
        lost.len(),
        verified["entries"],
        orphaned.len(),
        missing.len()
    );
    assert!(lost.is_empty(), "seed {seed}: lost {lost:?}");
    assert!(
        orphaned.is_empty() && missing.is_empty(),
        "seed {seed}: files without a record {orphaned:?}, records without a file {missing:?}"
    );
    assert!(
        verified["first_broken"].is_null(),
        "seed {seed}: {verified}"
    );
    assert!(
        acks.len() >= kills,
        "seed {seed}: too few writes were made to prove anything"
    );
    drop(server);
}

/// Evidence files on disk (and half-received ones) without a record, and records whose file
/// is not on disk.
fn evidence_files_against_records(app: &TestApp) -> (Vec<String>, Vec<String>) {
    use diesel::prelude::*;
    use rectify_db::schema::evidence;
    let recorded: std::collections::BTreeSet<String> = app
        .db()
        .read(|conn| {
            evidence::table
                .select(evidence::sha256)
                .load::<String>(conn)
                .map_err(rectify_db::DbError::from)
        })
        .unwrap()
        .into_iter()
        .collect();
    let root = app.data_dir().join("evidence");
    let mut stored = std::collections::BTreeSet::new();
    let mut orphaned: Vec<String> = std::fs::read_dir(root.join("incoming"))
        .unwrap()
        .map(|e| format!("incoming/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    for first in std::fs::read_dir(&root).unwrap() {
        let first = first.unwrap().path();
        if first.ends_with("incoming") || !first.is_dir() {
            continue;
        }
        for second in std::fs::read_dir(first).unwrap() {
            for file in std::fs::read_dir(second.unwrap().path()).unwrap() {
                stored.insert(file.unwrap().file_name().to_string_lossy().into_owned());
            }
        }
    }
    orphaned.extend(stored.difference(&recorded).cloned());
    let missing = recorded.difference(&stored).cloned().collect();
    (orphaned, missing)
}

fn integrity(app: &TestApp) -> String {
    use diesel::{Connection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let rectify_db::DatabaseUrl::Sqlite(path) = app.settings.database_url() else {
        unreachable!()
    };
    let mut conn = diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    let rows: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .unwrap();
    rows.into_iter()
        .map(|r| r.integrity_check)
        .collect::<Vec<_>>()
        .join("; ")
}
