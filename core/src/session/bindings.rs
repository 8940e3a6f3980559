//! The conductor methods and module functions the napi addon and the wasm module share, written
//! once.
//!
//! Both bindings wrap a [`Session`](super::Session) in a JS class (`NativeConductor`,
//! `WasmConductor`), and the TypeScript layer drives either through one interface
//! (`npm/src/engines/session/handle.ts`). When each binding wrote its own forwarders, they
//! drifted apart (a method on one target only, a feature gate on one side), so every method
//! whose JS signature is the same on both targets comes from [`session_forwarders!`]. What
//! differs between the targets is passed in: the attribute, how binary data arrives, and how a
//! future becomes a Promise. The methods whose argument or result types differ (the
//! constructor, `run`, `setNotifier`, `takeCompleted`, `takeCalls`) and the native addon's own
//! (`running`, `markCrashed`) stay in each binding. The module functions come from
//! [`catalog_forwarders!`]. `npm/test/binding-surface.test.mjs` checks that the two targets still
//! have the same methods and functions.

/// Emits `impl` blocks of forwarders to `self.session` (an `Arc<Session>`) for a binding's
/// conductor class.
///
/// A macro rather than a trait or a shared module: `#[napi]` and `#[wasm_bindgen]` only export
/// methods they see written out in the `impl` block they are attached to (an attribute macro
/// sees a macro call inside the block unexpanded), so the whole block has to be emitted, once
/// per target, with that target's attribute.
///
/// The class needs a field `session: Arc<Session>` and a method `fn enter(&self) -> impl Sized`
/// whose result is held while runs are polled (the native addon's tokio runtime context).
///
/// ```text
/// atomiton_core::session_forwarders! {
///     attribute: napi;                      // or wasm_bindgen
///     class: NativeConductor;
///     sync: [catch_unwind];                 // more attribute arguments on synchronous methods
///     buffers: Vec<Buffer> => from_buffers;  // binary data from JS as `Vec<Arc<[u8]>>`
///     promises: async fn -> String;          // or `fn -> Promise = text_promise`, see below
/// }
/// ```
///
/// `promises` says how the storage and history methods return their Promise: as an `async fn`
/// (napi), or as a plain method returning what `wrap(future)` makes of the session's
/// `BoxFuture<'static, String>` (wasm: `future_to_promise`, which keeps nothing borrowed while
/// the Promise is pending, where a wasm-bindgen `async fn(&self)` would hold the object
/// borrowed until it settles).
///
/// `controlRun` and `executions` are emitted when the core has the `debugger` and `history`
/// features: a class has them exactly when its session does.
#[macro_export]
macro_rules! session_forwarders {
    (
        attribute: $attr:ident;
        class: $class:ident;
        sync: [$($sync:ident),* $(,)?];
        buffers: $buffers:ty => $from_buffers:ident;
        promises: async fn -> $ret:ident;
    ) => {
        $crate::session_forwarders!(@emit $attr $class [$($sync),*] [$buffers] $from_buffers [async] $ret await);
    };
    (
        attribute: $attr:ident;
        class: $class:ident;
        sync: [$($sync:ident),* $(,)?];
        buffers: $buffers:ty => $from_buffers:ident;
        promises: fn -> $ret:ident = $wrap:ident;
    ) => {
        $crate::session_forwarders!(@emit $attr $class [$($sync),*] [$buffers] $from_buffers [] $ret $wrap);
    };
    (@emit $attr:ident $class:ident [$($sync:ident),*] [$buffers:ty] $from_buffers:ident [$($async:tt)*] $ret:ident $settle:tt) => {
        #[$attr]
        impl $class {
            /// Polls every run woken since the last call; returns the status bits.
            #[$attr(js_name = "drive" $(, $sync)*)]
            pub fn drive(&self) -> u32 {
                let _context = self.enter();
                self.session.drive(|| {})
            }

            /// Answers executor calls, `[[id, {ok, value?, error?}], ...]` as codec text with the
            /// binary data its tags refer to, and carries the waiting runs on; returns the status
            /// bits.
            #[$attr(js_name = "resolveCalls" $(, $sync)*)]
            pub fn resolve_calls(&self, answers_json: String, buffers: $buffers) -> u32 {
                let _context = self.enter();
                self.session.resolve_calls(&answers_json, $from_buffers(buffers))
            }

            /// A finished run's trace as JSON text (by the id `takeCompleted` gave); `null` (napi)
            /// or `undefined` (wasm) once taken or dropped.
            #[$attr(js_name = "takeTrace" $(, $sync)*)]
            pub fn take_trace(&self, id: u32) -> Option<String> {
                self.session.take_trace(id)
            }

            /// Forgets a trace that will not be read.
            #[$attr(js_name = "dropTrace" $(, $sync)*)]
            pub fn drop_trace(&self, id: u32) {
                self.session.drop_trace(id);
            }

            /// Every waiting event, as a JSON array.
            #[$attr(js_name = "takeEvents" $(, $sync)*)]
            pub fn take_events(&self) -> String {
                self.session.take_events()
            }

            /// Cancels a running execution; `false` when no such run is going on.
            #[$attr(js_name = "cancel" $(, $sync)*)]
            pub fn cancel(&self, execution_id: String) -> bool {
                self.session.cancel(&execution_id)
            }

            /// Deep validation: `{ok, value: {valid, errors, issues}}`.
            #[$attr(js_name = "validate" $(, $sync)*)]
            pub fn validate(&self, flow_json: String, custom_types_json: String) -> String {
                self.session.validate(&flow_json, &custom_types_json)
            }

            /// `storage.saveFlow`: resolves with `{ok, value: savedFlow}`; `flowSaved` goes to
            /// the events.
            #[$attr(js_name = "saveFlow")]
            pub $($async)* fn save_flow(&self, flow_json: String) -> $ret {
                $crate::__session_promise!($settle, self.session.save_flow(flow_json))
            }

            /// `storage.loadFlow`.
            #[$attr(js_name = "loadFlow")]
            pub $($async)* fn load_flow(&self, id: String) -> $ret {
                $crate::__session_promise!($settle, self.session.load_flow(id))
            }

            /// `storage.listFlows`: `{flows, total}`.
            #[$attr(js_name = "listFlows")]
            pub $($async)* fn list_flows(&self, options_json: String) -> $ret {
                $crate::__session_promise!($settle, self.session.list_flows(options_json))
            }

            /// `storage.deleteFlow`; `flowDeleted` goes to the events.
            #[$attr(js_name = "deleteFlow")]
            pub $($async)* fn delete_flow(&self, id: String) -> $ret {
                $crate::__session_promise!($settle, self.session.delete_flow(id))
            }
        }

        $crate::__session_debugger_forwarders!($attr $class [$($sync),*]);
        $crate::__session_run_state_forwarders!($attr $class [$($sync),*]);
        $crate::__session_history_forwarders!($attr $class [$($async)*] $ret $settle);
    };
}

