//! A published table of one inspection round — per stratum the accounts in
//! operation, the number checked and the number with serious problems — read
//! from CSV and checked on its own: do the rows add up, are the counts
//! possible, do the headline figures agree, was the stated rate met.
//!
//! Pure: takes decoded text, returns a [`PublishedTable`] or an error naming
//! the file, line and column; [`check_claims`] returns findings, one per check.

use std::collections::HashMap;
use std::str::FromStr;

use crate::audit::percent::{PercentClaim, claim_agrees, parse_percent, percent_half_up};
use crate::error::{Error, Result};
use crate::input::text::{LineCounter, normalize_field};
use crate::t;

/// One row of a published table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedRow {
    /// 1-based line of the record in the source file.
    pub line: u64,
    /// The stratum, normalised; empty for an unlabelled totals row.
    pub stratum: String,
    /// Accounts in operation (运行…总数).
    pub total: u64,
    /// Accounts checked (检查…数).
    pub checked: u64,
    /// Accounts with serious problems (存在突出问题的…数).
    pub failed: u64,
}

/// The per-stratum rows in source order, and the totals row (合计) if there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedTable {
    pub rows: Vec<PublishedRow>,
    pub totals: Option<PublishedRow>,
}

/// Stratum header names, compared after NFC and trimming (ASCII case-insensitively).
const STRATUM_HEADERS: &[&str] = &["省直厅局/各市", "stratum", "region", "地区", "所属地区"];
/// The row-number column, recognised and ignored.
const NUMBER_HEADERS: &[&str] = &["序号", "no", "#"];
/// Stratum names of the totals row, compared with white space removed ("合　计").
const TOTALS_NAMES: &[&str] = &["合计", "总计", "total", "totals"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Number,
    Stratum,
    Total,
    Checked,
    Failed,
}

impl Role {
    /// The column's name in messages.
    fn name(self) -> String {
        match self {
            Role::Number => t!("published.role-number"),
            Role::Stratum => t!("published.role-stratum"),
            Role::Total => t!("published.role-total"),
            Role::Checked => t!("published.role-checked"),
            Role::Failed => t!("published.role-failed"),
        }
    }

    /// The headers recognised for the column, in messages.
    fn expected(self) -> String {
        match self {
            Role::Number => t!("published.expect-number"),
            Role::Stratum => t!("published.expect-stratum"),
            Role::Total => t!("published.expect-total"),
            Role::Checked => t!("published.expect-checked"),
            Role::Failed => t!("published.expect-failed"),
        }
    }
}

fn is_any(h: &str, names: &[&str]) -> bool {
    names.iter().any(|n| h.eq_ignore_ascii_case(n))
}

/// The role of a normalised header. "检查发现存在突出问题…" both starts with
/// 检查 and names problems: the failed column is tried first.
fn role_of(h: &str) -> Option<Role> {
    if h.contains("存在突出问题") || is_any(h, &["failed"]) {
        Some(Role::Failed)
    } else if h.starts_with("检查") || is_any(h, &["checked"]) {
        Some(Role::Checked)
    } else if h.starts_with("运行") || is_any(h, &["total", "population"]) {
        Some(Role::Total)
    } else if is_any(h, STRATUM_HEADERS) {
        Some(Role::Stratum)
    } else if is_any(h, NUMBER_HEADERS) {
        Some(Role::Number)
    } else {
        None
    }
}

/// Whether a normalised stratum names the totals row: 合计, 总计, total,
/// totals, or nothing at all (offices often leave the label blank).
fn is_totals(stratum: &str) -> bool {
    let compact: String = stratum.chars().filter(|c| !c.is_whitespace()).collect();
    compact.is_empty() || is_any(&compact, TOTALS_NAMES)
}

/// Column indices of the four columns read.
struct Columns {
    stratum: usize,
    total: usize,
    checked: usize,
    failed: usize,
}

fn find_columns(header: &[String], file: &str) -> Result<Columns> {
    let wanted = [Role::Stratum, Role::Total, Role::Checked, Role::Failed];
    let mut found: [Option<usize>; 4] = [None; 4];
    for (i, h) in header.iter().enumerate() {
        let Some(role) = role_of(h) else { continue };
        let Some(k) = wanted.iter().position(|&w| w == role) else {
            continue;
        };
        if let Some(j) = found[k] {
            return Err(Error::input(t!(
                "published.duplicate-column",
                file,
                first = header[j],
                second = header[i],
                role = role.name(),
                expected = role.expected()
            )));
        }
        found[k] = Some(i);
    }
    let missing: Vec<String> = wanted
        .iter()
        .zip(found)
        .filter(|(_, f)| f.is_none())
        .map(|(r, _)| {
            t!(
                "published.missing-column",
                role = r.name(),
                expected = r.expected()
            )
        })
        .collect();
    if !missing.is_empty() {
        return Err(Error::input(t!(
            "published.missing-columns",
            file,
            missing = missing.join(&t!("published.clause-separator")),
            header = header
                .iter()
                .map(|h| format!("{h:?}"))
                .collect::<Vec<_>>()
                .join(&t!("published.list-separator"))
        )));
    }
    let [Some(stratum), Some(total), Some(checked), Some(failed)] = found else {
        unreachable!("every column was found");
    };
    Ok(Columns {
        stratum,
        total,
        checked,
        failed,
    })
}

