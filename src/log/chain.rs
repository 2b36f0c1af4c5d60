//! The round's log: UTF-8 JSON Lines, hash-chained (SPEC.md §5).
//!
//! Pure: renders lines and checks a log's bytes. Line i (from 0) begins
//! `{"seq":i,"prev":"<hex>","type":"<type>","at":"<time>"` and goes on with
//! the record's own fields; `prev` is the SHA-256 of line i-1's exact bytes
//! without its LF (64 zeros for line 0). A multi-line append is framed by a
//! `batch` line announcing how many lines follow, so that an append cut off
//! at a line boundary is still recognised as incomplete. Reading and
//! appending under a lock lives in `logfile.rs`.

use std::borrow::Cow;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::base::digest::hex;
use crate::t;

pub const LOG_FILE: &str = "log.jsonl";
pub const GENESIS_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";
pub const BATCH_TYPE: &str = "batch";

/// A record type: its fields serialise to a JSON object.
pub trait Record: Serialize {
    const TYPE: &'static str;
}

/// The header of a multi-line append: `lines` records follow it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Batch {
    pub lines: u64,
    /// The file the batch came from (name and SHA-256), or "" for none.
    pub source: String,
    pub source_sha256: String,
}

impl Record for Batch {
    const TYPE: &'static str = BATCH_TYPE;
}

/// One checked line of the log.
#[derive(Debug, Clone)]
pub struct LogLine {
    pub seq: u64,
    /// The record type (the known ones without an allocation each).
    pub kind: Cow<'static, str>,
    /// Where the line's bytes (without LF) are in the log.
    pub range: Range<usize>,
}

/// A whole log, checked: its bytes and its lines. Read by
/// [`parse_log_streamed`], it holds the bytes only of the lines its sinks
/// kept; the others read as empty from [`Log::line`].
#[derive(Debug, Clone, Default)]
pub struct Log {
    pub bytes: crate::base::fsio::Bytes,
    pub lines: Vec<LogLine>,
    /// SHA-256 of the last line's bytes without LF (the next line's
    /// `prev`); None for an empty log. Only the last line's is kept: a
    /// hash per line took 16 MB for half a million lines, and nothing
    /// reads the others once the chain is checked.
    pub last_hash: Option<[u8; 32]>,
}

impl Log {
    pub fn line(&self, i: usize) -> &[u8] {
        &self.bytes[self.lines[i].range.clone()]
    }

    /// The record fields of line `i` as type `R`, a struct with derived
    /// `Deserialize` (the common fields are ignored), decoded by serde_json
    /// from the whole line (checked as UTF-8 when the log was).
    pub fn fields<'a, R: Deserialize<'a>>(&'a self, i: usize) -> Result<R, String> {
        let l = &self.lines[i];
        serde_json::from_slice(self.line(i)).map_err(|e| bad_record(l.seq, &l.kind, e.to_string()))
    }

    /// SHA-256 of the last line (the next `prev`), or the genesis value.
    pub fn head(&self) -> String {
        self.last_hash
            .map_or_else(|| GENESIS_PREV.to_string(), |h| hex(&h))
    }
}

/// Why the record fields of line `seq` (from 0) of type `kind` do not decode.
pub fn bad_record(seq: u64, kind: &str, error: String) -> String {
    t!("log.bad-record", line = seq + 1, kind, error)
}

/// What a streamed check ([`parse_log_streamed`]) hands on of each line
/// that parses, while the line's bytes are at hand.
pub trait LineSink {
    /// The record fields the sink reads, of the lines whose type it
    /// [`takes`](LineSink::takes): decoded by serde_json in the same pass
    /// over the line that checks it, from the line's members other than the
    /// common ones (`seq`, `prev`, `type`, `at`, `lines`), which its visitor
    /// does not see.
    type Fields<'a>: Deserialize<'a>;

    /// Whether lines of type `kind` are handed on with their fields.
    fn takes(kind: &str) -> bool;

    /// `seq` is the line's own (its index, once the chain holds); `fields`,
    /// for a line of a type the sink takes, its record fields or why they
    /// do not decode. Returns whether the log keeps the line's bytes: a
    /// line not kept reads as empty from [`Log::line`].
    fn line(
        &mut self,
        seq: u64,
        kind: &str,
        line: &str,
        fields: Option<Result<Self::Fields<'_>, String>>,
    ) -> bool;
}

/// What is wrong with a log, and where (1-based line number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defect {
    pub line: u64,
    pub what: String,
    /// Set when the damage is a torn tail — what an interrupted append leaves:
    /// the byte offset from which the log's end is incomplete (a last line
    /// without LF, or a batch with fewer lines than its header announced).
    /// Everything before it holds.
    pub torn_from: Option<usize>,
}

impl std::fmt::Display for Defect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&t!("log.defect", line = self.line, what = self.what))
    }
}

/// The bytes of one line (without LF) of type `R` at position `seq`.
pub fn render_line<R: Record>(seq: u64, prev: &str, at: &str, record: &R) -> Vec<u8> {
    let fields = serde_json::to_vec(record).expect("records serialise");
    debug_assert!(fields.starts_with(b"{") && fields.ends_with(b"}"));
    let mut line = Vec::with_capacity(fields.len() + 140);
    line.extend_from_slice(b"{\"seq\":");
    line.extend_from_slice(seq.to_string().as_bytes());
    line.extend_from_slice(b",\"prev\":\"");
    line.extend_from_slice(prev.as_bytes());
    line.extend_from_slice(b"\",\"type\":");
    serde_json::to_writer(&mut line, R::TYPE).expect("string serialises");
    line.extend_from_slice(b",\"at\":");
    serde_json::to_writer(&mut line, at).expect("string serialises");
    if fields.len() > 2 {
        line.push(b',');
        line.extend_from_slice(&fields[1..]);
    } else {
        line.push(b'}');
    }
    line
}

/// The common fields every line carries: each at most once (a second is
/// an error), `seq`, `prev`, `type` and `at` required, `lines` (a batch's)
/// optional, and null as absent.
#[derive(Debug, PartialEq, Eq)]
struct Head<'a> {
    seq: u64,
    prev: Cow<'a, str>,
    kind: Cow<'a, str>,
    at: Cow<'a, str>,
    lines: Option<u64>,
}

/// The common fields as far as a line's reading has found them.
#[derive(Default)]
struct HeadSlots<'a> {
    seq: Option<u64>,
    prev: Option<Text<'a>>,
    kind: Option<Text<'a>>,
    at: Option<Text<'a>>,
    lines: Option<Option<u64>>,
}

/// A JSON string, borrowed from the line when it holds no escape.
#[derive(Debug)]
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// A line's members as serde_json reads them, with the common ones taken
/// out into [`Head`] on the way: what a record type's visitor sees of the
/// line (the `MapAccess` it is handed).
struct Tap<'de, A> {
    map: A,
    head: HeadSlots<'de>,
}

