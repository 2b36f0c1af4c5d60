//! Revealing the public seed: once, after the roster commitment.

use crate::base::digest::sha256_hex;
use crate::base::fsio;
use crate::error::{Error, Result};
use crate::input::text::normalize_field;
use crate::log::records::{RosterCommitted, SeedRevealed};
use crate::roster::ROSTER_FILE;
use crate::sampling::sample::{COLUMNS_FILE, COLUMNS_INDEX_FILE};
use crate::sampling::seed::parse_seed;
use crate::t;

impl super::Round {
    /// Records the seed (`value` as the user gave it, `source` saying where
    /// it came from) and returns it in canonical form. Refused before the
    /// roster is committed and after a seed was revealed: the anti-grinding rule.
    pub fn reveal_seed(&mut self, value: &str, source: &str) -> Result<String> {
        let Some(roster) = self.state().roster.clone() else {
            return Err(Error::refused(t!("seed.no-roster")));
        };
        if let Some(s) = &self.state().seed {
            return Err(Error::refused(t!("seed.already-revealed", seed = s.seed)));
        }
        let seed = parse_seed(value).map_err(Error::input)?;
        self.roster_files_intact(&roster)?;
        let record = SeedRevealed {
            seed: seed.clone(),
            source: normalize_field(source).into_owned(),
        };
        self.append(&record)?;
        self.state_mut().seed = Some(record);
        Ok(seed)
    }

    /// After the seed no roster can be committed again, so the files the draw
    /// will read must still be those of the committed roster: roster.tsv with
    /// its digest, and the index of roster-columns.csv with one entry per account.
    fn roster_files_intact(&self, roster: &RosterCommitted) -> Result<()> {
        let tsv = self.dir.join(ROSTER_FILE);
        let digest = sha256_hex(&fsio::read(&tsv)?);
        if digest != roster.roster_sha256 {
            return Err(Error::refused(t!(
                "seed.roster-changed",
                file = tsv.display(),
                digest,
                committed = roster.roster_sha256
            )));
        }
        let index = self.dir.join(COLUMNS_INDEX_FILE);
        let entries = std::fs::metadata(&index)
            .map_err(|e| Error::io(&index, e))?
            .len()
            / 4;
        if entries != roster.accounts || !self.dir.join(COLUMNS_FILE).is_file() {
            return Err(Error::refused(t!(
                "seed.columns-changed",
                file = index.display(),
                entries,
                accounts = roster.accounts
            )));
        }
        // The companions this commit wrote, by their digests (logs from before
        // these were recorded are held to the count alone).
        let companions = [
            (COLUMNS_FILE, &roster.columns_sha256),
            (COLUMNS_INDEX_FILE, &roster.columns_index_sha256),
        ];
        for (name, committed) in companions {
            if committed.is_empty() {
                continue;
            }
            let path = self.dir.join(name);
            let digest = sha256_hex(&fsio::read_large(&path)?);
            if digest != *committed {
                return Err(Error::refused(t!(
                    "seed.companion-changed",
                    file = path.display(),
                    digest,
                    committed
                )));
            }
        }
        Ok(())
    }
}
