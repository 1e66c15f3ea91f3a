//! Reports: the overdue report.

use serde_json::{json, Value};

use rectify_tests::{spawn_app, Cast, TestApp};

/// A confirmed (open) problem of `unit` with an owner, a measure and this deadline.
fn open_problem(
    app: &TestApp,
    cast: &Cast,
    review: i64,
    unit: i64,
    title: &str,
    deadline: &str,
) -> i64 {
    let problem = app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": title, "aspect": "作风建设方面", "organization_id": unit, "owner_id": cast.owner_id, "deadline": deadline}),
    )["id"]
        .as_i64()
        .unwrap();
    app.measure(&cast.coordinator, review, &[problem], json!({}));
    app.act(&cast.coordinator, problem, "confirm", None)
        .expect(200);
    problem
}

fn rows(report: &Value, list: &str) -> Vec<(String, String, i64, i64)> {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_owned(),
                i["title"].as_str().unwrap().to_owned(),
                i["days_overdue"].as_i64().unwrap(),
                i["days_left"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn row(kind: &str, title: &str, overdue: i64, left: i64) -> (String, String, i64, i64) {
    (kind.to_owned(), title.to_owned(), overdue, left)
}

#[test]
fn the_overdue_report_matches_a_hand_computed_table() {
    let app = spawn_app();
    let cast = app.cast();
    // A branch on Urumqi time, two hours behind Shanghai: its today can still be yesterday.
    let branch = app
        .post(
            "/api/v1/organizations",
            &app.admin_token,
            &json!({"code": "DFSQ1", "name": "东风社区第一党支部", "parent_id": cast.org, "timezone": "Asia/Urumqi"}),
        )
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let review = app.review(&cast.coordinator, cast.org);
    open_problem(
        &app,
        &cast,
        review,
        cast.org,
        "甲：逾期十一天",
        "2026-11-20",
    );
    open_problem(&app, &cast, review, cast.org, "乙：逾期一天", "2026-11-30");
    open_problem(
        &app,
        &cast,
        review,
        branch,
        "丙：乌鲁木齐仍是今天",
        "2026-11-30",
    );
    open_problem(
        &app,
        &cast,
        review,
        cast.org,
        "丁：四天后到期",
        "2026-12-05",
    );
    let cancelled = open_problem(&app, &cast, review, cast.org, "戊：已取消", "2026-11-10");
    app.act(&cast.coordinator, cancelled, "cancel", Some("重复录入"))
        .expect(200);
    app.measure(
        &cast.coordinator,
        review,
        &[],
        json!({"title": "己：措施逾期六天", "deadline": "2026-11-25"}),
    );
    let done = app.measure(
        &cast.coordinator,
        review,
        &[],
        json!({"title": "庚：措施已完成", "deadline": "2026-11-01"}),
    );
    app.patch(
        &format!("/api/v1/measures/{done}"),
        &cast.coordinator,
        &json!({"done": true}),
    )
    .expect(200);

    // 2026-11-30T17:00Z is 1 December 01:00 in Shanghai and 30 November 23:00 in Urumqi.
    app.set_now("2026-11-30T17:00:00Z");
    let report = app
        .get("/api/v1/reports/overdue", &cast.coordinator)
        .expect(200);
    assert_eq!(
        rows(&report, "overdue"),
        [
            row("problem", "甲：逾期十一天", 11, 0),
            row("measure", "己：措施逾期六天", 6, 0),
            row("problem", "乙：逾期一天", 1, 0),
        ]
    );
    assert_eq!(
        rows(&report, "due_soon"),
        [
            row("problem", "丙：乌鲁木齐仍是今天", 0, 0),
            row("problem", "丁：四天后到期", 0, 4)
        ]
    );
    let first = &report["overdue"][0];
    assert_eq!(first["unit"], "东风社区党委");
    assert_eq!(first["owner"], "测试用户 owner");
    assert_eq!(first["deadline"], "2026-11-20");
    assert_eq!(first["key"], "DFSQ-1");
    assert_eq!(
        report["groups"],
        json!([{"key": cast.org.to_string(), "name": "东风社区党委", "problems": 2, "measures": 1}])
    );

    // As of a fixed day, every unit is judged on that day.
    let report = app
        .get(
            "/api/v1/reports/overdue?as_of=2026-12-10&group_by=owner",
            &cast.coordinator,
        )
        .expect(200);
    assert_eq!(
        rows(&report, "overdue"),
        [
            row("problem", "甲：逾期十一天", 20, 0),
            row("measure", "己：措施逾期六天", 15, 0),
            row("problem", "乙：逾期一天", 10, 0),
            row("problem", "丙：乌鲁木齐仍是今天", 10, 0),
            row("problem", "丁：四天后到期", 5, 0),
        ]
    );
    assert_eq!(report["groups"][0]["name"], "测试用户 owner");
    assert_eq!(report["groups"][0]["problems"], 4);
    assert_eq!(
        report["groups"][1],
        json!({"key": "none", "name": "未指定责任人", "problems": 0, "measures": 1})
    );

    // Only the caller's subtree: the sibling community has nothing overdue.
    let sibling = app
        .get("/api/v1/reports/overdue", &cast.sibling)
        .expect(200);
    assert_eq!(sibling["overdue"], json!([]));
    app.get(
        &format!("/api/v1/reports/overdue?organization_id={}", cast.org),
        &cast.sibling,
    )
    .problem(422, "validation_failed");

    // The same list as a sheet.
    let csv = app.get_bytes("/api/v1/reports/overdue?format=csv", &cast.coordinator);
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "类型,编号,问题/措施,方面,责任单位,责任人,整改时限,逾期天数,状态"
    );
    assert_eq!(
        lines[1],
        "问题,DFSQ-1,甲：逾期十一天,作风建设方面,东风社区党委,测试用户 owner,2026-11-20,11,待整改"
    );
    assert_eq!(lines.len(), 5);
    let reply = app.get("/api/v1/reports/overdue?format=xlsx", &cast.coordinator);
    assert_eq!(reply.status, 200);
    assert!(reply
        .header("content-disposition")
        .unwrap()
        .contains(".xlsx"));
    // The workbook has what the JSON has: the list, what falls due next, the counts.
    use calamine::Reader;
    let report = app
        .get("/api/v1/reports/overdue", &cast.coordinator)
        .expect(200);
    let bytes = app.get_bytes("/api/v1/reports/overdue?format=xlsx", &cast.coordinator);
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["逾期问题", "即将到期", "分组统计", "督办逾期", "回头看到期"]
    );
    let cells = |book: &mut calamine::Xlsx<_>, name: &str| -> Vec<Vec<String>> {
        let range = book.worksheet_range(name).unwrap();
        range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    };
    let overdue = cells(&mut book, "逾期问题");
    assert!(
        overdue[0][0].starts_with("逾期问题清单"),
        "{:?}",
        overdue[0]
    );
    assert!(
        overdue[1][0].starts_with("填报单位：东风社区党委"),
        "{:?}",
        overdue[1]
    );
    assert_eq!(
        overdue.len(),
        3 + report["overdue"].as_array().unwrap().len()
    );
    let soon = cells(&mut book, "即将到期");
    assert_eq!(soon[2][7], "剩余天数");
    assert_eq!(soon.len(), 3 + report["due_soon"].as_array().unwrap().len());
    assert_eq!(soon[3][2], report["due_soon"][0]["title"].as_str().unwrap());
    assert_eq!(soon[3][7], report["due_soon"][0]["days_left"].to_string());
    let groups = cells(&mut book, "分组统计");
    for (row, group) in groups[3..].iter().zip(report["groups"].as_array().unwrap()) {
        assert_eq!(row[0], group["name"].as_str().unwrap());
        assert_eq!(row[1], group["problems"].to_string());
        assert_eq!(row[2], group["measures"].to_string());
    }
    assert_eq!(groups.len(), 3 + report["groups"].as_array().unwrap().len());
}

