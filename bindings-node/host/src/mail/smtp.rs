//! One message handed to an SMTP server with lettre: a connection per message (a node sends one
//! mail; nothing is pooled between runs), TLS as the credential asks, a login when it has one.

use std::time::Duration;

use atomiton_core::host::effects::{EffectError, EffectErrorKind, MailSecurity, MailServer};
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// When the node gives no bound.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Sends `bytes` to `envelope`'s recipients; the server's reply once it accepted them.
pub async fn send(
    server: MailServer,
    envelope: Envelope,
    bytes: Vec<u8>,
) -> Result<String, EffectError> {
    let tls = match server.security {
        MailSecurity::StartTls => Tls::Required(tls_parameters(&server)?),
        MailSecurity::Tls => Tls::Wrapper(tls_parameters(&server)?),
        MailSecurity::Plain => Tls::None,
    };
    // The engine's node timeout bounds it too; this is the credential's own bound.
    let timeout = crate::duration::positive_ms(server.timeout_ms).unwrap_or(DEFAULT_TIMEOUT);
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server.host.clone())
        .port(server.port)
        .tls(tls)
        .timeout(Some(timeout));
    if let Some((user, password)) = server.login {
        builder = builder.credentials(Credentials::new(user, password));
    }
    let transport = builder.build();
    let sent = tokio::time::timeout(timeout, transport.send_raw(&envelope, &bytes)).await;
    let response = sent
        .map_err(|_| {
            EffectError::new(
                EffectErrorKind::TimedOut,
                format!("the SMTP server did not answer within {} ms", timeout.as_millis()),
            )
        })?
        .map_err(|e| failure(&e))?;
    let words: Vec<&str> = response.message().collect();
    Ok(format!("{} {}", response.code(), words.join(" ")))
}

/// The usual roots (Mozilla's), and the credential's own certificate when it gives one.
fn tls_parameters(server: &MailServer) -> Result<TlsParameters, EffectError> {
    let mut builder = TlsParameters::builder(server.host.clone());
    if let Some(pem) = &server.root_certificate {
        let certificate = Certificate::from_pem(pem.as_bytes()).map_err(|e| {
            EffectError::new(
                EffectErrorKind::Other,
                format!("the credential's rootCertificate is not a PEM certificate: {e}"),
            )
        })?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build_rustls().map_err(|e| failure(&e))
}

/// What went wrong, in the effect's categories: a refused login is a permission, a 4xx reply
/// or a lost connection may pass (network), a 5xx reply will not.
fn failure(error: &lettre::transport::smtp::Error) -> EffectError {
    let code = error.status().map(|code| code.to_string());
    let kind = if matches!(code.as_deref(), Some("530" | "534" | "535" | "538")) {
        EffectErrorKind::PermissionDenied
    } else if error.is_timeout() {
        EffectErrorKind::TimedOut
    } else if error.is_permanent() || error.is_client() {
        EffectErrorKind::Other
    } else {
        EffectErrorKind::Network
    };
    EffectError::new(kind, format!("SMTP: {error}"))
}
