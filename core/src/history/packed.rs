//! A run's node records packed into one byte buffer, for the history kept in memory.
//!
//! As structs, a node record carried strings, an inline error and a map per value before its
//! values: the runs kept by default grew the process, and every run's fresh pages were a large
//! share of a small run's time. Packed, a node takes its values' text and a few bytes more, in
//! one allocation per run; once the run ends the buffer is compressed (LZ4: a run's nodes repeat
//! their keys, and each node's input is mostly the output before it, so a chain compresses to a
//! fraction of its packed size). Reads, which are rare, unpack. The sizes, before and after, are
//! in docs/PERFORMANCE.md ("Run history").
//!
//! Each node is written as: node id, node type (length-prefixed UTF-8), state (one byte),
//! attempts (LEB128), a byte of flags saying which optional fields follow, then the start and end
//! times (little-endian f64), the captured input and output (length-prefixed codec JSON), the
//! error (length-prefixed JSON), and for a node served from the result cache its entry's key
//! (length-prefixed) and age (f64).

use super::capture::Captured;
use super::record::NodeRecord;
use crate::error::ExecutionError;
use crate::progress::NodeState;
use crate::value::{codec, Value};

const REUSED: u8 = 1;
const REUSABLE: u8 = 1 << 1;
const START: u8 = 1 << 2;
const END: u8 = 1 << 3;
const INPUT: u8 = 1 << 4;
const OUTPUT: u8 = 1 << 5;
const ERROR: u8 = 1 << 6;
const CACHE: u8 = 1 << 7;

/// Every state, by the byte that stands for it.
const STATES: [NodeState; 7] = [
    NodeState::Pending,
    NodeState::Executing,
    NodeState::Completed,
    NodeState::Error,
    NodeState::Skipped,
    NodeState::Pinned,
    NodeState::Cached,
];

/// Node records of one run, in the order they were written.
#[derive(Debug)]
pub(super) enum PackedNodes {
    /// The run goes on: nodes are appended.
    Open(Vec<u8>),
    /// The run ended: the same bytes, compressed.
    Sealed(Box<[u8]>),
}

impl Default for PackedNodes {
    fn default() -> Self {
        PackedNodes::Open(Vec::new())
    }
}

impl PackedNodes {
    /// Appends a node: `record`'s fields, with `input` and `output` as the capture wrote them
    /// (the record's own `input` and `output` are not read).
    pub fn push(&mut self, record: &NodeRecord, input: Option<&str>, output: Option<&str>) {
        let error = record.error.as_ref().and_then(|e| serde_json::to_string(e).ok());
        if let PackedNodes::Sealed(_) = self {
            // A write after the run's end (rare: stores take writes in any order).
            *self = PackedNodes::Open(self.bytes());
        }
        let PackedNodes::Open(out) = self else { return };
        if out.is_empty() {
            // Room for a small run's nodes at once rather than by doubling.
            out.reserve(64 * 4);
        }
        put_str(out, &record.node_id);
        put_str(out, &record.node_type);
        out.push(STATES.iter().position(|s| *s == record.state).unwrap_or(0) as u8);
        put_len(out, record.attempts as usize);
        let flag = |on: bool, bit: u8| if on { bit } else { 0 };
        out.push(
            flag(record.reused, REUSED)
                | flag(record.reusable, REUSABLE)
                | flag(record.start_time.is_some(), START)
                | flag(record.end_time.is_some(), END)
                | flag(input.is_some(), INPUT)
                | flag(output.is_some(), OUTPUT)
                | flag(error.is_some(), ERROR)
                | flag(record.cache_key.is_some(), CACHE),
        );
        for time in [record.start_time, record.end_time].into_iter().flatten() {
            out.extend_from_slice(&time.to_le_bytes());
        }
        for text in [input, output, error.as_deref()].into_iter().flatten() {
            put_str(out, text);
        }
        if let Some(key) = &record.cache_key {
            put_str(out, key);
            out.extend_from_slice(&record.cache_age.unwrap_or(0.0).to_le_bytes());
        }
    }

    /// Compresses the nodes (the run ended).
    pub fn seal(&mut self) {
        if let PackedNodes::Open(bytes) = self {
            *self = PackedNodes::Sealed(
                lz4_flex::block::compress_prepend_size(bytes).into_boxed_slice(),
            );
        }
    }

    /// The packed bytes, uncompressed.
    fn bytes(&self) -> Vec<u8> {
        match self {
            PackedNodes::Open(bytes) => bytes.clone(),
            // Only `seal` wrote them: a failure would be a bug, and loses the nodes, not the run.
            PackedNodes::Sealed(compressed) => {
                lz4_flex::block::decompress_size_prepended(compressed).unwrap_or_default()
            }
        }
    }

    /// The records, values read back from their text.
    pub fn unpack(&self) -> Vec<NodeRecord> {
        let bytes = self.bytes();
        let mut reader = Reader { bytes: &bytes };
        let mut nodes = Vec::new();
        // The buffer is only ever written by `push`: a record that does not read back whole
        // ends the list rather than inventing fields.
        while !reader.bytes.is_empty() {
            match reader.node() {
                Some(node) => nodes.push(node),
                None => break,
            }
        }
        nodes
    }

