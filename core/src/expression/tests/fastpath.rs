//! The numeric fast tier must agree exactly with the general interpreter.

use crate::json;
use crate::value::Value;

use super::super::{Expression, ExpressionErrorKind, Limits};
use super::limits;

/// Compiles `src` twice: with and without the fast tier.
fn pair(src: &str, implicit: &[&str]) -> (Expression, Expression) {
    let lim = limits();
    let fast = Expression::compile_function(src, implicit, &lim).unwrap();
    let mut slow = Expression::compile_function(src, implicit, &lim).unwrap();
    slow.fast = None;
    (fast, slow)
}

fn inputs() -> Vec<Value> {
    vec![
        json!(0),
        json!(-0.0),
        json!(1),
        json!(2.5),
        json!(-7),
        json!(1e308),
        json!(9007199254740993u64),
        json!("3"),
        json!("x"),
        json!(null),
        json!(true),
        json!([1]),
        json!({}),
        json!({"price": 150}),
        json!({"price": 100}),
        json!({"price": "150"}),
        json!({"price": null}),
        json!({"price": " 0x1F "}),
        json!({"price": "1e3", "a": true}),
        json!({"price": "", "a": false}),
        json!({"price": "-0"}),
        json!({"price": "12abc"}),
        json!({"price": "9".repeat(300)}),
        json!({"price": [5]}),
        json!({"price": {"valueOf": 1}}),
        json!({"a": {"b": 4}}),
        json!({"a": {"b": [1, 2]}}),
        json!({"acc": 1, "item": 2}),
        json!({"acc": "a", "item": 2}),
        json!({"items": [1, 2, 3], "s": "héllo"}),
    ]
}

#[test]
fn fast_tier_matches_interpreter_for_calls() {
    let sources = [
        "x => x * 2",
        "x => x + 1",
        "x => -x / 3",
        "x => x % 4 - x ** 2",
        "x => +x",
        "x => x > 1 && x <= 100 || !(x === 0)",
        "x => x != x",
        "x => x == 1",
        "item => item.price > 100",
        "item => item.price * 1.2",
        "x => x.a.b - 1",
        "({acc, item}) => acc + item",
        "({acc, item}) => acc * item >= 2",
        "x => x.items.length * 2",
        "x => x.s.length",
        "(a, b) => a - b",
        "x => 2 ** x ** 0.5",
        "x => x / 0",
        "x => 0 / 0 === x",
        "row => Number(row.price) >= 100",
        "row => Number(row.price) * 2 + Number(row.a)",
        "x => Number(x) < 5 || Number(x.s) !== Number(x.s)",
    ];
    let lim = limits();
    for src in sources {
        let (fast, slow) = pair(src, &[]);
        assert!(fast.fast.is_some(), "{src} should have a fast tier");
        for a in inputs() {
            for b in inputs().into_iter().take(6) {
                let f = fast.call(&[&a, &b], &lim);
                let s = slow.call(&[&a, &b], &lim);
                match (&f, &s) {
                    (Ok(x), Ok(y)) => assert_eq!(x, y, "{src} with {a} {b}"),
                    (Err(x), Err(y)) => assert_eq!(x.kind, y.kind, "{src} with {a} {b}"),
                    _ => panic!("{src} with {a} {b}: fast {f:?} vs slow {s:?}"),
                }
            }
        }
    }
}

#[test]
fn fast_tier_matches_interpreter_for_fields_and_variables() {
    let lim = limits();
    for src in [
        "({acc, item}) => acc + item",
        "(acc, item) => acc + item",
        "ctx => ctx.acc + ctx.item",
        "({item}) => item * 2",
    ] {
        let (fast, slow) = pair(src, &[]);
        assert!(fast.fast.is_some(), "{src}");
        for acc in inputs() {
            for item in inputs().into_iter().take(8) {
                let fields = [("acc", &acc), ("item", &item), ("index", &item)];
                let f = fast.call_with_fields(&fields, &lim).map_err(|e| e.kind);
                let s = slow.call_with_fields(&fields, &lim).map_err(|e| e.kind);
                assert_eq!(f, s, "{src} with {acc} {item}");
            }
        }
    }
    let fast = Expression::compile_expression(
        "iteration < 10 && iteration % 2 === 0",
        &["iteration", "lastResult"],
        &lim,
    )
    .unwrap();
    let mut slow = Expression::compile_expression(
        "iteration < 10 && iteration % 2 === 0",
        &["iteration", "lastResult"],
        &lim,
    )
    .unwrap();
    slow.fast = None;
    assert!(fast.fast.is_some());
    for v in inputs() {
        assert_eq!(
            fast.evaluate(&[&v], &lim).map_err(|e| e.kind),
            slow.evaluate(&[&v], &lim).map_err(|e| e.kind),
            "{v}"
        );
    }
}

#[test]
fn fast_tier_respects_the_step_budget() {
    let lim = Limits { max_steps: 2, ..Limits::default() };
    let e = Expression::compile_function("x => x * 2 + 1", &[], &lim).unwrap();
    assert_eq!(e.call(&[&json!(1)], &lim).unwrap_err().kind, ExpressionErrorKind::Budget);
}

#[test]
fn non_numeric_shapes_have_no_fast_tier() {
    // A block that only returns is the expression itself.
    assert!(pair("x => { return x * 2; }", &[]).0.fast.is_some());
    assert!(pair("x => { const y = x; return y * 2; }", &[]).0.fast.is_none());
    for src in [
        "x => x + 'a'",
        "x => ({x})",
        "x => x * 2 ?? 0",
        "x => x?.a * 2",
        "x => x[0] * 2",
        "x => Math.abs(x)",
    ] {
        let (fast, _) = pair(src, &[]);
        assert!(fast.fast.is_none(), "{src}");
    }
}

#[test]
fn mapping_numbers_in_one_loop_matches_calling_item_by_item() {
    let numbers: Vec<Value> = [
        0.0,
        -0.0,
        1.0,
        2.5,
        -7.0,
        1e308,
        -1e308,
        9_007_199_254_740_993.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e-310,
    ]
    .into_iter()
    .map(Value::from)
    .collect();
    let sources = [
        "x => x * 2",
        "x => x + 1",
        "x => x - 0.5",
        "x => x / 3",
        "x => 2 * x",
        "x => 1 + x",
        "x => 100 - x",
        "x => 1 / x",
        "x => x % 3",
        "x => 3 % x",
        "x => x ** 2",
        "x => 2 ** x",
        "x => -x",
        "x => x * 2 + 1",
        "x => x > 1",
        "x => x === x",
    ];
    let lim = limits();
    for src in sources {
        let (fast, slow) = pair(src, &["x"]);
        let mut mapped = vec![json!("before")];
        assert!(
            fast.map_numbers(&numbers, &lim, super::super::CallContext::default(), &mut mapped),
            "{src}"
        );
        let expected: Vec<Value> = std::iter::once(json!("before"))
            .chain(numbers.iter().map(|n| slow.call(&[n], &lim).unwrap().unwrap()))
            .collect();
        assert_eq!(format!("{mapped:?}"), format!("{expected:?}"), "{src}");
    }
    // Anything but numbers: nothing pushed, and the caller goes item by item.
    let (fast, _) = pair("x => x * 2", &["x"]);
    let mut mapped = Vec::new();
    assert!(!fast.map_numbers(
        &[json!(1), json!("2")],
        &lim,
        super::super::CallContext::default(),
        &mut mapped
    ));
    assert!(mapped.is_empty());
}
