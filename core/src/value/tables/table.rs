//! Arrays of records as columns: the binary tables behind the codec's `"rows"` tag.
//!
//! Data-heavy flows move arrays of many objects of one shape — the rows of a spreadsheet, the
//! records an API returns. As JSON text every record repeats its keys, and both sides pay for
//! the text: V8's `JSON.parse` takes about as long to turn such records into objects as V8 takes
//! to map over them, and building them from columns takes a fraction of that. So when
//! binary data goes beside the text, such an array crosses as one or more *tables*: the keys
//! once, then one column per key.
//!
//! A table is one buffer (little-endian throughout):
//!
//! ```text
//! table   := u8 version (1), 3 zero bytes, u32 rows, records
//! records := u32 key count (≥ 1), key*, column* (one per key, rows items each)
//! key     := u32 byte length, UTF-8
//! column  := u8 kind, then by kind:
//!   0 numbers  zero bytes to a multiple of 8, then one f64 per item
//!   1 strings  zeros to a multiple of 4, one u32 per item (its length in UTF-16 code units),
//!              u32 byte length, the items' UTF-8 one after another
//!   2 booleans one byte per item (0 or 1)
//!   3 lists    zeros to a multiple of 4, one u32 per item (its length), then one column of
//!              all the lists' items one after another
//!   4 records  `records` for the items (objects of one shape, nested)
//!   5 text     zeros to a multiple of 4, u32 byte length, codec text of an array of the items
//! ```
//!
//! Alignment is counted from the start of the buffer, so a reader in JavaScript can view a
//! column of numbers as a `Float64Array` without copying it. Lengths of strings are in UTF-16
//! code units, the unit JavaScript slices by. Every column takes at least one byte per item,
//! which bounds what a reader allocates by the size of the buffer it was given.

use super::super::{Map, Number, Value};

/// Format version written in a table's first byte.
const VERSION: u8 = 1;
/// Arrays of at least this many records cross as tables (when binary data goes beside the text).
pub const ROWS_MIN: usize = 1024;
/// Most rows in one table: a longer array is several tables, which a reader can take one at a
/// time and let its event loop run in between.
pub const ROWS_PER_TABLE: usize = 16_384;
/// Most keys a record in a table may have.
const MAX_KEYS: usize = 4096;
/// Deepest nesting of lists and records inside a table; deeper columns are written as text.
const MAX_NESTING: usize = 16;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Numbers = 0,
    Strings = 1,
    Booleans = 2,
    Lists = 3,
    Records = 4,
    Text = 5,
}

impl Kind {
    fn from_byte(byte: u8) -> Option<Kind> {
        Some(match byte {
            0 => Kind::Numbers,
            1 => Kind::Strings,
            2 => Kind::Booleans,
            3 => Kind::Lists,
            4 => Kind::Records,
            5 => Kind::Text,
            _ => return None,
        })
    }
}

/// The records of an array, borrowed.
type Records<'a> = Vec<&'a Map>;

/// The keys of `rows`' records when every row is an object with the same keys in the same
/// order (and at least one), else `None`.
fn shape<'a>(rows: impl IntoIterator<Item = &'a Value>) -> Option<(&'a Map, Records<'a>)> {
    let mut rows = rows.into_iter();
    let first = rows.next()?.as_object()?;
    if first.is_empty() || first.len() > MAX_KEYS {
        return None;
    }
    let mut records = Vec::with_capacity(rows.size_hint().0 + 1);
    records.push(first);
    for row in rows {
        let record = row.as_object()?;
        if record.len() != first.len() || !record.keys().zip(first.keys()).all(|(a, b)| a == b) {
            return None;
        }
        records.push(record);
    }
    Some((first, records))
}

/// `rows` as tables of at most [`ROWS_PER_TABLE`] rows each, or `None` when they are not all
/// records of one shape. `text` writes a column that has no binary form (mixed kinds,
/// `undefined`, values beyond JSON) as codec text of an array.
pub(super) fn encode_tables(
    rows: &[Value],
    text: &dyn Fn(&[&Value]) -> Result<String, String>,
) -> Result<Option<Vec<Vec<u8>>>, String> {
    let mut tables = Vec::with_capacity(rows.len().div_ceil(ROWS_PER_TABLE));
    for chunk in rows.chunks(ROWS_PER_TABLE) {
        let Some((first, records)) = shape(chunk) else { return Ok(None) };
        let mut writer = Writer { out: Vec::with_capacity(64 + chunk.len() * 16), text };
        writer.out.extend_from_slice(&[VERSION, 0, 0, 0]);
        writer.u32(chunk.len())?;
        writer.records(first, &records, 0)?;
        tables.push(writer.out);
    }
    Ok(Some(tables))
}

