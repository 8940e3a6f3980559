//! The vocabulary options are declared in: a [`Shape`] is an object type with named
//! [`Field`]s, each of one [`Kind`]. Everything is `const`, so a declaration is plain data that
//! the TypeScript generator, the checks and the documentation all read.

/// Which entry points of the npm package accept a field (a bit set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entries(pub u8);

impl Entries {
    /// `createConductor` in a Node process (`@atomiton/conductor`, `/desktop`), on the native
    /// engine or the WebAssembly one.
    pub const NODE: Entries = Entries(1);
    /// `createConductor` of `@atomiton/conductor/browser`.
    pub const BROWSER: Entries = Entries(2);
    /// `createRemoteConductor`: a Node process whose flows run on a server or a main process.
    pub const REMOTE: Entries = Entries(4);
    /// `createQueueConductor`: flows run on queue workers.
    pub const QUEUE: Entries = Entries(8);
    /// `setupMainProcessHandler`: Electron's main process serving renderers.
    pub const MAIN: Entries = Entries(16);
    /// Every conductor that runs flows in its own process.
    pub const LOCAL: Entries = Entries(1 | 2 | 16);
    /// Node processes that run flows themselves.
    pub const NODE_LOCAL: Entries = Entries(1 | 16);
    /// Every entry.
    pub const ALL: Entries = Entries(31);

    /// Both sets.
    pub const fn and(self, other: Entries) -> Entries {
        Entries(self.0 | other.0)
    }

    pub const fn contains(self, other: Entries) -> bool {
        self.0 & other.0 == other.0
    }

    /// Each entry's name, as the generated TypeScript and the messages say it.
    pub const NAMES: [(Entries, &'static str); 5] = [
        (Entries::NODE, "node"),
        (Entries::BROWSER, "browser"),
        (Entries::REMOTE, "remote"),
        (Entries::QUEUE, "queue"),
        (Entries::MAIN, "main"),
    ];
}

/// How a number is bounded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub min: Option<f64>,
    /// `min` itself is not allowed (a value must be greater).
    pub min_exclusive: bool,
    pub max: Option<f64>,
    /// Whole numbers only.
    pub integer: bool,
    /// What the number counts, for messages (`"milliseconds"`, `"bytes"`; empty: nothing said).
    pub unit: &'static str,
}

impl Range {
    /// Any number.
    pub const ANY: Range =
        Range { min: None, min_exclusive: false, max: None, integer: false, unit: "" };

    /// A whole number of at least `min`.
    pub const fn whole(min: f64) -> Range {
        Range { min: Some(min), integer: true, ..Range::ANY }
    }

    /// Milliseconds greater than 0.
    pub const MS_POSITIVE: Range =
        Range { min: Some(0.0), min_exclusive: true, unit: "milliseconds", ..Range::ANY };

    /// Milliseconds, 0 or more.
    pub const MS: Range = Range { min: Some(0.0), unit: "milliseconds", ..Range::ANY };

    /// A whole number of bytes, at least 1.
    pub const BYTES: Range = Range { min: Some(1.0), integer: true, unit: "bytes", ..Range::ANY };

    pub const fn max(self, max: f64) -> Range {
        Range { max: Some(max), ..self }
    }
}

/// What a JS value that only JavaScript can hold (a function, a class instance) must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsCheck {
    /// `typeof value === "function"`.
    Function,
    /// A non-null object with these methods (none: any object).
    Methods(&'static [&'static str]),
    /// Anything (the TypeScript type says the rest).
    Any,
}

/// The type of one option.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Boolean,
    Number(Range),
    /// A string; `true`: a non-empty one.
    Text {
        non_empty: bool,
    },
    /// One of these strings.
    OneOf(&'static [Choice]),
    ListOf(&'static Kind),
    /// An object of string keys to values of this kind.
    RecordOf(&'static Kind),
    Object(&'static Shape),
    /// The first alternative the value's type fits decides (`true | {…}`).
    Either(&'static [Kind]),
    /// A JS value of a TypeScript type written out (`ts`), checked as `check` says.
    Js {
        ts: &'static str,
        check: JsCheck,
    },
    /// Any value at all (`unknown`, or `ts` when given).
    Any {
        ts: &'static str,
    },
}

/// One allowed string of a [`Kind::OneOf`], and the entries that accept it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Choice {
    pub value: &'static str,
    pub entries: Entries,
}

impl Choice {
    pub const fn any(value: &'static str) -> Choice {
        Choice { value, entries: Entries::ALL }
    }

    pub const fn only(value: &'static str, entries: Entries) -> Choice {
        Choice { value, entries }
    }
}

/// How the TypeScript layer hands a config field to a session (the Rust `SessionConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// Not sent: read by the TypeScript layer only.
    No,
    /// Sent as it is, under its own name.
    Same,
    /// Sent at the top level under this name (`limits.maxDepth` → `maxDepth`).
    As(&'static str),
}

/// One named option.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub doc: &'static str,
    pub required: bool,
    pub entries: Entries,
    pub wire: Wire,
    /// Why an entry that does not accept the field refuses it (when `entries` is not `ALL`).
    pub elsewhere: &'static str,
    /// The TypeScript type, when it is not the kind's own (a union written more precisely).
    pub ts: &'static str,
}

impl Field {
    /// An optional field every entry accepts, read by the TypeScript layer only.
    pub const fn new(name: &'static str, kind: Kind, doc: &'static str) -> Field {
        Field {
            name,
            kind,
            doc,
            required: false,
            entries: Entries::ALL,
            wire: Wire::No,
            elsewhere: "",
            ts: "",
        }
    }

    /// The TypeScript type written out instead of the kind's.
    pub const fn ts(self, ts: &'static str) -> Field {
        Field { ts, ..self }
    }

    pub const fn required(self) -> Field {
        Field { required: true, ..self }
    }

    /// Accepted by these entries only; the others refuse it with `why`.
    pub const fn only(self, entries: Entries, why: &'static str) -> Field {
        Field { entries, elsewhere: why, ..self }
    }

    /// Handed to the session under its own name.
    pub const fn wire(self) -> Field {
        Field { wire: Wire::Same, ..self }
    }

    /// Handed to the session under `name`.
    pub const fn wire_as(self, name: &'static str) -> Field {
        Field { wire: Wire::As(name), ..self }
    }
}

/// An object type: its fields and those of the shapes it extends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// The TypeScript type's name; empty for a shape written inline.
    pub name: &'static str,
    pub doc: &'static str,
    pub extends: &'static [&'static Shape],
    pub fields: &'static [Field],
}

impl Shape {
    /// Every field, those of the extended shapes first.
    pub fn all_fields(&self) -> Vec<&'static Field> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect(&self, out: &mut Vec<&'static Field>) {
        for parent in self.extends {
            parent.collect(out);
        }
        // `self.fields` is a `'static` slice, so its items are `'static` references.
        let own: &'static [Field] = self.fields;
        for field in own {
            // A field redeclared by a later shape replaces the inherited one (an entry may
            // narrow a field's kind).
            match out.iter_mut().find(|f| f.name == field.name) {
                Some(slot) => *slot = field,
                None => out.push(field),
            }
        }
    }

    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.all_fields().into_iter().find(|f| f.name == name)
    }
}
