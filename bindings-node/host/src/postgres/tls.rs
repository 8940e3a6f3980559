//! TLS to the server, as libpq's connection strings ask for it: `sslmode` (`disable`, `prefer`,
//! the default, `require`, `verify-ca`, `verify-full`) and `sslrootcert` (a PEM file of the
//! certificates to trust). The client this crate wraps knows only the first three modes and no
//! `sslrootcert`: both are read from the URL in `settings.rs`.
//!
//! Certificates are always verified, host name included (rustls does not connect otherwise):
//! `require` and `verify-ca` verify as `verify-full` does, which is stricter than libpq (where
//! `require` checks nothing). Trusted: the certificates in `sslrootcert`, else the operating
//! system's store and Mozilla's bundled roots (as the HTTP client trusts).

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use rustls_platform_verifier::Verifier;

pub(super) fn client_config(root: Option<&str>) -> Result<ClientConfig, String> {
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
