//! Percentages computed and compared exactly, in integers.
//!
//! Offices publish rates such as 总体合格率99.70%: (checked − failed) / checked
//! as a percentage rounded half-up to two decimals. Every digit here comes
//! from integer long division, so 1653/1658 = 99.6984…% is 99.70%, never the
//! 99.69% that truncation (or an unlucky float) would give.

use crate::t;

/// What [`percent_half_up`] returns when no rate is defined (a zero denominator).
pub const UNDEFINED: &str = "—";

/// The most decimals [`parse_percent`] accepts.
pub const MAX_DECIMALS: usize = 6;

/// `num / den` as a percentage rounded half-up to `decimals` places, formatted
/// with exactly `decimals` digits after the point and a `%` sign ("99.70%";
/// "100%" when `decimals` is 0). `den == 0` gives [`UNDEFINED`].
pub fn percent_half_up(num: u64, den: u64, decimals: u32) -> String {
    if den == 0 {
        return UNDEFINED.to_string();
    }
    let den = u128::from(den);
    let hundred = u128::from(num) * 100;
    let mut int = hundred / den;
    let mut rem = hundred % den;
    let mut frac: Vec<u8> = Vec::with_capacity(decimals as usize);
    for _ in 0..decimals {
        // rem < den <= u64::MAX, so rem * 10 fits in u128.
        rem *= 10;
        frac.push((rem / den) as u8);
        rem %= den;
    }
    // What is left is rem/den of the last place: round up from one half.
    if 2 * rem >= den {
        let mut carry = true;
        for d in frac.iter_mut().rev() {
            if *d == 9 {
                *d = 0;
            } else {
                *d += 1;
                carry = false;
                break;
            }
        }
        if carry {
            int += 1;
        }
    }
    let mut out = int.to_string();
    if decimals > 0 {
        out.push('.');
        out.extend(frac.iter().map(|&d| char::from(b'0' + d)));
    }
    out.push('%');
    out
}

/// A published percentage, kept at the precision it was published with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PercentClaim {
    /// The value times 10^`decimals`: 99.70% is 9970 with 2 decimals, 99.7% is 997 with 1.
    pub scaled: u128,
    /// Digits after the point as published.
    pub decimals: u32,
    /// The text as given, trimmed.
    pub text: String,
}

impl PercentClaim {
    /// The value formatted as [`percent_half_up`] formats it ("99.70%").
    pub fn value(&self) -> String {
        format_scaled(self.scaled, self.decimals)
    }
}

/// `scaled / 10^decimals` with exactly `decimals` digits after the point and a `%`.
fn format_scaled(scaled: u128, decimals: u32) -> String {
    let digits = scaled.to_string();
    let d = decimals as usize;
    let mut out = String::with_capacity(digits.len() + d + 3);
    if d == 0 {
        out.push_str(&digits);
    } else {
        // At least one digit before the point: 5 with 2 decimals is 0.05.
        let pad = (d + 1).saturating_sub(digits.len());
        let padded = format!("{}{digits}", "0".repeat(pad));
        let (int, frac) = padded.split_at(padded.len() - d);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    }
    out.push('%');
    out
}

/// Parses a published percentage: "99.70%", "99.7%", "99.70", "100%",
/// "99.70％". Digits, at most one point with 1 to 6 digits after it, then an
/// optional `%` or `％`.
pub fn parse_percent(s: &str) -> std::result::Result<PercentClaim, String> {
    let text = s.trim();
    let body = text
        .strip_suffix('%')
        .or_else(|| text.strip_suffix('％'))
        .unwrap_or(text)
        .trim_end();
    let accepted = || t!("percent.accepted", max = MAX_DECIMALS);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || (body.contains('.') && !all_digits(frac)) {
        return Err(t!(
            "percent.not-a-percentage",
            value = s,
            accepted = accepted()
        ));
    }
    if frac.len() > MAX_DECIMALS {
        return Err(t!(
            "percent.too-many-decimals",
            value = s,
            count = frac.len(),
            accepted = accepted()
        ));
    }
    let mut scaled: u128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        scaled = scaled
            .checked_mul(10)
            .and_then(|v| v.checked_add(u128::from(b - b'0')))
            .ok_or_else(|| t!("percent.too-large", value = s, accepted = accepted()))?;
    }
    Ok(PercentClaim {
        scaled,
        decimals: frac.len() as u32,
        text: text.to_string(),
    })
}

