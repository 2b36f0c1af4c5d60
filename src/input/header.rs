//! Finding a table's header row, the same way for every format: registry
//! exports put a title row and an export note above the header, so the
//! header is the first row, among the first [`HEADER_SEARCH_ROWS`] rows
//! that hold anything, with a recognised column of each kind the reader
//! needs (an id and a stratum for a roster, an id and a verdict for
//! results). CSV files and sheets both come here as rows of text
//! (`input::table` reads them); only how the rows are got differs.

use unicode_normalization::UnicodeNormalization;

use crate::t;

/// How many non-empty rows are searched for the header.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// A header cell as it is matched against the names choucha knows: NFC;
/// full-width letters, digits and the ideographic space folded to ASCII
/// (`ＩＤ` → `ID`); white space (line breaks included) trimmed at the ends,
/// runs inside collapsed to one space, and dropped entirely where either
/// neighbour is not an ASCII letter or digit, so that `账号\nID` and
/// `检查 时间` read as `账号ID` and `检查时间` while `checked  at` reads
/// `checked at`. Only for matching: the name a record keeps is the cell as
/// `text::normalize_field` gives it.
pub fn header_key(name: &str) -> String {
    let folded: String = name
        .nfc()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            '\u{3000}' => ' ',
            other => other,
        })
        .collect();
    let words: Vec<&str> = folded.split_whitespace().collect();
    let mut out = String::with_capacity(folded.len());
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            let before = out
                .chars()
                .last()
                .is_some_and(|c| c.is_ascii_alphanumeric());
            let after = w.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
            if before && after {
                out.push(' ');
            }
        }
        out.push_str(w);
    }
    out
}

/// Whether a header cell names one of `wanted`, compared by [`header_key`]
/// and, for ASCII names, regardless of case (`ID`, `Region`).
pub fn header_is(name: &str, wanted: &[&str]) -> bool {
    let key = header_key(name);
    wanted.iter().any(|w| {
        let w = header_key(w);
        key == w || key.eq_ignore_ascii_case(&w)
    })
}

/// What a header row must hold: for each kind of column, one of its names.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    groups: Vec<Vec<String>>,
    /// The names the user gave (`--id-column`): cells of those columns, like
    /// those of the recognised id and stratum columns, hold no line break.
    pub explicit: Vec<String>,
}

impl Wanted {
    /// Nothing wanted: the first non-empty row is the header.
    pub fn none() -> Wanted {
        Wanted::default()
    }

    /// One more kind of column: the name the user gave, else any of `defaults`.
    pub fn column(mut self, explicit: Option<&str>, defaults: &[&str]) -> Wanted {
        match explicit {
            Some(name) => {
                self.groups.push(vec![name.to_string()]);
                self.explicit.push(name.to_string());
            }
            None => self
                .groups
                .push(defaults.iter().map(|s| s.to_string()).collect()),
        }
        self
    }

    /// Whether `row` holds a column of every kind wanted.
    pub fn held_by(&self, row: &[String]) -> bool {
        !self.groups.is_empty()
            && self.groups.iter().all(|g| {
                let names: Vec<&str> = g.iter().map(String::as_str).collect();
                row.iter().any(|cell| header_is(cell, &names))
            })
    }

