//! Builtins beyond the conformance table: ordering, stability, coercions, sizes.

use crate::json;
use crate::value::Value;

use super::super::ExpressionErrorKind;
use super::{assert_kind, call1, eval, fails, run};

#[test]
fn string_methods() {
    assert_eq!(
        call1(
            "s => [s.toUpperCase(), s.toLowerCase(), s.trim(), s.trimStart(), s.trimEnd()]",
            json!("  MiXed  ")
        ),
        json!(["  MIXED  ", "  mixed  ", "MiXed", "MiXed  ", "  MiXed"])
    );
    assert_eq!(call1("s => [s.includes('b'), s.startsWith('a'), s.endsWith('c'), s.indexOf('c'), s.lastIndexOf('a')]", json!("abcabc")),
        json!([true, true, true, 2, 3]));
    assert_eq!(
        call1(
            "s => [s.slice(1, -1), s.substring(4, 1), s.charAt(0), s.at(-1), s.concat('!', 1)]",
            json!("hello")
        ),
        json!(["ell", "ell", "h", "o", "hello!1"])
    );
    assert_eq!(call1("s => s.split(', ')", json!("a, b, c")), json!(["a", "b", "c"]));
    assert_eq!(
        call1("s => s.replace('o', '0').replaceAll('l', 'L')", json!("hello world")),
        json!("heLL0 worLd")
    );
    assert_eq!(
        call1("s => [s.padStart(5, '*'), s.padEnd(5, '-='), s.repeat(2)]", json!("ab")),
        json!(["***ab", "ab-=-", "abab"])
    );
    assert_eq!(
        call1("s => s.split(',').map(p => p.trim()).filter(p => p).join('|')", json!(" a , ,b ")),
        json!("a|b")
    );
    assert_eq!(eval("['b', 'a', 'C'].sort((x, y) => x.localeCompare(y))"), json!(["a", "b", "C"]));
}

#[test]
fn array_methods() {
    let items = json!([{"n": "a", "v": 3}, {"n": "b", "v": 1}, {"n": "c", "v": 2}]);
    assert_eq!(call1("xs => xs.map(x => x.v).sort()", items.clone()), json!([1, 2, 3]));
    assert_eq!(
        call1("xs => xs.toSorted((a, b) => a.v - b.v).map(x => x.n).join('')", items.clone()),
        json!("bca")
    );
    assert_eq!(call1("xs => xs.find(x => x.v === 2).n", items.clone()), json!("c"));
    assert_eq!(call1("xs => xs.findIndex(x => x.v > 5)", items.clone()), json!(-1));
    assert_eq!(
        call1("xs => xs.some(x => x.v > 2) && !xs.every(x => x.v > 2)", items.clone()),
        json!(true)
    );
    assert_eq!(
        call1("xs => xs.reduce((m, x) => Math.max(m, x.v), -Infinity)", items.clone()),
        json!(3)
    );
    assert_eq!(call1("xs => xs.slice(-2).map(x => x.n)", items.clone()), json!(["b", "c"]));
    assert_eq!(call1("xs => xs.reverse().map(x => x.n)", items.clone()), json!(["c", "b", "a"]));
    assert_eq!(
        call1("xs => xs.flatMap(x => [x.n, x.v])", items.clone()),
        json!(["a", 3, "b", 1, "c", 2])
    );
    assert_eq!(call1("xs => xs.includes(xs[1])", items.clone()), json!(true));
    assert_eq!(call1("xs => xs.indexOf(xs[2])", items.clone()), json!(2));
    assert_eq!(call1("xs => [xs.at(0).n, xs.at(-1).n, xs.length]", items), json!(["a", "c", 3]));
    assert_eq!(eval("[10, 9, 1, 100].sort()"), json!([1, 10, 100, 9]));
    assert_eq!(
        eval("[3, undefined, 1].sort()"),
        Value::Array(vec![json!(1), json!(3), Value::Undefined])
    );
    assert_kind(&fails("[].reduce((a, b) => a + b)", &[]), ExpressionErrorKind::Type);
    assert_kind(&fails("[1].map()", &[]), ExpressionErrorKind::Type);
    assert_kind(&fails("[1].sort(1)", &[]), ExpressionErrorKind::Type);
}

#[test]
fn sort_is_stable_and_survives_bad_comparators() {
    let input: Vec<Value> = (0..200).map(|i| json!({"k": i % 3, "i": i})).collect();
    let sorted = call1("xs => xs.sort((a, b) => a.k - b.k).map(x => x.i)", Value::Array(input));
    let sorted: Vec<i64> = sorted.as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    let mut expected: Vec<i64> = (0..200).collect();
    expected.sort_by_key(|i| i % 3);
    assert_eq!(sorted, expected);
    // Inconsistent or nonsensical comparators never panic.
    let nums = Value::Array((0..100).map(|i| json!((i * 37) % 101)).collect());
    for cmp in [
        "() => 1",
        "() => -1",
        "() => NaN",
        "(a, b) => a % 2 - b % 3",
        "() => 'x'",
        "(a, b) => (a * b) % 3 - 1",
    ] {
        let out = call1(&format!("xs => xs.sort({cmp}).length"), nums.clone());
        assert_eq!(out, json!(100), "{cmp}");
    }
}

