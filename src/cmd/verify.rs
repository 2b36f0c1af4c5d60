//! `choucha verify` (a round against its records and the published numbers)
//! and `choucha claims` (a published table on its own).

use std::path::Path;

use crate::audit::published::{Claim, parse_claim, parse_table};
use crate::audit::verify::{Inputs, verify};
use crate::cli::{ClaimsArgs, VerifyArgs};
use crate::error::{Error, Result};
use crate::sampling::manifest::MANIFEST_FILE;
use crate::t;

use super::roster::ROSTER_FILE;

fn claims_of(raw: &[String]) -> Result<Vec<Claim>> {
    raw.iter()
        .map(|c| parse_claim(c).map_err(|e| Error::input(t!("verify.bad-claim", error = e))))
        .collect()
}

/// One line of findings: whether the check held, whether it could be run
/// at all, and the line to print.
struct Line {
    ok: bool,
    checked: bool,
    text: String,
}

/// Prints the findings and a verdict line; a failed one exits 1. Checks that
/// could not be run because an earlier one failed are counted apart, so the
/// verdict says how many failed on their own.
fn conclude(lines: impl Iterator<Item = Line>, what: &str) -> Result<()> {
    let (mut failed, mut unchecked, mut total) = (0, 0, 0);
    for line in lines {
        total += 1;
        if !line.checked {
            unchecked += 1;
        } else if !line.ok {
            failed += 1;
        }
        println!("{}", line.text);
    }
    if failed + unchecked == 0 {
        println!("{}", t!("verify.verdict-ok", total));
        return Ok(());
    }
    if unchecked == 0 {
        println!("{}", t!("verify.verdict-failed", failed, total));
        Err(Error::Discrepancy(t!(
            "verify.discrepancy",
            what,
            failed,
            total
        )))
    } else {
        println!(
            "{}",
            t!("verify.verdict-failed-unchecked", failed, unchecked, total)
        );
        Err(Error::Discrepancy(t!(
            "verify.discrepancy-unchecked",
            what,
            failed,
            unchecked,
            total
        )))
    }
}

pub fn verify_round(dir: &Path, args: &VerifyArgs) -> Result<()> {
    let dir = args.round.as_deref().unwrap_or(dir);
    let claims = claims_of(&args.claim)?;
    let published = match &args.published {
        Some(path) => {
            let src = crate::input::table::read_text(path, None)?;
            let text = src.text.as_str();
            let name = path.display().to_string();
            Some((parse_table(text, &name)?, name))
        }
        None => None,
    };
    // roster.tsv and manifest.json are read and hashed beside the log's
    // check. A signed checkpoint needs every line's bytes: then the log is
    // read whole; else it is streamed, keeping only what verify reads.
    let whole = !args.checkpoint.is_empty();
    let read_log = || -> Result<_> {
        if whole {
            let (_, log) = crate::log::file::read_checked(dir)?;
            Ok(log.map(|log| {
                let views = crate::log::state::result_views(&log);
                (log, views)
            }))
        } else {
            crate::log::file::read_streamed(dir)
        }
    };
    let (log, files) = crate::base::par::join(read_log, || -> Result<_> {
        let read_hashed = |bytes: crate::base::fsio::Bytes| {
            let digest = crate::base::digest::sha256_hex(&bytes);
            (bytes, digest)
        };
        Ok((
            read_hashed(crate::base::fsio::read_large(&dir.join(ROSTER_FILE))?),
            read_hashed(crate::base::fsio::read_large(&dir.join(MANIFEST_FILE))?),
        ))
    });
    let log = log?;
    let ((roster_tsv, roster_tsv_sha256), (manifest, manifest_sha256)) = files?;
    let findings = verify(&Inputs {
        log: &log,
        roster_tsv: &roster_tsv,
        roster_tsv_sha256: &roster_tsv_sha256,
        manifest: &manifest,
        manifest_sha256: &manifest_sha256,
        published: published.as_ref().map(|(t, n)| (t, n.as_str())),
        claims: &claims,
    });
    let mut lines: Vec<Line> = findings
        .into_iter()
        .map(|f| Line {
            ok: f.ok,
            checked: f.checked,
            text: f.to_string(),
        })
        .collect();
    if !args.checkpoint.is_empty() {
        let path = args
            .pubkey
            .as_ref()
            .expect("clap requires --pubkey with --checkpoint");
        let key = crate::proof::keys::load_public(path)?;
        let vk = crate::proof::keys::ed25519_verifying(&key)
            .map_err(|e| Error::input(t!("verify.bad-pubkey", file = path.display(), error = e)))?;
        for cp_path in &args.checkpoint {
            let note = String::from_utf8(crate::base::fsio::read(cp_path)?)
                .map_err(|_| Error::input(t!("verify.not-a-note", file = cp_path.display())))?;
            let name = cp_path.display();
            // (held, could be checked, what to say)
            let finding = match (&log, crate::proof::tlog::open_checkpoint(&note, &vk)) {
                (_, Err(e)) => (false, true, t!("verify.checkpoint-error", name, error = e)),
                (Err(_), Ok(_)) => (false, false, t!("verify.checkpoint-unchecked", name)),
                (Ok((log, _)), Ok(cp)) => match crate::proof::tlog::check_against(log, &cp) {
                    Ok(()) => (
                        true,
                        true,
                        t!(
                            "verify.checkpoint-ok",
                            name,
                            fingerprint = crate::proof::keys::fingerprint(&key),
                            size = cp.size
                        ),
                    ),
                    Err(e) => (false, true, t!("verify.checkpoint-error", name, error = e)),
                },
            };
            let (ok, checked, detail) = finding;
            lines.push(Line {
                ok,
                checked,
                text: crate::audit::verify::finding_line(ok, "checkpoint", &detail),
            });
        }
    }
    conclude(lines.into_iter(), &dir.display().to_string())
}

pub fn claims(args: &ClaimsArgs) -> Result<()> {
    let claims = claims_of(&args.claim)?;
    let src = crate::input::table::read_text(&args.table, None)?;
    let text = src.text.as_str();
    let name = args.table.display().to_string();
    let table = parse_table(text, &name)?;
    let rate = match &args.rate {
        Some(r) => {
            let r: crate::sampling::rate::Rate = r
                .parse()
                .map_err(|e| Error::input(t!("verify.bad-rate", error = e)))?;
            Some((r.numerator(), r.denominator()))
        }
        None => None,
    };
    let findings =
        crate::audit::published::check_claims(&table, &claims, rate, args.totals_rounding.into());
    conclude(
        findings.into_iter().map(|f| {
            let what = f.what;
            let text = if f.ok {
                t!("verify.claims-line-ok", what)
            } else {
                t!("verify.claims-line-failed", what)
            };
            Line {
                ok: f.ok,
                checked: true,
                text,
            }
        }),
        &name,
    )
}