/// The session's future as the method's result: awaited in an `async fn`, else wrapped.
#[doc(hidden)]
#[macro_export]
macro_rules! __session_promise {
    (await, $future:expr) => {
        $future.await
    };
    ($wrap:ident, $future:expr) => {
        $wrap($future)
    };
}

#[cfg(feature = "debugger")]
#[doc(hidden)]
#[macro_export]
macro_rules! __session_debugger_forwarders {
    ($attr:ident $class:ident [$($sync:ident),*]) => {
        #[$attr]
        impl $class {
            /// Pauses, resumes or steps (`command`) a running execution; `false` when there is no
            /// such run.
            #[$attr(js_name = "controlRun" $(, $sync)*)]
            pub fn control_run(&self, execution_id: String, command: String) -> bool {
                self.session.control_run(&execution_id, &command)
            }
        }
    };
}

#[cfg(not(feature = "debugger"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __session_debugger_forwarders {
    ($($any:tt)*) => {};
}

#[cfg(feature = "run-state")]
#[doc(hidden)]
#[macro_export]
macro_rules! __session_run_state_forwarders {
    ($attr:ident $class:ident [$($sync:ident),*]) => {
        #[$attr]
        impl $class {
            /// The state of the run started last, as the JSON of a progress snapshot (see
            /// `Session::run_state`); `null` (napi) or `undefined` (wasm) before any.
            #[$attr(js_name = "runState" $(, $sync)*)]
            pub fn run_state(&self) -> Option<String> {
                self.session.run_state()
            }
        }
    };
}

