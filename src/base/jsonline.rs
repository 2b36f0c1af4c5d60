//! Finding the top-level members of one JSON object line without decoding it.
//!
//! Pure. `verify` reads millions of log lines but needs only a few values of
//! each; decoding whole lines with serde_json was its main cost. This scanner
//! checks a line and records where each top-level key and value lie, so
//! callers hand serde_json only the small spans they need. It follows the
//! grammar of serde_json's `ignore_value` (the path ignored struct fields
//! take), so it accepts exactly the lines `from_slice::<IgnoredAny>` accepts
//! whose first non-whitespace byte is `{`: switching to it neither lets a
//! malformed line through nor refuses one serde_json took. Like
//! `ignore_value`, it bounds neither nesting depth nor number ranges, and
//! checks neither surrogate pairing in `\u` escapes nor duplicate keys.

use std::ops::Range;

/// One top-level member of a JSON object: where its key and value are in the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The key's text between its quotes, escapes not decoded.
    pub key: Range<usize>,
    /// Whether the key holds a backslash escape (then decode it with serde_json).
    pub key_escaped: bool,
    /// The whole value's text (a string value includes its quotes).
    pub value: Range<usize>,
}

/// Why a line is not one JSON object (byte offset where scanning stopped, and a short English reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    pub at: usize,
    pub what: &'static str,
}

/// Checks that `line` is exactly one JSON object (RFC 8259; optional whitespace before and after)
/// and puts its top-level members, in order, into `members` (cleared first). Duplicate keys are
/// NOT an error here (callers decide). `line` must be valid UTF-8 (the caller validated the whole file);
/// the scanner need not re-validate UTF-8 but must not panic on any input bytes whatsoever.
pub fn scan_object(line: &[u8], members: &mut Vec<Member>) -> Result<(), ScanError> {
    members.clear();
    let mut s = Scanner { line, pos: 0 };
    s.skip_ws();
    if s.peek() != b'{' {
        return Err(s.fail("expected an object"));
    }
    s.pos += 1;
    s.skip_ws();
    if s.peek() == b'}' {
        s.pos += 1;
    } else {
        loop {
            if s.peek() != b'"' {
                return Err(s.fail("expected a key"));
            }
            s.pos += 1;
            let start = s.pos;
            let key_escaped = s.string_rest()?;
            let key = start..s.pos - 1;
            s.colon()?;
            s.skip_ws();
            let start = s.pos;
            s.value()?;
            members.push(Member {
                key,
                key_escaped,
                value: start..s.pos,
            });
            s.skip_ws();
            match s.peek() {
                b',' => {
                    s.pos += 1;
                    s.skip_ws();
                }
                b'}' => {
                    s.pos += 1;
                    break;
                }
                _ => return Err(s.fail("expected ',' or '}'")),
            }
        }
    }
    s.skip_ws();
    if s.pos < line.len() {
        return Err(s.fail("trailing characters after the object"));
    }
    Ok(())
}

/// Whether member `m` of `line` (as found by [`scan_object`]) has the key `name`.
pub fn key_is(line: &[u8], m: &Member, name: &str) -> bool {
    if !m.key_escaped {
        return line.get(m.key.clone()) == Some(name.as_bytes());
    }
    // The quotes around the key are part of the line whenever `m` came from it.
    let Some(quoted) = m
        .key
        .start
        .checked_sub(1)
        .and_then(|start| line.get(start..m.key.end.checked_add(1)?))
    else {
        return false;
    };
    serde_json::from_slice::<String>(quoted).is_ok_and(|key| key == name)
}

const ONES: u64 = u64::MAX / 255;

/// A word with the high bit set in each byte that is `"`, `\` or below 0x20.
/// Borrows make this inexact only above the first such byte, which is the
/// only one looked at, so the lowest set bit is exact.
#[inline]
fn stop_bytes(word: u64) -> u64 {
    let control = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = word ^ (ONES * u64::from(b'"'));
    let quote = quote.wrapping_sub(ONES) & !quote;
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let backslash = backslash.wrapping_sub(ONES) & !backslash;
    (control | quote | backslash) & (ONES << 7)
}

