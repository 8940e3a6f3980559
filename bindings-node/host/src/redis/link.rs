//! A Redis store's link to its server (the run history's, the result cache's, flow storage's and
//! the triggers'): opened with the store (a server that cannot be reached yet is said so on
//! stderr, and connected to once it can be: a fleet's processes start in any order), and opened
//! again, on the next request, after it breaks. The stores of a process on one URL share one
//! connection ([`Server`]): each request holds it for its one round trip, so a server sees one
//! client per process, not one per store. Every change and read a store makes is one of its Lua
//! scripts: one atomic step on the server, whatever other processes do meanwhile. They are
//! loaded once (`SCRIPT LOAD`) and called by their SHA1 (`EVALSHA`), so a call sends only its
//! arguments.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::{Duration, Instant};

use redis::{
    Client, Cmd, Connection, ErrorKind, FromRedisValue, RedisError, RedisResult, ServerErrorKind,
};

use crate::links::Links;

/// How long opening a connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one request may wait for its answer: past it, the connection is taken as broken.
const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// After a failed attempt to connect, requests fail at once for this long instead of each
/// waiting out the connect timeout (the store's thread holds writes meanwhile).
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// A Lua script, and its place in the list of scripts its store's [`Link`] loads.
pub(crate) struct Script {
    pub(crate) slot: usize,
    pub(crate) text: &'static str,
}

/// The connection to one URL's server, shared by every store of the process on that URL.
struct Server {
    client: Client,
    conn: Option<Connection>,
    retry_at: Option<Instant>,
}

/// The servers connected to now, by URL: a store opened on a URL another store uses shares its
/// connection; the connection closes with the last store using it.
static SERVERS: Links<String, Mutex<Server>> = Links::new();

/// `mutex`'s value: a request that panicked while holding it left the connection as it was (at
/// worst broken, which the next request finds out).
fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A store's link to its server, for the store's thread.
pub(crate) struct Link {
    server: Arc<Mutex<Server>>,
    /// The server as messages name it: its URL without credentials.
    shown: String,
    prefix: String,
    /// The store's scripts, by slot.
    scripts: &'static [Script],
    /// Each script's SHA1, by slot, as the server named it when the store loaded it; empty until
    /// a server was first reached (a script's SHA1 is its text's: the same on every server).
    shas: Vec<String>,
}

/// A store's list of scripts, with their slots: `scripts! { GET: <text>, ... }` defines `GET`
/// and `ALL` (each text is usually a prelude's and the script's own file, `concat!`ed).
macro_rules! scripts {
    ($($name:ident: $text:expr),* $(,)?) => {
        #[allow(clippy::upper_case_acronyms, non_camel_case_types)]
        enum Slot { $($name),* }
        $(pub(super) const $name: $crate::redis::link::Script = $crate::redis::link::Script {
            slot: Slot::$name as usize,
            text: $text,
        };)*
        /// Every script, by slot.
        pub(super) const ALL: &[$crate::redis::link::Script] = &[$($name),*];
    };
}
pub(crate) use scripts;

/// A call of a script: `EVALSHA` with the prefix as its first argument (add the others to `cmd`).
pub(crate) struct Call {
    script: &'static Script,
    /// Whether `cmd` names the script by its SHA1 (else it was made before any server was
    /// reached, and `run` makes it again once one is).
    named: bool,
    pub(crate) cmd: Cmd,
}

impl Link {
    /// Connects to `url` and loads `scripts` (a store's `ALL`); every key will start with
    /// `prefix`. A server that cannot be reached yet is connected to on a later request; a URL
    /// this client cannot use, or a server that refuses the scripts, is an error.
    pub(crate) fn open(
        url: &str,
        prefix: &str,
        scripts: &'static [Script],
    ) -> Result<Link, String> {
        let shown = shown(url);
        let (server, _) = SERVERS.get_or_open(url.to_owned(), || {
            let client = Client::open(url)
                .map_err(|e| format!("{shown} is not a Redis URL this conductor can use: {e}"))?;
            Ok::<_, String>(Mutex::new(Server { client, conn: None, retry_at: None }))
        })?;
        let mut link = Link { server, shown, prefix: prefix.to_owned(), scripts, shas: Vec::new() };
        // Connected and given the scripts now when the connection is free; when another store's
        // request holds it (a server that does not answer holds it up to the request timeout),
        // on this store's first request instead: opening never waits on the caller's thread
        // (the host's JS thread, when a conductor is made) for another store's request.
        let loaded = match link.server.try_lock() {
            Ok(server) => Some(server),
            Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
        .and_then(|mut server| {
            if server.conn.is_none() && server.retry_at.is_none_or(|at| Instant::now() >= at) {
                match connect(&server.client) {
                    Ok(conn) => server.conn = Some(conn),
                    Err(e) => {
                        server.retry_at = Some(Instant::now() + RETRY_AFTER);
                        eprintln!(
                            "[atomiton] Redis at {} cannot be reached yet ({e}): its store connects once it can",
                            link.shown
                        );
                    }
                }
            }
            server.conn.as_mut().map(|conn| load_all(conn, scripts))
        });
        if let Some(loaded) = loaded {
            link.shas = loaded.map_err(|e| {
                format!("Redis at {} cannot take the store's scripts: {e}", link.shown)
            })?;
        }
        Ok(link)
    }

    /// A call of `script` (add its arguments to `cmd`, then [`Link::run`] it).
    pub(crate) fn script(&self, script: &'static Script) -> Call {
        let sha = self.shas.get(script.slot);
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg(sha.map_or("", String::as_str)).arg(0).arg(&self.prefix);
        Call { script, named: sha.is_some(), cmd }
    }

    /// Runs `call`. A server that does not hold the script (another server since, or its scripts
    /// flushed) is given it, and asked again.
    pub(crate) fn run<T: FromRedisValue>(&mut self, call: &Call) -> Result<T, String> {
        if self.shas.is_empty() {
            let scripts = self.scripts;
            self.shas = self.query(|conn| load_all(conn, scripts))?;
        }
        let renamed;
        let call = if call.named {
            call
        } else {
            renamed = self.renamed(call);
            &renamed
        };
        self.query(|conn| match call.cmd.query(conn) {
            Err(e) if e.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
                load(conn, call.script)?;
                call.cmd.query(conn)
            }
            answer => answer,
        })
    }

