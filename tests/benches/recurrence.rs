//! 问题反弹 on a long history: seeds N closed problems (RECTIFY_BENCH_PROBLEMS, default
//! 1,000,000) over five yearly reviews of one community, with titles as offices write them (a
//! place, a matter, a shortcoming), builds the search index, then asks for the likely
//! recurrences of new titles, as writing a problem does: the time per title, and how many of
//! the problems written again in other words are found — most of them far older than the
//! newest thousand closed problems compared first.
//!
//!     cargo bench -p rectify-tests --bench recurrence

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::RunQueryDsl;
use rectify_db::models::NewProblem;
use rectify_db::{DbConnection, DbError};
use rectify_tests::{json, spawn_app};

const PLACES: [&str; 40] = [
    "东风", "西湖", "南山", "北苑", "红旗", "光明", "幸福", "和平", "建设", "胜利", "新华", "朝阳",
    "解放", "人民", "长安", "永安", "民主", "团结", "文化", "育才", "花园", "龙湖", "翠苑", "金桥",
    "银河", "青松", "白云", "黄河", "长江", "泰山", "华山", "嵩山", "衡山", "恒山", "峨眉", "武夷",
    "庐山", "黄山", "九华", "普陀",
];
const MATTERS: [&str; 30] = [
    "物业服务",
    "信访积案",
    "党费收缴",
    "三会一课",
    "理论学习",
    "意识形态",
    "安全生产",
    "环境卫生",
    "惠民资金",
    "项目审批",
    "档案管理",
    "党员发展",
    "志愿服务",
    "垃圾分类",
    "消防通道",
    "老旧小区改造",
    "低保审核",
    "网格巡查",
    "民主评议",
    "主题党日",
    "集体资产",
    "工程招标",
    "公车使用",
    "会议经费",
    "慰问资金",
    "养老服务",
    "停车管理",
    "防汛值守",
    "疫苗接种",
    "文明创建",
];
const FAULTS: [&str; 20] = [
    "投诉处理不及时",
    "台账记录不完整",
    "制度执行不严格",
    "督促检查不到位",
    "整改落实不彻底",
    "资金使用不规范",
    "公示公开不及时",
    "责任分工不明确",
    "程序履行不到位",
    "群众反映意见较多",
    "材料归档不规范",
    "跟踪问效不够",
    "组织开展不经常",
    "签字审批不齐全",
    "宣传引导不够",
    "考核奖惩不落实",
    "风险排查不全面",
    "问题销号不严格",
    "数据统计不准确",
    "监督管理缺位",
];

fn title(i: usize) -> String {
    // Community and grid first: each problem names where it is, as ledgers do.
    format!(
        "{}社区第{}网格{}{}",
        PLACES[i % PLACES.len()],
        (i / PLACES.len()) % 97 + 1,
        MATTERS[(i / 7) % MATTERS.len()],
        FAULTS[(i / 13) % FAULTS.len()]
    )
}

/// The same problem written again in other words next year.
fn written_again(i: usize) -> String {
    format!(
        "{}社区第{}网格{}仍然{}",
        PLACES[i % PLACES.len()],
        (i / PLACES.len()) % 97 + 1,
        MATTERS[(i / 7) % MATTERS.len()],
        FAULTS[(i / 13) % FAULTS.len()]
    )
}

fn main() {
    let n: usize = std::env::var("RECTIFY_BENCH_PROBLEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let mut app = spawn_app();
    let cast = app.cast();
    let reviews: Vec<i64> = (2021..=2025)
        .map(|year| {
            app.post(
                "/api/v1/reviews",
                &cast.coordinator,
                &json!({"organization_id": cast.org, "title": format!("{year}年度组织生活会"),
                        "kind": "organizational_life", "held_on": format!("{year}-11-10")}),
            )
            .expect(201)["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    let db = app.db();
    let started = Instant::now();
    let now: NaiveDateTime = "2026-01-01T00:00:00".parse().unwrap();
    let titles: Vec<String> = (0..n).map(title).collect();
    let keys: Vec<String> = (0..n).map(|i| format!("BENCH-{i}")).collect();
    let mut ids = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let rows: Vec<NewProblem> = chunk
            .iter()
            .map(|&i| NewProblem {
                key: &keys[i],
                // Oldest review first: low ids are the oldest problems.
                review_id: reviews[i * reviews.len() / n],
                aspect: None,
                title: &titles[i],
                description: "",
                organization_id: cast.org,
                owner_id: Some(cast.owner_id),
                deadline: None,
                original_deadline: None,
                kind: "long_term",
                status: "closed",
                created_by: None,
                created_at: now,
                updated_at: now,
            })
            .collect();
        let written = db
            .write(|conn| -> Result<Vec<i64>, DbError> {
                use rectify_db::schema::problems::dsl as p;
                let insert = diesel::insert_into(p::problems)
                    .values(&rows)
                    .returning(p::id);
                Ok(match conn {
                    DbConnection::Sqlite(c) => insert.get_results(c)?,
                    DbConnection::Postgres(c) => insert.get_results(c)?,
                })
            })
            .expect("seed problems");
        ids.extend(written);
    }
    println!(
        "seeded {n} closed problems in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    rectify_tests::rebuild_search_index(&app);
    println!("indexed them in {:.1} s", started.elapsed().as_secs_f64());
    // A restart refreshes the planner's statistics, as a server does at start.
    app.restart();
    let db = app.db();
    let path = db
        .read(|conn| rectify_db::organizations::get(conn, cast.org).map_err(DbError::from))
        .unwrap()
        .path;
    let held_on = "2026-11-10".parse().unwrap();

    // Problems written again: spread over the whole history, most of them old.
    let probes = 200;
    let picked: Vec<usize> = (0..probes).map(|k| k * (n / probes) + 11).collect();
    let mut samples: Vec<Duration> = Vec::new();
    let mut found = 0;
    let mut older = 0;
    for &i in &picked {
        let again = written_again(i);
        let started = Instant::now();
        let flags = db
            .read(|conn| {
                rectify::service::problems::likely_recurrences(conn, &path, held_on, 0, &[&again])
            })
            .expect("likely recurrences");
        samples.push(started.elapsed());
        // The same title was seeded many times over the years: any of them is the problem.
        if flags[0]
            .iter()
            .any(|f| titles[ids.binary_search(&f.id).unwrap()] == titles[i])
        {
            found += 1;
        }
        if i + 1000 < n {
            older += 1;
        }
    }
    // And titles never written before: nothing to find, as much to search.
    let fresh = [
        "村级财务公开栏内容长期未更新",
        "新时代文明实践站活动开展形式单一",
        "党员先锋岗作用发挥不明显",
        "社区食堂运营补贴发放程序不规范",
    ];
    let mut false_flags = 0;
    for title in fresh.iter().cycle().take(probes) {
        let started = Instant::now();
        let flags = db
            .read(|conn| {
                rectify::service::problems::likely_recurrences(conn, &path, held_on, 0, &[title])
            })
            .expect("likely recurrences");
        samples.push(started.elapsed());
        false_flags += usize::from(!flags[0].is_empty());
    }
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "\nbackend: {}, closed problems: {n}, titles asked: {}",
        if rectify_tests::on_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        samples.len()
    );
    println!(
        "time per title: median {:.1} ms, p90 {:.1} ms, slowest {:.1} ms",
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 9 / 10]),
        ms(samples[samples.len() - 1])
    );
    println!(
        "written again in other words: {found} of {probes} found ({older} of them older than the newest 1,000)"
    );
    println!("new titles flagged: {false_flags} of {probes}");
}
