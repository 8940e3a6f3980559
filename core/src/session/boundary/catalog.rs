//! The module-level functions both bindings export (the node catalog, templates, flow formats,
//! the recovery table), declared once like a session's methods: [`catalog_forwarders!`] writes
//! them into each binding, and a test of this crate writes their TypeScript type
//! (`CatalogFunctions` in `npm/src/engines/session/methods.generated.ts`). Every argument is
//! text (`Text`: what the target passes strings as). A function marked `[catalog]` is only in
//! bindings built with their `catalog` feature, and its body calls the capability crate
//! `atomiton-catalog`, which such a binding links (the browser modules leave it out); one marked
//! `with random` gets the binding's source of uniform `[0, 1)` numbers under that name (the core
//! has no randomness of its own: the environment is the host's).

/// The declaration, handed to the expander `$expand` (a macro of this crate) after `{context}`.
#[doc(hidden)]
#[macro_export]
macro_rules! catalog_functions {
    ($expand:ident { $($context:tt)* }) => {
        $crate::$expand! {
            { $($context)* }
            /// Every built-in node definition (`getAllNodeDefinitions`).
            [catalog => Vec<CatalogNode>] "nodeDefinitions" fn node_definitions() -> String {
                ::atomiton_catalog::functions::node_definitions()
            }

            /// One built-in node definition, or `null`.
            [catalog => Option<CatalogNode>] "nodeDefinition" fn node_definition(node_type: Text) -> String {
                ::atomiton_catalog::functions::node_definition(&*node_type)
            }

            /// `getNodeDefinitionsGroupedByCategory`.
            [catalog => NodeCategories] "nodeDefinitionsByCategory" fn node_definitions_by_category() -> String {
                ::atomiton_catalog::functions::node_definitions_by_category()
            }

            /// `{templates: [{id, name, description, nodeCount}]}`.
            [catalog => TemplateList] "listTemplates" fn list_templates() -> String {
                ::atomiton_catalog::functions::list_templates()
            }

            /// A bundled template's definition (`NODE_NOT_FOUND` when there is none).
            [catalog => CatalogNode] "getTemplate" fn get_template(id: Text) -> String {
                ::atomiton_catalog::functions::get_template(&*id)
            }

            /// Reads a flow from JSON or YAML text; `optionsJson` is `{format?, defaults?}`.
            [always => CatalogNode] "parseFlow" fn parse_flow(text: Text, options_json: Text) -> String {
                $crate::session::catalog::parse_flow(&*text, &*options_json)
            }

            /// Writes a flow (JSON text) as YAML.
            [always => String] "flowToYaml" fn flow_to_yaml(flow_json: Text) -> String {
                $crate::session::catalog::flow_to_yaml(&*flow_json)
            }

            /// `getErrorRecoveryStrategy` for every code: `{CODE: strategy}`.
            [always] "recoveryTable" fn recovery_table() -> String {
                $crate::session::catalog::recovery_table()
            }

            /// The engine's version.
            [always] "engineVersion" fn engine_version() -> String {
                $crate::session::catalog::engine_version().to_owned()
            }

            /// How long to wait before running a failed flow again (`execute(request)` with
            /// `options.retries`), in ms, or `null`: not again. Each argument is a number as
            /// text, empty when not given.
            [always => Option<f64>] "retryDelay" with random fn retry_delay(attempt: Text, retries: Text, max_retries: Text, retry_delay: Text, retry_after_ms: Text) -> String {
                $crate::session::catalog::retry_delay([&*attempt, &*retries, &*max_retries, &*retry_delay, &*retry_after_ms], random)
            }

            /// A run's id: `given` when not empty, else a fresh `exec_<uuid>`.
            [always] "executionId" with random fn execution_id(given: Text) -> String {
                $crate::session::catalog::execution_id(&*given, random)
            }

            /// Whether the engine reads arrays of records sent as tables of columns (the codec's
            /// `"rows"` tag; builds with the `bulk-data` feature). Every build writes them only to
            /// an embedder that reads them all.
            [always] "readsTables" fn reads_tables() -> bool {
                $crate::session::catalog::reads_tables()
            }
        }
    };
}

/// Emits a binding's module functions, forwarders to
/// [`session::catalog`](crate::session::catalog), at the place it is called; a macro for the
/// reason [`session_forwarders!`](crate::session_forwarders) is one.
///
/// ```text
/// atomiton_core::catalog_forwarders! {
///     attribute: napi;        // or wasm_bindgen
///     sync: [catch_unwind];   // more attribute arguments on every function
///     text: [String];         // the type of a string argument: napi takes only `String`
///     random: fastrand::f64;  // uniform [0, 1) numbers for the functions marked `with random`
/// }
/// ```
#[macro_export]
macro_rules! catalog_forwarders {
    (attribute: $attr:ident; sync: [$($sync:ident),* $(,)?]; text: [$text:ty]; random: $rand:path;) => {
        $crate::catalog_functions!(__catalog_forwarders { $attr [$($sync),*] $text, $rand });
    };
}

/// The expander [`catalog_forwarders!`] hands the declaration to.
#[doc(hidden)]
#[macro_export]
macro_rules! __catalog_forwarders {
    (
        { $attr:ident $sync:tt $text:ty, $rand:path }
        $(
            $(#[doc = $doc:literal])*
            [$gate:ident $(=> $answer:ty)?] $js:literal $(with $random:ident)? fn $name:ident ($($arg:ident : Text),*) -> $ret:ty $body:block
        )*
    ) => {
        $( $crate::__catalog_function! { $gate $attr $sync $text, $rand, $js [$($doc)*] $name ($($arg),*) $ret [$($random)?] $body } )*
    };
}

/// One declared function as the binding's.
#[doc(hidden)]
#[macro_export]
macro_rules! __catalog_function {
    (always $attr:ident [$($sync:ident),*] $text:ty, $rand:path, $js:literal [$($doc:literal)*] $name:ident ($($arg:ident),*) $ret:ty [$($random:ident)?] $body:block) => {
        $(#[doc = $doc])*
        #[$attr(js_name = $js $(, $sync)*)]
        pub fn $name($($arg: $text),*) -> $ret {
            // The declaration's name for the binding's source of uniform `[0, 1)` numbers.
            $(let $random: fn() -> f64 = $rand;)?
            $body
        }
    };
    // The binding's own `catalog` feature (it turns on the core's).
    (catalog $attr:ident [$($sync:ident),*] $text:ty, $rand:path, $js:literal [$($doc:literal)*] $name:ident ($($arg:ident),*) $ret:ty [] $body:block) => {
        $(#[doc = $doc])*
        #[cfg(feature = "catalog")]
        #[$attr(js_name = $js $(, $sync)*)]
        pub fn $name($($arg: $text),*) -> $ret $body
    };
}