struct Writer<'t> {
    out: Vec<u8>,
    text: &'t dyn Fn(&[&Value]) -> Result<String, String>,
}

impl Writer<'_> {
    fn u32(&mut self, n: usize) -> Result<(), String> {
        let n = u32::try_from(n).map_err(|_| "a table is too large".to_owned())?;
        self.out.extend_from_slice(&n.to_le_bytes());
        Ok(())
    }

    fn align(&mut self, to: usize) {
        while self.out.len() % to != 0 {
            self.out.push(0);
        }
    }

    fn records(&mut self, shape: &Map, records: &[&Map], depth: usize) -> Result<(), String> {
        self.u32(shape.len())?;
        for key in shape.keys() {
            self.u32(key.len())?;
            self.out.extend_from_slice(key.as_bytes());
        }
        let mut column: Vec<&Value> = Vec::with_capacity(records.len());
        for index in 0..shape.len() {
            column.clear();
            column.extend(
                records.iter().filter_map(|record| record.get_index(index).map(|(_, v)| v)),
            );
            self.column(&column, depth)?;
        }
        Ok(())
    }

    fn column(&mut self, items: &[&Value], depth: usize) -> Result<(), String> {
        match kind_of(items, depth) {
            Kind::Numbers => {
                self.out.push(Kind::Numbers as u8);
                self.align(8);
                self.out.reserve(items.len() * 8);
                for item in items {
                    self.out.extend_from_slice(&item.as_f64().unwrap_or(f64::NAN).to_le_bytes());
                }
            }
            Kind::Strings => {
                self.out.push(Kind::Strings as u8);
                self.align(4);
                let mut bytes = 0usize;
                for item in items {
                    let s = item.as_str().unwrap_or("");
                    bytes += s.len();
                    self.u32(if s.is_ascii() { s.len() } else { s.encode_utf16().count() })?;
                }
                self.u32(bytes)?;
                self.out.reserve(bytes);
                for item in items {
                    self.out.extend_from_slice(item.as_str().unwrap_or("").as_bytes());
                }
            }
            Kind::Booleans => {
                self.out.push(Kind::Booleans as u8);
                self.out.extend(items.iter().map(|item| u8::from(item.as_bool() == Some(true))));
            }
            Kind::Lists => {
                self.out.push(Kind::Lists as u8);
                self.align(4);
                let mut children: Vec<&Value> = Vec::new();
                for item in items {
                    let list = item.as_array().map_or(&[][..], Vec::as_slice);
                    self.u32(list.len())?;
                    children.extend(list);
                }
                self.column(&children, depth + 1)?;
            }
            Kind::Records => {
                let Some((first, records)) = shape(items.iter().copied()) else {
                    return self.text_column(items);
                };
                self.out.push(Kind::Records as u8);
                self.records(first, &records, depth + 1)?;
            }
            Kind::Text => self.text_column(items)?,
        }
        Ok(())
    }

    fn text_column(&mut self, items: &[&Value]) -> Result<(), String> {
        let text = (self.text)(items)?;
        self.out.push(Kind::Text as u8);
        self.align(4);
        self.u32(text.len())?;
        self.out.extend_from_slice(text.as_bytes());
        Ok(())
    }
}

/// The binary form a column's items share, or text when they share none.
fn kind_of(items: &[&Value], depth: usize) -> Kind {
    let Some(first) = items.first() else { return Kind::Numbers };
    let all = |test: fn(&Value) -> bool| items.iter().all(|item| test(item));
    match first {
        Value::Number(_) if all(Value::is_number) => Kind::Numbers,
        Value::String(_) if all(Value::is_string) => Kind::Strings,
        Value::Bool(_) if all(Value::is_boolean) => Kind::Booleans,
        Value::Array(_) if depth < MAX_NESTING && all(Value::is_array) => Kind::Lists,
        // The shape is checked as the column is written (a mismatch falls back to text there).
        Value::Object(_) if depth < MAX_NESTING && all(Value::is_object) => Kind::Records,
        _ => Kind::Text,
    }
}

