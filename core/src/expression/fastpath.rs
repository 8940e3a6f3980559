//! A fast tier for the most common shape of function: arithmetic and comparisons over
//! numbers read from the arguments (`x => x * 2`, `item => item.price > 100`,
//! `({acc, item}) => acc + item`, `i < 10 && i % 2 === 0`).
//!
//! Such a body is compiled a second time into a tiny tree over `f64` whose leaves are
//! argument paths. At call time, if every leaf is a JSON number, the tree is evaluated
//! directly (no frame, no `Val`); otherwise the general interpreter runs instead. Both give
//! the same result, because with numeric operands these operators have exactly one
//! JavaScript meaning. A leaf may also be `Number(path)` (`row => Number(row.salary) >=
//! 80000`, over text read from a CSV): a number, a short string, a boolean or `null` there
//! converts as `Number` converts it; anything else goes to the interpreter.

use crate::value::Value;

use super::ast::{BinaryOp, LogicalOp, UnaryOp};
use super::data_paths::DataPaths;
use super::interpreter::lookup_json;
use super::ir::{Body, Const, Function, Node, Pat, PatKey};
use super::ops::js_pow;
use super::utf16;
use super::value::number_to_json;
use super::Paths;

/// At most this many leaves (they are resolved into a stack array).
const MAX_LEAVES: usize = 8;

pub(super) enum NumExpr {
    Const(f64),
    Leaf(usize),
    Neg(Box<NumExpr>),
    Arith(BinaryOp, Box<NumExpr>, Box<NumExpr>),
}

enum BoolExpr {
    Cmp(BinaryOp, NumExpr, NumExpr),
    Not(Box<BoolExpr>),
    And(Box<BoolExpr>, Box<BoolExpr>),
    Or(Box<BoolExpr>, Box<BoolExpr>),
}

enum Root {
    Num(NumExpr),
    Bool(BoolExpr),
}

/// A number read from an argument: frame slot, then static member keys.
pub(super) struct Leaf {
    pub slot: u32,
    pub path: Vec<String>,
    /// How the number is read: as it is, or (data builds only, see `bulk`) through `Number(...)`
    /// and string methods, with each key looked for where it was last.
    pub read: <Paths as DataPaths>::LeafRead,
}

impl Leaf {
    /// The number this leaf reads from its argument `root`, adding to `charged` the memory the
    /// interpreter would count for strings its methods create; `None` where the interpreter must
    /// answer.
    #[inline]
    pub fn read(&self, root: &Value, max_len: usize, charged: &mut usize) -> Option<f64> {
        Paths::read(&self.read, root, &self.path, max_len, charged)
    }
}

/// How parameter slots relate to the caller's arguments.
pub(super) enum Params {
    /// Slot `i` is positional argument `i`.
    Positional,
    /// One destructured object parameter: slot → key in that object.
    Destructured(Vec<(u32, String)>),
}

pub(super) struct FastPath {
    root: Root,
    leaves: Vec<Leaf>,
    params: Params,
    nparams: usize,
    /// Steps the general interpreter would charge at most (so budgets stay identical).
    steps: u64,
}

impl std::fmt::Debug for FastPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FastPath({} leaves)", self.leaves.len())
    }
}

#[derive(Default)]
pub(super) struct Builder {
    pub leaves: Vec<Leaf>,
    pub nodes: u64,
    /// How leaves are read (which tiers may apply string methods; see `bulk`).
    pub reads: <Paths as DataPaths>::LeafReads,
}

impl Builder {
    fn leaf(&mut self, node: &Node) -> Option<usize> {
        self.leaf_of(node, Paths::plain)
    }

