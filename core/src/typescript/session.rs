//! `npm/src/engines/session/methods.generated.ts`: a session's JS class as the TypeScript layer
//! sees it, from the one declaration of its methods (`session_methods!`).

/// A Rust type as the bindings hand it to JS.
pub(crate) trait TsType {
    const TS: &'static str;
}

impl TsType for u32 {
    const TS: &'static str = "number";
}

impl TsType for Option<f64> {
    const TS: &'static str = "number | null";
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

impl TsType for Vec<String> {
    const TS: &'static str = "string[]";
}

/// Binary data as a binding takes it (the declaration's `Buffers`).
pub(crate) struct Buffers;

impl TsType for Buffers {
    const TS: &'static str = "Uint8Array[]";
}

/// The callback `setNotifier` takes (the declaration's `Notify`).
pub(crate) struct Notify;

impl TsType for Notify {
    const TS: &'static str = "() => void";
}

impl TsType for Vec<crate::session::CompletedRun> {
    const TS: &'static str = "FinishedRun[]";
}

// The answers whose JSON the Rust side writes by hand (a trace, the events, a progress
// snapshot), named by the TypeScript types that describe them.

/// `takeTrace`'s text: a run's trace.
#[derive(ts_rs::TS)]
pub(crate) struct RunTrace(#[ts(type = "ExecutionTrace")] ());

/// `takeEvents`'s text: every waiting event.
#[derive(ts_rs::TS)]
pub(crate) struct WireEvents(#[ts(type = "WireEvent[]")] ());

/// `saveFlow`'s and `loadFlow`'s answer: a flow as the store keeps it, its own fields with
/// `id`, `savedAt`, `createdAt` and `version`.
#[derive(ts_rs::TS)]
pub(crate) struct StoredFlow(#[ts(type = "FlowDefinition")] ());

/// A node definition as the catalog and the flow reader give it.
#[derive(ts_rs::TS)]
pub(crate) struct CatalogNode(#[ts(type = "NodeDefinition")] ());

/// `nodeDefinitionsByCategory`'s answer: the built-in node types by category.
#[derive(ts_rs::TS)]
pub(crate) struct NodeCategories(
    #[ts(type = "Array<{ name: string; title: string; items: NodeDefinition[] }>")] (),
);

/// `listTemplates`'s answer: the bundled templates.
#[derive(ts_rs::TS)]
pub(crate) struct TemplateList(#[ts(type = "{ templates: FlowTemplateInfo[] }")] ());

/// `runState`'s text: the run's state as a progress snapshot.
#[derive(ts_rs::TS)]
pub(crate) struct ProgressSnapshot(#[ts(type = "RunProgressEvent")] ());

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
        { $config:ident }
        forwarded: [$(
            $(#[doc = $doc:literal])*
            [$kind:ident $gate:ident $js:literal $($named:ident : $calls:ident)* $(=> $answer:ty)?] fn $name:ident (&$receiver:ident $(, $arg:ident : $ty:ty)*) $(-> $ret:ty)? $body:block
        )*]
        bespoke: [$(
            $(#[doc = $bdoc:literal])*
            [$bkind:ident $bgate:ident $bjs:literal] fn $bname:ident (&$breceiver:ident $(, $barg:ident : $bty:ty)*) $(-> $bret:ty)?;
        )*]
    ) => {
        vec![
            $($crate::typescript::session::Method {
                js: $js,
                kind: stringify!($kind),
                gate: stringify!($gate),
                docs: &[$($doc),*],
                signature: $crate::typescript::session::signature(
                    $js,
                    stringify!($kind),
                    &[$((stringify!($arg), <$ty as $crate::typescript::session::TsType>::TS)),*],
                    &[$((stringify!($named), stringify!($calls), <$calls>::answers(&$config))),*],
                    $crate::__session_typescript!(@result $($ret)?),
                    None $(.or(Some(<$answer as ts_rs::TS>::name(&$config))))?,
                ),
            },)*
            $($crate::typescript::session::Method {
                js: $bjs,
                kind: stringify!($bkind),
                gate: stringify!($bgate),
                docs: &[$($bdoc),*],
                signature: $crate::typescript::session::signature(
                    $bjs,
                    stringify!($bkind),
                    &[$((stringify!($barg), <$bty as $crate::typescript::session::TsType>::TS)),*],
                    &[],
                    $crate::__session_typescript!(@result $($bret)?),
                    None,
                ),
            },)*
        ]
    };
    (@result $ret:ty) => { <$ret as $crate::typescript::session::TsType>::TS };
    (@result) => { "void" };
}

/// A call that names its sub-command: the argument, the enum's TypeScript name, and what
/// each sub-command answers (empty when the enum declares no answers).
type NamedCall<'a> = (&'a str, &'a str, Vec<(&'static str, String)>);

/// `name(params): result` for one declared method.
///
/// `args` are the Rust parameters with their TypeScript; a text argument in `named` has its
/// calls' union type. The result is `ret`'s TypeScript, except that a declared `answer` makes
/// returned text `Encoded<...>` of it (inside the outcome envelope for `promise` and `call`
/// methods), and a `promise` method taking a call whose enum declares answers is generic over
/// the call: `executions<C extends ExecutionsCall>(call: C, ...)` answers
/// `ExecutionsAnswers[C]`.
pub(crate) fn signature(
    js: &str,
    kind: &str,
    args: &[(&str, &str)],
    named: &[NamedCall],
    ret: &str,
    answer: Option<String>,
) -> String {
    let answered = named.iter().find(|(_, _, answers)| !answers.is_empty());
    let params: Vec<String> = args
        .iter()
        .map(|(arg, ts)| {
            let ts = match named.iter().find(|(name, _, _)| name == arg) {
                Some((_, _, answers)) if !answers.is_empty() => "C",
                Some((_, calls, _)) => calls,
                None => ts,
            };
            format!("{}: {}", camel(arg), ts)
        })
        .collect();
    let typed = answer.or_else(|| answered.map(|(_, calls, _)| answers_name(calls) + "[C]"));
    let typed = typed.map(|value| match kind {
        "promise" | "call" => format!("Encoded<Outcome<{value}>>"),
        _ => format!("Encoded<{value}>"),
    });
    let result = match (typed, ret) {
        // A forwarded promise method's body is the session's future of text (no `-> ret`).
        (Some(text), "string" | "void") => text,
        (Some(text), "string | null | undefined") => format!("{text} | null | undefined"),
        (None, "void") if kind == "promise" => String::from("string"),
        (_, ret) => ret.to_owned(),
    };
    let result = match kind {
        "promise" => format!("Promise<{result}>"),
        "call" => format!("{result} | Promise<{result}>"),
        _ => result,
    };
    let generic = answered.map_or_else(String::new, |(_, calls, _)| format!("<C extends {calls}>"));
    format!("{js}{generic}({}): {result}", params.join(", "))
}

/// `ExecutionsAnswers` for `ExecutionsCall`: the type that maps each call to its answer.
pub(crate) fn answers_name(calls: &str) -> String {
    format!("{}Answers", calls.trim_end_matches("Call"))
}

/// The expander that turns the catalog's declaration into a list of [`Method`]s.
#[doc(hidden)]
#[macro_export]
macro_rules! __catalog_typescript {
    (
        { $config:ident }
        $(
            $(#[doc = $doc:literal])*
            [$gate:ident $(=> $answer:ty)?] $js:literal $(with $random:ident)? fn $name:ident ($($arg:ident : Text),*) -> $ret:ty $body:block
        )*
    ) => {
        vec![$($crate::typescript::session::Method {
            js: $js,
            kind: "read",
            gate: stringify!($gate),
            docs: &[$($doc),*],
            signature: {
                let params: Vec<String> = vec![$(format!("{}: string", $crate::typescript::session::camel(stringify!($arg)))),*];
                // A function that declares its answer returns it in the outcome envelope.
                let result = None $(.or(Some(format!("Encoded<Outcome<{}>>", <$answer as ts_rs::TS>::name(&$config)))))?;
                let result = result.unwrap_or_else(|| String::from(<$ret as $crate::typescript::session::TsType>::TS));
                format!("{}({}): {}", $js, params.join(", "), result)
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
        let (name, rest) =
            method.signature.split_at(method.signature.find(['<', '(']).unwrap_or(0));
        out.push_str(&format!("  {name}{optional}{rest};\n"));
    }
}

/// The generated file's text.
pub(super) fn methods_file(header: &str) -> String {
    // The declaration's names, as the generator reads them.
    use crate::engine::RunCommand;
    use crate::session::{CacheCall, CompletedRun, CredentialsCall, ExecutionsCall, TriggersCall};
    use crate::storage::FlowListPage;
    use crate::validation::Validated;
    let config = super::answer_config();
    let methods: Vec<Method> = crate::session_methods!(__session_typescript { config });
    let mut out = String::from(header);
    out.push_str(
        "// A session's JS class (`NativeConductor`, `WasmConductor`) as the TypeScript layer sees it, from the\n// one Rust declaration of its methods (core/src/session/boundary/methods.rs).\n",
    );
    let mut body = String::new();
    body.push_str("/**\n * A finished run as `takeCompleted` gives it: the result as codec text with the binary data its\n * tags refer to, its large arrays apart (`slices`), its trace's id for `takeTrace` / `dropTrace`.\n */\nexport type FinishedRun = {\n");
    for (name, ts, optional) in crate::session::CompletedRun::JS_FIELDS {
        body.push_str(&format!("  {name}{}: {ts};\n", if *optional { "?" } else { "" }));
    }
    body.push_str("};\n\n");
    body.push_str("/** The methods of a session's JS class; a method whose feature a build lacks is absent. */\nexport type SessionMethods = {\n");
    members(&mut body, &methods);
    body.push_str("};\n\n");
    let functions: Vec<Method> = crate::catalog_functions!(__catalog_typescript { config });
    body.push_str("/** The module-level functions of either build; each returns an outcome envelope as JSON text. */\nexport type CatalogFunctions = {\n");
    members(&mut body, &functions);
    body.push_str("};\n\n");
    body.push_str("/**\n * How the TypeScript layer reaches each method: `driving` (returns status bits; across a Web\n * Worker a message whose outcome comes back relayed), `relayed` (takes what a driving call left\n * waiting; across a worker, read from what was relayed), `read` (reads the session's state at\n * once; not across a worker), `call` (a result at once in the page, a promise across a worker),\n * `promise` (a promise), `bespoke` (how depends on where the session is).\n */\n");
    body.push_str("export const SESSION_METHOD_KINDS = {\n");
    for method in &methods {
        body.push_str(&format!("  {}: \"{}\",\n", method.js, method.kind));
    }
    body.push_str("} as const;\n\n");
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
        body.push_str(&format!("/** Status bit: {doc} */\nexport const {name} = {value};\n"));
    }
    out.push('\n');
    body.push_str("/** The feature each method needs (`native`: the native addon only); the others are in every build. */\n");
    body.push_str("export const SESSION_METHOD_GATES = {\n");
    for method in methods.iter().filter(|m| m.gate != "always") {
        body.push_str(&format!("  {}: \"{}\",\n", method.js, method.gate));
    }
    body.push_str("} as const;\n\n");
    body.push_str(
        "/** The feature each module function needs; the others are in every build. */\n",
    );
    body.push_str("export const CATALOG_FUNCTION_GATES = {\n");
    for function in functions.iter().filter(|f| f.gate != "always") {
        body.push_str(&format!("  {}: \"{}\",\n", function.js, function.gate));
    }
    body.push_str("} as const;\n");
    out.push_str(&imports(
        &body,
        "../../types/calls.generated.js",
        &[
            "CacheAnswers",
            "CacheCall",
            "ExecutionsAnswers",
            "ExecutionsCall",
            "RunCommand",
            "TriggersAnswers",
            "TriggersCall",
            "CredentialsAnswers",
            "CredentialsCall",
        ],
    ));
    out.push_str(&imports(&body, "../../types/answers.generated.js", super::ANSWER_NAMES));
    out.push('\n');
    out.push_str(&body);
    out
}

/// `import type { ... } from "from";` of the `names` that `body` uses (none: nothing).
pub(super) fn imports(body: &str, from: &str, names: &[&str]) -> String {
    let words: std::collections::HashSet<&str> =
        body.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').collect();
    let mut used: Vec<&str> = names.iter().copied().filter(|name| words.contains(name)).collect();
    used.sort_unstable();
    used.dedup();
    if used.is_empty() {
        return String::new();
    }
    format!("import type {{ {} }} from \"{from}\";\n", used.join(", "))
}

/// `types/calls.generated.ts`: the names each call a method takes by name may have, as unions.
pub(super) fn calls_file(header: &str) -> String {
    use crate::engine::RunCommand;
    use crate::session::{CacheCall, CredentialsCall, ExecutionsCall, TriggersCall};
    let config = super::answer_config();
    let mut body = String::new();
    for (name, doc, names, answers) in [
        ("RunCommand", "What `node.pause` / `resume` / `step` ask of a running execution (`controlRun`).", RunCommand::NAMES, RunCommand::answers(&config)),
        ("ExecutionsCall", "An `executions.*` call, by name; `flush` waits until every run record written so far is stored.", ExecutionsCall::NAMES, ExecutionsCall::answers(&config)),
        ("CacheCall", "The node result cache's calls (`conductor.cache`).", CacheCall::NAMES, CacheCall::answers(&config)),
        ("TriggersCall", "The triggers' calls (`conductor.triggers`; `due` and `ended` are its timer's).", TriggersCall::NAMES, TriggersCall::answers(&config)),
        ("CredentialsCall", "The credentials' calls (`conductor.credentials`); no answer holds a field's value.", CredentialsCall::NAMES, CredentialsCall::answers(&config)),
    ] {
        let union: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        body.push_str(&format!("\n/** {doc} */\nexport type {name} = {};\n", union.join(" | ")));
        if !answers.is_empty() {
            body.push_str(&format!("\n/** What each `{name}` answers (inside the outcome envelope). */\nexport type {} = {{\n", answers_name(name)));
            for (call, ts) in answers {
                body.push_str(&format!("  {call}: {ts};\n"));
            }
            body.push_str("};\n");
        }
    }
    let mut out = String::from(header);
    out.push_str("// The calls boundary methods take by name and what each answers, from their one Rust\n// declaration (`named_calls!`: core/src/run/command.rs, core/src/session/boundary/calls.rs).\n");
    let imported = imports(&body, "./answers.generated.js", super::ANSWER_NAMES);
    if !imported.is_empty() {
        out.push('\n');
        out.push_str(&imported);
    }
    out.push_str(&body);
    out
}
