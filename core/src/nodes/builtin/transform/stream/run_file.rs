//! A sorted run of a stream's sort written out of memory, and read back: each row as its key
//! then its compact bytes (see `held_rows.rs`), so that a merge orders the runs' rows by keys
//! read as they are, without making the rows values; the rows it gives are made values a batch
//! at a time, in parts on the host's workers.
//!
//! A key is a tag byte (null, number, text), then a number's eight bytes or a text's length and
//! bytes; the row's length and bytes follow. Lengths take seven bits a byte, as in the compact
//! form. Not a format for storage: a run lives as long as its sort.

use std::ops::Range;

use super::super::super::common::node_error;
use super::super::operations::SortKey;
use super::held_rows::SortedRows;
use crate::error::ExecutionError;
use crate::host::{SpillFile, SpillSpace};
use crate::value::compact::{read_length, write_length};

const TYPE: &str = "transform";
/// Bytes written to or read from a run at a time.
const IO_BYTES: usize = 1 << 20;

const KEY_NULL: u8 = 0;
const KEY_NUMBER: u8 = 1;
const KEY_TEXT: u8 = 2;

/// Writes `rows`, in their sorted order, to a new file of `spill`.
pub(super) fn write_run(
    mut rows: SortedRows,
    spill: &dyn SpillSpace,
) -> Result<Box<dyn SpillFile>, ExecutionError> {
    let mut file = spill.create().map_err(spill_error)?;
    let mut buffer = Vec::with_capacity(IO_BYTES + IO_BYTES / 4);
    while let Some(key) = rows.advance() {
        write_entry(&key, rows.row(), &mut buffer);
        if buffer.len() >= IO_BYTES {
            file.append(&buffer).map_err(spill_error)?;
            buffer.clear();
        }
    }
    file.append(&buffer).map_err(spill_error)?;
    Ok(file)
}

fn spill_error(error: crate::host::effects::EffectError) -> ExecutionError {
    node_error(TYPE, format!("Sorting rows beyond memory failed: {}", error.message))
}

fn write_entry(key: &SortKey, row: &[u8], out: &mut Vec<u8>) {
    match key {
        SortKey::Null => out.push(KEY_NULL),
        SortKey::Number(n) => {
            out.push(KEY_NUMBER);
            out.extend_from_slice(&n.to_bits().to_le_bytes());
        }
        SortKey::Text(text) => {
            out.push(KEY_TEXT);
            write_length(text.len(), out);
            out.extend_from_slice(text.as_bytes());
        }
    }
    write_length(row.len(), out);
    out.extend_from_slice(row);
}

/// The entry at the start of `bytes`: its key, where its row's bytes are, and how many bytes it
/// took; `None` when `bytes` do not hold a whole one (or it is not an entry).
fn read_entry(bytes: &[u8]) -> Option<(SortKey, Range<usize>, usize)> {
    let (key, at) = match *bytes.first()? {
        KEY_NULL => (SortKey::Null, 1),
        KEY_NUMBER => {
            let word: [u8; 8] = bytes.get(1..9)?.try_into().ok()?;
            (SortKey::Number(f64::from_bits(u64::from_le_bytes(word))), 9)
        }
        KEY_TEXT => {
            let (n, used) = read_length(bytes.get(1..)?)?;
            let start = 1 + used;
            let text = std::str::from_utf8(bytes.get(start..start.checked_add(n)?)?).ok()?;
            (SortKey::Text(text.to_owned()), start + n)
        }
        _ => return None,
    };
    let (n, used) = read_length(bytes.get(at..)?)?;
    let row = at + used..(at + used).checked_add(n)?;
    bytes.get(row.clone())?;
    let end = row.end;
    Some((key, row, end))
}

/// A run read back: a buffer of its bytes at a time, a row at a time.
pub(super) struct FileRun {
    file: Box<dyn SpillFile>,
    /// Where the buffer's bytes end in the file.
    offset: u64,
    buffer: Vec<u8>,
    /// Where the next entry starts in the buffer.
    at: usize,
    /// The current row's bytes in the buffer.
    row: Range<usize>,
    ended: bool,
}

impl FileRun {
    pub(super) fn new(file: Box<dyn SpillFile>) -> Self {
        FileRun { file, offset: 0, buffer: Vec::new(), at: 0, row: 0..0, ended: false }
    }

    /// Moves to the next row and gives its key (its bytes are [`FileRun::row`] until the next
    /// call); `None` after the last.
    pub(super) fn advance(&mut self) -> Result<Option<SortKey>, ExecutionError> {
        loop {
            if let Some((key, row, used)) = read_entry(self.buffer.get(self.at..).unwrap_or(&[])) {
                self.row = self.at + row.start..self.at + row.end;
                self.at += used;
                return Ok(Some(key));
            }
            if self.ended {
                return match self.at == self.buffer.len() {
                    true => Ok(None),
                    false => Err(node_error(TYPE, "A sorted run of rows could not be read back")),
                };
            }
            // What is left of the buffer (an entry cut at its end) moves to its start; more
            // follows. The current row goes with what is let go of: it was given already.
            self.buffer.drain(..self.at.min(self.buffer.len()));
            self.at = 0;
            self.row = 0..0;
            let have = self.buffer.len();
            // An entry larger than what is read at a time grows the buffer to hold it.
            let want = IO_BYTES.max(have * 2);
            self.buffer.resize(have + want, 0);
            let read =
                self.file.read_at(self.offset, &mut self.buffer[have..]).map_err(spill_error)?;
            self.buffer.truncate(have + read);
            self.offset += read as u64;
            self.ended = read == 0;
        }
    }

    /// The current row's compact bytes.
    pub(super) fn row(&self) -> &[u8] {
        self.buffer.get(self.row.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::operations::SortKey;
    use super::{read_entry, write_entry};

    /// Every key reads back as written, with its row's bytes, and a cut entry is not read.
    #[test]
    fn entries_read_back_as_written_and_a_cut_one_does_not() {
        let long = "k".repeat(300);
        let keys = [
            SortKey::Null,
            SortKey::Number(-0.0),
            SortKey::Number(f64::from_bits(0x7ff8_0000_0000_0001)),
            SortKey::Text(String::new()),
            SortKey::Text("é".into()),
            SortKey::Text(long),
        ];
        for key in &keys {
            for row in [&b""[..], b"\x05\x03abc", &[7u8; 200][..]] {
                let mut bytes = Vec::new();
                write_entry(key, row, &mut bytes);
                let (back, span, used) = read_entry(&bytes).expect("reads back");
                assert_eq!(used, bytes.len());
                assert_eq!(&bytes[span], row);
                let same = match (key, &back) {
                    (SortKey::Number(a), SortKey::Number(b)) => a.to_bits() == b.to_bits(),
                    (SortKey::Text(a), SortKey::Text(b)) => a == b,
                    (SortKey::Null, SortKey::Null) => true,
                    _ => false,
                };
                assert!(same, "{key:?} came back as {back:?}");
                assert!(read_entry(&bytes[..bytes.len() - 1]).is_none());
            }
        }
    }
}
