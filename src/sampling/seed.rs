//! The public seed: fixed only after the roster is committed, from a source
//! anyone could watch (dice rolled at a meeting, a lottery's published draw).

use crate::input::text::normalize_field;
use crate::t;

/// Fewest characters a seed may have: a public ceremony of 20 dice rolls gives
/// 20 digits, about 51 bits, beyond what anyone could try out beforehand.
pub const MIN_SEED_CHARS: usize = 20;

/// Normalises (NFC, trimmed) and checks a seed value.
pub fn parse_seed(value: &str) -> Result<String, String> {
    let seed = normalize_field(value);
    let n = seed.chars().count();
    if n < MIN_SEED_CHARS {
        return Err(t!("seed.too-short", seed, count = n, min = MIN_SEED_CHARS));
    }
    if let Some(c) = seed.chars().find(|c| c.is_control()) {
        // NUL separates the seed from the stratum in the hashes (SPEC.md §4).
        return Err(t!(
            "seed.control-character",
            code = format!("U+{:04X}", c as u32)
        ));
    }
    Ok(seed.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_digits_are_enough_and_nineteen_are_not() {
        assert_eq!(
            parse_seed(" 12345678901234567890\u{3000}").unwrap(),
            "12345678901234567890"
        );
        assert!(
            parse_seed("1234567890123456789")
                .unwrap_err()
                .contains("19 characters")
        );
        assert!(parse_seed("1234567890\u{0}1234567890").is_err());
    }
}