/// Reads the value of a common field into its slot, once.
fn take<'de, T: Deserialize<'de>, A: serde::de::MapAccess<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(serde::de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

impl<'de, A: serde::de::MapAccess<'de>> serde::de::MapAccess<'de> for Tap<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
        while let Some(Text(key)) = self.map.next_key::<Text<'de>>()? {
            let (map, head) = (&mut self.map, &mut self.head);
            match &*key {
                "seq" => take(map, &mut head.seq, "seq")?,
                "prev" => take(map, &mut head.prev, "prev")?,
                "type" => take(map, &mut head.kind, "type")?,
                "at" => take(map, &mut head.at, "at")?,
                "lines" => take(map, &mut head.lines, "lines")?,
                _ => {
                    return match key {
                        Cow::Borrowed(k) => seed.deserialize(BorrowedStrDeserializer::new(k)),
                        Cow::Owned(k) => seed.deserialize(StringDeserializer::new(k)),
                    }
                    .map(Some);
                }
            }
        }
        Ok(None)
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// The [`Tap`] as a deserializer, for the record type's visitor: a map,
/// whatever the type asks for.
struct TapDeserializer<'t, 'de, A>(&'t mut Tap<'de, A>);

impl<'de, A: serde::de::MapAccess<'de>> serde::Deserializer<'de> for TapDeserializer<'_, 'de, A> {
    type Error = A::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, A::Error> {
        v.visit_map(self.0)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// Reads a line as one JSON object: its common fields and the record
/// fields `F` (`IgnoredAny` for none), in one pass of serde_json.
struct LineVisitor<F>(std::marker::PhantomData<F>);

impl<'de, F: Deserialize<'de>> serde::de::Visitor<'de> for LineVisitor<F> {
    type Value = (Head<'de>, F);

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        use serde::de::{Error as _, IgnoredAny, MapAccess as _};
        let mut tap = Tap {
            map,
            head: HeadSlots::default(),
        };
        let fields = F::deserialize(TapDeserializer(&mut tap))?;
        // A derived visitor reads every member; whatever another left is
        // still checked.
        while tap.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        let h = tap.head;
        let text = |t: Option<Text<'de>>, name| {
            t.map(|t| t.0).ok_or_else(|| A::Error::missing_field(name))
        };
        let head = Head {
            seq: h.seq.ok_or_else(|| A::Error::missing_field("seq"))?,
            prev: text(h.prev, "prev")?,
            kind: text(h.kind, "type")?,
            at: text(h.at, "at")?,
            lines: h.lines.flatten(),
        };
        Ok((head, fields))
    }
}

/// Line `line` read whole by serde_json: exactly one JSON object (RFC 8259,
/// whitespace around it allowed), its common fields and record fields `F`.
fn read_line<'a, F: Deserialize<'a>>(line: &'a str) -> Result<(Head<'a>, F), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(line);
    let read =
        serde::Deserializer::deserialize_map(&mut de, LineVisitor(std::marker::PhantomData))?;
    de.end()?;
    Ok(read)
}

/// What one line says about itself, checked on its own (phase 1).
#[derive(Debug, PartialEq, Eq)]
struct LineFacts {
    seq: u64,
    /// `prev` decoded; Err holds the text when it is not 64 lowercase hex digits.
    prev: Result<[u8; 32], String>,
    kind: Cow<'static, str>,
    lines: Option<u64>,
    hash: [u8; 32],
}

/// The record types choucha writes, so that a million lines need no
/// allocation for their type.
const KNOWN_TYPES: &[&str] = &[
    // The commonest first: the list is searched in order.
    "result-recorded",
    "result-amended",
    "round-opened",
    "roster-committed",
    "seed-revealed",
    "sample-drawn",
    BATCH_TYPE,
    "report-published",
    "checkpoint",
    "repaired",
];

fn intern(kind: &str) -> Cow<'static, str> {
    match KNOWN_TYPES.iter().find(|k| **k == kind) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(kind.to_string()),
    }
}

/// Lowercase hex digit → its value; anything else → 0x10 (a bit no digit has).
const UNHEX: [u8; 256] = {
    let mut t = [0x10u8; 256];
    let mut c = 0;
    while c < 10 {
        t[b'0' as usize + c] = c as u8;
        c += 1;
    }
    let mut c = 0;
    while c < 6 {
        t[b'a' as usize + c] = 10 + c as u8;
        c += 1;
    }
    t
};

/// 64 lowercase hex digits → 32 bytes. Without a branch per digit: this
/// runs for every line of the log.
fn unhex32(s: &str) -> Option<[u8; 32]> {
    unhex32_bytes(s.as_bytes())
}

fn unhex32_bytes(s: &[u8]) -> Option<[u8; 32]> {
    let b: &[u8; 64] = s.try_into().ok()?;
    let mut out = [0u8; 32];
    let mut bad = 0u8;
    for (o, pair) in out.iter_mut().zip(b.chunks_exact(2)) {
        let (hi, lo) = (UNHEX[pair[0] as usize], UNHEX[pair[1] as usize]);
        bad |= hi | lo;
        *o = hi << 4 | (lo & 0x0f);
    }
    (bad & 0x10 == 0).then_some(out)
}

/// Buffers reused from line to line.
#[derive(Default)]
struct Scratch {
    start: Vec<u8>,
}

/// A line read by [`line_facts`]: its facts, and its record fields `F` for
/// a type the sink takes.
type ReadLine<F> = (LineFacts, Option<Result<F, String>>);

/// Parses and hashes one line, and checks its fixed beginning against its
/// own `seq` and `prev`. Needs no other line, so lines are done in parallel.
/// The record fields `F` are decoded in the same pass, and handed back for a
/// line whose type `takes`; when they do not decode, the line is read again
/// without them, to tell a bad record in a good line from a bad line.
fn line_facts<'a, F: Deserialize<'a>>(
    line: &'a str,
    scratch: &mut Scratch,
    takes: fn(&str) -> bool,
) -> Result<ReadLine<F>, String> {
    let not_a_line = |e: serde_json::Error| t!("log.not-a-line", error = e);
    let (head, fields) = match read_line::<F>(line) {
        Ok((head, fields)) => (head, Ok(fields)),
        Err(e) => {
            let (head, serde::de::IgnoredAny) = read_line(line).map_err(not_a_line)?;
            (head, Err(e.to_string()))
        }
    };
    if !begins_as_written(line, &head, &mut scratch.start) {
        return Err(t!("log.bad-beginning"));
    }
    let Head {
        seq,
        prev,
        kind,
        lines,
        ..
    } = head;
    let fields = takes(&kind).then_some(fields);
    let facts = LineFacts {
        seq,
        prev: unhex32(&prev).ok_or_else(|| prev.to_string()),
        kind: intern(&kind),
        lines,
        hash: Sha256::digest(line.as_bytes()).into(),
    };
    Ok((facts, fields))
}

