//! `choucha report`: the notice's table from the records; `--publish` closes the round.

use std::path::Path;

use crate::audit::report::compute;
use crate::cli::{ReportArgs, ReportFormat};
use crate::error::{Error, Result};
use crate::log::file::LockedLog;
use crate::t;

use super::record::load_manifest;

/// Refuses, before `--publish` closes the round, an output file that cannot
/// be written: otherwise the command would exit 2 with the round closed.
fn check_writable(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(Error::input(t!(
            "cmd-report.output-is-directory",
            path = path.display()
        )));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    tempfile::Builder::new()
        .prefix(".choucha-tmp-")
        .tempfile_in(dir)
        .map(drop)
        .map_err(|e| Error::io(dir, e))
}

pub fn run(dir: &Path, args: &ReportArgs) -> Result<()> {
    let mut log = LockedLog::open(dir)?;
    let manifest = load_manifest(dir, &log.state)?;
    let table = compute(&log.state, &manifest);
    let lang = crate::i18n::current();
    if args.format == ReportFormat::Xlsx && args.output.is_none() {
        return Err(Error::input(t!("cmd-report.xlsx-needs-output")));
    }
    if args.publish {
        if let Some(line) = log.state.published {
            return Err(Error::refused(t!("cmd-report.already-published", line)));
        }
        if let Some(note) = table.missing_note(lang) {
            return Err(Error::refused(t!("cmd-report.incomplete", note)));
        }
        if let Some(path) = &args.output {
            check_writable(path)?;
        }
        log.append(&table.published_record())?;
    }
    let out = match args.format {
        ReportFormat::Md => table.to_markdown(lang).into_bytes(),
        ReportFormat::Csv => table.to_csv(lang),
        ReportFormat::Json => table.canonical(),
        ReportFormat::Html => {
            let roster = log
                .state
                .roster
                .as_ref()
                .map_or(String::new(), |r| r.roster_sha256.clone());
            let foot = [
                (t!("cmd-report.footer-log-head"), log.state.head.clone()),
                (t!("cmd-report.footer-roster"), roster),
            ];
            table.to_html(lang, &foot).into_bytes()
        }
        ReportFormat::Xlsx => {
            let path = args.output.as_ref().expect("checked above");
            crate::output::workbook::write_table_xlsx(path, &table, lang)?;
            Vec::new()
        }
    };
    match &args.output {
        Some(_) if args.format == ReportFormat::Xlsx => {}
        Some(path) => crate::base::fsio::write_atomic(path, &out)?,
        None => {
            use std::io::Write;
            // Standard output cannot be checked before publishing. If it
            // fails after, the round is closed all the same: say so, and how
            // to print the table again (it is recomputed from the records).
            let what = if args.publish {
                t!(
                    "cmd-report.stdout-after-publish",
                    digest = table.published_record().table_sha256
                )
            } else {
                t!("cmd-report.stdout")
            };
            std::io::stdout()
                .write_all(&out)
                .and_then(|()| std::io::stdout().flush())
                .map_err(|e| Error::io(what, e))?;
        }
    }
    if args.publish {
        eprintln!(
            "{}",
            t!(
                "cmd-report.published",
                digest = table.published_record().table_sha256
            )
        );
    } else if let Some(note) = table.missing_note(lang) {
        eprintln!("{note}");
    }
    Ok(())
}
