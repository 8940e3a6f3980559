//! A fast tier for functions that build a record from their arguments — the most common
//! `map` over data: `item => ({ ...item, processed: true })`,
//! `r => ({ id: r.id, total: r.price * r.qty })`, `({ id, name }) => ({ id, name, ok: true })`.
//!
//! Such a body (an object literal of spreads and static keys whose values are constants,
//! argument paths, string methods over a path — `row.team.toLowerCase()`,
//! `row.start.slice(0, 4)` — or arithmetic over numeric paths and `Number(...)` of those) is
//! built straight from the input: the
//! spread object's map is cloned and the other properties inserted, with no frame, no run-time
//! values and no second copy. Whenever the general interpreter could answer differently — a
//! spread of something other than an object, a path through a non-object, a non-number in
//! arithmetic, or any budget it might exceed — the call falls back to it, so results, errors
//! and budgets stay exactly the interpreter's.

use crate::value::{Map, Str, Value};

use super::super::fastpath::{eval_num, params_of, Builder, Leaf, NumExpr, Params};
use super::super::interpreter::lookup_json;
use super::super::interrupt::CHECK_EVERY;
use super::super::ir::{Body, Const, Function, Item, Node, Prop};
use super::super::limits::Limits;
use super::super::order::enumeration_order;
use super::super::output::{borrowed_size, NODE_BYTES};
use super::super::value::number_to_json;
use super::text::{apply_all, TextOp};
use super::{lookup_hinted, LeafReads};

/// Most numeric leaves a record's arithmetic may read.
const MAX_LEAVES: usize = 8;
/// What the interpreter counts against the memory budget for an object: a header, and two
/// values per property (see `Interp::make_obj`).
const OBJECT_BYTES: usize = 32;
const PROPERTY_BYTES: usize = 32;
/// Nesting the interpreter charges a call beyond its body's height (`CALL_OVERHEAD`).
const CALL_NESTING: usize = 4;

/// An argument, then static keys: `item`, `item.meta.kind`.
struct Path {
    slot: u32,
    keys: Vec<String>,
    /// Where each key was found last (see `lookup_hinted`).
    hints: Vec<std::sync::atomic::AtomicU32>,
}

enum Field {
    Const(Value),
    Path(Path),
    Num(NumExpr),
    /// String methods over the string at a path.
    Text(Path, Vec<TextOp>),
}

enum RecordProp {
    Spread(Path),
    Field(Str, Field),
}

/// A record-building function, ready to be called without the interpreter.
pub(in super::super) struct RecordPath {
    params: Params,
    props: Vec<RecordProp>,
    /// The numeric paths the arithmetic reads.
    leaves: Vec<Leaf>,
    /// Steps the interpreter charges at most for the body, beside one per spread property.
    steps: u64,
    /// Nesting the interpreter charges the call.
    nesting: usize,
    /// A record of distinct static keys alone (no spread): its properties in the order
    /// JavaScript enumerates them, worked out once, so each record is built in place.
    layout: Option<Vec<usize>>,
}

impl std::fmt::Debug for RecordPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecordPath({} properties)", self.props.len())
    }
}

fn path_of(node: &Node) -> Option<Path> {
    let mut keys = Vec::new();
    let mut at = node;
    loop {
        match at {
            Node::Slot(slot) => {
                keys.reverse();
                let hints = keys.iter().map(|_| Default::default()).collect();
                return Some(Path { slot: *slot, keys, hints });
            }
            Node::Member(member) if !member.optional => {
                keys.push(member.key.clone());
                at = &member.obj;
            }
            _ => return None,
        }
    }
}

/// String methods over a path (`row.name.trim().toLowerCase()`), when every method is one the
/// tier applies itself.
fn text_of(node: &Node) -> Option<Field> {
    let mut ops = Vec::new();
    let mut at = node;
    while let Node::Method(method) = at {
        if method.optional_member || method.optional_call {
            return None;
        }
        ops.push(TextOp::of(method.method, &method.args)?);
        at = &method.obj;
    }
    ops.reverse();
    (!ops.is_empty()).then_some(())?;
    Some(Field::Text(path_of(at)?, ops))
}

/// Nodes in a tree, each of which the interpreter charges at most a few steps for.
fn node_count(node: &Node) -> u64 {
    let items = |items: &[Item]| {
        items
            .iter()
            .map(|item| match item {
                Item::Expr(n) | Item::Spread(n) => node_count(n),
                Item::Hole => 1,
            })
            .sum::<u64>()
    };
    match node {
        Node::Method(method) => 2 + node_count(&method.obj) + items(&method.args),
        Node::NativeCall(call) => 2 + items(&call.args),
        Node::Member(member) => 1 + node_count(&member.obj),
        Node::Unary(_, x) => 1 + node_count(x),
        Node::Binary(_, a, b) => 1 + node_count(a) + node_count(b),
        Node::Object(props) => {
            1 + props
                .iter()
                .map(|p| match p {
                    Prop::Static(_, v) | Prop::Spread(v) => node_count(v),
                    Prop::Computed(k, v, _) => node_count(k) + node_count(v),
                })
                .sum::<u64>()
        }
        _ => 1,
    }
}

