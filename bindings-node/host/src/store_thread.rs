//! A store's own thread: it owns the connection, applies writes in batches (every write waiting,
//! up to a bound, at once: a burst of node ends costs one transaction or one round trip) and
//! answers reads in the order they were asked, after every write made before them. A store may
//! also have a batch wait a little for the rest of the runs it holds (see [`Queue::spawn_with_idle`]).

use std::collections::{HashSet, VecDeque};
use std::fmt::Display;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use atomiton_core::error::Result;
use atomiton_core::history::HistoryWrite;
use atomiton_core::host::BoxFuture;
use futures::channel::oneshot;

use crate::history::stored::store_failure as failure;

/// A read (or any work needing the connection `C`), run between write batches.
type Job<C> = Box<dyn FnOnce(&mut C) + Send>;

/// What the thread is asked to do, in order.
enum Command<C> {
    Write(HistoryWrite),
    Job(Job<C>),
    /// Answered once every write queued before it is stored (or given up).
    Stored(oneshot::Sender<()>),
}

/// Writes applied in one batch at most: bounds how long a read waits behind a burst.
const MAX_BATCH: usize = 512;

/// Writes held while a store's server cannot be reached, at most: past them the oldest are
/// dropped, and said so on stderr. About a minute of a busy worker's writes.
const MAX_HELD: usize = 100_000;

/// Writes queued and not yet taken by the store's thread, at most: past them new writes are
/// dropped, and said so on stderr. Reached only when the thread is held by a server that does not
/// answer and does not close its connections either (a frozen process): memory stays bounded.
const MAX_UNTAKEN: usize = 100_000;

/// The first wait before a batch is sent again to a server that could not be reached; it
/// doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// How long a store whose conductor closed keeps trying to send what it holds.
const CLOSING_PATIENCE: Duration = Duration::from_secs(10);

/// A batch of writes handed to a store. Batches are numbered in the order the thread sends them;
/// a batch sent again (its server could not be reached, or the connection broke before the
/// answer came) keeps its number, so a server that took it the first time can tell it never to
/// apply it twice.
pub(crate) struct Batch {
    pub(crate) number: u64,
    pub(crate) writes: Vec<HistoryWrite>,
}

/// What became of a batch.
pub(crate) enum Applied {
    /// Stored, or refused by the store for good (history never fails a run).
    Done,
    /// The server could not be reached (or the connection broke before it answered): the batch
    /// is untouched, and is sent again with the same number.
    Unreachable(String),
}

/// The queue to a store's thread.
pub(crate) struct Queue<C> {
    commands: Sender<Command<C>>,
    /// What errors name as the store ("Execution history", "Result cache").
    store: &'static str,
    untaken: Arc<Untaken>,
    /// How long a caller waits for an answer from the thread (a server's store: see
    /// `deadline.rs`); `None`: as long as it takes (a local file's).
    deadline: Option<Duration>,
}

/// Writes sent to the thread and not yet taken by it, and those dropped past [`MAX_UNTAKEN`].
#[derive(Default)]
struct Untaken {
    writes: AtomicUsize,
    dropped: AtomicUsize,
}

impl Untaken {
    /// Counts one more write sent; false (and it is counted dropped) past the bound.
    fn sent(&self, store: &str) -> bool {
        if self.writes.fetch_add(1, Ordering::Relaxed) < MAX_UNTAKEN {
            return true;
        }
        self.writes.fetch_sub(1, Ordering::Relaxed);
        if self.dropped.fetch_add(1, Ordering::Relaxed) == 0 {
            eprintln!(
                "[atomiton] {store}: {MAX_UNTAKEN} writes wait for a store whose server does not answer: newer ones are being dropped, and their runs' records will be incomplete"
            );
        }
        false
    }

