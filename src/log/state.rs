//! The state a round's records add up to (the records are `log::records`).
//!
//! A round is to choucha what a repository is to git: a directory whose
//! `log.jsonl` says everything that happened. The state is always derived
//! from the log, never stored beside it.

use std::borrow::Cow;

use serde::Deserialize;

use crate::log::chain::{BATCH_TYPE, Log, Record};
use crate::log::records::{Repaired, RosterCommitted, RoundOpened, SampleDrawn, SeedRevealed};
use crate::results::by_id::ResultsById;
use crate::results::record::{ResultAmended, ResultRecorded};
use crate::results::verdict::{FinalResult, Verdict};
use crate::sampling::manifest::DrawInputs;
use crate::t;

/// The fields of a result or amendment that the state and `verify` read,
/// borrowed from the log.
#[derive(Deserialize)]
pub struct ResultView<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(borrow)]
    pub stratum: Cow<'a, str>,
    pub verdict: Verdict,
    #[serde(borrow)]
    pub reasons: Vec<Cow<'a, str>>,
}

/// A result or amendment as the replay and `verify` read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRef<'a> {
    pub id: &'a str,
    pub stratum: &'a str,
    pub verdict: Verdict,
    pub reasons: Vec<&'a str>,
}

/// A result or amendment line: its index in the log, and its fields or why
/// they do not decode.
pub type ResultAt<'a> = (usize, Result<ResultRef<'a>, &'a str>);

/// Where a string is in a [`ResultPart`]'s text: start and end.
type Span = (u32, u32);

/// One decoded line of a [`ResultPart`].
#[derive(Debug, Clone, Copy)]
struct Row {
    line: usize,
    /// An amendment (else a result).
    amended: bool,
    /// Without a verdict the line did not decode, and `id.0` is the index
    /// of why in `errors`.
    verdict: Option<Verdict>,
    id: Span,
    stratum: Span,
    /// Where its reasons are in `reasons`.
    reasons: Span,
}

/// Results and amendments of a stretch of the log, decoded, their strings
/// copied end to end into one text: half a million results then cost a few
/// allocations, and need neither the log's bytes nor a second reading of
/// their JSON (the streamed check decodes them as it goes,
/// [`crate::log::chain::parse_log_streamed`]).
#[derive(Debug, Default)]
pub struct ResultPart {
    text: String,
    reasons: Vec<Span>,
    rows: Vec<Row>,
    errors: Vec<String>,
}

fn is_result(kind: &str) -> bool {
    kind == ResultRecorded::TYPE || kind == ResultAmended::TYPE
}

impl ResultPart {
    /// Adds line `line` (whose own `seq` is `seq`), decoded from its bytes.
    fn decode(&mut self, line: usize, seq: u64, kind: &str, bytes: &[u8]) {
        let view = serde_json::from_slice::<ResultView>(bytes)
            .map_err(|e| crate::log::chain::bad_record(seq, kind, e.to_string()));
        self.push(line, seq, kind, view);
    }

