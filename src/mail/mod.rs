//! Every lettre call lives here: message templates, the SMTP and file transports.

mod settings;
mod templates;

pub use settings::{MailSettings, MailSettingsError};
pub use templates::{Rendered, Templates};

use std::path::PathBuf;

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

/// One message as stored in the outbox.
pub struct Outgoing<'a> {
    pub id: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Sent,
    /// Worth trying again later (server down, 4xx).
    Temporary(String),
    /// Will never succeed as is (5xx, bad address).
    Permanent(String),
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One `.eml` file per message: the embedded default, readable by a person.
    Files(PathBuf),
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    /// Checks the mail settings without connecting anywhere.
    pub fn check_settings(s: &MailSettings) -> Result<(), MailSettingsError> {
        s.mail_from.parse::<Mailbox>().map_err(|e| {
            MailSettingsError::new(
                "mail_from (RIGHTSDESK_MAIL_FROM)",
                format!("not a mailbox: {e}"),
            )
        })?;
        if let Some(url) = &s.smtp_url {
            AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret()).map_err(|e| {
                MailSettingsError::new("smtp_url (RIGHTSDESK_SMTP_URL)", format!("not usable: {e}"))
            })?;
        }
        Ok(())
    }

    pub fn from_settings(s: &MailSettings) -> Result<Mailer, MailSettingsError> {
        Mailer::check_settings(s)?;
        let from = s
            .mail_from
            .parse::<Mailbox>()
            .map_err(|e| MailSettingsError::new("mail_from", e.to_string()))?;
        let transport = match &s.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    .map_err(|e| MailSettingsError::new("smtp_url", e.to_string()))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build(),
            ),
            None => Transport::Files(s.outbox_dir.clone()),
        };
        Ok(Mailer { transport, from })
    }

    pub fn describe(&self) -> &'static str {
        match self.transport {
            Transport::Smtp(_) => "smtp",
            Transport::Files(_) => "files",
        }
    }

    pub async fn send(&self, m: &Outgoing<'_>) -> SendOutcome {
        let to = match m.recipient.parse::<Mailbox>() {
            Ok(to) => to,
            Err(_) => return SendOutcome::Permanent("the recipient address is not valid".into()),
        };
        let message = Message::builder()
            // The outbox id as Message-ID lets receivers drop a duplicate after a crash between
            // the server's 250 and our record of it.
            .message_id(Some(format!("<{}@rightsdesk>", m.id)))
            .from(self.from.clone())
            .to(to)
            .subject(m.subject)
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(m.text.to_string()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(m.html.to_string()),
                    ),
            );
        let message = match message {
            Ok(msg) => msg,
            Err(e) => {
                return SendOutcome::Permanent(redact_addresses(&format!(
                    "cannot build the message: {e}"
                )))
            }
        };
        match &self.transport {
            Transport::Smtp(smtp) => match smtp.send(message).await {
                Ok(_) => SendOutcome::Sent,
                Err(e) if e.is_permanent() => {
                    SendOutcome::Permanent(redact_addresses(&e.to_string()))
                }
                Err(e) => SendOutcome::Temporary(redact_addresses(&e.to_string())),
            },
            Transport::Files(dir) => write_eml(dir, m.id, &message.formatted()).await,
        }
    }
}

async fn write_eml(dir: &std::path::Path, id: &str, bytes: &[u8]) -> SendOutcome {
    let result = async {
        tokio::fs::create_dir_all(dir).await?;
        // Write then rename, so a reader never sees half a message and a retry overwrites.
        let tmp = dir.join(format!(".{id}.tmp"));
        tokio::fs::write(&tmp, bytes).await?;
        tokio::fs::rename(&tmp, dir.join(format!("{id}.eml"))).await
    }
    .await;
    match result {
        Ok(()) => SendOutcome::Sent,
        Err(e) => SendOutcome::Temporary(format!("cannot write to the outbox directory: {e}")),
    }
}

/// Whether `s` is a mailbox a message can be sent to (`a@b.fi` or `Name <a@b.fi>`).
pub fn is_mailbox(s: &str) -> bool {
    s.parse::<Mailbox>().is_ok()
}

