//! Syntax tree produced by the parser, still using names. `compile` turns it into the
//! slot-resolved IR in `ir`.
//!
//! Every expression records its `height` (1 + tallest child). The parser refuses trees taller
//! than `Limits::max_depth`, which bounds every later recursive walk (compile, drop, eval),
//! including left-leaning chains like `1+1+1+...` that the parser builds with a loop.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UnaryOp {
    Neg,
    Plus,
    Not,
    BitNot,
    TypeOf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
    StrictEq,
    StrictNe,
    LooseEq,
    LooseNe,
    Lt,
    Le,
    Gt,
    Ge,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    UShr,
    In,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LogicalOp {
    And,
    Or,
    Nullish,
}

/// An expression node, boxed so that parser functions pass and return a single pointer
/// (small stack frames on the recursive path, which matters in debug builds and on wasm).
#[derive(Debug, Clone)]
pub(super) struct Expr(Box<ExprNode>);

impl Expr {
    pub fn new(kind: ExprKind, pos: usize, height: usize) -> Self {
        Expr(Box::new(ExprNode { kind, pos, height, paren: false }))
    }
}

impl std::ops::Deref for Expr {
    type Target = ExprNode;
    fn deref(&self) -> &ExprNode {
        &self.0
    }
}

impl std::ops::DerefMut for Expr {
    fn deref_mut(&mut self) -> &mut ExprNode {
        &mut self.0
    }
}

#[derive(Debug, Clone)]
pub(super) struct ExprNode {
    pub kind: ExprKind,
    /// Byte offset of the expression (or of its operator) in the source.
    pub pos: usize,
    pub height: usize,
    /// Written in parentheses (needed to refuse `a ?? b || c`, as JavaScript does).
    pub paren: bool,
}

#[derive(Debug, Clone)]
pub(super) enum ExprKind {
    Num(f64),
    Str(String),
    Bool(bool),
    Null,
    Undefined,
    Template {
        quasis: Vec<String>,
        exprs: Vec<Expr>,
    },
    Ident(String),
    Array(Vec<Item>),
    Object(Vec<PropDef>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    Logical(LogicalOp, Box<Expr>, Box<Expr>),
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    Member {
        object: Box<Expr>,
        name: String,
        optional: bool,
    },
    Index {
        object: Box<Expr>,
        index: Box<Expr>,
        optional: bool,
    },
    /// `end` is the offset just past the callee, for "x.f is not a function" messages.
    Call {
        callee: Box<Expr>,
        args: Vec<Item>,
        optional: bool,
        callee_end: usize,
    },
    /// Marks where an optional chain (`a?.b.c`) ends: a short-circuit inside yields
    /// `undefined` here.
    OptionalChain(Box<Expr>),
    Arrow(Box<ArrowFn>),
}

/// An element of an array literal or argument list.
#[derive(Debug, Clone)]
pub(super) enum Item {
    Expr(Expr),
    Spread(Expr),
    Hole,
}

#[derive(Debug, Clone)]
pub(super) enum PropKey {
    Static(String, usize),
    Computed(Expr),
}

#[derive(Debug, Clone)]
pub(super) enum PropDef {
    Init(PropKey, Expr),
    Spread(Expr),
}

#[derive(Debug, Clone)]
pub(super) enum Pattern {
    Ident(String, usize),
    Object { props: Vec<ObjPatProp>, rest: Option<(String, usize)> },
    Array { items: Vec<Option<PatElem>>, rest: Option<Box<Pattern>> },
}

#[derive(Debug, Clone)]
pub(super) struct ObjPatProp {
    pub key: PropKey,
    pub elem: PatElem,
}

#[derive(Debug, Clone)]
pub(super) struct PatElem {
    pub pattern: Pattern,
    pub default: Option<Expr>,
}

#[derive(Debug, Clone)]
pub(super) struct Param {
    pub elem: PatElem,
    pub rest: bool,
}

#[derive(Debug, Clone)]
pub(super) enum ArrowBody {
    Expr(Expr),
    Block(Vec<Stmt>),
}

#[derive(Debug, Clone)]
pub(super) struct ArrowFn {
    pub params: Vec<Param>,
    pub body: ArrowBody,
    /// Source span, kept so `String(fn)` can print the function like JavaScript does.
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone)]
pub(super) enum Stmt {
    /// `const`/`let` with one or more declarators.
    Decl(Vec<(Pattern, Expr)>),
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    Return(Option<Expr>),
    Block(Vec<Stmt>),
    Expr(Expr),
    Empty,
}