#[inline]
fn is_stop(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

#[inline]
fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

/// Which containers enclose the current point: one bit per level, set for an
/// object. Deep lines are legal (serde_json's `ignore_value` has no depth
/// limit), so levels past the inline words spill to the heap; real log lines
/// never get there.
struct Nesting {
    depth: usize,
    inline: [u64; 2],
    spill: Vec<u64>,
}

impl Nesting {
    fn new() -> Self {
        Nesting {
            depth: 0,
            inline: [0; 2],
            spill: Vec::new(),
        }
    }

    fn word(&mut self, level: usize) -> &mut u64 {
        let i = level / 64;
        if i < self.inline.len() {
            &mut self.inline[i]
        } else {
            let i = i - self.inline.len();
            if self.spill.len() <= i {
                self.spill.resize(i + 1, 0);
            }
            &mut self.spill[i]
        }
    }

    fn push(&mut self, object: bool) {
        let level = self.depth;
        let bit = 1u64 << (level % 64);
        let word = self.word(level);
        if object {
            *word |= bit;
        } else {
            *word &= !bit;
        }
        self.depth += 1;
    }

    fn pop(&mut self) {
        self.depth -= 1;
    }

    /// Whether the innermost container is an object; `None` at the outside.
    fn top(&mut self) -> Option<bool> {
        let level = self.depth.checked_sub(1)?;
        let bit = 1u64 << (level % 64);
        Some(*self.word(level) & bit != 0)
    }
}

struct Scanner<'a> {
    line: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    /// The byte at the cursor, or 0 at the end: a NUL is as wrong as the end
    /// wherever a token is expected, so one comparison covers both.
    #[inline]
    fn peek(&self) -> u8 {
        self.line.get(self.pos).copied().unwrap_or(0)
    }

    #[inline]
    fn fail(&self, what: &'static str) -> ScanError {
        ScanError { at: self.pos, what }
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let b' ' | b'\t' | b'\n' | b'\r' = self.peek() {
            self.pos += 1;
        }
    }

    #[inline]
    fn colon(&mut self) -> Result<(), ScanError> {
        self.skip_ws();
        if self.peek() != b':' {
            return Err(self.fail("expected ':'"));
        }
        self.pos += 1;
        Ok(())
    }

    /// Moves past the rest of a string whose opening quote is consumed;
    /// returns whether it held an escape.
    #[inline(always)]
    fn string_rest(&mut self) -> Result<bool, ScanError> {
        let line = self.line;
        let mut escaped = false;
        loop {
            // Eight bytes at a time: the long values (hashes, notes) are
            // where a line's time goes.
            let stop = loop {
                let Some(chunk) = line.get(self.pos..).and_then(|r| r.first_chunk::<8>()) else {
                    while self.pos < line.len() && !is_stop(line[self.pos]) {
                        self.pos += 1;
                    }
                    break line.get(self.pos);
                };
                let word = u64::from_le_bytes(*chunk);
                let stops = stop_bytes(word);
                if stops != 0 {
                    let at = stops.trailing_zeros() as usize / 8;
                    self.pos += at;
                    break chunk.get(at);
                }
                self.pos += 8;
            };
            match stop {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(escaped);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape()?;
                    escaped = true;
                }
                Some(_) => return Err(self.fail("control character in a string")),
                None => return Err(self.fail("unterminated string")),
            }
        }
    }

    /// Moves past an escape whose backslash is consumed. Like serde_json
    /// when ignoring, `\u` needs four hex digits and nothing more: a lone
    /// or reversed surrogate passes.
    fn escape(&mut self) -> Result<(), ScanError> {
        match self.peek() {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {
                self.pos += 1;
                Ok(())
            }
            b'u' => {
                self.pos += 1;
                match self.line.get(self.pos..self.pos + 4) {
                    Some(&[a, b, c, d]) if is_hex(a) && is_hex(b) && is_hex(c) && is_hex(d) => {
                        self.pos += 4;
                        Ok(())
                    }
                    Some(_) => Err(self.fail("invalid \\u escape")),
                    None => Err(self.fail("unterminated string")),
                }
            }
            _ => Err(self.fail("invalid escape")),
        }
    }

    #[inline]
    fn digits(&mut self) {
        while self.peek().is_ascii_digit() {
            self.pos += 1;
        }
    }

    /// Moves past a number: serde_json's `ignore_integer`, `ignore_decimal`
    /// and `ignore_exponent`, which check the shape but not the range.
    fn number(&mut self) -> Result<(), ScanError> {
        if self.peek() == b'-' {
            self.pos += 1;
        }
        match self.peek() {
            b'0' => {
                self.pos += 1;
                if self.peek().is_ascii_digit() {
                    return Err(self.fail("leading zero in a number"));
                }
            }
            b'1'..=b'9' => {
                self.pos += 1;
                self.digits();
            }
            _ => return Err(self.fail("invalid number")),
        }
        if self.peek() == b'.' {
            self.pos += 1;
            if !self.peek().is_ascii_digit() {
                return Err(self.fail("invalid number"));
            }
            self.digits();
        }
        if let b'e' | b'E' = self.peek() {
            self.pos += 1;
            if let b'+' | b'-' = self.peek() {
                self.pos += 1;
            }
            if !self.peek().is_ascii_digit() {
                return Err(self.fail("invalid number"));
            }
            self.digits();
        }
        Ok(())
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), ScanError> {
        if self.line.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.fail("invalid literal"))
        }
    }

    /// Moves past one value starting at the cursor (no whitespace before it).
    /// Scalars, the common case, return before any nesting state is built.
    #[inline(always)]
    fn value(&mut self) -> Result<(), ScanError> {
        match self.peek() {
            b'"' => {
                self.pos += 1;
                self.string_rest().map(drop)
            }
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'[' | b'{' => self.nested(),
            _ => Err(self.fail("expected a value")),
        }
    }

    /// Moves past an array or object without recursing, so no line can
    /// overflow the stack.
    fn nested(&mut self) -> Result<(), ScanError> {
        let mut nesting = Nesting::new();
        loop {
            // Here a value is due (or a closing bracket right after an opening one).
            match self.peek() {
                b'[' => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == b']' {
                        self.pos += 1;
                    } else {
                        nesting.push(false);
                        continue;
                    }
                }
                b'{' => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == b'}' {
                        self.pos += 1;
                    } else {
                        nesting.push(true);
                        self.member_key()?;
                        continue;
                    }
                }
                _ => self.value()?,
            }
            // A value ended: close what it ends, up to the next one due.
            loop {
                let Some(object) = nesting.top() else {
                    return Ok(());
                };
                self.skip_ws();
                match self.peek() {
                    b',' => {
                        self.pos += 1;
                        self.skip_ws();
                        if object {
                            self.member_key()?;
                        }
                        break;
                    }
                    b'}' if object => {
                        self.pos += 1;
                        nesting.pop();
                    }
                    b']' if !object => {
                        self.pos += 1;
                        nesting.pop();
                    }
                    _ if object => return Err(self.fail("expected ',' or '}'")),
                    _ => return Err(self.fail("expected ',' or ']'")),
                }
            }
        }
    }

    /// Moves past `"key":` and the whitespace after it, from the opening quote.
    fn member_key(&mut self) -> Result<(), ScanError> {
        if self.peek() != b'"' {
            return Err(self.fail("expected a key"));
        }
        self.pos += 1;
        self.string_rest()?;
        self.colon()?;
        self.skip_ws();
        Ok(())
    }
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.what, self.at + 1)
    }
}

