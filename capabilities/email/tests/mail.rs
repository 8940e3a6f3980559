//! What the `email` node hands its host's SMTP client, under virtual time: the message its
//! parameters and templates make (addresses, subject, bodies, attachments from the input), the
//! server the credential names, a key that sends once and makes the Message-ID, failures coded
//! with no secret in them, and the node refused at validation, saying where it runs, by a build
//! without this crate. The SMTP client here records what it is given and answers as told; the
//! real server (aiosmtpd, TLS and a login) receives the same messages in the npm suite
//! (`npm/test/email.test.mjs`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use atomiton_core::error::{ErrorCode, Result};
use atomiton_core::host::effects::{
    Credential, CredentialSource, EffectError, EffectErrorKind, MailSecurity, MailSender, MailWork,
};
use atomiton_core::host::{BoxFuture, Capabilities, Host};
use atomiton_core::session::SessionCapability;
use atomiton_core::testing::VirtualHost;
use atomiton_core::value::{BytesKind, Map, Str, Value};
use atomiton_core::{json, Engine, EngineConfig, ExecutionResult, NodeDefinition, RunOptions};

const PASSWORD: &str = "smtp-secret-0123";

/// A host whose SMTP client records each message and answers `failure` when one is set (after
/// `delay` ms of virtual time), with a ledger in memory.
struct Recording {
    inner: VirtualHost,
    sent: Mutex<Vec<MailWork>>,
    ledger: Mutex<HashMap<String, String>>,
    failure: Mutex<Option<EffectError>>,
    delay: f64,
    credential: Map,
}

impl MailSender for Recording {
    fn send(&self, work: MailWork) -> BoxFuture<'static, std::result::Result<String, EffectError>> {
        self.sent.lock().unwrap().push(work);
        let answer = match &*self.failure.lock().unwrap() {
            Some(error) => Err(error.clone()),
            None => Ok("250 Accepted".to_owned()),
        };
        let wait = (self.delay > 0.0).then(|| self.inner.sleep(self.delay));
        Box::pin(async move {
            if let Some(wait) = wait {
                wait.await;
            }
            answer
        })
    }

    fn claim(
        &self,
        key: &str,
        claim: String,
    ) -> BoxFuture<'static, std::result::Result<Option<String>, EffectError>> {
        let mut ledger = self.ledger.lock().unwrap();
        let kept = match ledger.get(key) {
            Some(kept) => Some(kept.clone()),
            None => {
                ledger.insert(key.to_owned(), claim);
                None
            }
        };
        Box::pin(async move { Ok(kept) })
    }

    fn mark_sent(
        &self,
        key: &str,
        record: String,
    ) -> BoxFuture<'static, std::result::Result<(), EffectError>> {
        self.ledger.lock().unwrap().insert(key.to_owned(), record);
        Box::pin(async move { Ok(()) })
    }

    fn release(&self, key: &str) -> BoxFuture<'static, std::result::Result<(), EffectError>> {
        self.ledger.lock().unwrap().remove(key);
        Box::pin(async move { Ok(()) })
    }
}

impl CredentialSource for Recording {
    fn credential(&self, name: &str) -> BoxFuture<'static, Result<Option<Credential>>> {
        let found = match name {
            "mail" => Some(Credential { kind: "smtp".into(), fields: self.credential.clone() }),
            "model" => Some(Credential { kind: "openai".into(), fields: Map::new() }),
            _ => None,
        };
        Box::pin(async move { Ok(found) })
    }
}

impl Host for Recording {
    atomiton_core::forward_host_basics!(inner);
    fn capabilities(&self) -> Capabilities {
        Capabilities::ALL
    }
    fn mail(&self) -> Option<&dyn MailSender> {
        Some(self)
    }
    fn credentials(&self) -> Option<&dyn CredentialSource> {
        Some(self)
    }
}

fn credential(extra: &[(&str, Value)]) -> Map {
    let mut fields = Map::new();
    for (name, value) in [
        ("host", json!("smtp.example.test")),
        ("username", json!("mailer")),
        ("password", json!(PASSWORD)),
        ("from", json!("Default <default@example.test>")),
    ]
    .into_iter()
    .chain(extra.iter().cloned())
    {
        fields.insert(Str::from(name), value);
    }
    fields
}

