//! `python` in builds without processes: the error saying what it needs.

use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};

pub(super) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    super::super::unavailable::not_in_this_build(&invocation, host, "a Python interpreter")
}
