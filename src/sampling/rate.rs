//! The sampling rate as an exact fraction p/q: no floats ever enter a record.

use std::fmt;
use std::str::FromStr;

use crate::t;

/// A rate 0 < p/q <= 1 in lowest terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    p: u64,
    q: u64,
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Rate {
    pub fn new(p: u64, q: u64) -> Result<Rate, String> {
        if q == 0 || p == 0 || p > q {
            return Err(t!("rate.out-of-range", rate = format!("{p}/{q}")));
        }
        let g = gcd(p, q);
        Ok(Rate { p: p / g, q: q / g })
    }

    pub fn numerator(&self) -> u64 {
        self.p
    }

    pub fn denominator(&self) -> u64 {
        self.q
    }
}

/// Parses "12.5" as 125/10: digits with at most one dot, at most 9 decimals.
fn parse_decimal(s: &str) -> Option<(u64, u64)> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 9 || int.len() > 9 {
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

impl FromStr for Rate {
    type Err = String;

    fn from_str(s: &str) -> Result<Rate, String> {
        let t = s.trim();
        let bad = || t!("rate.not-understood", rate = s);
        let (p, q) = if let Some(pct) = t.strip_suffix('%') {
            let (n, d) = parse_decimal(pct.trim()).ok_or_else(bad)?;
            (n, d * 100)
        } else if let Some((a, b)) = t.split_once('/') {
            let a = a.trim();
            let b = b.trim();
            if a.is_empty()
                || b.is_empty()
                || !a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
            {
                return Err(bad());
            }
            (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?)
        } else {
            parse_decimal(t).ok_or_else(bad)?
        };
        Rate::new(p, q).map_err(|_| t!("rate.out-of-range", rate = format!("{s:?}")))
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.p, self.q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_spellings_of_one_half_agree() {
        for s in ["50%", "0.5", "1/2", " 2/4 ", ".5", "50.0%"] {
            assert_eq!(s.parse::<Rate>().unwrap().to_string(), "1/2", "{s}");
        }
    }

    #[test]
    fn exact_fractions_are_kept() {
        assert_eq!("12.5%".parse::<Rate>().unwrap().to_string(), "1/8");
        assert_eq!("1/3".parse::<Rate>().unwrap().to_string(), "1/3");
        assert_eq!("100%".parse::<Rate>().unwrap().to_string(), "1/1");
        assert_eq!("0.333".parse::<Rate>().unwrap().to_string(), "333/1000");
    }

    #[test]
    fn nine_decimals_are_read_exactly_and_ten_are_refused() {
        assert_eq!(
            "0.123456789".parse::<Rate>().unwrap().to_string(),
            "123456789/1000000000"
        );
        assert_eq!(
            "12.345678901%".parse::<Rate>().unwrap().to_string(),
            "12345678901/100000000000"
        );
        for s in ["0.1234567891", "12.3456789012%"] {
            assert!(s.parse::<Rate>().is_err(), "{s} should be refused");
        }
    }

    #[test]
    fn out_of_range_and_garbage_are_refused() {
        for s in [
            "0", "0%", "101%", "3/2", "1/0", "-1/2", "abc", "", "%", "1e-1", "0.5.5", "1/2/3",
        ] {
            assert!(s.parse::<Rate>().is_err(), "{s} should be refused");
        }
    }
}
