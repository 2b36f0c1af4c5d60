//! The roster: every registered account with its stratum, parsed from the
//! office's CSV and brought into the canonical form that is committed to.
//!
//! Pure: takes decoded text, returns a [`Roster`] or an error naming the file,
//! line and field. The canonical form is `STRATUM<TAB>ID<LF>` per account,
//! sorted by the UTF-8 bytes of the stratum, then of the id (SPEC.md §2).

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::input::text::{Origin, normalize_field, quote_left_open};
use crate::t;
use rustc_hash::FxHashMap;

use crate::input::columns::{ID, Kind, STRATUM};
use crate::input::table::{MAX_CELL_CHARS, MAX_HEADER_COLUMNS, MAX_ROWS, cell_too_long};

#[derive(Debug, Default, Clone)]
pub struct RosterOptions {
    pub id_column: Option<String>,
    pub stratum_column: Option<String>,
    /// Strata that are probably one (`roster::strata`) are refused, not only said.
    pub strict_strata: bool,
}

/// One account. 32 bytes that carry the account's sort key: the first 16
/// bytes of its id, which for most ids is the whole id, so that sorting,
/// finding duplicates and writing roster.tsv read a million accounts in
/// order instead of chasing each id through memory.
#[derive(Debug, Clone, Copy)]
struct Account {
    /// The id's first 16 bytes, zero-padded.
    prefix: [u8; 16],
    /// Index into [`Roster::strata`] (byte order).
    stratum: u32,
    /// Where the record starts in the source text (which `roster` keeps as
    /// roster-columns.csv); its line is counted from this when a message needs it.
    start: u32,
    /// An id longer than 16 bytes is kept whole in the parse's arena of long ids.
    id_start: u32,
    id_len: u32,
}

impl Account {
    /// The id is all in `prefix`.
    fn short(&self) -> bool {
        self.id_len <= 16
    }

    /// The prefix as a big-endian integer: ids hold no NUL, so comparing
    /// these agrees with comparing the ids' bytes whenever they differ.
    fn key(&self) -> u128 {
        u128::from_be_bytes(self.prefix)
    }

    /// The id's bytes: from the prefix, or from `long_ids` for a long id.
    fn id<'a>(&'a self, long_ids: &'a str) -> &'a [u8] {
        if self.short() {
            &self.prefix[..self.id_len as usize]
        } else {
            &long_ids.as_bytes()[self.id_start as usize..(self.id_start + self.id_len) as usize]
        }
    }
}

/// The order of the id sort: id bytes, then place in the file (so that of
/// two accounts with one id the earlier comes first).
fn by_id(a: &Account, b: &Account, long_ids: &str) -> std::cmp::Ordering {
    a.key().cmp(&b.key()).then_with(|| {
        let ids = if a.short() && b.short() {
            std::cmp::Ordering::Equal // equal prefixes of short ids: equal ids
        } else {
            a.id(long_ids).cmp(b.id(long_ids))
        };
        ids.then(a.start.cmp(&b.start))
    })
}

#[derive(Debug, Clone)]
pub struct Roster {
    /// Stratum names sorted by their UTF-8 bytes.
    pub strata: Vec<String>,
    /// Stratum names in the order they first appear in the source.
    pub first_seen: Vec<String>,
    /// Accounts per stratum, in the byte order of [`Roster::strata`].
    pub counts: Vec<u64>,
    /// The committed bytes, `roster.tsv`: a line per account, in canonical
    /// order (stratum bytes, then id bytes).
    pub tsv: Vec<u8>,
    /// `roster-columns.idx`: for each line of roster.tsv, where its record
    /// starts in roster-columns.csv, as a 4-byte little-endian integer.
    pub columns_index: Vec<u8>,
    /// The header names, normalised.
    pub header: Vec<String>,
    pub id_column: String,
    pub stratum_column: String,
    /// Rows with every field empty, skipped (not accounts).
    pub empty_rows: u64,
}

/// Finds a column: the one the user named, or the single recognised default.
/// `at` names the header line.
fn find_column(
    header: &[String],
    explicit: Option<&str>,
    kind: &Kind,
    what: &str,
    flag: &str,
    at: &str,
) -> Result<usize> {
    // At most 30 columns of at most 40 characters each: a header is echoed
    // to help, not to flood the terminal.
    let shown = || {
        let mut s = header
            .iter()
            .take(30)
            .map(|h| format!("{:?}", crate::input::text::clipped(h, 40)))
            .collect::<Vec<_>>()
            .join(", ");
        if header.len() > 30 {
            s.push_str(&format!(", … (+{})", header.len() - 30));
        }
        s
    };
    if let Some(want) = explicit {
        let want = normalize_field(want);
        let mut hits: Vec<usize> = (0..header.len()).filter(|&i| header[i] == want).collect();
        if hits.is_empty() {
            // Spelled as Excel wrapped it, or in full-width letters.
            let key = crate::input::header::header_key(&want);
            hits = (0..header.len())
                .filter(|&i| crate::input::header::header_key(&header[i]) == key)
                .collect();
        }
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
    let hits = kind.find(header);
    match hits.as_slice() {
        [i] => Ok(*i),
        [] => Err(Error::input(t!(
            "roster.no-column",
            at,
            what,
            defaults = kind.all().join(" / "),
            flag,
            header = shown()
        ))),
        many => Err(Error::input(t!(
            "roster.ambiguous-column",
            at,
            what,
            columns = many
                .iter()
                .map(|&i| format!("{:?}", crate::input::text::clipped(&header[i], 40)))
                .collect::<Vec<_>>()
                .join(", "),
            flag
        ))),
    }
}

/// Checks one normalised field of one record; `line` finds the record's
/// line for a message.
fn check_field<'a>(
    value: &'a str,
    origin: &Origin,
    line: impl Fn() -> u64,
    column: &str,
) -> Result<&'a str> {
    if value.is_empty() {
        let at = origin.at(line(), Some(column));
        return Err(Error::input(t!("roster.field-empty", at, column)));
    }
    // Printable ASCII (most ids) holds no control character: no need to
    // decode its characters to see that.
    if value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Ok(value);
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        let at = origin.at(line(), Some(column));
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

/// Refuses a record with a field longer than a cell may be (the fields
/// are looked at only when the whole record is that long).
fn check_limits(
    record: &CsvRecord,
    used: usize,
    origin: &Origin,
    line: impl Fn() -> u64,
) -> Result<()> {
    if used <= MAX_CELL_CHARS {
        return Ok(());
    }
    if (0..record.len()).any(|i| record.get(i).is_some_and(cell_too_long)) {
        return Err(Error::input(t!(
            "text.cell-too-long",
            at = origin.at(line(), None),
            limit = MAX_CELL_CHARS
        )));
    }
    Ok(())
}

/// The line of the record that starts at `start`: one more than the line
/// feeds before it (a bare CR ends a record but not a line).
fn line_at(text: &[u8], start: usize) -> u64 {
    1 + memchr::memchr_iter(b'\n', &text[..start]).count() as u64
}

/// The first 16 bytes of an id, zero-padded.
fn prefix_of(id: &[u8]) -> [u8; 16] {
    let mut k = [0u8; 16];
    let n = id.len().min(16);
    k[..n].copy_from_slice(&id[..n]);
    k
}

