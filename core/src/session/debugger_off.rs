//! Builds without `debugger` (the browser's default module): no run pauses or keeps a live
//! view, and the session has no debugger methods. See `debugger.rs`.

use super::Session;
use crate::engine::{SharedControl, SharedView};

/// Nothing kept for a debugger.
#[derive(Default)]
pub(super) struct Debugging;

impl Debugging {
    #[inline(always)]
    fn watch(&self) -> Option<SharedView> {
        None
    }
}

/// No run has pause requests here.
pub(super) fn new_control() -> Option<SharedControl> {
    None
}

impl Session {
    /// No live view: runs report their progress in snapshots and change events only.
    pub(super) fn watch(&self, _execution_id: &str) -> Option<SharedView> {
        self.debugging.watch()
    }
}

/// The session methods only debugger builds have are left out.
#[doc(hidden)]
#[macro_export]
macro_rules! __session_gate_debugger {
    ($($item:tt)*) => {};
}
