//! `npm/src/engines/session/methods.generated.ts`: a session's JS class as the TypeScript layer
//! sees it, from the one declaration of its methods (`session_methods!`).

/// A Rust type as the bindings hand it to JS.
pub(crate) trait TsType {
    const TS: &'static str;
}

impl TsType for u32 {
    const TS: &'static str = "number";
}

impl TsType for bool {
    const TS: &'static str = "boolean";
}

impl TsType for String {
    const TS: &'static str = "string";
}

impl TsType for Option<String> {
    // napi gives `null` for `None`, wasm-bindgen `undefined`.
    const TS: &'static str = "string | null | undefined";
}

impl TsType for () {
    const TS: &'static str = "void";
}

/// Binary data as a binding takes it (the declaration's `Buffers`).
pub(crate) struct Buffers;

impl TsType for Buffers {
    const TS: &'static str = "Uint8Array[]";
}

/// One declared method, as the generator reads it.
pub(crate) struct Method {
    pub js: &'static str,
    pub kind: &'static str,
    pub gate: &'static str,
    pub docs: &'static [&'static str],
    /// `name(params): result`.
    pub signature: String,
}

/// `snake_case` as `camelCase`.
pub(crate) fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The expander that turns the declaration into a list of [`Method`]s.
#[doc(hidden)]
#[macro_export]
macro_rules! __session_typescript {
    (
        {}
        forwarded: [$(
            $(#[doc = $doc:literal])*
            [$kind:ident $gate:ident $js:literal $($named:ident : $calls:ident)*] fn $name:ident (&$receiver:ident $(, $arg:ident : $ty:ty)*) $(-> $ret:ty)? $body:block
        )*]
        bespoke: [$(
            $(#[doc = $bdoc:literal])*
            [$bkind:ident $bgate:ident $bjs:literal] $signature:literal;
        )*]
    ) => {
        vec![
            $($crate::typescript::session::Method {
                js: $js,
                kind: stringify!($kind),
                gate: stringify!($gate),
                docs: &[$($doc),*],
                signature: {
                    // A text argument that names a call has that call's union type.
                    let named: &[(&str, &str)] = &[$((stringify!($named), stringify!($calls))),*];
                    let args: &[(&str, &str)] = &[$((stringify!($arg), <$ty as $crate::typescript::session::TsType>::TS)),*];
                    let params: Vec<String> = args
                        .iter()
                        .map(|(arg, ts)| {
                            let ts = named.iter().find(|(name, _)| name == arg).map_or(*ts, |(_, calls)| *calls);
                            format!("{}: {}", $crate::typescript::session::camel(arg), ts)
                        })
                        .collect();
                    let result = match stringify!($kind) {
                        "promise" => "Promise<string>",
                        _ => $crate::__session_typescript!(@result $($ret)?),
                    };
                    let result = if stringify!($kind) == "call" { format!("{result} | Promise<{result}>") } else { result.to_owned() };
                    format!("{}({}): {}", $js, params.join(", "), result)
                },
            },)*
            $($crate::typescript::session::Method {
                js: $bjs,
                kind: stringify!($bkind),
                gate: stringify!($bgate),
                docs: &[$($bdoc),*],
                signature: $signature.to_owned(),
            },)*
        ]
    };
    (@result $ret:ty) => { <$ret as $crate::typescript::session::TsType>::TS };
    (@result) => { "void" };
}

/// The expander that turns the catalog's declaration into a list of [`Method`]s.
#[doc(hidden)]
#[macro_export]
macro_rules! __catalog_typescript {
    (
        {}
        $(
            $(#[doc = $doc:literal])*
            [$gate:ident] $js:literal fn $name:ident ($($arg:ident : Text),*) -> $ret:ty $body:block
        )*
    ) => {
        vec![$($crate::typescript::session::Method {
            js: $js,
            kind: "read",
            gate: stringify!($gate),
            docs: &[$($doc),*],
            signature: {
                let params: Vec<String> = vec![$(format!("{}: string", $crate::typescript::session::camel(stringify!($arg)))),*];
                format!("{}({}): {}", $js, params.join(", "), <$ret as $crate::typescript::session::TsType>::TS)
            },
        },)*]
    };
}

/// `methods` as the members of an object type, each with its documentation.
fn members(out: &mut String, methods: &[Method]) {
    for method in methods {
        out.push_str("  /**\n");
        for line in method.docs.iter().flat_map(|doc| doc.lines()) {
            out.push_str(&format!("   *{}\n", line.trim_end()));
        }
        if method.gate != "always" {
            out.push_str(&format!("   *\n   * Only in builds with `{}`.\n", method.gate));
        }
        out.push_str("   */\n");
        let optional = if method.gate == "always" { "" } else { "?" };
        let (name, rest) = method.signature.split_at(method.signature.find('(').unwrap_or(0));
        out.push_str(&format!("  {name}{optional}{rest};\n"));
    }
}

/// The generated file's text.
pub(super) fn methods_file(header: &str) -> String {
    // The declaration's `Buffers` is this marker here.
    #[allow(unused_imports)]
    use crate::typescript::session::Buffers;
    let methods: Vec<Method> = crate::session_methods!(__session_typescript {});
    let mut out = String::from(header);
    out.push_str(
        "// A session's JS class (`NativeConductor`, `WasmConductor`) as the TypeScript layer sees it, from the\n// one Rust declaration of its methods (core/src/session/boundary/methods.rs).\n\n",
    );
    out.push_str("import type { CacheCall, ExecutionsCall, RunCommand } from \"../../types/calls.generated.js\";\n\n");
    out.push_str("/**\n * A finished run as `takeCompleted` gives it: the result as codec text with the binary data its\n * tags refer to, its large arrays apart (`slices`), its trace's id for `takeTrace` / `dropTrace`.\n */\nexport type FinishedRun = {\n");
    for (name, ts, optional) in crate::session::CompletedRun::JS_FIELDS {
        out.push_str(&format!("  {name}{}: {ts};\n", if *optional { "?" } else { "" }));
    }
    out.push_str("};\n\n");
    out.push_str("/** The methods of a session's JS class; a method whose feature a build lacks is absent. */\nexport type SessionMethods = {\n");
    members(&mut out, &methods);
    out.push_str("};\n\n");
    let functions: Vec<Method> = crate::catalog_functions!(__catalog_typescript {});
    out.push_str("/** The module-level functions of either build; each returns an outcome envelope as JSON text. */\nexport type CatalogFunctions = {\n");
    members(&mut out, &functions);
    out.push_str("};\n\n");
    out.push_str("/**\n * How the TypeScript layer reaches each method: `driving` (returns status bits; across a Web\n * Worker a message whose outcome comes back relayed), `relayed` (takes what a driving call left\n * waiting; across a worker, read from what was relayed), `read` (reads the session's state at\n * once; not across a worker), `call` (a result at once in the page, a promise across a worker),\n * `promise` (a promise), `bespoke` (how depends on where the session is).\n */\n");
    out.push_str("export const SESSION_METHOD_KINDS = {\n");
    for method in &methods {
        out.push_str(&format!("  {}: \"{}\",\n", method.js, method.kind));
    }
    out.push_str("} as const;\n\n");
    for (name, value, doc) in [
        (
            "STATUS_COMPLETED",
            crate::session::STATUS_COMPLETED,
            "Finished runs are waiting in `takeCompleted`.",
        ),
        (
            "STATUS_CALLS",
            crate::session::STATUS_CALLS,
            "Executor calls or aborts are waiting in `takeCalls`.",
        ),
        ("STATUS_EVENTS", crate::session::STATUS_EVENTS, "Events are waiting in `takeEvents`."),
    ] {
        out.push_str(&format!("/** Status bit: {doc} */\nexport const {name} = {value};\n"));
    }
    out.push('\n');
    out.push_str("/** The feature each method needs (`native`: the native addon only); the others are in every build. */\n");
    out.push_str("export const SESSION_METHOD_GATES = {\n");
    for method in methods.iter().filter(|m| m.gate != "always") {
        out.push_str(&format!("  {}: \"{}\",\n", method.js, method.gate));
    }
    out.push_str("} as const;\n\n");
    out.push_str("/** The feature each module function needs; the others are in every build. */\n");
    out.push_str("export const CATALOG_FUNCTION_GATES = {\n");
    for function in functions.iter().filter(|f| f.gate != "always") {
        out.push_str(&format!("  {}: \"{}\",\n", function.js, function.gate));
    }
    out.push_str("} as const;\n");
    out
}

/// `types/calls.generated.ts`: the names each call a method takes by name may have, as unions.
pub(super) fn calls_file(header: &str) -> String {
    use crate::engine::RunCommand;
    use crate::session::{CacheCall, ExecutionsCall};
    let mut out = String::from(header);
    out.push_str("// The calls boundary methods take by name, from their one Rust declaration\n// (`named_calls!`: core/src/run/command.rs, core/src/session/boundary/calls.rs).\n");
    for (name, doc, names) in [
        ("RunCommand", "What `node.pause` / `resume` / `step` ask of a running execution (`controlRun`).", RunCommand::NAMES),
        ("ExecutionsCall", "An `executions.*` call, by name; `flush` waits until every run record written so far is stored.", ExecutionsCall::NAMES),
        ("CacheCall", "The node result cache's calls (`conductor.cache`).", CacheCall::NAMES),
    ] {
        let union: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        out.push_str(&format!("\n/** {doc} */\nexport type {name} = {};\n", union.join(" | ")));
    }
    out
}
