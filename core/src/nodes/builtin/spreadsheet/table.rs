//! Turning a grid of cells into the reader's output (`sheet_to_json` of the original).

use crate::json;
use crate::value::{Map, Value};

/// A1-style range `A1:D10` → inclusive zero-based (first row, first col, last row, last col).
pub(super) fn parse_range(range: &str) -> Option<(usize, usize, usize, usize)> {
    let (start, end) = range.split_once(':').unwrap_or((range, range));
    let (r0, c0) = cell_ref(start.trim())?;
    let (r1, c1) = cell_ref(end.trim())?;
    Some((r0.min(r1), c0.min(c1), r0.max(r1), c0.max(c1)))
}

fn cell_ref(cell: &str) -> Option<(usize, usize)> {
    let letters: String = cell.chars().take_while(char::is_ascii_alphabetic).collect();
    let digits = &cell[letters.len()..];
    if letters.is_empty() || digits.is_empty() {
        return None;
    }
    let col = letters.to_ascii_uppercase().bytes().try_fold(0usize, |acc, b| acc.checked_mul(26)?.checked_add(usize::from(b - b'A' + 1)))?;
    let row: usize = digits.parse().ok()?;
    Some((row.checked_sub(1)?, col.checked_sub(1)?))
}

/// Applies a range to a grid.
pub(super) fn slice(grid: Vec<Vec<String>>, range: Option<(usize, usize, usize, usize)>) -> Vec<Vec<String>> {
    let Some((r0, c0, r1, c1)) = range else { return grid };
    grid.into_iter()
        .enumerate()
        .filter(|(r, _)| (r0..=r1).contains(r))
        .map(|(_, row)| (c0..=c1).map(|c| row.get(c).cloned().unwrap_or_default()).collect())
        .collect()
}

/// `{records, headers, rowCount}`: with headers, records are objects keyed by the first row
/// (missing cells `""`, duplicate names suffixed `_1`, `_2`, empty names `__EMPTY`); without,
/// records are the rows themselves.
pub(super) fn records(grid: Vec<Vec<String>>, has_headers: bool) -> Map<String, Value> {
    let mut out = Map::new();
    if !has_headers {
        let width = grid.iter().map(Vec::len).max().unwrap_or(0);
        out.insert("headers".into(), json!((0..width).map(|i| i.to_string()).collect::<Vec<_>>()));
        out.insert("rowCount".into(), json!(grid.len()));
        out.insert("records".into(), json!(grid));
        return out;
    }
    let mut rows = grid.into_iter();
    let raw_headers = rows.next().unwrap_or_default();
    let mut headers: Vec<String> = Vec::with_capacity(raw_headers.len());
    for name in raw_headers {
        let base = if name.is_empty() { "__EMPTY".to_owned() } else { name };
        let mut candidate = base.clone();
        let mut n = 0;
        while headers.contains(&candidate) {
            n += 1;
            candidate = format!("{base}_{n}");
        }
        headers.push(candidate);
    }
    let records: Vec<Value> = rows
        .map(|row| {
            let mut record = Map::with_capacity(headers.len());
            for (i, header) in headers.iter().enumerate() {
                record.insert(header.clone(), Value::String(row.get(i).cloned().unwrap_or_default()));
            }
            Value::Object(record)
        })
        .collect();
    out.insert("records".into(), Value::Array(records));
    out.insert("headers".into(), json!(headers));
    let count = out["records"].as_array().map_or(0, Vec::len);
    out.insert("rowCount".into(), json!(count));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_headers() {
        assert_eq!(parse_range("A1:D10"), Some((0, 0, 9, 3)));
        assert_eq!(parse_range("b2"), Some((1, 1, 1, 1)));
        assert_eq!(parse_range("AA3:A1"), Some((0, 0, 2, 26)));
        assert_eq!(parse_range("nope"), None);
        let grid = vec![vec!["a".to_owned(), "a".into(), "".into()], vec!["1".into()]];
        let out = records(grid, true);
        assert_eq!(out["headers"], json!(["a", "a_1", "__EMPTY"]));
        assert_eq!(out["records"], json!([{"a": "1", "a_1": "", "__EMPTY": ""}]));
        assert_eq!(out["rowCount"], 1);
    }
}
