//! The caps on what one piece of work reads: rows and bytes, counted as rows arrive so that a
//! query over the caps stops reading (and fails) instead of holding everything first.

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::host::effects::DatabaseLimits;
use atomiton_core::value::{Ext, Value};

/// What is left of the caps.
pub struct Budget {
    limits: DatabaseLimits,
    rows: u64,
    bytes: u64,
}

impl Budget {
    pub fn new(limits: DatabaseLimits) -> Budget {
        Budget { limits, rows: 0, bytes: 0 }
    }

    /// Counts one row read; an error once it goes over either cap.
    pub fn take(&mut self, row: &[atomiton_core::value::Value]) -> Result<(), ExecutionError> {
        self.rows += 1;
        self.bytes += row.iter().map(size).sum::<u64>();
        if self.rows > self.limits.max_rows {
            return Err(ExecutionError::new(
                ErrorCode::MEMORY_LIMIT_EXCEEDED,
                format!(
                    "[database] The query returned more than maxRows ({}) rows: add a LIMIT, or raise maxRows",
                    self.limits.max_rows
                ),
            ));
        }
        if self.bytes > self.limits.max_bytes {
            return Err(ExecutionError::new(
                ErrorCode::MEMORY_LIMIT_EXCEEDED,
                format!(
                    "[database] The query returned more than maxBytes ({}) bytes of values: select fewer columns or rows, or raise maxBytes",
                    self.limits.max_bytes
                ),
            ));
        }
        Ok(())
    }
}

/// About what a value takes as text (what the caps count).
fn size(value: &Value) -> u64 {
    let len = |n: usize| n as u64;
    match value {
        Value::String(text) => len(text.len()),
        Value::Ext(ext) => match &**ext {
            Ext::Bytes(bytes) => len(bytes.len()),
            Ext::BigInt(digits) => len(digits.len()),
            _ => 8,
        },
        Value::Object(_) | Value::Array(_) => {
            serde_json::to_string(value).map_or(8, |text| len(text.len()))
        }
        _ => 8,
    }
}
