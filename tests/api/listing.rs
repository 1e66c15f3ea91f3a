//! Listing problems: filters, search, deadline standing on a fixed date, keyset pages.

use rectify_tests::{json, spawn_app, Cast, TestApp, Value};

fn keys(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap().to_owned())
        .collect()
}

/// Six problems in several states and deadlines; today is 2026-11-23.
fn ledger(app: &TestApp, cast: &Cast) -> i64 {
    let review = app.review(&cast.coordinator, cast.org);
    let open = |title: &str, deadline: &str, start: bool| {
        let (id, _) = app.ready_problem(cast, review, title, deadline);
        app.act(&cast.coordinator, id, "confirm", None).expect(200);
        if start {
            app.act(&cast.owner, id, "start", None).expect(200);
        }
        id
    };
    open("物业服务投诉处理不及时", "2026-11-20", true); // DFSQ-1: 3 days overdue
    open("信访积案化解进度慢", "2026-11-01", false); // DFSQ-2: 22 days overdue
    open("党员学习教育不经常", "2026-11-27", false); // DFSQ-3: due soon
    open("社区议事制度不健全", "2027-01-15", true); // DFSQ-4: calm
    app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "长期坚持的作风问题", "kind": "long_term"}),
    ); // DFSQ-5: draft, no deadline
    app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "过期草稿", "deadline": "2026-10-01"}),
    ); // DFSQ-6: draft, not overdue
    review
}

#[test]
fn overdue_and_warnings_follow_the_organizations_today() {
    let app = spawn_app();
    let cast = app.cast();
    ledger(&app, &cast);
    let list = |query: &str| {
        keys(
            &app.get(&format!("/api/v1/problems?{query}"), &cast.coordinator)
                .expect(200),
        )
    };

    assert_eq!(list("overdue=true"), ["DFSQ-1", "DFSQ-2"]);
    assert_eq!(
        list("overdue=false"),
        ["DFSQ-3", "DFSQ-4", "DFSQ-5", "DFSQ-6"]
    );
    assert_eq!(list("warning=due_soon"), ["DFSQ-3"]);
    assert_eq!(list("warning=none"), ["DFSQ-4", "DFSQ-5", "DFSQ-6"]);

    let page = app
        .get("/api/v1/problems?overdue=true", &cast.coordinator)
        .expect(200);
    let days: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["days_overdue"].as_i64().unwrap())
        .collect();
    assert_eq!(days, [3, 22]);
    assert_eq!(page["items"][0]["warning"], "overdue");

    // A week later DFSQ-3 (due 27 November) is 4 days overdue.
    app.set_now("2026-12-01T02:00:00Z");
    assert_eq!(list("overdue=true"), ["DFSQ-1", "DFSQ-2", "DFSQ-3"]);
    let p3 = app
        .get("/api/v1/problems?q=DFSQ-3", &cast.coordinator)
        .expect(200);
    assert_eq!(p3["items"][0]["days_overdue"], 4);

    // Late in the evening UTC it is already the next day in Shanghai.
    app.set_now("2026-11-26T17:00:00Z"); // 27 Nov 01:00 in Shanghai
    assert_eq!(list("warning=due_soon"), ["DFSQ-3"]);
    app.set_now("2026-11-27T17:00:00Z"); // 28 Nov 01:00 in Shanghai
    assert_eq!(list("overdue=true"), ["DFSQ-1", "DFSQ-2", "DFSQ-3"]);
}

#[test]
fn filters_combine_and_search_finds_two_character_words() {
    let app = spawn_app();
    let cast = app.cast();
    ledger(&app, &cast);
    let list = |query: &str| {
        keys(
            &app.get(&format!("/api/v1/problems?{query}"), &cast.coordinator)
                .expect(200),
        )
    };

    assert_eq!(list("status=open"), ["DFSQ-2", "DFSQ-3"]);
    assert_eq!(
        list("status=open,in_progress"),
        ["DFSQ-1", "DFSQ-2", "DFSQ-3", "DFSQ-4"]
    );
    assert_eq!(list("status=draft&kind=long_term"), ["DFSQ-5"]);
    assert_eq!(list("q=%E7%89%A9%E4%B8%9A"), ["DFSQ-1"], "物业");
    assert_eq!(list("q=%E4%BF%A1%E8%AE%BF"), ["DFSQ-2"], "信访");
    assert_eq!(list("q=dfsq-4"), ["DFSQ-4"], "keys, whatever their case");
    let q = |term: &str| list(&format!("q={}", urlencoding(term)));
    assert_eq!(q("不经常"), ["DFSQ-3"], "three characters");
    assert_eq!(q("不及时"), ["DFSQ-1"]);
    assert_eq!(
        q("物"),
        ["DFSQ-1"],
        "one character, found without the index"
    );
    assert_eq!(q("物业信访"), Vec::<String>::new(), "words of two problems");
    // The index follows edits: a renamed draft is found by its new words, no longer its old.
    let draft = app
        .get("/api/v1/problems?q=%E8%BF%87%E6%9C%9F", &cast.coordinator)
        .expect(200)["items"][0]["id"]
        .as_i64()
        .unwrap();
    app.patch(
        &format!("/api/v1/problems/{draft}"),
        &cast.coordinator,
        &json!({"title": "门卫值班登记不全", "description": "夜间值班记录缺失"}),
    )
    .expect(200);
    assert_eq!(q("过期"), Vec::<String>::new());
    assert_eq!(q("门卫"), ["DFSQ-6"]);
    assert_eq!(q("记录缺失"), ["DFSQ-6"], "in the description");
    let counted = app
        .get(
            &format!("/api/v1/problems?q={}&total=true", urlencoding("值班")),
            &cast.coordinator,
        )
        .expect(200);
    assert_eq!(counted["total"], 1);
    // Built again from scratch (as a first start after the upgrade builds it), it finds the same.
    assert_eq!(rectify_tests::rebuild_search_index(&app), 6);
    assert_eq!(q("门卫"), ["DFSQ-6"]);
    assert_eq!(q("过期"), Vec::<String>::new());
    assert_eq!(q("物业"), ["DFSQ-1"]);
    assert_eq!(
        list("deadline_from=2026-11-20&deadline_to=2026-11-30"),
        ["DFSQ-1", "DFSQ-3"]
    );
    assert_eq!(
        list(&format!("owner_id={}&status=in_progress", cast.owner_id)),
        ["DFSQ-1", "DFSQ-4"]
    );
    assert_eq!(
        list("aspect=%E4%BD%9C%E9%A3%8E%E5%BB%BA%E8%AE%BE%E6%96%B9%E9%9D%A2&status=open"),
        ["DFSQ-2", "DFSQ-3"]
    );

    let bad = app.get("/api/v1/problems?status=open,finished", &cast.coordinator);
    assert_eq!(
        bad.problem(422, "validation_failed")["errors"][0]["field"],
        "status"
    );
    let bad = app.get("/api/v1/problems?sort=priority", &cast.coordinator);
    assert_eq!(
        bad.problem(422, "validation_failed")["errors"][0]["field"],
        "sort"
    );
    app.get("/api/v1/problems?warning=red", &cast.coordinator)
        .problem(400, "invalid_query");
}

