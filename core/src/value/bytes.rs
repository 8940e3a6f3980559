//! [`Bytes`]: binary data, with the JavaScript kind it came as.

use std::sync::Arc;

/// What JavaScript object binary data is (or becomes on its way out).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BytesKind {
    /// Node's `Buffer` (a `Uint8Array` in browsers, which have no `Buffer`).
    Buffer,
    ArrayBuffer,
    DataView,
    Uint8Array,
    Uint8ClampedArray,
    Int8Array,
    Uint16Array,
    Int16Array,
    Uint32Array,
    Int32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
}

const KINDS: [(BytesKind, &str); 14] = [
    (BytesKind::Buffer, "Buffer"),
    (BytesKind::ArrayBuffer, "ArrayBuffer"),
    (BytesKind::DataView, "DataView"),
    (BytesKind::Uint8Array, "Uint8Array"),
    (BytesKind::Uint8ClampedArray, "Uint8ClampedArray"),
    (BytesKind::Int8Array, "Int8Array"),
    (BytesKind::Uint16Array, "Uint16Array"),
    (BytesKind::Int16Array, "Int16Array"),
    (BytesKind::Uint32Array, "Uint32Array"),
    (BytesKind::Int32Array, "Int32Array"),
    (BytesKind::Float32Array, "Float32Array"),
    (BytesKind::Float64Array, "Float64Array"),
    (BytesKind::BigInt64Array, "BigInt64Array"),
    (BytesKind::BigUint64Array, "BigUint64Array"),
];

impl BytesKind {
    /// The JavaScript constructor's name.
    pub fn name(self) -> &'static str {
        KINDS.iter().find(|(kind, _)| *kind == self).map_or("Uint8Array", |(_, name)| name)
    }

    /// The kind a constructor name stands for.
    pub fn parse(name: &str) -> Option<BytesKind> {
        KINDS.iter().find(|(_, n)| *n == name).map(|(kind, _)| *kind)
    }

    /// Bytes per element (1 for the byte-oriented kinds).
    pub fn element_size(self) -> usize {
        match self {
            BytesKind::Uint16Array | BytesKind::Int16Array => 2,
            BytesKind::Uint32Array | BytesKind::Int32Array | BytesKind::Float32Array => 4,
            BytesKind::Float64Array | BytesKind::BigInt64Array | BytesKind::BigUint64Array => 8,
            _ => 1,
        }
    }
}

/// Binary data: the bytes (shared, so passing them between nodes copies nothing) and the kind
/// of JavaScript object they are.
#[derive(Clone, Debug, PartialEq)]
pub struct Bytes {
    pub kind: BytesKind,
    pub data: Arc<[u8]>,
}

impl Bytes {
    pub fn new(kind: BytesKind, data: impl Into<Arc<[u8]>>) -> Bytes {
        Bytes { kind, data: data.into() }
    }

    /// A `Buffer` holding `data`: what file and HTTP nodes produce.
    pub fn buffer(data: impl Into<Arc<[u8]>>) -> Bytes {
        Bytes::new(BytesKind::Buffer, data)
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.data
    }

    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}
