//! Word documents offices file upward: the 整改落实情况报告 of a review, laid out as official
//! documents are (GB/T 9704: A4, 方正小标宋 title, 黑体 and 楷体 headings, 仿宋 body in 三号 on a
//! fixed 28-point line, first lines indented two characters, page numbers in the footer).
//! A reader without these fonts gets its own CJK fonts in their place. What the report says is
//! given in plain values; this module only lays it out.

use chrono::NaiveDate;
use docx_rs::{
    AlignmentType, Docx, Footer, LineSpacing, LineSpacingType, PageMargin, PageNum,
    PageOrientationType, Paragraph, Run, RunFonts, SpecialIndentType, Table, TableCell, TableRow,
    WidthType,
};

use crate::export::ExportError;

/// 二号 (22 pt) and 三号 (16 pt), in half-points.
const TITLE_SIZE: usize = 44;
const BODY_SIZE: usize = 32;
/// A fixed 28-point line, in twentieths of a point, and two characters of 三号 indent.
const LINE: i32 = 560;
/// 四号 (14 pt) in a form's table, 小四 (12 pt) in a list's.
const FORM_SIZE: usize = 28;
const LIST_SIZE: usize = 24;
const TWO_CHARACTERS: i32 = 640;

const TITLE_FONT: &str = "方正小标宋简体";
const HEADING_FONT: &str = "黑体";
const SUBHEADING_FONT: &str = "楷体_GB2312";
const BODY_FONT: &str = "仿宋_GB2312";

/// One problem as the report tells it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportedProblem {
    pub aspect: String,
    pub title: String,
    pub measures: Vec<String>,
    pub unit: String,
    pub owner: String,
    pub deadline: String,
    pub status: String,
    pub progress: String,
    pub closed_on: String,
    pub evidence: Vec<String>,
    /// Closed out or cancelled: nothing left to do.
    pub finished: bool,
    pub days_overdue: Option<i64>,
}

/// The 整改落实情况报告 of one review, as of a day.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewReport {
    pub unit: String,
    pub review_title: String,
    pub held_on: NaiveDate,
    pub as_of: NaiveDate,
    pub total: u64,
    pub closed: u64,
    pub in_progress: u64,
    pub overdue: u64,
    pub completion_rate: Option<f64>,
    pub problems: Vec<ReportedProblem>,
}

impl ReviewReport {
    pub fn title(&self) -> String {
        format!("{}关于{}整改落实情况的报告", self.unit, self.review_title)
    }

    /// The opening paragraph: what was found, and where it stands.
    pub fn summary(&self) -> String {
        let rate = self
            .completion_rate
            .map_or("—".to_owned(), |r| format!("{:.1}%", r * 100.0));
        format!(
            "{}，{}召开{}，查摆问题{}个。截至{}，已整改销号{}个，正在整改{}个，逾期未完成{}个，整改完成率{}。现将整改落实情况报告如下。",
            chinese_date(self.held_on),
            self.unit,
            self.review_title,
            self.total,
            chinese_date(self.as_of),
            self.closed,
            self.in_progress,
            self.overdue,
            rate
        )
    }

    /// The aspects in the order their first problem comes, each with its problems; problems
    /// of no aspect last.
    pub fn by_aspect(&self) -> Vec<(&str, Vec<&ReportedProblem>)> {
        let mut groups: Vec<(&str, Vec<&ReportedProblem>)> = Vec::new();
        for problem in &self.problems {
            let aspect = if problem.aspect.is_empty() {
                "其他方面"
            } else {
                problem.aspect.as_str()
            };
            match groups.iter_mut().find(|(a, _)| *a == aspect) {
                Some((_, list)) => list.push(problem),
                None => groups.push((aspect, vec![problem])),
            }
        }
        groups.sort_by_key(|(aspect, _)| *aspect == "其他方面");
        groups
    }
}

pub fn chinese_date(day: NaiveDate) -> String {
    day.format("%Y年%-m月%-d日").to_string()
}

