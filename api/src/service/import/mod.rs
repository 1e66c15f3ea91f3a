//! Import: a self-inspection report (text or Word) or an Excel ledger becomes a draft review
//! with its aspects, problems (status draft), causes and measures, shown all at once. The
//! reading rules live in `domain::report` and `domain::ledger`; this module opens the files,
//! resolves names to records and writes.

use std::collections::HashMap;
use std::io::{Cursor, Read};

mod legacy;
mod pdf;

use chrono::{DateTime, Utc};
use rectify_db::models::{NewCause, NewMeasure, NewReview, OrganizationRow};
use rectify_db::organizations as db_orgs;
use rectify_db::reviews as db_reviews;
use rectify_db::users as db_users;
use rectify_db::{catalog as db_catalog, Db, DbConnection};

use super::organizations::visible as visible_org;
use super::problems::insert_problem;
use super::reviews;
use super::Caller;
use crate::api_types::{
    CreateProblem, ImportResult, ImportSource, ImportWarning, ImportedEntry, ImportedProblem,
    ImportedReviewFields, SuggestedLink,
};
use crate::domain::assignment;
use crate::domain::ledger::{self, Cell, SheetError};
use crate::domain::numbering;
use crate::domain::report;
use crate::domain::similarity;
use crate::domain::text;
use crate::domain::vocab::ProblemKind;
use crate::domain::workflow::{self, Status};
use crate::domain::Role;
use crate::error::{Code, Error, FieldError, Result};

/// An unpacked document.xml larger than this is refused (a zip bomb, not a report).
const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// One part of a workbook may unpack to this much at the most, and all of them together to
/// `MAX_WORKBOOK_BYTES`; what a part unpacks to is measured by inflating it, never taken
/// from the sizes the zip declares.
const MAX_PART_BYTES: u64 = 128 * 1024 * 1024;
const MAX_WORKBOOK_BYTES: u64 = 256 * 1024 * 1024;

/// Whether the caller may import at all: decided before a byte of the upload is read.
pub fn authorize(caller: &Caller) -> Result<()> {
    caller.require_coordinator("import reviews")
}

/// Inflates every part of an archive into nothing, counting, and refuses it as soon as a part
/// or the whole goes past its cap. Memory stays at one buffer whatever the archive claims.
fn check_inflated_sizes(shown: &str, bytes: &[u8]) -> Result<()> {
    let unreadable = |why: String| {
        file_error(
            Code::UnreadableFile,
            format!("{shown} cannot be read as an Excel workbook: {why}"),
        )
    };
    let too_large = |what: &str, cap: u64| {
        file_error(
            Code::SheetTooLarge,
            format!("{shown}: {what} unpacks to more than {} MiB", cap >> 20),
        )
    };
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let part = archive.by_index(i).map_err(|e| unreadable(e.to_string()))?;
        let name = part
            .name()
            .map_err(|e| unreadable(e.to_string()))?
            .into_owned();
        let read = std::io::copy(&mut part.take(MAX_PART_BYTES + 1), &mut std::io::sink());
        // A part that lies about its size may also fail its checksum: the size decides first.
        let read = match read {
            Ok(n) => n,
            Err(e) => return Err(unreadable(format!("{name}: {e}"))),
        };
        if read > MAX_PART_BYTES {
            return Err(too_large(&name, MAX_PART_BYTES));
        }
        total += read;
        if total > MAX_WORKBOOK_BYTES {
            return Err(too_large("the workbook", MAX_WORKBOOK_BYTES));
        }
    }
    Ok(())
}

/// What was uploaded, once read.
#[derive(Debug)]
pub enum Document {
    /// A report as text, one paragraph per line.
    Report(String),
    /// A ledger sheet's cells, and its merged blocks.
    Sheet(Vec<Vec<Cell>>, Vec<ledger::Merged>),
}

fn file_error(code: Code, message: impl Into<String>) -> Error {
    let message = message.into();
    let mut error = Error::new(code, format!("`file`: {message}"));
    error.errors.push(FieldError {
        field: "file".to_owned(),
        code: code.as_str().to_owned(),
        message,
    });
    error
}

/// Reads an uploaded file by its declared extension, checked against its bytes. Whatever the
/// readers of Office files make of a damaged file, the answer is a refusal of the file, never an internal error.
pub fn read_file(name: Option<&str>, bytes: &[u8]) -> Result<Document> {
    let read = std::panic::catch_unwind(|| read_file_unguarded(name, bytes)).unwrap_or_else(|_| {
        Err(file_error(
            Code::UnreadableFile,
            format!(
                "{} is damaged and cannot be read",
                name.unwrap_or("the file")
            ),
        ))
    });
    // What a document holds is made storable (no control characters) before anything else.
    read.map(|document| match document {
        Document::Report(text) => Document::Report(text::scrub(&text).into_owned()),
        Document::Sheet(rows, merged) => Document::Sheet(
            rows.into_iter()
                .map(|row| {
                    row.into_iter()
                        .map(|cell| match cell {
                            Cell::Text(t) => Cell::Text(text::scrub(&t).into_owned()),
                            other => other,
                        })
                        .collect()
                })
                .collect(),
            merged,
        ),
    })
}

fn read_file_unguarded(name: Option<&str>, bytes: &[u8]) -> Result<Document> {
    let shown = name.unwrap_or("the file");
    if bytes.is_empty() {
        return Err(file_error(Code::EmptyFile, format!("{shown} is empty")));
    }
    let extension = name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    match extension.as_str() {
        "docx" if !is_zip => Err(file_error(
            Code::UnreadableFile,
            format!("{shown} is not a Word document: it is not a zip archive"),
        )),
        "xlsx" if !is_zip => Err(file_error(
            Code::UnreadableFile,
            format!("{shown} is not an Excel workbook: it is not a zip archive"),
        )),
        "docx" => docx_document(shown, bytes),
        "xlsx" => sheet_cells(shown, bytes),
        "xls" | "et" => legacy_sheet_cells(shown, bytes, false),
        "ods" => legacy_sheet_cells(shown, bytes, true),
        "pdf" => pdf::text(shown, bytes).map(Document::Report),
        "doc" | "wps" => Err(file_error(
            Code::UnsupportedFile,
            format!(
                "{shown} is an old Word (.doc) or WPS (.wps) document, which cannot be read here; \
                 open it in Word or WPS and save it as .docx (文件 → 另存为 → Word 文档 *.docx), \
                 then import that"
            ),
        )),
        _ if bytes.starts_with(b"%PDF-") => pdf::text(shown, bytes).map(Document::Report),
        _ if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) => {
            legacy_sheet_cells(shown, bytes, false)
        }
        _ if is_zip => {
            // No telling name: look inside.
            let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
                file_error(
                    Code::UnreadableFile,
                    format!("{shown} is a damaged zip archive: {e}"),
                )
            })?;
            if archive.index_for_name("word/document.xml").is_some() {
                docx_document(shown, bytes)
            } else if archive.index_for_name("xl/workbook.xml").is_some() {
                sheet_cells(shown, bytes)
            } else if archive.index_for_name("content.xml").is_some() {
                legacy_sheet_cells(shown, bytes, true)
            } else {
                Err(file_error(
                    Code::UnsupportedFile,
                    format!("{shown} is a zip archive but not a .docx, .xlsx or .ods file"),
                ))
            }
        }
        _ => text(shown, bytes).map(Document::Report),
    }
}

fn text(shown: &str, bytes: &[u8]) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') => Ok(text.to_owned()),
        _ => Err(file_error(
            Code::UnsupportedFile,
            format!(
                "{shown} is not UTF-8 text, nor a .docx, .pdf, .xlsx, .xls or .ods file; save \
                 a text file as UTF-8"
            ),
        )),
    }
}

