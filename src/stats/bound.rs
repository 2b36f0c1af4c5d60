//! The exact one-sided upper confidence bound on failing units of a finite
//! population after a simple random sample without replacement, and the
//! sample size that would establish a pass rate (SPEC §10).

use std::fmt;

use super::hypergeom::{MAX_POPULATION, Side, tail_vs};
use crate::t;

/// A fraction p/q in lowest terms, 0 < p/q ≤ 1, as confidences and rates
/// are given: "95%", "0.95" or "19/20" are the same 19/20. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fraction {
    num: u64,
    den: u64,
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// "12.5" as (125, 10): digits with at most one dot, at most 9 digits each side.
fn parse_decimal(s: &str) -> Option<(u64, u64)> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        || frac.len() > 9
        || int.len() > 9
    {
        return None;
    }
    let den = 10u64.pow(frac.len() as u32);
    let int_v: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac_v: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    Some((int_v * den + frac_v, den))
}

impl Fraction {
    /// p/q reduced; None unless 0 < p/q ≤ 1.
    pub fn new(num: u64, den: u64) -> Option<Fraction> {
        if num == 0 || den == 0 || num > den {
            return None;
        }
        let g = gcd(num, den);
        Some(Fraction {
            num: num / g,
            den: den / g,
        })
    }

    /// Reads "95%", "0.95" or "19/20"; None for anything else or outside (0, 1].
    pub fn parse(s: &str) -> Option<Fraction> {
        let s = s.trim();
        let (num, den) = if let Some(pct) = s.strip_suffix('%') {
            let (n, d) = parse_decimal(pct.trim())?;
            (n, d.checked_mul(100)?)
        } else if let Some((a, b)) = s.split_once('/') {
            let (a, b) = (a.trim(), b.trim());
            if a.is_empty()
                || b.is_empty()
                || !a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
            {
                return None;
            }
            (a.parse().ok()?, b.parse().ok()?)
        } else {
            parse_decimal(s)?
        };
        Fraction::new(num, den)
    }

    pub fn numerator(self) -> u64 {
        self.num
    }

    pub fn denominator(self) -> u64 {
        self.den
    }

    /// As a percentage for people, e.g. "95%" or "99.5%", exact (a
    /// confidence that is no whole number of hundredths is shown as p/q).
    pub fn as_percent(self) -> String {
        let hundred = u128::from(self.num) * 100;
        let den = u128::from(self.den);
        if hundred % den == 0 {
            return format!("{}%", hundred / den);
        }
        for decimals in 1..=4u32 {
            let scaled = hundred * 10u128.pow(decimals);
            if scaled % den == 0 {
                let v = scaled / den;
                let p = 10u128.pow(decimals);
                return format!("{}.{:0w$}%", v / p, v % p, w = decimals as usize);
            }
        }
        self.to_string()
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

/// A confidence level: a fraction strictly between 0 and 1.
pub fn parse_confidence(s: &str) -> Result<Fraction, String> {
    match Fraction::parse(s) {
        Some(c) if c.num < c.den => Ok(c),
        _ => Err(t!("stats.bad-confidence", value = s)),
    }
}

/// A failure rate: a fraction greater than 0 and at most 1.
pub fn parse_fail_rate(s: &str) -> Result<Fraction, String> {
    Fraction::parse(s).ok_or_else(|| t!("stats.bad-fail-rate", value = s))
}

/// What a sample of `checked` with `failed` failures says of its population.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    pub population: u64,
    pub checked: u64,
    pub failed: u64,
    pub confidence: Fraction,
    /// The largest K with P(X ≤ failed | N, K, n) > 1 − C.
    pub max_failing: u64,
}

impl Bound {
    /// (N − max_failing)/N in lowest terms, "3299/3316" (or "1/1").
    pub fn min_pass_rate(&self) -> String {
        fraction_string(self.population - self.max_failing, self.population)
    }

