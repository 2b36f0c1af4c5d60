//! `verify`: every check an auditor needs, from scratch, trusting no earlier
//! run (SPEC.md §9). Pure: takes the bytes of the round's files and the
//! published numbers, returns one finding per check.

use std::collections::HashMap;

use crate::audit::percent::claim_agrees;
use crate::audit::published::{Claim, ClaimName, ClaimValue, PublishedTable};
use crate::audit::report::{Table, compute_with};
use crate::log::chain::{Defect, Log, Record};
use crate::log::records::{Repaired, ReportPublished};
use crate::log::state::{IdSequences, ResultBrief, ResultViews, RoundState, first_id_error};
use crate::results::batch::check_reasons;
use crate::results::idmatch::{ABSENT, SortedIds};
use crate::roster::canonical::parse_canonical;
use crate::sampling::manifest::{Manifest, draw_manifest};
use crate::t;

/// One line of the verdict: a check and whether it held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub check: &'static str,
    pub ok: bool,
    /// False for a check that could not be run because an earlier one
    /// failed: it does not hold, but it is no failure of its own, and the
    /// verdict counts it apart.
    pub checked: bool,
    pub detail: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&finding_line(self.ok, self.check, &self.detail))
    }
}

/// One line of the verdict: `ok      roster: …` or `FAILED  roster: …`.
pub fn finding_line(ok: bool, check: &str, detail: &str) -> String {
    let check = check_name(check);
    if ok {
        t!("verify.line-ok", check, detail)
    } else {
        t!("verify.line-failed", check, detail)
    }
}

/// A check's name as the user reads it (`check` is its English id).
pub fn check_name(check: &str) -> String {
    match check {
        "chain" => t!("verify.check-chain"),
        "order" => t!("verify.check-order"),
        "roster" => t!("verify.check-roster"),
        "draw" => t!("verify.check-draw"),
        "results" => t!("verify.check-results"),
        "report" => t!("verify.check-report"),
        "published table" => t!("verify.check-published-table"),
        "claim" => t!("verify.check-claim"),
        "checkpoint" => t!("verify.check-checkpoint"),
        "signature" => t!("verify.check-signature"),
        "repairs" => t!("verify.check-repairs"),
        "checkpoint records" => t!("verify.check-checkpoint-records"),
        "witnesses" => t!("verify.check-witnesses"),
        other => other.to_string(),
    }
}

pub struct Inputs<'a> {
    /// The log checked, with its results and amendments decoded.
    pub log: &'a Result<(Log, ResultViews), Defect>,
    /// None when the copy checked holds no roster (a bundle without it).
    pub roster_tsv: Option<&'a [u8]>,
    /// SHA-256 (hex) of roster.tsv, taken when it was read.
    pub roster_tsv_sha256: &'a str,
    pub manifest: &'a [u8],
    /// SHA-256 (hex) of manifest.json, taken when it was read.
    pub manifest_sha256: &'a str,
    /// A published table and its file name.
    pub published: Option<(&'a PublishedTable, &'a str)>,
    pub claims: &'a [Claim],
    /// The side files named by the log's `repaired` records, as read from
    /// the round directory ([`side_file_names`]): each name, and its bytes,
    /// or None when it is not there, or why it could not be read.
    pub side_files: &'a [(String, SideFile)],
}

/// A side file of `log repair` as `verify` found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SideFile {
    Absent,
    Unreadable(String),
    Bytes(Vec<u8>),
}

struct Out(Vec<Finding>);

