//! The roster: every registered account with its stratum, parsed from the
//! office's CSV and brought into the canonical form that is committed to.
//!
//! Pure: takes decoded text, returns a [`Roster`] or an error naming the file,
//! line and field. The canonical form is `STRATUM<TAB>ID<LF>` per account,
//! sorted by the UTF-8 bytes of the stratum, then of the id (SPEC.md §2).

use std::collections::HashMap;
use std::ops::Range;

use crate::error::{Error, Result};
use crate::text::normalize_field;

/// Header names recognised without `--id-column`, compared after NFC and trimming
/// (ASCII case-insensitively).
pub const ID_HEADERS: &[&str] = &["id", "账号ID", "账号", "标识码"];
/// Header names recognised without `--stratum-column`.
pub const STRATUM_HEADERS: &[&str] = &["region", "地区", "所属地区", "省直厅局/各市"];

#[derive(Debug, Default, Clone)]
pub struct RosterOptions {
    pub id_column: Option<String>,
    pub stratum_column: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Account {
    /// Index into [`Roster::strata`].
    pub stratum: u32,
    pub id: Box<str>,
    /// 1-based line of the record in the source file.
    pub line: u64,
    /// The record's bytes in the source text, kept for the sample list's other columns.
    pub raw: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Roster {
    /// Stratum names sorted by their UTF-8 bytes.
    pub strata: Vec<String>,
    /// Stratum names in the order they first appear in the source.
    pub first_seen: Vec<String>,
    /// Accounts in canonical order: by stratum bytes, then id bytes.
    pub accounts: Vec<Account>,
    /// The header as found in the source (the record's raw bytes).
    pub raw_header: Range<usize>,
    /// The header names, normalised.
    pub header: Vec<String>,
    pub id_column: String,
    pub stratum_column: String,
}

fn header_matches(name: &str, wanted: &str) -> bool {
    name == wanted || name.eq_ignore_ascii_case(wanted)
}

/// Finds a column: the one the user named, or the single recognised default.
fn find_column(
    header: &[String],
    explicit: Option<&str>,
    defaults: &[&str],
    what: &str,
    flag: &str,
    file: &str,
) -> Result<usize> {
    let shown = || {
        header
            .iter()
            .map(|h| format!("{h:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(want) = explicit {
        let want = normalize_field(want);
        let hits: Vec<usize> = (0..header.len()).filter(|&i| header[i] == want).collect();
        return match hits.as_slice() {
            [i] => Ok(*i),
            [] => Err(Error::input(format!(
                "{file}: line 1: no column named {want:?} for the {what} ({flag}); the header has {}",
                shown()
            ))),
            _ => Err(Error::input(format!(
                "{file}: line 1: more than one column is named {want:?}; rename one"
            ))),
        };
    }
    let hits: Vec<usize> = (0..header.len())
        .filter(|&i| defaults.iter().any(|d| header_matches(&header[i], d)))
        .collect();
    match hits.as_slice() {
        [i] => Ok(*i),
        [] => Err(Error::input(format!(
            "{file}: line 1: no {what} column; expected one of {} or name it with {flag}; the header has {}",
            defaults.join(" / "),
            shown()
        ))),
        many => Err(Error::input(format!(
            "{file}: line 1: the {what} column is ambiguous: {} all match; choose one with {flag}",
            many.iter()
                .map(|&i| format!("{:?}", header[i]))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Checks one normalised field of one record.
fn check_field<'a>(value: &'a str, file: &str, line: u64, column: &str) -> Result<&'a str> {
    if value.is_empty() {
        return Err(Error::input(format!(
            "{file}: line {line}: field {column:?} is empty; every account needs one"
        )));
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(Error::input(format!(
            "{file}: line {line}: field {column:?} contains {}; tabs, line breaks and other control characters are not accepted inside it",
            match c {
                '\t' => "a tab".to_string(),
                '\n' | '\r' => "a line break".to_string(),
                other => format!("the control character U+{:04X}", other as u32),
            }
        )));
    }
    Ok(value)
}

/// Parses and canonicalises a roster. `text` is the decoded file, `file` its
/// name for messages.
pub fn parse(text: &str, file: &str, opts: &RosterOptions) -> Result<Roster> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::ByteRecord::new();
    let csv_err = |e: csv::Error| {
        let line = e.position().map(|p| p.line()).unwrap_or(0);
        Error::input(format!("{file}: line {line}: not valid CSV: {e}"))
    };

    if !reader.read_byte_record(&mut record).map_err(csv_err)? {
        return Err(Error::input(format!(
            "{file}: the file is empty; expected a header line and one line per account"
        )));
    }
    let header_start = record.position().map(|p| p.byte() as usize).unwrap_or(0);
    let header: Vec<String> = record
        .iter()
        .map(|f| normalize_field(std::str::from_utf8(f).unwrap_or("")).into_owned())
        .collect();
    let id_col = find_column(
        &header,
        opts.id_column.as_deref(),
        ID_HEADERS,
        "account id",
        "--id-column",
        file,
    )?;
    let st_col = find_column(
        &header,
        opts.stratum_column.as_deref(),
        STRATUM_HEADERS,
        "stratum (region)",
        "--stratum-column",
        file,
    )?;
    if id_col == st_col {
        return Err(Error::input(format!(
            "{file}: line 1: the id and the stratum cannot be the same column {:?}",
            header[id_col]
        )));
    }
    let id_name = header[id_col].clone();
    let st_name = header[st_col].clone();

    let mut strata_index: HashMap<String, u32> = HashMap::new();
    let mut first_seen: Vec<String> = Vec::new();
    let mut accounts: Vec<Account> = Vec::new();
    let mut starts: Vec<usize> = vec![header_start];
    while reader.read_byte_record(&mut record).map_err(csv_err)? {
        let pos = record.position().expect("csv records carry a position");
        let line = pos.line();
        let field = |i: usize, name: &str| -> Result<&str> {
            let bytes = record.get(i).ok_or_else(|| {
                Error::input(format!(
                    "{file}: line {line}: has {} fields but the {name:?} column is field {}",
                    record.len(),
                    i + 1
                ))
            })?;
            // The text is valid UTF-8 and the csv crate only removes ASCII quotes.
            Ok(std::str::from_utf8(bytes).unwrap_or(""))
        };
        let raw_id = field(id_col, &id_name)?;
        let raw_st = field(st_col, &st_name)?;
        let id = normalize_field(raw_id);
        let st = normalize_field(raw_st);
        check_field(&st, file, line, &st_name)?;
        check_field(&id, file, line, &id_name)?;
        let stratum = match strata_index.get(st.as_ref()) {
            Some(&i) => i,
            None => {
                let i = first_seen.len() as u32;
                strata_index.insert(st.to_string(), i);
                first_seen.push(st.to_string());
                i
            }
        };
        starts.push(pos.byte() as usize);
        accounts.push(Account {
            stratum,
            id: id.into(),
            line,
            raw: 0..0,
        });
    }
    if accounts.is_empty() {
        return Err(Error::input(format!(
            "{file}: has a header but no accounts; a roster lists at least one account"
        )));
    }
    // Each record runs to the start of the next (or the end of the text).
    starts.push(text.len());
    for (i, a) in accounts.iter_mut().enumerate() {
        a.raw = starts[i + 1]..starts[i + 2];
    }

    reject_duplicate_ids(&accounts, file, &id_name)?;

    // Renumber strata into byte order, then sort the accounts canonically.
    let mut order: Vec<u32> = (0..first_seen.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| {
        first_seen[a as usize]
            .as_bytes()
            .cmp(first_seen[b as usize].as_bytes())
    });
    let mut rank = vec![0u32; order.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    for a in &mut accounts {
        a.stratum = rank[a.stratum as usize];
    }
    accounts
        .sort_unstable_by(|a, b| (a.stratum, a.id.as_bytes()).cmp(&(b.stratum, b.id.as_bytes())));
    let strata = order
        .iter()
        .map(|&i| first_seen[i as usize].clone())
        .collect();

    Ok(Roster {
        strata,
        first_seen,
        accounts,
        raw_header: header_start..starts[1],
        header,
        id_column: id_name,
        stratum_column: st_name,
    })
}

/// Ids are unique across the whole roster, not only within a stratum. Reports
/// the duplicate whose second occurrence comes first in the file.
fn reject_duplicate_ids(accounts: &[Account], file: &str, id_name: &str) -> Result<()> {
    let mut by_id: Vec<u32> = (0..accounts.len() as u32).collect();
    by_id.sort_unstable_by(|&a, &b| {
        let (x, y) = (&accounts[a as usize], &accounts[b as usize]);
        (x.id.as_bytes(), x.line).cmp(&(y.id.as_bytes(), y.line))
    });
    let mut worst: Option<(u64, u64, &str)> = None;
    let mut i = 0;
    while i < by_id.len() {
        let first = &accounts[by_id[i] as usize];
        let mut j = i + 1;
        while j < by_id.len() && accounts[by_id[j] as usize].id == first.id {
            j += 1;
        }
        if j > i + 1 {
            // Sorted by (id, line): the group's first two are its earliest lines.
            let second = accounts[by_id[i + 1] as usize].line;
            if worst.is_none_or(|(_, w, _)| second < w) {
                worst = Some((first.line, second, &first.id));
            }
        }
        i = j;
    }
    match worst {
        None => Ok(()),
        Some((first, second, id)) => Err(Error::input(format!(
            "{file}: line {second}: duplicate {id_name:?} {id:?}, already on line {first}; every account id must be unique"
        ))),
    }
}

impl Roster {
    /// The committed bytes: `STRATUM<TAB>ID<LF>` per account in canonical order.
    pub fn canonical_tsv(&self) -> Vec<u8> {
        let len: usize = self
            .accounts
            .iter()
            .map(|a| self.strata[a.stratum as usize].len() + a.id.len() + 2)
            .sum();
        let mut out = Vec::with_capacity(len);
        for a in &self.accounts {
            out.extend_from_slice(self.strata[a.stratum as usize].as_bytes());
            out.push(b'\t');
            out.extend_from_slice(a.id.as_bytes());
            out.push(b'\n');
        }
        out
    }

    /// Accounts per stratum, in the byte order of [`Roster::strata`].
    pub fn counts(&self) -> Vec<u64> {
        let mut counts = vec![0u64; self.strata.len()];
        for a in &self.accounts {
            counts[a.stratum as usize] += 1;
        }
        counts
    }

    /// The source's records in canonical order, as CSV with the source's own
    /// header: kept beside the roster for the sample list, outside the commitment.
    pub fn columns_csv(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 2);
        let mut push = |range: &Range<usize>| {
            out.extend_from_slice(text[range.clone()].trim_matches(['\r', '\n']).as_bytes());
            out.push(b'\n');
        };
        push(&self.raw_header);
        for a in &self.accounts {
            push(&a.raw);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Roster {
        parse(text, "r.csv", &RosterOptions::default()).unwrap()
    }

    fn parse_err(text: &str) -> String {
        parse(text, "r.csv", &RosterOptions::default())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn canonical_form_sorts_by_bytes_of_stratum_then_id() {
        let r =
            parse_ok("id,region,name\nB2,省直厅局,x\nA10,合肥市,y\nA9,合肥市,z\nB1,省直厅局,w\n");
        // 合 is E5 90 88, 省 is E7 9C 81: 合肥市 sorts first; "A10" < "A9" bytewise.
        assert_eq!(
            String::from_utf8(r.canonical_tsv()).unwrap(),
            "合肥市\tA10\n合肥市\tA9\n省直厅局\tB1\n省直厅局\tB2\n"
        );
        assert_eq!(r.first_seen, vec!["省直厅局", "合肥市"]);
        assert_eq!(r.counts(), vec![2, 2]);
    }

    #[test]
    fn columns_csv_keeps_other_columns_in_canonical_order() {
        let text = "id,region,name\r\nB2,S,\"x, y\"\r\nA1,H,z";
        let r = parse_ok(text);
        assert_eq!(
            String::from_utf8(r.columns_csv(text)).unwrap(),
            "id,region,name\nA1,H,z\nB2,S,\"x, y\"\n"
        );
    }

    #[test]
    fn chinese_headers_are_recognised() {
        let r = parse_ok("序号,账号ID,省直厅局/各市\n1,X1,合肥市\n");
        assert_eq!(
            (r.id_column.as_str(), r.stratum_column.as_str()),
            ("账号ID", "省直厅局/各市")
        );
    }

    #[test]
    fn refusals_name_the_line() {
        assert!(parse_err("").contains("empty"));
        assert!(parse_err("id,region\n").contains("no accounts"));
        assert!(parse_err("id,name\nA,b\n").contains("no stratum (region) column"));
        assert!(parse_err("id,账号,region\nA,B,C\n").contains("ambiguous"));
        assert!(parse_err("id,region\nA,H\n,H\n").contains("line 3: field \"id\" is empty"));
        assert!(
            parse_err("id,region\nA,H\nB,\u{3000}\n").contains("line 3: field \"region\" is empty")
        );
        assert!(
            parse_err("id,region\n\"A\tB\",H\n").contains("line 2: field \"id\" contains a tab")
        );
        assert!(
            parse_err("id,region\n\"A\nB\",H\n")
                .contains("line 2: field \"id\" contains a line break")
        );
        let dup = parse_err("id,region\nA,H\nB,H\nA ,S\nB,S\n");
        assert!(
            dup.contains("line 4: duplicate \"id\" \"A\", already on line 2"),
            "{dup}"
        );
        assert!(parse_err("id,region,x\nA\n").contains("line 2: has 1 fields"));
    }
}

/// roster.tsv read back: strata in byte order, each with its ids in byte order.
#[derive(Debug)]
pub struct CanonicalRoster<'a> {
    pub strata: Vec<(&'a str, Vec<&'a str>)>,
}

impl CanonicalRoster<'_> {
    pub fn accounts(&self) -> u64 {
        self.strata.iter().map(|(_, ids)| ids.len() as u64).sum()
    }
}

/// Reads roster.tsv and checks that it is in canonical form: UTF-8, every
/// line `STRATUM<TAB>ID<LF>` with both fields normalised and non-empty, and
/// strictly ascending by (stratum, id) bytes. `file` names it in errors.
pub fn parse_canonical<'a>(bytes: &'a [u8], file: &str) -> Result<CanonicalRoster<'a>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::input(format!(
            "{file}: line {}: not valid UTF-8",
            bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1
        ))
    })?;
    if !text.is_empty() && !text.ends_with('\n') {
        return Err(Error::input(format!(
            "{file}: the last line has no line feed"
        )));
    }
    let mut strata: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut prev: Option<(&str, &str)> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let bad =
            |what: &str| Error::input(format!("{file}: line {n}: {what}; expected STRATUM<TAB>ID"));
        let (st, id) = line.split_once('\t').ok_or_else(|| bad("no tab"))?;
        for (v, name) in [(st, "stratum"), (id, "id")] {
            if v.is_empty() || normalize_field(v) != v || v.chars().any(|c| c.is_control()) {
                return Err(bad(&format!(
                    "the {name} {v:?} is empty, not normalised, or holds a control character"
                )));
            }
        }
        if let Some(p) = prev
            && (p.0.as_bytes(), p.1.as_bytes()) >= (st.as_bytes(), id.as_bytes())
        {
            return Err(bad(
                "not in canonical order (strictly ascending by stratum, then id, as UTF-8 bytes)",
            ));
        }
        prev = Some((st, id));
        match strata.last_mut() {
            Some((name, ids)) if *name == st => ids.push(id),
            _ => strata.push((st, vec![id])),
        }
    }
    if strata.is_empty() {
        return Err(Error::input(format!("{file}: holds no accounts")));
    }
    Ok(CanonicalRoster { strata })
}
