//! A `webhook` node's parameters, read and checked: where it listens, who may call it, what the
//! caller gets back and how much it may send.

use atomiton_core::options::read::{invalid as invalid_field, Fields};
use atomiton_core::{ExecutionError, Result, Value};

/// The parameters a `webhook` node has.
pub const PARAMETERS: &[&str] = &[
    "path",
    "methods",
    "auth",
    "secretEnv",
    "header",
    "timestampHeader",
    "tolerance",
    "respond",
    "responseNode",
    "responseTimeout",
    "maxBytes",
    "runsPerMinute",
    "concurrentRuns",
];

const WHAT: &str = "webhook trigger";

/// The methods a hook may accept.
pub const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Bytes a body may have unless the hook says: 1 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 1024 * 1024;
/// Bytes a hook may allow at most: 64 MiB, the protocol server's own default limit.
pub const MAX_BYTES_LIMIT: u64 = 64 * 1024 * 1024;
/// How far a signed delivery's timestamp may be from now unless the hook says: 5 minutes.
pub const DEFAULT_TOLERANCE_S: u64 = 300;
/// How long a caller waits for the run's result unless the hook says: 30 s.
pub const DEFAULT_RESPONSE_TIMEOUT_MS: u64 = 30_000;
/// The header a `header` hook reads its secret from unless it names one.
pub const DEFAULT_SECRET_HEADER: &str = "x-webhook-secret";
/// The headers an `hmac` hook reads its signature and timestamp from unless it names them.
pub const DEFAULT_SIGNATURE_HEADER: &str = "x-signature";
pub const DEFAULT_TIMESTAMP_HEADER: &str = "x-signature-timestamp";

/// Who may call a hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookAuth {
    /// Anyone who knows the URL (said explicitly: there is no default).
    None,
    /// A shared secret in a header, compared in constant time.
    Header { header: String, secret_env: String },
    /// HMAC-SHA256 of `<timestamp>.<body>` in a header, the timestamp within a tolerance, each
    /// signature accepted once.
    Hmac { header: String, timestamp_header: String, secret_env: String, tolerance_s: u64 },
    /// The protocol server's own authentication: a bearer token or API key whose grant may run
    /// flows.
    Server,
}

/// What the caller gets back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookResponse {
    /// `202` at once, with the run's execution id.
    Accepted,
    /// The run's result when it ends (`202` with the id if it takes longer than the timeout).
    Result { timeout_ms: u64 },
    /// The output of a node of the flow when the run ends.
    Node { node: String, timeout_ms: u64 },
}

/// A `webhook` node's parameters, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSpec {
    /// Its path under `/hooks/`, without leading or trailing `/`.
    pub path: String,
    /// Upper case; `POST` unless the node says.
    pub methods: Vec<String>,
    pub auth: HookAuth,
    pub response: HookResponse,
    pub max_bytes: u64,
    pub runs_per_minute: Option<u32>,
    pub concurrent_runs: Option<u32>,
}

impl WebhookSpec {
    /// Reads a `webhook` node's parameters (its own: the engine's, such as `timeout`, are not
    /// given).
    pub fn read(parameters: &Value) -> Result<WebhookSpec> {
        let fields = Fields::of(Some(parameters), WHAT, PARAMETERS)?;
        let path = normal_path(&fields.text("path")?.ok_or_else(|| {
            invalid("'path' is required: where it listens, under /hooks/ (e.g. \"github/push\")")
        })?)?;
        let methods = methods(fields.get("methods"))?;
        let auth = auth(&fields)?;
        let response = response(&fields)?;
        let max_bytes = match fields.whole::<u64>("maxBytes")? {
            None => DEFAULT_MAX_BYTES,
            Some(0) => return Err(invalid("'maxBytes' must be at least 1")),
            Some(bytes) if bytes > MAX_BYTES_LIMIT => {
                return Err(invalid(&format!(
                    "'maxBytes' may be at most {MAX_BYTES_LIMIT} (64 MiB)"
                )))
            }
            Some(bytes) => bytes,
        };
        let runs_per_minute = positive(&fields, "runsPerMinute")?;
        let concurrent_runs = positive(&fields, "concurrentRuns")?;
        Ok(WebhookSpec {
            path,
            methods,
            auth,
            response,
            max_bytes,
            runs_per_minute,
            concurrent_runs,
        })
    }
}

/// `path` without its outer slashes, checked: segments of letters, digits and `-._~`, none
/// empty, `.` or `..`, at most 200 characters (it is matched as written, case included).
pub fn normal_path(path: &str) -> Result<String> {
    let trimmed = path.trim_matches('/');
    let valid_segment = |segment: &str| {
        !segment.is_empty()
            && segment != "."
            && segment != ".."
            && segment.chars().all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
    };
    if trimmed.is_empty() || trimmed.len() > 200 || !trimmed.split('/').all(valid_segment) {
        return Err(invalid(&format!(
            "'path' must be segments of letters, digits and -._~ joined by '/' (at most 200 characters), not {path:?}"
        )));
    }
    Ok(trimmed.to_owned())
}