/// A host for the runs of one test (its ledger shared by them).
fn host(failure: Option<EffectError>, extra: &[(&str, Value)]) -> Arc<Recording> {
    let host = slow_host(failure, 0.0);
    let mut host = Arc::into_inner(host).expect("not shared yet");
    host.credential = credential(extra);
    Arc::new(host)
}

/// `host`, its server answering after `delay` ms.
fn slow_host(failure: Option<EffectError>, delay: f64) -> Arc<Recording> {
    Arc::new(Recording {
        inner: VirtualHost::new(),
        sent: Mutex::new(Vec::new()),
        ledger: Mutex::new(HashMap::new()),
        failure: Mutex::new(failure),
        delay,
        credential: credential(&[]),
    })
}

fn run_on(host: &Arc<Recording>, parameters: Value, provided: bool) -> ExecutionResult {
    run_as(host, parameters, provided, None)
}

/// `run_on`, the run's execution id given (a retry or a resume keeps its id).
fn run_as(
    host: &Arc<Recording>,
    parameters: Value,
    provided: bool,
    execution_id: Option<&str>,
) -> ExecutionResult {
    let run = prepared(host, parameters, provided, execution_id);
    host.inner.block_on(run)
}

/// A run of one `email` node with `parameters` on `host`, to await.
fn prepared(
    host: &Arc<Recording>,
    parameters: Value,
    provided: bool,
    execution_id: Option<&str>,
) -> impl std::future::Future<Output = ExecutionResult> {
    let Value::Object(parameters) = parameters else { panic!("parameters are an object") };
    let mut node = NodeDefinition::new("send", "email");
    for (key, value) in parameters {
        node = node.with_param(&key, value);
    }
    let mut registry = atomiton_core::nodes::builtin_registry();
    if provided {
        atomiton_email::Email.provide(&mut registry);
    }
    let input = json!({"data": {
        "name": "Ada",
        "email": "ada@example.test",
        "team": "bo@example.test, \"Doe, Cy\" <cy@example.test>",
        "report": "id,total\n1,42\n",
        "blob": Value::bytes(BytesKind::Buffer, vec![0u8, 1, 254, 255]),
        "file": {"content": "x", "path": "/tmp/out/notes.txt"},
    }});
    let options = RunOptions {
        input: Some(input),
        execution_id: execution_id.map(str::to_owned),
        ..Default::default()
    };
    let engine = Engine::with_registry(registry, EngineConfig::default());
    let host_for_run = host.clone();
    async move { engine.run(node, options, host_for_run).await }
}

fn output(result: &ExecutionResult) -> &Value {
    assert!(result.success, "{:?}", result.error);
    result.data.as_ref().expect("an output")
}

#[test]
fn messages_are_written_from_templates_and_parameters() {
    let host = host(None, &[("security", json!("tls"))]);
    let result = run_on(
        &host,
        json!({
            "credential": "mail",
            "from": "Reports <reports@example.test>",
            "to": ["{{ email }}", "{{ team }}"],
            "cc": "dee@example.test",
            "bcc": "audit@example.test",
            "replyTo": "help@example.test",
            "subject": "Hello {{ name }}",
            "text": "Dear {{ name }}",
            "html": "<p>Dear {{ name }}</p>",
            "sendTimeout": 1234
        }),
        true,
    );
    let out = output(&result);
    let sent = host.sent.lock().unwrap();
    let work = &sent[0];
    let message = &work.message;
    assert_eq!(message.from, "Reports <reports@example.test>");
    assert_eq!(
        message.to,
        ["ada@example.test", "bo@example.test", "\"Doe, Cy\" <cy@example.test>"]
    );
    assert_eq!(
        (message.cc.as_slice(), message.bcc.as_slice()),
        (&["dee@example.test".to_owned()][..], &["audit@example.test".to_owned()][..])
    );
    assert_eq!(message.reply_to.as_deref(), Some("help@example.test"));
    assert_eq!(message.subject, "Hello Ada");
    assert_eq!(message.text.as_deref(), Some("Dear Ada"));
    assert_eq!(message.html.as_deref(), Some("<p>Dear Ada</p>"));
    assert!(message.message_id.ends_with("@example.test>"), "{}", message.message_id);
    // The credential's server: implicit TLS on its default port, with its login.
    assert_eq!((work.server.security, work.server.port), (MailSecurity::Tls, 465));
    assert_eq!(work.server.login, Some(("mailer".to_owned(), PASSWORD.to_owned())));
    assert_eq!(work.server.timeout_ms, 1234.0);
    assert!(!format!("{work:?}").contains(PASSWORD), "a debug print shows no password");
    assert_eq!(out.get("recipients").and_then(Value::as_array).map(Vec::len), Some(5));
    assert_eq!(out.get("alreadySent"), Some(&json!(false)));
}

