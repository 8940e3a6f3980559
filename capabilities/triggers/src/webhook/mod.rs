//! Webhooks: a flow started by an HTTP request to `/hooks/<path>` on the protocol server (native
//! only: a browser tab has no server). The server reads the request; everything that decides is
//! here — which active hook a path names ([`spec`]), who may call it ([`auth`]), what the run's
//! input is ([`request`]) — and in the store, which remembers signed deliveries (a replay is
//! refused) and `Idempotency-Key`s (a retried delivery starts one run).

pub mod auth;
pub mod request;
pub mod spec;

use std::sync::Arc;

pub use atomiton_core::nodes::webhook::WEBHOOK_TYPE;
pub use atomiton_core::session::{HookRefusal as Refusal, WebhookRequest as HookRequest};
pub use spec::{HookAuth, HookResponse, WebhookSpec};

/// Where a hook's secret comes from: the serving process's secrets by name (the native addon
/// gives its environment variables). A service without it refuses hooks that need a secret.
pub type Secrets = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// How long an `Idempotency-Key` is remembered: a day, as payment APIs keep theirs.
pub const IDEMPOTENCY_MS: i64 = 24 * 60 * 60 * 1000;

/// The longest `Idempotency-Key` accepted.
pub const IDEMPOTENCY_KEY_LIMIT: usize = 255;