    /// The leaf for the path `node`, read as `read` makes it from the builder's reads and the
    /// path's keys.
    pub(super) fn leaf_of(
        &mut self,
        node: &Node,
        read: impl FnOnce(&<Paths as DataPaths>::LeafReads, &[String]) -> <Paths as DataPaths>::LeafRead,
    ) -> Option<usize> {
        let mut path = Vec::new();
        let mut cur = node;
        loop {
            self.nodes += 1;
            match cur {
                Node::Slot(s) => {
                    path.reverse();
                    if self.leaves.len() >= MAX_LEAVES {
                        return None;
                    }
                    let read = read(&self.reads, &path);
                    self.leaves.push(Leaf { slot: *s, path, read });
                    return Some(self.leaves.len() - 1);
                }
                Node::Member(m) if !m.optional => {
                    path.push(m.key.clone());
                    cur = &m.obj;
                }
                _ => return None,
            }
        }
    }

    pub fn num(&mut self, node: &Node) -> Option<NumExpr> {
        self.nodes += 1;
        Some(match node {
            Node::Const(Const::Num(n)) => NumExpr::Const(*n),
            Node::Slot(_) | Node::Member(_) => {
                self.nodes -= 1;
                NumExpr::Leaf(self.leaf(node)?)
            }
            // `Number(path)` (data builds only, see `bulk`).
            Node::NativeCall(call) => NumExpr::Leaf(Paths::number_call(self, call)?),
            Node::Unary(UnaryOp::Neg, x) => NumExpr::Neg(Box::new(self.num(x)?)),
            Node::Unary(UnaryOp::Plus, x) => self.num(x)?,
            Node::Binary(
                op @ (BinaryOp::Add
                | BinaryOp::Sub
                | BinaryOp::Mul
                | BinaryOp::Div
                | BinaryOp::Rem
                | BinaryOp::Pow),
                a,
                b,
            ) => NumExpr::Arith(*op, Box::new(self.num(a)?), Box::new(self.num(b)?)),
            _ => return None,
        })
    }

    fn boolean(&mut self, node: &Node) -> Option<BoolExpr> {
        self.nodes += 1;
        Some(match node {
            Node::Binary(
                op @ (BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::StrictEq
                | BinaryOp::StrictNe
                | BinaryOp::LooseEq
                | BinaryOp::LooseNe),
                a,
                b,
            ) => BoolExpr::Cmp(*op, self.num(a)?, self.num(b)?),
            Node::Logical(LogicalOp::And, a, b) => {
                BoolExpr::And(Box::new(self.boolean(a)?), Box::new(self.boolean(b)?))
            }
            Node::Logical(LogicalOp::Or, a, b) => {
                BoolExpr::Or(Box::new(self.boolean(a)?), Box::new(self.boolean(b)?))
            }
            Node::Unary(UnaryOp::Not, x) => BoolExpr::Not(Box::new(self.boolean(x)?)),
            _ => return None,
        })
    }
}