/// Whether `line` begins exactly as its common fields are written:
/// `{"seq":` seq `,"prev":"` prev `","type":` type `,"at":` at, the strings
/// as serde_json writes them. The fixed beginning lets a shell loop check
/// the chain without a JSON parser.
///
/// A string serde_json lent from the line had no escape in it (nor, as
/// serde_json refuses them, a control character), so written it is itself
/// in quotes: when it lies in the line just where the beginning puts it,
/// those bytes are what writing it gives, and need no comparing. Any other
/// is written (into `buf`) and compared.
fn begins_as_written(line: &str, head: &Head<'_>, buf: &mut Vec<u8>) -> bool {
    let bytes = line.as_bytes();
    let mut at = 0;
    let expect = |piece: &[u8], at: &mut usize| {
        let end = *at + piece.len();
        let same = bytes.get(*at..end) == Some(piece);
        *at = end;
        same
    };
    let lent_here = |text: &Cow<'_, str>, at: usize| match text {
        Cow::Borrowed(t) => (t.as_ptr() as usize).wrapping_sub(bytes.as_ptr() as usize) == at,
        Cow::Owned(_) => false,
    };
    let string = |text: &Cow<'_, str>, at: &mut usize, buf: &mut Vec<u8>| {
        if bytes.get(*at) == Some(&b'"') && lent_here(text, *at + 1) {
            *at += 1 + text.len();
            return expect(b"\"", at);
        }
        buf.clear();
        serde_json::to_writer(&mut *buf, &**text).expect("writing to memory");
        expect(buf, at)
    };
    buf.clear();
    serde_json::to_writer(&mut *buf, &head.seq).expect("writing to memory");
    expect(b"{\"seq\":", &mut at)
        && expect(buf, &mut at)
        && expect(b",\"prev\":", &mut at)
        && string(&head.prev, &mut at, buf)
        && expect(b",\"type\":", &mut at)
        && string(&head.kind, &mut at, buf)
        && expect(b",\"at\":", &mut at)
        && string(&head.at, &mut at, buf)
}

/// Phase 1 over a stretch of whole lines, on one core: each line parsed,
/// hashed and checked on its own, and its `prev` against the hash of the
/// line before it in the stretch. What only the lines before the stretch can
/// settle (the first line's `prev`, `seq`, batch framing) is left to
/// [`Chain::push_stretch`]; the stretch keeps for it only what it needs.
struct Stretch {
    /// The lines that parse, in order, up to the first that does not.
    lines: Vec<LogLine>,
    /// The first line's `prev`.
    first_prev: Result<[u8; 32], String>,
    /// Lines after the first whose `prev` is not the hash of the line
    /// before: none in a log that holds.
    unlinked: Vec<Unlinked>,
    /// The hash of the last line that parses.
    last_hash: Option<[u8; 32]>,
    /// Each batch header's index in the stretch and its `lines`.
    batches: Vec<(usize, Option<u64>)>,
    /// The first line that does not parse: its index and why. No line after
    /// it is read.
    bad: Option<(usize, String)>,
    /// With a [`LineSink`]: the bytes of the lines it keeps.
    kept: Option<Kept>,
}

/// A line of a stretch whose `prev` is not the hash of the line before it.
struct Unlinked {
    /// Its index in the stretch.
    at: usize,
    /// Its `prev` (decoded, or the text that is not 64 hex digits).
    prev: Result<[u8; 32], String>,
    /// The hash of the line before it.
    before: [u8; 32],
}

/// The bytes of the lines a [`LineSink`] keeps, end to end (each without
/// its LF), and where each line of the stretch is in them (an empty range
/// for a line not kept).
#[derive(Default)]
struct Kept {
    bytes: Vec<u8>,
    at: Vec<Range<usize>>,
}

/// The lines of `bytes[from..to]` (which ends with a LF), `base` being the
/// offset of `bytes` in the log; each line that parses is handed to `sink`,
/// if any, and kept as it says.
fn stretch<S: LineSink>(
    bytes: &[u8],
    from: usize,
    to: usize,
    base: usize,
    mut sink: Option<&mut S>,
) -> Stretch {
    let mut s = Stretch {
        // A generous guess (untouched capacity costs no memory).
        lines: Vec::with_capacity((to - from) / 64 + 1),
        first_prev: Ok([0u8; 32]),
        unlinked: Vec::new(),
        last_hash: None,
        batches: Vec::new(),
        bad: None,
        kept: sink.is_some().then(Kept::default),
    };
    // The stretch is checked as UTF-8 at once (a line feed is never inside
    // a character, so its lines are whole strings); the line holding the
    // first byte that is not UTF-8 is refused as not a line.
    let whole = &bytes[from..to];
    let checked = simdutf8::basic::from_utf8(whole).map_err(|_| simdutf8::compat::from_utf8(whole));
    let (text, broken) = match checked {
        Ok(text) => (text, None),
        Err(Ok(text)) => (text, None),
        Err(Err(e)) => {
            let bad = from + e.valid_up_to();
            let line_start =
                memchr::memrchr(b'\n', &bytes[from..bad]).map_or(from, |i| from + i + 1);
            let text = std::str::from_utf8(&bytes[from..line_start]).unwrap_or_default();
            (text, Some((line_start, bad)))
        }
    };
    let takes: fn(&str) -> bool = if sink.is_some() { S::takes } else { |_| false };
    let mut scratch = Scratch::default();
    let mut start = from;
    for nl in memchr::memchr_iter(b'\n', &bytes[from..to]) {
        let end = from + nl;
        let k = s.lines.len();
        let read = match broken {
            Some((line_start, bad)) if line_start == start => Err(t!(
                "log.not-a-line",
                error = format!("invalid UTF-8 at byte {}", bad - start + 1)
            )),
            _ => {
                let line = &text[start - from..end - from];
                line_facts::<S::Fields<'_>>(line, &mut scratch, takes).map(|r| (line, r))
            }
        };
        match read {
            Err(why) => {
                s.bad = Some((k, why));
                break;
            }
            Ok((line, (f, fields))) => {
                if let (Some(sink), Some(kept)) = (sink.as_deref_mut(), s.kept.as_mut()) {
                    let at = kept.bytes.len();
                    if sink.line(f.seq, &f.kind, line, fields) {
                        kept.bytes.extend_from_slice(line.as_bytes());
                    }
                    kept.at.push(at..kept.bytes.len());
                }
                match s.last_hash {
                    None => s.first_prev = f.prev,
                    Some(h) if f.prev.as_ref() != Ok(&h) => s.unlinked.push(Unlinked {
                        at: k,
                        prev: f.prev,
                        before: h,
                    }),
                    Some(_) => {}
                }
                if f.kind == BATCH_TYPE {
                    s.batches.push((k, f.lines));
                }
                s.last_hash = Some(f.hash);
                s.lines.push(LogLine {
                    seq: f.seq,
                    kind: f.kind,
                    range: base + start..base + end,
                });
            }
        }
        start = end + 1;
    }
    s
}

/// Phase 1 over the whole lines of `bytes[..to]`: in two stretches on both
/// cores when there are many, cut after a line feed near the middle. The
/// second is dropped when the first ends at a bad line.
fn stretches(bytes: &[u8], to: usize, base: usize) -> Vec<Stretch> {
    let cut = (to >= 1 << 20)
        .then(|| memchr::memchr(b'\n', &bytes[to / 2..to]).map(|i| to / 2 + i + 1))
        .flatten()
        .filter(|&c| c < to);
    match cut {
        None => vec![stretch::<KeepNone>(bytes, 0, to, base, None)],
        Some(cut) => {
            let (first, second) = crate::base::par::join(
                || stretch::<KeepNone>(bytes, 0, cut, base, None),
                || stretch::<KeepNone>(bytes, cut, to, base, None),
            );
            if first.bad.is_some() {
                vec![first]
            } else {
                vec![first, second]
            }
        }
    }
}

