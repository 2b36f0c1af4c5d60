//! `choucha bound` (what a sample proves about its population) and
//! `choucha size` (how large a sample must be to prove a pass rate).

use std::path::Path;

use serde_json::{Value, json};

use crate::audit::published::parse_table;
use crate::cli::{BoundArgs, BoundFormat, SizeArgs};
use crate::error::{Error, Result};
use crate::round::Round;
use crate::stats::bound::{
    Bound, Fraction, Size, parse_confidence, parse_fail_rate, sample_size, upper_bound,
};
use crate::stats::strata::{StratifiedBound, Stratum, stratified_bound};
use crate::{t, tl};

fn confidence_of(s: &str) -> Result<Fraction> {
    parse_confidence(s).map_err(|e| {
        Error::input(t!(
            "cmd-bound.bad-option",
            option = "--confidence",
            error = e
        ))
    })
}

/// The bound's fields, in SPEC §10's order.
/// A row leaves out the confidence, which the whole states once.
fn bound_json(b: &Bound, with_confidence: bool) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("population".into(), json!(b.population));
    m.insert("checked".into(), json!(b.checked));
    m.insert("failed".into(), json!(b.failed));
    if with_confidence {
        m.insert("confidence".into(), json!(b.confidence.to_string()));
    }
    m.insert("max_failing".into(), json!(b.max_failing));
    m.insert("min_pass_rate".into(), json!(b.min_pass_rate()));
    m.insert("min_pass_percent".into(), json!(b.min_pass_percent()));
    m
}

fn print_json(v: &Value) {
    outln!(
        "{}",
        serde_json::to_string(v).expect("JSON of numbers and strings")
    );
}

/// The sentence for a notice: "按95%置信水平估计，全部3316个政务新媒体中
/// 存在突出问题的不超过17个（合格率不低于99.48%）". Without a noun (a
/// published table names none) the units are not named.
pub fn notice(b: &Bound, noun: Option<&str>, lang: crate::i18n::Lang) -> String {
    let confidence = b.confidence.as_percent();
    let percent = b.min_pass_percent();
    match noun {
        Some(noun) => tl!(
            lang,
            "cmd-bound.notice",
            confidence,
            total = b.population,
            noun,
            max = b.max_failing,
            percent
        ),
        None => tl!(
            lang,
            "cmd-bound.notice-units",
            confidence,
            total = b.population,
            max = b.max_failing,
            percent
        ),
    }
}

/// A table's rows and whole, in text or JSON.
fn print_table(bound: &StratifiedBound, names: &[String], noun: Option<&str>, format: BoundFormat) {
    let lang = crate::i18n::current();
    match format {
        BoundFormat::Json => {
            let mut top = bound_json(&bound.whole, true);
            let method = if bound.rows.len() == 1 {
                "hypergeometric"
            } else {
                "stratified"
            };
            top.insert("method".into(), json!(method));
            let rows: Vec<Value> = bound
                .rows
                .iter()
                .zip(names)
                .map(|(b, name)| {
                    let mut m = serde_json::Map::new();
                    m.insert("stratum".into(), json!(name));
                    m.extend(bound_json(b, false));
                    Value::Object(m)
                })
                .collect();
            top.insert("rows".into(), Value::Array(rows));
            print_json(&Value::Object(top));
        }
        BoundFormat::Text => {
            for (b, stratum) in bound.rows.iter().zip(names) {
                outln!(
                    "{}",
                    t!(
                        "cmd-bound.row",
                        stratum,
                        total = b.population,
                        checked = b.checked,
                        failed = b.failed,
                        max = b.max_failing,
                        percent = b.min_pass_percent()
                    )
                );
            }
            outln!("{}", notice(&bound.whole, noun, lang));
            if bound.rows.len() > 1 {
                outln!("{}", t!("cmd-bound.stratified-method"));
            }
        }
    }
}

pub fn bound(dir: &Path, args: &BoundArgs) -> Result<()> {
    let confidence = confidence_of(&args.confidence)?;
    if let (Some(population), Some(checked), Some(failed)) =
        (args.population, args.checked, args.failed)
    {
        let b = upper_bound(population, checked, failed, confidence).map_err(Error::input)?;
        match args.format {
            BoundFormat::Json => print_json(&Value::Object(bound_json(&b, true))),
            BoundFormat::Text => {
                outln!("{}", notice(&b, None, crate::i18n::current()));
                outln!(
                    "{}",
                    t!(
                        "cmd-bound.from-sample",
                        checked,
                        failed,
                        rate = b.min_pass_rate()
                    )
                );
            }
        }
        return Ok(());
    }
    if let Some(path) = &args.table {
        let src = crate::input::table::read_text(path, None)?;
        let name = path.display().to_string();
        let table = parse_table(src.text.as_str(), &name)?;
        let (bound, names) = published_bound(&table, confidence, &name)?;
        print_table(&bound, &names, None, args.format);
        return Ok(());
    }
    let round = Round::open(dir)?;
    let (table, bound) = round.bound(confidence)?;
    let names: Vec<String> = table.rows.iter().map(|r| r.stratum.clone()).collect();
    print_table(&bound, &names, Some(&table.population), args.format);
    Ok(())
}

