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
#[derive(Clone, Copy)]
pub(super) enum Form {
    Function,
    Expression,
}

type Cache = Mutex<HashMap<String, Arc<Expression>>>;

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
    // The key holds everything compilation depends on; NUL cannot occur in a parameter name.
    let mut key = String::with_capacity(source.len() + 32);
    key.push(match form {
        Form::Function => 'f',
        Form::Expression => 'e',
    });
    key.push_str(&limits.max_depth.to_string());
    for name in names {
        key.push('\0');
        key.push_str(name);
    }
    key.push('\0');
    key.push('\0');
    key.push_str(source);
    // A poisoned lock only means another thread panicked mid-insert; the map is still whole.
    if let Some(hit) = cache().lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(hit.clone());
    }
    let compiled = Arc::new(compile()?);
    let mut map = cache().lock().unwrap_or_else(|p| p.into_inner());
    if map.len() >= CAPACITY {
        map.clear();
    }
    map.insert(key, compiled.clone());
    Ok(compiled)
}
