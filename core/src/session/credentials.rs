//! `credentials.*`: the credentials nodes name, as a session offers them. The session reads each
//! call's argument and hands it to its vault (`atomiton-credentials` keeps them encrypted in the
//! conductor's storage; the native addon's sessions have one); a session without one (the
//! WebAssembly engine's) refuses every call, saying where credentials are kept. No answer ever holds a field's value: `list` gives names and types.

use std::sync::Arc;

use serde::Serialize;

use super::storage::guarded_future;
use super::Session;
use crate::error::{ErrorCode, ExecutionError, Result};
use crate::host::effects::{Credential, CredentialSource};
use crate::host::BoxFuture;
use crate::options::read::Fields;
use crate::value::{Map, Value};

crate::named_calls! {
    /// A `credentials.*` call.
    CredentialsCall {
        /// Sets a credential, replacing one of the same name (JSON `{name, credential: {type,
        /// ...fields}}`); runs started afterwards use the new fields.
        Set = "set" -> (),
        /// Every credential's name and type, never a field: `{credentials: [{name, type}]}`.
        List = "list" -> CredentialList,
        /// Deletes a credential (the argument is its name): whether there was one.
        Delete = "delete" -> bool,
    }
}

/// One credential as `credentials.list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "CredentialInfo"))]
pub struct CredentialInfo {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// `credentials.list`'s answer, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "CredentialList"))]
pub struct CredentialList {
    pub credentials: Vec<CredentialInfo>,
}

/// Where a session's credentials are kept: what [`CredentialsCall`]s change, and what the host
/// reads a node's credential from.
pub trait CredentialVault: CredentialSource {
    fn set(&self, name: String, credential: Credential) -> BoxFuture<'static, Result<()>>;
    fn list(&self) -> BoxFuture<'static, Result<CredentialList>>;
    fn delete(&self, name: String) -> BoxFuture<'static, Result<bool>>;
}

impl Session {
    /// Gives this session its credentials (see [`CredentialVault`]); the host its runs use must
    /// read from the same vault.
    pub fn with_credentials(mut self, vault: Arc<dyn CredentialVault>) -> Self {
        self.credentials = Some(vault);
        self
    }

    /// One `credentials.*` call by name (see [`CredentialsCall`]): `arg` is JSON for `set`, a
    /// name for `delete`.
    pub fn credentials(&self, op: &str, arg: String) -> BoxFuture<'static, String> {
        let call = match CredentialsCall::parse_or_refuse(op, "credentials") {
            Ok(call) => call,
            Err(error) => return guarded_future(async move { Err::<(), _>(error) }),
        };
        let Some(vault) = self.credentials.clone() else {
            return guarded_future(async move { Err::<(), _>(unavailable()) });
        };
        match call {
            CredentialsCall::Set => guarded_future(async move {
                let (name, credential) = read_set(&arg)?;
                vault.set(name, credential).await
            }),
            CredentialsCall::List => guarded_future(vault.list()),
            CredentialsCall::Delete => guarded_future(async move {
                crate::storage::validate_name("credential name", &arg)?;
                vault.delete(arg).await
            }),
        }
    }
}

/// `credentials.set`'s argument: the name and the credential. Messages name fields, never
/// quote a value.
fn read_set(arg: &str) -> Result<(String, Credential)> {
    let value: Value = serde_json::from_str(arg)
        .map_err(|_| ExecutionError::validation("Invalid credentials.set call: not JSON"))?;
    let fields = Fields::of(Some(&value), "credentials.set", &["name", "credential"])?;
    let name = fields.text("name")?.ok_or_else(|| needs("name"))?;
    crate::storage::validate_name("credential name", &name)?;
    let Some(Value::Object(given)) = fields.get("credential") else {
        return Err(needs("credential (an object with a type and its fields)"));
    };
    let mut kind = None;
    let mut kept = Map::new();
    for (field, value) in given.iter() {
        match (&**field, value) {
            ("type", Value::String(text)) if !text.is_empty() => kind = Some(text.to_string()),
            ("type", _) => return Err(needs("credential.type (a non-empty string)")),
            (_, Value::String(_) | Value::Number(_) | Value::Bool(_)) => {
                kept.insert(field.clone(), value.clone());
            }
            (_, _) => {
                return Err(ExecutionError::validation(format!(
                    "Invalid credentials.set call: credential.{field} must be a string, a number or a boolean"
                )))
            }
        }
    }
    let kind = kind.ok_or_else(|| needs("credential.type"))?;
    Ok((name, Credential { kind, fields: kept }))
}

fn needs(field: &str) -> ExecutionError {
    ExecutionError::validation(format!("Invalid credentials.set call: '{field}' is required"))
}

fn unavailable() -> ExecutionError {
    ExecutionError::new(ErrorCode::IMPLEMENTATION_NOT_FOUND, crate::error::messages::NO_CREDENTIALS)
}

#[cfg(test)]
mod tests {
    use super::read_set;

    #[test]
    fn set_reads_the_name_the_type_and_scalar_fields() {
        let (name, credential) = read_set(
            r#"{"name":"warehouse","credential":{"type":"postgres","host":"db","port":5432,"password":"s3cret","tls":true}}"#,
        )
        .unwrap();
        assert_eq!(name, "warehouse");
        assert_eq!(credential.kind, "postgres");
        assert_eq!(credential.text("port").as_deref(), Some("5432"));
        assert_eq!(credential.text("password").as_deref(), Some("s3cret"));
        // Printed, a credential shows its field names and never a value.
        let printed = format!("{credential:?}");
        assert!(printed.contains("password") && !printed.contains("s3cret"), "{printed}");
    }

    #[test]
    fn a_refused_set_never_quotes_a_value() {
        for arg in [
            r#"{"name":"../x","credential":{"type":"postgres","password":"s3cret"}}"#,
            r#"{"name":"w","credential":{"password":"s3cret"}}"#,
            r#"{"name":"w","credential":{"type":"postgres","password":{"nested":"s3cret"}}}"#,
            r#"{"name":"w","credential":{"type":"postgres","password":"s3cret"},"extra":1}"#,
            r#"{"name":"w","credential":{"type":"postgres","password":"s3cret""#,
        ] {
            let error = read_set(arg).unwrap_err();
            assert!(!error.message.contains("s3cret"), "{}", error.message);
        }
    }
}