/// Builds the record tier for `func`, if its body is a record this tier can build.
pub(in super::super) fn analyze(func: &Function) -> Option<RecordPath> {
    let Body::Expr(body @ Node::Object(props)) = &func.body else { return None };
    if !func.captures.is_empty() {
        return None;
    }
    let params = params_of(func)?;
    let mut numbers = Builder { reads: LeafReads { text: true }, ..Builder::default() };
    let mut out = Vec::with_capacity(props.len());
    for prop in props {
        out.push(match prop {
            Prop::Spread(node) => RecordProp::Spread(path_of(node)?),
            Prop::Static(key, node) => RecordProp::Field(
                key.as_str().into(),
                match node {
                    Node::Const(Const::Undefined) => Field::Const(Value::Undefined),
                    Node::Const(Const::Null) => Field::Const(Value::Null),
                    Node::Const(Const::Bool(b)) => Field::Const(Value::Bool(*b)),
                    Node::Const(Const::Num(n)) => Field::Const(number_to_json(*n)),
                    Node::Const(Const::Str(s)) => Field::Const(Value::from(s.clone())),
                    Node::Slot(_) | Node::Member(_) => Field::Path(path_of(node)?),
                    Node::Method(_) => text_of(node)?,
                    _ => Field::Num(numbers.num(node)?),
                },
            ),
            Prop::Computed(..) => return None,
        });
    }
    if numbers.leaves.len() > MAX_LEAVES {
        return None;
    }
    let keys: Vec<&str> = out
        .iter()
        .filter_map(|prop| match prop {
            RecordProp::Field(key, _) => Some(key.as_str()),
            RecordProp::Spread(_) => None,
        })
        .collect();
    // A set, not a scan of the keys before each: a literal of 40,000 keys took 1.5 s to compile.
    let distinct = keys.len() == out.len() && {
        let mut seen = rustc_hash::FxHashSet::default();
        keys.iter().all(|key| seen.insert(*key))
    };
    let layout = distinct.then(|| {
        enumeration_order(keys.iter().copied()).unwrap_or_else(|| (0..keys.len()).collect())
    });
    Some(RecordPath {
        layout,
        params,
        props: out,
        leaves: numbers.leaves,
        // Every node is an evaluation step, and a member access or an operand one more:
        // generously above what the interpreter counts, plus the call itself.
        steps: 4 * node_count(body) + 16,
        nesting: func.height + CALL_NESTING,
    })
}

