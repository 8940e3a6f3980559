//! Turning an [`HttpRequest`] into a reqwest request, with clear errors for bad input.

use atomiton_core::host::effects::{EffectError, EffectErrorKind, EffectResult, HttpRequest};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};

/// A request whose method, URL and headers are known to be valid.
pub(super) struct Prepared {
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Option<reqwest::Body>,
}

impl Prepared {
    /// `request`'s method, URL and headers, checked, with `body` (taken out of the request).
    pub(super) fn from_request(
        request: &HttpRequest,
        body: Option<Vec<u8>>,
    ) -> EffectResult<Prepared> {
        let url = parse_url(&request.url)?;
        let method = parse_method(&request.method)?;
        let mut headers = HeaderMap::with_capacity(request.headers.len());
        for (name, value) in &request.headers {
            let (name, value) = parse_header(name, value)?;
            // `append`, not `insert`: repeated names are all sent, in order.
            headers.append(name, value);
        }
        Ok(Prepared { method, url, headers, body: body.map(reqwest::Body::from) })
    }

    /// Sends `body` in place of the one the request had.
    pub(super) fn set_body(&mut self, body: reqwest::Body) {
        self.body = Some(body);
    }

    /// `scheme://host[:port]`, for messages (never the path, query or credentials).
    pub(super) fn origin(&self) -> String {
        self.url.origin().ascii_serialization()
    }

    pub(super) fn into_request(self) -> reqwest::Request {
        let mut request = reqwest::Request::new(self.method, self.url);
        *request.headers_mut() = self.headers;
        if let Some(body) = self.body {
            *request.body_mut() = Some(body);
        }
        request
    }
}

fn other(message: String) -> EffectError {
    EffectError::new(EffectErrorKind::Other, message)
}

/// `text` as an `http(s)` URL, with the message every request reports for a bad one.
pub(crate) fn parse_url(text: &str) -> EffectResult<Url> {
    let url = Url::parse(text.trim()).map_err(|e| other(format!("Invalid URL: {text} ({e})")))?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        scheme => Err(other(format!("Invalid URL: {text} (unsupported scheme \"{scheme}\"; only http and https are supported)"))),
    }
}

/// Methods fetch refuses: they tunnel or reflect rather than request.
const FORBIDDEN_METHODS: [&str; 3] = ["CONNECT", "TRACE", "TRACK"];
/// Methods recognised in any case and sent upper-cased (fetch normalises these; PATCH is added
/// because a lower-case `patch` is never what a flow author means).
const NORMALISED_METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];

fn parse_method(text: &str) -> EffectResult<Method> {
    let trimmed = text.trim();
    let upper = trimmed.to_ascii_uppercase();
    if FORBIDDEN_METHODS.contains(&upper.as_str()) {
        return Err(other(format!("HTTP method not allowed: {trimmed}")));
    }
    let name = if NORMALISED_METHODS.contains(&upper.as_str()) { upper.as_str() } else { trimmed };
    Method::from_bytes(name.as_bytes())
        .map_err(|_| other(format!("Invalid HTTP method: \"{text}\"")))
}

fn parse_header(name: &str, value: &str) -> EffectResult<(HeaderName, HeaderValue)> {
    let header_name = HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| other(format!("Invalid HTTP header name: \"{name}\"")))?;
    // fetch strips surrounding whitespace from values; control characters (CR, LF, NUL) are
    // refused, which is what stops header injection.
    let header_value = HeaderValue::from_bytes(
        value.trim_matches([' ', '\t', '\r', '\n']).as_bytes(),
    )
    .map_err(|_| {
        other(format!(
            "Invalid value for HTTP header \"{name}\": control characters are not allowed"
        ))
    })?;
    Ok((header_name, header_value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_normalised_and_checked() {
        assert_eq!(parse_method("get").ok(), Some(Method::GET));
        assert_eq!(parse_method(" patch ").ok(), Some(Method::PATCH));
        assert_eq!(
            parse_method("PROPFIND").ok().map(|m| m.to_string()),
            Some("PROPFIND".to_owned())
        );
        assert!(parse_method("connect").is_err());
        assert!(parse_method("").is_err());
        assert!(parse_method("BAD METHOD").is_err());
    }

    #[test]
    fn urls_must_be_http() {
        assert!(parse_url("http://example.com/x?y=1").is_ok());
        assert!(parse_url("https://example.com").is_ok());
        let error = parse_url("not a url").err().map(|e| e.message).unwrap_or_default();
        assert!(error.starts_with("Invalid URL: not a url"), "{error}");
        assert!(parse_url("file:///etc/passwd").is_err());
    }

    #[test]
    fn header_injection_is_refused() {
        assert!(parse_header("X-Ok", "fine").is_ok());
        assert!(parse_header("X-Bad", "a\r\nInjected: yes").is_err());
        assert!(parse_header("Bad Name", "x").is_err());
        assert!(parse_header("", "x").is_err());
    }
}
