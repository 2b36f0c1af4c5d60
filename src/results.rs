//! Inspection results: parsed from the inspectors' CSV (or one command
//! line), checked against the sample, the results already in the log and the
//! reason codes, and turned into `result-recorded` records. Pure.

use crate::codes::Codebook;
use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::roster::ID_HEADERS;
use crate::round::{FinalResult, IdMap, ResultRecorded, Verdict};
use crate::text::{LineCounter, header_is, normalize_field};

const VERDICT_HEADERS: &[&str] = &["verdict", "结果", "检查结果", "结论"];
const REASON_HEADERS: &[&str] = &["reason", "reasons", "原因", "问题", "问题类型"];
const NOTE_HEADERS: &[&str] = &["note", "备注", "说明"];
const INSPECTOR_HEADERS: &[&str] = &["inspector", "检查人", "检查员"];
const CHECKED_AT_HEADERS: &[&str] = &["checked_at", "checked-at", "检查日期", "日期"];

/// Most problems listed in one refusal; the rest are counted.
const MAX_REPORTED: usize = 20;

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

/// A date as YYYY-MM-DD; also accepts YYYY/M/D as Excel writes it. "" stays "".
pub fn parse_date(s: &str) -> std::result::Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    let bad = || format!("{s:?} is not a date; accepted: YYYY-MM-DD (or YYYY/M/D)");
    let parts: Vec<&str> = s.split(['-', '/']).collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
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
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

/// Parses a results CSV: columns id and verdict, optionally reason, note,
/// inspector and checked_at (English or Chinese headers); other columns,
/// such as those of sample.csv, are ignored.
pub fn parse_results(text: &str, file: &str) -> Result<Vec<ResultRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        None => {
            return Err(Error::input(format!(
                "{file}: the file is empty; expected a header with id and verdict columns"
            )));
        }
        Some(h) => h
            .map_err(|e| Error::input(format!("{file}: line 1: not valid CSV: {e}")))?
            .iter()
            .map(|h| normalize_field(h).into_owned())
            .collect(),
    };
    let find = |names: &[&str]| header.iter().position(|h| header_is(h, names));
    let id_col = find(ID_HEADERS).ok_or_else(|| {
        Error::input(format!(
            "{file}: line 1: no id column; expected one of {}",
            ID_HEADERS.join(" / ")
        ))
    })?;
    let verdict_col = find(VERDICT_HEADERS).ok_or_else(|| {
        Error::input(format!(
            "{file}: line 1: no verdict column; expected one of {}",
            VERDICT_HEADERS.join(" / ")
        ))
    })?;
    let (reason_col, note_col, insp_col, date_col) = (
        find(REASON_HEADERS),
        find(NOTE_HEADERS),
        find(INSPECTOR_HEADERS),
        find(CHECKED_AT_HEADERS),
    );

    let mut rows = Vec::new();
    let mut problems = Problems::new(file);
    let mut lines = LineCounter::new(text.as_bytes());
    for rec in records {
        let rec = rec.map_err(|e| {
            Error::input(format!(
                "{file}: line {}: not valid CSV: {e}",
                e.position().map_or(0, |p| LineCounter::new(text.as_bytes())
                    .line_at(p.byte() as usize))
            ))
        })?;
        let line = rec
            .position()
            .map_or(0, |p| lines.line_at(p.byte() as usize));
        let get = |c: Option<usize>| {
            c.and_then(|c| rec.get(c))
                .map(normalize_field)
                .unwrap_or_default()
                .into_owned()
        };
        let id = get(Some(id_col));
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue; // an empty row, as spreadsheets leave at the end
        }
        if id.is_empty() || id.chars().any(char::is_control) {
            problems.add(
                line,
                format!(
                    "field {:?} is empty or holds a control character",
                    header[id_col]
                ),
            );
            continue;
        }
        let verdict_text = get(Some(verdict_col));
        let Some(verdict) = parse_verdict(&verdict_text) else {
            problems.add(
                line,
                format!(
                    "field {:?} is {verdict_text:?}; accepted: pass, fail, 合格, 不合格",
                    header[verdict_col]
                ),
            );
            continue;
        };
        let checked_at = match parse_date(&get(date_col)) {
            Ok(d) => d,
            Err(e) => {
                problems.add(line, format!("field \"checked_at\": {e}"));
                continue;
            }
        };
        rows.push(ResultRow {
            line,
            id,
            verdict,
            reasons: split_reasons(&get(reason_col)),
            note: get(note_col),
            inspector: get(insp_col),
            checked_at,
        });
    }
    problems.finish()?;
    if rows.is_empty() {
        return Err(Error::input(format!("{file}: has a header but no results")));
    }
    Ok(rows)
}

