//! Importing reports and ledger sheets, and exporting the ledger.

use std::io::{Cursor, Read, Write};

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{ExcelDateTime, Workbook};
use serde_json::{json, Value};

use rectify_tests::{spawn_app, TestApp};

const IMPORT: &str = "/api/v1/reviews/import";

/// A report in the usual shape, written for these tests: aspects inline and on their own
/// line, items run together and one per paragraph, a slip (二 without 是), an introduction
/// before the measures.
const REPORT: &str = "\
东风社区党委2026年度组织生活会对照检查材料
一、存在问题
（一）理论学习方面：一是学习不够深入，满足于抄写笔记。二是理论联系实际不够，学用脱节。
（二）服务群众方面
社区班子能够坚持走访，但仍有不足。
一是物业问题回应慢，楼道卫生无人打扫。
二信访问题处置不及时，回迁群众多次集访。
二、原因剖析
一是理论学习的自觉性不强，学习笔记流于形式。
二是为民服务意识淡化，对物业和信访问题跟踪不够。
三、整改措施
下一步，社区党委将从以下方面抓好整改。
（一）加强理论学习。每周集中学习一次，学用结合。
（二）改进服务群众。建立物业问题台账，信访件件有回音。
";

fn report_body(org: i64) -> Value {
    json!({
        "text": REPORT,
        "organization_id": org,
        "title": "2026年度组织生活会",
        "kind": "organizational_life",
        "held_on": "2026-11-20",
    })
}

fn form(org: i64) -> Vec<(&'static str, String)> {
    vec![
        ("organization_id", org.to_string()),
        ("title", "导入的台账".to_owned()),
        ("kind", "other".to_owned()),
        ("held_on", "2026-11-20".to_owned()),
    ]
}

fn upload(
    app: &TestApp,
    token: &str,
    org: i64,
    dry_run: bool,
    name: &str,
    bytes: &[u8],
) -> rectify_tests::Reply {
    let fields = form(org);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let path = if dry_run {
        format!("{IMPORT}?dry_run=true")
    } else {
        IMPORT.to_owned()
    };
    app.multipart(&path, token, &fields, Some((name, bytes)))
}

fn total(app: &TestApp, token: &str, path: &str) -> usize {
    app.get(&format!("{path}?limit=200"), token).expect(200)["items"]
        .as_array()
        .unwrap()
        .len()
}

/// Counts of every kind of record an import writes, to show that a refusal wrote nothing.
fn counts(app: &TestApp) -> [usize; 4] {
    let t = &app.admin_token;
    [
        total(app, t, "/api/v1/reviews"),
        total(app, t, "/api/v1/problems"),
        total(app, t, "/api/v1/causes"),
        total(app, t, "/api/v1/measures"),
    ]
}

fn titles(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect()
}

