//! What a streamed node reports beyond its state: the rows it has given so far and the bytes it
//! has read. Only builds with `streams` run nodes as streams; in the others every entry's counts
//! stay `None` (the type is the same in every build: a twin with no values saved the browser's
//! module a few hundred bytes, not worth a second declaration of the progress entry's fields).

/// A count a progress entry reports when it has one.
pub type Count = Option<u64>;

/// A streamed node's rows so far, and the bytes it read so far and in all (when known: a
/// file's size).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Streamed {
    pub rows: Option<u64>,
    pub bytes: Option<(u64, Option<u64>)>,
}

impl Streamed {
    pub const NONE: Streamed = Streamed { rows: None, bytes: None };

    pub fn rows(&self) -> Count {
        self.rows
    }

    pub fn bytes_read(&self) -> Count {
        self.bytes.map(|(done, _)| done)
    }

    pub fn bytes_total(&self) -> Count {
        self.bytes.and_then(|(_, total)| total)
    }
}