/// A scanned object as a serde map, for a record type with derived
/// `Deserialize` (its keys are given as bytes, which derived field visitors
/// accept and a `String` would not): `R::deserialize(Object { .. })` decodes a
/// record from the member spans as serde_json would from the whole line
/// (missing, duplicate and unknown fields alike: the derived visitor does
/// that bookkeeping), but hands serde_json only the values asked for.
pub struct Object<'de, 'm> {
    pub line: &'de [u8],
    pub members: &'m [Member],
}

struct Access<'de, 'm> {
    line: &'de [u8],
    members: std::slice::Iter<'m, Member>,
    value: Range<usize>,
}

impl<'de> serde::Deserializer<'de> for Object<'de, '_> {
    type Error = serde_json::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_map(Access {
            line: self.line,
            members: self.members.iter(),
            value: 0..0,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> serde::de::MapAccess<'de> for Access<'de, '_> {
    type Error = serde_json::Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let Some(m) = self.members.next() else {
            return Ok(None);
        };
        self.value = m.value.clone();
        let line: &'de [u8] = self.line;
        // A plain ASCII key (every key choucha writes) is handed over as its
        // bytes, which a derived struct's field names are matched against
        // without a UTF-8 check; any other key goes to serde_json, quotes
        // included, to be checked and decoded as before.
        let key = &line[m.key.clone()];
        if !m.key_escaped && key.is_ascii() {
            return seed
                .deserialize(serde::de::value::BorrowedBytesDeserializer::new(key))
                .map(Some);
        }
        let quoted = &line[m.key.start - 1..m.key.end + 1];
        seed.deserialize(&mut serde_json::Deserializer::from_slice(quoted))
            .map(Some)
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        let line: &'de [u8] = self.line;
        seed.deserialize(Value(&line[self.value.clone()]))
    }
}

/// One member's value: decoded by serde_json, except that a value the
/// record ignores is not looked at again (the scan has checked it).
struct Value<'de>(&'de [u8]);

/// Each method hands the value's text to serde_json, arguments and all.
macro_rules! forward_to_serde_json {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            fn $method<V: serde::de::Visitor<'de>>(
                self,
                $($arg: $ty,)*
                visitor: V,
            ) -> Result<V::Value, Self::Error> {
                serde::Deserializer::$method(
                    &mut self.reader(),
                    $($arg,)*
                    visitor,
                )
            }
        )*
    };
}

impl<'de> Value<'de> {
    /// The text between a string value's quotes when there is nothing in it
    /// to decode: no escape, no control character (which serde_json refuses),
    /// and UTF-8. serde_json hands such a string over borrowed, as it stands;
    /// any other value goes to serde_json.
    fn plain_str(&self) -> Option<&'de str> {
        plain_str(self.0)
    }

    /// serde_json's reader over the value, for everything the fast paths
    /// below do not take.
    fn reader(&self) -> serde_json::Deserializer<serde_json::de::SliceRead<'de>> {
        serde_json::Deserializer::from_slice(self.0)
    }

    /// A non-negative integer written plainly (no sign, no leading zero, no
    /// fraction or exponent) that fits a u64: what serde_json reads as that
    /// u64 (a larger one it reads as a float, and so is left to it).
    fn plain_u64(&self) -> Option<u64> {
        plain_u64(self.0)
    }
}

