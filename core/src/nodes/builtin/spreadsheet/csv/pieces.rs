//! [`CsvReader`] fed a file a piece at a time (`streams`): bytes decoded as UTF-8 as they come
//! (a sequence cut between two pieces is completed by the next), and the text parsed as far as
//! it can be decided.

use super::{Cells, CsvReader};

pub(in super::super) struct CsvPieces {
    reader: CsvReader,
    /// The end of the last piece when it stopped inside a UTF-8 sequence.
    undecoded: Vec<u8>,
    /// Text decoded but not yet parsed: the parser needs to see a little past a position (an
    /// escaped quote, CRLF, a delimiter of several bytes) before it decides there.
    text: String,
}

impl CsvPieces {
    /// An empty delimiter means a comma.
    pub fn new(delimiter: &str, skip_empty_lines: bool) -> Self {
        CsvPieces {
            reader: CsvReader::new(delimiter, skip_empty_lines),
            undecoded: Vec::new(),
            text: String::new(),
        }
    }

    /// Reads `bytes`, the next piece of the file, handing each row it completes to `out`.
    pub fn push(&mut self, bytes: &[u8], out: &mut dyn FnMut(Cells<'_>)) {
        let joined;
        let mut rest = if self.undecoded.is_empty() {
            bytes
        } else {
            self.undecoded.extend_from_slice(bytes);
            joined = std::mem::take(&mut self.undecoded);
            &joined[..]
        };
        loop {
            match std::str::from_utf8(rest) {
                Ok(valid) => {
                    self.text.push_str(valid);
                    break;
                }
                Err(error) => {
                    let (valid, after) = rest.split_at(error.valid_up_to());
                    // Valid up to here by the error's own account.
                    self.text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                    match error.error_len() {
                        Some(invalid) => {
                            self.text.push(char::REPLACEMENT_CHARACTER);
                            rest = &after[invalid..];
                        }
                        None => {
                            // A sequence the next piece may complete.
                            self.undecoded = after.to_vec();
                            break;
                        }
                    }
                }
            }
        }
        self.parse_pending(false, out);
    }

    /// After the last piece: the rows still open.
    pub fn finish(&mut self, out: &mut dyn FnMut(Cells<'_>)) {
        if !self.undecoded.is_empty() {
            let rest = std::mem::take(&mut self.undecoded);
            self.text.push_str(&String::from_utf8_lossy(&rest));
        }
        self.parse_pending(true, out);
        self.reader.close(out);
    }

    fn parse_pending(&mut self, last: bool, out: &mut dyn FnMut(Cells<'_>)) {
        let end = self.reader.parse(&self.text, last, out);
        self.text.drain(..end);
    }
}