/// The bounds of a published table's rows and whole, with the rows' names.
pub fn published_bound(
    table: &crate::audit::published::PublishedTable,
    confidence: Fraction,
    file: &str,
) -> Result<(StratifiedBound, Vec<String>)> {
    let strata: Vec<Stratum> = table
        .rows
        .iter()
        .map(|r| Stratum {
            population: r.total,
            checked: r.checked,
            failed: r.failed,
        })
        .collect();
    if strata.is_empty() {
        return Err(Error::input(t!("cmd-bound.table-empty", file)));
    }
    let bound = stratified_bound(&strata, confidence)
        .map_err(|e| Error::input(t!("cmd-bound.table-counts", file, error = e)))?;
    Ok((
        bound,
        table.rows.iter().map(|r| r.stratum.clone()).collect(),
    ))
}

fn size_json(s: &Size) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("population".into(), json!(s.population));
    m.insert("max_fail_rate".into(), json!(s.max_fail_rate.to_string()));
    m.insert("confidence".into(), json!(s.confidence.to_string()));
    m.insert("accept".into(), json!(s.accept));
    m.insert("min_failing".into(), json!(s.min_failing));
    m.insert("sample_size".into(), json!(s.sample_size));
    m
}

fn size_line(s: &Size) -> String {
    t!(
        "cmd-size.line",
        confidence = s.confidence.as_percent(),
        population = s.population,
        min_failing = s.min_failing,
        rate = s.max_fail_rate.as_percent(),
        accept = s.accept,
        size = s.sample_size
    )
}

pub fn size(args: &SizeArgs) -> Result<()> {
    let confidence = confidence_of(&args.confidence)?;
    let rate = parse_fail_rate(&args.max_fail_rate).map_err(|e| {
        Error::input(t!(
            "cmd-bound.bad-option",
            option = "--max-fail-rate",
            error = e
        ))
    })?;
    let Some(path) = &args.roster else {
        let population = args.population.unwrap_or(0);
        let s = sample_size(population, rate, confidence, args.accept).map_err(Error::input)?;
        match args.format {
            BoundFormat::Json => print_json(&Value::Object(size_json(&s))),
            BoundFormat::Text => outln!("{}", size_line(&s)),
        }
        return Ok(());
    };
    let bytes = crate::base::fsio::read_large(path)?;
    let name = path.display().to_string();
    let roster = crate::roster::canonical::parse_canonical(&bytes, &name)?;
    let population = roster.accounts();
    let whole = sample_size(population, rate, confidence, args.accept).map_err(Error::input)?;
    let mut rows = Vec::new();
    for (stratum, ids) in &roster.strata {
        // A stratum too small to rule out its share of failures at this
        // `--accept` has no size: said, not refused.
        let s = sample_size(ids.len() as u64, rate, confidence, args.accept).ok();
        rows.push((stratum.to_string(), ids.len() as u64, s));
    }
    let strata_total: u64 = rows
        .iter()
        .filter_map(|(_, _, s)| s.map(|s| s.sample_size))
        .sum();
    match args.format {
        BoundFormat::Json => {
            let mut top = size_json(&whole);
            top.insert("strata_sample_size".into(), json!(strata_total));
            let list: Vec<Value> = rows
                .iter()
                .map(|(stratum, population, s)| {
                    json!({
                        "stratum": stratum,
                        "population": population,
                        "min_failing": s.map(|s| s.min_failing),
                        "sample_size": s.map(|s| s.sample_size),
                    })
                })
                .collect();
            top.insert("rows".into(), Value::Array(list));
            print_json(&Value::Object(top));
        }
        BoundFormat::Text => {
            for (stratum, population, s) in &rows {
                match s {
                    Some(s) => outln!(
                        "{}",
                        t!("cmd-size.row", stratum, population, size = s.sample_size)
                    ),
                    None => outln!("{}", t!("cmd-size.row-none", stratum, population)),
                }
            }
            outln!("{}", t!("cmd-size.strata-total", size = strata_total));
            outln!("{}", size_line(&whole));
        }
    }
    Ok(())
}

/// The confidence `report`, `verify` and `claims` state the bound at.
pub fn notice_confidence() -> Fraction {
    Fraction::new(19, 20).expect("19/20 is a fraction")
}

/// The notice's sentence on standard error, beside what the command
/// prints: never inside the report's bytes, whose digest is published.
pub fn state_bound(
    bound: Result<(crate::audit::report::Table, StratifiedBound)>,
    noun_of_round: bool,
) {
    match bound {
        Ok((table, b)) => {
            let noun = noun_of_round.then_some(table.population.as_str());
            errln!("{}", notice(&b.whole, noun, crate::i18n::current()));
        }
        Err(e) => errln!("{}", t!("cmd-bound.not-stated", error = e)),
    }
}
