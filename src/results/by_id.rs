//! Tables keyed by account id.

use std::collections::HashMap;

use crate::results::verdict::FinalResult;

/// Maps keyed by account id: many entries, keys from our own records, so a
/// fast non-cryptographic hash.
pub type IdMap<K, V> = HashMap<K, V, rustc_hash::FxBuildHasher>;

/// Id → its latest result. The ids are kept end to end in one string and
/// the table holds where each is: half a million results then cost no
/// allocation (and no freeing) each, which was most of the replay's time.
#[derive(Debug, Clone, Default)]
pub struct ResultsById {
    ids: String,
    /// (where the id starts in `ids`, its length, its result)
    table: hashbrown::HashTable<(u32, u32, FinalResult)>,
}

impl ResultsById {
    pub fn with_capacity(n: usize) -> ResultsById {
        ResultsById {
            ids: String::with_capacity(n * 16),
            table: hashbrown::HashTable::with_capacity(n),
        }
    }

    fn hash(id: &str) -> u64 {
        use std::hash::BuildHasher;
        rustc_hash::FxBuildHasher.hash_one(id)
    }

    fn id_at<'a>(ids: &'a str, &(start, len, _): &(u32, u32, FinalResult)) -> &'a str {
        &ids[start as usize..(start + len) as usize]
    }

    pub fn get(&self, id: &str) -> Option<&FinalResult> {
        self.table
            .find(Self::hash(id), |e| Self::id_at(&self.ids, e) == id)
            .map(|e| &e.2)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut FinalResult> {
        let ids = &self.ids;
        self.table
            .find_mut(Self::hash(id), |e| Self::id_at(ids, e) == id)
            .map(|e| &mut e.2)
    }

    /// Adds the result of an id that has none yet; false (and nothing
    /// changed) when it has one.
    pub fn insert_new(&mut self, id: &str, result: FinalResult) -> bool {
        let ids = &self.ids;
        let entry = self.table.entry(
            Self::hash(id),
            |e| Self::id_at(ids, e) == id,
            |e| Self::hash(Self::id_at(ids, e)),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(_) => false,
            hashbrown::hash_table::Entry::Vacant(place) => {
                let start = self.ids.len() as u32;
                self.ids.push_str(id);
                place.insert((start, id.len() as u32, result));
                true
            }
        }
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    pub fn values(&self) -> impl Iterator<Item = &FinalResult> {
        self.table.iter().map(|e| &e.2)
    }
}
