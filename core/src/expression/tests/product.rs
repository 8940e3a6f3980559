//! Every expression the product documentation quotes, through the public API.

use crate::json;
use crate::value::Value;

use super::super::{is_truthy, Expression, ExpressionErrorKind};
use super::{call1, limits, run};

#[test]
fn double_maps_numbers_to_integers() {
    let lim = limits();
    let e = Expression::compile_function("x => x * 2", &["item"], &lim).unwrap();
    let inputs = [json!(1), json!(2.5), json!(-3), json!(0), json!(1e300)];
    let outputs: Vec<Value> = inputs.iter().map(|v| e.call(&[v], &lim).unwrap().unwrap()).collect();
    assert_eq!(outputs, vec![json!(2), json!(5), json!(-6), json!(0), json!(2e300)]);
    // Integral results serialise without a fraction, like JSON.stringify.
    assert_eq!(serde_json::to_string(&outputs[0]).unwrap(), "2");
    assert_eq!(serde_json::to_string(&outputs[1]).unwrap(), "5");
    assert_eq!(serde_json::to_string(&outputs[2]).unwrap(), "-6");
}

#[test]
fn spread_adds_processed_and_keeps_key_order() {
    let v = call1(
        "item => ({ ...item, processed: true })",
        json!({"zeta": 1, "alpha": {"deep": [1, 2]}}),
    );
    assert_eq!(
        serde_json::to_string(&v).unwrap(),
        r#"{"zeta":1,"alpha":{"deep":[1,2]},"processed":true}"#
    );
    // Overriding an existing key keeps its original position (JS semantics).
    let v = call1("item => ({ ...item, zeta: 0 })", json!({"zeta": 1, "alpha": 2}));
    assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"zeta":0,"alpha":2}"#);
}

#[test]
fn price_filter_predicate() {
    let lim = limits();
    let e = Expression::compile_function("item => item.price > 100", &[], &lim).unwrap();
    let items = [
        json!({"price": 150}),
        json!({"price": 100}),
        json!({"price": "200"}),
        json!({}),
        json!({"price": null}),
    ];
    let kept: Vec<bool> =
        items.iter().map(|i| is_truthy(&e.call(&[i], &lim).unwrap().unwrap())).collect();
    assert_eq!(kept, vec![true, false, true, false, false]);
}

#[test]
fn reduce_with_destructured_fields() {
    let lim = limits();
    let e = Expression::compile_function("({acc, item}) => acc + item", &[], &lim).unwrap();
    let mut acc = json!(0);
    for i in 1..=10 {
        let item = json!(i);
        acc = e
            .call_with_fields(&[("acc", &acc), ("item", &item), ("index", &json!(i - 1))], &lim)
            .unwrap()
            .unwrap();
    }
    assert_eq!(acc, json!(55));
    // Field order does not matter for destructuring.
    let r = e.call_with_fields(&[("item", &json!("b")), ("acc", &json!("a"))], &lim).unwrap();
    assert_eq!(r, Some(json!("ab")));
    // Missing fields are undefined.
    let r = e.call_with_fields(&[("acc", &json!(1))], &lim).unwrap();
    assert_eq!(r, Some(Value::from(f64::NAN)), "1 + undefined is NaN, which serialises as null");
}

#[test]
fn reduce_with_positional_parameters() {
    let lim = limits();
    let e = Expression::compile_function("(acc, item) => acc + item", &[], &lim).unwrap();
    let r = e.call_with_fields(&[("acc", &json!(40)), ("item", &json!(2))], &lim).unwrap();
    assert_eq!(r, Some(json!(42)));
    let r = e.call(&[&json!([1]), &json!([2])], &lim).unwrap();
    assert_eq!(r, Some(json!("12")));
}

#[test]
fn reduce_with_single_object_parameter_builds_the_object() {
    let lim = limits();
    let e =
        Expression::compile_function("ctx => ctx.acc + ctx.item * ctx.index", &[], &lim).unwrap();
    let r = e
        .call_with_fields(&[("acc", &json!(1)), ("item", &json!(2)), ("index", &json!(3))], &lim)
        .unwrap();
    assert_eq!(r, Some(json!(7)));
    let e = Expression::compile_function("ctx => Object.keys(ctx)", &[], &lim).unwrap();
    let r = e.call_with_fields(&[("acc", &json!(1)), ("item", &json!(2))], &lim).unwrap();
    assert_eq!(r, Some(json!(["acc", "item"])));
    let e = Expression::compile_function(
        "({acc, item, index = 0, extra = 'd'}) => [acc, item, index, extra]",
        &[],
        &lim,
    )
    .unwrap();
    let r = e.call_with_fields(&[("acc", &json!(1)), ("item", &json!(2))], &lim).unwrap();
    assert_eq!(r, Some(json!([1, 2, 0, "d"])));
}

#[test]
fn loop_condition_expression() {
    let lim = limits();
    let e = Expression::compile_expression(
        "iteration < 10 && iteration % 2 === 0",
        &["iteration", "lastResult"],
        &lim,
    )
    .unwrap();
    assert_eq!(e.param_count(), 2);
    let results: Vec<Value> =
        (0..12).map(|i| e.evaluate(&[&json!(i), &json!(null)], &lim).unwrap().unwrap()).collect();
    let expected: Vec<Value> = (0..12).map(|i| json!(i < 10 && i % 2 == 0)).collect();
    assert_eq!(results, expected);
    let e = Expression::compile_expression(
        "lastResult?.done !== true",
        &["iteration", "lastResult"],
        &lim,
    )
    .unwrap();
    assert_eq!(e.evaluate(&[&json!(0), &json!({"done": true})], &lim).unwrap(), Some(json!(false)));
    assert_eq!(e.evaluate(&[&json!(0)], &lim).unwrap(), Some(json!(true)));
}

#[test]
fn identity_returns_an_equal_copy() {
    let input = json!({"a": [1, {"b": null}], "s": "x", "n": 1.25});
    assert_eq!(call1("item => item", input.clone()), input);
}

#[test]
fn implicit_parameter_member_form() {
    let lim = limits();
    let e = Expression::compile_function("item.a.b", &["item"], &lim).unwrap();
    assert_eq!(e.param_count(), 1);
    assert_eq!(e.call(&[&json!({"a": {"b": [1]}})], &lim).unwrap(), Some(json!([1])));
    let err = e.call(&[&json!({})], &lim).unwrap_err();
    assert_eq!(err.kind, ExpressionErrorKind::Type);
    assert_eq!(err.message, "Cannot read properties of undefined (reading 'b')");
    let e = Expression::compile_function("item.price", &["item"], &lim).unwrap();
    assert_eq!(e.call(&[&json!({"price": 3})], &lim).unwrap(), Some(json!(3)));
    assert_eq!(e.call(&[&json!({})], &lim).unwrap(), None);
}

#[test]
fn product_expressions_in_one_place() {
    assert_eq!(run("x => x * 2", &[json!(4)]).unwrap(), Some(json!(8)));
    assert_eq!(
        run("item => item.price > 100", &[json!({"price": 101})]).unwrap(),
        Some(json!(true))
    );
    assert_eq!(run("item => item", &[json!("s")]).unwrap(), Some(json!("s")));
    assert_eq!(run("(acc, item) => acc + item", &[json!(1), json!(2)]).unwrap(), Some(json!(3)));
    assert_eq!(
        run("({acc, item}) => acc + item", &[json!({"acc": 2, "item": 3})]).unwrap(),
        Some(json!(5))
    );
}