/// Collects a batch's problems so that one refusal lists them all.
struct Problems<'a> {
    file: &'a str,
    list: Vec<String>,
    count: usize,
}

impl<'a> Problems<'a> {
    fn new(file: &'a str) -> Self {
        Problems {
            file,
            list: Vec::new(),
            count: 0,
        }
    }

    fn add(&mut self, line: u64, what: String) {
        self.count += 1;
        if self.list.len() < MAX_REPORTED {
            // Line 0 is a result given on the command line: nothing to locate.
            self.list.push(if line == 0 {
                what
            } else {
                format!("{}: line {line}: {what}", self.file)
            });
        }
    }

    fn finish(self) -> Result<()> {
        if self.count == 0 {
            return Ok(());
        }
        let more = if self.count > self.list.len() {
            format!("\n… and {} more", self.count - self.list.len())
        } else {
            String::new()
        };
        Err(Error::input(format!(
            "{}{more}\nnothing was recorded",
            self.list.join("\n")
        )))
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
            return Err(format!("reason {} is given twice", c.code));
        }
        if verdict == Verdict::Pass && c.veto {
            return Err(format!(
                "a pass cannot carry {} ({}), a single-veto item: either fail it or drop the reason",
                c.code, c.label
            ));
        }
        veto |= c.veto;
        out.push(c.code.clone());
    }
    if verdict == Verdict::Fail && !veto {
        return Err("a fail needs a single-veto reason code (see `choucha codes`)".into());
    }
    Ok(out)
}

/// The sample as a lookup: id → stratum.
pub fn sample_index(m: &Manifest) -> IdMap<&str, &str> {
    let mut map = IdMap::with_capacity_and_hasher(m.sample_size as usize, Default::default());
    for s in &m.strata {
        for id in &s.ids {
            map.insert(id.as_str(), s.name.as_str());
        }
    }
    map
}

/// Checks a whole batch; on any problem nothing is returned but the list.
pub fn validate(
    rows: Vec<ResultRow>,
    file: &str,
    sample: &IdMap<&str, &str>,
    existing: &IdMap<Box<str>, FinalResult>,
    codes: &Codebook,
) -> Result<Vec<ResultRecorded>> {
    let mut problems = Problems::new(file);
    let mut first_line: IdMap<&str, u64> =
        IdMap::with_capacity_and_hasher(rows.len(), Default::default());
    for row in &rows {
        if let Some(prev) = first_line.insert(&row.id, row.line) {
            problems.add(
                row.line,
                format!("id {:?} is already in this batch, on line {prev}", row.id),
            );
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(&stratum) = sample.get(row.id.as_str()) else {
            problems.add(row.line, format!("id {:?} is not in the sample (manifest.json); only sampled accounts get results", row.id));
            continue;
        };
        if let Some(r) = existing.get(row.id.as_str()) {
            problems.add(
                row.line,
                format!("id {:?} already has a result (log line {}); correct it with `choucha amend --id ID ... --why TEXT`", row.id, r.line),
            );
            continue;
        }
        match check_reasons(row.verdict, &row.reasons, codes) {
            Err(e) => problems.add(row.line, format!("id {:?}: {e}", row.id)),
            Ok(reasons) => out.push(ResultRecorded {
                id: row.id,
                stratum: stratum.to_string(),
                verdict: row.verdict,
                reasons,
                note: row.note,
                inspector: row.inspector,
                checked_at: row.checked_at,
            }),
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
