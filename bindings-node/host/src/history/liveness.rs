//! How the processes sharing a store (a fleet's workers and producers) tell a process that
//! stopped from one still going: each says it is alive to the store every so often (every batch
//! it writes says so too), and a run whose owner has not been heard from for a while is taken
//! for lost (`recover`: `interrupted` when it is durable, else `crashed`). Pids cannot do it:
//! they name processes of one machine only.
//!
//! A process cut off from the server (or a server away) for longer than the timeout has its
//! runs taken for lost meanwhile; one that comes back and ends such a run (nobody took it over)
//! has the last word, so a durable run it finished ends as it did.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The environment variable that sets how long a fleet process may go unheard before its runs
/// are taken for lost, in milliseconds.
pub const OWNER_TIMEOUT_VARIABLE: &str = "ATOMITON_OWNER_TIMEOUT_MS";

/// Its default: far longer than a busy process's pause between two beats.
const DEFAULT_OWNER_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a fleet process may go unheard before its runs are taken for lost.
/// A value that is not a whole number of milliseconds above 0 is said so on stderr, and the
/// default used.
pub(crate) fn owner_timeout() -> Duration {
    let Ok(given) = std::env::var(OWNER_TIMEOUT_VARIABLE) else { return DEFAULT_OWNER_TIMEOUT };
    match given.trim().parse::<u64>() {
        Ok(ms) if ms > 0 => Duration::from_millis(ms),
        _ => {
            eprintln!(
                "[atomiton] {OWNER_TIMEOUT_VARIABLE}={given:?} is not a whole number of milliseconds above 0: {} s is used",
                DEFAULT_OWNER_TIMEOUT.as_secs()
            );
            DEFAULT_OWNER_TIMEOUT
        }
    }
}

/// A name for one store a process opened, unique in the fleet: what its batches are numbered
/// under (a process may open several stores, each numbering its own).
pub(crate) fn writer_name(owner: &str) -> String {
    static OPENED: AtomicU64 = AtomicU64::new(0);
    format!("{owner}#{}", OPENED.fetch_add(1, Ordering::Relaxed))
}

/// Milliseconds since the Unix epoch, as runs' times are.
pub(crate) fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// The `idle` of a shared store's thread (see `Queue::spawn_with_idle`): `beat` every sixth of
/// the owner timeout, and `recover` (given the timeout and the time now) once every timeout.
/// Either failing (the server away) waits for the next round.
pub(crate) fn idle<C>(
    mut beat: impl FnMut(&mut C) + Send,
    mut recover: impl FnMut(&mut C, Duration, f64) + Send,
) -> impl FnMut(&mut C) -> Option<Duration> + Send {
    let mut rounds = Rounds::new();
    move |conn: &mut C| {
        let (due, next) = rounds.due();
        if due.beat {
            beat(conn);
        }
        if due.recover {
            recover(conn, rounds.timeout, now_ms());
        }
        Some(next)
    }
}

/// A store thread's work while nothing is queued: a beat every sixth of the timeout, and a
/// look for runs whose owner stopped once every timeout.
struct Rounds {
    timeout: Duration,
    beaten: Option<Instant>,
    recovered: Instant,
}

/// What is due now.
struct Due {
    beat: bool,
    recover: bool,
}

impl Rounds {
    /// Rounds for a store just opened (its opener recovers at once: the first look is a
    /// timeout away).
    fn new() -> Rounds {
        Rounds { timeout: owner_timeout(), beaten: None, recovered: Instant::now() }
    }

    /// What is due, and how long until the next round.
    fn due(&mut self) -> (Due, Duration) {
        let beat_every = self.timeout / 6;
        let now = Instant::now();
        let beat = self.beaten.is_none_or(|at| now.duration_since(at) >= beat_every);
        if beat {
            self.beaten = Some(now);
        }
        let recover = now.duration_since(self.recovered) >= self.timeout;
        if recover {
            self.recovered = now;
        }
        (Due { beat, recover }, beat_every.min(self.timeout))
    }
}
