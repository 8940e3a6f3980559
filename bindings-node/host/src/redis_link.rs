//! A Redis store's connection (the run history's and the result cache's): opened with the store
//! (so a server that cannot be reached is an error at once), and opened again, on the next
//! request, after it breaks. Every change and read a store makes is one of its Lua scripts: one
//! atomic step on the server, whatever other processes do meanwhile. They are loaded once
//! (`SCRIPT LOAD`) and called by their SHA1 (`EVALSHA`), so a call sends only its arguments.

use std::time::{Duration, Instant};

use redis::{
    Client, Cmd, Connection, ErrorKind, FromRedisValue, RedisError, RedisResult, ServerErrorKind,
};

/// How long opening a connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one request may wait for its answer: past it, the connection is taken as broken.
const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// After a failed attempt to connect, requests fail at once for this long instead of each
/// waiting out the connect timeout (writes meanwhile are dropped, as the store's contract says).
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// A Lua script, and its place in the list of scripts its store's [`Link`] loads.
pub(crate) struct Script {
    pub(crate) slot: usize,
    pub(crate) text: &'static str,
}

/// A connection to the server, for the store's thread.
pub(crate) struct Link {
    client: Client,
    /// The server as messages name it: its URL without credentials.
    shown: String,
    prefix: String,
    conn: Option<Connection>,
    retry_at: Option<Instant>,
    /// Each script's SHA1, by slot, as the server named it when the store loaded it.
    shas: Vec<String>,
}

/// A store's list of scripts, with their slots: `scripts! { GET: <text>, ... }` defines `GET`
/// and `ALL` (each text is usually a prelude's and the script's own file, `concat!`ed).
macro_rules! scripts {
    ($($name:ident: $text:expr),* $(,)?) => {
        #[allow(clippy::upper_case_acronyms, non_camel_case_types)]
        enum Slot { $($name),* }
        $(pub(super) const $name: $crate::redis_link::Script = $crate::redis_link::Script {
            slot: Slot::$name as usize,
            text: $text,
        };)*
        /// Every script, by slot.
        pub(super) const ALL: &[$crate::redis_link::Script] = &[$($name),*];
    };
}
pub(crate) use scripts;

/// A call of a script: `EVALSHA` with the prefix as its first argument (add the others to `cmd`).
pub(crate) struct Call {
    script: &'static Script,
    pub(crate) cmd: Cmd,
}

impl Link {
    /// Connects to `url` and loads `scripts` (a store's `ALL`); every key will start with
    /// `prefix`.
    pub(crate) fn open(url: &str, prefix: &str, scripts: &[Script]) -> Result<Link, String> {
        let shown = shown(url);
        let client = Client::open(url)
            .map_err(|e| format!("{shown} is not a Redis URL this conductor can use: {e}"))?;
        let mut conn =
            connect(&client).map_err(|e| format!("cannot reach Redis at {shown}: {e}"))?;
        let shas = scripts
            .iter()
            .map(|script| load(&mut conn, script))
            .collect::<RedisResult<_>>()
            .map_err(|e| format!("Redis at {shown} cannot take the store's scripts: {e}"))?;
        Ok(Link {
            client,
            shown,
            prefix: prefix.to_owned(),
            conn: Some(conn),
            retry_at: None,
            shas,
        })
    }

    /// A call of `script` (add its arguments to `cmd`, then [`Link::run`] it).
    pub(crate) fn script(&self, script: &'static Script) -> Call {
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg(&self.shas[script.slot]).arg(0).arg(&self.prefix);
        Call { script, cmd }
    }

    /// Runs `call`. A server that does not hold the script (another server since, or its scripts
    /// flushed) is given it, and asked again.
    pub(crate) fn run<T: FromRedisValue>(&mut self, call: &Call) -> Result<T, String> {
        self.query(|conn| match call.cmd.query(conn) {
            Err(e) if e.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
                load(conn, call.script)?;
                call.cmd.query(conn)
            }
            answer => answer,
        })
    }

    /// Whether the last request left a connection open: a request that failed with one open
    /// reached the server (the server refused it).
    pub(crate) fn connected(&self) -> bool {
        self.conn.is_some()
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
        let kept = self.conn.is_some();
        let answer = match self.query_once(&mut request) {
            Err(e) if kept && self.conn.is_none() && !e.is_timeout() => {
                self.query_once(&mut request)
            }
            answer => answer,
        };
        answer.map_err(|e| match self.conn {
            None => format!("cannot reach Redis at {}: {e}", self.shown),
            Some(_) => format!("Redis at {}: {e}", self.shown),
        })
    }

    /// One try of [`query`](Self::query).
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
