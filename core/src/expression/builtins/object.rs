//! `Object.keys/values/entries/fromEntries/assign`.

use std::rc::Rc;

use super::super::error::{forbidden_error, type_error, RtResult};
use super::super::interpreter::Interp;
use super::super::order::sort_for_enumeration;
use super::super::propmap::{Key, PropMap};
use super::super::value::Val;
use super::array::View;
use super::{arg, Native};

fn key_val<'a>(k: &Key<'a>) -> Val<'a> {
    match k {
        Key::B(s) => Val::OStr(Rc::new((*s).to_string())),
        Key::R(s) => Val::OStr(s.clone()),
    }
}

/// Own enumerable `(key, value)` pairs of any value, as `Object.entries` sees them.
fn own_entries<'a>(it: &mut Interp, v: &Val<'a>, pos: usize) -> RtResult<Vec<(Val<'a>, Val<'a>)>> {
    Ok(match v {
        Val::Undefined | Val::Null => {
            return Err(type_error("Cannot convert undefined or null to object", Some(pos)));
        }
        Val::JObj(o) => {
            it.charge(o.len())?;
            let mut entries: Vec<(&'a crate::value::Str, &'a crate::value::Value)> =
                o.iter().collect();
            sort_for_enumeration(&mut entries, |(k, _)| k.as_str());
            entries.into_iter().map(|(k, x)| (Val::Str(k), Val::from_json(x))).collect()
        }
        Val::Obj(o) => {
            it.charge(o.props.len())?;
            let mut entries: Vec<_> = o.props.iter().collect();
            sort_for_enumeration(&mut entries, |(k, _)| k.as_str());
            entries.into_iter().map(|(k, x)| (key_val(k), x.clone())).collect()
        }
        Val::JArr(_) | Val::Arr(_) => {
            let view =
                View::of(v).ok_or_else(|| super::super::error::internal_error("array view"))?;
            it.charge(view.len())?;
            // Holes are not own properties.
            (0..view.len())
                .filter(|&i| !view.is_hole(i))
                .map(|i| (Val::OStr(Rc::new(i.to_string())), view.get(i)))
                .collect()
        }
        Val::Str(_) | Val::OStr(_) => {
            let items = match View::of(v) {
                Some(view) => view.to_vec(),
                // Strings enumerate their UTF-16 code units (charged before allocating them).
                None => {
                    let s = v.as_str().unwrap_or("");
                    let n = super::super::utf16::len(s);
                    it.charge(n)?;
                    it.check_arr_len(n)?;
                    super::super::utf16::unit_strings(s)
                        .into_iter()
                        .map(|u| Val::OStr(Rc::new(u)))
                        .collect()
                }
            };
            it.charge(items.len())?;
            items
                .into_iter()
                .enumerate()
                .map(|(i, x)| (Val::OStr(Rc::new(i.to_string())), x))
                .collect()
        }
        _ => Vec::new(),
    })
}

pub(super) fn call<'a>(
    it: &mut Interp,
    f: Native,
    args: Vec<Val<'a>>,
    pos: usize,
) -> RtResult<Val<'a>> {
    match f {
        Native::ObjectKeys | Native::ObjectValues | Native::ObjectEntries => {
            let entries = own_entries(it, &arg(&args, 0), pos)?;
            let mut out = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                out.push(match f {
                    Native::ObjectKeys => k,
                    Native::ObjectValues => v,
                    _ => it.make_arr(vec![k, v])?,
                });
            }
            it.make_arr(out)
        }
        Native::ObjectFromEntries => {
            let source = arg(&args, 0);
            let Some(view) = View::of(&source) else {
                return Err(type_error(
                    format!("{} is not iterable", source.describe()),
                    Some(pos),
                ));
            };
            let mut map = PropMap::with_capacity(view.len());
            for i in 0..view.len() {
                it.tick()?;
                let entry = view.get(i);
                let Some(pair) = View::of(&entry) else {
                    return Err(type_error(
                        format!("Iterator value {} is not an entry object", entry.describe()),
                        Some(pos),
                    ));
                };
                let key = it.property_key(&pair.get(0))?;
                if key.as_str() == "__proto__" {
                    return Err(forbidden_error("__proto__", Some(pos)));
                }
                map.insert(key, pair.get(1));
            }
            it.make_obj(map)
        }
        Native::ObjectAssign => {
            let target = arg(&args, 0);
            if target.is_nullish() {
                return Err(type_error("Cannot convert undefined or null to object", Some(pos)));
            }
            // Returns a new object instead of mutating `target` (values are immutable here).
            let mut map = PropMap::with_capacity(4);
            for a in &args {
                it.spread_props(&mut map, a)?;
            }
            it.make_obj(map)
        }
        _ => Ok(Val::Undefined),
    }
}
