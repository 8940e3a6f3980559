//! The store's connection, for its thread: opened with the store (a server that cannot be
//! reached yet is said so on stderr and connected to on a later request: a fleet's processes
//! start in any order) and opened again, on the next request, once it broke. The tables are
//! migrated on the first connection (see `schema.rs`).

use std::collections::HashMap;
use std::time::Duration;

use postgres::{Client, Config, Statement};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::settings;

/// How long a connection may take to open, unless the URL says (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long data sent may go unacknowledged before the connection is taken for broken, unless
/// the URL says (`tcp_user_timeout`): without it a cut network holds the store's thread for as
/// long as the system's TCP retries last (a quarter of an hour on Linux).
const UNACKNOWLEDGED: Duration = Duration::from_secs(15);

/// The client's default `keepalives_idle` (the system's usual 2 hours).
const SYSTEM_KEEPALIVE_IDLE: Duration = Duration::from_secs(2 * 60 * 60);

/// A quiet connection is probed after this long, unless the URL says (`keepalives_idle`).
const KEEPALIVE_IDLE: Duration = Duration::from_secs(10);

/// Between probes, unless the URL says (`keepalives_interval`); unanswered probes end the
/// connection within `tcp_user_timeout`.
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(5);

/// A connection to the server, opened again when it breaks, with the statements it prepared.
pub(crate) struct Link {
    url: String,
    config: Config,
    tls: MakeRustlsConnect,
    client: Option<Client>,
    prepared: HashMap<&'static str, Statement>,
    /// Whether the tables were brought to this version (on the first connection).
    migrated: bool,
    /// How many connections a store on this URL opens at most (see `readers.rs`).
    connection_limit: usize,
}

impl Link {
    /// A link to `url` (a `postgres://` URL or key-value settings) for a store's thread: a URL
    /// this client cannot use is an error now; the connection (and the migration, which may
    /// wait for another process's) is made on the thread, by [`Link::connect_now`], never on the
    /// caller's (the host's JS thread, when a conductor is made).
    pub(crate) fn open(url: &str) -> Result<Link, String> {
        Link::unconnected(url)
    }

    /// Connects, if it can, saying on stderr why not (a fleet's processes start in any order:
    /// the store connects on a later request).
    pub(crate) fn connect_now(&mut self) {
        if let Err(e) = self.client() {
            eprintln!("[atomiton] {e}: its store connects once it can");
        }
    }

    /// A link to `url` that connects on its first request.
    pub(crate) fn unconnected(url: &str) -> Result<Link, String> {
        let settings::Settings { mut config, tls, connection_limit } = settings::settings(url)
            .map_err(|e| {
                format!("{} is not a PostgreSQL URL this conductor can use: {e}", shown(url))
            })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_tcp_user_timeout().is_none() {
            config.tcp_user_timeout(UNACKNOWLEDGED);
        }
        // A request sent and acknowledged, its answer awaited: nothing is in flight, so only
        // keepalive probes find out that a paused machine or a cut network will never answer
        // (the system default waits 2 hours before the first). Unless the URL says.
        if config.get_keepalives_idle() == SYSTEM_KEEPALIVE_IDLE {
            config.keepalives(true).keepalives_idle(KEEPALIVE_IDLE);
        }
        if config.get_keepalives_interval().is_none() {
            config.keepalives_interval(KEEPALIVE_INTERVAL);
        }
        Ok(Link {
            url: url.to_owned(),
            config,
            tls,
            client: None,
            prepared: HashMap::new(),
            migrated: false,
            connection_limit,
        })
    }

    /// How many connections a store on this URL opens at most (`connection_limit`).
    pub(crate) fn connection_limit(&self) -> usize {
        self.connection_limit
    }

    /// Closes the connection (the next request opens one).
    pub(crate) fn disconnect(&mut self) {
        self.client = None;
        self.prepared.clear();
    }

    /// Brings the tables to this version, once.
    fn migrate(&mut self) -> Result<(), String> {
        if let (false, Some(client)) = (self.migrated, self.client.as_mut()) {
            super::schema::migrate(client)
                .map_err(|e| format!("PostgreSQL at {}: {e}", shown(&self.url)))?;
            self.migrated = true;
        }
        Ok(())
    }

    /// The connection, opened again when the last one broke.
    pub(crate) fn client(&mut self) -> Result<&mut Client, String> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.client = None;
            // Statements belong to the connection that prepared them.
            self.prepared.clear();
            let client = self.config.connect(self.tls.clone()).map_err(|e| {
                format!("cannot reach PostgreSQL at {}: {}", shown(&self.url), e.described())
            })?;
            self.client = Some(client);
            self.migrate()?;
        }
        self.client.as_mut().ok_or_else(|| "no connection".to_owned())
    }
}

impl Link {
    /// Runs `job` on the connection; when it fails because the connection turned out broken
    /// (the server restarted, or closed it: only a request finds out), once more on a new one.
    pub(crate) fn run<T, E: Described>(
        &mut self,
        mut job: impl FnMut(&mut Client) -> Result<T, E>,
    ) -> Result<T, String> {
        match job(self.client()?) {
            Err(_) if self.broken() => job(self.client()?).map_err(|e| e.described()),
            answer => answer.map_err(|e| e.described()),
        }
    }

    /// Whether the connection is known to be gone.
    pub(crate) fn broken(&self) -> bool {
        self.client.as_ref().is_none_or(Client::is_closed)
    }

    /// The connection and statement `sql`, prepared on it once (a call then costs one round
    /// trip, not two).
    pub(super) fn prepared(
        &mut self,
        sql: &'static str,
    ) -> Result<(&mut Client, Statement), String> {
        // Connected first: a connection opened again forgets the old one's statements.
        self.client()?;
        let known = self.prepared.get(sql).cloned();
        let client = self.client.as_mut().ok_or_else(|| "no connection".to_owned())?;
        let statement = match known {
            Some(statement) => statement,
            None => client.prepare(sql).map_err(|e| e.described())?,
        };
        self.prepared.insert(sql, statement.clone());
        let client = self.client.as_mut().ok_or_else(|| "no connection".to_owned())?;
        Ok((client, statement))
    }
}

/// An error's message with its causes: the client's own message says only "db error" for what
/// the server answered, and "error performing TLS handshake" for why the handshake failed.
pub(crate) trait Described {
    fn described(&self) -> String;
}

impl Described for postgres::Error {
    fn described(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(error) = cause {
            text.push_str(": ");
            text.push_str(&error.to_string());
            cause = error.source();
        }
        text
    }
}

impl Described for String {
    fn described(&self) -> String {
        self.clone()
    }
}

/// `url` as messages name it: without its password.
pub(super) fn shown(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or("");
            format!("{}{user}@{}", &url[..scheme + 3], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_are_shown_without_passwords() {
        assert_eq!(
            super::shown("postgres://ann:secret@db:5432/runs"),
            "postgres://ann@db:5432/runs"
        );
        assert_eq!(super::shown("postgres://db/runs"), "postgres://db/runs");
    }
}
