//! Who may call a hook: a shared secret in a header, or an HMAC-SHA256 signature of the
//! timestamped body (the pattern Stripe and GitHub use), checked in constant time. The secret
//! comes from the serving process (see [`super::Secrets`]), never from the flow.

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};

use super::spec::HookAuth;
use super::{HookRequest, Refusal};

/// A delivery's signature, kept so that the same signed delivery is accepted once: the key
/// it is remembered under, and until when (past it, its timestamp is refused anyway).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub key: String,
    pub keep_until: i64,
}

/// Checks `request` against `auth` with `secret` at `now` (ms): `Ok(Some(_))` for a signed
/// delivery (to be remembered), `Ok(None)` when nothing is to be remembered. `server` hooks
/// are checked by the server before the request gets here (`authenticated`).
pub fn check(
    auth: &HookAuth,
    request: &HookRequest,
    secret: Option<&str>,
    authenticated: bool,
    now: i64,
) -> Result<Option<Signed>, Refusal> {
    let needs_secret = |env: &str| {
        secret.filter(|s| !s.is_empty()).ok_or_else(|| {
            Refusal::new(
                500,
                "INTERNAL_ERROR",
                format!(
                    "This webhook's secret is not set on the server (environment variable {env})"
                ),
            )
        })
    };
    match auth {
        HookAuth::None => Ok(None),
        HookAuth::Server if authenticated => Ok(None),
        HookAuth::Server => Err(Refusal::new(
            401,
            "AUTHENTICATION_FAILED",
            "This webhook needs the server's authentication: a bearer token or API key that may run flows".into(),
        )),
        HookAuth::Header { header, secret_env } => {
            let secret = needs_secret(secret_env)?;
            match request.header(header) {
                Some(given) if same(given.as_bytes(), secret.as_bytes()) => Ok(None),
                Some(_) => Err(refused(&format!("wrong secret in {header}"))),
                None => Err(refused(&format!("no {header} header"))),
            }
        }
        HookAuth::Hmac { header, timestamp_header, secret_env, tolerance_s } => {
            let secret = needs_secret(secret_env)?;
            let signature = request
                .header(header)
                .ok_or_else(|| refused(&format!("no {header} header")))?;
            let signature = signature.trim();
            let signature = signature.strip_prefix("sha256=").unwrap_or(signature);
            let signature = hex(signature)
                .ok_or_else(|| refused(&format!("{header} is not a hex HMAC-SHA256")))?;
            let timestamp = request
                .header(timestamp_header)
                .and_then(|text| text.trim().parse::<i64>().ok())
                .ok_or_else(|| refused(&format!("no {timestamp_header} header (Unix seconds)")))?;
            let tolerance_ms = (*tolerance_s as i64) * 1000;
            let sent_ms = timestamp.saturating_mul(1000);
            if (now - sent_ms).abs() > tolerance_ms {
                return Err(refused(&format!(
                    "the delivery's timestamp is more than {tolerance_s} s from the server's clock"
                )));
            }
            let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret.as_bytes())
                .map_err(|_| refused("the secret cannot key HMAC-SHA256"))?;
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(&request.body);
            // `verify_slice` compares in constant time.
            mac.verify_slice(&signature).map_err(|_| refused("wrong signature"))?;
            let key: String = signature.iter().map(|byte| format!("{byte:02x}")).collect();
            Ok(Some(Signed { key: format!("sig:{key}"), keep_until: sent_ms + tolerance_ms }))
        }
    }
}

/// HMAC-SHA256 of `<timestamp>.<body>` with `secret`, in hex: how a sender signs a delivery.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Whether `given` equals `expected`, in time that depends on neither: their digests are
/// compared whole, so neither a matching prefix nor the length shows.
fn same(given: &[u8], expected: &[u8]) -> bool {
    let (a, b) = (Sha256::digest(given), Sha256::digest(expected));
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| text.get(at..at + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
        .collect()
}

fn refused(why: &str) -> Refusal {
    Refusal::new(401, "AUTHENTICATION_FAILED", format!("Webhook authentication failed: {why}"))
}
