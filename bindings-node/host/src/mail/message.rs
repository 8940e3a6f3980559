//! A [`MailMessage`] written as MIME by lettre's builder: text and HTML as alternatives, the
//! attachments beside them, the Message-ID the node chose, and the envelope (Bcc recipients
//! in it, not in the message).

use atomiton_core::host::effects::{EffectError, EffectErrorKind, MailMessage};
use lettre::address::Envelope;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;

/// The envelope and the message's bytes, or why the message cannot be written (an address
/// that is not one, a content type that does not parse).
pub fn written(message: &MailMessage) -> Result<(Envelope, Vec<u8>), EffectError> {
    let mut builder = Message::builder()
        .from(mailbox("from", &message.from)?)
        .subject(message.subject.clone())
        .message_id(Some(message.message_id.clone()));
    for to in &message.to {
        builder = builder.to(mailbox("to", to)?);
    }
    for cc in &message.cc {
        builder = builder.cc(mailbox("cc", cc)?);
    }
    for bcc in &message.bcc {
        builder = builder.bcc(mailbox("bcc", bcc)?);
    }
    if let Some(reply_to) = &message.reply_to {
        builder = builder.reply_to(mailbox("replyTo", reply_to)?);
    }
    let body = body(message);
    let mut parts = message.attachments.iter();
    let built = match (body, parts.next()) {
        (Body::Single(part), None) => builder.singlepart(part),
        (Body::Multi(part), None) => builder.multipart(part),
        (body, Some(first)) => {
            let mut mixed = match body {
                Body::Single(part) => MultiPart::mixed().singlepart(part),
                Body::Multi(part) => MultiPart::mixed().multipart(part),
            };
            for attachment in std::iter::once(first).chain(parts) {
                let content_type = ContentType::parse(&attachment.content_type).map_err(|e| {
                    invalid(format!(
                        "the attachment '{}' has the content type '{}', which is not one: {e}",
                        attachment.filename, attachment.content_type
                    ))
                })?;
                mixed = mixed.singlepart(
                    Attachment::new(attachment.filename.clone())
                        .body(attachment.data.to_vec(), content_type),
                );
            }
            builder.multipart(mixed)
        }
    }
    .map_err(|e| invalid(format!("the message cannot be written: {e}")))?;
    Ok((built.envelope().clone(), built.formatted()))
}

enum Body {
    Single(SinglePart),
    Multi(MultiPart),
}

/// Text and HTML as alternatives (a reader shows the richest it can), or the one given; an
/// empty text when neither is.
fn body(message: &MailMessage) -> Body {
    match (&message.text, &message.html) {
        (Some(text), Some(html)) => {
            Body::Multi(MultiPart::alternative_plain_html(text.clone(), html.clone()))
        }
        (None, Some(html)) => Body::Single(SinglePart::html(html.clone())),
        (text, None) => Body::Single(SinglePart::plain(text.clone().unwrap_or_default())),
    }
}

fn mailbox(field: &str, address: &str) -> Result<Mailbox, EffectError> {
    address.trim().parse::<Mailbox>().map_err(|e| {
        invalid(format!("'{field}' has '{address}', which is not an email address: {e}"))
    })
}

fn invalid(message: String) -> EffectError {
    EffectError::new(EffectErrorKind::Other, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use atomiton_core::host::effects::MailAttachment;

    fn message() -> MailMessage {
        MailMessage {
            from: "Flows <flows@example.test>".into(),
            to: vec!["a@example.test".into()],
            bcc: vec!["hidden@example.test".into()],
            subject: "Report".into(),
            text: Some("plain words".into()),
            html: Some("<p>rich words</p>".into()),
            message_id: "<k1@example.test>".into(),
            attachments: vec![MailAttachment {
                filename: "data.bin".into(),
                content_type: "application/octet-stream".into(),
                data: vec![0u8, 159, 146, 150, 255].into(),
            }],
            ..MailMessage::default()
        }
    }

    #[test]
    fn bcc_is_in_the_envelope_only_and_parts_are_nested() {
        let (envelope, bytes) = written(&message()).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let to: Vec<String> = envelope.to().iter().map(ToString::to_string).collect();
        assert_eq!(to, ["a@example.test", "hidden@example.test"]);
        assert!(!text.contains("hidden@example.test"), "{text}");
        assert!(text.contains("Message-ID: <k1@example.test>"), "{text}");
        assert!(text.contains("multipart/mixed"), "{text}");
        assert!(text.contains("multipart/alternative"), "{text}");
        assert!(text.contains("filename=\"data.bin\""), "{text}");
        // The five bytes in base64.
        assert!(text.contains("AJ+Slv8="), "{text}");
    }

    #[test]
    fn a_bad_address_or_content_type_is_named() {
        let mut bad = message();
        bad.to = vec!["not an address".into()];
        let error = written(&bad).unwrap_err();
        assert!(error.message.contains("'to' has 'not an address'"), "{}", error.message);
        let mut bad = message();
        bad.attachments[0].content_type = "nonsense".into();
        let error = written(&bad).unwrap_err();
        assert!(error.message.contains("data.bin"), "{}", error.message);
    }
}
