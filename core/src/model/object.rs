//! Map-backed model objects whose every field, known or not, survives a load/save round trip.

/// Declares a transparent wrapper over a JSON object with typed accessors for the documented
/// keys. Keeping the map itself (rather than typed fields) is what guarantees that unknown keys
/// and explicit `null`s are written back exactly as they were read.
macro_rules! object_wrapper {
    ($(#[$doc:meta])* $name:ident { $( $(#[$fdoc:meta])* $getter:ident => $key:literal ),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub serde_json::Map<String, serde_json::Value>);

        impl $name {
            /// An empty object.
            pub fn new() -> Self {
                Self(serde_json::Map::new())
            }

            /// The underlying JSON object.
            pub fn as_map(&self) -> &serde_json::Map<String, serde_json::Value> {
                &self.0
            }

            /// The underlying JSON object, mutably.
            pub fn as_map_mut(&mut self) -> &mut serde_json::Map<String, serde_json::Value> {
                &mut self.0
            }

            /// Any field by its JSON key.
            pub fn get(&self, key: &str) -> Option<&serde_json::Value> {
                self.0.get(key)
            }

            /// Sets a field (builder style).
            pub fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
                self.0.insert(key.to_owned(), value.into());
                self
            }

            $(
                $(#[$fdoc])*
                pub fn $getter(&self) -> Option<&str> {
                    self.0.get($key).and_then(serde_json::Value::as_str)
                }
            )*
        }

        impl From<serde_json::Map<String, serde_json::Value>> for $name {
            fn from(map: serde_json::Map<String, serde_json::Value>) -> Self {
                Self(map)
            }
        }
    };
}

pub(crate) use object_wrapper;
