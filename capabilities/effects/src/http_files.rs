//! `http-request` bodies to and from files. `bodyFile` sends a file as the request body and
//! `responseFile` saves the response body to a file, a piece at a time where the host's HTTP
//! client streams bodies (the native host), so neither has to fit in memory; elsewhere the node
//! holds them, within `maxResponseBytes`. The response goes to `<responseFile>.<id>.partial` (an
//! id of each attempt's own, so a retry never meets the file of the attempt before it) and is
//! renamed once whole: a failed, cancelled or timed-out request leaves no file that looks
//! complete. Every file is reached through the host's file system, so a run's file grants apply.

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::host::effects::{
    BodyReader, BodyWriter, EffectError, EffectResult, FileSystem, HttpClient, HttpRequest,
    HttpResponse, StreamedBodies,
};
use atomiton_core::host::{BoxFuture, SharedHost};
use atomiton_core::nodes::sdk::effect_error;
use atomiton_core::nodes::sdk::http_request::{sends_body, FileBodies as Bodies, TYPE};
use atomiton_core::nodes::sdk::node_error;
use atomiton_core::nodes::sdk::Config;
use atomiton_core::value::Value;

/// Bytes read from a body file at a time.
const PIECE_BYTES: usize = 1 << 18;
/// Bytes of a response gathered before they are appended to its file (few host calls).
const FLUSH_BYTES: usize = 1 << 20;

/// The files a request's bodies come from and go to.
pub(crate) struct FileBodies {
    host: SharedHost,
    /// The request body's file, for a method that sends a body.
    upload: Option<String>,
    /// The response body's file.
    download: Option<Partial>,
    /// `maxResponseBytes` as the node set it (a streamed response is bounded only by that).
    max_response_bytes: Option<u64>,
}

impl FileBodies {
    /// The files `request` sends and saves: the node's `bodyFile` (when its method sends a
    /// body) and `responseFile`; `None` when it has neither.
    fn of(
        config: &Config<'_>,
        host: &SharedHost,
        request: &HttpRequest,
    ) -> Result<Option<Self>, ExecutionError> {
        let path = |key: &str| config.str(key).filter(|path| !path.is_empty());
        let max_response_bytes = config.get("maxResponseBytes").and_then(Value::as_u64);
        let (body_file, response_file) = (path("bodyFile"), path("responseFile"));
        let upload = body_file.filter(|_| sends_body(&request.method)).map(str::to_owned);
        if upload.is_none() && response_file.is_none() {
            return Ok(None);
        }
        if host.files().is_none() {
            return Err(ExecutionError::new(
                ErrorCode::IMPLEMENTATION_NOT_FOUND,
                format!("[{TYPE}] Request and response files need a file system, which this environment does not provide"),
            ));
        }
        let download = response_file.map(|path| Partial {
            host: host.clone(),
            partial: format!("{path}.{:08x}.partial", (host.random() * 4_294_967_296.0) as u32),
            path: path.to_owned(),
            kept: false,
        });
        Ok(Some(FileBodies { host: host.clone(), upload, download, max_response_bytes }))
    }

    /// Sends `request` with its bodies from and to the files: streamed when the client streams
    /// bodies, read and written whole otherwise. On failure the response's file is gone.
    async fn send_with(
        &mut self,
        client: &dyn HttpClient,
        request: HttpRequest,
    ) -> Result<HttpResponse, ExecutionError> {
        let sent = self.exchange(client, request).await;
        if sent.is_err() {
            self.remove().await;
        }
        sent
    }

    async fn exchange(
        &self,
        client: &dyn HttpClient,
        mut request: HttpRequest,
    ) -> Result<HttpResponse, ExecutionError> {
        let files = self.files()?;
        if let Some(partial) = &self.download {
            // Made (or emptied) before anything is sent: the writer only appends to it.
            files.write(&partial.partial, Vec::new(), true).await.map_err(write_failed)?;
        }
        let upload = match &self.upload {
            Some(path) => Some((path.clone(), body_size(files, path).await?)),
            None => None,
        };
        if upload.is_some()
            && !request.headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        {
            request.headers.push(("Content-Type".into(), "application/octet-stream".into()));
        }
        if client.streams_bodies() {
            if self.download.is_some() {
                // A response streamed to a file is held nowhere: only the node's own bound, when
                // it sets one, applies.
                request.max_response_bytes = self.max_response_bytes.unwrap_or(u64::MAX);
            }
            let bodies = StreamedBodies {
                upload: upload.map(|(path, size)| {
                    Box::new(FilePieces { host: self.host.clone(), path, offset: 0, size })
                        as Box<dyn BodyReader>
                }),
                download: self.download.as_ref().map(|partial| {
                    Box::new(PartialWriter {
                        host: self.host.clone(),
                        partial: partial.partial.clone(),
                        pending: Vec::new(),
                    }) as Box<dyn BodyWriter>
                }),
            };
            return client.send_streamed(request, bodies).await.map_err(send_error);
        }
        if let Some((path, size)) = upload {
            // Held in memory, a body is bounded as a response is.
            let bound = request.max_response_bytes;
            if size > bound {
                return Err(ExecutionError::new(
                    ErrorCode::MEMORY_LIMIT_EXCEEDED,
                    format!("[{TYPE}] The body file {path} is {size} bytes, over the limit of {bound} bytes for a body held in memory (the node's maxResponseBytes raises it)"),
                ));
            }
            request.body = Some(files.read(&path).await.map_err(|e| read_failed(&path, e))?);
        }
        let mut response = client.send(request).await.map_err(send_error)?;
        if let Some(partial) = &self.download {
            let body = std::mem::take(&mut response.body);
            files.write(&partial.partial, body, true).await.map_err(write_failed)?;
        }
        Ok(response)
    }

