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
/// The text a sheet's cells may hold in all, once shared strings and repeated cells are
/// counted for each cell that shows them: a few kilobytes of file must not become gigabytes.
pub const MAX_SHEET_TEXT_BYTES: u64 = 128 * 1024 * 1024;

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
    // Shared-string cells, and the SST with its CONTINUE records, for the text they amount to.
    let mut shared_cells = 0u64;
    let mut sst: Vec<&[u8]> = Vec::new();
    let mut in_sst = false;
    while let (Some(kind), Some(len)) = (u16_at(&stream, at), u16_at(&stream, at + 2)) {
        let data = stream
            .get(at + 4..at + 4 + len as usize)
            .unwrap_or_default();
        at += 4 + len as usize;
        match kind {
            0x00FC => {
                sst = vec![data.get(8..).unwrap_or_default()];
                in_sst = true;
            }
            0x003C if in_sst => sst.push(data),
            _ => in_sst = false,
        }
        if kind == 0x00FD {
            shared_cells += 1;
        }
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
                    // The last row and column are one past the end. calamine takes a first
                    // column past 255, or past the last, as 0; a range that ends before it
                    // starts would make it reserve billions of cells.
                    let c0 = if c0 > MAX_XLS_COLUMN || c1 < c0 {
                        0
                    } else {
                        c0
                    };
                    if r1 >= 1 && c1 >= 1 && (r1 <= r0 || c1 <= c0) {
                        return Err(unreadable(
                            "a sheet declares a range that ends before it starts".to_owned(),
                        ));
                    }
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
    // calamine copies a shared string into every cell that shows it.
    let longest = longest_shared_string(&sst);
    let text = shared_cells.saturating_mul(longest).saturating_mul(3);
    if text > MAX_SHEET_TEXT_BYTES {
        return Err(Refusal::TooLarge(format!(
            "{shared_cells} cells show shared strings of up to {longest} characters: more text \
             than a ledger holds"
        )));
    }
    Ok(())
}

