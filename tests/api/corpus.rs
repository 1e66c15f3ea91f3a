//! The import corpus (`tests/corpus`, written by `make_corpus.py`): reports, Word documents,
//! PDFs and sheets in every shape offices send, each with what a careful reader finds in it.
//! Every document is imported as a dry run through the API, and the table of what was
//! expected and found is printed (`cargo test corpus -- --nocapture`).

use std::collections::HashMap;

use serde_json::{json, Value};

use rectify_tests::{spawn_app, TestApp, PASSWORD};

/// Words a problem's title never starts with: they begin actions (what was done or will be
/// done), which a report lists beside its problems.
const ACTION_STARTS: [&str; 12] = [
    "一是",
    "加强",
    "建立",
    "完善",
    "制定",
    "开展",
    "严格执行",
    "修订",
    "持续",
    "推进",
    "落实好",
    "强化",
];

/// A title that reads as a total (`已完成整改12个`) is a count, not a problem.
fn is_count(title: &str) -> bool {
    ["已完成整改", "整改完成率", "共梳理", "共查摆"]
        .iter()
        .any(|w| title.contains(w))
}

/// Why a found problem is not one: a wrap fragment, an action or a count.
fn false_item(title: &str) -> Option<&'static str> {
    if title.chars().count() < 5 {
        Some("fragment")
    } else if ACTION_STARTS.iter().any(|w| title.starts_with(w)) {
        Some("action")
    } else if is_count(title) {
        Some("count")
    } else {
        None
    }
}

fn user(app: &TestApp, username: &str, name: &str, org: i64) -> i64 {
    let body = json!({
        "username": username, "display_name": name, "role": "owner",
        "organization_id": org, "password": PASSWORD,
    });
    app.post("/api/v1/users", &app.admin_token, &body)
        .expect(201)["id"]
        .as_i64()
        .unwrap()
}

fn len(v: &Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}

#[test]
fn the_corpus_is_read_as_a_careful_reader_reads_it() {
    let app = spawn_app();
    let root = app.create_org("DW", "某某党委", None);
    let office = app.create_org("BGS", "办公室", Some(root));
    let organization = app.create_org("ZZB", "组织部", Some(root));
    let users: HashMap<&str, i64> = HashMap::from([
        ("zhang.wei", user(&app, "zhang.wei", "张伟", office)),
        ("li.na", user(&app, "li.na", "李娜", organization)),
    ]);
    let (_, coordinator) = app.user_with_token("corpus.coord", "coordinator", root);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let expected: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    assert!(
        expected.len() >= 30,
        "the corpus has {} documents",
        expected.len()
    );

    let mut table = vec![format!(
        "| document | shape | expected p/c/m | found p/c/m | false items | owners | deadlines | statuses |\n|---|---|---|---|---|---|---|---|"
    )];
    let mut failures = Vec::new();
    let (mut sum_expected, mut sum_found, mut sum_false) = (0, 0, 0);
    let (mut fields_expected, mut fields_read) = (0, 0);
    for doc in &expected {
        let file = doc["file"].as_str().unwrap();
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let fields = [
            ("organization_id", root.to_string()),
            ("title", file.to_owned()),
            ("kind", "other".to_owned()),
            ("held_on", "2024-03-15".to_owned()),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let reply = app.multipart(
            "/api/v1/reviews/import?dry_run=true",
            &coordinator,
            &fields,
            Some((file, &bytes)),
        );
        let want = |k: &str| doc[k].as_u64().unwrap() as usize;
        let (wp, wc, wm) = (want("problems"), want("causes"), want("measures"));
        let body = reply.json();
        if let Some(code) = doc["refused"].as_str() {
            let ok = reply.status == 422 && body["code"] == code;
            if !ok {
                failures.push(format!(
                    "{file}: expected 422 {code}, got {} {body}",
                    reply.status
                ));
            }
            table.push(format!(
                "| {file} | {} | refused ({code}) | {} | 0 | – | – | – |",
                doc["shape"].as_str().unwrap(),
                if ok { "refused" } else { "NOT refused" }
            ));
            continue;
        }
        if reply.status != 200 {
            failures.push(format!("{file}: {} {body}", reply.status));
            table.push(format!("| {file} | | | {} | | | | |", reply.status));
            continue;
        }
        let problems = body["problems"].as_array().unwrap();
        let (fp, fc, fm) = (problems.len(), len(&body["causes"]), len(&body["measures"]));
        for (what, w, f) in [
            ("problems", wp, fp),
            ("causes", wc, fc),
            ("measures", wm, fm),
        ] {
            if w.abs_diff(f) > 1 {
                failures.push(format!("{file}: {what} expected {w}, found {f}"));
            }
        }
        let aspects = len(&body["review"]["aspects"]).max(len(&body["aspects"]));
        let wa = want("aspects");
        if wa != aspects && wa > 0 {
            failures.push(format!("{file}: aspects expected {wa}, found {aspects}"));
        }
        let falses: Vec<String> = problems
            .iter()
            .filter_map(|p| {
                let title = p["title"].as_str().unwrap();
                false_item(title).map(|why| format!("{why}: {title}"))
            })
            .collect();
        if !falses.is_empty() {
            failures.push(format!("{file}: false items {falses:?}"));
        }
        // Owners, deadlines and statuses, by problem index.
        let mut check = |key: &str, value: &dyn Fn(&Value, &str) -> bool| -> String {
            let map = doc[key].as_object().unwrap();
            let mut read = 0;
            for (index, want) in map {
                let problem = &problems.get(index.parse::<usize>().unwrap()).cloned();
                let ok = problem
                    .as_ref()
                    .is_some_and(|p| value(p, want.as_str().unwrap()));
                if ok {
                    read += 1;
                } else {
                    failures.push(format!(
                        "{file}: problem {index} {key} should be {want}, is {}",
                        problem.as_ref().map_or(Value::Null, |p| p.clone())
                    ));
                }
            }
            fields_expected += map.len();
            fields_read += read;
            if map.is_empty() {
                "–".to_owned()
            } else {
                format!("{read}/{}", map.len())
            }
        };
        let owners = check("owners", &|p, want| {
            p["owner_id"].as_i64() == users.get(want).copied()
        });
        let deadlines = check("deadlines", &|p, want| p["deadline"] == want);
        let statuses = check("statuses", &|p, want| p["status"] == want);
        sum_expected += wp;
        sum_found += fp;
        sum_false += falses.len();
        table.push(format!(
            "| {file} | {} | {wp}/{wc}/{wm} | {fp}/{fc}/{fm} | {} | {owners} | {deadlines} | {statuses} |",
            doc["shape"].as_str().unwrap(),
            falses.len()
        ));
    }
    table.push(format!(
        "| **{} documents** | | **{sum_expected} problems** | **{sum_found} problems** | **{sum_false}** | {fields_read}/{fields_expected} fields read | | |",
        expected.len()
    ));
    let table = table.join("\n");
    println!("{table}");
    assert!(failures.is_empty(), "{table}\n\n{}", failures.join("\n"));
}
