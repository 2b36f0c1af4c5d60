//! A quota plan: the number to check in each stratum, fixed in advance
//! (`--allocation quotas=FILE`), for offices whose rounding follows no rule.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::input::text::{LineCounter, Origin, header_is, normalize_field};
use crate::t;

const STRATUM_HEADERS: &[&str] = &["stratum", "region", "地区", "所属地区", "省直厅局/各市"];
const QUOTA_HEADERS: &[&str] = &["quota", "抽查数", "检查数"];

/// The plan's copy in the round directory, byte for byte as given.
pub const QUOTAS_FILE: &str = "quotas.csv";

/// Parses a plan CSV with a header naming a stratum column and a quota column.
/// Returns the quotas in the file's order.
pub fn parse_plan(text: &str, origin: &Origin) -> Result<Vec<(String, u64)>> {
    let file = &origin.file;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = reader.records();
    let err = |line: u64, problem: String| {
        Error::input(t!("plan.problem", at = origin.at(line, None), problem))
    };
    let header = match rows.next() {
        None => {
            return Err(Error::input(t!("plan.empty", file)));
        }
        Some(r) => r.map_err(|error| err(1, t!("plan.not-csv", error)))?,
    };
    let find = |names: &[&str], missing: String| {
        header
            .iter()
            .position(|h| header_is(&normalize_field(h), names))
            .ok_or_else(|| err(1, missing))
    };
    let expected = |names: &[&str]| names.join(" / ");
    let st_col = find(
        STRATUM_HEADERS,
        t!(
            "plan.no-stratum-column",
            expected = expected(STRATUM_HEADERS)
        ),
    )?;
    let q_col = find(
        QUOTA_HEADERS,
        t!("plan.no-quota-column", expected = expected(QUOTA_HEADERS)),
    )?;
    let mut plan = Vec::new();
    let mut seen_on: BTreeMap<String, u64> = BTreeMap::new();
    let mut lines = LineCounter::new(text.as_bytes());
    for row in rows {
        let row = row.map_err(|e| {
            err(
                e.position().map_or(0, |p| {
                    LineCounter::new(text.as_bytes()).line_at(p.byte() as usize)
                }),
                t!("plan.not-csv", error = e),
            )
        })?;
        let line = row
            .position()
            .map_or(0, |p| lines.line_at(p.byte() as usize));
        let st = normalize_field(row.get(st_col).unwrap_or(""));
        if st.is_empty() || st.chars().any(char::is_control) {
            return Err(err(line, t!("plan.stratum-empty")));
        }
        let q_text = normalize_field(row.get(q_col).unwrap_or(""));
        let q: u64 = q_text
            .parse()
            .map_err(|_| err(line, t!("plan.bad-quota", quota = q_text)))?;
        if let Some(first) = seen_on.insert(st.to_string(), line) {
            return Err(err(
                line,
                t!(
                    "plan.stratum-twice",
                    stratum = st,
                    first = origin.on(first, None)
                ),
            ));
        }
        plan.push((st.into_owned(), q));
    }
    if plan.is_empty() {
        return Err(Error::input(t!("plan.no-strata", file)));
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_parse_and_refuse() {
        let p = parse_plan(
            "stratum,quota\n合肥市,3\n省直厅局, 0\n",
            &Origin::file("q.csv"),
        )
        .unwrap();
        assert_eq!(
            p,
            vec![("合肥市".to_string(), 3), ("省直厅局".to_string(), 0)]
        );
        assert!(
            parse_plan("stratum,quota\nA,x\n", &Origin::file("q.csv"))
                .unwrap_err()
                .to_string()
                .contains("line 2")
        );
        assert!(
            parse_plan("stratum,quota\nA,1\nA,2\n", &Origin::file("q.csv"))
                .unwrap_err()
                .to_string()
                .contains("already on line 2")
        );
        assert!(parse_plan("stratum,quota\n", &Origin::file("q.csv")).is_err());
        assert!(parse_plan("a,b\nA,1\n", &Origin::file("q.csv")).is_err());
    }
}