    /// The thread took a command: one write less waits (and what was dropped is said).
    fn taken<C>(&self, command: &Command<C>, store: &str) {
        if !matches!(command, Command::Write(_)) {
            return;
        }
        self.writes.fetch_sub(1, Ordering::Relaxed);
        if self.dropped.load(Ordering::Relaxed) == 0 {
            return;
        }
        let dropped = self.dropped.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            eprintln!("[atomiton] {store}: the store answers again; {dropped} writes were dropped meanwhile");
        }
    }
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
    ///
    /// A batch `apply` answers [`Applied::Unreachable`] is sent again, after a wait that grows
    /// to [`MAX_BACKOFF`], until it is stored; meanwhile writes are held in order (up to
    /// [`MAX_HELD`]), reads are answered at once (an error, when the server is still away) and
    /// `stored` waits.
    ///
    /// `idle` is called whenever the queue is empty: it may ask to be called again after a
    /// while if nothing comes meanwhile (work deferred for a moment, or done every so often).
    pub(crate) fn spawn_with_idle(
        conn: C,
        linger: Duration,
        apply: impl FnMut(&mut C, &mut Batch) -> Applied + Send + 'static,
        idle: impl FnMut(&mut C) -> Option<Duration> + Send + 'static,
    ) -> std::io::Result<Queue<C>> {
        let store = "Execution history";
        Queue::start(conn, "atomiton-history", store, linger, Box::new(apply), Box::new(idle))
    }

    /// A thread over `conn` for jobs only (no history writes), its errors naming `store`.
    pub(crate) fn jobs(conn: C, store: &'static str) -> std::io::Result<Queue<C>> {
        let apply = Box::new(|_: &mut C, _: &mut Batch| Applied::Done);
        Queue::start(
            conn,
            "atomiton-store",
            store,
            Duration::ZERO,
            apply,
            Box::new(|_: &mut C| None),
        )
    }

    /// The thread `name` serving the queue (see [`Queue::spawn_with_idle`]).
    fn start(
        conn: C,
        name: &str,
        store: &'static str,
        linger: Duration,
        apply: Apply<C>,
        idle: Idle<C>,
    ) -> std::io::Result<Queue<C>> {
        let (commands, receiver) = std::sync::mpsc::channel();
        let untaken = Arc::new(Untaken::default());
        let counted = untaken.clone();
        std::thread::Builder::new().name(name.into()).spawn(move || {
            Server::new(conn, receiver, linger, apply, idle, store, counted).serve();
        })?;
        Ok(Queue { commands, store, untaken, deadline: None })
    }

    /// Callers wait at most [`crate::deadline::STORE_REQUEST`] for the thread's answers: a store
    /// on a server that may stop answering.
    pub(crate) fn with_deadline(mut self) -> Self {
        self.deadline = Some(crate::deadline::STORE_REQUEST);
        self
    }

    /// Queues `write`; never waits (past [`MAX_UNTAKEN`] writes waiting, drops it, loudly).
    pub(crate) fn write(&self, write: HistoryWrite) {
        if !self.untaken.sent(self.store) {
            return;
        }
        // Fails only once the thread has stopped, with the conductor: nothing is left to record.
        let _ = self.commands.send(Command::Write(write));
    }

    /// Resolves once every write queued before is stored (or given up: past [`MAX_HELD`], or
    /// refused by the store). A store on a server answers `HistoryStore::stored` so.
    pub(crate) fn stored(&self) -> BoxFuture<'static, ()> {
        let (answer, answered) = oneshot::channel();
        let _ = self.commands.send(Command::Stored(answer));
        let deadline = self.deadline;
        Box::pin(async move {
            // A server that stopped answering holds the thread: the writes stay queued, and
            // whoever waits for them is let go at the deadline.
            let _ = crate::deadline::within(deadline, answered).await;
        })
    }

    /// Runs `job` on the thread, after every write queued before it (while the server cannot be
    /// reached, at once: the job meets the same error the writes did).
    pub(crate) fn read<T: Send + 'static, E: Display>(
        &self,
        job: impl FnOnce(&mut C) -> std::result::Result<T, E> + Send + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        self.read_for(self.store, job)
    }

    /// [`Queue::read`] for one of the stores sharing the thread: its errors name `store`.
    pub(crate) fn read_for<T: Send + 'static, E: Display>(
        &self,
        store: &'static str,
        job: impl FnOnce(&mut C) -> std::result::Result<T, E> + Send + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        let (answer, answered) = oneshot::channel();
        let sent = self.commands.send(Command::Job(Box::new(move |conn| {
            let _ = answer.send(job(conn).map_err(|e| e.to_string()));
        })));
        let deadline = self.deadline;
        let failure = move |message: String| failure(format!("{store}: {message}"));
        Box::pin(async move {
            if sent.is_err() {
                return Err(failure("its thread has stopped".into()));
            }
            match crate::deadline::within(deadline, answered).await {
                Some(Ok(Ok(value))) => Ok(value),
                Some(Ok(Err(message))) => Err(failure(message)),
                Some(Err(_)) => Err(failure("its thread has stopped".into())),
                None => Err(not_answering(store)),
            }
        })
    }
}

