//! Arrays of records as tables beside the text, read one by one or several at once.

use super::super::codec::{decode, encode, from_json, to_json};
use super::super::Value;
use crate::value::codec::decode_with_workers;

#[test]
fn arrays_of_records_cross_as_tables_beside_the_text() {
    let record = |i: usize| {
        let mut r = crate::json!({"id": i, "name": (format!("r{i}")), "tags": ["a"], "when": (Value::date(1.0))});
        if i == 3 {
            r["name"] = Value::from("ünïcode 🦀");
        }
        r
    };
    let rows = Value::Array((0..1500).map(record).collect());
    let value = crate::json!({"data": (rows.clone()), "few": [{"a": 1}, {"a": 2}]});
    let encoded = encode(&value).unwrap();
    assert!(
        encoded.text.starts_with(r#"{"data":{"$atomiton":"rows","i":[0]},"few":[{"a":1}"#),
        "{}",
        encoded.text
    );
    assert_eq!(
        decode(encoded.buffers.clone(), || from_json(&encoded.text)).unwrap(),
        value,
        "dates in a text column, strings by UTF-16 length"
    );
    // Records of two shapes, and text with nothing beside it, stay text.
    let mut mixed = rows.as_array().unwrap().clone();
    mixed.push(crate::json!({"other": 1}));
    assert!(!encode(&Value::Array(mixed)).unwrap().text.contains("rows"));
    assert!(!to_json(&rows).unwrap().contains("rows"));
    // A tag naming one table twice would multiply it: refused.
    let twice = r#"{"$atomiton":"rows","i":[0,0]}"#;
    assert!(decode(encoded.buffers, || from_json(twice)).is_err());
}

#[test]
fn tables_are_read_several_at_once_on_workers_with_the_same_records_and_errors() {
    use crate::host::SharedHost;
    use std::sync::Arc;
    let rows = Value::Array(
        (0..40_000)
            .map(|i| crate::json!({"id": i, "name": (format!("r{i}")), "at": (Value::date(1.0))}))
            .collect(),
    );
    let encoded = encode(&rows).unwrap();
    assert!(encoded.text.starts_with(r#"{"$atomiton":"rows","i":[0,1,2]"#), "{}", encoded.text);
    let workers: SharedHost = Arc::new(crate::testing::ThreadHost::new(3));
    let parallel =
        decode_with_workers(&workers, encoded.buffers.clone(), || from_json(&encoded.text))
            .unwrap();
    assert_eq!(parallel, rows, "in order, every record, text columns too");
    // A cut table among them: the same error either way.
    let mut cut = encoded.buffers.clone();
    cut[1] = Arc::from(&cut[1][..cut[1].len() - 2]);
    let one_by_one = decode(cut.clone(), || from_json(&encoded.text)).unwrap_err().to_string();
    let at_once =
        decode_with_workers(&workers, cut, || from_json(&encoded.text)).unwrap_err().to_string();
    assert!(one_by_one.contains("malformed table"), "{one_by_one}");
    assert_eq!(at_once, one_by_one);
}
