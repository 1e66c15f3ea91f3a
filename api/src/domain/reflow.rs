//! Text as it comes out of a PDF or a web page, put back into paragraphs before a report is
//! read: lines hard-wrapped at the page width are joined again, the spaces extraction leaves
//! inside Chinese runs are removed, and page furniture (page numbers, running titles, a site's
//! buttons) is dropped. Typed or Word text, whose paragraphs are lines already, passes through
//! with only its stray spaces closed.

use std::collections::{HashMap, HashSet};

use super::report::starts_with_marker;
use super::text::{display_width, is_wide};

/// A hard-wrapped page is at least this wide (in half-width columns: 10 Chinese characters).
const NARROWEST_WRAP: usize = 20;
/// How much shorter than the page width a line may be and still have run to the margin
/// (punctuation and half-width characters make full lines differ a little).
const FULL_LINE_SLACK: usize = 4;
/// A short line seen this often is a running title or footer, printed on every page (a
/// two-page document shows it twice).
const RUNNING_TITLE_REPEATS: usize = 2;
/// Marks that close a clause or a quotation: a line that starts with one goes on the line
/// before it.
const CLOSING_PUNCTUATION: [char; 10] = ['。', '，', '；', '、', '）', '”', '》', '！', '？', '：'];
const RUNNING_TITLE_MAX_WIDTH: usize = 80;

/// A line as read: its number (1-based), its text with extraction spaces closed, and the
/// width it took on the page before they were (what tells a full line from a short one).
type Line = (usize, String, usize);

fn lines_of(text: &str) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        // `lines` keeps a lone '\r' (old Mac files, some exports) inside a line.
        for piece in raw.split('\r') {
            let piece = piece.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
            // Cut before spaces are closed: a space is one of the boundaries it cuts at.
            for part in split_run_on(piece) {
                let line = close_spaces_after_number(&part);
                if !line.is_empty() && !is_page_furniture(&line) {
                    lines.push((index + 1, line, display_width(&part)));
                }
            }
        }
    }
    drop_running_titles(&mut lines);
    lines
}

/// Joins lines that ran to `width` with the line after them, unless that one starts with a
/// numbering mark.
fn join_full_lines(lines: Vec<Line>, width: usize) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut previous_full = false;
    for (number, line, raw_width) in lines {
        // No paragraph starts with closing punctuation: such a line always goes on.
        let continues = line.starts_with(CLOSING_PUNCTUATION);
        match out.last_mut() {
            Some((_, paragraph)) if continues || (previous_full && !starts_with_marker(&line)) => {
                join(paragraph, &line);
            }
            _ => out.push((number, line)),
        }
        previous_full = raw_width + FULL_LINE_SLACK >= width;
    }
    out
}

/// The document's paragraphs, each with the line number (1-based) where it starts.
pub fn paragraphs(text: &str) -> Vec<(usize, String)> {
    let lines = lines_of(text);
    match wrap_width(&lines) {
        Some(width) => join_full_lines(lines, width),
        None => lines.into_iter().map(|(n, line, _)| (n, line)).collect(),
    }
}

