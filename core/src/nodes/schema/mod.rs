//! Parameter schemas: one description per node type that validation (`check`), the executables
//! (`with_defaults`) and the editor catalog (`fields`) all read — the "one source of truth" of
//! the node-types issue. It mirrors what the TypeScript engine expressed with Zod schemas and
//! `createFieldsFromSchema`.

pub(crate) mod check;
mod expression;
mod fields;
mod label;
mod overrides;

use crate::value::{Map, Value};

pub use label::{field_label, option_label};
pub use overrides::FieldOverrides;

use super::ParameterIssue;

/// Whether this build keeps what only editors and the node reference read: help texts, notes,
/// UI overrides (the `help-texts` feature, which the catalog crate turns on; a constant, so the
/// strings leave the other builds).
const CATALOG: bool = cfg!(feature = "help-texts");

/// How a string is further constrained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    Plain,
    /// An absolute URL (`Must be a valid URL`).
    Url,
    Email,
}

/// What an expression parameter must compile as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpressionForm {
    /// A function (`x => x * 2`) or a bare expression of the implicit parameters (`item.price`).
    Function { implicit: &'static [&'static str] },
    /// A condition over named variables (`iteration < 10`).
    Condition { variables: &'static [&'static str] },
    /// A function whose implicit parameters depend on the node's `operation` parameter
    /// (transform: `reduce` gets `acc, item`, the rest `item`).
    PerOperation {
        implicit: &'static [&'static str],
        overrides: &'static [(&'static str, &'static [&'static str])],
    },
}

impl ExpressionForm {
    /// The form for a node whose `operation` parameter is `operation`.
    pub fn for_operation(self, operation: Option<&str>) -> ExpressionForm {
        match self {
            ExpressionForm::PerOperation { implicit, overrides } => ExpressionForm::Function {
                implicit: overrides
                    .iter()
                    .find(|(op, _)| Some(*op) == operation)
                    .map_or(implicit, |(_, names)| names),
            },
            other => other,
        }
    }
}

/// The type and constraints of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamKind {
    Text {
        min_len: usize,
        format: TextFormat,
    },
    Number {
        min: Option<f64>,
        max: Option<f64>,
        exclusive_min: bool,
        integer: bool,
    },
    Boolean,
    Enum(&'static [&'static str]),
    /// `string[]` of file paths (items may also be the files' contents as binary data),
    /// non-empty when `min_items > 0`.
    StringList {
        min_items: usize,
    },
    /// `string[]` or the JSON text of one (shell-command `args`).
    StringListOrJson,
    /// Any array.
    Array,
    /// `Record<string, unknown>` or the JSON text of one (edit-fields `values`).
    RecordOrJson,
    /// `Record<string, string>` or the JSON text of one (http-request `headers`).
    StringRecordOrJson,
    /// A string holding a sandboxed expression, checked for syntax before anything runs.
    Expression(ExpressionForm),
    Any,
    /// A parameter the TypeScript engine's editor wrote into every new node of the type although
    /// no engine ever read it: accepted at that value only (so its flows keep validating), any
    /// other value refused with `why` (it would be ignored). Never shown in the editor fields.
    /// `json` is the accepted value as JSON text.
    Only {
        json: &'static str,
        why: &'static str,
    },
}

impl ParamKind {
    /// Any string (`z.string()`).
    pub const fn text() -> Self {
        ParamKind::Text { min_len: 0, format: TextFormat::Plain }
    }

    /// A string of at least `min_len` characters (`z.string().min(n, ...)`).
    pub const fn text_min(min_len: usize) -> Self {
        ParamKind::Text { min_len, format: TextFormat::Plain }
    }

    /// Any number (`z.number()`).
    pub const fn number() -> Self {
        ParamKind::Number { min: None, max: None, exclusive_min: false, integer: false }
    }

    /// A number in `min..=max` (`z.number().min(a).max(b)`).
    pub const fn number_range(min: f64, max: f64) -> Self {
        ParamKind::Number { min: Some(min), max: Some(max), exclusive_min: false, integer: false }
    }

    /// A number `>= min` (`z.number().min(a)`).
    pub const fn number_min(min: f64) -> Self {
        ParamKind::Number { min: Some(min), max: None, exclusive_min: false, integer: false }
    }

    /// A whole number in `min..=max`.
    pub const fn whole_range(min: f64, max: f64) -> Self {
        ParamKind::Number { min: Some(min), max: Some(max), exclusive_min: false, integer: true }
    }

    /// A number `> 0` (`z.number().positive()`).
    pub const fn positive() -> Self {
        ParamKind::Number { min: Some(0.0), max: None, exclusive_min: true, integer: false }
    }
}

/// A default value (a function, so schemas can be `static`).
pub type DefaultFn = fn() -> Value;