/// How `func`'s parameters bind its arguments, when the fast tiers can read them directly:
/// plain parameters, or one destructured object of static keys.
pub(super) fn params_of(func: &Function) -> Option<Params> {
    if func.plain_params {
        return Some(Params::Positional);
    }
    match func.params.as_slice() {
        [p] if !p.rest && p.default.is_none() => match &p.pat {
            Pat::Object { props, rest: None } => {
                let mut keys = Vec::with_capacity(props.len());
                for pp in props {
                    match (&pp.key, &pp.item.pat, &pp.item.default) {
                        (PatKey::Static(k), Pat::Slot(s), None) => keys.push((*s, k.clone())),
                        _ => return None,
                    }
                }
                Some(Params::Destructured(keys))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Builds the fast tier for `func`, if its shape allows.
pub(super) fn analyze(func: &Function) -> Option<FastPath> {
    let Body::Expr(body) = &func.body else {
        return None;
    };
    if !func.captures.is_empty() {
        return None;
    }
    let params = params_of(func)?;
    let mut b = Builder::default();
    let root = match b.num(body) {
        Some(n) => Root::Num(n),
        None => {
            b = Builder::default();
            Root::Bool(b.boolean(body)?)
        }
    };
    Some(FastPath { root, leaves: b.leaves, params, nparams: func.params.len(), steps: b.nodes })
}

/// Follows static keys from `v`; the last key may be `length` of an array or string.
#[inline(always)]
pub(super) fn walk(mut v: &Value, path: &[String]) -> Option<f64> {
    for (i, key) in path.iter().enumerate() {
        match v {
            Value::Object(o) => v = lookup_json(o, key)?,
            Value::Array(a) if key == "length" && i + 1 == path.len() => {
                return Some(a.len() as f64)
            }
            Value::String(s) if key == "length" && i + 1 == path.len() => {
                return Some(utf16::len(s) as f64)
            }
            _ => return None,
        }
    }
    v.as_f64()
}

#[inline]
pub(super) fn eval_num(e: &NumExpr, leaves: &[f64]) -> f64 {
    match e {
        // The overwhelmingly common `leaf op constant` without recursion.
        NumExpr::Arith(op, a, b)
            if matches!((&**a, &**b), (NumExpr::Leaf(_), NumExpr::Const(_))) =>
        {
            let (NumExpr::Leaf(i), NumExpr::Const(y)) = (&**a, &**b) else {
                return f64::NAN;
            };
            arith(*op, leaves.get(*i).copied().unwrap_or(f64::NAN), *y)
        }
        NumExpr::Const(n) => *n,
        NumExpr::Leaf(i) => leaves.get(*i).copied().unwrap_or(f64::NAN),
        NumExpr::Neg(x) => -eval_num(x, leaves),
        NumExpr::Arith(op, a, b) => arith(*op, eval_num(a, leaves), eval_num(b, leaves)),
    }
}

#[inline(always)]
fn arith(op: BinaryOp, x: f64, y: f64) -> f64 {
    match op {
        BinaryOp::Add => x + y,
        BinaryOp::Sub => x - y,
        BinaryOp::Mul => x * y,
        BinaryOp::Div => x / y,
        BinaryOp::Rem => x % y,
        _ => js_pow(x, y),
    }
}

fn eval_bool(e: &BoolExpr, leaves: &[f64]) -> bool {
    match e {
        BoolExpr::Cmp(op, a, b) => {
            let (x, y) = (eval_num(a, leaves), eval_num(b, leaves));
            match op {
                BinaryOp::Lt => x < y,
                BinaryOp::Le => x <= y,
                BinaryOp::Gt => x > y,
                BinaryOp::Ge => x >= y,
                BinaryOp::StrictEq | BinaryOp::LooseEq => x == y,
                _ => x != y,
            }
        }
        BoolExpr::Not(x) => !eval_bool(x, leaves),
        BoolExpr::And(a, b) => eval_bool(a, leaves) && eval_bool(b, leaves),
        BoolExpr::Or(a, b) => eval_bool(a, leaves) || eval_bool(b, leaves),
    }
}

impl FastPath {
    /// `None` when some leaf is not a number (the caller then uses the interpreter).
    #[inline(always)]
    fn finish(&self, max_steps: u64, resolve: impl Fn(&Leaf) -> Option<f64>) -> Option<Value> {
        if self.steps > max_steps {
            return None;
        }
        let mut vals = [0.0f64; MAX_LEAVES];
        for (slot, leaf) in vals.iter_mut().zip(&self.leaves) {
            *slot = resolve(leaf)?;
        }
        let vals = vals.get(..self.leaves.len())?;
        Some(match &self.root {
            Root::Num(e) => number_to_json(eval_num(e, vals)),
            Root::Bool(e) => Value::Bool(eval_bool(e, vals)),
        })
    }

    /// Whether every call is `f(x)` of the first argument alone, a number: a body over one
    /// plain parameter, read whole (`x => x * 2`, `n => n % 3 === 0`), within `max_steps`.
    pub fn over_first_number(&self, max_steps: u64) -> bool {
        self.steps <= max_steps
            && matches!(self.params, Params::Positional)
            && self
                .leaves
                .iter()
                .all(|leaf| leaf.slot == 0 && leaf.path.is_empty() && Paths::as_is(&leaf.read))
    }

    /// The result for first argument `x`, for a body [`over_first_number`](Self::over_first_number)
    /// accepts: what [`call`](Self::call) gives for `[Value::Number(x)]`.
    #[inline]
    pub fn call_number(&self, x: f64) -> Value {
        let vals = [x; MAX_LEAVES];
        let vals = &vals[..self.leaves.len().min(MAX_LEAVES)];
        match &self.root {
            Root::Num(e) => number_to_json(eval_num(e, vals)),
            Root::Bool(e) => Value::Bool(eval_bool(e, vals)),
        }
    }

    /// Pushes onto `out` [`call_number`](Self::call_number) of each item's number (every item
    /// must be a number). A body that is one operation between the number and a constant
    /// (`x * 2`, `x + 1`, `100 - x`) gets a loop of its own with the operation chosen once,
    /// which the compiler vectorises; any other body is evaluated item by item.
    pub fn map_over_numbers(&self, items: &[Value], out: &mut Vec<Value>) {
        fn with(items: &[Value], out: &mut Vec<Value>, f: impl Fn(f64) -> f64) {
            out.extend(
                items.iter().map(|item| number_to_json(f(item.as_f64().unwrap_or(f64::NAN)))),
            );
        }
        let leaves = self.leaves.len().min(MAX_LEAVES);
        if let Root::Num(NumExpr::Arith(op, a, b)) = &self.root {
            // The constant, and whether the number comes first.
            let operands = match (&**a, &**b) {
                (NumExpr::Leaf(i), NumExpr::Const(c)) if *i < leaves => Some((*c, true)),
                (NumExpr::Const(c), NumExpr::Leaf(i)) if *i < leaves => Some((*c, false)),
                _ => None,
            };
            // Addition and multiplication of doubles commute exactly.
            match (op, operands) {
                (BinaryOp::Add, Some((c, _))) => return with(items, out, |x| x + c),
                (BinaryOp::Mul, Some((c, _))) => return with(items, out, |x| x * c),
                (BinaryOp::Sub, Some((c, true))) => return with(items, out, |x| x - c),
                (BinaryOp::Sub, Some((c, false))) => return with(items, out, |x| c - x),
                (BinaryOp::Div, Some((c, true))) => return with(items, out, |x| x / c),
                (BinaryOp::Div, Some((c, false))) => return with(items, out, |x| c / x),
                _ => {}
            }
        }
        out.extend(items.iter().map(|item| self.call_number(item.as_f64().unwrap_or(f64::NAN))));
    }

    /// Fast evaluation for `Expression::call`.
    #[inline]
    pub fn call(&self, args: &[&Value], max_steps: u64) -> Option<Value> {
        // Destructuring `null` or `undefined` is a TypeError even when the body reads nothing
        // of it: anything but an object is left to the interpreter.
        if matches!(self.params, Params::Destructured(_))
            && !matches!(args.first(), Some(Value::Object(_)))
        {
            return None;
        }
        self.finish(max_steps, |leaf| {
            let root: &Value = match &self.params {
                Params::Positional => args.get(leaf.slot as usize)?,
                Params::Destructured(keys) => {
                    let key = &keys.iter().find(|(s, _)| *s == leaf.slot)?.1;
                    lookup_json(args.first()?.as_object()?, key)?
                }
            };
            leaf.read(root, usize::MAX, &mut 0)
        })
    }

    /// Fast evaluation for `Expression::call_with_fields`.
    #[inline]
    pub fn call_with_fields(&self, fields: &[(&str, &Value)], max_steps: u64) -> Option<Value> {
        self.finish(max_steps, |leaf| match &self.params {
            Params::Positional if self.nparams >= 2 => {
                walk(fields.get(leaf.slot as usize)?.1, &leaf.path)
            }
            Params::Positional => {
                // One plain parameter receives the fields as an object: the first key picks
                // the field.
                let (first, rest) = leaf.path.split_first()?;
                let value = fields.iter().find(|(k, _)| k == first)?.1;
                walk(value, rest)
            }
            Params::Destructured(keys) => {
                let key = &keys.iter().find(|(s, _)| *s == leaf.slot)?.1;
                walk(fields.iter().find(|(k, _)| k == key)?.1, &leaf.path)
            }
        })
    }
}
