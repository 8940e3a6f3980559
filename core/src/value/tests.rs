use std::sync::Arc;

use super::codec::{decode, encode, from_json, to_json};
use super::{Bytes, BytesKind, Ext, Map, Number, Value};

fn round_trip(value: &Value) -> Value {
    from_json(&to_json(value).expect("encodes")).expect("decodes")
}

fn every_kind() -> Vec<Value> {
    let mut object = Map::new();
    object.insert("a".to_owned(), Value::Undefined);
    object.insert("b".to_owned(), Value::from(1));
    vec![
        Value::Null,
        Value::Bool(true),
        Value::from(-0.0),
        Value::from(f64::NAN),
        Value::from(f64::INFINITY),
        Value::from(f64::NEG_INFINITY),
        Value::from(0.1 + 0.2),
        Value::from(1e300),
        Value::from(5e-324),
        Value::from("text"),
        Value::Undefined,
        Value::Array(vec![Value::from(1), Value::ext(Ext::Hole), Value::Undefined]),
        Value::Object(object),
        Value::ext(Ext::BigInt("-1180591620717411303424".to_owned())),
        Value::ext(Ext::String16(vec![0xd800, u16::from(b'x')])),
        Value::bytes(BytesKind::Buffer, vec![104u8, 105]),
        Value::bytes(BytesKind::Float64Array, vec![0u8; 16]),
        Value::date(0.0),
        Value::date(f64::NAN),
        Value::ext(Ext::Map(vec![
            (Value::from(1), Value::from("one")),
            (Value::Undefined, Value::Null),
        ])),
        Value::ext(Ext::Set(vec![Value::from("a"), Value::from(-0.0)])),
        Value::ext(Ext::RegExp { source: "a+".to_owned(), flags: "gi".to_owned() }),
        Value::ext(Ext::Error {
            name: "TypeError".to_owned(),
            message: "bad".to_owned(),
            stack: Some("at x".to_owned()),
            cause: Some(Value::from(1)),
        }),
        Value::ext(Ext::Boxed(Value::from("boxed"))),
        Value::ext(Ext::Js(17)),
    ]
}

#[test]
fn every_kind_survives_the_text_form() {
    for value in every_kind() {
        assert_eq!(
            round_trip(&value),
            value,
            "{value:?} as {}",
            to_json(&value).unwrap_or_default()
        );
    }
    let all = Value::Array(every_kind());
    assert_eq!(round_trip(&all), all);
}

