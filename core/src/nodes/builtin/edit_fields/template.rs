//! `{{ path }}` templates of `edit-fields`: values from the input (and `$now`),
//! missing values as empty strings, output HTML-escaped.

use crate::value::{Map, Value};

use crate::format::js_string;

/// Renders `template` against `data`. Every `{{ ... }}` (except `{{@...}}` helpers, which are
/// left as they are) is replaced by the value at that path, `""` when absent or `null`; the
/// whole result is then HTML-escaped (`&`, `<`, `>`) as the original's output was.
pub(super) fn render(template: &str, data: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}").filter(|&end| !after.starts_with('@') && !after[..end].contains('}')) else {
            out.push_str(&rest[..start + 2]);
            rest = after;
            continue;
        };
        out.push_str(&rest[..start]);
        if let Some(value) = resolve(after[..end].trim(), data).filter(|v| !v.is_null()) {
            out.push_str(&js_string(value));
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    escape_html(&out)
}

/// `user.name`, `items[0].id`, `api_response.user_id`.
fn resolve<'a>(path: &str, data: &'a Map<String, Value>) -> Option<&'a Value> {
    let mut segments = path.split(['.', '[']).map(|s| s.trim_end_matches(']').trim().trim_matches(['"', '\'']));
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

    fn data(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn paths_missing_values_and_escaping() {
        let d = data(json!({"firstName": "John", "user": {"name": "Alice", "tags": ["a", "b"]}, "n": 3, "api_response": {"user_id": 123}}));
        assert_eq!(render("{{firstName}} {{lastName}}", &d), "John ");
        assert_eq!(render("{{ user.name }} ({{user.tags[1]}})", &d), "Alice (b)");
        assert_eq!(render("{{api_response.user_id}}", &d), "123");
        assert_eq!(render("{{user.tags}}", &d), "a,b");
        assert_eq!(render("{{user}}", &d), "[object Object]");
        assert_eq!(render("Hello & goodbye <script>", &d), "Hello &amp; goodbye &lt;script&gt;");
        assert_eq!(render("{{@each}} {{ unclosed", &d), "{{@each}} {{ unclosed");
    }
}