/// A .docx whose document.xml holds these paragraphs (runs split mid-paragraph, as Word does).
fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let body: String = paragraphs
        .iter()
        .map(|p| {
            let escaped = p.replace('&', "&amp;").replace('<', "&lt;");
            let (a, b) = escaped.split_at(escaped.char_indices().nth(2).map_or(0, |(i, _)| i));
            format!("<w:p><w:pPr><w:jc w:val=\"both\"/></w:pPr><w:r><w:t>{a}</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">{b}</w:t></w:r></w:p>")
        })
        .collect();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>").unwrap();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

/// An .xlsx with these rows on its first sheet; cells that parse as numbers are numbers.
fn xlsx(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if cell.is_empty() {
                continue;
            }
            if let Ok(n) = cell.parse::<f64>() {
                sheet.write_number(r, c, n).unwrap();
            } else if let Some(date) = cell.strip_prefix("date:") {
                let date = ExcelDateTime::parse_from_str(date).unwrap();
                let format = rust_xlsxwriter::Format::new().set_num_format("yyyy/m/d");
                sheet
                    .write_datetime_with_format(r, c, &date, &format)
                    .unwrap();
            } else {
                sheet.write_string(r, c, *cell).unwrap();
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

fn read_xlsx(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let (_, range) = workbook.worksheets().remove(0);
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::DateTime(d) => (chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()
                        + chrono::Days::new(d.as_f64() as u64))
                    .to_string(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_dry_run_shows_the_draft_and_writes_nothing() {
    let app = spawn_app();
    let cast = app.cast();
    let before = counts(&app);
    let draft = app
        .post(
            &format!("{IMPORT}?dry_run=true"),
            &cast.coordinator,
            &report_body(cast.org),
        )
        .expect(200);
    assert_eq!(counts(&app), before);
    assert_eq!(draft["dry_run"], true);
    assert_eq!(draft["review"], Value::Null);
    assert_eq!(draft["aspects"], json!(["理论学习方面", "服务群众方面"]));
    assert_eq!(
        titles(&draft["problems"]),
        [
            "学习不够深入",
            "理论联系实际不够",
            "物业问题回应慢",
            "信访问题处置不及时"
        ]
    );
    assert_eq!(draft["problems"][1]["aspect"], "理论学习方面");
    assert_eq!(draft["problems"][3]["aspect"], "服务群众方面");
    assert_eq!(
        draft["problems"][0]["source"],
        json!({"first_line": 3, "last_line": 3})
    );
    assert_eq!(
        draft["problems"][3]["source"],
        json!({"first_line": 7, "last_line": 7})
    );
    assert_eq!(
        draft["problems"][2]["description"],
        "物业问题回应慢，楼道卫生无人打扫。"
    );
    assert_eq!(
        titles(&draft["causes"]),
        ["理论学习的自觉性不强", "为民服务意识淡化"]
    );
    assert_eq!(titles(&draft["measures"]), ["加强理论学习", "改进服务群众"]);
    assert_eq!(draft["warnings"][0]["code"], "missing_shi");
    assert_eq!(draft["warnings"][0]["line"], 7);
    // Suggestions name the problems that share words, best first; nothing is linked.
    let suggested = |entry: &Value| -> Vec<i64> {
        entry["suggested_problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["problem_index"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(suggested(&draft["causes"][0])[0], 0);
    assert!(
        suggested(&draft["causes"][1]).contains(&2),
        "{}",
        draft["causes"][1]
    );
    assert!(
        suggested(&draft["measures"][1]).contains(&3),
        "{}",
        draft["measures"][1]
    );
}

#[test]
fn an_import_creates_the_review_and_draft_problems_in_one_go() {
    let app = spawn_app();
    let cast = app.cast();
    let reply = app.post(IMPORT, &cast.coordinator, &report_body(cast.org));
    let created = reply.expect(201);
    let review = created["review"]["id"].as_i64().unwrap();
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/reviews/{review}").as_str())
    );
    assert_eq!(
        created["review"]["aspects"],
        json!(["理论学习方面", "服务群众方面"])
    );
    assert_eq!(created["review"]["source_text"], REPORT);

    let problems = app
        .get(
            &format!("/api/v1/problems?review_id={review}"),
            &cast.coordinator,
        )
        .expect(200);
    let items = problems["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert!(items
        .iter()
        .all(|p| p["status"] == "draft" && p["organization_id"] == cast.org));
    assert_eq!(items[0]["key"], "DFSQ-1");
    assert_eq!(created["problems"][0]["key"], "DFSQ-1");
    assert_eq!(items[3]["title"], "信访问题处置不及时");

    // Causes and measures exist, unlinked; the suggestion carries the problem's id to confirm.
    let cause = &created["causes"][1];
    let cause_id = cause["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/causes/{cause_id}"), &cast.coordinator)
            .expect(200)["problem_ids"],
        json!([])
    );
    let suggested = cause["suggested_problems"][0]["problem_id"]
        .as_i64()
        .unwrap();
    assert!(items.iter().any(|p| p["id"] == suggested));
    app.patch(
        &format!("/api/v1/causes/{cause_id}"),
        &cast.coordinator,
        &json!({"problem_ids": [suggested]}),
    )
    .expect(200);
    let history = app
        .get(
            &format!("/api/v1/problems/{}/history", items[0]["id"]),
            &cast.coordinator,
        )
        .expect(200);
    assert_eq!(history["items"][0]["action"], "create");
}

#[test]
fn word_and_text_files_import_like_the_json_text() {
    let app = spawn_app();
    let cast = app.cast();
    let expected = app
        .post(
            &format!("{IMPORT}?dry_run=true"),
            &cast.coordinator,
            &report_body(cast.org),
        )
        .expect(200);
    let paragraphs: Vec<&str> = REPORT.lines().collect();
    let from_word = upload(
        &app,
        &cast.coordinator,
        cast.org,
        true,
        "对照检查材料.docx",
        &docx(&paragraphs),
    )
    .expect(200);
    let mut text = b"\xEF\xBB\xBF".to_vec();
    text.extend_from_slice(REPORT.replace('\n', "\r\n").as_bytes());
    let from_text = upload(
        &app,
        &cast.coordinator,
        cast.org,
        true,
        "对照检查材料.txt",
        &text,
    )
    .expect(200);
    for draft in [&from_word, &from_text] {
        for part in ["aspects", "problems", "causes", "measures", "warnings"] {
            assert_eq!(draft[part], expected[part], "{part}");
        }
    }
    // Entities and breaks inside a Word paragraph are kept.
    let word = docx(&[
        "一、存在问题",
        "一是“三会一课”记录不规范&不及时。",
        "二是台账<缺失>。",
    ]);
    let draft = upload(&app, &cast.coordinator, cast.org, true, "a.docx", &word).expect(200);
    assert_eq!(
        draft["problems"][0]["description"],
        "“三会一课”记录不规范&不及时。"
    );
    assert_eq!(draft["problems"][1]["title"], "台账<缺失>");

    let created = upload(
        &app,
        &cast.coordinator,
        cast.org,
        false,
        "对照检查材料.docx",
        &docx(&paragraphs),
    )
    .expect(201);
    assert_eq!(created["problems"].as_array().unwrap().len(), 4);
}

#[test]
fn a_ledger_sheet_imports_with_owners_units_deadlines_and_links() {
    let app = spawn_app();
    let cast = app.cast();
    let branch = app.create_org("DFSQ1", "东风社区第一党支部", Some(cast.org));
    let owner2 = app.create_user("li.na", "owner", branch);
    let sheet = xlsx(&[
        vec!["东风社区2026年度整改台账"],
        vec![
            "序号",
            "问题类别（方面）",
            "问题描述",
            "原因分析",
            "整改措施",
            "责任单位",
            "责任人",
            "完成时限",
            "整改状态",
        ],
        vec![
            "1",
            "作风建设",
            "调研不深入，走访群众少。",
            "宗旨意识淡化",
            "1.建立走访制度\n2.每月通报",
            "东风社区党委",
            "测试用户 owner",
            "2026年12月底前",
            "待整改",
        ],
        vec![
            "2",
            "作风建设",
            "会议多、落实少。",
            "宗旨意识淡化\n制度执行不严",
            "建立走访制度",
            "DFSQ1",
            "li.na",
            "date:2027-01-15",
            "",
        ],
        vec![
            "3",
            "理论学习",
            "学习笔记流于形式。",
            "",
            "",
            "",
            "",
            "长期坚持",
            "",
        ],
        vec![
            "4",
            "理论学习",
            "读书班未按期举办。",
            "",
            "",
            "东风社区第一党支部",
            "",
            "46387",
            "",
        ],
        vec!["", "", "", "", "", "", "", "", ""],
        vec![
            "5",
            "理论学习",
            "专题研讨质量不高。",
            "",
            "",
            "",
            "",
            "2026.6.30",
            "",
        ],
    ]);
    let created = upload(
        &app,
        &cast.coordinator,
        cast.org,
        false,
        "台账.xlsx",
        &sheet,
    )
    .expect(201);
    assert_eq!(created["source_kind"], "ledger");
    assert_eq!(created["aspects"], json!(["作风建设", "理论学习"]));
    let p = &created["problems"];
    assert_eq!(p.as_array().unwrap().len(), 5);
    assert_eq!(p[0]["source"]["row"], 3);
    assert_eq!(p[4]["source"]["row"], 8);
    assert_eq!(p[0]["owner_id"], cast.owner_id);
    assert_eq!(p[1]["owner_id"], owner2);
    assert_eq!(p[1]["organization_id"], branch);
    assert_eq!(p[3]["organization_id"], branch);
    assert_eq!(
        [
            &p[0]["deadline"],
            &p[1]["deadline"],
            &p[2]["deadline"],
            &p[3]["deadline"],
            &p[4]["deadline"]
        ],
        [
            &json!("2026-12-31"),
            &json!("2027-01-15"),
            &Value::Null,
            &json!("2026-12-31"),
            &json!("2026-06-30")
        ]
    );
    assert_eq!(p[2]["kind"], "long_term");
    assert_eq!(titles(&created["causes"]), ["宗旨意识淡化", "制度执行不严"]);
    assert_eq!(titles(&created["measures"]), ["建立走访制度", "每月通报"]);

    // The sheet's links are the sheet's word, so they are made.
    let first = app
        .get(
            &format!("/api/v1/problems/{}", p[1]["id"]),
            &cast.coordinator,
        )
        .expect(200);
    assert_eq!(first["key"], "DFSQ1-1");
    assert_eq!(first["status"], "draft");
    let cause_ids: Vec<&Value> = created["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert_eq!(
        first["cause_ids"]
            .as_array()
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        cause_ids
    );
    assert_eq!(first["measure_ids"], json!([created["measures"][0]["id"]]));
}

#[test]
fn rows_in_error_are_all_named_and_nothing_is_written() {
    let app = spawn_app();
    let cast = app.cast();
    let before = counts(&app);
    let sheet = xlsx(&[
        vec!["序号", "问题描述", "责任单位", "责任人", "整改时限"],
        vec!["1", "问题甲。", "", "", "下个月"],
        vec!["2", "问题乙。", "", "无此人", "2026-12-31"],
        vec!["3", "问题丙。", "不存在的支部", "", "2026-12-31"],
        vec!["4", "问题丁。", "", "", "2026-12-31"],
    ]);
    let reply = upload(
        &app,
        &cast.coordinator,
        cast.org,
        false,
        "台账.xlsx",
        &sheet,
    );
    let problem = reply.problem(422, "invalid_rows");
    let cells: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        cells,
        ["E2", "D3", "C4"],
        "every cell in error in one answer: {problem}"
    );
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("row 2, 整改时限"));

    let sheet = xlsx(&[
        vec!["序号", "问题描述", "责任单位", "责任人", "整改时限"],
        vec!["1", "问题甲。", "", "", "2026-12-31"],
        vec!["2", "问题乙。", "", "无此人", "2026-12-31"],
        vec!["3", "问题丙。", "不存在的支部", "", "2026-12-31"],
    ]);
    let problem = upload(
        &app,
        &cast.coordinator,
        cast.org,
        false,
        "台账.xlsx",
        &sheet,
    )
    .problem(422, "invalid_rows");
    let cells: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(cells, ["D3", "C4"]);
    assert_eq!(counts(&app), before);
}

#[test]
fn a_sheet_as_offices_fill_it_reads_month_ends_merged_categories_and_skips_its_footer() {
    let app = spawn_app();
    let cast = app.cast();
    let sheet = xlsx(&[
        vec!["2026年度整改台账"],
        vec!["序号", "问题类别", "问题描述", "整改时限"],
        // Typed as 2024.12, Excel keeps a number; the category is merged down its group.
        vec!["1", "理论学习", "学习不深入。", "2024.12"],
        vec!["2", "", "笔记流于形式。", "2026年6月"],
        vec!["", "填报人：王芳", "填报时间：2026年11月30日", ""],
    ]);
    let draft = upload(&app, &cast.coordinator, cast.org, true, "台账.xlsx", &sheet).expect(200);
    let problems = draft["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{draft}");
    assert_eq!(problems[0]["deadline"], "2024-12-31");
    assert_eq!(problems[1]["deadline"], "2026-06-30");
    assert!(
        problems.iter().all(|p| p["aspect"] == "理论学习"),
        "{draft}"
    );

    // 2024.1 may be January or October: refused, never guessed.
    let sheet = xlsx(&[
        vec!["序号", "问题描述", "整改时限"],
        vec!["1", "学习不深入。", "2024.1"],
    ]);
    let refused = upload(&app, &cast.coordinator, cast.org, true, "台账.xlsx", &sheet)
        .problem(422, "invalid_rows");
    assert_eq!(refused["errors"][0]["field"], "C2");
    assert!(refused["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("2024年10月"));
}

#[test]
fn bad_files_are_refused_clearly_and_write_nothing() {
    let app = spawn_app();
    let cast = app.cast();
    let before = counts(&app);
    let t = &cast.coordinator;
    let org = cast.org;
    upload(&app, t, org, false, "空文件.txt", b"").problem(422, "empty_file");
    let binary: Vec<u8> = (0..=255u8).cycle().take(2048).collect();
    upload(&app, t, org, false, "scan.bin", &binary).problem(415, "unsupported_file");
    upload(
        &app,
        t,
        org,
        false,
        "材料.docx",
        "一、存在问题\n一是问题。".as_bytes(),
    )
    .problem(422, "unreadable_file");
    upload(
        &app,
        t,
        org,
        false,
        "台账.xlsx",
        b"PK\x03\x04 not really a zip",
    )
    .problem(422, "unreadable_file");
    upload(
        &app,
        t,
        org,
        false,
        "old.doc",
        b"\xD0\xCF\x11\xE0 old office",
    )
    .problem(415, "unsupported_file");
    let doc = upload(&app, t, org, false, "old.wps", b"\xD0\xCF\x11\xE0 wps")
        .problem(415, "unsupported_file");
    assert!(doc["detail"].as_str().unwrap().contains(".docx"), "{doc}");
    let scan = upload(
        &app,
        t,
        org,
        false,
        "扫描件.pdf",
        &corpus("scan_no_text.pdf"),
    )
    .problem(422, "no_text_layer");
    assert!(scan["detail"].as_str().unwrap().contains("scan"), "{scan}");
    upload(&app, t, org, false, "坏的.pdf", b"%PDF-1.7\n1 0 obj <<")
        .problem(422, "unreadable_file");
    upload(
        &app,
        t,
        org,
        false,
        "坏的.xls",
        b"\xD0\xCF\x11\xE0 not a compound file",
    )
    .problem(422, "unreadable_file");
    upload(&app, t, org, false, "坏的.ods", b"PK\x03\x04 not a zip")
        .problem(422, "unreadable_file");
    let no_columns = xlsx(&[vec!["姓名", "电话"], vec!["张伟", "12345"]]);
    let missing =
        upload(&app, t, org, false, "通讯录.xlsx", &no_columns).problem(422, "missing_columns");
    assert!(
        missing["detail"].as_str().unwrap().contains("问题描述"),
        "{missing}"
    );
    upload(
        &app,
        t,
        org,
        false,
        "无标题.txt",
        "只是一段话，没有任何标题。".as_bytes(),
    )
    .problem(422, "nothing_to_import");

    // The form's own fields are checked like a JSON body's.
    let reply = app.multipart(
        IMPORT,
        t,
        &[("title", "缺字段")],
        Some(("a.txt", REPORT.as_bytes())),
    );
    let problem = reply.problem(422, "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["organization_id", "kind", "held_on"]);
    let mut body = report_body(org);
    body["text"] = json!("");
    app.post(IMPORT, t, &body).problem(422, "validation_failed");
    body["text"] = json!(REPORT);
    body["kind"] = json!("party");
    app.post(IMPORT, t, &body).problem(422, "invalid_body");
    let reply = app.send(
        "POST",
        IMPORT,
        &[
            ("authorization", &format!("Bearer {t}")),
            ("content-type", "text/plain"),
        ],
        REPORT.as_bytes().to_vec(),
    );
    reply.problem(415, "unsupported_media_type");

    // Only coordinators import, and only into organizations they can see.
    app.post(IMPORT, &cast.owner, &report_body(org))
        .problem(403, "forbidden");
    // The role is settled before the body is read: a text the boundary would refuse gets
    // the same 403 from an auditor.
    let mut dirty = report_body(org);
    dirty["text"] = json!("一、存在问题\n一是\u{0}");
    app.post(IMPORT, &cast.auditor, &dirty)
        .problem(403, "forbidden");
    app.post(IMPORT, &cast.coordinator, &dirty)
        .problem(422, "validation_failed");
    app.post(IMPORT, &cast.sibling, &report_body(org))
        .problem(422, "validation_failed");
    assert_eq!(counts(&app), before);
}

/// Export the ledger as XLSX, import the file again: the same problems.
#[test]
fn the_exported_ledger_imports_again_as_the_same_problems() {
    let app = spawn_app();
    let cast = app.cast();
    let created = app
        .post(IMPORT, &cast.coordinator, &report_body(cast.org))
        .expect(201);
    let review = created["review"]["id"].as_i64().unwrap();
    let problems = created["problems"].as_array().unwrap();
    // Give two problems an owner and a deadline, one of them overdue on the test clock.
    for (problem, deadline) in [(&problems[0], "2026-11-01"), (&problems[2], "2027-03-31")] {
        let version = app
            .get(
                &format!("/api/v1/problems/{}", problem["id"]),
                &cast.coordinator,
            )
            .expect(200)["version"]
            .clone();
        app.send(
            "PATCH",
            &format!("/api/v1/problems/{}", problem["id"]),
            &[
                ("authorization", &format!("Bearer {}", cast.coordinator)),
                ("content-type", "application/json"),
                ("if-match", &format!("\"{version}\"")),
            ],
            json!({"owner_id": cast.owner_id, "deadline": deadline})
                .to_string()
                .into_bytes(),
        )
        .expect(200);
    }
    let cause = created["causes"][0]["id"].as_i64().unwrap();
    app.patch(
        &format!("/api/v1/causes/{cause}"),
        &cast.coordinator,
        &json!({"problem_ids": [problems[0]["id"]]}),
    )
    .expect(200);
    let measure = created["measures"][0]["id"].as_i64().unwrap();
    app.patch(
        &format!("/api/v1/measures/{measure}"),
        &cast.coordinator,
        &json!({"problem_ids": [problems[0]["id"]]}),
    )
    .expect(200);
    // Confirmed, the first problem is open, and overdue on the test clock (2026-11-23).
    app.act(
        &cast.coordinator,
        problems[0]["id"].as_i64().unwrap(),
        "confirm",
        None,
    )
    .expect(200);

    let reply = app.get(
        &format!("/api/v1/reports/ledger?review_id={review}"),
        &cast.coordinator,
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    assert!(reply
        .header("content-disposition")
        .unwrap()
        .contains("filename*=UTF-8''2026%E5%B9%B4"));
    let bytes = app.get_bytes(
        &format!("/api/v1/reports/ledger?review_id={review}"),
        &cast.coordinator,
    );
    let rows = read_xlsx(&bytes);
    // The title, the unit with the day it was judged on, then the header.
    assert_eq!(rows[0][0], "2026年度组织生活会整改台账");
    assert!(
        rows[1][0].starts_with("填报单位：东风社区党委　　截至 2026-11-"),
        "{:?}",
        rows[1]
    );
    assert_eq!(
        rows[2],
        [
            "序号",
            "问题类别(方面)",
            "问题描述",
            "原因分析",
            "整改措施",
            "责任单位",
            "责任人",
            "整改时限",
            "整改状态",
            "完成情况/进展",
            "销号时间"
        ]
    );
    assert_eq!(rows.len(), 7);
    assert_eq!(
        rows[3][..9],
        [
            "1",
            "理论学习方面",
            "学习不够深入，满足于抄写笔记。",
            "理论学习的自觉性不强，学习笔记流于形式。",
            "加强理论学习。每周集中学习一次，学用结合。",
            "东风社区党委",
            "测试用户 owner",
            "2026-11-01",
            "待整改",
        ]
    );
    assert_eq!(rows[5][7], "2027-03-31");
    assert_eq!(rows[6][2], "信访问题处置不及时，回迁群众多次集访。");
    assert_red_and_plain_rows(&bytes);

    let again = upload(
        &app,
        &cast.coordinator,
        cast.org,
        false,
        "台账.xlsx",
        &bytes,
    )
    .expect(201);
    let again_review = again["review"]["id"].as_i64().unwrap();
    let list = |review: i64| -> Vec<Value> {
        app.get(
            &format!("/api/v1/problems?review_id={review}"),
            &cast.coordinator,
        )
        .expect(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                json!([
                    p["aspect"],
                    p["title"],
                    p["description"],
                    p["organization_id"],
                    p["owner_id"],
                    p["deadline"],
                    p["kind"],
                    // Imports are drafts whatever the sheet's status; all else is the same.
                    p["cause_ids"].as_array().unwrap().len(),
                    p["measure_ids"].as_array().unwrap().len(),
                ])
            })
            .collect()
    };
    assert_eq!(list(again_review), list(review));
}

/// The overdue row is filled red: its cells use a style that the plain rows do not, and that
/// style's fill is the red one.
fn assert_red_and_plain_rows(xlsx: &[u8]) {
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx.to_vec())).unwrap();
    let mut sheet = String::new();
    archive
        .by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    let mut styles = String::new();
    archive
        .by_name("xl/styles.xml")
        .unwrap()
        .read_to_string(&mut styles)
        .unwrap();
    let style_of = |cell: &str| -> String {
        let at = sheet
            .find(&format!("r=\"{cell}\""))
            .unwrap_or_else(|| panic!("{cell} in {sheet}"));
        let rest = &sheet[at..];
        let s = rest.find(" s=\"").unwrap() + 4;
        rest[s..s + rest[s..].find('"').unwrap()].to_owned()
    };
    assert!(styles.contains("FFFFC7CE"), "the red fill is defined");
    assert_ne!(
        style_of("C4"),
        style_of("C5"),
        "row 4 (overdue) is styled apart"
    );
    assert_eq!(style_of("C5"), style_of("C7"));
    assert!(
        sheet.contains("<pane ySplit=\"3\""),
        "the title and header rows are frozen"
    );
}

#[test]
fn the_ledger_csv_has_a_bom_and_round_trips_chinese_text() {
    let app = spawn_app();
    let cast = app.cast();
    let created = app
        .post(IMPORT, &cast.coordinator, &report_body(cast.org))
        .expect(201);
    let review = created["review"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/reports/ledger?review_id={review}&format=csv");
    let reply = app.get(&path, &cast.coordinator);
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    let bytes = app.get_bytes(&path, &cast.coordinator);
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "序号,问题类别(方面),问题描述,原因分析,整改措施,责任单位,责任人,整改时限,整改状态,完成情况/进展,销号时间");
    assert_eq!(
        lines[1],
        "1,理论学习方面,学习不够深入，满足于抄写笔记。,,,东风社区党委,,,待确认,,"
    );
    assert_eq!(lines.len(), 6, "four rows, a header and the final line end");
    // Another organization's coordinator gets an empty ledger for their own scope, and 422
    // for a review they cannot see.
    app.get(
        &format!("/api/v1/reports/ledger?review_id={review}"),
        &cast.sibling,
    )
    .problem(422, "validation_failed");
}

/// A workbook whose shared strings inflate to `real` bytes; with `lie`, they declare 4 KiB (the
/// zip's size fields lie, and only reading tells).
fn lying_workbook(real: usize, lie: bool) -> Vec<u8> {
    use std::io::{Read, Write};
    let honest = xlsx(&[vec!["问题描述"], vec!["问题"]]);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(honest)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).unwrap();
        let name = member.name().unwrap().into_owned();
        out.start_file(&name, options).unwrap();
        if name == "xl/sharedStrings.xml" {
            out.write_all(b"<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>")
                .unwrap();
            let block = vec![b'A'; 1 << 20];
            for _ in 0..real / block.len() {
                out.write_all(&block).unwrap();
            }
            out.write_all(b"</t></si></sst>").unwrap();
        } else {
            let mut bytes = Vec::new();
            member.read_to_end(&mut bytes).unwrap();
            out.write_all(&bytes).unwrap();
        }
    }
    let mut bytes = out.finish().unwrap().into_inner();
    if !lie {
        return bytes;
    }
    // Every header naming the shared strings now declares 4 KiB uncompressed.
    let name = b"xl/sharedStrings.xml";
    for (signature, size_at, name_at) in [(b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)] {
        let mut i = 0;
        while i + name_at + name.len() <= bytes.len() {
            if &bytes[i..i + 4] == signature
                && &bytes[i + name_at..i + name_at + name.len()] == name
            {
                bytes[i + size_at..i + size_at + 4].copy_from_slice(&4096u32.to_le_bytes());
            }
            i += 1;
        }
    }
    bytes
}

#[test]
fn a_workbook_that_lies_about_its_size_is_refused_by_what_it_inflates_to() {
    let app = spawn_app();
    let cast = app.cast();
    let before = counts(&app);
    let bomb = lying_workbook(200 << 20, true);
    assert!(bomb.len() < 256 * 1024, "{} bytes", bomb.len());
    // Roles are checked before a byte of the body is read: an auditor never gets it parsed.
    upload(&app, &cast.auditor, cast.org, false, "台账.xlsx", &bomb).problem(403, "forbidden");
    // A part that inflates past the size it declares is a damaged file: reading stops there.
    let refused = upload(&app, &cast.coordinator, cast.org, false, "台账.xlsx", &bomb)
        .problem(422, "unreadable_file");
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("larger than its declared"),
        "{refused}"
    );
    // One that declares its 200 MiB honestly is stopped at the cap, by what it inflates to.
    let honest = lying_workbook(200 << 20, false);
    assert!(honest.len() < 256 * 1024, "{} bytes", honest.len());
    let refused = upload(
        &app,
        &cast.coordinator,
        cast.org,
        false,
        "台账.xlsx",
        &honest,
    )
    .problem(422, "sheet_too_large");
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("unpacks to more than"),
        "{refused}"
    );
    assert_eq!(counts(&app), before);
}

