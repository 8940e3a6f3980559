//! Builds without `streams` (the browser's default module): no node runs as a stream, so no
//! progress entry reports rows or bytes — and, by their type, none can, so the code that would
//! write them out is compiled out. See `streamed.rs`.

use serde::{Deserialize, Serialize};

/// A count no progress entry has in these builds.
pub type Count = Option<Never>;

/// The value a [`Count`] never holds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Never {}

/// Nothing streamed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Streamed;

impl Streamed {
    pub const NONE: Streamed = Streamed;

    pub fn rows(&self) -> Count {
        None
    }

    pub fn bytes_read(&self) -> Count {
        None
    }

    pub fn bytes_total(&self) -> Count {
        None
    }
}
