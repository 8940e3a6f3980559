//! YAML text → `crate::value::Value`, built iteratively from yaml-rust2's event stream.
//!
//! yaml-rust2's own loader clones anchored nodes for every alias without a budget and builds its
//! own tree; reading events directly lets us count every produced value and build JSON values in
//! one pass. Aliases are budgeted before they are expanded: what they add may not exceed
//! [`ALIAS_RATIO`] times what the text itself writes out, plus [`ALIAS_ALLOWANCE`], so a few
//! hundred bytes can no longer make millions of values ("billion laughs").

use std::collections::HashMap;

use crate::value::{Map, Number, Value};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::Yaml;

use super::ParseLimits;
use crate::error::{ExecutionError, Result};

/// Values aliases may add per value the text writes out. Anchors reuse parts of a document;
/// a real flow repeats a block a few times, never thousands.
pub const ALIAS_RATIO: usize = 10;
/// Values aliases may add on top of [`ALIAS_RATIO`], so small documents can reuse a block
/// freely.
pub const ALIAS_ALLOWANCE: usize = 10_000;

/// Parses every document of a YAML stream.
///
/// A text that is a JSON document (what the writer emits for values nested too deeply for YAML
/// block or flow style) is read by the JSON parser, which handles any depth within the limits.
pub fn parse_yaml_documents(text: &str, limits: &ParseLimits) -> Result<Vec<Value>> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(value) = super::parse_json_value(text, limits) {
            return Ok(vec![value]);
        }
    }
    let mut builder = Builder {
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        docs: Vec::new(),
        values: 0,
        aliased: 0,
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = parser.next_token().map_err(|e| yaml_error(e.to_string()))?;
        if event == Event::StreamEnd {
            break;
        }
        builder.on_event(event, mark)?;
    }
    Ok(builder.docs)
}

/// Parses a single-document YAML text (an empty text is `null`).
pub fn parse_yaml_value(text: &str, limits: &ParseLimits) -> Result<Value> {
    let mut docs = parse_yaml_documents(text, limits)?;
    match docs.len() {
        0 => Ok(Value::Null),
        1 => Ok(docs.pop().unwrap_or(Value::Null)),
        n => Err(yaml_error(format!("expected one document, found {n}"))),
    }
}

fn yaml_error(message: String) -> ExecutionError {
    ExecutionError::deserialization(format!("Failed to parse YAML: {message}"))
}

enum Frame {
    Seq { items: Vec<Value>, anchor: usize },
    Map { map: Map, key: Option<String>, anchor: usize },
}

struct Builder<'a> {
    limits: &'a ParseLimits,
    stack: Vec<Frame>,
    /// Anchor id → (value, number of values it contains).
    anchors: HashMap<usize, (Value, usize)>,
    docs: Vec<Value>,
    values: usize,
    /// Of `values`, those that aliases added.
    aliased: usize,
}

