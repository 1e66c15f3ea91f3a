//! The console (/console) as people use it: in a real headless Chromium driven through
//! chromedriver (Debian's `chromium` and `chromium-driver`), and its forms' defences over plain
//! HTTP. Set RECTIFY_SCREENSHOTS to a folder to keep a 1366×768 picture of each page.

use std::io::Write;
use std::process::{Child, Command, Stdio};

use fantoccini::{Client, ClientBuilder, Locator};
use rectify_tests::{json, spawn_app, Cast, TestApp, ADMIN_PASSWORD, PASSWORD};
use serde_json::Value;

/// chromedriver and a browser session; both end with the test.
struct Browser {
    driver: Child,
    client: Client,
}

impl Browser {
    async fn start() -> Browser {
        Self::start_with(true).await
    }

    /// A browser with JavaScript on or off (the console must read without it).
    async fn start_with(javascript: bool) -> Browser {
        let driver_path =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".to_owned());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{driver_path} could not start ({e}); install chromium and chromium-driver")
            });
        let url = format!("http://127.0.0.1:{port}");
        // Ready when it answers its status; never a fixed sleep.
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut tries = 0;
        while agent.get(format!("{url}/status")).call().is_err() {
            tries += 1;
            assert!(tries < 2000, "chromedriver did not start");
            std::thread::yield_now();
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
        let mut capabilities = serde_json::Map::new();
        let scripts = if javascript { 1 } else { 2 };
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": binary,
                "prefs": {"profile.managed_default_content_settings.javascript": scripts},
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1366,768", "--lang=zh-CN", "--accept-lang=zh-CN,zh", "--no-first-run"],
            }),
        );
        let client = ClientBuilder::native()
            .capabilities(capabilities)
            .connect(&url)
            .await
            .expect("a browser session");
        Browser { driver, client }
    }

    async fn open(&self, app: &TestApp, path: &str) {
        self.client
            .goto(&app.url(path))
            .await
            .expect("the page opens");
    }

    async fn sign_in(&self, app: &TestApp, username: &str) {
        self.open(app, "/console").await;
        assert!(self.path().await.starts_with("/console/sign-in"));
        self.fill("input[name=username]", username).await;
        self.fill("input[name=password]", PASSWORD).await;
        self.click("button[type=submit]").await;
        let path = self.path().await;
        assert!(
            !path.starts_with("/console/sign-in"),
            "{username} is signed in: {path} says {}",
            self.text("main").await
        );
    }

    async fn sign_out(&self) {
        self.click("form[action='/console/sign-out'] button").await;
        assert_eq!(self.path().await, "/console/sign-in");
    }

    async fn path(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("a url")
            .path()
            .to_owned()
    }

    async fn fill(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.expect(css);
        field.clear().await.expect("cleared");
        field.send_keys(text).await.expect("typed");
    }

    /// Clicks a link or a form's button and waits until the next page has replaced this one
    /// (polling the old page's root until the browser says it is gone).
    async fn click(&self, css: &str) {
        let before = self
            .client
            .find(Locator::Css("html"))
            .await
            .expect("a page");
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .expect("clicked");
        for _ in 0..2000 {
            if before.tag_name().await.is_err() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        panic!("clicking {css} led nowhere");
    }

    async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .expect("text")
    }

    async fn attribute(&self, css: &str, name: &str) -> Option<String> {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .attr(name)
            .await
            .expect("attribute")
    }

    /// A figure of the page as the program reads it (`data-value` of the figure).
    async fn figure(&self, css: &str) -> Value {
        let raw = self
            .attribute(&format!("{css} .figure"), "data-value")
            .await
            .unwrap_or_default();
        if raw.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&raw).unwrap_or(Value::String(raw))
        }
    }

    async fn screenshot(&self, name: &str) {
        let Ok(folder) = std::env::var("RECTIFY_SCREENSHOTS") else {
            return;
        };
        // A relative folder is taken from the repository's root, where the README's command
        // runs (tests themselves run in `tests/`).
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(folder);
        let png = self.client.screenshot().await.expect("a screenshot");
        std::fs::create_dir_all(&folder).expect("the screenshot folder");
        std::fs::write(folder.join(format!("{name}.png")), png).expect("the screenshot");
    }

    async fn close(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The same figure: both absent, or the same number (1 and 1.0 alike).
#[track_caller]
fn same(shown: &Value, reported: &Value, figure: &str) {
    match (shown.as_f64(), reported.as_f64()) {
        (Some(a), Some(b)) => assert_eq!(a, b, "{figure}"),
        _ => assert!(
            shown.is_null() && reported.is_null(),
            "{figure}: {shown} against {reported}"
        ),
    }
}

fn run<F: std::future::Future<Output = ()>>(test: F) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(test);
}

