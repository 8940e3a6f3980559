//! Delimited text: double-quote aware, `""` escapes a quote, unquoted cells trimmed, newlines
//! inside quotes kept, any delimiter (several characters, non-ASCII) — the TypeScript engine's
//! built-in parser, read incrementally.
//!
//! [`CsvReader`] takes the bytes as they come (a file read a piece at a time) and hands each row
//! complete so far to a callback, as [`Cells`] borrowed from one buffer the reader reuses (a row
//! costs no allocation of its own); [`parse`] reads a whole text into owned rows. Bytes are
//! decoded as UTF-8 with each invalid sequence replaced by U+FFFD, exactly as decoding the whole
//! file at once would (a sequence cut between two pieces is completed by the next). The parser
//! works on the bytes of that text: every character it looks for is ASCII or the delimiter, and
//! in UTF-8 neither can match inside another character, so byte positions give the same cells as
//! characters would.

// A file read a piece at a time, for streams of rows.
#[cfg(feature = "streams")]
pub(super) mod pieces;

/// Faster paths for large files (cells kept as spans of the text, eight bytes scanned at a
/// time, no trimming of cells that need none), in the builds that stream them; the browser's
/// default module keeps the smaller code within its size budget. The results are the same.
const STREAMS: bool = cfg!(feature = "streams");

/// Rows of cells. `skip_empty_lines` drops lines with no content.
pub(super) fn parse(text: &str, delimiter: &str, skip_empty_lines: bool) -> Vec<Vec<String>> {
    let mut reader = CsvReader::new(delimiter, skip_empty_lines);
    let mut rows = Vec::new();
    let mut keep = |cells: Cells<'_>| rows.push(cells.to_vec());
    // A whole text is parsed where it is, without a copy.
    reader.parse(text, true, &mut keep);
    reader.close(&mut keep);
    rows
}

/// One row's cells, borrowed from the reader until the callback returns.
#[derive(Clone, Copy)]
pub(super) struct Cells<'a> {
    text: &'a str,
    /// Where each cell is in `text`.
    spans: &'a [(usize, usize)],
}

impl<'a> Cells<'a> {
    pub(super) fn len(&self) -> usize {
        self.spans.len()
    }

    /// Cell `i`, if the row has it.
    pub(super) fn get(&self, i: usize) -> Option<&'a str> {
        let &(start, end) = self.spans.get(i)?;
        self.text.get(start..end)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    pub(super) fn to_vec(self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }
}

/// A CSV parser over texts that end where a row may go on (`pieces.rs` feeds it a file a piece
/// at a time; builds without streams only ever give it whole texts).
pub(super) struct CsvReader {
    delimiter: Vec<u8>,
    skip_empty_lines: bool,
    /// Whether the text still may start with a byte order mark.
    at_start: bool,
    quoted: bool,
    was_quoted: bool,
    /// Whether the row being read is in the text being parsed (its cells are spans of it: no
    /// copy), rather than in `row` (a row begun in an earlier piece, or with an escaped quote,
    /// whose text had to be put together).
    direct: bool,
    /// Direct: the cell being read, `text[cell_from..cell_to]`.
    cell_from: usize,
    cell_to: usize,
    /// Not direct: the row so far, its finished cells' text, then the cell being read (from
    /// `cell_start`).
    row: String,
    /// Where each finished cell of the row is (in the text, or in `row`; trimmed: a part of
    /// what was read).
    spans: Vec<(usize, usize)>,
    cell_start: usize,
    /// Which bytes end a run of plain cell text outside quotes.
    special: [bool; 256],
}

impl CsvReader {
    /// Whether the row being read is in the parsed text (see `direct`). Builds without streams
    /// (the browser's default module, within its size budget) always put rows together in `row`.
    #[inline(always)]
    fn direct(&self) -> bool {
        STREAMS && self.direct
    }

    /// An empty delimiter means a comma.
    pub(super) fn new(delimiter: &str, skip_empty_lines: bool) -> Self {
        let delimiter =
            if delimiter.is_empty() { b",".to_vec() } else { delimiter.as_bytes().to_vec() };
        let mut special = [false; 256];
        for byte in [b'"', b'\n', b'\r', delimiter[0]] {
            special[usize::from(byte)] = true;
        }
        CsvReader {
            delimiter,
            skip_empty_lines,
            at_start: true,
            quoted: false,
            was_quoted: false,
            direct: true,
            cell_from: 0,
            cell_to: 0,
            row: String::new(),
            spans: Vec::new(),
            cell_start: 0,
            special,
        }
    }

