//! Credentials as a host effect. A node names a credential (`credential: "warehouse"`) and asks
//! the host for its fields only when it connects; the engine never writes them anywhere (a
//! node's parameters, output, errors and trace hold the name, never a field). Where they are
//! kept, and how they are encrypted there, is the host's business (`atomiton-credentials`).

use crate::error::Result;
use crate::host::{BoxFuture, MaybeSend, MaybeSync};
use crate::value::{Map, Value};

/// A credential's type (`postgres`, `mysql`, `sqlite`, `openai`, `smtp`, ...) and its fields.
#[derive(Clone, PartialEq)]
pub struct Credential {
    /// Its type: which node types can use it, and which fields they read.
    pub kind: String,
    /// Its fields (`host`, `user`, `password`, `url`, `apiKey`, ...), secrets among them.
    pub fields: Map,
}

impl Credential {
    /// The text of field `name`; numbers as their decimal text (a port given as `5432`).
    pub fn text(&self, name: &str) -> Option<String> {
        match self.fields.get(name)? {
            Value::String(text) => Some(text.to_string()),
            Value::Number(number) => Some(crate::value::js_number(number.get())),
            Value::Bool(flag) => Some(flag.to_string()),
            _ => None,
        }
    }

    /// The texts that would give a secret away if they appeared in a message: what a node
    /// removes from a driver's error before reporting it (see [`redact`]). The fields whose
    /// names say they are secret (`password`, `apiKey`, `token`, `secret`, ...), the ones that
    /// can hold one (`url`, `dsn`, `connectionString`), and the password inside such a URL.
    /// Other fields (a host, a database's name) stay: an error naming them helps.
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets = Vec::new();
        for (name, value) in self.fields.iter() {
            let Some(text) = value.as_str().filter(|text| !text.is_empty()) else { continue };
            let name = name.to_ascii_lowercase();
            let secret = ["pass", "pwd", "secret", "token", "key", "auth", "cred", "private"]
                .iter()
                .any(|part| name.contains(part));
            let holds = ["url", "uri", "dsn", "connection"].iter().any(|part| name.contains(part));
            if secret || holds {
                secrets.push(text.to_owned());
            }
            if holds {
                secrets.extend(url_password(text));
            }
        }
        secrets
    }
}

/// The password of a `scheme://user:password@host...` URL, if it has one.
fn url_password(url: &str) -> Option<String> {
    let authority = url.split_once("://")?.1.split(['/', '?', '#']).next()?;
    let userinfo = authority.rsplit_once('@')?.0;
    let password = userinfo.split_once(':')?.1;
    (!password.is_empty()).then(|| password.to_owned())
}

/// Field names only: a credential printed in a log or a panic message gives no value away.
impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.fields.keys().map(|k| &**k).collect();
        f.debug_struct("Credential").field("kind", &self.kind).field("fields", &names).finish()
    }
}

/// `message` with every secret of `credential` replaced by `***`: a driver's error can quote a
/// connection string or a password back.
pub fn redact(message: &str, credential: &Credential) -> String {
    let mut text = message.to_owned();
    for secret in credential.secrets() {
        if text.contains(&secret) {
            text = text.replace(&secret, "***");
        }
    }
    text
}

/// Hands out credentials by name. `Ok(None)`: no credential has that name. An error is the
/// credentials being unreadable (`CREDENTIALS_LOCKED`: no key, or the wrong one) or a run not
/// granted the name (`PERMISSION_DENIED`).
pub trait CredentialSource: MaybeSend + MaybeSync {
    fn credential(&self, name: &str) -> BoxFuture<'static, Result<Option<Credential>>>;
}

#[cfg(test)]
mod tests {
    use super::{redact, Credential};
    use crate::value::{Map, Str, Value};

    #[test]
    fn secrets_are_redacted_and_the_rest_kept() {
        let mut fields = Map::new();
        for (name, value) in [
            ("host", "db.internal"),
            ("database", "sales"),
            ("password", "hunter2-long"),
            ("url", "postgres://app:pw-in-url@db.internal/sales"),
            ("apiKey", "sk-123456"),
        ] {
            fields.insert(Str::from(name), Value::String(value.into()));
        }
        let credential = Credential { kind: "postgres".into(), fields };
        let message = "connecting to db.internal/sales as app with hunter2-long (pw-in-url, sk-123456) failed: postgres://app:pw-in-url@db.internal/sales";
        let shown = redact(message, &credential);
        assert_eq!(shown, "connecting to db.internal/sales as app with *** (***, ***) failed: ***");
    }
}
