//! The webhook half of [`super::TriggerService`]: which active hook a path names, and a request
//! to it checked (method, size, authentication, a replayed signature, a retried
//! `Idempotency-Key`) and made its run's input.

use atomiton_core::error::Result;
use atomiton_core::session::{HookDelivery, HookRoute, HookStart, TriggerRef};

use super::Inner;
use crate::store::{Delivery, TriggerId, TriggerRow};
use crate::webhook::auth::check;
use crate::webhook::request::fire_of;
use crate::webhook::spec::{normal_path, HookAuth, HookResponse};
use crate::webhook::{
    HookRequest, Refusal, WebhookSpec, IDEMPOTENCY_KEY_LIMIT, IDEMPOTENCY_MS, WEBHOOK_TYPE,
};

/// A hook's spec from its stored row; `None` for another kind or parameters this version
/// cannot read (another version activated it).
pub(super) fn hook_spec(row: &TriggerRow) -> Option<WebhookSpec> {
    if row.kind != WEBHOOK_TYPE {
        return None;
    }
    let (parameters, _) = super::stored(row).ok()?;
    WebhookSpec::read(&parameters).ok()
}

fn not_found(path: &str) -> Refusal {
    Refusal::new(404, "IMPLEMENTATION_NOT_FOUND", format!("No active webhook at /hooks/{path}"))
}

fn route(refused: Option<Refusal>, found: Option<(&TriggerRow, &WebhookSpec)>) -> HookRoute {
    HookRoute {
        trigger: found.map(|(row, _)| row.id.to_string()),
        refused,
        max_bytes: found.map_or(0.0, |(_, spec)| spec.max_bytes as f64),
        server_auth: found.is_some_and(|(_, spec)| spec.auth == HookAuth::Server),
        runs_per_minute: found.and_then(|(_, spec)| spec.runs_per_minute).map(f64::from),
        concurrent_runs: found.and_then(|(_, spec)| spec.concurrent_runs).map(f64::from),
    }
}

fn method_allowed(spec: &WebhookSpec, method: &str) -> Result<(), Refusal> {
    if spec.methods.iter().any(|allowed| allowed == method) {
        return Ok(());
    }
    let mut refusal = Refusal::new(
        405,
        "VALIDATION_FAILED",
        format!("Method not allowed: this webhook accepts {}", spec.methods.join(", ")),
    );
    refusal.allow = Some(spec.methods.clone());
    Err(refusal)
}

impl Inner {
    /// The active, unpaused hook at `path`.
    async fn hook_at(&self, path: &str) -> Result<Option<(TriggerRow, WebhookSpec)>> {
        let Ok(path) = normal_path(path) else { return Ok(None) };
        let rows = self.store.list().await?;
        Ok(rows.into_iter().filter(|row| !row.paused).find_map(|row| {
            hook_spec(&row).filter(|spec| spec.path == path).map(|spec| (row, spec))
        }))
    }

    pub(super) async fn hook(&self, path: String, method: String) -> Result<HookRoute> {
        let Some((row, spec)) = self.hook_at(&path).await? else {
            return Ok(route(Some(not_found(&path)), None));
        };
        let refused = method_allowed(&spec, &method.to_ascii_uppercase()).err();
        Ok(route(refused, Some((&row, &spec))))
    }

    pub(super) async fn deliver(
        &self,
        trigger: TriggerRef,
        request: HookRequest,
        authenticated: bool,
    ) -> Result<HookDelivery> {
        let id = TriggerId::new(trigger.flow_id, trigger.node_id);
        let found = self.hook_at(&request.path).await?.filter(|(row, _)| row.id == id);
        let Some((row, spec)) = found else {
            return Ok(HookDelivery::refused(not_found(&request.path)));
        };
        match self.accept(&row, &spec, &request, authenticated).await? {
            Ok(delivery) => Ok(delivery),
            Err(refusal) => Ok(HookDelivery::refused(refusal)),
        }
    }

    /// The run `request` starts (or started, for a retried `Idempotency-Key`), or why not. The
    /// order matters: nothing is remembered for a request refused.
    async fn accept(
        &self,
        row: &TriggerRow,
        spec: &WebhookSpec,
        request: &HookRequest,
        authenticated: bool,
    ) -> Result<Result<HookDelivery, Refusal>> {
        let now = self.now();
        if let Err(refusal) = method_allowed(spec, &request.method) {
            return Ok(Err(refusal));
        }
        if request.body.len() as u64 > spec.max_bytes {
            let message = format!("Request body larger than {} bytes", spec.max_bytes);
            return Ok(Err(Refusal::new(413, "MEMORY_LIMIT_EXCEEDED", message)));
        }
        let secret = match &spec.auth {
            HookAuth::Header { secret_env, .. } | HookAuth::Hmac { secret_env, .. } => {
                self.secrets.get().and_then(|secrets| secrets(secret_env))
            }
            HookAuth::None | HookAuth::Server => None,
        };
        let signed = match check(&spec.auth, request, secret.as_deref(), authenticated, now) {
            Ok(signed) => signed,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let idempotency = request.header("idempotency-key").map(str::to_owned);
        if idempotency
            .as_ref()
            .is_some_and(|key| key.is_empty() || key.len() > IDEMPOTENCY_KEY_LIMIT)
        {
            let message =
                format!("Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_LIMIT} characters");
            return Ok(Err(Refusal::new(400, "VALIDATION_FAILED", message)));
        }
        let trigger = match fire_of(&row.id, spec, request, now) {
            Ok(trigger) => trigger,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let host = self.host.clone();
        let execution_id = atomiton_core::session::catalog::execution_id("", || host.random());
        fn delivery<'a>(
            row: &'a TriggerRow,
            key: &'a str,
            run: &'a str,
            now: i64,
            until: i64,
        ) -> Delivery<'a> {
            Delivery { trigger: &row.id, key, run_id: run, now, keep_until: until }
        }
        if let Some(signed) = signed {
            let remembered = delivery(row, &signed.key, &execution_id, now, signed.keep_until);
            if self.store.remember(remembered).await?.is_some() {
                return Ok(Err(Refusal::new(
                    401,
                    "AUTHENTICATION_FAILED",
                    "Webhook authentication failed: this signed delivery was already received (a replay)".into(),
                )));
            }
        }
        let mut answer = answered(spec);
        if let Some(key) = idempotency {
            let key = format!("idem:{key}");
            let remembered = delivery(row, &key, &execution_id, now, now + IDEMPOTENCY_MS);
            if let Some(earlier) = self.store.remember(remembered).await? {
                answer.replayed = Some(earlier);
                return Ok(Ok(answer));
            }
        }
        let recorded = self.record_event(row, now, now, &execution_id).await?;
        answer.start = Some(HookStart {
            flow_id: row.id.flow.clone(),
            node_id: row.id.node.clone(),
            scheduled_at: recorded.map(|key| key as f64),
            execution_id,
            trigger,
            permissions: super::run_permissions(row),
        });
        Ok(Ok(answer))
    }
}

/// How the caller of `spec`'s hook is answered.
fn answered(spec: &WebhookSpec) -> HookDelivery {
    let mut answer = HookDelivery::accepted();
    match &spec.response {
        HookResponse::Accepted => {}
        HookResponse::Result { timeout_ms } => {
            answer.respond = "result".to_owned();
            answer.response_timeout = Some(*timeout_ms as f64);
        }
        HookResponse::Node { node, timeout_ms } => {
            answer.respond = "node".to_owned();
            answer.response_node = Some(node.clone());
            answer.response_timeout = Some(*timeout_ms as f64);
        }
    }
    answer
}
