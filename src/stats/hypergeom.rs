//! The hypergeometric lower tail P(X ≤ x), X the failing units among `n`
//! drawn without replacement from `N` units of which `K` fail, compared with
//! a threshold exactly.
//!
//! The tail is first computed in floating point, in log space, together with
//! a bound on its rounding error (see [`log_tail`]). Only when the threshold
//! lies within four times that bound is it decided again in exact integer
//! arithmetic: Σ C(K,k)·C(N−K,n−k) against τ·C(N,n). So ties such as
//! N = 10, n = 1, x = 0 at 90% (tail exactly 1/10 at K = 9) go the right way,
//! and the exact path, slow for large N, is taken only next to a tie.

use super::nat::Nat;

/// The largest population the arithmetic below is written for: every count
/// fits in 32 bits, so a product of two counts fits in a u64 and is exact in
/// neither f64 rounding nor Nat's word-sized steps.
pub const MAX_POPULATION: u64 = u32::MAX as u64;

const EPS: f64 = f64::EPSILON;

/// ln(m!) and a bound on its absolute error.
///
/// Up to 34! (below 2^128) the factorial is exact and only its conversion
/// and logarithm round. Beyond, Stirling's series to the m⁻⁷ term: its
/// truncation error is below 1/(1188·m⁹) < 10⁻¹⁶ for m ≥ 35. Each of the few
/// f64 operations rounds by at most one ulp of a value at most m·ln m + m;
/// 16 such ulps bound them all with room to spare.
pub fn ln_factorial(m: u64) -> (f64, f64) {
    if m <= 34 {
        let mut p: u128 = 1;
        for i in 2..=u128::from(m) {
            p *= i;
        }
        let v = (p as f64).ln();
        return (v, 4.0 * EPS * (v + 1.0));
    }
    let x = m as f64;
    let x2 = x * x;
    let series = 1.0 / (12.0 * x) - 1.0 / (360.0 * x * x2) + 1.0 / (1260.0 * x * x2 * x2)
        - 1.0 / (1680.0 * x * x2 * x2 * x2);
    let v = x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + series;
    (v, 16.0 * EPS * (x * x.ln() + x + 1.0) + 1e-16)
}

/// ln C(a, b) and its error bound, for b ≤ a.
fn ln_binomial(a: u64, b: u64) -> (f64, f64) {
    let (fa, ea) = ln_factorial(a);
    let (fb, eb) = ln_factorial(b);
    let (fc, ec) = ln_factorial(a - b);
    let v = fa - fb - fc;
    (v, ea + eb + ec + 2.0 * EPS * (fa + fb + fc))
}

/// The support of X: [max(0, n − (N − K)), min(K, n)].
pub fn support(population: u64, failing: u64, checked: u64) -> (u64, u64) {
    (
        checked.saturating_sub(population - failing),
        failing.min(checked),
    )
}

/// ln P(X = k) and its error bound, for k in the support.
pub fn ln_pmf(population: u64, failing: u64, checked: u64, k: u64) -> (f64, f64) {
    let (a, ea) = ln_binomial(failing, k);
    let (b, eb) = ln_binomial(population - failing, checked - k);
    let (c, ec) = ln_binomial(population, checked);
    let v = a + b - c;
    (v, ea + eb + ec + 2.0 * EPS * (a.abs() + b.abs() + c.abs()))
}

/// Where the tail stands against a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Above,
    AtOrBelow,
}

/// ln P(X ≤ x) and a bound on its absolute error, for lo ≤ x < hi (inside
/// the support, not at its top).
///
/// From the term at x downwards by the ratio
/// P(k−1)/P(k) = k·(N−K−n+k) / ((K−k+1)·(n−k+1)): each ratio is two exact
/// integer-valued products and one division (three roundings), times the
/// running term (a fourth), so term j below x is off by at most
/// (1+ε)^(4j) − 1 ≤ 5jε relatively, and the sum of m positive terms adds at
/// most mε more: 8·m·ε bounds the sum's relative error. Terms are rescaled
/// by exact powers of two so none overflows.
fn log_tail(population: u64, failing: u64, checked: u64, x: u64) -> (f64, f64) {
    let (lo, _) = support(population, failing, checked);
    let (anchor, anchor_err) = ln_pmf(population, failing, checked, x);
    const SCALE_EXP: i32 = 600;
    let scale_down = 2f64.powi(-SCALE_EXP);
    let (mut sum, mut term, mut rescales) = (1.0f64, 1.0f64, 0u64);
    let nk = (population - failing) as f64;
    let n = checked as f64;
    let kk = failing as f64;
    let mut k = x;
    while k > lo {
        let kf = k as f64;
        // N − K − n + k ≥ 1 here since k > lo.
        let num = kf * (nk - n + kf);
        let den = (kk - kf + 1.0) * (n - kf + 1.0);
        term *= num / den;
        sum += term;
        if term > 2f64.powi(SCALE_EXP) {
            term *= scale_down;
            sum *= scale_down;
            rescales += 1;
        }
        k -= 1;
    }
    let terms = (x - lo + 1) as f64;
    let ln2 = std::f64::consts::LN_2;
    let shift = rescales as f64 * f64::from(SCALE_EXP) * ln2;
    let ln_sum = sum.ln();
    let v = anchor + ln_sum + shift;
    // The sum's relative error becomes an absolute error of its logarithm
    // (ln(1+δ) ≤ δ); the logarithm, the shift and the two additions round too.
    let err = anchor_err
        + 8.0 * terms * EPS * 1.01
        + EPS * (ln_sum.abs() + shift.abs() + anchor.abs() + 1.0)
        + 2.0 * EPS * v.abs();
    (v, err)
}

