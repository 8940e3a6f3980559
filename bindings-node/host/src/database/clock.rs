//! A statement's timeout and its node's cancellation, around a driver's work. The timeout
//! counts the server's time: time the driver spent waiting for a stream's reader to take a
//! batch (`Waited`) moves the deadline on, so a slow flow downstream never times out a query.

use std::future::Future;
use std::sync::atomic::Ordering;
use std::time::Duration;

use atomiton_core::error::ExecutionError;
use atomiton_core::host::CancelToken;
use tokio::time::Instant;

use super::errors::{cancelled, timed_out};
use super::rows_out::Waited;

/// `work`'s outcome, or why it was stopped (then the caller ends the statement on the server).
pub async fn within<F: Future>(
    work: F,
    timeout_ms: f64,
    waited: &Waited,
    signal: &CancelToken,
) -> Result<F::Output, ExecutionError> {
    tokio::pin!(work);
    let mut deadline = Instant::now() + Duration::from_secs_f64(timeout_ms / 1000.0);
    loop {
        tokio::select! {
            outcome = &mut work => return Ok(outcome),
            () = tokio::time::sleep_until(deadline) => {
                let moved = waited.swap(0, Ordering::Relaxed);
                if moved == 0 {
                    return Err(timed_out(timeout_ms));
                }
                deadline += Duration::from_nanos(moved);
            }
            () = signal.cancelled() => return Err(cancelled()),
        }
    }
}
