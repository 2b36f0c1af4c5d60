//! `choucha verify` (a round against its records and the published numbers)
//! and `choucha claims` (a published table on its own).

use std::path::Path;

use crate::audit::published::{Claim, parse_claim, parse_table};
use crate::cli::{ClaimsArgs, VerifyArgs};
use crate::error::{Error, Result};
use crate::round::VerifyRequest;
use crate::t;

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
        outln!("{}", line.text);
    }
    if failed + unchecked == 0 {
        outln!("{}", t!("verify.verdict-ok", total));
        return Ok(());
    }
    if unchecked == 0 {
        outln!("{}", t!("verify.verdict-failed", failed, total));
        Err(Error::Discrepancy(t!(
            "verify.discrepancy",
            what,
            failed,
            total
        )))
    } else {
        outln!(
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
            let name = path.display().to_string();
            Some((parse_table(src.text.as_str(), &name)?, name))
        }
        None => None,
    };
    let pubkey = match &args.pubkey {
        Some(path) => Some((
            crate::proof::keys::load_public(path)?,
            path.display().to_string(),
        )),
        None => None,
    };
    let mut checkpoints = Vec::new();
    for path in &args.checkpoint {
        let note = crate::round::read_note(path)?;
        checkpoints.push((path.display().to_string(), note));
    }
    let mut witnesses = Vec::new();
    for path in &args.witness {
        let (_, vk) = super::checkpoint::verifying_key(path)?;
        witnesses.push((vk, path.display().to_string()));
    }
    let quorum = args.quorum.unwrap_or(witnesses.len());
    if !witnesses.is_empty() && (quorum == 0 || quorum > witnesses.len()) {
        return Err(crate::Error::input(t!(
            "verify.bad-quorum",
            quorum,
            witnesses = witnesses.len()
        )));
    }
    let request = VerifyRequest {
        published,
        claims,
        checkpoints,
        pubkey,
        witnesses,
        quorum,
    };
    let checks = crate::round::verify(dir, &request)?;
    let pinned = !request.checkpoints.is_empty();
    let verdict = conclude(
        checks.into_iter().map(|c| Line {
            ok: c.ok,
            checked: c.checked,
            text: c.text,
        }),
        &dir.display().to_string(),
    );
    // What a verify without a checkpoint cannot show, said whatever it found.
    if !pinned {
        errln!("{}", t!("verify.rechain-note"));
    }
    // What the verified sample proves; a round that does not hold proves nothing.
    if verdict.is_ok() {
        let confidence = super::bound::notice_confidence();
        super::bound::state_bound(crate::round::bound_at(dir, confidence), true);
    }
    verdict
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
    let rule = match &args.allocation {
        Some(r) => Some(
            r.parse::<crate::audit::published::RateRule>()
                .map_err(Error::input)?,
        ),
        None => None,
    };
    let findings = crate::audit::published::check_claims_with_rule(
        &table,
        &claims,
        rate,
        args.totals_rounding.into(),
        rule,
    );
    let verdict = conclude(
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
    );
    // What the published sample proves, for a table whose numbers hold.
    if verdict.is_ok() {
        let confidence = super::bound::notice_confidence();
        match super::bound::published_bound(&table, confidence, &name) {
            Ok((b, _)) => errln!(
                "{}",
                super::bound::notice(&b.whole, None, crate::i18n::current())
            ),
            Err(e) => errln!("{}", t!("cmd-bound.not-stated", error = e)),
        }
    }
    verdict
}