#[test]
fn math_and_number_functions() {
    assert_eq!(eval("[Math.round(2.5), Math.round(-2.5), Math.round(2.4), Math.floor(-0.5), Math.ceil(0.2), Math.trunc(-3.9)]"),
        json!([3, -2, 2, -1, 1, -3]));
    assert_eq!(eval("[Math.min(2, 1, 3), Math.max(...[1, 5, 3]), Math.pow(2, 8), Math.sqrt(81), Math.abs(-4), Math.sign(-7)]"),
        json!([1, 5, 256, 9, 4, -1]));
    assert_eq!(eval("Math.max()"), Value::from(f64::NEG_INFINITY));
    assert_eq!(
        eval("[Math.log10(1000), Math.log2(1024), Math.exp(0), Math.log(1)]"),
        json!([3, 10, 1, 0])
    );
    assert_eq!(eval("Math.round(Math.E * 100) / 100"), json!(2.72));
    assert_eq!(eval("[Number('42'), Number(''), Number('x'), parseInt('08'), parseFloat('1.5kg'), Number.isInteger(4)]"),
        Value::Array(vec![json!(42), json!(0), Value::from(f64::NAN), json!(8), json!(1.5), json!(true)]));
    assert_eq!(eval("[(1.005).toFixed(2), (1.255).toFixed(2), (10).toFixed(1), (0.5).toFixed(0), (-1.5).toFixed(0)]"),
        json!(["1.00", "1.25", "10.0", "1", "-2"]));
    assert_eq!(
        eval("[(255).toString(16), (5).toString(2), (3.75).toString(2)]"),
        json!(["ff", "101", "11.11"])
    );
    assert_kind(&fails("Math.random()", &[]), ExpressionErrorKind::Reference);
}

#[test]
fn json_builtins() {
    assert_eq!(
        call1("x => JSON.stringify(x)", json!({"b": [1, "two", null], "a": {"c": true}})),
        json!(r#"{"b":[1,"two",null],"a":{"c":true}}"#)
    );
    assert_eq!(
        eval("JSON.stringify({a: [1], b: {}}, null, 2)"),
        json!("{\n  \"a\": [\n    1\n  ],\n  \"b\": {}\n}")
    );
    assert_eq!(
        eval("JSON.stringify({u: undefined, f: x => x, n: NaN, s: 'q\"\\n'})"),
        json!(r#"{"n":null,"s":"q\"\n"}"#)
    );
    assert_eq!(run("JSON.stringify(undefined)", &[]).unwrap(), None);
    assert_eq!(eval("JSON.parse('[1, {\"a\": \"b\"}]')[1].a"), json!("b"));
    assert_eq!(call1("s => JSON.parse(s)", json!("{\"k\": [1, 2.5]}")), json!({"k": [1, 2.5]}));
    assert_kind(&fails("JSON.parse('{')", &[]), ExpressionErrorKind::Type);
    // Deeply nested JSON is refused before serde_json recurses.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_kind(&fails("s => JSON.parse(s)", &[json!(deep)]), ExpressionErrorKind::Budget);
}

#[test]
fn object_builtins() {
    let o = json!({"z": 1, "a": 2});
    assert_eq!(call1("o => Object.keys(o)", o.clone()), json!(["z", "a"]));
    assert_eq!(call1("o => Object.values(o)", o.clone()), json!([1, 2]));
    assert_eq!(call1("o => Object.entries(o)", o.clone()), json!([["z", 1], ["a", 2]]));
    assert_eq!(
        call1("o => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v * 2]))", o.clone()),
        json!({"z": 2, "a": 4})
    );
    assert_eq!(
        call1("o => Object.assign({}, o, {a: 3, b: 4})", o.clone()),
        json!({"z": 1, "a": 3, "b": 4})
    );
    assert_eq!(call1("o => ({...o, ...{z: 9}})", o), json!({"z": 9, "a": 2}));
    assert_eq!(eval("Array.isArray([]) && !Array.isArray({})"), json!(true));
    // Large objects keep insertion order and last-write-wins through the hash index.
    let entries = Value::Array((0..1000).map(|i| json!([format!("k{}", i % 500), i])).collect());
    let r = call1("e => { const o = Object.fromEntries(e); return [Object.keys(o).length, o.k0, o.k499, Object.keys(o)[1]]; }", entries);
    assert_eq!(r, json!([500, 500, 999, "k1"]));
}

#[test]
fn global_functions_as_callbacks() {
    assert_eq!(
        eval("['1', '2.5', 'x'].map(Number)"),
        Value::Array(vec![json!(1), json!(2.5), Value::from(f64::NAN)])
    );
    assert_eq!(eval("[0, 1, '', 'a', null, [], {}].filter(Boolean).length"), json!(4));
    assert_eq!(eval("[1, 'a', true].map(String)"), json!(["1", "a", "true"]));
    assert_eq!(
        eval("['10', '10', '10'].map(parseInt)"),
        Value::Array(vec![json!(10), Value::from(f64::NAN), json!(2)])
    );
}
