//! manifest.json: the drawn sample and everything needed to redraw it.
//!
//! Its bytes are fixed (SPEC.md §6): serde_json's pretty form (two-space
//! indent, `": "` after keys, non-ASCII unescaped) plus a final LF — the same
//! bytes as Python's `json.dumps(m, ensure_ascii=False, indent=2) + "\n"`.
//! It holds no time stamp, so redrawing gives the same bytes.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize};

pub const MANIFEST_FILE: &str = "manifest.json";
pub const MANIFEST_FORMAT: &str = "choucha-manifest/1";

/// The ids borrow from roster.tsv when drawn and from manifest.json's bytes
/// when read (unless JSON escaped them): half a million ids then cost no
/// allocation (and no freeing) each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest<'a> {
    pub format: String,
    pub round: String,
    pub population: String,
    pub algorithm: String,
    pub seed: String,
    pub seed_source: String,
    pub roster_sha256: String,
    pub accounts: u64,
    pub rate: String,
    pub allocation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quotas_sha256: Option<String>,
    pub sample_size: u64,
    /// In byte order of the stratum names.
    #[serde(borrow)]
    pub strata: Vec<ManifestStratum<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestStratum<'a> {
    pub name: String,
    pub population: u64,
    pub quota: u64,
    /// The sample in rank order: `ids[0]` has rank 1.
    #[serde(borrow, deserialize_with = "borrowed_strs")]
    pub ids: Vec<Cow<'a, str>>,
}

/// A list of strings, each borrowed from the input where it holds no escape
/// (serde's own `Vec<Cow<str>>` would copy every one).
fn borrowed_strs<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Vec<Cow<'a, str>>, D::Error> {
    #[derive(Deserialize)]
    struct Text<'b>(#[serde(borrow)] Cow<'b, str>);
    let texts: Vec<Text<'a>> = Vec::deserialize(d)?;
    Ok(texts.into_iter().map(|t| t.0).collect())
}

/// A drawn manifest's ids lie at random places of roster.tsv, in rank
/// order, and each waited for memory in turn (a tenth of `verify`'s time
/// went to writing the ids to compare them). Reading the first byte of the
/// next few together first puts their loads in flight at once.
const TOUCH_AHEAD: usize = 16;

