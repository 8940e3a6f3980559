//! The conductor config's `plugins` section, which this crate owns: one WebAssembly node type
//! per entry, added to a session's engine through the engine's [`SessionCapability`].

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use atomiton_core::error::{ExecutionError, Result};
use atomiton_core::nodes::NodeRegistry;
use atomiton_core::options::serde_error;
use atomiton_core::session::SessionCapability;
use atomiton_core::value::Value;
use serde::Deserialize;

use crate::{Limits, PluginNodeType, PluginSettings};

/// WebAssembly node types: what a binding built with them passes to
/// [`SessionConfig::new_engine`](atomiton_core::session::SessionConfig::new_engine).
pub struct Plugins;

impl SessionCapability for Plugins {
    fn section(&self) -> Option<&'static str> {
        Some("plugins")
    }

    /// `plugins: {<type>: {module, function, config, memoryLimit, fuel}}`; a plugin that cannot
    /// be read, or that takes a built-in type's name, is an error naming it.
    fn install(&self, section: &Value, registry: &mut NodeRegistry) -> Result<()> {
        // Read from JSON text with serde_json's own reader, the one the rest of the config is
        // read with: the engine's `value::from_value` would compile this section's readers again
        // for its own two readers, in every module that links this crate.
        let plugins: BTreeMap<String, PluginConfig> = serde_json::to_string(section)
            .and_then(|text| serde_json::from_str(&text))
            .map_err(|e| serde_error::invalid("conductor config", &e))?;
        for (name, plugin) in &plugins {
            if registry.contains(name) {
                return Err(invalid(
                    &format!("plugins.{name}"),
                    "must be named apart from the built-in node types, not a built-in's name",
                ));
            }
            // The option the user wrote (`wasm`: bytes, or a path the npm package reads), which
            // arrives here as the module's bytes.
            let field = format!("plugins.{name}.wasm");
            let settings = plugin.settings().map_err(|e| {
                invalid(&field, &format!("must be a WebAssembly module's bytes (base64), not {e}"))
            })?;
            let node_type = PluginNodeType::new(name, settings).map_err(|e| invalid(&field, &e))?;
            registry.register(Arc::new(node_type));
        }
        Ok(())
    }
}

/// `'<field>' <what>`, as the conductor config's other errors say it.
fn invalid(field: &str, what: &str) -> ExecutionError {
    ExecutionError::validation(format!("Invalid conductor config: '{field}' {what}"))
}

/// One of `plugins`: a WebAssembly node type.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PluginConfig {
    /// The module's bytes, base64.
    module: String,
    /// The exported function its nodes call (default `run`).
    function: Option<String>,
    /// Values the plugin reads with its PDK's `config::get`.
    #[serde(default)]
    config: HashMap<String, String>,
    /// Bytes of memory at most (default 64 MiB).
    memory_limit: Option<usize>,
    /// Fuel a call may spend (about one unit per instruction; default 10 billion).
    fuel: Option<u64>,
}

impl PluginConfig {
    fn settings(&self) -> std::result::Result<PluginSettings, String> {
        use base64::Engine as _;
        let module = base64::engine::general_purpose::STANDARD
            .decode(&self.module)
            .map_err(|e| e.to_string())?;
        let defaults = Limits::default();
        Ok(PluginSettings {
            module,
            function: self.function.clone().unwrap_or_else(|| "run".to_owned()),
            config: self.config.clone(),
            limits: Limits {
                memory_bytes: self.memory_limit.unwrap_or(defaults.memory_bytes),
                fuel: self.fuel.unwrap_or(defaults.fuel),
                ..defaults
            },
        })
    }
}
