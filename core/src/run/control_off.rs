//! Builds without `debugger` (the browser's default module): nothing pauses, resumes or steps
//! a run, so no run has requests to read. See `control.rs`.

/// Never made: a run's handles have no control in these builds.
#[derive(Debug)]
pub enum RunControl {}
