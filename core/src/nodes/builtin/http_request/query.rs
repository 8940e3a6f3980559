//! Query strings as `URLSearchParams` writes them.

use crate::value::Map;

use crate::format::js_string;

/// `url` with `params` appended (`?` or `&`), form-encoded.
pub(super) fn append_query(url: &str, params: &Map) -> String {
    if params.is_empty() {
        return url.to_owned();
    }
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let query = params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(&js_string(v))))
        .collect::<Vec<_>>()
        .join("&");
    let separator = if base.contains('?') {
        if base.ends_with('?') || base.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    let mut out = format!("{base}{separator}{query}");
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// application/x-www-form-urlencoded: space as `+`, unreserved kept, the rest percent-encoded.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn appends_encoded_params() {
        let params = json!({"q": "a b&c", "n": 2}).as_object().cloned().unwrap_or_default();
        assert_eq!(append_query("https://x.test/p", &params), "https://x.test/p?q=a+b%26c&n=2");
        assert_eq!(
            append_query("https://x.test/p?a=1#frag", &params),
            "https://x.test/p?a=1&q=a+b%26c&n=2#frag"
        );
    }
}