#[cfg(not(feature = "run-state"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __session_run_state_forwarders {
    ($($any:tt)*) => {};
}

#[cfg(feature = "history")]
#[doc(hidden)]
#[macro_export]
macro_rules! __session_history_forwarders {
    ($attr:ident $class:ident [$($async:tt)*] $ret:ident $settle:tt) => {
        #[$attr]
        impl $class {
            /// `executions.list` / `get` / `delete` / `prune` / `flush` by name (`arg`: options
            /// JSON or an execution id): resolves with `{ok, value}` or `{ok: false, error}`.
            #[$attr(js_name = "executions")]
            pub $($async)* fn executions(&self, call: String, arg: String) -> $ret {
                $crate::__session_promise!($settle, self.session.executions(&call, arg))
            }
        }
    };
}

#[cfg(not(feature = "history"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __session_history_forwarders {
    ($($any:tt)*) => {};
}

/// Emits a binding's module functions (the node catalog, templates, flow formats, the recovery
/// table), forwarders to [`session::catalog`](crate::session::catalog), at the place it is
/// called; a macro for the reason [`session_forwarders!`] is one.
///
/// ```text
/// atomiton_core::catalog_forwarders! {
///     attribute: napi;        // or wasm_bindgen
///     sync: [catch_unwind];   // more attribute arguments on every function
///     text: [String];         // the type of a string argument: napi takes only `String`
/// }
/// ```
#[macro_export]
macro_rules! catalog_forwarders {
    (attribute: $attr:ident; sync: [$($sync:ident),* $(,)?]; text: [$($text:tt)+];) => {
        /// Every built-in node definition (`getAllNodeDefinitions`).
        #[$attr(js_name = "nodeDefinitions" $(, $sync)*)]
        pub fn node_definitions() -> String {
            $crate::session::catalog::node_definitions()
        }

        /// One built-in node definition, or `null`.
        #[$attr(js_name = "nodeDefinition" $(, $sync)*)]
        pub fn node_definition(node_type: $($text)+) -> String {
            $crate::session::catalog::node_definition(&*node_type)
        }

        /// `getNodeDefinitionsGroupedByCategory`.
        #[$attr(js_name = "nodeDefinitionsByCategory" $(, $sync)*)]
        pub fn node_definitions_by_category() -> String {
            $crate::session::catalog::node_definitions_by_category()
        }

        /// `{templates: [{id, name, description, nodeCount}]}`.
        #[$attr(js_name = "listTemplates" $(, $sync)*)]
        pub fn list_templates() -> String {
            $crate::session::catalog::list_templates()
        }

        /// A bundled template's definition, or `null`.
        #[$attr(js_name = "getTemplate" $(, $sync)*)]
        pub fn get_template(id: $($text)+) -> String {
            $crate::session::catalog::get_template(&*id)
        }

        /// Reads a flow from JSON or YAML text; `optionsJson` is `{format?, defaults?}`.
        #[$attr(js_name = "parseFlow" $(, $sync)*)]
        pub fn parse_flow(text: $($text)+, options_json: $($text)+) -> String {
            $crate::session::catalog::parse_flow(&*text, &*options_json)
        }

        /// Writes a flow (JSON text) as YAML.
        #[$attr(js_name = "flowToYaml" $(, $sync)*)]
        pub fn flow_to_yaml(flow_json: $($text)+) -> String {
            $crate::session::catalog::flow_to_yaml(&*flow_json)
        }

        /// `getErrorRecoveryStrategy` for every code: `{CODE: strategy}`.
        #[$attr(js_name = "recoveryTable" $(, $sync)*)]
        pub fn recovery_table() -> String {
            $crate::session::catalog::recovery_table()
        }

        /// The engine's version.
        #[$attr(js_name = "engineVersion" $(, $sync)*)]
        pub fn engine_version() -> String {
            $crate::session::catalog::engine_version().to_owned()
        }

        /// Whether the engine reads arrays of records sent as tables of columns (the codec's
        /// `"rows"` tag; builds with the `bulk-data` feature). Every build writes them only to
        /// an embedder that reads them all.
        #[$attr(js_name = "readsTables" $(, $sync)*)]
        pub fn reads_tables() -> bool {
            $crate::session::catalog::reads_tables()
        }
    };
}
