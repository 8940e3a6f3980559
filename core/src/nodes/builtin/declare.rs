//! `builtin_node_type!`: the `NodeType` impl of a built-in, written once.

/// Declares a built-in node type: its unit struct and `NodeType` impl, from what differs between
/// types. The rest follows the folder every built-in has: the schema and catalog entry are
/// `schema::SCHEMA` and `schema::DESCRIPTOR`, the behaviour is `execute::execute`, and the weight
/// is the type name's default.
///
/// - `requires`: the host effects the node needs for its parameters, as a
///   `fn(&Map) -> Capabilities` (none when left out).
/// - `caching`: whether an invocation's result may be cached, as a
///   `fn(&Invocation) -> Caching` (when left out: pure — cached by default — exactly when the
///   parameters need no host effect; see `crate::cache`).
/// - `effects`: whether the node may change something outside the run for its parameters, as a
///   `fn(&Map) -> bool` (when left out: exactly when it needs a host effect; see
///   `NodeType::effects`).
/// - `repeatable`: whether running the node twice is safe for its parameters, as a
///   `fn(&Map) -> bool` (when left out: only when the flow says so; see
///   `NodeType::repeatable`).
/// - `streaming`: how the node takes part in a stream of rows for its parameters, as a
///   `fn(&Map) -> Option<Streaming>` (never, when left out; only in builds with the `streams`
///   feature, the only ones that compile it).
/// - `routes`: `true` for a type that sends its input out of some of its ports (see
///   `NodeType::routes`).
/// - `output_ports`: the ports its parameters give it beyond its catalog entry's, as a
///   `fn(&Map) -> Option<Vec<String>>` (see `NodeType::output_ports`).
/// - `check`: what is wrong with its parameters beyond its schema, as a
///   `fn(&Map) -> Vec<ParameterIssue>`, asked once the schema finds nothing.
/// - `execute`: the behaviour, as a `fn(Invocation, SharedHost) -> BoxFuture<NodeResult>`
///   (`execute::execute` when left out).
macro_rules! builtin_node_type {
    (@execute $invocation:ident, $host:ident) => {
        execute::execute($invocation, $host)
    };
    (@execute $invocation:ident, $host:ident, $execute:expr) => {{
        let execute: fn(
            $crate::nodes::Invocation,
            $crate::host::SharedHost,
        ) -> $crate::host::BoxFuture<'static, $crate::nodes::NodeResult> = $execute;
        execute($invocation, $host)
    }};
    (@caching $self:ident, $invocation:ident) => {{
        if $self.requirements(&$invocation.parameters) == $crate::host::Capabilities::NONE {
            $crate::nodes::Caching::Pure
        } else {
            $crate::nodes::Caching::OptIn { files: Vec::new() }
        }
    }};
    (@caching $self:ident, $invocation:ident, $caching:expr) => {{
        let caching: fn(&$crate::nodes::Invocation) -> $crate::nodes::Caching = $caching;
        caching($invocation)
    }};
    (@streaming $parameters:ident, $streaming:expr) => {{
        let streaming: fn(&$crate::value::Map) -> Option<$crate::nodes::stream::Streaming> =
            $streaming;
        streaming($parameters)
    }};
    (
        $(#[$meta:meta])*
        $name:ident: $type_name:literal
        $(, requires: $requires:expr)?
        $(, caching: $caching:expr)?
        $(, effects: $effects:expr)?
        $(, repeatable: $repeatable:expr)?
        $(, streaming: $streaming:expr)?
        $(, routes: $routes:literal)?
        $(, output_ports: $output_ports:expr)?
        $(, check: $check:expr)?
        $(, execute: $execute:expr)?
        $(,)?
    ) => {
        $(#[$meta])*
        pub(crate) struct $name;

        impl $crate::nodes::NodeType for $name {
            fn type_name(&self) -> &str {
                $type_name
            }

            fn schema(&self) -> Option<&$crate::nodes::schema::NodeSchema> {
                Some(&schema::SCHEMA)
            }

            fn descriptor(&self) -> Option<&$crate::nodes::descriptor::NodeDescriptor> {
                Some(&schema::DESCRIPTOR)
            }

            $(
                fn requirements(&self, parameters: &$crate::value::Map) -> $crate::host::Capabilities {
                    let requires: fn(&$crate::value::Map) -> $crate::host::Capabilities = $requires;
                    requires(parameters)
                }
            )?

            $(
                fn effects(&self, parameters: &$crate::value::Map) -> bool {
                    let effects: fn(&$crate::value::Map) -> bool = $effects;
                    effects(parameters)
                }
            )?

            $(
                fn repeatable(&self, parameters: &$crate::value::Map) -> bool {
                    let repeatable: fn(&$crate::value::Map) -> bool = $repeatable;
                    repeatable(parameters)
                }
            )?

            fn caching(&self, invocation: &$crate::nodes::Invocation) -> $crate::nodes::Caching {
                builtin_node_type!(@caching self, invocation $(, $caching)?)
            }

            fn execute(
                &self,
                invocation: $crate::nodes::Invocation,
                host: $crate::host::SharedHost,
            ) -> $crate::host::BoxFuture<'static, $crate::nodes::NodeResult> {
                builtin_node_type!(@execute invocation, host $(, $execute)?)
            }

            $(
                fn routes(&self) -> bool {
                    $routes
                }
            )?

            $(
                fn output_ports(&self, parameters: &$crate::value::Map) -> Option<Vec<String>> {
                    let ports: fn(&$crate::value::Map) -> Option<Vec<String>> = $output_ports;
                    ports(parameters)
                }
            )?

            $(
                fn check_parameters(
                    &self,
                    parameters: &$crate::value::Map,
                ) -> Vec<$crate::nodes::ParameterIssue> {
                    schema::SCHEMA.check_then(parameters, $check)
                }
            )?

            $(
                #[cfg(feature = "streams")]
                fn streaming(
                    &self,
                    parameters: &$crate::value::Map,
                ) -> Option<$crate::nodes::stream::Streaming> {
                    builtin_node_type!(@streaming parameters, $streaming)
                }
            )?
        }
    };
}
