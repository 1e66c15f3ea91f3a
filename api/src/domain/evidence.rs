//! What an evidence file (佐证材料) is, judged from its bytes alone — never from the name or
//! the type a client claims — while it streams in.

/// The kinds of file accepted as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Jpeg,
    Png,
    Pdf,
    Docx,
    Xlsx,
    Text,
}

impl FileKind {
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Pdf => "application/pdf",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Text => "text/plain; charset=utf-8",
        }
    }

    pub const ACCEPTED: &'static str = "JPEG, PNG, PDF, DOCX, XLSX or UTF-8 plain text";
}

const ZIP_MARKERS: [&[u8]; 3] = [
    b"[Content_Types].xml",
    b"word/document.xml",
    b"xl/workbook.xml",
];
const LONGEST_MARKER: usize = 19;

/// Fed the file chunk by chunk; says at the end what the whole file is.
#[derive(Debug, Default)]
pub struct Sniffer {
    head: Vec<u8>,
    /// The last bytes of the previous chunk, so a marker split across chunks is still seen.
    carry: Vec<u8>,
    seen: [bool; 3],
    /// Still possibly UTF-8 text; `pending` holds an incomplete trailing character.
    text: bool,
    pending: Vec<u8>,
    started: bool,
}

impl Sniffer {
    pub fn new() -> Self {
        Self {
            text: true,
            ..Self::default()
        }
    }

    pub fn feed(&mut self, chunk: &[u8]) {
        self.started |= !chunk.is_empty();
        if self.head.len() < 8 {
            let take = (8 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        if self.head.starts_with(b"PK\x03\x04") {
            let mut window = std::mem::take(&mut self.carry);
            window.extend_from_slice(chunk);
            for (i, marker) in ZIP_MARKERS.iter().enumerate() {
                self.seen[i] |= window.windows(marker.len()).any(|w| w == *marker);
            }
            let keep = window.len().min(LONGEST_MARKER - 1);
            self.carry = window[window.len() - keep..].to_vec();
        }
        if self.text {
            let mut bytes = std::mem::take(&mut self.pending);
            bytes.extend_from_slice(chunk);
            match std::str::from_utf8(&bytes) {
                Ok(s) => self.text = plain(s),
                Err(e) if e.error_len().is_none() => {
                    // An incomplete character at the end: wait for the next chunk.
                    let valid = e.valid_up_to();
                    self.text = plain(std::str::from_utf8(&bytes[..valid]).unwrap_or_default());
                    self.pending = bytes[valid..].to_vec();
                }
                Err(_) => self.text = false,
            }
        }
    }

    pub fn finish(self) -> Option<FileKind> {
        let head = &self.head;
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileKind::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileKind::Png)
        } else if head.starts_with(b"%PDF-") {
            Some(FileKind::Pdf)
        } else if head.starts_with(b"PK\x03\x04") {
            match self.seen {
                [true, true, _] => Some(FileKind::Docx),
                [true, _, true] => Some(FileKind::Xlsx),
                _ => None,
            }
        } else if self.started && self.text && self.pending.is_empty() {
            Some(FileKind::Text)
        } else {
            None
        }
    }
}

/// Text a person wrote: no NUL or other control characters but tab, line breaks and form feed.
fn plain(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
}

pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    let mut sniffer = Sniffer::new();
    sniffer.feed(bytes);
    sniffer.finish()
}

/// A client's file name made safe to show and to send back: no directories, no control
/// characters, at most 200 characters. It never becomes a path on disk.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "evidence".to_owned()
    } else {
        cleaned
    }
}

/// An ASCII stand-in for the file name, for clients that ignore RFC 5987's `filename*`.
pub fn ascii_file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docx_like(chunks: usize) -> Vec<Vec<u8>> {
        let mut bytes = b"PK\x03\x04 ...[Content_Types].xml... lots of deflated bytes ...".to_vec();
        bytes.extend(std::iter::repeat_n(0u8, 5000));
        bytes.extend_from_slice(b"PK\x01\x02 central directory word/document.xml");
        let size = bytes.len().div_ceil(chunks);
        bytes.chunks(size).map(<[u8]>::to_vec).collect()
    }

    #[test]
    fn images_and_pdf_are_known_by_their_signatures() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some(FileKind::Jpeg)
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(FileKind::Png));
        assert_eq!(sniff(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3"), Some(FileKind::Pdf));
    }

    #[test]
    fn office_files_are_told_apart_by_their_parts_even_across_chunks() {
        for chunks in [1, 2, 7, 300] {
            let mut s = Sniffer::new();
            for c in docx_like(chunks) {
                s.feed(&c);
            }
            assert_eq!(s.finish(), Some(FileKind::Docx), "{chunks} chunks");
        }
        assert_eq!(
            sniff(b"PK\x03\x04[Content_Types].xml xl/workbook.xml"),
            Some(FileKind::Xlsx)
        );
        assert_eq!(sniff(b"PK\x03\x04 just a zip archive"), None);
    }

    #[test]
    fn utf8_text_is_text_even_split_inside_a_character() {
        let text = "整改情况说明：已完成。\n".repeat(10);
        let bytes = text.as_bytes();
        let mut s = Sniffer::new();
        for c in bytes.chunks(5) {
            s.feed(c);
        }
        assert_eq!(s.finish(), Some(FileKind::Text));
    }

    #[test]
    fn executables_binaries_and_empty_files_are_refused() {
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01\0\0\0\0"), None);
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0"), None);
        assert_eq!(sniff(b"text with a \0 NUL"), None);
        assert_eq!(sniff(&[0xC3, 0x28]), None, "invalid UTF-8");
        assert_eq!(sniff(b""), None);
        let mut s = Sniffer::new();
        s.feed("整".as_bytes().split_at(2).0);
        assert_eq!(s.finish(), None, "ends inside a character");
    }

    #[test]
    fn client_file_names_lose_their_directories() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_file_name("C:\\Users\\张伟\\整改报告.pdf"),
            "整改报告.pdf"
        );
        assert_eq!(clean_file_name(".hidden"), "hidden");
        assert_eq!(clean_file_name("a\u{0}b\nc.txt"), "abc.txt");
        assert_eq!(clean_file_name("///"), "evidence");
        assert_eq!(ascii_file_name("整改报告 v2.pdf"), "____ v2.pdf");
    }
}
