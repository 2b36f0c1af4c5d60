//! `choucha verify` (a round against its records and the published numbers)
//! and `choucha claims` (a published table on its own).

use std::path::Path;

use crate::cli::{ClaimsArgs, VerifyArgs};
use crate::error::{Error, Result};
use crate::manifest::MANIFEST_FILE;
use crate::published::{Claim, parse_claim, parse_table};
use crate::t;
use crate::verify::{Inputs, verify};

use super::roster::ROSTER_FILE;

fn claims_of(raw: &[String]) -> Result<Vec<Claim>> {
    raw.iter()
        .map(|c| parse_claim(c).map_err(|e| Error::input(t!("verify.bad-claim", error = e))))
        .collect()
}

/// Prints the findings and a verdict line; a failed one exits 1.
fn conclude(lines: impl Iterator<Item = (bool, String)>, what: &str) -> Result<()> {
    let mut failed = 0;
    let mut total = 0;
    for (ok, line) in lines {
        total += 1;
        failed += usize::from(!ok);
        println!("{line}");
    }
    if failed == 0 {
        println!("{}", t!("verify.verdict-ok", total));
        Ok(())
    } else {
        println!("{}", t!("verify.verdict-failed", failed, total));
        Err(Error::Discrepancy(t!(
            "verify.discrepancy",
            what,
            failed,
            total
        )))
    }
}

pub fn verify_round(dir: &Path, args: &VerifyArgs) -> Result<()> {
    let dir = args.round.as_deref().unwrap_or(dir);
    let claims = claims_of(&args.claim)?;
    let published = match &args.published {
        Some(path) => {
            let src = super::read_text(path, None)?;
            let text = src.text.as_str();
            let name = path.display().to_string();
            Some((parse_table(text, &name)?, name))
        }
        None => None,
    };
    let (_, log) = crate::logfile::read_checked(dir)?;
    let roster_tsv = crate::fsio::read(&dir.join(ROSTER_FILE))?;
    let manifest = crate::fsio::read(&dir.join(MANIFEST_FILE))?;
    let findings = verify(&Inputs {
        log: &log,
        roster_tsv: &roster_tsv,
        manifest: &manifest,
        published: published.as_ref().map(|(t, n)| (t, n.as_str())),
        claims: &claims,
    });
    let mut lines: Vec<(bool, String)> = findings
        .into_iter()
        .map(|f| (f.ok, f.to_string()))
        .collect();
    if !args.checkpoint.is_empty() {
        let path = args
            .pubkey
            .as_ref()
            .expect("clap requires --pubkey with --checkpoint");
        let key = crate::keys::load_public(path)?;
        let vk = crate::keys::ed25519_verifying(&key)
            .map_err(|e| Error::input(t!("verify.bad-pubkey", file = path.display(), error = e)))?;
        for cp_path in &args.checkpoint {
            let note = String::from_utf8(crate::fsio::read(cp_path)?)
                .map_err(|_| Error::input(t!("verify.not-a-note", file = cp_path.display())))?;
            let name = cp_path.display();
            let finding = match (&log, crate::tlog::open_checkpoint(&note, &vk)) {
                (_, Err(e)) => (false, t!("verify.checkpoint-error", name, error = e)),
                (Err(_), Ok(_)) => (false, t!("verify.checkpoint-unchecked", name)),
                (Ok(log), Ok(cp)) => match crate::tlog::check_against(log, &cp) {
                    Ok(()) => (
                        true,
                        t!(
                            "verify.checkpoint-ok",
                            name,
                            fingerprint = crate::keys::fingerprint(&key),
                            size = cp.size
                        ),
                    ),
                    Err(e) => (false, t!("verify.checkpoint-error", name, error = e)),
                },
            };
            let (ok, detail) = finding;
            lines.push((ok, crate::verify::finding_line(ok, "checkpoint", &detail)));
        }
    }
    conclude(lines.into_iter(), &dir.display().to_string())
}

pub fn claims(args: &ClaimsArgs) -> Result<()> {
    let claims = claims_of(&args.claim)?;
    let src = super::read_text(&args.table, None)?;
    let text = src.text.as_str();
    let name = args.table.display().to_string();
    let table = parse_table(text, &name)?;
    let rate = match &args.rate {
        Some(r) => {
            let r: crate::rate::Rate = r
                .parse()
                .map_err(|e| Error::input(t!("verify.bad-rate", error = e)))?;
            Some((r.numerator(), r.denominator()))
        }
        None => None,
    };
    let findings =
        crate::published::check_claims(&table, &claims, rate, args.totals_rounding.into());
    conclude(
        findings.into_iter().map(|f| {
            let what = f.what;
            let line = if f.ok {
                t!("verify.claims-line-ok", what)
            } else {
                t!("verify.claims-line-failed", what)
            };
            (f.ok, line)
        }),
        &name,
    )
}