#[test]
fn pages_follow_the_sort_order_across_missing_deadlines() {
    let app = spawn_app();
    let cast = app.cast();
    ledger(&app, &cast);
    let walk = |sort: &str| {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/api/v1/problems?sort={sort}&limit=2");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page = app.get(&path, &cast.coordinator).expect(200);
            assert!(page["items"].as_array().unwrap().len() <= 2);
            seen.extend(keys(&page));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return seen,
            }
        }
    };
    assert_eq!(
        walk("deadline"),
        ["DFSQ-6", "DFSQ-2", "DFSQ-1", "DFSQ-3", "DFSQ-4", "DFSQ-5"]
    );
    // Without a deadline counts as due at the end of time, in either direction.
    assert_eq!(
        walk("-deadline"),
        ["DFSQ-5", "DFSQ-4", "DFSQ-3", "DFSQ-1", "DFSQ-2", "DFSQ-6"]
    );
    assert_eq!(
        walk("-created_at"),
        ["DFSQ-6", "DFSQ-5", "DFSQ-4", "DFSQ-3", "DFSQ-2", "DFSQ-1"]
    );
    assert_eq!(walk("updated_at").len(), 6);

    let page = app
        .get("/api/v1/problems?sort=deadline&limit=2", &cast.coordinator)
        .expect(200);
    let cursor = page["next_cursor"].as_str().unwrap();
    let mixed = app.get(
        &format!("/api/v1/problems?sort=-created_at&cursor={cursor}"),
        &cast.coordinator,
    );
    assert_eq!(
        mixed.problem(422, "validation_failed")["errors"][0]["field"],
        "cursor"
    );
    let total = app
        .get("/api/v1/problems?total=true&limit=1", &cast.coordinator)
        .expect(200);
    assert_eq!(total["total"], 6);
}

#[test]
fn an_organization_filter_covers_its_subtree() {
    let app = spawn_app();
    let cast = app.cast();
    let review = app.review(&cast.coordinator, cast.org);
    let branch = app.create_org("DFSQ1", "第一党支部", Some(cast.org));
    app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "社区问题"}),
    );
    app.problem(
        &cast.coordinator,
        json!({"review_id": review, "title": "支部问题", "organization_id": branch}),
    );
    let list = |query: &str| {
        keys(
            &app.get(&format!("/api/v1/problems?{query}"), &app.admin_token)
                .expect(200),
        )
    };
    assert_eq!(
        list(&format!("organization_id={}", cast.org)),
        ["DFSQ-1", "DFSQ1-1"]
    );
    assert_eq!(list(&format!("organization_id={branch}")), ["DFSQ1-1"]);
    assert_eq!(
        list(&format!("organization_id={}", cast.sibling_org)),
        Vec::<String>::new()
    );

    // A branch owner sees the branch's problem and the review it came from, nothing above.
    let (_, branch_owner) = app.user_with_token("branch.owner", "owner", branch);
    assert_eq!(
        keys(&app.get("/api/v1/problems", &branch_owner).expect(200)),
        ["DFSQ1-1"]
    );
    assert_eq!(
        app.get(&format!("/api/v1/reviews/{review}"), &branch_owner)
            .expect(200)["id"],
        review
    );
    app.patch(
        &format!("/api/v1/reviews/{review}"),
        &branch_owner,
        &json!({"title": "x"}),
    )
    .problem(403, "forbidden");
}

/// A term as a query string value.
fn urlencoding(term: &str) -> String {
    term.bytes().map(|b| format!("%{b:02X}")).collect()
}