impl Out {
    fn ok(&mut self, check: &'static str, detail: String) {
        self.0.push(Finding {
            check,
            ok: true,
            checked: true,
            detail,
        });
    }
    fn failed(&mut self, check: &'static str, detail: String) {
        self.0.push(Finding {
            check,
            ok: false,
            checked: true,
            detail,
        });
    }
    fn skipped(&mut self, checks: &[&'static str], why: &str) {
        for check in checks {
            self.0.push(Finding {
                check,
                ok: false,
                checked: false,
                detail: t!("verify.not-checked", why),
            });
        }
    }
}

const AFTER_ORDER: &[&str] = &["roster", "draw", "results", "report"];

/// Runs every check; the verdict is ok only when every finding is.
pub fn verify(inputs: &Inputs<'_>) -> Vec<Finding> {
    let mut out = Out(Vec::new());
    // 1. The chain.
    let (log, views) = match inputs.log {
        Ok((log, views)) => {
            out.ok(
                "chain",
                t!(
                    "verify.chain-ok",
                    lines = log.lines.len(),
                    head = log.head()
                ),
            );
            (log, views)
        }
        Err(d) => {
            out.failed("chain", t!("verify.chain-failed", defect = d));
            out.skipped(&[&["order"], AFTER_ORDER].concat(), &t!("verify.why-chain"));
            return out.0;
        }
    };
    // Checks 3 and 4 (roster.tsv and the redraw) need only the log up to the
    // draw; check 2 (the order, a replay of every record) needs all of it;
    // checks 5 to 7 (the results and the published numbers) need the replay
    // and the sample as manifest.json lists it, both sorted by id. The
    // replay and the sorts run on one core, the roster's checks and the
    // redraw on the other (with the search for a repeated id beside them).
    let early = RoundState::through_draw(log);
    // Parsed by the first core, read by both after.
    let manifest_cell = std::sync::OnceLock::new();
    let ((order, replayed, results, sample), roster_draw) = crate::base::par::join(
        || {
            // The results' ids sorted: each id's sequence of results is
            // checked from them, for the replay, and check 5 matches them
            // to the sample.
            let briefs: Vec<ResultBrief<'_>> = views.briefs().collect();
            let ids = SortedIds::new(briefs.iter().map(|b| b.id));
            let checked = match &ids {
                Some(ids) => IdSequences::Checked(first_id_error(&briefs, ids)),
                None => IdSequences::Indexed,
            };
            let (order, replayed) = order(log, views, checked);
            let manifest = manifest_cell
                .get_or_init(|| serde_json::from_slice::<Manifest>(inputs.manifest).ok());
            let sample = manifest.as_ref().and_then(|m| {
                SortedIds::new(
                    m.strata
                        .iter()
                        .flat_map(|s| s.ids.iter().map(|id| id.as_ref())),
                )
            });
            (order, replayed, (briefs, ids), sample)
        },
        || match &early {
            Ok(st) if st.drawn.is_some() => roster_and_draw(inputs, st),
            _ => Vec::new(),
        },
    );
    let manifest = manifest_cell.get().and_then(Option::as_ref);
    let order_ok = order.ok;
    out.0.push(order);
    match replayed {
        Some(state) if order_ok => {
            out.0.extend(roster_draw);
            let sampled = manifest.map(|m| (m, sample.as_ref()));
            let (briefs, result_ids) = &results;
            out.0.extend(results_and_numbers(
                inputs,
                log,
                &state,
                views,
                sampled,
                (briefs, result_ids.as_ref()),
            ));
        }
        _ => out.skipped(AFTER_ORDER, &t!("verify.why-order")),
    }
    repairs(log, inputs.side_files, &mut out);
    out.0
}

/// A `repaired` record with the common fields its check reads.
#[derive(serde::Deserialize)]
struct RepairedLine {
    seq: u64,
    prev: String,
    #[serde(flatten)]
    record: crate::log::records::Repaired,
}

/// The type of a line set aside, when it parses as a JSON object.
#[derive(serde::Deserialize)]
struct KindOnly<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
}

/// Whether `name` is a name `log repair` gives a side file: a plain file
/// name in the round directory, never a path out of it.
fn is_side_file_name(name: &str) -> bool {
    name.starts_with(&format!("{}.torn-", crate::log::chain::LOG_FILE))
        && !name.contains(['/', '\\'])
        && name != "."
        && name != ".."
}

/// The side files the log's `repaired` records name that `verify` reads
/// from the round directory (the names that are plain side-file names).
pub fn side_file_names(log: &Log) -> Vec<String> {
    repaired_lines(log)
        .filter_map(|(_, r)| r.ok())
        .map(|r| r.record.moved_to)
        .filter(|n| is_side_file_name(n))
        .collect()
}

fn repaired_lines(log: &Log) -> impl Iterator<Item = (u64, Result<RepairedLine, String>)> + '_ {
    log.lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.kind == crate::log::records::Repaired::TYPE)
        .map(|(i, l)| (l.seq + 1, log.fields::<RepairedLine>(i)))
}

