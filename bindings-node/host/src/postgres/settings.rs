//! A connection string read whole: what the client this crate wraps parses itself, and the
//! settings it does not know, read here and taken out before it parses the rest — libpq's
//! `sslmode` (all five modes) and `sslrootcert` (see `tls.rs`), and `connection_limit` (as
//! Prisma's URLs say it): how many connections a history store opens at most, its writer's and
//! its readers' (see `readers.rs`).

use postgres::config::SslMode;
use postgres::Config;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::tls::client_config;

/// Connections a history store opens at most unless the URL says: its writer's, and four for
/// reads (each closed after a minute unused, so an idle worker holds one).
pub(super) const CONNECTION_LIMIT: usize = 5;

/// The settings the client parses, the TLS its connections use, and how many a store opens.
pub(crate) struct Settings {
    pub(crate) config: Config,
    pub(crate) tls: MakeRustlsConnect,
    pub(super) connection_limit: usize,
}

/// Reads `url` (a `postgres://` URL or key-value settings), its TLS settings included.
pub(crate) fn settings(url: &str) -> Result<Settings, String> {
    let (config, tls, connection_limit) = async_settings(url)?;
    Ok(Settings { config: config.into(), tls, connection_limit })
}

/// [`settings`] for the asynchronous client (the database node's pools): its config, TLS and
/// connection limit.
pub(crate) fn async_settings(
    url: &str,
) -> Result<(tokio_postgres::Config, MakeRustlsConnect, usize), String> {
    let Own { rest, sslmode, sslrootcert, connection_limit } = take_own_settings(url);
    let mut config: tokio_postgres::Config =
        rest.parse().map_err(|e: tokio_postgres::Error| e.to_string())?;
    match sslmode.as_deref() {
        None => {}
        Some("disable") => {
            config.ssl_mode(SslMode::Disable);
        }
        Some("allow" | "prefer") => {
            config.ssl_mode(SslMode::Prefer);
        }
        Some("require" | "verify-ca" | "verify-full") => {
            config.ssl_mode(SslMode::Require);
        }
        Some(other) => return Err(format!("sslmode '{other}' is not one PostgreSQL knows")),
    }
    let connection_limit = match connection_limit.as_deref().map(str::parse::<usize>) {
        None => CONNECTION_LIMIT,
        Some(Ok(limit)) if limit >= 1 => limit,
        Some(_) => {
            return Err(format!(
                "connection_limit '{}' is not a number of connections (1 or more)",
                connection_limit.unwrap_or_default()
            ))
        }
    };
    // Named in pg_stat_activity, unless the URL names it otherwise.
    if config.get_application_name().is_none() {
        config.application_name("atomiton");
    }
    let tls = client_config(sslrootcert.as_deref())?;
    Ok((config, MakeRustlsConnect::new(tls), connection_limit))
}

/// A connection string's settings read here, and the rest.
#[derive(Debug, PartialEq)]
struct Own {
    rest: String,
    sslmode: Option<String>,
    sslrootcert: Option<String>,
    connection_limit: Option<String>,
}

/// `url` without `sslmode`, `sslrootcert` and `connection_limit`, and their values.
fn take_own_settings(url: &str) -> Own {
    let mut own =
        Own { rest: String::new(), sslmode: None, sslrootcert: None, connection_limit: None };
    let mut take = |key: &str, value: &str| {
        let slot = match key {
            "sslmode" => &mut own.sslmode,
            "sslrootcert" => &mut own.sslrootcert,
            "connection_limit" => &mut own.connection_limit,
            _ => return false,
        };
        *slot = Some(value.to_owned());
        true
    };
    let rest = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        match url.split_once('?') {
            None => url.to_owned(),
            Some((base, query)) => {
                let kept: Vec<&str> = query
                    .split('&')
                    .filter(|pair| {
                        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                        !take(key, &percent_decoded(value))
                    })
                    .collect();
                if kept.is_empty() {
                    base.to_owned()
                } else {
                    format!("{base}?{}", kept.join("&"))
                }
            }
        }
    } else {
        // Key-value settings: `key=value` separated by spaces (values with spaces are quoted,
        // and kept as they are).
        let kept: Vec<&str> = url
            .split(' ')
            .filter(|pair| match pair.split_once('=') {
                Some((key, value)) => !take(key, value),
                None => true,
            })
            .collect();
        kept.join(" ")
    };
    Own { rest, ..own }
}

/// `text` with its `%XX` escapes decoded (a path in a URL's query).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::{settings, take_own_settings, Own, CONNECTION_LIMIT};

    fn own(rest: &str, sslmode: Option<&str>, root: Option<&str>, limit: Option<&str>) -> Own {
        Own {
            rest: rest.to_owned(),
            sslmode: sslmode.map(str::to_owned),
            sslrootcert: root.map(str::to_owned),
            connection_limit: limit.map(str::to_owned),
        }
    }

    #[test]
    fn settings_the_client_lacks_are_taken_out_of_urls_and_key_value_settings() {
        assert_eq!(
            take_own_settings("postgres://u@h/db?sslmode=verify-full&application_name=a&sslrootcert=%2Ftmp%2Fca.pem&connection_limit=3"),
            own("postgres://u@h/db?application_name=a", Some("verify-full"), Some("/tmp/ca.pem"), Some("3"))
        );
        assert_eq!(
            take_own_settings("postgres://u@h/db?sslmode=require"),
            own("postgres://u@h/db", Some("require"), None, None)
        );
        assert_eq!(
            take_own_settings("host=h sslmode=disable connection_limit=1 user=u"),
            own("host=h user=u", Some("disable"), None, Some("1"))
        );
        assert_eq!(take_own_settings("postgres://h/db"), own("postgres://h/db", None, None, None));
    }

    #[test]
    fn a_connection_limit_is_a_number_of_connections() {
        let limit = |url: &str| settings(url).map(|s| s.connection_limit);
        assert_eq!(limit("postgres://h/db"), Ok(CONNECTION_LIMIT));
        assert_eq!(limit("postgres://h/db?connection_limit=1"), Ok(1));
        for wrong in ["0", "-2", "many", ""] {
            let error = limit(&format!("postgres://h/db?connection_limit={wrong}")).err();
            assert!(error.is_some_and(|e| e.contains("connection_limit")), "{wrong}");
        }
        let named =
            settings("postgres://h/db").map(|s| s.config.get_application_name().map(str::to_owned));
        assert_eq!(named, Ok(Some("atomiton".to_owned())));
    }
}