#[test]
fn json_values_are_plain_json() {
    let value = crate::json!({"a": [1, 2.5, "x", null, true], "b": {"c": -3}});
    assert_eq!(to_json(&value).unwrap(), r#"{"a":[1,2.5,"x",null,true],"b":{"c":-3}}"#);
}

#[test]
fn a_user_object_that_looks_like_a_tag_stays_an_object() {
    let mut map = Map::new();
    map.insert("$atomiton".to_owned(), Value::from("date"));
    map.insert("v".to_owned(), Value::from(0));
    let value = Value::Object(map);
    let text = to_json(&value).unwrap();
    assert!(text.starts_with(r#"{"$atomiton":"object""#), "{text}");
    assert_eq!(round_trip(&value), value);
    // Only the first key marks a tag.
    let later = crate::json!({"v": 0, "$atomiton": "date"});
    assert_eq!(to_json(&later).unwrap(), r#"{"v":0,"$atomiton":"date"}"#);
    assert_eq!(round_trip(&later), later);
}

/// Every double comes back bit for bit: the parser is correctly rounded and the printer writes
/// the shortest digits that read back the same.
#[test]
fn doubles_cross_bit_for_bit() {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..200_000 {
        let x = f64::from_bits(next());
        let back = round_trip(&Value::from(x));
        let Value::Number(n) = back else { panic!("{x:e} came back as {back:?}") };
        assert!(
            n.get().to_bits() == x.to_bits() || (x.is_nan() && n.get().is_nan()),
            "{x:e} came back as {:e}",
            n.get()
        );
    }
    // The cases seen changed by serde_json's default parser.
    for x in [-7.354_386_788_988_393e226, 4.120_625_501_145_244e-8, 2f64.powi(49) + 0.25] {
        assert_eq!(round_trip(&Value::from(x)).as_f64().map(f64::to_bits), Some(x.to_bits()));
    }
}

#[test]
fn binary_data_can_cross_beside_the_text() {
    let value = Value::Array(vec![
        Value::bytes(BytesKind::Uint8Array, vec![1u8, 2, 3]),
        Value::bytes(BytesKind::Buffer, vec![9u8]),
    ]);
    let encoded = encode(&value).unwrap();
    assert_eq!(
        encoded.text,
        r#"[{"$atomiton":"bytes","kind":"Uint8Array","i":0},{"$atomiton":"bytes","kind":"Buffer","i":1}]"#
    );
    assert_eq!(encoded.buffers.len(), 2);
    let decoded = decode(encoded.buffers, || from_json(&encoded.text)).unwrap();
    assert_eq!(decoded, value);
    // Without the buffers the text names what is missing.
    let error = from_json(&encoded.text).unwrap_err().to_string();
    assert!(error.contains("buffer"), "{error}");
}

#[test]
fn arrays_of_numbers_cross_as_doubles_beside_the_text() {
    let mut items: Vec<Value> = (0..2000).map(|i| Value::from(f64::from(i) * 0.5)).collect();
    items[1] = Value::from(-0.0);
    items[2] = Value::from(f64::NAN);
    items[3] = Value::from(f64::NEG_INFINITY);
    items[4] = Value::from(5e-324);
    let value = Value::Array(vec![Value::Array(items.clone()), Value::Array(items[..10].to_vec())]);
    let encoded = encode(&value).unwrap();
    assert!(
        encoded.text.starts_with(r#"[{"$atomiton":"f64","i":0},[0,"#),
        "{}",
        &encoded.text[..60]
    );
    assert_eq!(encoded.buffers.len(), 1);
    assert_eq!(encoded.buffers[0].len(), 2000 * 8);
    assert_eq!(
        decode(encoded.buffers, || from_json(&encoded.text)).unwrap(),
        value,
        "every double bit for bit"
    );
    // Mixed arrays, and text with nothing beside it, stay text.
    items[7] = Value::from("x");
    assert!(!encode(&Value::Array(items.clone())).unwrap().text.contains("f64"));
    assert!(!to_json(&Value::Array((0..2000).map(Value::from).collect())).unwrap().contains("f64"));
    // Inline, as the embedder may write it.
    let inline = format!(
        r#"{{"$atomiton":"f64","v":"{}"}}"#,
        super::serde_impl::base64(&[1.5f64.to_le_bytes(), (-2.0f64).to_le_bytes()].concat())
    );
    assert_eq!(
        from_json(&inline).unwrap(),
        Value::Array(vec![Value::from(1.5), Value::from(-2.0)])
    );
}

#[test]
fn equality_is_object_is() {
    assert_eq!(Value::from(f64::NAN), Value::from(f64::NAN));
    assert_ne!(Value::from(0.0), Value::from(-0.0));
    assert_eq!(Number::new(1.0), Number::from(1));
    assert_eq!(Value::from(3), 3);
    assert_eq!(Value::from("a"), "a");
}

#[test]
fn malformed_tags_are_errors_not_panics() {
    for text in [
        r#"{"$atomiton":"nope"}"#,
        r#"{"$atomiton":"number","v":"one"}"#,
        r#"{"$atomiton":"bigint","v":"12a"}"#,
        r#"{"$atomiton":"bytes","kind":"Nope","v":""}"#,
        r#"{"$atomiton":"bytes","kind":"Buffer","v":"!!"}"#,
        r#"{"$atomiton":"string","v":[70000]}"#,
        r#"{"$atomiton":"map","v":[[1]]}"#,
        r#"{"$atomiton":"f64","v":"AAAA"}"#,
        r#"{"$atomiton":"f64","i":3}"#,
        r#"{"$atomiton":"object","v":[[1,2]]}"#,
        r#"{"$atomiton":1}"#,
    ] {
        assert!(from_json(text).is_err(), "{text}");
    }
}

#[test]
fn a_well_formed_string_in_code_units_is_a_plain_string() {
    assert_eq!(from_json(r#"{"$atomiton":"string","v":[104,105]}"#).unwrap(), Value::from("hi"));
}

#[test]
fn bytes_share_their_data() {
    let bytes = Bytes::buffer(Arc::<[u8]>::from(vec![0u8; 1024]));
    let copy = bytes.clone();
    assert!(Arc::ptr_eq(&bytes.data, &copy.data));
    assert_eq!(BytesKind::parse("Int16Array").map(BytesKind::element_size), Some(2));
}

/// Arrays of values are the engine's bulk data: a value is four words.
#[test]
fn a_value_is_small() {
    assert_eq!(std::mem::size_of::<Value>(), 32);
}
