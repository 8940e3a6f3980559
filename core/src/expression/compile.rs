//! Scope resolution: turns the named syntax tree into slot-indexed IR.
//!
//! Every binding (parameter, `const`/`let`) gets a slot in its function's frame; variables
//! of enclosing functions become captures copied into the closure when it is created.
//! Unknown identifiers and refused globals are rejected here, before anything runs.
//! A binding may only be used textually after its declaration has completed (JavaScript
//! would defer some such uses to run time; refusing them up front keeps capture-by-value
//! exact and costs nothing realistic).

use super::ast::{self, ArrowBody, ArrowFn, Expr, ExprKind, Pattern, PropKey};
use super::builtins::{
    global_constant, global_function, is_namespace, namespace_member, Method, NsMember,
};
use super::error::ExpressionError;
use super::ir::{
    Body, CallNode, Const, Function, IndexNode, Item, MemberNode, MethodNode, NativeCallNode, Node,
    Param, Pat, PatItem, PatKey, PatProp, Prop, Stmt, TplPart,
};
use super::scope::{FnScope, Found};

type CResult<T> = Result<T, ExpressionError>;

/// Property names whose access could reach prototypes in a JavaScript host.
pub(super) fn is_forbidden_key(name: &str) -> bool {
    matches!(name, "__proto__" | "constructor" | "prototype")
}

struct Compiler<'s> {
    src: &'s str,
    fns: Vec<FnScope>,
}

/// Compiles an arrow function as the program.
pub(super) fn compile_arrow(src: &str, f: &ArrowFn) -> CResult<Function> {
    let mut c = Compiler { src, fns: Vec::new() };
    c.function(&f.params, &f.body, f.start, f.end)
}

/// Compiles a bare expression as the body of a function with the given parameters.
pub(super) fn compile_bare(src: &str, body: &Expr, params: &[&str]) -> CResult<Function> {
    let params: Vec<ast::Param> = params
        .iter()
        .map(|p| ast::Param {
            elem: ast::PatElem { pattern: Pattern::Ident((*p).to_string(), 0), default: None },
            rest: false,
        })
        .collect();
    let mut c = Compiler { src, fns: Vec::new() };
    c.function(&params, &ArrowBody::Expr(body.clone()), 0, src.len())
}

impl<'s> Compiler<'s> {
    fn scope(&mut self) -> CResult<&mut FnScope> {
        self.fns.last_mut().ok_or_else(|| ExpressionError::syntax("internal: no function scope", 0))
    }

    fn declare(&mut self, name: &str, pos: usize) -> CResult<()> {
        self.scope()?.declare(name, pos)
    }

    /// Declares every name bound by a pattern (not yet initialised).
    fn declare_pattern(&mut self, p: &Pattern) -> CResult<()> {
        match p {
            Pattern::Ident(name, pos) => self.declare(name, *pos),
            Pattern::Object { props, rest } => {
                for prop in props {
                    self.declare_pattern(&prop.elem.pattern)?;
                }
                if let Some((name, pos)) = rest {
                    self.declare(name, *pos)?;
                }
                Ok(())
            }
            Pattern::Array { items, rest } => {
                for item in items.iter().flatten() {
                    self.declare_pattern(&item.pattern)?;
                }
                if let Some(r) = rest {
                    self.declare_pattern(r)?;
                }
                Ok(())
            }
        }
    }

    /// Finds a declared name in the innermost block and marks it initialised.
    fn init_binding(&mut self, name: &str, pos: usize) -> CResult<u32> {
        self.scope()?.init(name, pos)
    }

