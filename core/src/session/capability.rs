//! Capabilities a binding adds to its sessions from crates of their own (the WebAssembly node
//! types of `atomiton-plugins`, the traced runs of `atomiton-telemetry`, the templates of
//! `atomiton-catalog`, the executors of the node types that need files and processes in
//! `atomiton-effects`): the engine owns this
//! trait, a capability crate implements it, and a binding built with the capability passes it
//! to [`SessionConfig::new_engine`](super::SessionConfig::new_engine). A build without it passes
//! none, which is the no-op: the engine has the built-in node types only, a config that asks for
//! the capability is refused, saying where it runs, and a run's `telemetry` is left unused. The
//! capability's code is not in that build at all (the browser's default module, whose size is
//! budgeted).

use std::sync::Arc;

use crate::error::Result;
use crate::nodes::NodeRegistry;
use crate::telemetry::RunTracing;
use crate::value::Value;

/// A capability: a section of the conductor config with the node types it adds, or the tracing
/// of runs, or both. Every method has the default of a capability that does not do that part.
pub trait SessionCapability {
    /// The config key whose section it owns (`"plugins"`), if any.
    fn section(&self) -> Option<&'static str> {
        None
    }

    /// Provides executors for node types the registry declares (see
    /// [`NodeExecutor`](crate::nodes::NodeExecutor)), whatever the config says.
    fn provide(&self, registry: &mut NodeRegistry) {
        let _ = registry;
    }

    /// Adds its node types for `section` (the config's value under [`section`](Self::section))
    /// to `registry`, which holds the built-in types; an error names what is wrong in the section.
    fn install(&self, section: &Value, registry: &mut NodeRegistry) -> Result<()> {
        let _ = (section, registry);
        Ok(())
    }

    /// What traces the runs whose options ask for it (`telemetry`), if this capability does.
    fn tracing(&self) -> Option<Arc<dyn RunTracing>> {
        None
    }

    /// Whether this capability keeps node results (`atomiton-cache`): a config may then ask
    /// for a cache, which the binding opens where the session's placement says and gives the
    /// session ([`Session::with_cache`](crate::session::Session::with_cache)).
    fn keeps_results(&self) -> bool {
        false
    }

    /// Flows a run's `sub-flow` nodes may call when no saved flow has the id (the bundled
    /// templates of `atomiton-catalog`), if this capability has some.
    fn bundled_flows(&self) -> Option<Arc<dyn crate::engine::FlowSource>> {
        None
    }
}
