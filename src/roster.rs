//! The roster: every registered account with its stratum, parsed from the
//! office's CSV and brought into the canonical form that is committed to.
//!
//! Pure: takes decoded text, returns a [`Roster`] or an error naming the file,
//! line and field. The canonical form is `STRATUM<TAB>ID<LF>` per account,
//! sorted by the UTF-8 bytes of the stratum, then of the id (SPEC.md §2).

use std::collections::HashMap;
use std::ops::Range;

use crate::error::{Error, Result};
use crate::t;
use crate::text::{LineCounter, Origin, header_is, normalize_field};

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

/// One account, in the order of the source file. Compact (24 bytes): a roster
/// of a million accounts must fit comfortably in memory.
#[derive(Debug, Clone, Copy)]
pub struct Account {
    /// Index into [`Roster::strata`] (byte order).
    pub stratum: u32,
    /// Line of the record in the source file (1-based).
    pub line: u32,
    /// The record's bytes in the source text: kept for the sample list's other columns.
    pub raw_start: u32,
    pub raw_end: u32,
    /// The normalised id, in [`Roster::ids`].
    id_start: u32,
    id_len: u32,
}

#[derive(Debug, Clone)]
pub struct Roster {
    /// Stratum names sorted by their UTF-8 bytes.
    pub strata: Vec<String>,
    /// Stratum names in the order they first appear in the source.
    pub first_seen: Vec<String>,
    /// Accounts in the order of the source file.
    pub accounts: Vec<Account>,
    /// Indices into `accounts` in canonical order: by stratum bytes, then id bytes.
    pub canonical: Vec<u32>,
    /// All normalised ids, one after another.
    ids: String,
    /// The header record's bytes in the source text.
    pub raw_header: Range<usize>,
    /// The header names, normalised.
    pub header: Vec<String>,
    pub id_column: String,
    pub stratum_column: String,
}

/// Finds a column: the one the user named, or the single recognised default.
/// `at` names the header line.
fn find_column(
    header: &[String],
    explicit: Option<&str>,
    defaults: &[&str],
    what: &str,
    flag: &str,
    at: &str,
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
            [] => Err(Error::input(t!(
                "roster.no-such-column",
                at,
                want,
                what,
                flag,
                header = shown()
            ))),
            _ => Err(Error::input(t!("roster.column-twice", at, want))),
        };
    }
    let hits: Vec<usize> = (0..header.len())
        .filter(|&i| header_is(&header[i], defaults))
        .collect();
    match hits.as_slice() {
        [i] => Ok(*i),
        [] => Err(Error::input(t!(
            "roster.no-column",
            at,
            what,
            defaults = defaults.join(" / "),
            flag,
            header = shown()
        ))),
        many => Err(Error::input(t!(
            "roster.ambiguous-column",
            at,
            what,
            columns = many
                .iter()
                .map(|&i| format!("{:?}", header[i]))
                .collect::<Vec<_>>()
                .join(", "),
            flag
        ))),
    }
}

/// Checks one normalised field of one record.
fn check_field<'a>(value: &'a str, origin: &Origin, line: u64, column: &str) -> Result<&'a str> {
    if value.is_empty() {
        let at = origin.at(line, Some(column));
        return Err(Error::input(t!("roster.field-empty", at, column)));
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        let at = origin.at(line, Some(column));
        let what = match c {
            '\t' => t!("roster.a-tab"),
            '\n' | '\r' => t!("roster.a-line-break"),
            other => t!(
                "roster.control-character",
                code = format!("U+{:04X}", other as u32)
            ),
        };
        return Err(Error::input(t!("roster.field-control", at, column, what)));
    }
    Ok(value)
}

/// The first 16 bytes of an id, zero-padded, as a big-endian integer: ids
/// hold no NUL, so comparing these keys agrees with comparing the bytes
/// whenever they differ, and the sort rarely needs to look further.
fn prefix_key(id: &[u8]) -> u128 {
    let mut k = [0u8; 16];
    let n = id.len().min(16);
    k[..n].copy_from_slice(&id[..n]);
    u128::from_be_bytes(k)
}