    fn push(&mut self, line: usize, seq: u64, kind: &str, view: Result<ResultView<'_>, String>) {
        let size = |r: &ResultView<'_>| {
            r.id.len() + r.stratum.len() + r.reasons.iter().map(|c| c.len()).sum::<usize>()
        };
        let fits = |r: &ResultView<'_>| {
            self.text.len() + size(r) <= u32::MAX as usize
                && self.reasons.len() + r.reasons.len() <= u32::MAX as usize
        };
        let view = view.and_then(|r| {
            if fits(&r) {
                Ok(r)
            } else {
                Err(crate::log::chain::bad_record(
                    seq,
                    kind,
                    t!("round.result-too-large"),
                ))
            }
        });
        let amended = kind == ResultAmended::TYPE;
        let row = match view {
            Err(why) => {
                self.errors.push(why);
                let at = (self.errors.len() - 1) as u32;
                Row {
                    line,
                    amended,
                    verdict: None,
                    id: (at, at),
                    stratum: (0, 0),
                    reasons: (0, 0),
                }
            }
            Ok(r) => {
                // Checked above: every offset fits in a u32.
                let text = &mut self.text;
                let mut put = |s: &str| {
                    let start = text.len() as u32;
                    text.push_str(s);
                    (start, text.len() as u32)
                };
                let id = put(&r.id);
                let stratum = put(&r.stratum);
                let first = self.reasons.len() as u32;
                for reason in &r.reasons {
                    self.reasons.push(put(reason));
                }
                Row {
                    line,
                    amended,
                    verdict: Some(r.verdict),
                    id,
                    stratum,
                    reasons: (first, self.reasons.len() as u32),
                }
            }
        };
        self.rows.push(row);
    }

    fn brief(&self, row: &Row) -> ResultBrief<'_> {
        ResultBrief {
            line: row.line,
            id: match row.verdict {
                Some(_) => &self.text[row.id.0 as usize..row.id.1 as usize],
                None => "",
            },
            verdict: row.verdict,
            amended: row.amended,
        }
    }

    fn at(&self, row: &Row) -> ResultAt<'_> {
        let text = |(a, b): Span| &self.text[a as usize..b as usize];
        let Some(verdict) = row.verdict else {
            return (row.line, Err(&self.errors[row.id.0 as usize]));
        };
        let reasons = self.reasons[row.reasons.0 as usize..row.reasons.1 as usize]
            .iter()
            .map(|&s| text(s))
            .collect();
        (
            row.line,
            Ok(ResultRef {
                id: text(row.id),
                stratum: text(row.stratum),
                verdict,
                reasons,
            }),
        )
    }
}

/// As the sink of a streamed check: results and amendments are decoded (in
/// the pass that checks their line) and their bytes not kept; every other
/// line is kept.
impl crate::log::chain::LineSink for ResultPart {
    type Fields<'a> = ResultView<'a>;

    fn takes(kind: &str) -> bool {
        is_result(kind)
    }

    fn line(
        &mut self,
        seq: u64,
        kind: &str,
        _: &str,
        fields: Option<Result<ResultView<'_>, String>>,
    ) -> bool {
        let Some(view) = fields else {
            return true;
        };
        let view = view.map_err(|e| crate::log::chain::bad_record(seq, kind, e));
        // A wrong seq fails the chain check, so the views are never read.
        self.push(usize::try_from(seq).unwrap_or(usize::MAX), seq, kind, view);
        false
    }
}

/// Every result and amendment of a log, in order: (line index, its fields or
/// why they do not decode), in parts: two halves decoded on both cores, or
/// the stretches of a streamed check. The parts are kept as they were
/// decoded: joining them copied 40 MB for half a million results, a quarter
/// of the decoding time.
#[derive(Debug, Default)]
pub struct ResultViews {
    parts: Vec<ResultPart>,
}

impl ResultViews {
    pub fn new(parts: Vec<ResultPart>) -> ResultViews {
        ResultViews { parts }
    }

