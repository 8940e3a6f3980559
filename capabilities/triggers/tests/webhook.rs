//! Webhooks over one store, on the virtual-time host: a hook's parameters read and refused, each
//! authentication mode right and wrong, a replayed signature refused, a retried
//! `Idempotency-Key` answered with its first run, bodies read by their content type, and
//! activation refusing a path another flow's hook has.

use std::sync::Arc;

use atomiton_core::host::SharedHost;
use atomiton_core::json;
use atomiton_core::session::{FlowTriggers, HookDelivery, TriggerRef, WebhookRequest};
use atomiton_core::testing::VirtualHost;
use atomiton_core::value::Value;
use atomiton_triggers::webhook::auth::sign;
use atomiton_triggers::webhook::{HookAuth, HookResponse, WebhookSpec};
use atomiton_triggers::{MemoryTriggers, TriggerService};

const SECRET: &str = "s3cret-for-tests";

fn flow(id: &str, parameters: Value) -> Value {
    json!({"id": id, "nodes": [
        {"id": "hook", "type": "webhook", "parameters": parameters},
        {"id": "work", "type": "transform", "parameters": {}},
    ]})
}

fn hook(flow: &str) -> TriggerRef {
    TriggerRef { flow_id: flow.into(), node_id: "hook".into() }
}

fn service(host: &VirtualHost, store: Arc<MemoryTriggers>) -> TriggerService {
    let shared: SharedHost = host.shared();
    TriggerService::new(store, shared, "process")
        .with_secrets(Arc::new(|name: &str| (name == "HOOK_SECRET").then(|| SECRET.to_owned())))
}

fn request(path: &str, headers: &[(&str, &str)], body: &str) -> WebhookRequest {
    WebhookRequest {
        method: "POST".into(),
        path: path.into(),
        query: "a=1&b=x&b=y".into(),
        headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
        body: body.as_bytes().to_vec(),
    }
}

fn status(delivery: &HookDelivery) -> u16 {
    delivery.refused.as_ref().map_or(if delivery.start.is_some() { 200 } else { 0 }, |r| r.status)
}

#[test]
fn a_hooks_parameters_are_read_and_refused_with_what_is_wrong() {
    let spec =
        WebhookSpec::read(&json!({"path": "/orders/created/", "auth": "none"})).expect("read");
    assert_eq!(spec.path, "orders/created");
    assert_eq!(spec.methods, vec!["POST"]);
    assert_eq!(spec.auth, HookAuth::None);
    assert_eq!(spec.response, HookResponse::Accepted);
    assert_eq!(spec.max_bytes, 1024 * 1024);

    let hmac = WebhookSpec::read(&json!({
        "path": "gh", "auth": "hmac", "secretEnv": "GH_SECRET", "header": "X-Hub-Signature-256",
        "methods": ["post", "PUT"], "respond": "node", "responseNode": "work", "responseTimeout": 500,
    }))
    .expect("read");
    assert_eq!(hmac.methods, vec!["POST", "PUT"]);
    assert_eq!(
        hmac.auth,
        HookAuth::Hmac {
            header: "x-hub-signature-256".into(),
            timestamp_header: "x-signature-timestamp".into(),
            secret_env: "GH_SECRET".into(),
            tolerance_s: 300,
        }
    );
    assert_eq!(hmac.response, HookResponse::Node { node: "work".into(), timeout_ms: 500 });

    for (parameters, says) in [
        (json!({"path": "a"}), "'auth' is required"),
        (json!({"path": "a/../b", "auth": "none"}), "'path' must be segments"),
        (json!({"path": "a b", "auth": "none"}), "'path' must be segments"),
        (json!({"path": "a", "auth": "header"}), "'secretEnv' is required"),
        (json!({"path": "a", "auth": "hmac", "secretEnv": "A-B"}), "environment variable's name"),
        (json!({"path": "a", "auth": "none", "secretEnv": "A"}), "'secretEnv' is for auth"),
        (json!({"path": "a", "auth": "none", "methods": ["TRACE"]}), "'methods' must be"),
        (json!({"path": "a", "auth": "none", "respond": "node"}), "'responseNode' is required"),
        (json!({"path": "a", "auth": "none", "responseTimeout": 5}), "'responseTimeout' is for"),
        (json!({"path": "a", "auth": "none", "maxBytes": 1e9}), "'maxBytes' may be at most"),
        (json!({"path": "a", "auth": "basic"}), "'auth' must be"),
        (json!({"path": "a", "auth": "none", "secret": "x"}), "secret"),
    ] {
        let error = WebhookSpec::read(&parameters).expect_err(says);
        assert!(error.message.contains(says), "{parameters:?}: {}", error.message);
    }
}

