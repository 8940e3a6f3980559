//! Calls: frames, parameter binding, destructuring and statement execution.

use crate::value::Value;

use super::super::builtins::{self, call_native, Native};
use super::super::compile::is_forbidden_key;
use super::super::error::{budget_error, forbidden_error, internal_error, type_error, RtResult};
use super::super::ir::{Body, Function, Node, Pat, PatKey, Stmt};
use super::super::propmap::{Key, PropMap};
use super::super::value::Val;
use super::{set_slot, truthy, Args, Interp, CALL_OVERHEAD, INLINE_SLOTS, SMALL_SLOTS};

impl Interp<'_> {
    /// Calls a function value.
    pub fn call_value<'a>(
        &mut self,
        callee: &Val<'a>,
        args: Args<'_, 'a>,
        pos: usize,
    ) -> RtResult<Val<'a>> {
        match callee {
            Val::Func(c) => self.invoke(c.func, &c.captures, args),
            Val::Native(n) => {
                let argv = match args {
                    Args::Vals(v) => v.to_vec(),
                    Args::Json(v) => v.iter().map(|x| Val::from_json(x)).collect(),
                    Args::Fields(_) => Vec::new(),
                };
                call_native(self, *n, argv, pos)
            }
            other => Err(builtins::not_a_function(other, pos)),
        }
    }

    /// How many arguments a callback uses, so builtins skip building unused ones.
    pub fn arity(callee: &Val<'_>) -> usize {
        match callee {
            Val::Func(c) => {
                if c.func.params.iter().any(|p| p.rest) {
                    usize::MAX
                } else {
                    c.func.params.len()
                }
            }
            Val::Native(Native::ParseInt) => 2,
            Val::Native(_) => usize::MAX,
            _ => 0,
        }
    }

    /// Runs a compiled function with a fresh frame.
    pub fn invoke<'a>(
        &mut self,
        func: &'a Function,
        captures: &[Val<'a>],
        args: Args<'_, 'a>,
    ) -> RtResult<Val<'a>> {
        let cost = func.height + CALL_OVERHEAD;
        self.nest += cost;
        if self.nest > self.max_nest {
            self.nest -= cost;
            return Err(budget_error(format!(
                "Expression nests function calls too deeply (limit {} levels)",
                self.max_nest
            )));
        }
        let n = func.nslots;
        let r = if n <= SMALL_SLOTS {
            self.run_small(func, captures, args)
        } else if n <= INLINE_SLOTS {
            self.run_medium(func, captures, args)
        } else {
            let mut frame = vec![Val::Undefined; n];
            self.run(func, captures, args, &mut frame, false)
        };
        self.nest -= cost;
        r
    }

    /// Runs with a three-slot frame on the Rust stack. Plain positional parameters are
    /// placed while the frame is built (skipping the generic binding code), and the array
    /// is written element by element so values stay in registers.
    #[inline(always)]
    pub(super) fn run_small<'a>(
        &mut self,
        func: &'a Function,
        captures: &[Val<'a>],
        args: Args<'_, 'a>,
    ) -> RtResult<Val<'a>> {
        let direct = func.plain_params && !matches!(args, Args::Fields(_));
        let np = if direct { func.params.len() } else { 0 };
        let a0 = if np > 0 { args.get(0) } else { Val::Undefined };
        let a1 = if np > 1 { args.get(1) } else { Val::Undefined };
        let a2 = if np > 2 { args.get(2) } else { Val::Undefined };
        let mut buf = [a0, a1, a2];
        match buf.get_mut(..func.nslots) {
            Some(frame) => self.run(func, captures, args, frame, direct),
            None => Err(internal_error("frame size")),
        }
    }

    /// Runs with a larger frame on the Rust stack.
    pub(super) fn run_medium<'a>(
        &mut self,
        func: &'a Function,
        captures: &[Val<'a>],
        args: Args<'_, 'a>,
    ) -> RtResult<Val<'a>> {
        let mut buf: [Val<'a>; INLINE_SLOTS] = [const { Val::Undefined }; INLINE_SLOTS];
        match buf.get_mut(..func.nslots) {
            Some(frame) => self.run(func, captures, args, frame, false),
            None => Err(internal_error("frame size")),
        }
    }

    pub(super) fn run<'a>(
        &mut self,
        func: &'a Function,
        captures: &[Val<'a>],
        args: Args<'_, 'a>,
        frame: &mut [Val<'a>],
        params_bound: bool,
    ) -> RtResult<Val<'a>> {
        for (c, v) in func.captures.iter().zip(captures) {
            set_slot(frame, c.to, v.clone())?;
        }
        if !params_bound {
            self.bind_params(func, args, frame)?;
        }
        match &func.body {
            Body::Expr(e) => self.eval(e, frame),
            Body::Block(stmts) => Ok(self.exec(stmts, frame)?.unwrap_or(Val::Undefined)),
        }
    }

    pub(super) fn bind_params<'a>(
        &mut self,
        func: &'a Function,
        args: Args<'_, 'a>,
        frame: &mut [Val<'a>],
    ) -> RtResult<()> {
        if let Args::Fields(fields) = args {
            return self.bind_fields(func, fields, frame);
        }
        for (i, p) in func.params.iter().enumerate() {
            let v = if p.rest {
                let rest: Vec<Val<'a>> = match args {
                    Args::Vals(v) => v.get(i..).unwrap_or(&[]).to_vec(),
                    Args::Json(v) => {
                        v.get(i..).unwrap_or(&[]).iter().map(|x| Val::from_json(x)).collect()
                    }
                    Args::Fields(_) => Vec::new(),
                };
                self.make_arr(rest)?
            } else {
                args.get(i)
            };
            self.bind_with_default(&p.pat, p.default.as_ref(), v, frame)?;
        }
        Ok(())
    }

    /// Binds named fields: destructured directly when the first parameter is an object
    /// pattern (reduce's hot path builds no object), positionally for 2+ parameters, and
    /// as one object otherwise.
    pub(super) fn bind_fields<'a>(
        &mut self,
        func: &'a Function,
        fields: &[(&'a str, &'a Value)],
        frame: &mut [Val<'a>],
    ) -> RtResult<()> {
        let field =
            |name: &str| fields.iter().find(|(k, _)| *k == name).map(|(_, v)| Val::from_json(v));
        match func.params.first() {
            Some(p) if !p.rest && func.params.len() == 1 => {
                if let Pat::Object { props, rest: None } = &p.pat {
                    if props.iter().all(|pp| matches!(pp.key, PatKey::Static(_))) {
                        for pp in props {
                            let PatKey::Static(k) = &pp.key else { continue };
                            let v = field(k).unwrap_or(Val::Undefined);
                            self.bind_with_default(
                                &pp.item.pat,
                                pp.item.default.as_ref(),
                                v,
                                frame,
                            )?;
                        }
                        return Ok(());
                    }
                }
                let mut map = PropMap::with_capacity(fields.len());
                for (k, v) in fields {
                    map.insert(Key::B(k), Val::from_json(v));
                }
                let obj = self.make_obj(map)?;
                self.bind_with_default(&p.pat, p.default.as_ref(), obj, frame)
            }
            Some(_) => {
                let vals: Vec<Val<'a>> = fields.iter().map(|(_, v)| Val::from_json(v)).collect();
                self.bind_params(func, Args::Vals(&vals), frame)
            }
            None => Ok(()),
        }
    }

    pub(super) fn bind_with_default<'a>(
        &mut self,
        pat: &'a Pat,
        default: Option<&'a Node>,
        v: Val<'a>,
        frame: &mut [Val<'a>],
    ) -> RtResult<()> {
        let v = match (v, default) {
            (Val::Undefined, Some(d)) => self.eval(d, frame)?,
            (v, _) => v,
        };
        self.bind(pat, v, frame)
    }

    /// Destructures `v` into slots.
    pub(super) fn bind<'a>(
        &mut self,
        pat: &'a Pat,
        v: Val<'a>,
        frame: &mut [Val<'a>],
    ) -> RtResult<()> {
        match pat {
            Pat::Slot(s) => set_slot(frame, *s, v),
            Pat::Object { props, rest } => {
                if v.is_nullish() {
                    return Err(type_error(
                        format!("Cannot destructure '{}' as it is {}.", v.describe(), v.describe()),
                        None,
                    ));
                }
                let mut used: Vec<Key<'a>> = Vec::new();
                for pp in props {
                    let key = match &pp.key {
                        PatKey::Static(k) => Key::B(k.as_str()),
                        PatKey::Computed(e, pos) => {
                            let kv = self.eval(e, frame)?;
                            let key = self.property_key(&kv)?;
                            if is_forbidden_key(key.as_str()) {
                                return Err(forbidden_error(key.as_str(), Some(*pos)));
                            }
                            key
                        }
                    };
                    let x = self.get_member(&v, key.as_str(), 0)?;
                    if rest.is_some() {
                        used.push(key);
                    }
                    self.bind_with_default(&pp.item.pat, pp.item.default.as_ref(), x, frame)?;
                }
                if let Some(r) = rest {
                    let mut all = PropMap::with_capacity(4);
                    self.spread_props(&mut all, &v)?;
                    let mut map = PropMap::with_capacity(all.len());
                    for (k, x) in all.iter() {
                        if !used.iter().any(|u| u.as_str() == k.as_str()) {
                            map.insert(k.clone(), x.clone());
                        }
                    }
                    let obj = self.make_obj(map)?;
                    set_slot(frame, *r, obj)?;
                }
                Ok(())
            }
            Pat::Array { items, rest } => {
                let list = self.list(&v)?;
                for (i, item) in items.iter().enumerate() {
                    if let Some(item) = item {
                        let x = list.get(i).cloned().unwrap_or(Val::Undefined);
                        self.bind_with_default(&item.pat, item.default.as_ref(), x, frame)?;
                    }
                }
                if let Some(r) = rest {
                    let tail = list.get(items.len()..).unwrap_or(&[]).to_vec();
                    let arr = self.make_arr(tail)?;
                    self.bind(r, arr, frame)?;
                }
                Ok(())
            }
        }
    }

    /// Runs statements; `Some` is a `return`ed value.
    pub(super) fn exec<'a>(
        &mut self,
        stmts: &'a [Stmt],
        frame: &mut [Val<'a>],
    ) -> RtResult<Option<Val<'a>>> {
        for s in stmts {
            self.tick()?;
            match s {
                Stmt::Bind(pat, e) => {
                    let v = self.eval(e, frame)?;
                    self.bind(pat, v, frame)?;
                }
                Stmt::If(c, t, e) => {
                    let cond = self.eval(c, frame)?;
                    let branch = if truthy(&cond) { Some(&**t) } else { e.as_deref() };
                    if let Some(b) = branch {
                        if let Some(v) = self.exec(std::slice::from_ref(b), frame)? {
                            return Ok(Some(v));
                        }
                    }
                }
                Stmt::Return(e) => {
                    return Ok(Some(match e {
                        Some(e) => self.eval(e, frame)?,
                        None => Val::Undefined,
                    }))
                }
                Stmt::Block(b) => {
                    if let Some(v) = self.exec(b, frame)? {
                        return Ok(Some(v));
                    }
                }
                Stmt::Expr(e) => {
                    self.eval(e, frame)?;
                }
            }
        }
        Ok(None)
    }
}