    pub fn iter(&self) -> impl Iterator<Item = ResultAt<'_>> {
        self.parts
            .iter()
            .flat_map(|part| part.rows.iter().map(move |row| part.at(row)))
    }

    /// The views from index `range.start` to `range.end` (in log order),
    /// without decoding those before.
    pub fn iter_range(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = ResultAt<'_>> {
        self.parts
            .iter()
            .scan(0, |start, part| {
                let first = *start;
                *start += part.rows.len();
                Some((part, first))
            })
            .flat_map(move |(part, first)| {
                let n = part.rows.len();
                let from = range.start.saturating_sub(first).min(n);
                let to = range.end.saturating_sub(first).min(n).max(from);
                part.rows[from..to].iter().map(move |row| part.at(row))
            })
    }

    /// Each view in brief, in order.
    pub fn briefs(&self) -> impl Iterator<Item = ResultBrief<'_>> + Clone {
        self.parts
            .iter()
            .flat_map(|part| part.rows.iter().map(move |row| part.brief(row)))
    }

    pub fn len(&self) -> usize {
        self.parts.iter().map(|p| p.rows.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A result or amendment in brief: its id ("" for a line that does not
/// decode), its verdict (None for such a line), and which of the two it is.
#[derive(Debug, Clone, Copy)]
pub struct ResultBrief<'a> {
    /// The line's index in the log.
    pub line: usize,
    pub id: &'a str,
    pub verdict: Option<Verdict>,
    pub amended: bool,
}

fn second_result(n: u64, id: &str) -> String {
    t!("round.second-result", n, id)
}

fn amendment_without_result(n: u64, id: &str) -> String {
    t!("round.amendment-without-result", n, id)
}

/// The first line (by index) at which an id's results break the rules of
/// the replay — an amendment of an id without a result before it, or a
/// second result of an id — and what the replay says of it. `sorted` lists
/// the ids of `briefs`, in the same order; a line that does not decode is
/// left to the replay (which stops there). Found by sorting instead of the
/// replay's index of every id: for `verify`, which sorts the ids anyway.
pub fn first_id_error(
    briefs: &[ResultBrief<'_>],
    sorted: &crate::results::idmatch::SortedIds<'_>,
) -> Option<(usize, String)> {
    let mut first: Option<&ResultBrief<'_>> = None;
    for run in sorted.runs() {
        // The lines of one id, in log order.
        let mut has_result = false;
        for j in run {
            let b = &briefs[j];
            if b.verdict.is_none() {
                continue;
            }
            if b.amended != has_result {
                if first.is_none_or(|f| f.line > b.line) {
                    first = Some(b);
                }
                break;
            }
            has_result = true;
        }
    }
    first.map(|b| {
        let n = b.line as u64 + 1;
        let why = if b.amended {
            amendment_without_result(n, b.id)
        } else {
            second_result(n, b.id)
        };
        (b.line, why)
    })
}

/// The results and amendments of a whole log in memory, decoded.
pub fn result_views(log: &Log) -> ResultViews {
    let at: Vec<usize> = (0..log.lines.len())
        .filter(|&i| is_result(&log.lines[i].kind))
        .collect();
    let decode = |lines: &[usize]| -> ResultPart {
        let mut part = ResultPart::default();
        for &i in lines {
            let l = &log.lines[i];
            part.decode(i, l.seq, &l.kind, log.line(i));
        }
        part
    };
    if at.len() < 1 << 12 {
        return ResultViews::new(vec![decode(&at)]);
    }
    let (a, b) = at.split_at(at.len() / 2);
    let (first, second) = crate::base::par::join(|| decode(a), || decode(b));
    ResultViews::new(vec![first, second])
}

/// Where a round stands, derived from its log.
#[derive(Debug, Clone)]
pub struct RoundState {
    pub opened: RoundOpened,
    pub roster: Option<RosterCommitted>,
    pub seed: Option<SeedRevealed>,
    pub drawn: Option<SampleDrawn>,
    /// Id → its latest result.
    pub results: ResultsById,
    /// The 1-based log line of `report-published`, once the round is closed.
    pub published: Option<u64>,
    /// Number of lines, and the SHA-256 of the last one (the next `prev`).
    pub len: u64,
    pub head: String,
}

/// How the replay checks each id's sequence of results and amendments (a
/// result first, no second result).
pub enum IdSequences {
    /// As it goes, through an index of every id's latest result, which it
    /// keeps in [`RoundState::results`].
    Indexed,
    /// Checked already by the caller ([`first_id_error`]): the first error
    /// (line index, what to say), reported when the replay reaches that
    /// line. [`RoundState::results`] stays empty.
    Checked(Option<(usize, String)>),
}

impl RoundState {
    /// Replays a checked log, enforcing the order of the steps.
    pub fn from_log(log: &Log) -> Result<RoundState, String> {
        Self::replay(log, false, &result_views(log), IdSequences::Indexed)
    }

    /// [`RoundState::from_log`] with the results already decoded.
    pub fn from_log_and_results(
        log: &Log,
        results: &ResultViews,
        ids: IdSequences,
    ) -> Result<RoundState, String> {
        Self::replay(log, false, results, ids)
    }

    /// The state as of the draw: replays the log only up to `sample-drawn`
    /// (cheap: the results come after it). For work that needs the roster,
    /// seed and plan but not the results.
    pub fn through_draw(log: &Log) -> Result<RoundState, String> {
        Self::replay(log, true, &ResultViews::default(), IdSequences::Indexed)
    }

    /// `results`: [`result_views`] of the log (unused when stopping at the
    /// draw).
    fn replay(
        log: &Log,
        stop_at_draw: bool,
        results: &ResultViews,
        ids: IdSequences,
    ) -> Result<RoundState, String> {
        let (index_ids, id_error) = match ids {
            IdSequences::Indexed => (true, None),
            IdSequences::Checked(first) => (false, first),
        };
        let id_error_at = |i: usize| match &id_error {
            Some((at, why)) if *at == i => Err(why.clone()),
            _ => Ok(()),
        };
        let mut decoded = results.iter();
        // The decoded results in order; a line not among them is read here.
        let mut view = |i: usize| -> Result<(Cow<'_, str>, Verdict), String> {
            match decoded.next() {
                Some((at, r)) if at == i => r
                    .map(|r| (Cow::Borrowed(r.id), r.verdict))
                    .map_err(str::to_string),
                _ => log
                    .fields::<ResultView>(i)
                    .map(|r| (Cow::Owned(r.id.into_owned()), r.verdict)),
            }
        };
        let first = log.lines.first().ok_or_else(|| t!("round.log-empty"))?;
        if first.kind != RoundOpened::TYPE {
            return Err(t!("round.first-not-opened", kind = first.kind));
        }
        let mut st = RoundState {
            opened: log.fields(0)?,
            roster: None,
            seed: None,
            drawn: None,
            // Sized once: a million results would otherwise rehash twenty times.
            results: ResultsById::with_capacity(if index_ids {
                log.lines
                    .iter()
                    .filter(|l| l.kind == ResultRecorded::TYPE)
                    .count()
            } else {
                0
            }),
            published: None,
            len: log.lines.len() as u64,
            head: log.head(),
        };
        for (i, line) in log.lines.iter().enumerate().skip(1) {
            let n = line.seq + 1;
            match line.kind.as_ref() {
                RosterCommitted::TYPE => {
                    if st.seed.is_some() {
                        return Err(t!("round.roster-after-seed", n));
                    }
                    st.roster = Some(log.fields(i)?);
                }
                SeedRevealed::TYPE => {
                    if st.roster.is_none() {
                        return Err(t!("round.seed-before-roster", n));
                    }
                    if st.seed.is_some() {
                        return Err(t!("round.second-seed", n));
                    }
                    st.seed = Some(log.fields(i)?);
                }
                SampleDrawn::TYPE => {
                    if st.seed.is_none() {
                        return Err(t!("round.draw-before-seed", n));
                    }
                    if st.drawn.is_some() {
                        return Err(t!("round.second-draw", n));
                    }
                    st.drawn = Some(log.fields(i)?);
                    if stop_at_draw {
                        return Ok(st);
                    }
                }
                ResultRecorded::TYPE | ResultAmended::TYPE if st.published.is_some() => {
                    return Err(t!("round.result-after-report", n));
                }
                ResultRecorded::TYPE => {
                    if st.drawn.is_none() {
                        return Err(t!("round.result-before-draw", n));
                    }
                    let (id, verdict) = view(i)?;
                    if !index_ids {
                        id_error_at(i)?;
                        continue;
                    }
                    let fresh = FinalResult { verdict, line: n };
                    if !st.results.insert_new(&id, fresh) {
                        return Err(second_result(n, &id));
                    }
                }
                ResultAmended::TYPE => {
                    let (id, verdict) = view(i)?;
                    if !index_ids {
                        id_error_at(i)?;
                        continue;
                    }
                    match st.results.get_mut(&id) {
                        None => return Err(amendment_without_result(n, &id)),
                        Some(f) => *f = FinalResult { verdict, line: n },
                    }
                }
                crate::log::records::ReportPublished::TYPE => {
                    if st.drawn.is_none() {
                        return Err(t!("round.report-before-draw", n));
                    }
                    if let Some(p) = st.published {
                        return Err(t!("round.second-report", n, first = p));
                    }
                    st.published = Some(n);
                }
                RoundOpened::TYPE => return Err(t!("round.second-opened", n)),
                BATCH_TYPE | Repaired::TYPE | crate::log::records::Checkpointed::TYPE => {}
                other => return Err(t!("round.unknown-record", n, kind = other)),
            }
        }
        Ok(st)
    }
}

impl RoundState {
    /// The draw's inputs as the round's log recorded them (roster and seed required).
    pub fn draw_inputs(&self) -> Result<DrawInputs<'_>, String> {
        let (Some(roster), Some(seed)) = (&self.roster, &self.seed) else {
            return Err(t!("manifest.no-roster-or-seed"));
        };
        Ok(DrawInputs {
            round: &self.opened.round,
            population: &self.opened.population,
            seed: &seed.seed,
            seed_source: &seed.source,
            roster_sha256: &roster.roster_sha256,
            rate: self.opened.rate()?,
            allocation: self.opened.allocation()?,
            quotas_sha256: self.opened.quotas_sha256.as_deref(),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;

    use super::*;
    use crate::base::digest::sha256_hex;
    use crate::log::chain::{GENESIS_PREV, parse_log, render_line};
    use crate::log::records::LOG_FORMAT;

    fn opened() -> RoundOpened {
        RoundOpened {
            format: LOG_FORMAT.into(),
            round: "r".into(),
            population: "p".into(),
            rate: "1/2".into(),
            allocation: "largest-remainder".into(),
            quotas: None,
            quotas_sha256: None,
            title: String::new(),
            order: Vec::new(),
            codes: Vec::new(),
            tool: "t".into(),
        }
    }

    fn amended(id: &str) -> ResultAmended {
        ResultAmended {
            id: id.into(),
            stratum: "S".into(),
            verdict: Verdict::Pass,
            reasons: Vec::new(),
            note: String::new(),
            inspector: String::new(),
            why: "w".into(),
            entered_by: String::new(),
        }
    }

    /// A log of round-opened then the given amendments, chained.
    fn log_with_amendments(ids: &[&str]) -> Log {
        let at = "2026-01-01T00:00:00Z";
        let mut bytes = Vec::new();
        let first = render_line(0, GENESIS_PREV, at, &opened());
        let mut prev = sha256_hex(&first);
        bytes.extend_from_slice(&first);
        bytes.push(b'\n');
        for (i, id) in ids.iter().enumerate() {
            let line = render_line(i as u64 + 1, &prev, at, &amended(id));
            prev = sha256_hex(&line);
            bytes.extend_from_slice(&line);
            bytes.push(b'\n');
        }
        parse_log(bytes).unwrap()
    }

    /// The replay reads results decoded beforehand; the state as of the draw
    /// has none, and must still refuse, not fail, on a result before the draw.
    #[test]
    fn an_amendment_before_the_draw_is_refused_both_ways() {
        let log = log_with_amendments(&["A1"]);
        let full = RoundState::from_log(&log).unwrap_err();
        let early = RoundState::through_draw(&log).unwrap_err();
        assert_eq!(full, early);
        assert!(full.contains("A1"), "{full}");
    }

    #[test]
    fn results_by_id_keep_one_result_per_id_through_growth() {
        let mut r = ResultsById::with_capacity(2);
        let result = |line| FinalResult {
            verdict: Verdict::Pass,
            line,
        };
        // Enough ids to grow the table several times; ids that share a
        // prefix, and one that is another's prefix.
        let ids: Vec<String> = (0..5000).map(|i| format!("AH{i}")).collect();
        for (i, id) in ids.iter().enumerate() {
            assert!(r.insert_new(id, result(i as u64)), "{id}");
        }
        assert!(!r.insert_new("AH17", result(99_999)));
        assert_eq!(r.get("AH17"), Some(&result(17)));
        assert_eq!(r.get("AH"), None);
        assert_eq!(r.get("AH50000"), None);
        r.get_mut("AH4999").unwrap().verdict = Verdict::Fail;
        assert_eq!(r.get("AH4999").unwrap().verdict, Verdict::Fail);
        assert!(r.get_mut("合肥").is_none());
        assert_eq!(r.len(), 5000);
        assert_eq!(r.values().filter(|f| f.verdict == Verdict::Fail).count(), 1);
        for (i, id) in ids.iter().enumerate().step_by(97) {
            assert_eq!(r.get(id).unwrap().line, i as u64, "{id}");
        }
    }

    /// A record shaped like a result whose verdict is no verdict.
    #[derive(Serialize)]
    struct OddResult {
        id: String,
        stratum: String,
        verdict: String,
        reasons: Vec<String>,
    }
    impl Record for OddResult {
        const TYPE: &'static str = ResultRecorded::TYPE;
    }

    /// Streamed in chunks of any size, a log's results decode as they do
    /// from the whole log (escapes, reasons, a line that does not decode),
    /// each result's bytes are dropped and every other line's kept.
    #[test]
    fn streamed_results_decode_as_the_whole_log_s() {
        let mut bytes = Vec::new();
        let mut prev = GENESIS_PREV.to_string();
        fn put<R: Record>(bytes: &mut Vec<u8>, prev: &mut String, seq: u64, r: &R) {
            let line = render_line(seq, prev, "2026-01-01T00:00:00Z", r);
            *prev = sha256_hex(&line);
            bytes.extend_from_slice(&line);
            bytes.push(b'\n');
        }
        put(&mut bytes, &mut prev, 0, &opened());
        let long = "长".repeat(300);
        let ids = ["A\"1", "合肥\\2", "B\t3", &long, "C4"];
        for (i, id) in ids.iter().enumerate() {
            let seq = i as u64 * 2 + 1;
            let mut r = amended(id);
            r.reasons = (0..i).map(|k| format!("R{k}")).collect();
            put(&mut bytes, &mut prev, seq, &r);
            let note = Repaired {
                moved_to: format!("n{i}"),
                bytes: 0,
                sha256: String::new(),
                from_line: 1,
            };
            put(&mut bytes, &mut prev, seq + 1, &note);
        }
        let odd = OddResult {
            id: "X".into(),
            stratum: "S".into(),
            verdict: "maybe".into(),
            reasons: Vec::new(),
        };
        put(&mut bytes, &mut prev, 11, &odd);
        let whole = parse_log(bytes.clone()).unwrap();
        let expected = result_views(&whole);
        let expected: Vec<ResultAt<'_>> = expected.iter().collect();
        assert_eq!(expected.len(), 6);
        assert!(expected[5].1.as_ref().unwrap_err().contains("maybe"));
        assert_eq!(expected[1].1.as_ref().unwrap().id, "合肥\\2");
        assert_eq!(expected[2].1.as_ref().unwrap().reasons, ["R0", "R1"]);
        for chunk in [1, 3, 100, 333, 1000, bytes.len()] {
            let (log, parts) =
                crate::log::chain::parse_log_streamed::<ResultPart>(&bytes[..], chunk)
                    .unwrap()
                    .unwrap();
            let views = ResultViews::new(parts);
            let got: Vec<ResultAt<'_>> = views.iter().collect();
            assert_eq!(got, expected, "chunk {chunk}");
            for (a, b) in [(0, 6), (2, 5), (5, 6), (3, 3), (4, 9)] {
                let part: Vec<ResultAt<'_>> = views.iter_range(a..b).collect();
                assert_eq!(
                    part,
                    expected[a.min(6)..b.min(6)],
                    "chunk {chunk}, {a}..{b}"
                );
            }
            for i in 0..whole.lines.len() {
                let kept: &[u8] = if is_result(&whole.lines[i].kind) {
                    b""
                } else {
                    whole.line(i)
                };
                assert_eq!(log.line(i), kept, "chunk {chunk}, line {i}");
            }
            let state = RoundState::from_log_and_results(&log, &views, IdSequences::Indexed);
            assert_eq!(
                state
                    .map(|s| s.results.len())
                    .map_err(|e| e.contains("amendment")),
                Err(true)
            );
        }
    }

    /// One record of a generated log.
    #[derive(Debug, Clone)]
    enum Step {
        Roster,
        Seed,
        Draw,
        Result(u8),
        Amend(u8),
        /// A result whose fields do not decode.
        Odd,
        Report,
    }

    fn step() -> impl proptest::strategy::Strategy<Value = Step> {
        use proptest::prelude::*;
        prop_oneof![
            1 => Just(Step::Roster),
            1 => Just(Step::Seed),
            1 => Just(Step::Draw),
            12 => (0u8..6).prop_map(Step::Result),
            6 => (0u8..6).prop_map(Step::Amend),
            1 => Just(Step::Odd),
            1 => Just(Step::Report),
        ]
    }

    fn log_of(steps: &[Step]) -> Log {
        fn put<R: Record>(bytes: &mut Vec<u8>, prev: &mut String, seq: &mut u64, r: &R) {
            let line = render_line(*seq, prev, "2026-01-01T00:00:00Z", r);
            *prev = sha256_hex(&line);
            *seq += 1;
            bytes.extend_from_slice(&line);
            bytes.push(b'\n');
        }
        let (mut bytes, mut prev, mut seq) = (Vec::new(), GENESIS_PREV.to_string(), 0);
        put(&mut bytes, &mut prev, &mut seq, &opened());
        // A long id (past the 16 bytes a sort key holds) among short ones.
        let id = |k: u8| match k {
            5 => "https://www.ah.gov.cn/x".to_string(),
            4 => "https://www.ah.gov.cn/y".to_string(),
            k => format!("A{k}"),
        };
        for step in steps {
            let b = (&mut bytes, &mut prev, &mut seq);
            match step {
                Step::Roster => put(
                    b.0,
                    b.1,
                    b.2,
                    &RosterCommitted {
                        roster_sha256: "d".into(),
                        accounts: 1,
                        strata: BTreeMap::new(),
                        order: Vec::new(),
                        source: String::new(),
                        source_sha256: String::new(),
                        encoding: String::new(),
                        id_column: String::new(),
                        stratum_column: String::new(),
                        columns_sha256: String::new(),
                        columns_index_sha256: String::new(),
                    },
                ),
                Step::Seed => put(
                    b.0,
                    b.1,
                    b.2,
                    &SeedRevealed {
                        seed: "s".into(),
                        source: String::new(),
                    },
                ),
                Step::Draw => put(
                    b.0,
                    b.1,
                    b.2,
                    &SampleDrawn {
                        algorithm: String::new(),
                        roster_sha256: String::new(),
                        manifest_sha256: String::new(),
                        sample_size: 0,
                        quotas: BTreeMap::new(),
                        signer: String::new(),
                    },
                ),
                Step::Result(k) => put(
                    b.0,
                    b.1,
                    b.2,
                    &ResultRecorded {
                        id: id(*k),
                        stratum: "S".into(),
                        verdict: Verdict::Pass,
                        reasons: Vec::new(),
                        note: String::new(),
                        inspector: String::new(),
                        checked_at: String::new(),
                        entered_by: String::new(),
                    },
                ),
                Step::Amend(k) => put(b.0, b.1, b.2, &amended(&id(*k))),
                Step::Odd => put(
                    b.0,
                    b.1,
                    b.2,
                    &OddResult {
                        id: "A1".into(),
                        stratum: "S".into(),
                        verdict: "maybe".into(),
                        reasons: Vec::new(),
                    },
                ),
                Step::Report => put(
                    b.0,
                    b.1,
                    b.2,
                    &crate::log::records::ReportPublished {
                        table_sha256: String::new(),
                        total: 0,
                        checked: 0,
                        failed: 0,
                        pass_rate: String::new(),
                        fraction: String::new(),
                    },
                ),
            }
        }
        parse_log(bytes).unwrap()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// `verify` checks each id's sequence of results by sorting
        /// ([`first_id_error`]); the replay then says what the replay that
        /// indexes every id says, at the same line, for any log.
        #[test]
        fn ids_checked_by_sorting_replay_as_the_index_does(
            started in proptest::bool::weighted(0.8),
            steps in proptest::collection::vec(step(), 0..30),
        ) {
            let mut all = if started {
                vec![Step::Roster, Step::Seed, Step::Draw]
            } else {
                Vec::new()
            };
            all.extend(steps);
            let log = log_of(&all);
            let views = result_views(&log);
            let briefs: Vec<ResultBrief<'_>> = views.briefs().collect();
            // The count agrees with what is walked, and so does emptiness.
            proptest::prop_assert_eq!(views.len(), briefs.len());
            proptest::prop_assert_eq!(views.is_empty(), briefs.is_empty());
            let sorted = crate::results::idmatch::SortedIds::new(briefs.iter().map(|b| b.id)).unwrap();
            let first = first_id_error(&briefs, &sorted);
            let checked =
                RoundState::from_log_and_results(&log, &views, IdSequences::Checked(first));
            let indexed = RoundState::from_log(&log);
            proptest::prop_assert_eq!(checked.as_ref().err(), indexed.as_ref().err());
            if let (Ok(a), Ok(b)) = (checked, indexed) {
                proptest::prop_assert_eq!((a.published, a.len), (b.published, b.len));
                proptest::prop_assert!(a.results.is_empty());
            }
        }
    }

    const RESULT_LINE: &str = r#"{"seq":0,"prev":"0000000000000000000000000000000000000000000000000000000000000000","type":"result-recorded","at":"2026-11-28T04:57:54Z","id":"AH5359958750","stratum":"亳州市","verdict":"fail","reasons":["NM_NOT_UPDATED","X,Y"],"note":"","inspector":"检查组","checked_at":"2023-08-23"}"#;

    /// A one-line log of `line`, streamed with results decoded on the way:
    /// when it checks, its result reads as serde_json reads the whole line
    /// (or is refused, as a bad record, when serde_json refuses it).
    fn streamed_result_agrees(line: &[u8]) -> Result<bool, String> {
        let show =
            |r: ResultView<'_>| format!("{} {} {:?} {:?}", r.id, r.stratum, r.verdict, r.reasons);
        let bytes = [line, b"\n"].concat();
        let theirs = serde_json::from_slice::<ResultView>(line).map(show);
        let Ok(Ok((_, parts))) =
            crate::log::chain::parse_log_streamed::<ResultPart>(&bytes[..], 64)
        else {
            // Refused for its common fields (held to serde_json in `chain`).
            return Ok(false);
        };
        let views = ResultViews::new(parts);
        let got: Vec<ResultAt<'_>> = views.iter().collect();
        let [(0, ours)] = got.as_slice() else {
            return Err(format!("{got:?}"));
        };
        match (ours, theirs) {
            (Ok(r), Ok(t))
                if format!("{} {} {:?} {:?}", r.id, r.stratum, r.verdict, r.reasons) == t =>
            {
                Ok(true)
            }
            (Err(_), Err(_)) => Ok(true),
            (ours, theirs) => Err(format!("{ours:?} vs {theirs:?}")),
        }
    }

    #[test]
    fn streamed_results_read_as_serde_json_reads_them() {
        let empty = RESULT_LINE.replace(r#"["NM_NOT_UPDATED","X,Y"]"#, "[]");
        for line in [RESULT_LINE.to_string(), empty] {
            assert_eq!(streamed_result_agrees(line.as_bytes()), Ok(true));
        }
        for (from, to) in [
            (r#""verdict":"fail""#, r#""verdict":"Fail""#),
            (
                r#""verdict":"fail""#,
                r#""verdict":"fail","verdict":"pass""#,
            ),
            (r#""id":"AH5359958750""#, r#""id":"AH5359958750","id":"B""#),
            (r#""id":"AH5359958750""#, r#""\u0069d":"AH5359958750""#),
            (r#""id":"AH5359958750""#, r#""id":"AH\u0035""#),
            (r#""id":"AH5359958750""#, r#""id":5"#),
            (r#""id":"AH5359958750","#, ""),
            (r#"["NM_NOT_UPDATED","X,Y"]"#, r#"[ "NM_NOT_UPDATED"]"#),
            (r#"["NM_NOT_UPDATED","X,Y"]"#, r#"["A\"B"]"#),
            (r#"["NM_NOT_UPDATED","X,Y"]"#, r#"["A",1]"#),
            (r#"["NM_NOT_UPDATED","X,Y"]"#, r#""A""#),
            (r#""note":"""#, r#""reasons":[]"#),
        ] {
            let line = RESULT_LINE.replace(from, to);
            assert_ne!(line, RESULT_LINE);
            assert_eq!(streamed_result_agrees(line.as_bytes()), Ok(true), "{line}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn streamed_results_agree_with_serde_json_on_edited_lines(
            edits in crate::log::chain::edits::edits(150..300, br#"{}[]":,\ 0129eE+-.tfnulsridpa"#)
        ) {
            let line = crate::log::chain::edits::edited(RESULT_LINE, &edits);
            proptest::prop_assert!(streamed_result_agrees(&line).is_ok());
        }
    }

    #[test]
    fn results_are_decoded_in_order_on_both_cores() {
        let ids: Vec<String> = (0..5000).map(|i| format!("ID{i}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let log = log_with_amendments(&refs);
        let views = result_views(&log);
        assert_eq!(views.len(), ids.len());
        for (k, (i, v)) in views.iter().enumerate() {
            assert_eq!(i, k + 1);
            assert_eq!(v.as_ref().unwrap().id, ids[k].as_str());
        }
    }
}