fn touch(ids: &[Cow<'_, str>]) {
    let mut acc = 0u8;
    for id in ids {
        acc ^= id.as_bytes().first().copied().unwrap_or(0);
    }
    std::hint::black_box(acc);
}

impl<'a> Manifest<'a> {
    /// The same manifest, owning all its text.
    pub fn into_owned(self) -> Manifest<'static> {
        self.map_ids(|id| Cow::Owned(id.into_owned()))
    }

    /// The sampled ids one after another, stratum by stratum in rank order:
    /// the text that [`Manifest::reborrow_ids`] points the ids into.
    pub fn ids_text(&self) -> String {
        let ids = || self.strata.iter().flat_map(|s| &s.ids);
        let mut text = String::with_capacity(ids().map(|id| id.len()).sum());
        ids().for_each(|id| text.push_str(id));
        text
    }

    /// The same manifest with its ids borrowed from `text`, its
    /// [`Manifest::ids_text`]: each id's bytes are then next to the next
    /// one's, where roster.tsv held them at random places, and half a million
    /// ids cost one allocation instead of one each.
    pub fn reborrow_ids(self, text: &str) -> Manifest<'_> {
        let mut at = 0;
        self.map_ids(|id| {
            let id = Cow::Borrowed(&text[at..at + id.len()]);
            at += id.len();
            id
        })
    }

    fn map_ids<'b>(self, mut f: impl FnMut(Cow<'a, str>) -> Cow<'b, str>) -> Manifest<'b> {
        Manifest {
            strata: self
                .strata
                .into_iter()
                .map(|s| ManifestStratum {
                    ids: s.ids.into_iter().map(&mut f).collect(),
                    name: s.name,
                    population: s.population,
                    quota: s.quota,
                })
                .collect(),
            format: self.format,
            round: self.round,
            population: self.population,
            algorithm: self.algorithm,
            seed: self.seed,
            seed_source: self.seed_source,
            roster_sha256: self.roster_sha256,
            accounts: self.accounts,
            rate: self.rate,
            allocation: self.allocation,
            quotas_sha256: self.quotas_sha256,
            sample_size: self.sample_size,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out).expect("in memory");
        out
    }

    /// Where each stratum's ids start among all the manifest's ids (its
    /// places, counted over the strata in their order).
    pub fn strata_starts(&self) -> Vec<usize> {
        self.strata
            .iter()
            .scan(0, |at, s| {
                let start = *at;
                *at += s.ids.len();
                Some(start)
            })
            .collect()
    }

    /// The manifest's bytes, streamed: serde_json's pretty form and a final
    /// LF (SPEC.md §6), written here a megabyte at a time. serde_json's own
    /// writer took 33 ms for half a million ids, in `draw` and again in
    /// `verify`; a property test holds this one to it byte for byte.
    pub fn write_to(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        // Strings and integers as serde_json writes them (escapes: `"`, `\\`
        // and control characters only, non-ASCII as itself).
        fn write_str(out: &mut Vec<u8>, text: &str) {
            serde_json::to_writer(out, text).expect("in memory");
        }
        fn write_u64(out: &mut Vec<u8>, n: u64) {
            serde_json::to_writer(out, &n).expect("in memory");
        }
        let mut out: Vec<u8> = Vec::with_capacity((1 << 20) + 4096);
        let text = |out: &mut Vec<u8>, key: &str, value: &str| {
            out.extend_from_slice(b"  \"");
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(b"\": ");
            write_str(out, value);
            out.extend_from_slice(b",\n");
        };
        let number = |out: &mut Vec<u8>, key: &str, value: u64| {
            out.extend_from_slice(b"  \"");
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(b"\": ");
            write_u64(out, value);
            out.extend_from_slice(b",\n");
        };
        out.extend_from_slice(b"{\n");
        text(&mut out, "format", &self.format);
        text(&mut out, "round", &self.round);
        text(&mut out, "population", &self.population);
        text(&mut out, "algorithm", &self.algorithm);
        text(&mut out, "seed", &self.seed);
        text(&mut out, "seed_source", &self.seed_source);
        text(&mut out, "roster_sha256", &self.roster_sha256);
        number(&mut out, "accounts", self.accounts);
        text(&mut out, "rate", &self.rate);
        text(&mut out, "allocation", &self.allocation);
        if let Some(q) = &self.quotas_sha256 {
            text(&mut out, "quotas_sha256", q);
        }
        number(&mut out, "sample_size", self.sample_size);
        out.extend_from_slice(b"  \"strata\": [");
        for (i, s) in self.strata.iter().enumerate() {
            out.extend_from_slice(if i == 0 { b"\n    {\n" } else { b",\n    {\n" });
            out.extend_from_slice(b"      \"name\": ");
            write_str(&mut out, &s.name);
            out.extend_from_slice(b",\n      \"population\": ");
            write_u64(&mut out, s.population);
            out.extend_from_slice(b",\n      \"quota\": ");
            write_u64(&mut out, s.quota);
            out.extend_from_slice(b",\n      \"ids\": [");
            for (b, block) in s.ids.chunks(TOUCH_AHEAD).enumerate() {
                touch(block);
                for (k, id) in block.iter().enumerate() {
                    out.extend_from_slice(if b == 0 && k == 0 {
                        b"\n        "
                    } else {
                        b",\n        "
                    });
                    write_str(&mut out, id);
                }
                if out.len() >= 1 << 20 {
                    w.write_all(&out)?;
                    out.clear();
                }
            }
            if !s.ids.is_empty() {
                out.extend_from_slice(b"\n      ");
            }
            out.extend_from_slice(b"]\n    }");
        }
        if !self.strata.is_empty() {
            out.extend_from_slice(b"\n  ");
        }
        out.extend_from_slice(b"]\n}\n");
        w.write_all(&out)
    }
}

/// Everything the draw depends on, as recorded in the log.
pub struct DrawInputs<'a> {
    pub round: &'a str,
    pub population: &'a str,
    pub seed: &'a str,
    pub seed_source: &'a str,
    pub roster_sha256: &'a str,
    pub rate: crate::sampling::rate::Rate,
    pub allocation: crate::sampling::draw::Allocation,
    pub quotas_sha256: Option<&'a str>,
}

/// A drawn sample: the manifest, and for the i-th account of roster.tsv its
/// rank in its stratum's sample (0 when not sampled).
pub struct DrawnSample<'a> {
    pub manifest: Manifest<'a>,
    pub ranks: Vec<u32>,
}