/// Where the unterminated tail of `bytes` starts: after its last LF.
fn complete_len(bytes: &[u8]) -> usize {
    memchr::memrchr(b'\n', bytes).map_or(0, |i| i + 1)
}

/// The chain, line after line (phase 2): seq, prev and batch framing.
/// Fed in order; keeps the parsed lines only when asked to.
struct Chain {
    keep: bool,
    lines: Vec<LogLine>,
    count: u64,
    prev: [u8; 32],
    last_kind: Cow<'static, str>,
    /// (line number, byte offset, lines still expected) of an open batch.
    open_batch: Option<(u64, usize, u64)>,
    /// The bytes of the kept lines, for stretches read with a [`LineSink`].
    kept: Vec<u8>,
}

impl Chain {
    fn new(keep: bool) -> Chain {
        Chain {
            keep,
            lines: Vec::new(),
            count: 0,
            prev: [0u8; 32],
            last_kind: Cow::Borrowed(""),
            open_batch: None,
            kept: Vec::new(),
        }
    }

    /// The lines of a stretch, which follows the lines pushed so far.
    fn push_stretch(&mut self, mut s: Stretch) -> Result<(), Defect> {
        let mut unlinked = s.unlinked.iter().peekable();
        let mut batches = s.batches.iter().peekable();
        for (k, line) in s.lines.iter().enumerate() {
            let seq = self.count;
            let line_no = seq + 1;
            let broken = |what: String| Defect {
                line: line_no,
                what,
                torn_from: None,
            };
            if line.seq != seq {
                return Err(broken(t!("log.bad-seq", got = line.seq, expected = seq)));
            }
            let unlinked_prev = if k == 0 {
                None
            } else {
                unlinked.next_if(|u| u.at == k)
            };
            let linked = if k == 0 {
                s.first_prev.as_ref() == Ok(&self.prev)
            } else {
                unlinked_prev.is_none()
            };
            if !linked {
                let expected = match unlinked_prev {
                    Some(u) => hex(&u.before),
                    None if seq == 0 => GENESIS_PREV.to_string(),
                    None => hex(&self.prev),
                };
                let prev = match unlinked_prev {
                    Some(u) => u.prev.clone(),
                    None => s.first_prev.clone(),
                };
                let got = prev.map_or_else(|text| text, |p| hex(&p));
                return Err(broken(t!("log.bad-prev", got, prev_line = seq, expected)));
            }
            let lines = batches.next_if(|b| b.0 == k).and_then(|b| b.1);
            if let Some((_, _, remaining)) = &mut self.open_batch {
                if line.kind == BATCH_TYPE {
                    return Err(broken(t!("log.batch-in-batch")));
                }
                *remaining -= 1;
                if *remaining == 0 {
                    self.open_batch = None;
                }
            } else if line.kind == BATCH_TYPE {
                match lines {
                    Some(n) if n > 0 => self.open_batch = Some((line_no, line.range.start, n)),
                    _ => {
                        return Err(broken(t!("log.batch-without-count")));
                    }
                }
            }
            self.count += 1;
        }
        if let Some(h) = s.last_hash {
            self.prev = h;
        }
        if let Some((_, why)) = s.bad {
            return Err(Defect {
                line: self.count + 1,
                what: why,
                torn_from: None,
            });
        }
        if let Some(kept) = s.kept.take() {
            // Each line's range moves from the log to the kept bytes.
            let shift = self.kept.len();
            for (line, at) in s.lines.iter_mut().zip(kept.at) {
                line.range = at.start + shift..at.end + shift;
            }
            self.kept.extend_from_slice(&kept.bytes);
        }
        if self.keep {
            if self.lines.is_empty() {
                self.lines = s.lines;
            } else {
                self.lines.extend(s.lines);
            }
        } else if let Some(last) = s.lines.into_iter().last() {
            self.last_kind = last.kind;
        }
        Ok(())
    }

    /// After the last complete line; `torn_at` is where an unterminated last line starts.
    fn finish(self, torn_at: Option<usize>) -> Result<Chain, Defect> {
        if let Some(from) = torn_at {
            // Inside an open batch the whole batch is incomplete.
            return Err(Defect {
                line: self.count + 1,
                what: t!("log.torn-line"),
                torn_from: Some(self.open_batch.map_or(from, |(_, o, _)| o)),
            });
        }
        if let Some((line, offset, remaining)) = self.open_batch {
            let n = self.count - line;
            return Err(Defect {
                line,
                what: t!("log.torn-batch", n, total = n + remaining),
                torn_from: Some(offset),
            });
        }
        if self.count == 0 {
            return Err(Defect {
                line: 1,
                what: t!("log.empty", file = LOG_FILE),
                torn_from: None,
            });
        }
        Ok(self)
    }
}

/// Checks every line of a log: the fixed beginning, valid JSON, the chain,
/// and batch framing. Returns the parsed log or the first defect.
pub fn parse_log(bytes: impl Into<crate::base::fsio::Bytes>) -> Result<Log, Defect> {
    let bytes = bytes.into();
    let complete = complete_len(&bytes);
    let mut chain = Chain::new(true);
    for s in stretches(&bytes, complete, 0) {
        chain.push_stretch(s)?;
    }
    let chain = chain.finish((complete < bytes.len()).then_some(complete))?;
    Ok(Log {
        bytes,
        last_hash: (chain.count > 0).then_some(chain.prev),
        lines: chain.lines,
    })
}

/// How `fragment` reads as the log's continuation from line `seq` (from 0),
/// after a line whose hash is `prev` (hex): what [`parse_log`] would say of
/// the log's lines before it followed by these bytes, with the defect's
/// offsets counted from the fragment's start. A fragment that `log repair`
/// may cut is torn from its first byte (`torn_from == Some(0)`); any other
/// answer means it begins with a complete record.
pub fn continuation(fragment: &[u8], seq: u64, prev: &str) -> Result<(), Defect> {
    let mut chain = Chain::new(false);
    chain.count = seq;
    chain.prev = unhex32(prev).unwrap_or([0u8; 32]);
    let complete = complete_len(fragment);
    chain.push_stretch(stretch::<KeepNone>(fragment, 0, complete, 0, None))?;
    chain
        .finish((complete < fragment.len()).then_some(complete))
        .map(|_| ())
}

/// Whether `fragment` (set aside by `log repair` from line `seq`, after a
/// line hashing to `prev`) holds a complete record that chains: a record
/// cut, where only a torn tail may be. A last line without LF counts as
/// complete when, with its LF, it parses and chains and ends any batch it
/// is in; then repair completes it instead.
pub fn fragment_cuts_a_record(fragment: &[u8], seq: u64, prev: &str) -> bool {
    if fragment.is_empty() {
        return false;
    }
    let torn_from_start = matches!(
        continuation(fragment, seq, prev),
        Err(Defect {
            torn_from: Some(0),
            ..
        })
    );
    if !torn_from_start {
        return true;
    }
    if fragment.ends_with(b"\n") {
        return false;
    }
    let mut with_lf = fragment.to_vec();
    with_lf.push(b'\n');
    continuation(&with_lf, seq, prev).is_ok()
}

