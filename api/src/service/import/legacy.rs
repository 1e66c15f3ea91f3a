//! Checks made on Excel 97–2003 (.xls) and OpenDocument (.ods) workbooks before calamine reads
//! them. calamine builds each sheet as a dense range spanning its outermost cells, and for .xls
//! reserves what a sheet's DIMENSIONS record claims: a small crafted file could make it
//! allocate gigabytes. Here the cells' positions are read first, streaming, and a sheet whose
//! used area is larger than a ledger can be is refused before anything is allocated for it.

use std::io::{BufReader, Cursor, Read};

/// A sheet's used area (rows × columns, from its first cell to its last) may not be larger.
pub const MAX_SHEET_AREA: u64 = 1_000_000;
/// The largest row a sheet may use (Excel 97–2003 has 65,536).
pub const MAX_SHEET_ROW: u64 = 200_000;
/// Columns beyond Excel 97–2003's 256 are not real.
const MAX_XLS_COLUMN: u64 = 255;

/// Why a workbook was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// It cannot be read at all.
    Unreadable(String),
    /// It is readable but reaches further than a ledger may.
    TooLarge(String),
}

/// The extent of one sheet's cells.
#[derive(Debug, Default, Clone, Copy)]
struct Extent {
    min_row: u64,
    max_row: u64,
    min_col: u64,
    max_col: u64,
    any: bool,
}

impl Extent {
    fn add(&mut self, row: u64, first_col: u64, last_col: u64) -> Result<(), Refusal> {
        if row > MAX_SHEET_ROW {
            return Err(Refusal::TooLarge(format!(
                "a sheet uses row {}, past row {MAX_SHEET_ROW}",
                row + 1
            )));
        }
        if self.any {
            self.min_row = self.min_row.min(row);
            self.max_row = self.max_row.max(row);
            self.min_col = self.min_col.min(first_col);
            self.max_col = self.max_col.max(last_col);
        } else {
            *self = Extent {
                min_row: row,
                max_row: row,
                min_col: first_col,
                max_col: last_col,
                any: true,
            };
        }
        self.check()
    }

    fn check(&self) -> Result<(), Refusal> {
        let area = (self.max_row - self.min_row + 1) * (self.max_col - self.min_col + 1);
        if self.any && area > MAX_SHEET_AREA {
            return Err(Refusal::TooLarge(format!(
                "a sheet's cells span {area} cells (rows {} to {}, {} columns); a ledger \
                 spans at most {MAX_SHEET_AREA}",
                self.min_row + 1,
                self.max_row + 1,
                self.max_col - self.min_col + 1
            )));
        }
        Ok(())
    }
}

