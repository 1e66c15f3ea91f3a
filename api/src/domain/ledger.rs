//! The ledger sheet (整改台账) offices keep in Excel: its columns, how people write their
//! headers and deadlines, and how one sheet becomes a draft ledger. Reading the file is the
//! caller's job; this module sees only cells.

use chrono::{Datelike, Duration, NaiveDate};

use crate::domain::vocab::ProblemKind;
use crate::domain::workflow::Status;

/// The sheet's columns in the order offices expect (DOMAIN.md, "The ledger sheet").
pub const HEADERS: [&str; 11] = [
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
    "销号时间",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Number,
    Aspect,
    Description,
    Causes,
    Measures,
    Unit,
    Owner,
    Deadline,
    Status,
    Progress,
    ClosedOn,
}

impl Column {
    pub const ALL: [Column; 11] = [
        Column::Number,
        Column::Aspect,
        Column::Description,
        Column::Causes,
        Column::Measures,
        Column::Unit,
        Column::Owner,
        Column::Deadline,
        Column::Status,
        Column::Progress,
        Column::ClosedOn,
    ];

    /// The standard header.
    pub fn header(self) -> &'static str {
        HEADERS[Column::ALL.iter().position(|c| *c == self).unwrap_or(0)]
    }

    /// Headers people write for this column, compared after [`normalize_header`].
    fn variants(self) -> &'static [&'static str] {
        match self {
            Column::Number => &["序号", "编号", "no", "no."],
            Column::Aspect => &[
                "问题类别(方面)",
                "问题类别",
                "类别",
                "方面",
                "问题类型",
                "所属方面",
                "问题方面",
            ],
            Column::Description => &[
                "问题描述",
                "问题",
                "存在问题",
                "问题内容",
                "问题表现",
                "具体问题",
                "问题清单",
            ],
            Column::Causes => &["原因分析", "原因", "问题原因", "原因剖析", "产生原因"],
            Column::Measures => &["整改措施", "措施", "改进措施", "整改举措", "具体措施"],
            Column::Unit => &["责任单位", "责任部门", "牵头单位", "责任科室"],
            Column::Owner => &["责任人", "负责人", "具体责任人", "责任领导"],
            Column::Deadline => &[
                "整改时限",
                "完成时限",
                "时限",
                "整改期限",
                "完成时间",
                "整改时间",
                "期限",
            ],
            Column::Status => &["整改状态", "状态", "完成状态"],
            Column::Progress => &[
                "完成情况/进展",
                "完成情况",
                "进展",
                "整改进展",
                "进展情况",
                "整改情况",
            ],
            Column::ClosedOn => &["销号时间", "销号日期"],
        }
    }
}

/// Headers compare without spaces, line breaks or the width of brackets and slashes.
pub fn normalize_header(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '*')
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '／' => '/',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

pub fn column_of(header: &str) -> Option<Column> {
    let h = normalize_header(header);
    Column::ALL
        .into_iter()
        .find(|c| c.variants().contains(&h.as_str()))
}

/// The status as a ledger shows it.
pub fn status_label(status: Status) -> &'static str {
    match status {
        Status::Draft => "待确认",
        Status::Open => "待整改",
        Status::InProgress => "整改中",
        Status::Submitted => "待验收",
        Status::Closed => "已销号",
        Status::Cancelled => "已取消",
    }
}

/// Where a 整改状态 (or 完成状态) cell says a problem stands, as the words offices use; `None`
/// for words that say nothing the workflow knows. Our own export's labels read back as they
/// were written, but 待验收 (submitted), which needs a submission with its evidence.
pub fn status_of(text: &str) -> Option<Status> {
    let word: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let word = word.trim_end_matches(['。', '.', '；', ';']);
    const CLOSED: [&str; 9] = [
        "已完成",
        "已整改",
        "已销号",
        "完成",
        "已办结",
        "整改完成",
        "已整改到位",
        "已完成整改",
        "办结",
    ];
    const IN_PROGRESS: [&str; 8] = [
        "正在整改",
        "整改中",
        "持续整改",
        "推进中",
        "进行中",
        "正在推进",
        "长期整改",
        "未完成",
    ];
    const OPEN: [&str; 6] = [
        "未启动",
        "未整改",
        "待整改",
        "未开始",
        "尚未整改",
        "尚未启动",
    ];
    if CLOSED.contains(&word) {
        Some(Status::Closed)
    } else if IN_PROGRESS.contains(&word) {
        Some(Status::InProgress)
    } else if OPEN.contains(&word) {
        Some(Status::Open)
    } else if word == status_label(Status::Draft) || word.is_empty() {
        Some(Status::Draft)
    } else {
        None
    }
}

/// A cell as read from a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

/// Characters that make a spreadsheet read a cell as a formula (OWASP's list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a spreadsheet would take this text, typed into a cell, for a formula.
pub fn looks_like_formula(text: &str) -> bool {
    text.starts_with(FORMULA_STARTS)
}

/// Text as it is written into a CSV: one that a spreadsheet would take for a formula gets a
/// leading `'`, so that opening an export never runs anything. (An XLSX cell keeps its text
/// and is marked as text instead: its `'` would show.)
pub fn sheet_text(text: &str) -> std::borrow::Cow<'_, str> {
    if looks_like_formula(text) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// The inverse of [`sheet_text`], for sheets read back in.