    /// Compiles a declared pattern, initialising its names left to right (defaults and
    /// computed keys see only what is already initialised).
    fn pattern(&mut self, p: &Pattern) -> CResult<Pat> {
        match p {
            Pattern::Ident(name, pos) => Ok(Pat::Slot(self.init_binding(name, *pos)?)),
            Pattern::Object { props, rest } => {
                let mut out = Vec::with_capacity(props.len());
                for prop in props {
                    let key = match &prop.key {
                        PropKey::Static(k, pos) => {
                            if is_forbidden_key(k) {
                                return Err(ExpressionError::forbidden(k, Some(*pos)));
                            }
                            PatKey::Static(k.clone())
                        }
                        PropKey::Computed(e) => PatKey::Computed(self.expr(e)?, e.pos),
                    };
                    let item = self.pat_item(&prop.elem)?;
                    out.push(PatProp { key, item });
                }
                let rest = match rest {
                    Some((name, pos)) => Some(self.init_binding(name, *pos)?),
                    None => None,
                };
                Ok(Pat::Object { props: out, rest })
            }
            Pattern::Array { items, rest } => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(match item {
                        Some(elem) => Some(self.pat_item(elem)?),
                        None => None,
                    });
                }
                let rest = match rest {
                    Some(r) => Some(Box::new(self.pattern(r)?)),
                    None => None,
                };
                Ok(Pat::Array { items: out, rest })
            }
        }
    }

    fn pat_item(&mut self, elem: &ast::PatElem) -> CResult<PatItem> {
        let default = match &elem.default {
            Some(d) => Some(self.expr(d)?),
            None => None,
        };
        Ok(PatItem { pat: self.pattern(&elem.pattern)?, default })
    }

    fn function(
        &mut self,
        params: &[ast::Param],
        body: &ArrowBody,
        start: usize,
        end: usize,
    ) -> CResult<Function> {
        self.fns.push(FnScope::default());
        // Parameters and the body's top-level declarations share one block, so
        // `x => { const x = 1 }` is a redeclaration, as in JavaScript.
        self.scope()?.push_block();
        let mut out_params = Vec::with_capacity(params.len());
        for p in params {
            self.declare_pattern(&p.elem.pattern)?;
            let item = self.pat_item(&p.elem)?;
            out_params.push(Param { pat: item.pat, default: item.default, rest: p.rest });
        }
        let body = match body {
            ArrowBody::Expr(e) => Body::Expr(self.expr(e)?),
            ArrowBody::Block(stmts) => {
                let mut body = self.statements(stmts)?;
                // `{ return e; }` is just `e` (and then eligible for the numeric fast tier).
                match body.as_slice() {
                    [Stmt::Return(Some(_))] => match body.pop() {
                        Some(Stmt::Return(Some(e))) => Body::Expr(e),
                        _ => Body::Block(body),
                    },
                    _ => Body::Block(body),
                }
            }
        };
        let scope = self.fns.pop().unwrap_or_default();
        // The parser's height bound (which includes nested bodies) bounds this compiler's
        // recursion; the run-time nesting charge counts only this function's own body.
        let height = super::ir::height::function(&out_params, &body);
        let plain_params = out_params.iter().enumerate().all(|(i, p)| {
            !p.rest && p.default.is_none() && matches!(p.pat, Pat::Slot(s) if s as usize == i)
        });
        Ok(Function {
            plain_params,
            params: out_params,
            nslots: scope.nslots() as usize,
            captures: scope.into_captures(),
            body,
            height,
            source: self.src.get(start..end).unwrap_or("").to_string(),
        })
    }

    /// Statements of the current block: declarations are hoisted (uninitialised) first so
    /// that shadowing and use-before-declaration behave as in JavaScript.
    fn statements(&mut self, stmts: &[ast::Stmt]) -> CResult<Vec<Stmt>> {
        for s in stmts {
            if let ast::Stmt::Decl(decls) = s {
                for (p, _) in decls {
                    self.declare_pattern(p)?;
                }
            }
        }
        let mut out = Vec::with_capacity(stmts.len());
        for s in stmts {
            self.statement(s, &mut out)?;
        }
        Ok(out)
    }

    fn block(&mut self, stmts: &[ast::Stmt]) -> CResult<Vec<Stmt>> {
        self.scope()?.push_block();
        let r = self.statements(stmts);
        self.scope()?.pop_block();
        r
    }

    fn statement(&mut self, s: &ast::Stmt, out: &mut Vec<Stmt>) -> CResult<()> {
        match s {
            ast::Stmt::Decl(decls) => {
                for (p, init) in decls {
                    let value = self.expr(init)?;
                    let pat = self.pattern(p)?;
                    out.push(Stmt::Bind(pat, value));
                }
            }
            ast::Stmt::If(c, t, e) => {
                let cond = self.expr(c)?;
                let then = self.sub_statement(t)?;
                let otherwise = match e {
                    Some(e) => Some(Box::new(self.sub_statement(e)?)),
                    None => None,
                };
                out.push(Stmt::If(cond, Box::new(then), otherwise));
            }
            ast::Stmt::Return(e) => {
                let v = match e {
                    Some(e) => Some(self.expr(e)?),
                    None => None,
                };
                out.push(Stmt::Return(v));
            }
            ast::Stmt::Block(stmts) => out.push(Stmt::Block(self.block(stmts)?)),
            ast::Stmt::Expr(e) => out.push(Stmt::Expr(self.expr(e)?)),
            ast::Stmt::Empty => {}
        }
        Ok(())
    }

    fn sub_statement(&mut self, s: &ast::Stmt) -> CResult<Stmt> {
        let mut v = self.block(std::slice::from_ref(s))?;
        Ok(if v.len() == 1 { v.pop().unwrap_or(Stmt::Block(Vec::new())) } else { Stmt::Block(v) })
    }

    /// Resolves `name` in function `level`, capturing through enclosing functions.
    fn lookup(&mut self, level: usize, name: &str, pos: usize) -> CResult<Option<u32>> {
        let Some(scope) = self.fns.get(level) else {
            return Ok(None);
        };
        match scope.find(name) {
            Found::Slot(slot) => return Ok(Some(slot)),
            Found::Uninitialized => {
                return Err(ExpressionError::reference(
                    format!("Cannot access '{name}' before initialization"),
                    pos,
                ))
            }
            Found::Missing => {}
        }
        if level == 0 {
            return Ok(None);
        }
        let Some(from) = self.lookup(level - 1, name, pos)? else {
            return Ok(None);
        };
        match self.fns.get_mut(level) {
            Some(scope) => scope.capture(name, from, pos).map(Some),
            None => Ok(None),
        }
    }

    fn resolve_local(&mut self, name: &str, pos: usize) -> CResult<Option<u32>> {
        let level = self.fns.len().saturating_sub(1);
        self.lookup(level, name, pos)
    }

    fn items(&mut self, items: &[ast::Item]) -> CResult<Vec<Item>> {
        items
            .iter()
            .map(|i| {
                Ok(match i {
                    ast::Item::Expr(e) => Item::Expr(self.expr(e)?),
                    ast::Item::Spread(e) => Item::Spread(self.expr(e)?),
                    ast::Item::Hole => Item::Hole,
                })
            })
            .collect()
    }

    fn boxed(&mut self, e: &Expr) -> CResult<Box<Node>> {
        Ok(Box::new(self.expr(e)?))
    }

    /// `Ns.name` where `Ns` is an unshadowed namespace; `None` if `object` is not one.
    fn namespace_access(&mut self, object: &Expr, name: &str, pos: usize) -> CResult<Option<Node>> {
        let ExprKind::Ident(ns) = &object.kind else {
            return Ok(None);
        };
        if !is_namespace(ns) || self.resolve_local(ns, object.pos)?.is_some() {
            return Ok(None);
        }
        match namespace_member(ns, name) {
            Ok(NsMember::Native(n)) => Ok(Some(Node::Native(n))),
            Ok(NsMember::Const(c)) => Ok(Some(Node::Const(Const::Num(c)))),
            Err(msg) => Err(ExpressionError::reference(msg, pos)),
        }
    }

    /// Compiles one expression. Only the small arms live here; the rest are helpers, so
    /// this recursive frame stays small (it recurses once per tree level).
    fn expr(&mut self, e: &Expr) -> CResult<Node> {
        Ok(match &e.kind {
            ExprKind::Num(n) => Node::Const(Const::Num(*n)),
            ExprKind::Bool(b) => Node::Const(Const::Bool(*b)),
            ExprKind::Null => Node::Const(Const::Null),
            ExprKind::Undefined => Node::Const(Const::Undefined),
            ExprKind::Ident(name) => self.identifier(name, e.pos)?,
            ExprKind::Unary(op, x) => Node::Unary(*op, self.boxed(x)?),
            ExprKind::Binary(op, a, b) => Node::Binary(*op, self.boxed(a)?, self.boxed(b)?),
            ExprKind::Logical(op, a, b) => Node::Logical(*op, self.boxed(a)?, self.boxed(b)?),
            ExprKind::OptionalChain(inner) => Node::Chain(self.boxed(inner)?),
            _ => self.compound(e)?,
        })
    }

    fn compound(&mut self, e: &Expr) -> CResult<Node> {
        Ok(match &e.kind {
            ExprKind::Str(s) => Node::Const(Const::Str(s.as_str().into())),
            ExprKind::Template { quasis, exprs } => self.template(quasis, exprs)?,
            ExprKind::Array(items) => Node::Array(self.items(items)?),
            ExprKind::Object(props) => self.object(props)?,
            ExprKind::Conditional(a, b, c) => {
                Node::Cond(self.boxed(a)?, self.boxed(b)?, self.boxed(c)?)
            }
            ExprKind::Member { object, name, optional } => {
                self.member(e, object, name, *optional)?
            }
            ExprKind::Index { object, index, optional } => Node::Index(Box::new(IndexNode {
                obj: self.expr(object)?,
                index: self.expr(index)?,
                optional: *optional,
                pos: index.pos,
            })),
            ExprKind::Call { callee, args, optional, callee_end } => {
                self.call(e, callee, args, *optional, *callee_end)?
            }
            ExprKind::Arrow(f) => {
                Node::Closure(Box::new(self.function(&f.params, &f.body, f.start, f.end)?))
            }
            _ => self.expr(e)?,
        })
    }

    fn template(&mut self, quasis: &[String], exprs: &[Expr]) -> CResult<Node> {
        let mut parts = Vec::with_capacity(quasis.len() + exprs.len());
        for (i, q) in quasis.iter().enumerate() {
            if !q.is_empty() {
                parts.push(TplPart::Str(q.clone()));
            }
            if let Some(x) = exprs.get(i) {
                parts.push(TplPart::Expr(self.expr(x)?));
            }
        }
        Ok(Node::Template(parts))
    }

    fn object(&mut self, props: &[ast::PropDef]) -> CResult<Node> {
        let mut out = Vec::with_capacity(props.len());
        for p in props {
            out.push(match p {
                ast::PropDef::Init(PropKey::Static(k, pos), v) => {
                    if k == "__proto__" {
                        return Err(ExpressionError::forbidden(k, Some(*pos)));
                    }
                    Prop::Static(k.clone(), self.expr(v)?)
                }
                ast::PropDef::Init(PropKey::Computed(k), v) => {
                    Prop::Computed(self.expr(k)?, self.expr(v)?, k.pos)
                }
                ast::PropDef::Spread(v) => Prop::Spread(self.expr(v)?),
            });
        }
        Ok(Node::Object(out))
    }

    fn member(&mut self, e: &Expr, object: &Expr, name: &str, optional: bool) -> CResult<Node> {
        if is_forbidden_key(name) {
            return Err(ExpressionError::forbidden(name, Some(e.pos)));
        }
        if let Some(n) = self.namespace_access(object, name, e.pos)? {
            return Ok(n);
        }
        Ok(Node::Member(Box::new(MemberNode {
            obj: self.expr(object)?,
            key: name.to_string(),
            optional,
            pos: e.pos,
        })))
    }

    fn identifier(&mut self, name: &str, pos: usize) -> CResult<Node> {
        if let Some(slot) = self.resolve_local(name, pos)? {
            return Ok(Node::Slot(slot));
        }
        if let Some(c) = global_constant(name) {
            return Ok(Node::Const(Const::Num(c)));
        }
        if let Some(n) = global_function(name) {
            return Ok(Node::Native(n));
        }
        if is_namespace(name) {
            return Err(ExpressionError::reference(
                format!(
                    "'{name}' can only be used through its members, e.g. {name}.{}",
                    example_member(name)
                ),
                pos,
            ));
        }
        Err(ExpressionError::reference(format!("Unknown identifier '{name}'"), pos))
    }

    fn call(
        &mut self,
        e: &Expr,
        callee: &Expr,
        args: &[ast::Item],
        optional: bool,
        callee_end: usize,
    ) -> CResult<Node> {
        let text = self.src.get(e.pos..callee_end).unwrap_or("function").to_string();
        if let ExprKind::Member { object, name, optional: optional_member } = &callee.kind {
            if is_forbidden_key(name) {
                return Err(ExpressionError::forbidden(name, Some(callee.pos)));
            }
            if self.namespace_access(object, name, callee.pos)?.is_none() {
                return Ok(Node::Method(Box::new(MethodNode {
                    obj: self.expr(object)?,
                    name: name.clone(),
                    method: Method::from_name(name),
                    args: self.items(args)?,
                    optional_member: *optional_member,
                    optional_call: optional,
                    pos: e.pos,
                    text,
                })));
            }
        }
        let callee_node = self.expr(callee)?;
        let args = self.items(args)?;
        Ok(match callee_node {
            Node::Native(native) => {
                Node::NativeCall(Box::new(NativeCallNode { native, args, pos: e.pos }))
            }
            callee => Node::Call(Box::new(CallNode { callee, args, optional, pos: e.pos, text })),
        })
    }
}

fn example_member(ns: &str) -> &'static str {
    match ns {
        "Math" => "max(a, b)",
        "JSON" => "stringify(x)",
        "Object" => "keys(o)",
        "Array" => "isArray(x)",
        _ => "isInteger(x)",
    }
}
