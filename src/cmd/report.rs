//! `choucha report`: the notice's table from the records; `--publish` closes the round.

use std::path::Path;

use crate::cli::{ReportArgs, ReportFormat};
use crate::error::{Error, Result};
use crate::round::Round;
use crate::t;

/// Refuses, before `--publish` closes the round, an output file that cannot
/// be written: otherwise the command would exit 2 with the round closed.
fn check_writable(path: &Path) -> Result<()> {
    // A device or FIFO is written into, not replaced: nothing is made beside it.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return Ok(());
    }
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
    // `-o -` is standard output.
    let output = args.output.as_deref().filter(|p| *p != Path::new("-"));
    if let Some(file) = output.and_then(|p| crate::round::record_file_named(dir, p)) {
        return Err(Error::input(t!(
            "cmd-report.output-is-record",
            path = output.map_or(String::new(), |p| p.display().to_string()),
            file = file.display()
        )));
    }
    let mut round = Round::open(dir)?;
    let lang = crate::i18n::current();
    if args.format == ReportFormat::Xlsx && output.is_none() {
        round.report()?; // a round that has no table says so first
        return Err(Error::input(t!("cmd-report.xlsx-needs-output")));
    }
    let table = if args.publish {
        round.publish(lang, |_| match output {
            Some(path) => check_writable(path),
            None => Ok(()),
        })?
    } else {
        round.report()?
    };
    let st = round.state();
    let out = match args.format {
        ReportFormat::Md => table.to_markdown(lang).into_bytes(),
        ReportFormat::Csv => table.to_csv(lang),
        ReportFormat::Json => table.canonical(),
        ReportFormat::Html => {
            let roster = st
                .roster
                .as_ref()
                .map_or(String::new(), |r| r.roster_sha256.clone());
            let foot = [
                (t!("cmd-report.footer-log-head"), st.head.clone()),
                (t!("cmd-report.footer-roster"), roster),
            ];
            table.to_html(lang, &foot).into_bytes()
        }
        ReportFormat::Xlsx => {
            let path = output.expect("checked above");
            crate::output::workbook::write_table_xlsx(path, &table, lang)?;
            Vec::new()
        }
    };
    match output {
        Some(_) if args.format == ReportFormat::Xlsx => {}
        Some(path) => crate::base::fsio::write_output(path, &out)?,
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
            match std::io::stdout()
                .write_all(&out)
                .and_then(|()| std::io::stdout().flush())
            {
                // A reader that stopped early (`| head`) wanted no more.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                written => written.map_err(|e| Error::io(what, e))?,
            }
        }
    }
    if args.publish {
        errln!(
            "{}",
            t!(
                "cmd-report.published",
                digest = table.published_record().table_sha256
            )
        );
    } else if let Some(note) = table.missing_note(lang) {
        errln!("{note}");
    }
    if table.missing.is_empty() {
        let confidence = super::bound::notice_confidence();
        super::bound::state_bound(crate::round::bound_of_table(table, confidence), true);
    }
    Ok(())
}