/// A Word document: its paragraphs as text, one line each, with Word's automatic numbering
/// written out (`numbering.xml`); or, when it lays its problems out in a table whose header
/// names the problem column, that table, read like a sheet.
pub fn docx_document(shown: &str, bytes: &[u8]) -> Result<Document> {
    use quick_xml::events::Event;
    let unreadable = |why: String| {
        file_error(
            Code::UnreadableFile,
            format!("{shown} cannot be read as a Word document: {why}"),
        )
    };
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let mut part = |name: &str| -> Result<Option<String>> {
        let Ok(part) = archive.by_name(name) else {
            return Ok(None);
        };
        let mut xml = String::new();
        part.take(MAX_UNPACKED_BYTES + 1)
            .read_to_string(&mut xml)
            .map_err(|e| unreadable(e.to_string()))?;
        if xml.len() as u64 > MAX_UNPACKED_BYTES {
            return Err(unreadable(format!("its {name} is larger than 64 MiB")));
        }
        Ok(Some(xml))
    };
    let xml = part("word/document.xml")?
        .ok_or_else(|| unreadable("it has no word/document.xml".to_owned()))?;
    let mut numbering = match part("word/numbering.xml")? {
        Some(xml) => word_numbering(&xml).map_err(unreadable)?,
        None => numbering::Numbering::default(),
    };
    let styles = match part("word/styles.xml")? {
        Some(xml) => word_style_lists(&xml).map_err(unreadable)?,
        None => HashMap::new(),
    };
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut paragraph = String::new();
    let (mut in_text, mut list, mut level) = (false, None::<u32>, None::<usize>);
    let mut style: Option<String> = None;
    // Tables: the rows of the outermost table being read, its current row and cell, the
    // cell's span and vertical merge, and the merged blocks found so far.
    let (mut depth, mut rows, mut row, mut cell) = (0usize, Vec::new(), Vec::new(), String::new());
    let (mut span, mut vmerge) = (1usize, None::<bool>);
    let mut merged: Vec<ledger::Merged> = Vec::new();
    let mut tables: Vec<(Vec<Vec<Cell>>, Vec<ledger::Merged>)> = Vec::new();
    let mut table_cells = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| unreadable(e.to_string()))?;
        let name = match &event {
            Event::Start(e) | Event::Empty(e) => e.local_name().as_ref().to_owned(),
            Event::End(e) => format!("/{}", e.local_name().as_ref()),
            _ => String::new(),
        };
        match (&event, name.as_str()) {
            (Event::Start(_), "p") => {
                paragraph.clear();
                (list, level, style) = (None, None, None);
            }
            (Event::Start(e) | Event::Empty(e), "pStyle") => style = word_value(e),
            (Event::Start(e) | Event::Empty(e), "numId") => {
                list = word_value(e).and_then(|v| v.parse().ok());
            }
            (Event::Start(e) | Event::Empty(e), "ilvl") => {
                level = word_value(e).and_then(|v| v.parse().ok());
            }
            (Event::Start(e) | Event::Empty(e), "gridSpan") if depth == 1 => {
                span = word_value(e)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1)
                    .clamp(1, SHEET_MAX_COLUMNS as usize);
            }
            (Event::Start(e) | Event::Empty(e), "vMerge") if depth == 1 => {
                vmerge = Some(word_value(e).as_deref() == Some("restart"));
            }
            (Event::Start(_), "t") => in_text = true,
            (_, "/t") => in_text = false,
            (Event::Empty(_), "tab") => paragraph.push('\t'),
            (Event::Empty(_), "br" | "cr") => paragraph.push('\n'),
            (_, "/p") | (Event::Empty(_), "p") => {
                // Numbering written on the paragraph wins over its style's; numId 0 is "none".
                let from_style = style.as_ref().and_then(|s| styles.get(s));
                let list_id = list.or(from_style.map(|(id, _)| *id)).filter(|id| *id != 0);
                let list_level = level.or(from_style.map(|(_, l)| *l)).unwrap_or(0);
                let label = list_id.and_then(|id| numbering.next_label(id, list_level));
                let line = format!("{}{paragraph}", label.unwrap_or_default());
                if depth > 0 {
                    if !cell.is_empty() {
                        cell.push('\n');
                    }
                    cell.push_str(&line);
                }
                out.push_str(&line);
                out.push('\n');
                paragraph.clear();
                (list, level, style) = (None, None, None);
            }
            (Event::Start(_), "tbl") => {
                depth += 1;
                if depth == 1 {
                    rows = Vec::new();
                    merged = Vec::new();
                }
            }
            (Event::Start(_), "tr") if depth == 1 => row = Vec::new(),
            (Event::Start(_), "tc") if depth == 1 => {
                cell = String::new();
                (span, vmerge) = (1, None);
            }
            (_, "/tc") if depth == 1 => {
                table_cells += span;
                if table_cells > SHEET_MAX_CELLS {
                    return Err(file_error(
                        Code::SheetTooLarge,
                        format!("{shown}: its tables hold more than {SHEET_MAX_CELLS} cells"),
                    ));
                }
                let col = row.len();
                if col + span <= SHEET_MAX_COLUMNS as usize {
                    let r = rows.len();
                    match vmerge {
                        // A cell continuing the one above: its block reaches this row.
                        Some(false) => {
                            if let Some(block) = merged
                                .iter_mut()
                                .rev()
                                .find(|m| m.first_col == col && m.last_row + 1 == r)
                            {
                                block.last_row = r;
                            }
                        }
                        Some(true) if merged.len() < ledger::MAX_MERGED => {
                            merged.push(ledger::Merged {
                                first_row: r,
                                last_row: r,
                                first_col: col,
                                last_col: col + span - 1,
                            });
                        }
                        _ => {}
                    }
                    row.push(Cell::Text(std::mem::take(&mut cell)));
                    row.extend(std::iter::repeat_n(Cell::Empty, span - 1));
                }
            }
            (_, "/tr") if depth == 1 => rows.push(std::mem::take(&mut row)),
            (_, "/tbl") => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    tables.push((std::mem::take(&mut rows), std::mem::take(&mut merged)));
                }
            }
            (Event::Text(t), _) if in_text => paragraph.push_str(&t.xml10_content()),
            (Event::GeneralRef(r), _) if in_text => {
                if let Some(c) = r.resolve_char_ref().ok().flatten() {
                    paragraph.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_xml_entity(r) {
                    paragraph.push_str(s);
                }
            }
            (Event::Eof, _) => break,
            _ => {}
        }
    }
    // A table of problems is the ledger; the text around it is not needed.
    for (table, merged) in tables {
        if ledger::read_merged_sheet(&table, &merged).is_ok_and(|sheet| !sheet.rows.is_empty()) {
            return Ok(Document::Sheet(table, merged));
        }
    }
    Ok(Document::Report(out))
}

