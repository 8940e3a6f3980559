//! reqwest errors as effect errors.
//!
//! Messages name the request by its origin only (`scheme://host:port`): the full URL may carry
//! credentials or tokens in its query, and messages end up in results, logs and UIs.

use atomiton_core::host::effects::{EffectError, EffectErrorKind};

/// A failure sending the request or receiving the response head.
pub(super) fn request_error(error: reqwest::Error, origin: &str) -> EffectError {
    let kind = if error.is_timeout() {
        EffectErrorKind::TimedOut
    } else if error.is_builder() || error.is_redirect() {
        // A request reqwest would not build, or a redirect loop / limit: retrying cannot help.
        EffectErrorKind::Other
    } else {
        // Connect (refused, DNS, TLS), resets, and the connection closing early.
        EffectErrorKind::Network
    };
    let error = error.without_url();
    EffectError::new(kind, format!("HTTP request to {origin} failed: {}", chain(&error)))
}

/// A failure while the body streams in.
pub(super) fn body_error(error: reqwest::Error, origin: &str) -> EffectError {
    let kind =
        if error.is_timeout() { EffectErrorKind::TimedOut } else { EffectErrorKind::Network };
    let error = error.without_url();
    EffectError::new(kind, format!("Reading the response from {origin} failed: {}", chain(&error)))
}

/// What raises the bound, said with every response over it.
const RAISE_IT: &str = "the node's maxResponseBytes raises it";

/// The response is larger than the request allows.
pub(super) fn too_large(origin: &str, max_bytes: u64, declared: Option<u64>) -> EffectError {
    let message = match declared {
        Some(length) => {
            format!("Response from {origin} is too large: Content-Length {length} bytes exceeds the limit of {max_bytes} bytes ({RAISE_IT})")
        }
        None => {
            format!("Response from {origin} is too large: more than the limit of {max_bytes} bytes ({RAISE_IT})")
        }
    };
    EffectError::new(EffectErrorKind::TooLarge, message)
}

/// `error` and its causes, joined: reqwest's own message is generic ("error sending request")
/// and the useful part ("Connection refused") is in the sources.
pub(super) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(error);
    while let Some(error) = current {
        let text = error.to_string();
        // Wrappers often repeat their source's text; keep each distinct part once.
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = error.source();
    }
    parts.join(": ")
}
