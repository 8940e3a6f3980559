//! Cases where the evaluator used to differ from V8 for no documented reason (found by the
//! differential test against V8, `npm/test/evaluator-differential.test.mjs`): array holes,
//! `Math.hypot`, `exp`, `cbrt`, `log2`, `log10`, objects' `toString`, number-to-string ties,
//! `toString(radix)`. Expected values are what Node 20 gives, written in the engine's value
//! codec (holes as `{"$atomiton":"hole"}`).

use crate::value::codec;

use super::{eval, fails, run};

const CASES: &[(&str, &str)] = &[
    ("[, 1].map(x => 2)", r#"[{"$atomiton":"hole"},2]"#),
    ("Object.keys([, 0])", r#"["1"]"#),
    ("[1, , 3].filter(x => true)", r#"[1,3]"#),
    ("[1, , 3].reduce((a, b) => a + b)", r#"4"#),
    ("[, , 5].reduce((a, b) => a + b)", r#"5"#),
    ("[1, , 3].some(x => x === undefined)", r#"false"#),
    ("[1, , 3].every(x => x !== undefined)", r#"true"#),
    ("[1, , 3].find(x => x === undefined)", r#"{"$atomiton":"undefined"}"#),
    ("[1, , 3].findIndex(x => x === undefined)", r#"1"#),
    ("[1, , 3].includes(undefined)", r#"true"#),
    ("[1, , 3].indexOf(undefined)", r#"-1"#),
    ("[1, , 3].join('-')", r#""1--3""#),
    ("[1, , 3].slice(0, 2)", r#"[1,{"$atomiton":"hole"}]"#),
    ("[1, , 3].concat([4, , 6])", r#"[1,{"$atomiton":"hole"},3,4,{"$atomiton":"hole"},6]"#),
    ("[1, , 3].flat()", r#"[1,3]"#),
    ("[[1, , 2], , [3]].flat()", r#"[1,2,3]"#),
    ("[1, , 3].flatMap(x => [x, , x])", r#"[1,1,3,3]"#),
    ("[3, , 1, undefined].sort()", r#"[1,3,{"$atomiton":"undefined"},{"$atomiton":"hole"}]"#),
    (
        "[3, , 1, undefined].toSorted()",
        r#"[1,3,{"$atomiton":"undefined"},{"$atomiton":"undefined"}]"#,
    ),
    ("[1, , 3].reverse()", r#"[3,{"$atomiton":"hole"},1]"#),
    ("[1, , 3].toReversed()", r#"[3,{"$atomiton":"undefined"},1]"#),
    ("({ ...[, 1] })", r#"{"1":1}"#),
    ("Object.entries([, 'a'])", r#"[["1","a"]]"#),
    ("1 in [1, , 3]", r#"false"#),
    ("[...[1, , 3]]", r#"[1,{"$atomiton":"undefined"},3]"#),
    ("JSON.stringify([1, , 3])", r#""[1,null,3]""#),
    ("Object.values([, 1])", r#"[1]"#),
    ("String([1, , 3])", r#""1,,3""#),
    ("[1, , 3].at(1)", r#"{"$atomiton":"undefined"}"#),
    ("[1, , 3][1]", r#"{"$atomiton":"undefined"}"#),
    ("[1, , 3].length", r#"3"#),
    ("Object.assign({}, [, 'x'])", r#"{"1":"x"}"#),
    ("[, 2].forEach(x => x) === undefined", r#"true"#),
    ("Math.hypot()", r#"0"#),
    ("Math.hypot(1e200, 1e200)", r#"1.414213562373095e+200"#),
    ("Math.hypot(1e-200, 1e-200)", r#"1.414213562373095e-200"#),
    ("Math.hypot(3, 4)", r#"5"#),
    ("Math.hypot(-0)", r#"0"#),
    ("Math.hypot(NaN, Infinity)", r#"{"$atomiton":"number","v":"Infinity"}"#),
    ("Math.hypot(1e154, 1e154)", r#"1.4142135623730953e+154"#),
    ("Math.hypot(0.1, 0.2, 0.3)", r#"0.37416573867739417"#),
    ("String(2 ** 49 + 0.25)", r#""562949953421312.2""#),
    ("Math.exp(1)", r#"2.718281828459045"#),
    ("Math.exp(0.5)", r#"1.6487212707001282"#),
    ("Math.exp(-3.2)", r#"0.040762203978366204"#),
    ("Math.cbrt(2)", r#"1.2599210498948732"#),
    ("Math.cbrt(0.1)", r#"0.4641588833612779"#),
    ("Math.log2(3)", r#"1.584962500721156"#),
    ("Math.log10(7)", r#"0.8450980400142568"#),
    ("({}).toString()", r#""[object Object]""#),
    ("({ toString: () => 1 }).toString()", r#"1"#),
    ("String(2 ** 50 + 0.5)", r#""1125899906842624.5""#),
    ("String(0.5 + 2 ** 52)", r#""4503599627370496""#),
    ("String(1.5e-7)", r#""1.5e-7""#),
    ("(2 ** 53).toString(3)", r#""1121202011211211122211100012101112""#),
    ("(2 ** 60).toString(2)", r#""1000000000000000000000000000000000000000000000000000000000000""#),
    ("(1e21).toString(36)", r#""5v1j4f4ds7c000""#),
    ("(0.1).toString(2)", r#""0.0001100110011001100110011001100110011001100110011001101""#),
    ("(2.5).toString(7)", r#""2.3333333333333333334""#),
    (
        "(1e-7).toString(2)",
        r#""0.0000000000000000000000011010110101111111001010011010101111001010111101001""#,
    ),
    ("(-255.5).toString(16)", r#""-ff.8""#),
    ("(Math.PI).toString(36)", r#""3.53i5ab8p5f""#),
    ("(123.456).toString(8)", r#""173.3513615237574734""#),
    ("(0.5).toString(3)", r#""0.1111111111111111111111111111111112""#),
    (
        "(1e300).toString(5)",
        r#""1143121220111002241444100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000""#,
    ),
    (
        "(5e-324).toString(2)",
        r#""0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001""#,
    ),
    (
        "(Number.MAX_VALUE).toString(36)",
        r#""1a1e4vngaiqo0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000""#,
    ),
    ("(0.000001).toString(7)", r#""0.00000005523220033662416625""#),
];

#[test]
fn agrees_with_v8_where_it_used_to_differ() {
    let mut failures = Vec::new();
    for (source, expected) in CASES {
        let expected = codec::from_json(expected).expect("expected value");
        let got = match run(source, &[]) {
            Ok(value) => value.unwrap_or(crate::value::Value::Undefined),
            Err(error) => {
                failures.push(format!("{source}: failed: {error}"));
                continue;
            }
        };
        if codec::to_json(&got).ok() != codec::to_json(&expected).ok() {
            failures.push(format!(
                "{source}: expected {}, got {}",
                codec::to_json(&expected).unwrap_or_default(),
                codec::to_json(&got).unwrap_or_default()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn destructuring_null_fails_even_when_the_body_reads_nothing() {
    for source in ["({ a }) => 1 + 2", "({ a, b }) => 2 * 3 > 1"] {
        let error = run(source, &[crate::value::Value::Null]).unwrap_err();
        assert_eq!(error.kind, super::super::ExpressionErrorKind::Type, "{source}");
        assert!(error.message.starts_with("Cannot destructure"), "{source}: {error}");
    }
    assert_eq!(eval("(({ a }) => 1 + 2)({})"), crate::json!(3));
}

/// `?.()` short-circuits only when what it would call is null or undefined: a value that is
/// there and is no function throws V8's `TypeError` (found by the differential test: the
/// evaluator gave `null` for `'2'.trimEnd().length?.(x)`).
#[test]
fn an_optional_call_of_a_value_that_is_no_function_throws() {
    for source in [
        "x => ('2'.trimEnd().length)?.(x)",
        "x => '2'.length?.(x)",
        "x => (1)?.(x)",
        "x => ({ a: 1 }).a?.(x)",
        "x => [1, 2].length?.()",
    ] {
        let error = fails(source, &[crate::value::Value::from(1)]);
        assert_eq!(error.kind, super::super::ExpressionErrorKind::Type, "{source}");
        assert!(error.message.ends_with("is not a function"), "{source}: {error}");
    }
    // Null or undefined: the chain stops, and the call's value is undefined.
    for source in ["x => 'a'.nothing?.(x)", "x => ({}).f?.(x)", "x => null?.(x)", "x => x.y?.z?.()"]
    {
        assert_eq!(
            run(source, &[crate::json!({})]).map_err(|e| e.to_string()),
            Ok(None),
            "{source}"
        );
    }
}
