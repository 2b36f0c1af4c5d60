//! Inspection results: parsed from the inspectors' CSV (or one command
//! line), checked against the sample, the results already in the log and the
//! reason codes, and turned into `result-recorded` records. Pure.

use crate::error::{Error, Result};
use crate::input::columns::{
    CHECKED_AT, ID, INSPECTOR, NOTE, REASON, ROSTER, SAMPLE_COLUMNS, VERDICT, YES_NO_VERDICT,
};
use crate::input::table::{MAX_CELL_CHARS, MAX_HEADER_COLUMNS, MAX_ROWS, cell_too_long};
use crate::input::text::{LineCounter, Origin, header_is, normalize_field, quote_left_open};
use crate::results::by_id::IdMap;
use crate::results::codes::Codebook;
use crate::results::record::ResultRecorded;
use crate::results::verdict::Verdict;
use crate::sampling::manifest::Manifest;
use crate::t;

/// One row of a results file, before it is checked against the round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRow {
    /// 1-based line of the results file; 0 for a result given on the command line.
    pub line: u64,
    pub id: String,
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    pub note: String,
    pub inspector: String,
    pub checked_at: String,
    /// The web user who entered it, or "" (see `ResultRecorded::entered_by`).
    pub entered_by: String,
}

/// `pass`/`fail`, or 合格/不合格.
pub fn parse_verdict(s: &str) -> Option<Verdict> {
    match s.trim().to_ascii_lowercase().as_str() {
        "pass" | "合格" => Some(Verdict::Pass),
        "fail" | "不合格" => Some(Verdict::Fail),
        _ => None,
    }
}

/// Reason codes separated by `;` (also `；`, `,`, `，`, `、`).
pub fn split_reasons(s: &str) -> Vec<String> {
    s.split([';', '；', ',', '，', '、'])
        .map(|r| normalize_field(r).into_owned())
        .filter(|r| !r.is_empty())
        .collect()
}

/// When an account was checked, as ISO 8601: `YYYY-MM-DD`, or
/// `YYYY-MM-DDTHH:MM:SS` when a time is given. Accepts YYYY-MM-DD or
/// YYYY/M/D (as Excel writes dates), optionally followed by a space or `T`
/// and H:MM or H:MM:SS (a date cell with a time reads as
/// `2023-08-24 12:30:00`). "" stays "".
pub fn parse_date(s: &str) -> std::result::Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    let bad = || t!("results.bad-date", value = s);
    let (date, time) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let parts: Vec<&str> = date.split(['-', '/']).collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let digits = |x: &str, min: usize, max: usize| {
        (min..=max).contains(&x.len()) && x.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(y, 4, 4) || !digits(m, 1, 2) || !digits(d, 1, 2) {
        return Err(bad());
    }
    let (y, m, d): (u32, u32, u32) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d == 0 || d > days[m as usize - 1] {
        return Err(bad());
    }
    let date = format!("{y:04}-{m:02}-{d:02}");
    let Some(time) = time else {
        return Ok(date);
    };
    let parts: Vec<&str> = time.split(':').collect();
    let (h, mi, sec) = match parts.as_slice() {
        [h, mi] => (*h, *mi, "0"),
        [h, mi, sec] => (*h, *mi, *sec),
        _ => return Err(bad()),
    };
    if !digits(h, 1, 2) || !digits(mi, 2, 2) || !digits(sec, 1, 2) {
        return Err(bad());
    }
    let (h, mi, sec): (u32, u32, u32) = (
        h.parse().map_err(|_| bad())?,
        mi.parse().map_err(|_| bad())?,
        sec.parse().map_err(|_| bad())?,
    );
    if h > 23 || mi > 59 || sec > 59 {
        return Err(bad());
    }
    Ok(format!("{date}T{h:02}:{mi:02}:{sec:02}"))
}

/// The columns of a results file that its problems point at (in a
/// workbook, a problem with an id or a reason names that cell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultColumns {
    pub id: String,
    pub reason: Option<String>,
}

impl Default for ResultColumns {
    /// A result given on the command line.
    fn default() -> Self {
        ResultColumns {
            id: "id".into(),
            reason: None,
        }
    }
}

/// Parses a results CSV: columns id and verdict, optionally reason, note,
/// inspector and checked_at (English or Chinese headers); other columns,
/// such as those of sample.csv, are ignored.
/// A results table as read: its rows, the columns problems point at, the
/// problems its reading found, and how many empty rows it skipped.
#[derive(Debug)]
pub struct ParsedResults {
    pub rows: Vec<ResultRow>,
    pub columns: ResultColumns,
    pub problems: Problems,
    pub empty_rows: usize,
    /// Header names of columns that were not read, neither results nor
    /// the sample's own columns.
    pub ignored: Vec<String>,
}