/// A real PNG picture: a red square, as a phone photo of a notice board would be a picture.
fn png(side: u32) -> Vec<u8> {
    // Each row: the filter byte (none), then its pixels.
    let row: Vec<u8> = std::iter::once(0u8)
        .chain((0..side).flat_map(|_| [0xc6, 0x28, 0x28]))
        .collect();
    let raw = row.repeat(side as usize);
    let mut deflated = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    deflated.write_all(&raw).unwrap();
    let deflated = deflated.finish().unwrap();
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
        out
    };
    let mut header = side.to_be_bytes().to_vec();
    header.extend_from_slice(&side.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &header));
    png.extend(chunk(b"IDAT", &deflated));
    png.extend(chunk(b"IEND", &[]));
    png
}

/// A small ledger with something in each state: a closed problem, an overdue one, a draft in a
/// branch below the community.
struct Ledger {
    cast: Cast,
    branch: i64,
    review: i64,
    late: i64,
    draft: i64,
    draft_measure: i64,
    foreign: i64,
}

/// Takes a problem from draft to closed out through the API, as its people would.
fn close(app: &TestApp, cast: &Cast, problem: i64) {
    let now = app
        .get(&format!("/api/v1/problems/{problem}"), &cast.coordinator)
        .expect(200);
    if now["status"] == "draft" {
        app.act(&cast.coordinator, problem, "confirm", None)
            .expect(200);
    }
    app.act(&cast.owner, problem, "start", None).expect(200);
    app.attach_pdf(&cast.owner, problem);
    let measures = app
        .get(
            &format!("/api/v1/measures?problem_id={problem}"),
            &cast.owner,
        )
        .expect(200);
    for measure in measures["items"].as_array().unwrap() {
        let id = measure["id"].as_i64().unwrap();
        app.patch(
            &format!("/api/v1/measures/{id}"),
            &cast.owner,
            &json!({"done": true}),
        )
        .expect(200);
    }
    app.act(&cast.owner, problem, "submit", Some("已整改到位"))
        .expect(200);
    app.act(&cast.coordinator, problem, "verify", None)
        .expect(200);
}

fn ledger(app: &TestApp) -> Ledger {
    let cast = app.cast();
    let branch = app.create_org("DFSQ1", "东风社区第一党支部", Some(cast.org));
    let (branch_owner, _) = app.user_with_token("branch_owner", "owner", branch);
    let review = app.review(&cast.coordinator, cast.org);
    let (closed, _) = app.ready_problem(&cast, review, "会议记录不规范", "2026-12-20");
    close(app, &cast, closed);
    let (late, _) = app.ready_problem(&cast, review, "物业服务投诉处理不及时", "2026-11-20");
    app.act(&cast.coordinator, late, "confirm", None)
        .expect(200);
    let in_branch = app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "支部学习流于形式", "aspect": "政治建设方面",
               "organization_id": branch, "owner_id": branch_owner, "deadline": "2026-12-31"}),
    )["id"]
        .as_i64()
        .unwrap();
    let _ = in_branch;
    let (draft, draft_measure) =
        app.ready_problem(&cast, review, "对物业管理问题跟踪督促不够", "2026-12-28");
    let sibling_review = app.review(&cast.sibling, cast.sibling_org);
    let foreign = app.problem(
        &cast.sibling,
        json!({"review_id": sibling_review, "title": "西风社区的问题"}),
    )["id"]
        .as_i64()
        .unwrap();
    Ledger {
        cast,
        branch,
        review,
        late,
        draft,
        draft_measure,
        foreign,
    }
}

