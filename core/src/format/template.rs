//! `{{ path }}` templates: values from the data a node is given (`user.name`, `items[0].id`),
//! missing values as empty strings. `edit-fields` writes them as the TypeScript engine did
//! (HTML-escaped); an `llm` prompt or an email as text.

use crate::value::{Map, Value};

use crate::format::js_string;

/// How a template writes what it puts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateStyle {
    /// Values as JS would make them strings (an object is `[object Object]`), the whole result
    /// HTML-escaped (`&`, `<`, `>`): `edit-fields`, as the TypeScript engine's output was.
    Html,
    /// Strings as they are, other values as their JSON text, nothing escaped: text a person or
    /// a model reads (an `llm` node's messages).
    Text,
}

/// Renders `template` against `data`. Every `{{ ... }}` (except `{{@...}}` helpers, which are
/// left as they are) is replaced by the value at that path, `""` when absent or `null`, written
/// as `style` says. `missing` hears each path that names nothing in `data` (the caller warns of
/// it).
///
/// Linear in the template and the output: the next `}}` and the next `}` are found once and
/// reused by every `{{` before them (looking them up again for each `{{` made a template of
/// many unclosed tags quadratic). Fails with the length it would pass when the output would be
/// longer than `max_len` bytes (a short template can repeat a long value many times).
pub fn render_template(
    template: &str,
    data: &Map,
    style: TemplateStyle,
    max_len: usize,
    missing: &mut dyn FnMut(&str),
) -> Result<String, usize> {
    let mut out = String::with_capacity(template.len().min(max_len));
    let mut next_close = Next::new("}}");
    let mut next_brace = Next::new("}");
    let mut done = 0; // template[..done] is written (or replaced)
    let mut from = 0; // where to look for the next `{{`
    while let Some(start) = template.get(from..).and_then(|rest| rest.find("{{")).map(|i| from + i)
    {
        let inner = start + 2;
        let close = next_close.at_or_after(template, inner);
        let brace = next_brace.at_or_after(template, inner);
        let helper = template.get(inner..).is_some_and(|rest| rest.starts_with('@'));
        let Some(end) = close.filter(|&end| !helper && brace == Some(end)) else {
            from = inner;
            continue;
        };
        push_bounded(&mut out, template.get(done..start).unwrap_or(""), max_len)?;
        let path = template.get(inner..end).unwrap_or("").trim();
        match value_at(path, data) {
            Some(value) if !value.is_null() => {
                push_bounded(&mut out, &written(value, style), max_len)?
            }
            Some(_) => {}
            None => missing(path),
        }
        done = end + 2;
        from = done;
    }
    push_bounded(&mut out, template.get(done..).unwrap_or(""), max_len)?;
    if style == TemplateStyle::Text {
        return Ok(out);
    }
    let escaped = escape_html(&out);
    if escaped.len() > max_len {
        return Err(escaped.len());
    }
    Ok(escaped)
}

fn written(value: &Value, style: TemplateStyle) -> String {
    match (style, value) {
        (TemplateStyle::Text, Value::String(text)) => text.to_string(),
        (TemplateStyle::Text, other) => {
            crate::format::json_stringify(other).ok().flatten().unwrap_or_default()
        }
        (TemplateStyle::Html, other) => js_string(other),
    }
}

/// The next occurrence of a pattern at or after a position that only moves forward.
struct Next {
    pattern: &'static str,
    /// The last answer and the position it was found from.
    found: Option<(usize, Option<usize>)>,
}

impl Next {
    fn new(pattern: &'static str) -> Self {
        Next { pattern, found: None }
    }

    fn at_or_after(&mut self, text: &str, from: usize) -> Option<usize> {
        match self.found {
            // Still ahead of `from` (or nothing was found, which stays true further on).
            Some((searched_from, answer))
                if searched_from <= from && answer.is_none_or(|at| at >= from) =>
            {
                answer
            }
            _ => {
                let answer =
                    text.get(from..).and_then(|rest| rest.find(self.pattern)).map(|i| from + i);
                self.found = Some((from, answer));
                answer
            }
        }
    }
}

fn push_bounded(out: &mut String, piece: &str, max_len: usize) -> Result<(), usize> {
    let len = out.len().saturating_add(piece.len());
    if len > max_len {
        return Err(len);
    }
    out.push_str(piece);
    Ok(())
}

