//! `file-system` in builds without `host-effects` (the browser's): the node fails saying it needs
//! a file system (validation refuses it before then, on hosts that say they lack it).

use super::super::unavailable::not_in_this_build;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};

pub(super) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    not_in_this_build(&invocation, host, "a file system")
}

/// No stream of rows ends in a file.
#[cfg(feature = "streams")]
pub(super) mod stream {
    use crate::nodes::stream::Streaming;
    use crate::value::Map;

    pub(in super::super) fn streaming(_: &Map) -> Option<Streaming> {
        None
    }
}
