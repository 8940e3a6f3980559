//! A node's input: `{[targetHandle || "default"]: <whole output of the source>}`, as the TypeScript
//! engine built it.

use std::sync::Arc;

use crate::value::{Map, Value};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// An ordered map from input key to a shared upstream output. Outputs are shared, never copied,
/// so passing a 100k-item result down a chain costs nothing per hop.
#[derive(Clone, Default, Debug, PartialEq)]
pub struct NodeInput {
    entries: Arc<Vec<(Arc<str>, Arc<Value>)>>,
}

impl NodeInput {
    pub fn empty() -> Self {
        Self::default()
    }

    /// From ordered entries; a repeated key keeps its first position and the later value
    /// (`{...acc, [key]: out}` in the TypeScript engine).
    pub fn from_entries(entries: impl IntoIterator<Item = (Arc<str>, Arc<Value>)>) -> Self {
        let entries = entries.into_iter();
        // The upper bound is exact for the scheduler's filtered edge list; cap it so a wrong
        // hint cannot reserve much.
        let mut list: Vec<(Arc<str>, Arc<Value>)> =
            Vec::with_capacity(entries.size_hint().1.unwrap_or(0).min(16));
        // Keys are few in practice (a linear scan is fastest); an index keeps a wide fan-in linear.
        let mut index: Option<rustc_hash::FxHashMap<Arc<str>, usize>> = None;
        for (key, value) in entries {
            if index.is_none() && list.len() >= 16 {
                index = Some(list.iter().enumerate().map(|(i, (k, _))| (k.clone(), i)).collect());
            }
            let existing = match &index {
                Some(index) => index.get(&key).copied(),
                None => list.iter().position(|(k, _)| *k == key),
            };
            match existing {
                Some(at) => list[at].1 = value,
                None => {
                    if let Some(index) = index.as_mut() {
                        index.insert(key.clone(), list.len());
                    }
                    list.push((key, value));
                }
            }
        }
        NodeInput { entries: Arc::new(list) }
    }

    /// A run's `input` option: an object becomes its entries, `null` nothing, and any other value
    /// arrives under `"default"`.
    pub fn from_value(value: Value) -> Self {
        match value {
            Value::Object(map) => {
                Self::from_entries(map.into_iter().map(|(k, v)| (Arc::from(k), Arc::new(v))))
            }
            Value::Null => Self::empty(),
            other => Self::from_entries([(Arc::from("default"), Arc::new(other))]),
        }
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| &**k == key).map(|(_, v)| &**v)
    }

    /// The shared value under `key`.
    pub fn get_shared(&self, key: &str) -> Option<&Arc<Value>> {
        self.entries.iter().find(|(k, _)| &**k == key).map(|(_, v)| v)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn entries(&self) -> &[(Arc<str>, Arc<Value>)] {
        &self.entries
    }

    /// Whether any value holds a value kept by the embedder (see [`Value::holds_js`]).
    pub fn holds_js(&self) -> bool {
        self.entries.iter().any(|(_, v)| v.holds_js())
    }

    /// The same keys with other values (in the same order), e.g. after the embedder wrote its
    /// values out in full.
    pub fn with_values(&self, values: Vec<Value>) -> NodeInput {
        NodeInput::from_entries(
            self.entries.iter().map(|(k, _)| k.clone()).zip(values.into_iter().map(Arc::new)),
        )
    }

    /// A JSON object copy (used where a node's input becomes its output, e.g. a skipped node).
    pub fn to_value(&self) -> Value {
        Value::Object(
            self.entries.iter().map(|(k, v)| (k.to_string(), (**v).clone())).collect::<Map<_, _>>(),
        )
    }
}

impl Serialize for NodeInput {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (key, value) in self.entries.iter() {
            map.serialize_entry(&**key, &**value)?;
        }
        map.end()
    }
}