#[test]
fn the_sender_defaults_to_the_credentials_and_the_port_to_the_security() {
    let host = host(None, &[("port", json!(2525))]);
    let result =
        run_on(&host, json!({"credential": "mail", "to": "a@example.test", "text": "x"}), true);
    output(&result);
    let sent = host.sent.lock().unwrap();
    assert_eq!(sent[0].message.from, "Default <default@example.test>");
    assert_eq!((sent[0].server.security, sent[0].server.port), (MailSecurity::StartTls, 2525));
    assert!(sent[0].message.message_id.ends_with("@example.test>"));
}

#[test]
fn attachments_come_from_the_input() {
    let host = host(None, &[]);
    let result = run_on(
        &host,
        json!({
            "credential": "mail",
            "to": "a@example.test",
            "subject": "Files",
            "attachments": [
                {"field": "report", "filename": "{{ name }}.csv"},
                {"field": "blob", "filename": "blob.bin", "contentType": "image/x-test"},
                {"field": "file"}
            ]
        }),
        true,
    );
    output(&result);
    let sent = host.sent.lock().unwrap();
    let files: Vec<(&str, &str, &[u8])> = sent[0]
        .message
        .attachments
        .iter()
        .map(|a| (a.filename.as_str(), a.content_type.as_str(), &*a.data))
        .collect();
    assert_eq!(
        files,
        [
            ("Ada.csv", "text/csv", &b"id,total\n1,42\n"[..]),
            ("blob.bin", "image/x-test", &[0u8, 1, 254, 255][..]),
            ("notes.txt", "text/plain", &b"x"[..]),
        ]
    );
    let missing = run_on(
        &host,
        json!({"credential": "mail", "to": "a@example.test", "text": "x", "attachments": [{"field": "nope"}]}),
        true,
    );
    let message = missing.error.expect("refused").message;
    assert!(message.contains("attachments[0]: the input has nothing at 'nope'"), "{message}");
}

#[test]
fn a_key_sends_once_and_makes_the_message_id() {
    let host = host(None, &[]);
    let parameters = json!({"credential": "mail", "to": "a@example.test", "text": "x", "idempotencyKey": "invoice-42"});
    let first = run_on(&host, parameters.clone(), true);
    let second = run_on(&host, parameters, true);
    assert_eq!(host.sent.lock().unwrap().len(), 1, "one message for the key");
    let (first, second) = (output(&first), output(&second));
    assert_eq!(first.get("alreadySent"), Some(&json!(false)));
    assert_eq!(second.get("alreadySent"), Some(&json!(true)));
    assert_eq!(first.get("messageId"), second.get("messageId"));
    // Without a key, each send has a Message-ID of its own.
    let plain = json!({"credential": "mail", "to": "a@example.test", "text": "x"});
    let (a, b) = (run_on(&host, plain.clone(), true), run_on(&host, plain, true));
    assert_ne!(output(&a).get("messageId"), output(&b).get("messageId"));
    assert_eq!(host.sent.lock().unwrap().len(), 3);
}

