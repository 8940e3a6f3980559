//! [`Map`]: the ordered object behind [`super::Value::Object`].
//!
//! Most objects in a flow's data are records of a handful of keys, and there are many of them:
//! a 10,000-row spreadsheet is 10,000 objects. A record is one allocation here — its entries, in
//! insertion order, found by comparing keys, which for a few short keys is faster than hashing
//! them. Only an object past [`INDEX_AT`] keys also keeps a hash index, so that lookups stay O(1)
//! whatever a hostile input builds (an object of 100,000 keys). An `IndexMap` took three
//! allocations per record (the box, its index, its entries) and hashed every key on insert.

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash, RandomState};

use hashbrown::HashTable;

use super::{Str, Value};

/// Entries past which a map keeps a hash index of its keys.
const INDEX_AT: usize = 16;

/// An ordered JSON-style object: keys keep their insertion order (as JavaScript objects do for
/// string keys); setting a key that is there keeps its place. The same size as a `Vec`, so
/// [`Value`] stays 32 bytes.
#[derive(Clone, Default)]
pub struct Map<K = Str, V = Value> {
    entries: Vec<(K, V)>,
    /// Positions in `entries` by key hash, for maps past [`INDEX_AT`] entries.
    index: Option<Box<Index>>,
}

#[derive(Clone)]
struct Index {
    table: HashTable<usize>,
    hasher: RandomState,
}

impl<K, V> Map<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Map { entries: Vec::new(), index: None }
    }

    /// An empty map with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        Map { entries: Vec::with_capacity(capacity), index: None }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Where the entries are and their size in bytes (for a prefetch).
    pub(super) fn entries_span(&self) -> (*const u8, usize) {
        (self.entries.as_ptr().cast(), std::mem::size_of_val(self.entries.as_slice()))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Makes room for `additional` more entries.
    pub fn reserve(&mut self, additional: usize) {
        self.entries.reserve(additional);
    }

    /// A copy with room for `additional` more entries, made in one allocation.
    pub fn clone_with_room(&self, additional: usize) -> Self
    where
        K: Clone,
        V: Clone,
    {
        let mut entries = Vec::with_capacity(self.entries.len() + additional);
        entries.extend(self.entries.iter().cloned());
        Map { entries, index: self.index.clone() }
    }

    /// The entry at `index` in insertion order.
    pub fn get_index(&self, index: usize) -> Option<(&K, &V)> {
        self.entries.get(index).map(|(k, v)| (k, v))
    }

    /// The entry at `index` in insertion order, its value writable.
    pub fn get_index_mut(&mut self, index: usize) -> Option<(&K, &mut V)> {
        self.entries.get_mut(index).map(|(k, v)| (&*k, v))
    }

    /// The entries in insertion order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter(self.entries.iter())
    }

    /// The entries in insertion order, their values writable.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut(self.entries.iter_mut())
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }
}

