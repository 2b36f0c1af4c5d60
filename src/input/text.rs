//! Turning the bytes users hand us into normalised text.
//!
//! Offices export CSV from Excel on Chinese Windows (GB18030/GBK, no BOM) or
//! from web systems (UTF-8, often with a BOM). Both must yield the same
//! strings, so every id and stratum is NFC-normalised and trimmed before it is
//! compared, sorted or hashed.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use crate::i18n::Lang;
use crate::{t, tl};

/// The encodings choucha reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// GB18030, a superset of GBK and GB2312, as Excel saves CSV on Chinese Windows.
    #[value(name = "gb18030", alias = "gbk")]
    Gb18030,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Gb18030 => "gb18030",
        }
    }
}

/// Text known to be UTF-8, kept as the bytes it was read as: a `String`
/// can be made from bytes only by checking them all again (or with `unsafe`,
/// which this crate forbids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Utf8Text {
    bytes: crate::base::fsio::Bytes,
    /// Where the text starts (after a BOM, which is kept in place rather than
    /// moving the whole file by three bytes).
    start: usize,
}

impl Utf8Text {
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[self.start..]
    }

    /// The text as a `str`, checked again (a `str` cannot be made from
    /// bytes otherwise without `unsafe`, which this crate forbids).
    pub fn as_str(&self) -> &str {
        simdutf8::basic::from_utf8(self.as_bytes()).expect("checked as UTF-8 when decoded")
    }
}

impl From<String> for Utf8Text {
    fn from(s: String) -> Utf8Text {
        Utf8Text {
            bytes: s.into_bytes().into(),
            start: 0,
        }
    }
}

/// Whether `bytes` are UTF-8. simdutf8 checks a roster of a million accounts
/// (53 MB) in a few milliseconds; std's check, byte by byte, took a tenth of
/// the CPU time of `roster`.
fn is_utf8(bytes: &[u8]) -> bool {
    simdutf8::basic::from_utf8(bytes).is_ok()
}

/// Decodes a whole file. With `forced == None` the encoding is detected:
/// UTF-8 (a BOM is dropped) when the bytes are valid UTF-8, else GB18030.
/// UTF-8 is taken over without copying. The error text names the line of the
/// first undecodable byte.
///
/// The third value is the SHA-256 of the bytes when they were not UTF-8 (a
/// GB18030 file's bytes are gone once decoded); UTF-8 bytes are the text,
/// after a BOM, and can be hashed from it later, beside other work.
pub fn decode(
    bytes: impl Into<crate::base::fsio::Bytes>,
    forced: Option<Encoding>,
) -> Result<(Utf8Text, Encoding, Option<String>), String> {
    let bytes = bytes.into();
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(t!("text.utf16"));
    }
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    if forced == Some(Encoding::Gb18030) {
        return decode_gb18030(&bytes);
    }
    let start = if bom { 3 } else { 0 };
    if is_utf8(&bytes[start..]) {
        return Ok((Utf8Text { bytes, start }, Encoding::Utf8, None));
    }
    if forced == Some(Encoding::Utf8) {
        let valid_up_to = match std::str::from_utf8(&bytes[start..]) {
            Err(e) => e.valid_up_to(),
            Ok(_) => bytes.len() - start,
        };
        return Err(t!(
            "text.not-utf8",
            line = line_of(&bytes[start..], valid_up_to),
            byte = valid_up_to + 1
        ));
    }
    decode_gb18030(&bytes).map_err(|error| t!("text.neither-encoding", error))
}

fn decode_gb18030(bytes: &[u8]) -> Result<(Utf8Text, Encoding, Option<String>), String> {
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(s) => Ok((
            Utf8Text::from(s.into_owned()),
            Encoding::Gb18030,
            Some(crate::base::digest::sha256_hex(bytes)),
        )),
        None => {
            // Find the first bad byte for the message by decoding with replacement.
            let (text, _) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            let line = text
                .split('\n')
                .position(|l| l.contains('\u{FFFD}'))
                .unwrap_or(0)
                + 1;
            Err(t!("text.not-gb18030", line))
        }
    }
}

fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Unicode NFC, then leading and trailing white space removed (U+3000, the
/// ideographic space that Chinese input methods type, included).
/// A value as a message shows it: whole when short, else its first
/// `max` characters and how long it was, so that a hostile 2 MB header is
/// not echoed back whole.
pub fn clipped(s: &str, max: usize) -> Cow<'_, str> {
    let count = s.chars().count();
    if count <= max {
        return Cow::Borrowed(s);
    }
    let head: String = s.chars().take(max).collect();
    Cow::Owned(format!("{head}… ({count})"))
}

pub fn normalize_field(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        // ASCII is always NFC: most ids of a registry export end here.
        return Cow::Borrowed(s.trim());
    }
    let trimmed = s.trim();
    if is_nfc_quick(trimmed.chars()) == IsNormalized::Yes {
        // Already NFC: trimming first gives the same result and borrows.
        return Cow::Borrowed(trimmed);
    }
    let nfc: String = s.nfc().collect();
    let t = nfc.trim();
    Cow::Owned(t.to_string())
}

pub use crate::input::header::header_is;

/// Line numbers of CSV records from byte offsets, for offsets that only
/// grow. The csv crate's own line count skips the blank lines before a record
/// and counts CR LF inconsistently; its byte offset is exact: where it began
/// reading, before the line ends it then skipped.
pub struct LineCounter<'a> {
    text: &'a [u8],
    pos: usize,
    newlines: u64,
}

impl<'a> LineCounter<'a> {
    pub fn new(text: &'a [u8]) -> Self {
        LineCounter {
            text,
            pos: 0,
            newlines: 0,
        }
    }

    /// The 1-based line of the record whose reading began at `offset`.
    pub fn line_at(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.text.len());
        if offset > self.pos {
            self.newlines +=
                memchr::memchr_iter(b'\n', &self.text[self.pos..offset]).count() as u64;
            self.pos = offset;
        }
        let skipped = self.text[self.pos..]
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.newlines + skipped + 1
    }
}

/// Where a user's table came from, so that a message names the place to fix:
/// a line of a CSV file (`r.csv: line 17`), or the cell of a workbook as
/// Excel names it (`bad.xlsx: 结果!C17`). Parsers take one instead of a bare
/// file name; the place is rendered through the catalogs, in either
/// language, and no message is ever rewritten afterwards.
///
/// A workbook is read as CSV text whose line N is row N of the sheet (see
/// `xlsx::to_csv`), so a line number is a row number here too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file, as the user named it.
    pub file: String,
    /// For a workbook: the sheet read and its header row, to name cells.
    pub sheet: Option<SheetOrigin>,
}

/// The sheet a table was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetOrigin {
    pub name: String,
    /// The header row's cells in column order (column A first).
    pub header: Vec<String>,
}

impl Origin {
    /// A text file (CSV): places are lines.
    pub fn file(file: impl Into<String>) -> Origin {
        Origin {
            file: file.into(),
            sheet: None,
        }
    }

    /// A sheet of a workbook: places are cells, or rows.
    pub fn sheet(file: impl Into<String>, sheet: impl Into<String>, header: Vec<String>) -> Origin {
        Origin {
            file: file.into(),
            sheet: Some(SheetOrigin {
                name: sheet.into(),
                header,
            }),
        }
    }

    /// `file: place` for a line, and for the field of that line in
    /// `column` (a header name, as normalised) when given: in a workbook that
    /// is a cell, `结果!C17`.
    pub fn at(&self, line: u64, column: Option<&str>) -> String {
        self.at_in(crate::i18n::current(), line, column)
    }

    /// [`Origin::at`] in a given language.
    pub fn at_in(&self, lang: Lang, line: u64, column: Option<&str>) -> String {
        let place = self.on_in(lang, line, column);
        tl!(lang, "text.in-file", file = self.file, place)
    }

    /// The place alone, without the file: for a second place in a message
    /// ("already on line 2", "already in 名单!B2").
    pub fn on(&self, line: u64, column: Option<&str>) -> String {
        self.on_in(crate::i18n::current(), line, column)
    }

