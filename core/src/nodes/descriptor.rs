//! What the catalog says of a node type, declared beside its schema: name, category, ports,
//! where it runs, and (for the node reference) its output's fields and examples. Plain data here,
//! below the catalog that assembles definitions from it, so node types need nothing above them.

use crate::value::Map;

/// Where a node type can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Pure computation: native and browser.
    Everywhere,
    /// Needs the native host (files, processes, native images).
    NativeOnly,
    /// Everywhere for some parameters, native-only for others (`spreadsheet` from a file).
    Mixed,
    /// The native host, and in a browser the editor module only (`llm`: the default module
    /// keeps to its size budget without it).
    NativeAndEditor,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Everywhere => "everywhere",
            Environment::NativeOnly => "native",
            Environment::Mixed => "mixed",
            Environment::NativeAndEditor => "native-and-editor",
        }
    }
}

/// A port as the catalog declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortSpec {
    pub id: &'static str,
    pub name: &'static str,
    /// `"input" | "output" | "trigger" | "error"`.
    pub port_type: &'static str,
    pub data_type: &'static str,
    pub required: bool,
    pub multiple: bool,
    pub description: Option<&'static str>,
    /// An output port: the field of the node's output it carries in a flow of version 2 or
    /// later (`None`: the whole output).
    pub field: Option<&'static str>,
    /// An input port: the one an edge without a `targetHandle` delivers to in a flow of version
    /// 2 or later (else the type's first input port).
    pub main: bool,
}

impl PortSpec {
    pub const fn input(id: &'static str, name: &'static str, data_type: &'static str) -> Self {
        PortSpec {
            id,
            name,
            port_type: "input",
            data_type,
            required: false,
            multiple: false,
            description: None,
            field: None,
            main: false,
        }
    }
    pub const fn output(id: &'static str, name: &'static str, data_type: &'static str) -> Self {
        PortSpec {
            id,
            name,
            port_type: "output",
            data_type,
            required: false,
            multiple: false,
            description: None,
            field: None,
            main: false,
        }
    }
    pub const fn with_type(mut self, port_type: &'static str) -> Self {
        self.port_type = port_type;
        self
    }
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub const fn describe(mut self, description: &'static str) -> Self {
        self.description = Some(description);
        self
    }
    /// An output port carrying field `field` of the node's output (in flows of version 2).
    pub const fn of_field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }
    /// The input an edge without a `targetHandle` delivers to (in flows of version 2).
    pub const fn main(mut self) -> Self {
        self.main = true;
        self
    }
    /// Whether the port takes data (not a trigger).
    pub fn carries_data(&self) -> bool {
        self.port_type == "input" || self.port_type == "output"
    }
}

impl NodeDescriptor {
    /// The output port an edge without a `sourceHandle` leaves from in a flow of version 2: the
    /// first declared.
    pub fn main_output(&self) -> Option<&PortSpec> {
        self.output_ports.first()
    }

    /// The input an edge without a `targetHandle` delivers to in a flow of version 2: the one
    /// marked main, else the first input port that takes data.
    pub fn main_input(&self) -> Option<&PortSpec> {
        let inputs = || self.input_ports.iter().filter(|p| p.carries_data());
        inputs().find(|p| p.main).or_else(|| inputs().next())
    }
}

/// How a built-in type presents itself.
#[derive(Debug, Clone, Copy)]
pub struct NodeDescriptor {
    pub node_type: &'static str,
    /// Display name, e.g. "Edit Fields".
    pub name: &'static str,
    pub description: &'static str,
    /// `NodeCategory`.
    pub category: &'static str,
    /// A lucide icon name.
    pub icon: &'static str,
    pub keywords: &'static [&'static str],
    pub environment: Environment,
    /// The definition's parameter defaults (before `{enabled, timeout, retries}` are added) —
    /// the TypeScript engine kept these separate from the schema defaults, and so do we.
    pub parameters: fn() -> Map,
    pub input_ports: &'static [PortSpec],
    pub output_ports: &'static [PortSpec],
}

/// One field of a node type's output object (the node reference lists them; each built-in's
/// `docs.rs`, with the `reference` feature).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputField {
    pub name: &'static str,
    /// Its TypeScript type (`string`, `number`, `unknown[]`, ...).
    pub ty: &'static str,
    pub doc: &'static str,
}

impl OutputField {
    pub const fn new(name: &'static str, ty: &'static str, doc: &'static str) -> Self {
        OutputField { name, ty, doc }
    }
}

/// A documented use of a node type: its parameters and input. Paths are relative to a working
/// directory holding `notes.txt` ("Hello from a file"), `people.csv` (name,age: Ada 36, Alan
/// 41, Grace 45) and `photos/red.png`, `photos/blue.png` (8×8 pixels each); `{server}` stands
/// for a local HTTP server answering `GET /users/1` with `{"id": 1, "name": "Ada"}` and
/// `POST /orders` with `{"created": true, "order": <the JSON body>}` (201).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeExample {
    pub title: &'static str,
    /// The node's parameters, as JSON text.
    pub parameters: &'static str,
    /// What edges deliver (`{"data": ...}`), as JSON text; `{}` for nothing.
    pub input: &'static str,
}

impl NodeExample {
    pub const fn new(title: &'static str, parameters: &'static str, input: &'static str) -> Self {
        NodeExample { title, parameters, input }
    }
}
