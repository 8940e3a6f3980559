//! The decisions the TypeScript layer asks the engine for instead of making them itself (its
//! module functions `retryDelay` and `executionId`): a whole flow's retries follow the same
//! policy as a node's, and a run's id is made in one place.

use atomiton_core::session::catalog::{execution_id, retry_delay};

/// `retryDelay`'s answer to a question written as JSON (its absent fields are empty text).
fn answer(question: &str, random: f64) -> serde_json::Value {
    let question: serde_json::Value = serde_json::from_str(question).unwrap();
    let field = |name: &str| match &question[name] {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(text) => text.clone(),
        number => number.to_string(),
    };
    let fields = ["attempt", "retries", "maxRetries", "retryDelay", "retryAfterMs"].map(field);
    let texts = [&*fields[0], &*fields[1], &*fields[2], &*fields[3], &*fields[4]];
    serde_json::from_str(&retry_delay(texts, || random)).unwrap()
}

/// The wait `retryDelay` answers `question` with, with `random` as every draw.
fn delay(question: &str, random: f64) -> Option<f64> {
    let answer = answer(question, random);
    assert_eq!(answer["ok"], true, "{answer}");
    answer["value"].as_f64()
}

#[test]
fn a_flow_is_retried_while_attempts_remain_with_the_nodes_backoff() {
    let q = |attempt: u32| format!(r#"{{"attempt":{attempt},"retries":3,"retryDelay":100}}"#);
    assert_eq!(delay(&q(1), 0.0), Some(50.0));
    assert_eq!(delay(&q(2), 0.0), Some(100.0));
    assert_eq!(delay(&q(3), 0.999_999), Some(399.9998));
    assert_eq!(delay(&q(4), 0.0), None, "three retries: no fourth");
}

#[test]
fn retries_are_capped_by_max_retries_and_default_to_none() {
    assert_eq!(delay(r#"{"attempt":3,"retries":10,"maxRetries":2}"#, 0.0), None);
    assert_eq!(delay(r#"{"attempt":2,"retries":10,"maxRetries":2}"#, 0.0), Some(1000.0));
    // The engine's cap (3) when the conductor sets none, and no retry when none is asked for.
    assert_eq!(delay(r#"{"attempt":4,"retries":10}"#, 0.0), None);
    assert_eq!(delay(r#"{"attempt":1}"#, 0.0), None);
    // The engine's first wait (1 s) when neither the request nor the conductor gives one.
    assert_eq!(delay(r#"{"attempt":1,"retries":1}"#, 1.0), Some(1000.0));
}

#[test]
fn a_failure_that_asks_for_a_wait_gets_it_or_no_retry() {
    assert_eq!(
        delay(r#"{"attempt":1,"retries":1,"retryDelay":10,"retryAfterMs":5000}"#, 0.0),
        Some(5000.0)
    );
    assert_eq!(delay(r#"{"attempt":1,"retries":1,"retryAfterMs":60000}"#, 0.0), None);
}

#[test]
fn a_malformed_question_is_a_coded_refusal() {
    for question in
        [r#"{"attempt":"one"}"#, r#"{"attempt":1,"retries":"NaN"}"#, r#"{"attempt":"inf"}"#]
    {
        let answer = answer(question, 0.0);
        assert_eq!(answer["ok"], false, "{question}");
        assert_eq!(answer["error"]["code"], "VALIDATION_FAILED", "{question}");
    }
}

#[test]
fn a_run_id_is_the_given_one_or_a_fresh_uuid() {
    assert_eq!(execution_id("mine", || 0.5), "mine");
    let mut draws = [0.1, 0.9, 0.3, 0.7].into_iter().cycle();
    let made = execution_id("", || draws.next().unwrap_or(0.0));
    let uuid = made.strip_prefix("exec_").unwrap();
    let parts: Vec<&str> = uuid.split('-').collect();
    assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{made}");
    assert!(parts[2].starts_with('4'), "version 4: {made}");
    assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"), "RFC 4122 variant: {made}");
    assert_ne!(execution_id("", fastish()), execution_id("", fastish()));
}

/// A different stream of draws per call.
fn fastish() -> impl FnMut() -> f64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEED: AtomicU64 = AtomicU64::new(1);
    let mut state = SEED.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed);
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    }
}
