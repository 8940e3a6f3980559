//! The record tier must agree exactly with the general interpreter: the same record, in the
//! same key order, the same error kind, the same output bytes charged, under any budget.

use crate::json;
use crate::value::Value;

use super::super::tests::limits;
use super::super::{CallContext, Expression, Limits, OutputBudget};

/// Compiles `src` twice: with and without the record tier.
fn pair(src: &str) -> (Expression, Expression) {
    let lim = limits();
    let tiered = Expression::compile_function(src, &["item"], &lim).unwrap();
    let mut plain = Expression::compile_function(src, &["item"], &lim).unwrap();
    plain.record = None;
    (tiered, plain)
}

fn inputs() -> Vec<Value> {
    let mut keyed = json!({"b": 1, "a": 2});
    keyed["10"] = json!("ten");
    keyed["2"] = json!("two");
    let mut undefined = json!({"id": 1});
    undefined["gone"] = Value::Undefined;
    vec![
        json!({"id": 7, "name": "item 7", "price": 12.5, "qty": 3, "tags": ["a", "b"], "meta": {"kind": "x", "deep": {"n": 1}}}),
        json!({"id": "seven", "price": "12", "qty": null}),
        json!({"price": 1e308, "qty": 10, "meta": null}),
        json!({"meta": [1, 2], "tags": "ab"}),
        json!({"meta": "text"}),
        json!({"processed": false, "id": -0.0}),
        json!({"__proto__": {"polluted": true}, "id": 1}),
        json!({}),
        keyed,
        undefined,
        json!({"when": (Value::date(5.0)), "id": 2}),
        json!({"name": "  Straße ÄÖ  ", "price": " 0x1F ", "id": "1e3", "qty": true}),
        json!({"name": "2024-03-15", "price": "-0", "id": "", "qty": false}),
        json!({"name": "x".repeat(300), "price": "9".repeat(300), "id": 5}),
        json!({"name": 5, "price": [1], "id": {"a": 1}}),
        json!(null),
        json!(5),
        json!("str"),
        json!([1, 2, 3]),
    ]
}

const SOURCES: [&str; 18] = [
    "item => ({ ...item, processed: true })",
    "item => ({ processed: true, ...item })",
    "item => ({ id: item.id, name: item.name })",
    "item => ({ id: 0, ...item, id: 1 })",
    "r => ({ total: r.price * r.qty, id: r.id })",
    "r => ({ ...r.meta, source: 'meta', n: -1 })",
    "r => ({ ...r, ...r.meta, kind: r.meta.kind })",
    "r => ({ deep: r.meta.deep.n, missing: r.nothing, u: undefined, z: null })",
    "({ id, name }) => ({ id, name, ok: true })",
    "({ price }) => ({ double: price * 2 })",
    "r => ({ 2: 'x', a: r.id, 1: r.price })",
    "r => ({ ...r, 0: r.id })",
    "(a, b) => ({ ...a, other: b })",
    "r => ({ tags: r.tags, copy: r })",
    "r => ({ name: r.name, team: r.name.toLowerCase(), n: Number(r.price), since: Number(r.name.slice(0, 4)) })",
    "r => ({ t: r.name.trim().toUpperCase(), s: r.name.slice(-3), u: r.name.substring(5, 1), e: r.name.slice(9, 2) })",
    "r => ({ n: Number(r.id) * 2 + Number(r.qty), m: Number(r.price) })",
    "r => ({ a: r.name.trimStart(), b: r.name.trimEnd(), c: r.name.substring(2) })",
];

fn outcome(
    e: &Expression,
    args: &[&Value],
    lim: &Limits,
    budget: usize,
) -> (Result<Option<Value>, String>, usize, Vec<String>) {
    let output = OutputBudget::new(budget);
    let result = e
        .call_in(args, lim, CallContext { output: Some(&output), ..CallContext::default() })
        .map_err(|err| format!("{:?}: {}", err.kind, err.message));
    let keys = match &result {
        Ok(Some(Value::Object(map))) => map.keys().map(|k| k.to_string()).collect(),
        _ => Vec::new(),
    };
    (result, output.left(), keys)
}

#[test]
fn record_tier_matches_interpreter() {
    let lim = limits();
    for src in SOURCES {
        let (tiered, plain) = pair(src);
        let tier = tiered.record.as_ref().expect("a record tier");
        let sample = &inputs()[0];
        assert!(
            tier.call(&[sample, sample], &lim, usize::MAX).is_some(),
            "{src}: the tier itself answers for a plain record"
        );
        for a in inputs() {
            for b in inputs().into_iter().take(3) {
                let (t, p) = (
                    outcome(&tiered, &[&a, &b], &lim, usize::MAX),
                    outcome(&plain, &[&a, &b], &lim, usize::MAX),
                );
                assert_eq!(t, p, "{src} with {a} {b}: result, output bytes and key order");
            }
        }
    }
}

#[test]
fn record_tier_matches_interpreter_under_every_budget() {
    let record = json!({"id": 7, "name": "item 7", "price": 12.5, "tags": ["a", "b"], "meta": {"kind": "x"}});
    for src in SOURCES {
        let (tiered, plain) = pair(src);
        for steps in 0..48 {
            for (output, memory, depth) in [
                (usize::MAX, usize::MAX, 256),
                (40, usize::MAX, 256),
                (90, usize::MAX, 256),
                (usize::MAX, 100, 256),
                (usize::MAX, usize::MAX, 1),
                (usize::MAX, usize::MAX, 2),
            ] {
                let lim = Limits {
                    max_steps: steps,
                    max_output_bytes: output,
                    max_memory_bytes: memory,
                    max_value_depth: depth,
                    ..limits()
                };
                for budget in [usize::MAX, 60] {
                    let (t, p) = (
                        outcome(&tiered, &[&record], &lim, budget),
                        outcome(&plain, &[&record], &lim, budget),
                    );
                    assert_eq!(t, p, "{src}: steps {steps}, output {output}, memory {memory}, depth {depth}, shared budget {budget}");
                }
            }
        }
    }
}

#[test]
fn only_record_shapes_have_a_record_tier() {
    for src in [
        "item => item",
        "item => ({ [item.key]: 1 })",
        "item => ({ name: item.name.padStart(3) })",
        "item => ({ name: item.name.toUpperCase(1) })",
        "item => ({ name: item.name?.toUpperCase() })",
        "item => ({ n: Number(item.a, 2) })",
        "item => ({ n: item.a ?? 0 })",
        "item => ({ n: item?.a })",
        "item => ({ s: `${item.a}` })",
        "item => ({ list: [item.a] })",
        "item => { const x = 1; return { x }; }",
        "item => x => ({ item })",
    ] {
        let (tiered, _) = pair(src);
        assert!(tiered.record.is_none(), "{src}");
    }
}

#[test]
fn the_record_tier_copies_nothing_it_does_not_need_and_is_used() {
    // A spread of 5,000 keys is beyond what the tier takes on (the interpreter would look at
    // its interrupt meanwhile): the interpreter answers, the same.
    let mut wide = crate::value::Map::new();
    for i in 0..5000 {
        wide.insert(format!("k{i}"), json!(i));
    }
    let wide = Value::Object(wide);
    let (tiered, plain) = pair("item => ({ ...item, processed: true })");
    let lim = limits();
    assert_eq!(
        outcome(&tiered, &[&wide], &lim, usize::MAX),
        outcome(&plain, &[&wide], &lim, usize::MAX)
    );
}