/// Parses and canonicalises a roster. `text` is the decoded file, `origin`
/// where it came from, for messages.
pub fn parse(text: &str, origin: &Origin, opts: &RosterOptions) -> Result<Roster> {
    let file = &origin.file;
    if text.len() >= u32::MAX as usize {
        return Err(Error::input(t!("roster.too-large", file)));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::ByteRecord::new();
    let mut lines = LineCounter::new(text.as_bytes());
    let csv_err = |e: csv::Error, lines: &mut LineCounter| {
        let line = e.position().map_or(0, |p| lines.line_at(p.byte() as usize));
        Error::input(t!("text.not-csv", at = origin.at(line, None), error = e))
    };

    if !reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_err(e, &mut lines))?
    {
        return Err(Error::input(t!("roster.empty", file)));
    }
    let header_start = record.position().map(|p| p.byte() as usize).unwrap_or(0);
    let at = origin.at(lines.line_at(header_start), None);
    let header: Vec<String> = record
        .iter()
        .map(|f| normalize_field(std::str::from_utf8(f).unwrap_or("")).into_owned())
        .collect();
    let id_col = find_column(
        &header,
        opts.id_column.as_deref(),
        ID_HEADERS,
        &t!("roster.what-id"),
        "--id-column",
        &at,
    )?;
    let st_col = find_column(
        &header,
        opts.stratum_column.as_deref(),
        STRATUM_HEADERS,
        &t!("roster.what-stratum"),
        "--stratum-column",
        &at,
    )?;
    if id_col == st_col {
        return Err(Error::input(t!(
            "roster.same-column",
            at,
            column = header[id_col]
        )));
    }
    let id_name = header[id_col].clone();
    let st_name = header[st_col].clone();

    // The body is parsed in two halves on both cores when it can be cut at a
    // record boundary: after a line feed preceded by an even number of quotes.
    let body_start = (reader.position().byte() as usize).min(text.len());
    drop(reader);
    let cols = Columns {
        id: id_col,
        stratum: st_col,
        id_name: &id_name,
        stratum_name: &st_name,
    };
    let split = split_point(text, body_start);
    let Chunk {
        mut accounts,
        first_seen,
        ids,
        mut starts,
    } = match split {
        Some(mid) => {
            let (first, second) = std::thread::scope(|s| {
                let second = s.spawn(|| parse_chunk(text, mid, text.len(), &cols, origin));
                (
                    parse_chunk(text, body_start, mid, &cols, origin),
                    second.join().expect("the parser does not panic"),
                )
            });
            first?.merge(second?)
        }
        None => parse_chunk(text, body_start, text.len(), &cols, origin)?,
    };
    if accounts.is_empty() {
        return Err(Error::input(t!("roster.no-accounts", file)));
    }
    // Each record runs to the start of the next (or the end of the text).
    starts.push(text.len() as u32);
    for (i, a) in accounts.iter_mut().enumerate() {
        (a.raw_start, a.raw_end) = (starts[i], starts[i + 1]);
    }
    drop(starts);

    // One sort by id finds duplicates; a stable counting sort by stratum then
    // gives the canonical order (stratum bytes, then id bytes) with no second sort.
    let id_of =
        |a: &Account| &ids.as_bytes()[a.id_start as usize..(a.id_start + a.id_len) as usize];
    let mut keys: Vec<(u128, u32)> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| (prefix_key(id_of(a)), i as u32))
        .collect();
    keys.sort_unstable_by(|x, y| {
        x.0.cmp(&y.0).then_with(|| {
            let (a, b) = (&accounts[x.1 as usize], &accounts[y.1 as usize]);
            id_of(a).cmp(id_of(b)).then(a.line.cmp(&b.line))
        })
    });
    let by_id: Vec<u32> = keys.into_iter().map(|(_, i)| i).collect();
    reject_duplicate_ids(&accounts, &by_id, |a| id_of(a), origin, &id_name)?;

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
    let mut bucket_start = vec![0usize; order.len() + 1];
    for a in &mut accounts {
        a.stratum = rank[a.stratum as usize];
        bucket_start[a.stratum as usize + 1] += 1;
    }
    for i in 1..bucket_start.len() {
        bucket_start[i] += bucket_start[i - 1];
    }
    let mut canonical = vec![0u32; accounts.len()];
    for &i in &by_id {
        let s = accounts[i as usize].stratum as usize;
        canonical[bucket_start[s]] = i;
        bucket_start[s] += 1;
    }
    let strata = order
        .iter()
        .map(|&i| first_seen[i as usize].clone())
        .collect();
    let raw_header = header_start..accounts[0].raw_start as usize;

    Ok(Roster {
        strata,
        first_seen,
        accounts,
        canonical,
        ids,
        raw_header,
        header,
        id_column: id_name,
        stratum_column: st_name,
    })
}