impl Item {
    fn height(&self) -> usize {
        match self {
            Item::Expr(e) | Item::Spread(e) => e.height,
            Item::Hole => 0,
        }
    }
}

impl PropKey {
    fn height(&self) -> usize {
        match self {
            PropKey::Static(..) => 0,
            PropKey::Computed(e) => e.height,
        }
    }
}

impl Pattern {
    pub fn height(&self) -> usize {
        match self {
            Pattern::Ident(..) => 1,
            Pattern::Object { props, .. } => {
                1 + props.iter().map(|p| p.key.height().max(p.elem.height())).max().unwrap_or(0)
            }
            Pattern::Array { items, rest } => {
                let items_h = items.iter().flatten().map(PatElem::height).max().unwrap_or(0);
                1 + items_h.max(rest.as_ref().map_or(0, |r| r.height()))
            }
        }
    }
}

impl PatElem {
    pub fn height(&self) -> usize {
        self.pattern.height().max(self.default.as_ref().map_or(0, |d| d.height))
    }
}

impl Stmt {
    pub fn height(&self) -> usize {
        1 + match self {
            Stmt::Decl(decls) => {
                decls.iter().map(|(p, e)| p.height().max(e.height)).max().unwrap_or(0)
            }
            Stmt::If(c, t, e) => c.height.max(t.height()).max(e.as_ref().map_or(0, |e| e.height())),
            Stmt::Return(e) => e.as_ref().map_or(0, |e| e.height),
            Stmt::Block(stmts) => stmts.iter().map(Stmt::height).max().unwrap_or(0),
            Stmt::Expr(e) => e.height,
            Stmt::Empty => 0,
        }
    }
}

impl ArrowFn {
    pub fn height(&self) -> usize {
        let params = self.params.iter().map(|p| p.elem.height()).max().unwrap_or(0);
        let body = match &self.body {
            ArrowBody::Expr(e) => e.height,
            ArrowBody::Block(stmts) => 1 + stmts.iter().map(Stmt::height).max().unwrap_or(0),
        };
        params.max(body)
    }
}

impl ExprKind {
    /// Height of the tallest child, used to compute the node's own height.
    pub fn child_height(&self) -> usize {
        match self {
            ExprKind::Num(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Null
            | ExprKind::Undefined
            | ExprKind::Ident(_) => 0,
            ExprKind::Template { exprs, .. } => exprs.iter().map(|e| e.height).max().unwrap_or(0),
            ExprKind::Array(items) => items.iter().map(Item::height).max().unwrap_or(0),
            ExprKind::Object(props) => props
                .iter()
                .map(|p| match p {
                    PropDef::Init(k, v) => k.height().max(v.height),
                    PropDef::Spread(e) => e.height,
                })
                .max()
                .unwrap_or(0),
            ExprKind::Unary(_, e) | ExprKind::OptionalChain(e) => e.height,
            ExprKind::Binary(_, a, b) | ExprKind::Logical(_, a, b) => a.height.max(b.height),
            ExprKind::Conditional(a, b, c) => a.height.max(b.height).max(c.height),
            ExprKind::Member { object, .. } => object.height,
            ExprKind::Index { object, index, .. } => object.height.max(index.height),
            ExprKind::Call { callee, args, .. } => {
                callee.height.max(args.iter().map(Item::height).max().unwrap_or(0))
            }
            ExprKind::Arrow(f) => f.height(),
        }
    }
}
