//! `JSON.parse`: JSON text straight into run-time values, without recursion.
//!
//! Numbers read as V8 reads them: `-0` stays negative zero and a number too large for a double
//! is `±Infinity` (a general JSON library refuses both). Strings with lone surrogate escapes
//! (`"\ud800"`) get U+FFFD, as every string of the language does. A repeated key keeps its
//! first position and its last value.

use std::rc::Rc;

use super::super::error::{budget_error, type_error, RtResult};
use super::super::interpreter::Interp;
use super::super::propmap::{Key, PropMap};
use super::super::value::Val;

/// A container being read.
enum Open<'a> {
    Array(Vec<Val<'a>>),
    /// An object and the key whose value comes next.
    Object(PropMap<'a>, Option<Rc<String>>),
}

struct Reader<'t> {
    text: &'t [u8],
    at: usize,
}

/// Parses `text`, nesting at most `max_depth` containers deep.
pub(super) fn parse<'a>(
    it: &mut Interp,
    text: &str,
    max_depth: usize,
    pos: usize,
) -> RtResult<Val<'a>> {
    let mut r = Reader { text: text.as_bytes(), at: 0 };
    let invalid = |r: &Reader<'_>, what: &str| {
        type_error(format!("JSON.parse: invalid JSON: {what} at position {}", r.at), Some(pos))
    };
    let mut stack: Vec<Open<'a>> = Vec::new();
    loop {
        it.tick()?;
        r.skip_space();
        // A value starts here (after `[`, `,` or `:`, or at the top).
        let value = match r.peek() {
            Some(b'[') | Some(b'{') => {
                if stack.len() >= max_depth {
                    return Err(budget_error(format!(
                        "JSON.parse: nesting exceeds the limit of {max_depth} levels"
                    )));
                }
                let object = r.peek() == Some(b'{');
                r.at += 1;
                r.skip_space();
                if object {
                    if r.peek() == Some(b'}') {
                        r.at += 1;
                        it.make_obj(PropMap::with_capacity(0))?
                    } else {
                        let key = r.key().ok_or_else(|| invalid(&r, "expected a property name"))?;
                        stack.push(Open::Object(PropMap::with_capacity(4), Some(key)));
                        continue;
                    }
                } else if r.peek() == Some(b']') {
                    r.at += 1;
                    it.make_arr(Vec::new())?
                } else {
                    stack.push(Open::Array(Vec::new()));
                    continue;
                }
            }
            Some(b'"') => {
                let s = r.string().ok_or_else(|| invalid(&r, "bad string"))?;
                it.make_str(s)?
            }
            Some(b't') if r.literal(b"true") => Val::Bool(true),
            Some(b'f') if r.literal(b"false") => Val::Bool(false),
            Some(b'n') if r.literal(b"null") => Val::Null,
            Some(b'-' | b'0'..=b'9') => {
                Val::Num(r.number().ok_or_else(|| invalid(&r, "bad number"))?)
            }
            _ => return Err(invalid(&r, "unexpected token")),
        };
        // Hand the value to its container, closing every container that ends after it.
        let mut value = value;
        loop {
            r.skip_space();
            match stack.last_mut() {
                None => {
                    if r.peek().is_some() {
                        return Err(invalid(&r, "unexpected text after the value"));
                    }
                    return Ok(value);
                }
                Some(Open::Array(items)) => {
                    it.check_arr_len(items.len() + 1)?;
                    items.push(value);
                    match r.next() {
                        Some(b',') => break,
                        Some(b']') => {
                            let Some(Open::Array(items)) = stack.pop() else {
                                return Err(invalid(&r, "unbalanced"));
                            };
                            value = it.make_arr(items)?;
                        }
                        _ => return Err(invalid(&r, "expected ',' or ']'")),
                    }
                }
                Some(Open::Object(map, key)) => {
                    if let Some(key) = key.take() {
                        map.insert(Key::R(key), value);
                    }
                    match r.next() {
                        Some(b',') => {
                            r.skip_space();
                            let next =
                                r.key().ok_or_else(|| invalid(&r, "expected a property name"))?;
                            *key = Some(next);
                            break;
                        }
                        Some(b'}') => {
                            let Some(Open::Object(map, _)) = stack.pop() else {
                                return Err(invalid(&r, "unbalanced"));
                            };
                            value = it.make_obj(map)?;
                        }
                        _ => return Err(invalid(&r, "expected ',' or '}'")),
                    }
                }
            }
        }
    }
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        if self.text.get(self.at..self.at + word.len()) == Some(word) {
            self.at += word.len();
            return true;
        }
        false
    }

    /// `"name":`, leaving the reader at the value.
    fn key(&mut self) -> Option<Rc<String>> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let key = self.string()?;
        self.skip_space();
        (self.next() == Some(b':')).then(|| Rc::new(key))
    }

    /// A number by JSON's grammar, read as the nearest double (overflow gives infinity).
    fn number(&mut self) -> Option<f64> {
        let start = self.at;
        self.literal(b"-");
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.literal(b".") {
            self.digit()?;
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.digit()?;
            self.digits();
        }
        std::str::from_utf8(&self.text[start..self.at]).ok()?.parse().ok()
    }

    fn digit(&mut self) -> Option<()> {
        self.next().filter(u8::is_ascii_digit).map(|_| ())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }

    /// A string literal (the reader is at its opening quote); never longer than the text.
    fn string(&mut self) -> Option<String> {
        self.at += 1;
        let mut units: Vec<u16> = Vec::new();
        let mut out = String::new();
        loop {
            let b = self.next()?;
            match b {
                b'"' => break,
                b'\\' => {
                    let unit = match self.next()? {
                        b'"' => u16::from(b'"'),
                        b'\\' => u16::from(b'\\'),
                        b'/' => u16::from(b'/'),
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => u16::from(b'\n'),
                        b'r' => u16::from(b'\r'),
                        b't' => u16::from(b'\t'),
                        b'u' => {
                            let hex = self
                                .text
                                .get(self.at..self.at + 4)
                                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))?;
                            self.at += 4;
                            u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?
                        }
                        _ => return None,
                    };
                    units.push(unit);
                }
                0x00..=0x1f => return None,
                _ => {
                    flush(&mut units, &mut out);
                    // Copy the run of plain characters up to the next quote or escape at once.
                    let start = self.at - 1;
                    while self.peek().is_some_and(|c| c != b'"' && c != b'\\' && c >= 0x20) {
                        self.at += 1;
                    }
                    out.push_str(std::str::from_utf8(&self.text[start..self.at]).ok()?);
                }
            }
        }
        flush(&mut units, &mut out);
        Some(out)
    }
}

/// Escaped UTF-16 units as text (a lone surrogate becomes U+FFFD).
fn flush(units: &mut Vec<u16>, out: &mut String) {
    if !units.is_empty() {
        out.extend(char::decode_utf16(units.drain(..)).map(|c| c.unwrap_or('\u{fffd}')));
    }
}
