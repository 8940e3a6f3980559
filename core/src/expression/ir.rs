//! The compiled, scope-resolved program the interpreter walks. Identifiers are slot indices
//! into the current call frame, globals are resolved to builtins, and methods to ids, so
//! evaluation does no name lookups. Contains no `Rc`/`Cell`, so it is `Send + Sync`.

use super::ast::{BinaryOp, LogicalOp, UnaryOp};
use super::builtins::{Method, Native};

#[derive(Debug)]
pub(super) enum Const {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    Str(crate::value::Str),
}

#[derive(Debug)]
pub(super) enum Node {
    Const(Const),
    Slot(u32),
    Native(Native),
    Template(Vec<TplPart>),
    Array(Vec<Item>),
    Object(Vec<Prop>),
    Unary(UnaryOp, Box<Node>),
    Binary(BinaryOp, Box<Node>, Box<Node>),
    Logical(LogicalOp, Box<Node>, Box<Node>),
    Cond(Box<Node>, Box<Node>, Box<Node>),
    Member(Box<MemberNode>),
    Index(Box<IndexNode>),
    Call(Box<CallNode>),
    Method(Box<MethodNode>),
    NativeCall(Box<NativeCallNode>),
    /// End of an optional chain: a short-circuit inside becomes `undefined` here.
    Chain(Box<Node>),
    Closure(Box<Function>),
}

#[derive(Debug)]
pub(super) enum TplPart {
    Str(String),
    Expr(Node),
}

#[derive(Debug)]
pub(super) enum Item {
    Expr(Node),
    Spread(Node),
    Hole,
}

#[derive(Debug)]
pub(super) enum Prop {
    Static(String, Node),
    Computed(Node, Node, usize),
    Spread(Node),
}

#[derive(Debug)]
pub(super) struct MemberNode {
    pub obj: Node,
    pub key: String,
    pub optional: bool,
    pub pos: usize,
}

#[derive(Debug)]
pub(super) struct IndexNode {
    pub obj: Node,
    pub index: Node,
    pub optional: bool,
    pub pos: usize,
}

/// A call of a computed callee (`f(x)`, `(a => a)(1)`, `o[k](x)`).
#[derive(Debug)]
pub(super) struct CallNode {
    pub callee: Node,
    pub args: Vec<Item>,
    pub optional: bool,
    pub pos: usize,
    /// Source text of the callee, for "x is not a function".
    pub text: String,
}

/// `recv.name(args)`: a builtin method (resolved to an id at compile time) or, on objects,
/// a function-valued property.
#[derive(Debug)]
pub(super) struct MethodNode {
    pub obj: Node,
    pub name: String,
    pub method: Option<Method>,
    pub args: Vec<Item>,
    pub optional_member: bool,
    pub optional_call: bool,
    pub pos: usize,
    pub text: String,
}

/// A statically resolved global call such as `Math.max(a, b)`.
#[derive(Debug)]
pub(super) struct NativeCallNode {
    pub native: Native,
    pub args: Vec<Item>,
    pub pos: usize,
}

#[derive(Debug)]
pub(super) struct Capture {
    /// Slot in the enclosing function's frame when the closure is created.
    pub from: u32,
    /// Slot in this function's frame.
    pub to: u32,
}

#[derive(Debug)]
pub(super) struct Param {
    pub pat: Pat,
    pub default: Option<Node>,
    pub rest: bool,
}

#[derive(Debug)]
pub(super) enum Body {
    Expr(Node),
    Block(Vec<Stmt>),
}

#[derive(Debug)]
pub(super) struct Function {
    pub params: Vec<Param>,
    /// Every parameter is a plain identifier without default, bound to the slot equal to
    /// its position, so arguments can be written straight into the new frame.
    pub plain_params: bool,
    pub nslots: usize,
    pub captures: Vec<Capture>,
    pub body: Body,
    /// Syntax-tree height, charged against the run-time nesting budget on each call.
    pub height: usize,
    /// Source text, for `String(fn)`.
    pub source: String,
}

#[derive(Debug)]
pub(super) enum Stmt {
    Bind(Pat, Node),
    If(Node, Box<Stmt>, Option<Box<Stmt>>),
    Return(Option<Node>),
    Block(Vec<Stmt>),
    Expr(Node),
}