/// The rows of a table written by [`encode_tables`] (or by the TypeScript side's writer).
/// `text` reads a text column's codec text. Malformed input is an error, never a panic, and
/// nothing is allocated beyond what the buffer's size allows.
pub(super) fn decode_table(
    bytes: &[u8],
    text: &dyn Fn(&str) -> Result<Value, String>,
) -> Result<Vec<Value>, String> {
    let mut reader = Reader { bytes, at: 0, text };
    if reader.u8()? != VERSION {
        return Err(malformed("its version is not one this engine reads"));
    }
    reader.take(3)?;
    let rows = reader.count()?;
    let records = reader.records(rows, 0)?;
    if reader.at != bytes.len() {
        return Err(malformed("bytes are left after its last column"));
    }
    Ok(records)
}

fn malformed(why: &str) -> String {
    format!("malformed table of records in the $atomiton encoding: {why}")
}

struct Reader<'a, 't> {
    bytes: &'a [u8],
    at: usize,
    text: &'t dyn Fn(&str) -> Result<Value, String>,
}

impl<'a> Reader<'a, '_> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| malformed("it ends early"))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<usize, String> {
        let mut word = [0u8; 4];
        word.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(word) as usize)
    }

    /// A number of items that follow: each takes at least a byte, so more than the bytes left
    /// cannot be right (and must not be allocated for).
    fn count(&mut self) -> Result<usize, String> {
        let n = self.u32()?;
        self.fits(n)?;
        Ok(n)
    }

    fn fits(&self, items: usize) -> Result<(), String> {
        if items > self.bytes.len() - self.at {
            return Err(malformed("it counts more items than it has bytes"));
        }
        Ok(())
    }

    fn align(&mut self, to: usize) -> Result<(), String> {
        let pad = (to - self.at % to) % to;
        self.take(pad).map(drop)
    }

    fn string(&mut self, len: usize) -> Result<&'a str, String> {
        std::str::from_utf8(self.take(len)?).map_err(|_| malformed("a key or string is not UTF-8"))
    }

    fn records(&mut self, rows: usize, depth: usize) -> Result<Vec<Value>, String> {
        if depth > MAX_NESTING {
            return Err(malformed("it nests deeper than tables may"));
        }
        let keys = self.count()?;
        if keys == 0 || keys > MAX_KEYS {
            return Err(malformed("its records have no keys, or too many"));
        }
        // One record, built once, is the template of every row: cloning it copies its hash
        // table rather than hashing every key again.
        let mut template = Map::with_capacity(keys);
        for _ in 0..keys {
            let len = self.u32()?;
            template.insert(self.string(len)?, Value::Null);
        }
        if template.len() != keys {
            return Err(malformed("a key appears twice"));
        }
        let mut columns = Vec::with_capacity(keys);
        for _ in 0..keys {
            columns.push(self.column(rows, depth)?.into_iter());
        }
        let mut records = Vec::with_capacity(rows);
        for _ in 0..rows {
            let mut record = template.clone();
            for (slot, column) in record.values_mut().zip(columns.iter_mut()) {
                *slot = column.next().unwrap_or(Value::Null);
            }
            records.push(Value::Object(record));
        }
        Ok(records)
    }

    fn column(&mut self, n: usize, depth: usize) -> Result<Vec<Value>, String> {
        let kind = Kind::from_byte(self.u8()?)
            .ok_or_else(|| malformed("a column is of an unknown kind"))?;
        if kind != Kind::Text {
            // Text needs at least two bytes (`[]`) whatever its count; the others a byte per item.
            self.fits(n)?;
        }
        Ok(match kind {
            Kind::Numbers => {
                self.align(8)?;
                let data =
                    self.take(n.checked_mul(8).ok_or_else(|| malformed("it ends early"))?)?;
                data.chunks_exact(8)
                    .map(|chunk| {
                        let mut double = [0u8; 8];
                        double.copy_from_slice(chunk);
                        Value::Number(Number::new(f64::from_le_bytes(double)))
                    })
                    .collect()
            }
            Kind::Strings => {
                self.align(4)?;
                let mut units = Vec::with_capacity(n);
                let mut total_units = 0usize;
                for _ in 0..n {
                    let len = self.u32()?;
                    total_units = total_units.saturating_add(len);
                    units.push(len);
                }
                let byte_len = self.u32()?;
                let text = self.string(byte_len)?;
                split_by_units(text, &units, total_units)?
            }
            Kind::Booleans => self
                .take(n)?
                .iter()
                .map(|byte| match byte {
                    0 => Ok(Value::Bool(false)),
                    1 => Ok(Value::Bool(true)),
                    _ => Err(malformed("a boolean is neither 0 nor 1")),
                })
                .collect::<Result<_, _>>()?,
            Kind::Lists => {
                if depth >= MAX_NESTING {
                    return Err(malformed("it nests deeper than tables may"));
                }
                self.align(4)?;
                let mut lengths = Vec::with_capacity(n);
                let mut total = 0usize;
                for _ in 0..n {
                    let len = self.u32()?;
                    total = total
                        .checked_add(len)
                        .ok_or_else(|| malformed("its lists are too long"))?;
                    lengths.push(len);
                }
                let mut children = self.column(total, depth + 1)?.into_iter();
                lengths
                    .into_iter()
                    .map(|len| Value::Array(children.by_ref().take(len).collect()))
                    .collect()
            }
            Kind::Records => self.records(n, depth + 1)?,
            Kind::Text => {
                self.align(4)?;
                let len = self.u32()?;
                let text = self.string(len)?;
                match (self.text)(text)? {
                    Value::Array(items) if items.len() == n => items,
                    _ => return Err(malformed("a text column is not an array of its items")),
                }
            }
        })
    }
}

