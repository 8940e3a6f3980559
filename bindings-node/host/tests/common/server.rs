//! A small HTTP/1.1 server on 127.0.0.1 for the HTTP tests: one request per connection,
//! `Connection: close`, routes chosen by path.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use atomiton_core::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server observed, for tests that check the client's side effects.
#[derive(Default)]
pub struct Observed {
    /// Connections accepted.
    pub connections: AtomicUsize,
    /// `/slow` requests whose client went away before the response.
    pub slow_abandoned: AtomicUsize,
    /// Bytes `/endless` managed to write before the client stopped reading.
    pub endless_sent: AtomicU64,
    /// `/endless` gave up because the client closed the connection.
    pub endless_closed: AtomicBool,
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub observed: Arc<Observed>,
}

impl TestServer {
    /// Starts the server on the current tokio runtime.
    pub async fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let observed = Arc::new(Observed::default());
        let seen = observed.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                seen.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(handle(socket, seen.clone(), addr));
            }
        });
        TestServer { addr, observed }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// The head of a request, and where it ends in what was read.
async fn read_head(socket: &mut TcpStream) -> Option<(Vec<u8>, usize)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            return Some((buffer, end));
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if buffer.first() == Some(&0x16) {
            // A TLS handshake record: answer in plain HTTP, as a real plain server would, so
            // the client's handshake fails instead of waiting.
            let _ =
                socket.write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n").await;
            return None;
        }
    }
}

/// A request's method, target and headers.
type Head = (String, String, Vec<(String, String)>);

/// A request's method, target and headers from its head.
fn parse_head(head: &[u8]) -> Option<Head> {
    let head = String::from_utf8_lossy(head).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.to_owned(), value.trim().to_owned()))
        .collect();
    Some((method, target, headers))
}

fn content_length(headers: &[(String, String)]) -> u64 {
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.parse::<u64>().ok())
        .unwrap_or(0)
}

/// The rest of a request whose head was read: its body, whole.
async fn read_body(
    socket: &mut TcpStream,
    buffer: Vec<u8>,
    head_end: usize,
    (method, target, headers): Head,
) -> Option<Request> {
    let length = content_length(&headers) as usize;
    let mut chunk = [0u8; 4096];
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Request { method, target, headers, body })
}

async fn respond(socket: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut head =
        format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = socket.write_all(head.as_bytes()).await;
    let _ = socket.write_all(body).await;
    let _ = socket.shutdown().await;
}

/// Reads a request's head, then counts its body as it comes instead of holding it: the bytes
/// and a checksum of them (`sum` below), answered as JSON. What a client sent of a body larger
/// than the test should hold.
async fn count_body(socket: &mut TcpStream, buffer: Vec<u8>, head_end: usize, length: u64) {
    let mut seen = Counted::default();
    seen.add(&buffer[head_end + 4..]);
    let mut chunk = vec![0u8; 64 * 1024];
    while seen.bytes < length {
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.add(&chunk[..n]),
        }
    }
    let body = json!({"bytes": seen.bytes, "sum": seen.sum}).to_string();
    respond(socket, "200 OK", &[("Content-Type", "application/json")], body.as_bytes()).await;
}

/// Bytes, and a checksum that depends on their order: each byte times its position plus one,
/// wrapping.
#[derive(Default)]
pub struct Counted {
    pub bytes: u64,
    pub sum: u64,
}

impl Counted {
    pub fn add(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.bytes += 1;
            self.sum = self.sum.wrapping_add(u64::from(byte).wrapping_mul(self.bytes)) % (1 << 52);
        }
    }
}

