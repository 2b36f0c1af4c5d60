//! `choucha draw`: choucha-v1 on the committed roster and the revealed seed.

use std::path::Path;

use crate::commit::sha256_hex;
use crate::error::{Error, Result};
use crate::fsio;
use crate::logfile::LockedLog;
use crate::manifest::{DrawInputs, MANIFEST_FILE, draw_manifest};
use crate::roster::parse_canonical;
use crate::round::SampleDrawn;
use crate::sample::{COLUMNS_FILE, SAMPLE_FILE, sample_csv};

use super::roster::ROSTER_FILE;

pub fn run(dir: &Path) -> Result<()> {
    let mut log = LockedLog::open(dir)?;
    let st = log.state.clone();
    let (Some(roster), Some(seed)) = (&st.roster, &st.seed) else {
        return Err(Error::refused(
            "no seed has been revealed yet; run `choucha seed VALUE --source TEXT` after the roster is committed",
        ));
    };
    if st.drawn.is_some() {
        return Err(Error::refused(
            "the sample has already been drawn in this round; a redraw would let someone try seeds until one suits them",
        ));
    }
    let tsv_path = dir.join(ROSTER_FILE);
    let tsv = fsio::read(&tsv_path)?;
    let digest = sha256_hex(&tsv);
    if digest != roster.roster_sha256 {
        return Err(Error::refused(format!(
            "{}: hashes to {digest}, but the log committed {}; the file was changed after the commitment",
            tsv_path.display(),
            roster.roster_sha256
        )));
    }
    let canonical = parse_canonical(&tsv, &tsv_path.display().to_string())?;
    let rate = st.opened.rate().map_err(Error::refused)?;
    let allocation = st.opened.allocation().map_err(Error::refused)?;
    let inputs = DrawInputs {
        round: &st.opened.round,
        population: &st.opened.population,
        seed: &seed.seed,
        seed_source: &seed.source,
        roster_sha256: &roster.roster_sha256,
        rate,
        allocation: &allocation,
        quotas_sha256: st.opened.quotas_sha256.as_deref(),
    };
    let drawn = draw_manifest(&inputs, &canonical).map_err(Error::refused)?;
    let manifest_bytes = drawn.manifest.to_bytes();

    let columns_path = dir.join(COLUMNS_FILE);
    let columns = String::from_utf8(fsio::read(&columns_path)?)
        .map_err(|_| Error::input(format!("{}: not valid UTF-8", columns_path.display())))?;
    let sample = sample_csv(
        &columns,
        &canonical,
        &drawn,
        &roster.id_column,
        &roster.stratum_column,
    )?;

    fsio::write_atomic(&dir.join(MANIFEST_FILE), &manifest_bytes)?;
    fsio::write_atomic(&dir.join(SAMPLE_FILE), &sample)?;
    let m = &drawn.manifest;
    let record = SampleDrawn {
        algorithm: m.algorithm.clone(),
        roster_sha256: m.roster_sha256.clone(),
        manifest_sha256: sha256_hex(&manifest_bytes),
        sample_size: m.sample_size,
        quotas: m.strata.iter().map(|s| (s.name.clone(), s.quota)).collect(),
    };
    let manifest_sha = record.manifest_sha256.clone();
    log.append(&record)?;
    println!("{manifest_sha}  {MANIFEST_FILE}");
    println!(
        "drew {} of {} accounts with {} (rate {}, {})",
        m.sample_size, m.accounts, m.algorithm, m.rate, m.allocation
    );
    for name in &roster.order {
        if let Some(s) = m.strata.iter().find(|s| &s.name == name) {
            println!("  {name}\t{} of {}", s.quota, s.population);
        }
    }
    println!(
        "wrote {} and {}",
        dir.join(MANIFEST_FILE).display(),
        dir.join(SAMPLE_FILE).display()
    );
    Ok(())
}