/// Whether P(X ≤ x | N, K, n) exceeds the threshold τ = 1 − num/den, i.e.
/// `tail > (den − num)/den`, decided exactly. Requires 0 < num < den,
/// K ≤ N ≤ [`MAX_POPULATION`], n ≤ N.
pub fn tail_vs(population: u64, failing: u64, checked: u64, x: u64, num: u64, den: u64) -> Side {
    let (lo, hi) = support(population, failing, checked);
    if x < lo {
        return Side::AtOrBelow; // the tail is 0
    }
    if x >= hi {
        return Side::Above; // the tail is 1 > τ
    }
    let (lt, et) = log_tail(population, failing, checked, x);
    let tau_num = (den - num) as f64;
    let tau = tau_num.ln() - (den as f64).ln();
    let etau = 2.0 * EPS * (tau_num.ln().abs() + (den as f64).ln().abs() + tau.abs());
    let margin = 4.0 * (et + etau) + 64.0 * EPS;
    if lt - margin > tau {
        Side::Above
    } else if lt + margin < tau {
        Side::AtOrBelow
    } else {
        exact_tail_vs(population, failing, checked, x, num, den)
    }
}

/// The exact decision: den · Σ_{k=lo..x} C(K,k)·C(N−K,n−k) against
/// (den − num) · C(N, n), in integers.
pub fn exact_tail_vs(
    population: u64,
    failing: u64,
    checked: u64,
    x: u64,
    num: u64,
    den: u64,
) -> Side {
    let (lo, hi) = support(population, failing, checked);
    if x < lo {
        return Side::AtOrBelow;
    }
    if x >= hi {
        return Side::Above;
    }
    let good = population - failing;
    let mut term = Nat::binomial(failing, lo);
    term = term.mul(&Nat::binomial(good, checked - lo));
    let mut sum = term.clone();
    let mut k = lo;
    while k < x {
        // T(k+1) = T(k) · (K−k)(n−k) / ((k+1)(N−K−n+k+1)), an exact division.
        term.mul_small((failing - k) * (checked - k));
        let rem = term.div_small((k + 1) * (good - (checked - k) + 1));
        debug_assert_eq!(rem, 0);
        sum.add(&term);
        k += 1;
    }
    sum.mul_small(den);
    let mut total = Nat::binomial(population, checked);
    total.mul_small(den - num);
    if sum > total {
        Side::Above
    } else {
        Side::AtOrBelow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_factorial_is_accurate_across_the_switch_to_stirling() {
        // ln(m!) = ln((m−1)!) + ln m, across the switch at 35.
        for m in 2..200u64 {
            let (a, ea) = ln_factorial(m);
            let (b, eb) = ln_factorial(m - 1);
            let d = a - b - (m as f64).ln();
            assert!(d.abs() <= ea + eb + 4.0 * EPS * a, "m={m}: {d:e}");
        }
    }

    #[test]
    fn float_and_exact_decisions_agree_on_small_populations() {
        // Every (N, K, n, x) up to N = 24 at thresholds near and far from ties.
        for population in 1..=24u64 {
            for failing in 0..=population {
                for checked in 0..=population {
                    for x in 0..=checked {
                        for (num, den) in [(1, 20), (1, 10), (19, 20), (1, 2), (1, 3)] {
                            assert_eq!(
                                tail_vs(population, failing, checked, x, num, den),
                                exact_tail_vs(population, failing, checked, x, num, den),
                                "N={population} K={failing} n={checked} x={x} C={num}/{den}"
                            );
                        }
                    }
                }
            }
        }
    }

    fn binomial_u128(a: u64, b: u64) -> u128 {
        let b = b.min(a - b);
        (1..=u128::from(b)).fold(1u128, |v, i| v * (u128::from(a - b) + i) / i)
    }

    #[test]
    fn the_float_tail_is_within_its_stated_error_of_the_exact_one() {
        // Up to N = 60 every binomial fits in a u128: the exact tail as a
        // ratio of integers, converted once (two roundings at most).
        for population in [7u64, 23, 41, 60] {
            for failing in 0..=population {
                for checked in 0..=population {
                    let (lo, hi) = support(population, failing, checked);
                    for x in lo..hi {
                        let num: u128 = (lo..=x)
                            .map(|k| {
                                binomial_u128(failing, k)
                                    * binomial_u128(population - failing, checked - k)
                            })
                            .sum();
                        let den = binomial_u128(population, checked);
                        let exact = (num as f64).ln() - (den as f64).ln();
                        let (v, err) = log_tail(population, failing, checked, x);
                        let slack = 4.0 * EPS * (exact.abs() + (den as f64).ln() + 1.0);
                        assert!(
                            (v - exact).abs() <= err + slack,
                            "N={population} K={failing} n={checked} x={x}: {v} vs {exact}, bound {err}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_tie_at_one_tenth_is_decided_exactly() {
        // N=10, K=9, n=1: P(X=0) = 1/10 exactly; 1/10 > 1 − 9/10 is false.
        assert_eq!(tail_vs(10, 9, 1, 0, 9, 10), Side::AtOrBelow);
        assert_eq!(tail_vs(10, 8, 1, 0, 9, 10), Side::Above);
    }
}