#[test]
fn an_auto_key_tells_apart_the_mails_one_node_sends_in_a_run_and_keys_are_the_credentials() {
    let host = host(None, &[]);
    // A for-each's items run the node under the same run and node ids.
    let send = |to: &str| {
        let parameters =
            json!({"credential": "mail", "to": to, "text": "x", "idempotencyKey": "auto"});
        run_as(&host, parameters, true, Some("exec-1"))
    };
    let (a, b) = (send("a@example.test"), send("b@example.test"));
    assert_eq!(host.sent.lock().unwrap().len(), 2, "two items, two mails");
    assert_ne!(output(&a).get("messageId"), output(&b).get("messageId"));
    let again = send("a@example.test");
    assert_eq!(output(&again).get("alreadySent"), Some(&json!(true)), "the same item again");
    assert_eq!(host.sent.lock().unwrap().len(), 2);
    // The same text key under another credential is another key.
    let keyed = |credential: &str| json!({"credential": credential, "to": "a@example.test", "text": "x", "idempotencyKey": "k"});
    output(&run_on(&host, keyed("mail"), true));
    let ledger: Vec<String> = host.ledger.lock().unwrap().keys().cloned().collect();
    assert!(ledger.iter().any(|k| k == "mail\u{0}k"), "{ledger:?}");
}

/// A keyed mail's parameters.
fn keyed(key: &str, timeout: Option<f64>) -> Value {
    let mut parameters =
        json!({"credential": "mail", "to": "a@example.test", "text": "x", "idempotencyKey": key});
    if let (Some(ms), Value::Object(fields)) = (timeout, &mut parameters) {
        fields.insert("timeout", json!(ms));
    }
    parameters
}

#[test]
fn two_runs_with_one_key_at_once_send_one_mail() {
    // The server takes 50 ms to answer: the second run reaches the key while the first sends.
    let host = slow_host(None, 50.0);
    let (first, second) = host.inner.block_on(futures::future::join(
        prepared(&host, keyed("invoice-7", None), true, None),
        prepared(&host, keyed("invoice-7", None), true, None),
    ));
    assert_eq!(host.sent.lock().unwrap().len(), 1, "one mail for the key");
    let (sent, held) = if first.success { (first, second) } else { (second, first) };
    assert_eq!(output(&sent).get("alreadySent"), Some(&json!(false)));
    let error = held.error.expect("the other run fails");
    assert_eq!(error.code, ErrorCode::EXECUTION_FAILED);
    assert!(error.message.contains("is being sent by run"), "{}", error.message);
    assert!(error.message.contains("give the node another idempotencyKey"), "{}", error.message);
    // Once the first is recorded, the key answers from the record.
    let later = run_on(&host, keyed("invoice-7", None), true);
    assert_eq!(output(&later).get("alreadySent"), Some(&json!(true)));
    assert_eq!(host.sent.lock().unwrap().len(), 1);
}

#[test]
fn a_send_the_server_refused_gives_the_key_back() {
    let refused = EffectError::new(EffectErrorKind::Network, "SMTP: connection refused");
    let host = slow_host(Some(refused), 0.0);
    let failed = run_on(&host, keyed("invoice-8", None), true);
    assert_eq!(failed.error.expect("refused").code, ErrorCode::TRANSPORT_ERROR);
    assert!(host.ledger.lock().unwrap().is_empty(), "the claim is given back");
    // The server is back: the same key sends.
    *host.failure.lock().unwrap() = None;
    let sent = run_on(&host, keyed("invoice-8", None), true);
    assert_eq!(output(&sent).get("alreadySent"), Some(&json!(false)));
    assert_eq!(host.sent.lock().unwrap().len(), 2, "the refused attempt and this one");
}

#[test]
fn a_send_cut_short_by_its_timeout_gives_the_key_back() {
    // The node may take 100 ms; the server answers after 10 s.
    let host = slow_host(None, 10_000.0);
    let timed_out = run_on(&host, keyed("invoice-9", Some(100.0)), true);
    assert_eq!(timed_out.error.expect("timed out").code, ErrorCode::TIMEOUT);
    host.inner.block_on(host.inner.sleep(1.0));
    assert!(host.ledger.lock().unwrap().is_empty(), "the dropped send's claim is given back");
}