#[derive(Debug)]
pub(super) enum Pat {
    Slot(u32),
    Object { props: Vec<PatProp>, rest: Option<u32> },
    Array { items: Vec<Option<PatItem>>, rest: Option<Box<Pat>> },
}

#[derive(Debug)]
pub(super) enum PatKey {
    Static(String),
    Computed(Node, usize),
}

#[derive(Debug)]
pub(super) struct PatProp {
    pub key: PatKey,
    pub item: PatItem,
}

#[derive(Debug)]
pub(super) struct PatItem {
    pub pat: Pat,
    pub default: Option<Node>,
}

/// Evaluation depth of IR trees, used as each function's run-time nesting charge. Nested
/// closures count as one level: creating a closure does not evaluate its body.
pub(super) mod height {
    use super::{Body, Item, Node, Param, Pat, PatKey, Prop, Stmt, TplPart};

    fn max_of<'n>(nodes: impl Iterator<Item = &'n Node>) -> usize {
        nodes.map(node).max().unwrap_or(0)
    }

    fn items(items: &[Item]) -> usize {
        max_of(items.iter().filter_map(|i| match i {
            Item::Expr(n) | Item::Spread(n) => Some(n),
            Item::Hole => None,
        }))
    }

    pub fn node(n: &Node) -> usize {
        1 + match n {
            Node::Const(_) | Node::Slot(_) | Node::Native(_) | Node::Closure(_) => 0,
            Node::Template(parts) => max_of(parts.iter().filter_map(|p| match p {
                TplPart::Expr(n) => Some(n),
                TplPart::Str(_) => None,
            })),
            Node::Array(i) => items(i),
            Node::Object(props) => props
                .iter()
                .map(|p| match p {
                    Prop::Static(_, v) | Prop::Spread(v) => node(v),
                    Prop::Computed(k, v, _) => node(k).max(node(v)),
                })
                .max()
                .unwrap_or(0),
            Node::Unary(_, x) | Node::Chain(x) => node(x),
            Node::Binary(_, a, b) | Node::Logical(_, a, b) => node(a).max(node(b)),
            Node::Cond(a, b, c) => node(a).max(node(b)).max(node(c)),
            Node::Member(m) => node(&m.obj),
            Node::Index(x) => node(&x.obj).max(node(&x.index)),
            Node::Call(c) => node(&c.callee).max(items(&c.args)),
            Node::Method(m) => node(&m.obj).max(items(&m.args)),
            Node::NativeCall(c) => items(&c.args),
        }
    }

    pub fn pat(p: &Pat) -> usize {
        1 + match p {
            Pat::Slot(_) => 0,
            Pat::Object { props, .. } => props
                .iter()
                .map(|pp| {
                    let key = match &pp.key {
                        PatKey::Computed(n, _) => node(n),
                        PatKey::Static(_) => 0,
                    };
                    key.max(pat(&pp.item.pat)).max(pp.item.default.as_ref().map_or(0, node))
                })
                .max()
                .unwrap_or(0),
            Pat::Array { items, rest } => items
                .iter()
                .flatten()
                .map(|i| pat(&i.pat).max(i.default.as_ref().map_or(0, node)))
                .max()
                .unwrap_or(0)
                .max(rest.as_ref().map_or(0, |r| pat(r))),
        }
    }

    pub fn stmt(s: &Stmt) -> usize {
        1 + match s {
            Stmt::Bind(p, n) => pat(p).max(node(n)),
            Stmt::If(c, t, e) => node(c).max(stmt(t)).max(e.as_ref().map_or(0, |e| stmt(e))),
            Stmt::Return(n) => n.as_ref().map_or(0, node),
            Stmt::Block(b) => b.iter().map(stmt).max().unwrap_or(0),
            Stmt::Expr(n) => node(n),
        }
    }

    pub fn function(params: &[Param], body: &Body) -> usize {
        let p = params
            .iter()
            .map(|p| pat(&p.pat).max(p.default.as_ref().map_or(0, node)))
            .max()
            .unwrap_or(0);
        let b = match body {
            Body::Expr(n) => node(n),
            Body::Block(stmts) => 1 + stmts.iter().map(stmt).max().unwrap_or(0),
        };
        1 + p.max(b)
    }
}
