//! Tables of records (the codec's `rows` tag): bytes an embedder sends beside codec text.

use atomiton_core::format::{parse_json_value, ParseLimits};
use atomiton_core::value::codec;

/// Any bytes as a table: read as the engine reads a flow's data, an error or records; records
/// written again (as tables, beside the text) read back to the same records.
pub fn table(data: &[u8]) {
    let limits = ParseLimits::default();
    let read = |buffers: Vec<std::sync::Arc<[u8]>>, text: &str| {
        codec::decode(buffers, || parse_json_value(text, &limits))
    };
    let Ok(value) = read(vec![std::sync::Arc::from(data)], r#"{"$atomiton":"rows","i":[0]}"#)
    else {
        return;
    };
    let encoded = codec::encode(&value).expect("records read from a table can be encoded");
    let again = read(encoded.buffers, &encoded.text).expect("records written as tables read back");
    assert!(
        again == value || codec::to_json(&again).ok() == codec::to_json(&value).ok(),
        "a table's records changed on the way round"
    );
}