/// Text laid out on a page (a PDF's): every line that reaches the right margin, the widest
/// lines' width, goes on in the next one. Unlike [`paragraphs`], which must first tell wrapped
/// text from typed text, this needs only two lines at the margin.
pub fn join_page_lines(text: &str) -> String {
    let lines = lines_of(text);
    let widest = lines.iter().map(|(_, _, w)| *w).max().unwrap_or(0);
    let at_margin = lines
        .iter()
        .filter(|(_, _, w)| w + FULL_LINE_SLACK >= widest)
        .count();
    if widest < NARROWEST_WRAP || at_margin < 2 {
        return text.to_owned();
    }
    join_full_lines(lines, widest)
        .into_iter()
        .map(|(_, p)| p)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A paragraph that holds a whole document's structure (a web page or an extraction that lost
/// its line breaks): `第二章 … 2.1 … 问题1：…` run together. It is cut before each structural
/// mark (chapter, `一、` section, `（一）` heading, `2.1` numbering, `问题1：`) that follows a
/// sentence's end or a space, when it holds at least two such marks; items (`一是`, `1.`) are
/// left to the report's reader, which splits them inside paragraphs.
fn split_run_on(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let cuts: Vec<usize> = (1..chars.len())
        .filter(|&i| {
            let before = chars[i - 1];
            (before.is_whitespace() || "。；;！？!?".contains(before))
                && starts_structure(&chars[i..])
        })
        .collect();
    if cuts.len() < 2 {
        return vec![line.to_owned()];
    }
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for at in cuts.into_iter().chain(std::iter::once(chars.len())) {
        let piece: String = chars[from..at].iter().collect();
        let piece = piece.trim();
        if !piece.is_empty() {
            pieces.push(piece.to_owned());
        }
        from = at;
    }
    pieces
}

/// Whether a structural mark (not an item's number) starts here.
fn starts_structure(chars: &[char]) -> bool {
    const LOOK: usize = 12;
    // Every structural mark starts with one of these: most positions are passed over at once.
    if !chars
        .first()
        .is_some_and(|c| c.is_ascii_digit() || "第（(问一二三四五六七八九十".contains(*c))
    {
        return false;
    }
    let head: String = chars.iter().take(LOOK).collect();
    starts_with_marker(&head) && !super::report::starts_with_item(&head)
}

/// As [`close_spaces`], but a heading number's space stays (`3.2 年底前完成…`): without it
/// the line would read as a quantity (`3.2年`).
fn close_spaces_after_number(line: &str) -> String {
    let number = line
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit() && *c != '.')
        .map_or(line.len(), |(i, _)| i);
    let head = &line[..number];
    let is_heading_number = head.contains('.')
        && head.starts_with(|c: char| c.is_ascii_digit())
        && line[number..].starts_with(char::is_whitespace);
    if is_heading_number {
        format!("{head} {}", close_spaces(line[number..].trim_start()))
    } else {
        close_spaces(line)
    }
}

