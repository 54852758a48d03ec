//! The mail section of the settings. It lives here so that `mail` depends on nothing in
//! `config`: `config` reads the flat keys and environment variables into it and turns a
//! [`MailSettingsError`] into its own error.

use std::path::PathBuf;

use secrecy::SecretString;

use crate::domain::enums::Language;

/// Keys `smtp_url`, `mail_from`, `outbox_dir`, `mail_max_attempts`, `staff_language`.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://host:25`, `smtp://user:pass@host:587?tls=required`, `smtps://host:465`;
    /// unset: messages are written as .eml files to `outbox_dir`.
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
    pub outbox_dir: PathBuf,
    /// Tries before a message is given up and shown to the DPO as failed.
    pub mail_max_attempts: u32,
    /// Language of messages to staff and the DPO.
    pub staff_language: Language,
}

impl Default for MailSettings {
    fn default() -> MailSettings {
        MailSettings {
            smtp_url: None,
            mail_from: "rightsdesk <noreply@localhost>".into(),
            outbox_dir: PathBuf::from("data/outbox"),
            mail_max_attempts: 8,
            staff_language: Language::Fi,
        }
    }
}

/// A mail setting that cannot be used; displays like `config::ConfigError`.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {setting}: {problem}")]
pub struct MailSettingsError {
    pub setting: String,
    pub problem: String,
}

impl MailSettingsError {
    pub fn new(setting: impl Into<String>, problem: impl Into<String>) -> MailSettingsError {
        MailSettingsError {
            setting: setting.into(),
            problem: problem.into(),
        }
    }
}
