//! A process-wide cache of compiled programs. Flows run the same few sources again and again
//! (every run of a saved flow, every `transform` with the default `item => item`, validation
//! and then execution of the same parameter), and compiling a small source costs more than
//! evaluating it over a small array.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::{Expression, ExpressionError, Limits};

/// Programs kept before the cache starts over. A bound, not a tuning knob: real flows use a
/// handful of distinct sources.
const CAPACITY: usize = 512;
/// Longer sources are compiled each time rather than kept.
const MAX_SOURCE_BYTES: usize = 1024 * 1024;
/// Bytes of source kept in all: a large source is kept too (validation and the run then
/// compile it once between them, where compiling a 500 KB condition costs tens of
/// milliseconds), but a few of them start the cache over.
const MAX_TOTAL_BYTES: usize = 4 * 1024 * 1024;

/// How the source was compiled: the same text means different programs as a function with
/// implicit parameters and as an expression over variables.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    Function,
    Expression,
}

/// One compiled program of a source text.
struct Entry {
    form: Form,
    max_depth: usize,
    names: Vec<String>,
    program: Arc<Expression>,
}

impl Entry {
    fn matches(&self, form: Form, names: &[&str], limits: &Limits) -> bool {
        self.form == form
            && self.max_depth == limits.max_depth
            && self.names.iter().map(String::as_str).eq(names.iter().copied())
    }
}

/// Programs by source text (looked up without allocating), then by form and names; and the
/// bytes of source the keys hold.
#[derive(Default)]
struct Programs {
    by_source: HashMap<String, Vec<Entry>>,
    bytes: usize,
}

type Cache = Mutex<Programs>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Programs::default()))
}

/// The compiled program for `source`, from the cache when it was compiled before.
pub(super) fn compile_shared(
    form: Form,
    source: &str,
    names: &[&str],
    limits: &Limits,
    compile: impl FnOnce() -> Result<Expression, ExpressionError>,
) -> Result<Arc<Expression>, ExpressionError> {
    if source.len() > MAX_SOURCE_BYTES {
        return compile().map(Arc::new);
    }
    // A poisoned lock only means another thread panicked mid-insert; the map is still whole.
    let hit = cache()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .by_source
        .get(source)
        .and_then(|entries| entries.iter().find(|e| e.matches(form, names, limits)))
        .map(|e| e.program.clone());
    if let Some(program) = hit {
        return Ok(program);
    }
    let program = Arc::new(compile()?);
    let mut programs = cache().lock().unwrap_or_else(|p| p.into_inner());
    if programs.by_source.len() >= CAPACITY || programs.bytes + source.len() > MAX_TOTAL_BYTES {
        *programs = Programs::default();
    }
    if !programs.by_source.contains_key(source) {
        programs.bytes += source.len();
    }
    programs.by_source.entry(source.to_owned()).or_default().push(Entry {
        form,
        max_depth: limits.max_depth,
        names: names.iter().map(|n| (*n).to_owned()).collect(),
        program: program.clone(),
    });
    Ok(program)
}

#[cfg(test)]
mod tests {
    use super::super::{Expression, Limits};

    /// A large source is compiled once between validation and the run (the same program comes
    /// back), and a record literal of many keys compiles: its keys are told apart by a set.
    #[test]
    fn a_large_source_is_compiled_once() {
        let keys: Vec<String> = (0..50_000).map(|i| format!("k{i}: {i}")).collect();
        // The whole body is a record: the record tier looks at every key.
        let source = format!("({{{}}})", keys.join(", "));
        assert!(source.len() > 500_000);
        let limits = Limits::default();
        let first = Expression::compile_function_shared(&source, &["x"], &limits).unwrap();
        let again = Expression::compile_function_shared(&source, &["x"], &limits).unwrap();
        assert!(std::sync::Arc::ptr_eq(&first, &again), "compiled once");
    }
}
