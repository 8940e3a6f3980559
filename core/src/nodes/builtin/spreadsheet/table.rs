//! Turning a grid of cells into the reader's output (`sheet_to_json` of the TypeScript engine).

use std::collections::HashSet;

use crate::error::ExecutionError;
use crate::json;
use crate::value::{Map, Value};

use super::super::common_budget::NodeBudget;

use super::TYPE;
/// What one cell adds to the output beyond its text, as the output bound counts it.
const CELL_BYTES: usize = 8;

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
    let col = letters
        .to_ascii_uppercase()
        .bytes()
        .try_fold(0usize, |acc, b| acc.checked_mul(26)?.checked_add(usize::from(b - b'A' + 1)))?;
    let row: usize = digits.parse().ok()?;
    Some((row.checked_sub(1)?, col.checked_sub(1)?))
}

/// Applies a range to a grid. Every row of the range gets every column of it (`""` where the
/// data has no cell), so a range far wider than the data is counted against the output bound
/// before those cells are made.
pub(super) fn slice(
    grid: Vec<Vec<String>>,
    range: Option<(usize, usize, usize, usize)>,
    budget: &NodeBudget<'_>,
) -> Result<Vec<Vec<String>>, ExecutionError> {
    let Some((r0, c0, r1, c1)) = range else { return Ok(grid) };
    let rows = grid.len().min(r1.saturating_add(1)).saturating_sub(r0);
    let width = (c1 - c0).saturating_add(1);
    budget.spend(TYPE, rows.saturating_mul(width).saturating_mul(CELL_BYTES))?;
    Ok(grid
        .into_iter()
        .enumerate()
        .filter(|(r, _)| (r0..=r1).contains(r))
        .map(|(_, row)| (c0..=c1).map(|c| row.get(c).cloned().unwrap_or_default()).collect())
        .collect())
}

/// `{records, headers, rowCount}`: with headers, records are objects keyed by the first row
/// (missing cells `""`, duplicate names suffixed `_1`, `_2`, empty names `__EMPTY`); without,
/// records are the rows themselves. Records repeat the header names in every row, so their size
/// is counted against the output bound row by row, before each is made.
pub fn records(
    grid: Vec<Vec<String>>,
    has_headers: bool,
    budget: &NodeBudget<'_>,
) -> Result<Map, ExecutionError> {
    let mut out = Map::new();
    if !has_headers {
        let width = grid.iter().map(Vec::len).max().unwrap_or(0);
        out.insert("headers", json!((0..width).map(|i| i.to_string()).collect::<Vec<_>>()));
        out.insert("rowCount", json!(grid.len()));
        out.insert("records", json!(grid));
        return Ok(out);
    }
    let mut rows = grid.into_iter();
    let headers = unique_headers(rows.next().unwrap_or_default());
    let header_bytes: usize = headers.iter().map(|h| h.len() + CELL_BYTES).sum();
    let mut records = Vec::with_capacity(rows.len());
    for (i, row) in rows.enumerate() {
        budget.spend(TYPE, header_bytes.saturating_add(row.iter().map(String::len).sum()))?;
        if i % 1024 == 0 {
            budget.stopped()?;
        }
        records.push(record(&headers, row));
    }
    let count = records.len();
    out.insert("records", Value::Array(records));
    out.insert("headers", json!(headers));
    out.insert("rowCount", json!(count));
    Ok(out)
}

/// One row as a record keyed by `headers` (`""` where the row has no cell).
pub fn record(headers: &[String], row: Vec<String>) -> Value {
    let mut cells = row.into_iter();
    let entries = headers
        .iter()
        .map(|header| (header.as_str().into(), Value::from(cells.next().unwrap_or_default())))
        .collect();
    // The names are unique (`unique_headers`): no search for a repeated key.
    Value::Object(Map::from_unique(entries))
}

/// Header names made unique: an empty one is `__EMPTY`, a repeated one gets `_1`, `_2`, ...
/// (the first suffix not taken). A set keeps it linear: thousands of empty header cells used
/// to take a scan of all names per candidate.
pub fn unique_headers(raw: Vec<String>) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::with_capacity(raw.len());
    let mut next_suffix: std::collections::HashMap<String, usize> =
        std::collections::HashMap::new();
    let mut headers = Vec::with_capacity(raw.len());
    for name in raw {
        let base = if name.is_empty() { "__EMPTY".to_owned() } else { name };
        let mut candidate = base.clone();
        if taken.contains(&candidate) {
            let n = next_suffix.entry(base.clone()).or_insert(0);
            loop {
                *n += 1;
                candidate = format!("{base}_{n}");
                if !taken.contains(&candidate) {
                    break;
                }
            }
        }
        taken.insert(candidate.clone());
        headers.push(candidate);
    }
    headers
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
        let signal = crate::host::CancelToken::new();
        let budget = NodeBudget::new(crate::expression::Limits::default(), &signal);
        let out = records(grid, true, &budget).unwrap();
        assert_eq!(out["headers"], json!(["a", "a_1", "__EMPTY"]));
        assert_eq!(out["records"], json!([{"a": "1", "a_1": "", "__EMPTY": ""}]));
        assert_eq!(out["rowCount"], 1);
        let headers =
            |names: &[&str]| unique_headers(names.iter().map(|n| (*n).to_owned()).collect());
        assert_eq!(headers(&["a_1", "a", "a", "a"]), ["a_1", "a", "a_2", "a_3"]);
        assert_eq!(
            headers(&["a", "a", "a_1", "", ""]),
            ["a", "a_1", "a_1_1", "__EMPTY", "__EMPTY_1"]
        );
    }

    #[test]
    fn a_range_far_wider_than_the_data_is_refused_before_its_cells_are_made() {
        let signal = crate::host::CancelToken::new();
        let budget = NodeBudget::new(crate::expression::Limits::default(), &signal);
        let grid = vec![vec!["a".to_owned()], vec!["1".into()]];
        let error = slice(grid.clone(), parse_range("A1:ZZZZZZZ2"), &budget).unwrap_err();
        assert!(
            error.message.contains("Output exceeds the node's output limit"),
            "{}",
            error.message
        );
        assert_eq!(slice(grid, parse_range("A1:C2"), &budget).unwrap()[1], ["1", "", ""]);
    }

    #[test]
    fn many_empty_header_names_are_numbered_in_linear_time() {
        let names = unique_headers(vec![String::new(); 50_000]);
        assert_eq!(names[49_999], "__EMPTY_49999");
    }
}