/// Parses a published table: a header line, then one line per stratum and at
/// most one totals row. `text` is the decoded file, `file` its name for messages.
pub fn parse_table(text: &str, file: &str) -> Result<PublishedTable> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let csv_err = |e: csv::Error| {
        let line = e.position().map_or(0, |p| {
            LineCounter::new(text.as_bytes()).line_at(p.byte() as usize)
        });
        Error::input(t!("published.not-csv", file, line, e))
    };
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        None => {
            return Err(Error::input(t!("published.empty", file)));
        }
        Some(r) => r
            .map_err(csv_err)?
            .iter()
            .map(|f| normalize_field(f).into_owned())
            .collect(),
    };
    let cols = find_columns(&header, file)?;

    let mut rows: Vec<PublishedRow> = Vec::new();
    let mut totals: Option<PublishedRow> = None;
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut lines = LineCounter::new(text.as_bytes());
    for record in records {
        let record = record.map_err(csv_err)?;
        let line = record
            .position()
            .map_or(0, |p| lines.line_at(p.byte() as usize));
        if record.iter().all(|f| normalize_field(f).is_empty()) {
            continue;
        }
        let field = |i: usize| -> Result<String> {
            record
                .get(i)
                .map(|f| normalize_field(f).into_owned())
                .ok_or_else(|| {
                    Error::input(t!(
                        "published.short-record",
                        file,
                        line,
                        count = record.len(),
                        column = header[i],
                        field = i + 1
                    ))
                })
        };
        let number = |i: usize| -> Result<u64> {
            let v = field(i)?;
            let parsed = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
                v.parse::<u64>().ok()
            } else {
                None
            };
            parsed.ok_or_else(|| {
                Error::input(t!(
                    "published.not-a-number",
                    file,
                    line,
                    column = header[i],
                    value = v
                ))
            })
        };
        let stratum = field(cols.stratum)?;
        if let Some(c) = stratum.chars().find(|c| c.is_control()) {
            return Err(Error::input(t!(
                "published.control-character",
                file,
                line,
                column = header[cols.stratum],
                stratum,
                code = format!("{:04X}", c as u32)
            )));
        }
        let row = PublishedRow {
            line,
            total: number(cols.total)?,
            checked: number(cols.checked)?,
            failed: number(cols.failed)?,
            stratum,
        };
        if is_totals(&row.stratum) {
            if let Some(first) = &totals {
                return Err(Error::input(t!(
                    "published.second-totals",
                    file,
                    line,
                    first = first.line
                )));
            }
            totals = Some(row);
        } else {
            if let Some(first) = seen.get(&row.stratum) {
                return Err(Error::input(t!(
                    "published.duplicate-stratum",
                    file,
                    line,
                    stratum = row.stratum,
                    first
                )));
            }
            seen.insert(row.stratum.clone(), line);
            rows.push(row);
        }
    }
    if rows.is_empty() && totals.is_none() {
        return Err(Error::input(t!("published.no-rows", file)));
    }
    Ok(PublishedTable { rows, totals })
}

/// The figures a notice states in its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimName {
    /// 检查数: accounts checked.
    Checked,
    /// 问题数: accounts with serious problems.
    Failed,
    /// 总数: accounts in operation.
    Total,
    /// 合格数: checked − failed.
    Passed,
    /// 合格率: (checked − failed) / checked.
    PassRate,
}

impl ClaimName {
    /// The name as written on the command line: `checked`, `failed`, `total`, `passed`, `pass-rate`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimName::Checked => "checked",
            ClaimName::Failed => "failed",
            ClaimName::Total => "total",
            ClaimName::Passed => "passed",
            ClaimName::PassRate => "pass-rate",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimValue {
    Count(u64),
    Percent(PercentClaim),
}

/// One stated figure, `NAME=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub name: ClaimName,
    /// The claim as given, trimmed.
    pub raw: String,
    pub value: ClaimValue,
}

/// Parses `NAME=VALUE`: `checked=1658`, `failed=5`, `total=3316`,
/// `passed=1653`, `pass-rate=99.70%` (or 检查数, 问题数, 总数, 合格数, 合格率).
pub fn parse_claim(s: &str) -> std::result::Result<Claim, String> {
    let raw = s.trim();
    let accepted = || t!("published.claim-accepted");
    let (name, value) = raw
        .split_once('=')
        .or_else(|| raw.split_once('＝'))
        .ok_or_else(|| {
            t!(
                "published.claim-no-equals",
                claim = s,
                accepted = accepted()
            )
        })?;
    let name_n = normalize_field(name).to_ascii_lowercase();
    let name = match name_n.as_str() {
        "checked" | "检查数" => ClaimName::Checked,
        "failed" | "问题数" => ClaimName::Failed,
        "total" | "总数" => ClaimName::Total,
        "passed" | "合格数" => ClaimName::Passed,
        "pass-rate" | "pass_rate" | "合格率" => ClaimName::PassRate,
        _ => {
            return Err(t!(
                "published.claim-unknown-name",
                claim = s,
                name = name_n,
                accepted = accepted()
            ));
        }
    };
    let value = normalize_field(value);
    let value = match name {
        ClaimName::PassRate => ClaimValue::Percent(
            parse_percent(&value)
                .map_err(|error| t!("published.claim-percent", claim = s, error))?,
        ),
        _ => {
            let n = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
                value.parse::<u64>().ok()
            } else {
                None
            };
            ClaimValue::Count(n.ok_or_else(|| {
                t!(
                    "published.claim-not-a-number",
                    claim = s,
                    value,
                    name = name.as_str(),
                    accepted = accepted()
                )
            })?)
        }
    };
    Ok(Claim {
        name,
        raw: raw.to_string(),
        value,
    })
}

/// How the whole population's quota is rounded when checking the totals row
/// against a rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    Floor,
    Ceil,
    HalfUp,
}

impl Rounding {
    /// `floor`, `ceil` or `half-up`.
    pub fn name(self) -> &'static str {
        match self {
            Rounding::Floor => "floor",
            Rounding::Ceil => "ceil",
            Rounding::HalfUp => "half-up",
        }
    }

    /// `num / den` rounded this way. `den` must not be 0.
    pub fn apply(self, num: u128, den: u128) -> u128 {
        match self {
            Rounding::Floor => num / den,
            Rounding::Ceil => num.div_ceil(den),
            Rounding::HalfUp => (num / den) + u128::from(2 * (num % den) >= den),
        }
    }
}