#[test]
fn each_authentication_mode_accepts_the_right_caller_and_refuses_the_wrong_one() {
    let host = VirtualHost::new();
    let triggers = service(&host, Arc::new(MemoryTriggers::new()));
    let clock = host.shared();
    host.block_on(async move {
        let modes = [
            ("open", json!({"path": "open", "auth": "none"})),
            ("shared", json!({"path": "shared", "auth": "header", "secretEnv": "HOOK_SECRET"})),
            ("signed", json!({"path": "signed", "auth": "hmac", "secretEnv": "HOOK_SECRET", "tolerance": 60})),
            ("login", json!({"path": "login", "auth": "server"})),
            ("unset", json!({"path": "unset", "auth": "header", "secretEnv": "NOT_SET"})),
        ];
        for (id, parameters) in &modes {
            triggers.activate((*id).into(), flow(id, parameters.clone()), None).await.expect("activated");
        }
        let deliver = |flow: &'static str, request: WebhookRequest, authenticated: bool| {
            let triggers = triggers.clone();
            async move { triggers.deliver(hook(flow), request, authenticated).await.expect("answered") }
        };
        assert_eq!(status(&deliver("open", request("open", &[], ""), false).await), 200);

        let right = [("x-webhook-secret", SECRET)];
        let wrong = [("x-webhook-secret", "s3cret-for-test")];
        let started = deliver("shared", request("shared", &right, ""), false).await;
        assert_eq!(status(&started), 200);
        let headers = started.start.expect("a run").trigger;
        assert_eq!(
            headers.get("headers").and_then(|h| h.get("x-webhook-secret")),
            None,
            "the secret's header is not in the run's input"
        );
        assert_eq!(status(&deliver("shared", request("shared", &wrong, ""), false).await), 401);
        assert_eq!(status(&deliver("shared", request("shared", &[], ""), false).await), 401);

        let now_s = (clock.now() / 1000.0) as i64;
        let body = r#"{"order":42}"#;
        let signature = sign(SECRET, now_s, body.as_bytes());
        let (stamp, prefixed) = (now_s.to_string(), format!("sha256={signature}"));
        let signed = [("x-signature", prefixed.as_str()), ("x-signature-timestamp", stamp.as_str())];
        let first = deliver("signed", request("signed", &signed, body), false).await;
        assert_eq!(status(&first), 200);
        let replayed = deliver("signed", request("signed", &signed, body), false).await;
        assert_eq!(status(&replayed), 401);
        assert!(replayed.refused.expect("refused").error.contains("replay"));
        let tampered = deliver("signed", request("signed", &signed, r#"{"order":43}"#), false).await;
        assert_eq!(status(&tampered), 401, "the body is what is signed");
        let old = now_s - 61;
        let stale_signature = sign(SECRET, old, body.as_bytes());
        let old = old.to_string();
        let stale = [("x-signature", stale_signature.as_str()), ("x-signature-timestamp", old.as_str())];
        assert_eq!(
            status(&deliver("signed", request("signed", &stale, body), false).await),
            401,
            "outside the 60 s tolerance"
        );
        let unsigned = [("x-signature-timestamp", stamp.as_str())];
        assert_eq!(status(&deliver("signed", request("signed", &unsigned, body), false).await), 401);

        assert_eq!(status(&deliver("login", request("login", &[], ""), false).await), 401);
        assert_eq!(status(&deliver("login", request("login", &[], ""), true).await), 200);

        let unset = deliver("unset", request("unset", &[("x-webhook-secret", "")], ""), false).await;
        assert_eq!(status(&unset), 500);
        assert!(unset.refused.expect("refused").error.contains("NOT_SET"));
    });
}

#[test]
fn a_retried_idempotency_key_answers_with_its_first_run() {
    let host = VirtualHost::new();
    let triggers = service(&host, Arc::new(MemoryTriggers::new()));
    let clock = host.shared();
    host.block_on(async move {
        let parameters = json!({"path": "orders", "auth": "none", "respond": "result"});
        triggers
            .activate("orders".into(), flow("orders", parameters), None)
            .await
            .expect("activated");
        let keyed = |key: &str| request("orders", &[("idempotency-key", key)], "");
        let first = triggers.deliver(hook("orders"), keyed("k-1"), false).await.expect("answered");
        let run = first.start.clone().expect("a run").execution_id;
        assert_eq!((first.respond.as_str(), first.response_timeout), ("result", Some(30_000.0)));
        let again = triggers.deliver(hook("orders"), keyed("k-1"), false).await.expect("answered");
        assert!(again.start.is_none(), "no second run");
        assert_eq!(again.replayed.as_deref(), Some(run.as_str()));
        let other = triggers.deliver(hook("orders"), keyed("k-2"), false).await.expect("answered");
        assert!(other.start.is_some(), "another key, another run");
        clock.sleep(24.0 * 3600.0 * 1000.0 + 1.0).await;
        let later = triggers.deliver(hook("orders"), keyed("k-1"), false).await.expect("answered");
        assert!(later.start.is_some(), "a day later the key is forgotten");
        let long = "k".repeat(256);
        let refused =
            triggers.deliver(hook("orders"), keyed(&long), false).await.expect("answered");
        assert_eq!(status(&refused), 400);

        // Each delivery that started a run is a fire: listed with its run, newest first; the
        // replayed one and the refused one are not.
        let started = [&first, &other, &later].map(|d| d.start.clone().expect("a run"));
        let fires = triggers.fires(hook("orders"), 10).await.expect("fires").fires;
        let listed: Vec<_> = fires.iter().map(|f| f.execution_id.clone().expect("a run")).collect();
        let expected: Vec<_> = started.iter().rev().map(|s| s.execution_id.clone()).collect();
        assert_eq!(listed, expected);
        assert!(fires.iter().all(|f| f.status == "started"));
        let last = &started[2];
        let at = last.scheduled_at.expect("recorded");
        triggers.ended(hook("orders"), at, true).await.expect("ended");
        let fires = triggers.fires(hook("orders"), 1).await.expect("fires").fires;
        assert_eq!((fires[0].status.as_str(), fires[0].scheduled_at), ("succeeded", at));
    });
}

#[test]
fn a_request_becomes_the_runs_input_read_by_its_content_type() {
    let host = VirtualHost::new();
    let triggers = service(&host, Arc::new(MemoryTriggers::new()));
    host.block_on(async move {
        let parameters =
            json!({"path": "in", "auth": "none", "methods": ["POST", "PUT"], "maxBytes": 64});
        triggers.activate("in".into(), flow("in", parameters), None).await.expect("activated");
        let body = |content_type: &str, body: &str| {
            let request = request("in", &[("content-type", content_type)], body);
            let triggers = triggers.clone();
            async move {
                let answer = triggers.deliver(hook("in"), request, false).await.expect("answered");
                match answer.start {
                    Some(start) => Ok(start.trigger),
                    None => Err(answer.refused.expect("refused").status),
                }
            }
        };
        let json = body("application/json; charset=utf-8", r#"{"a":[1,2]}"#).await.expect("a run");
        assert_eq!(json.get("body"), Some(&json!({"a": [1, 2]})));
        assert_eq!(json.get("query"), Some(&json!({"a": "1", "b": ["x", "y"]})));
        assert_eq!(json.get("type"), Some(&json!("webhook")));
        assert_eq!(json.get("method"), Some(&json!("POST")));
        let text = body("text/plain", "héllo").await.expect("a run");
        assert_eq!(text.get("body"), Some(&json!("héllo")));
        let form =
            body("application/x-www-form-urlencoded", "name=J%C3%BCrgen&x=1").await.expect("a run");
        assert_eq!(form.get("body"), Some(&json!({"name": "Jürgen", "x": "1"})));
        let binary = body("application/octet-stream", "\u{1}\u{2}").await.expect("a run");
        assert!(matches!(binary.get("body"), Some(Value::Ext(_))), "bytes");
        assert_eq!(body("application/json", "{nope").await.expect_err("refused"), 400);
        assert_eq!(body("text/plain", &"x".repeat(65)).await.expect_err("refused"), 413);

        let route = triggers.hook("in".into(), "GET".into()).await.expect("answered");
        let refused = route.refused.expect("refused");
        assert_eq!((refused.status, refused.allow), (405, Some(vec!["POST".into(), "PUT".into()])));
        let route = triggers.hook("/in/".into(), "put".into()).await.expect("answered");
        assert_eq!((route.trigger.as_deref(), route.max_bytes), (Some("in/hook"), 64.0));
        let missing = triggers.hook("nowhere".into(), "POST".into()).await.expect("answered");
        assert_eq!(missing.refused.expect("refused").status, 404);

        triggers.set_paused(hook("in"), true).await.expect("paused");
        let paused = triggers.hook("in".into(), "POST".into()).await.expect("answered");
        assert_eq!(paused.refused.expect("refused").status, 404, "a paused hook answers nothing");
    });
}

#[test]
fn activation_refuses_a_path_another_flow_listens_on_and_a_missing_response_node() {
    let host = VirtualHost::new();
    let triggers = service(&host, Arc::new(MemoryTriggers::new()));
    host.block_on(async move {
        let parameters = json!({"path": "shared/path", "auth": "none"});
        triggers
            .activate("a".into(), flow("a", parameters.clone()), None)
            .await
            .expect("activated");
        triggers
            .activate("a".into(), flow("a", parameters.clone()), None)
            .await
            .expect("again: its own path");
        let error =
            triggers.activate("b".into(), flow("b", parameters), None).await.expect_err("taken");
        assert!(error.message.contains("already the webhook of a/hook"), "{}", error.message);
        let missing =
            json!({"path": "c", "auth": "none", "respond": "node", "responseNode": "gone"});
        let error =
            triggers.activate("c".into(), flow("c", missing), None).await.expect_err("refused");
        assert!(error.message.contains("not a node of the flow"), "{}", error.message);
        triggers.deactivate("a".into()).await.expect("deactivated");
        let parameters = json!({"path": "shared/path", "auth": "none"});
        triggers.activate("b".into(), flow("b", parameters), None).await.expect("free again");
    });
}

#[test]
fn a_hooks_own_headers_limits_and_response_are_what_its_requests_get() {
    let host = VirtualHost::new();
    let triggers = service(&host, Arc::new(MemoryTriggers::new()));
    let clock = host.shared();
    host.block_on(async move {
        let parameters = json!({
            "path": "github", "auth": "hmac", "secretEnv": "HOOK_SECRET",
            "header": "X-Hub-Signature-256", "timestampHeader": "X-Hub-Time", "tolerance": 10,
            "respond": "node", "responseNode": "work", "responseTimeout": 1500,
            "runsPerMinute": 2, "concurrentRuns": 1, "maxBytes": 100, "methods": ["PUT"],
        });
        triggers.activate("gh".into(), flow("gh", parameters), None).await.expect("activated");
        let route = triggers.hook("github".into(), "PUT".into()).await.expect("answered");
        assert_eq!(
            (route.max_bytes, route.runs_per_minute, route.concurrent_runs, route.server_auth),
            (100.0, Some(2.0), Some(1.0), false)
        );
        let now_s = (clock.now() / 1000.0) as i64;
        let body = "{}";
        let signature = sign(SECRET, now_s, body.as_bytes());
        let stamp = now_s.to_string();
        let mut put =
            request("github", &[("x-hub-signature-256", &signature), ("x-hub-time", &stamp)], body);
        put.method = "PUT".into();
        let answer = triggers.deliver(hook("gh"), put.clone(), false).await.expect("answered");
        assert!(answer.start.is_some(), "signed in its own headers: {:?}", answer.refused);
        assert_eq!(
            (answer.respond.as_str(), answer.response_node.as_deref(), answer.response_timeout),
            ("node", Some("work"), Some(1500.0))
        );
        // Its default headers mean nothing to it; 11 s later its 10 s tolerance is past.
        let defaults =
            [("x-signature", signature.as_str()), ("x-signature-timestamp", stamp.as_str())];
        let mut other = request("github", &defaults, body);
        other.method = "PUT".into();
        assert_eq!(
            status(&triggers.deliver(hook("gh"), other, false).await.expect("answered")),
            401
        );
        clock.sleep(11_000.0).await;
        let late = sign(SECRET, now_s, b"{ }");
        let mut stale =
            request("github", &[("x-hub-signature-256", &late), ("x-hub-time", &stamp)], "{ }");
        stale.method = "PUT".into();
        assert_eq!(
            status(&triggers.deliver(hook("gh"), stale, false).await.expect("answered")),
            401
        );
    });
}

#[test]
fn a_delivery_after_another_processs_burst_in_the_same_ms_is_still_listed_with_its_run() {
    let host = VirtualHost::new();
    let store = Arc::new(MemoryTriggers::new());
    let first = service(&host, store.clone());
    let shared: SharedHost = host.shared();
    let second = TriggerService::new(store, shared, "another process");
    host.block_on(async move {
        let parameters = json!({"path": "orders", "auth": "none"});
        first.activate("orders".into(), flow("orders", parameters), None).await.expect("activated");
        // The clock stands still: 100 deliveries to one process take the 100 keys from now on,
        // then one to the other process must find a key past them (64 one by one did not).
        let mut runs = Vec::new();
        for n in 0..100 {
            let delivered = first
                .deliver(hook("orders"), request("orders", &[], &format!("{n}")), false)
                .await
                .expect("answered");
            runs.push(delivered.start.expect("a run"));
        }
        let late = second
            .deliver(hook("orders"), request("orders", &[], "late"), false)
            .await
            .expect("answered")
            .start
            .expect("a run");
        let last_of_burst = runs.iter().filter_map(|r| r.scheduled_at).fold(f64::MIN, f64::max);
        let key = late.scheduled_at.expect("the late delivery is recorded");
        assert!(key > last_of_burst && key <= last_of_burst + 200.0, "{key} after {last_of_burst}");
        runs.push(late);

        let fires = second.fires(hook("orders"), 1000).await.expect("fires").fires;
        let mut listed: Vec<_> = fires.iter().filter_map(|f| f.execution_id.clone()).collect();
        let mut started: Vec<_> = runs.iter().map(|r| r.execution_id.clone()).collect();
        listed.sort();
        started.sort();
        assert_eq!(listed, started, "each delivery listed once, with its run");
    });
}
