//! How long reading a 100 KB self-inspection report takes: the parser alone, and the parser
//! plus the link suggestions an import computes. Target: under 10 ms for 100 KB.
//!
//! `cargo bench -p rectify-tests --bench import`

use std::time::{Duration, Instant};

use rectify::domain::{report, similarity};
use rectify_tests::large_report_of;

const NUMBERS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// A report in the usual shape, grown to about `bytes`: aspects of ten items run together or
/// one per paragraph, then causes and measures.
fn report_of(bytes: usize) -> String {
    let item = "理论学习不够深入，组织班子成员学习政治理论知识不够全面，基本停留在抄写笔记上，\
                对物业管理、信访问题跟踪督促不够，工作方法单一，缺乏创新性和拓展性。";
    let mut text = String::from("关于召开年度组织生活会的对照检查材料\n一、存在问题\n");
    let mut aspect = 0;
    while text.len() < bytes * 8 / 10 {
        aspect += 1;
        text.push_str(&format!(
            "（{}）第{aspect}个方面：",
            NUMBERS[(aspect - 1) % 10]
        ));
        for n in NUMBERS {
            text.push_str(&format!("{n}是{item}"));
            if aspect % 2 == 0 {
                text.push('\n');
            }
        }
        text.push('\n');
    }
    text.push_str("二、原因剖析\n");
    for n in NUMBERS {
        text.push_str(&format!(
            "{n}是理论学习的自觉性不强，为民服务意识淡化，制度执行不严。\n"
        ));
    }
    text.push_str("三、整改措施\n");
    while text.len() < bytes {
        text.push_str("（一）加强理论学习。每周集中学习一次，建立物业问题台账，信访件件有回音。\n");
    }
    text
}

/// The link suggestions an import computes for a parsed report.
fn suggestions(r: &report::Report) -> Vec<Vec<similarity::Suggestion>> {
    let problems: Vec<&str> = r.problems.iter().map(|p| p.text.as_str()).collect();
    let others: Vec<&str> = r
        .causes
        .iter()
        .chain(&r.measures)
        .map(|i| i.text.as_str())
        .collect();
    similarity::suggest(&problems, &others)
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let text = report_of(100 * 1024);
    let parsed = report::parse(&text);
    println!(
        "report: {} KB, {} aspects, {} problems, {} causes, {} measures",
        text.len() / 1024,
        parsed.aspects.len(),
        parsed.problems.len(),
        parsed.causes.len(),
        parsed.measures.len()
    );
    let time = |f: &dyn Fn()| {
        median(
            (0..31)
                .map(|_| {
                    let start = Instant::now();
                    f();
                    start.elapsed()
                })
                .collect(),
        )
    };
    let parse = time(&|| {
        std::hint::black_box(report::parse(std::hint::black_box(&text)));
    });
    let with_links = time(&|| {
        std::hint::black_box(suggestions(&report::parse(&text)));
    });
    println!(
        "parse                      median {:>8.3} ms",
        parse.as_secs_f64() * 1e3
    );
    println!(
        "parse + link suggestions   median {:>8.3} ms",
        with_links.as_secs_f64() * 1e3
    );

    // A document of 12,000 items: the bound on an import's work (near-linear, under a second).
    let large = large_report_of(12_000);
    let start = Instant::now();
    let r = report::parse(&large);
    let parsed = start.elapsed();
    let start = Instant::now();
    std::hint::black_box(suggestions(&r));
    let suggested = start.elapsed();
    println!(
        "12,000 items ({} KB): {} problems, {} causes, {} measures; parse {:.0} ms, suggestions {:.0} ms",
        large.len() / 1024,
        r.problems.len(),
        r.causes.len(),
        r.measures.len(),
        parsed.as_secs_f64() * 1e3,
        suggested.as_secs_f64() * 1e3
    );
}
