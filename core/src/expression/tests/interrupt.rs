//! Stopping calls from outside, the memory budget and a bound shared by many calls' results.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use crate::json;
use crate::value::Value;

use super::super::{CallContext, Expression, ExpressionErrorKind, Interrupt, Limits, OutputBudget};
use super::{assert_kind, run};

struct Flag(Arc<AtomicBool>);

impl Interrupt for Flag {
    fn interrupted(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Work that would take hours: a budget of 10^12 steps spent on nested maps.
const FOREVER: &str = "x => { const a = [...'abcdefghijklmnopqrstuvwxyz'.repeat(40)]; return a.map(() => a.map(() => a.map(() => a.map(() => a.length)))).length }";

fn forever_limits() -> Limits {
    Limits { max_steps: 1_000_000_000_000, ..Limits::default() }
}

/// Runs `work` on a thread and fails the test if it has not ended within two minutes: a stop
/// that does not work hangs, it is never merely slow.
fn within_watchdog<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, ended) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(work());
    });
    ended
        .recv_timeout(Duration::from_secs(120))
        .expect("the call did not stop: hung past the watchdog")
}

#[test]
fn an_interrupt_set_before_the_call_stops_it_at_its_first_look() {
    let limits = forever_limits();
    let program = Expression::compile_function(FOREVER, &[], &limits).unwrap();
    let flag = Flag(Arc::new(AtomicBool::new(true)));
    let cx = CallContext { interrupt: Some(&flag), output: None };
    let error = program.call_in(&[&json!(0)], &limits, cx).unwrap_err();
    assert_kind(&error, ExpressionErrorKind::Cancelled);
    assert_eq!(
        error.to_string(),
        "CancelledError: Expression stopped: its run was cancelled or timed out"
    );
}

#[test]
fn an_interrupt_set_from_another_thread_stops_a_call_in_progress() {
    let flag = Arc::new(AtomicBool::new(false));
    let setter = flag.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        setter.store(true, Ordering::Relaxed);
    });
    let error = within_watchdog(move || {
        let limits = forever_limits();
        let program = Expression::compile_function(FOREVER, &[], &limits).unwrap();
        let flag = Flag(flag);
        let cx = CallContext { interrupt: Some(&flag), output: None };
        program.call_in(&[&json!(0)], &limits, cx).unwrap_err()
    });
    assert_kind(&error, ExpressionErrorKind::Cancelled);
}

#[test]
fn conditions_and_filters_can_be_interrupted_too() {
    let limits = forever_limits();
    let body = FOREVER.trim_start_matches("x => ");
    let program = Expression::compile_expression(
        &format!("(x => {body})(iteration) > 0"),
        &["iteration"],
        &limits,
    )
    .unwrap();
    let flag = Flag(Arc::new(AtomicBool::new(true)));
    let error = program
        .test_in(&[&json!(0)], &limits, CallContext { interrupt: Some(&flag), output: None })
        .unwrap_err();
    assert_kind(&error, ExpressionErrorKind::Cancelled);
}

#[test]
fn an_unset_interrupt_changes_nothing() {
    let limits = Limits::default();
    let program = Expression::compile_function(
        "xs => xs.map(x => x * 2).reduce((a, b) => a + b, 0)",
        &[],
        &limits,
    )
    .unwrap();
    let flag = Flag(Arc::new(AtomicBool::new(false)));
    let input = Value::Array((0..20_000).map(|i| json!(i)).collect());
    let cx = CallContext { interrupt: Some(&flag), output: None };
    assert_eq!(program.call_in(&[&input], &limits, cx).unwrap(), Some(json!(399_980_000)));
    // The step budget still ends a call whose interrupt is never set.
    let endless = Expression::compile_function(FOREVER, &[], &limits).unwrap();
    assert_kind(
        &endless.call_in(&[&json!(0)], &limits, cx).unwrap_err(),
        ExpressionErrorKind::Budget,
    );
}

#[test]
fn memory_is_budgeted_before_it_is_allocated() {
    // Each string is within the 16 MiB string limit and costs only 65,536 steps; five of them
    // are more than the 64 MiB memory budget, and the fifth is refused before it is built.
    let error =
        run("x => [1, 2, 3, 4, 5].map(() => 'a'.repeat(2 ** 24))", &[json!(0)]).unwrap_err();
    assert_kind(&error, ExpressionErrorKind::Budget);
    assert_eq!(error.message, "Expression exceeded its memory budget of 67108864 bytes");
    // Arrays count too: spreading a large array into itself over and over.
    let error = run(
        "xs => [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].reduce(a => [...a, ...a], xs).length",
        &[Value::Array(vec![json!(0); 40_000])],
    )
    .unwrap_err();
    assert_kind(&error, ExpressionErrorKind::Budget);
    // What fits still runs.
    assert_eq!(
        run("x => [1, 2, 3].map(() => 'a'.repeat(2 ** 24)).length", &[json!(0)]).unwrap(),
        Some(json!(3))
    );
    let small = Limits { max_memory_bytes: 1000, ..Limits::default() };
    let program = Expression::compile_function("n => 'ab'.repeat(n)", &[], &small).unwrap();
    assert!(program.call(&[&json!(100)], &small).is_ok());
    assert_kind(&program.call(&[&json!(1000)], &small).unwrap_err(), ExpressionErrorKind::Budget);
}

#[test]
fn calls_sharing_an_output_budget_fail_once_their_results_together_exceed_it() {
    let limits = Limits::default();
    let program = Expression::compile_function("n => 'x'.repeat(n)", &[], &limits).unwrap();
    let budget = OutputBudget::new(1000);
    let cx = CallContext { interrupt: None, output: Some(&budget) };
    for _ in 0..4 {
        assert!(program.call_in(&[&json!(200)], &limits, cx).is_ok());
    }
    assert_eq!(budget.left(), 1000 - 4 * 202);
    let error = program.call_in(&[&json!(200)], &limits, cx).unwrap_err();
    assert_kind(&error, ExpressionErrorKind::Budget);
    assert_eq!(
        error.message,
        "Output exceeds the node's output limit of 1000 bytes (limits.maxOutputBytes raises it)"
    );
    assert!(error.is_output_limit());
    // Numbers from the fast path are charged too.
    let double = Expression::compile_function("x => x * 2", &[], &limits).unwrap();
    let budget = OutputBudget::new(20);
    let cx = CallContext { interrupt: None, output: Some(&budget) };
    assert!(double.call_in(&[&json!(1)], &limits, cx).is_ok());
    assert!(double.call_in(&[&json!(1)], &limits, cx).is_ok());
    assert_kind(
        &double.call_in(&[&json!(1)], &limits, cx).unwrap_err(),
        ExpressionErrorKind::Budget,
    );
}
