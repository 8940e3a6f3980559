//! A store's own thread: it owns the connection, applies writes in batches (every write waiting,
//! up to a bound, at once: a burst of node ends costs one transaction or one round trip) and
//! answers reads in the order they were asked, after every write made before them. A store may
//! also have a batch wait a little for the rest of the runs it holds (see [`Queue::spawn`]).

use std::collections::HashSet;
use std::fmt::Display;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use atomiton_core::error::Result;
use atomiton_core::history::HistoryWrite;
use atomiton_core::host::BoxFuture;
use futures::channel::oneshot;

use super::stored::store_failure as failure;

/// A read (or any work needing the connection `C`), run between write batches.
type Job<C> = Box<dyn FnOnce(&mut C) + Send>;

/// What the thread is asked to do, in order.
enum Command<C> {
    Write(HistoryWrite),
    Job(Job<C>),
}

/// Writes applied in one batch at most: bounds how long a read waits behind a burst.
const MAX_BATCH: usize = 512;

/// The queue to a store's thread.
pub(crate) struct Queue<C> {
    commands: Sender<Command<C>>,
    /// What errors name as the store ("Execution history", "Result cache").
    store: &'static str,
}

impl<C: Send + 'static> Queue<C> {
    /// Starts the thread over `conn`; `apply` stores one batch of writes. The thread ends once
    /// the queue is dropped and drained.
    ///
    /// `linger`: how long a batch may wait, from its first write, for more writes while a run it
    /// holds has not ended (a run's writes come a few at a time as it goes; where each batch
    /// costs the server a request, a short run then costs one instead of several). A read, a
    /// full batch or the end of every run it holds sends it at once, so a read never waits for
    /// it and a run that ended is stored without delay. Zero: a batch is what is queued.
    pub(crate) fn spawn(
        conn: C,
        linger: Duration,
        apply: impl FnMut(&mut C, Vec<HistoryWrite>) + Send + 'static,
    ) -> std::io::Result<Queue<C>> {
        Self::spawn_with_idle(conn, linger, apply, || None)
    }

    /// [`spawn`](Self::spawn), calling `idle` whenever the queue is empty: it may ask to be
    /// called again after a while if nothing comes meanwhile (work deferred for a moment).
    pub(crate) fn spawn_with_idle(
        mut conn: C,
        linger: Duration,
        mut apply: impl FnMut(&mut C, Vec<HistoryWrite>) + Send + 'static,
        mut idle: impl FnMut() -> Option<Duration> + Send + 'static,
    ) -> std::io::Result<Queue<C>> {
        let (commands, receiver) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("atomiton-history".into())
            .spawn(move || serve(&mut conn, &receiver, linger, &mut apply, &mut idle))?;
        Ok(Queue { commands, store: "Execution history" })
    }

    /// A thread over `conn` for jobs only (no history writes), its errors naming `store`.
    pub(crate) fn jobs(mut conn: C, store: &'static str) -> std::io::Result<Queue<C>> {
        let (commands, receiver) = std::sync::mpsc::channel();
        std::thread::Builder::new().name("atomiton-store".into()).spawn(move || {
            serve(&mut conn, &receiver, Duration::ZERO, &mut |_, _| {}, &mut || None)
        })?;
        Ok(Queue { commands, store })
    }

    /// Queues `write`; never waits.
    pub(crate) fn write(&self, write: HistoryWrite) {
        // Fails only once the thread has stopped, with the conductor: nothing is left to record.
        let _ = self.commands.send(Command::Write(write));
    }

    /// Resolves once every write queued before is applied (or dropped: a store that could not
    /// make it says nothing more here). A store on a server answers `HistoryStore::stored` so.
    pub(crate) fn stored(&self) -> BoxFuture<'static, ()> {
        let read = self.read(|_| Ok::<(), String>(()));
        Box::pin(async move {
            let _ = read.await;
        })
    }

    /// Runs `job` on the thread, after every write queued before it.
    pub(crate) fn read<T: Send + 'static, E: Display>(
        &self,
        job: impl FnOnce(&mut C) -> std::result::Result<T, E> + Send + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        let (answer, answered) = oneshot::channel();
        let sent = self.commands.send(Command::Job(Box::new(move |conn| {
            let _ = answer.send(job(conn).map_err(|e| e.to_string()));
        })));
        let store = self.store;
        let failure = move |message: String| failure(format!("{store}: {message}"));
        Box::pin(async move {
            if sent.is_err() {
                return Err(failure("its thread has stopped".into()));
            }
            match answered.await {
                Ok(Ok(value)) => Ok(value),
                Ok(Err(message)) => Err(failure(message)),
                Err(_) => Err(failure("its thread has stopped".into())),
            }
        })
    }
}