/// `text` cut into strings of the given lengths in UTF-16 code units.
fn split_by_units(text: &str, units: &[usize], total_units: usize) -> Result<Vec<Value>, String> {
    let mut out = Vec::with_capacity(units.len());
    // ASCII has one byte per code unit: cut by bytes (the lengths are the table's claim, so the
    // text itself is what is checked).
    if text.is_ascii() && text.len() == total_units {
        let mut at = 0;
        for &len in units {
            out.push(Value::String(text[at..at + len].into()));
            at += len;
        }
        return Ok(out);
    }
    let mut chars = text.char_indices().peekable();
    let mut start = 0;
    for &len in units {
        let mut counted = 0;
        while counted < len {
            let Some((_, c)) = chars.next() else {
                return Err(malformed("its strings are shorter than their lengths"));
            };
            counted += c.len_utf16();
        }
        if counted != len {
            return Err(malformed("a string's length splits a character"));
        }
        let end = chars.peek().map_or(text.len(), |(i, _)| *i);
        out.push(Value::String(text[start..end].into()));
        start = end;
    }
    if start != text.len() {
        return Err(malformed("its strings are longer than their lengths"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn json_text(items: &[&Value]) -> Result<String, String> {
        serde_json::to_string(items).map_err(|e| e.to_string())
    }

    fn parse(text: &str) -> Result<Value, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    fn round_trip(rows: &[Value]) -> Vec<Value> {
        let tables = encode_tables(rows, &json_text).unwrap().expect("a table");
        tables.iter().flat_map(|t| decode_table(t, &parse).unwrap()).collect()
    }

    fn records(n: usize) -> Vec<Value> {
        (0..n)
            .map(|i| json!({"id": i, "name": (format!("item {i}")), "price": (i as f64 / 3.0), "ok": (i % 2 == 0), "tags": ["a", "b"], "at": {"x": i, "y": null}}))
            .collect()
    }

    #[test]
    fn records_of_one_shape_read_back_as_they_were() {
        let rows = records(3000);
        assert_eq!(round_trip(&rows), rows);
    }

    #[test]
    fn arrays_longer_than_a_table_are_several() {
        let rows = records(ROWS_PER_TABLE * 2 + 5);
        let tables = encode_tables(&rows, &json_text).unwrap().unwrap();
        assert_eq!(tables.len(), 3);
        assert_eq!(round_trip(&rows), rows);
    }

    #[test]
    fn strings_keep_every_character_and_their_utf16_lengths_are_written() {
        let words = ["", "plain", "é", "日本語", "🦀x", "a\u{0}b", "\u{feff}bom"];
        let rows: Vec<Value> = words.iter().map(|w| json!({ "w": (*w) })).collect();
        assert_eq!(round_trip(&rows), rows);
        let table = &encode_tables(&rows, &json_text).unwrap().unwrap()[0];
        // After the header, the key and the column's kind and padding: "🦀x" is 3 code units.
        let lengths_at = 8 + 4 + 4 + 1 + 1 + 2;
        let word = |i: usize| {
            u32::from_le_bytes(
                table[lengths_at + 4 * i..lengths_at + 4 * i + 4].try_into().unwrap(),
            )
        };
        assert_eq!((word(0), word(2), word(3), word(4)), (0, 1, 3, 3));
    }

    #[test]
    fn columns_without_one_kind_cross_as_text() {
        let rows: Vec<Value> = (0..50).map(|i| json!({ "v": (if i % 2 == 0 { json!(i) } else { Value::Undefined }), "n": (f64::NAN) })).collect();
        let decoded = round_trip(&rows);
        assert_eq!(decoded.len(), 50);
        assert!(
            decoded[1]["v"].is_undefined(),
            "text columns are codec text: undefined stays undefined"
        );
        assert!(
            decoded[0]["n"].as_f64().unwrap().is_nan(),
            "numbers cross as doubles, NaN included"
        );
    }

    #[test]
    fn arrays_not_of_one_shape_are_no_table() {
        let mut rows = records(10);
        rows.push(json!({"id": 1}));
        assert!(encode_tables(&rows, &json_text).unwrap().is_none());
        assert!(encode_tables(&[json!({}), json!({})], &json_text).unwrap().is_none());
        assert!(encode_tables(&[json!(1), json!(2)], &json_text).unwrap().is_none());
        let reordered = [json!({"a": 1, "b": 2}), json!({"b": 2, "a": 1})];
        assert!(encode_tables(&reordered, &json_text).unwrap().is_none());
    }

    #[test]
    fn nested_records_of_differing_shapes_become_text() {
        let rows = [json!({"a": {"x": 1}}), json!({"a": {"y": 2}})];
        assert_eq!(round_trip(&rows), rows);
    }

    #[test]
    fn malformed_tables_are_errors_never_panics() {
        let table = encode_tables(&records(40), &json_text).unwrap().unwrap().remove(0);
        // Every truncation, and every byte changed to a few telling values, reads as an error
        // or as some value: never a panic, never an allocation the buffer cannot back.
        for end in 0..table.len() {
            assert!(decode_table(&table[..end], &parse).is_err(), "cut at {end}");
        }
        for at in 0..table.len() {
            for byte in [0u8, 1, 5, 0x7f, 0xff] {
                let mut bad = table.clone();
                bad[at] = byte;
                let _ = decode_table(&bad, &parse);
            }
        }
        let mut huge = vec![VERSION, 0, 0, 0];
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode_table(&huge, &parse).unwrap_err().contains("more items than it has bytes"));
        assert!(decode_table(&[9, 0, 0, 0, 0, 0, 0, 0], &parse).unwrap_err().contains("version"));
        // Lengths that add up to the byte count of a text that is not ASCII (found by fuzzing:
        // the bytes were cut inside a character).
        let mut lying = vec![
            VERSION,
            0,
            0,
            0,
            2,
            0,
            0,
            0,
            1,
            0,
            0,
            0,
            1,
            0,
            0,
            0,
            b'k',
            Kind::Strings as u8,
            0,
            0,
        ];
        lying.extend_from_slice(&[1, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]);
        lying.extend_from_slice("🦀".as_bytes());
        assert!(decode_table(&lying, &parse).is_err());
    }

    #[test]
    fn nesting_is_bounded() {
        // A list of lists 40 deep: the writer falls back to text past MAX_NESTING.
        let mut deep = json!(1);
        for _ in 0..40 {
            deep = Value::Array(vec![deep]);
        }
        let rows = vec![json!({ "d": (deep.clone()) }); 3];
        assert_eq!(round_trip(&rows), rows);
    }
}
