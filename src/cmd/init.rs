//! `choucha init DIR`: a new round directory with its settings as line 0.

use crate::base::digest::sha256_hex;
use crate::cli::InitArgs;
use crate::error::{Error, Result};
use crate::log::chain::LOG_FILE;
use crate::log::records::{LOG_FORMAT, RoundOpened};
use crate::sampling::plan::parse_plan;
use crate::sampling::rate::Rate;
use crate::t;
use crate::{base::fsio, log::file as logfile};

pub const QUOTAS_FILE: &str = "quotas.csv";

fn check_name(value: &str, flag: &str) -> Result<String> {
    let v = crate::input::text::normalize_field(value);
    if v.is_empty() || v.chars().any(char::is_control) {
        return Err(Error::input(t!("init.bad-name", flag, value)));
    }
    Ok(v.into_owned())
}

/// One stratum per line (a CSV's first column; a header line `stratum` is skipped).
fn read_order(path: &std::path::Path) -> Result<Vec<String>> {
    let src = crate::input::table::read_text(path, None)?;
    let text = src.text.as_str();
    let mut order: Vec<String> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let name =
            crate::input::text::normalize_field(line.split(',').next().unwrap_or("")).into_owned();
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

pub fn run(args: &InitArgs) -> Result<()> {
    let rate: Rate = args
        .rate
        .parse()
        .map_err(|error| Error::input(t!("init.bad-rate", error)))?;
    let round = check_name(&args.round, "--round")?;
    let population = check_name(&args.population, "--population")?;
    let (allocation, plan) = match args.allocation.as_str() {
        rule @ ("largest-remainder" | "ceil" | "floor") => (rule.to_string(), None),
        other => match other.strip_prefix("quotas=") {
            Some(file) if !file.is_empty() => {
                let path = std::path::Path::new(file);
                let src = crate::input::table::read_text(path, None)?;
                let plan = parse_plan(src.text.as_str(), &src.origin)?;
                // The plan is copied into the round byte for byte, as given.
                let bytes = fsio::read(path)?;
                ("quotas".to_string(), Some((plan, bytes)))
            }
            _ => {
                return Err(Error::input(t!("init.bad-allocation", rule = other)));
            }
        },
    };

    let codes = match &args.codes {
        Some(path) => {
            let src = crate::input::table::read_text(path, None)?;
            crate::results::codes::parse_custom(src.text.as_str(), &src.origin)?
        }
        None => Vec::new(),
    };

    let dir = &args.path;
    if dir.join(LOG_FILE).exists() {
        return Err(Error::refused(t!("init.exists", dir = dir.display())));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    // The table's row order: as given, else the plan's, else (later) the roster's.
    let mut order = match &args.order {
        Some(path) => read_order(path)?,
        None => Vec::new(),
    };
    let (quotas, quotas_sha256) = match plan {
        Some((plan, bytes)) => {
            if order.is_empty() {
                order = plan.iter().map(|(s, _)| s.clone()).collect();
            }
            fsio::write_atomic(&dir.join(QUOTAS_FILE), &bytes)?;
            (Some(plan.into_iter().collect()), Some(sha256_hex(&bytes)))
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
        title: match &args.title {
            Some(t) => check_name(t, "--title")?,
            None => String::new(),
        },
        order,
        codes,
        tool: concat!("choucha ", env!("CARGO_PKG_VERSION")).into(),
    };
    logfile::create(dir, &opened)?;
    println!(
        "{}",
        t!(
            "init.opened",
            round = opened.round,
            dir = dir.display(),
            rate = opened.rate,
            allocation = opened.allocation
        )
    );
    println!("{}", t!("init.next", dir = dir.display()));
    Ok(())
}
