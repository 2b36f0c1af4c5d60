//! `choucha record` and `choucha amend`: inspection results into the log.

use std::path::Path;

use crate::base::digest::sha256_hex;
use crate::base::fsio;
use crate::cli::{AmendArgs, RecordArgs};
use crate::error::{Error, Result};
use crate::input::text::Origin;
use crate::log::file::LockedLog;
use crate::log::state::RoundState;
use crate::results::batch::{
    ResultColumns, ResultRow, check_reasons, parse_date, parse_results, sample_index,
    split_reasons, validate,
};
use crate::results::record::ResultAmended;
use crate::results::verdict::Verdict;
use crate::sampling::manifest::{MANIFEST_FILE, Manifest};
use crate::t;

/// The round's sample, from manifest.json as committed by `sample-drawn`.
pub(crate) fn load_manifest(dir: &Path, state: &RoundState) -> Result<Manifest<'static>> {
    let drawn = state
        .drawn
        .as_ref()
        .ok_or_else(|| Error::refused(t!("record.no-sample")))?;
    let path = dir.join(MANIFEST_FILE);
    let bytes = fsio::read(&path)?;
    let digest = sha256_hex(&bytes);
    if digest != drawn.manifest_sha256 {
        return Err(Error::refused(t!(
            "record.manifest-changed",
            file = path.display(),
            digest,
            recorded = drawn.manifest_sha256
        )));
    }
    serde_json::from_slice::<Manifest>(&bytes)
        .map(Manifest::into_owned)
        .map_err(|e| Error::refused(t!("text.whole-file", file = path.display(), message = e)))
}

fn refuse_if_closed(state: &RoundState) -> Result<()> {
    if let Some(line) = state.published {
        return Err(Error::refused(t!("record.closed", line)));
    }
    Ok(())
}

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

pub fn record(dir: &Path, args: &RecordArgs) -> Result<()> {
    let mut log = LockedLog::open(dir)?;
    refuse_if_closed(&log.state)?;
    let manifest = load_manifest(dir, &log.state)?;
    let sample = sample_index(&manifest);
    let codes = log.state.opened.codebook();
    let (rows, origin, columns, file_sha) = match (&args.file, &args.id) {
        (Some(path), None) => {
            if args.verdict.pass || args.verdict.fail.is_some() {
                return Err(Error::input(t!("record.file-has-verdicts")));
            }
            let src = crate::input::table::read_table(
                path,
                args.input.encoding,
                args.input.sheet.as_deref(),
                &[],
            )?;
            let (rows, columns) = parse_results(src.text.as_str(), &src.origin)?;
            (rows, src.origin.clone(), columns, src.source_sha256())
        }
        (None, Some(id)) => {
            let (verdict, reasons) = verdict_of(&args.verdict)?;
            let checked_at = parse_date(args.checked_at.as_deref().unwrap_or(""))
                .map_err(|error| Error::input(t!("record.checked-at", error)))?;
            let row = ResultRow {
                line: 0,
                id: crate::input::text::normalize_field(id).into_owned(),
                verdict,
                reasons,
                note: args.verdict.note.clone().unwrap_or_default(),
                inspector: args.verdict.inspector.clone().unwrap_or_default(),
                checked_at,
            };
            (
                vec![row],
                Origin::file("--id"),
                ResultColumns::default(),
                String::new(),
            )
        }
        _ => {
            return Err(Error::input(t!("record.file-or-id")));
        }
    };
    let records = validate(rows, &origin, &columns, &sample, &log.state.results, &codes)?;
    let source = args
        .file
        .as_ref()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    log.append_batch(&records, &source, &file_sha)?;
    let failed = records
        .iter()
        .filter(|r| r.verdict == Verdict::Fail)
        .count();
    let done = log.state.results.len() + records.len();
    println!(
        "{}",
        t!(
            "record.recorded",
            count = records.len(),
            passed = records.len() - failed,
            failed,
            done,
            sampled = manifest.sample_size
        )
    );
    Ok(())
}

pub fn amend(dir: &Path, args: &AmendArgs) -> Result<()> {
    let mut log = LockedLog::open(dir)?;
    refuse_if_closed(&log.state)?;
    let id = crate::input::text::normalize_field(&args.id).into_owned();
    let Some(&current) = log.state.results.get(id.as_str()) else {
        return Err(Error::refused(t!("record.nothing-to-amend", id)));
    };
    let why = crate::input::text::normalize_field(&args.why).into_owned();
    if why.is_empty() {
        return Err(Error::input(t!("record.why-empty")));
    }
    let (verdict, reasons) = verdict_of(&args.verdict)?;
    let reasons = check_reasons(verdict, &reasons, &log.state.opened.codebook())
        .map_err(|error| Error::input(t!("record.amend-reasons", id, error)))?;
    let manifest = load_manifest(dir, &log.state)?;
    // One id: a scan of the sample, not an index of all of it.
    let stratum = manifest
        .strata
        .iter()
        .find(|s| s.ids.iter().any(|i| *i == id))
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let record = ResultAmended {
        id: id.clone(),
        stratum,
        verdict,
        reasons,
        note: args.verdict.note.clone().unwrap_or_default(),
        inspector: args.verdict.inspector.clone().unwrap_or_default(),
        why,
    };
    let was = current.verdict;
    log.append(&record)?;
    println!(
        "{}",
        t!(
            "record.amended",
            id,
            was = verdict_word(was),
            now = verdict_word(verdict)
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
    let book = match LockedLog::open(dir) {
        Ok(log) => log.state.opened.codebook(),
        Err(_) => crate::results::codes::Codebook::new(&[], ""),
    };
    println!("code\tveto\tapplies-to\tlabel");
    for c in book.codes() {
        println!(
            "{}\t{}\t{}\t{}",
            c.code,
            if c.veto { "yes" } else { "no" },
            c.applies_to.name(),
            c.label
        );
    }
    Ok(())
}
