//! The set of node types an engine knows.

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use super::NodeType;

/// Node types by name. Custom JS executors are not here: they are declared per run, because
/// `nodeExecutorFactory` is consulted first for every type.
#[derive(Clone, Default)]
pub struct NodeRegistry {
    types: HashMap<String, Arc<dyn NodeType>>,
}

impl NodeRegistry {
    /// A registry with no types.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Adds or replaces a type.
    pub fn register(&mut self, node_type: Arc<dyn NodeType>) -> &mut Self {
        self.types.insert(node_type.type_name().to_owned(), node_type);
        self
    }

    /// Builder form of [`register`](Self::register).
    pub fn with(mut self, node_type: impl NodeType) -> Self {
        self.register(Arc::new(node_type));
        self
    }

    pub fn get(&self, name: &str) -> Option<&Arc<dyn NodeType>> {
        self.types.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.types.contains_key(name)
    }

    /// Registered type names, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.types.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }
}

impl std::fmt::Debug for NodeRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeRegistry").field("types", &self.names()).finish()
    }
}