/// 一、二、… for the first hundred.
pub fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_owned(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[n - 10] }),
        20..=99 => format!(
            "{}十{}",
            DIGITS[n / 10],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[n % 10]
            }
        ),
        _ => n.to_string(),
    }
}

fn fonts(name: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(name)
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
}

fn line() -> LineSpacing {
    LineSpacing::new()
        .line(LINE)
        .line_rule(LineSpacingType::Exact)
}

fn run(text: &str, font: &str) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(BODY_SIZE)
}

/// A paragraph of the body's shape: the fixed line, the first line indented two characters.
fn indented(runs: impl IntoIterator<Item = Run>) -> Paragraph {
    runs.into_iter()
        .fold(Paragraph::new(), Paragraph::add_run)
        .line_spacing(line())
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(TWO_CHARACTERS)),
            None,
            None,
        )
}

/// A body paragraph in 仿宋.
fn body(text: &str) -> Paragraph {
    indented([run(text, BODY_FONT)])
}

/// A body paragraph that begins with a label in bold (整改措施：…).
fn labelled(label: &str, text: &str) -> Paragraph {
    indented([run(label, BODY_FONT).bold(), run(text, BODY_FONT)])
}

/// A heading, kept with what follows it.
fn heading(text: &str, font: &str) -> Paragraph {
    indented([run(text, font)]).keep_next(true)
}

/// An official document's page: A4, margins of 37/35/28/26 mm, page numbers centred below.
fn page() -> Docx {
    Docx::new()
        .page_size(11906, 16838)
        .page_margin(
            PageMargin::new()
                .top(2098)
                .bottom(1984)
                .left(1588)
                .right(1474),
        )
        .default_fonts(fonts(BODY_FONT))
        .default_size(BODY_SIZE)
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_run(Run::new().add_text("— ").size(28))
                    .add_page_num(PageNum::new())
                    .add_run(Run::new().add_text(" —").size(28)),
            ),
        )
}

fn packed(docx: Docx) -> Result<Vec<u8>, ExportError> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut bytes)
        .map_err(|e| ExportError::Document(e.to_string()))?;
    Ok(bytes.into_inner())
}

/// The 整改落实情况报告 as a .docx.
pub fn review_report(report: &ReviewReport) -> Result<Vec<u8>, ExportError> {
    let mut docx = page()
        .add_paragraph(title_paragraph(&report.title()))
        .add_paragraph(Paragraph::new().line_spacing(line()))
        .add_paragraph(body(&report.summary()));

    docx = docx.add_paragraph(heading("一、问题整改落实情况", HEADING_FONT));
    for (i, (aspect, problems)) in report.by_aspect().into_iter().enumerate() {
        docx = docx.add_paragraph(heading(
            &format!("（{}）{aspect}", chinese_number(i + 1)),
            SUBHEADING_FONT,
        ));
        for (j, problem) in problems.into_iter().enumerate() {
            let number = format!("{}. {}", j + 1, problem.title);
            docx = docx.add_paragraph(indented([run(&number, BODY_FONT).bold()]).keep_next(true));
            if !problem.measures.is_empty() {
                docx = docx.add_paragraph(labelled("整改措施：", &problem.measures.join("；")));
            }
            let mut duty = format!("责任单位：{}", problem.unit);
            if !problem.owner.is_empty() {
                duty.push_str(&format!("；责任人：{}", problem.owner));
            }
            if !problem.deadline.is_empty() {
                duty.push_str(&format!("；整改时限：{}", problem.deadline));
            }
            docx = docx.add_paragraph(body(&format!("{duty}。")));
            let mut status = problem.status.clone();
            if !problem.closed_on.is_empty() {
                status.push_str(&format!("（{}销号）", problem.closed_on));
            }
            if let Some(days) = problem.days_overdue {
                status.push_str(&format!("，已逾期{days}天"));
            }
            docx = docx.add_paragraph(labelled("整改状态：", &format!("{status}。")));
            if !problem.progress.is_empty() {
                docx = docx.add_paragraph(labelled("进展情况：", &problem.progress));
            }
            let evidence = if problem.evidence.is_empty() {
                "暂无。".to_owned()
            } else {
                format!("{}。", problem.evidence.join("；"))
            };
            docx = docx.add_paragraph(labelled("佐证材料：", &evidence));
        }
    }

    docx = docx.add_paragraph(heading("二、尚未完成的整改事项及下一步打算", HEADING_FONT));
    let open: Vec<&ReportedProblem> = report.problems.iter().filter(|p| !p.finished).collect();
    if open.is_empty() {
        docx = docx.add_paragraph(body(
            "查摆的问题已全部整改销号。下一步将持续巩固整改成果，开展整改“回头看”，防止问题反弹。",
        ));
    }
    for (i, problem) in open.into_iter().enumerate() {
        let mut text = format!("{}. {}：{}", i + 1, problem.title, problem.status);
        if let Some(days) = problem.days_overdue {
            text.push_str(&format!("，已逾期{days}天"));
        }
        if !problem.deadline.is_empty() {
            text.push_str(&format!("，整改时限{}", problem.deadline));
        }
        let plan = if problem.measures.is_empty() {
            "抓紧制定整改措施".to_owned()
        } else {
            problem.measures.join("；")
        };
        text.push_str(&format!("。下一步：{plan}。"));
        docx = docx.add_paragraph(body(&text));
    }

    // The signing unit and date, right-aligned, after a blank line.
    docx = docx.add_paragraph(Paragraph::new().line_spacing(line()));
    for text in [report.unit.clone(), chinese_date(report.as_of)] {
        docx = docx.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Right)
                .line_spacing(line())
                .add_run(run(&text, BODY_FONT)),
        );
    }
    packed(docx)
}

