//! Capabilities a binding adds to its sessions from crates of their own (the WebAssembly node
//! types of `atomiton-plugins`): the engine owns this trait, a capability crate implements it,
//! and a binding built with the capability passes it to
//! [`SessionConfig::new_engine`](super::SessionConfig::new_engine). A build without it passes
//! none, which is the no-op: the engine has the built-in node types only, and a config that asks
//! for the capability is refused, saying where it runs. The capability's code is not in that
//! build at all (the browser's default module, whose size is budgeted).

use crate::error::Result;
use crate::nodes::NodeRegistry;
use crate::value::Value;

/// A capability that owns a section of the conductor config and adds node types for it.
pub trait SessionCapability {
    /// The config key it owns (`"plugins"`).
    fn key(&self) -> &'static str;

    /// Adds its node types for `section` (the config's value under [`key`](Self::key)) to
    /// `registry`, which holds the built-in types; an error names what is wrong in the section.
    fn install(&self, section: &Value, registry: &mut NodeRegistry) -> Result<()>;
}
