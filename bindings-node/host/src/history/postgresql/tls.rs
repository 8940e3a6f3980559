//! TLS to the server, as libpq's connection strings ask for it: `sslmode` (`disable`, `prefer`,
//! the default, `require`, `verify-ca`, `verify-full`) and `sslrootcert` (a PEM file of the
//! certificates to trust). The client this crate wraps knows only the first three modes and no
//! `sslrootcert`: both are read here and taken out of the settings it parses.
//!
//! Certificates are always verified, host name included (rustls does not connect otherwise):
//! `require` and `verify-ca` verify as `verify-full` does, which is stricter than libpq (where
//! `require` checks nothing). Trusted: the certificates in `sslrootcert`, else the operating
//! system's store and Mozilla's bundled roots (as the HTTP client trusts).

use std::sync::Arc;

use postgres::config::SslMode;
use postgres::Config;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use rustls_platform_verifier::Verifier;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The settings the client parses, and the TLS its connections use.
pub(super) struct Settings {
    pub(super) config: Config,
    pub(super) tls: MakeRustlsConnect,
}

/// Reads `url` (a `postgres://` URL or key-value settings), its TLS settings included.
pub(super) fn settings(url: &str) -> Result<Settings, String> {
    let (rest, mode, root) = take_tls_settings(url);
    let mut config: Config = rest.parse().map_err(|e: postgres::Error| e.to_string())?;
    match mode.as_deref() {
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
    let tls = client_config(root.as_deref())?;
    Ok(Settings { config, tls: MakeRustlsConnect::new(tls) })
}

fn client_config(root: Option<&str>) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?;
    let config = match root {
        Some(path) => {
            let mut roots = RootCertStore::empty();
            let certificates = CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("sslrootcert {path}: {e}"))?;
            for certificate in certificates {
                let certificate = certificate.map_err(|e| format!("sslrootcert {path}: {e}"))?;
                roots.add(certificate).map_err(|e| format!("sslrootcert {path}: {e}"))?;
            }
            let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| format!("sslrootcert {path}: {e}"))?;
            builder.dangerous().with_custom_certificate_verifier(verifier)
        }
        None => {
            let bundled = webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned();
            let verifier = Verifier::new_with_extra_roots(bundled, provider)
                .map_err(|e| format!("TLS certificate verifier setup failed: {e}"))?;
            // Only in name: this installs the real, verifying platform verifier.
            builder.dangerous().with_custom_certificate_verifier(Arc::new(verifier))
        }
    };
    Ok(config.with_no_client_auth())
}

/// `url` without its `sslmode` and `sslrootcert`, and their values.
fn take_tls_settings(url: &str) -> (String, Option<String>, Option<String>) {
    let (mut mode, mut root) = (None, None);
    let mut take = |key: &str, value: &str| match key {
        "sslmode" => {
            mode = Some(value.to_owned());
            true
        }
        "sslrootcert" => {
            root = Some(value.to_owned());
            true
        }
        _ => false,
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let Some((base, query)) = url.split_once('?') else { return (url.to_owned(), None, None) };
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                !take(key, &percent_decoded(value))
            })
            .collect();
        let rest =
            if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
        return (rest, mode, root);
    }
    // Key-value settings: `key=value` separated by spaces (values with spaces are quoted, and
    // kept as they are).
    let kept: Vec<&str> = url
        .split(' ')
        .filter(|pair| match pair.split_once('=') {
            Some((key, value)) => !take(key, value),
            None => true,
        })
        .collect();
    (kept.join(" "), mode, root)
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
    use super::take_tls_settings;

    #[test]
    fn tls_settings_are_taken_out_of_urls_and_key_value_settings() {
        assert_eq!(
            take_tls_settings("postgres://u@h/db?sslmode=verify-full&application_name=a&sslrootcert=%2Ftmp%2Fca.pem"),
            (
                "postgres://u@h/db?application_name=a".to_owned(),
                Some("verify-full".to_owned()),
                Some("/tmp/ca.pem".to_owned())
            )
        );
        assert_eq!(
            take_tls_settings("postgres://u@h/db?sslmode=require"),
            ("postgres://u@h/db".to_owned(), Some("require".to_owned()), None)
        );
        assert_eq!(
            take_tls_settings("host=h sslmode=disable user=u"),
            ("host=h user=u".to_owned(), Some("disable".to_owned()), None)
        );
        assert_eq!(
            take_tls_settings("postgres://h/db"),
            ("postgres://h/db".to_owned(), None, None)
        );
    }
}