#[test]
fn an_import_larger_than_import_max_items_is_refused_whole() {
    let mut app = spawn_app();
    app.settings.import_max_items = 3;
    app.restart();
    let cast = app.cast();
    let before = counts(&app);
    let refused = app
        .post(IMPORT, &cast.coordinator, &report_body(cast.org))
        .problem(422, "too_many_items");
    assert!(
        refused["detail"].as_str().unwrap().contains("at most 3"),
        "{refused}"
    );
    assert_eq!(counts(&app), before);
}

#[test]
fn a_large_import_is_written_in_parts_that_other_units_writes_slip_between() {
    let mut app = spawn_app();
    app.settings.evidence_max_bytes = 16 << 20;
    app.settings.import_max_items = 20_000;
    app.restart();
    let cast = app.cast();
    let sibling_review = app.review(&cast.sibling, cast.sibling_org);
    let body = json!({
        "text": rectify_tests::large_report_of(4_000),
        "organization_id": cast.org,
        "title": "bulk-import-in-parts",
        "kind": "organizational_life",
        "held_on": "2026-11-20",
    });
    let shown = || {
        app.get("/api/v1/reviews?q=bulk-import-in-parts", &app.admin_token)
            .expect(200)["items"]
            .as_array()
            .unwrap()
            .len()
    };
    let parts_written = || {
        !app.get(
            "/api/v1/audit?action=cause.create&limit=1",
            &app.admin_token,
        )
        .expect(200)["items"]
            .as_array()
            .unwrap()
            .is_empty()
    };
    let (done, finished) = std::sync::mpsc::channel();
    let imported = std::thread::scope(|scope| {
        scope.spawn(|| {
            let reply = app.post(IMPORT, &cast.coordinator, &body);
            done.send(()).unwrap();
            reply.expect(201)
        });
        // Wait until the first parts are committed (their audit entries are there).
        while !parts_written() {
            assert!(
                finished.try_recv().is_err(),
                "the import ended before any part of it was seen"
            );
        }
        // While it goes on, the sibling unit writes, and none of the import shows yet.
        let mut written_meanwhile = 0;
        while finished.try_recv().is_err() {
            app.problem(
                &cast.sibling,
                json!({"review_id": sibling_review, "title": "另一单位的问题"}),
            );
            if shown() > 0 {
                break;
            }
            written_meanwhile += 1;
        }
        assert!(
            written_meanwhile >= 1,
            "no other write got through while the import was being written"
        );
        0
    });
    assert_eq!(imported, 0);
    // Then all of it at once.
    assert_eq!(shown(), 1);
    let review = app
        .get("/api/v1/reviews?q=bulk-import-in-parts", &cast.coordinator)
        .expect(200)["items"][0]["id"]
        .as_i64()
        .unwrap();
    let problems = app
        .get(
            &format!("/api/v1/problems?review_id={review}&total=true&limit=1"),
            &cast.coordinator,
        )
        .expect(200);
    assert_eq!(problems["total"], 2_000);
}