impl FromStr for Rounding {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Rounding, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "floor" => Ok(Rounding::Floor),
            "ceil" => Ok(Rounding::Ceil),
            "half-up" | "half_up" | "round" => Ok(Rounding::HalfUp),
            _ => Err(t!("published.unknown-rounding", value = s)),
        }
    }
}

/// The outcome of one check: a short sentence, in the interface's language,
/// naming the row (stratum and CSV line) and, when it fails, both values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub ok: bool,
    pub what: String,
}

fn pass(what: String) -> Finding {
    Finding { ok: true, what }
}

fn fail(what: String) -> Finding {
    Finding { ok: false, what }
}

/// "合肥市 (line 3)", or "the totals row (line 19)" when it has no label.
fn label(row: &PublishedRow) -> String {
    if row.stratum.is_empty() {
        t!("published.totals-label", line = row.line)
    } else {
        t!(
            "published.row-label",
            stratum = row.stratum,
            line = row.line
        )
    }
}

fn decimals_text(d: u32) -> String {
    if d == 1 {
        t!("published.one-decimal")
    } else {
        t!("published.decimals", count = d)
    }
}

/// Checks a published table on its own, producing one [`Finding`] per check:
///
/// 1. the rows add up to the totals row, per column (or, with no totals row,
///    one ok finding stating the sums);
/// 2. per row (the totals row included): checked <= total, failed <= checked;
/// 3. each claim against the totals row (or the row sums when there is none):
///    counts equal, `passed` = checked − failed, `pass-rate` agreeing at its
///    own precision ([`claim_agrees`]);
/// 4. with `rate = Some((p, q))`: the checked counts fit at least one
///    apportionment rule ([`RateRule`]; the output names those that fit).
pub fn check_claims(
    table: &PublishedTable,
    claims: &[Claim],
    rate: Option<(u64, u64)>,
    totals_rounding: Rounding,
) -> Vec<Finding> {
    check_claims_with_rule(table, claims, rate, totals_rounding, None)
}

/// [`check_claims`], with `rule` the one apportionment rule the counts must
/// fit (`claims --allocation RULE`) instead of any.
pub fn check_claims_with_rule(
    table: &PublishedTable,
    claims: &[Claim],
    rate: Option<(u64, u64)>,
    totals_rounding: Rounding,
    rule: Option<RateRule>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let sum =
        |f: fn(&PublishedRow) -> u64| -> u128 { table.rows.iter().map(|r| u128::from(f(r))).sum() };
    let sums = [
        (Role::Total.name(), sum(|r| r.total)),
        (Role::Checked.name(), sum(|r| r.checked)),
        (Role::Failed.name(), sum(|r| r.failed)),
    ];

    // 1. The rows add up to the totals row.
    match &table.totals {
        Some(t) if table.rows.is_empty() => {
            out.push(pass(t!("published.only-totals", row = label(t))))
        }
        Some(t) => {
            for ((column, total), said) in sums.iter().zip([t.total, t.checked, t.failed]) {
                out.push(if *total == u128::from(said) {
                    pass(t!(
                        "published.sum-agrees",
                        column,
                        sum = total,
                        row = label(t)
                    ))
                } else {
                    fail(t!(
                        "published.sum-differs",
                        column,
                        sum = total,
                        row = label(t),
                        said
                    ))
                });
            }
        }
        None => out.push(pass(t!(
            "published.no-totals",
            total = sums[0].1,
            checked = sums[1].1,
            failed = sums[2].1
        ))),
    }

    // 2. Counts that are possible at all.
    for r in table.rows.iter().chain(&table.totals) {
        let row = label(r);
        let (total, checked, failed) = (r.total, r.checked, r.failed);
        out.push(if checked <= total {
            pass(t!("published.checked-within-total", row, checked, total))
        } else {
            fail(t!("published.checked-exceeds-total", row, checked, total))
        });
        out.push(if failed <= checked {
            pass(t!("published.failed-within-checked", row, failed, checked))
        } else {
            fail(t!("published.failed-exceeds-checked", row, failed, checked))
        });
    }

    // 3. The stated figures.
    let (basis, source) = match &table.totals {
        Some(t) => ([t.total, t.checked, t.failed].map(u128::from), label(t)),
        None => ([sums[0].1, sums[1].1, sums[2].1], t!("published.row-sums")),
    };
    let [b_total, b_checked, b_failed] = basis;
    for claim in claims {
        out.push(check_one(claim, b_total, b_checked, b_failed, &source));
    }

    // 4. The stated rate was met, by some rule an office could have applied.
    if let Some((p, q)) = rate {
        if q == 0 {
            out.push(fail(t!("published.zero-denominator", p, q)));
        } else {
            out.push(rate_finding(table, p, q, totals_rounding, rule));
        }
    }
    out
}

/// A rule by which an office turns a sampling rate into each row's number
/// of accounts to check (SPEC.md §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateRule {
    /// Every row ⌊N·p/q⌋ or ⌈N·p/q⌉, the rows rounded up having remainders
    /// no smaller than those rounded down, the total ⌈N·p/q⌉ or ⌊N·p/q⌋
    /// (choucha's own allocation, SPEC.md §4.1, gives ⌈⌉).
    LargestRemainder,
    /// Every row ⌊N·p/q⌋.
    Floor,
    /// Every row ⌈N·p/q⌉.
    Ceil,
    /// Every row at least ⌈N·p/q⌉ (an office may check more), the total at
    /// least the totals rounding of N·p/q.
    AtLeast,
}

impl RateRule {
    pub const ALL: [RateRule; 4] = [
        RateRule::LargestRemainder,
        RateRule::Floor,
        RateRule::Ceil,
        RateRule::AtLeast,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RateRule::LargestRemainder => "largest-remainder",
            RateRule::Floor => "floor",
            RateRule::Ceil => "ceil",
            RateRule::AtLeast => "at-least",
        }
    }
}

impl FromStr for RateRule {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<RateRule, String> {
        let s = s.trim().to_ascii_lowercase();
        RateRule::ALL
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| t!("published.unknown-rule", value = s))
    }
}

