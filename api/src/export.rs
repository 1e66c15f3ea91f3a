//! Writes the ledger sheet (整改台账) as offices expect it: XLSX that prints as a 台账 (a
//! title row, the unit and as-of date, the header repeated on every page, landscape A4 one
//! page wide, page numbers, rows as tall as their wrapped text, red and yellow rows with
//! their legend), or CSV in UTF-8 with a BOM (so that Excel and WPS read the Chinese right).
//! Rows are written as they come and the XLSX writer keeps only the current row in memory
//! (constant-memory mode), so 100,000 rows cost no more than 10.

use std::io::Write;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};

use crate::domain::ledger::{looks_like_formula, sheet_text, HEADERS};
use crate::domain::text::display_width;

/// What a printed sheet says above its header.
#[derive(Debug, Clone, Copy)]
pub struct Heading<'a> {
    /// The title row (`某某党委2026年度组织生活会整改台账`), also the sheet's name.
    pub title: &'a str,
    /// The unit whose ledger it is.
    pub unit: &'a str,
    /// The day its statuses and colours are judged on.
    pub as_of: NaiveDate,
}

/// Rows above the header: the title and the line with the unit, the date and the legend.
const HEADING_ROWS: u32 = 2;
/// The font offices print in (宋体); where it is missing, the reader's CJK fallback.
const FONT: &str = "宋体";
const FONT_SIZE: f64 = 10.5;
/// A line of wrapped text in points, at [`FONT_SIZE`]; the tallest row Excel takes.
const LINE_HEIGHT: f64 = 14.0;
const MAX_ROW_HEIGHT: f64 = 409.0;

/// A row's colour: red for overdue, yellow for due within 7 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Highlight {
    None,
    Overdue,
    DueSoon,
}

/// One cell value of a ledger row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(i64),
    Date(NaiveDate),
}

impl Value {
    pub fn as_text(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::Number(n) => n.to_string(),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    /// The problem the row tells (not a column: documents built from rows look up more).
    pub problem_id: i64,
    pub status: crate::domain::workflow::Status,
    pub cells: [Value; 11],
    pub highlight: Highlight,
}

/// A sheet's columns: header and width in characters.
#[derive(Debug, Clone, Copy)]
pub struct Columns<'a> {
    pub headers: &'a [&'a str],
    pub widths: &'a [f64],
}

/// The ledger's columns, in [`HEADERS`] order.
pub const LEDGER: Columns<'static> = Columns {
    headers: &HEADERS,
    // 156 characters: landscape A4 at about 85 %, so that one page wide stays readable.
    widths: &[
        5.0, 11.0, 30.0, 18.0, 24.0, 11.0, 8.0, 11.0, 8.0, 19.0, 11.0,
    ],
};

/// A row of any table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub cells: Vec<Value>,
    pub highlight: Highlight,
}

