//! The notice's table, recomputed from the records (pure).
//!
//! One row per stratum in the order fixed at init (else the roster's order of
//! first appearance): 序号, the stratum, accounts in operation (the roster),
//! checked (the sample), with outstanding problems (final verdict fail); a
//! totals row; and the headline pass rate (checked − failed) / checked,
//! rounded half-up to two decimals. The canonical form is compact JSON plus
//! LF; its SHA-256 is what `report --publish` records (SPEC.md §8).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::audit::percent::percent_half_up;
use crate::i18n::Lang;
use crate::log::records::ReportPublished;
use crate::log::state::RoundState;
use crate::results::verdict::Verdict;
use crate::sampling::manifest::Manifest;
use crate::tl;

pub const TABLE_FORMAT: &str = "choucha-table/1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub format: String,
    pub round: String,
    pub title: String,
    pub population: String,
    pub rows: Vec<Row>,
    pub totals: Counts,
    pub pass_rate: PassRate,
    /// Sampled accounts still without a result (a draft while non-empty).
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub no: u64,
    pub stratum: String,
    pub total: u64,
    pub checked: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub total: u64,
    pub checked: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassRate {
    pub passed: u64,
    pub checked: u64,
    /// The exact rate, "passed/checked".
    pub fraction: String,
    /// Rounded half-up to two decimals, e.g. "99.70%".
    pub percent: String,
}

impl Table {
    /// Compact JSON and a LF: `choucha report --format json` prints exactly
    /// these bytes, so `… | sha256sum` gives the published digest.
    pub fn canonical(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec(self).expect("table serialises");
        out.push(b'\n');
        out
    }

    pub fn published_record(&self) -> ReportPublished {
        ReportPublished {
            table_sha256: crate::base::digest::sha256_hex(&self.canonical()),
            total: self.totals.total,
            checked: self.totals.checked,
            failed: self.totals.failed,
            pass_rate: self.pass_rate.percent.clone(),
            fraction: self.pass_rate.fraction.clone(),
        }
    }
}

/// The order of the table's rows: the order fixed at init, then any other
/// stratum in the roster's order of first appearance.
pub fn strata_order(state: &RoundState) -> Vec<String> {
    let mut order: Vec<String> = state.opened.order.clone();
    if let Some(roster) = &state.roster {
        for s in &roster.order {
            if !order.contains(s) {
                order.push(s.clone());
            }
        }
    }
    order
}

/// Recomputes the table from the log's state and the manifest.
pub fn compute(state: &RoundState, manifest: &Manifest) -> Table {
    compute_with(state, manifest, |_, id| {
        state.results.get(id).map(|r| r.verdict)
    })
}

/// [`compute`] with each sampled id's final verdict given by
/// `verdict(place, id)`, `place` being the id's place in the manifest
/// counted over its strata in their order (`verify` notes the verdicts by
/// place as it checks the results).
pub fn compute_with(
    state: &RoundState,
    manifest: &Manifest,
    verdict: impl Fn(usize, &str) -> Option<Verdict>,
) -> Table {
    let starts = manifest.strata_starts();
    let population: HashMap<&str, u64> = state
        .roster
        .as_ref()
        .map(|r| r.strata.iter().map(|(k, &v)| (k.as_str(), v)).collect())
        .unwrap_or_default();
    let mut rows = Vec::new();
    let mut missing = Vec::new();
    for name in strata_order(state) {
        let Some(k) = manifest.strata.iter().position(|s| s.name == name) else {
            continue;
        };
        let s = &manifest.strata[k];
        let mut failed = 0;
        for (rank, id) in s.ids.iter().enumerate() {
            match verdict(starts[k] + rank, id) {
                None => missing.push(id.to_string()),
                Some(Verdict::Fail) => failed += 1,
                Some(Verdict::Pass) => {}
            }
        }
        rows.push(Row {
            no: rows.len() as u64 + 1,
            stratum: name.clone(),
            total: population
                .get(name.as_str())
                .copied()
                .unwrap_or(s.population),
            checked: s.quota,
            failed,
        });
    }
    let totals = Counts {
        total: rows.iter().map(|r| r.total).sum(),
        checked: rows.iter().map(|r| r.checked).sum(),
        failed: rows.iter().map(|r| r.failed).sum(),
    };
    let passed = totals.checked - totals.failed;
    Table {
        format: TABLE_FORMAT.into(),
        round: state.opened.round.clone(),
        title: state.opened.title_or_default(),
        population: state.opened.population.clone(),
        rows,
        totals,
        pass_rate: PassRate {
            passed,
            checked: totals.checked,
            fraction: format!("{passed}/{}", totals.checked),
            percent: percent_half_up(passed, totals.checked, 2),
        },
        missing,
    }
}

impl Table {
    pub fn headline(&self, lang: Lang) -> String {
        let t = &self.totals;
        let p = &self.pass_rate;
        tl!(
            lang,
            "report.headline",
            total = t.total,
            checked = t.checked,
            failed = t.failed,
            percent = p.percent,
            fraction = p.fraction,
        )
    }

    /// The draft notice while results are missing.
    pub fn missing_note(&self, lang: Lang) -> Option<String> {
        if self.missing.is_empty() {
            return None;
        }
        let shown: Vec<&str> = self.missing.iter().take(20).map(String::as_str).collect();
        let more = if self.missing.len() > shown.len() {
            " …"
        } else {
            ""
        };
        Some(tl!(
            lang,
            "report.draft",
            count = self.missing.len(),
            ids = shown.join(&tl!(lang, "report.list-separator")),
            more,
        ))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The notice's one-row example table, for this module's tests and `output`'s.
    pub(crate) fn table(missing: &[&str]) -> Table {
        Table {
            format: TABLE_FORMAT.into(),
            round: "r".into(),
            title: "t".into(),
            population: "政府网站".into(),
            rows: vec![Row {
                no: 1,
                stratum: "合肥市".into(),
                total: 3316,
                checked: 1658,
                failed: 5,
            }],
            totals: Counts {
                total: 3316,
                checked: 1658,
                failed: 5,
            },
            pass_rate: PassRate {
                passed: 1653,
                checked: 1658,
                fraction: "1653/1658".into(),
                percent: "99.70%".into(),
            },
            missing: missing.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn headline_and_draft_note_in_both_languages() {
        let t = table(&["A1", "B2"]);
        assert_eq!(
            t.headline(Lang::Zh),
            "运行总数3316个，抽查1658个，存在突出问题5个，合格率99.70%（1653/1658）"
        );
        assert_eq!(
            t.headline(Lang::En),
            "3316 in operation, 1658 checked, 5 with outstanding problems, pass rate 99.70% (1653/1658)"
        );
        assert_eq!(
            t.missing_note(Lang::Zh).unwrap(),
            "草稿：尚有2个抽查账号没有检查结果：A1、B2"
        );
        assert_eq!(
            t.missing_note(Lang::En).unwrap(),
            "draft: 2 sampled accounts have no result yet: A1, B2"
        );
        assert!(table(&[]).missing_note(Lang::Zh).is_none());
        let html = t.to_html(Lang::Zh, &[]);
        assert!(html.contains("<html lang=\"zh-CN\">"), "{html}");
        assert!(t.to_html(Lang::En, &[]).contains("<html lang=\"en\">"));
        let md = t.to_markdown(Lang::En);
        assert!(
            md.contains("| no | stratum | total | checked | failed |"),
            "{md}"
        );
    }
}