/// The longest string, in characters, of a shared-string table (MS-XLS 2.4.265) given as the
/// SST record's strings and its CONTINUE records. A string's characters may run on into the
/// next record, which then starts with its own byte of flags.
fn longest_shared_string(segments: &[&[u8]]) -> u64 {
    let (mut seg, mut pos, mut longest) = (0usize, 0usize, 0u64);
    // Skips `n` bytes across segments, returning the first (at most 4) of them; None at the end.
    let skip = |seg: &mut usize, pos: &mut usize, n: usize| -> Option<Vec<u8>> {
        let mut first = Vec::with_capacity(4);
        let mut left = n;
        while left > 0 {
            let part = segments.get(*seg)?;
            if *pos >= part.len() {
                *seg += 1;
                *pos = 0;
                continue;
            }
            let step = left.min(part.len() - *pos);
            let wanted = 4usize.saturating_sub(first.len()).min(step);
            first.extend_from_slice(&part[*pos..*pos + wanted]);
            *pos += step;
            left -= step;
        }
        Some(first)
    };
    while let Some(header) = skip(&mut seg, &mut pos, 3) {
        let chars = u64::from(u16::from_le_bytes([header[0], header[1]]));
        let flags = header[2];
        longest = longest.max(chars);
        let runs = if flags & 0x08 != 0 {
            match skip(&mut seg, &mut pos, 2) {
                Some(b) => usize::from(u16::from_le_bytes([b[0], b[1]])),
                None => break,
            }
        } else {
            0
        };
        let ext = if flags & 0x04 != 0 {
            match skip(&mut seg, &mut pos, 4) {
                Some(b) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize,
                None => break,
            }
        } else {
            0
        };
        // The characters, one or two bytes each; at a record's end the rest follows the next
        // record's flag byte.
        let (mut left, mut wide) = (chars as usize, flags & 0x01 != 0);
        while left > 0 {
            let Some(part) = segments.get(seg) else {
                return longest;
            };
            let width = if wide { 2 } else { 1 };
            let step = left.min(part.len().saturating_sub(pos) / width);
            pos += step * width;
            left -= step;
            if left > 0 {
                seg += 1;
                match segments.get(seg).and_then(|p| p.first()) {
                    Some(flag) => {
                        wide = flag & 0x01 != 0;
                        pos = 1;
                    }
                    None => return longest,
                }
            }
        }
        if skip(&mut seg, &mut pos, runs * 4 + ext).is_none() {
            break;
        }
    }
    longest
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
    // The cell being read: its first column, repeats, and whether it has content; the
    // length of its text, and the sheet's text with repeats counted.
    let mut open_cell: Option<(u64, u64, bool)> = None;
    let (mut cell_text, mut sheet_text) = (0u64, 0u64);
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
                            cell_text = 0;
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
                    cell_text = cell_text.saturating_add(t.len() as u64);
                }
            }
            Event::End(ref e) => match e.name().as_ref() {
                "table:table-cell" | "table:covered-table-cell" => {
                    if let Some((first, repeats, content)) = open_cell.take() {
                        if content {
                            add_block(&mut extent, row, row_repeats, first, repeats)?;
                        }
                        // A repeated cell repeats its text in every cell it stands for.
                        sheet_text = sheet_text.saturating_add(
                            cell_text
                                .saturating_mul(repeats)
                                .saturating_mul(row_repeats),
                        );
                        if sheet_text > MAX_SHEET_TEXT_BYTES {
                            return Err(Refusal::TooLarge(
                                "its cells, repeats counted, hold more text than a ledger"
                                    .to_owned(),
                            ));
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
        dimensioned_xls((0, rows), (0, cols), cell)
    }

    /// As [`stretched_xls`], with the DIMENSIONS record's first row and column set too.
    fn dimensioned_xls(rows: (u32, u32), cols: (u16, u16), cell: (u16, u16)) -> Vec<u8> {
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
                stream[data..data + 4].copy_from_slice(&rows.0.to_le_bytes());
                stream[data + 4..data + 8].copy_from_slice(&rows.1.to_le_bytes());
                stream[data + 8..data + 10].copy_from_slice(&cols.0.to_le_bytes());
                stream[data + 10..data + 12].copy_from_slice(&cols.1.to_le_bytes());
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
        // A range that ends before it starts (calamine would wrap it to billions of rows).
        for (rows, cols) in [((100, 50), (0, 11)), ((0, 30), (5, 5))] {
            assert!(matches!(
                check_xls(&dimensioned_xls(rows, cols, (0, 0)), 1 << 24),
                Err(Refusal::Unreadable(_))
            ));
        }
        // One cell at row 65,000 and column 200: a range of 13 million cells.
        assert!(matches!(
            check_xls(&stretched_xls(30, 11, (65_000, 200)), 1 << 24),
            Err(Refusal::TooLarge(_))
        ));
    }

    /// BIFF records: kind, then data.
    fn records(list: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (kind, data) in list {
            out.extend_from_slice(&kind.to_le_bytes());
            out.extend_from_slice(&(data.len() as u16).to_le_bytes());
            out.extend_from_slice(data);
        }
        out
    }

    /// An SST holding one narrow string of `chars` characters, split into records of at most
    /// 8,224 bytes as Excel writes them (each CONTINUE starting with its flag byte).
    fn long_sst(chars: usize) -> Vec<(u16, Vec<u8>)> {
        let mut first = vec![1, 0, 0, 0, 1, 0, 0, 0];
        first.extend_from_slice(&(chars as u16).to_le_bytes());
        first.push(0);
        let mut left = chars;
        let room = 8224 - first.len();
        first.extend(std::iter::repeat_n(b'a', left.min(room)));
        left -= left.min(room);
        let mut list = vec![(0x00FCu16, first)];
        while left > 0 {
            let mut next = vec![0u8];
            next.extend(std::iter::repeat_n(b'b', left.min(8223)));
            left -= left.min(8223);
            list.push((0x003C, next));
        }
        list
    }

    #[test]
    fn a_shared_string_table_is_measured_across_its_continue_records() {
        let sst = long_sst(60_000);
        let segments: Vec<&[u8]> = sst
            .iter()
            .enumerate()
            .map(|(i, (_, d))| if i == 0 { &d[8..] } else { &d[..] })
            .collect();
        assert_eq!(longest_shared_string(&segments), 60_000);
        // Two strings, the first rich (two runs) and wide, the second narrow.
        let mut data = vec![2u8, 0, 0x09, 2, 0];
        data.extend_from_slice(&[0x41, 0, 0x42, 0]);
        data.extend_from_slice(&[0; 8]);
        data.extend_from_slice(&[5, 0, 0]);
        data.extend_from_slice(b"hello");
        assert_eq!(longest_shared_string(&[&data]), 5);
        assert_eq!(longest_shared_string(&[]), 0);
    }

    #[test]
    fn a_long_shared_string_shown_in_many_cells_is_refused_before_calamine_copies_it() {
        use std::io::Write;
        let workbook = |cells: usize| {
            let mut list = long_sst(60_000);
            for row in 0..cells {
                let mut cell = Vec::new();
                cell.extend_from_slice(&(row as u16).to_le_bytes());
                cell.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]);
                list.push((0x00FD, cell));
            }
            let mut out = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
            out.create_stream("/Workbook")
                .unwrap()
                .write_all(&records(&list))
                .unwrap();
            out.flush().unwrap();
            out.into_inner().into_inner()
        };
        assert_eq!(check_xls(&workbook(10), 1 << 24), Ok(()));
        // 1,000 cells × 60,000 characters: 180 MB from a 70 KB file.
        assert!(matches!(
            check_xls(&workbook(1_000), 1 << 24),
            Err(Refusal::TooLarge(_))
        ));
    }

    #[test]
    fn an_ods_cell_repeated_with_long_text_is_refused() {
        let text = "x".repeat(60_000);
        let xml = ods(&format!(
            "<table:table-row table:number-rows-repeated=\"20\">\
             <table:table-cell table:number-columns-repeated=\"200\"><text:p>{text}</text:p>\
             </table:table-cell></table:table-row>"
        ));
        assert!(matches!(
            check_ods(xml.as_bytes()),
            Err(Refusal::TooLarge(_))
        ));
    }
}
