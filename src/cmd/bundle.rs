//! `choucha bundle`: a round's publication as one package anyone can check.

use std::path::Path;

use crate::cli::BundleArgs;
use crate::error::Result;
use crate::proof::keys;
use crate::round::{BundleRequest, Round};
use crate::t;

pub fn run(dir: &Path, args: &BundleArgs) -> Result<()> {
    let dir = args.round.as_deref().unwrap_or(dir);
    let key = match &args.sign_key {
        Some(path) => Some(keys::load_private(path)?),
        None => None,
    };
    let mut round = Round::open(dir)?;
    let done = round.bundle(&BundleRequest {
        output: &args.output,
        with_roster: !args.no_roster,
        signer: key.as_ref(),
        lang: crate::i18n::current(),
    })?;
    for (name, digest) in &done.files {
        outln!("{digest}  {name}");
    }
    errln!(
        "{}",
        t!(
            "bundle.wrote",
            path = done.output.display(),
            count = done.files.len()
        )
    );
    if !done.published {
        errln!("{}", t!("bundle.unpublished"));
    }
    Ok(())
}