    /// The row the text ends in, if any (after `parse`, which leaves an open row in `row`).
    fn close(&mut self, out: &mut dyn FnMut(Cells<'_>)) {
        if self.row.len() > self.cell_start || self.was_quoted || !self.spans.is_empty() {
            self.finish_cell("");
            self.push_row("", out);
        }
    }

    /// The cell being read.
    fn cell<'t>(&'t self, text: &'t str) -> &'t str {
        match self.direct() {
            true => &text[self.cell_from..self.cell_to],
            false => &self.row[self.cell_start..],
        }
    }

    /// Adds `text[from..to]` to the cell being read.
    fn append(&mut self, text: &str, from: usize, to: usize) {
        if self.direct() {
            if self.cell_from == self.cell_to {
                (self.cell_from, self.cell_to) = (from, to);
                return;
            }
            if self.cell_to == from {
                self.cell_to = to;
                return;
            }
            // Not where the cell left off (an escaped quote's second half was skipped): the
            // row's text has to be put together.
            self.materialize(text);
        }
        self.row.push_str(&text[from..to]);
    }

    /// Empties the cell being read.
    fn clear_cell(&mut self) {
        match self.direct() {
            true => self.cell_to = self.cell_from,
            false => self.row.truncate(self.cell_start),
        }
    }

    /// Copies the row read so far out of `text` into `row`, the rest of it to be added there.
    fn materialize(&mut self, text: &str) {
        if !self.direct() {
            return;
        }
        self.direct = false;
        for span in &mut self.spans {
            let at = self.row.len();
            self.row.push_str(&text[span.0..span.1]);
            *span = (at, self.row.len());
        }
        self.cell_start = self.row.len();
        self.row.push_str(&text[self.cell_from..self.cell_to]);
        (self.cell_from, self.cell_to) = (0, 0);
    }

    /// Parses `text` as far as it can decide (to its end when `last`), giving where it stopped.
    fn parse(&mut self, text: &str, last: bool, out: &mut dyn FnMut(Cells<'_>)) -> usize {
        let mut text = text;
        let mut skipped = 0;
        if self.at_start && !text.is_empty() {
            // (A mark cut between pieces is still undecoded, not in `text`.)
            if let Some(rest) = text.strip_prefix('\u{feff}') {
                skipped = text.len() - rest.len();
                text = rest;
            }
            self.at_start = false;
        }
        let bytes = text.as_bytes();
        // Every decision at `i` looks at most this far ahead.
        let look = self.delimiter.len().max(2);
        let mut limit = if last { bytes.len() } else { (bytes.len() + 1).saturating_sub(look) };
        while !text.is_char_boundary(limit) {
            limit -= 1;
        }
        let mut i = 0;
        while i < limit {
            let byte = bytes[i];
            if self.quoted {
                if byte == b'"' {
                    if bytes.get(i + 1) == Some(&b'"') {
                        // The first quote of the two stands for one.
                        self.append(text, i, i + 1);
                        i += 1;
                    } else {
                        self.quoted = false;
                    }
                    i += 1;
                } else {
                    let end =
                        bytes[i..limit].iter().position(|&b| b == b'"').map_or(limit, |n| i + n);
                    self.append(text, i, end);
                    i = end;
                }
                continue;
            }
            if byte == b'"' && self.cell(text).trim().is_empty() {
                self.clear_cell();
                self.quoted = true;
                self.was_quoted = true;
            } else if bytes[i..].starts_with(&self.delimiter) {
                self.finish_cell(text);
                i += self.delimiter.len();
                continue;
            } else if byte == b'\n' || byte == b'\r' {
                self.finish_cell(text);
                self.push_row(text, out);
                if byte == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            } else {
                // Plain text up to the next byte that may mean something; after a closing
                // quote it is dropped: the quoted text is the cell.
                let end = self.next_special(bytes, i + 1, limit);
                if !self.was_quoted {
                    self.append(text, i, end);
                }
                i = end;
                continue;
            }
            i += 1;
        }
        // A row still open goes on in the next piece: its text so far leaves this one.
        let open = !self.spans.is_empty() || self.cell_from != self.cell_to;
        if self.direct() && (open || self.quoted || self.was_quoted) {
            self.materialize(text);
        }
        skipped + i
    }

    /// Where the next byte that may mean something is in `bytes[from..limit]` (`limit` when
    /// none is): eight bytes at a time where the delimiter is one byte (builds that stream large
    /// files), else byte by byte.
    fn next_special(&self, bytes: &[u8], mut from: usize, limit: usize) -> usize {
        if STREAMS && self.delimiter.len() == 1 {
            const ONES: u64 = 0x0101_0101_0101_0101;
            const HIGHS: u64 = 0x8080_8080_8080_8080;
            let splat = |b: u8| ONES.wrapping_mul(u64::from(b));
            let (quote, lf, cr, delimiter) =
                (splat(b'"'), splat(b'\n'), splat(b'\r'), splat(self.delimiter[0]));
            // A byte of `x` equal to the byte splat in `y`: the high bit of its byte in the result
            // (exact for the lowest such byte, which is the one looked for).
            let equal = |x: u64, y: u64| {
                let z = x ^ y;
                z.wrapping_sub(ONES) & !z & HIGHS
            };
            while from + 8 <= limit {
                let mut word = [0u8; 8];
                word.copy_from_slice(&bytes[from..from + 8]);
                let x = u64::from_le_bytes(word);
                let hits = equal(x, quote) | equal(x, lf) | equal(x, cr) | equal(x, delimiter);
                if hits != 0 {
                    return from + (hits.trailing_zeros() / 8) as usize;
                }
                from += 8;
            }
        }
        bytes[from..limit]
            .iter()
            .position(|&b| self.special[usize::from(b)])
            .map_or(limit, |n| from + n)
    }

    fn finish_cell(&mut self, text: &str) {
        let (base, cell) = match self.direct() {
            true => (self.cell_from, &text[self.cell_from..self.cell_to]),
            false => (self.cell_start, &self.row[self.cell_start..]),
        };
        let bytes = cell.as_bytes();
        // Printable ASCII at both ends: nothing to trim (what `trim` removes is whitespace, ASCII
        // up to the space and characters beyond ASCII). Builds that stream large files only.
        let plain = |b: Option<&u8>| b.is_none_or(|b| (0x21..0x7f).contains(b));
        let untouched = STREAMS && plain(bytes.first()) && plain(bytes.last());
        let span = if self.was_quoted || untouched {
            (base, base + cell.len())
        } else {
            // Unquoted cells are trimmed (JavaScript's `trim`): the cell is the part left.
            let from = base + (cell.len() - cell.trim_start().len());
            (from, from + cell.trim().len())
        };
        self.was_quoted = false;
        self.spans.push(span);
        match self.direct() {
            true => self.cell_from = self.cell_to,
            false => self.cell_start = self.row.len(),
        }
    }

    fn push_row(&mut self, text: &str, out: &mut dyn FnMut(Cells<'_>)) {
        let source = if self.direct() { text } else { self.row.as_str() };
        if !(self.skip_empty_lines && self.spans.iter().all(|(a, b)| a == b)) {
            out(Cells { text: source, spans: &self.spans });
        }
        self.row.clear();
        self.spans.clear();
        self.cell_start = 0;
        // The next row starts in this text.
        self.direct = true;
        (self.cell_from, self.cell_to) = (0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use super::pieces::CsvPieces;
    use proptest::prelude::*;

    fn rows(text: &str, delimiter: &str) -> Vec<Vec<String>> {
        parse(text, delimiter, true)
    }

    #[test]
    fn quotes_escapes_delimiters_and_newlines() {
        assert_eq!(rows("a,b\n1,2\n", ","), vec![vec!["a", "b"], vec!["1", "2"]]);
        assert_eq!(
            rows("name;note\n\"Doe; John\";\"said \"\"hi\"\"\"\r\n", ";"),
            vec![vec!["name", "note"], vec!["Doe; John", "said \"hi\""]]
        );
        assert_eq!(rows("a\tb\n\"x\ny\"\t z \n\n", "\t"), vec![vec!["a", "b"], vec!["x\ny", "z"]]);
        assert_eq!(rows("a||b\n1||2", "||"), vec![vec!["a", "b"], vec!["1", "2"]]);
        assert_eq!(parse("a\n\nb\n", ",", false), vec![vec!["a"], vec![""], vec!["b"]]);
        assert_eq!(parse("\u{feff}h\n\"\"\n", ",", false), vec![vec!["h"], vec![""]]);
        assert_eq!(rows("\u{feff}h\n\"\"\n", ","), vec![vec!["h"]]);
        assert_eq!(rows("a,\"b\" ,c", ","), vec![vec!["a", "b", "c"]]);
    }

    /// The parser as the TypeScript engine wrote it, a character at a time over the whole text:
    /// what the incremental reader must give, for every text and every way of cutting it.
    fn reference(text: &str, delimiter: &str, skip_empty_lines: bool) -> Vec<Vec<String>> {
        let delimiter: Vec<char> =
            if delimiter.is_empty() { vec![','] } else { delimiter.chars().collect() };
        let chars: Vec<char> = text.strip_prefix('\u{feff}').unwrap_or(text).chars().collect();
        let (mut rows, mut row, mut cell) = (Vec::new(), Vec::<String>::new(), String::new());
        let (mut quoted, mut was_quoted, mut i) = (false, false, 0);
        let finish = |cell: &mut String, was_quoted: &mut bool, row: &mut Vec<String>| {
            let value = if *was_quoted { std::mem::take(cell) } else { cell.trim().to_owned() };
            cell.clear();
            *was_quoted = false;
            row.push(value);
        };
        let push = |rows: &mut Vec<Vec<String>>, row: Vec<String>| {
            if !(skip_empty_lines && row.iter().all(String::is_empty)) {
                rows.push(row);
            }
        };
        while i < chars.len() {
            let c = chars[i];
            if quoted {
                if c == '"' {
                    if chars.get(i + 1) == Some(&'"') {
                        cell.push('"');
                        i += 1;
                    } else {
                        quoted = false;
                    }
                } else {
                    cell.push(c);
                }
                i += 1;
                continue;
            }
            if c == '"' && cell.trim().is_empty() {
                cell.clear();
                quoted = true;
                was_quoted = true;
            } else if chars[i..].starts_with(&delimiter) {
                finish(&mut cell, &mut was_quoted, &mut row);
                i += delimiter.len();
                continue;
            } else if c == '\n' || c == '\r' {
                finish(&mut cell, &mut was_quoted, &mut row);
                push(&mut rows, std::mem::take(&mut row));
                if c == '\r' && chars.get(i + 1) == Some(&'\n') {
                    i += 1;
                }
            } else if !was_quoted {
                cell.push(c);
            }
            i += 1;
        }
        if !cell.is_empty() || was_quoted || !row.is_empty() {
            finish(&mut cell, &mut was_quoted, &mut row);
            push(&mut rows, row);
        }
        rows
    }

    /// Bytes made of the pieces CSV is made of, and some that are not UTF-8.
    fn csv_bytes() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b",".to_vec()),
            Just(b";".to_vec()),
            Just(b"||".to_vec()),
            Just("→".as_bytes().to_vec()),
            Just(b"\"".to_vec()),
            Just(b"\"\"".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b" ".to_vec()),
            Just("\u{a0}".as_bytes().to_vec()),
            Just("\u{feff}".as_bytes().to_vec()),
            Just("é".as_bytes().to_vec()),
            Just("😀".as_bytes().to_vec()),
            Just(vec![0xf0, 0x9f]),
            Just(vec![0xff]),
            Just(vec![0xe2, 0x86]),
            "[a-c1-3]{1,4}".prop_map(String::into_bytes),
        ];
        prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn reading_in_pieces_gives_what_the_whole_text_gives(
            bytes in csv_bytes(),
            delimiter in prop_oneof![Just(""), Just(","), Just(";"), Just("||"), Just("→"), Just("\t")],
            skip in any::<bool>(),
            cuts in prop::collection::vec(0usize..64, 0..8),
        ) {
            let expected = reference(&String::from_utf8_lossy(&bytes), delimiter, skip);
            prop_assert_eq!(&parse(&String::from_utf8_lossy(&bytes), delimiter, skip), &expected);
            let mut reader = CsvPieces::new(delimiter, skip);
            let mut rows = Vec::new();
            let mut keep = |cells: super::Cells<'_>| rows.push(cells.to_vec());
            let mut rest = &bytes[..];
            for cut in cuts {
                let (piece, after) = rest.split_at(cut.min(rest.len()));
                reader.push(piece, &mut keep);
                rest = after;
            }
            reader.push(rest, &mut keep);
            reader.finish(&mut keep);
            prop_assert_eq!(rows, expected);
        }
    }
}
