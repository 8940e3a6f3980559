//! [`Map`]: the ordered object behind [`super::Value::Object`].

use std::ops::{Deref, DerefMut};

use indexmap::IndexMap;

use super::Value;

/// An ordered JSON-style object: keys keep their insertion order (as JavaScript objects do for
/// string keys), lookups hash. It derefs to [`IndexMap`] for everything a map does.
///
/// Boxed, so that [`Value`] stays 32 bytes rather than 72: arrays of values are the engine's
/// bulk data, and their size is memory bandwidth in every node that walks them.
#[derive(Clone, Default)]
pub struct Map<K = String, V = Value>(Box<IndexMap<K, V>>);

impl<K: std::hash::Hash + Eq, V: PartialEq> PartialEq for Map<K, V> {
    /// Same entries, in any order (as `IndexMap` compares).
    fn eq(&self, other: &Self) -> bool {
        *self.0 == *other.0
    }
}

impl<K, V> Map<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Map(Box::new(IndexMap::new()))
    }

    /// An empty map with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        Map(Box::new(IndexMap::with_capacity(capacity)))
    }

    /// The map itself.
    pub fn into_inner(self) -> IndexMap<K, V> {
        *self.0
    }
}

impl<K, V> Deref for Map<K, V> {
    type Target = IndexMap<K, V>;

    fn deref(&self) -> &IndexMap<K, V> {
        &self.0
    }
}

impl<K, V> DerefMut for Map<K, V> {
    fn deref_mut(&mut self) -> &mut IndexMap<K, V> {
        &mut self.0
    }
}

impl<K: std::fmt::Debug, V: std::fmt::Debug> std::fmt::Debug for Map<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<K: std::hash::Hash + Eq, V> FromIterator<(K, V)> for Map<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Map(Box::new(IndexMap::from_iter(iter)))
    }
}

impl<K: std::hash::Hash + Eq, V> Extend<(K, V)> for Map<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl<K, V> From<IndexMap<K, V>> for Map<K, V> {
    fn from(map: IndexMap<K, V>) -> Self {
        Map(Box::new(map))
    }
}

impl<K, V> IntoIterator for Map<K, V> {
    type Item = (K, V);
    type IntoIter = indexmap::map::IntoIter<K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a Map<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = indexmap::map::Iter<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut Map<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = indexmap::map::IterMut<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter_mut()
    }
}

impl<K: serde::Serialize, V: serde::Serialize> serde::Serialize for Map<K, V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, K: serde::Deserialize<'de> + std::hash::Hash + Eq, V: serde::Deserialize<'de>> serde::Deserialize<'de> for Map<K, V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IndexMap::deserialize(deserializer).map(|map| Map(Box::new(map)))
    }
}
