//! Builds without `host-effects` (the browser's default module): no request body comes from a
//! file and no response goes to one (validation refuses a node that names them: it needs a
//! file system). The same names as `files.rs`; the bodies cannot be made, so the code that
//! would use them is compiled out.

use super::super::common::Config;
use crate::error::ExecutionError;
use crate::host::effects::{HttpClient, HttpRequest, HttpResponse};
use crate::host::SharedHost;
use crate::value::Value;

/// Never made: there is no file system to send from or save to.
pub(super) enum FileBodies {}

impl FileBodies {
    /// None: nothing is sent from or saved to a file.
    pub(super) fn of(
        _config: &Config<'_>,
        _host: &SharedHost,
        _request: &HttpRequest,
    ) -> Result<Option<Self>, ExecutionError> {
        Ok(None)
    }

    pub(super) async fn send(
        &mut self,
        _client: &dyn HttpClient,
        _request: HttpRequest,
    ) -> Result<HttpResponse, ExecutionError> {
        match *self {}
    }

    pub(super) async fn discard(&mut self) {
        match *self {}
    }

    pub(super) async fn keep(self) -> Result<Option<(String, u64)>, ExecutionError> {
        match self {}
    }
}

/// The output as it is: no response was saved to a file.
pub(super) fn saved_to(output: Value, _saved: Option<(String, u64)>) -> Value {
    output
}