#[test]
fn an_auditor_reads_on_the_dashboard_what_the_progress_report_says() {
    let app = spawn_app();
    let l = ledger(&app);
    // A fortnight of work: the overdue problem is closed out late in the second week; in the
    // third, two more come in, one of them overdue at once.
    app.advance(chrono::Duration::days(7));
    close(&app, &l.cast, l.late);
    app.advance(chrono::Duration::days(7));
    for (title, deadline) in [
        ("党费收缴不规范", "2027-01-15"),
        ("谈心谈话不经常", "2026-12-01"),
    ] {
        let id = app.problem(
            &l.cast.coordinator,
            json!({"review_id": l.review, "title": title, "owner_id": l.cast.owner_id, "deadline": deadline}),
        )["id"]
            .as_i64()
            .unwrap();
        app.measure(&l.cast.coordinator, l.review, &[id], json!({}));
        app.act(&l.cast.coordinator, id, "confirm", None)
            .expect(200);
    }
    let progress = |as_of: Option<&str>| {
        let mut path = format!("/api/v1/reports/progress?organization_id={}", l.cast.org);
        if let Some(day) = as_of {
            path.push_str(&format!("&as_of={day}"));
        }
        app.get(&path, &l.cast.auditor).expect(200)
    };
    let report = progress(None);
    run(async {
        let browser = Browser::start().await;
        browser.sign_in(&app, "auditor").await;
        assert_eq!(browser.path().await, "/console/dashboard");
        assert_eq!(
            browser.attribute("html", "class").await.as_deref(),
            Some("js")
        );
        assert!(browser.text("h1").await.contains("东风社区党委"));
        assert!(browser.text("h1").await.contains("整改进度"));
        let total = &report["total"];
        for figure in [
            "completion_rate",
            "on_time_rate",
            "overdue",
            "due_soon",
            "total",
        ] {
            same(
                &browser
                    .figure(&format!("#totals [data-figure={figure}]"))
                    .await,
                &total[figure],
                figure,
            );
        }
        same(
            &browser.figure("#totals [data-figure=closed]").await,
            &total["by_status"]["closed"],
            "closed",
        );
        assert_eq!(total["by_status"]["closed"], 2);
        assert_eq!(total["overdue"], 1);
        // The branch below, as the report counts it, and a click drills down to it.
        let unit = report["organizations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["organization_id"] == l.branch)
            .unwrap()
            .clone();
        let row = format!("#units tr[data-organization='{}']", l.branch);
        for figure in ["total", "completion_rate", "on_time_rate", "overdue"] {
            same(
                &browser
                    .figure(&format!("{row} [data-figure={figure}]"))
                    .await,
                &unit["figures"][figure],
                figure,
            );
        }
        // Each week's point is the report as it stood at the end of that day.
        let weeks = browser
            .client
            .find_all(Locator::Css("#weekly tbody tr"))
            .await
            .unwrap();
        assert_eq!(weeks.len(), 12);
        let mut compared = 0;
        for week in weeks {
            let day = week
                .find(Locator::Css("td:first-child"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let shown = week
                .find(Locator::Css("td:nth-child(2) .figure"))
                .await
                .unwrap()
                .attr("data-value")
                .await
                .unwrap()
                .unwrap_or_default();
            let shown: Value = serde_json::from_str(&shown).unwrap_or(Value::Null);
            let then = progress(Some(&day));
            same(&shown, &then["total"]["completion_rate"], &day);
            compared += usize::from(!shown.is_null());
        }
        assert_eq!(compared, 3, "three weeks with problems");
        browser.screenshot("console-dashboard").await;
        browser.click(&format!("{row} a")).await;
        assert!(browser.text("h1").await.contains("东风社区第一党支部"));
        same(
            &browser.figure("#totals [data-figure=total]").await,
            &json!(1),
            "total",
        );
        // The ledger, its lights and its export.
        browser.open(&app, "/console/ledger").await;
        browser.click("p.toolbar a").await;
        assert_eq!(
            browser.attribute("#total", "data-value").await.as_deref(),
            Some("6")
        );
        let red = browser
            .client
            .find_all(Locator::Css("table.ledger .light.red"))
            .await
            .unwrap();
        assert_eq!(red.len(), 1, "one overdue problem");
        browser.screenshot("console-ledger").await;
        // The overdue report and the audit log with its chain, read-only.
        browser.open(&app, "/console/overdue").await;
        assert!(browser.text("main").await.contains("谈心谈话不经常"));
        browser.open(&app, "/console/audit").await;
        assert_eq!(
            browser.attribute("#verify", "href").await.as_deref(),
            Some("/console/audit?verify=true")
        );
        browser.open(&app, "/console/audit?verify=true").await;
        assert_eq!(
            browser.attribute("#chain", "data-ok").await.as_deref(),
            Some("true")
        );
        assert!(browser
            .client
            .find_all(Locator::Css("#actions"))
            .await
            .unwrap()
            .is_empty());
        // In English when asked.
        browser.open(&app, "/console/dashboard?lang=en").await;
        assert!(browser.text("h1").await.starts_with("Progress of"));
        browser.close().await;

        // Without JavaScript, signing in and reading work the same.
        let browser = Browser::start_with(false).await;
        browser.sign_in(&app, "auditor").await;
        // The console's script marks the page when it runs; here it did not.
        assert_eq!(
            browser.attribute("html", "class").await.unwrap_or_default(),
            ""
        );
        same(
            &browser
                .figure("#totals [data-figure=completion_rate]")
                .await,
            &total["completion_rate"],
            "completion_rate without scripts",
        );
        browser.open(&app, "/console/ledger?light=red").await;
        assert!(browser
            .text("table.ledger")
            .await
            .contains("谈心谈话不经常"));
        browser.close().await;
    });
}

#[test]
fn a_problem_is_confirmed_worked_and_closed_out_through_the_console() {
    let app = spawn_app();
    let l = ledger(&app);
    let problem = l.draft;
    let picture = tempfile::Builder::new()
        .prefix("公示栏照片")
        .suffix(".png")
        .tempfile()
        .unwrap();
    std::fs::write(picture.path(), png(48)).unwrap();
    run(async {
        let browser = Browser::start().await;
        // The coordinator confirms it.
        browser.sign_in(&app, "coord").await;
        browser
            .open(&app, &format!("/console/problems/{problem}"))
            .await;
        assert_eq!(
            browser.attribute("#status", "data-status").await.as_deref(),
            Some("draft")
        );
        browser.click("#actions button[value=confirm]").await;
        assert_eq!(
            browser.attribute("#status", "data-status").await.as_deref(),
            Some("open")
        );
        // Confirming started the window to acknowledge (签收).
        assert_eq!(
            browser
                .attribute("#acknowledgement", "data-value")
                .await
                .as_deref(),
            Some("pending")
        );
        browser.sign_out().await;

        // The owner finds it among their tasks, starts, proves and submits it.
        browser.sign_in(&app, "owner").await;
        assert_eq!(browser.path().await, "/console/my");
        browser.screenshot("console-my-tasks").await;
        // On a phone the same page fits the screen's width.
        browser.client.set_window_size(390, 844).await.unwrap();
        let overflow: Value = browser
            .client
            .execute(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(overflow, 0, "no sideways scrolling on a phone");
        browser.screenshot("console-my-tasks-phone").await;
        browser.client.set_window_size(1366, 768).await.unwrap();
        browser
            .click(&format!("tr[data-problem='{problem}'] td.title a"))
            .await;
        browser.click("#actions button[value=start]").await;
        assert_eq!(
            browser.attribute("#status", "data-status").await.as_deref(),
            Some("in_progress")
        );
        // Starting is acknowledging.
        assert_eq!(
            browser
                .attribute("#acknowledgement", "data-value")
                .await
                .as_deref(),
            Some("on_time")
        );
        browser
            .fill("form.upload input[name=description]", "整改后的公示栏")
            .await;
        let file = browser
            .client
            .find(Locator::Css("form.upload input[type=file]"))
            .await
            .unwrap();
        file.send_keys(picture.path().to_str().unwrap())
            .await
            .unwrap();
        browser.click("form.upload button[type=submit]").await;
        let preview = browser
            .client
            .find(Locator::Css("#evidence figure img"))
            .await
            .expect("the picture is shown");
        // Its width once the browser has loaded it (-1 if it could not decode it).
        let shown: i64 = browser
            .client
            .execute_async(
                "const [img, done] = arguments; \
                 if (img.complete) { done(img.naturalWidth || -1); } \
                 else { img.onload = () => done(img.naturalWidth); img.onerror = () => done(-1); }",
                vec![serde_json::to_value(&preview).unwrap()],
            )
            .await
            .unwrap()
            .as_i64()
            .unwrap();
        assert_eq!(shown, 48, "the browser decoded the uploaded picture");
        browser
            .click(&format!(
                "li[data-measure='{}'] button[type=submit]",
                l.draft_measure
            ))
            .await;
        assert!(browser
            .text(&format!("li[data-measure='{}']", l.draft_measure))
            .await
            .starts_with('✓'));
        browser
            .fill(
                "#actions form:has(button[value=submit]) textarea",
                "已建立物业问题台账并逐月跟踪",
            )
            .await;
        browser.click("#actions button[value=submit]").await;
        assert_eq!(
            browser.attribute("#status", "data-status").await.as_deref(),
            Some("submitted")
        );
        browser.screenshot("console-problem").await;
        // Another unit's problem is not there for them.
        browser
            .open(&app, &format!("/console/problems/{}", l.foreign))
            .await;
        assert_eq!(
            browser
                .attribute(".notice.error", "data-status")
                .await
                .as_deref(),
            Some("404")
        );
        assert!(browser.text("h1").await.contains("找不到"));
        browser.open(&app, "/console/my").await;
        browser.sign_out().await;

        // The coordinator verifies it and closes it out.
        browser.sign_in(&app, "coord").await;
        browser
            .open(&app, &format!("/console/problems/{problem}"))
            .await;
        // Closed as continuing (持续整改): a review date in the verify form.
        browser
            .client
            .execute(
                "document.querySelector('#actions form:has(button[value=verify]) input[name=review_on]').value = '2027-06-30'",
                vec![],
            )
            .await
            .unwrap();
        browser.click("#actions button[value=verify]").await;
        assert_eq!(
            browser.attribute("#status", "data-status").await.as_deref(),
            Some("closed")
        );
        assert_eq!(
            browser.attribute("#outcome", "data-value").await.as_deref(),
            Some("continuing")
        );
        assert!(browser.text("#outcome").await.contains("2027-06-30"));
        browser.screenshot("console-problem-continuing").await;
        browser.close().await;
    });
    // The API tells the same story, and the audit log names each person who acted.
    let done = app
        .get(&format!("/api/v1/problems/{problem}"), &l.cast.coordinator)
        .expect(200);
    assert_eq!(done["status"], "closed");
    let history = app
        .get(
            &format!("/api/v1/problems/{problem}/history"),
            &l.cast.auditor,
        )
        .expect(200);
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "confirm",
            "start",
            "add_evidence",
            "submit",
            "verify"
        ],
        "{history}"
    );
    let evidence = app
        .get(
            &format!("/api/v1/problems/{problem}/evidence"),
            &l.cast.auditor,
        )
        .expect(200);
    assert_eq!(evidence["items"][0]["content_type"], "image/png");
    assert_eq!(evidence["items"][0]["description"], "整改后的公示栏");
    let audit = app
        .get(
            &format!("/api/v1/audit?entity_type=problem&entity_id={problem}"),
            &l.cast.auditor,
        )
        .expect(200);
    let actors: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor_name"].as_str().unwrap_or_default())
        .collect();
    assert!(
        actors.contains(&"owner") && actors.contains(&"coord"),
        "{audit}"
    );
    let _ = l.review;
}

/// A session cookie and the form token of a page, as a browser would hold them.
struct Signed {
    cookie: String,
}

fn cookie_of(reply: &rectify_tests::Reply, name: &str) -> Option<String> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn form_token(html: &str) -> String {
    let needle = "name=\"csrf\" value=\"";
    let at = html.find(needle).expect("a form token") + needle.len();
    html[at..at + 64].to_owned()
}

/// The version a problem page's action forms were drawn at.
fn form_token_page_version(html: &str) -> String {
    let needle = "name=\"version\" value=\"";
    let at = html.find(needle).expect("an action form") + needle.len();
    html[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

fn sign_in(app: &TestApp, username: &str) -> Signed {
    sign_in_with(app, username, PASSWORD)
}

fn sign_in_with(app: &TestApp, username: &str, password: &str) -> Signed {
    let page = app.send("GET", "/console/sign-in", &[], Vec::new());
    assert_eq!(page.status, 200);
    let binding = cookie_of(&page, "rectify_sign_in").unwrap();
    let binding = binding.split(';').next().unwrap().to_owned();
    let body = format!(
        "csrf={}&username={username}&password={password}&next=%2Fconsole%2Fledger",
        form_token(&page.text)
    );
    let reply = app.send(
        "POST",
        "/console/sign-in",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("cookie", &binding),
        ],
        body.into_bytes(),
    );
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(reply.header("location"), Some("/console/ledger"));
    let session = cookie_of(&reply, "rectify_session").expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/console", "Max-Age="] {
        assert!(session.contains(attribute), "{session}");
    }
    Signed {
        cookie: session.split(';').next().unwrap().to_owned(),
    }
}

fn post_form(app: &TestApp, path: &str, cookie: &str, body: &str) -> rectify_tests::Reply {
    app.send(
        "POST",
        path,
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("cookie", cookie),
        ],
        body.as_bytes().to_vec(),
    )
}

#[test]
fn console_forms_without_their_session_token_are_refused_and_change_nothing() {
    let app = spawn_app();
    let l = ledger(&app);
    let problem = l.draft;
    let status = || {
        app.get(&format!("/api/v1/problems/{problem}"), &l.cast.coordinator)
            .expect(200)["status"]
            .clone()
    };
    // Not signed in: the sign-in page, then back where one was going.
    let away = app.send("GET", "/console/ledger?light=red", &[], Vec::new());
    assert_eq!(away.status, 303);
    assert_eq!(
        away.header("location"),
        Some("/console/sign-in?next=%2Fconsole%2Fledger%3Flight%3Dred")
    );
    // Signing in needs the sign-in form's own token too.
    let forged = post_form(
        &app,
        "/console/sign-in",
        "",
        &format!("csrf=&username=coord&password={PASSWORD}"),
    );
    assert_eq!(forged.status, 403);
    assert!(forged.text.contains("form_token_invalid"));
    assert!(cookie_of(&forged, "rectify_session").is_none());
    // A wrong password is said on the form.
    let coordinator = sign_in(&app, "coord");
    let page = app.send(
        "GET",
        &format!("/console/problems/{problem}"),
        &[("cookie", &coordinator.cookie)],
        Vec::new(),
    );
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-security-policy")
        .unwrap()
        .contains("script-src 'self'"));
    let token = form_token(&page.text);
    let path = format!("/console/problems/{problem}/transitions");
    // No token, a made-up one, and another session's: refused, and the problem unchanged.
    for body in [
        "action=confirm".to_owned(),
        format!("action=confirm&csrf={}", "0".repeat(64)),
        format!("action=confirm&csrf={}", {
            let other = sign_in(&app, "coord2");
            let page = app.send(
                "GET",
                "/console/ledger",
                &[("cookie", &other.cookie)],
                Vec::new(),
            );
            form_token(&page.text)
        }),
    ] {
        let refused = post_form(&app, &path, &coordinator.cookie, &body);
        assert_eq!(refused.status, 403, "{body}: {}", refused.text);
        assert!(refused.text.contains("form_token_invalid"));
        assert!(refused
            .header("content-type")
            .unwrap()
            .starts_with("text/html"));
        assert_eq!(status(), "draft");
    }
    // With the page's token it goes through, as the API would take it.
    let done = post_form(
        &app,
        &path,
        &coordinator.cookie,
        &format!("action=confirm&csrf={token}"),
    );
    assert_eq!(done.status, 303, "{}", done.text);
    assert_eq!(status(), "open");
    // A button on a page that is out of date is refused, in words a person reads.
    let version = form_token_page_version(&page.text);
    let stale = post_form(
        &app,
        &path,
        &coordinator.cookie,
        &format!("action=cancel&note=%E9%87%8D%E5%A4%8D&version={version}&csrf={token}"),
    );
    assert_eq!(stale.status, 412, "{}", stale.text);
    assert!(
        stale.text.contains("页面显示的内容已过期"),
        "{}",
        stale.text
    );
    assert_eq!(status(), "open");
    // The language switch keeps the page's filters.
    let filtered = app.send(
        "GET",
        "/console/ledger?light=red",
        &[("cookie", &coordinator.cookie)],
        Vec::new(),
    );
    assert!(
        filtered.text.contains("href=\"?light=red&amp;lang=en\""),
        "{}",
        filtered.text
    );
    // The console's refusals are the use cases': an owner may not verify.
    let owner = sign_in(&app, "owner");
    let owner_page = app.send(
        "GET",
        &format!("/console/problems/{problem}"),
        &[("cookie", &owner.cookie)],
        Vec::new(),
    );
    let refused = post_form(
        &app,
        &path,
        &owner.cookie,
        &format!("action=verify&csrf={}", form_token(&owner_page.text)),
    );
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(status(), "open");
    // A deactivated person is stopped at their very next page.
    let owner_id = l.cast.owner_id;
    app.post(
        &format!("/api/v1/users/{owner_id}/deactivate"),
        &app.admin_token,
        &json!({}),
    );
    let stopped = app.send(
        "GET",
        "/console/my",
        &[("cookie", &owner.cookie)],
        Vec::new(),
    );
    assert_eq!(stopped.status, 303);
    assert!(stopped
        .header("location")
        .unwrap()
        .starts_with("/console/sign-in"));
    // Signing out ends the cookie.
    let out = post_form(
        &app,
        "/console/sign-out",
        &coordinator.cookie,
        &format!("csrf={token}"),
    );
    assert_eq!(out.status, 303);
    assert!(cookie_of(&out, "rectify_session")
        .unwrap()
        .contains("Max-Age=0"));
}