impl<K: Borrow<str> + Hash + Eq, V> Map<K, V> {
    /// Where `key` is, if it is there.
    pub(super) fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => {
                let hash = index.hasher.hash_one(key);
                index
                    .table
                    .find(hash, |&at| self.entries.get(at).is_some_and(|(k, _)| k.borrow() == key))
                    .copied()
            }
            None => self.entries.iter().position(|(k, _)| k.borrow() == key),
        }
    }

    /// The value under `key` (a `&str`, `&String` or key).
    pub fn get<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<&V> {
        self.position(key.as_ref()).and_then(|at| self.entries.get(at)).map(|(_, v)| v)
    }

    pub fn get_mut<Q: AsRef<str> + ?Sized>(&mut self, key: &Q) -> Option<&mut V> {
        let at = self.position(key.as_ref())?;
        self.entries.get_mut(at).map(|(_, v)| v)
    }

    pub fn contains_key<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> bool {
        self.position(key.as_ref()).is_some()
    }

    /// Sets `key` to `value`: a key that is there keeps its place (its old value is returned), a
    /// new one goes last.
    pub fn insert(&mut self, key: impl Into<K>, value: V) -> Option<V> {
        let key = key.into();
        if let Some(at) = self.position(key.borrow()) {
            return self.entries.get_mut(at).map(|(_, slot)| std::mem::replace(slot, value));
        }
        self.push_new(key, value);
        None
    }

    /// A map of `entries` whose keys the caller knows are distinct (a record's keys made unique
    /// beforehand): no search for them. A key given twice would be there twice.
    pub(crate) fn from_unique(entries: Vec<(K, V)>) -> Self {
        let mut map = Map { entries, index: None };
        if map.entries.len() > INDEX_AT {
            map.rebuild_index();
        }
        map
    }

    /// Appends an entry whose key is not in the map.
    fn push_new(&mut self, key: K, value: V) {
        let at = self.entries.len();
        if let Some(index) = &mut self.index {
            let Index { table, hasher } = &mut **index;
            let entries = &self.entries;
            table.insert_unique(hasher.hash_one(key.borrow()), at, |&i| {
                entries.get(i).map_or(0, |(k, _)| hasher.hash_one(k.borrow()))
            });
        }
        self.entries.push((key, value));
        if self.index.is_none() && self.entries.len() > INDEX_AT {
            self.rebuild_index();
        }
    }

    fn rebuild_index(&mut self) {
        if self.entries.len() <= INDEX_AT {
            self.index = None;
            return;
        }
        let hasher = self.index.take().map_or_else(RandomState::new, |index| index.hasher);
        let mut table = HashTable::with_capacity(self.entries.len());
        for (at, (key, _)) in self.entries.iter().enumerate() {
            let hash = hasher.hash_one(key.borrow());
            table.insert_unique(hash, at, |&i| {
                self.entries.get(i).map_or(0, |(k, _)| hasher.hash_one(k.borrow()))
            });
        }
        self.index = Some(Box::new(Index { table, hasher }));
    }

    /// Removes `key`, keeping the others in order (O(n), as a shift of what follows it).
    pub fn shift_remove<Q: AsRef<str> + ?Sized>(&mut self, key: &Q) -> Option<V> {
        let at = self.position(key.as_ref())?;
        let (_, value) = self.entries.remove(at);
        if self.index.is_some() {
            self.rebuild_index();
        }
        Some(value)
    }

    /// The entry for `key`, to fill if it is vacant.
    pub fn entry(&mut self, key: impl Into<K>) -> Entry<'_, K, V> {
        let key = key.into();
        match self.position(key.borrow()) {
            Some(at) => Entry { map: self, at: Ok(at) },
            None => Entry { map: self, at: Err(key) },
        }
    }
}

/// A key's place in a [`Map`], found or to be filled ([`Map::entry`]).
pub struct Entry<'m, K, V> {
    map: &'m mut Map<K, V>,
    /// Where the key is, or the key to add.
    at: Result<usize, K>,
}

impl<'m, K: Borrow<str> + Hash + Eq, V> Entry<'m, K, V> {
    /// The value, set to `default` first if the key was not there.
    pub fn or_insert(self, default: V) -> &'m mut V {
        self.or_insert_with(|| default)
    }

    /// The value, set to what `make` gives first if the key was not there.
    pub fn or_insert_with(self, make: impl FnOnce() -> V) -> &'m mut V {
        let at = match self.at {
            Ok(at) => at,
            Err(key) => {
                self.map.push_new(key, make());
                self.map.entries.len() - 1
            }
        };
        // `at` is a position the map has: found, or the entry just pushed.
        &mut self.map.entries[at].1
    }
}

impl std::ops::Index<&str> for Map<Str, Value> {
    type Output = Value;

    /// `map["key"]`: the value, or `Null` when absent (as [`Value`]'s own indexing gives it).
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&super::NULL)
    }
}

impl<K: Borrow<str> + Hash + Eq, V: PartialEq> PartialEq for Map<K, V> {
    /// Same entries, in any order (as JavaScript's deep equality of objects compares them).
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k.borrow()) == Some(v))
    }
}

impl<K: std::fmt::Debug, V: std::fmt::Debug> std::fmt::Debug for Map<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.entries.iter().map(|(k, v)| (k, v))).finish()
    }
}