fn from_sheet_text(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => text,
    }
}

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => from_sheet_text(t.trim()).trim().to_owned(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

/// What a 整改时限 cell says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    None,
    On(NaiveDate),
    /// 长期坚持: no deadline.
    LongTerm,
    /// 立行立改: at once; the date is set when confirming.
    Immediate,
}

impl Deadline {
    pub fn kind(self) -> ProblemKind {
        match self {
            Deadline::LongTerm => ProblemKind::LongTerm,
            Deadline::Immediate => ProblemKind::Immediate,
            _ => ProblemKind::Scheduled,
        }
    }
    pub fn date(self) -> Option<NaiveDate> {
        match self {
            Deadline::On(d) => Some(d),
            _ => None,
        }
    }
}

pub const DEADLINE_FORMS: &str = "2026-12-31, 2026/12/31, 2026.12.31, 2026年12月31日, \
                                  2026年12月底前, an Excel date, 长期坚持 or 立行立改";

/// Excel's day 0 (serials count from 1899-12-30, which absorbs Lotus's 1900 leap-year bug).
fn excel_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).expect("a valid date")
}

pub fn from_excel_serial(serial: f64) -> Option<NaiveDate> {
    // 1 = 1900-01-01 … 2958465 = 9999-12-31; a time of day is dropped. Excel counts a
    // 29 February 1900 that never was (serial 60), so serials before it are one day later.
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    match days {
        60 => None,
        ..60 => excel_epoch().checked_add_signed(Duration::days(days + 1)),
        _ => excel_epoch().checked_add_signed(Duration::days(days)),
    }
}

pub fn to_excel_serial(date: NaiveDate) -> f64 {
    let days = (date - excel_epoch()).num_days();
    (if days <= 60 { days - 1 } else { days }) as f64
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

/// The years a deadline in a sheet may fall in: anything else is a slip (a serial read as a
/// date, a mistyped year) and is refused rather than guessed at.
pub const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Reads a deadline as people write it, or says why it cannot.
pub fn parse_deadline(cell: &Cell) -> Result<Deadline, String> {
    match read_deadline(cell)? {
        Deadline::On(date) if !PLAUSIBLE_YEARS.contains(&date.year()) => Err(format!(
            "{} is not a plausible deadline (it should fall in {} to {}); write {DEADLINE_FORMS}",
            date,
            PLAUSIBLE_YEARS.start(),
            PLAUSIBLE_YEARS.end()
        )),
        deadline => Ok(deadline),
    }
}

fn read_deadline(cell: &Cell) -> Result<Deadline, String> {
    let text = match cell {
        Cell::Empty => return Ok(Deadline::None),
        Cell::Date(d) => return Ok(Deadline::On(*d)),
        // 2024.12 typed into a cell is a number, and as an Excel date it would be 1905:
        // numbers that read as a year are taken as year.month, or refused when they cannot be.
        Cell::Number(n) if (1900.0..2101.0).contains(n) => return year_month_number(*n),
        Cell::Number(n) => {
            return from_excel_serial(*n)
                .map(Deadline::On)
                .ok_or_else(|| format!("{n} is not an Excel date"))
        }
        Cell::Text(t) => t.trim(),
    };
    if text.is_empty() {
        return Ok(Deadline::None);
    }
    let bad = || format!("“{text}” is not a deadline; write {DEADLINE_FORMS}");
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.starts_with("长期") {
        return Ok(Deadline::LongTerm);
    }
    if compact.starts_with("立行立改") || compact == "立即" {
        return Ok(Deadline::Immediate);
    }
    // 2024.12: a year and a month, due at the month's end (as 2024年12月).
    if let Some((y, m)) = compact.split_once('.') {
        if y.len() == 4
            && (1..=2).contains(&m.len())
            && (y.chars().chain(m.chars())).all(|c| c.is_ascii_digit())
        {
            return year_month(y, m).ok_or_else(bad);
        }
    }
    if !compact.is_empty() && compact.chars().all(|c| c.is_ascii_digit() || c == '.') {
        if let Ok(serial) = compact.parse::<f64>() {
            if !compact.contains('.') || compact.len() <= 7 {
                if let Some(d) = from_excel_serial(serial).filter(|_| serial < 100_000.0) {
                    return Ok(Deadline::On(d));
                }
            }
        }
    }
    // Drop what people add after the date: 前, 之前, 底前, 以前.
    let core = compact
        .trim_end_matches('前')
        .trim_end_matches('之')
        .trim_end_matches('以');
    let month_end = core.ends_with('底') || core.ends_with("月末");
    let core = core
        .trim_end_matches('底')
        .trim_end_matches("月末")
        .trim_end_matches('日')
        .trim_end_matches('号');
    let numbers: Vec<&str> = core
        .split(['-', '/', '.', '年', '月', '－', '．', '／'])
        .filter(|s| !s.is_empty())
        .collect();
    if !numbers
        .iter()
        .all(|n| n.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(bad());
    }
    let num = |s: &str| s.parse::<u32>().ok();
    let date = match numbers.as_slice() {
        [y, m, d] if !month_end && y.len() == 4 => NaiveDate::from_ymd_opt(
            num(y).ok_or_else(bad)? as i32,
            num(m).ok_or_else(bad)?,
            num(d).ok_or_else(bad)?,
        ),
        // 2026年12月底前, 2026年12月: the month's last day.
        [y, m] if y.len() == 4 && (month_end || core.ends_with('月')) => {
            last_day_of_month(num(y).ok_or_else(bad)? as i32, num(m).ok_or_else(bad)?)
        }
        _ => None,
    };
    let date = date.ok_or_else(bad)?;
    if !(1900..=9998).contains(&date.year()) {
        return Err(bad());
    }
    Ok(Deadline::On(date))
}

/// The last day of a month written as year and month digits, in a plausible year.
fn year_month(year: &str, month: &str) -> Option<Deadline> {
    let year: i32 = year.parse().ok()?;
    let month: u32 = month.parse().ok()?;
    if !(1900..=9998).contains(&year) {
        return None;
    }
    last_day_of_month(year, month).map(Deadline::On)
}

/// A number cell that reads as a year: `2024.12` is December 2024; `2024.1` is refused, since
/// Excel keeps 2024.10 as 2024.1 and January cannot be told from October.
fn year_month_number(n: f64) -> Result<Deadline, String> {
    let shown = format!("{n}");
    let ask = "write the month as 2024年10月 or the date as 2024-10-31";
    match shown.split_once('.') {
        None => Err(format!("{shown} is a year, not a deadline; {ask}")),
        Some((y, m)) if m.len() == 2 => {
            year_month(y, m).ok_or_else(|| format!("{shown} is not a year and month; {ask}"))
        }
        Some((_, m)) if m.len() == 1 => Err(format!(
            "{shown} may be month {m} or month {m}0 (Excel drops the 0 of a number such as \
             2024.10); {ask}, or format the cell as text"
        )),
        Some(_) => Err(format!("{shown} is not a deadline; {ask}")),
    }
}

/// One problem row of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The sheet's row number (1-based, as Excel shows it).
    pub row: usize,
    pub aspect: Option<usize>,
    pub description: String,
    pub causes: Vec<usize>,
    pub measures: Vec<usize>,
    pub unit: Option<String>,
    pub owner: Option<String>,
    pub deadline: Deadline,
    /// Where a ledger already under way says the problem stands (draft when it says nothing).
    pub status: Status,
    /// Its 完成情况/进展 text.
    pub progress: Option<String>,
    /// Its 销号时间, for a closed problem.
    pub closed_on: Option<NaiveDate>,
}

