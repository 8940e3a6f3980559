//! Codec text whose large arrays are written apart, in slices of a few hundred kilobytes.
//!
//! An embedder that must turn a large result into objects on a thread that may not stall (Node's
//! JS thread, Electron's main process) can then read it a slice at a time, letting its event loop
//! run in between; one piece of text would have to be parsed in one go. In the main text such an
//! array is a tag, `{"$atomiton":"slices","v":n}`: the `n`-th list of slices, each the JSON text
//! of an array whose items, concatenated, are the array's items. Arrays inside a slice are
//! written in place. Only the engine writes this tag, and only for embedders that asked for it:
//! no reader of outside input accepts it.

use std::sync::Arc;

use serde::Serialize;

use super::codec::encode;
use super::slicing::collecting_slices;

/// Codec text with its binary data apart and its large arrays in slices.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Sliced {
    pub text: String,
    pub buffers: Vec<Arc<[u8]>>,
    /// For each `slices` tag, by its number: the slices' texts.
    pub slices: Vec<Vec<String>>,
}

/// Like [`encode`], with arrays of at least `min_items` items written apart in slices.
pub fn encode_sliced<T: Serialize + ?Sized>(
    value: &T,
    min_items: usize,
) -> Result<Sliced, serde_json::Error> {
    let (encoded, slices) = collecting_slices(min_items, || encode(value));
    let encoded = encoded?;
    Ok(Sliced { text: encoded.text, buffers: encoded.buffers, slices })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::codec::from_json;
    use crate::value::slicing::SLICE_BYTES;
    use crate::value::Value;

    /// `n` small strings (arrays of numbers cross as doubles instead: see the last test).
    fn numbers(n: usize) -> Value {
        Value::Array((0..n).map(|i| Value::from(i.to_string())).collect())
    }

    /// The sliced text put back together, as a reader would: each tag replaced by its items.
    fn joined(sliced: &Sliced) -> String {
        let mut text = sliced.text.clone();
        for (n, slices) in sliced.slices.iter().enumerate() {
            let items: Vec<&str> =
                slices.iter().map(|s| &s[1..s.len() - 1]).filter(|s| !s.is_empty()).collect();
            text = text.replace(
                &format!("{{\"$atomiton\":\"slices\",\"v\":{n}}}"),
                &format!("[{}]", items.join(",")),
            );
        }
        text
    }

    #[test]
    fn large_arrays_are_written_apart_and_read_back_whole() {
        let value =
            Value::Array(vec![numbers(200_000), numbers(3), Value::Array(vec![numbers(5_000)])]);
        let sliced = encode_sliced(&value, 1_000).unwrap();
        assert_eq!(sliced.slices.len(), 2, "the two large arrays, not the small one");
        assert!(sliced.slices[0].len() > 1, "200k strings take more than one slice");
        assert!(sliced.slices.iter().flatten().all(|s| s.len() < SLICE_BYTES + 64 * 1024));
        assert_eq!(from_json(&joined(&sliced)).unwrap(), value);
    }

    #[test]
    fn arrays_inside_a_slice_are_written_in_place() {
        let value = Value::Array(vec![numbers(2_000); 3]);
        let sliced = encode_sliced(&value, 1).unwrap();
        assert_eq!(sliced.slices.len(), 1);
        assert_eq!(from_json(&joined(&sliced)).unwrap(), value);
    }

    #[test]
    fn plain_encoding_is_unchanged_outside_encode_sliced() {
        let value = numbers(10_000);
        assert_eq!(encode(&value).unwrap().text, serde_json::to_string(&value).unwrap());
        assert!(!encode(&value).unwrap().text.contains("slices"));
    }

    #[test]
    fn arrays_of_numbers_cross_as_doubles_rather_than_slices_up_to_their_limit() {
        let doubles = |n: usize| Value::Array((0..n).map(|i| Value::from(i as f64)).collect());
        let value =
            Value::Array(vec![doubles(100_000), doubles(crate::value::codec::F64_ARRAY_MAX + 1)]);
        let sliced = encode_sliced(&value, 1_000).unwrap();
        assert!(
            sliced.text.starts_with(r#"[{"$atomiton":"f64","i":0},{"$atomiton":"slices","v":0}]"#),
            "{}",
            sliced.text
        );
        assert_eq!((sliced.buffers.len(), sliced.slices.len()), (1, 1));
    }
}