    /// The response's file removed (the answer is not kept: a 429).
    async fn remove(&mut self) {
        if let (Some(partial), Some(files)) = (self.download.as_mut(), self.host.files()) {
            // A file that cannot be removed stays under its partial name.
            let _ = files.remove(&partial.partial, false).await;
            partial.kept = true;
        }
    }

    /// The response's file made whole (renamed from its partial name): its path and size.
    /// `None` without a response file.
    async fn made_whole(mut self) -> Result<Option<(String, u64)>, ExecutionError> {
        let Some(partial) = self.download.as_mut() else { return Ok(None) };
        let files = self.host.files().ok_or_else(gone)?;
        files.rename(&partial.partial, &partial.path).await.map_err(write_failed)?;
        partial.kept = true;
        let size = files.stat(&partial.path).await.map_err(write_failed)?.map_or(0, |m| m.size);
        Ok(Some((partial.path.clone(), size)))
    }

    fn files(&self) -> Result<&dyn FileSystem, ExecutionError> {
        self.host.files().ok_or_else(gone)
    }
}

impl Bodies for FileBodies {
    fn open(
        config: &Config<'_>,
        host: &SharedHost,
        request: &HttpRequest,
    ) -> Result<Option<Self>, ExecutionError> {
        Self::of(config, host, request)
    }

    fn send<'a>(
        &'a mut self,
        client: &'a dyn HttpClient,
        request: HttpRequest,
    ) -> BoxFuture<'a, Result<HttpResponse, ExecutionError>> {
        Box::pin(self.send_with(client, request))
    }

    fn discard(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(self.remove())
    }

    fn keep(self) -> BoxFuture<'static, Result<Option<(String, u64)>, ExecutionError>> {
        Box::pin(self.made_whole())
    }
}

fn send_error(error: EffectError) -> ExecutionError {
    effect_error(TYPE, &error, &error)
}

fn gone() -> ExecutionError {
    ExecutionError::internal("The file system went away during the request")
}

fn read_failed(path: &str, error: EffectError) -> ExecutionError {
    effect_error(TYPE, format!("Reading the body file {path} failed: {error}"), &error)
}

fn write_failed(error: EffectError) -> ExecutionError {
    effect_error(TYPE, format!("Writing the response file failed: {error}"), &error)
}

/// The size of the body file at `path`, which must be a file.
async fn body_size(files: &dyn FileSystem, path: &str) -> Result<u64, ExecutionError> {
    match files.stat(path).await.map_err(|e| read_failed(path, e))? {
        Some(meta) if meta.is_file => Ok(meta.size),
        _ => Err(node_error(TYPE, format!("Body file not found: {path}"))),
    }
}

/// The response file under its partial name until it is kept: removed when let go of before
/// (its run was cancelled or timed out and dropped the node's work; a failure removes it first).
struct Partial {
    host: SharedHost,
    path: String,
    partial: String,
    kept: bool,
}

impl Drop for Partial {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        let (host, partial) = (self.host.clone(), std::mem::take(&mut self.partial));
        self.host.spawn(Box::pin(async move {
            if let Some(files) = host.files() {
                // A file that cannot be removed stays under its partial name.
                let _ = files.remove(&partial, false).await;
            }
        }));
    }
}

/// A body file read a piece at a time.
struct FilePieces {
    host: SharedHost,
    path: String,
    offset: u64,
    size: u64,
}

impl BodyReader for FilePieces {
    fn next(&mut self) -> BoxFuture<'_, EffectResult<Option<Vec<u8>>>> {
        Box::pin(async move {
            // The file is sent as long as it was when the request started.
            if self.offset >= self.size {
                return Ok(None);
            }
            let files = self.host.files().ok_or_else(|| EffectError::unsupported("Files"))?;
            let left = usize::try_from(self.size - self.offset).unwrap_or(usize::MAX);
            let want = PIECE_BYTES.min(left);
            let piece = files.read_at(&self.path, self.offset, want).await?;
            if piece.is_empty() {
                return Err(EffectError::new(
                    atomiton_core::host::effects::EffectErrorKind::Other,
                    format!("The body file {} became shorter while it was sent", self.path),
                ));
            }
            self.offset += piece.len() as u64;
            Ok(Some(piece))
        })
    }

    fn size(&self) -> u64 {
        self.size
    }
}

/// The response file appended to under its partial name, a megabyte at a time.
struct PartialWriter {
    host: SharedHost,
    partial: String,
    /// Bytes not yet appended.
    pending: Vec<u8>,
}

impl PartialWriter {
    async fn flush(&mut self) -> EffectResult<()> {
        let files = self.host.files().ok_or_else(|| EffectError::unsupported("Files"))?;
        files.append(&self.partial, std::mem::take(&mut self.pending)).await
    }
}

impl BodyWriter for PartialWriter {
    fn write(&mut self, piece: Vec<u8>) -> BoxFuture<'_, EffectResult<()>> {
        Box::pin(async move {
            if self.pending.is_empty() && piece.len() >= FLUSH_BYTES {
                self.pending = piece;
            } else {
                self.pending.extend_from_slice(&piece);
            }
            if self.pending.len() >= FLUSH_BYTES {
                self.flush().await?;
            }
            Ok(())
        })
    }

    fn finish(&mut self) -> BoxFuture<'_, EffectResult<()>> {
        Box::pin(async move {
            if self.pending.is_empty() {
                return Ok(());
            }
            self.flush().await
        })
    }
}
