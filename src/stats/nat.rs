//! Natural numbers of any size, with just what an exact hypergeometric tail
//! needs: products of binomials multiplied and divided by machine words,
//! added and compared. Little-endian 64-bit limbs, no leading zero limbs.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nat {
    limbs: Vec<u64>,
}

impl Nat {
    pub fn from_u64(v: u64) -> Nat {
        let mut n = Nat { limbs: vec![v] };
        n.trim();
        n
    }

    fn trim(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }

    pub fn mul_small(&mut self, m: u64) {
        let mut carry: u128 = 0;
        for limb in &mut self.limbs {
            let p = u128::from(*limb) * u128::from(m) + carry;
            *limb = p as u64;
            carry = p >> 64;
        }
        if carry != 0 {
            self.limbs.push(carry as u64);
        }
        self.trim();
    }

    /// Divides by `d > 0` and returns the remainder (zero where the caller
    /// knows the division is exact).
    pub fn div_small(&mut self, d: u64) -> u64 {
        let mut rem: u128 = 0;
        for limb in self.limbs.iter_mut().rev() {
            let cur = (rem << 64) | u128::from(*limb);
            *limb = (cur / u128::from(d)) as u64;
            rem = cur % u128::from(d);
        }
        self.trim();
        rem as u64
    }

    pub fn add(&mut self, other: &Nat) {
        if self.limbs.len() < other.limbs.len() {
            self.limbs.resize(other.limbs.len(), 0);
        }
        let mut carry = false;
        for (i, limb) in self.limbs.iter_mut().enumerate() {
            let o = other.limbs.get(i).copied().unwrap_or(0);
            if o == 0 && !carry && i >= other.limbs.len() {
                break;
            }
            let (s1, c1) = limb.overflowing_add(o);
            let (s2, c2) = s1.overflowing_add(u64::from(carry));
            *limb = s2;
            carry = c1 || c2;
        }
        if carry {
            self.limbs.push(1);
        }
    }

    /// self · other, by schoolbook multiplication.
    pub fn mul(&self, other: &Nat) -> Nat {
        let mut out = vec![0u64; self.limbs.len() + other.limbs.len()];
        for (i, &a) in self.limbs.iter().enumerate() {
            let mut carry: u128 = 0;
            for (j, &b) in other.limbs.iter().enumerate() {
                let cur = u128::from(out[i + j]) + u128::from(a) * u128::from(b) + carry;
                out[i + j] = cur as u64;
                carry = cur >> 64;
            }
            out[i + other.limbs.len()] = carry as u64;
        }
        let mut n = Nat { limbs: out };
        n.trim();
        n
    }

    /// The binomial coefficient C(a, b) (zero when b > a).
    pub fn binomial(a: u64, b: u64) -> Nat {
        if b > a {
            return Nat::from_u64(0);
        }
        let b = b.min(a - b);
        let mut n = Nat::from_u64(1);
        // After step i the value is C(a - b + i, i), an integer: exact division.
        for i in 1..=b {
            n.mul_small(a - b + i);
            n.div_small(i);
        }
        n
    }
}

impl PartialOrd for Nat {
    fn partial_cmp(&self, other: &Nat) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Nat {
    fn cmp(&self, other: &Nat) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_u128(n: &Nat) -> u128 {
        assert!(n.limbs.len() <= 2);
        n.limbs
            .iter()
            .enumerate()
            .map(|(i, &l)| u128::from(l) << (64 * i))
            .sum()
    }

    fn binomial_u128(a: u64, b: u64) -> u128 {
        if b > a {
            return 0;
        }
        let mut v: u128 = 1;
        for i in 1..=b.min(a - b) {
            v = v * u128::from(a - b.min(a - b) + i) / u128::from(i);
        }
        v
    }

    #[test]
    fn binomials_agree_with_u128_arithmetic() {
        for a in 0..=120u64 {
            for b in 0..=a + 1 {
                assert_eq!(
                    to_u128(&Nat::binomial(a, b)),
                    binomial_u128(a, b),
                    "C({a},{b})"
                );
            }
        }
    }

    #[test]
    fn sums_products_and_order_carry_across_limbs() {
        let mut a = Nat::from_u64(u64::MAX);
        a.add(&Nat::from_u64(1));
        assert_eq!(to_u128(&a), 1u128 << 64);
        a.mul_small(u64::MAX);
        assert_eq!(to_u128(&a), (1u128 << 64) * u128::from(u64::MAX));
        let b = a.clone();
        a.add(&Nat::from_u64(1));
        assert_eq!(a.cmp(&b), std::cmp::Ordering::Greater);
        assert_eq!(b.cmp(&a), std::cmp::Ordering::Less);
        assert_eq!(a.div_small(u64::MAX), 1);
        assert_eq!(to_u128(&a), 1u128 << 64);
        assert!(Nat::from_u64(0).limbs.is_empty());
        let c = Nat::binomial(40, 20).mul(&Nat::binomial(30, 15));
        assert_eq!(to_u128(&c), binomial_u128(40, 20) * binomial_u128(30, 15));
        assert!(Nat::from_u64(0) < Nat::from_u64(1));
    }
}
