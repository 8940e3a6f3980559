//! A serde error reading options, in the words the npm package's checks use: an unknown field
//! names the one it probably meant, and no parser positions.

use crate::error::ExecutionError;

use super::suggest::nearest;

/// `error`, met reading `what` (`"conductor config"`, `"run options"`), as a
/// `VALIDATION_FAILED` error.
pub fn invalid(what: &str, error: &serde_json::Error) -> ExecutionError {
    ExecutionError::validation(format!("Invalid {what}: {}", explain(&error.to_string())))
}

/// serde's message without its position, an unknown field with the name it probably meant.
fn explain(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    let Some(rest) = message.strip_prefix("unknown field `") else { return message.to_owned() };
    let Some((field, rest)) = rest.split_once('`') else { return message.to_owned() };
    // ", expected one of `a`, `b`" / ", expected `a`" / ", there are no fields"
    let known: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    unknown_option("", field, &known)
}

/// That `field` of the object at `prefix` (`""`, `"storage."`) is not among `known`, with the
/// one it probably meant.
pub(crate) fn unknown_option(prefix: &str, field: &str, known: &[&str]) -> String {
    match nearest(field, known.iter().copied()) {
        Some(meant) => {
            format!("unknown option '{prefix}{field}' (did you mean '{prefix}{meant}'?)")
        }
        None if known.is_empty() => format!("unknown option '{prefix}{field}'"),
        None => {
            let known: Vec<String> = known.iter().map(|name| format!("{prefix}{name}")).collect();
            format!("unknown option '{prefix}{field}'; known options: {}", known.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::explain;

    #[test]
    fn unknown_fields_name_the_one_meant() {
        assert_eq!(
            explain("unknown field `concurency`, expected one of `concurrency`, `timeout` at line 1 column 13"),
            "unknown option 'concurency' (did you mean 'concurrency'?)"
        );
        assert_eq!(
            explain("unknown field `zzz`, expected `roots` at line 1 column 5"),
            "unknown option 'zzz'; known options: roots"
        );
        assert_eq!(
            explain("invalid type: string \"30s\", expected f64 at line 1 column 16"),
            "invalid type: string \"30s\", expected f64"
        );
    }
}
