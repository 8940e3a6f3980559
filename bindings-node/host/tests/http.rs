//! `NativeHttp` against a real HTTP server on 127.0.0.1.

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use atomiton_core::host::effects::{EffectErrorKind, HttpClient, HttpRequest, HttpResponse};
use atomiton_core::host::{CancelToken, Host};
use atomiton_core::value::Value;
use atomiton_native_host::{NativeHost, NativeHttp};
use common::server::TestServer;
use common::{block_on_plain_thread, eventually, within, HANG};
use tokio::runtime::Handle;

fn request(method: &str, url: String) -> HttpRequest {
    HttpRequest {
        method: method.to_owned(),
        url,
        headers: Vec::new(),
        body: None,
        follow_redirects: true,
        timeout_ms: Some(10_000.0),
        max_response_bytes: 10 * 1024 * 1024,
        signal: CancelToken::new(),
    }
}

fn http() -> NativeHttp {
    NativeHttp::new(Handle::current())
}

fn header<'a>(response: &'a HttpResponse, name: &str) -> Option<&'a str> {
    response.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn echoed(response: &HttpResponse) -> Value {
    serde_json::from_slice(&response.body).expect("echo body is JSON")
}

fn echoed_header(echo: &Value, name: &str) -> Vec<String> {
    echo["headers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|pair| pair[0].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .filter_map(|pair| pair[1].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_method_sends_its_body_headers_and_query() {
    let server = TestServer::start().await;
    for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
        let mut req = request(method, server.url("/echo/items?a=1&b=two%20words&c=%26"));
        req.headers = vec![
            ("X-Request-Id".to_owned(), format!("id-{method}")),
            ("Content-Type".to_owned(), "application/json".to_owned()),
        ];
        req.body = Some(format!("{{\"method\":\"{method}\"}}").into_bytes());
        let response = http().send(req).await.expect("request succeeds");
        assert_eq!(response.status, 200);
        let echo = echoed(&response);
        assert_eq!(echo["method"], method);
        assert_eq!(
            echo["target"], "/echo/items?a=1&b=two%20words&c=%26",
            "query string preserved byte for byte"
        );
        assert_eq!(echo["body"], format!("{{\"method\":\"{method}\"}}"));
        assert_eq!(echoed_header(&echo, "x-request-id"), vec![format!("id-{method}")]);
        assert_eq!(echoed_header(&echo, "content-type"), vec!["application/json".to_owned()]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lower_case_methods_are_normalised_and_headers_keep_their_order() {
    let server = TestServer::start().await;
    let mut req = request("post", server.url("/echo"));
    req.headers =
        vec![("X-Second".to_owned(), "b".to_owned()), ("X-First".to_owned(), "a".to_owned())];
    let response = http().send(req).await.expect("request succeeds");
    let echo = echoed(&response);
    assert_eq!(echo["method"], "POST");
    let names: Vec<String> = echo["headers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|pair| pair[0].as_str().map(str::to_ascii_lowercase))
        .filter(|name| name.starts_with("x-"))
        .collect();
    assert_eq!(names, ["x-second", "x-first"]);
    // Defaults that match Node's fetch, which the TypeScript engine used.
    assert_eq!(echoed_header(&echo, "user-agent"), vec!["node".to_owned()]);
    assert_eq!(echoed_header(&echo, "accept"), vec!["*/*".to_owned()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_header_replaces_the_default_user_agent() {
    let server = TestServer::start().await;
    let mut req = request("GET", server.url("/echo"));
    req.headers = vec![("User-Agent".to_owned(), "my-flow/1.0".to_owned())];
    let response = http().send(req).await.expect("request succeeds");
    assert_eq!(echoed_header(&echoed(&response), "user-agent"), vec!["my-flow/1.0".to_owned()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn response_has_status_text_lower_cased_headers_and_final_url() {
    let server = TestServer::start().await;
    let url = server.url("/echo");
    let response = http().send(request("GET", url.clone())).await.expect("request succeeds");
    assert_eq!(response.status, 200);
    assert_eq!(response.status_text, "OK");
    assert_eq!(response.url, url);
    assert!(
        response.headers.iter().all(|(name, _)| *name == name.to_ascii_lowercase()),
        "{:?}",
        response.headers
    );
    assert_eq!(header(&response, "x-custom-header"), Some("Hello"));
    assert_eq!(header(&response, "content-type"), Some("application/json"));
    // Non-ASCII header bytes are read as Latin-1, as fetch does (the server sent UTF-8 "é").
    assert_eq!(header(&response, "x-latin1"), Some("caf\u{c3}\u{a9}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_status_is_a_response_not_an_error() {
    let server = TestServer::start().await;
    let response =
        http().send(request("GET", server.url("/status/404"))).await.expect("404 is a response");
    assert_eq!(response.status, 404);
    assert_eq!(response.status_text, "Not Found");
    assert_eq!(response.body, b"missing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_followed_and_the_final_url_reported() {
    let server = TestServer::start().await;
    let response =
        http().send(request("GET", server.url("/redirect"))).await.expect("request succeeds");
    assert_eq!(response.status, 200);
    assert_eq!(response.url, server.url("/echo?redirected=1"));
    assert_eq!(echoed(&response)["target"], "/echo?redirected=1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_returned_when_not_followed() {
    let server = TestServer::start().await;
    let mut req = request("GET", server.url("/redirect"));
    req.follow_redirects = false;
    let response = http().send(req).await.expect("request succeeds");
    assert_eq!(response.status, 302);
    assert_eq!(response.status_text, "Found");
    assert_eq!(response.url, server.url("/redirect"));
    assert_eq!(header(&response, "location"), Some(server.url("/echo?redirected=1").as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_loop_fails_clearly() {
    let server = TestServer::start().await;
    let error = http()
        .send(request("GET", server.url("/redirect-loop")))
        .await
        .expect_err("loop must fail");
    assert_eq!(error.kind, EffectErrorKind::Other, "{error}");
    assert!(error.message.contains("redirect"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_response_times_out() {
    let server = TestServer::start().await;
    let mut req = request("GET", server.url("/slow"));
    req.timeout_ms = Some(300.0);
    let start = Instant::now();
    let error = within("a timed-out request", http().send(req)).await.expect_err("must time out");
    assert_eq!(error.kind, EffectErrorKind::TimedOut, "{error}");
    assert!(error.message.contains("300 ms"), "{error}");
    assert!(start.elapsed() >= Duration::from_millis(300));
    // The request was dropped, not left hanging.
    assert!(eventually(HANG, || server.observed.slow_abandoned.load(Ordering::SeqCst) == 1).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_length_over_the_cap_is_too_large() {
    let server = TestServer::start().await;
    let mut req = request("GET", server.url("/big?n=2000000"));
    req.max_response_bytes = 1_000_000;
    let error = http().send(req).await.expect_err("must be too large");
    assert_eq!(error.kind, EffectErrorKind::TooLarge, "{error}");
    assert!(error.message.contains("2000000") && error.message.contains("1000000"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_exactly_at_the_cap_is_fine() {
    let server = TestServer::start().await;
    let mut req = request("GET", server.url("/big?n=100000"));
    req.max_response_bytes = 100_000;
    let response = http().send(req).await.expect("at the cap is allowed");
    assert_eq!(response.body.len(), 100_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_body_is_cut_off_at_the_cap_without_reading_on() {
    let server = TestServer::start().await;
    let mut req = request("GET", server.url("/endless"));
    req.max_response_bytes = 1_000_000;
    let error = within("an endless body", http().send(req)).await.expect_err("must be too large");
    assert_eq!(error.kind, EffectErrorKind::TooLarge, "{error}");
    // The client hung up: the server's writes fail soon after, having sent little more than
    // the cap plus what the kernel's socket buffers hold.
    assert!(eventually(HANG, || server.observed.endless_closed.load(Ordering::SeqCst)).await);
    let sent = server.observed.endless_sent.load(Ordering::SeqCst);
    assert!(sent < 64 * 1024 * 1024, "server sent {sent} bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_mid_request_returns_cancelled_promptly_and_drops_the_request() {
    let server = TestServer::start().await;
    let req = request("GET", server.url("/slow"));
    let signal = req.signal.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        signal.cancel();
    });
    let error =
        within("a cancelled request", http().send(req)).await.expect_err("must be cancelled");
    assert_eq!(error.kind, EffectErrorKind::Cancelled, "{error}");
    assert!(eventually(HANG, || server.observed.slow_abandoned.load(Ordering::SeqCst) == 1).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_already_cancelled_signal_sends_nothing() {
    let server = TestServer::start().await;
    let req = request("GET", server.url("/echo"));
    req.signal.cancel();
    let error = http().send(req).await.expect_err("must be cancelled");
    assert_eq!(error.kind, EffectErrorKind::Cancelled);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.observed.connections.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_future_drops_the_request() {
    let server = TestServer::start().await;
    let pending = http().send(request("GET", server.url("/slow")));
    // Let the request reach the server, then give up on it.
    let outcome = tokio::time::timeout(Duration::from_millis(300), pending).await;
    assert!(outcome.is_err(), "the slow request cannot have finished");
    assert!(
        eventually(Duration::from_secs(3), || server
            .observed
            .slow_abandoned
            .load(Ordering::SeqCst)
            == 1)
        .await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_refused_is_a_network_error() {
    // Bind and release a port so nothing listens on it.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let error = http()
        .send(request("GET", format!("http://127.0.0.1:{port}/x")))
        .await
        .expect_err("refused");
    assert_eq!(error.kind, EffectErrorKind::Network, "{error}");
    assert!(error.message.contains(&format!("http://127.0.0.1:{port}")), "{error}");
    assert!(error.message.to_lowercase().contains("refused"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_to_a_plain_http_server_fails_as_a_network_error() {
    // Exercises the TLS set-up (ring provider, platform verifier): the handshake is attempted
    // and fails because the server does not speak TLS.
    let server = TestServer::start().await;
    let url = format!("https://{}/echo", server.addr);
    let error = http().send(request("GET", url)).await.expect_err("no TLS there");
    assert_eq!(error.kind, EffectErrorKind::Network, "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_input_fails_before_sending() {
    let cases = [
        ("GET", "not a url", "Invalid URL: not a url"),
        ("GET", "ftp://example.com/file", "unsupported scheme"),
        ("GET", "http://", "Invalid URL"),
        ("BAD METHOD", "http://127.0.0.1:9/", "Invalid HTTP method"),
        ("CONNECT", "http://127.0.0.1:9/", "not allowed"),
    ];
    for (method, url, expected) in cases {
        let error = http().send(request(method, url.to_owned())).await.expect_err("invalid");
        assert_eq!(error.kind, EffectErrorKind::Other, "{url}: {error}");
        assert!(error.message.contains(expected), "{url}: {error}");
    }
    let mut req = request("GET", "http://127.0.0.1:9/".to_owned());
    req.headers = vec![("X-Evil".to_owned(), "a\r\nInjected: 1".to_owned())];
    let error = http().send(req).await.expect_err("header injection refused");
    assert_eq!(error.kind, EffectErrorKind::Other);
    assert!(error.message.contains("X-Evil"), "{error}");
}

#[test]
fn requests_work_when_awaited_outside_any_runtime() {
    // The engine's futures may be polled by a foreign executor: the host runs the request on its
    // own runtime regardless.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(TestServer::start());
    let host = NativeHost::new(runtime.handle().clone());
    let http = host.http().expect("native host has HTTP");
    let response = block_on_plain_thread(http.send(request("GET", server.url("/echo?plain=1"))))
        .expect("request succeeds");
    assert_eq!(echoed(&response)["target"], "/echo?plain=1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_is_refused_after_a_real_handshake() {
    // A real TLS server (openssl's test server) with a self-signed certificate: the handshake
    // runs through ring and the platform verifier, which must refuse the unknown issuer.
    if std::process::Command::new("openssl").arg("version").output().is_err() {
        eprintln!("SKIPPED: the openssl program is not installed");
        return;
    }
    let dir = common::TempDir::new("tls");
    let (key, cert) = (dir.join("key.pem"), dir.join("cert.pem"));
    let generated = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ])
        .args(["-keyout", &key, "-out", &cert])
        .output()
        .expect("openssl req runs");
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let mut server = tokio::process::Command::new("openssl")
        .args([
            "s_server",
            "-quiet",
            "-www",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-key",
            &key,
            "-cert",
            &cert,
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("openssl s_server starts");
    // A hang bound: openssl starts in well under a second on an idle machine.
    let listening = eventually(Duration::from_secs(60), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    })
    .await;
    assert!(listening, "the TLS server did not start");

    let error = http()
        .send(request("GET", format!("https://localhost:{port}/")))
        .await
        .expect_err("untrusted");
    let _ = server.kill().await;
    assert_eq!(error.kind, EffectErrorKind::Network, "{error}");
    assert!(error.message.to_lowercase().contains("certificate"), "{error}");
}

/// A body of `total` bytes made as it is read (a repeating pattern), `piece` bytes at a time:
/// nothing holds the whole of it.
struct Pattern {
    total: u64,
    given: u64,
    piece: usize,
    pieces: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    fail_after: Option<u64>,
}

fn pattern_byte(i: u64) -> u8 {
    (i.wrapping_mul(31) % 251) as u8
}

impl atomiton_core::host::effects::BodyReader for Pattern {
    fn next(
        &mut self,
    ) -> atomiton_core::host::BoxFuture<
        '_,
        atomiton_core::host::effects::EffectResult<Option<Vec<u8>>>,
    > {
        Box::pin(async move {
            if self.fail_after.is_some_and(|at| self.given >= at) {
                return Err(atomiton_core::host::effects::EffectError::new(
                    EffectErrorKind::Other,
                    "the disk went away",
                ));
            }
            if self.given >= self.total {
                return Ok(None);
            }
            let n = (self.total - self.given).min(self.piece as u64);
            let piece: Vec<u8> = (self.given..self.given + n).map(pattern_byte).collect();
            self.given += n;
            self.pieces.fetch_add(1, Ordering::SeqCst);
            Ok(Some(piece))
        })
    }

    fn size(&self) -> u64 {
        self.total
    }
}

/// Keeps what a response body's pieces came to, not the pieces.
struct Tally {
    seen: std::sync::Arc<std::sync::Mutex<(usize, common::server::Counted)>>,
}

impl atomiton_core::host::effects::BodyWriter for Tally {
    fn write(
        &mut self,
        piece: Vec<u8>,
    ) -> atomiton_core::host::BoxFuture<'_, atomiton_core::host::effects::EffectResult<()>> {
        let mut seen = self.seen.lock().unwrap();
        seen.0 += 1;
        seen.1.add(&piece);
        Box::pin(std::future::ready(Ok(())))
    }

    fn finish(
        &mut self,
    ) -> atomiton_core::host::BoxFuture<'_, atomiton_core::host::effects::EffectResult<()>> {
        Box::pin(std::future::ready(Ok(())))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_stream_from_a_reader_and_to_a_writer_a_piece_at_a_time() {
    use atomiton_core::host::effects::StreamedBodies;
    let server = TestServer::start().await;
    let total: u64 = 24 * 1024 * 1024 + 7;
    let pieces = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let upload =
        Pattern { total, given: 0, piece: 256 * 1024, pieces: pieces.clone(), fail_after: None };
    let client = http();
    assert!(client.streams_bodies());
    let mut req = request("POST", server.url("/count"));
    // Below the body's size: a body sent from a reader is not held, nor bounded by it.
    req.max_response_bytes = 1024 * 1024;
    let bodies = StreamedBodies { upload: Some(Box::new(upload)), download: None };
    let response = within("the streamed request", client.send_streamed(req, bodies)).await.unwrap();
    let mut expected = common::server::Counted::default();
    expected.add(&(0..total).map(pattern_byte).collect::<Vec<_>>());
    assert_eq!(echoed(&response), atomiton_core::json!({"bytes": total, "sum": expected.sum}));
    assert_eq!(pieces.load(Ordering::SeqCst), total.div_ceil(256 * 1024) as usize);

    // A response written out as it arrives: in many pieces, none kept in the response.
    let seen = std::sync::Arc::new(std::sync::Mutex::new((0, common::server::Counted::default())));
    let mut req = request("GET", server.url("/big?n=20000000"));
    req.max_response_bytes = u64::MAX;
    let bodies =
        StreamedBodies { upload: None, download: Some(Box::new(Tally { seen: seen.clone() })) };
    let response = within("the streamed request", client.send_streamed(req, bodies)).await.unwrap();
    assert_eq!((response.status, response.body.len()), (200, 0));
    let (writes, bytes) = {
        let seen = seen.lock().unwrap();
        (seen.0, seen.1.bytes)
    };
    assert_eq!(bytes, 20_000_000);
    assert!(writes > 10, "written as it came: {writes} pieces");

    // Its bound still holds when one is set.
    let mut req = request("GET", server.url("/endless"));
    req.max_response_bytes = 3 * 1024 * 1024;
    let seen = std::sync::Arc::new(std::sync::Mutex::new((0, common::server::Counted::default())));
    let bodies =
        StreamedBodies { upload: None, download: Some(Box::new(Tally { seen: seen.clone() })) };
    let error =
        within("the streamed request", client.send_streamed(req, bodies)).await.unwrap_err();
    assert_eq!(error.kind, EffectErrorKind::TooLarge);
    assert!(seen.lock().unwrap().1.bytes <= 3 * 1024 * 1024);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_cannot_be_read_fails_the_request_with_the_readers_error() {
    use atomiton_core::host::effects::StreamedBodies;
    let server = TestServer::start().await;
    let pieces = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let upload = Pattern {
        total: 8 * 1024 * 1024,
        given: 0,
        piece: 64 * 1024,
        pieces,
        fail_after: Some(1024 * 1024),
    };
    let bodies = StreamedBodies { upload: Some(Box::new(upload)), download: None };
    let error = within(
        "the streamed request",
        http().send_streamed(request("POST", server.url("/count")), bodies),
    )
    .await
    .unwrap_err();
    assert_eq!(error.message, "the disk went away");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_body_is_sent_once_a_307_is_returned_not_followed() {
    use atomiton_core::host::effects::StreamedBodies;
    let server = TestServer::start().await;
    let pieces = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let upload = Pattern {
        total: 300_000,
        given: 0,
        piece: 64 * 1024,
        pieces: pieces.clone(),
        fail_after: None,
    };
    let bodies = StreamedBodies { upload: Some(Box::new(upload)), download: None };
    let response = within(
        "the redirected request",
        http().send_streamed(request("POST", server.url("/redirect-307?/echo")), bodies),
    )
    .await
    .unwrap();
    assert_eq!(response.status, 307, "the redirect itself: the body cannot be sent again");
    assert_eq!(header(&response, "location"), Some("/echo"));
}
