//! `shell-command` in builds without `host-effects` (the browser's): the node fails saying it needs
//! process spawning (validation refuses it before then, on hosts that say they lack it).

use super::super::unavailable::not_in_this_build;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};

pub(super) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    not_in_this_build(&invocation, host, "process spawning")
}