/// A UTF-8 byte order mark: csv_core drops one where a reset reader starts.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where the next record starts at or after `pos` (a record boundary of
/// `text[..end]`): past blank lines, `LF` or `CR LF`, which hold no record.
/// The offset recorded for an account (roster-columns.idx) and its line
/// (one more than the line feeds before it) are taken from here.
pub(crate) fn record_start(text: &[u8], mut pos: usize, end: usize) -> usize {
    loop {
        match &text[pos.min(end)..end] {
            [b'\n', ..] => pos += 1,
            [b'\r', b'\n', ..] => pos += 2,
            _ => return pos,
        }
    }
}

/// One CSV record at a time, read by csv_core's reader from the record's
/// first byte (RFC 4180 quoting; `LF`, `CR LF` or a bare `CR` ends a record;
/// blank lines are skipped), into buffers kept from record to record.
pub(crate) struct CsvRecord {
    core: csv_core::Reader,
    /// The record's fields, unquoted, one after another.
    out: Vec<u8>,
    /// Where each field ends in `out`.
    ends: Vec<usize>,
    fields: usize,
}

impl CsvRecord {
    pub(crate) fn new() -> CsvRecord {
        CsvRecord {
            core: csv_core::Reader::new(),
            out: vec![0; 4096],
            ends: vec![0; 64],
            fields: 0,
        }
    }

    /// Reads the record of `text[..end]` that starts at `start` (see
    /// [`record_start`]). Returns how many bytes it took, its line end
    /// included, and whether it ran into `end` without a line break (for a
    /// stretch cut from a larger text, a sign that the cut fell inside a
    /// quoted field); None when only line ends were left.
    pub(crate) fn read(&mut self, text: &[u8], start: usize, end: usize) -> Option<(usize, bool)> {
        let input = &text[start.min(end)..end];
        self.core.reset();
        // A reset reader drops a BOM at its start. Before a record (the
        // file's own BOM is gone with decoding) one is dropped only when the
        // record's first line holds a quote or a bare CR, and is text in any
        // other record: as roster read such files when it split plain lines
        // at their commas itself, so that the same files give the same bytes.
        if input.starts_with(BOM) && plain_line(input) {
            // Having read, the reader no longer looks for a BOM; a blank
            // line leaves it at the start of a record.
            self.core.read_record(b"\n", &mut self.out, &mut self.ends);
        }
        let (mut inp, mut outp, mut nends) = (0, 0, 0);
        loop {
            let at_end = inp == input.len();
            let (res, i, o, e) = self.core.read_record(
                &input[inp..],
                &mut self.out[outp..],
                &mut self.ends[nends..],
            );
            inp += i;
            outp += o;
            nends += e;
            match res {
                // More input, or (with none left) the end of the text, which
                // csv_core reads as the end of a last record without a line break.
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => {
                    self.out.resize(self.out.len() * 2, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    self.ends.resize(self.ends.len() * 2, 0);
                }
                csv_core::ReadRecordResult::Record => {
                    self.fields = nends;
                    return Some((inp, at_end));
                }
                csv_core::ReadRecordResult::End => {
                    self.fields = 0;
                    return None;
                }
            }
        }
    }

    /// The number of fields of the record read last.
    pub(crate) fn len(&self) -> usize {
        self.fields
    }

    /// Fields `first..=last` of the record read last as they stand in `raw`,
    /// the bytes it was read from, commas between them included, when `raw`
    /// holds no quote and begins with the record's first field (no BOM or
    /// blank line dropped before it): then no field was quoted or needs
    /// quoting when written out again. Else None.
    pub(crate) fn verbatim<'t>(
        &self,
        raw: &'t [u8],
        first: usize,
        last: usize,
    ) -> Option<&'t [u8]> {
        if first > last
            || last >= self.fields
            || raw.starts_with(BOM)
            || matches!(raw.first(), Some(b'\r' | b'\n'))
            || memchr::memchr(b'"', raw).is_some()
        {
            return None;
        }
        // Unquoted, each field is its bytes, and one comma follows it.
        let from = if first == 0 {
            0
        } else {
            self.ends[first - 1] + first
        };
        raw.get(from..self.ends[last] + last)
    }

    /// Field `i` of the record read last, unquoted.
    pub(crate) fn get(&self, i: usize) -> Option<&[u8]> {
        if i >= self.fields {
            return None;
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.out[start..self.ends[i]])
    }
}

/// Whether the first line of `input` (to its LF) holds no quote and no CR
/// but one just before its LF.
fn plain_line(input: &[u8]) -> bool {
    let line = match memchr::memchr(b'\n', input) {
        Some(nl) => input[..nl].strip_suffix(b"\r").unwrap_or(&input[..nl]),
        None => input,
    };
    memchr::memchr2(b'"', b'\r', line).is_none()
}