/// Whether a published rate agrees with `num / den` at the rate's own
/// precision: `percent_half_up(num, den, claim.decimals)` is the claimed value.
/// 99.7% and 99.70% both agree with 1653/1658; 99.69% does not. Never true
/// when `den == 0`.
pub fn claim_agrees(claim: &PercentClaim, num: u64, den: u64) -> bool {
    den != 0 && percent_half_up(num, den, claim.decimals) == claim.value()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(s: &str) -> PercentClaim {
        parse_percent(s).unwrap()
    }

    #[test]
    fn anhui_pass_rate_rounds_half_up_at_every_precision() {
        assert_eq!(percent_half_up(1653, 1658, 0), "100%");
        assert_eq!(percent_half_up(1653, 1658, 1), "99.7%");
        assert_eq!(percent_half_up(1653, 1658, 2), "99.70%");
        assert_eq!(percent_half_up(1653, 1658, 3), "99.698%");
        assert_eq!(percent_half_up(1653, 1658, 4), "99.6984%");
    }

    #[test]
    fn other_published_rates() {
        assert_eq!(percent_half_up(131, 133, 2), "98.50%");
        assert_eq!(percent_half_up(131, 133, 1), "98.5%");
        assert_eq!(percent_half_up(840, 840, 2), "100.00%");
        assert_eq!(percent_half_up(840, 840, 0), "100%");
        assert_eq!(percent_half_up(0, 840, 2), "0.00%");
        assert_eq!(percent_half_up(1, 3, 2), "33.33%");
        assert_eq!(percent_half_up(2, 3, 2), "66.67%");
    }

    #[test]
    fn exact_halves_round_up() {
        // 1/8 = 12.5%.
        assert_eq!(percent_half_up(1, 8, 0), "13%");
        assert_eq!(percent_half_up(1, 8, 1), "12.5%");
        // 1/16 = 6.25%.
        assert_eq!(percent_half_up(1, 16, 1), "6.3%");
        assert_eq!(percent_half_up(1, 16, 2), "6.25%");
        // 3/16 = 18.75% and 1/200 = 0.5%.
        assert_eq!(percent_half_up(3, 16, 1), "18.8%");
        assert_eq!(percent_half_up(1, 200, 0), "1%");
        // Just below a half stays down: 1/201 = 0.4975…%.
        assert_eq!(percent_half_up(1, 201, 0), "0%");
    }

    #[test]
    fn carries_run_into_the_integer_part() {
        // 0.99995 = 99.995%.
        assert_eq!(percent_half_up(19999, 20000, 2), "100.00%");
        assert_eq!(percent_half_up(19999, 20000, 3), "99.995%");
        assert_eq!(percent_half_up(999, 1000, 0), "100%");
    }

    #[test]
    fn zero_denominator_has_no_rate() {
        assert_eq!(percent_half_up(0, 0, 2), UNDEFINED);
        assert_eq!(percent_half_up(5, 0, 0), "—");
        assert!(!claim_agrees(&claim("0%"), 0, 0));
    }

    #[test]
    fn extreme_values_do_not_overflow() {
        assert_eq!(percent_half_up(u64::MAX, u64::MAX, 2), "100.00%");
        assert_eq!(
            percent_half_up(u64::MAX, 1, 0),
            format!("{}%", u128::from(u64::MAX) * 100)
        );
        assert_eq!(percent_half_up(1, u64::MAX, 3), "0.000%");
    }

    #[test]
    fn published_spellings_parse() {
        let c = claim("99.70%");
        assert_eq!((c.scaled, c.decimals, c.text.as_str()), (9970, 2, "99.70%"));
        assert_eq!((claim("99.7%").scaled, claim("99.7%").decimals), (997, 1));
        assert_eq!((claim("99.70").scaled, claim("99.70").decimals), (9970, 2));
        assert_eq!((claim("100%").scaled, claim("100%").decimals), (100, 0));
        assert_eq!(
            (claim("99.70％").scaled, claim("99.70％").decimals),
            (9970, 2)
        );
        assert_eq!(claim(" 99.70 % ").value(), "99.70%");
        assert_eq!(claim("0.05%").value(), "0.05%");
        assert_eq!(claim("99.123456%").decimals, 6);
    }

    #[test]
    fn malformed_percentages_are_refused_with_what_is_accepted() {
        for s in [
            "",
            "%",
            "abc",
            "99,70%",
            "-1%",
            "+5%",
            ".5%",
            "99.%",
            "99.7.0%",
            "99.1234567%",
            "1e2%",
            "99 .70%",
            "５０%",
            "99.70%%",
        ] {
            let err = parse_percent(s).unwrap_err();
            assert!(err.contains("accepted: a percentage"), "{s}: {err}");
        }
        assert!(
            parse_percent("1.2345678")
                .unwrap_err()
                .contains("7 decimals")
        );
        let huge = "9".repeat(60);
        assert!(parse_percent(&huge).unwrap_err().contains("too large"));
    }

    #[test]
    fn claims_are_compared_at_their_own_precision() {
        for s in ["99.7%", "99.70%", "99.70", "99.70％", "100%", "99.698%"] {
            assert!(claim_agrees(&claim(s), 1653, 1658), "{s}");
        }
        for s in ["99.69%", "99.6%", "99.71%", "99%", "99.699%"] {
            assert!(!claim_agrees(&claim(s), 1653, 1658), "{s}");
        }
        assert!(claim_agrees(&claim("98.50%"), 131, 133));
        assert!(claim_agrees(&claim("98.5%"), 131, 133));
        assert!(!claim_agrees(&claim("98.49%"), 131, 133));
        assert!(claim_agrees(&claim("100.00%"), 840, 840));
        assert!(!claim_agrees(&claim("100.01%"), 840, 840));
    }

    #[test]
    fn value_formats_like_percent_half_up() {
        let c = PercentClaim {
            scaled: 5,
            decimals: 3,
            text: "x".into(),
        };
        assert_eq!(c.value(), "0.005%");
        assert!(claim_agrees(&c, 1, 20000));
        assert_eq!(format_scaled(12, 0), "12%");
        assert_eq!(format_scaled(0, 2), "0.00%");
    }
}