type Apply<C> = Box<dyn FnMut(&mut C, &mut Batch) -> Applied + Send>;
type Idle<C> = Box<dyn FnMut(&mut C) -> Option<Duration> + Send>;

/// The store's thread: its connection, and the commands it has taken from the queue but not yet
/// done (writes and `stored` waiting for a server to come back).
struct Server<C> {
    conn: C,
    receiver: Receiver<Command<C>>,
    linger: Duration,
    apply: Apply<C>,
    idle: Idle<C>,
    store: &'static str,
    untaken: Arc<Untaken>,
    held: VecDeque<Command<C>>,
    next_batch: u64,
    /// Writes dropped past [`MAX_HELD`] in this outage.
    dropped: usize,
    /// Whether the queue was dropped (the conductor closed).
    closed: bool,
}

impl<C> Server<C> {
    fn new(
        conn: C,
        receiver: Receiver<Command<C>>,
        linger: Duration,
        apply: Apply<C>,
        idle: Idle<C>,
        store: &'static str,
        untaken: Arc<Untaken>,
    ) -> Self {
        Server {
            conn,
            receiver,
            linger,
            apply,
            idle,
            store,
            untaken,
            held: VecDeque::new(),
            next_batch: 1,
            dropped: 0,
            closed: false,
        }
    }

    fn serve(mut self) {
        while let Some(command) = self.next() {
            match command {
                Command::Job(job) => job(&mut self.conn),
                Command::Stored(answer) => {
                    let _ = answer.send(());
                }
                Command::Write(first) => {
                    let batch = self.gather(first);
                    self.send(batch);
                }
            }
        }
    }

    /// The next command: one held, else the queue's; while none comes, `idle` is called (again
    /// after the wait it asks for). `None` once the queue is dropped and drained.
    fn next(&mut self) -> Option<Command<C>> {
        loop {
            if let Some(command) = self.waiting(None) {
                return Some(command);
            }
            if self.closed {
                return None;
            }
            let Some(wait) = (self.idle)(&mut self.conn) else {
                let command = self.receiver.recv().ok();
                if let Some(command) = &command {
                    self.untaken.taken(command, self.store);
                }
                return command;
            };
            if let Some(command) = self.waiting(Some(Instant::now() + wait)) {
                return Some(command);
            }
        }
    }

    /// The next command already waiting (held, or in the queue), else within `wait` when it is
    /// not zero.
    fn waiting(&mut self, wait: Option<Instant>) -> Option<Command<C>> {
        if let Some(command) = self.held.pop_front() {
            return Some(command);
        }
        if self.closed {
            return None;
        }
        let next = match self.receiver.try_recv() {
            Ok(command) => Ok(command),
            Err(TryRecvError::Empty) => match wait {
                Some(deadline) => {
                    self.receiver.recv_timeout(deadline.saturating_duration_since(Instant::now()))
                }
                None => Err(RecvTimeoutError::Timeout),
            },
            Err(TryRecvError::Disconnected) => Err(RecvTimeoutError::Disconnected),
        };
        match next {
            Ok(command) => {
                self.untaken.taken(&command, self.store);
                Some(command)
            }
            Err(RecvTimeoutError::Disconnected) => {
                self.closed = true;
                None
            }
            Err(RecvTimeoutError::Timeout) => None,
        }
    }