/// Server replies may quote the address or its local part (`Mailbox "maija.meikalainen-0"
/// does not exist`); errors are stored and shown to the DPO without them. Removed: text in
/// double quotes, in `<…>` and in single quotes that open and close a word, and every word
/// with an `@`. A name the server gives without quotes or `@` cannot be told from the rest.
pub fn redact_addresses(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let at_word_start = out.chars().last().is_none_or(|p| !p.is_alphanumeric());
        let quoted = match c {
            '"' => Some(('"', "\"…\"")),
            '<' => Some(('>', "<address>")),
            '\'' if at_word_start => Some(('\'', "'…'")),
            _ => None,
        };
        if let Some((close, replacement)) = quoted {
            let after_open = &rest[1..];
            let end = after_open.char_indices().find(|&(i, ch)| {
                // A single quote closes only at a word's end (not in "doesn't").
                ch == close
                    && (close != '\''
                        || after_open[i + 1..]
                            .chars()
                            .next()
                            .is_none_or(|n| !n.is_alphanumeric()))
            });
            match end {
                Some((i, _)) => {
                    out.push_str(replacement);
                    rest = &after_open[i + 1..];
                }
                // Unclosed: everything after the opening mark may be the address.
                None => {
                    out.push_str(replacement);
                    rest = "";
                }
            }
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out.split_whitespace()
        .map(|w| if w.contains('@') { "<address>" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_redacted_from_errors() {
        assert_eq!(
            redact_addresses("permanent error (550): 5.1.1 <maija@example.fi> unknown"),
            "permanent error (550): 5.1.1 <address> unknown"
        );
    }

    #[test]
    fn quoted_mailbox_names_are_redacted_from_bounces() {
        for (bounce, stored) in [
            (
                "permanent error (550): 5.1.1 Mailbox \"maija.meikalainen-0\" does not exist",
                "permanent error (550): 5.1.1 Mailbox \"…\" does not exist",
            ),
            (
                "permanent error (550): Requested action not taken: mailbox 'maija.meikalainen-0' unavailable",
                "permanent error (550): Requested action not taken: mailbox '…' unavailable",
            ),
            (
                "permanent error (550): 5.1.1 <maija.meikalainen-0>: Recipient address rejected: User unknown",
                "permanent error (550): 5.1.1 <address>: Recipient address rejected: User unknown",
            ),
            (
                "permanent error (553): \"Maija Meikäläinen\" <maija.meikalainen@example.fi> refused",
                "permanent error (553): \"…\" <address> refused",
            ),
            (
                "temporary error (452): RCPT TO:maija.m@example.fi mailbox full",
                "temporary error (452): RCPT <address> mailbox full",
            ),
            (
                "permanent error (550): mailbox \"maija.meikalainen-0 unknown",
                "permanent error (550): mailbox \"…\"",
            ),
            (
                "temporary error (421): the server's queue doesn't accept mail now",
                "temporary error (421): the server's queue doesn't accept mail now",
            ),
            ("connection error: timed out", "connection error: timed out"),
        ] {
            let redacted = redact_addresses(bounce);
            assert_eq!(redacted, stored, "{bounce}");
            assert!(!redacted.contains("maija"), "{redacted}");
        }
    }

    #[tokio::test]
    async fn the_file_transport_writes_one_eml_per_message() {
        let dir = std::env::temp_dir().join(format!("rd-mail-{}", uuid::Uuid::new_v4()));
        let settings = MailSettings {
            outbox_dir: dir.clone(),
            ..MailSettings::default()
        };
        let mailer = Mailer::from_settings(&settings).unwrap();
        let out = mailer
            .send(&Outgoing {
                id: "m1",
                recipient: "a@example.fi",
                subject: "Päätös äöå",
                text: "Hei",
                html: "<p>Hei</p>",
            })
            .await;
        assert_eq!(out, SendOutcome::Sent);
        let eml = std::fs::read_to_string(dir.join("m1.eml")).unwrap();
        assert!(eml.contains("Message-ID: <m1@rightsdesk>"), "{eml}");
        let bad = mailer
            .send(&Outgoing {
                id: "m2",
                recipient: "not an address",
                subject: "x",
                text: "x",
                html: "x",
            })
            .await;
        assert!(matches!(bad, SendOutcome::Permanent(_)));
        let _ = std::fs::remove_dir_all(dir);
    }
}
