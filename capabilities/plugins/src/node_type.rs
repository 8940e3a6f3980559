//! A node type backed by a plugin: validation of its parameters, and its execution a slice of
//! fuel at a time on the host's workers.

use std::collections::HashMap;
use std::sync::Arc;

use wasmi::{CompilationMode, Config, Engine, Linker, Module};

use super::call::{Call, Step};
use super::{Failure, Limits, State};
use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::format::{json_stringify, parse_json_value};
use atomiton_core::host::{offload, BoxFuture, Capabilities, SharedHost};
use atomiton_core::nodes::schema::ENGINE_PARAMS;
use atomiton_core::nodes::{Invocation, NodeResult, NodeType, ParameterIssue};
use atomiton_core::value::{Map, ParseLimits, Value};

/// How a plugin node type is declared (the conductor config's `plugins` entry).
#[derive(Debug, Clone)]
pub struct PluginSettings {
    /// The module's bytes (`.wasm`).
    pub module: Vec<u8>,
    /// The exported function a node calls (default `run`).
    pub function: String,
    /// Values the plugin reads with `config::get`.
    pub config: HashMap<String, String>,
    pub limits: Limits,
}

/// A node type whose nodes call a plugin's function with their data (as JSON) and give what it
/// outputs (read as JSON).
pub struct PluginNodeType {
    name: String,
    plugin: Arc<Plugin>,
}

/// A plugin, shared with the workers that run it.
struct Plugin {
    settings: PluginSettings,
    engine: Engine,
    /// Validated when the node type is made; each function is translated on its first call.
    module: Module,
    linker: Linker<State>,
}

impl PluginNodeType {
    /// Node type `name`, run by the plugin `settings` describe; an error when its module is not
    /// WebAssembly this engine can run.
    pub fn new(name: &str, settings: PluginSettings) -> Result<PluginNodeType, String> {
        let mut config = Config::default();
        config.consume_fuel(true);
        // Validated now, translated function by function as they are first called.
        config.compilation_mode(CompilationMode::LazyTranslation);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, &settings.module[..]).map_err(|e| {
            format!("is not a WebAssembly module this engine can run ({})", brief(&e))
        })?;
        let linker = super::call::linker(&engine)?;
        let plugin = Plugin { settings, engine, module, linker };
        plugin.check()?;
        Ok(PluginNodeType { name: name.to_owned(), plugin: Arc::new(plugin) })
    }
}

/// An error's first line, cut short: wasmi's can go on with a dump of the bytes it read.
fn brief(error: &impl std::fmt::Display) -> String {
    let text = error.to_string();
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

impl Plugin {
    /// What can be known of the plugin before a node calls it, found now rather than at its
    /// first run: an import the engine does not provide or with another signature, memory it
    /// declares over its limit, a start function that traps, the function missing or not
    /// taking nothing and returning an i32. An instance is made with no input; its start
    /// function (rare in PDK plugins) gets at most one slice of fuel, and running out of it
    /// here is not held against the plugin.
    fn check(&self) -> Result<(), String> {
        let settings = &self.settings;
        let limits = super::Limits {
            fuel: settings.limits.slice.min(settings.limits.fuel),
            ..settings.limits
        };
        let started = Call::new(
            &self.engine,
            &self.linker,
            &self.module,
            &settings.function,
            Vec::new(),
            settings.config.clone(),
            limits,
        );
        let failure = match started {
            Ok(_) => return Ok(()),
            Err(failure) if failure.message.contains("whole fuel") => return Ok(()),
            Err(failure) => failure.message,
        };
        // wasmi names an import it cannot link as `(module,name)`.
        let unlinked = self
            .module
            .imports()
            .find(|import| failure.contains(&format!("({},{})", import.module(), import.name())));
        Err(match unlinked {
            Some(import) => format!(
                "cannot be used: it imports '{}' from '{}', which the engine does not provide, or not with that signature (a plugin gets Extism's extism:host/env functions only)",
                import.name(),
                import.module()
            ),
            None if failure.contains("resource limiter") => format!(
                "cannot be used: it asks for more memory at start than its memoryLimit ({} MiB)",
                settings.limits.memory_bytes / (1024 * 1024)
            ),
            None => format!("cannot be used: {failure}"),
        })
    }

    /// A call of the plugin's function on `input`: compiled (once) and instantiated.
    fn start(&self, input: Vec<u8>) -> Result<Call, Failure> {
        let settings = &self.settings;
        Call::new(
            &self.engine,
            &self.linker,
            &self.module,
            &settings.function,
            input,
            settings.config.clone(),
            settings.limits,
        )
    }
}

impl NodeType for PluginNodeType {
    fn type_name(&self) -> &str {
        &self.name
    }

    // A plugin reaches nothing outside its sandbox.
    fn requirements(&self, _parameters: &Map) -> Capabilities {
        Capabilities::NONE
    }

    fn check_parameters(&self, parameters: &Map) -> Vec<ParameterIssue> {
        parameters
            .keys()
            // Its data, and the engine's own (timeout, retries, idempotent, cache, ...).
            .filter(|key| key.as_str() != "data" && !ENGINE_PARAMS.contains(&key.as_str()))
            .map(|key| {
                ParameterIssue::unknown(
                    key.as_str(),
                    format!("unknown parameter '{key}': a plugin node takes 'data' (its input); the plugin's own settings are in the conductor's plugins"),
                )
            })
            .collect()
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        let name = self.name.clone();
        let plugin = self.plugin.clone();
        Box::pin(async move {
            let fail = |failure: Failure| failure.into_error(&name);
            let input = match invocation.input_value("data").or_else(|| invocation.param("data")) {
                None => b"null".to_vec(),
                Some(value) => json_stringify(value)
                    .map_err(|e| {
                        fail(Failure::failed(format!(
                            "data cannot cross to the plugin as JSON: {e}"
                        )))
                    })?
                    .unwrap_or_else(|| "null".to_owned())
                    .into_bytes(),
            };
            // Instantiated and its first slice run in one trip to a worker: most calls need no more.
            let first = offload(&host, move || {
                plugin.start(input).map(|mut call| {
                    let step = call.step();
                    (call, step)
                })
            });
            let (mut call, mut step) = first.await?.map_err(fail)?;
            let output = loop {
                if let Step::Done(done) = step {
                    log(&invocation, call.take_logs());
                    break done.map_err(fail)?;
                }
                // A host without workers (a browser tab) runs slices on its one thread: the page
                // gets a turn between them.
                if !host.has_workers() {
                    host.sleep(0.0).await;
                }
                // Between slices: a cancelled node (or one past its timeout, which cancels it)
                // stops here, its instance dropped.
                if invocation.signal.is_cancelled() {
                    return Err(ExecutionError::new(
                        ErrorCode::CANCELLED,
                        format!("[{name}] cancelled"),
                    ));
                }
                (call, step) = offload(&host, move || {
                    let step = call.step();
                    (call, step)
                })
                .await?;
            };
            let text = String::from_utf8(output).map_err(|_| {
                fail(Failure::failed("the plugin's output is not UTF-8 text (JSON)"))
            })?;
            if text.is_empty() {
                return Ok(Some(Value::Null));
            }
            parse_json_value(&text, &ParseLimits::default()).map(Some).map_err(|e| {
                fail(Failure::failed(format!("the plugin's output is not JSON: {}", e.message)))
            })
        })
    }
}

/// What the plugin logged, into the run's logs.
fn log(invocation: &Invocation, lines: Vec<(&'static str, String)>) {
    for (level, text) in lines {
        invocation.run.log(&invocation.node_id, level, text);
    }
}