/// One parameter.
#[derive(Debug, Clone)]
pub struct ParamSpec {
    pub name: &'static str,
    pub kind: ParamKind,
    /// Zod `.optional()`: may be absent (the UI marks it not required).
    pub optional: bool,
    /// Zod `.default(...)`: applied when absent.
    pub default: Option<DefaultFn>,
    /// Zod `.default(...).optional()`: a default is declared, and the UI field shows it as its
    /// placeholder, but the optional wrapper wins, so an absent value stays absent (image
    /// `quality`).
    pub declared_default: Option<DefaultFn>,
    /// Zod `.describe(...)`: the field's help text.
    pub description: Option<&'static str>,
    /// More than the help text says (what each value does, where it applies): the node
    /// reference (`docs/nodes.md`) prints it after the description; editors do not show it.
    pub note: Option<&'static str>,
    /// Message when a required value is missing or empty (e.g. "Path is required").
    pub required_message: Option<&'static str>,
    /// UI overrides merged over the derived field config (labels, options, placeholders).
    pub ui: FieldOverrides,
}

impl ParamSpec {
    /// A required parameter.
    pub const fn new(name: &'static str, kind: ParamKind) -> Self {
        ParamSpec {
            name,
            kind,
            optional: false,
            default: None,
            declared_default: None,
            description: None,
            note: None,
            required_message: None,
            ui: FieldOverrides::NONE,
        }
    }

    pub const fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    pub const fn default(mut self, default: DefaultFn) -> Self {
        self.default = Some(default);
        self
    }

    /// A default that is only declared (shown as the field's placeholder, never applied); the
    /// parameter is optional.
    pub const fn declared_default(mut self, default: DefaultFn) -> Self {
        self.declared_default = Some(default);
        self.optional = true;
        self
    }

    /// The help text: kept only in builds that show fields or document them (`help-texts`).
    pub const fn describe(mut self, description: &'static str) -> Self {
        if CATALOG {
            self.description = Some(description);
        }
        self
    }

    /// What the node reference says beyond the help text (kept only with `help-texts`:
    /// editors never show it, and the browser module has no room for it).
    pub const fn note(mut self, note: &'static str) -> Self {
        if CATALOG {
            self.note = Some(note);
        }
        self
    }

    pub const fn required_message(mut self, message: &'static str) -> Self {
        self.required_message = Some(message);
        self
    }

    /// How the editor field differs from the derived one: kept only in builds with the
    /// `help-texts` (the catalog, its only reader).
    pub const fn ui(mut self, ui: FieldOverrides) -> Self {
        if CATALOG {
            self.ui = ui;
        }
        self
    }

    /// Whether the value may be absent (optional, or defaulted).
    pub fn may_be_absent(&self) -> bool {
        self.optional || self.default.is_some()
    }
}

/// The parameters the engine reads for every node type, whatever its schema: `enabled`,
/// `timeout`, `retries`, `retryDelay`, `cache` and `onError` (the scheduler), `idempotent`
/// (durable runs), `label` and `description` (display).
pub const ENGINE_PARAMS: &[&str] = &[
    "enabled",
    "timeout",
    "retries",
    "retryDelay",
    "label",
    "description",
    "cache",
    "idempotent",
    "onError",
];

/// What an engine parameter does, in a few words: said where a misspelt parameter is near
/// one of them and the type's own too.
pub fn engine_param_meaning(name: &str) -> &'static str {
    match name {
        "enabled" => "the engine's switch that skips the node when false",
        "timeout" => "the engine's time limit on each attempt of the node",
        "retries" => "how many more attempts the engine makes after a retryable failure",
        "retryDelay" => "the engine's delay before a retry",
        "label" => "the node's display label",
        "description" => "the node's display description",
        "cache" => "whether the engine caches the node's result",
        "idempotent" => "whether a resumed run may run the node again after a crash",
        "onError" => "what the engine does when the node fails (stop, continue or route)",
        _ => "a parameter the engine reads for every node",
    }
}

/// A node type's parameters.
#[derive(Debug, Clone)]
pub struct NodeSchema {
    pub params: Vec<ParamSpec>,
    /// The keys the node reads from its input: what an edge's `targetHandle` may name. A
    /// parameter read through `getInput` is among them (an edge of its name overrides it).
    pub inputs: Vec<&'static str>,
    /// Whether the shared base fields (`enabled`, `timeout`, `retries`, `label`, `description`)
    /// appear in the UI fields (all types but `group` and `parallel`, whose fields are
    /// hand-written).
    pub base_fields: bool,
    /// Whether the UI fields carry the derived `required` flag and "Default: ..." placeholder.
    /// The hand-written fields of `group` and `parallel` had neither.
    pub derived_hints: bool,
    /// Every parameter's default value by name, built once: executables read them on every
    /// run, and a JSON map would hash each name with SipHash.
    default_values: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, crate::value::Value>>,
}

impl NodeSchema {
    pub fn new(params: Vec<ParamSpec>) -> Self {
        NodeSchema {
            params,
            inputs: Vec::new(),
            base_fields: true,
            derived_hints: true,
            default_values: std::sync::OnceLock::new(),
        }
    }

