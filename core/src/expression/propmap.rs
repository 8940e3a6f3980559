//! Insertion-ordered property map for objects created during evaluation.
//!
//! Small objects (the common case: records with a handful of fields) use a linear scan,
//! which beats hashing; past `INDEX_AT` entries a hash index keeps inserts and lookups
//! O(1), so hostile inputs like `Object.fromEntries` of 100k pairs stay linear.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use super::value::Val;

const INDEX_AT: usize = 12;

/// A property key: borrowed from the caller or the program where possible.
#[derive(Debug, Clone)]
pub(super) enum Key<'a> {
    B(&'a str),
    R(Rc<String>),
}

impl Key<'_> {
    pub fn as_str(&self) -> &str {
        match self {
            Key::B(s) => s,
            Key::R(s) => s.as_str(),
        }
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Key<'_> {}

impl Hash for Key<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl Borrow<str> for Key<'_> {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

#[derive(Debug, Clone, Default)]
pub(super) struct PropMap<'a> {
    entries: Vec<(Key<'a>, Val<'a>)>,
    index: Option<HashMap<Key<'a>, usize>>,
}

impl<'a> PropMap<'a> {
    pub fn with_capacity(n: usize) -> Self {
        PropMap { entries: Vec::with_capacity(n), index: None }
    }

    /// Reserves room for `n` more entries (spreads know their size up front).
    pub fn reserve(&mut self, n: usize) {
        // `reserve_exact`: the final size is known, and objects are never grown again.
        self.entries.reserve_exact(n);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => {
                self.entries.iter().position(|(k, _)| super::interpreter::short_eq(k.as_str(), key))
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&Val<'a>> {
        let i = self.position(key)?;
        self.entries.get(i).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets a property; an existing key keeps its position, as in JavaScript.
    pub fn insert(&mut self, key: Key<'a>, value: Val<'a>) {
        if let Some(i) = self.position(key.as_str()) {
            if let Some(slot) = self.entries.get_mut(i) {
                slot.1 = value;
            }
            return;
        }
        let i = self.entries.len();
        if let Some(index) = &mut self.index {
            index.insert(key.clone(), i);
        } else if i >= INDEX_AT {
            let mut index: HashMap<Key<'a>, usize> = HashMap::with_capacity(i * 2);
            for (j, (k, _)) in self.entries.iter().enumerate() {
                index.insert(k.clone(), j);
            }
            index.insert(key.clone(), i);
            self.index = Some(index);
        }
        self.entries.push((key, value));
    }

    pub fn iter(&self) -> std::slice::Iter<'_, (Key<'a>, Val<'a>)> {
        self.entries.iter()
    }
}
