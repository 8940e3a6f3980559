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
    /// A typed array's elements as numbers (little-endian, as every platform the engine runs on).
    /// BigInt elements become numbers, rounded as `Number(bigint)` would.
    pub fn elements(&self) -> Vec<f64> {
        let data = self.as_slice();
        let eight = |c: &[u8]| {
            let mut out = [0u8; 8];
            out.copy_from_slice(&c[..8]);
            out
        };
        match self.kind {
            BytesKind::Int8Array => {
                data.iter().map(|b| f64::from(i8::from_le_bytes([*b]))).collect()
            }
            BytesKind::Uint16Array => {
                data.chunks_exact(2).map(|c| f64::from(u16::from_le_bytes([c[0], c[1]]))).collect()
            }
            BytesKind::Int16Array => {
                data.chunks_exact(2).map(|c| f64::from(i16::from_le_bytes([c[0], c[1]]))).collect()
            }
            BytesKind::Uint32Array => data
                .chunks_exact(4)
                .map(|c| f64::from(u32::from_le_bytes([c[0], c[1], c[2], c[3]])))
                .collect(),
            BytesKind::Int32Array => data
                .chunks_exact(4)
                .map(|c| f64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]])))
                .collect(),
            BytesKind::Float32Array => data
                .chunks_exact(4)
                .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
                .collect(),
            BytesKind::Float64Array => {
                data.chunks_exact(8).map(|c| f64::from_le_bytes(eight(c))).collect()
            }
            #[allow(clippy::cast_precision_loss)]
            BytesKind::BigInt64Array => {
                data.chunks_exact(8).map(|c| i64::from_le_bytes(eight(c)) as f64).collect()
            }
            #[allow(clippy::cast_precision_loss)]
            BytesKind::BigUint64Array => {
                data.chunks_exact(8).map(|c| u64::from_le_bytes(eight(c)) as f64).collect()
            }
            _ => data.iter().map(|b| f64::from(*b)).collect(),
        }
    }

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