/// A sheet read into a draft: aspects, causes and measures are de-duplicated across rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet {
    pub aspects: Vec<String>,
    pub causes: Vec<String>,
    pub measures: Vec<String>,
    pub rows: Vec<Row>,
    pub warnings: Vec<CellIssue>,
    /// Cells in error: nothing may be written while there is one. Kept beside the rows, so
    /// that the names in those rows are checked too and every error is told at once.
    pub errors: Vec<CellIssue>,
    /// Each recognised column with its letter, for naming cells in later checks.
    pub columns: Vec<(Column, String)>,
}

/// A problem with one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellIssue {
    pub row: usize,
    /// The column's standard header.
    pub column: &'static str,
    /// The column letter(s), for an A1 reference.
    pub letter: String,
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetError {
    /// No row within the first rows names the needed columns.
    MissingColumns(Vec<&'static str>),
}

/// Labels of the lines offices put under a ledger (who filled it in, who checked it, when,
/// a phone number): such a row is not a problem.
const FOOTER_LABELS: [&str; 9] = [
    "填报人",
    "填表人",
    "制表人",
    "审核人",
    "负责人签字",
    "填报时间",
    "填报日期",
    "联系电话",
    "填报单位",
];

/// Whether a row is a footer: one of its cells starts with a footer label and a colon.
fn is_footer(cells: &[Cell]) -> bool {
    cells.iter().any(|c| {
        let text: String = c.text().chars().filter(|c| !c.is_whitespace()).collect();
        FOOTER_LABELS.iter().any(|label| {
            text.strip_prefix(label)
                .is_some_and(|rest| rest.starts_with('：') || rest.starts_with(':'))
        })
    })
}

/// Header rows may sit below a title (“2026年度整改台账”) and notes.
const HEADER_SEARCH_ROWS: usize = 10;

pub fn column_letter(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push((b'A' + (index % 26) as u8) as char);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.iter().rev().collect()
}

/// Causes and measures share cells, one per line, sometimes numbered.
fn entries(cell: &str) -> Vec<String> {
    cell.lines()
        .map(|l| {
            let l = l.trim();
            let chars: Vec<char> = l.chars().collect();
            let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
            if digits > 0 && digits < 3 && matches!(chars.get(digits), Some('.' | '、' | '．')) {
                chars[digits + 1..]
                    .iter()
                    .collect::<String>()
                    .trim()
                    .to_owned()
            } else {
                l.to_owned()
            }
        })
        .filter(|l| !l.is_empty())
        .collect()
}

fn index_of(list: &mut Vec<String>, value: &str) -> usize {
    match list.iter().position(|v| v == value) {
        Some(i) => i,
        None => {
            list.push(value.to_owned());
            list.len() - 1
        }
    }
}

/// The columns one header row names, by position.
fn columns_of_row(cells: &[Cell]) -> Vec<(usize, Column)> {
    let mut columns: Vec<(usize, Column)> = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        if let Some(column) = column_of(&cell.text()) {
            if !columns.iter().any(|(_, c)| *c == column) {
                columns.push((i, column));
            }
        }
    }
    columns
}