/// A record boundary near the middle of `bytes[from..]`, for reading the two
/// halves on both cores: the start of a line after an even number of quotes.
/// (A quote inside an unquoted field can mislead that count; a reader of the
/// first half then ends in a record that runs into the cut, and the file is
/// read in one piece.)
fn split_point(bytes: &[u8], from: usize) -> Option<usize> {
    if bytes.len() - from < 1 << 20 {
        return None; // not worth a thread
    }
    let mut pos = from + (bytes.len() - from) / 2;
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

/// Parses and canonicalises a roster. `text` is the decoded file, `origin`
/// where it came from, for messages.
pub fn parse(text: &[u8], origin: &Origin, opts: &RosterOptions) -> Result<Roster> {
    let file = &origin.file;
    if text.len() >= u32::MAX as usize {
        return Err(Error::input(t!("roster.too-large", file)));
    }
    // The header, read as the body is, so that both agree on where it ends.
    let mut record = CsvRecord::new();
    let header_start = record_start(text, 0, text.len());
    let Some((used, at_end)) = record.read(text, header_start, text.len()) else {
        return Err(Error::input(t!("roster.empty", file)));
    };
    if at_end && quote_left_open(&text[header_start..header_start + used]) {
        return Err(Error::input(t!(
            "roster.unclosed-quote",
            at = origin.at(line_at(text, header_start), None)
        )));
    }
    let at = origin.at(line_at(text, header_start), None);
    let header: Vec<String> = (0..record.len())
        .map(|i| {
            let field = record.get(i).unwrap_or(b"");
            normalize_field(std::str::from_utf8(field).unwrap_or("")).into_owned()
        })
        .collect();
    let body_start = header_start + used;
    let id_col = find_column(
        &header,
        opts.id_column.as_deref(),
        &ID,
        &t!("roster.what-id"),
        "--id-column",
        &at,
    )?;
    let st_col = find_column(
        &header,
        opts.stratum_column.as_deref(),
        &STRATUM,
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
    // After the columns: a header without them is said to be so first.
    check_limits(&record, used, origin, || line_at(text, header_start))?;
    if header.len() > MAX_HEADER_COLUMNS {
        return Err(Error::input(t!(
            "text.header-too-wide",
            at,
            columns = header.len(),
            limit = MAX_HEADER_COLUMNS
        )));
    }
    let id_name = header[id_col].clone();
    let st_name = header[st_col].clone();

    // The body is parsed in two halves on both cores when it can be cut at a
    // record boundary: after a line feed preceded by an even number of quotes.
    let cols = Columns {
        id: id_col,
        stratum: st_col,
        id_name: &id_name,
        stratum_name: &st_name,
    };
    let whole = || parse_chunk(text, body_start, text.len(), &cols, origin);
    let chunks = match split_point(text, body_start) {
        Some(mid) => {
            let (first, second) = crate::base::par::join(
                || parse_chunk(text, body_start, mid, &cols, origin),
                || parse_chunk(text, mid, text.len(), &cols, origin),
            );
            match (first, second) {
                (Ok((first, false)), Ok((second, _))) => vec![first, second],
                // A cut inside a quoted field, or a refusal: the file read in
                // one piece decides (errors are then those of a plain pass).
                _ => vec![whole()?.0],
            }
        }
        None => vec![whole()?.0],
    };
    let total: usize = chunks.iter().map(|c| c.accounts.len()).sum();
    let empty_rows = chunks.iter().map(|c| c.empty_rows).sum();
    if total as u64 + empty_rows > MAX_ROWS {
        return Err(Error::input(t!(
            "text.too-many-rows",
            file,
            limit = MAX_ROWS
        )));
    }
    let digits = chunks
        .iter()
        .fold(DigitIds::default(), |d, c| d.and(c.digits));
    if let Some((start, width)) = digits.lost_zeros() {
        let at = origin.at(line_at(text, start as usize), Some(&id_name));
        let mut record = CsvRecord::new();
        let id = record
            .read(text, start as usize, text.len())
            .and_then(|_| record.get(id_col))
            .map(|f| normalize_field(std::str::from_utf8(f).unwrap_or("")).into_owned())
            .unwrap_or_default();
        return Err(Error::input(t!(
            "roster.id-lost-zeros",
            at,
            id,
            digits = id.len(),
            width,
            how = t!("roster.ids-as-text")
        )));
    }
    if total == 0 {
        return Err(Error::input(t!("roster.no-accounts", file)));
    }

    // The strata in order of first appearance, then numbered by their bytes.
    let mut first_seen: Vec<String> = Vec::new();
    let mut local_to_seen: Vec<Vec<usize>> = Vec::new();
    for c in &chunks {
        local_to_seen.push(
            c.first_seen
                .iter()
                .map(|name| match first_seen.iter().position(|n| n == name) {
                    Some(i) => i,
                    None => {
                        first_seen.push(name.clone());
                        first_seen.len() - 1
                    }
                })
                .collect(),
        );
    }
    let mut order: Vec<usize> = (0..first_seen.len()).collect();
    order.sort_unstable_by(|&a, &b| first_seen[a].as_bytes().cmp(first_seen[b].as_bytes()));
    let mut rank = vec![0u32; order.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r as u32;
    }

    // Each chunk's strata renumbered, its long ids moved into one arena; and
    // how many accounts, and how many bytes of roster.tsv, each stratum has.
    let strata: Vec<String> = order.iter().map(|&i| first_seen[i].clone()).collect();
    // The length of an account's line in roster.tsv: stratum, tab, id, LF.
    let line_len = |a: &Account| strata[a.stratum as usize].len() + a.id_len as usize + 2;
    let mut ids = String::new();
    let mut counts = vec![0u64; order.len()];
    let mut line_bytes = vec![0usize; order.len()];
    let mut sorted: Vec<Vec<Account>> = Vec::with_capacity(chunks.len());
    for (c, map) in chunks.into_iter().zip(&local_to_seen) {
        let shift = ids.len() as u32;
        ids.push_str(&c.ids);
        let mut accounts = c.accounts;
        for a in &mut accounts {
            a.stratum = rank[map[a.stratum as usize]];
            a.id_start += shift;
            counts[a.stratum as usize] += 1;
            line_bytes[a.stratum as usize] += line_len(a);
        }
        sorted.push(accounts);
    }

    // One merge of the sorted chunks, in id order: duplicates are neighbours
    // there, and each account's line of roster.tsv and its entry of the
    // columns index are written straight into their stratum's place, so the
    // canonical order (stratum bytes, then id bytes) needs no second sort
    // and no list of accounts in it. A large merge is cut in two where its
    // first half ends, and each half merged on its own core into its own
    // part of each stratum's place.
    let (a, b) = match sorted.as_slice() {
        [one] => (one.as_slice(), &[][..]),
        [a, b] => (a.as_slice(), b.as_slice()),
        _ => unreachable!("one or two chunks"),
    };
    let mid = if total < 1 << 16 { 0 } else { total / 2 };
    let (i, j) = merge_cut(a, b, mid, &ids);
    // How many of each stratum, and how many of its bytes, the first half places.
    let mut in_first = vec![(0usize, 0usize); order.len()];
    for x in a[..i].iter().chain(&b[..j]) {
        let first = &mut in_first[x.stratum as usize];
        first.0 += 1;
        first.1 += line_len(x);
    }
    // Zeroed memory comes untouched from the allocator: the pages are first
    // touched by the core that merges into them.
    let mut tsv = vec![0u8; line_bytes.iter().sum()];
    let mut index = vec![0u8; 4 * total];
    let (mut first_slots, mut second_slots) = (Vec::new(), Vec::new());
    let (mut tsv_rest, mut index_rest) = (tsv.as_mut_slice(), index.as_mut_slice());
    for (s, &(n, bytes)) in in_first.iter().enumerate() {
        let (lines, after) = tsv_rest.split_at_mut(line_bytes[s]);
        let (entries, entries_after) = index_rest.split_at_mut(4 * counts[s] as usize);
        let (x, y) = lines.split_at_mut(bytes);
        let (p, q) = entries.split_at_mut(4 * n);
        first_slots.push(Slot::new(x, p));
        second_slots.push(Slot::new(y, q));
        (tsv_rest, index_rest) = (after, entries_after);
    }
    // The second half's first account follows the first half's last.
    let last_of_first = match (i.checked_sub(1), j.checked_sub(1)) {
        (Some(x), Some(y)) => Some(std::cmp::max_by(a[x], b[y], |p, q| by_id(p, q, &ids))),
        (Some(x), None) => Some(a[x]),
        (None, Some(y)) => Some(b[y]),
        (None, None) => None,
    };
    let names: Vec<&[u8]> = strata.iter().map(|s| s.as_bytes()).collect();
    let first_half = || merge_part(&a[..i], &b[..j], &ids, &names, None, &mut first_slots);
    let mut second_half = || {
        merge_part(
            &a[i..],
            &b[j..],
            &ids,
            &names,
            last_of_first,
            &mut second_slots,
        )
    };
    // A small roster is merged in one piece (the first half is empty) without a thread.
    let (first, second) = if mid == 0 {
        (Duplicates::default(), second_half())
    } else {
        crate::base::par::join(first_half, second_half)
    };
    let duplicates = first.earlier(second);
    drop(sorted);
    duplicates.refuse(text, &ids, origin, &id_name)?;

    Ok(Roster {
        strata,
        first_seen,
        counts,
        tsv,
        columns_index: index,
        header,
        id_column: id_name,
        stratum_column: st_name,
        empty_rows,
    })
}

/// Where a stratum's accounts go in one half of the merge: their lines of
/// roster.tsv, and their entries of the columns index, each filled from the start.
struct Slot<'a> {
    lines: &'a mut [u8],
    entries: &'a mut [u8],
    line_at: usize,
    entry_at: usize,
}

impl<'a> Slot<'a> {
    fn new(lines: &'a mut [u8], entries: &'a mut [u8]) -> Slot<'a> {
        Slot {
            lines,
            entries,
            line_at: 0,
            entry_at: 0,
        }
    }

    /// Writes the account's line (`stratum` TAB id LF) and index entry.
    fn put(&mut self, stratum: &[u8], id: &[u8], start: u32) {
        for part in [stratum, b"\t", id, b"\n"] {
            self.lines[self.line_at..self.line_at + part.len()].copy_from_slice(part);
            self.line_at += part.len();
        }
        self.entries[self.entry_at..self.entry_at + 4].copy_from_slice(&start.to_le_bytes());
        self.entry_at += 4;
    }
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
    /// Records whose fields are all empty, skipped.
    empty_rows: u64,
    digits: DigitIds,
}