impl<'de> serde::Deserializer<'de> for Value<'de> {
    type Error = serde_json::Error;

    fn deserialize_ignored_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    // Most values a record reads are plain strings (ids, strata, times) and
    // small integers (seq): taken as they stand, without a serde_json reader
    // set up for each.
    fn deserialize_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        if let Some(s) = self.plain_str() {
            return visitor.visit_borrowed_str(s);
        }
        if let Some(n) = self.plain_u64() {
            return visitor.visit_u64(n);
        }
        serde::Deserializer::deserialize_any(&mut self.reader(), visitor)
    }

    fn deserialize_u64<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.plain_u64() {
            Some(n) => visitor.visit_u64(n),
            None => serde::Deserializer::deserialize_u64(&mut self.reader(), visitor),
        }
    }

    fn deserialize_str<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.plain_str() {
            Some(s) => visitor.visit_borrowed_str(s),
            None => serde::Deserializer::deserialize_str(&mut self.reader(), visitor),
        }
    }

    fn deserialize_string<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_str(visitor)
    }

    forward_to_serde_json! {
        deserialize_bool(); deserialize_i8(); deserialize_i16();
        deserialize_i32(); deserialize_i64(); deserialize_i128(); deserialize_u8();
        deserialize_u16(); deserialize_u32(); deserialize_u128();
        deserialize_f32(); deserialize_f64(); deserialize_char();
        deserialize_bytes(); deserialize_byte_buf();
        deserialize_option(); deserialize_unit(); deserialize_seq(); deserialize_map();
        deserialize_identifier();
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
    }
}

/// `text` as serde_json writes a string. One with nothing to escape (a
/// quote, a backslash or a control character) is the text in quotes.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    if text.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        serde_json::to_writer(&mut *out, text).expect("string serialises");
    } else {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

/// A string value (with its quotes) with nothing to decode: no escape, no
/// control character (which serde_json refuses), and UTF-8. Its text as it
/// stands, which is what serde_json reads; None for anything else.
pub fn plain_str(value: &[u8]) -> Option<&str> {
    let inner = value.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    if inner.iter().any(|&b| b == b'\\' || b < 0x20) {
        return None;
    }
    std::str::from_utf8(inner).ok()
}

/// A non-negative integer written plainly (no sign, no leading zero, no
/// fraction or exponent) that fits a u64: what serde_json reads as that
/// u64 (a larger one it reads as a float). None for anything else.
pub fn plain_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || (digits[0] == b'0' && digits.len() > 1) {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        let d = d.is_ascii_digit().then(|| u64::from(d - b'0'))?;
        n.checked_mul(10)?.checked_add(d)
    })
}

/// `n` in decimal digits, as serde_json writes an integer (without `fmt`'s
/// machinery, for every line or row).
pub fn write_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// Test support: lines edited byte by byte, as the property tests of the
/// readers built on the scanner (`log`, `round`) edit them.
#[cfg(test)]
pub(crate) mod edits {
    use proptest::prelude::*;

    /// Up to three edits (insert, remove or replace a byte) at places in
    /// `places`, with bytes from `alphabet`.
    pub fn edits(
        places: std::ops::Range<usize>,
        alphabet: &'static [u8],
    ) -> impl Strategy<Value = Vec<(usize, u8, u8)>> {
        proptest::collection::vec(
            (places, 0u8..3, proptest::sample::select(alphabet.to_vec())),
            1..4,
        )
    }

