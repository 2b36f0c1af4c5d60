//! The draw: choucha-v1 on the committed roster and the revealed seed;
//! manifest.json (signed if a key is given), the sample lists, and the
//! `sample-drawn` record.

use std::path::{Path, PathBuf};

use crate::base::digest::sha256_hex;
use crate::base::{fsio, par};
use crate::error::{Error, Result};
use crate::log::records::SampleDrawn;
use crate::log::state::RoundState;
use crate::output::workbook::{SAMPLE_XLSX, TEMPLATE_XLSX, XLSX_MAX_ROWS};
use crate::proof::keys;
use crate::roster::ROSTER_FILE;
use crate::roster::canonical::parse_canonical;
use crate::sampling::manifest::{DrawnSample, MANIFEST_FILE, draw_manifest};
use crate::sampling::sample::{COLUMNS_FILE, COLUMNS_INDEX_FILE, SAMPLE_FILE, write_sample_csv};
use crate::t;

/// One stratum of the sample.
pub struct DrawnStratum {
    pub name: String,
    pub quota: u64,
    pub population: u64,
}

/// What `draw` drew and wrote.
pub struct Drawn {
    pub manifest_sha256: String,
    pub sample_size: u64,
    pub accounts: u64,
    pub algorithm: String,
    pub rate: String,
    pub allocation: String,
    /// In the roster's order of first appearance.
    pub strata: Vec<DrawnStratum>,
    pub manifest: PathBuf,
    pub sample_csv: PathBuf,
    /// sample.xlsx and results-template.xlsx, unless the sample is larger
    /// than [`XLSX_MAX_ROWS`].
    pub workbooks: Option<(PathBuf, PathBuf)>,
}

/// The files a draw writes before its record: removed again unless the
/// record is appended, so that a refused draw leaves nothing behind (the
/// round stays undrawn, and its directory as it was).
struct Unrecorded(Vec<PathBuf>);

impl Drop for Unrecorded {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// sample.xlsx for the inspectors and results-template.xlsx to hand out and
/// read back with `choucha record`: the rows of sample.csv, as text.
fn write_workbooks(dir: &Path, sample_csv: &Path, st: &RoundState) -> Result<(PathBuf, PathBuf)> {
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
    let sample = dir.join(SAMPLE_XLSX);
    let template = dir.join(TEMPLATE_XLSX);
    crate::output::workbook::write_sample_xlsx(&sample, &header, &rows)?;
    let book = st.opened.codebook();
    let codes: Vec<&str> = book
        .codes()
        .iter()
        .filter(|c| book.get(&c.code).is_ok())
        .map(|c| c.code.as_str())
        .collect();
    crate::output::workbook::write_results_template(
        &template,
        &header,
        &rows,
        &["合格", "不合格"],
        &codes,
    )?;
    Ok((sample, template))
}

impl super::Round {
    /// Draws the sample, once, after the seed; with `signer`, manifest.json
    /// is signed (manifest.json.sig, SSHSIG) and the record names the key.
    pub fn draw(&mut self, signer: Option<&ssh_key::PrivateKey>) -> Result<Drawn> {
        let dir = self.dir.clone();
        let st = self.state().clone();
        let (Some(roster), Some(_)) = (&st.roster, &st.seed) else {
            return Err(Error::refused(t!("cmd-draw.no-seed")));
        };
        if st.drawn.is_some() {
            return Err(Error::refused(t!("cmd-draw.already-drawn")));
        }
        let tsv_path = dir.join(ROSTER_FILE);
        let tsv = fsio::read_large(&tsv_path)?;
        // The digest and the canonical-form check read the same bytes: side by side.
        let (canonical, digest) = par::join(
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
        let drawn = DrawnSample {
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
        let sig_path = dir.join(format!("{MANIFEST_FILE}.sig"));
        let mut unrecorded = Unrecorded(vec![
            manifest_path.clone(),
            sample_path.clone(),
            sig_path.clone(),
            dir.join(SAMPLE_XLSX),
            dir.join(TEMPLATE_XLSX),
        ]);
        let (manifest_sha, sample_written) = par::join(
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
        let workbooks = if m.sample_size <= XLSX_MAX_ROWS {
            Some(write_workbooks(&dir, &sample_path, &st)?)
        } else {
            None
        };
        let signer_fingerprint = match signer {
            Some(key) => {
                let bytes = fsio::read(&manifest_path)?;
                let armored = keys::sign(key, keys::MANIFEST_NAMESPACE, &bytes)?;
                fsio::write_atomic(&sig_path, armored.as_bytes())?;
                keys::fingerprint(key.public_key())
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
        self.append(&record)?;
        unrecorded.0.clear(); // recorded: the files are the round's now
        let strata = roster
            .order
            .iter()
            .filter_map(|name| m.strata.iter().find(|s| &s.name == name))
            .map(|s| DrawnStratum {
                name: s.name.clone(),
                quota: s.quota,
                population: s.population,
            })
            .collect();
        self.state_mut().drawn = Some(record);
        Ok(Drawn {
            manifest_sha256: manifest_sha,
            sample_size: m.sample_size,
            accounts: m.accounts,
            algorithm: m.algorithm.clone(),
            rate: m.rate.clone(),
            allocation: m.allocation.clone(),
            strata,
            manifest: manifest_path,
            sample_csv: sample_path,
            workbooks,
        })
    }
}