/// Where the id and stratum are in each record.
struct Columns<'a> {
    id: usize,
    stratum: usize,
    id_name: &'a str,
    stratum_name: &'a str,
}

/// The accounts of one stretch of the file, strata numbered in order of first appearance.
struct Chunk {
    accounts: Vec<Account>,
    first_seen: Vec<String>,
    ids: String,
    /// Absolute byte offset where each account's record starts.
    starts: Vec<u32>,
}

impl Chunk {
    /// Appends the chunk that follows this one in the file.
    fn merge(mut self, next: Chunk) -> Chunk {
        let mut index: HashMap<&str, u32> = self
            .first_seen
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i as u32))
            .collect();
        let mut added = Vec::new();
        let map: Vec<u32> = next
            .first_seen
            .iter()
            .map(|s| {
                *index.entry(s.as_str()).or_insert_with(|| {
                    added.push(s.clone());
                    (self.first_seen.len() + added.len() - 1) as u32
                })
            })
            .collect();
        self.first_seen.extend(added);
        let shift = self.ids.len() as u32;
        self.ids.push_str(&next.ids);
        self.accounts.extend(next.accounts.into_iter().map(|mut a| {
            a.stratum = map[a.stratum as usize];
            a.id_start += shift;
            a
        }));
        self.starts.extend(next.starts);
        self
    }
}

/// A record boundary near the middle of the body, if there is one.
fn split_point(text: &str, body_start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.len() - body_start < 1 << 20 {
        return None; // not worth a thread
    }
    let mut pos = body_start + (bytes.len() - body_start) / 2;
    let mut quotes = memchr::memchr_iter(b'"', &bytes[..pos]).count();
    for _ in 0..64 {
        let nl = pos + memchr::memchr(b'\n', &bytes[pos..])?;
        quotes += memchr::memchr_iter(b'"', &bytes[pos..nl]).count();
        pos = nl + 1;
        if quotes.is_multiple_of(2) {
            return (pos < bytes.len()).then_some(pos);
        }
    }
    None
}