#[test]
fn an_unfinished_import_stays_hidden_and_is_swept_when_its_lease_runs_out() {
    let mut app = spawn_app();
    let cast = app.cast();
    let before = counts(&app);
    // A staged review whose process died: hidden, and removed once its lease has run out.
    let body = json!({
        "text": rectify_tests::large_report_of(400),
        "organization_id": cast.org,
        "title": "left-behind",
        "kind": "organizational_life",
        "held_on": "2026-11-20",
    });
    let created = app.post(IMPORT, &cast.coordinator, &body).expect(201);
    let review = created["review"]["id"].as_i64().unwrap();
    // As its process had died before the last part: the lease is the one it took.
    app.sql(&format!(
        "UPDATE reviews SET importing_until = '2026-11-23 02:15:00' WHERE id = {review}"
    ));
    app.get(&format!("/api/v1/reviews/{review}"), &cast.coordinator)
        .problem(404, "not_found");
    let problem = created["problems"][0]["id"].as_i64().unwrap();
    app.get(&format!("/api/v1/problems/{problem}"), &cast.coordinator)
        .problem(404, "not_found");
    let cause = created["causes"][0]["id"].as_i64().unwrap();
    app.get(&format!("/api/v1/causes/{cause}"), &cast.coordinator)
        .problem(404, "not_found");
    assert_eq!(counts(&app), before);

    // The sweep, on the server's clock, takes it away once the lease has run out.
    app.set_now("2026-11-23T02:16:00Z");
    app.settings.background_jobs = true;
    app.restart();
    let abandoned = format!("/api/v1/audit?action=review.import_abandon&entity_id={review}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let entry = loop {
        let reply = app.get(&abandoned, &app.admin_token).expect(200);
        if !reply["items"].as_array().unwrap().is_empty() {
            break reply["items"][0].clone();
        }
        assert!(std::time::Instant::now() < deadline, "the sweep never ran");
        std::thread::yield_now();
    };
    assert_eq!(entry["changes"]["reason"], "unfinished");
    assert_eq!(entry["actor"], "system");
    let left = app
        .db()
        .read(|conn| {
            use diesel::prelude::*;
            use rectify_db::schema::{causes, measures, problems, reviews};
            let n = problems::table
                .filter(problems::review_id.eq(review))
                .count()
                .get_result::<i64>(conn)?
                + causes::table
                    .filter(causes::review_id.eq(review))
                    .count()
                    .get_result::<i64>(conn)?
                + measures::table
                    .filter(measures::review_id.eq(review))
                    .count()
                    .get_result::<i64>(conn)?
                + reviews::table
                    .find(review)
                    .count()
                    .get_result::<i64>(conn)?;
            Ok::<_, rectify_db::DbError>(n)
        })
        .unwrap();
    assert_eq!(left, 0);
    assert_eq!(counts(&app), before);
}