/// What the ids of a column of digits say about leading zeros: a column
/// whose zero-led ids all have one width, and an id of digits shorter than
/// that, lost the id's zeros in Excel (0340000002 became 340000002).
#[derive(Debug, Clone, Copy)]
struct DigitIds {
    /// Every id so far is all ASCII digits.
    all_digits: bool,
    /// The shortest and longest ids that start with 0.
    zero_led: Option<(usize, usize)>,
    /// The shortest id not starting with 0: (length, record start).
    shortest: Option<(usize, u32)>,
}

impl Default for DigitIds {
    fn default() -> Self {
        DigitIds {
            all_digits: true,
            zero_led: None,
            shortest: None,
        }
    }
}

impl DigitIds {
    fn see(&mut self, id: &[u8], start: u32) {
        if !self.all_digits {
            return;
        }
        if !id.iter().all(u8::is_ascii_digit) {
            self.all_digits = false;
            return;
        }
        let n = id.len();
        if id[0] == b'0' {
            self.zero_led = Some(self.zero_led.map_or((n, n), |(a, b)| (a.min(n), b.max(n))));
        } else if self.shortest.is_none_or(|(m, s)| (n, start) < (m, s)) {
            self.shortest = Some((n, start));
        }
    }

    fn and(self, other: DigitIds) -> DigitIds {
        let mut out = self;
        out.all_digits &= other.all_digits;
        out.zero_led = match (self.zero_led, other.zero_led) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (x, y) => x.or(y),
        };
        out.shortest = match (self.shortest, other.shortest) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
        out
    }

    /// The record start of an id that lost its leading zeros, and the width
    /// of the column's zero-led ids.
    fn lost_zeros(&self) -> Option<(u32, usize)> {
        let (Some((lo, hi)), Some((n, start))) = (self.zero_led, self.shortest) else {
            return None;
        };
        (self.all_digits && lo == hi && n < lo).then_some((start, lo))
    }
}

/// An id as Excel writes a number it has rounded: in scientific notation
/// (5.00832E+11), or with the ".0" of a float (123.0).
fn lossy_id(id: &str) -> bool {
    let b = id.as_bytes();
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    if let Some(e) = b.iter().position(|&c| c == b'E' || c == b'e') {
        let (mantissa, exp) = (&b[..e], &b[e + 1..]);
        let mantissa_ok = match mantissa.iter().position(|&c| c == b'.') {
            Some(dot) => digits(&mantissa[..dot]) && digits(&mantissa[dot + 1..]),
            None => digits(mantissa),
        };
        let exp = exp.strip_prefix(b"+").or(exp.strip_prefix(b"-"));
        return mantissa_ok && exp.is_some_and(digits);
    }
    match b.iter().position(|&c| c == b'.') {
        Some(dot) => {
            digits(&b[..dot]) && !b[dot + 1..].is_empty() && b[dot + 1..].iter().all(|&c| c == b'0')
        }
        None => false,
    }
}

/// Parses the records in `text[from..to]`, which starts at a record boundary.
fn parse_chunk(
    text: &[u8],
    from: usize,
    to: usize,
    cols: &Columns<'_>,
    origin: &Origin,
) -> Result<(Chunk, bool)> {
    let mut record = CsvRecord::new();
    let mut pos = from;
    let mut unterminated = false;
    let mut chunk = Chunk {
        accounts: Vec::with_capacity((to - from) / 48),
        first_seen: Vec::new(),
        ids: String::new(),
        empty_rows: 0,
        digits: DigitIds::default(),
    };
    let mut strata_index: HashMap<String, u32> = HashMap::new();
    // A stratum is spelled the same way on most lines: its raw spelling
    // finds its number without normalising it again.
    let mut spelled: FxHashMap<Vec<u8>, u32> = FxHashMap::default();
    loop {
        let start = record_start(text, pos, to);
        let Some((used, at_end)) = record.read(text, start, to) else {
            break;
        };
        pos = start + used;
        unterminated |= at_end;
        // Counted only for a message: most records never need it.
        let line = || line_at(text, start);
        if at_end && to == text.len() && quote_left_open(&text[start..pos]) {
            return Err(Error::input(t!(
                "roster.unclosed-quote",
                at = origin.at(line(), None)
            )));
        }
        check_limits(&record, used, origin, line)?;
        // A row left empty inside the list (or one of commas, as a sheet's
        // empty row is written) is no account: skipped, and counted.
        // (A field starting with a printable ASCII byte is not blank: most
        // strata end the check at their first byte.)
        let blank = |f: &[u8]| match f.first() {
            None => true,
            Some(&b) if (0x21..0x7f).contains(&b) => false,
            Some(_) => std::str::from_utf8(f).is_ok_and(|s| s.trim().is_empty()),
        };
        if record.get(cols.stratum).is_none_or(blank)
            && (0..record.len()).all(|i| record.get(i).is_none_or(blank))
        {
            chunk.empty_rows += 1;
            continue;
        }
        let field = |i: usize, name: &str| -> Result<&[u8]> {
            record.get(i).ok_or_else(|| {
                Error::input(t!(
                    "roster.short-row",
                    at = origin.at(line(), None),
                    fields = record.len(),
                    column = name,
                    index = i + 1
                ))
            })
        };
        // The text is valid UTF-8 and fields end at ASCII commas and quotes.
        let as_str = |b: &[u8]| std::str::from_utf8(b).unwrap_or("").to_owned();
        let raw_st = field(cols.stratum, cols.stratum_name)?;
        let stratum = match spelled.get(raw_st) {
            Some(&i) => i,
            None => {
                let owned = as_str(raw_st);
                let st = normalize_field(&owned);
                check_field(&st, origin, line, cols.stratum_name)?;
                let i = match strata_index.get(st.as_ref()) {
                    Some(&i) => i,
                    None => {
                        let i = chunk.first_seen.len() as u32;
                        strata_index.insert(st.to_string(), i);
                        chunk.first_seen.push(st.to_string());
                        i
                    }
                };
                spelled.insert(raw_st.to_vec(), i);
                i
            }
        };
        let raw_id = field(cols.id, cols.id_name)?;
        let raw_id = std::str::from_utf8(raw_id).unwrap_or("");
        let id = normalize_field(raw_id);
        check_field(&id, origin, line, cols.id_name)?;
        chunk.digits.see(id.as_bytes(), start as u32);
        if id.bytes().any(|b| b == b'.' || b == b'+') && lossy_id(&id) {
            let at = origin.at(line(), Some(cols.id_name));
            return Err(Error::input(t!(
                "roster.id-lossy",
                at,
                id = id.as_ref(),
                how = t!("roster.ids-as-text")
            )));
        }
        chunk.accounts.push(Account {
            prefix: prefix_of(id.as_bytes()),
            stratum,
            start: start as u32,
            id_start: chunk.ids.len() as u32,
            id_len: id.len() as u32,
        });
        if id.len() > 16 {
            chunk.ids.push_str(&id);
        }
    }
    // Sorted by id here, on this chunk's core; `parse` merges the chunks.
    let ids = std::mem::take(&mut chunk.ids);
    chunk.accounts.sort_unstable_by(|a, b| by_id(a, b, &ids));
    chunk.ids = ids;
    Ok((chunk, unterminated))
}

