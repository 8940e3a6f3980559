//! The store's connection, for its thread: opened with the store (a server that cannot be
//! reached is an error at once) and opened again, on the next request, once it broke.

use postgres::{Client, NoTls};

/// A connection to the server, opened again when it breaks.
pub(super) struct Link {
    url: String,
    client: Option<Client>,
}

impl Link {
    /// Connects to `url` (a `postgres://` URL or key-value settings).
    pub(super) fn open(url: &str) -> Result<Link, String> {
        let client = Client::connect(url, NoTls)
            .map_err(|e| format!("cannot connect to PostgreSQL at {}: {e}", shown(url)))?;
        Ok(Link { url: url.to_owned(), client: Some(client) })
    }

    /// The connection, opened again when the last one broke.
    pub(super) fn client(&mut self) -> Result<&mut Client, String> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.client = None;
            let client = Client::connect(&self.url, NoTls)
                .map_err(|e| format!("cannot reach PostgreSQL at {}: {e}", shown(&self.url)))?;
            self.client = Some(client);
        }
        self.client.as_mut().ok_or_else(|| "no connection".to_owned())
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
