//! A `file-watch` node's parameters, read and checked: the folder, which files, which events,
//! and how long a file must stay unchanged to count as complete.

use atomiton_core::options::read::{invalid as invalid_field, Fields};
use atomiton_core::{ExecutionError, Result, Value};

/// The parameters a `file-watch` node has.
pub const PARAMETERS: &[&str] = &["path", "patterns", "events", "recursive", "debounce"];

const WHAT: &str = "file-watch trigger";

/// How long a file must stay the same size and time unless the node says: 1 s.
pub const DEFAULT_DEBOUNCE_MS: i64 = 1_000;

/// What happened to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileEvent {
    Created,
    Changed,
    Deleted,
}

impl FileEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            FileEvent::Created => "created",
            FileEvent::Changed => "changed",
            FileEvent::Deleted => "deleted",
        }
    }
}

/// A `file-watch` node's parameters, read and checked.
#[derive(Debug, Clone)]
pub struct FileWatchSpec {
    /// The folder, as written (relative paths are the host's working directory's).
    pub path: String,
    /// Globs a file's path relative to the folder must match one of (`/` between folders).
    pub patterns: Vec<glob::Pattern>,
    pub events: Vec<FileEvent>,
    /// Files in folders below too.
    pub recursive: bool,
    pub debounce_ms: i64,
}

impl FileWatchSpec {
    /// Reads a `file-watch` node's own parameters.
    pub fn read(parameters: &Value) -> Result<FileWatchSpec> {
        let fields = Fields::of(Some(parameters), WHAT, PARAMETERS)?;
        let path = fields
            .text("path")?
            .filter(|path| !path.trim().is_empty())
            .ok_or_else(|| invalid("'path' is required: the folder to watch"))?;
        let recursive = fields.flag("recursive")?.unwrap_or(false);
        let patterns = texts(fields.get("patterns"), "patterns")?
            .unwrap_or_else(|| vec![if recursive { "**/*" } else { "*" }.to_owned()]);
        let patterns = patterns
            .iter()
            .map(|pattern| {
                glob::Pattern::new(pattern).map_err(|e| {
                    invalid(&format!("'patterns' has {pattern:?}, which is not a glob: {e}"))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let events = match texts(fields.get("events"), "events")? {
            None => vec![FileEvent::Created, FileEvent::Changed],
            Some(names) => names
                .iter()
                .map(|name| match name.as_str() {
                    "created" => Ok(FileEvent::Created),
                    "changed" => Ok(FileEvent::Changed),
                    "deleted" => Ok(FileEvent::Deleted),
                    other => Err(invalid(&format!(
                        "'events' may hold \"created\", \"changed\" and \"deleted\", not {other:?}"
                    ))),
                })
                .collect::<Result<Vec<_>>>()?,
        };
        let debounce_ms = match fields.whole::<u64>("debounce")? {
            None => DEFAULT_DEBOUNCE_MS,
            Some(ms) if (100..=3_600_000).contains(&ms) => ms as i64,
            Some(_) => return Err(invalid("'debounce' must be 100 to 3600000 ms")),
        };
        Ok(FileWatchSpec { path, patterns, events, recursive, debounce_ms })
    }

    /// Whether a file at `relative` (to the folder, `/` between folders) is watched.
    pub fn matches(&self, relative: &str) -> bool {
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        self.patterns.iter().any(|pattern| pattern.matches_with(relative, options))
    }

    /// Whether the node fires on `event`.
    pub fn fires_on(&self, event: FileEvent) -> bool {
        self.events.contains(&event)
    }
}

/// A list of texts, or one text as a list of one; `None` when absent.
fn texts(value: Option<&Value>, name: &str) -> Result<Option<Vec<String>>> {
    let wrong = || invalid(&format!("'{name}' must be a list of texts"));
    match value {
        None => Ok(None),
        Some(Value::String(one)) => Ok(Some(vec![one.to_string()])),
        Some(Value::Array(list)) if !list.is_empty() => list
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or_else(wrong))
            .collect::<Result<Vec<_>>>()
            .map(Some),
        Some(_) => Err(wrong()),
    }
}

fn invalid(message: &str) -> ExecutionError {
    invalid_field(WHAT, message.to_owned())
}