/// The value at a template's path in `data`: `user.name`, `items[0].id`,
/// `api_response.user_id` (an `email` attachment's `field` names its data the same way).
pub fn value_at<'a>(path: &str, data: &'a Map) -> Option<&'a Value> {
    let mut segments =
        path.split(['.', '[']).map(|s| s.trim_end_matches(']').trim().trim_matches(['"', '\'']));
    let mut current = data.get(segments.next()?)?;
    for segment in segments {
        if segment.is_empty() {
            return None;
        }
        current = match current {
            Value::Object(map) => map.get(segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

fn escape_html(text: &str) -> String {
    if !text.contains(['&', '<', '>']) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn data(v: Value) -> Map {
        v.as_object().cloned().unwrap_or_default()
    }

    fn render(template: &str, data: &Map) -> String {
        render_template(template, data, TemplateStyle::Html, usize::MAX, &mut |_| {}).unwrap()
    }

    #[test]
    fn text_templates_write_json_and_escape_nothing() {
        let d = data(json!({"user": {"name": "A<b>"}, "n": 3, "s": "x & y"}));
        let text = render_template(
            "{{user}} {{n}} {{s}} {{user.name}}",
            &d,
            TemplateStyle::Text,
            usize::MAX,
            &mut |_| {},
        );
        assert_eq!(text.as_deref(), Ok(r#"{"name":"A<b>"} 3 x & y A<b>"#));
    }

    #[test]
    fn a_path_that_names_nothing_is_heard_and_a_null_one_is_not() {
        let d = data(json!({"firstName": "John", "gone": null, "user": {"name": "A"}}));
        let mut missing = Vec::new();
        let out = render_template(
            "{{firstName}} {{lastName}} {{gone}} {{user.nmae}} {{user.name}}",
            &d,
            TemplateStyle::Html,
            usize::MAX,
            &mut |path| missing.push(path.to_owned()),
        );
        assert_eq!(out.as_deref(), Ok("John    A"));
        assert_eq!(missing, ["lastName", "user.nmae"]);
    }

    #[test]
    fn paths_missing_values_and_escaping() {
        let d = data(
            json!({"firstName": "John", "user": {"name": "Alice", "tags": ["a", "b"]}, "n": 3, "api_response": {"user_id": 123}}),
        );
        assert_eq!(render("{{firstName}} {{lastName}}", &d), "John ");
        assert_eq!(render("{{ user.name }} ({{user.tags[1]}})", &d), "Alice (b)");
        assert_eq!(render("{{api_response.user_id}}", &d), "123");
        assert_eq!(render("{{user.tags}}", &d), "a,b");
        assert_eq!(render("{{user}}", &d), "[object Object]");
        assert_eq!(render("Hello & goodbye <script>", &d), "Hello &amp; goodbye &lt;script&gt;");
        assert_eq!(render("{{@each}} {{ unclosed", &d), "{{@each}} {{ unclosed");
        assert_eq!(render("{{@a {{n}} }}", &d), "{{@a 3 }}");
        assert_eq!(render("{{ a } {{n}}", &d), "{{ a } 3");
        assert_eq!(render("{{{{n}}", &d), "");
        assert_eq!(render("x}}{{n}}{{", &d), "x}}3{{");
    }

    #[test]
    fn output_is_bounded_before_it_is_built() {
        let d = data(json!({"big": "x".repeat(1000)}));
        let template = "{{big}}".repeat(1000);
        let html = TemplateStyle::Html;
        assert_eq!(render_template(&template, &d, html, 10_000, &mut |_| {}), Err(11_000));
        assert!(render_template(&template, &d, html, 1_000_000, &mut |_| {}).is_ok());
    }

    #[test]
    fn many_unclosed_tags_render_in_linear_time() {
        // Quadratic work would be 10^11 character comparisons here: minutes, not milliseconds.
        let d = data(json!({"n": 3}));
        let template = format!("{}{{{{n}}}}", "{{@".repeat(150_000));
        let out = render(&template, &d);
        assert!(out.ends_with("{{@3"), "{}", &out[out.len() - 10..]);
        let template = format!("{}}}}}", "{{".repeat(150_000));
        assert_eq!(render(&template, &d), "");
    }
}