    /// Where `name` is among the known parameters: `Some(Some(i))` the type's `i`th,
    /// `Some(None)` one of the engine's, `None` a name the type does not know.
    pub fn lookup(&self, name: &str) -> Option<Option<usize>> {
        // A scan beats a hash here: a type has a few dozen names at most, and most differ in
        // length, which is compared first.
        if let Some(index) = self.params.iter().position(|p| p.name == name) {
            return Some(Some(index));
        }
        ENGINE_PARAMS.contains(&name).then_some(None)
    }

    /// The default value of a parameter, if it has one.
    pub fn default_value(&self, name: &str) -> Option<&crate::value::Value> {
        self.default_values
            .get_or_init(|| {
                self.params
                    .iter()
                    .filter_map(|spec| spec.default.map(|default| (spec.name, default())))
                    .collect()
            })
            .get(name)
    }

    /// The keys the node reads from its input (see [`NodeSchema::inputs`]).
    pub fn reads_inputs(mut self, inputs: &[&'static str]) -> Self {
        self.inputs = inputs.to_vec();
        self
    }

    /// Whether an edge may deliver to `key` (its `targetHandle`, `"default"` when absent);
    /// `"*"` among the inputs takes any key.
    pub fn reads_input(&self, key: &str) -> bool {
        self.inputs.iter().any(|input| *input == "*" || *input == key)
    }

    /// Every parameter name the type knows: its own and the engine's.
    pub fn known_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.params.iter().map(|p| p.name).chain(ENGINE_PARAMS.iter().copied())
    }

    /// Without the base fields in the UI.
    pub fn without_base_fields(mut self) -> Self {
        self.base_fields = false;
        self
    }

    /// Fields without the derived `required` flag and default placeholder: only what the
    /// kind and the UI overrides say (control, label, help text, range, options).
    pub fn without_derived_hints(mut self) -> Self {
        self.derived_hints = false;
        self
    }

    pub fn param(&self, name: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Problems with `params` (required fields, types, enums, ranges, expression syntax). The
    /// base parameters are checked by the engine for every node type, not here.
    pub fn check(&self, params: &Map) -> Vec<ParameterIssue> {
        check::check(self, params)
    }

    /// [`check`](Self::check), then, when it finds nothing, what the type's own `more` finds
    /// (its checks beyond the schema, which may assume the schema's shapes hold).
    pub fn check_then(
        &self,
        params: &Map,
        more: fn(&Map) -> Vec<ParameterIssue>,
    ) -> Vec<ParameterIssue> {
        let mut issues = self.check(params);
        if issues.is_empty() {
            issues.extend(more(params));
        }
        issues
    }

    /// `params` with every absent defaulted parameter filled in (Zod's parse result: what the
    /// TypeScript engine's executables called `config`).
    pub fn with_defaults(&self, params: &Map) -> Map {
        let mut out = params.clone();
        for spec in &self.params {
            if let Some(default) = spec.default {
                if out.get(spec.name).is_none_or(Value::is_null) {
                    out.insert(spec.name.to_owned(), default());
                }
            }
        }
        out
    }

    /// The default parameter values (for the catalog's definitions).
    pub fn defaults(&self) -> Map {
        self.params.iter().filter_map(|p| p.default.map(|d| (p.name.to_owned(), d()))).collect()
    }
}

/// The parameters every node type shares (the TypeScript engine `baseSchema`): enabled, timeout,
/// retries, label, description.
pub fn base_params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new("enabled", ParamKind::Boolean)
            .default(|| Value::Bool(true))
            .describe("Whether this node is enabled for execution"),
        ParamSpec::new(
            "timeout",
            ParamKind::Number { min: Some(0.0), max: None, exclusive_min: true, integer: false },
        )
        .default(|| Value::from(30000))
        .describe("Maximum execution time in milliseconds"),
        ParamSpec::new(
            "retries",
            ParamKind::Number { min: Some(0.0), max: None, exclusive_min: false, integer: true },
        )
        .default(|| Value::from(1))
        .describe("Number of retry attempts on failure"),
        ParamSpec::new("label", ParamKind::Text { min_len: 0, format: TextFormat::Plain })
            .optional()
            .describe("Custom label for this node instance"),
        ParamSpec::new("description", ParamKind::Text { min_len: 0, format: TextFormat::Plain })
            .optional()
            .describe("Custom description for this node instance"),
    ]
}

/// `dataPath`: where to find the array when an array input receives another node's output
/// object (see `common::array_input`). Hidden from the editor fields.
pub fn data_path_param() -> ParamSpec {
    ParamSpec::new("dataPath", ParamKind::Text { min_len: 0, format: TextFormat::Plain })
        .optional()
        .describe("Dotted path of the array inside an object input (e.g. records or result.items)")
        .ui(FieldOverrides::NONE.hidden())
}
