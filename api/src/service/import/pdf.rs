//! Reports as PDF files with a text layer (the common case: exported from Word or WPS, or
//! published online). Their text, Chinese included through the fonts' ToUnicode maps, is read
//! by pdf-extract and then goes the way typed text goes (`domain::reflow` re-joins the lines
//! a PDF breaks). A scanned PDF has no text and is refused saying so.

use std::io::Read;

use super::{file_error, MAX_PART_BYTES, MAX_WORKBOOK_BYTES};
use crate::error::{Code, Result};

/// Fewer visible characters than this on every page: the PDF is a scan (a page number or a
/// stamp's text is all it has).
const MIN_TEXT_CHARS: usize = 20;

/// Inflates every Flate stream of the file into nothing, counting, before the PDF reader sees
/// it: a stream that unpacks to more than a part may, or all of them to more than a workbook
/// may, is a bomb, not a report. The streams are found in the raw bytes (between `stream` and
/// `endstream`), so object streams and damaged cross-reference tables are covered alike.
fn check_streams(shown: &str, bytes: &[u8]) -> Result<()> {
    // LZW and run-length streams can expand a thousandfold too, and are not measured here:
    // PDF 1.2 replaced them with Flate, so a report carrying them is old or crafted.
    for filter in [&b"/LZWDecode"[..], b"/RunLengthDecode", b"/LZW", b"/RL"] {
        if find(bytes, filter).is_some_and(|at| {
            !bytes
                .get(at + filter.len())
                .is_some_and(|c| c.is_ascii_alphanumeric())
        }) {
            return Err(file_error(
                Code::UnreadableFile,
                format!(
                    "{shown} is compressed with a filter from before PDF 1.2 (LZW or run-length), \
                     which is not read here; print it to PDF again, or import the document it \
                     was made from"
                ),
            ));
        }
    }
    let mut total = 0u64;
    let mut rest = bytes;
    while let Some(at) = find(rest, b"stream") {
        let after = &rest[at + b"stream".len()..];
        let data = after
            .strip_prefix(b"\r\n")
            .or_else(|| after.strip_prefix(b"\n"));
        let Some(data) = data else {
            // `endstream`, or the word inside text: not a stream's start.
            rest = after;
            continue;
        };
        let end = find(data, b"endstream").unwrap_or(data.len());
        let inflated = std::io::copy(
            &mut flate2::read::ZlibDecoder::new(&data[..end]).take(MAX_PART_BYTES + 1),
            &mut std::io::sink(),
        )
        .unwrap_or(0); // not Flate, or damaged: the reader will say so if it matters
        if inflated > MAX_PART_BYTES {
            return Err(file_error(
                Code::SheetTooLarge,
                format!(
                    "{shown}: a stream unpacks to more than {} MiB",
                    MAX_PART_BYTES >> 20
                ),
            ));
        }
        total += inflated;
        if total > MAX_WORKBOOK_BYTES {
            return Err(file_error(
                Code::SheetTooLarge,
                format!(
                    "{shown}: its streams unpack to more than {} MiB",
                    MAX_WORKBOOK_BYTES >> 20
                ),
            ));
        }
        rest = &data[end..];
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The PDF's text, one line per line it shows.
pub fn text(shown: &str, bytes: &[u8]) -> Result<String> {
    check_streams(shown, bytes)?;
    let pages = pdf_extract::extract_text_from_mem_by_pages(bytes).map_err(|e| {
        let why = e.to_string();
        let why = if why.to_ascii_lowercase().contains("encrypt") {
            "it is encrypted; save it again without a password".to_owned()
        } else {
            why
        };
        file_error(
            Code::UnreadableFile,
            format!("{shown} cannot be read as a PDF: {why}"),
        )
    })?;
    let visible = |page: &String| page.chars().filter(|c| !c.is_whitespace()).count();
    if pages.iter().all(|p| visible(p) < MIN_TEXT_CHARS) {
        return Err(file_error(
            Code::NoTextLayer,
            format!(
                "{shown} has no text layer: its {} page(s) are images (a scan), which cannot be \
                 read here; import the Word document it was made from, or a PDF exported from \
                 it",
                pages.len()
            ),
        ));
    }
    // Form feeds between pages would be refused as control characters; a page break is a
    // line break. Lines that reach the margin go on in the next one.
    let text = pages.join("\n").replace('\u{c}', "\n");
    Ok(crate::domain::reflow::join_page_lines(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Zeros, `mib` MiB of them, deflated (to about a thousandth of that).
    fn zeros(mib: u64) -> Vec<u8> {
        use std::io::Write;
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..mib {
            encoder.write_all(&chunk).unwrap();
        }
        encoder.finish().unwrap()
    }

    #[test]
    fn a_stream_that_unpacks_past_the_cap_is_refused_before_reading() {
        let bomb = zeros((MAX_PART_BYTES >> 20) + 1);
        let mut pdf = b"%PDF-1.7\n1 0 obj\n<< /Length 0 /Filter /FlateDecode >>\nstream\n".to_vec();
        pdf.extend_from_slice(&bomb);
        pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
        let error = text("bomb.pdf", &pdf).unwrap_err();
        assert_eq!(error.code, Code::SheetTooLarge);
        assert!(check_streams("small.pdf", b"%PDF-1.7\nstream\nxx\nendstream\n").is_ok());
    }

    #[test]
    fn streams_whose_expansion_is_not_measured_are_refused() {
        for filter in ["/LZWDecode", "/RunLengthDecode", "/LZW", "/RL"] {
            let pdf = format!(
                "%PDF-1.1\n1 0 obj\n<< /Length 3 /Filter {filter} >>\nstream\nabc\nendstream\n"
            );
            let error = text("old.pdf", pdf.as_bytes()).unwrap_err();
            assert_eq!(error.code, Code::UnreadableFile, "{filter}");
            assert!(error.detail.contains("LZW"), "{}", error.detail);
        }
        // A name that only starts like one is not one.
        assert!(check_streams("a.pdf", b"%PDF-1.7\n/RLE /LZWx").is_ok());
    }

    #[test]
    fn what_is_not_a_pdf_is_refused_as_unreadable() {
        let error = text("bad.pdf", b"%PDF-1.7\n garbage").unwrap_err();
        assert_eq!(error.code, Code::UnreadableFile);
    }
}
