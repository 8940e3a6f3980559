//! Where the model is, from the credential the node names (type `openai`): the server's base
//! URL (OpenAI's by default, or any compatible server's: a local llama.cpp, a gateway), its API
//! key (a local server may need none) and the model, which the node's `model` overrides.
//! `schemaFormat` says how the server takes a JSON schema: `json_schema` (OpenAI's
//! `response_format`, the default) or `json_object` (`{type: "json_object", schema}`, the form
//! llama-cpp-python's server takes).

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::host::effects::{redact, Credential};

use crate::request::Request;
use crate::TYPE;

/// The credential type the node takes.
pub const KIND: &str = "openai";
/// The base URL when the credential names none.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// How a server takes the schema a JSON answer is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaFormat {
    /// `{type: "json_schema", json_schema: {name, schema, strict}}` (OpenAI).
    JsonSchema,
    /// `{type: "json_object", schema}` (llama-cpp-python).
    JsonObject,
}

/// One model server, as the credential and the node say.
pub struct Endpoint {
    /// `{baseUrl}/chat/completions`.
    pub url: String,
    pub model: String,
    pub api_key: Option<String>,
    /// How the server takes a JSON schema.
    pub schema_format: SchemaFormat,
    /// Kept to strip its secrets from any error a server or the client writes.
    credential: Credential,
}

impl Endpoint {
    pub fn of(request: &Request, credential: Credential) -> Result<Endpoint, ExecutionError> {
        if credential.kind != KIND {
            return Err(ExecutionError::new(
                ErrorCode::INVALID_PARAMETERS,
                format!(
                    "[{TYPE}] The credential '{}' is of type '{}': an llm node takes openai (apiKey, baseUrl, model)",
                    request.credential, credential.kind
                ),
            ));
        }
        let base = credential.text("baseUrl").unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        let base = base.trim_end_matches('/');
        let model = request.model.clone().or_else(|| credential.text("model")).ok_or_else(|| {
            ExecutionError::new(
                ErrorCode::INVALID_PARAMETERS,
                format!(
                    "[{TYPE}] No model: give the node a 'model', or the credential '{}' a model field",
                    request.credential
                ),
            )
        })?;
        let api_key = credential.text("apiKey").filter(|key| !key.is_empty());
        let schema_format = match credential.text("schemaFormat").as_deref() {
            None | Some("json_schema") => SchemaFormat::JsonSchema,
            Some("json_object") => SchemaFormat::JsonObject,
            Some(other) => {
                return Err(ExecutionError::new(
                    ErrorCode::INVALID_PARAMETERS,
                    format!(
                        "[{TYPE}] The credential '{}' has schemaFormat '{other}': json_schema (OpenAI) or json_object (llama-cpp-python)",
                        request.credential
                    ),
                ))
            }
        };
        let url = format!("{base}/chat/completions");
        Ok(Endpoint { url, model, api_key, schema_format, credential })
    }

    /// `message` with the credential's secrets replaced by `***`.
    pub fn redact(&self, message: &str) -> String {
        redact(message, &self.credential)
    }
}
