//! `choucha record` and `choucha amend`: inspection results into the log.

use std::path::Path;

use crate::cli::{AmendArgs, RecordArgs};
use crate::error::{Error, Result};
use crate::input::columns::{ID, VERDICT};
use crate::input::header::Wanted;
use crate::input::text::normalize_field;
use crate::results::batch::{ResultRow, parse_date, split_reasons};
use crate::results::verdict::Verdict;
use crate::round::{Amendment, Batch, Round};
use crate::t;

/// The verdict and reason codes given on the command line: `--pass` or
/// `--fail CODES`, plus any `--reason CODES`.
fn verdict_of(v: &crate::cli::VerdictArgs) -> Result<(Verdict, Vec<String>)> {
    let (verdict, mut reasons) = match (v.pass, &v.fail) {
        (true, None) => (Verdict::Pass, Vec::new()),
        (false, Some(codes)) => (Verdict::Fail, split_reasons(codes)),
        _ => {
            return Err(Error::input(t!("record.pass-or-fail")));
        }
    };
    reasons.extend(v.reason.as_deref().map(split_reasons).unwrap_or_default());
    Ok((verdict, reasons))
}

/// The results the arguments give: a file, or one `--id` with its verdict.
fn batch_of(args: &RecordArgs) -> Result<Batch> {
    match (&args.file, &args.id) {
        (Some(path), None) => {
            if args.verdict.pass || args.verdict.fail.is_some() {
                return Err(Error::input(t!("record.file-has-verdicts")));
            }
            let wanted = Wanted::none()
                .column(None, &ID.all())
                .column(None, &VERDICT.all());
            let src = crate::input::table::read_table(path, &args.input.options(wanted))?;
            super::say_how_read(&src);
            let source_name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(Batch::Table { src, source_name })
        }
        (None, Some(id)) => {
            let (verdict, reasons) = verdict_of(&args.verdict)?;
            let checked_at = parse_date(args.checked_at.as_deref().unwrap_or(""))
                .map_err(|error| Error::input(t!("record.checked-at", error)))?;
            Ok(Batch::One(ResultRow {
                line: 0,
                id: normalize_field(id).into_owned(),
                verdict,
                reasons,
                note: args.verdict.note.clone().unwrap_or_default(),
                inspector: args.verdict.inspector.clone().unwrap_or_default(),
                checked_at,
                entered_by: String::new(),
            }))
        }
        _ => Err(Error::input(t!("record.file-or-id"))),
    }
}

pub fn record(dir: &Path, args: &RecordArgs) -> Result<()> {
    let mut round = Round::open(dir)?;
    let why = args
        .amend_changed
        .then_some(args.why.as_deref().unwrap_or(""));
    let r = round
        .record(batch_of(args)?, why)
        .map_err(|e| problems_file(e, args))?;
    if !r.ignored_columns.is_empty() {
        let columns: Vec<String> = r
            .ignored_columns
            .iter()
            .map(|c| format!("{:?}", crate::input::text::clipped(c, 40)))
            .collect();
        errln!(
            "{}",
            t!("record.ignored-columns", columns = columns.join(", "))
        );
    }
    if r.empty_rows > 0 {
        outln!("{}", t!("table.empty-rows", count = r.empty_rows));
    }
    if r.same > 0 {
        outln!("{}", t!("record.same-skipped", count = grouped(r.same)));
    }
    if !r.amended.is_empty() {
        outln!(
            "{}",
            t!(
                "record.amended-changed",
                count = r.amended.len(),
                why = why.unwrap_or("")
            )
        );
        for a in &r.amended {
            outln!(
                "  {}: {} → {}",
                a.id,
                verdict_word(a.was),
                verdict_word(a.now)
            );
        }
    }
    if r.count == 0 && r.amended.is_empty() {
        outln!(
            "{}",
            t!("record.nothing-new", done = r.done, sampled = r.sampled)
        );
    } else if r.count == 0 {
        outln!(
            "{}",
            t!("record.progress", done = r.done, sampled = r.sampled)
        );
    } else {
        outln!(
            "{}",
            t!(
                "record.recorded",
                count = r.count,
                passed = r.passed,
                failed = r.failed,
                done = r.done,
                sampled = r.sampled
            )
        );
    }
    Ok(())
}

/// A count with thousands separated, as notices write it: 1,641.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// More problems than a message shows: every one goes to a file beside the
/// batch, `FILE.problems.txt`, which the message names.
fn problems_file(e: Error, args: &RecordArgs) -> Error {
    match (e, &args.file) {
        (Error::Problems { list, file: None }, Some(batch))
            if list.len() > crate::error::PROBLEMS_SHOWN =>
        {
            let mut name = batch.as_os_str().to_owned();
            name.push(".problems.txt");
            let path = std::path::PathBuf::from(name);
            let text = list.join("\n") + "\n";
            let file = match crate::base::fsio::write_atomic(&path, text.as_bytes()) {
                Ok(()) => Some(path.display().to_string()),
                Err(_) => None, // the message still lists the first ones
            };
            Error::Problems { list, file }
        }
        (e, _) => e,
    }
}

pub fn amend(dir: &Path, args: &AmendArgs) -> Result<()> {
    let mut round = Round::open(dir)?;
    let (verdict, reasons) = verdict_of(&args.verdict)?;
    let a = round.amend(Amendment {
        id: args.id.clone(),
        verdict,
        reasons,
        note: args.verdict.note.clone().unwrap_or_default(),
        inspector: args.verdict.inspector.clone().unwrap_or_default(),
        why: args.why.clone(),
        entered_by: String::new(),
    })?;
    outln!(
        "{}",
        t!(
            "record.amended",
            id = a.id,
            was = verdict_word(a.was),
            now = verdict_word(a.now)
        )
    );
    Ok(())
}

/// A verdict as the user reads it: pass/fail, 合格/不合格.
fn verdict_word(v: Verdict) -> String {
    match v {
        Verdict::Pass => t!("record.pass"),
        Verdict::Fail => t!("record.fail"),
    }
}

/// `choucha codes`: the reason codes this round (or the built-in set) accepts.
pub fn codes(dir: &Path) -> Result<()> {
    outln!("code\tveto\tapplies-to\tlabel");
    for c in crate::round::codebook_at(dir).codes() {
        outln!(
            "{}\t{}\t{}\t{}",
            c.code,
            if c.veto { "yes" } else { "no" },
            c.applies_to.name(),
            c.label
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_grouped_by_thousands() {
        let g: Vec<String> = [0, 7, 999, 1000, 1641, 123456, 1234567]
            .into_iter()
            .map(super::grouped)
            .collect();
        assert_eq!(
            g,
            ["0", "7", "999", "1,000", "1,641", "123,456", "1,234,567"]
        );
    }
}