/// The 对账销号单 of one closed problem: what it was, what was done, the proof, who submitted
/// and who verified it, and lines to sign.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClosureRecord {
    pub key: String,
    pub review_title: String,
    pub aspect: String,
    pub problem: String,
    pub unit: String,
    pub owner: String,
    pub deadline: String,
    pub measures: Vec<String>,
    pub completion_note: String,
    pub evidence: Vec<String>,
    pub submitter: String,
    pub submitted_on: String,
    pub verifier: String,
    pub closed_on: String,
    pub verification_note: String,
}

/// A table's cell in 仿宋 at `size` half-points, single-spaced, its lines kept.
fn cell(text: &str, width: usize, bold: bool, size: usize) -> TableCell {
    let mut run = Run::new().fonts(fonts(BODY_FONT)).size(size);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(docx_rs::BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    if bold {
        run = run.bold();
    }
    TableCell::new()
        .add_paragraph(Paragraph::new().add_run(run))
        .width(width, WidthType::Dxa)
}

fn title_paragraph(text: &str) -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Center)
        .line_spacing(
            LineSpacing::new()
                .line(700)
                .line_rule(LineSpacingType::Exact),
        )
        .add_run(
            Run::new()
                .add_text(text)
                .fonts(fonts(TITLE_FONT))
                .size(TITLE_SIZE),
        )
}

