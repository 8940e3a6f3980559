//! The value codec: tagged JSON text → `Value` → text again.

use atomiton_core::format::{parse_json_value, ParseLimits};
use atomiton_core::value::codec;

/// Codec text from outside, read with the engine's limits; what reads must write, and what it
/// writes must read back to the same value.
pub fn codec(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let limits = ParseLimits::default();
    let Ok(value) = parse_json_value(text, &limits) else { return };
    let written = codec::to_json(&value).expect("a value read from text can be written");
    let back = parse_json_value(&written, &limits).expect("what the codec wrote reads back");
    assert!(same(&back, &value), "round trip changed the value:\n{text}\n{written}");
    let encoded = codec::encode(&value).expect("a value can be encoded with its binary data apart");
    let again = codec::decode(encoded.buffers, || parse_json_value(&encoded.text, &limits))
        .expect("encoded text reads back");
    assert!(same(&again, &value), "out-of-band round trip changed the value");
}

/// Equality that counts a NaN as equal to itself.
fn same(a: &atomiton_core::Value, b: &atomiton_core::Value) -> bool {
    a == b || codec::to_json(a).ok() == codec::to_json(b).ok()
}
