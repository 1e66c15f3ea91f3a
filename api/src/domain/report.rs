//! Reads a self-inspection report (对照检查材料) into a draft ledger: its aspects, problems,
//! causes and measures, each with the source lines it came from, plus warnings for whatever
//! looked odd so that a person can fix the draft.
//!
//! Real reports are written by hand, so the parser is tolerant: sections go by many names,
//! items are numbered `一是` / `1.` / `（1）` / `①`, one per paragraph or run together, and
//! writers slip (`二政治…` without 是, a missing number). It never fails: the worst input gives
//! an empty draft and warnings.

use serde::Serialize;

use super::assignment::{self, Assignment};

/// Longest title taken from an item's first clause, in characters.
const TITLE_MAX_CHARS: usize = 100;
/// A section heading is short; a long `一、…` line is text.
const SECTION_HEADING_MAX_CHARS: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Problems,
    Causes,
    Measures,
}

/// One problem, cause or measure as read from the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Index into [`Report::aspects`] (problems only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect: Option<usize>,
    /// A short title: the heading (measures), else the first clause.
    pub title: String,
    /// The whole text of the item, numbering removed.
    pub text: String,
    /// First and last source line (1-based).
    pub first_line: usize,
    pub last_line: usize,
    /// Indexes into [`Report::causes`] written beside this problem (`问题1：…。成因：…`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<usize>,
    /// Who fixes it and by when, as the document writes it (problems only): its own clauses,
    /// else its group's line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Assignment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Source line (1-based) the warning is about; 0 for the whole document.
    pub line: usize,
    /// Stable code: `numbering_gap`, `missing_shi`, `unnumbered_item`, `maybe_two_items`,
    /// `count_differs`, `starts_mid_text`,
    /// `empty_section`, `missing_section`, `unknown_section`, `unnumbered_aspect`, `no_sections`.
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub aspects: Vec<String>,
    pub problems: Vec<Item>,
    pub causes: Vec<Item>,
    pub measures: Vec<Item>,
    pub warnings: Vec<Warning>,
    /// Set when the document reports on rectification (整改情况报告, 整改进展通报) rather than
    /// finding problems: the totals it reports, as written.
    pub progress_totals: Option<Vec<String>>,
    /// The date the document gives itself (its signature's), for deadlines written in days.
    pub date: Option<chrono::NaiveDate>,
}

/// Parses a report. Any text is accepted; text copied out of a PDF is put back into
/// paragraphs first (see [`super::reflow`]). A document without any section heading (a
/// plain list under `具体问题如下：`, a fragment) is read again as one list of problems.
pub fn parse(text: &str) -> Report {
    let paragraphs = super::reflow::paragraphs(text);
    let read = |mut parser: Parser| {
        for (line, paragraph) in &paragraphs {
            let paragraph = trim(paragraph);
            if !paragraph.is_empty() {
                parser.paragraph(*line, paragraph);
            }
        }
        parser.finish()
    };
    if is_progress_report(&paragraphs) {
        return progress_report(&paragraphs);
    }
    let report = read(Parser::default());
    let mut report = if report.warnings.iter().any(|w| w.code == "no_sections") {
        read(Parser::one_list_of_problems())
    } else {
        report
    };
    report.date = assignment::document_date(paragraphs.iter().map(|(_, p)| p.as_str()));
    report
}

/// Words of a title that announce a report on rectification, not a finding of problems.
const PROGRESS_TITLES: [&str; 7] = [
    "整改情况",
    "整改进展",
    "整改落实情况",
    "整改工作情况",
    "整改工作进展",
    "整改完成情况",
    "整改工作的报告",
];

/// Whether the document's title (among its first lines, before any numbered one) says it
/// reports on rectification.
fn is_progress_report(paragraphs: &[(usize, String)]) -> bool {
    paragraphs
        .iter()
        .take(3)
        .take_while(|(_, p)| !starts_with_marker(p))
        .filter(|(_, p)| p.chars().count() <= 80)
        .any(|(_, p)| PROGRESS_TITLES.iter().any(|w| p.contains(w)))
}

/// A progress report: its action lists (一是加强…) are what was done, never problems. The
/// problems it names by quotation (`关于“……”问题的整改`) are offered, each with the report's
/// words; the totals it reports (已完成整改12个) are kept to show when that is all there is.
fn progress_report(paragraphs: &[(usize, String)]) -> Report {
    let mut report = Report::default();
    let mut totals = Vec::new();
    // The quoted problem whose rectification the paragraphs now report.
    let mut reporting = false;
    for (line, paragraph) in paragraphs {
        let chars: Vec<char> = paragraph.chars().collect();
        if let Some(quoted) = quoted_problem(paragraph) {
            report.problems.push(Item {
                aspect: None,
                title: quoted,
                text: paragraph.clone(),
                first_line: *line,
                last_line: *line,
                causes: Vec::new(),
                assignment: None,
            });
            reporting = true;
        } else if section_number(&chars).is_some() || chapter_number(&chars).is_some() {
            reporting = false;
        } else if let Some(problem) = report.problems.last_mut().filter(|_| reporting) {
            // What was done about it: the report's own words, kept as its progress.
            problem.text.push('\n');
            problem.text.push_str(paragraph);
            problem.last_line = *line;
        }
        for clause in paragraph.split(['，', '。', '；', ',', ';']) {
            let clause = trim(clause);
            let counts = has_count(clause)
                && ["完成", "整改", "销号", "到位", "问题", "完成率"]
                    .iter()
                    .any(|w| clause.contains(w))
                && clause.chars().count() <= 60;
            if counts && totals.len() < 10 {
                totals.push(clause.to_owned());
            }
        }
    }
    report.warnings.push(Warning {
        line: 0,
        code: "progress_report",
        message: "the document reports on rectification (整改情况); its actions were not read \
                  as problems"
            .to_owned(),
    });
    report.progress_totals = Some(totals);
    report
}

/// Whether a clause holds a number other than a year (`2026年`).
fn has_count(clause: &str) -> bool {
    let chars: Vec<char> = clause.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            if !(run == 4 && chars.get(i + run) == Some(&'年')) {
                return true;
            }
            i += run;
        } else {
            i += 1;
        }
    }
    false
}

/// The problem a progress report quotes: `关于“理论学习不深入”问题的整改情况` gives
/// 理论学习不深入.
fn quoted_problem(paragraph: &str) -> Option<String> {
    let open = paragraph.find('“')?;
    let rest = &paragraph[open + '“'.len_utf8()..];
    let close = rest.find('”')?;
    let quoted = trim(&rest[..close]);
    let after = &rest[close + '”'.len_utf8()..];
    let before = &paragraph[..open];
    let names_a_problem = (after.starts_with("问题") || after.starts_with("的问题"))
        && before
            .chars()
            .rev()
            .take(3)
            .collect::<String>()
            .contains("于关");
    (names_a_problem && !quoted.is_empty()).then(|| quoted.to_owned())
}

/// The count a heading declares (`理论学习方面（3条）` → 3), if it declares one.
fn declared_count(title: &str) -> Option<u32> {
    let stripped = without_count(title);
    if stripped.len() == title.trim_end_matches(['：', ':', '。']).len() {
        return None;
    }
    let note: Vec<char> = title[stripped.len()..]
        .chars()
        .skip_while(|c| !c.is_ascii_digit() && !CN_DIGITS.contains(*c))
        .collect();
    arabic_number(&note)
        .or_else(|| cn_number(&note))
        .map(|(n, _)| n)
}