    /// `call` made again with its script's SHA1, which was not known when it was made.
    fn renamed(&self, call: &Call) -> Call {
        let mut fresh = self.script(call.script);
        // The arguments after `EVALSHA <sha> 0 <prefix>` (the name counts as one).
        for arg in call.cmd.args_iter().skip(4) {
            if let redis::Arg::Simple(bytes) = arg {
                fresh.cmd.arg(bytes);
            }
        }
        fresh
    }

    /// Runs a plain command (a store without scripts: the flows' hash).
    pub(crate) fn command<T: FromRedisValue>(&mut self, cmd: &Cmd) -> Result<T, String> {
        self.query(|conn| cmd.query(conn))
    }

    /// The key (or key prefix) this link's store keeps everything under.
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Whether the last request left a connection open: a request that failed with one open
    /// reached the server (the server refused it).
    pub(crate) fn connected(&self) -> bool {
        locked(&self.server).conn.is_some()
    }

    /// Runs `request`, connecting first when the last connection broke; a connection that fails
    /// is dropped, so the next request opens another. A connection kept from an earlier request
    /// that turns out dropped (the server restarted, or closed it while idle) is opened again and
    /// the request made once more at once: otherwise the first write after a server came back
    /// was lost. (After a timeout it is not: the request may have been carried out.)
    fn query<T>(
        &mut self,
        mut request: impl FnMut(&mut Connection) -> RedisResult<T>,
    ) -> Result<T, String> {
        // Held for this request only: the other stores' requests go between this store's.
        let mut server = locked(&self.server);
        let kept = server.conn.is_some();
        let answer = match server.query_once(&mut request) {
            Err(e) if kept && server.conn.is_none() && !e.is_timeout() => {
                server.query_once(&mut request)
            }
            answer => answer,
        };
        answer.map_err(|e| match server.conn {
            None => format!("cannot reach Redis at {}: {e}", self.shown),
            Some(_) => format!("Redis at {}: {e}", self.shown),
        })
    }
}

impl Server {
    /// One try of [`Link::query`].
    fn query_once<T>(
        &mut self,
        request: &mut impl FnMut(&mut Connection) -> RedisResult<T>,
    ) -> RedisResult<T> {
        let conn = match &mut self.conn {
            Some(conn) => conn,
            None => {
                if self.retry_at.is_some_and(|at| Instant::now() < at) {
                    return Err(RedisError::from((
                        ErrorKind::Io,
                        "cannot be reached (tried less than a second ago)",
                    )));
                }
                match connect(&self.client) {
                    Ok(conn) => self.conn.insert(conn),
                    Err(e) => {
                        self.retry_at = Some(Instant::now() + RETRY_AFTER);
                        return Err(e);
                    }
                }
            }
        };
        let answer = request(conn);
        if let Err(e) = &answer {
            if broken(e) {
                self.conn = None;
            }
        }
        answer
    }
}

fn connect(client: &Client) -> RedisResult<Connection> {
    let conn = client.get_connection_with_timeout(CONNECT_TIMEOUT)?;
    // Without them a server that stops answering would hold the store's thread forever.
    conn.set_read_timeout(Some(IO_TIMEOUT))?;
    conn.set_write_timeout(Some(IO_TIMEOUT))?;
    Ok(conn)
}

/// Gives every script to the server: their SHA1s, by slot.
fn load_all(conn: &mut Connection, scripts: &[Script]) -> RedisResult<Vec<String>> {
    scripts.iter().map(|script| load(conn, script)).collect()
}

/// Gives `script` to the server (`SCRIPT LOAD`): its SHA1.
fn load(conn: &mut Connection, script: &Script) -> RedisResult<String> {
    redis::cmd("SCRIPT").arg("LOAD").arg(script.text).query(conn)
}

/// Whether the connection can no longer be trusted: after a timeout a late answer could be taken
/// for the next request's.
fn broken(e: &RedisError) -> bool {
    e.is_io_error() || e.is_timeout() || e.is_connection_dropped() || e.is_unrecoverable_error()
}

/// `url` without its password (user info) or query (which may carry one).
fn shown(url: &str) -> String {
    let url = url.split('?').next().unwrap_or(url);
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority = rest.split('/').next().unwrap_or(rest);
    match authority.rfind('@') {
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn urls_are_shown_without_credentials() {
        assert_eq!(shown("redis://:secret@cache:6380/2"), "redis://***@cache:6380/2");
        assert_eq!(shown("redis://user:p@ss@cache"), "redis://***@cache");
        assert_eq!(shown("redis://cache:6379"), "redis://cache:6379");
        assert_eq!(
            shown("redis+unix:///run/redis.sock?pass=secret"),
            "redis+unix:///run/redis.sock"
        );
    }
}
