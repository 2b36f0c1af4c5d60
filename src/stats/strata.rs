//! The upper bound on failing units of a whole population sampled by
//! strata with unequal sampling fractions (SPEC §10.3).
//!
//! For a total K of failing units spread over the strata as K_h, the
//! observed total x = Σ x_h is small with probability
//! P_K(Σ X_h ≤ x), X_h independent hypergeometric. K stays in the confidence
//! set while the largest such probability over all spreads with Σ K_h = K
//! exceeds 1 − C (the maximisation of Wendell & Schmee, JASA 1996). That
//! maximum is bounded from above here by a dynamic program over the strata
//! in turn that may choose K_h after seeing the failures of the strata
//! before: every fixed spread is one such choice, so the program's value is
//! at least the maximum, and the bound it gives is at least the exact one —
//! conservative, never a sum of per-row bounds or a normal approximation.
//! Floating-point rounding is directed upwards throughout, so the computed
//! value is never below the program's own.

use super::bound::{Bound, Fraction, check_counts, upper_bound};
use super::hypergeom::{MAX_POPULATION, ln_pmf, support};
use crate::t;

/// One stratum's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stratum {
    pub population: u64,
    pub checked: u64,
    pub failed: u64,
}

/// The most cells the program may visit before it is refused as too large
/// (about ten seconds on one core).
const MAX_WORK: f64 = 4e9;

const EPS: f64 = f64::EPSILON;

/// Upper bounds on P(X = j | N_h, K_h, n_h) for j = 0..=jmax, from the
/// logarithm and its error bound, rounded up once more for exp.
fn pmf_row(s: &Stratum, failing: u64, jmax: u64) -> Vec<f64> {
    let (lo, hi) = support(s.population, failing, s.checked);
    (0..=jmax)
        .map(|j| {
            if j < lo || j > hi {
                return 0.0;
            }
            let (v, e) = ln_pmf(s.population, failing, s.checked, j);
            ((v + 2.0 * e + 4.0 * EPS * v.abs()).exp() * (1.0 + 4.0 * EPS)).min(1.0)
        })
        .collect()
}

/// W(K) for K = 0..=kmax, an upper bound on max over spreads (adaptive
/// ones included) of P(Σ X_h ≤ x | Σ K_h = K).
fn program(strata: &[Stratum], x: u64, kmax: u64) -> Vec<f64> {
    let width = x as usize + 1;
    let rows = kmax as usize + 1;
    // next[r * width + s]: the value with r failing units still to place in
    // the strata after this one and s failures found so far.
    let mut next = vec![0.0f64; rows * width];
    next[..width].fill(1.0);
    let up = 1.0 + (2.0 * width as f64 + 8.0) * EPS;
    for (h, st) in strata.iter().enumerate().rev() {
        let first = h == 0;
        let s_count = if first { 1 } else { width };
        let mut cur = vec![0.0f64; rows * width];
        let jmax = x.min(st.checked);
        for kh in 0..=kmax.min(st.population) {
            let p = pmf_row(st, kh, jmax.min(kh));
            for r in kh as usize..rows {
                let base = (r - kh as usize) * width;
                for s in 0..s_count {
                    let room = (width - 1 - s).min(p.len() - 1);
                    let mut acc = 0.0;
                    for (j, pj) in p.iter().enumerate().take(room + 1) {
                        acc += pj * next[base + s + j];
                    }
                    let cell = &mut cur[r * width + s];
                    if acc > *cell {
                        *cell = acc;
                    }
                }
            }
        }
        for v in &mut cur {
            *v = (*v * up).min(1.0);
        }
        next = cur;
    }
    (0..rows).map(|r| next[r * width]).collect()
}

/// The whole's bound and the rows' own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StratifiedBound {
    pub whole: Bound,
    pub rows: Vec<Bound>,
}