/// `known` are further column names that are no results but expected in
/// the table (the round's sample columns): not reported as ignored.
pub fn parse_results(text: &str, origin: &Origin, known: &[String]) -> Result<ParsedResults> {
    let file = &origin.file;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let mut lines = LineCounter::new(text.as_bytes());
    let (header, header_line): (Vec<String>, u64) = match records.next() {
        None => {
            return Err(Error::input(t!("results.empty", file)));
        }
        Some(h) => {
            let h = h.map_err(|e| {
                Error::input(t!("text.not-csv", at = origin.at(1, None), error = e))
            })?;
            let line = h.position().map_or(1, |p| lines.line_at(p.byte() as usize));
            (
                h.iter().map(|h| normalize_field(h).into_owned()).collect(),
                line,
            )
        }
    };
    if header.len() > MAX_HEADER_COLUMNS {
        return Err(Error::input(t!(
            "text.header-too-wide",
            at = origin.at(header_line, None),
            columns = header.len(),
            limit = MAX_HEADER_COLUMNS
        )));
    }
    if header.iter().any(|h| cell_too_long(h.as_bytes())) {
        return Err(Error::input(t!(
            "text.cell-too-long",
            at = origin.at(header_line, None),
            limit = MAX_CELL_CHARS
        )));
    }
    let find = |kind: &crate::input::columns::Kind| kind.find(&header).first().copied();
    let id_col = find(&ID).ok_or_else(|| {
        Error::input(t!(
            "results.no-id-column",
            at = origin.at(header_line, None),
            expected = ID.all().join(" / ")
        ))
    })?;
    let verdict_col = find(&VERDICT).ok_or_else(|| {
        Error::input(t!(
            "results.no-verdict-column",
            at = origin.at(header_line, None),
            expected = VERDICT.all().join(" / ")
        ))
    })?;
    let (reason_col, note_col, insp_col, date_col) = (
        find(&REASON),
        find(&NOTE),
        find(&INSPECTOR),
        find(&CHECKED_AT),
    );
    let yes_no = header_is(&header[verdict_col], YES_NO_VERDICT);
    // Columns read as nothing: said in a warning, not dropped unseen.
    let used = [
        Some(id_col),
        Some(verdict_col),
        reason_col,
        note_col,
        insp_col,
        date_col,
    ];
    let ignored: Vec<String> = (0..header.len())
        .filter(|i| !used.contains(&Some(*i)))
        .map(|i| header[i].clone())
        .filter(|h| {
            !h.is_empty()
                && !ROSTER.iter().any(|k| k.is(h))
                && !header_is(h, SAMPLE_COLUMNS)
                && !known.iter().any(|k| header_is(h, &[k.as_str()]))
        })
        .collect();

    let mut rows = Vec::new();
    let mut problems = Problems::default();
    let mut last_record = None;
    let mut empty_rows = 0;
    let mut read_rows: u64 = 0;
    for rec in records {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| {
                LineCounter::new(text.as_bytes()).line_at(p.byte() as usize)
            });
            Error::input(t!("text.not-csv", at = origin.at(line, None), error = e))
        })?;
        let line = rec
            .position()
            .map_or(0, |p| lines.line_at(p.byte() as usize));
        last_record = rec.position().map(|p| (p.byte() as usize, line));
        read_rows += 1;
        if read_rows > MAX_ROWS {
            return Err(Error::input(t!(
                "text.too-many-rows",
                file,
                limit = MAX_ROWS
            )));
        }
        if rec.as_slice().len() > MAX_CELL_CHARS && rec.iter().any(|f| cell_too_long(f.as_bytes()))
        {
            return Err(Error::input(t!(
                "text.cell-too-long",
                at = origin.at(line, None),
                limit = MAX_CELL_CHARS
            )));
        }
        let get = |c: Option<usize>| {
            c.and_then(|c| rec.get(c))
                .map(normalize_field)
                .unwrap_or_default()
                .into_owned()
        };
        let id = get(Some(id_col));
        if rec.iter().all(|f| f.trim().is_empty()) {
            // An empty row, inside the sheet or left at its end.
            empty_rows += 1;
            continue;
        }
        // Every problem of the row is said, not only its first.
        let before = problems.0.len();
        if id.is_empty() || id.chars().any(char::is_control) {
            let column = &header[id_col];
            problems.add(origin, line, Some(column), t!("results.id-empty", column));
        }
        let verdict_text = get(Some(verdict_col));
        let verdict = parse_verdict(&verdict_text).or(match verdict_text.as_str() {
            // 是否合格: 是 / 否.
            "是" if yes_no => Some(Verdict::Pass),
            "否" if yes_no => Some(Verdict::Fail),
            _ => None,
        });
        if verdict.is_none() {
            let column = &header[verdict_col];
            problems.add(
                origin,
                line,
                Some(column),
                t!("results.bad-verdict", column, value = verdict_text),
            );
        }
        let checked_at = match parse_date(&get(date_col)) {
            Ok(d) => d,
            Err(error) => {
                // A date that does not parse comes from a date column.
                let column = date_col.map_or("checked_at", |c| header[c].as_str());
                problems.add(
                    origin,
                    line,
                    Some(column),
                    t!("results.field-problem", column, error),
                );
                String::new()
            }
        };
        let (Some(verdict), true) = (verdict, problems.0.len() == before) else {
            continue;
        };
        rows.push(ResultRow {
            line,
            id,
            verdict,
            reasons: split_reasons(&get(reason_col)),
            note: get(note_col),
            inspector: get(insp_col),
            checked_at,
            entered_by: String::new(),
        });
    }
    // A quote left open swallowed the rest of the file into one field: say
    // so at the line where it opened, not as a strange value there.
    if let Some((start, line)) = last_record
        && quote_left_open(&text.as_bytes()[start..])
    {
        return Err(Error::input(t!(
            "results.unclosed-quote",
            at = origin.at(line, None)
        )));
    }
    if rows.is_empty() && problems.0.is_empty() {
        return Err(Error::input(t!("results.no-results", file)));
    }
    let columns = ResultColumns {
        id: header[id_col].clone(),
        reason: reason_col.map(|c| header[c].clone()),
    };
    Ok(ParsedResults {
        rows,
        columns,
        problems,
        empty_rows,
        ignored,
    })
}