#[test]
fn a_claim_left_by_a_sender_that_stopped_fails_the_node_and_sends_nothing() {
    let host = host(None, &[]);
    let claim =
        r#"{"sending":{"executionId":"exec-old","nodeId":"send","claimedAt":1767225600000}}"#;
    host.ledger.lock().unwrap().insert("mail\u{0}invoice-10".to_owned(), claim.to_owned());
    let result = run_on(&host, keyed("invoice-10", None), true);
    let error = result.error.expect("refused");
    assert_eq!(error.code, ErrorCode::EXECUTION_FAILED);
    assert!(
        error.message.contains("run 'exec-old' (node 'send') since 2026-01-01T00:00:00.000Z"),
        "{}",
        error.message
    );
    assert!(host.sent.lock().unwrap().is_empty(), "nothing sent");
    assert_eq!(
        host.ledger.lock().unwrap().get("mail\u{0}invoice-10").map(String::as_str),
        Some(claim)
    );
}

#[test]
fn failures_are_coded_and_never_show_the_password() {
    let refused = EffectError::new(
        EffectErrorKind::PermissionDenied,
        format!("SMTP: permanent error (535): bad login for {PASSWORD}"),
    );
    let host = host(Some(refused), &[]);
    let result =
        run_on(&host, json!({"credential": "mail", "to": "a@example.test", "text": "x"}), true);
    let error = result.error.expect("refused");
    assert_eq!(error.code.as_str(), "AUTHENTICATION_FAILED");
    assert!(!error.message.contains(PASSWORD), "{}", error.message);
    let cases = [
        (
            json!({"credential": "model", "to": "a@example.test", "text": "x"}),
            "is of type 'openai'",
        ),
        (
            json!({"credential": "none", "to": "a@example.test", "text": "x"}),
            "No credential is named 'none'",
        ),
        (json!({"credential": "mail", "to": "{{ missing }}", "text": "x"}), "No recipient"),
    ];
    for (parameters, expected) in cases {
        let error = run_on(&host, parameters, true).error.expect("refused");
        assert!(error.message.contains(expected), "{expected}: {}", error.message);
    }
    let plain = host_with_plain_password();
    let error =
        run_on(&plain, json!({"credential": "mail", "to": "a@example.test", "text": "x"}), true)
            .error
            .expect("refused");
    assert!(error.message.contains("would send its password unencrypted"), "{}", error.message);
    assert!(plain.sent.lock().unwrap().is_empty());
}

fn host_with_plain_password() -> Arc<Recording> {
    host(None, &[("security", json!("none"))])
}

#[test]
fn a_build_without_the_crate_says_where_the_node_runs() {
    let host = host(None, &[]);
    let result =
        run_on(&host, json!({"credential": "mail", "to": "a@example.test", "text": "x"}), false);
    let error = result.error.expect("refused");
    assert_eq!(error.code.as_str(), "IMPLEMENTATION_NOT_FOUND", "{}", error.message);
    assert!(error.message.contains("SMTP client"), "{}", error.message);
}

#[test]
fn validation_asks_for_recipients_and_content() {
    let schema_issues = |parameters: Value| -> Vec<String> {
        let Value::Object(parameters) = parameters else { panic!() };
        atomiton_email::node_type()
            .check_parameters(&parameters)
            .into_iter()
            .map(|issue| issue.message)
            .collect()
    };
    let issues = schema_issues(json!({"credential": "mail"}));
    assert!(issues.iter().any(|m| m.contains("'to' is required")), "{issues:?}");
    assert!(issues.iter().any(|m| m.contains("subject, text or html")), "{issues:?}");
    let issues =
        schema_issues(json!({"credential": "mail", "to": [1], "text": "x", "attachments": [{}]}));
    assert!(issues.iter().any(|m| m.contains("array of addresses")), "{issues:?}");
    assert!(issues.iter().any(|m| m.contains("names the input's field")), "{issues:?}");
}
