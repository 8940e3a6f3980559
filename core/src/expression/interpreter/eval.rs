//! Expression evaluation: the main `eval` dispatch, optional chains, literals.

use std::rc::Rc;

use super::super::ast::LogicalOp;
use super::super::builtins::{self, call_native};
use super::super::error::{forbidden_error, type_error, RtResult};
use super::super::ir::{Const, Function, Item, Node, Prop, TplPart};
use super::super::propmap::{Key, PropMap};
use super::super::value::{Closure, Val};
use super::access::cannot_read;
use super::{num_leaf, slot, truthy, Args, Interp};

/// Number of properties `{...v}` adds, for pre-sizing.
fn spread_size(v: &Val<'_>) -> usize {
    match v {
        Val::JObj(o) => o.len(),
        Val::Obj(o) => o.props.len(),
        _ => 0,
    }
}

impl Interp<'_> {
    /// Evaluates one node; every node costs a step.
    pub(super) fn eval<'a>(&mut self, node: &'a Node, f: &mut [Val<'a>]) -> RtResult<Val<'a>> {
        self.tick()?;
        match node {
            Node::Const(c) => Ok(match c {
                Const::Undefined => Val::Undefined,
                Const::Null => Val::Null,
                Const::Bool(b) => Val::Bool(*b),
                Const::Num(n) => Val::Num(*n),
                Const::Str(s) => Val::Str(s),
            }),
            Node::Slot(i) => Ok(slot(f, *i)),
            Node::Binary(op, l, r) => {
                // Numbers read straight from the frame, without materialising operands.
                if let (Some(x), Some(y)) = (num_leaf(l, f), num_leaf(r, f)) {
                    if let Some(v) = super::super::ops::numeric(*op, x, y) {
                        self.charge(2)?;
                        return Ok(v);
                    }
                }
                let a = self.operand(l, f)?;
                let b = self.operand(r, f)?;
                if let (Val::Num(x), Val::Num(y)) = (&a, &b) {
                    if let Some(v) = super::super::ops::numeric(*op, *x, *y) {
                        return Ok(v);
                    }
                }
                self.binary(*op, a, b)
            }
            Node::Member(_) | Node::Index(_) | Node::Call(_) | Node::Method(_) => {
                Ok(self.eval_link(node, f)?.unwrap_or(Val::Undefined))
            }
            Node::Unary(op, x) => {
                let v = self.eval(x, f)?;
                self.unary(*op, v)
            }
            _ => self.eval_compound(node, f),
        }
    }

    /// The less frequent node kinds, kept out of `eval` so its recursive frame stays small.
    #[inline(never)]
    fn eval_compound<'a>(&mut self, node: &'a Node, f: &mut [Val<'a>]) -> RtResult<Val<'a>> {
        match node {
            Node::Native(n) => Ok(Val::Native(*n)),
            Node::Template(parts) => self.template(parts, f),
            Node::Array(items) => {
                let v = self.eval_items(items, f)?;
                self.make_arr(v)
            }
            Node::Object(props) => self.object(props, f),
            Node::Logical(op, l, r) => {
                let a = self.eval(l, f)?;
                let take_right = match op {
                    LogicalOp::And => truthy(&a),
                    LogicalOp::Or => !truthy(&a),
                    LogicalOp::Nullish => a.is_nullish(),
                };
                if take_right {
                    self.eval(r, f)
                } else {
                    Ok(a)
                }
            }
            Node::Cond(c, t, e) => {
                let v = self.eval(c, f)?;
                if truthy(&v) {
                    self.eval(t, f)
                } else {
                    self.eval(e, f)
                }
            }
            Node::NativeCall(n) => {
                let args = self.eval_items(&n.args, f)?;
                call_native(self, n.native, args, n.pos)
            }
            Node::Chain(inner) => Ok(self.eval_opt(inner, f)?.unwrap_or(Val::Undefined)),
            Node::Closure(func) => self.make_closure(func, f),
            _ => self.eval(node, f),
        }
    }

    /// `eval` with the leaves (variables, constants) handled inline: most operands are
    /// leaves, and skipping the recursive call is a large share of a tiny expression's cost.
    #[inline(always)]
    pub(super) fn operand<'a>(&mut self, node: &'a Node, f: &mut [Val<'a>]) -> RtResult<Val<'a>> {
        match node {
            Node::Slot(i) => {
                self.tick()?;
                Ok(slot(f, *i))
            }
            Node::Const(Const::Num(n)) => {
                self.tick()?;
                Ok(Val::Num(*n))
            }
            _ => self.eval(node, f),
        }
    }

    /// Evaluates a node that may be a link of an optional chain; `None` = short-circuited.
    pub(super) fn eval_opt<'a>(
        &mut self,
        node: &'a Node,
        f: &mut [Val<'a>],
    ) -> RtResult<Option<Val<'a>>> {
        match node {
            Node::Member(_) | Node::Index(_) | Node::Call(_) | Node::Method(_) => {
                self.tick()?;
                self.eval_link(node, f)
            }
            _ => self.eval(node, f).map(Some),
        }
    }

    /// Member access, indexing and calls (the links of a chain). The step was charged by
    /// the caller.
    pub(super) fn eval_link<'a>(
        &mut self,
        node: &'a Node,
        f: &mut [Val<'a>],
    ) -> RtResult<Option<Val<'a>>> {
        match node {
            Node::Member(m) => {
                let Some(obj) = self.eval_opt(&m.obj, f)? else {
                    return Ok(None);
                };
                if m.optional && obj.is_nullish() {
                    return Ok(None);
                }
                self.get_member(&obj, &m.key, m.pos).map(Some)
            }
            Node::Index(x) => {
                let Some(obj) = self.eval_opt(&x.obj, f)? else {
                    return Ok(None);
                };
                if x.optional && obj.is_nullish() {
                    return Ok(None);
                }
                let index = self.eval(&x.index, f)?;
                self.get_index(&obj, index, x.pos).map(Some)
            }
            Node::Call(c) => {
                let Some(callee) = self.eval_opt(&c.callee, f)? else {
                    return Ok(None);
                };
                if c.optional && callee.is_nullish() {
                    return Ok(None);
                }
                let args = self.eval_items(&c.args, f)?;
                if !callee.is_callable() {
                    return Err(type_error(format!("{} is not a function", c.text), Some(c.pos)));
                }
                self.call_value(&callee, Args::Vals(&args), c.pos).map(Some)
            }
            Node::Method(m) => {
                let Some(recv) = self.eval_opt(&m.obj, f)? else {
                    return Ok(None);
                };
                if recv.is_nullish() {
                    if m.optional_member {
                        return Ok(None);
                    }
                    return Err(cannot_read(&recv, &m.name, m.pos));
                }
                if matches!(recv, Val::Obj(_) | Val::JObj(_)) {
                    // Objects have no builtin methods here; a function-valued property is called.
                    let prop = self.get_member(&recv, &m.name, m.pos)?;
                    if m.optional_call && prop.is_nullish() {
                        return Ok(None);
                    }
                    if !prop.is_callable() {
                        // The one method every object inherits that the language keeps: an
                        // object without its own `toString` is "[object Object]", as in V8.
                        if m.name == "toString"
                            && !self.has_property(&recv, &Val::OStr(Rc::new(m.name.clone())))?
                        {
                            self.eval_items(&m.args, f)?;
                            return self.make_str("[object Object]".to_owned()).map(Some);
                        }
                        return Err(type_error(
                            format!("{} is not a function", m.text),
                            Some(m.pos),
                        ));
                    }
                    let args = self.eval_items(&m.args, f)?;
                    return self.call_value(&prop, Args::Vals(&args), m.pos).map(Some);
                }
                let args = self.eval_items(&m.args, f)?;
                // `?.()` short-circuits only on a property that is null or undefined: one that
                // is there and no function (`'2'.length?.()`) throws, as in JavaScript.
                let probe = m.optional_call.then(|| recv.clone());
                match builtins::call_method(self, recv, m.method, args, m.pos)? {
                    Some(v) => Ok(Some(v)),
                    None => match probe {
                        Some(recv) if self.get_member(&recv, &m.name, m.pos)?.is_nullish() => {
                            Ok(None)
                        }
                        _ => Err(type_error(format!("{} is not a function", m.text), Some(m.pos))),
                    },
                }
            }
            other => self.eval(other, f).map(Some),
        }
    }

    /// Evaluates array-literal or argument items, expanding spreads.
    pub(super) fn eval_items<'a>(
        &mut self,
        items: &'a [Item],
        f: &mut [Val<'a>],
    ) -> RtResult<Vec<Val<'a>>> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Item::Expr(e) => out.push(self.eval(e, f)?),
                Item::Hole => out.push(Val::hole()),
                Item::Spread(e) => {
                    let v = self.eval(e, f)?;
                    self.spread_into(&mut out, v)?;
                }
            }
        }
        Ok(out)
    }

    pub(super) fn template<'a>(
        &mut self,
        parts: &'a [TplPart],
        f: &mut [Val<'a>],
    ) -> RtResult<Val<'a>> {
        let mut out = String::new();
        for p in parts {
            match p {
                TplPart::Str(s) => out.push_str(s),
                TplPart::Expr(e) => {
                    let v = self.eval(e, f)?;
                    let s = self.coerce_str(&v)?;
                    self.check_str_len(out.len().saturating_add(s.len()))?;
                    out.push_str(&s);
                }
            }
        }
        self.make_str(out)
    }

    pub(super) fn object<'a>(&mut self, props: &'a [Prop], f: &mut [Val<'a>]) -> RtResult<Val<'a>> {
        let mut map = PropMap::with_capacity(props.len());
        for (i, p) in props.iter().enumerate() {
            match p {
                Prop::Static(k, e) => {
                    let v = self.eval(e, f)?;
                    map.insert(Key::B(k), v);
                }
                Prop::Computed(k, e, pos) => {
                    let kv = self.eval(k, f)?;
                    let key = self.property_key(&kv)?;
                    if key.as_str() == "__proto__" {
                        return Err(forbidden_error("__proto__", Some(*pos)));
                    }
                    let v = self.eval(e, f)?;
                    map.insert(key, v);
                }
                Prop::Spread(e) => {
                    let v = self.eval(e, f)?;
                    // Room for the spread and the properties still to come, in one allocation.
                    map.reserve(spread_size(&v) + props.len().saturating_sub(i + 1));
                    self.spread_props(&mut map, &v)?;
                }
            }
        }
        self.make_obj(map)
    }

    pub(super) fn make_closure<'a>(
        &mut self,
        func: &'a Function,
        f: &mut [Val<'a>],
    ) -> RtResult<Val<'a>> {
        self.allocate(super::HEADER_BYTES + func.captures.len() * super::VALUE_BYTES)?;
        let captures: Vec<Val<'a>> = func.captures.iter().map(|c| slot(f, c.from)).collect();
        let depth = 1 + captures.iter().map(Val::depth).max().unwrap_or(0);
        self.check_depth(depth)?;
        Ok(Val::Func(Rc::new(Closure { func, captures, depth })))
    }
}
