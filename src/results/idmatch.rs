//! Which ids of one list a second list holds, found by sorting both lists
//! and walking them side by side instead of looking each id up in a hash
//! table. Pure.
//!
//! `verify` matches half a million results against half a million sampled
//! ids. Through a hash table every lookup cost a few cache and TLB misses
//! (a table of that size spans thousands of pages), most of check 5's time.
//! The keys sorted here are 24 bytes each, read in order, and an id's own
//! bytes are read only to tell apart ids longer than 16 bytes that share
//! their first 16.

use std::cmp::Ordering;

/// (first 8 bytes, next 8 bytes, length << 32 | index): the first 16 bytes
/// zero-padded, as two big-endian integers.
type Key = (u64, u64, u64);

const INDEX: u64 = 0xffff_ffff;

/// In the positions [`positions`] returns: the id is not in the list.
pub const ABSENT: u32 = u32::MAX;

fn key(id: &str, at: u32) -> Key {
    let mut p = [0u8; 16];
    let n = id.len().min(16);
    p[..n].copy_from_slice(&id.as_bytes()[..n]);
    let (hi, lo) = p.split_at(8);
    let half = |b: &[u8]| u64::from_be_bytes(b.try_into().expect("8 bytes"));
    let len = id.len().min(u32::MAX as usize) as u64;
    (half(hi), half(lo), (len << 32) | u64::from(at))
}

fn index(k: &Key) -> usize {
    (k.2 & INDEX) as usize
}

/// A list of ids and their keys, sorted by id (in an order of its own: the
/// keys first, then, for ids longer than 16 bytes, the ids' bytes), equal
/// ids by their place in the list.
pub struct SortedIds<'a> {
    /// The ids, in their order; empty when none is longer than 16 bytes
    /// (then the keys alone tell ids apart, and 8 MB for half a million
    /// ids is not spent).
    ids: Vec<&'a str>,
    keys: Vec<Key>,
}

/// The order of two ids by their keys, reading their bytes only when the
/// keys are equal and the ids longer than the 16 bytes the keys hold.
fn by_id(a_ids: &[&str], a: &Key, b_ids: &[&str], b: &Key) -> Ordering {
    (a.0, a.1, a.2 >> 32)
        .cmp(&(b.0, b.1, b.2 >> 32))
        .then_with(|| {
            if a.2 >> 32 > 16 {
                a_ids[index(a)].cmp(b_ids[index(b)])
            } else {
                Ordering::Equal
            }
        })
}

impl<'a> SortedIds<'a> {
    /// None for more than 2^32 - 1 ids (an index must fit in 32 bits).
    pub fn new(ids: impl Iterator<Item = &'a str> + Clone) -> Option<SortedIds<'a>> {
        let mut keys: Vec<Key> = Vec::with_capacity(ids.size_hint().0);
        let mut long = false;
        for (i, id) in ids.clone().enumerate() {
            let i = u32::try_from(i).ok().filter(|&i| i != ABSENT)?;
            long |= id.len() > 16;
            keys.push(key(id, i));
        }
        if long {
            let ids: Vec<&str> = ids.collect();
            keys.sort_unstable_by(|a, b| {
                by_id(&ids, a, &ids, b).then_with(|| index(a).cmp(&index(b)))
            });
            Some(SortedIds { ids, keys })
        } else {
            // Short ids only: the keys alone decide, as plain integers.
            keys.sort_unstable();
            Some(SortedIds {
                ids: Vec::new(),
                keys,
            })
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The places of equal ids, run by run (each run in ascending order).
    pub fn runs(&self) -> impl Iterator<Item = impl Iterator<Item = usize> + '_> {
        self.keys
            .chunk_by(|a, b| by_id(&self.ids, a, &self.ids, b) == Ordering::Equal)
            .map(|run| run.iter().map(index))
    }
}

/// For each id of `of` (by its index there), its index in `within` — the
/// last, if `within` lists it more than once, as a map filled in order
/// keeps — or [`ABSENT`].
pub fn positions(of: &SortedIds<'_>, within: &SortedIds<'_>) -> Vec<u32> {
    let w = &within.keys;
    let mut out = vec![ABSENT; of.len()];
    let mut s = 0;
    // The answer for the previous id of `of`, for the next if it is the same.
    let mut last: Option<(&Key, u32)> = None;
    for k in &of.keys {
        if let Some((prev, found)) = last
            && by_id(&of.ids, prev, &of.ids, k) == Ordering::Equal
        {
            out[index(k)] = found;
            continue;
        }
        while s < w.len() && by_id(&within.ids, &w[s], &of.ids, k) == Ordering::Less {
            s += 1;
        }
        let mut e = s;
        while e < w.len() && by_id(&within.ids, &w[e], &of.ids, k) == Ordering::Equal {
            e += 1;
        }
        let found = if e > s {
            index(&w[e - 1]) as u32
        } else {
            ABSENT
        };
        out[index(k)] = found;
        last = Some((k, found));
        s = e;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    /// What a hash map filled in order answers.
    fn by_map(of: &[String], within: &[String]) -> Vec<u32> {
        let map: HashMap<&str, u32> = within
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i as u32))
            .collect();
        of.iter()
            .map(|id| map.get(id.as_str()).copied().unwrap_or(ABSENT))
            .collect()
    }

    fn sorted(ids: &[String]) -> SortedIds<'_> {
        SortedIds::new(ids.iter().map(String::as_str)).unwrap()
    }

    #[test]
    fn known_lists() {
        let within: Vec<String> = [
            "A1",
            "A2",
            "B1",
            "A1",
            "https://www.gov.cn/a",
            "https://www.gov.cn/b",
        ]
        .map(String::from)
        .to_vec();
        let of: Vec<String> = [
            "A1",
            "C",
            "https://www.gov.cn/b",
            "A2",
            "A1",
            "https://www.gov.cn/c",
            "",
        ]
        .map(String::from)
        .to_vec();
        let got = positions(&sorted(&of), &sorted(&within));
        assert_eq!(got, [3, ABSENT, 5, 1, 3, ABSENT, ABSENT]);
    }

    /// Ids from a small alphabet, short and long, many sharing their first
    /// 16 bytes (as URLs do) or differing only after them.
    fn id() -> impl Strategy<Value = String> {
        prop_oneof![
            "[AB]{0,3}",
            "https://www.ah.gov.cn/[ab]{0,3}",
            "0123456789abcdef[\0a]{0,2}",
            "[a\u{0}é]{14,18}",
        ]
    }

    proptest! {
        #[test]
        fn positions_are_what_a_hash_map_finds(
            within in prop::collection::vec(id(), 0..40),
            of in prop::collection::vec(id(), 0..40),
        ) {
            let got = positions(&sorted(&of), &sorted(&within));
            prop_assert_eq!(got, by_map(&of, &within));
        }
    }
}