    /// Bytes held.
    #[cfg(test)]
    pub fn size(&self) -> usize {
        match self {
            PackedNodes::Open(bytes) => bytes.capacity(),
            PackedNodes::Sealed(compressed) => compressed.len(),
        }
    }
}

/// A captured value's text as a packed node takes it.
pub(super) fn text(captured: &Option<Captured>) -> Option<&str> {
    captured.as_ref().map(|c| c.json.as_str())
}

fn put_len(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    put_len(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(first)
    }

    fn len(&mut self) -> Option<usize> {
        let mut n = 0usize;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            n |= usize::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    fn str(&mut self) -> Option<&'a str> {
        let len = self.len()?;
        let (text, rest) = (self.bytes.get(..len)?, self.bytes.get(len..)?);
        self.bytes = rest;
        std::str::from_utf8(text).ok()
    }

    fn f64(&mut self) -> Option<f64> {
        let (raw, rest) = self.bytes.split_first_chunk::<8>()?;
        self.bytes = rest;
        Some(f64::from_le_bytes(*raw))
    }

    fn node(&mut self) -> Option<NodeRecord> {
        let node_id = self.str()?.to_owned();
        let node_type = self.str()?.to_owned();
        let state = *STATES.get(usize::from(self.byte()?))?;
        let attempts = u32::try_from(self.len()?).ok()?;
        let flags = self.byte()?;
        let has = |bit: u8| flags & bit != 0;
        let start_time = if has(START) { Some(self.f64()?) } else { None };
        let end_time = if has(END) { Some(self.f64()?) } else { None };
        let value = |text: &str| codec::from_json(text).unwrap_or(Value::Null);
        let input = if has(INPUT) { Some(value(self.str()?)) } else { None };
        let output = if has(OUTPUT) { Some(value(self.str()?)) } else { None };
        let error = if has(ERROR) {
            serde_json::from_str::<ExecutionError>(self.str()?).ok()
        } else {
            None
        };
        let (cache_key, cache_age) = if has(CACHE) {
            (Some(self.str()?.to_owned()), Some(self.f64()?))
        } else {
            (None, None)
        };
        Some(NodeRecord {
            node_id,
            node_type,
            state,
            attempts,
            reused: has(REUSED),
            reusable: has(REUSABLE),
            input,
            output,
            error,
            start_time,
            end_time,
            cache_key,
            cache_age,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, state: NodeState) -> NodeRecord {
        NodeRecord {
            node_id: id.into(),
            node_type: "transform".into(),
            state,
            attempts: 300,
            reused: false,
            reusable: true,
            input: None,
            output: None,
            error: None,
            start_time: Some(1.5),
            end_time: None,
            cache_key: None,
            cache_age: None,
        }
    }

    #[test]
    fn nodes_read_back_as_written() {
        let mut packed = PackedNodes::default();
        let mut failed = record("g/b", NodeState::Error);
        failed.error = Some(ExecutionError::execution_failed("b broke"));
        failed.reused = true;
        failed.reusable = false;
        failed.end_time = Some(-2.25);
        packed.push(&record("a", NodeState::Completed), Some(r#"{"default":[1,"é"]}"#), Some("2"));
        packed.push(&failed, None, None);
        let mut cached = record("c", NodeState::Cached);
        cached.cache_key = Some("0123456789abcdef0123456789abcdef".into());
        cached.cache_age = Some(1234.5);
        packed.push(&cached, None, Some("3"));
        let open = packed.unpack();
        packed.seal();
        let nodes = packed.unpack();
        assert_eq!(nodes, open, "sealing keeps every node");
        let mut a = record("a", NodeState::Completed);
        a.input = Some(crate::json!({"default": [1, "é"]}));
        a.output = Some(crate::json!(2));
        cached.output = Some(crate::json!(3));
        assert_eq!(nodes, vec![a, failed, cached]);
    }

    #[test]
    fn a_chain_of_similar_nodes_compresses_once_sealed() {
        let mut packed = PackedNodes::default();
        let output =
            r#"{"result":[1],"inputCount":1,"outputCount":1,"operation":"map","success":true}"#;
        for i in 0..10 {
            packed.push(
                &record(&format!("n{i}"), NodeState::Completed),
                Some(&format!(r#"{{"default":{output}}}"#)),
                Some(output),
            );
        }
        let open = packed.size();
        packed.seal();
        assert!(packed.size() * 3 < open, "{open} bytes packed, {} sealed", packed.size());
        assert_eq!(packed.unpack().len(), 10);
    }

    #[test]
    fn a_node_written_after_the_end_is_kept() {
        let mut packed = PackedNodes::default();
        packed.push(&record("a", NodeState::Completed), None, Some("1"));
        packed.seal();
        packed.push(&record("late", NodeState::Completed), None, None);
        assert_eq!(
            packed.unpack().iter().map(|n| n.node_id.as_str()).collect::<Vec<_>>(),
            ["a", "late"]
        );
    }

    #[test]
    fn every_state_survives() {
        let mut packed = PackedNodes::default();
        for state in STATES {
            packed.push(&record("x", state), None, None);
        }
        assert_eq!(packed.unpack().iter().map(|n| n.state).collect::<Vec<_>>(), STATES);
    }
}
