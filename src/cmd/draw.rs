//! `choucha draw`: choucha-v1 on the committed roster and the revealed seed.

use std::path::Path;

use crate::base::digest::sha256_hex;
use crate::base::fsio;
use crate::error::{Error, Result};
use crate::log::file::LockedLog;
use crate::log::records::SampleDrawn;
use crate::roster::canonical::parse_canonical;
use crate::sampling::manifest::{MANIFEST_FILE, draw_manifest};
use crate::sampling::sample::{COLUMNS_FILE, COLUMNS_INDEX_FILE, SAMPLE_FILE, write_sample_csv};
use crate::t;

use super::roster::ROSTER_FILE;

/// Above this many sampled accounts no workbooks are written: sample.csv
/// serves, and Excel is no tool for a list that long.
pub const XLSX_MAX_ROWS: u64 = 100_000;

/// sample.xlsx for the inspectors and results-template.xlsx to hand out and
/// read back with `choucha record`: the rows of sample.csv, as text.
fn write_workbooks(
    dir: &Path,
    sample_csv: &Path,
    st: &crate::log::state::RoundState,
) -> Result<()> {
    let bytes = fsio::read(sample_csv)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body);
    let mut rows: Vec<Vec<String>> = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| {
            Error::input(t!(
                "cmd-draw.sample-unreadable",
                file = sample_csv.display(),
                e
            ))
        })?;
        rows.push(rec.iter().map(str::to_string).collect());
    }
    let header = if rows.is_empty() {
        Vec::new()
    } else {
        rows.remove(0)
    };
    crate::output::workbook::write_sample_xlsx(&dir.join(SAMPLE_XLSX), &header, &rows)?;
    let book = st.opened.codebook();
    let codes: Vec<&str> = book
        .codes()
        .iter()
        .filter(|c| book.get(&c.code).is_ok())
        .map(|c| c.code.as_str())
        .collect();
    crate::output::workbook::write_results_template(
        &dir.join(TEMPLATE_XLSX),
        &header,
        &rows,
        &["合格", "不合格"],
        &codes,
    )
}

pub const SAMPLE_XLSX: &str = "sample.xlsx";
pub const TEMPLATE_XLSX: &str = "results-template.xlsx";

pub fn run(dir: &Path, args: &crate::cli::DrawArgs) -> Result<()> {
    let mut log = LockedLog::open(dir)?;
    // A bad key is refused before anything is drawn.
    let signer = args
        .sign_key
        .as_deref()
        .map(crate::proof::keys::load_private)
        .transpose()?;
    let st = log.state.clone();
    let (Some(roster), Some(_)) = (&st.roster, &st.seed) else {
        return Err(Error::refused(t!("cmd-draw.no-seed")));
    };
    if st.drawn.is_some() {
        return Err(Error::refused(t!("cmd-draw.already-drawn")));
    }
    let tsv_path = dir.join(ROSTER_FILE);
    let tsv = fsio::read_large(&tsv_path)?;
    // The digest and the canonical-form check read the same bytes: side by side.
    let (canonical, digest) = crate::base::par::join(
        || parse_canonical(&tsv, &tsv_path.display().to_string()),
        || sha256_hex(&tsv),
    );
    if digest != roster.roster_sha256 {
        return Err(Error::refused(t!(
            "cmd-draw.roster-changed",
            file = tsv_path.display(),
            digest,
            committed = roster.roster_sha256
        )));
    }
    let canonical = canonical?;
    let inputs = st.draw_inputs().map_err(Error::refused)?;
    let drawn = draw_manifest(&inputs, &canonical).map_err(Error::refused)?;
    // The sample's ids, copied out of roster.tsv in rank order into one
    // string: both outputs read them in that order (borrowed from
    // roster.tsv, each sat at a random place of it).
    let ids = drawn.manifest.ids_text();
    let drawn = crate::sampling::manifest::DrawnSample {
        manifest: drawn.manifest.reborrow_ids(&ids),
        ranks: drawn.ranks,
    };
    // roster.tsv has done its part; the memory goes to the sample list.
    drop(canonical);
    drop(tsv);
    let columns_path = dir.join(COLUMNS_FILE);
    let columns = fsio::read_large(&columns_path)?;
    let index = fsio::read(&dir.join(COLUMNS_INDEX_FILE))?;

    // The two files are independent: write them on both cores.
    let manifest_path = dir.join(MANIFEST_FILE);
    let sample_path = dir.join(SAMPLE_FILE);
    let (manifest_sha, sample_written) = crate::base::par::join(
        || -> Result<String> {
            let mut f = fsio::AtomicFile::hashing(&manifest_path)?;
            drawn
                .manifest
                .write_to(&mut f)
                .map_err(|e| Error::io(&manifest_path, e))?;
            Ok(f.commit()?.expect("made hashing"))
        },
        || -> Result<()> {
            let mut f = fsio::AtomicFile::create(&sample_path)?;
            write_sample_csv(
                &columns,
                &index,
                &drawn,
                &roster.id_column,
                &roster.stratum_column,
                &mut f,
            )?;
            f.commit().map(|_| ())
        },
    );
    let manifest_sha = manifest_sha?;
    sample_written?;
    let m = &drawn.manifest;
    let workbooks = if drawn.manifest.sample_size <= XLSX_MAX_ROWS {
        write_workbooks(dir, &sample_path, &st)?;
        true
    } else {
        false
    };
    let signer_fingerprint = match &signer {
        Some(key) => {
            let bytes = fsio::read(&manifest_path)?;
            let armored =
                crate::proof::keys::sign(key, crate::proof::keys::MANIFEST_NAMESPACE, &bytes)?;
            fsio::write_atomic(
                &dir.join(format!("{MANIFEST_FILE}.sig")),
                armored.as_bytes(),
            )?;
            crate::proof::keys::fingerprint(key.public_key())
        }
        None => String::new(),
    };
    let record = SampleDrawn {
        signer: signer_fingerprint,
        algorithm: m.algorithm.clone(),
        roster_sha256: m.roster_sha256.clone(),
        manifest_sha256: manifest_sha.clone(),
        sample_size: m.sample_size,
        quotas: m.strata.iter().map(|s| (s.name.clone(), s.quota)).collect(),
    };
    log.append(&record)?;
    println!("{manifest_sha}  {MANIFEST_FILE}");
    println!(
        "{}",
        t!(
            "cmd-draw.drew",
            sample = m.sample_size,
            accounts = m.accounts,
            algorithm = m.algorithm,
            rate = m.rate,
            allocation = m.allocation
        )
    );
    for name in &roster.order {
        if let Some(s) = m.strata.iter().find(|s| &s.name == name) {
            println!(
                "{}",
                t!(
                    "cmd-draw.stratum",
                    name,
                    quota = s.quota,
                    population = s.population
                )
            );
        }
    }
    println!(
        "{}",
        t!(
            "cmd-draw.wrote",
            manifest = dir.join(MANIFEST_FILE).display(),
            sample = dir.join(SAMPLE_FILE).display()
        )
    );
    if workbooks {
        println!(
            "{}",
            t!(
                "cmd-draw.wrote-workbooks",
                sample = dir.join(SAMPLE_XLSX).display(),
                template = dir.join(TEMPLATE_XLSX).display()
            )
        );
    } else {
        println!(
            "{}",
            t!(
                "cmd-draw.no-workbooks",
                max = XLSX_MAX_ROWS,
                file = SAMPLE_FILE
            )
        );
    }
    Ok(())
}