/// `text` as a PDF viewer copies it: wrapped every `columns` half-width columns, with a page
/// number and the running title between pages.
fn as_copied_from_a_pdf(text: &str, columns: usize) -> String {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let (mut line, mut width) = (String::new(), 0);
        for c in paragraph.chars() {
            let w = if c.is_ascii() { 1 } else { 2 };
            if width + w > columns {
                lines.push(std::mem::take(&mut line));
                width = 0;
            }
            line.push(c);
            width += w;
        }
        lines.push(line);
    }
    let mut out = String::new();
    for (page, chunk) in lines.chunks(6).enumerate() {
        out.push_str("东风社区党委对照检查材料\n");
        for line in chunk {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(&format!("- {} -\n", page + 1));
    }
    out
}

#[test]
fn a_report_copied_out_of_a_pdf_reads_like_the_typed_one() {
    let app = spawn_app();
    let cast = app.cast();
    let dry_run = |text: &str| {
        let mut body = report_body(cast.org);
        body["text"] = json!(text);
        app.post(&format!("{IMPORT}?dry_run=true"), &cast.coordinator, &body)
            .expect(200)
    };
    let typed = dry_run(REPORT);
    let copied_text = as_copied_from_a_pdf(REPORT, 30);
    assert!(copied_text.lines().count() > 25, "{copied_text}");
    let copied = dry_run(&copied_text);
    for part in ["problems", "causes", "measures"] {
        assert_eq!(
            titles(&copied[part]),
            titles(&typed[part]),
            "{part}: {copied}"
        );
    }
    assert_eq!(copied["review"], Value::Null);
    assert_eq!(titles(&copied["problems"]).len(), 4);
}