/// Parses the records in `text[from..to]`, which starts at a record boundary.
fn parse_chunk(
    text: &str,
    from: usize,
    to: usize,
    cols: &Columns<'_>,
    origin: &Origin,
) -> Result<Chunk> {
    let body = &text.as_bytes()[from..to];
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut record = csv::ByteRecord::new();
    // Line numbers count from the file's start.
    let base = memchr::memchr_iter(b'\n', &text.as_bytes()[..from]).count() as u64;
    let mut lines = LineCounter::new(body);
    let mut chunk = Chunk {
        accounts: Vec::new(),
        first_seen: Vec::new(),
        ids: String::new(),
        starts: Vec::new(),
    };
    let mut strata_index: HashMap<String, u32> = HashMap::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = base + e.position().map_or(0, |p| lines.line_at(p.byte() as usize));
                return Err(Error::input(t!(
                    "text.not-csv",
                    at = origin.at(line, None),
                    error = e
                )));
            }
        }
        let start = record
            .position()
            .expect("csv records carry a position")
            .byte() as usize;
        let line = base + lines.line_at(start);
        let field = |i: usize, name: &str| -> Result<&str> {
            let bytes = record.get(i).ok_or_else(|| {
                Error::input(t!(
                    "roster.short-row",
                    at = origin.at(line, None),
                    fields = record.len(),
                    column = name,
                    index = i + 1
                ))
            })?;
            // The text is valid UTF-8 and the csv crate only removes ASCII quotes.
            Ok(std::str::from_utf8(bytes).unwrap_or(""))
        };
        let st = normalize_field(field(cols.stratum, cols.stratum_name)?);
        let id = normalize_field(field(cols.id, cols.id_name)?);
        check_field(&st, origin, line, cols.stratum_name)?;
        check_field(&id, origin, line, cols.id_name)?;
        let stratum = match strata_index.get(st.as_ref()) {
            Some(&i) => i,
            None => {
                let i = chunk.first_seen.len() as u32;
                strata_index.insert(st.to_string(), i);
                chunk.first_seen.push(st.to_string());
                i
            }
        };
        chunk.starts.push((from + start) as u32);
        chunk.accounts.push(Account {
            stratum,
            line: line as u32,
            raw_start: 0,
            raw_end: 0,
            id_start: chunk.ids.len() as u32,
            id_len: id.len() as u32,
        });
        chunk.ids.push_str(&id);
    }
    Ok(chunk)
}

/// Ids are unique across the whole roster, not only within a stratum. Given
/// the accounts sorted by (id, line), reports the duplicate whose second
/// occurrence comes first in the file.
fn reject_duplicate_ids<'a>(
    accounts: &[Account],
    by_id: &[u32],
    id_of: impl Fn(&Account) -> &'a [u8],
    origin: &Origin,
    id_name: &str,
) -> Result<()> {
    let mut worst: Option<(u32, u32, &[u8])> = None;
    for w in by_id.windows(2) {
        let (a, b) = (&accounts[w[0] as usize], &accounts[w[1] as usize]);
        if id_of(a) == id_of(b)
            && worst.is_none_or(|(_, second, id)| id != id_of(a) && b.line < second)
        {
            // The first pair of a group holds its two earliest lines.
            worst = Some((a.line, b.line, id_of(a)));
        }
    }
    match worst {
        None => Ok(()),
        Some((first, second, id)) => Err(Error::input(t!(
            "roster.duplicate-id",
            at = origin.at(second.into(), Some(id_name)),
            column = id_name,
            id = String::from_utf8_lossy(id),
            first = origin.on(first.into(), Some(id_name))
        ))),
    }
}

impl Roster {
    pub fn id(&self, a: &Account) -> &str {
        &self.ids[a.id_start as usize..(a.id_start + a.id_len) as usize]
    }

    /// The accounts in canonical order.
    pub fn iter_canonical(&self) -> impl Iterator<Item = &Account> {
        self.canonical.iter().map(|&i| &self.accounts[i as usize])
    }