#[test]
fn progress_for_a_past_day_is_rebuilt_from_the_history() {
    let app = rectify_tests::spawn_app_at("2026-06-01T02:00:00Z");
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let mut ids = Vec::new();
    for title in ["甲", "乙", "丙", "丁"] {
        let (id, measure) = app.ready_problem(&cast, review, title, "2026-06-20");
        ids.push((id, measure));
    }
    let [(a, ma), (b, mb), (c, _), (d, _)] = ids[..] else {
        unreachable!()
    };
    app.set_now("2026-06-02T02:00:00Z");
    for (id, _) in &ids {
        app.act(&cast.coordinator, *id, "confirm", None).expect(200);
    }
    app.set_now("2026-06-03T02:00:00Z");
    app.act(&cast.owner, a, "start", None).expect(200);
    app.act(&cast.owner, b, "start", None).expect(200);
    app.set_now("2026-06-05T02:00:00Z");
    app.act(&cast.coordinator, d, "cancel", Some("与甲重复"))
        .expect(200);

    // 甲: submitted on 10 June, before its deadline, closed on the 12th.
    app.set_now("2026-06-10T02:00:00Z");
    app.patch(
        &format!("/api/v1/measures/{ma}"),
        &cast.owner,
        &json!({"done": true}),
    )
    .expect(200);
    app.attach_pdf(&cast.owner, a);
    app.act(&cast.owner, a, "submit", Some("已整改"))
        .expect(200);
    app.set_now("2026-06-12T02:00:00Z");
    app.act(&cast.coordinator, a, "verify", None).expect(200);

    // 乙: extended to 30 June, submitted on the 25th, closed on the 26th: on time.
    app.set_now("2026-06-15T02:00:00Z");
    let extension = app
        .post(
            &format!("/api/v1/problems/{b}/extensions"),
            &cast.owner,
            &json!({"new_deadline": "2026-06-30", "reason": "需协调住建部门"}),
        )
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    app.post(
        &format!("/api/v1/extensions/{extension}/decision"),
        &cast.coordinator,
        &json!({"approve": true}),
    )
    .expect(200);
    app.set_now("2026-06-25T02:00:00Z");
    app.patch(
        &format!("/api/v1/measures/{mb}"),
        &cast.owner,
        &json!({"done": true}),
    )
    .expect(200);
    app.attach_pdf(&cast.owner, b);
    app.act(&cast.owner, b, "submit", Some("已整改"))
        .expect(200);
    app.set_now("2026-06-26T02:00:00Z");
    app.act(&cast.coordinator, b, "verify", None).expect(200);

    // 丙 stays open past its deadline. In July 甲 is found to have come back (回头看); the
    // tokens of June have expired by then.
    app.set_now("2026-07-10T02:00:00Z");
    let cast = app.sign_in_again(&cast);
    app.act(&cast.coordinator, a, "reopen", Some("回头看发现反弹"))
        .expect(200);

    let june = app
        .get("/api/v1/reports/progress?as_of=2026-06-30", &cast.auditor)
        .expect(200);
    let total = &june["total"];
    assert_eq!(total["total"], 4);
    assert_eq!(
        total["by_status"],
        json!({"draft": 0, "open": 1, "in_progress": 0, "submitted": 0, "closed": 2, "cancelled": 1})
    );
    assert_eq!(total["completion_rate"], 0.6667);
    assert_eq!(total["on_time_rate"], 1.0);
    assert_eq!(total["overdue"], 1);
    assert_eq!(total["average_days_to_close"], 18.0);
    assert_eq!(total["extensions_granted"], 1);
    assert_eq!(june["reviews"][0]["figures"], *total);
    assert_eq!(june["aspects"][0]["aspect"], "作风建设方面");
    let dfsq = june["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["organization_id"] == cast.org)
        .unwrap();
    assert_eq!(dfsq["figures"], *total);

    // Today: 甲 is in progress again.
    let now = app
        .get("/api/v1/reports/progress", &cast.auditor)
        .expect(200)["total"]
        .clone();
    assert_eq!(
        now["by_status"],
        json!({"draft": 0, "open": 1, "in_progress": 1, "submitted": 0, "closed": 1, "cancelled": 1})
    );
    assert_eq!(now["completion_rate"], 0.3333);
    assert_eq!(now["overdue"], 2);

    // Due within 7 days: on 14 June 乙 and 丙 (due on the 20th); on the 12th, neither yet.
    let due_soon = |day: &str| {
        app.get(
            &format!("/api/v1/reports/progress?as_of={day}"),
            &cast.auditor,
        )
        .expect(200)["total"]["due_soon"]
            .clone()
    };
    assert_eq!(due_soon("2026-06-12"), 0);
    assert_eq!(due_soon("2026-06-13"), 2);
    assert_eq!(due_soon("2026-06-14"), 2);

    let before = app
        .get("/api/v1/reports/progress?as_of=2026-05-31", &cast.auditor)
        .expect(200);
    assert_eq!(before["total"]["total"], 0);
    assert_eq!(before["total"]["completion_rate"], serde_json::Value::Null);

    // 丙 moved to another aspect is counted there, on every day; moved back, that aspect is no
    // longer listed.
    let aspects = || -> Vec<(String, i64)> {
        app.get("/api/v1/reports/progress", &cast.auditor)
            .expect(200)["aspects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["aspect"].as_str().unwrap().to_owned(),
                    a["figures"]["total"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let move_to = |aspect: &str| {
        app.patch(
            &format!("/api/v1/problems/{c}"),
            &cast.coordinator,
            &json!({ "aspect": aspect }),
        )
        .expect(200);
    };
    move_to("政治建设方面");
    assert_eq!(
        aspects(),
        [
            ("政治建设方面".to_owned(), 1),
            ("作风建设方面".to_owned(), 3)
        ]
    );
    move_to("作风建设方面");
    assert_eq!(aspects(), [("作风建设方面".to_owned(), 4)]);

    // The tallies kept up at each write are the ones the whole history gives, on every day.
    let days: Vec<String> = (0..50)
        .map(|n| {
            ("2026-05-30".parse::<chrono::NaiveDate>().unwrap() + chrono::Days::new(n)).to_string()
        })
        .chain(["".to_owned()])
        .collect();
    let reports = |app: &TestApp| -> Vec<Value> {
        days.iter()
            .map(|day| {
                let path = match day.as_str() {
                    "" => "/api/v1/reports/progress".to_owned(),
                    day => format!("/api/v1/reports/progress?as_of={day}"),
                };
                app.get(&path, &cast.auditor).expect(200)
            })
            .collect()
    };
    let kept = reports(&app);
    assert_eq!(rectify_tests::rebuild_progress_tallies(&app), 4);
    assert_eq!(reports(&app), kept);
}

#[test]
fn the_weekly_digest_goes_out_once_by_mail_and_webhook() {
    use clap::Parser;
    use rectify_tests::{Receiver, SmtpSink};
    let sink = SmtpSink::start();
    let receiver = Receiver::start(&[]);
    let mut app = rectify_tests::spawn_app_at("2026-09-10T02:00:00Z");
    app.settings.background_jobs = true; // the webhook worker sends what --send queues
    app.settings.digest_at = "sun 23:59".parse().unwrap();
    app.settings.smtp_url = Some(rectify::config::Secret::new(sink.url.clone()));
    app.restart();
    let cast = app.cast();
    app.post(
        "/api/v1/users",
        &app.admin_token,
        &json!({"username": "zhang.wei", "display_name": "张伟", "role": "coordinator", "organization_id": cast.org, "email": "zhang.wei@dfsq.example.cn", "password": rectify_tests::PASSWORD}),
    )
    .expect(201);
    let zhang = app.login("zhang.wei", rectify_tests::PASSWORD);
    app.post(
        "/api/v1/webhooks",
        &app.admin_token,
        &json!({"url": receiver.url, "events": ["digest.weekly"], "organization_id": cast.org, "secret": "a-shared-secret-of-the-robot"}),
    )
    .expect(201);

    // Week 2026-W40 runs from Monday 28 September to Sunday 4 October.
    app.set_now("2026-09-10T02:00:00Z");
    let review = app.review(&cast.coordinator, cast.org);
    open_problem(
        &app,
        &cast,
        review,
        cast.org,
        "新逾期：9月30日到期",
        "2026-09-30",
    );
    open_problem(
        &app,
        &cast,
        review,
        cast.org,
        "持续逾期：9月20日到期",
        "2026-09-20",
    );
    open_problem(
        &app,
        &cast,
        review,
        cast.org,
        "将到期：10月8日",
        "2026-10-08",
    );
    app.set_now("2026-10-05T02:00:00Z");

    let digest = app
        .get("/api/v1/reports/digest?week=2026-W40", &zhang)
        .expect(200);
    assert_eq!(digest["as_of"], "2026-10-04");
    let titles = |list: &str| -> Vec<(String, i64)> {
        digest[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["title"].as_str().unwrap().to_owned(),
                    l["days"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        titles("newly_overdue"),
        [("新逾期：9月30日到期".to_owned(), 4)]
    );
    assert_eq!(
        titles("still_overdue"),
        [("持续逾期：9月20日到期".to_owned(), 14)]
    );
    assert_eq!(
        titles("due_next_7_days"),
        [("将到期：10月8日".to_owned(), 4)]
    );
    assert_eq!(digest["completion_rate"], 0.0);
    let markdown = app.call(
        "GET",
        "/api/v1/reports/digest?week=2026-W40&format=markdown",
        Some(&zhang),
        None,
    );
    assert!(
        markdown
            .text
            .starts_with("### 整改周报（9月28日—10月4日）：逾期2项（新增1项），7日内到期1项"),
        "{}",
        markdown.text
    );
    app.get("/api/v1/reports/digest?week=2026-W99", &zhang)
        .problem(422, "validation_failed");
    // Without a week: the last full week on the caller's calendar.
    let today = rectify::domain::deadline::today_in(app.now(), "Asia/Shanghai");
    let last = rectify::domain::digest::Week::last_full(today);
    let default = app.get("/api/v1/reports/digest", &zhang).expect(200);
    assert_eq!(default["week"], last.to_string());
    assert_eq!(default["period"], last.dates());

    let send = || {
        let cli = rectify::cli::Cli::try_parse_from([
            "rectify", "digest", "--week", "2026-W40", "--send",
        ])
        .unwrap();
        let mut out = Vec::new();
        rectify::cli::execute(&app.settings, app.clock(), cli.command, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let first = send();
    // Three coordinators and an owner in DFSQ; the sibling community's coordinator has nothing.
    assert!(
        first.starts_with("digest 2026-W40: 1 e-mails sent, 0 failed (retried later), 4 webhook deliveries queued, 1 empty (not sent), 0 already sent"),
        "{first}"
    );
    let mails = sink.messages();
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].contains("To: zhang.wei@dfsq.example.cn"),
        "{}",
        mails[0]
    );
    assert!(mails[0].contains("multipart/alternative"));
    assert!(mails[0].contains("text/plain") && mails[0].contains("text/html"));
    let robots = receiver.wait_for(4);
    let body: serde_json::Value = serde_json::from_str(&robots[0].body).unwrap();
    assert_eq!(body["event"], "digest.weekly");
    assert_eq!(body["msgtype"], "markdown");
    assert!(body["markdown"]["content"]
        .as_str()
        .unwrap()
        .starts_with("### 整改周报（9月28日—10月4日）"));
    assert_eq!(body["data"]["digest"]["week"], "2026-W40");

    // A second run for the same week sends nothing.
    let second = send();
    assert!(second.starts_with("digest 2026-W40: 0 e-mails sent, 0 failed (retried later), 0 webhook deliveries queued, 0 empty (not sent), 5 already sent"), "{second}");
    assert_eq!(sink.messages().len(), 1);
    assert_eq!(receiver.received().len(), 4);
    let deliveries = app
        .get(
            "/api/v1/reports/digest/deliveries?week=2026-W40",
            &app.admin_token,
        )
        .expect(200);
    let email: Vec<&Value> = deliveries
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["channel"] == "email")
        .collect();
    assert_eq!(email.len(), 1);
    assert_eq!(email[0]["status"], "sent");
}

#[test]
fn a_group_robot_gets_its_units_digest_once_a_week_signed_as_dingtalk_asks() {
    use clap::Parser;
    use rectify_tests::Receiver;
    let robot = Receiver::robot(&[]);
    let mut app = rectify_tests::spawn_app_at("2026-09-10T02:00:00Z");
    app.settings.background_jobs = true; // the webhook worker sends what --send queues
    app.settings.digest_at = "sun 23:59".parse().unwrap();
    app.restart();
    let cast = app.cast();
    let hooks = "/api/v1/webhooks";
    // A robot posts what people read in a group; an office system's endpoint needs a secret.
    let refused = app
        .post(hooks, &app.admin_token, &json!({"url": robot.url, "kind": "dingtalk", "events": ["digest.weekly", "problem.created"], "organization_id": cast.org}))
        .problem(422, "validation_failed");
    assert_eq!(refused["errors"][0]["field"], "events");
    let refused = app
        .post(
            hooks,
            &app.admin_token,
            &json!({"url": robot.url, "events": ["digest.weekly"], "organization_id": cast.org}),
        )
        .problem(422, "validation_failed");
    assert_eq!(refused["errors"][0]["field"], "secret");
    let secret = "SEC0f2b7c9d8e1a3b5c7d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";
    let hook = app
        .post(hooks, &app.admin_token, &json!({"url": robot.url, "kind": "dingtalk", "events": ["digest.weekly"], "organization_id": cast.org, "secret": secret}))
        .expect(201);
    assert_eq!(hook["kind"], "dingtalk");

    // Several people in DFSQ would each get a digest; the robot gets DFSQ's, once.
    let review = app.review(&cast.coordinator, cast.org);
    open_problem(
        &app,
        &cast,
        review,
        cast.org,
        "新逾期：9月30日到期",
        "2026-09-30",
    );
    open_problem(
        &app,
        &cast,
        review,
        cast.org,
        "将到期：10月8日",
        "2026-10-08",
    );
    app.set_now("2026-10-05T02:00:00Z");
    let send = || {
        let cli = rectify::cli::Cli::try_parse_from([
            "rectify", "digest", "--week", "2026-W40", "--send",
        ])
        .unwrap();
        let mut out = Vec::new();
        rectify::cli::execute(&app.settings, app.clock(), cli.command, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let first = send();
    assert!(first.contains("1 webhook deliveries queued"), "{first}");
    let received = robot.wait_for(1);
    let message: Value = serde_json::from_str(&received[0].body).unwrap();
    assert_eq!(message["msgtype"], "markdown");
    let title = message["markdown"]["title"].as_str().unwrap();
    assert!(
        title.starts_with("东风社区党委整改周报（9月28日—10月4日）：逾期1项"),
        "{title}"
    );
    let text = message["markdown"]["text"].as_str().unwrap();
    assert!(text.starts_with(&format!("### {title}")), "{text}");
    assert!(text.contains("新逾期：9月30日到期") && text.contains("将到期：10月8日"));
    assert!(
        message.get("event").is_none(),
        "a robot gets its platform's message alone"
    );

    // DingTalk's 加签, checked by another implementation: Python's hmac over the timestamp.
    let query = received[0].target.split_once('?').unwrap().1;
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} in {query}"))
            .to_owned()
    };
    let timestamp = param("timestamp");
    let sent_at: i64 = timestamp.parse().unwrap();
    assert!(
        (sent_at - app.now().timestamp_millis()).abs() < 60_000,
        "{sent_at}"
    );
    let expected = std::process::Command::new("python3")
        .args([
            "-c",
            "import base64, hashlib, hmac, sys, urllib.parse\n\
             ts, secret = sys.argv[1], sys.argv[2]\n\
             mac = hmac.new(secret.encode(), f'{ts}\\n{secret}'.encode(), hashlib.sha256)\n\
             print(urllib.parse.quote_plus(base64.b64encode(mac.digest()).decode()))",
            &timestamp,
            secret,
        ])
        .output()
        .expect("python3 runs");
    assert!(expected.status.success(), "{expected:?}");
    assert_eq!(
        param("sign"),
        String::from_utf8(expected.stdout).unwrap().trim(),
        "the signature DingTalk would compute"
    );

    // Sending the week again queues nothing; the delivery log shows the one message sent.
    let second = send();
    assert!(second.contains("0 webhook deliveries queued"), "{second}");
    let log = format!("/api/v1/webhooks/{}/deliveries", hook["id"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let page = app.get(&log, &app.admin_token).expect(200);
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{page}");
        if items[0]["status"] == "delivered" {
            assert_eq!(items[0]["payload"], message);
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{page}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(robot.received().len(), 1);
}

/// LibreOffice's conversion of a document to PDF, in a folder of its own with its profile (no
/// clash with another LibreOffice running on the machine): the folder, and the PDF's path.
pub(crate) fn printed(name: &str, bytes: &[u8]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, bytes).unwrap();
    let out = dir.path().to_str().unwrap().to_owned();
    let profile = format!("-env:UserInstallation=file://{out}/profile");
    crate::import::run(
        "soffice",
        &[
            &profile,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            &out,
            file.to_str().unwrap(),
        ],
    );
    let pdf = file.with_extension("pdf").to_str().unwrap().to_owned();
    (dir, pdf)
}

#[test]
fn the_reviews_report_is_a_word_document_that_prints_with_its_totals_problems_and_plan() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    // One closed out with evidence, one overdue in progress, one open with time left.
    let (done, measure) =
        app.ready_problem(&cast, review, "对物业管理问题跟踪督促不够", "2026-12-31");
    app.act(&cast.coordinator, done, "confirm", None)
        .expect(200);
    app.act(&cast.owner, done, "start", None).expect(200);
    app.patch(
        &format!("/api/v1/measures/{measure}"),
        &cast.owner,
        &json!({"done": true}),
    )
    .expect(200);
    app.upload(
        &cast.owner,
        done,
        "物业考核办法.pdf",
        rectify_tests::PDF,
        "考核办法印发稿",
    )
    .expect(201);
    app.act(&cast.owner, done, "submit", Some("已制定考核办法并实施"))
        .expect(200);
    app.act(&cast.coordinator2, done, "verify", None)
        .expect(200);
    let late = open_problem(
        &app,
        &cast,
        review,
        cast.org,
        "党员学习教育台账不完整",
        "2026-11-25",
    );
    app.act(&cast.owner, late, "start", None).expect(200);
    open_problem(
        &app,
        &cast,
        review,
        cast.org,
        "三会一课记录不规范",
        "2027-03-31",
    );
    app.set_now("2026-12-01T02:00:00Z");

    let path = format!("/api/v1/reviews/{review}/report.docx");
    let reply = app.call("GET", &path, Some(&cast.coordinator), None);
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    );
    assert!(reply
        .header("content-disposition")
        .unwrap()
        .contains("filename*=UTF-8''"));
    let bytes = app.get_bytes(&path, &cast.coordinator);
    assert!(bytes.starts_with(b"PK\x03\x04"));
    let (_dir, pdf) = printed("report.docx", &bytes);
    let (pages, width, height, info) = crate::import::pdf_pages(&pdf);
    // A4 portrait: 595 × 842 points.
    assert!(
        (width - 595.0).abs() < 1.0 && (height - 842.0).abs() < 1.0,
        "{info}"
    );
    assert!((1..=3).contains(&pages), "{info}");
    let text = crate::import::run("pdftotext", &[&pdf, "-"]).replace(['\n', ' '], "");
    for expected in [
        "东风社区党委关于2026年度组织生活会整改落实情况的报告",
        "查摆问题3个。截至2026年12月1日，已整改销号1个，正在整改1个，逾期未完成1个，整改完成率33.3%",
        "一、问题整改落实情况",
        "（一）作风建设方面",
        "1.对物业管理问题跟踪督促不够",
        "整改措施：建立物业服务考核办法",
        "佐证材料：物业考核办法.pdf（考核办法印发稿）",
        "进展情况：已制定考核办法并实施",
        "二、尚未完成的整改事项及下一步打算",
        "党员学习教育台账不完整：整改中，已逾期6天，整改时限2026年11月25日",
        "三会一课记录不规范：待整改",
    ] {
        assert!(text.contains(expected), "{expected} is not in:\n{text}");
    }
    // The totals as they stood on a day before anything was closed.
    let before = app.get_bytes(&format!("{path}?as_of=2026-11-11"), &cast.coordinator);
    let (_dir, pdf) = printed("before.docx", &before);
    let text = crate::import::run("pdftotext", &[&pdf, "-"]).replace(['\n', ' '], "");
    assert!(text.contains("截至2026年11月11日，已整改销号0个"), "{text}");
    // The closed problem's 对账销号单; an unfinished one has none yet.
    let record = app.get_bytes(
        &format!("/api/v1/problems/{done}/closure.docx"),
        &cast.coordinator,
    );
    let (_dir, pdf) = printed("closure.docx", &record);
    let text = crate::import::run("pdftotext", &[&pdf, "-"]).replace(['\n', ' '], "");
    for expected in [
        "问题整改对账销号单",
        "对物业管理问题跟踪督促不够",
        "1.建立物业服务考核办法（2026年",
        "物业考核办法.pdf（考核办法印发稿）",
        "已制定考核办法并实施",
        "同意销号。",
        "责任人（签字）",
        "验收人（签字）",
    ] {
        assert!(text.contains(expected), "{expected} is not in:\n{text}");
    }
    app.get(
        &format!("/api/v1/problems/{late}/closure.docx"),
        &cast.coordinator,
    )
    .problem(409, "not_closed_out");
    // The overdue list as a 督办 list to print, landscape.
    let list = app.get_bytes("/api/v1/reports/overdue.docx", &cast.coordinator);
    let (_dir, pdf) = printed("overdue.docx", &list);
    let (_, width, height, info) = crate::import::pdf_pages(&pdf);
    assert!(width > height, "landscape: {info}");
    let text = crate::import::run("pdftotext", &[&pdf, "-"]).replace(['\n', ' '], "");
    assert!(text.contains("逾期问题督办清单"), "{text}");
    assert!(text.contains("逾期未完成1项"), "{text}");
    assert!(text.contains("党员学习教育台账不完整"), "{text}");
    let same = app.get_bytes("/api/v1/reports/overdue?format=docx", &cast.coordinator);
    assert!(same.starts_with(b"PK\x03\x04"));

    // Another unit's coordinator does not see the review; a bad day is named.
    app.get(&path, &cast.sibling).problem(404, "not_found");
    app.get(&format!("{path}?as_of=2026-02-30"), &cast.coordinator)
        .problem(400, "invalid_query");
}

/// A report over a whole tree looks up every owner, unit and problem it names: hundreds of
/// thousands of ids, past what one statement may bind (SQLite 32,766, PostgreSQL 65,535).
#[test]
fn lookups_by_many_ids_stay_within_what_one_statement_may_bind() {
    let app = spawn_app();
    let cast = app.cast();
    let db = app.db();
    let mut ids: Vec<i64> = (1..=70_000).collect();
    ids.push(cast.owner_id);
    ids.push(cast.owner_id);
    let (users, orgs, history) = db
        .read(|conn| {
            Ok::<_, rectify_db::DbError>((
                rectify_db::users::get_many(conn, &ids)?,
                rectify_db::organizations::get_many(conn, &ids)?,
                rectify_db::problems::history_of(conn, &ids)?,
            ))
        })
        .unwrap();
    // Each record once, however often its id was named.
    assert_eq!(users.iter().filter(|u| u.id == cast.owner_id).count(), 1);
    assert!(orgs.iter().any(|o| o.id == cast.org));
    assert!(history.is_empty());
}