/// Runs choucha-v1 on a canonical roster.
pub fn draw_manifest<'r>(
    inputs: &DrawInputs<'_>,
    roster: &crate::roster::canonical::CanonicalRoster<'r>,
) -> Result<DrawnSample<'r>, String> {
    use crate::sampling::draw::{ALGORITHM, quotas, sample_positions};
    let sizes: Vec<(&str, u64)> = roster
        .strata
        .iter()
        .map(|(s, ids)| (*s, ids.len() as u64))
        .collect();
    let k = quotas(&sizes, inputs.rate, &inputs.allocation, inputs.seed)?;
    // Each stratum is drawn on its own; the strata are shared out between
    // both cores by the size of their samples.
    let draw_one = |(name, ids): &(&str, Vec<&'r str>), k: u64| {
        let positions = sample_positions(inputs.seed, name, ids.len() as u64, k);
        let sampled: Vec<Cow<'r, str>> = positions
            .iter()
            .map(|&p| Cow::Borrowed(ids[p as usize]))
            .collect();
        (positions, sampled)
    };
    let jobs: Vec<(usize, u64)> = k.iter().copied().enumerate().collect();
    let half = k.iter().sum::<u64>() / 2;
    let mut acc = 0;
    let cut = jobs
        .iter()
        .position(|&(_, q)| {
            acc += q;
            acc > half
        })
        .map_or(jobs.len(), |i| i + 1);
    let (first, second) = jobs.split_at(cut);
    let run = |part: &[(usize, u64)]| -> Vec<(Vec<u32>, Vec<Cow<'r, str>>)> {
        part.iter()
            .map(|&(i, q)| draw_one(&roster.strata[i], q))
            .collect()
    };
    let (mut drawn, rest) = if half >= 1 << 14 {
        crate::base::par::join(|| run(first), || run(second))
    } else {
        (run(first), run(second))
    };
    drawn.extend(rest);

    let mut ranks = vec![0u32; roster.accounts() as usize];
    let mut offset = 0usize;
    let mut strata = Vec::with_capacity(k.len());
    for (((name, ids), &k), (positions, sampled)) in roster.strata.iter().zip(&k).zip(drawn) {
        for (r, &p) in positions.iter().enumerate() {
            ranks[offset + p as usize] = r as u32 + 1;
        }
        strata.push(ManifestStratum {
            name: name.to_string(),
            population: ids.len() as u64,
            quota: k,
            ids: sampled,
        });
        offset += ids.len();
    }
    let manifest = Manifest {
        format: MANIFEST_FORMAT.into(),
        round: inputs.round.into(),
        population: inputs.population.into(),
        algorithm: ALGORITHM.into(),
        seed: inputs.seed.into(),
        seed_source: inputs.seed_source.into(),
        roster_sha256: inputs.roster_sha256.into(),
        accounts: roster.accounts(),
        rate: inputs.rate.to_string(),
        allocation: inputs.allocation.name().into(),
        quotas_sha256: inputs.quotas_sha256.map(str::to_string),
        sample_size: k.iter().sum(),
        strata,
    };
    Ok(DrawnSample { manifest, ranks })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The manifest's bytes are serde_json's pretty form and a LF, with
        /// any strings (escapes, control characters, Chinese), no strata,
        /// strata without ids, and with or without a quota plan's digest.
        #[test]
        fn a_manifest_is_written_as_serde_json_writes_it(
            text in "[a-z合\"\\\\\u{0}-\u{1f}/]{0,6}",
            numbers in proptest::collection::vec(proptest::num::u64::ANY, 4),
            plan in proptest::option::of("[0-9a-f]{4}"),
            strata in proptest::collection::vec(
                ("[a-z合肥\\\\\"]{0,4}", proptest::collection::vec("[A-Z0-9合\\\\\"\u{7}]{0,5}", 0..4)),
                0..4,
            ),
        ) {
            let m = Manifest {
                format: MANIFEST_FORMAT.into(),
                round: text.clone(),
                population: "政务新媒体".into(),
                algorithm: "choucha-v1".into(),
                seed: text.repeat(2),
                seed_source: String::new(),
                roster_sha256: "ab".into(),
                accounts: numbers[0],
                rate: "1/2".into(),
                allocation: text,
                quotas_sha256: plan,
                sample_size: numbers[1],
                strata: strata
                    .into_iter()
                    .map(|(name, ids)| ManifestStratum {
                        name,
                        population: numbers[2],
                        quota: numbers[3],
                        ids: ids.into_iter().map(Cow::Owned).collect(),
                    })
                    .collect(),
            };
            let mut want = serde_json::to_vec_pretty(&m).unwrap();
            want.push(b'\n');
            proptest::prop_assert_eq!(String::from_utf8(m.to_bytes()).unwrap(), String::from_utf8(want).unwrap());
        }
    }

    #[test]
    fn ids_are_borrowed_from_the_bytes_unless_escaped_and_written_back_the_same() {
        let m = Manifest {
            format: MANIFEST_FORMAT.into(),
            round: "r".into(),
            population: "政务新媒体".into(),
            algorithm: "choucha-v1".into(),
            seed: "12345678901234567890".into(),
            seed_source: "dice".into(),
            roster_sha256: "00".into(),
            accounts: 5,
            rate: "1/2".into(),
            allocation: "largest-remainder".into(),
            quotas_sha256: None,
            sample_size: 3,
            strata: vec![ManifestStratum {
                name: "合肥市".into(),
                population: 5,
                quota: 3,
                ids: vec!["A1".into(), "B\"2".into(), "合肥\\3".into()],
            }],
        };
        let bytes = m.to_bytes();
        let read: Manifest = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(read, m);
        let kinds: Vec<bool> = read.strata[0]
            .ids
            .iter()
            .map(|i| matches!(i, Cow::Borrowed(_)))
            .collect();
        assert_eq!(kinds, [true, false, false]);
        assert_eq!(read.to_bytes(), bytes);
        assert_eq!(read.into_owned(), m);
    }
}
