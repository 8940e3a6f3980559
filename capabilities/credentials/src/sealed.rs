//! One credential as it is kept: its type in clear (what `list` shows), its fields sealed with
//! XChaCha20-Poly1305 under a random nonce, the credential's name and type bound in as
//! associated data, so a sealed record copied under another name or type does not open.

use atomiton_core::error::{ErrorCode, ExecutionError, Result};
use atomiton_core::host::effects::Credential;
use atomiton_core::value::Value;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::key::Key;

/// The record's layout version.
const VERSION: u64 = 1;

/// The record text kept under a credential's storage key.
pub fn seal(key: &Key, name: &str, credential: &Credential) -> Result<String> {
    let fields = serde_json::to_string(&Value::Object(credential.fields.clone()))
        .map_err(|e| ExecutionError::internal(format!("A credential's fields as JSON: {e}")))?;
    let mut nonce = [0u8; 24];
    getrandom::getrandom(&mut nonce)
        .map_err(|e| ExecutionError::internal(format!("No randomness for a nonce: {e}")))?;
    let aad = associated(name, &credential.kind);
    let sealed = cipher(key)
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: fields.as_bytes(), aad: &aad })
        .map_err(|_| ExecutionError::internal("Sealing a credential failed"))?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let record = serde_json::json!({
        "v": VERSION,
        "type": credential.kind,
        "nonce": b64.encode(nonce),
        "sealed": b64.encode(sealed),
    });
    Ok(record.to_string())
}

/// The type a record says, without opening it (`None`: not a record of ours).
pub fn kind_of(text: &str) -> Option<String> {
    let record: serde_json::Value = serde_json::from_str(text).ok()?;
    record.get("type")?.as_str().map(str::to_owned)
}

/// The credential `name`'s record opened with `key`. A record that does not open (another key,
/// another name, a changed byte) is `CREDENTIALS_LOCKED`.
pub fn open(key: &Key, name: &str, text: &str) -> Result<Credential> {
    let damaged = || {
        ExecutionError::new(
            ErrorCode::CREDENTIALS_LOCKED,
            format!("The credential '{name}' is not readable: its record is damaged"),
        )
    };
    let record: serde_json::Value = serde_json::from_str(text).map_err(|_| damaged())?;
    if record.get("v").and_then(serde_json::Value::as_u64) != Some(VERSION) {
        return Err(damaged());
    }
    let field = |name: &str| record.get(name).and_then(serde_json::Value::as_str);
    let kind = field("type").ok_or_else(damaged)?.to_owned();
    let b64 = base64::engine::general_purpose::STANDARD;
    let nonce = b64.decode(field("nonce").ok_or_else(damaged)?).map_err(|_| damaged())?;
    let sealed = b64.decode(field("sealed").ok_or_else(damaged)?).map_err(|_| damaged())?;
    if nonce.len() != 24 {
        return Err(damaged());
    }
    let aad = associated(name, &kind);
    let fields = cipher(key)
        .decrypt(XNonce::from_slice(&nonce), Payload { msg: &sealed, aad: &aad })
        .map_err(|_| {
            ExecutionError::new(
                ErrorCode::CREDENTIALS_LOCKED,
                format!("The credential '{name}' does not open with this process's key: it was set with another key (ATOMITON_CREDENTIALS_KEY or the key file must be the one it was set with)"),
            )
        })?;
    let fields: Value = serde_json::from_slice(&fields).map_err(|_| damaged())?;
    let Value::Object(fields) = fields else { return Err(damaged()) };
    Ok(Credential { kind, fields })
}

fn cipher(key: &Key) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new((&key.0).into())
}

fn associated(name: &str, kind: &str) -> Vec<u8> {
    format!("atomiton-credential\0{name}\0{kind}").into_bytes()
}
