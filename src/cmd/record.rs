//! `choucha record` and `choucha amend`: inspection results into the log.

use std::path::Path;

use crate::cli::{AmendArgs, RecordArgs};
use crate::commit::sha256_hex;
use crate::error::{Error, Result};
use crate::fsio;
use crate::logfile::LockedLog;
use crate::manifest::{MANIFEST_FILE, Manifest};
use crate::results::{
    ResultRow, check_reasons, parse_date, parse_results, sample_index, split_reasons, validate,
};
use crate::round::{ResultAmended, RoundState, Verdict};

/// The round's sample, from manifest.json as committed by `sample-drawn`.
pub(crate) fn load_manifest(dir: &Path, state: &RoundState) -> Result<Manifest> {
    let drawn = state
        .drawn
        .as_ref()
        .ok_or_else(|| Error::refused("no sample has been drawn yet; run `choucha draw` first"))?;
    let path = dir.join(MANIFEST_FILE);
    let bytes = fsio::read(&path)?;
    let digest = sha256_hex(&bytes);
    if digest != drawn.manifest_sha256 {
        return Err(Error::refused(format!(
            "{}: hashes to {digest}, but the log recorded {}; the sample list was changed after the draw",
            path.display(),
            drawn.manifest_sha256
        )));
    }
    serde_json::from_slice(&bytes).map_err(|e| Error::refused(format!("{}: {e}", path.display())))
}

fn refuse_if_closed(state: &RoundState) -> Result<()> {
    if let Some(line) = state.published {
        return Err(Error::refused(format!(
            "the report was published (log line {line}); the round is closed and its results can no longer change"
        )));
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
            return Err(Error::input(
                "give exactly one of --pass or --fail CODE[,CODE...]",
            ));
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
    let mut source_text = None;
    let (rows, file, file_sha) = match (&args.file, &args.id) {
        (Some(path), None) => {
            if args.verdict.pass || args.verdict.fail.is_some() {
                return Err(Error::input(
                    "a results file carries its own verdicts; drop --pass/--fail",
                ));
            }
            let src =
                super::read_table(path, args.input.encoding, args.input.sheet.as_deref(), &[])?;
            let name = src.name.clone();
            let rows = parse_results(&src.text, &name).map_err(|e| src.locate(e))?;
            let sha = src.sha256.clone();
            source_text = Some(src);
            (rows, name, sha)
        }
        (None, Some(id)) => {
            let (verdict, reasons) = verdict_of(&args.verdict)?;
            let checked_at = parse_date(args.checked_at.as_deref().unwrap_or(""))
                .map_err(|e| Error::input(format!("--checked-at: {e}")))?;
            let row = ResultRow {
                line: 0,
                id: crate::text::normalize_field(id).into_owned(),
                verdict,
                reasons,
                note: args.verdict.note.clone().unwrap_or_default(),
                inspector: args.verdict.inspector.clone().unwrap_or_default(),
                checked_at,
            };
            (vec![row], "--id".to_string(), String::new())
        }
        _ => {
            return Err(Error::input(
                "give a results file, or --id ID with --pass or --fail CODE",
            ));
        }
    };
    let records =
        validate(rows, &file, &sample, &log.state.results, &codes).map_err(
            |e| match &source_text {
                Some(src) => src.locate(e),
                None => e,
            },
        )?;
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
        "recorded {} result(s) ({} pass, {failed} fail); {done} of {} sampled accounts have a result",
        records.len(),
        records.len() - failed,
        manifest.sample_size
    );
    Ok(())
}

pub fn amend(dir: &Path, args: &AmendArgs) -> Result<()> {
    let mut log = LockedLog::open(dir)?;
    refuse_if_closed(&log.state)?;
    let id = crate::text::normalize_field(&args.id).into_owned();
    let Some(&current) = log.state.results.get(id.as_str()) else {
        return Err(Error::refused(format!(
            "{id:?} has no result to amend; record one with `choucha record --id ...`"
        )));
    };
    let why = crate::text::normalize_field(&args.why).into_owned();
    if why.is_empty() {
        return Err(Error::input(
            "--why: say why the result changes; corrections keep their reason in the log",
        ));
    }
    let (verdict, reasons) = verdict_of(&args.verdict)?;
    let reasons = check_reasons(verdict, &reasons, &log.state.opened.codebook())
        .map_err(|e| Error::input(format!("{id:?}: {e}")))?;
    let manifest = load_manifest(dir, &log.state)?;
    // One id: a scan of the sample, not an index of all of it.
    let stratum = manifest
        .strata
        .iter()
        .find(|s| s.ids.contains(&id))
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
        "amended {id}: {} → {} (the earlier result stays in the log)",
        was.name(),
        verdict.name()
    );
    Ok(())
}

/// `choucha codes`: the reason codes this round (or the built-in set) accepts.
pub fn codes(dir: &Path) -> Result<()> {
    let book = match LockedLog::open(dir) {
        Ok(log) => log.state.opened.codebook(),
        Err(_) => crate::codes::Codebook::new(&[], ""),
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