/// The 对账销号单 as a .docx.
pub fn closure_record(record: &ClosureRecord) -> Result<Vec<u8>, ExportError> {
    const LABEL: usize = 2000;
    const VALUE: usize = 6800;
    let join = |items: &[String]| {
        if items.is_empty() {
            "无".to_owned()
        } else {
            items
                .iter()
                .enumerate()
                .map(|(i, m)| format!("{}. {m}", i + 1))
                .collect::<Vec<_>>()
                .join("\n")
        }
    };
    let rows = [
        ("问题编号", record.key.clone()),
        ("来源", record.review_title.clone()),
        ("问题类别", record.aspect.clone()),
        ("问题描述", record.problem.clone()),
        ("责任单位", record.unit.clone()),
        ("责任人", record.owner.clone()),
        ("整改时限", record.deadline.clone()),
        ("整改措施", join(&record.measures)),
        ("整改完成情况", record.completion_note.clone()),
        ("佐证材料", join(&record.evidence)),
        (
            "提交人",
            format!("{}（{}提交）", record.submitter, record.submitted_on),
        ),
        (
            "验收人",
            format!("{}（{}销号）", record.verifier, record.closed_on),
        ),
        ("验收意见", record.verification_note.clone()),
    ];
    let table = Table::new(
        rows.iter()
            .map(|(label, value)| {
                TableRow::new(vec![
                    cell(label, LABEL, true, FORM_SIZE),
                    cell(value, VALUE, false, FORM_SIZE),
                ])
            })
            .collect(),
    )
    .set_grid(vec![LABEL, VALUE])
    .width(LABEL + VALUE, WidthType::Dxa);
    let mut docx = page()
        .add_paragraph(title_paragraph("问题整改对账销号单"))
        .add_paragraph(Paragraph::new().line_spacing(line()))
        .add_table(table)
        .add_paragraph(Paragraph::new().line_spacing(line()));
    for who in ["责任人（签字）", "验收人（签字）", "单位负责人（签字）"] {
        docx = docx.add_paragraph(
            Paragraph::new().line_spacing(line()).add_run(
                Run::new()
                    .add_text(format!("{who}：＿＿＿＿＿　日期：　　年　　月　　日"))
                    .fonts(fonts(BODY_FONT))
                    .size(FORM_SIZE),
            ),
        );
    }
    packed(docx)
}

/// A 督办 notice as issued, and its reply once there is one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoticeDocument {
    /// 督〔2026〕17号.
    pub reference: String,
    pub subject: String,
    pub issuer: String,
    pub recipient: String,
    pub body: String,
    /// Each problem it names, as a line: key, title, deadline and days overdue.
    pub problems: Vec<String>,
    pub reply_by: NaiveDate,
    pub issued_on: NaiveDate,
    pub reply: Option<NoticeReply>,
}

/// The recipient's reply to a 督办 notice.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoticeReply {
    pub text: String,
    pub replied_on: NaiveDate,
    /// The evidence it cites, by file name and description.
    pub evidence: Vec<String>,
}

/// A 督办 notice as a .docx: its reference, its subject as the title, the unit it is sent to,
/// the body, the problems to rectify, the reply date, the issuing unit and day; then the reply,
/// once made.
pub fn supervision_notice(notice: &NoticeDocument) -> Result<Vec<u8>, ExportError> {
    let centred = |text: &str| {
        Paragraph::new()
            .align(AlignmentType::Center)
            .line_spacing(line())
            .add_run(run(text, BODY_FONT))
    };
    let mut docx = page()
        .add_paragraph(centred(&notice.reference))
        .add_paragraph(Paragraph::new().line_spacing(line()))
        .add_paragraph(title_paragraph(&notice.subject))
        .add_paragraph(Paragraph::new().line_spacing(line()))
        .add_paragraph(
            Paragraph::new()
                .line_spacing(line())
                .add_run(run(&format!("{}：", notice.recipient), BODY_FONT)),
        );
    for paragraph in notice.body.lines().map(str::trim).filter(|p| !p.is_empty()) {
        docx = docx.add_paragraph(body(paragraph));
    }
    docx = docx.add_paragraph(heading("一、督办事项", HEADING_FONT));
    for (i, problem) in notice.problems.iter().enumerate() {
        docx = docx.add_paragraph(body(&format!("{}. {problem}", i + 1)));
    }
    docx = docx.add_paragraph(heading("二、办理要求", HEADING_FONT));
    docx = docx.add_paragraph(body(&format!(
        "请于{}前将整改落实情况书面报送{}，并附佐证材料。逾期未报送的，列为逾期督办事项。",
        chinese_date(notice.reply_by),
        notice.issuer
    )));
    docx = docx.add_paragraph(Paragraph::new().line_spacing(line()));
    for text in [notice.issuer.clone(), chinese_date(notice.issued_on)] {
        docx = docx.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Right)
                .line_spacing(line())
                .add_run(run(&text, BODY_FONT)),
        );
    }
    if let Some(reply) = &notice.reply {
        docx = docx
            .add_paragraph(Paragraph::new().line_spacing(line()))
            .add_paragraph(heading("办理情况回复", HEADING_FONT))
            .add_paragraph(labelled("回复单位：", &notice.recipient))
            .add_paragraph(labelled("回复时间：", &chinese_date(reply.replied_on)))
            .add_paragraph(labelled("回复内容：", &reply.text));
        let evidence = if reply.evidence.is_empty() {
            "无。".to_owned()
        } else {
            format!("{}。", reply.evidence.join("；"))
        };
        docx = docx.add_paragraph(labelled("佐证材料：", &evidence));
    }
    packed(docx)
}