/// Whether the table's checked counts fit `rule` at rate p/q: what fits, or
/// the first thing that does not.
fn rule_fits(
    table: &PublishedTable,
    rule: RateRule,
    p: u64,
    q: u64,
    totals_rounding: Rounding,
) -> std::result::Result<String, String> {
    let (p, q) = (u128::from(p), u128::from(q));
    let lo = |n: u64| u128::from(n) * p / q;
    let hi = |n: u64| (u128::from(n) * p).div_ceil(q);
    let rem = |n: u64| (u128::from(n) * p) % q;
    let (n_all, t_all, total_row) = match &table.totals {
        Some(t) => (t.total, t.checked, label(t)),
        None => (
            table.rows.iter().map(|r| r.total).sum(),
            table.rows.iter().map(|r| r.checked).sum(),
            t!("published.row-sums"),
        ),
    };
    let row_breaks = |r: &PublishedRow, rounding: &str, need: u128| {
        t!(
            "published.rule-row",
            row = label(r),
            checked = r.checked,
            rounding,
            total = r.total,
            p,
            q,
            need
        )
    };
    match rule {
        RateRule::Floor | RateRule::Ceil => {
            let (name, f): (&str, &dyn Fn(u64) -> u128) = if rule == RateRule::Floor {
                ("floor", &lo)
            } else {
                ("ceil", &hi)
            };
            if let Some(r) = table
                .rows
                .iter()
                .find(|r| u128::from(r.checked) != f(r.total))
            {
                return Err(row_breaks(r, name, f(r.total)));
            }
            Ok(t!("published.rule-every-row", rounding = name, p, q))
        }
        RateRule::LargestRemainder => {
            if let Some(r) = table.rows.iter().find(|r| {
                let c = u128::from(r.checked);
                c != lo(r.total) && c != hi(r.total)
            }) {
                return Err(t!(
                    "published.rule-row-between",
                    row = label(r),
                    checked = r.checked,
                    total = r.total,
                    p,
                    q,
                    lo = lo(r.total),
                    hi = hi(r.total)
                ));
            }
            // Rounded up only where the remainder is at least that of every row rounded down.
            let up = table
                .rows
                .iter()
                .filter(|r| rem(r.total) > 0 && u128::from(r.checked) == hi(r.total))
                .min_by_key(|r| rem(r.total));
            let down = table
                .rows
                .iter()
                .filter(|r| rem(r.total) > 0 && u128::from(r.checked) == lo(r.total))
                .max_by_key(|r| rem(r.total));
            if let (Some(u), Some(d)) = (up, down)
                && rem(u.total) < rem(d.total)
            {
                return Err(t!(
                    "published.rule-remainders",
                    up = label(u),
                    up_rem = rem(u.total),
                    down = label(d),
                    down_rem = rem(d.total),
                    q
                ));
            }
            let t = u128::from(t_all);
            if t != hi(n_all) && t != lo(n_all) {
                return Err(t!(
                    "published.rule-total-between",
                    row = total_row,
                    checked = t_all,
                    total = n_all,
                    p,
                    q,
                    lo = lo(n_all),
                    hi = hi(n_all)
                ));
            }
            let rounding = if t == hi(n_all) { "ceil" } else { "floor" };
            Ok(t!(
                "published.rule-largest-remainder",
                p,
                q,
                row = total_row,
                checked = t_all,
                rounding,
                total = n_all
            ))
        }
        RateRule::AtLeast => {
            if let Some(r) = table
                .rows
                .iter()
                .find(|r| u128::from(r.checked) < hi(r.total))
            {
                return Err(t!(
                    "published.quota-short",
                    row = label(r),
                    checked = r.checked,
                    rounding = "ceil",
                    total = r.total,
                    p,
                    q,
                    need = hi(r.total)
                ));
            }
            let need = totals_rounding.apply(u128::from(n_all) * p, q);
            if u128::from(t_all) < need {
                return Err(t!(
                    "published.quota-short",
                    row = total_row,
                    checked = t_all,
                    rounding = totals_rounding.name(),
                    total = n_all,
                    p,
                    q,
                    need
                ));
            }
            Ok(t!("published.rule-at-least", p, q))
        }
    }
}

/// Check 4 as one finding: with `rule`, whether the counts fit it; else
/// which rules they fit (held if any), and why each other one does not.
fn rate_finding(
    table: &PublishedTable,
    p: u64,
    q: u64,
    totals_rounding: Rounding,
    rule: Option<RateRule>,
) -> Finding {
    if let Some(rule) = rule {
        return match rule_fits(table, rule, p, q, totals_rounding) {
            Ok(how) => pass(t!("published.rule-fits", rule = rule.name(), how)),
            Err(why) => fail(t!("published.rule-breaks", rule = rule.name(), why)),
        };
    }
    let results: Vec<(RateRule, std::result::Result<String, String>)> = RateRule::ALL
        .into_iter()
        .map(|r| (r, rule_fits(table, r, p, q, totals_rounding)))
        .collect();
    let fitting: Vec<&str> = results
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(rule, _)| rule.name())
        .collect();
    let others: Vec<String> = results
        .iter()
        .filter_map(|(rule, r)| {
            r.as_ref()
                .err()
                .map(|why| t!("published.rule-why", rule = rule.name(), why))
        })
        .collect();
    let sep = t!("published.clause-separator");
    match results.iter().find_map(|(_, r)| r.as_ref().ok()) {
        Some(how) => {
            let mut what = t!("published.rate-fits", p, q, rules = fitting.join(", "), how);
            if !others.is_empty() {
                what.push_str(&t!("published.rate-not", list = others.join(&sep)));
            }
            pass(what)
        }
        None => fail(t!(
            "published.rate-fits-none",
            p,
            q,
            list = others.join(&sep)
        )),
    }
}

