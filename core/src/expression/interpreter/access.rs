//! Property access, indexing and spreading.

use std::rc::Rc;

use super::super::compile::is_forbidden_key;
use super::super::convert::array_index;
use super::super::error::{forbidden_error, type_error, ExpressionError, RtResult};
use super::super::propmap::{Key, PropMap};
use super::super::utf16;
use super::super::value::Val;
use super::{lookup_json, Interp};

impl Interp<'_> {
    /// `...v` in an array or argument list: arrays by element, strings by code point.
    pub fn spread_into<'a>(&mut self, out: &mut Vec<Val<'a>>, v: Val<'a>) -> RtResult<()> {
        match &v {
            Val::JArr(a) => {
                self.charge(a.len())?;
                self.check_arr_len(out.len().saturating_add(a.len()))?;
                out.extend(a.iter().map(Val::from_json));
            }
            Val::Arr(a) => {
                self.charge(a.items.len())?;
                self.check_arr_len(out.len().saturating_add(a.items.len()))?;
                // Spreading reads every slot: a hole becomes `undefined`.
                out.extend(a.items.iter().cloned().map(Val::read));
            }
            Val::Str(_) | Val::OStr(_) => {
                let s = v.as_str().unwrap_or("");
                self.charge(s.len())?;
                self.check_arr_len(out.len().saturating_add(s.len()))?;
                // One small string per character.
                self.allocate(s.chars().count().saturating_mul(super::HEADER_BYTES))?;
                for c in s.chars() {
                    out.push(Val::OStr(Rc::new(c.to_string())));
                }
            }
            Val::Ext(crate::value::Ext::Set(items)) => {
                self.charge(items.len())?;
                self.check_arr_len(out.len().saturating_add(items.len()))?;
                out.extend(items.iter().map(Val::from_json));
            }
            Val::Ext(crate::value::Ext::Map(entries)) => {
                self.charge(entries.len())?;
                self.check_arr_len(out.len().saturating_add(entries.len()))?;
                for (k, x) in entries {
                    let pair = self.make_arr(vec![Val::from_json(k), Val::from_json(x)])?;
                    out.push(pair);
                }
            }
            Val::Ext(crate::value::Ext::Bytes(bytes))
                if super::super::ext::element_count(bytes).is_some() =>
            {
                let count = super::super::ext::element_count(bytes).unwrap_or(0);
                self.charge(count)?;
                self.check_arr_len(out.len().saturating_add(count))?;
                out.extend(bytes.elements().into_iter().map(Val::Num));
            }
            other => return Err(type_error(format!("{} is not iterable", other.describe()), None)),
        }
        Ok(())
    }

    /// `{...v}`: own enumerable properties; primitives other than strings add nothing.
    pub fn spread_props<'a>(&mut self, map: &mut PropMap<'a>, v: &Val<'a>) -> RtResult<()> {
        match v {
            Val::JObj(o) => {
                self.charge(o.len())?;
                for (k, x) in o.iter() {
                    map.insert(Key::B(k), Val::from_json(x));
                }
            }
            Val::Obj(o) => {
                self.charge(o.props.len())?;
                for (k, x) in o.props.iter() {
                    map.insert(k.clone(), x.clone());
                }
            }
            Val::JArr(_) | Val::Arr(_) => {
                let view = super::super::builtins::View::of(v)
                    .ok_or_else(|| super::super::error::internal_error("array view"))?;
                self.charge(view.len())?;
                // Holes are not own properties: `{...[, 1]}` is `{1: 1}`.
                for i in (0..view.len()).filter(|&i| !view.is_hole(i)) {
                    map.insert(Key::R(Rc::new(i.to_string())), view.get(i));
                }
            }
            Val::Str(_) | Val::OStr(_) => {
                // String indices are UTF-16 code units (unlike `[...s]`, which iterates code points).
                let s = v.as_str().unwrap_or("");
                // Charged before allocating one string per unit.
                self.charge(utf16::len(s))?;
                self.allocate(utf16::len(s).saturating_mul(2 * super::HEADER_BYTES))?;
                let units = utf16::unit_strings(s);
                for (i, unit) in units.into_iter().enumerate() {
                    map.insert(Key::R(Rc::new(i.to_string())), Val::OStr(Rc::new(unit)));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Elements of an array, or the characters (code points) of a string, as values.
    pub(super) fn list<'a>(&mut self, v: &Val<'a>) -> RtResult<Vec<Val<'a>>> {
        let mut out = Vec::new();
        self.spread_into(&mut out, v.clone())?;
        Ok(out)
    }

    /// `obj.key` for a static key (already checked against the forbidden list).
    pub(super) fn get_member<'a>(
        &mut self,
        obj: &Val<'a>,
        key: &str,
        pos: usize,
    ) -> RtResult<Val<'a>> {
        Ok(match obj {
            Val::JObj(o) => lookup_json(o, key).map_or(Val::Undefined, Val::from_json),
            Val::Obj(o) => o.props.get(key).cloned().unwrap_or(Val::Undefined),
            Val::JArr(a) => match key {
                "length" => Val::Num(a.len() as f64),
                _ => array_index(key).and_then(|i| a.get(i)).map_or(Val::Undefined, Val::from_json),
            },
            Val::Arr(a) => match key {
                "length" => Val::Num(a.items.len() as f64),
                _ => array_index(key)
                    .and_then(|i| a.items.get(i))
                    .cloned()
                    .map_or(Val::Undefined, Val::read),
            },
            Val::Str(_) | Val::OStr(_) => {
                let s = obj.as_str().unwrap_or("");
                // `length` and indexing count UTF-16 units: O(n) unless ASCII.
                self.charge_bytes(s.len())?;
                match key {
                    "length" => Val::Num(utf16::len(s) as f64),
                    _ => match array_index(key) {
                        Some(i) if i < utf16::len(s) => self.make_str(utf16::slice(s, i, i + 1))?,
                        _ => Val::Undefined,
                    },
                }
            }
            Val::Undefined | Val::Null => return Err(cannot_read(obj, key, pos)),
            Val::Ext(ext) => match super::super::ext::property(ext, key) {
                Some(value) => self.owned_value(value)?,
                None => Val::Undefined,
            },
            _ => Val::Undefined,
        })
    }

    /// `obj[index]`: numbers index arrays and strings directly; other keys are converted
    /// to strings and checked against the forbidden list at run time.
    pub(super) fn get_index<'a>(
        &mut self,
        obj: &Val<'a>,
        index: Val<'a>,
        pos: usize,
    ) -> RtResult<Val<'a>> {
        if let Val::Num(n) = index {
            if n >= 0.0 && n.fract() == 0.0 {
                let i = n as usize;
                match obj {
                    Val::JArr(a) => return Ok(a.get(i).map_or(Val::Undefined, Val::from_json)),
                    Val::Arr(a) => {
                        return Ok(a.items.get(i).cloned().map_or(Val::Undefined, Val::read))
                    }
                    _ => {}
                }
            }
        }
        let key = self.property_key(&index)?;
        self.charge_bytes(key.as_str().len())?;
        if obj.is_nullish() {
            return Err(cannot_read(obj, key.as_str(), pos));
        }
        if is_forbidden_key(key.as_str()) {
            return Err(forbidden_error(key.as_str(), Some(pos)));
        }
        self.get_member(obj, key.as_str(), pos)
    }

    /// `ToPropertyKey`.
    pub fn property_key<'a>(&mut self, v: &Val<'a>) -> RtResult<Key<'a>> {
        Ok(match v {
            Val::Str(s) => Key::B(s.as_str()),
            Val::OStr(s) => Key::R(s.clone()),
            other => Key::R(Rc::new(self.coerce_str(other)?.into_owned())),
        })
    }
}

pub(super) fn cannot_read(obj: &Val<'_>, key: &str, pos: usize) -> Box<ExpressionError> {
    type_error(format!("Cannot read properties of {} (reading '{key}')", obj.describe()), Some(pos))
}