    /// The names, for a message: "账号ID / id … + 地区 / region …".
    pub fn describe(&self) -> String {
        self.groups
            .iter()
            .map(|g| g.join(" / "))
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

/// One row of a table: its 1-based line (CSV) or row (sheet), and its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub cells: Vec<String>,
}

impl Row {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// Where the header is among a table's first rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Index into the rows given.
    pub index: usize,
    /// Its line (CSV) or row (sheet), 1-based.
    pub line: u64,
    /// Non-empty rows above it, skipped (titles, export notes).
    pub skipped: usize,
    /// Whether it holds the wanted columns (else it is only the first non-empty row).
    pub recognised: bool,
}

/// Finds the header among `rows` (the first rows of a table, in order):
/// row `forced` when given (`--header-row`), else the first of the first
/// [`HEADER_SEARCH_ROWS`] non-empty rows that `wanted` is held by, else the
/// first non-empty row (whose missing columns the reader then names).
/// `None` when there is no non-empty row; an error when `forced` names a row
/// that is not there or is empty.
pub fn find_header(
    rows: &[Row],
    wanted: &Wanted,
    forced: Option<u64>,
) -> Result<Option<Found>, String> {
    let above = |index: usize| rows[..index].iter().filter(|r| !r.is_blank()).count();
    if let Some(line) = forced {
        return match rows.iter().position(|r| r.line == line) {
            Some(index) if !rows[index].is_blank() => Ok(Some(Found {
                index,
                line,
                skipped: above(index),
                recognised: wanted.held_by(&rows[index].cells),
            })),
            _ => Err(t!("header.no-such-row", line)),
        };
    }
    let non_empty: Vec<usize> = (0..rows.len())
        .filter(|&i| !rows[i].is_blank())
        .take(HEADER_SEARCH_ROWS)
        .collect();
    let Some(&first) = non_empty.first() else {
        return Ok(None);
    };
    let hit = non_empty
        .iter()
        .copied()
        .find(|&i| wanted.held_by(&rows[i].cells));
    let index = hit.unwrap_or(first);
    Ok(Some(Found {
        index,
        line: rows[index].line,
        skipped: above(index),
        recognised: hit.is_some(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(table: &[&[&str]]) -> Vec<Row> {
        table
            .iter()
            .enumerate()
            .map(|(i, r)| Row {
                line: i as u64 + 1,
                cells: r.iter().map(|s| s.to_string()).collect(),
            })
            .collect()
    }

    #[test]
    fn header_cells_are_matched_after_folding() {
        assert_eq!(header_key(" 账号\nID "), "账号ID");
        assert_eq!(header_key("账号ＩＤ"), "账号ID");
        assert_eq!(header_key("检查\r\n时间"), "检查时间");
        assert_eq!(header_key("checked \t at"), "checked at");
        assert_eq!(header_key("\u{3000}所属\u{3000}地区"), "所属地区");
        assert_eq!(header_key("ｒｅｇｉｏｎ１"), "region1");
        assert!(header_is("账号\nＩＤ", &["账号ID"]));
        assert!(header_is("REGION", &["region"]));
        assert!(!header_is("账号名称", &["账号"]));
    }

    #[test]
    fn the_header_is_the_first_row_with_the_columns_wanted() {
        let wanted = Wanted::none()
            .column(None, &["账号ID", "id"])
            .column(None, &["地区"]);
        let t = rows(&[
            &["全省政务新媒体名录", "", ""],
            &["", "", ""],
            &["导出时间：2023-08-01", "", ""],
            &["序号", "账号\nID", "地区"],
            &["1", "A1", "合肥市"],
        ]);
        let f = find_header(&t, &wanted, None).unwrap().unwrap();
        assert_eq!((f.index, f.line, f.skipped, f.recognised), (3, 4, 2, true));
        // Forced: that row, even if it is not recognised.
        let f = find_header(&t, &wanted, Some(3)).unwrap().unwrap();
        assert_eq!((f.line, f.skipped, f.recognised), (3, 1, false));
        assert!(find_header(&t, &wanted, Some(2)).is_err());
        assert!(find_header(&t, &wanted, Some(9)).is_err());
        // Nothing recognised: the first non-empty row, marked as such.
        let none = Wanted::none().column(Some("编号"), &[]);
        let f = find_header(&t, &none, None).unwrap().unwrap();
        assert_eq!((f.line, f.skipped, f.recognised), (1, 0, false));
        // Only the first 20 non-empty rows are searched.
        let mut long: Vec<Vec<&str>> = vec![vec!["说明", "", ""]; HEADER_SEARCH_ROWS];
        long.push(vec!["序号", "id", "地区"]);
        let long: Vec<&[&str]> = long.iter().map(|r| r.as_slice()).collect();
        let f = find_header(&rows(&long), &wanted, None).unwrap().unwrap();
        assert!(!f.recognised);
        assert_eq!(find_header(&rows(&[&["", ""]]), &wanted, None), Ok(None));
    }
}