/// Removes the spaces extraction leaves inside Chinese (`学 习`, `3 个`, `2021 年`); spaces
/// between words, or between a word and Chinese, stay.
fn close_spaces(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '\u{3000}' || c == '\u{a0}' {
            let run_end = chars[i..]
                .iter()
                .position(|c| !matches!(c, ' ' | '\u{3000}' | '\u{a0}'))
                .map_or(chars.len(), |n| i + n);
            let before = out.chars().last();
            let after = chars.get(run_end).copied();
            // Gone between two Chinese characters, or one and a number; kept elsewhere.
            let keep = match (before, after) {
                (Some(b), Some(a)) => {
                    let close = |x: char, y: char| is_wide(x) && (is_wide(y) || y.is_ascii_digit());
                    !(close(b, a) || close(a, b))
                }
                _ => false,
            };
            if keep {
                out.push(' ');
            }
            i = run_end;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Page numbers (`- 3 -`, `第 2 页 共 9 页`, `2/9`, a number alone) and the buttons and notes a
/// web page prints around an article.
fn is_page_furniture(line: &str) -> bool {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let digits_only = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if digits_only(&compact) && compact.len() <= 3 {
        return true;
    }
    let dashes = |c: char| matches!(c, '-' | '—' | '–' | '－');
    if digits_only(compact.trim_matches(dashes)) && compact.starts_with(dashes) {
        return true;
    }
    if let Some((a, b)) = compact.split_once('/') {
        if digits_only(a) && digits_only(b) && compact.len() <= 7 {
            return true;
        }
    }
    // 第2页共9页, 共9页第2页, 第2页
    let pages = compact
        .replace(['第', '共', '页'], " ")
        .split_whitespace()
        .all(digits_only);
    if pages && compact.contains('页') && compact.chars().any(|c| c.is_ascii_digit()) {
        return true;
    }
    // A table of contents' entry: 一、存在问题……………3
    let leader = compact.trim_end_matches(|c: char| c.is_ascii_digit());
    if leader.len() < compact.len()
        && ["…", "...", "··", "．．", "——"]
            .iter()
            .any(|l| leader.ends_with(l))
    {
        return true;
    }
    const BUTTONS: [&str; 10] = [
        "收藏",
        "打印",
        "关闭",
        "分享",
        "版权",
        "【打印",
        "【关闭",
        "【字体",
        "字号：",
        "扫一扫",
    ];
    display_width(&compact) <= 24 && BUTTONS.iter().any(|b| compact.starts_with(b))
}

/// A short line repeated on every page (the document's running title) is kept once.
fn drop_running_titles(lines: &mut Vec<Line>) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (_, line, _) in lines.iter() {
        // A sentence (it ends with a stop) is text, however often it is repeated.
        let sentence = line.ends_with(['。', '；', ';', '.']);
        if display_width(line) <= RUNNING_TITLE_MAX_WIDTH && !starts_with_marker(line) && !sentence
        {
            *seen.entry(line.as_str()).or_default() += 1;
        }
    }
    let repeated: HashSet<String> = seen
        .into_iter()
        .filter(|(_, n)| *n >= RUNNING_TITLE_REPEATS)
        .map(|(line, _)| line.to_owned())
        .collect();
    if repeated.is_empty() {
        return;
    }
    let mut kept: HashSet<String> = HashSet::new();
    lines.retain(|(_, line, _)| !repeated.contains(line) || kept.insert(line.clone()));
}

/// The width the text was wrapped at, if it was: many lines end within a few columns of one
/// width, and almost none is wider. Typed paragraphs vary in length and run long.
fn wrap_width(lines: &[Line]) -> Option<usize> {
    let widths: Vec<usize> = lines
        .iter()
        .map(|(_, _, w)| *w)
        .filter(|w| *w >= NARROWEST_WRAP / 2)
        .collect();
    if widths.len() < 6 {
        return None;
    }
    // How many lines have each width (wider ones share the last bucket, which no page width
    // reaches): one pass, whatever the document's length.
    const WIDEST: usize = 400;
    let mut lines_of_width = [0usize; WIDEST + 1];
    for w in &widths {
        lines_of_width[(*w).min(WIDEST)] += 1;
    }
    let (width, near) = (NARROWEST_WRAP..WIDEST)
        .map(|w| {
            let near: usize = lines_of_width[w.saturating_sub(FULL_LINE_SLACK)..=w]
                .iter()
                .sum();
            (w, near)
        })
        .max_by_key(|(w, near)| (*near, *w))?;
    let wider = widths.iter().filter(|x| **x > width + 2).count();
    let wrapped = near >= 4 && near * 10 >= widths.len() * 4 && wider * 10 <= widths.len();
    wrapped.then_some(width)
}

/// Appends a wrapped line's continuation: no space inside Chinese, one between words.
fn join(paragraph: &mut String, next: &str) {
    let before = paragraph.chars().last();
    let after = next.chars().next();
    if let (Some(b), Some(a)) = (before, after) {
        if b.is_ascii_alphanumeric() && a.is_ascii_alphanumeric() {
            paragraph.push(' ');
        }
    }
    paragraph.push_str(next);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wraps text at `columns` half-width columns, as a PDF page does.
    fn hard_wrap(paragraphs: &[&str], columns: usize) -> String {
        let mut out = String::new();
        for p in paragraphs {
            let mut width = 0;
            for c in p.chars() {
                let w = if is_wide(c) { 2 } else { 1 };
                if width + w > columns {
                    out.push('\n');
                    width = 0;
                }
                out.push(c);
                width += w;
            }
            out.push('\n');
        }
        out
    }

    const REPORT: [&str; 9] = [
        "关于召开2026年度组织生活会情况的报告",
        "一、存在问题",
        "（一）理论学习方面。一是学习不够深入，满足于读原文、抄笔记，对新思想新理论的理解停留在表面，没有做到学深悟透。二是理论联系实际不够，学用脱节，运用理论指导社区工作的能力不强。",
        "（二）服务群众方面。一是对物业管理问题跟踪督促不够，群众反映的“楼道堆物、垃圾清运不及时”等问题迟迟没有解决。二是信访问题处置不及时，回迁群众多次集访。",
        "二、原因剖析",
        "一是理论学习的自觉性不强，没有把学习当作政治责任。二是为民服务意识淡化，对群众急难愁盼问题跟踪不够。",
        "三、整改措施",
        "（一）加强理论学习。每周集中学习一次，学用结合，每季度开展一次专题研讨。",
        "（二）改进服务群众。建立物业问题台账，信访件件有回音，2026年12月底前完成整改。",
    ];

    #[test]
    fn a_page_wrapped_report_becomes_its_paragraphs_again() {
        let wrapped = hard_wrap(&REPORT, 52);
        assert!(wrapped.lines().count() > 15, "{wrapped}");
        let paragraphs: Vec<String> = paragraphs(&wrapped).into_iter().map(|(_, p)| p).collect();
        assert_eq!(paragraphs, REPORT);
        // And the report reads as the unwrapped one does.
        let plain = super::super::report::parse(&REPORT.join("\n"));
        let read = super::super::report::parse(&wrapped);
        let items = |items: &[super::super::report::Item]| -> Vec<(String, String, Option<usize>)> {
            items
                .iter()
                .map(|i| (i.title.clone(), i.text.clone(), i.aspect))
                .collect()
        };
        assert_eq!(read.problems.len(), 4);
        assert_eq!(items(&read.problems), items(&plain.problems));
        assert_eq!(items(&read.measures), items(&plain.measures));
        assert_eq!(read.causes.len(), 2);
        assert_eq!(read.measures.len(), 2);
    }

    #[test]
    fn page_furniture_and_extraction_spaces_go() {
        let mut pages = String::new();
        for (page, chunk) in hard_wrap(&REPORT, 52)
            .lines()
            .collect::<Vec<_>>()
            .chunks(8)
            .enumerate()
        {
            pages.push_str("某社区党委组织生活会材料\n");
            for line in chunk {
                // Extraction splits some characters apart.
                pages.push_str(&line.replacen("问题", "问 题", 1));
                pages.push('\n');
            }
            pages.push_str(&format!("- {} -\n第 {} 页 共 4 页\n", page + 1, page + 1));
        }
        pages.push_str("收藏\n【打印】【关闭】\n");
        let paragraphs: Vec<String> = paragraphs(&pages).into_iter().map(|(_, p)| p).collect();
        assert_eq!(paragraphs[0], "某社区党委组织生活会材料");
        assert_eq!(&paragraphs[1..], REPORT);
    }

    #[test]
    fn typed_paragraphs_pass_through_with_their_lines() {
        let text = REPORT.join("\n");
        let read = paragraphs(&text);
        assert_eq!(read.len(), REPORT.len());
        assert_eq!(read[2].0, 3);
        assert_eq!(
            close_spaces("学 习  不深入 3 个 Word 文档 in a row"),
            "学习不深入3个 Word 文档 in a row"
        );
        for furniture in [
            "- 3 -",
            "—12—",
            "第 2 页 共 9 页",
            "共9页 第2页",
            "3/9",
            "17",
            "分享到：",
            "【字体：大 中 小】",
        ] {
            assert!(is_page_furniture(furniture), "{furniture}");
        }
        for text in [
            "2026年12月底前完成",
            "一是学习不深入",
            "第一章 总体情况",
            "12345",
        ] {
            assert!(!is_page_furniture(text), "{text}");
        }
    }

    #[test]
    fn long_typed_paragraphs_are_never_taken_for_a_wrapped_page() {
        let long = "理论学习不够深入，".repeat(30);
        let text = (0..12)
            .map(|i| format!("{long}{i}"))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(paragraphs(&text).len(), 12);
    }

    #[test]
    fn a_marker_starts_a_paragraph_even_after_a_full_line() {
        for line in [
            "一、存在问题",
            "（二）服务群众方面",
            "二是调研不够",
            "1.学习",
            "（1）学习",
            "①学习",
            "第二章 问题",
            "2.1 学习不够",
            "问题3：学习不够",
        ] {
            assert!(starts_with_marker(line), "{line}");
        }
        for line in ["学习不够深入", "2026年底", "1.5倍"] {
            assert!(!starts_with_marker(line), "{line}");
        }
    }

    #[test]
    fn a_document_run_into_one_paragraph_is_cut_at_its_structure() {
        let text = "某局巡察整改报告 第一章 基本情况 巡察组进驻。第二章 存在的问题及原因 \
                    2.1 理论学习方面 问题1：学习不深。成因：认识不足。问题2：制度不严。\
                    第三章 整改措施 3.1 制定学习计划。3.2 完善考核。";
        let got: Vec<String> = paragraphs(text).into_iter().map(|(_, p)| p).collect();
        assert_eq!(
            got,
            [
                "某局巡察整改报告",
                "第一章基本情况巡察组进驻。",
                "第二章存在的问题及原因",
                "2.1 理论学习方面",
                "问题1：学习不深。成因：认识不足。",
                "问题2：制度不严。",
                "第三章整改措施",
                "3.1 制定学习计划。",
                "3.2 完善考核。",
            ]
        );
        // One mark is not a run-on document; items stay inside their paragraph.
        let typed = "（一）理论学习方面。一是学习不深。二是制度不严。";
        assert_eq!(paragraphs(typed), [(1, typed.to_owned())]);
    }
}