/// A heading's title without the count offices add to it: `理论学习方面（3条）`.
fn without_count(title: &str) -> &str {
    let title = title.trim_end_matches(['：', ':', '。']);
    let Some(open) = title.rfind(['（', '(']) else {
        return title;
    };
    let note = &title[open..];
    let counted = note
        .chars()
        .any(|c| c.is_ascii_digit() || CN_DIGITS.contains(c))
        && note.chars().any(|c| "条个项处点".contains(c))
        && (note.ends_with('）') || note.ends_with(')'));
    if counted {
        trim(&title[..open])
    } else {
        title
    }
}

/// Classifies a section heading's words, or None if they name no section we know.
pub fn section_kind(title: &str) -> Option<SectionKind> {
    // 产生问题的主要原因 names both 问题 and 原因: causes are tested first.
    const CAUSES: [&str; 4] = ["原因", "根源", "根子", "成因"];
    const MEASURES: [&str; 9] = [
        "措施",
        "努力方向",
        "打算",
        "改进方向",
        "整改方向",
        "今后",
        "整改思路",
        "整改要求",
        "下一步",
    ];
    const PROBLEMS: [&str; 5] = ["问题", "不足", "差距", "具体表现", "查摆"];
    // 存在的问题及原因: the problems, each with its cause written beside it.
    let problems_with_causes = ["问题及原因", "问题和原因", "问题与原因", "问题及成因"]
        .iter()
        .any(|w| title.contains(w));
    if problems_with_causes {
        return Some(SectionKind::Problems);
    }
    if CAUSES.iter().any(|w| title.contains(w)) {
        Some(SectionKind::Causes)
    } else if MEASURES.iter().any(|w| title.contains(w)) {
        Some(SectionKind::Measures)
    } else if PROBLEMS.iter().any(|w| title.contains(w)) {
        Some(SectionKind::Problems)
    } else {
        None
    }
}

fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

const CN_DIGITS: &str = "一二三四五六七八九十";

/// A Chinese numeral 1..99 at the start of `chars`: (value, chars used).
fn cn_number(chars: &[char]) -> Option<(u32, usize)> {
    let len = chars.iter().take_while(|c| CN_DIGITS.contains(**c)).count();
    if len == 0 || len > 3 {
        return None;
    }
    let digit = |c: char| CN_DIGITS.chars().position(|d| d == c).map(|p| p as u32 + 1);
    let value = match &chars[..len] {
        [d] => digit(*d)?,
        ['十', d] => 10 + digit(*d).filter(|v| *v < 10)?,
        [d, '十'] => digit(*d).filter(|v| (2..10).contains(v))? * 10,
        [d, '十', e] => {
            digit(*d).filter(|v| (2..10).contains(v))? * 10 + digit(*e).filter(|v| *v < 10)?
        }
        _ => return None,
    };
    Some((value, len))
}

fn arabic_number(chars: &[char]) -> Option<(u32, usize)> {
    let len = chars
        .iter()
        .take_while(|c| c.is_ascii_digit() || ('０'..='９').contains(*c))
        .count();
    if len == 0 || len > 3 {
        return None;
    }
    let value = chars[..len].iter().fold(0u32, |acc, c| {
        let d = c.to_digit(10).unwrap_or_else(|| *c as u32 - '０' as u32);
        acc * 10 + d
    });
    Some((value, len))
}

fn is_open_paren(c: char) -> bool {
    c == '（' || c == '('
}
fn is_close_paren(c: char) -> bool {
    c == '）' || c == ')'
}

/// `（一）` or `(一)` at the start: a sub-heading (aspect or measure). Returns (n, chars used).
fn sub_heading(chars: &[char]) -> Option<(u32, usize)> {
    if !is_open_paren(*chars.first()?) {
        return None;
    }
    let (n, len) = cn_number(&chars[1..])?;
    is_close_paren(*chars.get(1 + len)?).then_some((n, len + 2))
}