/// The bound for the whole of a stratified sample, and each stratum's own
/// exact bound. With one stratum the whole's is the exact one.
pub fn stratified_bound(
    strata: &[Stratum],
    confidence: Fraction,
) -> Result<StratifiedBound, String> {
    let mut rows = Vec::with_capacity(strata.len());
    for s in strata {
        rows.push(upper_bound(s.population, s.checked, s.failed, confidence)?);
    }
    let population: u64 = strata.iter().map(|s| s.population).sum();
    let checked: u64 = strata.iter().map(|s| s.checked).sum();
    let failed: u64 = strata.iter().map(|s| s.failed).sum();
    if population > MAX_POPULATION {
        return Err(t!(
            "stats.population-too-large",
            population,
            max = MAX_POPULATION
        ));
    }
    check_counts(population, checked, failed)?;
    if strata.len() == 1 {
        return Ok(StratifiedBound {
            whole: rows[0],
            rows,
        });
    }
    // Below 1 − C, rounded down: a value compared with it is an upper bound.
    let (num, den) = (confidence.numerator(), confidence.denominator());
    let tau = (den - num) as f64 / den as f64 * (1.0 - 4.0 * EPS);
    // Beyond N − n + x failing units some stratum must show more than x.
    let cap = population - checked + failed;
    let pooled = upper_bound(population, checked, failed, confidence)?.max_failing;
    // Unequal fractions let the worst spread go well past the pooled
    // figure (three times it in the benchmark's tables); each pass costs
    // the square of kmax, so start there and grow by half when short.
    let mut kmax = cap.min(3 * pooled + 8);
    loop {
        let work =
            strata.len() as f64 * ((kmax + 1) as f64).powi(2) * ((failed + 1) as f64).powi(2) / 4.0;
        if work > MAX_WORK {
            return Err(t!(
                "stats.strata-too-large",
                strata = strata.len(),
                failed,
                failing = kmax
            ));
        }
        let w = program(strata, failed, kmax);
        if w[kmax as usize] > tau && kmax < cap {
            kmax = cap.min(kmax + kmax / 2 + 1);
            continue;
        }
        let max_failing = (0..=kmax)
            .rev()
            .find(|&k| w[k as usize] > tau)
            .unwrap_or(failed);
        return Ok(StratifiedBound {
            whole: Bound {
                population,
                checked,
                failed,
                confidence,
                max_failing: max_failing.max(failed),
            },
            rows,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::bound::parse_confidence;

    fn st(population: u64, checked: u64, failed: u64) -> Stratum {
        Stratum {
            population,
            checked,
            failed,
        }
    }

    /// P(Σ X_h ≤ x) for one fixed spread, by convolution in f64.
    fn tail_of_spread(strata: &[Stratum], spread: &[u64], x: u64) -> f64 {
        let mut dist = vec![1.0f64];
        for (s, &k) in strata.iter().zip(spread) {
            let p = pmf_row(s, k, s.checked.min(k));
            let mut out = vec![0.0; dist.len() + p.len() - 1];
            for (a, da) in dist.iter().enumerate() {
                for (b, pb) in p.iter().enumerate() {
                    out[a + b] += da * pb;
                }
            }
            dist = out;
        }
        dist.iter().take(x as usize + 1).sum()
    }

    #[test]
    fn the_program_is_at_least_every_fixed_spread() {
        let strata = [st(6, 2, 0), st(5, 4, 1), st(7, 1, 0)];
        let w = program(&strata, 1, 18);
        for a in 0..=6u64 {
            for b in 0..=5u64 {
                for c in 0..=7u64 {
                    let t = tail_of_spread(&strata, &[a, b, c], 1);
                    assert!(
                        w[(a + b + c) as usize] >= t - 1e-12,
                        "{a},{b},{c}: {t} > {}",
                        w[(a + b + c) as usize]
                    );
                }
            }
        }
        // Never increasing in K.
        assert!(w.windows(2).all(|p| p[1] <= p[0] * (1.0 + 1e-12)));
    }

    #[test]
    fn equal_fractions_land_near_the_simple_random_sample() {
        let c = parse_confidence("95%").unwrap();
        let strata = [st(400, 200, 1), st(600, 300, 2), st(1000, 500, 2)];
        let whole = stratified_bound(&strata, c).unwrap().whole;
        let srs = upper_bound(2000, 1000, 5, c).unwrap().max_failing;
        assert!(whole.max_failing >= srs, "{} < {srs}", whole.max_failing);
        assert!(
            whole.max_failing <= srs + 3,
            "{} ≫ {srs}",
            whole.max_failing
        );
        // Never the (far looser) sum of the rows' bounds.
        let sum: u64 = stratified_bound(&strata, c)
            .unwrap()
            .rows
            .iter()
            .map(|b| b.max_failing)
            .sum();
        assert!(whole.max_failing < sum);
    }

    #[test]
    fn one_stratum_is_the_exact_bound() {
        let c = parse_confidence("90%").unwrap();
        let b = stratified_bound(&[st(10, 1, 0)], c).unwrap();
        assert_eq!(b.whole.max_failing, 8);
    }
}