/// Where the merge of the id-sorted `a` and `b` has placed its first `mid`
/// accounts: after `a[..i]` and `b[..j]`, with `i + j == mid`.
fn merge_cut(a: &[Account], b: &[Account], mid: usize, ids: &str) -> (usize, usize) {
    let (mut lo, mut hi) = (mid.saturating_sub(b.len()), mid.min(a.len()));
    // The first i at which a[i] no longer comes before b[mid - i - 1].
    while lo < hi {
        let i = lo + (hi - lo) / 2;
        if by_id(&a[i], &b[mid - i - 1], ids) == std::cmp::Ordering::Less {
            lo = i + 1;
        } else {
            hi = i;
        }
    }
    (lo, mid - lo)
}

/// Merges the id-sorted `a` and `b`, putting each account in the next free
/// place of its stratum's slot, and finds duplicate ids on the way
/// (`previous` is the account before them in the whole merge).
fn merge_part(
    a: &[Account],
    b: &[Account],
    ids: &str,
    names: &[&[u8]],
    mut previous: Option<Account>,
    slots: &mut [Slot<'_>],
) -> Duplicates {
    let mut duplicates = Duplicates::default();
    let mut place = |x: Account| {
        if let Some(p) = &previous {
            duplicates.see(p, &x, ids);
        }
        previous = Some(x);
        let s = x.stratum as usize;
        slots[s].put(names[s], x.id(ids), x.start);
    };
    // Which side goes next is as random as the ids: it is chosen without a
    // branch for the processor to guess (a short id's order is its key, then
    // its place in the file, compared all at once).
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (&a[i], &b[j]);
        let take_a = if x.short() && y.short() {
            let (kx, ky) = (x.key(), y.key());
            (kx < ky) | ((kx == ky) & (x.start <= y.start))
        } else {
            by_id(x, y, ids) != std::cmp::Ordering::Greater
        };
        place(*if take_a { x } else { y });
        i += usize::from(take_a);
        j += usize::from(!take_a);
    }
    for &x in a[i..].iter().chain(&b[j..]) {
        place(x);
    }
    duplicates
}

/// Ids are unique across the whole roster, not only within a stratum. Fed
/// the accounts in id order (equal ids by line), it keeps the duplicate whose
/// second occurrence comes first in the file, to report that one.
#[derive(Default)]
struct Duplicates {
    /// (first place, second place, the id as an account to read it from).
    worst: Option<(u32, u32, Account)>,
}

impl Duplicates {
    fn see(&mut self, a: &Account, b: &Account, long_ids: &str) {
        let same = a.key() == b.key()
            && a.id_len == b.id_len
            && (a.short() || a.id(long_ids) == b.id(long_ids));
        let better = match &self.worst {
            None => true,
            // The first pair of a group holds its two earliest lines.
            Some((_, second, w)) => w.id(long_ids) != a.id(long_ids) && b.start < *second,
        };
        if same && better {
            self.worst = Some((a.start, b.start, *a));
        }
    }

    /// Of the duplicates found in two stretches of the merge, the one to
    /// report: each stretch keeps the pair whose second place is earliest
    /// (later pairs of one id come later still), so the earlier of the two.
    fn earlier(self, other: Duplicates) -> Duplicates {
        match (&self.worst, &other.worst) {
            (Some(x), Some(y)) if y.1 < x.1 => other,
            (None, _) => other,
            _ => self,
        }
    }

    fn refuse(&self, text: &[u8], long_ids: &str, origin: &Origin, id_name: &str) -> Result<()> {
        let line = |at: u32| line_at(text, at as usize);
        match &self.worst {
            None => Ok(()),
            Some((first, second, a)) => Err(Error::input(t!(
                "roster.duplicate-id",
                at = origin.at(line(*second), Some(id_name)),
                column = id_name,
                id = String::from_utf8_lossy(a.id(long_ids)),
                first = origin.on(line(*first), Some(id_name))
            ))),
        }
    }
}