fn methods(value: Option<&Value>) -> Result<Vec<String>> {
    let Some(value) = value else { return Ok(vec!["POST".to_owned()]) };
    let wrong = || invalid(&format!("'methods' must be a list of {}", METHODS.join(", ")));
    let list = match value {
        Value::String(one) => vec![Value::String(one.clone())],
        Value::Array(list) if !list.is_empty() => list.clone(),
        _ => return Err(wrong()),
    };
    let mut methods = Vec::new();
    for method in &list {
        let upper = method.as_str().ok_or_else(wrong)?.to_ascii_uppercase();
        if !METHODS.contains(&upper.as_str()) {
            return Err(wrong());
        }
        if !methods.contains(&upper) {
            methods.push(upper);
        }
    }
    Ok(methods)
}

fn auth(fields: &Fields<'_>) -> Result<HookAuth> {
    let secret_env = || {
        let name = fields.text("secretEnv")?.ok_or_else(|| {
            invalid("'secretEnv' is required: the environment variable that holds the secret on the serving process")
        })?;
        let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(invalid(
                "'secretEnv' must be an environment variable's name (letters, digits, _)",
            ));
        }
        Ok(name)
    };
    let header = |default: &str| -> Result<String> {
        let name = fields.text("header")?.unwrap_or_else(|| default.to_owned());
        header_name(&name, "header")
    };
    let auth = match fields.text("auth")?.as_deref() {
        Some("none") => HookAuth::None,
        Some("header") => {
            HookAuth::Header { header: header(DEFAULT_SECRET_HEADER)?, secret_env: secret_env()? }
        }
        Some("hmac") => {
            let timestamp = fields.text("timestampHeader")?;
            HookAuth::Hmac {
                header: header(DEFAULT_SIGNATURE_HEADER)?,
                timestamp_header: header_name(
                    timestamp.as_deref().unwrap_or(DEFAULT_TIMESTAMP_HEADER),
                    "timestampHeader",
                )?,
                secret_env: secret_env()?,
                tolerance_s: match fields.whole::<u64>("tolerance")? {
                    None => DEFAULT_TOLERANCE_S,
                    Some(seconds) if (1..=86_400).contains(&seconds) => seconds,
                    Some(_) => return Err(invalid("'tolerance' must be 1 to 86400 seconds")),
                },
            }
        }
        Some("server") => HookAuth::Server,
        None => {
            return Err(invalid(
                "'auth' is required: \"none\" (anyone with the URL), \"header\" (a shared secret), \"hmac\" (a signed body) or \"server\" (the server's own login)",
            ))
        }
        Some(other) => {
            return Err(invalid(&format!(
                "'auth' must be \"none\", \"header\", \"hmac\" or \"server\", not {other:?}"
            )))
        }
    };
    let uses_secret = matches!(auth, HookAuth::Header { .. } | HookAuth::Hmac { .. });
    if !uses_secret && fields.get("secretEnv").is_some() {
        return Err(invalid("'secretEnv' is for auth \"header\" and \"hmac\""));
    }
    if !matches!(auth, HookAuth::Hmac { .. })
        && (fields.get("timestampHeader").is_some() || fields.get("tolerance").is_some())
    {
        return Err(invalid("'timestampHeader' and 'tolerance' are for auth \"hmac\""));
    }
    Ok(auth)
}

fn header_name(name: &str, field: &str) -> Result<String> {
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
    if !valid {
        return Err(invalid(&format!("'{field}' must be an HTTP header name, not {name:?}")));
    }
    // Node gives header names in lower case.
    Ok(name.to_ascii_lowercase())
}

fn response(fields: &Fields<'_>) -> Result<HookResponse> {
    let timeout_ms = match fields.whole::<u64>("responseTimeout")? {
        None => DEFAULT_RESPONSE_TIMEOUT_MS,
        Some(ms) if (1..=600_000).contains(&ms) => ms,
        Some(_) => return Err(invalid("'responseTimeout' must be 1 to 600000 ms")),
    };
    let node = fields.text("responseNode")?;
    let response = match fields.text("respond")?.as_deref() {
        None | Some("accepted") => HookResponse::Accepted,
        Some("result") => HookResponse::Result { timeout_ms },
        Some("node") => HookResponse::Node {
            node: node.clone().ok_or_else(|| {
                invalid("'responseNode' is required with respond \"node\": the node whose output answers")
            })?,
            timeout_ms,
        },
        Some(other) => {
            return Err(invalid(&format!(
                "'respond' must be \"accepted\", \"result\" or \"node\", not {other:?}"
            )))
        }
    };
    if node.is_some() && !matches!(response, HookResponse::Node { .. }) {
        return Err(invalid("'responseNode' is for respond \"node\""));
    }
    if response == HookResponse::Accepted && fields.get("responseTimeout").is_some() {
        return Err(invalid("'responseTimeout' is for respond \"result\" and \"node\""));
    }
    Ok(response)
}

fn positive(fields: &Fields<'_>, name: &str) -> Result<Option<u32>> {
    match fields.whole::<u32>(name)? {
        Some(0) => Err(invalid(&format!("'{name}' must be at least 1"))),
        other => Ok(other),
    }
}

fn invalid(message: &str) -> ExecutionError {
    invalid_field(WHAT, message.to_owned())
}
