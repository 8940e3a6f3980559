//! HTTP limited to allowed hosts, every redirect hop included.
//!
//! reqwest follows redirects inside one call, where no hop can be checked, so a request that
//! follows redirects is sent hop by hop without following, each hop's host checked before it is
//! sent. A redirect to a host that is not allowed is refused before any request reaches it. The
//! hops are rewritten as fetch (and reqwest) do: 303, and 301/302 after a POST, become a GET
//! without body; 307/308 keep method and body; credentials are dropped when the origin changes.

use std::time::{Duration, Instant};

use atomiton_core::host::effects::{
    EffectError, EffectErrorKind, EffectResult, HttpClient, HttpRequest, HttpResponse,
};
use atomiton_core::host::{BoxFuture, HttpAccess};
use reqwest::Url;

use crate::duration::{display_ms, limit};
use crate::http::{parse_url, NativeHttp, MAX_REDIRECTS};

/// [`NativeHttp`] limited to the hosts `access` allows.
#[derive(Debug, Clone)]
pub(crate) struct AllowedHosts {
    inner: NativeHttp,
    access: HttpAccess,
}

impl AllowedHosts {
    pub(crate) fn new(inner: NativeHttp, access: HttpAccess) -> Self {
        AllowedHosts { inner, access }
    }
}

impl HttpClient for AllowedHosts {
    fn send(&self, request: HttpRequest) -> BoxFuture<'static, EffectResult<HttpResponse>> {
        let client = self.clone();
        Box::pin(async move { client.hop_by_hop(request).await })
    }
}

/// Headers that carry credentials: not sent to another origin than the one they were set for.
const CREDENTIALS: [&str; 3] = ["authorization", "cookie", "proxy-authorization"];
/// Headers describing a body, dropped with it when a redirect turns the request into a GET.
const BODY_HEADERS: [&str; 4] =
    ["content-type", "content-length", "content-encoding", "transfer-encoding"];

impl AllowedHosts {
    async fn hop_by_hop(self, mut request: HttpRequest) -> EffectResult<HttpResponse> {
        if !request.follow_redirects {
            self.check(&parse_url(&request.url)?)?;
            return self.inner.send(request).await;
        }
        request.follow_redirects = false;
        let started = Instant::now();
        let total = limit(request.timeout_ms);
        for _ in 0..=MAX_REDIRECTS {
            let url = parse_url(&request.url)?;
            self.check(&url)?;
            if let Some(total) = total {
                let left = total
                    .checked_sub(started.elapsed())
                    .filter(|left| !left.is_zero())
                    .ok_or_else(|| timed_out(&url, total))?;
                request.timeout_ms = Some(left.as_secs_f64() * 1000.0);
            }
            // A clone: a 307/308 sends the same body again.
            let response = self.inner.send(request.clone()).await?;
            let Some((status, next)) = redirect(&url, &response) else { return Ok(response) };
            rewrite(&mut request, &url, status, next);
        }
        let origin = parse_url(&request.url)
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_default();
        Err(EffectError::new(
            EffectErrorKind::Other,
            format!("HTTP request to {origin} failed: too many redirects"),
        ))
    }

    fn check(&self, url: &Url) -> EffectResult<()> {
        let host = url.host_str().unwrap_or_default();
        let port = url.port_or_known_default().unwrap_or(0);
        if self.access.allows(host, port) {
            Ok(())
        } else {
            Err(EffectError::not_permitted(format!(
                "HTTP requests to {} are not allowed for this run",
                url.origin().ascii_serialization()
            )))
        }
    }
}

/// The status and the next URL when `response` redirects.
fn redirect(url: &Url, response: &HttpResponse) -> Option<(u16, Url)> {
    if !matches!(response.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = response
        .headers
        .iter()
        .find(|(name, _)| name == "location")
        .map(|(_, value)| value.as_str())?;
    // A Location that does not parse ends the chain: the redirect response itself is the answer.
    url.join(location).ok().map(|next| (response.status, next))
}

/// `request` made into the next hop to `next`.
fn rewrite(request: &mut HttpRequest, from: &Url, status: u16, next: Url) {
    let method = request.method.trim().to_ascii_uppercase();
    let to_get =
        status == 303 && method != "HEAD" || matches!(status, 301 | 302) && method == "POST";
    if to_get {
        request.method = "GET".to_owned();
        request.body = None;
        request
            .headers
            .retain(|(name, _)| !BODY_HEADERS.contains(&name.trim().to_ascii_lowercase().as_str()));
    }
    if next.origin() != from.origin() {
        request
            .headers
            .retain(|(name, _)| !CREDENTIALS.contains(&name.trim().to_ascii_lowercase().as_str()));
    }
    request.url = next.to_string();
}

fn timed_out(url: &Url, total: Duration) -> EffectError {
    EffectError::new(
        EffectErrorKind::TimedOut,
        format!(
            "HTTP request to {} timed out after {} ms",
            url.origin().ascii_serialization(),
            display_ms(total)
        ),
    )
}
