//! Builds without `debugger` (the browser's default module): nothing pauses, resumes or steps
//! a run, so no run has requests to read. See `control.rs`.

/// Never made: a run's handles have no control in these builds.
#[derive(Debug, Clone)]
pub enum RunControl {}

/// A run's requests as its handles hold them: never made, and known not to be by its type (so
/// the code that would read them is compiled out).
pub type SharedControl = RunControl;