impl Roster {
    /// The number of accounts.
    pub fn accounts(&self) -> usize {
        self.columns_index.len() / 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Roster {
        parse(
            text.as_bytes(),
            &Origin::file("r.csv"),
            &RosterOptions::default(),
        )
        .unwrap()
    }

    fn parse_err(text: &str) -> String {
        parse(
            text.as_bytes(),
            &Origin::file("r.csv"),
            &RosterOptions::default(),
        )
        .unwrap_err()
        .to_string()
    }

    /// Every record of `text` as (line, start, fields), read as `parse` reads them.
    fn records(text: &[u8], to: usize) -> (Vec<(u64, usize, Vec<String>)>, bool) {
        let mut record = CsvRecord::new();
        let (mut pos, mut cut, mut all) = (0, false, vec![]);
        loop {
            let start = record_start(text, pos, to);
            let Some((used, at_end)) = record.read(text, start, to) else {
                return (all, cut);
            };
            (pos, cut) = (start + used, cut | at_end);
            let fields = (0..record.len())
                .map(|i| String::from_utf8_lossy(record.get(i).unwrap()).into_owned())
                .collect();
            all.push((line_at(text, start), start, fields));
        }
    }

    #[test]
    fn records_start_after_blank_lines_and_count_their_line_feeds() {
        let text = b"h\n\na\n\"b\nc\"\r\n\r\nd\re\n";
        let (all, cut) = records(text, text.len());
        let at: Vec<(u64, usize)> = all.iter().map(|r| (r.0, r.1)).collect();
        // A bare CR ends a record, not a line.
        assert_eq!(at, [(1, 0), (3, 3), (4, 5), (7, 14), (7, 16)]);
        assert_eq!(all[2].2, ["b\nc"]);
        assert!(!cut);
    }

    #[test]
    fn a_cut_inside_quotes_shows() {
        let text = b"a,\"x\ny\",b\nc,d\n";
        assert!(records(text, 5).1); // cut after `a,"x\n`
        assert!(!records(text, 10).1); // a whole record, to its line feed
        assert!(records(text, 12).1); // cut after `c,`
    }

    /// A BOM where a record starts (after the file's own, which decoding
    /// drops) is dropped when the record's first line holds a quote or a
    /// bare CR, and kept as text otherwise, as roster has always read it.
    #[test]
    fn a_bom_before_a_record() {
        let text = "a,b\n\u{feff}x,y\n\u{feff}\"q\",z\n\u{feff}\"r,s\r\n";
        let fields: Vec<Vec<String>> = records(text.as_bytes(), text.len())
            .0
            .into_iter()
            .map(|r| r.2)
            .collect();
        assert_eq!(
            fields,
            [
                vec!["a", "b"],
                vec!["\u{feff}x", "y"],
                vec!["q", "z"],
                vec!["r,s\r\n"]
            ]
        );
    }

    #[test]
    fn canonical_form_sorts_by_bytes_of_stratum_then_id() {
        let r =
            parse_ok("id,region,name\nB2,省直厅局,x\nA10,合肥市,y\nA9,合肥市,z\nB1,省直厅局,w\n");
        // 合 is E5 90 88, 省 is E7 9C 81: 合肥市 sorts first; "A10" < "A9" bytewise.
        assert_eq!(
            String::from_utf8(r.tsv.clone()).unwrap(),
            "合肥市\tA10\n合肥市\tA9\n省直厅局\tB1\n省直厅局\tB2\n"
        );
        assert_eq!(r.first_seen, vec!["省直厅局", "合肥市"]);
        assert_eq!(r.counts, vec![2, 2]);
    }

    /// The roster of `text` is `pairs` (stratum, id) sorted by their bytes.
    fn assert_is_the_plain_sort(text: &str, mut pairs: Vec<(String, String)>) {
        pairs.sort_by(|a, b| {
            (a.0.as_bytes(), a.1.as_bytes()).cmp(&(b.0.as_bytes(), b.1.as_bytes()))
        });
        let want: String = pairs.iter().map(|(s, i)| format!("{s}\t{i}\n")).collect();
        let r = parse_ok(text);
        assert_eq!(r.accounts(), pairs.len());
        assert!(String::from_utf8(r.tsv.clone()).unwrap() == want);
    }

    /// A roster large enough to be parsed in two halves, with ids short and
    /// long (longer than the 16-byte sort key, sharing it), Chinese strata,
    /// quoted fields: the result is the plain sort of (stratum, id) pairs, and
    /// a duplicate of a long id in the second half is named with both lines.
    #[test]
    fn two_halves_merge_into_the_plain_sort() {
        let strata = ["合肥市", "省直厅局", "黄山市", "B", "A"];
        let mut text = String::from("id,region,name\n");
        let mut pairs = Vec::new();
        let mut n = 0u64;
        while text.len() < 3 << 20 {
            let k = (n * 2_654_435_761) % 1_000_003;
            let id = match n % 3 {
                0 => format!("X{k}"),
                1 => format!("LONG-PREFIX-SHARED-{k:07}"),
                _ => format!("账号{k}"),
            };
            let st = strata[(k % 5) as usize];
            if n.is_multiple_of(11) {
                text.push_str(&format!("\"{id}\",{st},\"a, \"\"b\"\"\"\n"));
            } else {
                text.push_str(&format!("{id},{st},n{n}\n"));
            }
            pairs.push((st.to_string(), id));
            n += 1;
        }
        assert_is_the_plain_sort(&text, pairs);

        let lines = text.lines().count();
        let dup_of = text
            .lines()
            .nth(2)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .to_string();
        assert!(dup_of.len() > 16, "{dup_of}");
        let e = parse_err(&format!("{text}{dup_of},A,x\n"));
        assert!(
            e.contains(&format!(
                "line {}: duplicate \"id\" \"{dup_of}\", already on line 3",
                lines + 1
            )),
            "{e}"
        );
    }

    /// A quote inside an unquoted field (not RFC 4180, but csv reads it as a
    /// character) upsets the quote count that picks where to cut the file in
    /// two; with multi-line quoted fields after it the cut falls inside one.
    /// The roster must come out as a single pass reads it.
    #[test]
    fn a_misleading_quote_does_not_change_the_roster() {
        let mut text = String::from("id,region,name\nQ1,R,5\" screen\n");
        let mut n = 0;
        while text.len() < 3 << 20 {
            // The second line of the name reads like a record of its own.
            text.push_str(&format!("\"ID{n:07}\",R{},\"x\nZZ{n},R9,y\"\n", n % 7));
            n += 1;
        }
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let pairs: Vec<(String, String)> = reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[1].to_string(), r[0].to_string())
            })
            .collect();
        assert_is_the_plain_sort(&text, pairs);
    }

    /// [`canonical_lines`] as first written, searching every line for its tab
    /// and comparing every id's bytes: the reference the fast reading is held to.
    pub(super) fn canonical_lines_plainly<'a>(
        text: &'a str,
        from: usize,
        to: usize,
        lines_before: u64,
        mut prev: Option<(&'a str, &'a str)>,
        origin: &Origin,
    ) -> Result<Vec<(&'a str, Vec<&'a str>)>> {
        let mut strata: Vec<(&str, Vec<&str>)> = Vec::new();
        let mut start = from;
        for (i, end) in memchr::memchr_iter(b'\n', &text.as_bytes()[from..to]).enumerate() {
            let end = from + end;
            let line = &text[start..end];
            start = end + 1;
            let n = lines_before + i as u64 + 1;
            let bad = |problem: String| {
                Error::input(t!("roster.tsv-bad-line", at = origin.at(n, None), problem))
            };
            let (st, id) = line
                .split_once('\t')
                .ok_or_else(|| bad(t!("roster.tsv-no-tab")))?;
            let same_stratum = prev.is_some_and(|p| p.0 == st);
            if let Some(problem) = tsv_fields_problem(st, id, same_stratum) {
                return Err(bad(problem));
            }
            let ascending = match prev {
                None => true,
                Some(p) if same_stratum => p.1.as_bytes() < id.as_bytes(),
                Some(p) => p.0.as_bytes() < st.as_bytes(),
            };
            if !ascending {
                return Err(bad(t!("roster.tsv-order")));
            }
            prev = Some((st, id));
            match strata.last_mut() {
                Some((name, ids)) if *name == st => ids.push(id),
                _ => strata.push((st, vec![id])),
            }
        }
        Ok(strata)
    }

    /// A large roster.tsv is checked in two halves: the result is the same
    /// as in one piece, and a line out of order just across the cut, or a bad
    /// line in the second half, is named with its own line number.
    #[test]
    fn a_large_canonical_roster_is_checked_across_the_cut() {
        let mut text = String::new();
        let mut n = 0;
        for st in ["合肥市", "省直厅局", "黄山市"] {
            for k in 0..30_000 {
                text.push_str(&format!("{st}\tID{k:08}\n"));
                n += 1;
            }
        }
        let c = parse_canonical(text.as_bytes(), "roster.tsv").unwrap();
        assert_eq!(c.accounts(), n);
        assert_eq!(c.strata.len(), 3);
        assert!(c.strata.iter().all(|(_, ids)| ids.len() == 30_000));

        let lines: Vec<&str> = text.lines().collect();
        let mid = text.len() / 2;
        let cut = mid + text[mid..].find('\n').unwrap() + 1;
        let first_after = text[..cut].matches('\n').count(); // index of the line after the cut
        let mut swapped = lines.clone();
        swapped.swap(first_after - 1, first_after);
        let swapped = swapped.join("\n") + "\n";
        let e = parse_canonical(swapped.as_bytes(), "roster.tsv")
            .unwrap_err()
            .to_string();
        assert!(e.contains(&format!("line {}:", first_after + 1)), "{e}");

        let mut bad = lines.clone();
        bad[first_after + 5] = "黄山市 no tab";
        let bad = bad.join("\n") + "\n";
        let e = parse_canonical(bad.as_bytes(), "roster.tsv")
            .unwrap_err()
            .to_string();
        assert!(e.contains(&format!("line {}:", first_after + 6)), "{e}");

        // A byte that is not UTF-8 is named by its line, in either half.
        for at in [10, first_after + 7] {
            let mut bytes = text.clone().into_bytes();
            let start: usize = lines[..at].iter().map(|l| l.len() + 1).sum();
            bytes[start + 1] = 0xFF;
            let e = parse_canonical(&bytes, "roster.tsv")
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("UTF-8") && e.contains(&format!("line {}:", at + 1)),
                "{e}"
            );
        }
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
        assert!(text.len() > 1 << 20 && split_point(text.as_bytes(), 16).is_some());
        let r = parse_ok(&text);
        pairs.sort_by(|a, b| {
            (a.0.as_bytes(), a.1.as_bytes()).cmp(&(b.0.as_bytes(), b.1.as_bytes()))
        });
        let want: String = pairs.iter().map(|(s, i)| format!("{s}\t{i}\n")).collect();
        assert_eq!(String::from_utf8(r.tsv.clone()).unwrap(), want);
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

    /// A roster past the size whose merge is cut in two (one core each):
    /// every account lands where the plain sort puts it, and of several
    /// duplicated ids (one of them on both sides of the cut) the one reported
    /// is the one whose second line comes first, as a one-piece merge finds it.
    #[test]
    fn a_merge_cut_in_two_matches_the_plain_sort_and_its_duplicates() {
        let n = 70_000u32;
        // One stratum (where any account out of place at the cut shows) and four.
        for strata in [&["合肥市"][..], &["省直厅局", "合肥市", "亳州市", "黄山市"]]
        {
            let stratum = |i: u32| strata[i as usize % strata.len()];
            let text: String = std::iter::once("id,region,name\n".to_string())
                .chain((0..n).map(|i| format!("ID{:07},{},n{i}\n", (i * 7919) % n, stratum(i))))
                .collect();
            let r = parse_ok(&text);
            assert!(r.accounts() >= 1 << 16);
            let mut pairs: Vec<(&str, String)> = (0..n)
                .map(|i| (stratum(i), format!("ID{:07}", (i * 7919) % n)))
                .collect();
            pairs.sort_by(|a, b| {
                (a.0.as_bytes(), a.1.as_bytes()).cmp(&(b.0.as_bytes(), b.1.as_bytes()))
            });
            let want: String = pairs.iter().map(|(s, i)| format!("{s}\t{i}\n")).collect();
            assert!(String::from_utf8(r.tsv.clone()).unwrap() == want);
            // Each line's index entry is where its account's record starts.
            assert_eq!(r.columns_index.len(), 4 * n as usize);
            for (k, line) in want.lines().enumerate() {
                let entry = r.columns_index[4 * k..4 * k + 4].try_into().unwrap();
                let start = u32::from_le_bytes(entry) as usize;
                let id = line.split('\t').nth(1).unwrap();
                assert!(text[start..].starts_with(&format!("{id},")), "line {k}");
            }
        }
        let body: Vec<String> = (0..n)
            .map(|i| format!("ID{:07},合肥市,n{i}\n", (i * 7919) % n))
            .collect();

        // Duplicates of a low id, of the middle id (three times, across the
        // cut) and of a high id, inserted at chosen lines; each arrangement
        // makes a different one the first to repeat.
        for (low_at, mid_at, high_at) in [
            (10, 20, 30),
            (30, 10, 20),
            (30, 20, 10),
            (5, 60_000, 60_001),
        ] {
            let mut lines = body.clone();
            let mut extra = [
                (low_at, 100),
                (mid_at, n / 2),
                (mid_at + 1, n / 2),
                (high_at, n - 100),
            ];
            extra.sort();
            for (k, &(at, id)) in extra.iter().enumerate() {
                lines.insert(at + k, format!("ID{id:07},合肥市,x\n"));
            }
            let dup = format!("id,region,name\n{}", lines.concat());
            // The plain answer: of all ids on two lines or more, the one whose
            // second line comes first (file lines count the header as 1).
            let mut seen: std::collections::HashMap<&str, usize> = Default::default();
            let (mut first, mut second, mut id) = (0, 0, "");
            for (k, l) in lines.iter().enumerate() {
                let this = l.split(',').next().unwrap();
                if let Some(&f) = seen.get(this) {
                    (first, second, id) = (f + 2, k + 2, this);
                    break;
                }
                seen.insert(this, k);
            }
            let e = parse_err(&dup);
            let expected =
                format!("line {second}: duplicate \"id\" \"{id}\", already on line {first}");
            assert!(e.contains(&expected), "{e} / {expected}");
        }
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
    // UTF-8 is checked piece by piece, each piece on the core that reads it.
    let text_of = |from: usize, to: usize| -> Result<&'a str> {
        simdutf8::compat::from_utf8(&bytes[from..to]).map_err(|e| {
            let at = from + e.valid_up_to();
            let line = memchr::memchr_iter(b'\n', &bytes[..at]).count() + 1;
            Error::input(t!("roster.tsv-not-utf8", at = origin.at(line as u64, None)))
        })
    };
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        text_of(0, bytes.len())?;
        return Err(Error::input(t!("roster.tsv-no-line-feed", file)));
    }
    // Two halves on both cores for a large roster, cut after a line feed;
    // the second half starts from the first half's last line, so that the
    // order across the cut is checked too. The first half's error comes first.
    let cut = (bytes.len() >= 1 << 20)
        .then(|| memchr::memchr(b'\n', &bytes[bytes.len() / 2..]).map(|i| bytes.len() / 2 + i + 1))
        .flatten()
        .filter(|&c| c < bytes.len());
    let mut strata = match cut {
        None => {
            let text = text_of(0, bytes.len())?;
            canonical_lines(text, 0, text.len(), 0, None, &origin)?
        }
        Some(cut) => {
            let last_start = memchr::memrchr(b'\n', &bytes[..cut - 1]).map_or(0, |i| i + 1);
            let (first, second) = crate::base::par::join(
                || {
                    let text = text_of(0, cut)?;
                    canonical_lines(text, 0, text.len(), 0, None, &origin)
                },
                || {
                    let text = text_of(cut, bytes.len())?;
                    // The line before the cut, as the second half's predecessor
                    // (if it is not UTF-8, the first half says so first).
                    let last = std::str::from_utf8(&bytes[last_start..cut - 1])
                        .ok()
                        .and_then(|l| l.split_once('\t'));
                    let lines = memchr::memchr_iter(b'\n', &bytes[..cut]).count() as u64;
                    canonical_lines(text, 0, text.len(), lines, last, &origin)
                },
            );
            let mut strata = first?;
            let mut rest = second?.into_iter();
            if let (Some(last), Some(next)) = (strata.last_mut(), rest.as_slice().first())
                && last.0 == next.0
            {
                last.1.extend(rest.next().expect("present").1);
            }
            strata.extend(rest);
            strata
        }
    };
    strata.shrink_to_fit();
    if strata.is_empty() {
        return Err(Error::input(t!("roster.tsv-empty", file)));
    }
    Ok(CanonicalRoster { strata })
}

