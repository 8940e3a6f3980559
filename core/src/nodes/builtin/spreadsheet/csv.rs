//! Delimited text: double-quote aware, `""` escapes a quote, unquoted cells trimmed, newlines
//! inside quotes kept — the original's built-in parser, now used for every delimiter.

/// Rows of cells. `skip_empty_lines` drops lines with no content.
pub(super) fn parse(text: &str, delimiter: &str, skip_empty_lines: bool) -> Vec<Vec<String>> {
    let delimiter: Vec<char> =
        if delimiter.is_empty() { vec![','] } else { delimiter.chars().collect() };
    let chars: Vec<char> = text.strip_prefix('\u{feff}').unwrap_or(text).chars().collect();
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut i = 0;
    let finish_cell = |cell: &mut String, was_quoted: &mut bool, row: &mut Vec<String>| {
        let value = if *was_quoted { std::mem::take(cell) } else { cell.trim().to_owned() };
        cell.clear();
        *was_quoted = false;
        row.push(value);
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
            finish_cell(&mut cell, &mut was_quoted, &mut row);
            i += delimiter.len();
            continue;
        } else if c == '\n' || c == '\r' {
            finish_cell(&mut cell, &mut was_quoted, &mut row);
            push_row(&mut rows, std::mem::take(&mut row), skip_empty_lines);
            if c == '\r' && chars.get(i + 1) == Some(&'\n') {
                i += 1;
            }
        } else if !was_quoted {
            // (`quoted` is false here.) Text between a closing quote and the next delimiter is
            // dropped: the quoted text is the cell.
            cell.push(c);
        }
        i += 1;
    }
    if !cell.is_empty() || was_quoted || !row.is_empty() {
        finish_cell(&mut cell, &mut was_quoted, &mut row);
        push_row(&mut rows, row, skip_empty_lines);
    }
    rows
}

fn push_row(rows: &mut Vec<Vec<String>>, row: Vec<String>, skip_empty_lines: bool) {
    let empty = row.iter().all(String::is_empty);
    if !(skip_empty_lines && empty) {
        rows.push(row);
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

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
}