    /// The same as a percentage with two decimals rounded down (it is a
    /// lower bound: rounding up would claim more than was shown).
    pub fn min_pass_percent(&self) -> String {
        percent_floor(self.population - self.max_failing, self.population)
    }
}

/// num/den in lowest terms ("0/1" for zero).
pub fn fraction_string(num: u64, den: u64) -> String {
    if den == 0 {
        return "0/1".to_string();
    }
    let g = gcd(num, den).max(1);
    format!("{}/{}", num / g, den / g)
}

/// num/den as a percentage with two decimals, rounded down: "99.48%".
pub fn percent_floor(num: u64, den: u64) -> String {
    if den == 0 {
        return "—".to_string();
    }
    let hundredths = u128::from(num) * 10_000 / u128::from(den);
    format!("{}.{:02}%", hundredths / 100, hundredths % 100)
}

/// Checks counts against each other and the arithmetic's range; the error
/// names the count that is wrong.
pub fn check_counts(population: u64, checked: u64, failed: u64) -> Result<(), String> {
    if population == 0 {
        return Err(t!("stats.population-zero"));
    }
    if population > MAX_POPULATION {
        return Err(t!(
            "stats.population-too-large",
            population,
            max = MAX_POPULATION
        ));
    }
    if checked > population {
        return Err(t!("stats.checked-above-population", checked, population));
    }
    if failed > checked {
        return Err(t!("stats.failed-above-checked", failed, checked));
    }
    Ok(())
}

/// The exact upper bound: the largest K with P(X ≤ x | N, K, n) > 1 − C.
///
/// The tail falls as K grows (more failing units, fewer chances to find at
/// most x), so the K that qualify form a range from x (where the tail is 1)
/// up: a binary search finds its end. Above N − n + x the tail is 0.
pub fn upper_bound(
    population: u64,
    checked: u64,
    failed: u64,
    confidence: Fraction,
) -> Result<Bound, String> {
    check_counts(population, checked, failed)?;
    let (num, den) = (confidence.num, confidence.den);
    let (mut lo, mut hi) = (failed, population - checked + failed);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if tail_vs(population, mid, checked, failed, num, den) == Side::Above {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok(Bound {
        population,
        checked,
        failed,
        confidence,
        max_failing: lo,
    })
}

/// The plan a sample size answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub population: u64,
    pub max_fail_rate: Fraction,
    pub confidence: Fraction,
    pub accept: u64,
    /// ⌈P·N⌉: the failing units the sample must be able to rule out.
    pub min_failing: u64,
    /// The smallest n with P(X ≤ accept | N, ⌈P·N⌉, n) ≤ 1 − C.
    pub sample_size: u64,
}

/// The smallest sample such that, if at least ⌈P·N⌉ units fail, finding at
/// most `accept` failures has probability at most 1 − C. Then finding at
/// most `accept` bounds the failing units below ⌈P·N⌉ at confidence C, as
/// [`upper_bound`] would say. Refused when even checking every unit could
/// not (⌈P·N⌉ ≤ accept).
pub fn sample_size(
    population: u64,
    max_fail_rate: Fraction,
    confidence: Fraction,
    accept: u64,
) -> Result<Size, String> {
    check_counts(population, 0, 0)?;
    let min_failing = (u128::from(max_fail_rate.num) * u128::from(population))
        .div_ceil(u128::from(max_fail_rate.den)) as u64;
    if min_failing <= accept {
        return Err(t!(
            "stats.accept-too-large",
            accept,
            min_failing,
            population
        ));
    }
    let (num, den) = (confidence.num, confidence.den);
    // P(X ≤ accept) falls as n grows, and is 0 at n = N (X = ⌈P·N⌉ > accept).
    let (mut lo, mut hi) = (0u64, population);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if tail_vs(population, min_failing, mid, accept, num, den) == Side::AtOrBelow {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(Size {
        population,
        max_fail_rate,
        confidence,
        accept,
        min_failing,
        sample_size: lo,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::hypergeom::exact_tail_vs;

    fn c(s: &str) -> Fraction {
        parse_confidence(s).unwrap()
    }

    #[test]
    fn confidence_spellings_agree_and_bad_ones_are_refused() {
        for s in ["95%", "0.95", "19/20", " 95.0% ", "38/40"] {
            assert_eq!(c(s).to_string(), "19/20", "{s}");
        }
        for s in [
            "100%", "1", "0", "0%", "1/1", "abc", "", "95", "-0.5", "1e-1", "3/2",
        ] {
            assert!(parse_confidence(s).is_err(), "{s}");
        }
        assert_eq!(c("99.5%").as_percent(), "99.5%");
        assert_eq!(c("1/3").as_percent(), "1/3");
    }

    #[test]
    fn the_anhui_figure_and_the_tie() {
        let b = upper_bound(3316, 1658, 5, c("95%")).unwrap();
        assert_eq!(b.max_failing, 17);
        assert_eq!(b.min_pass_rate(), "3299/3316");
        assert_eq!(b.min_pass_percent(), "99.48%");
        assert_eq!(upper_bound(10, 1, 0, c("90%")).unwrap().max_failing, 8);
    }

    #[test]
    fn the_bound_is_the_last_k_whose_tail_exceeds_the_threshold() {
        // Against a scan of every K with the exact decision.
        for population in 1..=30u64 {
            for checked in 0..=population {
                for failed in (0..=checked).step_by(3) {
                    for conf in ["95%", "90%", "1/2"] {
                        let cf = c(conf);
                        let b = upper_bound(population, checked, failed, cf).unwrap();
                        let scan = (0..=population)
                            .filter(|&k| {
                                exact_tail_vs(population, k, checked, failed, cf.num, cf.den)
                                    == Side::Above
                            })
                            .max()
                            .unwrap();
                        assert_eq!(
                            b.max_failing, scan,
                            "N={population} n={checked} x={failed} {conf}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_sample_size_is_the_first_that_rules_out_the_rate() {
        for population in 1..=40u64 {
            for accept in 0..3 {
                for rate in ["1%", "10%", "1/3"] {
                    let r = parse_fail_rate(rate).unwrap();
                    match sample_size(population, r, c("95%"), accept) {
                        Ok(s) => {
                            let k0 = s.min_failing;
                            let ok = |n| {
                                exact_tail_vs(population, k0, n, accept, 19, 20) == Side::AtOrBelow
                            };
                            assert!(ok(s.sample_size));
                            assert!(s.sample_size == 0 || !ok(s.sample_size - 1));
                            // What it promises: finding `accept` bounds the failing below k0.
                            let b =
                                upper_bound(population, s.sample_size, accept, c("95%")).unwrap();
                            assert!(b.max_failing < k0);
                        }
                        Err(_) => assert!((population * r.num).div_ceil(r.den) <= accept),
                    }
                }
            }
        }
    }

    #[test]
    fn counts_that_cannot_be_are_refused() {
        assert!(upper_bound(0, 0, 0, c("95%")).is_err());
        assert!(upper_bound(10, 11, 0, c("95%")).is_err());
        assert!(upper_bound(10, 5, 6, c("95%")).is_err());
        assert!(upper_bound(MAX_POPULATION + 1, 1, 0, c("95%")).is_err());
        assert_eq!(percent_floor(2, 3), "66.66%");
        assert_eq!(fraction_string(4, 8), "1/2");
    }
}