impl Builder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) -> Result<()> {
        match event {
            Event::SequenceStart(anchor, _) => {
                self.open(Frame::Seq { items: Vec::new(), anchor }, mark)
            }
            Event::MappingStart(anchor, _) => {
                self.open(Frame::Map { map: Map::new(), key: None, anchor }, mark)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { items, anchor }) => (Value::Array(items), anchor),
                    // Values YAML has no syntax for (dates, binary data, NaN...) are written as the
                    // codec's tags; they read back as what they stand for.
                    Some(Frame::Map { map, anchor, .. }) => {
                        (crate::value::codec::revive(map), anchor)
                    }
                    None => {
                        return Err(yaml_error(format!(
                            "unbalanced collection end at {}",
                            at(mark)
                        )))
                    }
                };
                if anchor > 0 {
                    let size = count_values(&value);
                    self.anchors.insert(anchor, (value.clone(), size));
                }
                self.insert(value, mark)
            }
            Event::Scalar(text, style, anchor, tag) => {
                let value = scalar(text, style, tag.as_ref());
                self.count(1, mark)?;
                if anchor > 0 {
                    self.anchors.insert(anchor, (value.clone(), 1));
                }
                self.insert(value, mark)
            }
            Event::Alias(anchor) => {
                let Some(size) = self.anchors.get(&anchor).map(|(_, size)| *size) else {
                    return Err(yaml_error(format!("unknown alias at {}", at(mark))));
                };
                self.count_aliased(size, mark)?;
                self.count(size, mark)?;
                let value =
                    self.anchors.get(&anchor).map(|(value, _)| value.clone()).unwrap_or_default();
                self.insert(value, mark)
            }
            _ => Ok(()),
        }
    }

    fn open(&mut self, frame: Frame, mark: Marker) -> Result<()> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(yaml_error(format!(
                "nesting deeper than the limit of {} levels at {}",
                self.limits.max_depth,
                at(mark)
            )));
        }
        self.count(1, mark)?;
        self.stack.push(frame);
        Ok(())
    }

    fn count(&mut self, values: usize, mark: Marker) -> Result<()> {
        self.values = self.values.saturating_add(values);
        if self.values > self.limits.max_values {
            return Err(yaml_error(format!(
                "document expands to more than {} values (alias bomb?) at {}",
                self.limits.max_values,
                at(mark)
            )));
        }
        Ok(())
    }

    /// Charges an alias's expansion to the alias budget, before it is expanded.
    fn count_aliased(&mut self, values: usize, mark: Marker) -> Result<()> {
        self.aliased = self.aliased.saturating_add(values);
        let written = self.values.saturating_sub(self.aliased - values);
        let allowed = written.saturating_mul(ALIAS_RATIO).saturating_add(ALIAS_ALLOWANCE);
        if self.aliased > allowed {
            return Err(yaml_error(format!(
                "aliases would expand the document to more than {allowed} values ({written} written out; alias bomb?) at {}",
                at(mark)
            )));
        }
        Ok(())
    }

    fn insert(&mut self, value: Value, mark: Marker) -> Result<()> {
        match self.stack.last_mut() {
            None => self.docs.push(value),
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map { map, key, .. }) => match key.take() {
                None => *key = Some(key_string(value, mark)?),
                Some(k) => {
                    if map.contains_key(k.as_str()) {
                        return Err(yaml_error(format!(
                            "duplicated mapping key \"{k}\" at {}",
                            at(mark)
                        )));
                    }
                    map.insert(k, value);
                }
            },
        }
        Ok(())
    }
}

fn at(mark: Marker) -> String {
    format!("line {} column {}", mark.line(), mark.col() + 1)
}

/// Mapping keys become strings, as JavaScript object keys do.
fn key_string(value: Value, mark: Marker) -> Result<String> {
    match value {
        Value::String(s) => Ok(crate::value::into_string(s)),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Ok("null".to_owned()),
        _ => Err(yaml_error(format!("complex mapping keys are not supported at {}", at(mark)))),
    }
}

/// Resolves a scalar with the YAML 1.2 core schema (as yaml-rust2's loader does).
fn scalar(text: String, style: TScalarStyle, tag: Option<&Tag>) -> Value {
    if style != TScalarStyle::Plain {
        return Value::from(text);
    }
    if let Some(tag) = tag {
        if tag.handle == "tag:yaml.org,2002:" && tag.suffix == "str" {
            return Value::from(text);
        }
    }
    match Yaml::from_str(&text) {
        Yaml::Integer(i) => Value::Number(i.into()),
        Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            // NaN and infinities have no JSON form; JSON.stringify also writes them as null.
            .map_or(Value::Null, Value::Number),
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Null => Value::Null,
        _ => Value::from(text),
    }
}

/// Number of values in a tree (iterative).
fn count_values(value: &Value) -> usize {
    let mut count = 0;
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        count += 1;
        match v {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    count
}
