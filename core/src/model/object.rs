//! Map-backed model objects whose every field, known or not, survives a load/save round trip.

/// Declares a transparent wrapper over a JSON object with typed accessors for the documented
/// keys. Keeping the map itself (rather than typed fields) is what guarantees that unknown keys
/// and explicit `null`s are written back exactly as they were read.
macro_rules! object_wrapper {
    ($(#[$doc:meta])* $name:ident { $( $(#[$fdoc:meta])* $getter:ident => $key:literal ),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub crate::value::Map);

        impl $name {
            /// An empty object.
            pub fn new() -> Self {
                Self(crate::value::Map::new())
            }

            /// The underlying JSON object.
            pub fn as_map(&self) -> &crate::value::Map {
                &self.0
            }

            /// The underlying JSON object, mutably.
            pub fn as_map_mut(&mut self) -> &mut crate::value::Map {
                &mut self.0
            }

            /// Any field by its JSON key.
            pub fn get(&self, key: &str) -> Option<&crate::value::Value> {
                $crate::model::object::small_map_get(&self.0, key)
            }

            /// Sets a field (builder style).
            pub fn with(mut self, key: &str, value: impl Into<crate::value::Value>) -> Self {
                self.0.insert(key.to_owned(), value.into());
                self
            }

            $(
                $(#[$fdoc])*
                pub fn $getter(&self) -> Option<&str> {
                    self.get($key).and_then(crate::value::Value::as_str)
                }
            )*
        }

        impl From<crate::value::Map> for $name {
            fn from(map: crate::value::Map) -> Self {
                Self(map)
            }
        }
    };
}

pub(crate) use object_wrapper;

/// Objects at most this long are searched by comparing keys, not by hashing.
const LINEAR_SEARCH_MAX: usize = 8;

/// `map.get(key)`, by a scan for small objects: serde_json's ordered map hashes every lookup
/// with SipHash, a measurable share of a large run's time on edges of three to six fields
/// (docs/PERFORMANCE.md, "Engine internals").
pub(crate) fn small_map_get<'m>(
    map: &'m crate::value::Map,
    key: &str,
) -> Option<&'m crate::value::Value> {
    if map.len() <= LINEAR_SEARCH_MAX {
        map.iter().find_map(|(k, v)| (k == key).then_some(v))
    } else {
        map.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::{small_map_get, LINEAR_SEARCH_MAX};
    use crate::json;
    use crate::value::Map;

    /// Objects on both sides of the size threshold find the same fields.
    #[test]
    fn small_and_large_objects_are_searched_alike() {
        for size in [0, 1, 3, LINEAR_SEARCH_MAX, LINEAR_SEARCH_MAX + 1, 40] {
            let map: Map = (0..size).map(|i| (format!("k{i}"), json!(i))).collect();
            for i in 0..size {
                assert_eq!(
                    small_map_get(&map, &format!("k{i}")),
                    Some(&json!(i)),
                    "size {size}, key k{i}"
                );
            }
            assert_eq!(small_map_get(&map, "missing"), None);
            assert_eq!(small_map_get(&map, "k"), None, "a prefix is not a key");
        }
    }
}
