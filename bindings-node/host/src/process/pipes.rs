//! Feeding a child's stdin and reading its output with a cap.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::ChildStdin;

/// Size of each read from an output pipe.
const CHUNK: usize = 64 * 1024;

/// Writes `input` to the child's stdin, then closes it so the child sees end of input.
///
/// Write errors are ignored: a child that exits or closes stdin without reading everything
/// (`head`, `true`) is a normal run, and its exit status says how it went.
pub(super) async fn feed(stdin: Option<ChildStdin>, input: Option<&[u8]>) {
    if let (Some(mut stdin), Some(input)) = (stdin, input) {
        let _ = stdin.write_all(input).await;
        let _ = stdin.shutdown().await;
    }
}

/// Reads `pipe` to its end, keeping at most `cap` bytes in `kept` and discarding the rest (the
/// child must keep being read, or it blocks on a full pipe and never exits).
///
/// Cancel-safe: bytes are moved into `kept` in the same poll that reads them, so stopping this
/// future and calling it again later loses nothing.
pub(super) async fn drain<R: AsyncRead + Unpin>(
    pipe: Option<&mut R>,
    kept: &mut Vec<u8>,
    cap: usize,
) {
    let Some(pipe) = pipe else { return };
    let mut chunk = vec![0u8; CHUNK];
    loop {
        match pipe.read(&mut chunk).await {
            Ok(0) => return,
            Ok(n) => {
                let room = cap.saturating_sub(kept.len());
                kept.extend_from_slice(&chunk[..n.min(room)]);
            }
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            // The pipe broke: there is nothing more to read.
            Err(_) => return,
        }
    }
}