/// The columns a header of two rows names: a name in the lower row wins; a cell the lower row
/// leaves blank or names nothing known takes the upper row's name, and an upper cell merged
/// across several columns (its text in the first, blanks after) lends it to each of them.
fn columns_of_two_rows(upper: &[Cell], lower: &[Cell]) -> Vec<(usize, Column)> {
    let width = upper.len().max(lower.len());
    let mut columns: Vec<(usize, Column)> = Vec::new();
    let mut parent = String::new();
    for i in 0..width {
        let above = upper.get(i).map(Cell::text).unwrap_or_default();
        let below = lower.get(i).map(Cell::text).unwrap_or_default();
        if !above.is_empty() {
            parent = above;
        } else if below.is_empty() {
            parent.clear();
        }
        let column = column_of(&below).or_else(|| column_of(&parent));
        if let Some(column) = column {
            if !columns.iter().any(|(_, c)| *c == column) {
                columns.push((i, column));
            }
        }
    }
    columns
}

/// Finds the header in the first rows: the first row that names the problem column, alone or
/// with the row above or below it when the two together name more columns (a merged parent
/// such as 整改措施 over 具体措施, 责任单位, 责任人). Returns the header's columns and the index
/// of the row below it.
fn find_header(rows: &[Vec<Cell>]) -> Option<(Vec<(usize, Column)>, usize)> {
    let at = rows.iter().take(HEADER_SEARCH_ROWS).position(|r| {
        r.iter()
            .any(|c| column_of(&c.text()) == Some(Column::Description))
    })?;
    let mut best = (columns_of_row(&rows[at]), at + 1);
    if at > 0 {
        let pair = columns_of_two_rows(&rows[at - 1], &rows[at]);
        if pair.len() > best.0.len() {
            best = (pair, at + 1);
        }
    }
    if let Some(below) = rows.get(at + 1) {
        // The row below is a header's second row only if it is not itself a problem row.
        let below_is_data = best
            .0
            .iter()
            .find(|(_, c)| *c == Column::Description)
            .and_then(|(i, _)| below.get(*i))
            .is_some_and(|c| !c.text().is_empty() && column_of(&c.text()).is_none());
        let pair = columns_of_two_rows(&rows[at], below);
        if !below_is_data && pair.len() > best.0.len() {
            best = (pair, at + 2);
        }
    }
    Some(best)
}

/// A block of merged cells, 0-based and inclusive. Its value sits in its first cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merged {
    pub first_row: usize,
    pub last_row: usize,
    pub first_col: usize,
    pub last_col: usize,
}

/// At most this many merged blocks are applied; a ledger has one or two per group.
pub const MAX_MERGED: usize = 10_000;

/// Reads a sheet (rows of cells, the first row is row 1) into a draft ledger.
pub fn read_sheet(rows: &[Vec<Cell>]) -> Result<Sheet, SheetError> {
    read_merged_sheet(rows, &[])
}

/// Spreads each merged block's value over the cells it covers, within the rows and columns
/// the sheet has (a block may claim the whole sheet; it is not given more).
fn spread(rows: &mut [Vec<Cell>], merged: &[Merged]) {
    // Rows end at their last filled cell; a block reaches no further than the widest row.
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    for m in merged.iter().take(MAX_MERGED) {
        let Some(value) = rows
            .get(m.first_row)
            .and_then(|r| r.get(m.first_col))
            .filter(|c| !c.text().is_empty())
            .cloned()
        else {
            continue;
        };
        let last_row = m.last_row.min(rows.len().saturating_sub(1));
        let last_col = m.last_col.min(width.saturating_sub(1));
        for row in rows.iter_mut().take(last_row + 1).skip(m.first_row) {
            if row.len() <= last_col {
                row.resize(last_col + 1, Cell::Empty);
            }
            for cell in row.iter_mut().take(last_col + 1).skip(m.first_col) {
                if cell.text().is_empty() {
                    *cell = value.clone();
                }
            }
        }
    }
}