/// A list to print (the 督办 list of overdue items): a title, a line under it, and a table of
/// `headers` and `rows`, on A4 landscape.
pub fn table_document(
    title: &str,
    subtitle: &str,
    headers: &[&str],
    widths: &[f64],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, ExportError> {
    // The sheet's widths in characters, spread over the landscape page's 13,800 twips.
    let total: f64 = widths.iter().sum::<f64>().max(1.0);
    let twips: Vec<usize> = widths
        .iter()
        .map(|w| (w / total * 13_800.0) as usize)
        .collect();
    let header = TableRow::new(
        headers
            .iter()
            .zip(&twips)
            .map(|(h, w)| cell(h, *w, true, LIST_SIZE))
            .collect(),
    );
    let body = rows.iter().map(|row| {
        TableRow::new(
            row.iter()
                .zip(&twips)
                .map(|(text, w)| cell(text, *w, false, LIST_SIZE))
                .collect(),
        )
    });
    let table = Table::new(std::iter::once(header).chain(body).collect())
        .set_grid(twips.clone())
        .width(twips.iter().sum(), WidthType::Dxa);
    let docx = page()
        .page_size(16838, 11906)
        .page_orient(PageOrientationType::Landscape)
        .page_margin(
            PageMargin::new()
                .top(1418)
                .bottom(1418)
                .left(1440)
                .right(1440),
        )
        .add_paragraph(title_paragraph(title))
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .line_spacing(line())
                .add_run(run(subtitle, SUBHEADING_FONT)),
        )
        .add_table(table);
    packed(docx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn numbers_and_dates_read_as_documents_write_them() {
        let cases = [
            (1, "一"),
            (9, "九"),
            (10, "十"),
            (11, "十一"),
            (20, "二十"),
            (35, "三十五"),
        ];
        for (n, text) in cases {
            assert_eq!(chinese_number(n), text);
        }
        assert_eq!(chinese_date(day("2026-11-05")), "2026年11月5日");
    }

    #[test]
    fn the_summary_states_the_totals_as_of_the_day() {
        let report = ReviewReport {
            unit: "东风社区党委".into(),
            review_title: "2026年度组织生活会".into(),
            held_on: day("2026-11-10"),
            as_of: day("2026-12-31"),
            total: 5,
            closed: 3,
            in_progress: 1,
            overdue: 1,
            completion_rate: Some(0.6),
            problems: vec![
                ReportedProblem {
                    aspect: "作风建设方面".into(),
                    ..Default::default()
                },
                ReportedProblem::default(),
                ReportedProblem {
                    aspect: "作风建设方面".into(),
                    ..Default::default()
                },
            ],
        };
        assert_eq!(
            report.summary(),
            "2026年11月10日，东风社区党委召开2026年度组织生活会，查摆问题5个。截至2026年12月31日，已整改销号3个，正在整改1个，逾期未完成1个，整改完成率60.0%。现将整改落实情况报告如下。"
        );
        assert_eq!(
            report.title(),
            "东风社区党委关于2026年度组织生活会整改落实情况的报告"
        );
        let aspects: Vec<(&str, usize)> = report
            .by_aspect()
            .into_iter()
            .map(|(a, list)| (a, list.len()))
            .collect();
        assert_eq!(aspects, [("作风建设方面", 2), ("其他方面", 1)]);
        let bytes = review_report(&report).unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"));
    }
}