/// The `repairs` check, one finding per `repaired` record (none for a log
/// never repaired): what was set aside, where, and that it was only a torn
/// tail. Fails when the side file, if present, is not the bytes the record
/// names, begins with a complete record that chains (a record was cut), or
/// holds a seed or a draw (a record the round must have at most once).
fn repairs(log: &Log, side_files: &[(String, SideFile)], out: &mut Out) {
    for (line, read) in repaired_lines(log) {
        let r = match read {
            Ok(r) => r,
            Err(e) => {
                out.failed("repairs", e);
                continue;
            }
        };
        let Repaired {
            moved_to: file,
            bytes,
            sha256,
            from_line,
        } = &r.record;
        let (file, bytes, from_line) = (file.as_str(), *bytes, *from_line);
        if !is_side_file_name(file) || from_line != r.seq + 1 {
            out.failed("repairs", t!("verify.repair-bad-record", line, file));
            continue;
        }
        let found = side_files
            .iter()
            .find(|(n, _)| n == file)
            .map_or(&SideFile::Absent, |(_, f)| f);
        match found {
            SideFile::Absent => out.ok(
                "repairs",
                t!("verify.repair-absent", line, bytes, from_line, file),
            ),
            SideFile::Unreadable(error) => {
                out.failed("repairs", t!("verify.repair-unreadable", line, file, error))
            }
            SideFile::Bytes(b) => {
                let kind_twice = b
                    .split(|&c| c == b'\n')
                    .filter_map(|l| serde_json::from_slice::<KindOnly<'_>>(l).ok())
                    .find(|k| {
                        k.kind == crate::log::records::SeedRevealed::TYPE
                            || k.kind == crate::log::records::SampleDrawn::TYPE
                    });
                if b.len() as u64 != bytes || crate::base::digest::sha256_hex(b) != *sha256 {
                    out.failed(
                        "repairs",
                        t!("verify.repair-changed", line, file, bytes, sha256),
                    );
                } else if crate::log::chain::fragment_cuts_a_record(b, r.seq, &r.prev) {
                    out.failed("repairs", t!("verify.repair-cut", line, file, from_line));
                } else if let Some(k) = kind_twice {
                    out.failed(
                        "repairs",
                        t!("verify.repair-twice", line, file, kind = k.kind),
                    );
                } else {
                    out.ok(
                        "repairs",
                        t!("verify.repair-ok", line, bytes, from_line, file, sha256),
                    );
                }
            }
        }
    }
}

/// Check 2, the order of the records; when it holds, also the replayed
/// state.
fn order(log: &Log, views: &ResultViews, ids: IdSequences) -> (Finding, Option<RoundState>) {
    let failed = |detail: String| Finding {
        check: "order",
        ok: false,
        checked: true,
        detail,
    };
    let state = match RoundState::from_log_and_results(log, views, ids) {
        Ok(st) => st,
        Err(e) => return (failed(e), None),
    };
    let (Some(_), Some(_), Some(_)) = (&state.roster, &state.seed, &state.drawn) else {
        return (failed(t!("verify.order-incomplete")), None);
    };
    let ok = Finding {
        check: "order",
        ok: true,
        checked: true,
        detail: t!("verify.order-ok"),
    };
    (ok, Some(state))
}

/// 3. roster.tsv is what was committed, and canonical; 4. the draw, redone.
fn roster_and_draw(inputs: &Inputs<'_>, state: &RoundState) -> Vec<Finding> {
    let mut out = Out(Vec::new());
    let (Some(roster), Some(_), Some(drawn)) = (&state.roster, &state.seed, &state.drawn) else {
        return out.0;
    };
    // 3. The roster. The search for an id listed twice (a sort of a
    // million keys) runs on a core of its own, beside the redraw, which
    // counts only when it finds none.
    let Some(roster_tsv) = inputs.roster_tsv else {
        out.skipped(
            &["roster", "draw"],
            &t!("verify.roster-absent", committed = roster.roster_sha256),
        );
        return out.0;
    };
    let digest = inputs.roster_tsv_sha256;
    let manifest_digest = inputs.manifest_sha256;
    let manifest_recorded = manifest_digest == drawn.manifest_sha256;
    let mut redone = None;
    if digest != roster.roster_sha256 {
        out.failed(
            "roster",
            t!(
                "verify.roster-digest",
                digest,
                committed = roster.roster_sha256
            ),
        );
    } else {
        match parse_canonical(roster_tsv, "roster.tsv") {
            Err(e) => out.failed("roster", t!("verify.roster-not-canonical", error = e)),
            Ok(c) => {
                let (twice, draw) = crate::base::par::join(
                    || duplicate_id(&c),
                    || manifest_recorded.then(|| redraw(inputs, state, &c)),
                );
                match twice {
                    Some(id) => out.failed("roster", t!("verify.roster-duplicate", id)),
                    None => {
                        out.ok(
                            "roster",
                            t!("verify.roster-ok", accounts = c.accounts(), digest),
                        );
                        redone = Some(draw);
                    }
                }
            }
        }
    }

    // 4. The draw, redone.
    match redone {
        _ if !manifest_recorded => out.failed(
            "draw",
            t!(
                "verify.manifest-digest",
                digest = manifest_digest,
                recorded = drawn.manifest_sha256
            ),
        ),
        Some(Some((ok, detail))) => {
            if ok {
                out.ok("draw", detail);
            } else {
                out.failed("draw", detail);
            }
        }
        _ => out.failed("draw", t!("verify.draw-no-roster")),
    }
    out.0
}

/// Check 4 on a canonical roster: whether the draw redone gives exactly
/// manifest.json, and what to say.
fn redraw(
    inputs: &Inputs<'_>,
    state: &RoundState,
    c: &crate::roster::canonical::CanonicalRoster<'_>,
) -> (bool, String) {
    let settings = match state.draw_inputs() {
        Ok(s) => s,
        Err(e) => return (false, t!("verify.draw-settings", error = e)),
    };
    let redrawn = match draw_manifest(&settings, c) {
        Ok(r) => r.manifest,
        Err(e) => return (false, t!("verify.draw-refused", error = e)),
    };
    if writes_exactly(&redrawn, inputs.manifest) {
        let detail = t!(
            "verify.draw-ok",
            sampled = redrawn.sample_size,
            accounts = redrawn.accounts
        );
        (true, detail)
    } else {
        let on_disk: Option<Manifest> = serde_json::from_slice(inputs.manifest).ok();
        (false, first_difference(&redrawn, on_disk.as_ref()))
    }
}

/// 5. results; 6. a published report; 7. a published table and claims.
fn results_and_numbers(
    inputs: &Inputs<'_>,
    log: &Log,
    state: &RoundState,
    views: &ResultViews,
    sampled: Option<(&Manifest, Option<&SortedIds<'_>>)>,
    (briefs, result_ids): (&[ResultBrief<'_>], Option<&SortedIds<'_>>),
) -> Vec<Finding> {
    let mut out = Out(Vec::new());
    let Some((manifest, sample)) = sampled else {
        out.failed("results", t!("verify.manifest-unparsed"));
        out.failed("report", t!("verify.manifest-unparsed"));
        return out.0;
    };
    let (Some(sample), Some(result_ids)) = (sample, result_ids) else {
        out.failed("results", t!("verify.too-many-ids"));
        out.failed("report", t!("verify.too-many-ids"));
        return out.0;
    };
    // 5. Results concern sampled ids, follow the code rules, and cover the
    // sample. Both lists of ids are sorted (`idmatch`): each result's place
    // in the sample (the manifest's ids counted over its strata in their
    // order), and each sampled id's last result or amendment, the one that
    // counts, are found by walking them side by side. The results are then
    // checked in two halves on both cores.
    let (places, finals) = crate::base::par::join(
        || crate::results::idmatch::positions(result_ids, sample),
        || crate::results::idmatch::positions(sample, result_ids),
    );
    let starts = manifest.strata_starts();
    let stratum_of = |place: usize| starts.partition_point(|&s| s <= place) - 1;
    let codes = state.opened.codebook();
    let check = |part: std::ops::Range<usize>| {
        let mut problems: Vec<String> = Vec::new();
        let first = part.start;
        for (j, (i, view)) in views.iter_range(part).enumerate() {
            let n = i + 1;
            let place = match places[first + j] {
                ABSENT => None,
                p => Some(p as usize),
            };
            match view {
                Err(e) => problems.push(e.to_string()),
                Ok(r) => match place.map(stratum_of) {
                    None => problems.push(t!("verify.result-not-sampled", line = n, id = r.id)),
                    Some(k) if manifest.strata[k].name != r.stratum => problems.push(t!(
                        "verify.result-stratum",
                        line = n,
                        id = r.id,
                        stratum = manifest.strata[k].name,
                        recorded = r.stratum
                    )),
                    Some(_) => {
                        if let Err(e) = check_reasons(r.verdict, &r.reasons, &codes) {
                            problems.push(t!(
                                "verify.result-codes",
                                line = n,
                                id = r.id,
                                error = e
                            ));
                        }
                    }
                },
            }
        }
        problems
    };
    let cut = views.len() / 2;
    let (mut problems, more) = crate::base::par::join(|| check(0..cut), || check(cut..views.len()));
    problems.extend(more);
    let table = compute_with(state, manifest, |place, _| match finals[place] {
        ABSENT => None,
        j => briefs[j as usize].verdict,
    });
    if !problems.is_empty() {
        let more = if problems.len() > 10 {
            t!("verify.and-more", more = problems.len() - 10)
        } else {
            String::new()
        };
        out.failed(
            "results",
            format!(
                "{}{more}",
                problems[..problems.len().min(10)].join(&t!("verify.separator"))
            ),
        );
    } else if !table.missing.is_empty() {
        let shown: Vec<&str> = table.missing.iter().take(10).map(String::as_str).collect();
        out.failed(
            "results",
            t!(
                "verify.results-incomplete",
                missing = table.missing.len(),
                sampled = manifest.sample_size,
                ids = format!(
                    "{}{}",
                    shown.join(", "),
                    if table.missing.len() > shown.len() {
                        ", …"
                    } else {
                        ""
                    }
                )
            ),
        );
    } else {
        out.ok(
            "results",
            t!("verify.results-ok", sampled = manifest.sample_size),
        );
    }

    // 6. A published report matches the recount.
    // The replay noted where it is (a 1-based line).
    let published_at = state.published.map(|n| n as usize - 1);
    match published_at {
        None => out.ok("report", t!("verify.report-none")),
        Some(i) => match log.fields::<ReportPublished>(i) {
            Err(e) => out.failed("report", e),
            Ok(p) => {
                let again = table.published_record();
                if again.table_sha256 == p.table_sha256 {
                    out.ok(
                        "report",
                        t!(
                            "verify.report-ok",
                            line = i + 1,
                            headline = table.headline(crate::i18n::current())
                        ),
                    );
                } else {
                    out.failed(
                        "report",
                        t!(
                            "verify.report-differs",
                            line = i + 1,
                            checked = p.checked,
                            failed = p.failed,
                            rate = p.pass_rate,
                            digest = p.table_sha256,
                            our_checked = again.checked,
                            our_failed = again.failed,
                            our_rate = again.pass_rate,
                            our_digest = again.table_sha256
                        ),
                    );
                }
            }
        },
    }

    // 7. The published table and claims.
    if let Some((published, file)) = inputs.published {
        compare_table(&mut out, &table, published, file);
    }
    if !inputs.claims.is_empty() {
        compare_claims(&mut out, &table, inputs.claims);
    }
    out.0
}

/// An id that roster.tsv lists twice (the smallest, if several). The ids
/// are sorted by their first 16 bytes as one integer, which for the short
/// ids of a registry is nearly always the whole id; only ids that share such
/// a prefix are then compared in full. Sorting the strings themselves took
/// several times as long: every comparison follows a pointer.
fn duplicate_id(c: &crate::roster::canonical::CanonicalRoster<'_>) -> Option<String> {
    // Where each stratum's ids start in the whole list (an id is found by
    // its place only for the rare keys that repeat).
    let starts: Vec<usize> = c
        .strata
        .iter()
        .scan(0, |at, (_, ids)| {
            let start = *at;
            *at += ids.len();
            Some(start)
        })
        .collect();
    let id_at = |i: u32| {
        let s = starts.partition_point(|&start| start <= i as usize) - 1;
        c.strata[s].1[i as usize - starts[s]]
    };
    // (first 8 bytes, next 8 bytes, place): compared as a tuple, the same
    // order as the 16-byte prefix; 24 bytes each where a u128 key took 32.
    let key = |(i, id): (usize, &&str)| {
        let mut p = [0u8; 16];
        let n = id.len().min(16);
        p[..n].copy_from_slice(&id.as_bytes()[..n]);
        let (hi, lo) = p.split_at(8);
        let half = |b: &[u8]| u64::from_be_bytes(b.try_into().expect("8 bytes"));
        (half(hi), half(lo), i as u32)
    };
    let mut keys: Vec<(u64, u64, u32)> = c
        .strata
        .iter()
        .flat_map(|(_, ids)| ids.iter())
        .enumerate()
        .map(key)
        .collect();
    // roster.tsv lists each stratum's ids in ascending order, so the keys
    // come as one ascending run per stratum: the stable sort merges the runs
    // (the unstable one sorted a million keys from scratch, a third slower).
    keys.sort();
    let mut found: Option<&str> = None;
    for group in keys
        .chunk_by(|a, b| (a.0, a.1) == (b.0, b.1))
        .filter(|g| g.len() > 1)
    {
        let mut same: Vec<&str> = group.iter().map(|&(_, _, i)| id_at(i)).collect();
        same.sort_unstable();
        if let Some(w) = same.windows(2).find(|w| w[0] == w[1])
            && found.is_none_or(|f| w[0] < f)
        {
            found = Some(w[0]);
        }
    }
    found.map(str::to_string)
}

/// Names where the redrawn manifest and the one on disk part.
/// Whether `m` is written as exactly `bytes`: compared as it is written,
/// without the 12 MB of a half-million-id manifest made a second time.
fn writes_exactly(m: &Manifest, bytes: &[u8]) -> bool {
    struct SameAs<'b> {
        expected: &'b [u8],
        at: usize,
        same: bool,
    }
    impl std::io::Write for SameAs<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.same = self.same && self.expected.get(self.at..self.at + buf.len()) == Some(buf);
            self.at += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut w = SameAs {
        expected: bytes,
        at: 0,
        same: true,
    };
    m.write_to(&mut w).is_ok() && w.same && w.at == bytes.len()
}

fn first_difference(redrawn: &Manifest, on_disk: Option<&Manifest>) -> String {
    let Some(m) = on_disk else {
        return t!("verify.manifest-differs-unparsed");
    };
    for (a, b) in redrawn.strata.iter().zip(&m.strata) {
        if a.name != b.name || a.quota != b.quota {
            return t!(
                "verify.manifest-quota",
                stratum = a.name,
                quota = a.quota,
                theirs = b.name,
                their_quota = b.quota
            );
        }
        if let Some(r) = (0..a.ids.len()).find(|&r| a.ids.get(r) != b.ids.get(r)) {
            let nothing = t!("verify.nothing");
            return t!(
                "verify.manifest-rank",
                stratum = a.name,
                rank = r + 1,
                id = a.ids[r],
                theirs = b.ids.get(r).map_or(nothing.as_str(), |i| i.as_ref())
            );
        }
    }
    t!("verify.manifest-header")
}

/// Notes each of total, checked, failed where the published row differs.
fn diff_counts(diffs: &mut Vec<String>, row: &str, theirs: [u64; 3], mine: [u64; 3]) {
    let columns = [
        t!("verify.column-total"),
        t!("verify.column-checked"),
        t!("verify.column-failed"),
    ];
    for ((column, published), recount) in columns.iter().zip(theirs).zip(mine) {
        if published != recount {
            diffs.push(t!("verify.cell-differs", row, column, published, recount));
        }
    }
}

fn compare_table(out: &mut Out, table: &Table, published: &PublishedTable, file: &str) {
    let ours: HashMap<&str, &crate::audit::report::Row> =
        table.rows.iter().map(|r| (r.stratum.as_str(), r)).collect();
    let mut diffs: Vec<String> = Vec::new();
    for p in &published.rows {
        match ours.get(p.stratum.as_str()) {
            None => diffs.push(t!(
                "verify.row-unknown",
                file,
                line = p.line,
                stratum = p.stratum
            )),
            Some(r) => diff_counts(
                &mut diffs,
                &t!("verify.row", file, line = p.line, stratum = p.stratum),
                [p.total, p.checked, p.failed],
                [r.total, r.checked, r.failed],
            ),
        }
    }
    for r in &table.rows {
        if !published.rows.iter().any(|p| p.stratum == r.stratum) {
            diffs.push(t!("verify.row-missing", file, stratum = r.stratum));
        }
    }
    // A notice may leave the totals out: its rows are still compared.
    match &published.totals {
        None => {}
        Some(t) => {
            let m = table.totals;
            diff_counts(
                &mut diffs,
                &t!("verify.totals-row", file, line = t.line),
                [t.total, t.checked, t.failed],
                [m.total, m.checked, m.failed],
            );
        }
    }
    if diffs.is_empty() {
        let rows = published.rows.len();
        out.ok(
            "published table",
            match published.totals {
                Some(_) => t!("verify.table-ok", file, rows),
                None => t!("verify.table-ok-no-totals", file, rows),
            },
        );
    } else {
        out.failed("published table", diffs.join(&t!("verify.separator")));
    }
}

fn compare_claims(out: &mut Out, table: &Table, claims: &[Claim]) {
    let t = table.totals;
    for c in claims {
        let (ok, mine) = match (&c.name, &c.value) {
            (ClaimName::Checked, ClaimValue::Count(v)) => (*v == t.checked, t.checked.to_string()),
            (ClaimName::Failed, ClaimValue::Count(v)) => (*v == t.failed, t.failed.to_string()),
            (ClaimName::Total, ClaimValue::Count(v)) => (*v == t.total, t.total.to_string()),
            (ClaimName::Passed, ClaimValue::Count(v)) => (
                *v == t.checked - t.failed,
                (t.checked - t.failed).to_string(),
            ),
            (ClaimName::PassRate, ClaimValue::Percent(p)) => (
                claim_agrees(p, t.checked - t.failed, t.checked),
                t!(
                    "verify.rate-at-precision",
                    rate = crate::audit::percent::percent_half_up(
                        t.checked - t.failed,
                        t.checked,
                        p.decimals
                    ),
                    passed = t.checked - t.failed,
                    checked = t.checked
                ),
            ),
            _ => (false, t!("verify.claim-kind")),
        };
        if ok {
            out.ok(
                "claim",
                t!("verify.claim-ok", claim = c.raw, recount = mine),
            );
        } else {
            out.failed(
                "claim",
                t!("verify.claim-failed", claim = c.raw, recount = mine),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::canonical::CanonicalRoster;

    fn roster<'a>(strata: &[(&'a str, &[&'a str])]) -> CanonicalRoster<'a> {
        CanonicalRoster {
            strata: strata.iter().map(|(s, ids)| (*s, ids.to_vec())).collect(),
        }
    }

    #[test]
    fn a_manifest_is_compared_byte_for_byte_as_it_is_written() {
        let m: Manifest = serde_json::from_str(
            r#"{"format":"f","round":"r","population":"p","algorithm":"choucha-v1","seed":"s","seed_source":"","roster_sha256":"d","accounts":3,"rate":"1/2","allocation":"floor","sample_size":1,"strata":[{"name":"合肥市","population":3,"quota":1,"ids":["A2"]}]}"#,
        )
        .unwrap();
        let bytes = m.to_bytes();
        assert!(writes_exactly(&m, &bytes));
        assert!(!writes_exactly(&m, &bytes[..bytes.len() - 1]));
        let mut longer = bytes.clone();
        longer.push(b'\n');
        assert!(!writes_exactly(&m, &longer));
        for at in [0, bytes.len() / 2, bytes.len() - 1] {
            let mut changed = bytes.clone();
            changed[at] ^= 1;
            assert!(!writes_exactly(&m, &changed), "byte {at}");
        }
    }

    #[test]
    fn an_id_in_two_strata_is_found_wherever_it_sits() {
        let none = roster(&[("a", &["1", "3", "5"]), ("b", &["2", "4"]), ("c", &[])]);
        assert_eq!(duplicate_id(&none), None);
        let last = roster(&[("a", &["1", "3", "9"]), ("b", &["2", "4"]), ("c", &["9"])]);
        assert_eq!(duplicate_id(&last).as_deref(), Some("9"));
        let first = roster(&[("a", &["0", "7"]), ("b", &["0", "8"])]);
        assert_eq!(duplicate_id(&first).as_deref(), Some("0"));
        // Past an empty stratum.
        let gap = roster(&[("a", &["4", "5"]), ("b", &[]), ("c", &["5", "6"])]);
        assert_eq!(duplicate_id(&gap).as_deref(), Some("5"));
        // The smallest of several.
        let two = roster(&[("a", &["x", "z"]), ("b", &["m", "z"]), ("c", &["m"])]);
        assert_eq!(duplicate_id(&two).as_deref(), Some("m"));
        // Ids that share their first 16 bytes are compared in full.
        let long = |tail: &str| format!("0123456789abcdef{tail}");
        let (x, y, z) = (long("x"), long("y"), long(""));
        let apart = roster(&[("a", &[&x, &z]), ("b", &[&y])]);
        assert_eq!(duplicate_id(&apart), None);
        let twice = roster(&[("a", &[&x, &z]), ("b", &[&y]), ("c", &[&x])]);
        assert_eq!(duplicate_id(&twice), Some(x.clone()));
    }
}
