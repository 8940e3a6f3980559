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
const MAX_SOURCE_BYTES: usize = 4096;

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

/// Programs by source text (looked up without allocating), then by form and names.
type Cache = Mutex<HashMap<String, Vec<Entry>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
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
        .get(source)
        .and_then(|entries| entries.iter().find(|e| e.matches(form, names, limits)))
        .map(|e| e.program.clone());
    if let Some(program) = hit {
        return Ok(program);
    }
    let program = Arc::new(compile()?);
    let mut map = cache().lock().unwrap_or_else(|p| p.into_inner());
    if map.len() >= CAPACITY {
        map.clear();
    }
    map.entry(source.to_owned()).or_default().push(Entry {
        form,
        max_depth: limits.max_depth,
        names: names.iter().map(|n| (*n).to_owned()).collect(),
        program: program.clone(),
    });
    Ok(program)
}
