//! Opening a round: its settings become line 0 of a new log.

use std::path::Path;

use crate::base::digest::sha256_hex;
use crate::base::fsio;
use crate::error::{Error, Result};
use crate::input::table::SourceText;
use crate::input::text::normalize_field;
use crate::log::chain::LOG_FILE;
use crate::log::records::{LOG_FORMAT, RoundOpened};
use crate::sampling::plan::{QUOTAS_FILE, parse_plan};
use crate::sampling::rate::Rate;
use crate::t;

/// How the sample is apportioned to the strata.
pub enum AllocationChoice {
    /// `largest-remainder`, `ceil` or `floor` of the rate times each stratum's size.
    Rule(String),
    /// A plan fixing each stratum's number, as the file was given (copied
    /// into the round byte for byte) and decoded.
    Quotas { plan: SourceText, bytes: Vec<u8> },
}

/// What a new round is: everything fixed before any roster or seed.
pub struct Settings {
    pub round: String,
    pub population: String,
    /// As the user wrote it: "50%", "1/2", "0.5".
    pub rate: String,
    pub allocation: AllocationChoice,
    pub title: Option<String>,
    /// The table's row order: one stratum per line.
    pub order: Option<SourceText>,
    /// The round's own reason codes, added to the built-in ones.
    pub codes: Option<SourceText>,
}

fn check_name(value: &str, flag: &str) -> Result<String> {
    let v = normalize_field(value);
    if v.is_empty() || v.chars().any(char::is_control) {
        return Err(Error::input(t!("init.bad-name", flag, value)));
    }
    Ok(v.into_owned())
}

/// One stratum per line (a CSV's first column; a header line `stratum` is skipped).
fn read_order(src: &SourceText) -> Result<Vec<String>> {
    let mut order: Vec<String> = Vec::new();
    for (i, line) in src.text.as_str().lines().enumerate() {
        let name = normalize_field(line.split(',').next().unwrap_or("")).into_owned();
        if name.is_empty() || (i == 0 && name.eq_ignore_ascii_case("stratum")) {
            continue;
        }
        if order.contains(&name) {
            let at = src.origin.at(i as u64 + 1, None);
            return Err(Error::input(t!("init.order-twice", at, stratum = name)));
        }
        order.push(name);
    }
    Ok(order)
}

impl super::Round {
    /// Creates the round directory `dir` (it must not hold a round yet) and
    /// writes line 0. Every setting is checked before anything is written.
    pub fn create(dir: &Path, settings: &Settings) -> Result<RoundOpened> {
        let rate: Rate = settings
            .rate
            .parse()
            .map_err(|error| Error::input(t!("init.bad-rate", error)))?;
        let round = check_name(&settings.round, "--round")?;
        let population = check_name(&settings.population, "--population")?;
        let (allocation, plan) = match &settings.allocation {
            AllocationChoice::Rule(rule) => match rule.as_str() {
                "largest-remainder" | "ceil" | "floor" => (rule.clone(), None),
                other => return Err(Error::input(t!("init.bad-allocation", rule = other))),
            },
            AllocationChoice::Quotas { plan, bytes } => {
                let parsed = parse_plan(plan.text.as_str(), &plan.origin)?;
                ("quotas".to_string(), Some((parsed, bytes)))
            }
        };
        let codes = match &settings.codes {
            Some(src) => crate::results::codes::parse_custom(src.text.as_str(), &src.origin)?,
            None => Vec::new(),
        };
        let title = match &settings.title {
            Some(t) => check_name(t, "--title")?,
            None => String::new(),
        };
        // The table's row order: as given, else the plan's, else (later) the roster's.
        let mut order = match &settings.order {
            Some(src) => read_order(src)?,
            None => Vec::new(),
        };
        if let (true, Some((plan, _))) = (order.is_empty(), &plan) {
            order = plan.iter().map(|(s, _)| s.clone()).collect();
        }
        if dir.join(LOG_FILE).exists() {
            return Err(Error::refused(t!("init.exists", dir = dir.display())));
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let (quotas, quotas_sha256) = match plan {
            Some((plan, bytes)) => {
                fsio::write_atomic(&dir.join(QUOTAS_FILE), bytes)?;
                (Some(plan.into_iter().collect()), Some(sha256_hex(bytes)))
            }
            None => (None, None),
        };
        let opened = RoundOpened {
            format: LOG_FORMAT.into(),
            round,
            population,
            rate: rate.to_string(),
            allocation,
            quotas,
            quotas_sha256,
            title,
            order,
            codes,
            tool: concat!("choucha ", env!("CARGO_PKG_VERSION")).into(),
        };
        crate::log::file::create(dir, &opened)?;
        Ok(opened)
    }
}
