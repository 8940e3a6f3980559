//! The reqwest clients: one that follows redirects and one that does not (reqwest sets the
//! redirect policy per client), each built on first use.
//!
//! TLS is rustls with the *ring* crypto provider. reqwest's default provider, aws-lc-rs, is a
//! large C build; ring compiles in seconds. Certificates are checked against the operating
//! system's trust store (`rustls-platform-verifier`: corporate CAs installed there work) plus
//! Mozilla's roots, which Node's fetch bundles (so a slim container without a system store still
//! reaches what the old engine reached, and plain-HTTP requests never fail for want of roots).
//! The configuration is handed to reqwest directly rather than installed as rustls's
//! process-wide default, so nothing global changes in the host process.

use std::sync::{Arc, OnceLock};

use atomiton_core::host::effects::{EffectError, EffectErrorKind, EffectResult};
use reqwest::redirect::Policy;
use reqwest::Client;
use rustls_platform_verifier::Verifier;

/// Redirects followed before giving up; fetch's limit.
pub(crate) const MAX_REDIRECTS: usize = 20;

/// The `User-Agent` sent unless a request sets its own: what Node's `fetch`, which the TypeScript
/// engine used, sends, so servers see the same client as before.
const USER_AGENT: &str = "node";

/// Lazily built clients (building one loads TLS settings; hosts that never send a request never
/// pay for it). A failure is kept and reported by every request.
#[derive(Default)]
pub(super) struct Clients {
    following: OnceLock<Result<Client, String>>,
    manual: OnceLock<Result<Client, String>>,
}

impl Clients {
    /// The client for a request that does or does not follow redirects.
    pub(super) fn get(&self, follow_redirects: bool) -> EffectResult<Client> {
        let slot = if follow_redirects { &self.following } else { &self.manual };
        slot.get_or_init(|| build(follow_redirects)).clone().map_err(|message| {
            EffectError::new(EffectErrorKind::Other, format!("HTTP client unavailable: {message}"))
        })
    }
}

fn build(follow_redirects: bool) -> Result<Client, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let bundled_roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned();
    let verifier = Verifier::new_with_extra_roots(bundled_roots, provider.clone())
        .map_err(|e| format!("TLS certificate verifier setup failed: {e}"))?;
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?
        .dangerous() // Only in name: this installs the real, verifying platform verifier.
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(if follow_redirects { Policy::limited(MAX_REDIRECTS) } else { Policy::none() })
        .user_agent(USER_AGENT)
        // Like Node's fetch, ignore HTTP(S)_PROXY variables: a flow must not start going through
        // a proxy because of how the host process was launched.
        .no_proxy()
        .build()
        .map_err(|e| format!("HTTP client setup failed: {}", super::errors::chain(&e)))
}
