//! choucha-v1: the reproducible stratified draw (SPEC.md §4, normative).
//!
//! Everything here is integer arithmetic, SHA-256 and the ChaCha20 keystream,
//! so that anyone can redraw a sample in another language years later. rand's
//! `gen_range`, `shuffle`, `choose_multiple` and `StdRng` are never used:
//! their outputs have changed between rand versions.

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

use crate::sampling::rate::Rate;
use crate::t;

pub const ALGORITHM: &str = "choucha-v1";

/// How the sample size is apportioned to the strata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allocation {
    /// Total ceil(N*p/q), floors first, the rest by largest remainder.
    LargestRemainder,
    /// ceil(N_s*p/q) in every stratum.
    Ceil,
    /// floor(N_s*p/q) in every stratum.
    Floor,
    /// Quotas fixed in advance as the plan: (stratum, quota).
    Quotas(Vec<(String, u64)>),
}

impl Allocation {
    /// The rule's name as written in records: `largest-remainder`, `ceil`, `floor`, `quotas`.
    pub fn name(&self) -> &'static str {
        match self {
            Allocation::LargestRemainder => "largest-remainder",
            Allocation::Ceil => "ceil",
            Allocation::Floor => "floor",
            Allocation::Quotas(_) => "quotas",
        }
    }
}

/// SHA-256(tag || 0x00 || seed || 0x00 || stratum).
fn tagged_hash(tag: &str, seed: &str, stratum: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(tag.as_bytes());
    h.update([0u8]);
    h.update(seed.as_bytes());
    h.update([0u8]);
    h.update(stratum.as_bytes());
    h.finalize().into()
}

/// The ChaCha20 key of a stratum's generator.
pub fn stratum_key(seed: &str, stratum: &str) -> [u8; 32] {
    tagged_hash("choucha-v1", seed, stratum)
}

/// The hash that orders strata whose remainders tie under largest-remainder.
pub fn tie_break_hash(seed: &str, stratum: &str) -> [u8; 32] {
    tagged_hash("choucha-v1/alloc", seed, stratum)
}

/// The RFC 8439 ChaCha20 keystream (nonce 0, block counter 0) read as
/// little-endian u64 values, 8 bytes at a time.
pub struct Keystream(ChaCha20Rng);

impl Keystream {
    pub fn new(key: [u8; 32]) -> Keystream {
        Keystream(ChaCha20Rng::from_seed(key))
    }

    /// The next 8 keystream bytes as a little-endian u64. We only ever take
    /// whole u64s, so rand_chacha's word buffer stays aligned to 8 bytes.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A uniform integer in 0..m by rejection: values at or above the largest
    /// multiple of m below 2^64 are redrawn, so `x mod m` has no bias.
    pub fn uniform(&mut self, m: u64) -> u64 {
        assert!(m >= 1, "uniform(0) has no values");
        // 2^64 mod m, computed in u64 as (2^64 - m) mod m.
        let rem = m.wrapping_neg() % m;
        loop {
            let x = self.next_u64();
            // limit = 2^64 - rem; with rem == 0 every x is accepted.
            if rem == 0 || x < rem.wrapping_neg() {
                return x % m;
            }
        }
    }
}

/// floor and remainder of n*p/q.
fn share(n: u64, rate: Rate) -> (u64, u64) {
    let num = n as u128 * rate.numerator() as u128;
    let q = rate.denominator() as u128;
    ((num / q) as u64, (num % q) as u64)
}

/// The sample size of every stratum. `strata` are (name, population) in byte
/// order of the names. Errors explain a quota plan that does not fit.
pub fn quotas(
    strata: &[(&str, u64)],
    rate: Rate,
    rule: &Allocation,
    seed: &str,
) -> Result<Vec<u64>, String> {
    match rule {
        Allocation::Floor => Ok(strata.iter().map(|&(_, n)| share(n, rate).0).collect()),
        Allocation::Ceil => Ok(strata
            .iter()
            .map(|&(_, n)| {
                let (f, r) = share(n, rate);
                f + u64::from(r > 0)
            })
            .collect()),
        Allocation::LargestRemainder => {
            let total_n: u128 = strata.iter().map(|&(_, n)| n as u128).sum();
            let num = total_n * rate.numerator() as u128;
            let q = rate.denominator() as u128;
            let target = num.div_ceil(q) as u64;
            let shares: Vec<(u64, u64)> = strata.iter().map(|&(_, n)| share(n, rate)).collect();
            let mut k: Vec<u64> = shares.iter().map(|s| s.0).collect();
            let extra = target - k.iter().sum::<u64>();
            let mut order: Vec<usize> = (0..strata.len()).collect();
            let hashes: Vec<[u8; 32]> = strata
                .iter()
                .map(|&(name, _)| tie_break_hash(seed, name))
                .collect();
            order.sort_by(|&a, &b| {
                shares[b]
                    .1
                    .cmp(&shares[a].1)
                    .then_with(|| hashes[a].cmp(&hashes[b]))
            });
            for &i in order.iter().take(extra as usize) {
                k[i] += 1;
            }
            Ok(k)
        }
        Allocation::Quotas(plan) => plan_quotas(strata, plan),
    }
}