#[test]
fn an_admin_adds_people_and_issues_a_token_shown_once_that_works_at_the_api() {
    let app = spawn_app();
    let cast = app.cast();
    let admin = sign_in_with(&app, "admin", ADMIN_PASSWORD);
    let page = app.send(
        "GET",
        "/console/admin",
        &[("cookie", &admin.cookie)],
        Vec::new(),
    );
    assert_eq!(page.status, 200);
    assert!(page.text.contains("东风社区党委"));
    let token = form_token(&page.text);
    let added = post_form(
        &app,
        "/console/admin/users",
        &admin.cookie,
        &format!(
            "csrf={token}&username=wang&display_name=%E7%8E%8B%E5%BB%BA%E5%9B%BD&role=owner&organization_id={}&password=a-long-enough-password",
            cast.org
        ),
    );
    assert_eq!(added.status, 303, "{}", added.text);
    app.login("wang", "a-long-enough-password");
    // An office system's account: its token is on the answer's page, once.
    let issued = post_form(
        &app,
        "/console/admin/service-accounts",
        &admin.cookie,
        &format!(
            "csrf={token}&name=OA&organization_id={}&scopes=write",
            cast.org
        ),
    );
    assert_eq!(issued.status, 200, "{}", issued.text);
    let at = issued.text.find("rct_").expect("the token is shown");
    let service_token: String = issued.text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    app.get("/api/v1/problems", &service_token).expect(200);
    let again = app.send(
        "GET",
        "/console/admin",
        &[("cookie", &admin.cookie)],
        Vec::new(),
    );
    assert!(!again.text.contains(&service_token), "shown once only");
    // The admin's pages are the admin's.
    let coordinator = sign_in(&app, "coord");
    let refused = app.send(
        "GET",
        "/console/admin",
        &[("cookie", &coordinator.cookie)],
        Vec::new(),
    );
    assert_eq!(refused.status, 403);
    assert!(
        refused.text.contains("data-code=\"forbidden\""),
        "{}",
        refused.text
    );
}