impl From<LedgerRow> for Row {
    fn from(row: LedgerRow) -> Self {
        Row {
            cells: row.cells.to_vec(),
            highlight: row.highlight,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("writing the ledger: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("writing the ledger: {0}")]
    Io(#[from] std::io::Error),
    #[error("writing a document: {0}")]
    Document(String),
}

/// Writes an XLSX ledger to `path`; `rows` calls its argument once per row, in order.
pub fn write_xlsx<E: From<ExportError>>(
    path: &Path,
    heading: Heading<'_>,
    rows: impl FnOnce(&mut dyn FnMut(LedgerRow) -> Result<(), E>) -> Result<(), E>,
) -> Result<usize, E> {
    write_table_xlsx(path, heading, LEDGER, |each| {
        rows(&mut |row| each(row.into()))
    })
}

/// How many printed lines a cell's text takes in a column `width` characters wide.
fn lines_in(text: &str, width: f64) -> usize {
    let per_line = (width - 1.0).max(1.0);
    text.lines()
        .map(|line| ((display_width(line) as f64) / per_line).ceil().max(1.0) as usize)
        .sum::<usize>()
        .max(1)
}

/// A row's height in points: as many lines as its fullest cell wraps to.
fn row_height(cells: &[Value], widths: &[f64]) -> f64 {
    let lines = cells
        .iter()
        .zip(widths)
        .map(|(value, width)| lines_in(&value.as_text(), *width))
        .max()
        .unwrap_or(1);
    (lines as f64 * LINE_HEIGHT + 4.0).min(MAX_ROW_HEIGHT)
}

/// Writes any table as XLSX, in the ledger's style, ready to print.
pub fn write_table_xlsx<E: From<ExportError>>(
    path: &Path,
    heading: Heading<'_>,
    columns: Columns<'_>,
    rows: impl FnOnce(&mut dyn FnMut(Row) -> Result<(), E>) -> Result<(), E>,
) -> Result<usize, E> {
    let mut workbook = Workbook::new();
    let written = add_table(&mut workbook, heading, heading.title, columns, rows)?;
    workbook.save(path).map_err(ExportError::from)?;
    Ok(written)
}

/// A sheet of a workbook of several: its name, the title printed above it, and its rows.
pub struct Table<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub columns: Columns<'a>,
    pub rows: Vec<Row>,
}

/// Writes several tables as the sheets of one XLSX, each ready to print under its own title
/// and `heading`'s unit and date.
pub fn write_tables_xlsx<E: From<ExportError>>(
    path: &Path,
    heading: Heading<'_>,
    tables: Vec<Table<'_>>,
) -> Result<(), E> {
    let mut workbook = Workbook::new();
    for table in tables {
        let sheet_heading = Heading {
            title: table.title,
            ..heading
        };
        add_table::<E>(
            &mut workbook,
            sheet_heading,
            table.name,
            table.columns,
            |each| table.rows.into_iter().try_for_each(each),
        )?;
    }
    workbook.save(path).map_err(ExportError::from)?;
    Ok(())
}

/// Adds one printable table as a sheet named `sheet_name`.
fn add_table<E: From<ExportError>>(
    workbook: &mut Workbook,
    heading: Heading<'_>,
    sheet_name: &str,
    columns: Columns<'_>,
    rows: impl FnOnce(&mut dyn FnMut(Row) -> Result<(), E>) -> Result<(), E>,
) -> Result<usize, E> {
    let font = |format: Format| format.set_font_name(FONT).set_font_size(FONT_SIZE);
    // The title and the unit line hold names people typed: marked as text, like the cells.
    let title = font(Format::new())
        .set_quote_prefix()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let subtitle = font(Format::new())
        .set_quote_prefix()
        .set_align(FormatAlign::VerticalCenter);
    let header = font(Format::new())
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin);
    let body = font(Format::new())
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let fill = |color: u32| body.clone().set_background_color(Color::RGB(color));
    let formats = [body.clone(), fill(0xFFC7CE), fill(0xFFEB9C)];
    // Text that looks like a formula is marked as text (Excel's hidden leading `'`), so that
    // even editing the cell never turns it into one.
    let as_text = formats.clone().map(|f| f.set_quote_prefix());
    let dates = formats.clone().map(|f| {
        f.set_num_format("yyyy-mm-dd")
            .set_align(FormatAlign::Center)
    });
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(ExportError::from)?;
    sheet
        .set_name(valid_sheet_name(sheet_name))
        .map_err(ExportError::from)?;
    let last_col = (columns.headers.len() - 1) as u16;
    // The page: landscape A4, one page wide, the title and header on every page, centred,
    // page numbers at the foot.
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_print_center_horizontally(true);
    sheet.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    sheet
        .set_repeat_rows(0, HEADING_ROWS)
        .map_err(ExportError::from)?;
    sheet.set_footer("&C第 &P 页 共 &N 页");
    sheet
        .merge_range(0, 0, 0, last_col, heading.title, &title)
        .map_err(ExportError::from)?;
    sheet.set_row_height(0, 30).map_err(ExportError::from)?;
    let line = format!(
        "填报单位：{}　　截至 {}　　说明：红色为已逾期，黄色为7日内到期",
        heading.unit, heading.as_of
    );
    sheet
        .merge_range(1, 0, 1, last_col, &line, &subtitle)
        .map_err(ExportError::from)?;
    sheet.set_row_height(1, 20).map_err(ExportError::from)?;
    for (col, (name, width)) in columns.headers.iter().zip(columns.widths).enumerate() {
        sheet
            .set_column_width(col as u16, *width)
            .map_err(ExportError::from)?;
        sheet
            .write_string_with_format(HEADING_ROWS, col as u16, *name, &header)
            .map_err(ExportError::from)?;
    }
    sheet
        .set_row_height(HEADING_ROWS, 30)
        .map_err(ExportError::from)?;
    sheet
        .set_freeze_panes(HEADING_ROWS + 1, 0)
        .map_err(ExportError::from)?;
    let mut written = 0usize;
    rows(&mut |row: Row| {
        written += 1;
        let r = HEADING_ROWS + written as u32;
        sheet
            .set_row_height(r, row_height(&row.cells, columns.widths))
            .map_err(ExportError::from)?;
        let style = match row.highlight {
            Highlight::None => 0,
            Highlight::Overdue => 1,
            Highlight::DueSoon => 2,
        };
        for (col, value) in row.cells.iter().enumerate() {
            let col = col as u16;
            match value {
                Value::Text(t) if looks_like_formula(t) => {
                    sheet.write_string_with_format(r, col, t, &as_text[style])
                }
                Value::Text(t) => sheet.write_string_with_format(r, col, t, &formats[style]),
                Value::Number(n) => {
                    sheet.write_number_with_format(r, col, *n as f64, &formats[style])
                }
                Value::Date(d) => match excel_date(*d) {
                    Some(date) => sheet.write_datetime_with_format(r, col, &date, &dates[style]),
                    // Excel has no day before 1900 or after 9999: such a date is written as
                    // it reads, rather than failing the whole sheet.
                    None => sheet.write_string_with_format(
                        r,
                        col,
                        d.format("%Y-%m-%d").to_string(),
                        &formats[style],
                    ),
                },
            }
            .map_err(ExportError::from)?;
        }
        Ok(())
    })?;
    sheet
        .autofilter(HEADING_ROWS, 0, HEADING_ROWS + written as u32, last_col)
        .map_err(ExportError::from)?;
    Ok(written)
}

/// A day as Excel counts days, if Excel has it (1900-01-01 to 9999-12-31).
fn excel_date(day: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(day.year())
        .ok()
        .filter(|y| (1900..=9999).contains(y))?;
    ExcelDateTime::from_ymd(year, day.month() as u8, day.day() as u8).ok()
}

/// A sheet name as Excel takes it: at most 31 characters, none of []:*?/\, and no apostrophe
/// at either end.
fn valid_sheet_name(title: &str) -> String {
    let kept: String = title.chars().filter(|c| !"[]:*?/\\".contains(*c)).collect();
    let trimmed = kept.trim_matches(|c: char| c == '\'' || c.is_whitespace());
    let cut: String = trimmed.chars().take(31).collect();
    let name = cut.trim_end_matches(|c: char| c == '\'' || c.is_whitespace());
    if name.is_empty() {
        "整改台账".to_owned()
    } else {
        name.to_owned()
    }
}

/// One CSV field, quoted when it must be (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Writes a CSV ledger (UTF-8 with BOM, CRLF line ends) to `out`.
pub fn write_csv<E: From<ExportError>>(
    out: &mut dyn Write,
    rows: impl FnOnce(&mut dyn FnMut(LedgerRow) -> Result<(), E>) -> Result<(), E>,
) -> Result<usize, E> {
    write_table_csv(out, &HEADERS, |each| rows(&mut |row| each(row.into())))
}

/// Writes any table as CSV (UTF-8 with BOM, CRLF line ends).
pub fn write_table_csv<E: From<ExportError>>(
    out: &mut dyn Write,
    headers: &[&str],
    rows: impl FnOnce(&mut dyn FnMut(Row) -> Result<(), E>) -> Result<(), E>,
) -> Result<usize, E> {
    let line = |cells: Vec<String>| format!("{}\r\n", cells.join(","));
    out.write_all(b"\xEF\xBB\xBF").map_err(ExportError::from)?;
    out.write_all(line(headers.iter().map(|h| csv_field(h)).collect()).as_bytes())
        .map_err(ExportError::from)?;
    let mut written = 0usize;
    rows(&mut |row: Row| {
        written += 1;
        let cells = row
            .cells
            .iter()
            .map(|v| match v {
                Value::Text(t) => csv_field(&sheet_text(t)),
                other => csv_field(&other.as_text()),
            })
            .collect();
        out.write_all(line(cells).as_bytes())
            .map_err(ExportError::from)?;
        Ok(())
    })?;
    out.flush().map_err(ExportError::from)?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_follow_excels_rules() {
        assert_eq!(valid_sheet_name("'东风社区'整改台账"), "东风社区'整改台账");
        assert_eq!(valid_sheet_name("a/b:c*d?e[f]g\\h"), "abcdefgh");
        assert_eq!(valid_sheet_name("''' "), "整改台账");
        let long = format!("{}'x", "字".repeat(30));
        assert_eq!(valid_sheet_name(&long), "字".repeat(30));
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("学习不深入"), "学习不深入");
        assert_eq!(csv_field("甲,乙"), "\"甲,乙\"");
        assert_eq!(csv_field("说“好”\"ok\""), "\"说“好”\"\"ok\"\"\"");
        assert_eq!(csv_field("一\n二"), "\"一\n二\"");
    }

    #[test]
    fn csv_starts_with_a_bom_and_the_headers() {
        let mut out = Vec::new();
        let row = LedgerRow {
            problem_id: 1,
            status: crate::domain::workflow::Status::Open,
            cells: std::array::from_fn(|i| match i {
                0 => Value::Number(1),
                7 => Value::Date(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()),
                _ => Value::Text("甲,乙".to_owned()),
            }),
            highlight: Highlight::Overdue,
        };
        let n = write_csv::<ExportError>(&mut out, |each| each(row)).unwrap();
        assert_eq!(n, 1);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("\u{feff}序号,问题类别(方面),问题描述,"));
        assert!(text.ends_with("\r\n1,\"甲,乙\",\"甲,乙\",\"甲,乙\",\"甲,乙\",\"甲,乙\",\"甲,乙\",2026-11-30,\"甲,乙\",\"甲,乙\",\"甲,乙\"\r\n"));
    }