/// The checks of [`parse_log`], on a log read a chunk at a time into two
/// buffers that are reused (one per core), with every line that parses
/// handed to a sink of type `S` while its bytes are at hand. The log keeps
/// only the bytes of the lines the sinks keep. Reading a log of a hundred
/// megabytes whole cost more than checking it: every page of fresh memory
/// is zeroed before the file is copied into it.
///
/// Returns the log and the sinks, one per stretch of lines, in log order.
pub fn parse_log_streamed<S: LineSink + Default + Send>(
    src: &(impl crate::base::fsio::ReadAt + ?Sized),
    chunk: usize,
) -> std::io::Result<Result<(Log, Vec<S>), Defect>> {
    Ok(stream(src, chunk, true)?.map(|(chain, sinks)| {
        let log = Log {
            bytes: chain.kept.into(),
            last_hash: (chain.count > 0).then_some(chain.prev),
            lines: chain.lines,
        };
        (log, sinks)
    }))
}

/// The streamed check of [`parse_log_streamed`] and [`check_stream`]: the
/// finished chain (with its lines when `keep`) and the sinks.
fn stream<S: LineSink + Default + Send>(
    src: &(impl crate::base::fsio::ReadAt + ?Sized),
    chunk: usize,
    keep: bool,
) -> std::io::Result<Result<(Chain, Vec<S>), Defect>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let chunk = chunk.max(1);
    let next = AtomicUsize::new(0);
    // The pieces are put together in order as soon as they can be, by
    // whichever core finishes one: a piece's lines are then freed while the
    // log is still being read, and its memory serves the next chunk (kept
    // until the end, the pieces' lines of a large log took 40 MB more).
    let assembly = std::sync::Mutex::new(Assembly::<S>::new(keep));
    let work = || -> std::io::Result<()> {
        let mut buf = vec![0u8; chunk];
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(base) = index.checked_mul(chunk) else {
                break;
            };
            let n = crate::base::fsio::fill_at(src, &mut buf, base as u64)?;
            if n == 0 {
                break;
            }
            let piece = Piece::of(index, base, &buf[..n]);
            let mut a = assembly.lock().unwrap_or_else(|p| p.into_inner());
            a.add(piece);
            if a.failed.is_some() || n < chunk {
                break;
            }
        }
        Ok(())
    };
    let (a, b) = crate::base::par::join(work, work);
    a?;
    b?;
    let a = assembly.into_inner().unwrap_or_else(|p| p.into_inner());
    if let Some(d) = a.failed {
        return Ok(Err(d));
    }
    debug_assert!(a.ready.is_empty());
    let torn_at = (!a.pending.is_empty()).then_some(a.pending_base);
    Ok(a.chain.finish(torn_at).map(|chain| (chain, a.sinks)))
}

/// The pieces of a streamed log, put together in order: the chain so far,
/// the sinks, the start of a line that goes on into the next piece, and the
/// pieces that came before their turn.
struct Assembly<S> {
    chain: Chain,
    sinks: Vec<S>,
    /// The bytes of a line begun in an earlier piece, and where it starts.
    pending: Vec<u8>,
    pending_base: usize,
    /// Pieces waiting for the ones before them, by index.
    ready: std::collections::BTreeMap<usize, Piece<S>>,
    /// The index of the next piece to put in.
    next: usize,
    /// The first defect: nothing more is put in after it.
    failed: Option<Defect>,
}

impl<S> Assembly<S> {
    fn new(keep: bool) -> Assembly<S> {
        Assembly {
            chain: Chain::new(keep),
            sinks: Vec::new(),
            pending: Vec::new(),
            pending_base: 0,
            ready: std::collections::BTreeMap::new(),
            next: 0,
            failed: None,
        }
    }
}

impl<S: LineSink + Default> Assembly<S> {
    /// Adds a piece, and puts in every piece whose turn has come.
    fn add(&mut self, piece: Piece<S>) {
        self.ready.insert(piece.index, piece);
        while self.failed.is_none() {
            let Some(p) = self.ready.remove(&self.next) else {
                break;
            };
            self.next += 1;
            if let Err(d) = self.put(p) {
                self.failed = Some(d);
            }
        }
    }

    fn put(&mut self, p: Piece<S>) -> Result<(), Defect> {
        if self.pending.is_empty() {
            self.pending_base = p.base;
        }
        self.pending.extend_from_slice(&p.head);
        let Some((s, sink)) = p.body else {
            return Ok(()); // no LF in the chunk: the line goes on
        };
        if !self.pending.is_empty() {
            // A line across two chunks (or more), checked here.
            let mut line_sink = S::default();
            let whole = std::mem::take(&mut self.pending);
            let s = stretch(
                &whole,
                0,
                whole.len(),
                self.pending_base,
                Some(&mut line_sink),
            );
            self.sinks.push(line_sink);
            self.chain.push_stretch(s)?;
        }
        self.sinks.push(sink);
        self.chain.push_stretch(s)?;
        self.pending_base = p.base + p.len - p.tail.len();
        self.pending = p.tail;
        Ok(())
    }
}

/// One chunk of a streamed log, checked on its own: the bytes of the line
/// it begins inside of (through the first LF), the lines after it, and the
/// start of the line it ends inside of.
struct Piece<S> {
    index: usize,
    /// The chunk's offset in the log, and its length.
    base: usize,
    len: usize,
    /// Through the first LF; the whole chunk when it has none (then `body`
    /// is None). Empty for the first chunk, whose first line starts it.
    head: Vec<u8>,
    body: Option<(Stretch, S)>,
    /// After the last LF.
    tail: Vec<u8>,
}

impl<S: LineSink + Default> Piece<S> {
    fn of(index: usize, base: usize, bytes: &[u8]) -> Piece<S> {
        let (head_end, last) = match (memchr::memchr(b'\n', bytes), memchr::memrchr(b'\n', bytes)) {
            (Some(first), Some(last)) => (if index == 0 { 0 } else { first + 1 }, last + 1),
            _ => {
                return Piece {
                    index,
                    base,
                    len: bytes.len(),
                    head: bytes.to_vec(),
                    body: None,
                    tail: Vec::new(),
                };
            }
        };
        let mut sink = S::default();
        let s = stretch(bytes, head_end, last, base, Some(&mut sink));
        Piece {
            index,
            base,
            len: bytes.len(),
            head: bytes[..head_end].to_vec(),
            body: Some((s, sink)),
            tail: bytes[last..].to_vec(),
        }
    }
}

/// What `log check` reports of a log that holds.
pub struct Summary {
    pub lines: u64,
    pub head: String,
    pub last_kind: String,
}

/// The same checks as [`parse_log`], streaming as [`parse_log_streamed`]
/// does, keeping nothing of the lines: checking costs little more than
/// hashing the file.
pub fn check_stream(
    src: &(impl crate::base::fsio::ReadAt + ?Sized),
) -> std::io::Result<Result<Summary, Defect>> {
    check_chunks(src, STREAM_CHUNK)
}

/// The chunk of a streamed read: large enough that a line seldom crosses
/// into the next, small enough to stay in the cache while it is checked.
pub const STREAM_CHUNK: usize = 4 << 20;

