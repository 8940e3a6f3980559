//! `JSON.stringify` and `JSON.parse`, with the output size and nesting capped.

use super::super::convert::number_to_string;
use super::super::error::{budget_error, type_error, RtResult};
use super::super::interpreter::Interp;
use super::super::order::sort_for_enumeration;
use super::super::value::Val;
use super::arg;

pub(super) fn stringify<'a>(it: &mut Interp, args: Vec<Val<'a>>) -> RtResult<Val<'a>> {
    if !arg(&args, 1).is_nullish() {
        return Err(type_error("JSON.stringify: a replacer is not supported", None));
    }
    let gap = match arg(&args, 2) {
        Val::Num(n) => " ".repeat(n.clamp(0.0, 10.0) as usize),
        v @ (Val::Str(_) | Val::OStr(_)) => v.as_str().unwrap_or("").chars().take(10).collect(),
        _ => String::new(),
    };
    let v = arg(&args, 0);
    if skipped(&v) {
        return Ok(Val::Undefined);
    }
    let mut w = Writer { out: String::new(), gap, max_len: it.max_string_len };
    w.value(it, &v, 0)?;
    it.make_str(w.out)
}

/// Values `JSON.stringify` leaves out of objects (and turns into `null` in arrays).
fn skipped(v: &Val<'_>) -> bool {
    matches!(v, Val::Undefined | Val::Func(_) | Val::Native(_))
}

struct Writer {
    out: String,
    gap: String,
    max_len: usize,
}

impl Writer {
    fn check(&self) -> RtResult<()> {
        if self.out.len() > self.max_len {
            return Err(budget_error(format!(
                "String exceeds the limit of {} bytes",
                self.max_len
            )));
        }
        Ok(())
    }

    fn newline(&mut self, depth: u32) {
        if !self.gap.is_empty() {
            self.out.push('\n');
            for _ in 0..depth {
                self.out.push_str(&self.gap);
            }
        }
    }

    fn value(&mut self, it: &mut Interp, v: &Val<'_>, depth: u32) -> RtResult<()> {
        it.tick()?;
        if depth > it.max_value_depth {
            return Err(budget_error(format!(
                "Value nesting exceeds the limit of {} levels",
                it.max_value_depth
            )));
        }
        match v {
            Val::Undefined | Val::Func(_) | Val::Native(_) | Val::Null => self.out.push_str("null"),
            Val::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Val::Num(n) if n.is_finite() => self.out.push_str(&number_to_string(*n)),
            Val::Num(_) => self.out.push_str("null"),
            Val::Str(_) | Val::OStr(_) => quote(v.as_str().unwrap_or(""), &mut self.out),
            Val::JArr(a) => {
                let items: Vec<Val<'_>> = a.iter().map(Val::from_json).collect();
                self.array(it, &items, depth)?;
            }
            Val::Arr(a) => self.array(it, &a.items, depth)?,
            Val::JObj(o) => {
                let mut entries: Vec<(&str, Val<'_>)> =
                    o.iter().map(|(k, x)| (k.as_str(), Val::from_json(x))).collect();
                sort_for_enumeration(&mut entries, |(k, _)| k);
                self.object(it, entries.iter().map(|(k, x)| (*k, x)), depth)?;
            }
            Val::Obj(o) => {
                let mut entries: Vec<_> = o.props.iter().collect();
                sort_for_enumeration(&mut entries, |(k, _)| k.as_str());
                self.object(it, entries.into_iter().map(|(k, x)| (k.as_str(), x)), depth)?
            }
            Val::Ext(ext) => match super::super::ext::json_form(ext)? {
                Some(form) => self.value(it, &Val::from_json(&form), depth)?,
                None => self.out.push_str("null"),
            },
        }
        self.check()
    }

    fn array(&mut self, it: &mut Interp, items: &[Val<'_>], depth: u32) -> RtResult<()> {
        if items.is_empty() {
            self.out.push_str("[]");
            return Ok(());
        }
        self.out.push('[');
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.newline(depth + 1);
            self.value(it, x, depth + 1)?;
        }
        self.newline(depth);
        self.out.push(']');
        Ok(())
    }

    fn object<'x, 'v: 'x>(
        &mut self,
        it: &mut Interp,
        entries: impl Iterator<Item = (&'x str, &'x Val<'v>)>,
        depth: u32,
    ) -> RtResult<()> {
        self.out.push('{');
        let mut any = false;
        for (k, x) in entries {
            if skipped(x) {
                continue;
            }
            if any {
                self.out.push(',');
            }
            any = true;
            self.newline(depth + 1);
            quote(k, &mut self.out);
            self.out.push(':');
            if !self.gap.is_empty() {
                self.out.push(' ');
            }
            self.value(it, x, depth + 1)?;
        }
        if any {
            self.newline(depth);
        }
        self.out.push('}');
        Ok(())
    }
}

/// JSON string quoting as `JSON.stringify` does it.
pub(super) fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{C}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

pub(super) fn parse<'a>(it: &mut Interp, args: Vec<Val<'a>>, pos: usize) -> RtResult<Val<'a>> {
    if args.get(1).is_some_and(|r| !r.is_nullish()) {
        return Err(type_error("JSON.parse: a reviver is not supported", Some(pos)));
    }
    let text = it.coerce_str(&arg(&args, 0))?.into_owned();
    it.charge(text.len() / 16)?;
    let limit = (it.max_value_depth as usize).min(128);
    super::json_parse::parse(it, &text, limit, pos)
}
