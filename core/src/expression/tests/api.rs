//! Public API contracts: thread safety, result conversion, errors, defaults.

use std::sync::Arc;

use crate::json;
use crate::value::Value;

use super::super::{is_truthy, Expression, ExpressionError, ExpressionErrorKind, Limits};
use super::{eval, limits, run};

#[test]
fn expression_is_send_and_sync_and_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Expression>();
    assert_send_sync::<ExpressionError>();
    let lim = limits();
    let e = Arc::new(Expression::compile_function("x => x.n * 2", &[], &lim).unwrap());
    let handles: Vec<_> = (0..2)
        .map(|t| {
            let e = Arc::clone(&e);
            std::thread::spawn(move || {
                let lim = Limits::default();
                (0..1000)
                    .map(|i| {
                        e.call(&[&json!({"n": i + t})], &lim).unwrap().unwrap().as_i64().unwrap()
                    })
                    .sum::<i64>()
            })
        })
        .collect();
    let sums: Vec<i64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(sums, vec![999_000, 1_001_000]);
}

#[test]
fn results_are_the_values_javascript_computes() {
    assert_eq!(serde_json::to_string(&eval("2 * 2")).unwrap(), "4");
    assert_eq!(serde_json::to_string(&eval("0.5 * 3")).unwrap(), "1.5");
    assert_eq!(eval("-0"), Value::from(-0.0), "-0 stays -0");
    assert_eq!(eval("2 ** 53"), json!(9_007_199_254_740_992u64));
    assert_eq!(eval("2 ** 54").as_f64(), Some(18_014_398_509_481_984.0));
    let special = eval("[NaN, Infinity, -Infinity, undefined]");
    assert_eq!(
        special,
        Value::Array(vec![
            Value::from(f64::NAN),
            Value::from(f64::INFINITY),
            Value::from(f64::NEG_INFINITY),
            Value::Undefined
        ])
    );
    let mut object = crate::value::Map::new();
    object.insert("a".to_owned(), Value::Undefined);
    object.insert("b".to_owned(), Value::from(1));
    assert_eq!(
        eval("({a: undefined, b: 1})"),
        Value::Object(object),
        "an undefined property is kept, in order"
    );
    assert_eq!(run("undefined", &[]).unwrap(), None);
    assert_eq!(run("x => x", &[]).unwrap(), None);
    assert_eq!(run("[].find(x => x)", &[]).unwrap(), None);
    assert_eq!(eval("null"), Value::Null);
}

#[test]
fn a_function_cannot_leave_an_expression() {
    for (src, at) in [
        ("[1, x => x]", "result[1]"),
        ("({a: {b: [0, Math.max]}})", "result.a.b[1]"),
        ("x => y => y", "result"),
    ] {
        let error = run(src, &[]).expect_err(src);
        assert_eq!(error.kind, ExpressionErrorKind::Type, "{src}");
        assert!(error.message.contains(&format!("(at {at})")), "{src}: {}", error.message);
    }
}

#[test]
fn is_truthy_matches_javascript() {
    let falsy = [json!(null), json!(false), json!(0), json!(0.0), json!(-0.0), json!("")];
    let truthy = [
        json!(true),
        json!(1),
        json!(-1),
        json!("0"),
        json!(" "),
        json!([]),
        json!({}),
        json!(0.1),
    ];
    assert!(falsy.iter().all(|v| !is_truthy(v)));
    assert!(truthy.iter().all(is_truthy));
}

#[test]
fn errors_display_with_kind() {
    let e = Expression::compile_function("x => x.a)", &[], &limits()).unwrap_err();
    assert_eq!(e.to_string(), "SyntaxError: Unexpected token ')' at 8");
    let e = Expression::compile_function("nope", &[], &limits()).unwrap_err();
    assert_eq!(e.to_string(), "ReferenceError: Unknown identifier 'nope'");
    assert_eq!(e.position, Some(0));
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.to_string().contains("nope"));
    let e = run("x => x.y.z", &[json!({})]).unwrap_err();
    assert_eq!(e.kind, ExpressionErrorKind::Type);
    assert_eq!(e.position, Some(5));
}

#[test]
fn defaults_and_accessors() {
    let d = Limits::default();
    assert_eq!(
        (d.max_steps, d.max_depth, d.max_string_len, d.max_array_len),
        (1_000_000, 200, 16 * 1024 * 1024, 10_000_000)
    );
    let lim = limits();
    let e = Expression::compile_function("({a, b}) => a", &[], &lim).unwrap();
    assert_eq!(e.param_count(), 1);
    assert_eq!(e.source(), "({a, b}) => a");
    let e = Expression::compile_expression("a + b", &["a", "b", "c"], &lim).unwrap();
    assert_eq!(e.param_count(), 3);
    assert_eq!(e.evaluate(&[&json!(1), &json!(2)], &lim).unwrap(), Some(json!(3)));
    // The configured depth applies to parsing.
    let shallow = Limits { max_depth: 5, ..Limits::default() };
    assert!(Expression::compile_expression("((((((1))))))", &[], &shallow).is_err());
    assert!(Expression::compile_expression("((1))", &[], &shallow).is_ok());
}

#[test]
fn compiled_expressions_are_reusable() {
    let lim = limits();
    let e = Expression::compile_function("x => ({ ...x, total: x.a + x.b })", &[], &lim).unwrap();
    for i in 0..100 {
        let input = json!({"a": i, "b": 1});
        assert_eq!(e.call(&[&input], &lim).unwrap(), Some(json!({"a": i, "b": 1, "total": i + 1})));
    }
}

#[test]
fn objects_enumerate_integer_keys_first_as_v8_does() {
    let limits = Limits::default();
    let run = |source: &str, arg: Value| {
        Expression::compile_function(source, &["x"], &limits)
            .unwrap()
            .call(&[&arg], &limits)
            .unwrap()
            .unwrap()
    };
    // Created objects, their keys, JSON text and materialised results.
    assert_eq!(
        serde_json::to_string(&run("x => ({b: 1, 2: 'x', a: 3, 1: 'y'})", Value::Null)).unwrap(),
        r#"{"1":"y","2":"x","b":1,"a":3}"#
    );
    assert_eq!(
        run("x => Object.keys({b: 1, 10: 'x', 9: 'y'})", Value::Null),
        crate::json!(["9", "10", "b"])
    );
    assert_eq!(
        run("x => JSON.stringify({z: 0, 3: 1})", Value::Null),
        crate::json!(r#"{"3":1,"z":0}"#)
    );
    // Input objects (from YAML, or another node) enumerate the same way.
    assert_eq!(
        run("x => Object.entries(x)", crate::json!({"b": 1, "1": 2})),
        crate::json!([["1", 2], ["b", 1]])
    );
    // Not array indices: leading zeros, negatives, 2^32 - 1 stay in insertion order.
    assert_eq!(
        run("x => Object.keys({b: 1, '01': 2, '-1': 3, 4294967295: 4})", Value::Null),
        crate::json!(["b", "01", "-1", "4294967295"])
    );
}