/// A sink that keeps no line.
#[derive(Default)]
struct KeepNone;

impl LineSink for KeepNone {
    type Fields<'a> = serde::de::IgnoredAny;
    fn takes(_: &str) -> bool {
        false
    }
    fn line(
        &mut self,
        _: u64,
        _: &str,
        _: &str,
        _: Option<Result<Self::Fields<'_>, String>>,
    ) -> bool {
        false
    }
}

fn check_chunks(
    src: &(impl crate::base::fsio::ReadAt + ?Sized),
    chunk: usize,
) -> std::io::Result<Result<Summary, Defect>> {
    Ok(
        stream::<KeepNone>(src, chunk, false)?.map(|(c, _)| Summary {
            lines: c.count,
            head: if c.count == 0 {
                GENESIS_PREV.to_string()
            } else {
                hex(&c.prev)
            },
            last_kind: c.last_kind.into_owned(),
        }),
    )
}

/// Test support: lines edited byte by byte, as the property tests of the
/// log's readers (here and in `state`) edit them.
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
    use serde::de::IgnoredAny;

    #[derive(Serialize)]
    struct Note {
        text: String,
    }
    impl Record for Note {
        const TYPE: &'static str = "note";
    }

    fn push<R: Record>(out: &mut Vec<u8>, prev: &mut String, seq: u64, r: &R) {
        let line = render_line(seq, prev, "2023-08-22T00:00:00Z", r);
        *prev = crate::base::digest::sha256_hex(&line);
        out.extend_from_slice(&line);
        out.push(b'\n');
    }

    fn build(n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut prev = GENESIS_PREV.to_string();
        for i in 0..n {
            push(
                &mut out,
                &mut prev,
                i as u64,
                &Note {
                    text: format!("n{i}"),
                },
            );
        }
        out
    }

    #[test]
    fn prev_is_64_lowercase_hex_digits() {
        let hex64 = "0123456789abcdef".repeat(4);
        let bytes = unhex32(&hex64).unwrap();
        assert_eq!(crate::base::digest::hex(&bytes), hex64);
        for bad in [
            hex64.to_uppercase(),
            hex64[1..].to_string(),
            format!("{hex64}0"),
            hex64.replace('f', "g"),
            hex64.replace('0', "/"),
            hex64.replace('9', ":"),
            hex64.replace('a', "`"),
        ] {
            assert_eq!(unhex32(&bad), None, "{bad}");
        }
    }

    #[test]
    fn line_layout_is_fixed() {
        let line = render_line(
            0,
            GENESIS_PREV,
            "2023-08-22T00:00:00Z",
            &Note { text: "合".into() },
        );
        assert_eq!(
            String::from_utf8(line).unwrap(),
            format!(
                "{{\"seq\":0,\"prev\":\"{GENESIS_PREV}\",\"type\":\"note\",\"at\":\"2023-08-22T00:00:00Z\",\"text\":\"合\"}}"
            )
        );
    }

    #[test]
    fn a_good_chain_parses_and_any_changed_byte_before_the_last_line_is_caught() {
        let log = build(5);
        let good = parse_log(log.clone()).unwrap();
        assert_eq!(good.lines.len(), 5);
        let last_start = good.lines[4].range.start;
        for i in 0..log.len() {
            let mut bad = log.clone();
            bad[i] ^= 0x01;
            match parse_log(bad) {
                Err(_) => {}
                // Only the last line can change and still chain: the head moves,
                // which is what a published head or checkpoint pins (SPEC.md §5).
                Ok(l) => {
                    assert!(i >= last_start, "flip at byte {i} went unnoticed");
                    assert_ne!(l.head(), good.head());
                }
            }
        }
    }

    #[test]
    fn streaming_in_small_blocks_agrees_with_the_whole_log_check() {
        let log = build(12);
        let whole = parse_log(log.clone()).unwrap();
        let s = check_chunks(&log[..], 37).unwrap().unwrap();
        assert_eq!(
            (s.lines, s.head.as_str(), s.last_kind.as_str()),
            (12, whole.head().as_str(), "note")
        );
        for i in (0..log.len()).step_by(7) {
            for cut in [false, true] {
                let mut bad = log.clone();
                if cut {
                    bad.truncate(i);
                } else {
                    bad[i] ^= 0x01;
                }
                let a = parse_log(bad.clone()).err();
                let b = check_chunks(&bad[..], 37).unwrap().err();
                assert_eq!(a, b, "byte {i}, cut {cut}");
            }
        }
    }

    #[test]
    fn a_missing_final_lf_is_a_torn_tail() {
        let mut log = build(3);
        log.pop();
        let start = parse_log(build(3)).unwrap().lines[2].range.start;
        let d = parse_log(log.clone()).unwrap_err();
        assert_eq!((d.line, d.torn_from), (3, Some(start)));
        log.truncate(log.len() - 10);
        assert_eq!(parse_log(log).unwrap_err().torn_from, Some(start));
    }

    /// What a repair set aside from line 3 on: a torn line is a torn tail
    /// only; a whole line, with its LF or without, is a record cut.
    #[test]
    fn a_fragment_holding_a_whole_line_cuts_a_record() {
        let log = build(3);
        let whole = parse_log(log.clone()).unwrap();
        let third = whole.lines[2].range.clone();
        let prev = crate::base::digest::sha256_hex(whole.line(1));
        let line = &log[third.start..];
        assert!(fragment_cuts_a_record(line, 2, &prev), "with its LF");
        let no_lf = &line[..line.len() - 1];
        assert!(fragment_cuts_a_record(no_lf, 2, &prev), "without its LF");
        assert!(!fragment_cuts_a_record(&no_lf[..no_lf.len() - 3], 2, &prev));
        // The same line set aside from another place does not chain there.
        assert!(!fragment_cuts_a_record(no_lf, 5, &prev));
        assert!(!fragment_cuts_a_record(no_lf, 2, GENESIS_PREV));
        assert!(!fragment_cuts_a_record(b"", 2, &prev));
    }

    #[test]
    fn a_bad_complete_line_is_not_a_torn_tail() {
        let text = String::from_utf8(build(3)).unwrap();
        let bad = text.replacen("n1", "n9", 1);
        let d = parse_log(bad.into_bytes()).unwrap_err();
        assert_eq!((d.line, d.torn_from), (3, None), "{d}");
    }

    #[test]
    fn a_batch_cut_at_a_line_boundary_is_a_torn_tail() {
        let mut log = build(2);
        let mut prev = parse_log(log.clone()).unwrap().head();
        let batch_at = log.len();
        let header = Batch {
            lines: 3,
            source: String::new(),
            source_sha256: String::new(),
        };
        push(&mut log, &mut prev, 2, &header);
        push(&mut log, &mut prev, 3, &Note { text: "a".into() });
        push(&mut log, &mut prev, 4, &Note { text: "b".into() });
        let d = parse_log(log.clone()).unwrap_err();
        assert_eq!((d.line, d.torn_from), (3, Some(batch_at)), "{d}");
        assert!(d.what.contains("has 2 of its 3 lines"), "{d}");
        // A partial line inside the batch tears from the batch header too.
        let mut cut = log.clone();
        cut.truncate(cut.len() - 4);
        assert_eq!(parse_log(cut).unwrap_err().torn_from, Some(batch_at));
        push(&mut log, &mut prev, 5, &Note { text: "c".into() });
        assert_eq!(parse_log(log).unwrap().lines.len(), 6);
    }

    /// A log large enough to be checked in two stretches on both cores,
    /// with batches (one across the cut): every defect, wherever it falls,
    /// reads the same as when the log is streamed a few lines at a time.
    #[test]
    fn two_stretches_find_what_streaming_finds() {
        let mut log = Vec::new();
        let mut prev = GENESIS_PREV.to_string();
        let mut seq = 0;
        let mut batch_starts = Vec::new();
        let note = |log: &mut Vec<u8>, prev: &mut String, seq: &mut u64| {
            let text = format!("n{seq}");
            push(log, prev, *seq, &Note { text });
            *seq += 1;
        };
        while log.len() < (1 << 20) + (1 << 16) {
            if seq % 997 == 3 || (log.len() > 1 << 19 && batch_starts.len() < 2) {
                batch_starts.push(log.len());
                let header = Batch {
                    lines: 40,
                    source: String::new(),
                    source_sha256: String::new(),
                };
                push(&mut log, &mut prev, seq, &header);
                seq += 1;
            }
            note(&mut log, &mut prev, &mut seq);
        }
        // Close the last batch if it is still open.
        while parse_log(log.clone()).is_err() {
            note(&mut log, &mut prev, &mut seq);
        }
        let whole = parse_log(log.clone()).unwrap();
        let streamed = check_chunks(&log[..], 1 << 14).unwrap().unwrap();
        assert_eq!(
            (whole.lines.len() as u64, whole.head()),
            (streamed.lines, streamed.head)
        );
        // Bytes around where the two stretches meet, at the start of lines
        // and inside them, and elsewhere.
        let cut = complete_len(&log[..log.len() / 2 + 1]);
        let cut = cut + memchr::memchr(b'\n', &log[cut..]).map_or(0, |i| i + 1);
        let mut places: Vec<usize> = (0..240).step_by(3).map(|i| cut - 120 + i).collect();
        places.extend([0, 10, 80, log.len() / 3, log.len() - 5]);
        places.extend(batch_starts.iter().map(|b| b + 30));
        for at in places {
            for change in 0..3 {
                let mut bad = log.clone();
                match change {
                    0 => bad[at] ^= 0x01,
                    1 => bad[at] = b'\n',
                    _ => bad.truncate(at),
                }
                let a = parse_log(bad.clone()).err();
                let b = check_chunks(&bad[..], 1 << 14).unwrap().err();
                assert_eq!(a, b, "byte {at}, change {change}");
                for chunk in [1 << 14, 997] {
                    let c = parse_log_streamed::<KeepAll>(&bad[..], chunk)
                        .unwrap()
                        .err();
                    assert_eq!(a, c, "byte {at}, change {change}, chunk {chunk}");
                }
            }
        }
    }

    /// A sink that keeps every line.
    #[derive(Default)]
    struct KeepAll(usize);
    impl LineSink for KeepAll {
        type Fields<'a> = serde::de::IgnoredAny;
        fn takes(_: &str) -> bool {
            false
        }
        fn line(
            &mut self,
            _: u64,
            _: &str,
            _: &str,
            _: Option<Result<IgnoredAny, String>>,
        ) -> bool {
            self.0 += 1;
            true
        }
    }

    /// A sink that keeps every other line.
    #[derive(Default)]
    struct KeepEven(Vec<u64>);
    impl LineSink for KeepEven {
        type Fields<'a> = serde::de::IgnoredAny;
        fn takes(_: &str) -> bool {
            false
        }
        fn line(
            &mut self,
            seq: u64,
            _: &str,
            _: &str,
            _: Option<Result<IgnoredAny, String>>,
        ) -> bool {
            self.0.push(seq);
            seq.is_multiple_of(2)
        }
    }

    /// Streamed a chunk at a time, whatever the chunk (smaller than a line,
    /// a line across several, the whole log), a log checks as it does
    /// whole: every line handed to the sinks once and in order, the same
    /// lines and hashes, and the kept lines' bytes as they are in the log.
    #[test]
    fn a_streamed_log_reads_as_the_whole_log() {
        let bytes = build(300);
        let whole = parse_log(bytes.clone()).unwrap();
        for chunk in [1, 2, 50, 199, 200, 201, 4096, bytes.len(), 1 << 20] {
            let (log, sinks) = parse_log_streamed::<KeepEven>(&bytes[..], chunk)
                .unwrap()
                .unwrap();
            let seen: Vec<u64> = sinks.into_iter().flat_map(|s| s.0).collect();
            assert_eq!(seen, (0..300).collect::<Vec<u64>>(), "chunk {chunk}");
            assert_eq!(log.lines.len(), whole.lines.len());
            assert_eq!(log.head(), whole.head());
            for (i, (a, b)) in log.lines.iter().zip(&whole.lines).enumerate() {
                assert_eq!((a.seq, &a.kind), (b.seq, &b.kind));
                let expected: &[u8] = if i.is_multiple_of(2) {
                    whole.line(i)
                } else {
                    b""
                };
                assert_eq!(log.line(i), expected, "chunk {chunk}, line {i}");
            }
            // A torn tail is found where the whole log's check finds it.
            let torn = &bytes[..bytes.len() - 7];
            let a = parse_log(torn.to_vec()).err();
            let b = parse_log_streamed::<KeepAll>(torn, chunk).unwrap().err();
            assert_eq!(a, b, "chunk {chunk}");
        }
        // An empty log is a defect: a round's log begins with its round-opened line.
        let empty = parse_log_streamed::<KeepAll>(&b""[..], 64)
            .unwrap()
            .err()
            .unwrap();
        assert_eq!((empty.line, empty.torn_from), (1, None));
        assert_eq!(parse_log(Vec::new()).unwrap_err(), empty);
    }

    /// The common fields as a derived struct reads them from the whole
    /// line: the reference the one-pass reading is held to.
    #[derive(Deserialize)]
    struct RefHead<'a> {
        seq: u64,
        #[serde(borrow)]
        prev: Cow<'a, str>,
        #[serde(borrow, rename = "type")]
        kind: Cow<'a, str>,
        #[serde(borrow)]
        at: Cow<'a, str>,
        #[serde(default)]
        lines: Option<u64>,
    }

    /// Head and a result's fields as read in one pass ([`read_line`]) and
    /// as serde_json decodes the whole line with derived structs: the same
    /// values or both refused. A line must be an object (a derived struct
    /// would also take an array).
    fn decodes_alike(line: &str) -> Result<(), String> {
        use crate::log::state::ResultView;
        let object = line
            .trim_start_matches([' ', '\t', '\n', '\r'])
            .starts_with('{');
        let head = |h: Head<'_>| format!("{} {} {} {} {:?}", h.seq, h.prev, h.kind, h.at, h.lines);
        let ref_head =
            |h: RefHead<'_>| format!("{} {} {} {} {:?}", h.seq, h.prev, h.kind, h.at, h.lines);
        let result =
            |r: ResultView<'_>| format!("{} {} {:?} {:?}", r.id, r.stratum, r.verdict, r.reasons);
        let ours = read_line::<IgnoredAny>(line).map(|(h, _)| head(h)).ok();
        let theirs = serde_json::from_str::<RefHead>(line)
            .ok()
            .filter(|_| object)
            .map(ref_head);
        if ours != theirs {
            return Err(format!("head: {ours:?} vs {theirs:?}"));
        }
        let ours = read_line::<ResultView>(line)
            .map(|(h, r)| (head(h), result(r)))
            .ok();
        let theirs_result = serde_json::from_str::<ResultView>(line).map(result);
        let both = theirs.clone().zip(theirs_result.as_ref().ok().cloned());
        if ours != both {
            return Err(format!("both: {ours:?} vs {both:?}"));
        }
        // As the sink is handed it: the fields, or why they do not decode,
        // for a good line; nothing for a bad one.
        let is_result = |k: &str| k.starts_with("result");
        let mut scratch = Scratch::default();
        if let Ok((_, fields)) = line_facts::<ResultView>(line, &mut scratch, is_result) {
            let theirs = serde_json::from_str::<RefHead>(line).unwrap();
            if is_result(&theirs.kind) != fields.is_some() {
                return Err(format!("fields handed on for {}", theirs.kind));
            }
            if let Some(fields) = fields {
                let ours = fields.map(result).is_ok();
                if ours != theirs_result.is_ok() {
                    return Err(format!("fields: {ours:?} vs {theirs_result:?}"));
                }
            }
        } else if theirs.is_some() {
            // Refused though it decodes: only for its beginning.
            let facts = line_facts::<IgnoredAny>(line, &mut scratch, is_result);
            if facts.unwrap_err() != t!("log.bad-beginning") {
                return Err("a line that decodes refused".into());
            }
        }
        Ok(())
    }

    const RESULT_LINE: &str = r#"{"seq":9,"prev":"831da0140a6b761dcc3492cc1e9191a9be9209e464382d21a60a326b88f4090c","type":"result-recorded","at":"2026-11-28T04:57:54Z","id":"AH5359958750","stratum":"亳州市","verdict":"fail","reasons":["NM_NOT_UPDATED"],"note":"","inspector":"检查组","checked_at":"2023-08-23","lines":3}"#;

    #[test]
    fn every_record_of_a_real_round_decodes_as_serde_json_decodes_it() {
        use crate::log::records::{RosterCommitted, RoundOpened, SampleDrawn, SeedRevealed};
        let roster = r#"{"seq":1,"prev":"89a9","type":"roster-committed","at":"2026-11-28T04:57:52Z","roster_sha256":"66c6","accounts":6,"strata":{"亳州市":5,"省直厅局":1},"order":["省直厅局","亳州市"],"source":"r.csv","source_sha256":"ab","encoding":"utf-8","id_column":"id","stratum_column":"region"}"#;
        let mut log = Log {
            bytes: roster.as_bytes().to_vec().into(),
            lines: vec![LogLine {
                seq: 1,
                kind: Cow::Borrowed("roster-committed"),
                range: 0..roster.len(),
            }],
            last_hash: None,
        };
        let ours: RosterCommitted = log.fields(0).unwrap();
        let theirs: RosterCommitted = serde_json::from_str(roster).unwrap();
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
        // A record of another type, or one missing a field, is refused alike.
        for bad in [
            roster.replace(r#""accounts":6,"#, ""),
            roster.replace(r#""accounts":6"#, r#""accounts":"6""#),
            roster.replace(r#""order":["#, r#""order":[1,"#),
        ] {
            log.bytes = bad.clone().into_bytes().into();
            log.lines[0].range = 0..bad.len();
            assert!(log.fields::<RosterCommitted>(0).is_err(), "{bad}");
            assert!(
                serde_json::from_str::<RosterCommitted>(&bad).is_err(),
                "{bad}"
            );
        }
        log.bytes = roster.as_bytes().to_vec().into();
        log.lines[0].range = 0..roster.len();
        assert!(log.fields::<RoundOpened>(0).is_err());
        assert!(log.fields::<SeedRevealed>(0).is_err());
        assert!(log.fields::<SampleDrawn>(0).is_err());
    }

    #[test]
    fn decoding_from_the_scan_agrees_with_serde_json_on_known_lines() {
        for line in [
            RESULT_LINE.to_string(),
            RESULT_LINE.replace(r#""lines":3"#, r#""lines":null"#),
            RESULT_LINE.replace(r#""lines":3"#, r#""seq":10"#),
            RESULT_LINE.replace(r#""lines":3"#, r#""i\u0064":"x""#),
            RESULT_LINE.replace(r#""verdict":"fail""#, r#""verdict":"maybe""#),
            RESULT_LINE.replace(r#""id":"AH5359958750","#, ""),
            RESULT_LINE.replace("AH535", r"AH\u0035"),
            RESULT_LINE.replace(r#""seq":9"#, r#""seq":9.0"#),
            RESULT_LINE.replace(r#""seq":9"#, r#""seq":-9"#),
            RESULT_LINE.replace(r#""note""#, r#""备注""#),
            RESULT_LINE.replace(r#""lines":3"#, r#""lines":"3""#),
            RESULT_LINE.replace(r#""lines":3"#, r#""lines":3,"lines":4"#),
            RESULT_LINE.replace(r#""lines":3"#, r#""at":"x""#),
            RESULT_LINE.replace(r#""lines":3"#, r#""\u0061t":"x""#),
            RESULT_LINE.replace(r#""lines":3"#, r#""type":"x""#),
            RESULT_LINE.replace(r#""lines":3"#, r#""prev":"x""#),
            RESULT_LINE.replace(r#""lines":3"#, r#""lines":03"#),
            RESULT_LINE.replace(r#""lines":3"#, r#""lines":18446744073709551616"#),
            RESULT_LINE.replace(r#""seq":9"#, r#""seq":09"#),
            RESULT_LINE.replace(r#""seq":9"#, r#""seq":18446744073709551615"#),
            RESULT_LINE.replace(r#""seq":9"#, r#""seq":18446744073709551616"#),
            RESULT_LINE.replace(r#""seq":9"#, r#""seq" :9"#),
            RESULT_LINE.replace("831da", "831DA"),
            RESULT_LINE.replace("831da", "831d"),
            RESULT_LINE.replace("result-recorded", r"result\u002drecorded"),
            RESULT_LINE.replace("result-recorded", "结果"),
            RESULT_LINE.replace("T04:57", r"T04\u003a57"),
            RESULT_LINE.replace(r#","at":"2026-11-28T04:57:54Z""#, ""),
        ] {
            decodes_alike(&line).unwrap();
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn decoding_from_the_scan_agrees_with_serde_json(
            edits in edits::edits(0..400, br#"{}[]":,\ 0129eE+-.tfnulsr"#)
        ) {
            let line = edits::edited(RESULT_LINE, &edits);
            if let Ok(line) = std::str::from_utf8(&line) {
                proptest::prop_assert_eq!(decodes_alike(line), Ok(()));
            }
        }
    }
}