/// What is wrong with a roster.tsv line's fields, if anything: a stratum is
/// checked where it begins, every id on its line; a value of printable ASCII
/// without spaces is normalised as it stands.
fn tsv_fields_problem(st: &str, id: &str, same_stratum: bool) -> Option<String> {
    let checks = [(st, false), (id, true)];
    let to_check = if same_stratum {
        &checks[1..]
    } else {
        &checks[..]
    };
    to_check.iter().find_map(|&(value, is_id)| {
        let plain = !value.is_empty() && value.bytes().all(|b| (0x21..0x7f).contains(&b));
        let bad = !plain
            && (value.is_empty()
                || normalize_field(value) != value
                || value.chars().any(|c| c.is_control()));
        bad.then(|| {
            if is_id {
                t!("roster.tsv-bad-id", value)
            } else {
                t!("roster.tsv-bad-stratum", value)
            }
        })
    })
}

/// The canonical-form checks of the lines in `text[from..to]` (whole lines),
/// the first of which is line `lines_before + 1`; `prev` is the line before
/// them, as (stratum, id). Returns the strata with their ids, in order.
///
/// Most lines continue the stratum of the line before, and most ids differ
/// from the one before within their first 16 bytes: such a line is taken
/// as that stratum's name and a tab, and its order decided by comparing two
/// numbers, without searching for the tab or comparing the ids' bytes.
fn canonical_lines<'a>(
    text: &'a str,
    from: usize,
    to: usize,
    lines_before: u64,
    mut prev: Option<(&'a str, &'a str)>,
    origin: &Origin,
) -> Result<Vec<(&'a str, Vec<&'a str>)>> {
    let mut strata: Vec<(&str, Vec<&str>)> = Vec::new();
    // The previous id's first 16 bytes, zero-padded, as a big-endian number:
    // ids hold no NUL (a control character), so these order as the ids do
    // wherever they differ.
    let key = |id: &str| u128::from_be_bytes(prefix_of(id.as_bytes()));
    let mut prev_key = prev.map_or(0, |p| key(p.1));
    let mut start = from;
    for (i, end) in memchr::memchr_iter(b'\n', &text.as_bytes()[from..to]).enumerate() {
        let end = from + end;
        let line = &text[start..end];
        start = end + 1;
        let n = lines_before + i as u64 + 1;
        let bad = |problem: String| {
            Error::input(t!("roster.tsv-bad-line", at = origin.at(n, None), problem))
        };
        let continued = prev.map(|p| p.0).filter(|st| {
            let b = line.as_bytes();
            b.get(st.len()) == Some(&b'\t') && b[..st.len()] == *st.as_bytes()
        });
        let (st, id) = match continued {
            Some(st) => (st, &line[st.len() + 1..]),
            None => line
                .split_once('\t')
                .ok_or_else(|| bad(t!("roster.tsv-no-tab")))?,
        };
        let same_stratum = continued.is_some();
        if let Some(problem) = tsv_fields_problem(st, id, same_stratum) {
            return Err(bad(problem));
        }
        let id_key = key(id);
        let ascending = match prev {
            None => true,
            // Equal first 16 bytes: an id of 16 bytes or fewer is then the
            // previous one or its beginning, never after it.
            Some(p) if same_stratum => {
                prev_key < id_key
                    || (prev_key == id_key && id.len() > 16 && p.1.as_bytes() < id.as_bytes())
            }
            Some(p) => p.0.as_bytes() < st.as_bytes(),
        };
        if !ascending {
            return Err(bad(t!("roster.tsv-order")));
        }
        prev = Some((st, id));
        prev_key = id_key;
        match strata.last_mut() {
            Some((_, ids)) if same_stratum => ids.push(id),
            _ => strata.push((st, vec![id])),
        }
    }
    Ok(strata)
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
        /// The fast reading of roster.tsv's lines finds what the plain one
        /// finds, strata and ids or the same refusal: on sorted and unsorted
        /// lines, ids longer than 16 bytes sharing their first 16, lines
        /// without a tab or with two, empty and spaced fields.
        #[test]
        fn the_fast_canonical_reading_agrees_with_the_plain_one(
            lines in proptest::collection::vec((0usize..7, 0usize..4, "[ab]{0,3}"), 0..40),
            sort in any::<bool>(),
            clean in any::<bool>(),
            prev in proptest::option::of((0usize..5, 0usize..2, "[ab]{1,3}")),
        ) {
            let strata = ["A", "AB", "合肥", "B", "", "A\tA"];
            // Few ids, so that some repeat; long ones sharing 16 bytes.
            let id = |kind: usize, x: &str| match kind {
                0 => x.to_string(),
                1 => format!("aaaaaaaaaaaaaaaa{x}"),
                2 => format!(" {x}"),
                _ => format!("{x}\t{x}"),
            };
            // Clean lines (good strata, plain or long ids) get past the first
            // line to the order of long ids and to repeated ones.
            let mut ls: Vec<String> = lines
                .iter()
                .map(|&(s, kind, ref x)| if clean { (s % 4, kind % 2, x) } else { (s, kind, x) })
                .map(|(s, kind, x)| (s, id(kind, x)))
                .map(|(s, id)| match strata.get(s) {
                    Some(st) => format!("{st}\t{id}"),
                    None => id.clone(), // no tab, unless the id has one
                })
                .collect();
            if sort {
                ls.sort();
            }
            let text: String = ls.iter().map(|l| format!("{l}\n")).collect();
            let prev_id = prev.as_ref().map(|(_, kind, x)| id(*kind, x));
            let prev = prev.as_ref().zip(prev_id.as_deref()).map(|((s, _, _), id)| (strata[*s], id));
            let origin = Origin::file("roster.tsv");
            let fast = canonical_lines(&text, 0, text.len(), 3, prev, &origin);
            let plain = super::tests::canonical_lines_plainly(&text, 0, text.len(), 3, prev, &origin);
            prop_assert_eq!(fast.map_err(|e| e.to_string()), plain.map_err(|e| e.to_string()));
        }

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
            let r = parse(text.as_bytes(), &Origin::file("p.csv"), &RosterOptions::default())
                .unwrap();
            prop_assert_eq!(String::from_utf8(r.tsv.clone()).unwrap(), want);
        }
    }
}