async fn handle(mut socket: TcpStream, observed: Arc<Observed>, addr: SocketAddr) {
    let Some((buffer, head_end)) = read_head(&mut socket).await else { return };
    let Some(head) = parse_head(&buffer[..head_end]) else { return };
    // `/count` takes its body as it comes; every other route reads it whole.
    if head.1 == "/count" {
        let length = content_length(&head.2);
        return count_body(&mut socket, buffer, head_end, length).await;
    }
    let Some(request) = read_body(&mut socket, buffer, head_end, head).await else { return };
    let path = request.target.split('?').next().unwrap_or("").to_owned();
    let query = request.target.split_once('?').map(|(_, q)| q.to_owned()).unwrap_or_default();
    match path.as_str() {
        "/orders" => {
            // The body back as JSON, inside an answer of its own (the node reference's POST).
            let order = String::from_utf8_lossy(&request.body);
            let body = format!(r#"{{"created":true,"order":{order}}}"#);
            respond(
                &mut socket,
                "201 Created",
                &[("Content-Type", "application/json")],
                body.as_bytes(),
            )
            .await
        }
        "/users/1" => {
            let body = br#"{"id":1,"name":"Ada"}"#;
            respond(&mut socket, "200 OK", &[("Content-Type", "application/json")], body).await
        }
        "/status/404" => {
            respond(&mut socket, "404 Not Found", &[("Content-Type", "text/plain")], b"missing")
                .await
        }
        "/redirect" => {
            let location = format!("http://{addr}/echo?redirected=1");
            respond(&mut socket, "302 Found", &[("Location", &location)], b"").await
        }
        "/redirect-loop" => {
            respond(&mut socket, "302 Found", &[("Location", "/redirect-loop")], b"").await
        }
        // `/redirect-<status>?<location>`: that status, to that location (written as it is).
        _ if path.starts_with("/redirect-") => {
            let status = match &path["/redirect-".len()..] {
                "301" => "301 Moved Permanently",
                "303" => "303 See Other",
                "307" => "307 Temporary Redirect",
                "308" => "308 Permanent Redirect",
                _ => "302 Found",
            };
            respond(&mut socket, status, &[("Location", &query)], b"").await
        }
        "/slow" => {
            // Wait for a response that never comes; notice when the client gives up.
            let mut byte = [0u8; 1];
            let gone = tokio::time::timeout(Duration::from_secs(30), socket.read(&mut byte)).await;
            if matches!(gone, Ok(Ok(0)) | Ok(Err(_))) {
                observed.slow_abandoned.fetch_add(1, Ordering::SeqCst);
            }
        }
        "/big" => {
            let n: usize = query.strip_prefix("n=").and_then(|n| n.parse().ok()).unwrap_or(0);
            respond(
                &mut socket,
                "200 OK",
                &[("Content-Type", "application/octet-stream")],
                &vec![b'x'; n],
            )
            .await
        }
        "/endless" => {
            // No Content-Length: the body runs until the connection closes, which only the
            // client can do.
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n";
            if socket.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b'y'; 64 * 1024];
            loop {
                match tokio::time::timeout(Duration::from_secs(10), socket.write_all(&chunk)).await
                {
                    Ok(Ok(())) => {
                        observed.endless_sent.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                    }
                    Ok(Err(_)) => {
                        observed.endless_closed.store(true, Ordering::SeqCst);
                        return;
                    }
                    Err(_) => return,
                }
            }
        }
        "/binary" => {
            respond(
                &mut socket,
                "200 OK",
                &[("Content-Type", "application/octet-stream")],
                &[0, 1, 2, 255],
            )
            .await
        }
        "/text" => {
            respond(
                &mut socket,
                "200 OK",
                &[("Content-Type", "text/plain; charset=utf-8")],
                "plain text ✓".as_bytes(),
            )
            .await
        }
        "/bad-json" => {
            respond(&mut socket, "200 OK", &[("Content-Type", "application/json")], b"{not json")
                .await
        }
        "/multi-header" => {
            respond(
                &mut socket,
                "200 OK",
                &[("Content-Type", "text/plain"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
                b"ok",
            )
            .await
        }
        "/v1/chat/completions" => {
            // A stand-in for an OpenAI-compatible model server (the node reference's `llm`
            // examples): the last message said back, or `{"stars": 1}` when JSON is asked for;
            // streamed as server-sent events in two pieces when asked.
            let asked: serde_json::Value =
                serde_json::from_slice(&request.body).unwrap_or(serde_json::Value::Null);
            let text = if asked.get("response_format").is_some() {
                r#"{"stars": 1}"#.to_owned()
            } else {
                let last = asked["messages"].as_array().and_then(|m| m.last()).cloned();
                let said = last.as_ref().and_then(|m| m["content"].as_str()).unwrap_or_default();
                format!("You said: {said}")
            };
            let usage = json!({"prompt_tokens": 12, "completion_tokens": 4, "total_tokens": 16});
            if asked["stream"] == true {
                let (head, tail) = text.split_at(text.len() / 2);
                let mut body = String::new();
                for piece in [head, tail] {
                    let chunk =
                        json!({"model": "stand-in", "choices": [{"delta": {"content": piece}}]});
                    body.push_str(&format!("data: {chunk}\n\n"));
                }
                let end = json!({"model": "stand-in", "choices": [{"delta": {}, "finish_reason": "stop"}], "usage": usage});
                body.push_str(&format!("data: {end}\n\ndata: [DONE]\n\n"));
                let headers = [("Content-Type", "text/event-stream")];
                respond(&mut socket, "200 OK", &headers, body.as_bytes()).await
            } else {
                let answer = json!({
                    "model": "stand-in",
                    "choices": [{"message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                    "usage": usage,
                });
                let headers = [("Content-Type", "application/json")];
                respond(&mut socket, "200 OK", &headers, answer.to_string().as_bytes()).await
            }
        }
        _ if path.starts_with("/echo") => {
            let echoed = json!({
                "method": request.method,
                "target": request.target,
                "headers": request.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
                "body": String::from_utf8_lossy(&request.body),
            });
            let body = echoed.to_string();
            respond(
                &mut socket,
                "200 OK",
                &[
                    ("Content-Type", "application/json"),
                    ("X-Custom-Header", "Hello"),
                    ("X-Latin1", "caf\u{e9}"),
                ],
                body.as_bytes(),
            )
            .await
        }
        _ => respond(&mut socket, "500 Internal Server Error", &[], b"unknown route").await,
    }
}
