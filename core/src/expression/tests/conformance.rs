//! Expressions checked against V8: each line of `js_conformance.jsonl` is
//! `[source, args, expected]` where `expected` is V8's `JSON.stringify` of the result,
//! `undefined`, or `ERR` (V8 threw). Results are compared through the same `JSON.stringify`
//! (results themselves keep `NaN`, `-0` and `undefined`, which JSON text cannot show).

use crate::value::Value;

use super::run;

const TABLE: &str = include_str!("js_conformance.jsonl");

#[test]
fn matches_v8_on_conformance_table() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in TABLE.lines().filter(|l| !l.trim().is_empty()) {
        let row: Value = serde_json::from_str(line).expect("table row");
        let src = row[0].as_str().expect("source");
        let args: Vec<Value> = row[1].as_array().cloned().unwrap_or_default();
        let expected = row[2].as_str().expect("expected");
        let got = run(src, &args);
        let ok = match (expected, &got) {
            ("ERR", Err(_)) => true,
            ("undefined", Ok(None)) => true,
            (text, Ok(Some(v))) if text != "ERR" && text != "undefined" => {
                let printed = crate::format::to_json_document(v).ok().flatten().map(Value::from);
                serde_json::from_str::<serde_json::Value>(text)
                    .map(|e| Some(Value::from(e)) == printed)
                    .unwrap_or(false)
            }
            _ => false,
        };
        if !ok {
            failures.push(format!("{src} (args {args:?}): expected {expected}, got {got:?}"));
        }
        checked += 1;
    }
    assert!(checked > 900, "table too small: {checked}");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}