/// Collects a batch's problems, every one of them, so that one refusal
/// lists them all ([`Error::Problems`]).
#[derive(Debug, Default)]
pub struct Problems(Vec<String>);

impl Problems {
    /// A problem on a line, in the field of `column` if it concerns one.
    fn add(&mut self, origin: &Origin, line: u64, column: Option<&str>, problem: String) {
        // Line 0 is a result given on the command line: nothing to locate.
        self.0.push(if line == 0 {
            problem
        } else {
            let at = origin.at(line, column);
            t!("results.problem", at, problem)
        });
    }

    fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        Err(Error::Problems {
            list: self.0,
            file: None,
        })
    }
}

/// Checks a verdict against its reasons: a fail needs at least one
/// single-veto reason, a pass may carry only non-veto ones. Returns the codes
/// as written in records.
pub fn check_reasons(
    verdict: Verdict,
    reasons: &[impl AsRef<str>],
    codes: &Codebook,
) -> std::result::Result<Vec<String>, String> {
    let mut out = Vec::with_capacity(reasons.len());
    let mut veto = false;
    for r in reasons {
        let c = codes.get(r.as_ref())?;
        if out.contains(&c.code) {
            return Err(t!("results.reason-twice", code = c.code));
        }
        if verdict == Verdict::Pass && c.veto {
            return Err(t!("results.pass-with-veto", code = c.code, label = c.label));
        }
        veto |= c.veto;
        out.push(c.code.clone());
    }
    if verdict == Verdict::Fail && !veto {
        return Err(t!("results.fail-needs-veto"));
    }
    Ok(out)
}

/// The sample as a lookup: id → stratum.
pub fn sample_index<'m>(m: &'m Manifest<'_>) -> IdMap<&'m str, &'m str> {
    let mut map = IdMap::with_capacity_and_hasher(m.sample_size as usize, Default::default());
    for s in &m.strata {
        for id in &s.ids {
            map.insert(id.as_ref(), s.name.as_str());
        }
    }
    map
}

/// What the log holds as an account's result now (the latest
/// `result-recorded` or `result-amended`), to compare a row with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prior {
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    pub note: String,
    pub inspector: String,
    /// None for an amendment, which records no date.
    pub checked_at: Option<String>,
}

/// A row that changes an account's recorded result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The result as the row gives it.
    pub now: ResultRecorded,
    pub was: Verdict,
}

/// A batch checked: the results new to the log, the rows identical to what
/// the log holds (skipped), and the rows that change a recorded result
/// (only with `amend_changed`; else each is a problem).
#[derive(Debug, Default)]
pub struct Checked {
    pub new: Vec<ResultRecorded>,
    pub same: usize,
    pub changed: Vec<Change>,
}

/// How a batch is checked against the round.
pub struct Against<'a> {
    pub sample: &'a IdMap<&'a str, &'a str>,
    pub existing: &'a crate::results::by_id::ResultsById,
    /// The recorded result that counts, from its 1-based log line.
    pub prior: &'a dyn Fn(u64) -> Option<Prior>,
    pub codes: &'a Codebook,
    /// Rows that change a recorded result become amendments instead of problems.
    pub amend_changed: bool,
}