/// `一、` at the start: a section heading number. Returns chars used.
fn section_number(chars: &[char]) -> Option<usize> {
    let (_, len) = cn_number(chars)?;
    matches!(chars.get(len), Some('、' | '，' | '.' | '．')).then_some(len + 1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Marker {
    number: u32,
    len: usize,
    /// `二政治…`: a Chinese number without its 是.
    missing_shi: bool,
}

/// An item number at `chars[0..]`: `一是`, `1.` `1、` `1．`, `（1）` `(1)`, `①`.
fn item_marker(chars: &[char]) -> Option<Marker> {
    let first = *chars.first()?;
    if let Some((number, len)) = problem_number(chars) {
        return Some(Marker {
            number,
            len,
            missing_shi: false,
        });
    }
    let plain = |number, len| {
        Some(Marker {
            number,
            len,
            missing_shi: false,
        })
    };
    if let Some((n, len)) = cn_number(chars) {
        return match chars.get(len) {
            Some('是') => plain(n, len + 1),
            _ => None,
        };
    }
    if let Some((n, len)) = arabic_number(chars) {
        // `1.` but not `1.5`; `1、`.
        return match (chars.get(len), chars.get(len + 1)) {
            (Some('、'), _) => plain(n, len + 1),
            (Some('.' | '．'), next) if !next.is_some_and(|c| c.is_ascii_digit()) => {
                plain(n, len + 1)
            }
            _ => None,
        };
    }
    if is_open_paren(first) {
        let (n, len) = arabic_number(&chars[1..])?;
        return is_close_paren(*chars.get(1 + len)?)
            .then(|| plain(n, len + 2))
            .flatten();
    }
    if ('①'..='⑳').contains(&first) {
        return plain(first as u32 - '①' as u32 + 1, 1);
    }
    None
}

/// `问题1：`, `问题一、`: an item named as a problem. Returns (n, chars used).
fn problem_number(chars: &[char]) -> Option<(u32, usize)> {
    if chars.len() < 3 || chars[0] != '问' || chars[1] != '题' {
        return None;
    }
    let rest = &chars[2..];
    let (n, len) = arabic_number(rest).or_else(|| cn_number(rest))?;
    matches!(rest.get(len), Some('：' | ':' | '、' | '.' | '．')).then_some((n, len + 3))
}

/// Whether a line opens with an item's number (`一是`, `1.`, `（1）`, `①`), which may stand
/// inside a paragraph; other marks are structure.
pub(crate) fn starts_with_item(line: &str) -> bool {
    let chars: Vec<char> = line.chars().collect();
    item_marker(&chars).is_some() && problem_number(&chars).is_none()
}

/// `第二章`, `第三部分`: a chapter, read as a section heading. Returns chars used.
fn chapter_number(chars: &[char]) -> Option<usize> {
    if chars.first() != Some(&'第') {
        return None;
    }
    let rest = &chars[1..];
    let (_, len) = cn_number(rest).or_else(|| arabic_number(rest))?;
    match (rest.get(len), rest.get(len + 1)) {
        (Some('章' | '篇'), _) => Some(len + 2),
        (Some('部'), Some('分')) => Some(len + 3),
        _ => None,
    }
}

/// `2.1`, `3.2.1` followed by words: a numbered heading. Returns chars used (the space after
/// it included).
fn decimal_heading(chars: &[char]) -> Option<usize> {
    let (_, len) = arabic_number(chars)?;
    if chars.get(len) != Some(&'.') || !chars.get(len + 1).is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    let head: String = chars.iter().take(16).collect();
    if !starts_with_marker(&head) {
        return None;
    }
    let end = chars[len..]
        .iter()
        .position(|c| !c.is_ascii_digit() && *c != '.')
        .map_or(chars.len(), |p| len + p);
    let spaces = chars[end..]
        .iter()
        .take_while(|c| c.is_whitespace())
        .count();
    Some(end + spaces)
}

/// Whether a line opens with a numbering mark (a section, a sub-heading, an item, a chapter,
/// `问题1：`): it starts a paragraph of its own, whatever ended the line before.
pub(crate) fn starts_with_marker(line: &str) -> bool {
    let chars: Vec<char> = line.chars().collect();
    if section_number(&chars).is_some()
        || sub_heading(&chars).is_some()
        || item_marker(&chars).is_some()
    {
        return true;
    }
    // 第二章, 第三节, 第1条.
    if chars.first() == Some(&'第') {
        let rest = &chars[1..];
        let len = cn_number(rest)
            .or_else(|| arabic_number(rest))
            .map(|(_, len)| len);
        if let Some(len) = len {
            return matches!(rest.get(len), Some('章' | '节' | '条' | '部' | '篇'));
        }
    }
    // 2.1 or 2.1.3 followed by words (not 1.5倍, 2.5万元: a decimal and its unit).
    if let Some((_, len)) = arabic_number(&chars) {
        if chars.get(len) == Some(&'.') && chars.get(len + 1).is_some_and(|c| c.is_ascii_digit()) {
            let after = chars[len + 1..]
                .iter()
                .find(|c| !c.is_ascii_digit() && **c != '.');
            const UNITS: &str = "倍万亿元角个%％米吨人次户件项天年月日时分秒小公斤千百";
            return after.is_some_and(|c| c.is_whitespace() || !UNITS.contains(*c));
        }
    }
    // 问题1：, 问题一:
    if let Some(rest) = line.strip_prefix("问题") {
        let rest: Vec<char> = rest.chars().collect();
        if let Some((_, len)) = arabic_number(&rest).or_else(|| cn_number(&rest)) {
            return matches!(rest.get(len), Some('：' | ':' | '、' | '.' | '．'));
        }
    }
    false
}

/// Whether an item may start after `before`: at the start, or after a sentence ends.
fn at_boundary(before: &[char]) -> bool {
    match before.iter().rev().find(|c| !c.is_whitespace()) {
        None => true,
        Some(c) => "。；;！？!?：:.".contains(*c),
    }
}

/// The first clause, for a title: up to the first clause-ending mark after a few characters.
pub fn first_clause(text: &str) -> String {
    let chars: Vec<char> = trim(text).chars().collect();
    let end = chars
        .iter()
        .enumerate()
        .position(|(i, c)| i >= 1 && "，,。；;：:！？!?".contains(*c))
        .unwrap_or(chars.len());
    let mut title: String = chars[..end.min(TITLE_MAX_CHARS)].iter().collect();
    if end > TITLE_MAX_CHARS {
        title.push('…');
    }
    let title = trim(&title).to_owned();
    if title.is_empty() {
        chars.iter().take(TITLE_MAX_CHARS).collect()
    } else {
        title
    }
}

/// Labels that put a problem's cause beside it: `问题1：…。成因：…。`
const INLINE_CAUSE_LABELS: [&str; 6] = [
    "原因分析",
    "产生原因",
    "问题原因",
    "主要原因",
    "成因",
    "原因",
];

/// A problem's text and the cause written after it, when a cause label follows a sentence's
/// end (or starts the text's second line).
fn split_inline_cause(text: &str) -> Option<(String, String)> {
    let chars: Vec<char> = text.chars().collect();
    for i in 1..chars.len() {
        if !"。；;\n".contains(chars[i - 1]) {
            continue;
        }
        let rest: String = chars[i..].iter().take(8).collect();
        for label in INLINE_CAUSE_LABELS {
            let Some(after) = rest.strip_prefix(label) else {
                continue;
            };
            if after.starts_with(['：', ':']) {
                let skip = label.chars().count() + 1;
                let cause: String = chars[i + skip..].iter().collect();
                let problem: String = chars[..i].iter().collect();
                let (problem, cause) = (trim(&problem), trim(&cause));
                if !problem.is_empty() && !cause.is_empty() {
                    return Some((problem.to_owned(), cause.to_owned()));
                }
            }
        }
    }
    None
}

/// The signature under a document: the signing body (`某某党委`, `某某局领导班子`) or its date
/// on a line of its own. Neither is an item.
fn is_signature(text: &str) -> bool {
    const BODIES: [&str; 16] = [
        "党委",
        "党组",
        "支部",
        "总支",
        "委员会",
        "领导班子",
        "办公室",
        "局",
        "厅",
        "委",
        "公司",
        "中心",
        "政府",
        "街道",
        "社区",
        "学校",
    ];
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let plain = compact.chars().count() <= 24
        && !compact.chars().any(|c| "，,。；;：:！？!?".contains(c))
        && item_marker(&compact.chars().collect::<Vec<_>>()).is_none();
    let dated = assignment::document_date(std::iter::once(compact.as_str())).is_some();
    plain && (dated || BODIES.iter().any(|b| compact.ends_with(b)))
}

/// Paragraphs that go on with the previous item rather than start one (examples, asides).
fn continues_previous(text: &str) -> bool {
    [
        "比如",
        "例如",
        "如：",
        "又如",
        "又比如",
        "譬如",
        "同时",
        "此外",
        "另外",
        "其中",
    ]
    .iter()
    .any(|w| text.starts_with(w))
}

#[derive(Debug)]
struct Draft {
    aspect: Option<usize>,
    title: Option<String>,
    text: String,
    first_line: usize,
    last_line: usize,
}

#[derive(Debug, Default)]
struct Section {
    kind: Option<SectionKind>,
    heading_line: usize,
    /// Numbered items, in order.
    items: Vec<Draft>,
    /// `（一）标题。正文` blocks (measures, and causes written that way).
    headed: Vec<Draft>,
    /// Per aspect / heading: the last item number seen.
    last_number: Option<u32>,
    /// Text of the current aspect before its first item (its opening summary).
    aspect_lead: Option<Draft>,
    /// An aspect section's declared count of items (`（3条）`): (aspect, count).
    declared: Option<(usize, u32)>,
}

#[derive(Debug, Default)]
struct Parser {
    report: Report,
    section: Option<Section>,
    seen: Vec<SectionKind>,
    saw_heading: bool,
    /// Reading a document without headings as one list of problems.
    one_list: bool,
    /// Group lines (`责任单位：… 整改时限：…`) by the aspect they stand in (None: no aspect).
    groups: Vec<(Option<usize>, Assignment)>,
    /// The document's first paragraph starts inside a sentence (a fragment).
    starts_mid_sentence: bool,
    /// The number of the first item read.
    first_number: Option<u32>,
    /// A paragraph has been read.
    read_any: bool,
}

impl Parser {
    fn warn(&mut self, line: usize, code: &'static str, message: String) {
        self.report.warnings.push(Warning {
            line,
            code,
            message,
        });
    }

    fn paragraph(&mut self, line: usize, text: &str) {
        let chars: Vec<char> = text.chars().collect();
        if !std::mem::replace(&mut self.read_any, true) {
            self.starts_mid_sentence = chars
                .first()
                .is_some_and(|c| "，。；、）”》的了和与及并等而".contains(*c));
        }
        if let Some(used) = section_number(&chars).or_else(|| chapter_number(&chars)) {
            if chars.len() <= SECTION_HEADING_MAX_CHARS {
                let title: String = chars[used..].iter().collect();
                self.start_section(line, trim(&title));
                return;
            }
        }
        let Some(section) = self.section.as_ref() else {
            return; // the preamble
        };
        if is_signature(text) {
            return;
        }
        let Some(kind) = section.kind else {
            return; // a section we do not read; warned at its heading
        };
        if let (rest, Some(found)) = assignment::take(text) {
            if rest.chars().all(|c| !c.is_alphanumeric()) {
                // A line that only assigns: it speaks for its group's problems.
                if kind == SectionKind::Problems {
                    let aspect = self.report.aspects.len().checked_sub(1);
                    self.groups.push((aspect, found));
                }
                return;
            }
        }
        if let Some((_, used)) = sub_heading(&chars) {
            let rest: String = chars[used..].iter().collect();
            self.heading(line, kind, trim(&rest));
            return;
        }
        if let Some(used) = decimal_heading(&chars) {
            let rest: String = chars[used..].iter().collect();
            let rest = trim(&rest);
            // In the problems, `2.1 理论学习方面` is an aspect and `2.1 学习不深入。…` an item.
            let names_aspect = {
                let name = rest
                    .split(['。', '：', ':', '；'])
                    .next()
                    .unwrap_or_default();
                name.contains("方面") || (rest.chars().count() <= 20 && !rest.contains('。'))
            };
            if kind != SectionKind::Problems || names_aspect {
                self.heading(line, kind, rest);
            } else {
                self.numbered_item(line, rest);
            }
            return;
        }
        self.body(line, &chars);
    }

    /// An item whose number is not an item marker (`2.3 …` in the problems): one item.
    fn numbered_item(&mut self, line: usize, text: &str) {
        self.close_aspect();
        let aspect = self.report.aspects.len().checked_sub(1);
        if let Some(section) = self.section.as_mut() {
            section.items.push(Draft {
                aspect,
                title: None,
                text: text.to_owned(),
                first_line: line,
                last_line: line,
            });
            section.last_number = Some(section.last_number.unwrap_or(0) + 1);
        }
    }

    /// A parser that reads the whole document as the problems section.
    fn one_list_of_problems() -> Self {
        Parser {
            section: Some(Section {
                kind: Some(SectionKind::Problems),
                ..Default::default()
            }),
            seen: vec![SectionKind::Problems],
            saw_heading: true,
            one_list: true,
            ..Default::default()
        }
    }

    fn start_section(&mut self, line: usize, title: &str) {
        self.close_section();
        self.saw_heading = true;
        let declared = declared_count(title);
        let title = without_count(title);
        // A list whose sections are its aspects: 一、理论学习方面（3条）.
        let aspect = (section_kind(title).is_none() && title.ends_with("方面")).then_some(title);
        let declared = declared
            .zip(aspect)
            .map(|(n, _)| (self.report.aspects.len(), n));
        let kind = section_kind(title).or(aspect.map(|_| SectionKind::Problems));
        if let Some(aspect) = aspect {
            self.report.aspects.push(aspect.to_owned());
        }
        match kind {
            Some(kind) => self.seen.push(kind),
            None => self.warn(
                line,
                "unknown_section",
                format!(
                    "section “{title}” is not problems, causes or measures; its text was skipped"
                ),
            ),
        }
        self.section = Some(Section {
            kind,
            heading_line: line,
            declared,
            ..Default::default()
        });
    }

    /// `（一）…`: an aspect in the problems section, a headed block elsewhere.
    fn heading(&mut self, line: usize, kind: SectionKind, rest: &str) {
        self.close_aspect();
        let chars: Vec<char> = rest.chars().collect();
        if kind == SectionKind::Problems {
            // The name runs to 方面 when it says so, else to the first stop.
            // 正反两方面经验方面：the name ends at the 方面 that a stop (or the line's end) follows.
            let ends_name = |at: &usize| {
                rest[at + "方面".len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| "。：:，,；;".contains(c))
            };
            let at = rest
                .match_indices("方面")
                .map(|(at, _)| at)
                .find(ends_name)
                .or_else(|| rest.find("方面"));
            let (name, body) = match at {
                Some(at) => (&rest[..at + "方面".len()], &rest[at + "方面".len()..]),
                None => {
                    let end = chars
                        .iter()
                        .position(|c| "。：:".contains(*c))
                        .unwrap_or(chars.len());
                    let name_len: usize = chars[..end].iter().map(|c| c.len_utf8()).sum();
                    (&rest[..name_len], &rest[name_len..])
                }
            };
            let name = trim(name.trim_end_matches(['。', '：', ':']));
            let name = if name.is_empty() {
                "未命名方面"
            } else {
                name
            };
            self.report.aspects.push(name.to_owned());
            let body = trim(body.trim_start_matches(['。', '：', ':', '，', ',', '；']));
            if let Some(section) = self.section.as_mut() {
                section.last_number = None;
            }
            if !body.is_empty() {
                let chars: Vec<char> = body.chars().collect();
                self.body(line, &chars);
            }
            return;
        }
        // A headed measure (or cause): the title runs to the first 。.
        let end = chars
            .iter()
            .position(|c| "。：:".contains(*c))
            .unwrap_or(chars.len());
        let title: String = chars[..end].iter().collect();
        let body: String = chars[(end + 1).min(chars.len())..].iter().collect();
        let title = trim(&title);
        let section = self
            .section
            .as_mut()
            .expect("a heading is inside a section");
        section.last_number = None;
        section.headed.push(Draft {
            aspect: None,
            title: Some(if title.is_empty() {
                first_clause(&body)
            } else {
                title.to_owned()
            }),
            text: trim(&body).to_owned(),
            first_line: line,
            last_line: line,
        });
    }

    /// Text that is not a heading: split it into numbered items.
    fn body(&mut self, line: usize, chars: &[char]) {
        let aspect = self.report.aspects.len().checked_sub(1);
        let section = self
            .section
            .as_mut()
            .expect("body text is inside a section");
        if section.kind != Some(SectionKind::Problems) {
            if let Some(headed) = section.headed.last_mut() {
                // The body of a headed measure goes on, numbered points and all.
                let text: String = chars.iter().collect();
                if !headed.text.is_empty() {
                    headed.text.push('\n');
                }
                headed.text.push_str(&text);
                headed.last_line = line;
                return;
            }
        }
        let mut warnings = Vec::new();
        let mut first_number = self.first_number;
        // Cut points: (start of marker, marker).
        let mut cuts: Vec<(usize, Marker)> = Vec::new();
        let mut expected = section.last_number.map_or(1, |n| n + 1);
        let mut i = 0;
        while i < chars.len() {
            let start_of_paragraph = i == 0;
            let marker = item_marker(&chars[i..]).or_else(|| {
                // `二政治…`: at a paragraph start only, and only for the number expected next.
                let (n, len) = cn_number(&chars[i..])?;
                let next = *chars.get(i + len)?;
                (start_of_paragraph && n == expected && n >= 2 && !"、，,.．）)".contains(next))
                    .then_some(Marker {
                        number: n,
                        len,
                        missing_shi: true,
                    })
            });
            if let Some(marker) = marker {
                if start_of_paragraph || (at_boundary(&chars[..i]) && marker.number == expected) {
                    // An aspect's first item may go on with the numbering of the one before.
                    let opens_aspect = cuts.is_empty() && section.last_number.is_none();
                    if marker.number != expected && !opens_aspect {
                        let message = if marker.number < expected {
                            format!(
                                "numbering restarts at {} (expected {expected})",
                                marker.number
                            )
                        } else {
                            format!("item {} follows item {}", marker.number, expected - 1)
                        };
                        warnings.push((line, "numbering_gap", message));
                    }
                    if marker.missing_shi {
                        warnings.push((
                            line,
                            "missing_shi",
                            format!(
                                "item {} is numbered without 是; read as an item",
                                marker.number
                            ),
                        ));
                    }
                    cuts.push((i, marker));
                    first_number.get_or_insert(marker.number);
                    expected = marker.number + 1;
                    i += marker.len;
                    continue;
                } else if marker.number == expected && !marker.missing_shi {
                    warnings.push((
                        line,
                        "maybe_two_items",
                        format!(
                            "item {} may start inside the previous one (no sentence ends before it)",
                            marker.number
                        ),
                    ));
                }
            }
            i += 1;
        }
        let lead: String = chars[..cuts.first().map_or(chars.len(), |(at, _)| *at)]
            .iter()
            .collect();
        let lead = trim(&lead);
        if !lead.is_empty() {
            let numbered_before = section.last_number.is_some();
            if let Some(previous) = section.items.last_mut().filter(|_| numbered_before) {
                if continues_previous(lead) {
                    previous.text.push('\n');
                    previous.text.push_str(lead);
                    previous.last_line = line;
                } else {
                    warnings.push((
                        line,
                        "unnumbered_item",
                        "a paragraph without a number follows a numbered item; read as a new item"
                            .to_owned(),
                    ));
                    section.items.push(Draft {
                        aspect,
                        title: None,
                        text: lead.to_owned(),
                        first_line: line,
                        last_line: line,
                    });
                }
            } else {
                // Before an aspect's first item: its opening summary, not an item.
                match section.aspect_lead.as_mut() {
                    Some(d) => {
                        d.text.push('\n');
                        d.text.push_str(lead);
                        d.last_line = line;
                    }
                    None => {
                        section.aspect_lead = Some(Draft {
                            aspect,
                            title: None,
                            text: lead.to_owned(),
                            first_line: line,
                            last_line: line,
                        })
                    }
                }
            }
        }
        for (k, (at, marker)) in cuts.iter().enumerate() {
            let end = cuts.get(k + 1).map_or(chars.len(), |(next, _)| *next);
            let text: String = chars[at + marker.len..end].iter().collect();
            section.items.push(Draft {
                aspect,
                title: None,
                text: trim(&text).to_owned(),
                first_line: line,
                last_line: line,
            });
            section.last_number = Some(marker.number);
        }
        self.first_number = first_number;
        for (line, code, message) in warnings {
            self.warn(line, code, message);
        }
    }

    /// An aspect ends: if it had text but no numbered item, that text is its one problem.
    fn close_aspect(&mut self) {
        let Some(section) = self.section.as_mut() else {
            return;
        };
        let Some(lead) = section.aspect_lead.take() else {
            return;
        };
        let has_items = section
            .items
            .last()
            .is_some_and(|item| item.aspect == lead.aspect && item.first_line >= lead.first_line);
        if section.kind == Some(SectionKind::Problems) && !has_items && lead.aspect.is_some() {
            let line = lead.first_line;
            section.items.push(lead);
            self.warn(
                line,
                "unnumbered_aspect",
                "an aspect has text but no numbered items; its text was read as one problem"
                    .to_owned(),
            );
        }
    }

    fn close_section(&mut self) {
        self.close_aspect();
        let Some(section) = self.section.take() else {
            return;
        };
        let Some(kind) = section.kind else {
            return;
        };
        if let Some((aspect, declared)) = section.declared {
            let read = section
                .items
                .iter()
                .filter(|i| i.aspect == Some(aspect))
                .count();
            if read != declared as usize {
                self.warn(
                    section.heading_line,
                    "count_differs",
                    format!(
                        "the heading declares {declared} items and {read} were read; check the \
                         draft against the document"
                    ),
                );
            }
        }
        // Causes and measures written as `（一）标题。正文` are one item per heading; numbered
        // points inside such a body belong to it.
        let drafts = if kind == SectionKind::Problems || section.headed.is_empty() {
            section.items
        } else {
            section.headed
        };
        if drafts.is_empty() && !self.one_list {
            self.warn(
                section.heading_line,
                "empty_section",
                format!("the {} section has no items", section_name(kind)),
            );
        }
        let mut inline_causes = Vec::new();
        let items: Vec<Item> = drafts
            .into_iter()
            .map(|mut d| {
                let mut causes = Vec::new();
                let mut written = None;
                if kind == SectionKind::Problems {
                    let (text, own) = assignment::take(&d.text);
                    let own = own.unwrap_or_default();
                    let group = |aspect: Option<usize>| {
                        self.groups
                            .iter()
                            .rev()
                            .find(|(a, _)| *a == aspect)
                            .map(|(_, g)| g.clone())
                            .unwrap_or_default()
                    };
                    let found = own.or(&group(d.aspect)).or(&group(None));
                    written = (!found.is_empty()).then_some(found);
                    if !text.is_empty() {
                        d.text = text;
                    }
                    if let Some((problem, cause)) = split_inline_cause(&d.text) {
                        causes.push(self.report.causes.len() + inline_causes.len());
                        inline_causes.push(Item {
                            aspect: None,
                            title: first_clause(&cause),
                            text: cause,
                            first_line: d.first_line,
                            last_line: d.last_line,
                            causes: Vec::new(),
                            assignment: None,
                        });
                        d.text = problem;
                    }
                }
                (d, causes, written)
            })
            .filter_map(|(d, causes, assignment)| {
                let title = d
                    .title
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| first_clause(&d.text));
                (!title.trim().is_empty()).then(|| Item {
                    aspect: if kind == SectionKind::Problems {
                        d.aspect
                    } else {
                        None
                    },
                    text: if d.text.is_empty() {
                        title.clone()
                    } else {
                        d.text
                    },
                    title,
                    first_line: d.first_line,
                    last_line: d.last_line,
                    causes,
                    assignment,
                })
            })
            .collect();
        if !inline_causes.is_empty() {
            self.report.causes.extend(inline_causes);
            self.seen.push(SectionKind::Causes);
        }
        match kind {
            SectionKind::Problems => self.report.problems.extend(items),
            SectionKind::Causes => self.report.causes.extend(items),
            SectionKind::Measures => self.report.measures.extend(items),
        }
    }

    fn finish(mut self) -> Report {
        self.close_section();
        let from_the_middle = self.starts_mid_sentence || self.first_number.is_some_and(|n| n > 1);
        if self.one_list && from_the_middle {
            self.warn(
                1,
                "starts_mid_text",
                "the document starts inside a text (a sentence cut, or items from a number past \
                 1); the items it shows were read, the ones before it are not there"
                    .to_owned(),
            );
        }
        if self.one_list {
            self.warn(
                0,
                "no_sections",
                "no section heading such as “一、存在问题” was found; the numbered items were read \
                 as problems"
                    .to_owned(),
            );
        } else if !self.saw_heading {
            self.warn(
                0,
                "no_sections",
                "no section heading such as “一、存在问题” was found; nothing was read".to_owned(),
            );
        } else {
            for kind in [
                SectionKind::Problems,
                SectionKind::Causes,
                SectionKind::Measures,
            ] {
                if !self.seen.contains(&kind) {
                    self.warn(
                        0,
                        "missing_section",
                        format!("the report has no {} section", section_name(kind)),
                    );
                }
            }
        }
        self.report
    }
}

fn section_name(kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::Problems => "problems (存在问题)",
        SectionKind::Causes => "causes (原因剖析)",
        SectionKind::Measures => "measures (整改措施)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(items: &[Item]) -> Vec<&str> {
        items.iter().map(|i| i.title.as_str()).collect()
    }

    fn codes(report: &Report) -> Vec<&'static str> {
        report.warnings.iter().map(|w| w.code).collect()
    }

    /// Aspects on their own line, one item per paragraph, an opening summary, a slip.
    const PARAGRAPHS: &str = "\
关于召开年度民主生活会的对照检查材料
一、对照检查发现的主要问题
（一）理论学习方面。
班子成员能够坚持集中学习，但仍然存在学用脱节的情况。
一是学习计划执行不严格。年初制定的学习计划有三次未按时完成。
二是学习形式比较单调，以读文件为主。
（二）服务群众方面
一是走访群众次数偏少。比如，全年入户走访不足二十次。
比如，网格员反映的问题没有及时回应。
二联系企业不够紧密。
二、产生问题的根源
一是宗旨意识有所淡化。
二是作风建设抓得不紧。
三、今后的努力方向
（一）加强学习。每周集中学习一次。
（二）改进作风。每月走访群众不少于四次；
建立问题台账，逐条销号。
";

    #[test]
    fn paragraphs_with_aspects_summaries_and_a_missing_shi() {
        let r = parse(PARAGRAPHS);
        assert_eq!(r.aspects, ["理论学习方面", "服务群众方面"]);
        assert_eq!(
            titles(&r.problems),
            [
                "学习计划执行不严格",
                "学习形式比较单调",
                "走访群众次数偏少",
                "联系企业不够紧密"
            ]
        );
        assert_eq!(
            r.problems.iter().map(|p| p.aspect).collect::<Vec<_>>(),
            [Some(0), Some(0), Some(1), Some(1)]
        );
        // The summary before the first item is not an item; an example paragraph goes on.
        assert!(!r.problems.iter().any(|p| p.text.contains("坚持集中学习")));
        assert_eq!(
            r.problems[2].text,
            "走访群众次数偏少。比如，全年入户走访不足二十次。\n比如，网格员反映的问题没有及时回应。"
        );
        assert_eq!((r.problems[2].first_line, r.problems[2].last_line), (8, 9));
        assert_eq!(
            r.problems[0].text,
            "学习计划执行不严格。年初制定的学习计划有三次未按时完成。"
        );
        assert_eq!(titles(&r.causes), ["宗旨意识有所淡化", "作风建设抓得不紧"]);
        assert_eq!(titles(&r.measures), ["加强学习", "改进作风"]);
        assert_eq!(
            r.measures[1].text,
            "每月走访群众不少于四次；\n建立问题台账，逐条销号。"
        );
        assert_eq!(
            (r.measures[1].first_line, r.measures[1].last_line),
            (16, 17)
        );
        assert_eq!(codes(&r), ["missing_shi"]);
        assert_eq!(r.warnings[0].line, 10);
    }

    /// Aspects inline before their items, items run together in one paragraph.
    const INLINE: &str = "\
一、存在问题
（一）“政治建设”方面：一是学习不深入，满足于抄笔记。二是理论联系实际不够；三是落实部署不到位，说一步做一步。
（二）“组织生活”方面:一是活动室利用率低。二是党建品牌不突出。
二、原因分析
一是服务意识不强。二是制度执行不规范。
三、整改措施
下一步，将以此为契机改进工作。
（一）加强理论武装。坚持每周学习。
（二）倾心服务群众。建立民情台账。
";

    #[test]
    fn inline_aspects_and_items_run_together() {
        let r = parse(INLINE);
        assert_eq!(r.aspects, ["“政治建设”方面", "“组织生活”方面"]);
        assert_eq!(
            titles(&r.problems),
            [
                "学习不深入",
                "理论联系实际不够",
                "落实部署不到位",
                "活动室利用率低",
                "党建品牌不突出"
            ]
        );
        assert!(r
            .problems
            .iter()
            .take(3)
            .all(|p| p.first_line == 2 && p.last_line == 2));
        assert_eq!(titles(&r.causes), ["服务意识不强", "制度执行不规范"]);
        // The introduction before the first measure is not a measure.
        assert_eq!(titles(&r.measures), ["加强理论武装", "倾心服务群众"]);
        assert_eq!(r.measures[0].text, "坚持每周学习。");
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn arabic_parenthesised_and_circled_numbers() {
        let r = parse(
            "一、问题清单\n1.台账不完整。\n2．资料归档不及时。\n3、会议记录不规范。\n\
             二、原因剖析\n（1）重视不够。\n(2)检查不严。\n三、整改措施\n①完善台账。②按月归档。",
        );
        assert_eq!(
            titles(&r.problems),
            ["台账不完整", "资料归档不及时", "会议记录不规范"]
        );
        assert_eq!(titles(&r.causes), ["重视不够", "检查不严"]);
        assert_eq!(titles(&r.measures), ["完善台账", "按月归档"]);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        // A decimal is not a number: `1.5` stays in its item.
        let r = parse("一、存在问题\n1.经费超支1.5万元。\n2.报销不及时。");
        assert_eq!(titles(&r.problems), ["经费超支1.5万元", "报销不及时"]);
    }

    #[test]
    fn half_width_punctuation_is_read_like_full_width() {
        let r = parse(
            "一、存在问题\n(一)作风方面:一是会议多,落实少.二是调研少;\n二、原因\n一是担当不够\n三、措施\n(一)改进作风.少开会.",
        );
        assert_eq!(r.aspects, ["作风方面"]);
        assert_eq!(titles(&r.problems), ["会议多", "调研少"]);
        assert_eq!(titles(&r.causes), ["担当不够"]);
        assert_eq!(titles(&r.measures), ["改进作风.少开会."]);
    }

    #[test]
    fn numbering_gaps_and_restarts_are_warned_and_kept() {
        let r = parse("一、存在问题\n一是甲问题。\n三是丙问题。\n一是又一个问题。");
        assert_eq!(titles(&r.problems), ["甲问题", "丙问题", "又一个问题"]);
        assert_eq!(codes(&r)[..2], ["numbering_gap", "numbering_gap"]);
        assert_eq!(r.warnings[0].line, 3);
        assert!(r.warnings[0].message.contains("item 3 follows item 1"));
        assert!(r.warnings[1].message.contains("restarts"));
    }

    #[test]
    fn a_paragraph_without_a_number_is_a_new_item_with_a_warning() {
        let r = parse("一、存在问题\n一是甲问题。\n乙问题没有编号。\n二、原因剖析\n一是原因。\n三、整改措施\n一是措施。");
        assert_eq!(titles(&r.problems), ["甲问题", "乙问题没有编号"]);
        assert_eq!(codes(&r), ["unnumbered_item"]);
        assert_eq!(r.warnings[0].line, 3);
    }

    #[test]
    fn an_item_that_might_be_two_is_warned() {
        let r = parse("一、存在问题\n一是学习不深，二是调研不实。\n二、原因剖析\n一是原因。\n三、整改措施\n一是措施。");
        assert_eq!(r.problems.len(), 1);
        assert_eq!(codes(&r), ["maybe_two_items"]);
    }

    #[test]
    fn an_aspect_without_numbered_items_is_one_problem() {
        let r = parse("一、存在问题\n（一）纪律方面\n个别同志上班迟到早退。\n（二）作风方面：一是调研少。\n二、原因\n一是原因。\n三、措施\n一是措施。");
        assert_eq!(titles(&r.problems), ["个别同志上班迟到早退", "调研少"]);
        assert_eq!(r.problems[0].aspect, Some(0));
        assert_eq!(codes(&r), ["unnumbered_aspect"]);
    }

    #[test]
    fn sections_go_by_many_names() {
        for (title, kind) in [
            ("存在问题", SectionKind::Problems),
            ("对照查摆出的主要问题", SectionKind::Problems),
            ("问题清单", SectionKind::Problems),
            ("存在的不足", SectionKind::Problems),
            ("原因剖析", SectionKind::Causes),
            ("产生问题的主要原因", SectionKind::Causes),
            ("原因分析", SectionKind::Causes),
            ("问题根源", SectionKind::Causes),
            ("改进措施", SectionKind::Measures),
            ("整改措施", SectionKind::Measures),
            ("下步改进措施", SectionKind::Measures),
            ("努力方向", SectionKind::Measures),
            ("下步打算", SectionKind::Measures),
        ] {
            assert_eq!(section_kind(title), Some(kind), "{title}");
        }
        assert_eq!(section_kind("基本情况"), None);
    }

    #[test]
    fn empty_missing_and_unknown_sections_are_warned() {
        let r = parse("一、基本情况\n一是情况。\n二、存在问题\n三、整改措施\n一是措施。");
        assert!(r.problems.is_empty());
        assert_eq!(titles(&r.measures), ["措施"]);
        assert_eq!(
            codes(&r),
            ["unknown_section", "empty_section", "missing_section"]
        );
        assert_eq!(r.warnings[1].line, 3);

        // Without any heading, the numbered items are the problems.
        let r = parse("这是一段没有任何标题的文字。一是什么。");
        assert_eq!(titles(&r.problems), ["什么"]);
        assert_eq!(codes(&r), ["no_sections"]);
        assert_eq!(codes(&parse("")), ["no_sections"]);
        assert!(parse("只有一段话，没有编号。").problems.is_empty());
    }

    #[test]
    fn a_progress_report_yields_no_action_as_a_problem() {
        // Only actions and totals: nothing to import, the totals kept to say so.
        let r = parse(
            "关于2026年度巡察反馈问题整改情况的报告\n\
             一、整改工作开展情况\n一是加强组织领导，成立整改工作领导小组。二是建立整改台账，\
             逐项明确责任。\n二、整改完成情况\n反馈的15个问题，已完成整改12个，正在整改3个，\
             整改完成率80%。",
        );
        assert!(r.problems.is_empty() && r.causes.is_empty() && r.measures.is_empty());
        assert_eq!(
            r.progress_totals.as_deref(),
            Some(
                &[
                    "反馈的15个问题".to_owned(),
                    "已完成整改12个".to_owned(),
                    "正在整改3个".to_owned(),
                    "整改完成率80%".to_owned()
                ][..]
            )
        );
        assert_eq!(codes(&r), ["progress_report"]);

        // Problems it quotes are offered, with its words.
        let r = parse(
            "关于巡察反馈问题整改进展的通报\n\
             1.关于“理论学习不深入”问题的整改。一是制定学习计划。二是每月集中学习。\n\
             2.关于“信访件办理超期”的问题。已全部办结。",
        );
        assert_eq!(titles(&r.problems), ["理论学习不深入", "信访件办理超期"]);
        assert!(r.problems[0].text.contains("制定学习计划"));
        // The paragraphs after a quoted problem report on it, up to the next section.
        let r = parse(
            "关于巡察整改进展情况的通报\n一、整改工作开展情况\n\
             1.关于“公务用车管理不规范”问题的整改\n一是开展专项检查。\n二是修订管理办法。\n\
             二、下一步工作\n一是巩固整改成果。",
        );
        assert_eq!(titles(&r.problems), ["公务用车管理不规范"]);
        assert!(
            r.problems[0].text.ends_with("二是修订管理办法。"),
            "{}",
            r.problems[0].text
        );
        // A self-inspection report that mentions progress in passing is not one.
        assert!(parse("对照检查材料\n一、存在问题\n一是整改情况跟踪不够。")
            .progress_totals
            .is_none());
    }

    #[test]
    fn lists_without_the_usual_headings_are_read() {
        // A plain list under a lead sentence, as inspection feedback is often written.
        let r = parse(
            "巡察组反馈意见\n经巡察，发现该社区存在以下问题。具体问题如下：\n\
             1.理论学习不深入，学习流于形式。\n2.党费收缴不及时。\n3.信访件办理超期。",
        );
        assert_eq!(
            titles(&r.problems),
            ["理论学习不深入", "党费收缴不及时。", "信访件办理超期。"]
                .map(|t| t.trim_end_matches('。'))
        );
        assert_eq!(codes(&r), ["no_sections"]);

        // Sections that are aspects, with their counts; 整改要求 are the measures.
        let r = parse(
            "一、理论学习方面（2条）\n1.学习不深入。\n2.笔记流于形式。\n\
             二、服务群众方面（1条）\n1.信访办理超期。\n\
             三、整改要求\n1.建立学习制度。\n2.限期办结信访件。",
        );
        assert_eq!(r.aspects, ["理论学习方面", "服务群众方面"]);
        let aspects: Vec<Option<usize>> = r.problems.iter().map(|p| p.aspect).collect();
        assert_eq!(aspects, [Some(0), Some(0), Some(1)]);
        assert_eq!(titles(&r.measures), ["建立学习制度", "限期办结信访件"]);
        assert_eq!(without_count("理论学习方面（共3条）："), "理论学习方面");
        assert_eq!(without_count("服务群众（社区）"), "服务群众（社区）");
    }

    #[test]
    fn long_first_clauses_are_cut_for_the_title() {
        let long = "很".repeat(150);
        let r = parse(&format!("一、存在问题\n一是{long}。"));
        assert_eq!(r.problems[0].title.chars().count(), TITLE_MAX_CHARS + 1);
        assert!(r.problems[0].title.ends_with('…'));
        assert_eq!(r.problems[0].text, format!("{long}。"));
    }

    #[test]
    fn windows_and_old_mac_line_ends_keep_line_numbers() {
        let r = parse("一、存在问题\r\n一是甲。\r\n\r\n二是乙。\r二、原因\r\n一是丙。");
        assert_eq!(titles(&r.problems), ["甲", "乙"]);
        assert_eq!(r.problems[1].first_line, 4);
        assert_eq!(titles(&r.causes), ["丙"]);
    }

    #[test]
    fn chinese_numbers_read_up_to_ninety_nine() {
        let n = |s: &str| cn_number(&s.chars().collect::<Vec<_>>()).map(|(v, _)| v);
        assert_eq!(n("一是"), Some(1));
        assert_eq!(n("十是"), Some(10));
        assert_eq!(n("十二是"), Some(12));
        assert_eq!(n("二十是"), Some(20));
        assert_eq!(n("九十九是"), Some(99));
        assert_eq!(n("十十"), None);
        assert_eq!(n("是"), None);
    }

    /// The two real reports in ../shared/samples must give the counts people counted by hand.
    #[test]
    fn the_shared_samples_give_the_counted_items() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/samples");
        for (name, counts) in [
            ("organizational-life-meeting-2023.txt", (4, 12, 3, 3)),
            ("democratic-life-meeting-2021.txt", (5, 16, 4, 3)),
        ] {
            let text = match std::fs::read_to_string(dir.join(name)) {
                Ok(text) => text,
                Err(e) if std::env::var_os("CI").is_none() => {
                    eprintln!("skipped: {name} not found beside the repository ({e})");
                    continue;
                }
                Err(e) => panic!("CI needs ../shared/samples/{name}: {e}"),
            };
            let r = parse(&text);
            assert_eq!(
                (
                    r.aspects.len(),
                    r.problems.len(),
                    r.causes.len(),
                    r.measures.len()
                ),
                counts,
                "{name}"
            );
            assert!(r.problems.iter().all(|p| p.aspect.is_some()));
            assert!(
                r.warnings.iter().all(|w| w.code == "missing_shi"),
                "{:?}",
                r.warnings
            );
        }
    }

    mod fuzz {
        use super::super::*;
        use proptest::prelude::*;

        /// Pieces real reports are made of, so random documents hit the parser's paths.
        fn piece() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("一、存在问题\n".to_owned()),
                Just("二、原因剖析\n".to_owned()),
                Just("三、整改措施\n".to_owned()),
                Just("（一）".to_owned()),
                Just("(十二)".to_owned()),
                Just("方面：".to_owned()),
                Just("一是".to_owned()),
                Just("二".to_owned()),
                Just("九十九是".to_owned()),
                Just("1.".to_owned()),
                Just("（3）".to_owned()),
                Just("①".to_owned()),
                Just("。".to_owned()),
                Just("\n".to_owned()),
                Just("\r".to_owned()),
                Just("比如，".to_owned()),
                "[a-z学习问题，。；]{0,12}",
                any::<String>(),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn any_text_parses_into_a_consistent_draft(
                pieces in proptest::collection::vec(piece(), 0..60)
            ) {
                let text = pieces.concat();
                let lines = text.lines().count().max(1) + text.matches('\r').count();
                let r = parse(&text);
                for item in r.problems.iter().chain(&r.causes).chain(&r.measures) {
                    prop_assert!(!item.title.trim().is_empty());
                    prop_assert!(1 <= item.first_line && item.first_line <= item.last_line);
                    prop_assert!(item.last_line <= lines);
                    if let Some(a) = item.aspect {
                        prop_assert!(a < r.aspects.len());
                    }
                }
                prop_assert!(r.warnings.iter().all(|w| w.line <= lines));
            }
        }
    }

    #[test]
    fn a_chapter_style_report_run_into_one_paragraph_links_each_cause_to_its_problem() {
        let text = "某局巡察整改报告 第一章 基本情况 巡察组进驻。 第二章 存在的问题及原因 \
                    2.1 理论学习方面 问题1：理论学习不够深入。成因：认识不足。\
                    问题2：学习制度执行不严格。成因：考核缺失。 2.2 作风建设方面 \
                    问题3：调查研究不够深入。成因：宗旨意识淡化。 第三章 整改措施 \
                    3.1 制定年度学习计划。3.2 完善考核制度。3.3 建立基层联系点制度。";
        let r = parse(text);
        assert_eq!(r.aspects, ["理论学习方面", "作风建设方面"]);
        assert_eq!(
            titles(&r.problems),
            ["理论学习不够深入", "学习制度执行不严格", "调查研究不够深入"]
        );
        assert_eq!(titles(&r.causes), ["认识不足", "考核缺失", "宗旨意识淡化"]);
        let links: Vec<&[usize]> = r.problems.iter().map(|p| p.causes.as_slice()).collect();
        assert_eq!(links, [&[0][..], &[1], &[2]]);
        assert_eq!(
            titles(&r.measures),
            ["制定年度学习计划", "完善考核制度", "建立基层联系点制度"]
        );
        assert!(!codes(&r).contains(&"numbering_gap"), "{:?}", r.warnings);
    }

    #[test]
    fn owners_units_and_deadlines_written_beside_problems_reach_them() {
        let text = "\
一、存在的问题
（一）理论学习方面
问题整改责任单位：办公室 整改时限：30天
1. 理论学习不够深入。
2. 学习制度执行不严格。责任人：张伟。整改时限：2024年6月底前。
（二）作风建设方面
1. 调查研究不够深入。
二、整改措施
1. 制定学习计划。
某某党委
2024年3月15日
";
        let r = parse(text);
        assert_eq!(r.date, chrono::NaiveDate::from_ymd_opt(2024, 3, 15));
        let written: Vec<Option<Assignment>> =
            r.problems.iter().map(|p| p.assignment.clone()).collect();
        let said = |units: &[&str], owner: Option<&str>, deadline: &str| {
            Some(Assignment {
                units: units.iter().map(|u| u.to_string()).collect(),
                owner: owner.map(str::to_owned),
                deadline: Some(deadline.to_owned()),
            })
        };
        assert_eq!(
            written,
            [
                said(&["办公室"], None, "30天"),
                said(&["办公室"], Some("张伟"), "2024年6月底前"),
                None,
            ]
        );
        assert_eq!(r.problems[1].text, "学习制度执行不严格。");
        // The signature is not a measure.
        assert_eq!(titles(&r.measures), ["制定学习计划"]);
    }

    #[test]
    fn a_declared_count_that_differs_from_what_was_read_is_warned() {
        let r = parse("一、理论学习方面（3条）\n1.学习不深入。\n2.笔记流于形式。\n二、作风建设方面（1条）\n1.会议偏多。");
        assert_eq!(r.problems.len(), 3);
        let counted: Vec<(usize, &str)> = r
            .warnings
            .iter()
            .filter(|w| w.code == "count_differs")
            .map(|w| (w.line, w.code))
            .collect();
        assert_eq!(counted, [(1, "count_differs")]);
        assert_eq!(declared_count("理论学习方面（三条）"), Some(3));
        assert_eq!(declared_count("理论学习方面"), None);
    }

    #[test]
    fn a_fragment_that_starts_inside_a_text_keeps_its_items_with_a_warning() {
        let r = parse("的问题还比较突出，具体有：\n3. 台账登记不全。\n4. 资料归档滞后。");
        assert_eq!(titles(&r.problems), ["台账登记不全", "资料归档滞后"]);
        assert!(codes(&r).contains(&"starts_mid_text"), "{:?}", r.warnings);
        let whole = parse("具体问题如下：\n1. 台账登记不全。\n2. 资料归档滞后。");
        assert!(!codes(&whole).contains(&"starts_mid_text"));
    }
}