/// Paragraph styles that number their paragraphs (`styles.xml`: a style's `numPr`, or the
/// one of the style it is based on): style id → (list, level). Headings numbered 一、 by
/// their style, and "List Number" paragraphs, are numbered this way.
fn word_style_lists(xml: &str) -> std::result::Result<HashMap<String, (u32, usize)>, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    /// A style as declared: what it is based on, its list and level.
    type Declared = (Option<String>, Option<u32>, Option<usize>);
    let mut styles: HashMap<String, Declared> = HashMap::new();
    let mut current: Option<String> = None;
    loop {
        match reader
            .read_event()
            .map_err(|e| format!("styles.xml: {e}"))?
        {
            Event::Start(e) | Event::Empty(e) => {
                let value = || word_value(&e);
                match e.local_name().as_ref() {
                    "style" => {
                        if styles.len() >= MAX_WORD_LISTS {
                            return Err(format!("styles.xml defines over {MAX_WORD_LISTS} styles"));
                        }
                        current = word_attribute(&e, "styleId");
                        if let Some(id) = &current {
                            styles.insert(id.clone(), (None, None, None));
                        }
                    }
                    "basedOn" => {
                        if let Some(entry) = current.as_ref().and_then(|c| styles.get_mut(c)) {
                            entry.0 = value();
                        }
                    }
                    "numId" => {
                        if let Some(entry) = current.as_ref().and_then(|c| styles.get_mut(c)) {
                            entry.1 = value().and_then(|v| v.parse().ok());
                        }
                    }
                    "ilvl" => {
                        if let Some(entry) = current.as_ref().and_then(|c| styles.get_mut(c)) {
                            entry.2 = value().and_then(|v| v.parse().ok());
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) if e.local_name().as_ref() == "style" => current = None,
            Event::Eof => break,
            _ => {}
        }
    }
    // Each style's list, inherited along `basedOn` (a few steps; a loop is cut short).
    let mut lists = HashMap::new();
    for id in styles.keys() {
        let (mut at, mut list, mut level) = (Some(id), None, None);
        for _ in 0..8 {
            let Some(entry) = at.and_then(|a| styles.get(a)) else {
                break;
            };
            list = list.or(entry.1);
            level = level.or(entry.2);
            at = entry.0.as_ref();
        }
        if let Some(list) = list.filter(|l| *l != 0) {
            lists.insert(id.clone(), (list, level.unwrap_or(0)));
        }
    }
    Ok(lists)
}

/// An attribute of a Word element by its local name (`w:val` is `val`), whatever its prefix.
fn word_attribute(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| a.value.into_owned())
}

/// Word's `w:val`.
fn word_value(e: &quick_xml::events::BytesStart<'_>) -> Option<String> {
    word_attribute(e, "val")
}

/// Lists a Word document may define (real ones define a few dozen): each costs more memory
/// than the few bytes of XML that declare it.
const MAX_WORD_LISTS: usize = 10_000;

/// The list definitions of `numbering.xml`.
fn word_numbering(xml: &str) -> std::result::Result<numbering::Numbering, String> {
    use quick_xml::events::Event;
    let attribute = |e: &quick_xml::events::BytesStart<'_>, name: &str| -> Option<u32> {
        word_attribute(e, name).and_then(|v| v.trim().parse().ok())
    };
    let mut result = numbering::Numbering::default();
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut definition: Option<(u32, Vec<numbering::Level>)> = None;
    let mut level = 0usize;
    let mut list: Option<(u32, numbering::List)> = None;
    let mut overridden = 0usize;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name().as_ref().to_owned();
                match name.as_str() {
                    "abstractNum" => {
                        if result.definitions.len() >= MAX_WORD_LISTS {
                            return Err(format!("it defines more than {MAX_WORD_LISTS} lists"));
                        }
                        definition = attribute(&e, "abstractNumId")
                            .map(|id| (id, vec![numbering::Level::default(); numbering::LEVELS]));
                    }
                    "lvl" => level = attribute(&e, "ilvl").unwrap_or(0) as usize,
                    "start" | "numFmt" | "lvlText" if list.is_none() => {
                        let value = word_value(&e).unwrap_or_default();
                        if let Some(l) = definition
                            .as_mut()
                            .and_then(|(_, levels)| levels.get_mut(level))
                        {
                            match name.as_str() {
                                "start" => l.start = value.trim().parse().unwrap_or(1),
                                "numFmt" => l.format = value,
                                _ => l.pattern = value,
                            }
                        }
                    }
                    "num" => {
                        if result.lists.len() >= MAX_WORD_LISTS {
                            return Err(format!("it defines more than {MAX_WORD_LISTS} lists"));
                        }
                        list = attribute(&e, "numId").map(|id| (id, numbering::List::default()));
                    }
                    "abstractNumId" => {
                        if let (Some((_, l)), Some(v)) = (list.as_mut(), attribute(&e, "val")) {
                            l.definition = v;
                        }
                    }
                    "lvlOverride" => overridden = attribute(&e, "ilvl").unwrap_or(0) as usize,
                    "startOverride" => {
                        if let (Some((_, l)), Some(v)) = (list.as_mut(), attribute(&e, "val")) {
                            l.restarts.insert(overridden, v);
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "abstractNum" => {
                    if let Some((id, levels)) = definition.take() {
                        result.definitions.insert(id, levels);
                    }
                }
                "num" => {
                    if let Some((id, l)) = list.take() {
                        result.lists.insert(id, l);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(result)
}

/// A ledger has a dozen columns; cells further right are not read.
const SHEET_MAX_COLUMNS: u32 = 64;
/// Rows past this are refused: a ledger of 100,000 problems fits twice over.
const SHEET_MAX_ROWS: u32 = 200_000;
/// Cells read from one workbook at the most.
const SHEET_MAX_CELLS: usize = 2_000_000;

/// The sheet to import: the first whose header names the problem column, else the first.
fn ledger_sheet(
    shown: &str,
    sheets: impl IntoIterator<Item = Result<(Vec<Vec<Cell>>, Vec<ledger::Merged>)>>,
) -> Result<Document> {
    let mut first = None;
    for sheet in sheets {
        let (rows, merged) = sheet?;
        if !matches!(
            ledger::read_sheet(&rows),
            Err(SheetError::MissingColumns(_))
        ) {
            return Ok(Document::Sheet(rows, merged));
        }
        first.get_or_insert((rows, merged));
    }
    first
        .map(|(rows, merged)| Document::Sheet(rows, merged))
        .ok_or_else(|| {
            file_error(
                Code::UnreadableFile,
                format!("{shown} cannot be read as a workbook: it has no sheets"),
            )
        })
}

fn merged_blocks(blocks: Vec<calamine::Dimensions>) -> Vec<ledger::Merged> {
    blocks
        .into_iter()
        .take(ledger::MAX_MERGED)
        .map(|d| ledger::Merged {
            first_row: d.start.0 as usize,
            last_row: d.end.0 as usize,
            first_col: d.start.1 as usize,
            last_col: d.end.1 as usize,
        })
        .collect()
}

/// A cell's value as the ledger reads it.
fn cell_value(value: calamine::DataRef<'_>) -> Cell {
    use calamine::DataRef;
    match value {
        DataRef::Empty | DataRef::Error(_) => Cell::Empty,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s.to_owned()),
        DataRef::Int(i) => Cell::Number(i as f64),
        DataRef::Float(f) => Cell::Number(f),
        DataRef::Bool(b) => Cell::Text(b.to_string()),
        DataRef::DateTime(d) => ledger::from_excel_serial(d.as_f64())
            .map(Cell::Date)
            .unwrap_or(Cell::Number(d.as_f64())),
    }
}

fn owned_value(value: &calamine::Data) -> Cell {
    use calamine::{Data, DataRef};
    cell_value(match value {
        Data::Int(i) => DataRef::Int(*i),
        Data::Float(f) => DataRef::Float(*f),
        Data::String(s) => DataRef::String(s.clone()),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(d) => DataRef::DateTime(*d),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::DurationIso(s) => DataRef::DurationIso(s.clone()),
        Data::Error(_) | Data::Empty => DataRef::Empty,
    })
}

/// Places one cell at its row and column, within the caps.
fn place(shown: &str, rows: &mut Vec<Vec<Cell>>, row: u32, col: u32, value: Cell) -> Result<()> {
    if col >= SHEET_MAX_COLUMNS || value == Cell::Empty {
        return Ok(());
    }
    if row >= SHEET_MAX_ROWS {
        return Err(file_error(
            Code::SheetTooLarge,
            format!("{shown}: a sheet goes past row {SHEET_MAX_ROWS}"),
        ));
    }
    let (row, col) = (row as usize, col as usize);
    if rows.len() <= row {
        rows.resize_with(row + 1, Vec::new);
    }
    if rows[row].len() <= col {
        rows[row].resize(col + 1, Cell::Empty);
    }
    rows[row][col] = value;
    Ok(())
}

/// The cells of the first sheet that has a ledger header (else the first sheet), placed at
/// their real rows and columns so that errors name the cells Excel shows, with the sheet's
/// merged blocks. Cells are streamed and capped, and the parts' unpacked sizes are checked
/// first, so that a small crafted file cannot make the server allocate without bound
/// (calamine's ranges allocate the bounding box of the cells, and it loads the shared strings
/// whole).
pub fn sheet_cells(shown: &str, bytes: &[u8]) -> Result<Document> {
    use calamine::{Reader, Xlsx};
    let unreadable = |why: String| {
        file_error(
            Code::UnreadableFile,
            format!("{shown} cannot be read as an Excel workbook: {why}"),
        )
    };
    check_inflated_sizes(shown, bytes)?;
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| unreadable(e.to_string()))?;
    let (mut cells_read, mut text_bytes) = (0usize, 0u64);
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let mut reader = workbook
            .worksheet_cells_reader(&name)
            .map_err(|e| unreadable(e.to_string()))?;
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        while let Some(cell) = reader.next_cell().map_err(|e| unreadable(e.to_string()))? {
            let (row, col) = cell.get_position();
            cells_read += 1;
            if cells_read > SHEET_MAX_CELLS {
                return Err(file_error(
                    Code::SheetTooLarge,
                    format!("{shown} holds more than {SHEET_MAX_CELLS} cells"),
                ));
            }
            let value = cell_value(cell.get_value().clone());
            // A shared string is copied into each cell that shows it: the copies are counted.
            if let Cell::Text(text) = &value {
                text_bytes += text.len() as u64;
                if text_bytes > legacy::MAX_SHEET_TEXT_BYTES {
                    return Err(file_error(
                        Code::SheetTooLarge,
                        format!(
                            "{shown}: its cells hold more than {} MiB of text",
                            legacy::MAX_SHEET_TEXT_BYTES >> 20
                        ),
                    ));
                }
            }
            place(shown, &mut rows, row, col, value)?;
        }
        drop(reader);
        let merged = workbook
            .merge_cells_by_sheet_name(&name)
            .map_err(|e| unreadable(e.to_string()))?;
        sheets.push(Ok((rows, merged_blocks(merged))));
        if sheets.len() >= SHEET_MAX_SHEETS {
            break;
        }
    }
    ledger_sheet(shown, sheets)
}

/// At most this many sheets of a workbook are read.
const SHEET_MAX_SHEETS: usize = 50;

/// An Excel 97–2003 (.xls) or OpenDocument (.ods) workbook, read through calamine once its
/// cells' extent has been checked (see `legacy`).
fn legacy_sheet_cells(shown: &str, bytes: &[u8], ods: bool) -> Result<Document> {
    use calamine::{Ods, Reader, Xls};
    let kind = if ods {
        "an OpenDocument spreadsheet"
    } else {
        "an Excel 97–2003 workbook"
    };
    let unreadable = |why: String| {
        file_error(
            Code::UnreadableFile,
            format!("{shown} cannot be read as {kind}: {why}"),
        )
    };
    let refused = |refusal: legacy::Refusal| match refusal {
        legacy::Refusal::Unreadable(why) => unreadable(why),
        legacy::Refusal::TooLarge(why) => {
            file_error(Code::SheetTooLarge, format!("{shown}: {why}"))
        }
    };
    let mut sheets = Vec::new();
    let mut read = |range: calamine::Range<calamine::Data>, merged: Vec<calamine::Dimensions>| {
        let mut rows = Vec::new();
        let (top, left) = range.start().unwrap_or((0, 0));
        for (row, col, value) in range.used_cells() {
            place(
                shown,
                &mut rows,
                top + row as u32,
                left + col as u32,
                owned_value(value),
            )?;
        }
        sheets.push(Ok((rows, merged_blocks(merged))));
        Ok::<_, Error>(())
    };
    if ods {
        check_inflated_sizes(shown, bytes)?;
        let mut archive =
            zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
        let content = archive
            .by_name("content.xml")
            .map_err(|_| unreadable("it has no content.xml".to_owned()))?;
        legacy::check_ods(content.take(MAX_PART_BYTES)).map_err(refused)?;
        let mut workbook: Ods<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
            .map_err(|e: calamine::OdsError| unreadable(e.to_string()))?;
        for name in workbook.sheet_names().into_iter().take(SHEET_MAX_SHEETS) {
            let range = workbook
                .worksheet_range(&name)
                .map_err(|e| unreadable(e.to_string()))?;
            read(range, Vec::new())?;
        }
    } else {
        legacy::check_xls(bytes, MAX_PART_BYTES).map_err(refused)?;
        let mut workbook: Xls<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
            .map_err(|e: calamine::XlsError| unreadable(e.to_string()))?;
        for name in workbook.sheet_names().into_iter().take(SHEET_MAX_SHEETS) {
            let range = workbook
                .worksheet_range(&name)
                .map_err(|e| unreadable(e.to_string()))?;
            let merged = workbook
                .merge_cells_by_sheet_name(&name)
                .unwrap_or_default();
            read(range, merged)?;
        }
    }
    ledger_sheet(shown, sheets)
}

/// A draft ledger: what will be created, before names are resolved to records.
struct Draft {
    source_kind: &'static str,
    aspects: Vec<String>,
    problems: Vec<ImportedProblem>,
    causes: Vec<ImportedEntry>,
    measures: Vec<ImportedEntry>,
    warnings: Vec<ImportWarning>,
    /// Per problem: the owner's and the unit's names as the sheet wrote them.
    names: Vec<(Option<String>, Option<String>)>,
    /// A sheet's recognised columns and their letters.
    columns: Vec<(ledger::Column, String)>,
    /// A sheet's cells in error, all of them (deadlines, units, owners): nothing is written
    /// while there is one.
    errors: Vec<FieldError>,
    /// A progress report's totals, as written (see `report::Report::progress_totals`).
    progress_totals: Option<Vec<String>>,
}

fn source_lines(first: usize, last: usize) -> ImportSource {
    ImportSource {
        first_line: Some(first),
        last_line: Some(last),
        row: None,
    }
}

fn from_report(text: &str, unit: &OrganizationRow, held_on: chrono::NaiveDate) -> Draft {
    let parsed = report::parse(text);
    let progress_report = parsed.progress_totals.is_some();
    // Deadlines written in days count from the document's own date, else the review's.
    let base = parsed.date.unwrap_or(held_on);
    let mut written_warnings = Vec::new();
    let deadlines: Vec<ledger::Deadline> = parsed
        .problems
        .iter()
        .map(|p| {
            let Some(written) = p.assignment.as_ref().and_then(|a| a.deadline.as_deref()) else {
                return ledger::Deadline::None;
            };
            assignment::deadline(written, base).unwrap_or_else(|why| {
                written_warnings.push(ImportWarning {
                    code: "unread_deadline".to_owned(),
                    message: format!("the deadline “{written}” was not read: {why}"),
                    line: Some(p.first_line),
                    row: None,
                    cell: None,
                });
                ledger::Deadline::None
            })
        })
        .collect();
    for p in &parsed.problems {
        if let Some(units) = p
            .assignment
            .as_ref()
            .map(|a| &a.units)
            .filter(|u| u.len() > 1)
        {
            written_warnings.push(ImportWarning {
                code: "several_units".to_owned(),
                message: format!(
                    "the problem names {} units ({}); it was given to the first, the lead unit",
                    units.len(),
                    units.join("、")
                ),
                line: Some(p.first_line),
                row: None,
                cell: None,
            });
        }
    }
    let problem_texts: Vec<&str> = parsed.problems.iter().map(|p| p.text.as_str()).collect();
    let entries = |items: &[report::Item], measures: bool| -> Vec<ImportedEntry> {
        let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
        let suggestions = similarity::suggest(&problem_texts, &texts);
        let placed = if measures {
            similarity::by_position(problem_texts.len(), items.len())
        } else {
            vec![None; items.len()]
        };
        items
            .iter()
            .zip(suggestions)
            .zip(placed)
            .map(|((item, found), place)| {
                let mut links: Vec<SuggestedLink> = found
                    .into_iter()
                    .map(|s| SuggestedLink {
                        problem_index: s.problem,
                        problem_id: None,
                        score: s.score,
                        reason: if place == Some(s.problem) {
                            "shared_wording_and_position"
                        } else {
                            "shared_wording"
                        },
                    })
                    .collect();
                if let Some(problem) =
                    place.filter(|p| !links.iter().any(|l| l.problem_index == *p))
                {
                    links.push(SuggestedLink {
                        problem_index: problem,
                        problem_id: None,
                        score: 0.0,
                        reason: "same_position",
                    });
                }
                ImportedEntry {
                    id: None,
                    title: item.title.clone(),
                    description: item.text.clone(),
                    source: source_lines(item.first_line, item.last_line),
                    suggested_problems: links,
                }
            })
            .collect()
    };
    Draft {
        source_kind: if parsed.progress_totals.is_some() {
            "progress_report"
        } else {
            "report"
        },
        progress_totals: parsed.progress_totals.clone(),
        causes: entries(&parsed.causes, false),
        measures: entries(&parsed.measures, true),
        problems: parsed
            .problems
            .iter()
            .enumerate()
            .map(|(i, p)| ImportedProblem {
                id: None,
                key: None,
                aspect: p.aspect.map(|a| parsed.aspects[a].clone()),
                title: p.title.clone(),
                // A progress report's problem is what it quotes; its words are its progress.
                description: if progress_report {
                    p.title.clone()
                } else {
                    p.text.clone()
                },
                organization_id: unit.id,
                owner_id: None,
                deadline: deadlines[i].date(),
                kind: deadlines[i].kind(),
                cause_indexes: p.causes.clone(),
                measure_indexes: Vec::new(),
                status: Status::Draft,
                progress: progress_report.then(|| p.text.clone()),
                closed_on: None,
                source: source_lines(p.first_line, p.last_line),
                possible_recurrence_of: Vec::new(),
            })
            .collect(),
        names: parsed
            .problems
            .iter()
            .map(|p| match &p.assignment {
                Some(a) => (a.owner.clone(), a.units.first().cloned()),
                None => (None, None),
            })
            .collect(),
        columns: Vec::new(),
        errors: Vec::new(),
        warnings: parsed
            .warnings
            .into_iter()
            .map(|w| ImportWarning {
                code: w.code.to_owned(),
                message: w.message,
                line: Some(w.line),
                row: None,
                cell: None,
            })
            .chain(written_warnings)
            .collect(),
        aspects: parsed.aspects,
    }
}

fn cell_error(issue: &ledger::CellIssue) -> FieldError {
    FieldError {
        field: format!("{}{}", issue.letter, issue.row),
        code: issue.code.to_owned(),
        message: format!("row {}, {}: {}", issue.row, issue.column, issue.message),
    }
}

fn from_sheet(
    rows: &[Vec<Cell>],
    merged: &[ledger::Merged],
    unit: &OrganizationRow,
) -> Result<Draft> {
    let sheet = ledger::read_merged_sheet(rows, merged).map_err(|e| match e {
        SheetError::MissingColumns(missing) => file_error(
            Code::MissingColumns,
            format!(
                "no header row (in the first rows of any sheet) names the column {}",
                missing.join(", ")
            ),
        ),
    })?;
    let entry = |text: &String| ImportedEntry {
        id: None,
        title: report::first_clause(text),
        description: text.clone(),
        source: ImportSource {
            first_line: None,
            last_line: None,
            row: None,
        },
        suggested_problems: Vec::new(),
    };
    Ok(Draft {
        source_kind: "ledger",
        causes: sheet.causes.iter().map(entry).collect(),
        measures: sheet.measures.iter().map(entry).collect(),
        problems: sheet
            .rows
            .iter()
            .map(|r| ImportedProblem {
                id: None,
                key: None,
                aspect: r.aspect.map(|a| sheet.aspects[a].clone()),
                title: report::first_clause(&r.description),
                description: r.description.clone(),
                organization_id: unit.id,
                owner_id: None,
                deadline: r.deadline.date(),
                kind: r.deadline.kind(),
                cause_indexes: r.causes.clone(),
                measure_indexes: r.measures.clone(),
                status: r.status,
                progress: r.progress.clone(),
                closed_on: r.closed_on,
                source: ImportSource {
                    first_line: None,
                    last_line: None,
                    row: Some(r.row),
                },
                possible_recurrence_of: Vec::new(),
            })
            .collect(),
        names: sheet
            .rows
            .iter()
            .map(|r| (r.owner.clone(), r.unit.clone()))
            .collect(),
        warnings: sheet
            .warnings
            .iter()
            .map(|w| ImportWarning {
                code: w.code.to_owned(),
                message: w.message.clone(),
                line: None,
                row: Some(w.row),
                cell: Some(format!("{}{}", w.letter, w.row)),
            })
            .collect(),
        errors: sheet.errors.iter().map(cell_error).collect(),
        progress_totals: None,
        columns: sheet.columns,
        aspects: sheet.aspects,
    })
}

/// Resolves the unit and owner names a sheet or a report wrote to records. In a sheet a name
/// that resolves to none or to several is an error in its cell; in a report, whose names are
/// prose, it is a warning on its line and the problem stays with the review's unit.
fn resolve_names(
    conn: &mut DbConnection,
    caller: &Caller,
    review_org: &OrganizationRow,
    draft: &mut Draft,
    strict: bool,
) -> Result<()> {
    let mut units = vec![review_org.clone()];
    units.extend(db_orgs::descendants(conn, &review_org.path)?);
    for (problem, (owner, unit_name)) in draft.problems.iter_mut().zip(&draft.names) {
        let row = problem.source.row.unwrap_or_default();
        let mut complaints: Vec<(ledger::Column, &'static str, String)> = Vec::new();
        let mut unit = review_org;
        if let Some(name) = unit_name {
            let found: Vec<&OrganizationRow> = units
                .iter()
                .filter(|o| o.active && (o.name == *name || o.code.eq_ignore_ascii_case(name)))
                .collect();
            match found.as_slice() {
                [one] => unit = one,
                [] => complaints.push((
                    ledger::Column::Unit,
                    "unit",
                    format!(
                        "no active organization named “{name}” under {}",
                        review_org.code
                    ),
                )),
                _ => complaints.push((
                    ledger::Column::Unit,
                    "unit",
                    format!("several organizations are named “{name}”; write the code"),
                )),
            }
        }
        if complaints.is_empty() || !strict {
            problem.organization_id = unit.id;
            if let Some(name) = owner {
                let found: Vec<i64> = db_users::find_by_name(conn, name)?
                    .into_iter()
                    .filter(|(user, org)| {
                        user.active
                            && user.role != Role::Auditor.as_str()
                            && caller.sees(&org.path)
                            && unit.path.starts_with(&org.path)
                    })
                    .map(|(user, _)| user.id)
                    .collect();
                match found.as_slice() {
                    [one] => problem.owner_id = Some(*one),
                    [] => complaints.push((
                        ledger::Column::Owner,
                        "owner",
                        format!(
                            "no active user named “{name}” can own {}'s problems",
                            unit.code
                        ),
                    )),
                    _ => complaints.push((
                        ledger::Column::Owner,
                        "owner",
                        format!("several users are named “{name}”; write the username"),
                    )),
                }
            }
        }
        for (column, code, message) in complaints {
            if strict {
                let letter = draft
                    .columns
                    .iter()
                    .find(|(c, _)| *c == column)
                    .map_or("?", |(_, l)| l.as_str());
                draft.errors.push(FieldError {
                    field: format!("{letter}{row}"),
                    code: code.to_owned(),
                    message: format!("row {row}, {}: {message}", column.header()),
                });
            } else {
                draft.warnings.push(ImportWarning {
                    code: format!("unknown_{code}"),
                    message: format!("{message}; the problem was left without it"),
                    line: problem.source.first_line,
                    row: None,
                    cell: None,
                });
            }
        }
    }
    Ok(())
}

/// A ledger already under way: each problem it says is beyond a draft must have what the
/// workflow asks of such a problem; each that has not joins the draft's errors at its status
/// cell.
fn check_statuses(draft: &mut Draft) {
    let letter = draft
        .columns
        .iter()
        .find(|(c, _)| *c == ledger::Column::Status)
        .map_or("?".to_owned(), |(_, l)| l.clone());
    for problem in &draft.problems {
        let facts = workflow::Facts {
            has_owner: problem.owner_id.is_some(),
            has_deadline: problem.deadline.is_some(),
            long_term: problem.kind == ProblemKind::LongTerm,
            measure_count: problem.measure_indexes.len(),
            ..Default::default()
        };
        if let Err(missing) = workflow::import_at(problem.status, &facts) {
            let row = problem.source.row.unwrap_or_default();
            draft.errors.push(FieldError {
                field: format!("{letter}{row}"),
                code: "status".to_owned(),
                message: format!(
                    "row {row}, {}: a problem imported as {} needs what confirming needs: {}",
                    ledger::Column::Status.header(),
                    problem.status.as_str(),
                    missing
                        .iter()
                        .map(|m| m.explain())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            });
        }
    }
}

/// Every cell in error, in the order of the sheet's rows, as one refusal.
fn invalid_rows(mut errors: Vec<FieldError>) -> Error {
    let row_of = |e: &FieldError| {
        e.field
            .trim_start_matches(|c: char| c.is_ascii_uppercase())
            .parse::<usize>()
            .unwrap_or_default()
    };
    errors.sort_by_key(row_of);
    let mut error = Error::validation(errors);
    error.code = Code::InvalidRows;
    error
}

/// Imports a document as a draft review; with `dry_run`, only says what it would create.
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn import(
    db: &Db,
    caller: &Caller,
    fields: ImportedReviewFields,
    document: Document,
    dry_run: bool,
    max_items: usize,
    now: DateTime<Utc>,
) -> Result<ImportResult> {
    authorize(caller)?;
    let unit = |conn: &mut DbConnection| {
        visible_org(conn, caller, fields.organization_id).map_err(|_| {
            Error::invalid_field(
                "organization_id",
                "exists",
                format!("organization {} does not exist", fields.organization_id),
            )
        })
    };
    // Parsing is pure and may take a while on a large document: it happens before any
    // transaction, so no other write waits for it.
    let org = db.read(unit)?;
    let parsed = match &document {
        Document::Report(text) => from_report(text, &org, fields.held_on),
        Document::Sheet(rows, merged) => from_sheet(rows, merged, &org)?,
    };
    let items = parsed.problems.len() + parsed.causes.len() + parsed.measures.len();
    if items > max_items {
        return Err(Error::new(
            Code::TooManyItems,
            format!(
                "The document holds {items} items (problems, causes and measures); at most \
                 {max_items} are imported at once. Split it, or raise import_max_items."
            ),
        ));
    }
    let source_text = match &document {
        Document::Report(text) => Some(text.as_str()),
        Document::Sheet(..) => None,
    };
    let is_sheet = matches!(document, Document::Sheet(..));
    let mut parsed = Some(parsed);
    // Names resolved and the draft checked, in whatever transaction the caller runs it.
    let mut prepare = |conn: &mut DbConnection| -> Result<(OrganizationRow, Draft)> {
        let org = unit(conn)?;
        let mut draft = parsed
            .take()
            .ok_or_else(|| Error::internal("an import ran twice"))?;
        resolve_names(conn, caller, &org, &mut draft, is_sheet)?;
        if is_sheet {
            check_statuses(&mut draft);
        }
        if !draft.errors.is_empty() {
            return Err(invalid_rows(std::mem::take(&mut draft.errors)));
        }
        if let (true, Some(totals)) = (draft.problems.is_empty(), &draft.progress_totals) {
            let found = if totals.is_empty() {
                String::new()
            } else {
                format!(" It reports: {}.", totals.join("，"))
            };
            return Err(Error::new(
                Code::ProgressReportOnly,
                format!(
                    "The document reports on rectification (整改情况) and names no problem to \
                     import; import the report or ledger that found the problems.{found}"
                ),
            )
            .with_extension("totals", totals));
        }
        if draft.problems.is_empty() {
            let mut error = Error::new(
                Code::NothingToImport,
                "No problems were found in the document; see `warnings`.",
            );
            error.extensions.insert(
                "warnings".to_owned(),
                serde_json::to_value(&draft.warnings).unwrap_or_default(),
            );
            return Err(error);
        }
        // 问题反弹, as each problem will be flagged once written (the new review has no
        // problems of its own yet: 0 names none).
        let titles: Vec<&str> = draft.problems.iter().map(|p| p.title.as_str()).collect();
        let flags =
            super::problems::likely_recurrences(conn, &org.path, fields.held_on, 0, &titles)?;
        for (problem, flags) in draft.problems.iter_mut().zip(flags) {
            problem.possible_recurrence_of = flags;
        }
        Ok((org, draft))
    };
    if dry_run {
        let (_, draft) = db.read(&mut prepare)?;
        return Ok(result(draft, None, true));
    }
    // The review is written hidden first; its records follow in short parts, and one last
    // short transaction shows it all at once. Other units' writes take turns in between.
    let (org, mut draft, review_row) = super::audit::write_part(db, now, |conn| {
        let (org, draft) = prepare(conn)?;
        let at = now.naive_utc();
        let review_row = db_reviews::insert(
            conn,
            NewReview {
                organization_id: org.id,
                title: fields.title.trim(),
                kind: fields.kind.as_str(),
                held_on: fields.held_on,
                source_text,
                created_by: Some(caller.user_id).filter(|id| *id > 0),
                created_at: at,
                updated_at: at,
                importing_until: Some(at + IMPORT_LEASE),
            },
            &draft.aspects,
        )?;
        let mut created = super::audit::created(&review_row);
        created["aspects"] = serde_json::json!([null, draft.aspects]);
        created["source_kind"] = serde_json::json!([null, draft.source_kind]);
        super::audit::record(
            conn,
            caller,
            super::audit::Event {
                action: "review.import",
                entity_type: "review",
                entity_id: Some(review_row.id.to_string()),
                organization_path: Some(&org.path),
                changes: created,
            },
        )?;
        Ok((org, draft, review_row))
    })?;
    let review_id = review_row.id;
    let written = write_records(db, caller, &org, review_row, &mut draft, now);
    match written {
        Ok(review) => {
            let problem_ids: Vec<Option<i64>> = draft.problems.iter().map(|p| p.id).collect();
            for entry in draft.causes.iter_mut().chain(draft.measures.iter_mut()) {
                for link in entry.suggested_problems.iter_mut() {
                    link.problem_id = problem_ids[link.problem_index];
                }
            }
            Ok(result(draft, Some(review), false))
        }
        Err(error) => {
            // Nothing of it was ever shown; take it away now (or the sweep will, later).
            let who = (
                caller.actor(),
                caller.username.clone(),
                caller.request_id.clone(),
            );
            if let Err(cleanup) = remove_staged(db, who, review_id, "failed", now) {
                tracing::warn!(review_id, error = ?cleanup.internal, "removing a failed import");
            }
            Err(error)
        }
    }
}

/// How long a staged import may run before it is taken for dead (its process stopped) and
/// removed. An import of the largest allowed size takes seconds.
const IMPORT_LEASE: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

/// How long one part of a large import inserts before it commits and lets others write. Its
/// audit entries, appended at the end of the part, take about as long again.
const PART_BUDGET: std::time::Duration = std::time::Duration::from_millis(10);

/// Writes a staged review's causes, measures and problems in parts, then shows the review.
fn write_records(
    db: &Db,
    caller: &Caller,
    org: &OrganizationRow,
    review_row: rectify_db::models::ReviewRow,
    draft: &mut Draft,
    now: DateTime<Utc>,
) -> Result<crate::api_types::Review> {
    let at = now.naive_utc();
    let created_by = Some(caller.user_id).filter(|id| *id > 0);
    let review_id = review_row.id;
    let mut units = vec![org.clone()];
    units.extend(db.read(|conn| Ok::<_, Error>(db_orgs::descendants(conn, &org.path)?))?);
    let (mut causes, mut measures, mut problems) = (0, 0, 0);
    let mut announcements = Vec::new();
    loop {
        let finished = super::audit::write_part(db, now, |conn| {
            let started = std::time::Instant::now();
            while started.elapsed() < PART_BUDGET {
                if let Some(cause) = draft.causes.get_mut(causes) {
                    let row = db_catalog::insert_cause(
                        conn,
                        NewCause {
                            review_id,
                            title: &cause.title,
                            description: &cause.description,
                            created_by,
                            created_at: at,
                            updated_at: at,
                        },
                    )?;
                    super::audit::created_record(conn, caller, "cause", row.id, &org.path, &row)?;
                    cause.id = Some(row.id);
                    causes += 1;
                } else if let Some(measure) = draft.measures.get_mut(measures) {
                    let row = db_catalog::insert_measure(
                        conn,
                        NewMeasure {
                            review_id,
                            title: &measure.title,
                            description: &measure.description,
                            owner_id: None,
                            deadline: None,
                            done: false,
                            created_by,
                            created_at: at,
                            updated_at: at,
                        },
                    )?;
                    super::audit::created_record(conn, caller, "measure", row.id, &org.path, &row)?;
                    measure.id = Some(row.id);
                    measures += 1;
                } else if let Some(problem) = draft.problems.get(problems) {
                    let unit = units
                        .iter()
                        .find(|u| u.id == problem.organization_id)
                        .ok_or_else(|| Error::internal("an imported problem's unit vanished"))?;
                    let ids = |entries: &[ImportedEntry], indexes: &[usize]| -> Vec<i64> {
                        indexes.iter().filter_map(|i| entries[*i].id).collect()
                    };
                    let input = CreateProblem {
                        review_id,
                        aspect: problem.aspect.clone(),
                        title: problem.title.clone(),
                        description: Some(problem.description.clone()),
                        organization_id: Some(unit.id),
                        owner_id: problem.owner_id,
                        deadline: problem.deadline,
                        kind: Some(problem.kind),
                        cause_ids: Some(ids(&draft.causes, &problem.cause_indexes)),
                        measure_ids: Some(ids(&draft.measures, &problem.measure_indexes)),
                    };
                    let row = insert_problem(conn, caller, review_id, unit, &input, now)?;
                    let row = super::problems::arrive_at(
                        conn,
                        caller,
                        row,
                        &unit.path,
                        problem.status,
                        problem.closed_on,
                        problem.progress.as_deref(),
                        now,
                    )?;
                    announcements.push((unit.path.clone(), super::webhooks::problem_data(&row)));
                    let problem = &mut draft.problems[problems];
                    problem.id = Some(row.id);
                    problem.key = Some(row.key);
                    problems += 1;
                } else {
                    return Ok(true);
                }
            }
            Ok(false)
        })?;
        if finished {
            break;
        }
    }
    // The last part: shown at once, with its webhooks (queued here so that none is sent for
    // an import that never finished).
    super::audit::write(db, now, |conn| {
        if !rectify_db::imports::publish(conn, review_id)? {
            return Err(Error::internal(
                "a staged import was removed before it finished (it outlived its lease)",
            ));
        }
        for (path, data) in announcements {
            super::webhooks::enqueue(
                conn,
                "problem.created",
                &path,
                data,
                caller.trace.as_deref(),
                now,
            )?;
        }
        let review = db_reviews::get(conn, review_id)?;
        reviews::load(conn, review)
    })
    .inspect(|_| {
        // A large import can change the tables' shape enough to mislead the planner until the
        // hourly refresh; SQLite re-analyses only the tables that changed that much.
        if let Err(e) = db.optimize(false) {
            tracing::warn!(error = %e, "refreshing database statistics after an import failed");
        }
    })
}

/// Removes a staged import part by part, and says so in the audit log (as `who`: the actor,
/// their name and the request).
fn remove_staged(
    db: &Db,
    who: (String, String, Option<String>),
    review_id: i64,
    why: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut removed = 0;
    loop {
        let (count, gone) = db.write_part(|conn| {
            Ok::<_, Error>(rectify_db::imports::remove_part(
                conn,
                review_id,
                REMOVE_PART_ROWS,
            )?)
        })?;
        removed += count;
        if gone {
            break;
        }
    }
    if removed == 0 {
        return Ok(false);
    }
    let (actor, actor_name, request_id) = who;
    db.write(|conn| {
        super::audit::append(
            conn,
            actor,
            actor_name,
            request_id,
            super::audit::Event {
                action: "review.import_abandon",
                entity_type: "review",
                entity_id: Some(review_id.to_string()),
                organization_path: None,
                changes: serde_json::json!({"reason": why, "records_removed": removed}),
            },
            now,
        )
    })?;
    Ok(true)
}

/// Rows one part of a removal deletes.
const REMOVE_PART_ROWS: i64 = 200;

/// Removes imports whose process stopped before they finished (their lease ran out); true
/// when it removed one (there may be more).
pub fn sweep_abandoned(db: &Db, now: DateTime<Utc>) -> Result<bool> {
    let abandoned =
        db.read(|conn| Ok::<_, Error>(rectify_db::imports::abandoned(conn, now.naive_utc())?))?;
    let Some((review_id, _)) = abandoned.first() else {
        return Ok(false);
    };
    let system = ("system".to_owned(), "(rectify)".to_owned(), None);
    remove_staged(db, system, *review_id, "unfinished", now)?;
    Ok(true)
}

fn result(draft: Draft, review: Option<crate::api_types::Review>, dry_run: bool) -> ImportResult {
    ImportResult {
        dry_run,
        source_kind: draft.source_kind,
        review,
        aspects: draft.aspects,
        problems: draft.problems,
        causes: draft.causes,
        measures: draft.measures,
        warnings: draft.warnings,
    }
}

#[cfg(test)]
mod fuzz {
    use std::io::Write;

    use proptest::prelude::*;

    use super::*;

    const CORPUS_XLS: &[u8] = include_bytes!("../../../../tests/corpus/x01_ledger.xls");
    const CORPUS_ODS: &[u8] = include_bytes!("../../../../tests/corpus/o01_two_row_header.ods");
    const CORPUS_PDF: &[u8] = include_bytes!("../../../../tests/corpus/p02_report.pdf");

    #[test]
    fn the_corpus_files_read_before_they_are_damaged() {
        for (name, bytes) in [
            ("a.xls", CORPUS_XLS),
            ("a.ods", CORPUS_ODS),
            ("a.pdf", CORPUS_PDF),
        ] {
            assert!(read_file(Some(name), bytes).is_ok(), "{name}");
        }
    }

    fn valid_xlsx() -> Vec<u8> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for (c, h) in ledger::HEADERS.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_string(1, 2, "调研不深入。").unwrap();
        sheet.write_number(1, 7, 46387.0).unwrap();
        workbook.save_to_buffer().unwrap()
    }

    fn valid_docx() -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(
            "<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>一、存在问题</w:t></w:r></w:p>\
             <w:p><w:r><w:t>一是调研&amp;走访少。</w:t></w:r></w:p></w:body></w:document>"
                .as_bytes(),
        )
        .unwrap();
        zip.finish().unwrap().into_inner()
    }

    fn mutated(base: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
        let len = base.len();
        (
            proptest::collection::vec((0..len, any::<u8>()), 0..8),
            // Whole files half of the time: a cut file fails early, a damaged one goes deep.
            prop_oneof![Just(len), 0..=len],
        )
            .prop_map(move |(flips, keep)| {
                let mut bytes = base.clone();
                for (at, value) in flips {
                    bytes[at] = value;
                }
                bytes.truncate(keep.max(4));
                bytes
            })
    }

    /// No file gets a 5xx. Our own readers (text, .docx) must not even panic; calamine is
    /// known to overflow on damaged cell references (calamine 0.32, `get_dimension` and
    /// `get_row_column`), which `read_file`'s guard turns into a refusal.
    fn survives(name: &str, bytes: &[u8]) {
        // What third-party readers parse (calamine, pdf-extract) goes through the guard.
        let is_sheet = [".xlsx", ".xls", ".ods", ".pdf"]
            .iter()
            .any(|ext| name.ends_with(ext))
            || bytes.windows(13).any(|w| w == b"xl/workbook.x")
            || bytes.starts_with(b"%PDF")
            || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
        let read = if is_sheet {
            read_file(Some(name), bytes)
        } else {
            read_file_unguarded(Some(name), bytes)
        };
        match read {
            Ok(Document::Sheet(rows, merged)) => drop(ledger::read_merged_sheet(&rows, &merged)),
            Ok(Document::Report(text)) => drop(report::parse(&text)),
            Err(e) => assert!(
                e.kind() != crate::error::Kind::Internal,
                "{name}: {}",
                e.detail
            ),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Damaged workbooks and documents are refused, never a panic.
        #[test]
        fn damaged_office_files_never_panic(
            xlsx in mutated(valid_xlsx()),
            docx in mutated(valid_docx()),
        ) {
            survives("a.xlsx", &xlsx);
            survives("a.docx", &docx);
            survives("no-extension", &xlsx);
            survives("no-extension", &docx);
        }

        /// The same for the formats read through calamine and pdf-extract after our checks:
        /// an Excel 97–2003 workbook, an OpenDocument sheet and a text PDF of the corpus.
        #[test]
        fn damaged_old_sheets_and_pdfs_are_refused_never_an_internal_error(
            xls in mutated(CORPUS_XLS.to_vec()),
            ods in mutated(CORPUS_ODS.to_vec()),
            pdf in mutated(CORPUS_PDF.to_vec()),
        ) {
            survives("a.xls", &xls);
            survives("a.ods", &ods);
            survives("a.pdf", &pdf);
            survives("no-extension", &xls);
            survives("no-extension", &pdf);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            for name in ["a.txt", "a.docx", "a.xlsx", "a", "a.doc", "a.xls", "a.ods", "a.pdf"] {
                survives(name, &bytes);
                let mut zipped = b"PK\x03\x04".to_vec();
                zipped.extend_from_slice(&bytes);
                survives(name, &zipped);
            }
        }
    }

    #[test]
    fn a_shared_string_shown_in_thousands_of_cells_is_refused_before_it_is_copied() {
        let long = "长".repeat(10_000); // 30 KB of UTF-8
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "问题描述").unwrap();
        for row in 1..=5_000 {
            sheet.write_string(row, 0, &long).unwrap();
        }
        let bytes = workbook.save_to_buffer().unwrap();
        assert!(bytes.len() < 200_000, "{} bytes", bytes.len());
        let error = read_file(Some("a.xlsx"), &bytes).unwrap_err();
        assert_eq!(error.code, Code::SheetTooLarge, "{}", error.detail);
    }

    #[test]
    fn a_sheet_reaching_far_is_refused_without_allocating_its_span() {
        let book = |far: bool| {
            let mut workbook = rust_xlsxwriter::Workbook::new();
            let sheet = workbook.add_worksheet();
            sheet.write_string(0, 0, "问题描述").unwrap();
            sheet.write_string(1, 0, "调研不深入。").unwrap();
            // Far right: ignored. Far down: refused. Neither allocates rows × columns.
            sheet.write_string(1, 16_000, "远处").unwrap();
            if far {
                sheet.write_string(1_000_000, 3, "太远").unwrap();
            }
            workbook.save_to_buffer().unwrap()
        };
        match read_file(Some("a.xlsx"), &book(false)) {
            Ok(Document::Sheet(rows, _)) => assert_eq!(rows[1].len(), 1),
            other => panic!("{other:?}"),
        }
        let error = read_file(Some("a.xlsx"), &book(true)).unwrap_err();
        assert_eq!(error.code, Code::SheetTooLarge);
    }

    #[test]
    fn a_word_document_declaring_endless_lists_is_refused() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("word/document.xml", options).unwrap();
        zip.write_all(
            b"<w:document><w:body><w:p><w:r><w:t>x</w:t></w:r></w:p></w:body></w:document>",
        )
        .unwrap();
        zip.start_file("word/numbering.xml", options).unwrap();
        zip.write_all(b"<w:numbering>").unwrap();
        for id in 0..=MAX_WORD_LISTS {
            zip.write_all(
                format!("<w:abstractNum w:abstractNumId=\"{id}\"></w:abstractNum>").as_bytes(),
            )
            .unwrap();
        }
        zip.write_all(b"</w:numbering>").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let error = read_file(Some("a.docx"), &bytes).unwrap_err();
        assert_eq!(error.code, Code::UnreadableFile);
        assert!(error.detail.contains("lists"), "{}", error.detail);
    }

    #[test]
    fn the_valid_files_read() {
        assert!(matches!(
            read_file(Some("a.xlsx"), &valid_xlsx()),
            Ok(Document::Sheet(..))
        ));
        match read_file(Some("a.docx"), &valid_docx()) {
            Ok(Document::Report(text)) => assert_eq!(text, "一、存在问题\n一是调研&走访少。\n"),
            other => panic!("{other:?}"),
        }
    }
}