fn serve<C>(
    conn: &mut C,
    receiver: &Receiver<Command<C>>,
    linger: Duration,
    apply: &mut dyn FnMut(&mut C, Vec<HistoryWrite>),
    idle: &mut dyn FnMut() -> Option<Duration>,
) {
    let mut carried: Option<Command<C>> = None;
    loop {
        let command = match carried.take() {
            Some(command) => command,
            None => match next_or_idle(receiver, idle) {
                Some(command) => command,
                None => return,
            },
        };
        match command {
            Command::Job(job) => job(conn),
            Command::Write(first) => {
                let deadline = Instant::now() + linger;
                let mut open = OpenRuns::default();
                open.note(&first);
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    let next = match receiver.try_recv() {
                        Ok(command) => Ok(command),
                        Err(TryRecvError::Empty) if !linger.is_zero() && open.any() => receiver
                            .recv_timeout(deadline.saturating_duration_since(Instant::now())),
                        Err(TryRecvError::Empty) => Err(RecvTimeoutError::Timeout),
                        Err(TryRecvError::Disconnected) => Err(RecvTimeoutError::Disconnected),
                    };
                    match next {
                        Ok(Command::Write(write)) => {
                            open.note(&write);
                            batch.push(write);
                        }
                        Ok(job) => {
                            carried = Some(job);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                apply(conn, batch);
            }
        }
    }
}

/// The next command; while none comes, `idle` is called (again after the wait it asks for).
/// `None` once the queue is dropped and drained.
fn next_or_idle<C>(
    receiver: &Receiver<Command<C>>,
    idle: &mut dyn FnMut() -> Option<Duration>,
) -> Option<Command<C>> {
    loop {
        match receiver.try_recv() {
            Ok(command) => return Some(command),
            Err(TryRecvError::Disconnected) => return None,
            Err(TryRecvError::Empty) => {}
        }
        let Some(wait) = idle() else { return receiver.recv().ok() };
        match receiver.recv_timeout(wait) {
            Ok(command) => return Some(command),
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
}

/// The runs a batch holds writes of and not yet their end.
#[derive(Default)]
struct OpenRuns(HashSet<Arc<str>>);

impl OpenRuns {
    fn note(&mut self, write: &HistoryWrite) {
        match write {
            HistoryWrite::Begun(begun) => {
                self.0.insert(Arc::from(begun.summary.id.as_str()));
            }
            HistoryWrite::Node(node) => {
                self.0.insert(node.execution_id.clone());
            }
            HistoryWrite::Started(started) => {
                self.0.insert(started.execution_id.clone());
            }
            HistoryWrite::Ended(ended) => {
                self.0.remove(&ended.execution_id);
            }
        }
    }

    fn any(&self) -> bool {
        !self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use atomiton_core::history::{HistoryWrite, RunEnded, RunStatus};
    use atomiton_core::progress::NodeState;
    use atomiton_core::testing::history_store::node as history_node;
    use atomiton_core::testing::wait;

    use super::Queue;

    fn node(run: &str) -> HistoryWrite {
        history_node(run, "n", NodeState::Completed, None, None, 0.0)
    }

    fn ended(run: &str) -> HistoryWrite {
        HistoryWrite::Ended(Box::new(RunEnded {
            execution_id: Arc::from(run),
            status: RunStatus::Success,
            end_time: 1.0,
            error: None,
        }))
    }

    /// A queue whose batches' sizes come out of the receiver.
    fn queue(linger: Duration) -> (Queue<()>, mpsc::Receiver<usize>) {
        let (sizes, sized) = mpsc::channel();
        let queue = Queue::spawn((), linger, move |_: &mut (), batch| {
            sizes.send(batch.len()).expect("sizes read")
        })
        .expect("spawn");
        (queue, sized)
    }

    /// A linger no test may reach: a batch sent before it was sent for another reason. The
    /// bounds below are a tenth of it, and far more than a busy debug build needs.
    const NEVER: Duration = Duration::from_secs(1200);
    const PROMPTLY: Duration = Duration::from_secs(120);

    #[test]
    fn a_batch_waits_for_the_rest_of_its_runs_until_they_end() {
        let (queue, sizes) = queue(NEVER);
        queue.write(node("a"));
        std::thread::sleep(Duration::from_millis(20));
        queue.write(node("b"));
        queue.write(ended("a"));
        std::thread::sleep(Duration::from_millis(20));
        queue.write(ended("b"));
        assert_eq!(sizes.recv_timeout(PROMPTLY), Ok(4), "one batch, sent once both runs ended");
    }

    #[test]
    fn a_read_sends_a_waiting_batch_at_once() {
        let (queue, sizes) = queue(NEVER);
        queue.write(node("a"));
        let start = Instant::now();
        wait(queue.read(|_| Ok::<_, String>(()))).expect("read");
        assert!(start.elapsed() < PROMPTLY, "the read waited {:?}", start.elapsed());
        assert_eq!(sizes.try_recv(), Ok(1), "the write went first");
    }

    #[test]
    fn a_batch_of_a_run_still_going_goes_after_the_linger() {
        let (queue, sizes) = queue(Duration::from_millis(20));
        queue.write(node("a"));
        assert_eq!(sizes.recv_timeout(PROMPTLY), Ok(1));
        queue.write(node("a"));
        queue.write(ended("a"));
        assert_eq!(sizes.recv_timeout(PROMPTLY), Ok(2));
    }
}