/// The quotas of a plan fixed in advance, checked against the roster: every
/// stratum named, none above its size, no stratum the roster lacks.
pub fn plan_quotas(strata: &[(&str, u64)], plan: &[(String, u64)]) -> Result<Vec<u64>, String> {
    let mut k = Vec::with_capacity(strata.len());
    for &(name, n) in strata {
        let given = plan.iter().find(|(s, _)| s == name).map(|&(_, q)| q);
        match given {
            None => {
                return Err(t!("draw.plan-missing-stratum", name));
            }
            Some(q) if q > n => {
                return Err(t!("draw.plan-quota-too-large", name, q, n));
            }
            Some(q) => k.push(q),
        }
    }
    if let Some((name, _)) = plan
        .iter()
        .find(|(s, _)| !strata.iter().any(|&(t, _)| t == s))
    {
        return Err(t!("draw.plan-unknown-stratum", name));
    }
    Ok(k)
}

/// Draws `k` of a stratum's `n` accounts: a partial Fisher-Yates shuffle of
/// 0..n driven by the stratum's keystream. Returns the chosen positions in
/// the stratum's byte-sorted id list, in rank order.
pub fn sample_positions(seed: &str, stratum: &str, n: u64, k: u64) -> Vec<u32> {
    assert!(k <= n && n <= u32::MAX as u64, "quota above population");
    let mut a: Vec<u32> = (0..n as u32).collect();
    let mut stream = Keystream::new(stratum_key(seed, stratum));
    for i in 0..k {
        let j = i + stream.uniform(n - i);
        a.swap(i as usize, j as usize);
    }
    a.truncate(k as usize);
    a
}

/// [`sample_positions`] applied to the stratum's ids (sorted by UTF-8 bytes).
pub fn sample_stratum<'a>(seed: &str, stratum: &str, ids: &[&'a str], k: u64) -> Vec<&'a str> {
    sample_positions(seed, stratum, ids.len() as u64, k)
        .into_iter()
        .map(|i| ids[i as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chacha20_zero_key_matches_rfc8439() {
        let mut s = Keystream::new([0u8; 32]);
        assert_eq!(s.next_u64(), 0x903df1a0ade0b876);
        assert_eq!(s.next_u64(), 0x28bd8653e56a5d40);
    }

    #[test]
    fn uniform_rejects_the_biased_top() {
        // m = 2^63 + 1: limit = 2^64 - (2^63 - 1) = 2^63 + 1, so about half of
        // all draws are rejected; each result must still be below m.
        let mut s = Keystream::new([7u8; 32]);
        let m = (1u64 << 63) + 1;
        for _ in 0..100 {
            assert!(s.uniform(m) < m);
        }
        assert_eq!(s.uniform(1), 0);
    }

    #[test]
    fn worked_example_from_the_issue() {
        let seed = "12345678901234567890";
        let rate: Rate = "1/2".parse().unwrap();
        let k = quotas(
            &[("合肥市", 5), ("省直厅局", 1)],
            rate,
            &Allocation::LargestRemainder,
            seed,
        )
        .unwrap();
        assert_eq!(k, vec![3, 0]);
        let got = sample_stratum(seed, "合肥市", &["A1", "A2", "A3", "A4", "A5"], 3);
        assert_eq!(got, vec!["A2", "A4", "A5"]);
    }

    #[test]
    fn floor_and_ceil() {
        let r: Rate = "1/2".parse().unwrap();
        let s = [("a", 5), ("b", 1), ("c", 4)];
        assert_eq!(
            quotas(&s, r, &Allocation::Floor, "x").unwrap(),
            vec![2, 0, 2]
        );
        assert_eq!(
            quotas(&s, r, &Allocation::Ceil, "x").unwrap(),
            vec![3, 1, 2]
        );
    }

    #[test]
    fn quota_plans_must_fit_the_roster() {
        let r: Rate = "1/2".parse().unwrap();
        let s = [("a", 5), ("b", 1)];
        let plan = |v: &[(&str, u64)]| {
            Allocation::Quotas(v.iter().map(|(n, k)| (n.to_string(), *k)).collect())
        };
        assert_eq!(
            quotas(&s, r, &plan(&[("a", 4), ("b", 1)]), "x").unwrap(),
            vec![4, 1]
        );
        assert!(
            quotas(&s, r, &plan(&[("a", 4)]), "x")
                .unwrap_err()
                .contains("no quota for stratum \"b\"")
        );
        assert!(
            quotas(&s, r, &plan(&[("a", 6), ("b", 0)]), "x")
                .unwrap_err()
                .contains("only 5")
        );
        assert!(
            quotas(&s, r, &plan(&[("a", 1), ("b", 0), ("c", 0)]), "x")
                .unwrap_err()
                .contains("\"c\"")
        );
    }
}