/// Reads a sheet whose merged cells are known: a value merged down several rows (a unit, an
/// owner, a deadline, a category shared by a group) applies to each of them; a problem whose
/// description is merged down several rows is one problem, and the causes and measures of
/// those rows are all its own.
pub fn read_merged_sheet(rows: &[Vec<Cell>], merged: &[Merged]) -> Result<Sheet, SheetError> {
    let mut filled;
    let mut rows = rows;
    if !merged.is_empty() {
        filled = rows.to_vec();
        spread(&mut filled, merged);
        rows = &filled;
    }
    let Some((columns, data_at)) = find_header(rows) else {
        return Err(SheetError::MissingColumns(vec![
            Column::Description.header()
        ]));
    };
    // Rows whose description is the merged continuation of the problem above.
    let description_col = columns
        .iter()
        .find(|(_, c)| *c == Column::Description)
        .map(|(i, _)| *i);
    let continues: std::collections::HashSet<usize> = merged
        .iter()
        .take(MAX_MERGED)
        .filter(|m| Some(m.first_col) == description_col && m.first_row >= data_at)
        .flat_map(|m| m.first_row + 1..=m.last_row.min(rows.len()))
        .collect();
    let at = |column: Column| columns.iter().find(|(_, c)| *c == column).map(|(i, _)| *i);
    let mut sheet = Sheet {
        columns: columns
            .iter()
            .map(|(i, c)| (*c, column_letter(*i)))
            .collect(),
        ..Default::default()
    };
    let mut errors = Vec::new();
    let description_at = at(Column::Description).expect("found above");
    // A category merged down its group holds its text in the group's first row only: the
    // rows below it take it, until the next category.
    let mut aspect_above: Option<usize> = None;
    for (offset, cells) in rows[data_at..].iter().enumerate() {
        let row = data_at + offset + 1;
        if is_footer(cells) {
            continue;
        }
        if continues.contains(&(row - 1)) {
            let text = |column: Column| {
                at(column)
                    .and_then(|i| cells.get(i))
                    .map(Cell::text)
                    .unwrap_or_default()
            };
            let causes: Vec<usize> = entries(&text(Column::Causes))
                .iter()
                .map(|c| index_of(&mut sheet.causes, c))
                .collect();
            let measures: Vec<usize> = entries(&text(Column::Measures))
                .iter()
                .map(|m| index_of(&mut sheet.measures, m))
                .collect();
            if let Some(problem) = sheet.rows.last_mut() {
                for c in causes {
                    if !problem.causes.contains(&c) {
                        problem.causes.push(c);
                    }
                }
                for m in measures {
                    if !problem.measures.contains(&m) {
                        problem.measures.push(m);
                    }
                }
            }
            continue;
        }
        let text = |column: Column| {
            at(column)
                .and_then(|i| cells.get(i))
                .map(Cell::text)
                .unwrap_or_default()
        };
        let description = text(Column::Description);
        if description.is_empty() {
            let rest_empty = cells.iter().all(|c| c.text().is_empty());
            if !rest_empty
                && (!text(Column::Owner).is_empty() || !text(Column::Deadline).is_empty())
            {
                errors.push(CellIssue {
                    row,
                    column: Column::Description.header(),
                    letter: column_letter(description_at),
                    code: "required",
                    message: "a row with an owner or a deadline needs a 问题描述".to_owned(),
                });
            }
            continue; // blank rows, totals, signatures
        }
        let deadline = match at(Column::Deadline) {
            Some(i) => match parse_deadline(cells.get(i).unwrap_or(&Cell::Empty)) {
                Ok(d) => d,
                Err(message) => {
                    errors.push(CellIssue {
                        row,
                        column: Column::Deadline.header(),
                        letter: column_letter(i),
                        code: "deadline",
                        message,
                    });
                    Deadline::None
                }
            },
            None => Deadline::None,
        };
        let aspect = Some(text(Column::Aspect))
            .filter(|a| !a.is_empty())
            .map(|a| index_of(&mut sheet.aspects, &a))
            .or(aspect_above);
        aspect_above = aspect;
        let causes = entries(&text(Column::Causes))
            .iter()
            .map(|c| index_of(&mut sheet.causes, c))
            .collect();
        let measures = entries(&text(Column::Measures))
            .iter()
            .map(|m| index_of(&mut sheet.measures, m))
            .collect();
        let mut owner = Some(text(Column::Owner)).filter(|o| !o.is_empty());
        if let Some(all) = owner.clone() {
            let names: Vec<&str> = all
                .split(['、', ',', '，', ';', '；', '/', '\n'])
                .filter(|n| !n.is_empty())
                .collect();
            if names.len() > 1 {
                sheet.warnings.push(CellIssue {
                    row,
                    column: Column::Owner.header(),
                    letter: column_letter(at(Column::Owner).unwrap_or(0)),
                    code: "several_owners",
                    message: format!("a problem has one owner; {} was taken", names[0]),
                });
                owner = Some(names[0].to_owned());
            }
        }
        let status_text = text(Column::Status);
        let status = status_of(&status_text).unwrap_or_else(|| {
            sheet.warnings.push(CellIssue {
                row,
                column: Column::Status.header(),
                letter: column_letter(at(Column::Status).unwrap_or(0)),
                code: "unknown_status",
                message: format!(
                    "“{status_text}” is not a status this service knows (已完成, 正在整改, \
                     未启动 …); the problem is imported as a draft"
                ),
            });
            Status::Draft
        });
        let closed_on = match at(Column::ClosedOn) {
            Some(i) if status == Status::Closed => {
                match parse_deadline(cells.get(i).unwrap_or(&Cell::Empty)) {
                    Ok(Deadline::On(date)) => Some(date),
                    Ok(Deadline::None) => None,
                    Ok(_) | Err(_) => {
                        errors.push(CellIssue {
                            row,
                            column: Column::ClosedOn.header(),
                            letter: column_letter(i),
                            code: "closed_on",
                            message: format!(
                                "“{}” is not a date; write 2026-12-31 or 2026年12月31日",
                                text(Column::ClosedOn)
                            ),
                        });
                        None
                    }
                }
            }
            _ => None,
        };
        sheet.rows.push(Row {
            row,
            aspect,
            description,
            causes,
            measures,
            unit: Some(text(Column::Unit)).filter(|u| !u.is_empty()),
            owner,
            deadline,
            status,
            progress: Some(text(Column::Progress)).filter(|p| !p.is_empty()),
            closed_on,
        });
    }
    sheet.errors = errors;
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_text_is_defused_on_the_way_out_and_restored_on_the_way_in() {
        for dangerous in [
            "=1+1",
            "+SUM(A1)",
            "-2",
            "@cmd",
            "\tx",
            "\rx",
            "=HYPERLINK(\"x\")",
        ] {
            let written = sheet_text(dangerous);
            assert!(written.starts_with('\''), "{dangerous:?}");
            assert_eq!(Cell::Text(written.into_owned()).text(), dangerous.trim());
        }
        for plain in ["学习不深入", "1. 问题", "'quoted' title", "a=b"] {
            assert_eq!(sheet_text(plain), plain);
            assert_eq!(Cell::Text(plain.to_owned()).text(), plain);
        }
    }

    fn t(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
    fn date(y: i32, m: u32, d: u32) -> Deadline {
        Deadline::On(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn deadlines_in_every_form_people_write_them() {
        for (text, expected) in [
            ("2026-12-31", date(2026, 12, 31)),
            ("2026/12/31", date(2026, 12, 31)),
            ("2026.12.31", date(2026, 12, 31)),
            ("2026-1-5", date(2026, 1, 5)),
            ("2026年12月31日", date(2026, 12, 31)),
            ("2026年12月31日前", date(2026, 12, 31)),
            ("2026年 3月 1日", date(2026, 3, 1)),
            ("2026年12月底前", date(2026, 12, 31)),
            ("2027年2月底", date(2027, 2, 28)),
            ("2028年2月底前", date(2028, 2, 29)),
            ("2026年6月", date(2026, 6, 30)),
            ("2024.12", date(2024, 12, 31)),
            ("2026.6", date(2026, 6, 30)),
            ("2024.1", date(2024, 1, 31)),
            ("46387", date(2026, 12, 31)),
            ("长期坚持", Deadline::LongTerm),
            ("长期", Deadline::LongTerm),
            ("立行立改", Deadline::Immediate),
            ("", Deadline::None),
        ] {
            assert_eq!(parse_deadline(&t(text)), Ok(expected), "{text}");
        }
        assert_eq!(
            parse_deadline(&Cell::Number(46387.0)),
            Ok(date(2026, 12, 31))
        );
        assert_eq!(
            parse_deadline(&Cell::Number(46387.75)),
            Ok(date(2026, 12, 31))
        );
        assert_eq!(parse_deadline(&Cell::Empty), Ok(Deadline::None));
        // A year and month typed as a number is never read as a serial (2024.12 was 1905).
        assert_eq!(
            parse_deadline(&Cell::Number(2024.12)),
            Ok(date(2024, 12, 31))
        );
        // Dates outside 2000–2100 are slips, refused rather than guessed at.
        for slip in [t("1999-12-31"), t("2101.1"), Cell::Number(3000.0)] {
            let refused = parse_deadline(&slip).unwrap_err();
            assert!(refused.contains("plausible"), "{slip:?}: {refused}");
        }
        for ambiguous in [2024.1, 2024.0, 2024.13, 2024.125] {
            let refused = parse_deadline(&Cell::Number(ambiguous)).unwrap_err();
            assert!(refused.contains("2024年10月"), "{ambiguous}: {refused}");
        }
        assert_eq!(
            parse_deadline(&Cell::Date(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap())),
            Ok(date(2026, 7, 1))
        );
    }

    #[test]
    fn what_is_not_a_deadline_says_how_to_write_one() {
        for text in [
            "下个月",
            "2026-02-30",
            "2026-13-01",
            "12/31/2026",
            "2026年",
            "31.12.2026",
            "0",
            "-5",
        ] {
            let error = parse_deadline(&t(text)).expect_err(text);
            assert!(
                error.contains(text) && error.contains("长期坚持"),
                "{error}"
            );
        }
        assert!(parse_deadline(&Cell::Number(-1.0)).is_err());
        assert!(parse_deadline(&Cell::Number(1e12)).is_err());
    }

    #[test]
    fn excel_serials_round_trip() {
        for (serial, y, m, d) in [
            (1.0, 1900, 1, 1),
            (59.0, 1900, 2, 28),
            (61.0, 1900, 3, 1),
            (45658.0, 2025, 1, 1),
        ] {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(from_excel_serial(serial), Some(day));
            assert_eq!(to_excel_serial(day), serial);
        }
    }

    #[test]
    fn headers_match_by_name_and_common_variants() {
        assert_eq!(column_of("问题类别（方面）"), Some(Column::Aspect));
        assert_eq!(column_of(" 问题 描述 "), Some(Column::Description));
        assert_eq!(column_of("完成情况／进展"), Some(Column::Progress));
        assert_eq!(column_of("责任人*"), Some(Column::Owner));
        assert_eq!(column_of("完成时限"), Some(Column::Deadline));
        assert_eq!(column_of("备注"), None);
        for (column, header) in Column::ALL.iter().zip(HEADERS) {
            assert_eq!(column_of(header), Some(*column));
            assert_eq!(column.header(), header);
        }
    }

    #[test]
    fn column_letters_go_past_z() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27 * 26), "AAA");
    }

    fn sheet(rows: &[&[&str]]) -> Vec<Vec<Cell>> {
        rows.iter()
            .map(|r| {
                r.iter()
                    .map(|c| if c.is_empty() { Cell::Empty } else { t(c) })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_sheet_below_a_title_with_shared_causes_and_measures() {
        let rows = sheet(&[
            &["2026年度整改台账"],
            &[
                "序号",
                "方面",
                "问题",
                "原因",
                "措施",
                "责任单位",
                "负责人",
                "完成时限",
                "备注",
            ],
            &[
                "1",
                "作风建设",
                "调研不深入",
                "1.宗旨意识不强\n2.制度不落实",
                "建立调研制度",
                "DFSQ",
                "张伟",
                "2026年12月底前",
                "",
            ],
            &[
                "2",
                "作风建设",
                "会议多",
                "宗旨意识不强",
                "建立调研制度\n精简会议",
                "",
                "李娜、王强",
                "长期坚持",
                "",
            ],
            &["", "", "", "", "", "", "", "", ""],
            &["3", "理论学习", "学习不深", "", "", "", "", "", ""],
        ]);
        let s = read_sheet(&rows).unwrap();
        assert_eq!(s.aspects, ["作风建设", "理论学习"]);
        assert_eq!(s.causes, ["宗旨意识不强", "制度不落实"]);
        assert_eq!(s.measures, ["建立调研制度", "精简会议"]);
        assert_eq!(s.rows.len(), 3);
        assert_eq!(s.rows[0].row, 3);
        assert_eq!(s.rows[0].causes, [0, 1]);
        assert_eq!(s.rows[1].causes, [0]);
        assert_eq!(s.rows[1].measures, [0, 1]);
        assert_eq!(s.rows[0].unit.as_deref(), Some("DFSQ"));
        assert_eq!(s.rows[0].deadline, date(2026, 12, 31));
        assert_eq!(s.rows[1].deadline, Deadline::LongTerm);
        assert_eq!(s.rows[1].owner.as_deref(), Some("李娜"));
        assert_eq!(s.warnings[0].code, "several_owners");
        assert_eq!((s.rows[2].row, s.rows[2].aspect), (6, Some(1)));
    }

    #[test]
    fn every_bad_cell_is_reported_with_its_row_and_column() {
        let rows = sheet(&[
            &["序号", "问题描述", "整改时限", "责任人"],
            &["1", "问题甲", "下个月", ""],
            &["2", "问题乙", "2026-12-31", ""],
            &["3", "", "2026-12-31", "张伟"],
            &["4", "问题丁", "2026-02-30", ""],
        ]);
        let errors = read_sheet(&rows).unwrap().errors;
        let at: Vec<(usize, &str, &str)> = errors
            .iter()
            .map(|e| (e.row, e.letter.as_str(), e.column))
            .collect();
        assert_eq!(
            at,
            [
                (2, "C", "整改时限"),
                (4, "B", "问题描述"),
                (5, "C", "整改时限")
            ]
        );
    }

    #[test]
    fn a_category_merged_down_its_group_reaches_every_row_and_footers_are_not_problems() {
        let rows = sheet(&[
            &["序号", "问题类别", "问题描述", "整改时限"],
            &["1", "理论学习", "学习不深入", "2026-12-31"],
            &["2", "", "笔记流于形式", "2026-12-31"],
            &["3", "作风建设", "调研不够", "2026-12-31"],
            &["4", "", "会议偏多", "2026-12-31"],
            &[
                "",
                "填报人：王芳",
                "填报时间：2026年11月30日",
                "联系电话: 123",
            ],
            &["审核人：李强", "", "", ""],
        ]);
        let s = read_sheet(&rows).unwrap();
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert_eq!(s.aspects, ["理论学习", "作风建设"]);
        let aspects: Vec<Option<usize>> = s.rows.iter().map(|r| r.aspect).collect();
        assert_eq!(aspects, [Some(0), Some(0), Some(1), Some(1)]);
        // A problem that merely mentions a label is still a problem.
        assert!(!is_footer(&[t("联系电话无人接听的问题")]));
    }

    #[test]
    fn a_header_of_two_rows_lends_merged_names_to_the_columns_below() {
        let rows = sheet(&[
            &["某某党委整改台账"],
            &[
                "序号",
                "问题描述",
                "整改措施",
                "",
                "",
                "整改时限",
                "整改状态",
            ],
            &["", "", "措施内容", "责任单位", "责任人", "", ""],
            &[
                "1",
                "学习不深入",
                "制定学习计划",
                "DFSQ",
                "张伟",
                "2024.12",
                "已完成",
            ],
            &[
                "2",
                "调研不够",
                "建立调研制度",
                "DFSQ",
                "李娜",
                "2025年3月",
                "正在整改",
            ],
        ]);
        let s = read_sheet(&rows).unwrap();
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let found: Vec<(Column, &str)> = s.columns.iter().map(|(c, l)| (*c, l.as_str())).collect();
        assert_eq!(
            found,
            [
                (Column::Number, "A"),
                (Column::Description, "B"),
                (Column::Measures, "C"),
                (Column::Unit, "D"),
                (Column::Owner, "E"),
                (Column::Deadline, "F"),
                (Column::Status, "G"),
            ]
        );
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[0].row, 4);
        assert_eq!(s.rows[0].owner.as_deref(), Some("张伟"));
        assert_eq!(s.rows[1].unit.as_deref(), Some("DFSQ"));
        assert_eq!(s.rows[0].deadline, date(2024, 12, 31));
        assert_eq!(s.measures, ["制定学习计划", "建立调研制度"]);
    }

    #[test]
    fn a_problem_row_below_a_one_row_header_is_not_taken_for_a_second_header_row() {
        let rows = sheet(&[
            &["问题描述", "整改措施", "", "责任人"],
            &["措施不力", "", "责任单位", "张伟"],
        ]);
        let s = read_sheet(&rows).unwrap();
        assert_eq!(s.rows.len(), 1);
        assert_eq!(s.rows[0].description, "措施不力");
    }

    #[test]
    fn a_ledger_under_way_says_where_each_problem_stands() {
        let rows = sheet(&[
            &[
                "问题描述",
                "责任人",
                "整改时限",
                "整改状态",
                "完成情况",
                "销号时间",
            ],
            &[
                "甲",
                "张伟",
                "2026-06-30",
                "已完成",
                "已建立制度",
                "2026年5月20日",
            ],
            &["乙", "张伟", "2026-06-30", "正在整改", "制度起草中", ""],
            &["丙", "张伟", "2026-06-30", "未启动", "", ""],
            &["丁", "张伟", "2026-06-30", "", "", ""],
            &["戊", "张伟", "2026-06-30", "差不多了", "", ""],
            &["己", "张伟", "2026-06-30", "已销号", "", "上周"],
        ]);
        let s = read_sheet(&rows).unwrap();
        let statuses: Vec<Status> = s.rows.iter().map(|r| r.status).collect();
        assert_eq!(
            statuses,
            [
                Status::Closed,
                Status::InProgress,
                Status::Open,
                Status::Draft,
                Status::Draft,
                Status::Closed
            ]
        );
        assert_eq!(s.rows[0].closed_on, NaiveDate::from_ymd_opt(2026, 5, 20));
        assert_eq!(s.rows[1].progress.as_deref(), Some("制度起草中"));
        assert_eq!(s.warnings.len(), 1);
        assert_eq!(
            (s.warnings[0].code, s.warnings[0].row),
            ("unknown_status", 6)
        );
        assert_eq!(s.errors.len(), 1);
        assert_eq!((s.errors[0].letter.as_str(), s.errors[0].row), ("F", 7));
        // Our own export's labels read back.
        for status in [
            Status::Draft,
            Status::Open,
            Status::InProgress,
            Status::Closed,
        ] {
            assert_eq!(status_of(status_label(status)), Some(status));
        }
        assert_eq!(status_of(status_label(Status::Submitted)), None);
    }

    #[test]
    fn merged_cells_reach_every_row_they_cover_and_a_merged_problem_stays_one() {
        let rows = sheet(&[
            &["序号", "问题描述", "整改措施", "责任单位", "整改时限"],
            &["1", "学习不深入", "制定计划", "DFSQ", "2026-06-30"],
            &["", "", "专题研讨", "", ""],
            &["2", "调研不够", "建立制度", "", "2026-09-30"],
            &["3", "会议偏多", "精简会议"],
        ]);
        let block = |first_row, last_row, col| Merged {
            first_row,
            last_row,
            first_col: col,
            last_col: col,
        };
        // The problem in B2:B3, the unit in D2:D5 (the whole tree), the deadline in E4:E5.
        let merged = [
            block(1, 2, 1),
            block(1, 4, 3),
            block(3, 4, 4),
            block(0, 99, 0),
        ];
        let s = read_merged_sheet(&rows, &merged).unwrap();
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let found: Vec<(&str, Vec<usize>, Option<&str>, Deadline)> = s
            .rows
            .iter()
            .map(|r| {
                (
                    r.description.as_str(),
                    r.measures.clone(),
                    r.unit.as_deref(),
                    r.deadline,
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("学习不深入", vec![0, 1], Some("DFSQ"), date(2026, 6, 30)),
                ("调研不够", vec![2], Some("DFSQ"), date(2026, 9, 30)),
                ("会议偏多", vec![3], Some("DFSQ"), date(2026, 9, 30)),
            ]
        );
    }

    #[test]
    fn a_sheet_without_the_problem_column_is_refused() {
        let rows = sheet(&[&["姓名", "电话"], &["张伟", "123"]]);
        assert_eq!(
            read_sheet(&rows),
            Err(SheetError::MissingColumns(vec!["问题描述"]))
        );
        assert!(matches!(
            read_sheet(&[]),
            Err(SheetError::MissingColumns(_))
        ));
    }
}