    /// Writes the committed bytes: `STRATUM<TAB>ID<LF>` per account in canonical order.
    pub fn write_tsv(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        for a in self.iter_canonical() {
            w.write_all(self.strata[a.stratum as usize].as_bytes())?;
            w.write_all(b"\t")?;
            w.write_all(self.id(a).as_bytes())?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }

    pub fn canonical_tsv(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_tsv(&mut out).expect("in memory");
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

    /// Writes the source's records in canonical order, as CSV with the
    /// source's own header, one record per line: kept beside the roster for
    /// the sample list, outside the commitment.
    pub fn write_columns(&self, text: &str, w: &mut impl std::io::Write) -> std::io::Result<()> {
        let mut put = |range: Range<usize>| {
            w.write_all(text[range].trim_matches(['\r', '\n']).as_bytes())?;
            w.write_all(b"\n")
        };
        put(self.raw_header.clone())?;
        for a in self.iter_canonical() {
            put(a.raw_start as usize..a.raw_end as usize)?;
        }
        Ok(())
    }

    pub fn columns_csv(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_columns(text, &mut out).expect("in memory");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Roster {
        parse(text, &Origin::file("r.csv"), &RosterOptions::default()).unwrap()
    }

    fn parse_err(text: &str) -> String {
        parse(text, &Origin::file("r.csv"), &RosterOptions::default())
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

    /// The duplicate refusal in Chinese names both lines (and in a
    /// workbook both cells).
    #[test]
    fn the_duplicate_refusal_reads_in_chinese() {
        use crate::i18n::Lang;
        let render = |origin: &Origin, lang: Lang| {
            crate::tl!(
                lang,
                "roster.duplicate-id",
                at = origin.at_in(lang, 4, Some("id")),
                column = "id",
                id = "A1",
                first = origin.on_in(lang, 2, Some("id"))
            )
        };
        let zh = render(&Origin::file("r.csv"), Lang::Zh);
        assert!(
            zh.contains("重复") && zh.contains("第 4 行") && zh.contains("第 2 行"),
            "{zh}"
        );
        let en = render(&Origin::file("r.csv"), Lang::En);
        assert!(
            en.starts_with("r.csv: line 4: duplicate \"id\" \"A1\", already on line 2"),
            "{en}"
        );
        let book = Origin::sheet("名册.xlsx", "名单", vec!["地区".into(), "id".into()]);
        let zh = render(&book, Lang::Zh);
        assert!(
            zh.starts_with("名册.xlsx：名单!B4：") && zh.contains("重复，已在名单!B2出现"),
            "{zh}"
        );
    }

    /// A file large enough to be parsed in two halves gives what one pass gives.
    #[test]
    fn a_large_roster_parsed_on_two_cores_matches_the_plain_sort() {
        let strata = ["省直厅局", "合肥市", "亳州市"];
        let mut text = String::from("id,region,name\r\n");
        let mut pairs = Vec::new();
        for i in 0..40_000u32 {
            let id = format!("ID{:07}", (i * 7919) % 40_000);
            let st = strata[(i % 3) as usize];
            // Quoted line breaks in another column, some near the middle.
            let name = if i % 1000 == 0 {
                format!("\"a\r\nb {i}\"")
            } else {
                format!("n{i}")
            };
            text.push_str(&format!("{id},{st},{name}\r\n"));
            pairs.push((st.to_string(), id));
        }
        assert!(text.len() > 1 << 20 && split_point(&text, 16).is_some());
        let r = parse_ok(&text);
        pairs.sort_by(|a, b| {
            (a.0.as_bytes(), a.1.as_bytes()).cmp(&(b.0.as_bytes(), b.1.as_bytes()))
        });
        let want: String = pairs.iter().map(|(s, i)| format!("{s}\t{i}\n")).collect();
        assert_eq!(String::from_utf8(r.canonical_tsv()).unwrap(), want);
        assert_eq!(r.first_seen, strata);
        // A duplicate across the halves names both lines.
        let dup = format!("{text}ID0000001,合肥市,x\r\n");
        let e = parse_err(&dup);
        let first = text
            .lines()
            .position(|l| l.starts_with("ID0000001,"))
            .unwrap()
            + 1;
        assert!(e.contains(&format!("already on line {first}")), "{e}");
    }

    #[test]
    fn line_numbers_count_crlf_and_blank_lines() {
        // Excel on Windows writes CRLF; blank lines are skipped by the parser
        // but still count for the person reading the message.
        let e = parse_err("id,region\r\nA,H\r\n\r\nB,H\r\nA,S\r\n");
        assert!(
            e.contains("line 5: duplicate \"id\" \"A\", already on line 2"),
            "{e}"
        );
        let e = parse_err("id,region,name\nA,H,\"x\ny\"\nB,,z\n");
        assert!(e.contains("line 4: field \"region\" is empty"), "{e}");
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
    let origin = Origin::file(file);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        Error::input(t!("roster.tsv-not-utf8", at = origin.at(line as u64, None)))
    })?;
    if !text.is_empty() && !text.ends_with('\n') {
        return Err(Error::input(t!("roster.tsv-no-line-feed", file)));
    }
    let mut strata: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut prev: Option<(&str, &str)> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i as u64 + 1;
        let bad = |problem: String| {
            Error::input(t!("roster.tsv-bad-line", at = origin.at(n, None), problem))
        };
        let (st, id) = line
            .split_once('\t')
            .ok_or_else(|| bad(t!("roster.tsv-no-tab")))?;
        for (value, is_id) in [(st, false), (id, true)] {
            if value.is_empty()
                || normalize_field(value) != value
                || value.chars().any(|c| c.is_control())
            {
                return Err(bad(if is_id {
                    t!("roster.tsv-bad-id", value)
                } else {
                    t!("roster.tsv-bad-stratum", value)
                }));
            }
        }
        if let Some(p) = prev
            && (p.0.as_bytes(), p.1.as_bytes()) >= (st.as_bytes(), id.as_bytes())
        {
            return Err(bad(t!("roster.tsv-order")));
        }
        prev = Some((st, id));
        match strata.last_mut() {
            Some((name, ids)) if *name == st => ids.push(id),
            _ => strata.push((st, vec![id])),
        }
    }
    if strata.is_empty() {
        return Err(Error::input(t!("roster.tsv-empty", file)));
    }
    Ok(CanonicalRoster { strata })
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn spell(s: &str, pad: u8) -> String {
        // The same name as people type it: padded with spaces or U+3000,
        // and with é decomposed (NFD) half the time.
        let s = if pad.is_multiple_of(2) {
            s.replace('\u{e9}', "e\u{301}")
        } else {
            s.to_string()
        };
        match pad % 3 {
            0 => s,
            1 => format!(" {s}\u{3000}"),
            _ => format!("\u{3000}{s} "),
        }
    }

    proptest! {
        /// Any order of rows, any padding and either Unicode spelling give
        /// the same canonical bytes: sorted pairs of normalised names.
        #[test]
        fn canonical_form_ignores_row_order_and_spelling(
            rows in proptest::collection::vec((0usize..4, 0u32..5000), 1..60),
            pads in proptest::collection::vec(any::<u8>(), 60),
            rotate in 0usize..60,
        ) {
            let strata = ["合肥市", "省直厅局", "caf\u{e9}", "Z"];
            let mut seen = std::collections::HashSet::new();
            let rows: Vec<(usize, String)> = rows.into_iter()
                .filter(|(_, n)| seen.insert(*n))
                .map(|(s, n)| (s, format!("id-{n}-\u{e9}")))
                .collect();
            let mut want: Vec<(String, String)> = rows.iter()
                .map(|(s, id)| (strata[*s].to_string(), id.clone()))
                .collect();
            want.sort_by(|a, b| (a.0.as_bytes(), a.1.as_bytes()).cmp(&(b.0.as_bytes(), b.1.as_bytes())));
            let want: String = want.iter().map(|(s, i)| format!("{s}\t{i}\n")).collect();

            let mut shuffled = rows.clone();
            let n = shuffled.len();
            shuffled.rotate_left(rotate % n);
            let mut text = String::from("region,id,name\n");
            for (k, (s, id)) in shuffled.iter().enumerate() {
                text.push_str(&format!("\"{}\",\"{}\",n{k}\n", spell(strata[*s], pads[k % 60]), spell(id, pads[(k + 7) % 60])));
            }
            let r = parse(&text, &Origin::file("p.csv"), &RosterOptions::default()).unwrap();
            prop_assert_eq!(String::from_utf8(r.canonical_tsv()).unwrap(), want);
        }
    }
}
