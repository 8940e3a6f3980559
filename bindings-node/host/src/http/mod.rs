//! HTTP with reqwest: [`NativeHttp`] implements the core's [`HttpClient`].
//!
//! Requests go out as HTTP/1.1 (every server speaks it; HTTP/2 would add the `h2` crate to the
//! build for no behaviour a node can see). Bodies are not decompressed and no `Accept-Encoding`
//! is sent, so servers answer uncompressed. Response bodies are streamed and counted against
//! the request's cap: nothing beyond it is ever buffered. Bodies to and from files stream both
//! ways ([`HttpClient::send_streamed`]; `upload.rs`): neither has to fit in memory.

mod clients;
mod errors;
mod per_host;
mod prepare;
mod upload;

use std::sync::Arc;

use atomiton_core::host::effects::{
    BodyWriter, EffectError, EffectErrorKind, EffectResult, HttpClient, HttpRequest, HttpResponse,
    StreamedBodies,
};
use atomiton_core::host::BoxFuture;
use tokio::runtime::Handle;

use crate::duration::{display_ms, limit};
use crate::task::{bounded, cancelled, spawn_effect, Outcome};
use clients::Clients;
pub(crate) use clients::MAX_REDIRECTS;
use per_host::PerHost;
pub use per_host::DEFAULT_PER_HOST;
pub(crate) use prepare::parse_url;
use prepare::Prepared;

/// Most bytes reserved up front from a response's `Content-Length`: a server's claim is not
/// trusted with more memory than this before the bytes actually arrive.
const MAX_PREALLOCATION: u64 = 1 << 20;

/// The native HTTP client. Cheap to clone; clones share connection pools.
#[derive(Clone)]
pub struct NativeHttp {
    handle: Handle,
    clients: Arc<Clients>,
    per_host: Arc<PerHost>,
}

impl NativeHttp {
    /// A client whose requests run on `handle`'s runtime, at most [`DEFAULT_PER_HOST`] in flight
    /// to one origin.
    pub fn new(handle: Handle) -> Self {
        NativeHttp {
            handle,
            clients: Arc::new(Clients::default()),
            per_host: Arc::new(PerHost::new(DEFAULT_PER_HOST)),
        }
    }

    /// The same client with at most `limit` requests in flight to one origin.
    pub fn with_per_host_limit(mut self, limit: usize) -> Self {
        self.per_host = Arc::new(PerHost::new(limit));
        self
    }
}

impl std::fmt::Debug for NativeHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeHttp").finish_non_exhaustive()
    }
}

impl HttpClient for NativeHttp {
    fn send(&self, request: HttpRequest) -> BoxFuture<'static, EffectResult<HttpResponse>> {
        self.start(request, StreamedBodies::default())
    }

    fn streams_bodies(&self) -> bool {
        true
    }

    fn send_streamed(
        &self,
        request: HttpRequest,
        bodies: StreamedBodies,
    ) -> BoxFuture<'static, EffectResult<HttpResponse>> {
        self.start(request, bodies)
    }
}

impl NativeHttp {
    /// Sends `request`, its body read from `bodies.upload` and its response's written to
    /// `bodies.download` where they are given.
    fn start(
        &self,
        mut request: HttpRequest,
        bodies: StreamedBodies,
    ) -> BoxFuture<'static, EffectResult<HttpResponse>> {
        if request.signal.is_cancelled() {
            return Box::pin(std::future::ready(Err(cancelled("HTTP request"))));
        }
        // Bad input fails here, before anything touches the network.
        // The body moves into the request rather than being copied.
        let body = request.body.take();
        let mut prepared = match Prepared::from_request(&request, body) {
            Ok(prepared) => prepared,
            Err(error) => return Box::pin(std::future::ready(Err(error))),
        };
        let StreamedBodies { upload, download } = bodies;
        let upload_failure = upload.map(|reader| {
            let (body, failure) = upload::streamed_body(&self.handle, reader);
            prepared.set_body(body);
            failure
        });
        let client = match self.clients.get(request.follow_redirects) {
            Ok(client) => client,
            Err(error) => return Box::pin(std::future::ready(Err(error))),
        };
        let limit = limit(request.timeout_ms);
        let max_bytes = request.max_response_bytes;
        let signal = request.signal;
        let per_host = self.per_host.clone();
        spawn_effect(&self.handle, "HTTP request", async move {
            let origin = prepared.origin();
            // Waiting for a slot counts against the request's time: it is part of getting an answer.
            let exchange = async {
                let _slot = per_host.acquire(&origin).await;
                exchange(client, prepared, max_bytes, download).await
            };
            match bounded(exchange, limit, &signal).await {
                // A body file that could not be read is what failed, not the request.
                Outcome::Done(Err(error)) => Err(upload_failure
                    .and_then(|failure| {
                        failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
                    })
                    .unwrap_or(error)),
                Outcome::Done(result) => result,
                Outcome::Cancelled => Err(cancelled("HTTP request")),
                Outcome::TimedOut => Err(EffectError::new(
                    EffectErrorKind::TimedOut,
                    format!(
                        "HTTP request to {origin} timed out after {} ms",
                        limit.map(display_ms).unwrap_or(0)
                    ),
                )),
            }
        })
    }
}

/// Sends the request and reads the response, body included, up to `max_bytes`: into the
/// response, or written to `download` as it arrives.
async fn exchange(
    client: reqwest::Client,
    prepared: Prepared,
    max_bytes: u64,
    mut download: Option<Box<dyn BodyWriter>>,
) -> EffectResult<HttpResponse> {
    let origin = prepared.origin();
    let mut response = client
        .execute(prepared.into_request())
        .await
        .map_err(|e| errors::request_error(e, &origin))?;

    let status = response.status();
    let headers = response
        .headers()
        .iter()
        // `http` stores names lower-cased already; values are bytes, read as Latin-1 like fetch.
        .map(|(name, value)| {
            (name.as_str().to_owned(), value.as_bytes().iter().map(|&b| char::from(b)).collect())
        })
        .collect();
    let url = response.url().to_string();

    // A declared length over the cap fails before any of the body is read.
    let declared = response.content_length();
    if let Some(length) = declared.filter(|length| *length > max_bytes) {
        return Err(errors::too_large(&origin, max_bytes, Some(length)));
    }
    let held = if download.is_some() { 0 } else { declared.unwrap_or(0) };
    let mut body = Vec::with_capacity(held.min(max_bytes).min(MAX_PREALLOCATION) as usize);
    let mut received: u64 = 0;
    while let Some(chunk) = response.chunk().await.map_err(|e| errors::body_error(e, &origin))? {
        received += chunk.len() as u64;
        if received > max_bytes {
            // Dropping the response closes the connection: the rest is never read.
            return Err(errors::too_large(&origin, max_bytes, None));
        }
        match download.as_mut() {
            Some(download) => download.write(chunk.to_vec()).await?,
            None => body.extend_from_slice(&chunk),
        }
    }
    if let Some(download) = download.as_mut() {
        download.finish().await?;
    }

    Ok(HttpResponse {
        status: status.as_u16(),
        status_text: status.canonical_reason().unwrap_or_default().to_owned(),
        headers,
        body,
        url,
    })
}