fn check_one(claim: &Claim, total: u128, checked: u128, failed: u128, source: &str) -> Finding {
    let raw = &claim.raw;
    let passed = checked.checked_sub(failed);
    let impossible = || {
        fail(t!(
            "published.claim-impossible",
            claim = raw,
            source,
            failed,
            checked
        ))
    };
    match (&claim.value, claim.name) {
        (ClaimValue::Count(v), ClaimName::Passed) => match passed {
            None => impossible(),
            Some(p) if p == u128::from(*v) => pass(t!(
                "published.passed-agrees",
                claim = raw,
                source,
                checked,
                failed,
                passed = p
            )),
            Some(p) => fail(t!(
                "published.passed-differs",
                claim = raw,
                source,
                checked,
                failed,
                passed = p,
                value = v
            )),
        },
        (ClaimValue::Count(v), name) => {
            let (column, actual) = match name {
                ClaimName::Checked => (Role::Checked.name(), checked),
                ClaimName::Failed => (Role::Failed.name(), failed),
                ClaimName::Total => (Role::Total.name(), total),
                ClaimName::Passed | ClaimName::PassRate => {
                    return fail(t!("published.rate-takes-percent", claim = raw, value = v));
                }
            };
            if actual == u128::from(*v) {
                pass(t!(
                    "published.count-agrees",
                    claim = raw,
                    source,
                    column,
                    actual
                ))
            } else {
                fail(t!(
                    "published.count-differs",
                    claim = raw,
                    source,
                    column,
                    actual,
                    value = v
                ))
            }
        }
        (ClaimValue::Percent(pc), ClaimName::PassRate) => {
            let Some(p) = passed else {
                return impossible();
            };
            let (Ok(num), Ok(den)) = (u64::try_from(p), u64::try_from(checked)) else {
                return fail(t!("published.rate-too-large", claim = raw, source, checked));
            };
            if den == 0 {
                return fail(t!("published.rate-undefined", claim = raw, source));
            }
            let decimals = decimals_text(pc.decimals);
            let shown = percent_half_up(num, den, pc.decimals);
            let finer = percent_half_up(num, den, pc.decimals + 2);
            let finer_decimals = decimals_text(pc.decimals + 2);
            if claim_agrees(pc, num, den) {
                pass(t!(
                    "published.rate-agrees",
                    claim = raw,
                    source,
                    passed = num,
                    checked = den,
                    shown,
                    decimals,
                    finer,
                    finer_decimals
                ))
            } else {
                fail(t!(
                    "published.rate-differs",
                    claim = raw,
                    source,
                    passed = num,
                    checked = den,
                    shown,
                    decimals,
                    finer,
                    finer_decimals,
                    value = pc.value()
                ))
            }
        }
        (ClaimValue::Percent(pc), name) => fail(t!(
            "published.count-takes-number",
            claim = raw,
            name = name.as_str(),
            value = pc.text
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANHUI_NEW_MEDIA: &str = "\
序号,省直厅局/各市,运行政务新媒体总数,检查政务新媒体数,存在突出问题的政务新媒体数
1,省直厅局,173,87,3
2,合肥市,364,182,0
3,淮北市,133,66,0
4,亳州市,133,66,1
5,宿州市,279,140,0
6,蚌埠市,173,86,0
7,阜阳市,259,130,0
8,淮南市,126,63,0
9,滁州市,195,98,0
10,六安市,145,72,0
11,马鞍山市,177,89,0
12,芜湖市,180,90,0
13,宣城市,244,122,0
14,铜陵市,126,63,0
15,池州市,167,83,0
16,安庆市,226,113,0
17,黄山市,216,108,1
,合计,3316,1658,5
";

    fn table(text: &str) -> PublishedTable {
        parse_table(text, "t.csv").unwrap()
    }

    fn table_err(text: &str) -> String {
        parse_table(text, "t.csv").unwrap_err().to_string()
    }

    fn claims(list: &[&str]) -> Vec<Claim> {
        list.iter().map(|s| parse_claim(s).unwrap()).collect()
    }

    fn failures(findings: &[Finding]) -> Vec<&str> {
        findings
            .iter()
            .filter(|f| !f.ok)
            .map(|f| f.what.as_str())
            .collect()
    }

    /// The finding whose text starts with `prefix`; exactly one must.
    fn finding<'a>(findings: &'a [Finding], prefix: &str) -> &'a Finding {
        let hits: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.what.starts_with(prefix))
            .collect();
        assert_eq!(hits.len(), 1, "{prefix}: {findings:#?}");
        hits[0]
    }

    #[test]
    fn anhui_new_media_table_parses() {
        let t = table(ANHUI_NEW_MEDIA);
        assert_eq!(t.rows.len(), 17);
        assert_eq!(
            t.rows[0],
            PublishedRow {
                line: 2,
                stratum: "省直厅局".into(),
                total: 173,
                checked: 87,
                failed: 3
            }
        );
        assert_eq!(t.rows[5].stratum, "蚌埠市");
        assert_eq!(t.rows[5].line, 7);
        let totals = t.totals.unwrap();
        assert_eq!(
            (
                totals.line,
                totals.stratum.as_str(),
                totals.total,
                totals.checked,
                totals.failed
            ),
            (19, "合计", 3316, 1658, 5)
        );
    }

    #[test]
    fn anhui_sums_and_true_claims_hold() {
        let t = table(ANHUI_NEW_MEDIA);
        let c = claims(&[
            "checked=1658",
            "failed=5",
            "total=3316",
            "passed=1653",
            "pass-rate=99.70%",
            "pass-rate=99.7%",
            "合格率=99.70％",
        ]);
        let f = check_claims(&t, &c, None, Rounding::Floor);
        assert!(failures(&f).is_empty(), "{f:#?}");
        // 3 sums, 2 per row for 18 rows, 7 claims.
        assert_eq!(f.len(), 3 + 2 * 18 + 7);
        assert_eq!(
            finding(&f, "checked: the rows").what,
            "checked: the rows add up to 1658, as 合计 (line 19) says"
        );
        assert_eq!(
            finding(&f, "pass-rate=99.70% ").what,
            "pass-rate=99.70% agrees with 合计 (line 19): 1653 passed of 1658 checked is 99.70% \
             rounded half-up to 2 decimals (99.6984% to 4 decimals)"
        );
    }

    #[test]
    fn anhui_false_claims_fail_naming_both_values() {
        let t = table(ANHUI_NEW_MEDIA);
        let c = claims(&["pass-rate=99.69%", "checked=1659", "passed=1658"]);
        let f = check_claims(&t, &c, None, Rounding::Floor);
        assert_eq!(
            failures(&f),
            vec![
                "pass-rate=99.69% disagrees with 合计 (line 19): 1653 passed of 1658 checked is 99.70% \
                 rounded half-up to 2 decimals (99.6984% to 4 decimals), not 99.69%",
                "checked=1659 disagrees with 合计 (line 19): checked is 1658, not 1659",
                "passed=1658 disagrees with 合计 (line 19): checked 1658 − failed 5 = 1653, not 1658",
            ]
        );
    }

    #[test]
    fn rows_that_do_not_add_up_are_flagged_by_column() {
        let text = ANHUI_NEW_MEDIA.replace("6,蚌埠市,173,86,0", "6,蚌埠市,173,86,2");
        let f = check_claims(&table(&text), &[], None, Rounding::Floor);
        assert_eq!(
            failures(&f),
            vec!["failed: the rows add up to 7 but 合计 (line 19) says 5"]
        );
        let text = ANHUI_NEW_MEDIA.replace(",合计,3316,1658,5", ",合计,3317,1657,5");
        let f = check_claims(&table(&text), &[], None, Rounding::Floor);
        assert_eq!(
            failures(&f),
            vec![
                "total: the rows add up to 3316 but 合计 (line 19) says 3317",
                "checked: the rows add up to 1658 but 合计 (line 19) says 1657",
            ]
        );
    }

    #[test]
    fn the_anhui_table_fits_largest_remainder_and_says_why_not_the_others() {
        let t = table(ANHUI_NEW_MEDIA);
        let f = check_claims(&t, &[], Some((1, 2)), Rounding::Floor);
        assert!(failures(&f).is_empty(), "{:#?}", failures(&f));
        let rate = finding(&f, "rate 1/2:");
        assert_eq!(
            rate.what,
            "rate 1/2: the checked counts fit largest-remainder: every row checks floor or ceil \
             of N × 1/2, the rows rounded up having the largest remainders, and 合计 (line 19) \
             checks 1658 = ceil(3316 × 1/2); they do not fit floor (省直厅局 (line 2): checked 87 \
             is not floor(173 × 1/2) = 86); ceil (淮北市 (line 4): checked 66 is not \
             ceil(133 × 1/2) = 67); at-least (淮北市 (line 4): checked 66 is below \
             ceil(133 × 1/2) = 67)"
        );
        // One rule, strictly.
        let f =
            check_claims_with_rule(&t, &[], Some((1, 2)), Rounding::Floor, Some(RateRule::Ceil));
        assert_eq!(
            failures(&f),
            vec![
                "the table does not fit ceil: 淮北市 (line 4): checked 66 is not ceil(133 × 1/2) = 67"
            ]
        );
        let f = check_claims_with_rule(
            &t,
            &[],
            Some((1, 2)),
            Rounding::Floor,
            Some(RateRule::LargestRemainder),
        );
        assert!(failures(&f).is_empty());
    }

    #[test]
    fn largest_remainder_rounds_up_the_largest_remainders_only() {
        // At 1/3: 4 → 1.33, 5 → 1.67; the total ceil(9/3) = 3 gives the one
        // extra account to the 5 (remainder 2/3), not to the 4 (1/3).
        let right = table("stratum,total,checked,failed\nA,4,1,0\nB,5,2,0\ntotal,9,3,0\n");
        let f = check_claims(&right, &[], Some((1, 3)), Rounding::Ceil);
        assert!(finding(&f, "rate 1/3").ok);
        assert!(
            finding(&f, "rate 1/3")
                .what
                .contains("fit largest-remainder:")
        );
        let wrong = table("stratum,total,checked,failed\nA,4,2,0\nB,5,1,0\ntotal,9,3,0\n");
        let f = check_claims(&wrong, &[], Some((1, 3)), Rounding::Ceil);
        let what = &finding(&f, "rate 1/3").what;
        assert!(!finding(&f, "rate 1/3").ok, "{what}");
        assert!(
            what.contains(
                "largest-remainder (A (line 2) was rounded up with remainder 1/3 while B (line 3) \
                 was rounded down with the larger 2/3)"
            ),
            "{what}"
        );
        // A total neither rounding of N × p/q.
        let total = table("stratum,total,checked,failed\nA,4,1,0\nB,5,1,0\ntotal,9,2,0\n");
        let f = check_claims_with_rule(
            &total,
            &[],
            Some((1, 3)),
            Rounding::Ceil,
            Some(RateRule::LargestRemainder),
        );
        assert_eq!(
            failures(&f),
            vec![
                "the table does not fit largest-remainder: total (line 4): checked 2 is neither \
                  floor(9 × 1/3) = 3 nor ceil = 3"
            ]
        );
    }

    #[test]
    fn at_least_takes_more_than_the_rate_and_the_totals_rounding() {
        // The office checked every account of one row: only at-least fits.
        let t = table("stratum,total,checked,failed\nA,3,3,0\nB,4,2,0\ntotal,7,5,0\n");
        for r in [Rounding::Floor, Rounding::Ceil, Rounding::HalfUp] {
            let f = check_claims(&t, &[], Some((1, 2)), r);
            assert!(failures(&f).is_empty());
            assert!(finding(&f, "rate 1/2").what.contains("fit at-least:"));
        }
        let t = table("stratum,total,checked,failed\nA,3,2,0\nB,4,1,0\ntotal,7,3,0\n");
        let f = check_claims_with_rule(
            &t,
            &[],
            Some((1, 2)),
            Rounding::HalfUp,
            Some(RateRule::AtLeast),
        );
        assert_eq!(
            failures(&f),
            vec![
                "the table does not fit at-least: B (line 3): checked 1 is below ceil(4 × 1/2) = 2"
            ]
        );
        let f = check_claims(&t, &[], Some((1, 2)), Rounding::Floor);
        assert!(
            finding(&f, "rate 1/2")
                .what
                .starts_with("rate 1/2: the checked counts fit no allocation rule")
        );
        let f = check_claims(&t, &[], Some((1, 0)), Rounding::Floor);
        assert_eq!(
            failures(&f),
            vec!["rate 1/0 has a zero denominator; no quota is defined"]
        );
        assert_eq!(
            "LARGEST-remainder".parse::<RateRule>(),
            Ok(RateRule::LargestRemainder)
        );
        assert!("hamilton".parse::<RateRule>().is_err());
    }

    #[test]
    fn rounding_rules() {
        assert_eq!(Rounding::Floor.apply(7, 2), 3);
        assert_eq!(Rounding::Ceil.apply(7, 2), 4);
        assert_eq!(Rounding::HalfUp.apply(7, 2), 4);
        assert_eq!(Rounding::HalfUp.apply(7, 3), 2);
        assert_eq!(Rounding::HalfUp.apply(8, 3), 3);
        assert_eq!(Rounding::Ceil.apply(6, 2), 3);
        assert_eq!("half-up".parse::<Rounding>(), Ok(Rounding::HalfUp));
        assert_eq!(" Ceil ".parse::<Rounding>(), Ok(Rounding::Ceil));
        assert!(
            "up".parse::<Rounding>()
                .unwrap_err()
                .contains("floor, ceil, half-up")
        );
    }

    #[test]
    fn english_headers_and_a_totals_row_named_total() {
        let t = table(
            "no,stratum,total,checked,failed\n1,Hefei,364,182,0\n2,Huaibei,133,131,2\n,total,497,313,2\n",
        );
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1].checked, 131);
        assert_eq!(t.totals.as_ref().map(|r| r.stratum.as_str()), Some("total"));
        let f = check_claims(&t, &claims(&["checked=313"]), None, Rounding::Floor);
        assert!(failures(&f).is_empty(), "{f:#?}");
        // Case and column order do not matter; the number column is optional.
        let t = table("Failed,Checked,Region,Population\n0,1,A,2\n0,1,B,2\n0,2,TOTALS,4\n");
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.totals.unwrap().total, 4);
    }

    #[test]
    fn a_pass_rate_of_131_of_133() {
        let t = table("stratum,total,checked,failed\n淮北市,133,133,2\n");
        assert!(t.totals.is_none());
        let f = check_claims(
            &t,
            &claims(&["pass-rate=98.50%", "pass-rate=98.5%", "passed=131"]),
            None,
            Rounding::Floor,
        );
        assert!(failures(&f).is_empty(), "{f:#?}");
        assert_eq!(
            f[0].what,
            "no totals row; sums are total 133, checked 133, failed 2"
        );
        assert!(
            finding(&f, "pass-rate=98.50%")
                .what
                .contains("the row sums (no totals row): 131 passed of 133 checked is 98.50%")
        );
        let f = check_claims(&t, &claims(&["pass-rate=98.49%"]), None, Rounding::Floor);
        assert_eq!(failures(&f).len(), 1);
    }

    #[test]
    fn impossible_rows_are_flagged() {
        let t = table("stratum,total,checked,failed\nA,10,11,0\nB,10,5,6\n");
        let f = check_claims(&t, &claims(&["pass-rate=100%"]), None, Rounding::Floor);
        assert_eq!(
            failures(&f),
            vec![
                "A (line 2): checked 11 exceeds total 10",
                "B (line 3): failed 6 exceeds checked 5",
                "pass-rate=100% disagrees with the row sums (no totals row): 10 passed of 16 checked \
                 is 63% rounded half-up to 0 decimals (62.50% to 2 decimals), not 100%",
            ]
        );
        let t = table("stratum,total,checked,failed\nA,10,0,0\n");
        let f = check_claims(&t, &claims(&["pass-rate=100%"]), None, Rounding::Floor);
        assert_eq!(
            failures(&f),
            vec![
                "pass-rate=100% cannot hold: the row sums (no totals row) has checked 0, so no pass rate is defined"
            ]
        );
    }

    #[test]
    fn blank_or_spaced_totals_labels_and_empty_rows() {
        let t = table(
            "序号,省直厅局/各市,运行网站总数,检查网站数,存在突出问题的网站数\n1,A,5,5,0\n,,,,\n\n合计,,5,5,0\n",
        );
        assert_eq!(t.rows.len(), 1);
        let totals = t.totals.unwrap();
        assert_eq!((totals.line, totals.stratum.as_str()), (5, ""));
        let f = check_claims(
            &parse_table("stratum,total,checked,failed\nA,5,5,0\n,5,5,0\n", "t.csv").unwrap(),
            &[],
            None,
            Rounding::Floor,
        );
        assert_eq!(
            f[0].what,
            "total: the rows add up to 5, as the totals row (line 3) says"
        );
        let t = table("stratum,total,checked,failed\nA,5,5,0\n合　　计,5,5,0\n");
        assert_eq!(t.totals.unwrap().stratum, "合　　计");
        let t = table("stratum,total,checked,failed\n总计,5,5,0\n");
        assert!(t.rows.is_empty());
        let f = check_claims(&t, &claims(&["total=5"]), None, Rounding::Floor);
        assert!(failures(&f).is_empty());
        assert!(f[0].what.starts_with("only 总计 (line 2) is given"));
    }

    #[test]
    fn line_numbers_count_blank_lines_crlf_and_quoted_line_breaks() {
        let t = table("stratum,total,checked,failed\r\nA,1,1,0\r\n\r\nB,1,1,0\r\n");
        assert_eq!(t.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 4]);
        let t = table("no,stratum,total,checked,failed\n\"x\ny\",A,1,1,0\n\n\n,B,1,1,0\n,,2,2,0");
        assert_eq!(t.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 6]);
        assert_eq!(t.totals.unwrap().line, 7);
        let e = table_err("stratum,total,checked,failed\r\nA,1,1,0\r\n\r\nB,1,x,0\r\n");
        assert!(e.starts_with("t.csv: line 4: column \"checked\""), "{e}");
    }

    #[test]
    fn header_refusals_name_line_1_and_what_is_expected() {
        assert!(table_err("").contains("t.csv: the file is empty"));
        let e = table_err("stratum,total,checked\nA,1,1\n");
        assert!(
            e.starts_with(
                "t.csv: line 1: no failed column (expected a header containing 存在突出问题"
            ),
            "{e}"
        );
        assert!(
            e.contains("the header has \"stratum\", \"total\", \"checked\""),
            "{e}"
        );
        let e = table_err("name,a,b,c\n");
        for what in [
            "no stratum column",
            "no total column",
            "no checked column",
            "no failed column",
        ] {
            assert!(e.contains(what), "{e}");
        }
        let e = table_err("stratum,region,total,checked,failed\n");
        assert!(
            e.contains("columns \"stratum\" and \"region\" are both the stratum column"),
            "{e}"
        );
        assert!(table_err("stratum,total,checked,failed\n").contains("no rows"));
        // "检查发现存在突出问题数" is the failed column, not a second checked column.
        let t = table("地区,运行总数,检查数,检查发现存在突出问题数\nA,4,2,1\n");
        assert_eq!((t.rows[0].checked, t.rows[0].failed), (2, 1));
    }

    #[test]
    fn row_refusals_name_file_line_column_and_value() {
        let e = table_err("stratum,total,checked,failed\nA,1,1,0\nB,\"3,316\",1,0\n");
        assert_eq!(
            e,
            "t.csv: line 3: column \"total\": \"3,316\" is not a whole number; expected a whole number \
             (digits only, no thousands separators)"
        );
        for bad in ["-1", "1.5", "", "１", "x", "99999999999999999999999"] {
            let e = table_err(&format!("stratum,total,checked,failed\nA,5,{bad},0\n"));
            assert!(
                e.starts_with("t.csv: line 2: column \"checked\": ")
                    && e.contains("a whole number"),
                "{bad}: {e}"
            );
        }
        assert_eq!(
            table("stratum,total,checked,failed\nA, 5 ,\u{3000}3,0\n").rows[0].checked,
            3
        );
        let e = table_err("stratum,total,checked,failed\nA,5,3\n");
        assert!(
            e.contains("line 2: has 3 fields but the \"failed\" column is field 4"),
            "{e}"
        );
        let e = table_err("stratum,total,checked,failed\nA,1,1,0\nB,1,1,0\n A ,1,1,0\n");
        assert_eq!(
            e,
            "t.csv: line 4: stratum \"A\" is already on line 2; each stratum has one row"
        );
        let e = table_err("stratum,total,checked,failed\nA,1,1,0\n合计,1,1,0\ntotal,1,1,0\n");
        assert!(
            e.starts_with("t.csv: line 4: a second totals row (the first is on line 3)"),
            "{e}"
        );
        let e = table_err("stratum,total,checked,failed\n\"A\tB\",1,1,0\n");
        assert!(e.contains("line 2: column \"stratum\""), "{e}");
    }

    #[test]
    fn claims_parse_in_english_and_chinese() {
        let c = parse_claim(" checked=1658 ").unwrap();
        assert_eq!(
            c,
            Claim {
                name: ClaimName::Checked,
                raw: "checked=1658".into(),
                value: ClaimValue::Count(1658)
            }
        );
        assert_eq!(parse_claim("检查数=1658").unwrap().name, ClaimName::Checked);
        assert_eq!(parse_claim("问题数=5").unwrap().name, ClaimName::Failed);
        assert_eq!(parse_claim("总数=3316").unwrap().name, ClaimName::Total);
        assert_eq!(
            parse_claim("Passed = 1653").unwrap().value,
            ClaimValue::Count(1653)
        );
        let r = parse_claim("合格率=99.70%").unwrap();
        assert_eq!(r.name, ClaimName::PassRate);
        match r.value {
            ClaimValue::Percent(p) => assert_eq!((p.scaled, p.decimals), (9970, 2)),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_claim("pass-rate=99.7").unwrap().name,
            ClaimName::PassRate
        );
    }

    #[test]
    fn malformed_claims_say_what_is_accepted() {
        for s in [
            "checked",
            "rate=5",
            "=5",
            "checked=1,658",
            "checked=99.7%",
            "failed=-1",
            "pass-rate=abc",
            "pass-rate=",
        ] {
            let e = parse_claim(s).unwrap_err();
            assert!(e.starts_with(&format!("claim {s:?}")), "{s}: {e}");
            assert!(e.contains("accepted:"), "{s}: {e}");
        }
        assert!(
            parse_claim("checked=x")
                .unwrap_err()
                .contains("is not a whole number")
        );
        assert!(
            parse_claim("rate=5")
                .unwrap_err()
                .contains("unknown name \"rate\"")
        );
    }

    #[test]
    fn mistyped_claims_built_by_hand_fail_rather_than_panic() {
        let t = table(ANHUI_NEW_MEDIA);
        let wrong = [
            Claim {
                name: ClaimName::PassRate,
                raw: "x".into(),
                value: ClaimValue::Count(1),
            },
            Claim {
                name: ClaimName::Checked,
                raw: "y".into(),
                value: ClaimValue::Percent(parse_percent("5%").unwrap()),
            },
        ];
        let f = check_claims(&t, &wrong, None, Rounding::Floor);
        assert_eq!(failures(&f).len(), 2);
    }
}