fn u16_at(data: &[u8], at: usize) -> Option<u64> {
    data.get(at..at + 2)
        .map(|b| u64::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(data: &[u8], at: usize) -> Option<u64> {
    data.get(at..at + 4)
        .map(|b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
}

/// Walks the BIFF records of an .xls workbook stream and checks every cell's position and
/// every sheet's declared dimensions.
pub fn check_xls(bytes: &[u8], max_stream: u64) -> Result<(), Refusal> {
    let unreadable = |why: String| Refusal::Unreadable(why);
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| unreadable(format!("it is not an Excel 97–2003 workbook ({e})")))?;
    let name = ["/Workbook", "/Book"]
        .into_iter()
        .find(|n| file.is_stream(n))
        .ok_or_else(|| unreadable("it holds no workbook stream".to_owned()))?;
    let mut stream = Vec::new();
    file.open_stream(name)
        .map_err(|e| unreadable(e.to_string()))?
        .take(max_stream + 1)
        .read_to_end(&mut stream)
        .map_err(|e| unreadable(e.to_string()))?;
    if stream.len() as u64 > max_stream {
        return Err(Refusal::TooLarge(format!(
            "its workbook stream is larger than {} MiB",
            max_stream >> 20
        )));
    }
    let mut extent = Extent::default();
    let mut at = 0usize;
    while let (Some(kind), Some(len)) = (u16_at(&stream, at), u16_at(&stream, at + 2)) {
        let data = stream
            .get(at + 4..at + 4 + len as usize)
            .unwrap_or_default();
        at += 4 + len as usize;
        let row = u16_at(data, 0);
        let col = u16_at(data, 2);
        match kind {
            // BOF: a new substream (a sheet) starts.
            0x0809 => extent = Extent::default(),
            // DIMENSIONS: calamine reserves the area it declares.
            0x0200 => {
                let (first_row, last_row, first_col, last_col) = if data.len() >= 14 {
                    (
                        u32_at(data, 0),
                        u32_at(data, 4),
                        u16_at(data, 8),
                        u16_at(data, 10),
                    )
                } else {
                    (
                        u16_at(data, 0),
                        u16_at(data, 2),
                        u16_at(data, 4),
                        u16_at(data, 6),
                    )
                };
                if let (Some(r0), Some(r1), Some(c0), Some(c1)) =
                    (first_row, last_row, first_col, last_col)
                {
                    // The last row and column are one past the end.
                    let rows = r1.saturating_sub(r0);
                    let cols = c1.saturating_sub(c0);
                    if rows > MAX_SHEET_ROW || rows * cols > MAX_SHEET_AREA {
                        return Err(Refusal::TooLarge(format!(
                            "a sheet declares {rows} rows by {cols} columns"
                        )));
                    }
                }
            }
            // Cells: NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST, FORMULA.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                if let (Some(row), Some(col)) = (row, col) {
                    if col > MAX_XLS_COLUMN {
                        return Err(unreadable(format!("a cell sits in column {}", col + 1)));
                    }
                    extent.add(row, col, col)?;
                }
            }
            // MULRK: one row, a run of columns, the last column at the end.
            0x00BD => {
                if let (Some(row), Some(first), Some(last)) = (
                    row,
                    col,
                    data.len().checked_sub(2).and_then(|i| u16_at(data, i)),
                ) {
                    if last > MAX_XLS_COLUMN || last < first {
                        return Err(unreadable("a run of cells is out of range".to_owned()));
                    }
                    extent.add(row, first, last)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Reads an attribute's value as a count (repeats, spans); absent means one.
fn count(e: &quick_xml::events::BytesStart<'_>, name: &str) -> u64 {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.value.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .max(1)
}

fn has_value(e: &quick_xml::events::BytesStart<'_>) -> bool {
    e.attributes()
        .with_checks(false)
        .flatten()
        .any(|a| a.key.as_ref() == "office:value-type")
}

/// Streams an .ods workbook's content.xml and checks where its cells with content sit, with
/// their repeats (`table:number-rows-repeated`, `table:number-columns-repeated`) counted.
/// Empty repeated rows and columns (LibreOffice writes a million of them) cost nothing.
pub fn check_ods(content: impl Read) -> Result<(), Refusal> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let mut extent = Extent::default();
    let (mut row, mut col) = (0u64, 0u64);
    let mut row_repeats = 1u64;
    // The cell being read: its first column, repeats, and whether it has content.
    let mut open_cell: Option<(u64, u64, bool)> = None;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| Refusal::Unreadable(format!("content.xml: {e}")))?;
        match event {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.name().as_ref() {
                    "table:table" => {
                        extent = Extent::default();
                        row = 0;
                    }
                    "table:table-row" => {
                        col = 0;
                        row_repeats = count(e, "table:number-rows-repeated");
                        if empty {
                            row = row.saturating_add(row_repeats);
                        }
                    }
                    "table:table-cell" | "table:covered-table-cell" => {
                        let repeats = count(e, "table:number-columns-repeated");
                        if empty {
                            if has_value(e) {
                                add_block(&mut extent, row, row_repeats, col, repeats)?;
                            }
                            col = col.saturating_add(repeats);
                        } else {
                            open_cell = Some((col, repeats, has_value(e)));
                        }
                    }
                    _ => {
                        // Any element inside a cell (a paragraph) is content.
                        if let Some(cell) = open_cell.as_mut() {
                            cell.2 = true;
                        }
                    }
                }
            }
            Event::Text(ref t) if !t.is_empty() => {
                if let Some(cell) = open_cell.as_mut() {
                    cell.2 = true;
                }
            }
            Event::End(ref e) => match e.name().as_ref() {
                "table:table-cell" | "table:covered-table-cell" => {
                    if let Some((first, repeats, content)) = open_cell.take() {
                        if content {
                            add_block(&mut extent, row, row_repeats, first, repeats)?;
                        }
                        col = first.saturating_add(repeats);
                    }
                }
                "table:table-row" => row = row.saturating_add(row_repeats),
                _ => {}
            },
            _ => {}
        }
        buf.clear();
    }
    Ok(())
}

/// A block of cells with content: `rows` rows from `row`, `cols` columns from `col`.
fn add_block(extent: &mut Extent, row: u64, rows: u64, col: u64, cols: u64) -> Result<(), Refusal> {
    extent.add(row, col, col.saturating_add(cols - 1))?;
    extent.add(row.saturating_add(rows - 1), col, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ods(rows: &str) -> String {
        format!(
            "<office:document-content><office:body><office:spreadsheet>\
             <table:table table:name=\"S\">{rows}</table:table>\
             </office:spreadsheet></office:body></office:document-content>"
        )
    }

    #[test]
    fn an_ods_sheet_with_librelffice_padding_passes() {
        let xml = ods(
            "<table:table-row><table:table-cell office:value-type=\"string\">\
             <text:p>问题描述</text:p></table:table-cell>\
             <table:table-cell table:number-columns-repeated=\"1023\"/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"1048575\">\
             <table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>",
        );
        assert_eq!(check_ods(xml.as_bytes()), Ok(()));
    }

    #[test]
    fn an_ods_sheet_whose_content_repeats_past_the_limits_is_refused() {
        let wide = ods(
            "<table:table-row><table:table-cell office:value-type=\"float\" \
             table:number-columns-repeated=\"16384\"/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"100\">\
             <table:table-cell><text:p>x</text:p></table:table-cell></table:table-row>",
        );
        assert!(matches!(
            check_ods(wide.as_bytes()),
            Err(Refusal::TooLarge(_))
        ));
        let deep = ods("<table:table-row table:number-rows-repeated=\"900000\">\
             <table:table-cell><text:p>x</text:p></table:table-cell></table:table-row>");
        assert!(matches!(
            check_ods(deep.as_bytes()),
            Err(Refusal::TooLarge(_))
        ));
        assert!(matches!(
            check_ods(&b"<a><b></a>"[..]),
            Err(Refusal::Unreadable(_))
        ));
    }

    #[test]
    fn what_is_not_a_compound_file_is_not_a_workbook() {
        assert!(matches!(
            check_xls(b"not a workbook", 1 << 20),
            Err(Refusal::Unreadable(_))
        ));
    }

    /// The corpus's .xls with its sheet's DIMENSIONS record and one cell moved as far as the
    /// format allows, written back as a compound file.
    fn stretched_xls(rows: u32, cols: u16, cell: (u16, u16)) -> Vec<u8> {
        use std::io::Write;
        let original = include_bytes!("../../../../tests/corpus/x01_ledger.xls");
        let mut file = cfb::CompoundFile::open(Cursor::new(&original[..])).unwrap();
        let mut stream = Vec::new();
        file.open_stream("/Workbook")
            .unwrap()
            .read_to_end(&mut stream)
            .unwrap();
        let (mut at, mut patched_cell) = (0, false);
        while at + 4 <= stream.len() {
            let kind = u16::from_le_bytes([stream[at], stream[at + 1]]);
            let len = u16::from_le_bytes([stream[at + 2], stream[at + 3]]) as usize;
            let data = at + 4;
            if kind == 0x0200 && len >= 14 {
                stream[data + 4..data + 8].copy_from_slice(&rows.to_le_bytes());
                stream[data + 10..data + 12].copy_from_slice(&cols.to_le_bytes());
            }
            if kind == 0x00FD && !patched_cell {
                stream[data..data + 2].copy_from_slice(&cell.0.to_le_bytes());
                stream[data + 2..data + 4].copy_from_slice(&cell.1.to_le_bytes());
                patched_cell = true;
            }
            at = data + len;
        }
        let mut out = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        out.create_stream("/Workbook")
            .unwrap()
            .write_all(&stream)
            .unwrap();
        out.flush().unwrap();
        out.into_inner().into_inner()
    }

    #[test]
    fn an_xls_claiming_a_vast_sheet_is_refused_before_it_is_read() {
        assert_eq!(check_xls(&stretched_xls(30, 11, (0, 0)), 1 << 24), Ok(()));
        // A DIMENSIONS record of 65,536 rows by 256 columns: 16 million cells reserved.
        assert!(matches!(
            check_xls(&stretched_xls(65_536, 256, (0, 0)), 1 << 24),
            Err(Refusal::TooLarge(_))
        ));
        // One cell at row 65,000 and column 200: a range of 13 million cells.
        assert!(matches!(
            check_xls(&stretched_xls(30, 11, (65_000, 200)), 1 << 24),
            Err(Refusal::TooLarge(_))
        ));
    }
}