    /// A batch from `first` and the writes after it (see `Queue::spawn_with_idle` for the linger).
    fn gather(&mut self, first: HistoryWrite) -> Vec<HistoryWrite> {
        let deadline = Instant::now() + self.linger;
        let mut open = OpenRuns::default();
        open.note(&first);
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            let wait = (!self.linger.is_zero() && open.any()).then_some(deadline);
            match self.waiting(wait) {
                Some(Command::Write(write)) => {
                    open.note(&write);
                    batch.push(write);
                }
                Some(other) => {
                    self.held.push_front(other);
                    break;
                }
                None => break,
            }
        }
        batch
    }

    /// Stores `writes`, sending them again while the server cannot be reached.
    fn send(&mut self, writes: Vec<HistoryWrite>) {
        let mut batch = Batch { number: self.next_batch, writes };
        self.next_batch += 1;
        let mut outage: Option<Outage> = None;
        loop {
            match (self.apply)(&mut self.conn, &mut batch) {
                Applied::Done => {
                    if let Some(outage) = outage {
                        outage.ended(self.store, std::mem::take(&mut self.dropped));
                    }
                    return;
                }
                Applied::Unreachable(why) => {
                    let outage = outage.get_or_insert_with(|| Outage::began(self.store, &why));
                    if self.closed && outage.since.elapsed() > CLOSING_PATIENCE {
                        let held = self.held_writes() + batch.writes.len();
                        eprintln!(
                            "[atomiton] {}: {held} writes were never stored: the conductor closed while its server could not be reached ({why})",
                            self.store
                        );
                        self.held.clear();
                        return;
                    }
                    self.hold_for(outage.backoff());
                }
            }
        }
    }

    /// Takes commands for `wait`: writes and `stored` are held in order, jobs run at once (those
    /// already taken too).
    fn hold_for(&mut self, wait: Duration) {
        for command in std::mem::take(&mut self.held) {
            match command {
                Command::Job(job) => job(&mut self.conn),
                other => self.held.push_back(other),
            }
        }
        let deadline = Instant::now() + wait;
        loop {
            if self.closed {
                std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
                return;
            }
            match self.receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(Command::Job(job)) => job(&mut self.conn),
                Ok(command) => {
                    self.untaken.taken(&command, self.store);
                    self.held.push_back(command);
                    self.bound_held();
                }
                Err(RecvTimeoutError::Timeout) => return,
                Err(RecvTimeoutError::Disconnected) => self.closed = true,
            }
        }
    }

    fn held_writes(&self) -> usize {
        self.held.iter().filter(|c| matches!(c, Command::Write(_))).count()
    }

    /// Drops the oldest held writes past [`MAX_HELD`], loudly.
    fn bound_held(&mut self) {
        if self.held.len() <= MAX_HELD {
            return;
        }
        let position = self.held.iter().position(|c| matches!(c, Command::Write(_)));
        if let Some(position) = position {
            self.held.remove(position);
            if self.dropped == 0 {
                eprintln!(
                    "[atomiton] {}: {MAX_HELD} writes are held for a server that cannot be reached: older ones are being dropped, and their runs' records will be incomplete",
                    self.store
                );
            }
            self.dropped += 1;
        }
    }
}

/// A time the store's server could not be reached: said on stderr when it begins and ends.
struct Outage {
    since: Instant,
    wait: Duration,
}

impl Outage {
    fn began(store: &str, why: &str) -> Outage {
        eprintln!("[atomiton] {store}: writes are held until the server can be reached ({why})");
        Outage { since: Instant::now(), wait: FIRST_BACKOFF }
    }

    /// How long to wait before the next try.
    fn backoff(&mut self) -> Duration {
        let wait = self.wait;
        self.wait = (self.wait * 2).min(MAX_BACKOFF);
        wait
    }

