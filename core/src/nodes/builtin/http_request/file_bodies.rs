//! Request and response bodies kept in files (`bodyFile`, `responseFile`): what the node asks of
//! them while it sends its request. Their code reads and writes through the host's file system,
//! so it lives with the other executors that need files (`atomiton-effects`), which runs this
//! node through [`super::execute_with`] with its opener; without one a node that names files is
//! refused at validation (it needs a file system) and any other sends its bodies from memory.

use crate::error::ExecutionError;
use crate::host::effects::{HttpClient, HttpRequest, HttpResponse};
use crate::host::{BoxFuture, MaybeSend, SharedHost};

use super::super::common::Config;

/// The files one request's bodies come from and go to.
pub trait FileBodies: MaybeSend + Sized + 'static {
    /// Opens the files a request sends and saves, for the node's parameters; `None` when it
    /// names neither.
    fn open(
        config: &Config<'_>,
        host: &SharedHost,
        request: &HttpRequest,
    ) -> Result<Option<Self>, ExecutionError>;

    /// Sends `request` with its bodies from and to the files; on failure the response's file is
    /// gone.
    fn send<'a>(
        &'a mut self,
        client: &'a dyn HttpClient,
        request: HttpRequest,
    ) -> BoxFuture<'a, Result<HttpResponse, ExecutionError>>;

    /// The response's file removed (the answer is not kept: a 429).
    fn discard(&mut self) -> BoxFuture<'_, ()>;

    /// The response's file made whole: its path and size; `None` without a response file.
    fn keep(self) -> BoxFuture<'static, Result<Option<(String, u64)>, ExecutionError>>;
}

/// No files: what the node runs with where no capability gives it files. It cannot be made, so
/// everything the node would do with files is compiled out of the builds that run it so.
pub enum NoFiles {}

impl FileBodies for NoFiles {
    fn open(
        _: &Config<'_>,
        _: &SharedHost,
        _: &HttpRequest,
    ) -> Result<Option<Self>, ExecutionError> {
        Ok(None)
    }

    fn send<'a>(
        &'a mut self,
        _: &'a dyn HttpClient,
        _: HttpRequest,
    ) -> BoxFuture<'a, Result<HttpResponse, ExecutionError>> {
        match *self {}
    }

    fn discard(&mut self) -> BoxFuture<'_, ()> {
        match *self {}
    }

    fn keep(self) -> BoxFuture<'static, Result<Option<(String, u64)>, ExecutionError>> {
        match self {}
    }
}
