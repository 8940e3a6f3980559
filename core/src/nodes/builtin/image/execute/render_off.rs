//! The `image` node's pixels in builds without `image`: the node fails saying processing needs
//! the native build.

use super::{Config, TYPE};
use crate::error::{ErrorCode, ExecutionError};
use crate::host::SharedHost;

pub(super) struct Output {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

pub(super) fn options(_config: &Config, _format: &str) {}

pub(super) async fn run(
    _host: &SharedHost,
    _source: Vec<u8>,
    _layers: Vec<Vec<u8>>,
    _options: (),
) -> Result<Output, ExecutionError> {
    Err(ExecutionError::new(
        ErrorCode::IMPLEMENTATION_NOT_FOUND,
        format!("[{TYPE}] Image processing needs the native build"),
    ))
}
