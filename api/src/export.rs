//! Writes the ledger sheet (整改台账) as offices expect it: XLSX with a frozen header row,
//! wrapped text, set widths and coloured rows, or CSV in UTF-8 with a BOM (so that Excel and
//! WPS read the Chinese right). Rows are written as they come and the XLSX writer keeps only
//! the current row in memory (constant-memory mode), so 100,000 rows cost no more than 10.

use std::io::Write;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};

use crate::domain::ledger::{looks_like_formula, sheet_text, HEADERS};

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
    fn as_text(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::Number(n) => n.to_string(),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
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
    widths: &[
        6.0, 18.0, 50.0, 32.0, 40.0, 16.0, 10.0, 12.0, 10.0, 32.0, 12.0,
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
}

/// Writes an XLSX ledger to `path`; `rows` calls its argument once per row, in order.
pub fn write_xlsx<E: From<ExportError>>(
    path: &Path,
    sheet_name: &str,
    rows: impl FnOnce(&mut dyn FnMut(LedgerRow) -> Result<(), E>) -> Result<(), E>,
) -> Result<usize, E> {
    write_table_xlsx(path, sheet_name, LEDGER, |each| {
        rows(&mut |row| each(row.into()))
    })
}

/// Writes any table as XLSX, in the ledger's style.
pub fn write_table_xlsx<E: From<ExportError>>(
    path: &Path,
    sheet_name: &str,
    columns: Columns<'_>,
    rows: impl FnOnce(&mut dyn FnMut(Row) -> Result<(), E>) -> Result<(), E>,
) -> Result<usize, E> {
    let mut workbook = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin);
    let body = Format::new()
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
    for (col, (title, width)) in columns.headers.iter().zip(columns.widths).enumerate() {
        sheet
            .set_column_width(col as u16, *width)
            .map_err(ExportError::from)?;
        sheet
            .write_string_with_format(0, col as u16, *title, &header)
            .map_err(ExportError::from)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(ExportError::from)?;
    let mut written = 0usize;
    rows(&mut |row: Row| {
        written += 1;
        let r = written as u32;
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
                Value::Date(d) => {
                    let date =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                            .map_err(ExportError::from)?;
                    sheet.write_datetime_with_format(r, col, &date, &dates[style])
                }
            }
            .map_err(ExportError::from)?;
        }
        Ok(())
    })?;
    sheet
        .autofilter(0, 0, written as u32, (columns.headers.len() - 1) as u16)
        .map_err(ExportError::from)?;
    workbook.save(path).map_err(ExportError::from)?;
    Ok(written)
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
}
