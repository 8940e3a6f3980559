//! CPU work split into parts that run at once on the host's workers: a `map` over 100,000
//! records takes half as long on two cores.
//!
//! The caller, itself on a worker, takes parts too, and every part no helper has begun: it never
//! waits for a slot to come free, and a busy pool only means fewer helpers. Parts are claimed in
//! order, so when one fails every earlier part is already under way and the error the
//! sequential loop would have stopped at is among the results; later parts are skipped.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use super::{MaybeSend, SharedFn, SharedHost};
use crate::error::{panic_message, ExecutionError};

/// One part's work: given the part's index, its result.
pub type Part<T> = SharedFn<usize, Result<T, ExecutionError>>;

struct Shared<T> {
    parts: usize,
    part: Part<T>,
    /// The next part to claim.
    next: AtomicUsize,
    /// The lowest part that failed (`usize::MAX`: none): parts after it are not started.
    failed_at: AtomicUsize,
    results: Mutex<Results<T>>,
    finished: Condvar,
}

struct Results<T> {
    done: usize,
    /// By part; `None` for a part skipped after an earlier one failed.
    parts: Vec<Option<Result<T, ExecutionError>>>,
}

impl<T> Shared<T> {
    /// Claims and runs parts until none are left.
    fn work(&self) {
        loop {
            let index = self.next.fetch_add(1, Ordering::SeqCst);
            if index >= self.parts {
                return;
            }
            let result = if index > self.failed_at.load(Ordering::SeqCst) {
                None
            } else {
                let result =
                    catch_unwind(AssertUnwindSafe(|| (self.part)(index))).unwrap_or_else(|panic| {
                        Err(ExecutionError::internal(format!(
                            "A part of the node's work panicked: {}",
                            panic_message(&*panic)
                        )))
                    });
                if result.is_err() {
                    self.failed_at.fetch_min(index, Ordering::SeqCst);
                }
                Some(result)
            };
            let mut results = self.results.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(slot) = results.parts.get_mut(index) {
                *slot = result;
            }
            results.done += 1;
            if results.done == self.parts {
                self.finished.notify_all();
            }
        }
    }
}

/// Runs `part(0)` … `part(parts - 1)` here and on up to `host.parallelism() - 1` of the host's
/// workers, and returns what they gave in order, up to and including the first error (the
/// parts after it are not run, or their results dropped).
pub fn in_parts<T: MaybeSend + 'static>(
    host: &SharedHost,
    parts: usize,
    part: Part<T>,
) -> Result<Vec<T>, ExecutionError> {
    let shared = Arc::new(Shared {
        parts,
        part,
        next: AtomicUsize::new(0),
        failed_at: AtomicUsize::new(usize::MAX),
        results: Mutex::new(Results { done: 0, parts: (0..parts).map(|_| None).collect() }),
        finished: Condvar::new(),
    });
    let helpers = host.parallelism().min(parts).saturating_sub(1);
    for _ in 0..helpers {
        let shared = shared.clone();
        host.run_blocking(Box::new(move || shared.work()));
    }
    shared.work();
    let mut results = shared.results.lock().unwrap_or_else(PoisonError::into_inner);
    // Every part is claimed; wait for the helpers still running theirs.
    while results.done < parts {
        results = shared.finished.wait(results).unwrap_or_else(PoisonError::into_inner);
    }
    let mut out = Vec::with_capacity(parts);
    for result in std::mem::take(&mut results.parts) {
        match result {
            Some(Ok(value)) => out.push(value),
            Some(Err(error)) => return Err(error),
            None => break,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::ThreadHost as Threads;

    #[test]
    fn parts_come_back_in_order_whoever_ran_them() {
        for size in [1, 2, 4] {
            let host: SharedHost = Arc::new(Threads::new(size));
            let out = in_parts(&host, 37, Arc::new(|i| Ok(i * 10))).unwrap();
            assert_eq!(out, (0..37).map(|i| i * 10).collect::<Vec<_>>(), "{size} workers");
        }
    }

    #[test]
    fn the_first_failing_part_is_the_error_and_later_parts_do_not_run() {
        let host: SharedHost = Arc::new(Threads::new(3));
        let ran = Arc::new(AtomicUsize::new(0));
        let counted = ran.clone();
        let error = in_parts(
            &host,
            400,
            Arc::new(move |i| {
                counted.fetch_add(1, Ordering::SeqCst);
                if i == 5 || i == 9 {
                    Err(ExecutionError::internal(format!("part {i}")))
                } else {
                    Ok(i)
                }
            }),
        )
        .unwrap_err();
        assert_eq!(error.message, "part 5");
        assert!(ran.load(Ordering::SeqCst) < 400, "parts after the failure are skipped");
    }

    #[test]
    fn a_panicking_part_is_an_error_not_a_hang() {
        let host: SharedHost = Arc::new(Threads::new(2));
        let error = in_parts(&host, 4, Arc::new(|i| if i == 2 { panic!("boom") } else { Ok(i) }))
            .unwrap_err();
        assert!(error.message.contains("boom"), "{}", error.message);
    }

    #[test]
    fn a_host_without_workers_runs_every_part_here() {
        let host: SharedHost = Arc::new(crate::testing::VirtualHost::new());
        let here = std::thread::current().id();
        let out =
            in_parts(&host, 5, Arc::new(move |i| Ok((i, std::thread::current().id() == here))))
                .unwrap();
        assert!(out.iter().all(|(_, same)| *same));
    }
}
