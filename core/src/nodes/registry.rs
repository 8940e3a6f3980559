//! The set of node types an engine knows.

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use super::{NodeExecutor, NodeType};

/// Node types by name, and the executors capability crates provide for some of them. Custom JS
/// executors are not here: they are declared per run, because `nodeExecutorFactory` is consulted
/// first for every type.
#[derive(Clone, Default)]
pub struct NodeRegistry {
    types: HashMap<String, Arc<dyn NodeType>>,
    // A handful at most (five with `atomiton-effects`), none in the browser's modules: a list
    // costs that module less code than another map.
    executors: Vec<(String, Arc<dyn NodeExecutor>)>,
}

impl NodeRegistry {
    /// A registry with no types.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Adds or replaces a type (a type replaced loses the executor provided for the one before).
    pub fn register(&mut self, node_type: Arc<dyn NodeType>) -> &mut Self {
        self.executors.retain(|(name, _)| name != node_type.type_name());
        self.types.insert(node_type.type_name().to_owned(), node_type);
        self
    }

    /// Runs the nodes of the registered type `type_name` with `executor` (see
    /// [`NodeExecutor`]); `false`, and nothing changes, when no such type is registered.
    pub fn provide(&mut self, type_name: &str, executor: Arc<dyn NodeExecutor>) -> bool {
        if !self.types.contains_key(type_name) {
            return false;
        }
        self.executors.retain(|(name, _)| name != type_name);
        self.executors.push((type_name.to_owned(), executor));
        true
    }

    /// The executor provided for `type_name`, if any.
    pub fn executor(&self, type_name: &str) -> Option<&Arc<dyn NodeExecutor>> {
        self.executors.iter().find(|(name, _)| name == type_name).map(|(_, executor)| executor)
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::NodeRegistry;
    use crate::host::{BoxFuture, SharedHost};
    use crate::nodes::{FnNode, Invocation, NodeExecutor, NodeResult};

    struct Says(&'static str);

    impl NodeExecutor for Says {
        fn execute(&self, _: Invocation, _: SharedHost) -> BoxFuture<'static, NodeResult> {
            let said = self.0;
            Box::pin(async move { Ok(Some(crate::json!(said))) })
        }
    }

    #[test]
    fn an_executor_is_provided_only_for_a_declared_type_and_goes_with_it() {
        let mut registry = NodeRegistry::empty().with(FnNode::sync("declared", |_| Ok(None)));
        assert!(!registry.provide("undeclared", Arc::new(Says("no"))), "nothing to run");
        assert!(registry.executor("undeclared").is_none() && !registry.contains("undeclared"));
        assert!(registry.provide("declared", Arc::new(Says("provided"))));
        assert!(registry.executor("declared").is_some());
        // A type registered again under the name is a new type: the executor was for the old one.
        registry.register(Arc::new(FnNode::sync("declared", |_| Ok(None))));
        assert!(registry.executor("declared").is_none());
    }
}
