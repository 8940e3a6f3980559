//! Which SMTP server, from the credential the node names (type `smtp`): `host`, `port`,
//! `security` (`starttls`, the default; `tls`; `none`), `username` and `password`, `from` (the
//! default sender) and `rootCertificate` (a PEM certificate trusted besides the usual roots: a
//! company's own CA, a test server's).

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::host::effects::{Credential, MailSecurity, MailServer};

use crate::request::Request;
use crate::TYPE;

/// The credential type the node takes.
pub const KIND: &str = "smtp";

pub fn of(request: &Request, credential: &Credential) -> Result<MailServer, ExecutionError> {
    let invalid = |message: String| {
        ExecutionError::new(ErrorCode::INVALID_PARAMETERS, format!("[{TYPE}] {message}"))
    };
    let name = &request.credential;
    if credential.kind != KIND {
        return Err(invalid(format!(
            "The credential '{name}' is of type '{}': an email node takes smtp (host, port, security, username, password, from)",
            credential.kind
        )));
    }
    let host = credential
        .text("host")
        .filter(|h| !h.is_empty())
        .ok_or_else(|| invalid(format!("The credential '{name}' has no host")))?;
    let security = match credential.text("security").as_deref() {
        None | Some("starttls") => MailSecurity::StartTls,
        Some("tls") => MailSecurity::Tls,
        Some("none") => MailSecurity::Plain,
        Some(other) => {
            return Err(invalid(format!(
                "The credential '{name}' has security '{other}': starttls, tls or none"
            )))
        }
    };
    let port = match credential.text("port") {
        None => match security {
            MailSecurity::StartTls => 587,
            MailSecurity::Tls => 465,
            MailSecurity::Plain => 25,
        },
        Some(text) => text.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
            invalid(format!("The credential '{name}' has port '{text}': 1 to 65535"))
        })?,
    };
    let login = match (credential.text("username"), credential.text("password")) {
        (Some(user), Some(password)) if !user.is_empty() => Some((user, password)),
        (Some(user), None) if !user.is_empty() => {
            return Err(invalid(format!("The credential '{name}' has a username but no password")))
        }
        _ => None,
    };
    if login.is_some() && security == MailSecurity::Plain {
        // A password sent in the clear can be read by anyone on the way.
        return Err(invalid(format!(
            "The credential '{name}' would send its password unencrypted: use security starttls or tls"
        )));
    }
    Ok(MailServer {
        host,
        port,
        security,
        login,
        root_certificate: credential.text("rootCertificate").filter(|c| !c.is_empty()),
        timeout_ms: request.timeout_ms,
    })
}