impl<K: Borrow<str> + Hash + Eq, V, Q: Into<K>> FromIterator<(Q, V)> for Map<K, V> {
    /// A key given twice keeps its first place and its last value.
    fn from_iter<I: IntoIterator<Item = (Q, V)>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut map = Map::with_capacity(iter.size_hint().0);
        map.extend(iter);
        map
    }
}

impl<K: Borrow<str> + Hash + Eq, V, Q: Into<K>> Extend<(Q, V)> for Map<K, V> {
    fn extend<I: IntoIterator<Item = (Q, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert(key, value);
        }
    }
}

/// The entries of a [`Map`] in insertion order.
#[derive(Clone)]
pub struct Iter<'a, K, V>(std::slice::Iter<'a, (K, V)>);

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for Iter<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

/// The entries of a [`Map`] in insertion order, their values writable.
pub struct IterMut<'a, K, V>(std::slice::IterMut<'a, (K, V)>);

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&*k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<K, V> IntoIterator for Map<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a Map<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut Map<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<K: serde::Serialize, V: serde::Serialize> serde::Serialize for Map<K, V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.entries.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de, K: serde::Deserialize<'de> + Borrow<str> + Hash + Eq, V: serde::Deserialize<'de>>
    serde::Deserialize<'de> for Map<K, V>
{
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<K, V>(std::marker::PhantomData<(K, V)>);
        impl<
                'de,
                K: serde::Deserialize<'de> + Borrow<str> + Hash + Eq,
                V: serde::Deserialize<'de>,
            > serde::de::Visitor<'de> for Entries<K, V>
        {
            type Value = Map<K, V>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut access: A,
            ) -> Result<Map<K, V>, A::Error> {
                // A size hint is the sender's claim: capped, so a lying one reserves little.
                let mut map = Map::with_capacity(access.size_hint().unwrap_or(0).min(4096));
                while let Some((key, value)) = access.next_entry::<K, V>()? {
                    map.insert(key, value);
                }
                Ok(map)
            }
        }
        deserializer.deserialize_map(Entries(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyed(n: usize) -> Map<String, usize> {
        (0..n).map(|i| (format!("k{i}"), i)).collect()
    }

    #[test]
    fn keys_keep_their_first_place_and_take_their_last_value() {
        for n in [3, INDEX_AT, INDEX_AT + 1, 1000] {
            let mut map = keyed(n);
            assert_eq!(map.insert("k1", 100), Some(1));
            assert_eq!(map.get("k1"), Some(&100));
            assert_eq!(map.keys().nth(1).map(String::as_str), Some("k1"), "{n} keys");
            assert_eq!(map.insert("new", 7), None);
            assert_eq!(map.keys().last().map(String::as_str), Some("new"));
            assert_eq!(map.len(), n + 1);
            assert!(map.get("missing").is_none());
            assert!(
                (0..n).all(|i| map.get(format!("k{i}").as_str()).is_some()),
                "every key found with {n} keys"
            );
        }
    }

    #[test]
    fn removing_keeps_the_order_and_the_index_right() {
        for n in [5, INDEX_AT + 1, 300] {
            let mut map = keyed(n);
            assert_eq!(map.shift_remove("k0"), Some(0));
            assert_eq!(map.shift_remove("k0"), None);
            assert_eq!(map.keys().next().map(String::as_str), Some("k1"));
            assert!((1..n).all(|i| map.get(format!("k{i}").as_str()) == Some(&i)), "{n} keys");
            *map.entry("k2").or_insert(0) += 1;
            assert_eq!(map.get("k2"), Some(&3));
            assert_eq!(*map.entry("fresh").or_insert_with(|| 9), 9);
            assert_eq!(map.len(), n);
        }
    }

    #[test]
    fn equality_ignores_order_and_a_large_map_is_found_by_hash() {
        let a: Map<String, usize> =
            [("x".to_owned(), 1), ("y".to_owned(), 2)].into_iter().collect();
        let b: Map<String, usize> =
            [("y".to_owned(), 2), ("x".to_owned(), 1)].into_iter().collect();
        assert_eq!(a, b);
        let big = keyed(100_000);
        assert!(big.index.is_some());
        assert_eq!(big.get("k99999"), Some(&99_999));
        assert_eq!(big, big.clone());
    }
}