    fn ended(self, store: &str, dropped: usize) {
        let lost = if dropped > 0 { format!(" ({dropped} dropped)") } else { String::new() };
        eprintln!(
            "[atomiton] {store}: the server is back; held writes stored after {:.1} s{lost}",
            self.since.elapsed().as_secs_f64()
        );
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

/// A store whose server did not answer within [`crate::deadline::STORE_REQUEST`]: retryable
/// (`TRANSPORT_ERROR`), and nothing is lost (the request, and the writes queued, are taken up
/// when it answers again).
pub(crate) fn not_answering(store: &str) -> atomiton_core::error::ExecutionError {
    atomiton_core::error::ExecutionError::new(
        atomiton_core::error::ErrorCode::TRANSPORT_ERROR,
        format!(
            "{store}: its server did not answer within {} s (stopped, paused, or cut off); the request stays queued and is carried out when it answers: try again",
            crate::deadline::STORE_REQUEST.as_secs()
        ),
    )
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
        let apply = move |_: &mut (), batch: &mut super::Batch| {
            sizes.send(batch.writes.len()).expect("sizes read");
            super::Applied::Done
        };
        let queue = Queue::spawn_with_idle((), linger, apply, |_: &mut ()| None).expect("spawn");
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

    #[test]
    fn a_batch_that_met_an_unreachable_server_is_sent_again_under_its_number_and_nothing_is_lost() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let down = Arc::new(AtomicBool::new(true));
        let (tries, tried) = mpsc::channel();
        let server = down.clone();
        let apply = move |_: &mut (), batch: &mut super::Batch| {
            let up = !server.load(Ordering::SeqCst);
            tries.send((batch.number, batch.writes.len(), up)).expect("tries read");
            if up {
                super::Applied::Done
            } else {
                super::Applied::Unreachable("connection refused".into())
            }
        };
        let queue =
            Queue::spawn_with_idle((), Duration::ZERO, apply, |_: &mut ()| None).expect("spawn");
        queue.write(ended("a"));
        // Tried, refused, tried again: the same batch.
        assert_eq!(tried.recv_timeout(PROMPTLY), Ok((1, 1, false)));
        assert_eq!(tried.recv_timeout(PROMPTLY), Ok((1, 1, false)));
        queue.write(node("b"));
        queue.write(ended("b"));
        let stored = queue.stored();
        // A read is answered while the server is away; `stored` is not.
        wait(queue.read(|_| Ok::<_, String>(()))).expect("a read during the outage");
        down.store(false, Ordering::SeqCst);
        wait(stored);
        let attempts: Vec<_> = tried.try_iter().collect();
        let stored: Vec<_> = attempts.iter().filter(|(_, _, up)| *up).collect();
        assert_eq!(stored, [&(1, 1, true), &(2, 2, true)], "each batch stored once, in order");
        assert!(
            attempts
                .iter()
                .all(|&(number, len, _)| (number, len) == (1, 1) || (number, len) == (2, 2)),
            "a batch sent again keeps its number and its writes: {attempts:?}"
        );
    }

    #[test]
    fn writes_for_a_thread_held_by_a_server_that_does_not_answer_are_bounded() {
        // The first batch's call never returns until released: a server that froze.
        let (entered, inside) = mpsc::channel();
        let (release, released) = mpsc::channel::<()>();
        let total = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = total.clone();
        let apply = move |_: &mut (), batch: &mut super::Batch| {
            if batch.number == 1 {
                entered.send(()).expect("entered read");
                released.recv_timeout(PROMPTLY).expect("released");
            }
            counted.fetch_add(batch.writes.len(), std::sync::atomic::Ordering::SeqCst);
            super::Applied::Done
        };
        let queue =
            Queue::spawn_with_idle((), Duration::ZERO, apply, |_: &mut ()| None).expect("spawn");
        queue.write(ended("first"));
        inside.recv_timeout(PROMPTLY).expect("the first batch is being sent");
        for n in 0..super::MAX_UNTAKEN + 10 {
            queue.write(ended(&format!("r{n}")));
        }
        release.send(()).expect("release");
        wait(queue.stored());
        let applied = || total.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(applied(), 1 + super::MAX_UNTAKEN, "the ten past the bound dropped");
        // Taken again: the bound is of writes waiting, not of writes made.
        queue.write(ended("after"));
        wait(queue.stored());
        assert_eq!(applied(), 2 + super::MAX_UNTAKEN);
    }
}