#[test]
fn a_progress_report_is_recognised_and_its_actions_never_become_problems() {
    let app = spawn_app();
    let cast = app.cast();
    let before = counts(&app);
    let mut body = report_body(cast.org);
    body["text"] = json!(
        "关于2026年度巡察反馈问题整改情况的报告\n\
         一、整改工作开展情况\n一是加强组织领导，成立整改工作领导小组。二是建立整改台账。\n\
         二、整改完成情况\n反馈的15个问题，已完成整改12个，正在整改3个。"
    );
    let refused = app
        .post(IMPORT, &cast.coordinator, &body)
        .problem(422, "progress_report_only");
    assert_eq!(
        refused["totals"],
        json!(["反馈的15个问题", "已完成整改12个", "正在整改3个"])
    );
    assert!(refused["detail"]
        .as_str()
        .unwrap()
        .contains("已完成整改12个"));
    assert_eq!(counts(&app), before);

    body["text"] = json!(
        "关于巡察反馈问题整改进展的通报\n\
         1.关于“理论学习不深入”问题的整改。一是制定学习计划。二是每月集中学习。\n\
         2.关于“信访件办理超期”的问题。已全部办结。"
    );
    let draft = app
        .post(&format!("{IMPORT}?dry_run=true"), &cast.coordinator, &body)
        .expect(200);
    assert_eq!(draft["source_kind"], "progress_report");
    assert_eq!(
        titles(&draft["problems"]),
        ["理论学习不深入", "信访件办理超期"]
    );
    assert!(draft["measures"].as_array().unwrap().is_empty());
    // Imported, each quoted problem is a draft whose progress note is the report's words.
    let created = app.post(IMPORT, &cast.coordinator, &body).expect(201);
    let first = created["problems"][0]["id"].as_i64().unwrap();
    let problem = app
        .get(&format!("/api/v1/problems/{first}"), &cast.coordinator)
        .expect(200);
    assert_eq!(problem["status"], "draft");
    assert_eq!(problem["description"], "理论学习不深入");
    let notes = app
        .get(
            &format!("/api/v1/problems/{first}/notes"),
            &cast.coordinator,
        )
        .expect(200);
    assert!(notes["items"][0]["body"]
        .as_str()
        .unwrap()
        .contains("每月集中学习"));
}

const W: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