/// Whether a row says what the log already holds for its account.
fn same_as(r: &ResultRecorded, p: &Prior) -> bool {
    let sorted = |v: &[String]| {
        let mut v = v.to_vec();
        v.sort();
        v
    };
    r.verdict == p.verdict
        && sorted(&r.reasons) == sorted(&p.reasons)
        && r.note == p.note
        && r.inspector == p.inspector
        && p.checked_at.as_ref().is_none_or(|d| *d == r.checked_at)
}

/// Checks a whole batch; on any problem (those its reading found, in
/// `problems`, and these) nothing is returned but the list.
/// `origin` and `columns` say where the rows came from, for the messages.
pub fn validate(
    rows: Vec<ResultRow>,
    origin: &Origin,
    columns: &ResultColumns,
    against: &Against<'_>,
    mut problems: Problems,
) -> Result<Checked> {
    let id_column = Some(columns.id.as_str());
    let mut first_line: IdMap<&str, u64> =
        IdMap::with_capacity_and_hasher(rows.len(), Default::default());
    for row in &rows {
        if let Some(prev) = first_line.insert(&row.id, row.line) {
            let first = origin.on(prev, id_column);
            problems.add(
                origin,
                row.line,
                id_column,
                t!("results.twice-in-batch", id = row.id, first),
            );
        }
    }
    let mut out = Checked {
        new: Vec::with_capacity(rows.len()),
        ..Checked::default()
    };
    for row in rows {
        let id = &row.id;
        let Some(&stratum) = against.sample.get(id.as_str()) else {
            problems.add(origin, row.line, id_column, t!("results.not-in-sample", id));
            continue;
        };
        let reasons = match check_reasons(row.verdict, &row.reasons, against.codes) {
            Ok(reasons) => reasons,
            Err(error) => {
                problems.add(
                    origin,
                    row.line,
                    columns.reason.as_deref(),
                    t!("results.reason-problem", id, error),
                );
                continue;
            }
        };
        let line = row.line;
        let result = ResultRecorded {
            id: row.id,
            stratum: stratum.to_string(),
            verdict: row.verdict,
            reasons,
            note: row.note,
            inspector: row.inspector,
            checked_at: row.checked_at,
            entered_by: row.entered_by,
        };
        let Some(r) = against.existing.get(result.id.as_str()) else {
            out.new.push(result);
            continue;
        };
        match (against.prior)(r.line) {
            Some(p) if same_as(&result, &p) => out.same += 1,
            _ if against.amend_changed => out.changed.push(Change {
                now: result,
                was: r.verdict,
            }),
            _ => problems.add(
                origin,
                line,
                id_column,
                t!("results.has-result", id = result.id, line = r.line),
            ),
        }
    }
    problems.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_verdicts() {
        assert_eq!(parse_date("2023/8/23").unwrap(), "2023-08-23");
        assert_eq!(parse_date("").unwrap(), "");
        assert!(parse_date("2023-02-29").is_err());
        assert!(parse_date("2024-02-29").is_ok());
        assert!(parse_date("23-8-1").is_err());
        assert_eq!(
            parse_date("2023-08-23 10:00").unwrap(),
            "2023-08-23T10:00:00"
        );
        assert_eq!(
            parse_date("2023/8/23 9:05:07").unwrap(),
            "2023-08-23T09:05:07"
        );
        assert_eq!(
            parse_date("2023-08-23T10:00:00").unwrap(),
            "2023-08-23T10:00:00"
        );
        for bad in [
            "18:00:00",
            "2023-08-23 24:00",
            "2023-08-23 10:0",
            "2023-08-23 10:00:00.500",
            "2023年8月23日",
            "45161",
            "2023-8-+1",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_verdict(" 不合格"), Some(Verdict::Fail));
        assert_eq!(parse_verdict("PASS"), Some(Verdict::Pass));
        assert_eq!(parse_verdict("ok"), None);
        assert_eq!(
            split_reasons("NM_SECURITY；NM_NOT_UPDATED; "),
            vec!["NM_SECURITY", "NM_NOT_UPDATED"]
        );
    }

    #[test]
    fn reasons_follow_the_veto_rules() {
        let c = Codebook::new(&[], "政务新媒体");
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(
            check_reasons(Verdict::Fail, &[] as &[&str], &c)
                .unwrap_err()
                .contains("needs a single-veto")
        );
        assert!(check_reasons(Verdict::Fail, &v(&["REGISTRY_MISMATCH"]), &c).is_err());
        assert!(
            check_reasons(Verdict::Pass, &v(&["NM_NOT_UPDATED"]), &c)
                .unwrap_err()
                .contains("single-veto")
        );
        assert_eq!(
            check_reasons(Verdict::Pass, &v(&["REGISTRY_MISMATCH"]), &c).unwrap(),
            v(&["REGISTRY_MISMATCH"])
        );
        assert_eq!(
            check_reasons(Verdict::Fail, &v(&["内容不更新"]), &c).unwrap(),
            v(&["NM_NOT_UPDATED"])
        );
    }
}
