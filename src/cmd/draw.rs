//! `choucha draw`: choucha-v1 on the committed roster and the revealed seed.

use std::path::Path;

use crate::error::Result;
use crate::output::workbook::XLSX_MAX_ROWS;
use crate::round::Round;
use crate::sampling::manifest::MANIFEST_FILE;
use crate::sampling::sample::SAMPLE_FILE;
use crate::t;

pub fn run(dir: &Path, args: &crate::cli::DrawArgs) -> Result<()> {
    let mut round = Round::open(dir)?;
    // A bad key is refused before anything is drawn.
    let signer = args
        .sign_key
        .as_deref()
        .map(crate::proof::keys::load_private)
        .transpose()?;
    let d = round.draw(signer.as_ref())?;
    outln!("{}  {MANIFEST_FILE}", d.manifest_sha256);
    outln!(
        "{}",
        t!(
            "cmd-draw.drew",
            sample = d.sample_size,
            accounts = d.accounts,
            algorithm = d.algorithm,
            rate = d.rate,
            allocation = d.allocation
        )
    );
    for s in &d.strata {
        outln!(
            "{}",
            t!(
                "cmd-draw.stratum",
                name = s.name,
                quota = s.quota,
                population = s.population
            )
        );
    }
    outln!(
        "{}",
        t!(
            "cmd-draw.wrote",
            manifest = d.manifest.display(),
            sample = d.sample_csv.display()
        )
    );
    match &d.workbooks {
        Some((sample, template)) => outln!(
            "{}",
            t!(
                "cmd-draw.wrote-workbooks",
                sample = sample.display(),
                template = template.display()
            )
        ),
        None => outln!(
            "{}",
            t!(
                "cmd-draw.no-workbooks",
                max = XLSX_MAX_ROWS,
                file = SAMPLE_FILE
            )
        ),
    }
    Ok(())
}