    #[test]
    fn a_day_excel_does_not_have_is_written_as_text_and_the_sheet_is_still_made() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert!(excel_date(day(2026, 11, 30)).is_some());
        assert!(excel_date(day(1900, 1, 1)).is_some());
        for outside in [day(1, 1, 1), day(1899, 12, 31), day(-5, 3, 1)] {
            assert!(excel_date(outside).is_none(), "{outside}");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.xlsx");
        let row = LedgerRow {
            problem_id: 1,
            status: crate::domain::workflow::Status::Open,
            cells: std::array::from_fn(|i| match i {
                7 => Value::Date(day(1, 1, 1)),
                10 => Value::Date(day(2026, 11, 30)),
                _ => Value::Text("甲".to_owned()),
            }),
            highlight: Highlight::Overdue,
        };
        let heading = Heading {
            title: "整改台账",
            unit: "东风社区党委",
            as_of: day(2026, 11, 30),
        };
        let written = write_xlsx::<ExportError>(&path, heading, |each| each(row)).unwrap();
        assert_eq!(written, 1);
    }

    #[test]
    fn rows_are_as_tall_as_their_wrapped_text() {
        // 30 Chinese characters in a column of 11: 60 columns of text, 10 a line.
        assert_eq!(lines_in(&"字".repeat(30), 11.0), 6);
        assert_eq!(lines_in("一\n二\n三", 30.0), 3);
        assert_eq!(lines_in("", 30.0), 1);
        let cells = [Value::Text("短".into()), Value::Text("字".repeat(30))];
        assert_eq!(row_height(&cells, &[10.0, 11.0]), 6.0 * LINE_HEIGHT + 4.0);
        let huge = [Value::Text("字".repeat(10_000))];
        assert_eq!(row_height(&huge, &[11.0]), MAX_ROW_HEIGHT);
    }
}