    /// [`Origin::on`] in a given language.
    pub fn on_in(&self, lang: Lang, line: u64, column: Option<&str>) -> String {
        let Some(sheet) = &self.sheet else {
            return tl!(lang, "text.line", line);
        };
        let col = column.and_then(|want| {
            sheet.header.iter().position(|h| {
                crate::input::header::header_key(h) == crate::input::header::header_key(want)
            })
        });
        match (col, usize::try_from(line)) {
            (Some(c), Ok(row)) if row > 0 => crate::input::cell::cell_name(&sheet.name, row - 1, c),
            _ => tl!(lang, "text.row", sheet = sheet.name, line),
        }
    }
}

/// Whether the last record of a file ran to its end inside quotes: it took
/// a line break into a field and holds an odd number of quotes. Such a
/// quote would make the rest of the file one field, and its rows vanish.
pub fn quote_left_open(raw: &[u8]) -> bool {
    raw.contains(&b'\n') | raw.contains(&b'\r')
        && raw.iter().filter(|&&b| b == b'"').count() % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_trims_ideographic_space_and_composes() {
        assert_eq!(normalize_field("\u{3000} 合肥市\t"), "合肥市");
        // "e" + combining acute becomes U+00E9.
        assert_eq!(normalize_field(" e\u{301} "), "\u{e9}");
        assert_eq!(normalize_field("A1"), "A1");
    }

    #[test]
    fn gb18030_and_utf8_decode_to_the_same_text() {
        let utf8 = "region,id\n合肥市,A1\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(utf8);
        let (a, ea, _) = decode(utf8.as_bytes().to_vec(), None).unwrap();
        let (b, eb, _) = decode(gbk.into_owned(), None).unwrap();
        assert_eq!(a, b);
        assert_eq!((ea, eb), (Encoding::Utf8, Encoding::Gb18030));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(utf8.as_bytes());
        assert_eq!(decode(bom, None).unwrap().0.as_str(), utf8);
    }

    #[test]
    fn a_workbook_place_is_a_cell_in_either_language() {
        let o = Origin::sheet(
            "bad.xlsx",
            "结果",
            vec!["stratum".into(), "id".into(), "verdict".into()],
        );
        for lang in [Lang::En, Lang::Zh] {
            assert_eq!(
                o.at_in(lang, 17, Some("verdict")),
                tl!(lang, "text.in-file", file = "bad.xlsx", place = "结果!C17")
            );
            assert_eq!(o.on_in(lang, 2, Some("id")), "结果!B2");
        }
        assert_eq!(o.at_in(Lang::En, 17, Some("verdict")), "bad.xlsx: 结果!C17");
        assert_eq!(o.at_in(Lang::Zh, 17, Some("verdict")), "bad.xlsx：结果!C17");
        // A column the header lacks, or none: the row.
        assert_eq!(o.on_in(Lang::En, 5, Some("note")), "sheet 结果, row 5");
        assert_eq!(o.on_in(Lang::Zh, 5, None), "工作表 结果 第 5 行");
        let c = Origin::file("r.csv");
        assert_eq!(c.at_in(Lang::En, 4, Some("id")), "r.csv: line 4");
        assert_eq!(c.at_in(Lang::Zh, 4, Some("id")), "r.csv：第 4 行");
    }

    proptest::proptest! {
        /// The fast check agrees with std's on text with a byte changed
        /// anywhere, in inputs long enough for its vector path.
        #[test]
        fn the_utf8_check_agrees_with_std(
            text in "[a-z合肥市😀é,\n]{0,300}",
            at in 0usize..2000,
            byte: u8,
        ) {
            let mut bytes = text.into_bytes();
            proptest::prop_assert!(is_utf8(&bytes));
            if !bytes.is_empty() {
                let at = at % bytes.len();
                bytes[at] = byte;
            }
            proptest::prop_assert_eq!(is_utf8(&bytes), std::str::from_utf8(&bytes).is_ok());
        }
    }

    #[test]
    fn forced_utf8_names_the_line_of_a_bad_byte() {
        let err = decode(b"a\nb\n\xB0\xA1\n".to_vec(), Some(Encoding::Utf8)).unwrap_err();
        assert!(err.starts_with("line 3:"), "{err}");
    }
}