    /// `line` with the edits made, each place taken modulo the length.
    pub fn edited(line: &str, edits: &[(usize, u8, u8)]) -> Vec<u8> {
        let mut line = line.as_bytes().to_vec();
        for &(at, op, b) in edits {
            let at = at % (line.len() + 1);
            match op {
                0 => line.insert(at, b),
                1 if at < line.len() => {
                    line.remove(at);
                }
                _ if at < line.len() => line[at] = b,
                _ => {}
            }
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::IgnoredAny;
    use std::fmt;

    const SAMPLE: &str = r#"{"seq":9,"prev":"831da0140a6b761dcc3492cc1e9191a9be9209e464382d21a60a326b88f4090c","type":"result-recorded","at":"2026-11-28T04:57:54Z","id":"AH5359958750","stratum":"亳州市","verdict":"pass","reasons":[],"note":"","inspector":"检查组","checked_at":"2023-08-23"}"#;

    fn reference(line: &[u8]) -> bool {
        let first = line
            .iter()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        first == Some(&b'{') && serde_json::from_slice::<IgnoredAny>(line).is_ok()
    }

    fn scan(line: &[u8]) -> Result<Vec<Member>, ScanError> {
        let mut members = Vec::new();
        scan_object(line, &mut members).map(|()| members)
    }

    fn texts<'a>(line: &'a str, members: &[Member]) -> Vec<(&'a str, &'a str)> {
        members
            .iter()
            .map(|m| (&line[m.key.clone()], &line[m.value.clone()]))
            .collect()
    }

    /// Asserts the scanner and serde_json agree, and returns the verdict.
    fn agree(line: &str) -> bool {
        let ok = scan(line.as_bytes()).is_ok();
        assert_eq!(ok, reference(line.as_bytes()), "{line:?}");
        ok
    }

    /// The top-level keys in order, duplicates kept, as serde_json decodes them.
    struct Keys(Vec<String>);

    impl<'de> serde::Deserialize<'de> for Keys {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Keys;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Keys, A::Error> {
                    let mut keys = Vec::new();
                    while let Some((k, IgnoredAny)) = map.next_entry::<String, IgnoredAny>()? {
                        keys.push(k);
                    }
                    Ok(Keys(keys))
                }
            }
            d.deserialize_map(V)
        }
    }

    proptest! {
        /// A string value as the scan delimits it (no unescaped quote inside)
        /// decodes to what serde_json decodes it to, or is refused as it is:
        /// escapes, control characters, broken UTF-8 and plain text alike.
        #[test]
        fn a_string_value_decodes_as_serde_json_decodes_it(
            inner in proptest::collection::vec(
                prop_oneof![
                    Just(b'a'), Just(b'\\'), Just(b'n'), Just(b'u'), Just(b'0'),
                    Just(0x01u8), Just(0x1f), Just(0x7f), Just(0xe5), Just(0x90), Just(0x88),
                    Just(0xff),
                ],
                0..24,
            )
        ) {
            let mut value = vec![b'"'];
            value.extend(inner.iter().filter(|&&b| b != b'"'));
            value.push(b'"');
            let ours = <String as serde::Deserialize>::deserialize(Value(&value)).ok();
            let theirs = serde_json::from_slice::<String>(&value).ok();
            prop_assert_eq!(ours, theirs, "{:?}", value);
            let any = <serde_json::Value as serde::Deserialize>::deserialize(Value(&value)).ok();
            prop_assert_eq!(any, serde_json::from_slice::<serde_json::Value>(&value).ok());
        }

        /// So does a number, as a u64 and as any value (the largest u64 and
        /// the integers around it among them).
        #[test]
        fn a_number_decodes_as_serde_json_decodes_it(
            text in prop_oneof![
                "-?(0|[1-9][0-9]{0,21}|0[0-9]{1,3})(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,2})?",
                "1844674407370955161[0-9]|1844674407370955162[0-9]|[2-9][0-9]{19}|9{19,20}",
            ],
        ) {
            let value = text.as_bytes();
            let ours = <u64 as serde::Deserialize>::deserialize(Value(value)).ok();
            prop_assert_eq!(ours, serde_json::from_slice::<u64>(value).ok(), "{}", text);
            let any = <serde_json::Value as serde::Deserialize>::deserialize(Value(value)).ok();
            prop_assert_eq!(any, serde_json::from_slice::<serde_json::Value>(value).ok());
        }
    }

    proptest! {
        /// A string as serde_json writes it, with or without anything to escape.
        #[test]
        fn strings_are_written_as_serde_json_writes_them(text in "[a-z合\"\\\\\u{0}-\u{1f}\u{7f}]{0,12}") {
            let mut ours = Vec::new();
            write_str(&mut ours, &text);
            prop_assert_eq!(ours, serde_json::to_vec(&text).unwrap());
        }
    }

    #[test]
    fn integers_are_written_as_serde_json_writes_them() {
        for n in [0, 7, 10, 99, 100, 12_345, 500_000, u64::MAX] {
            let mut out = b"x".to_vec();
            write_u64(&mut out, n);
            assert_eq!(
                out,
                [b"x".to_vec(), serde_json::to_vec(&n).unwrap()].concat()
            );
        }
    }

    /// The full differential check of one line.
    fn check(line: &[u8]) -> Result<(), TestCaseError> {
        let result = scan(line);
        if std::str::from_utf8(line).is_err() {
            return Ok(());
        }
        prop_assert_eq!(
            result.is_ok(),
            reference(line),
            "{:?}",
            String::from_utf8_lossy(line)
        );
        let Ok(members) = result else {
            return Ok(());
        };
        for m in &members {
            prop_assert!(serde_json::from_slice::<IgnoredAny>(&line[m.value.clone()]).is_ok());
            prop_assert_eq!(line[m.key.start - 1], b'"');
            prop_assert_eq!(line[m.key.end], b'"');
            prop_assert_eq!(m.key_escaped, line[m.key.clone()].contains(&b'\\'));
        }
        // Keys with lone surrogates pass when ignored but do not decode.
        if let Ok(Keys(keys)) = serde_json::from_slice::<Keys>(line) {
            prop_assert_eq!(keys.len(), members.len());
            for (k, m) in keys.iter().zip(&members) {
                prop_assert!(key_is(line, m, k), "{:?} vs {:?}", k, m);
            }
        }
        Ok(())
    }

    #[test]
    fn sample_line_members() {
        let members = scan(SAMPLE.as_bytes()).unwrap();
        assert_eq!(
            texts(SAMPLE, &members),
            [
                ("seq", "9"),
                (
                    "prev",
                    "\"831da0140a6b761dcc3492cc1e9191a9be9209e464382d21a60a326b88f4090c\""
                ),
                ("type", "\"result-recorded\""),
                ("at", "\"2026-11-28T04:57:54Z\""),
                ("id", "\"AH5359958750\""),
                ("stratum", "\"亳州市\""),
                ("verdict", "\"pass\""),
                ("reasons", "[]"),
                ("note", "\"\""),
                ("inspector", "\"检查组\""),
                ("checked_at", "\"2023-08-23\""),
            ]
        );
        assert!(members.iter().all(|m| !m.key_escaped));
        assert!(key_is(SAMPLE.as_bytes(), &members[0], "seq"));
        assert!(!key_is(SAMPLE.as_bytes(), &members[0], "se"));
        assert!(agree(SAMPLE));
    }

    #[test]
    fn empty_object_and_whitespace() {
        assert_eq!(scan(b"{}"), Ok(vec![]));
        assert_eq!(scan(b" \t\r\n{ \n } \r\n\t"), Ok(vec![]));
        let line = " { \"a\" :\t1 ,\n\"b\":[ 1 , {} ] } ";
        let members = scan(line.as_bytes()).unwrap();
        assert_eq!(texts(line, &members), [("a", "1"), ("b", "[ 1 , {} ]")]);
        assert!(agree(line));
    }

    #[test]
    fn members_are_reused_and_cleared() {
        let mut members = vec![Member {
            key: 0..0,
            key_escaped: true,
            value: 0..0,
        }];
        scan_object(b"{}", &mut members).unwrap();
        assert!(members.is_empty());
        scan_object(br#"{"a":1}"#, &mut members).unwrap();
        assert_eq!(members.len(), 1);
        assert!(scan_object(br#"{"a":1,"b"}"#, &mut members).is_err());
    }

    #[test]
    fn nested_value_is_one_member() {
        let line = r#"{"a":{"b":[1,{"c":"]}"},[]],"d":{}},"e":[[[null]]],"f":-0.5e+3}"#;
        let members = scan(line.as_bytes()).unwrap();
        assert_eq!(
            texts(line, &members),
            [
                ("a", r#"{"b":[1,{"c":"]}"},[]],"d":{}}"#),
                ("e", "[[[null]]]"),
                ("f", "-0.5e+3"),
            ]
        );
        assert!(agree(line));
    }

    #[test]
    fn escaped_key_decodes() {
        let line = br#"{"s\u0065q":1,"a\"b":2,"seq":3}"#;
        let members = scan(line).unwrap();
        assert!(members[0].key_escaped && members[1].key_escaped);
        assert!(!members[2].key_escaped);
        assert_eq!(&line[members[0].key.clone()], br"s\u0065q");
        assert!(key_is(line, &members[0], "seq"));
        assert!(!key_is(line, &members[0], "s\\u0065q"));
        assert!(key_is(line, &members[1], "a\"b"));
        assert!(key_is(line, &members[2], "seq"));
        // A member from elsewhere must not make key_is panic.
        let stray = Member {
            key: 0..100,
            key_escaped: true,
            value: 0..0,
        };
        assert!(!key_is(line, &stray, "seq"));
    }

    #[test]
    fn duplicate_keys_are_kept() {
        let line = r#"{"a":1,"a":2}"#;
        assert_eq!(
            texts(line, &scan(line.as_bytes()).unwrap()),
            [("a", "1"), ("a", "2")]
        );
        assert!(agree(line));
    }

    #[test]
    fn rejects_trailing_comma() {
        assert!(!agree(r#"{"a":1,}"#));
        assert!(!agree(r#"{"a":[1,]}"#));
        assert!(!agree(r#"{"a":{"b":1,}}"#));
        assert!(!agree(r#"{,}"#));
    }

    #[test]
    fn rejects_missing_colon() {
        assert!(!agree(r#"{"a" 1}"#));
        assert!(!agree(r#"{"a"}"#));
        assert!(!agree(r#"{"a":{"b" 1}}"#));
    }

    #[test]
    fn rejects_unterminated_string() {
        assert!(!agree(r#"{"a":"abc"#));
        assert!(!agree(r#"{"a":"abc\"}"#));
        assert!(!agree(r#"{"abc"#));
        assert!(!agree(r#"{"a":"\u12"#));
    }

    #[test]
    fn rejects_control_character_in_string() {
        assert!(!agree("{\"a\":\"x\ty\"}"));
        assert!(!agree("{\"a\nb\":1}"));
        assert!(!agree("{\"a\":\"\u{0}\"}"));
        assert!(!agree("{\"a\":\"0123456789\u{1f}\"}"));
        // DEL and everything above is fine, as is the escaped form.
        assert!(agree("{\"a\":\"x\u{7f}y\\t\"}"));
    }

    #[test]
    fn rejects_bad_escape() {
        assert!(!agree(r#"{"a":"\x"}"#));
        assert!(!agree(r#"{"a":"\u12g4"}"#));
        assert!(!agree(r#"{"a":"\U0041"}"#));
        assert!(!agree(r#"{"\a":1}"#));
        assert!(agree(r#"{"a":"\"\\\/\b\f\n\r\t\u00e9\uABCD"}"#));
    }

    #[test]
    fn lone_surrogates_pass_as_in_serde_json() {
        let line = r#"{"a":"\ud800","b":"\udc00\ud800x","\udfff":1}"#;
        assert!(agree(line));
        let members = scan(line.as_bytes()).unwrap();
        // ...but such a key never decodes, so it matches no name.
        assert!(!key_is(line.as_bytes(), &members[2], "\u{fffd}"));
        assert!(serde_json::from_str::<String>(r#""\ud800""#).is_err());
    }

    #[test]
    fn numbers_follow_serde_json() {
        for good in [
            "0",
            "-0",
            "1",
            "-1",
            "10",
            "1.5",
            "-0.0",
            "1e5",
            "1E+5",
            "1e-5",
            "0e0",
            "1.0E-0",
            "123456789012345678901234567890",
            "1e999999",
            "-1e-999999",
        ] {
            assert!(agree(&format!("{{\"n\":{good}}}")), "{good}");
            assert!(agree(&format!("{{\"n\":[{good}]}}")), "{good}");
        }
        for bad in [
            "01", "-01", "00", "-", "1.", ".5", "1e", "1e+", "1E-", "+1", "1.e5", "-.5", "--1",
            "1x", "0x10", "1.5.5", "Infinity", "NaN",
        ] {
            assert!(!agree(&format!("{{\"n\":{bad}}}")), "{bad}");
            assert!(!agree(&format!("{{\"n\":[{bad}]}}")), "{bad}");
        }
    }

    #[test]
    fn rejects_leading_zero() {
        assert!(!agree(r#"{"a":01}"#));
        assert!(!agree(r#"{"a":[-00]}"#));
        assert!(agree(r#"{"a":0}"#));
    }

    #[test]
    fn literals() {
        assert!(agree(
            r#"{"a":true,"b":false,"c":null,"d":[true,false,null]}"#
        ));
        for bad in ["tru", "True", "nul", "fals", "truex", "nulll", "t"] {
            assert!(!agree(&format!("{{\"a\":{bad}}}")), "{bad}");
        }
    }

    #[test]
    fn rejects_non_objects() {
        for line in [
            "",
            " ",
            "[]",
            "[{}]",
            r#""{}""#,
            "1",
            "null",
            "true",
            "}",
            "{",
            "\u{feff}{}",
        ] {
            assert!(!agree(line), "{line:?}");
        }
        assert_eq!(scan(b"[]").unwrap_err().at, 0);
    }

    #[test]
    fn rejects_two_objects() {
        assert!(!agree("{}{}"));
        assert!(!agree(r#"{"a":1} {"b":2}"#));
        assert!(!agree(r#"{"a":1},"#));
        assert!(!agree("{} x"));
        assert_eq!(scan(b"{}{}").unwrap_err().at, 2);
    }

    fn deep(depth: usize, open: &str, close: &str) -> String {
        // `depth` counts every container, the top-level object included.
        format!(
            "{{\"a\":{}1{}}}",
            open.repeat(depth - 1),
            close.repeat(depth - 1)
        )
    }

    /// serde_json's 128-level recursion limit guards the recursive paths (here
    /// `Map<String, Value>`) but not `ignore_value`, which keeps its own stack:
    /// the reference, and so the scanner, has no depth limit at all.
    #[test]
    fn depth_matches_serde_json() {
        type Map = serde_json::Map<String, serde_json::Value>;
        for (open, close) in [("[", "]"), ("{\"k\":", "}")] {
            let d127 = deep(127, open, close);
            let d128 = deep(128, open, close);
            let d129 = deep(129, open, close);
            assert!(serde_json::from_str::<Map>(&d127).is_ok());
            assert!(serde_json::from_str::<Map>(&d128).is_err());
            assert!(serde_json::from_str::<Map>(&d129).is_err());
            for depth in [127, 128, 129, 200, 10_000] {
                let line = deep(depth, open, close);
                assert!(agree(&line), "{depth}");
                let members = scan(line.as_bytes()).unwrap();
                assert_eq!(members[0].value, 5..line.len() - 1);
            }
            // A deep line cut short is still refused, at every depth.
            let line = deep(10_000, open, close);
            assert!(!agree(&line[..line.len() - 2]));
        }
        // Brackets crossing at depth beyond the inline nesting words.
        let line = format!("{{\"a\":{}1{}}}}}", "[".repeat(300), "]".repeat(299));
        assert!(!agree(&line));
    }

    /// A JSON value as text, with random whitespace between tokens.
    fn json_value() -> impl Strategy<Value = String> {
        let ws = || prop_oneof![4 => Just(String::new()), 1 => "[ \t\r\n]{1,2}"];
        let string = prop_oneof![
            "\"[a-z]{0,4}\"",
            "\"([a-z0-9 ]|亳|\\\\[\"\\\\/bfnrt]|\\\\u[0-9a-fA-F]{4}|\\\\ud[89ab][0-9a-f]{2}){0,6}\"",
        ];
        let leaf = prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("false".to_owned()),
            "-?(0|[1-9][0-9]{0,25})(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,4})?",
            string.clone(),
        ];
        leaf.prop_recursive(4, 24, 5, move |inner| {
            let item = (ws(), inner.clone(), ws()).prop_map(|(a, v, b)| format!("{a}{v}{b}"));
            let member = (ws(), string.clone(), ws(), ws(), inner, ws())
                .prop_map(|(a, k, b, c, v, d)| format!("{a}{k}{b}:{c}{v}{d}"));
            prop_oneof![
                (prop::collection::vec(item, 0..5), ws())
                    .prop_map(|(items, w)| format!("[{w}{}]", items.join(","))),
                object_of(member),
            ]
        })
    }

    fn object_of(member: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
        (prop::collection::vec(member, 0..5), "[ \t]{0,1}")
            .prop_map(|(members, w)| format!("{{{w}{}}}", members.join(",")))
    }

    fn json_object() -> impl Strategy<Value = String> {
        let member = ("\"[a-z]{1,3}\"", json_value()).prop_map(|(k, v)| format!("{k}:{v}"));
        ("[ \n]{0,1}", object_of(member), "[ \r]{0,1}").prop_map(|(a, o, b)| format!("{a}{o}{b}"))
    }

    /// Bytes that matter to JSON, with controls and a three-byte character.
    const PIECES: &[&str] = &[
        "{", "}", "[", "]", "\"", ":", ",", "\\", " ", "\t", "\n", "\r", "\u{0}", "\u{1f}",
        "\u{7f}", "0", "1", "9", "e", "E", "+", "-", ".", "t", "f", "n", "u", "a", "l", "s", "r",
        "亳",
    ];

    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(PIECES)
    }

    /// Whole tokens too, so that short random strings are objects now and then.
    const TOKENS: &[&str] = &[
        "\"a\"",
        "\"a\":",
        "\"\\u0061\":",
        "true",
        "null",
        "-0.5e3",
        "\"\\ud800\"",
        "[]",
        "{}",
    ];

    fn piece_or_token() -> impl Strategy<Value = &'static str> {
        prop_oneof![piece(), prop::sample::select(TOKENS)]
    }

    #[derive(Debug, Clone)]
    enum Edit {
        Delete(prop::sample::Index),
        Insert(prop::sample::Index, &'static str),
        Replace(prop::sample::Index, &'static str),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            any::<prop::sample::Index>().prop_map(Edit::Delete),
            (any::<prop::sample::Index>(), piece()).prop_map(|(i, p)| Edit::Insert(i, p)),
            (any::<prop::sample::Index>(), piece()).prop_map(|(i, p)| Edit::Replace(i, p)),
        ]
    }

    fn apply(line: &mut Vec<u8>, edit: &Edit) {
        match edit {
            Edit::Delete(i) if !line.is_empty() => {
                line.remove(i.index(line.len()));
            }
            Edit::Insert(i, p) => {
                let at = i.index(line.len() + 1);
                line.splice(at..at, p.bytes());
            }
            Edit::Replace(i, p) if !line.is_empty() => {
                let at = i.index(line.len());
                line.splice(at..at + 1, p.bytes());
            }
            _ => {}
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn well_formed_objects_agree(line in json_object()) {
            prop_assert!(scan(line.as_bytes()).is_ok(), "{:?}", line);
            check(line.as_bytes())?;
        }

        #[test]
        fn mutated_objects_agree(line in json_object(), edits in prop::collection::vec(edit(), 1..4)) {
            let mut line = line.into_bytes();
            for e in &edits {
                apply(&mut line, e);
            }
            check(&line)?;
        }

        #[test]
        fn short_strings_agree(
            open in prop::bool::ANY,
            pieces in prop::collection::vec(piece_or_token(), 0..24),
        ) {
            let line = format!("{}{}", if open { "{" } else { "" }, pieces.concat());
            check(line.as_bytes())?;
        }

        #[test]
        fn any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            let mut members = Vec::new();
            let _ = scan_object(&bytes, &mut members);
            check(&bytes)?;
        }
    }
}