impl RecordPath {
    /// The argument a parameter slot holds: `Err` where the interpreter must decide (a
    /// destructured argument that is not an object), `Ok(None)` for `undefined`.
    fn argument<'v>(&self, args: &[&'v Value], slot: u32) -> Result<Option<&'v Value>, ()> {
        match &self.params {
            Params::Positional => Ok(args.get(slot as usize).copied()),
            Params::Destructured(keys) => {
                let object = args.first().and_then(|a| a.as_object()).ok_or(())?;
                let key = &keys.iter().find(|(s, _)| *s == slot).ok_or(())?.1;
                Ok(lookup_json(object, key))
            }
        }
    }

    /// The value at `path`: `Ok(None)` for `undefined`, `Err` for a path the interpreter must
    /// follow itself (through `undefined` or `null`, which throws, or through an array or a
    /// string, whose members this tier does not read).
    fn resolve<'v>(&self, args: &[&'v Value], path: &Path) -> Result<Option<&'v Value>, ()> {
        let mut at = self.argument(args, path.slot)?;
        for (key, hint) in path.keys.iter().zip(&path.hints) {
            at = match at {
                Some(Value::Object(object)) => lookup_hinted(object, key, hint),
                _ => return Err(()),
            };
        }
        // An array hole reads as `undefined` (it cannot be an object's value, but be exact).
        Ok(at.filter(|v| !matches!(v, Value::Ext(ext) if matches!(**ext, crate::value::Ext::Hole))))
    }

    /// The object a spread copies: `Some(None)` for a value without own enumerable properties
    /// (`undefined`, `null`, booleans, numbers), `None` when the interpreter must answer
    /// (spreading a string or an array gives index keys).
    fn spread_source<'a>(&self, args: &[&'a Value], path: &Path) -> Option<Option<&'a Map>> {
        match self.resolve(args, path).ok()? {
            Some(Value::Object(object)) => Some(Some(object)),
            Some(Value::String(_) | Value::Array(_)) => None,
            _ => Some(None),
        }
    }

    /// The record, and the output bytes it counts, or `None` when the interpreter must build
    /// it (see the module comment). `room` is what the call's result may take of the output
    /// bound.
    pub fn call(&self, args: &[&Value], limits: &Limits, room: usize) -> Option<(Value, usize)> {
        if self.nesting > limits.max_depth.saturating_mul(4).max(64) || limits.max_value_depth < 2 {
            return None;
        }
        // Memory the interpreter would count for the strings the methods create.
        let mut created = 0usize;
        let mut numbers = [0.0f64; MAX_LEAVES];
        for (slot, leaf) in numbers.iter_mut().zip(&self.leaves) {
            let root = self.argument(args, leaf.slot).ok()??;
            *slot = leaf.read(root, limits.max_string_len, &mut created)?;
        }
        let numbers = &numbers[..self.leaves.len()];
        // Steps: the body, and one per property a spread copies. The interpreter looks at the
        // call's interrupt every CHECK_EVERY steps: a call that long is left to it.
        let mut steps = self.steps;
        for prop in &self.props {
            if let RecordProp::Spread(path) = prop {
                steps += self.spread_source(args, path)?.map_or(0, |s| s.len() as u64);
            }
        }
        if steps > limits.max_steps.min(CHECK_EVERY) {
            return None;
        }
        if let Some(layout) = &self.layout {
            // Distinct keys, no spread: built in place, in enumeration order.
            let mut entries = Vec::with_capacity(layout.len());
            for &i in layout {
                let RecordProp::Field(key, field) = self.props.get(i)? else { return None };
                entries
                    .push((key.clone(), self.field(field, args, numbers, limits, &mut created)?));
            }
            return finished(Map::from_unique(entries), created, limits, room);
        }
        let mut record: Option<Map> = None;
        for prop in &self.props {
            match prop {
                RecordProp::Spread(path) => {
                    // Found again rather than kept from above: a list of them cost an allocation
                    // per call, more than finding a spread's object twice.
                    let Some(source) = self.spread_source(args, path)? else { continue };
                    match &mut record {
                        // The first spread is a copy of its object, made with room for what
                        // follows (no second allocation to grow it).
                        None => record = Some(source.clone_with_room(self.props.len())),
                        Some(record) => {
                            for (key, value) in source {
                                record.insert(key.clone(), value.clone());
                            }
                        }
                    }
                }
                RecordProp::Field(key, field) => {
                    let value = self.field(field, args, numbers, limits, &mut created)?;
                    record
                        .get_or_insert_with(|| Map::with_capacity(self.props.len()))
                        .insert(key.clone(), value);
                }
            }
        }
        let mut record = record.unwrap_or_default();
        // JavaScript enumerates index-like keys first, in numeric order.
        if let Some(order) = enumeration_order(record.keys().map(crate::value::Str::as_str)) {
            let mut entries: Vec<Option<(crate::value::Str, Value)>> =
                record.into_iter().map(Some).collect();
            record = order
                .into_iter()
                .filter_map(|i| entries.get_mut(i).and_then(Option::take))
                .collect();
        }
        finished(record, created, limits, room)
    }

    /// A field's value (`None`: the interpreter must answer); `created` gains the memory the
    /// interpreter would count for a string a method makes.
    fn field(
        &self,
        field: &Field,
        args: &[&Value],
        numbers: &[f64],
        limits: &Limits,
        created: &mut usize,
    ) -> Option<Value> {
        Some(match field {
            Field::Const(value) => value.clone(),
            Field::Path(path) => {
                self.resolve(args, path).ok()?.cloned().unwrap_or(Value::Undefined)
            }
            Field::Num(expr) => number_to_json(eval_num(expr, numbers)),
            Field::Text(path, ops) => {
                let Some(Value::String(s)) = self.resolve(args, path).ok()? else { return None };
                let (text, bytes) = apply_all(s, ops, limits.max_string_len)?;
                *created += bytes;
                Value::String(Str::from(&*text))
            }
        })
    }
}

/// The record as the call's result, with the output bytes it counts; `None` where the
/// interpreter would count more memory than the call may have, or more output than `room`.
fn finished(record: Map, created: usize, limits: &Limits, room: usize) -> Option<(Value, usize)> {
    if OBJECT_BYTES
        .saturating_add(PROPERTY_BYTES.saturating_mul(record.len()))
        .saturating_add(created)
        > limits.max_memory_bytes
    {
        return None;
    }
    let size = record_size(&record, room)?;
    Some((Value::Object(record), size))
}

/// The output bytes the interpreter's materialisation counts for a record it built from these
/// entries (an `undefined` property counts its key only), or `None` past `room`.
fn record_size(record: &Map, room: usize) -> Option<usize> {
    let mut size = NODE_BYTES;
    for (key, value) in record {
        size += key.len() + 3;
        size += match value {
            Value::Undefined => 0,
            Value::Ext(ext) if matches!(**ext, crate::value::Ext::Hole) => 0,
            Value::String(s) => s.len() + 2,
            Value::Null | Value::Bool(_) | Value::Number(_) => NODE_BYTES,
            other => borrowed_size(std::iter::once(other), room.saturating_sub(size))?,
        };
        if size > room {
            return None;
        }
    }
    Some(size)
}