/// A .docx with this body XML and, if given, this numbering.xml.
fn docx_with(body: &str, numbering: Option<&str>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>").unwrap();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(
        format!("<?xml version=\"1.0\"?><w:document {W}><w:body>{body}<w:sectPr/></w:body></w:document>")
            .as_bytes(),
    )
    .unwrap();
    if let Some(numbering) = numbering {
        zip.start_file("word/numbering.xml", options).unwrap();
        zip.write_all(
            format!("<?xml version=\"1.0\"?><w:numbering {W}>{numbering}</w:numbering>").as_bytes(),
        )
        .unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A paragraph numbered by Word: list `list`, level `level`.
fn numbered(list: u32, level: u32, text: &str) -> String {
    format!("<w:p><w:pPr><w:numPr><w:ilvl w:val=\"{level}\"/><w:numId w:val=\"{list}\"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>")
}

#[test]
fn a_word_document_numbered_by_word_reads_like_one_typed_by_hand() {
    let app = spawn_app();
    let cast = app.cast();
    let level = |l: u32, format: &str, text: &str| {
        format!("<w:lvl w:ilvl=\"{l}\"><w:start w:val=\"1\"/><w:numFmt w:val=\"{format}\"/><w:lvlText w:val=\"{text}\"/></w:lvl>")
    };
    let numbering = [
        format!("<w:abstractNum w:abstractNumId=\"0\">{}{}</w:abstractNum>", level(0, "chineseCounting", "%1、"), level(1, "chineseCounting", "（%2）")),
        format!("<w:abstractNum w:abstractNumId=\"1\">{}</w:abstractNum>", level(0, "chineseCounting", "%1是")),
        format!("<w:abstractNum w:abstractNumId=\"2\">{}</w:abstractNum>", level(0, "decimal", "%1.")),
        "<w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num>".to_owned(),
        "<w:num w:numId=\"2\"><w:abstractNumId w:val=\"1\"/></w:num>".to_owned(),
        // Word restarts a list under the next aspect with an override.
        "<w:num w:numId=\"3\"><w:abstractNumId w:val=\"1\"/><w:lvlOverride w:ilvl=\"0\"><w:startOverride w:val=\"1\"/></w:lvlOverride></w:num>".to_owned(),
        "<w:num w:numId=\"4\"><w:abstractNumId w:val=\"2\"/></w:num>".to_owned(),
        "<w:num w:numId=\"5\"><w:abstractNumId w:val=\"2\"/><w:lvlOverride w:ilvl=\"0\"><w:startOverride w:val=\"1\"/></w:lvlOverride></w:num>".to_owned(),
    ]
    .concat();
    let body = [
        "<w:p><w:r><w:t>东风社区党委对照检查材料</w:t></w:r></w:p>".to_owned(),
        numbered(1, 0, "存在问题"),
        numbered(1, 1, "理论学习方面"),
        numbered(2, 0, "学习不深入，满足于抄笔记。"),
        numbered(2, 0, "笔记流于形式。"),
        numbered(1, 1, "服务群众方面"),
        numbered(3, 0, "信访办理超期。"),
        numbered(1, 0, "原因剖析"),
        numbered(4, 0, "宗旨意识不强。"),
        numbered(1, 0, "整改措施"),
        numbered(5, 0, "建立学习制度。"),
        numbered(5, 0, "限期办结信访件。"),
    ]
    .concat();
    let file = docx_with(&body, Some(&numbering));
    let draft = upload(
        &app,
        &cast.coordinator,
        cast.org,
        true,
        "对照检查材料.docx",
        &file,
    )
    .expect(200);
    assert_eq!(draft["review"], Value::Null);
    assert_eq!(
        titles(&draft["problems"]),
        ["学习不深入", "笔记流于形式", "信访办理超期"],
        "{draft}"
    );
    let aspects: Vec<&str> = draft["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["aspect"].as_str().unwrap())
        .collect();
    assert_eq!(aspects, ["理论学习方面", "理论学习方面", "服务群众方面"]);
    assert_eq!(titles(&draft["causes"]), ["宗旨意识不强"]);
    assert_eq!(
        titles(&draft["measures"]),
        ["建立学习制度", "限期办结信访件"]
    );
}

#[test]
fn a_word_document_with_a_table_of_problems_reads_it_like_a_sheet() {
    let app = spawn_app();
    let cast = app.cast();
    let row = |cells: &[&str]| {
        let cells: String = cells
            .iter()
            .map(|c| format!("<w:tc><w:p><w:r><w:t>{c}</w:t></w:r></w:p></w:tc>"))
            .collect();
        format!("<w:tr>{cells}</w:tr>")
    };
    let body = format!(
        "<w:p><w:r><w:t>巡察反馈问题清单</w:t></w:r></w:p><w:tbl>{}{}{}</w:tbl><w:p><w:r><w:t>填报人：王芳</w:t></w:r></w:p>",
        row(&["序号", "问题", "具体表现", "整改时限"]),
        row(&["1", "理论学习不深入", "满足于抄笔记", "2026-12-31"]),
        row(&["2", "信访办理超期", "回迁群众多次集访", "2026年12月底前"]),
    );
    let file = docx_with(&body, None);
    let draft = upload(
        &app,
        &cast.coordinator,
        cast.org,
        true,
        "问题清单.docx",
        &file,
    )
    .expect(200);
    assert_eq!(draft["source_kind"], "ledger", "{draft}");
    assert_eq!(
        titles(&draft["problems"]),
        ["理论学习不深入", "信访办理超期"]
    );
    assert_eq!(draft["problems"][1]["deadline"], "2026-12-31");
}

#[test]
fn measures_listed_one_per_problem_are_suggested_for_the_problem_in_their_place() {
    let app = spawn_app();
    let cast = app.cast();
    let mut body = report_body(cast.org);
    body["text"] = json!(
        "一、存在问题\n1.理论学习不深入。\n2.信访件办理超期。\n3.党费收缴不及时。\n\
         二、整改要求\n1.每周集中学习一次。\n2.建立办结销号制度。\n3.按月足额收缴。"
    );
    let draft = app
        .post(&format!("{IMPORT}?dry_run=true"), &cast.coordinator, &body)
        .expect(200);
    for (i, measure) in draft["measures"].as_array().unwrap().iter().enumerate() {
        let placed = measure["suggested_problems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["problem_index"] == i)
            .unwrap_or_else(|| panic!("measure {i}: {measure}"));
        assert!(
            placed["reason"].as_str().unwrap().contains("position"),
            "{placed}"
        );
    }
}

/// A file of the import corpus (tests/corpus).
fn corpus(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .join(name),
    )
    .unwrap()
}

/// The corpus's units and owners under `org`: 办公室 with 张伟, 组织部 with 李娜.
fn corpus_people(app: &TestApp, org: i64) {
    for (code, unit, username, name) in [
        ("BGS", "办公室", "zhang.wei", "张伟"),
        ("ZZB", "组织部", "li.na", "李娜"),
    ] {
        let unit = app.create_org(code, unit, Some(org));
        let body = json!({
            "username": username, "display_name": name, "role": "owner",
            "organization_id": unit, "password": rectify_tests::PASSWORD,
        });
        app.post("/api/v1/users", &app.admin_token, &body)
            .expect(201);
    }
}

#[test]
fn a_ledger_under_way_imports_with_each_problems_status_history_and_progress() {
    let app = spawn_app();
    let cast = app.cast();
    corpus_people(&app, cast.org);
    let t = &cast.coordinator;
    // Dry run first: the statuses are shown, nothing is written.
    let before = counts(&app);
    let shown = upload(
        &app,
        t,
        cast.org,
        true,
        "台账.xlsx",
        &corpus("s03_half_done.xlsx"),
    )
    .expect(200);
    let statuses: Vec<&str> = shown["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["closed", "in_progress", "open", "draft"]);
    assert_eq!(counts(&app), before);

    let created = upload(
        &app,
        t,
        cast.org,
        false,
        "台账.xlsx",
        &corpus("s03_half_done.xlsx"),
    )
    .expect(201);
    let ids: Vec<i64> = created["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    let closed = app
        .get(&format!("/api/v1/problems/{}", ids[0]), t)
        .expect(200);
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["closed_at"], "2024-06-20T12:00:00Z");
    let history = app
        .get(
            &format!("/api/v1/problems/{}/history", ids[0]),
            &cast.auditor,
        )
        .expect(200);
    let steps: Vec<(&str, &str)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["action"].as_str().unwrap(),
                h["to_status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(steps, [("create", "draft"), ("import", "closed")]);
    assert!(history["items"][1]["note"]
        .as_str()
        .unwrap()
        .contains("已销号"));
    let notes = app
        .get(&format!("/api/v1/problems/{}/notes", ids[1]), t)
        .expect(200);
    assert_eq!(notes["items"][0]["body"], "会议数量同比下降两成");
    let started = app
        .get(&format!("/api/v1/problems/{}", ids[1]), t)
        .expect(200);
    assert_eq!(started["status"], "in_progress");
    // What a status beyond a draft needs is checked like any other cell, all at once.
    let unready = xlsx(&[
        vec!["问题描述", "责任单位", "责任人", "整改时限", "整改状态"],
        vec!["没有措施的问题。", "办公室", "张伟", "2024-06-30", "已完成"],
        vec!["没有责任人的问题。", "办公室", "", "2024-06-30", "正在整改"],
    ]);
    let before = counts(&app);
    let refused =
        upload(&app, t, cast.org, false, "台账.xlsx", &unready).problem(422, "invalid_rows");
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["E2", "E3"], "{refused}");
    assert_eq!(counts(&app), before);
}

#[test]
fn old_excel_opendocument_and_text_pdfs_import_like_their_modern_forms() {
    let app = spawn_app();
    let cast = app.cast();
    corpus_people(&app, cast.org);
    let t = &cast.coordinator;
    let xls = upload(
        &app,
        t,
        cast.org,
        false,
        "台账.xls",
        &corpus("x01_ledger.xls"),
    )
    .expect(201);
    let xlsx = upload(
        &app,
        t,
        cast.org,
        true,
        "台账.xlsx",
        &corpus("s01_ledger.xlsx"),
    )
    .expect(200);
    let fields = |v: &Value| -> Vec<(String, Value, Value)> {
        v["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["title"].as_str().unwrap().to_owned(),
                    p["deadline"].clone(),
                    p["owner_id"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(fields(&xls), fields(&xlsx));
    // 2024.12 typed as a number: the end of December, in both.
    assert_eq!(xls["problems"][0]["deadline"], "2024-12-31");
    let pdf = upload(
        &app,
        t,
        cast.org,
        false,
        "报告.pdf",
        &corpus("p02_report.pdf"),
    )
    .expect(201);
    let text = upload(
        &app,
        t,
        cast.org,
        true,
        "报告.txt",
        &corpus("t01_report.txt"),
    )
    .expect(200);
    assert_eq!(titles(&pdf["problems"]), titles(&text["problems"]));
    assert_eq!(titles(&pdf["measures"]), titles(&text["measures"]));
    let ods = upload(
        &app,
        t,
        cast.org,
        true,
        "台账.ods",
        &corpus("o01_two_row_header.ods"),
    )
    .expect(200);
    assert_eq!(
        titles(&ods["problems"]),
        ["理论学习制度执行不严", "党员教育管理不严格"]
    );
}

/// Runs a program the print checks need (LibreOffice, poppler); CI installs them.
pub(crate) fn run(program: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} is needed to check printouts (CI installs it): {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A ledger of `n` problems of an office's usual length, exported and printed to PDF by
/// LibreOffice: the folder holding `ledger.pdf`.
fn printed_ledger(n: usize) -> tempfile::TempDir {
    let app = spawn_app();
    let cast = app.cast();
    let mut rows = vec![vec![
        "序号",
        "问题类别",
        "问题描述",
        "原因分析",
        "整改措施",
        "责任单位",
        "整改时限",
    ]];
    let texts: Vec<(String, String, String)> = (1..=n)
        .map(|i| {
            (
                format!("第{i}项：基层党组织学习制度执行不够严格，集中学习存在以会代学、以文件代学现象。"),
                format!("对理论学习重要性认识不足{i}"),
                format!("制定年度学习计划，每月开展一次专题研讨，建立学习档案并按季度通报{i}。"),
            )
        })
        .collect();
    for (i, (problem, cause, measure)) in texts.iter().enumerate() {
        rows.push(vec![
            "",
            if i < n / 2 {
                "理论学习方面"
            } else {
                "作风建设方面"
            },
            problem,
            cause,
            measure,
            "东风社区党委",
            "2026-12-31",
        ]);
    }
    let created = upload(
        &app,
        &cast.coordinator,
        cast.org,
        false,
        "台账.xlsx",
        &xlsx(&rows),
    )
    .expect(201);
    let review = created["review"]["id"].as_i64().unwrap();
    let bytes = app.get_bytes(
        &format!("/api/v1/reports/ledger?review_id={review}"),
        &cast.coordinator,
    );
    crate::reports::printed("ledger.xlsx", &bytes).0
}

/// The number of pages of a PDF, and its page size in points.
pub(crate) fn pdf_pages(pdf: &str) -> (usize, f64, f64, String) {
    let info = run("pdfinfo", &[pdf]);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let size = info
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .unwrap();
    let (width, height) = size.trim().split_once(" x ").unwrap();
    let width: f64 = width.parse().unwrap();
    let height: f64 = height.split_whitespace().next().unwrap().parse().unwrap();
    (pages, width, height, info)
}

#[test]
fn fifteen_problems_print_on_one_page_wide_and_two_pages_long_at_most() {
    let dir = printed_ledger(15);
    let pdf = dir.path().join("ledger.pdf");
    let (pages, width, height, info) = pdf_pages(pdf.to_str().unwrap());
    assert!((1..=2).contains(&pages), "{info}");
    assert!(width > height, "landscape: {info}");
}

#[test]
fn the_ledger_prints_as_a_landscape_taizhang_one_page_wide_with_its_header_on_every_page() {
    let dir = printed_ledger(60);
    let pdf = dir.path().join("ledger.pdf");
    let pdf = pdf.to_str().unwrap();
    let (pages, width, height, info) = pdf_pages(pdf);
    assert!((2..=8).contains(&pages), "{info}");
    // A4 landscape: 842 × 595 points.
    assert!(
        (width - 842.0).abs() < 1.0 && (height - 595.0).abs() < 1.0,
        "{info}"
    );
    for page in 1..=pages {
        let n = page.to_string();
        let text = run("pdftotext", &["-layout", "-f", &n, "-l", &n, pdf, "-"]);
        // Every column fits on the page, and the header is on each of them.
        for header in ["序号", "问题描述", "整改措施", "销号时间"] {
            assert!(text.contains(header), "page {page} lacks {header}:\n{text}");
        }
        let compact = text.replace(' ', "");
        assert!(
            compact.contains(&format!("第{page}页共{pages}页")),
            "page {page}:\n{text}"
        );
    }
    let first = run("pdftotext", &["-layout", "-f", "1", "-l", "1", pdf, "-"]);
    assert!(
        first.contains("整改台账") && first.contains("填报单位：东风社区党委"),
        "{first}"
    );
    // No row is cut: the last problem is printed whole.
    let all = run("pdftotext", &[pdf, "-"]).replace(['\n', ' '], "");
    assert!(
        all.contains("第60项：基层党组织学习制度执行不够严格"),
        "{all}"
    );
}
