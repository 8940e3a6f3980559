//! The store's connection, for its thread: opened with the store (a server that cannot be
//! reached is an error at once) and opened again, on the next request, once it broke.

use std::collections::HashMap;

use postgres::{Client, NoTls, Statement};

/// A connection to the server, opened again when it breaks, with the statements it prepared.
pub(super) struct Link {
    url: String,
    client: Option<Client>,
    prepared: HashMap<&'static str, Statement>,
}

impl Link {
    /// Connects to `url` (a `postgres://` URL or key-value settings).
    pub(super) fn open(url: &str) -> Result<Link, String> {
        let client = Client::connect(url, NoTls)
            .map_err(|e| format!("cannot connect to PostgreSQL at {}: {e}", shown(url)))?;
        Ok(Link { url: url.to_owned(), client: Some(client), prepared: HashMap::new() })
    }

    /// The connection, opened again when the last one broke.
    pub(super) fn client(&mut self) -> Result<&mut Client, String> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.client = None;
            // Statements belong to the connection that prepared them.
            self.prepared.clear();
            let client = Client::connect(&self.url, NoTls)
                .map_err(|e| format!("cannot reach PostgreSQL at {}: {e}", shown(&self.url)))?;
            self.client = Some(client);
        }
        self.client.as_mut().ok_or_else(|| "no connection".to_owned())
    }
}

impl Link {
    /// The connection and statement `sql`, prepared on it once (a call then costs one round
    /// trip, not two).
    pub(super) fn prepared(
        &mut self,
        sql: &'static str,
    ) -> Result<(&mut Client, Statement), String> {
        let known = self.prepared.get(sql).cloned();
        let client = self.client()?;
        let statement = match known {
            Some(statement) => statement,
            None => client.prepare(sql).map_err(|e| e.to_string())?,
        };
        self.prepared.insert(sql, statement.clone());
        let client = self.client.as_mut().ok_or_else(|| "no connection".to_owned())?;
        Ok((client, statement))
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
