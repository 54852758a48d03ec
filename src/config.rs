//! Settings: defaults, then an optional TOML file, then `RIGHTSDESK_*` environment variables.
//! Every problem names the setting and what is wrong with it.
//!
//! The keys are flat; inside, [`Settings`] holds one section per part of the service, so a
//! part depends only on its own section (`mail` on [`MailSettings`], which it owns).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::NaiveDate;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::db::DbTarget;
use crate::domain::enums::Language;

pub use crate::mail::MailSettings;

/// Every setting, grouped by the part of the service that reads it. The external format stays
/// flat: TOML key `k` and variable `RIGHTSDESK_K` fill field `k` of one section (the
/// `file_settings!` table below says which).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub web: WebSettings,
    pub auth: AuthSettings,
    pub rules: RulesSettings,
    pub documents: DocumentsSettings,
    pub logs: LogsSettings,
    pub mail: MailSettings,
    pub jobs: JobsSettings,
}

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// `postgres://…` selects PostgreSQL; `sqlite://PATH` or a plain path selects SQLite.
    pub database_url: String,
    pub pool_size: u32,
    /// Most submissions committed together by the group-commit writer.
    pub group_commit_max_batch: usize,
}

impl Default for DatabaseSettings {
    fn default() -> DatabaseSettings {
        DatabaseSettings {
            database_url: "sqlite://data/rightsdesk.db".into(),
            pool_size: 8,
            group_commit_max_batch: 256,
        }
    }
}

/// The HTTP server, its public address, listings and rate limits.
#[derive(Debug, Clone)]
pub struct WebSettings {
    pub bind: String,
    /// Where people reach this service: links in messages point here.
    pub public_url: String,
    /// Requests per page at most in listings.
    pub max_page_size: u32,
    /// Public submissions (web form and API without a token) per client address per window.
    pub submit_limit: u32,
    /// Wrong reference/status-code guesses per client address per window.
    pub token_guess_limit: u32,
    /// Failed sign-ins (API token or desk) per client address per window.
    pub login_limit: u32,
    /// Length of the rate-limit window in minutes.
    pub rate_limit_window_minutes: u32,
    /// Reverse proxies whose `X-Forwarded-For` is believed; nobody else's is.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for WebSettings {
    fn default() -> WebSettings {
        WebSettings {
            bind: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            max_page_size: 500,
            submit_limit: 20,
            token_guess_limit: 20,
            login_limit: 30,
            rate_limit_window_minutes: 60,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Access tokens and login throttling.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// HMAC key for access tokens; generated once and kept in the database when unset.
    pub token_secret: Option<SecretString>,
    pub token_ttl_minutes: u32,
    /// Failed logins per account within the lockout window before every attempt is refused.
    pub login_max_failures: u32,
    pub login_lockout_minutes: u32,
}

impl Default for AuthSettings {
    fn default() -> AuthSettings {
        AuthSettings {
            token_secret: None,
            token_ttl_minutes: 60,
            login_max_failures: 5,
            login_lockout_minutes: 15,
        }
    }
}

/// The law as data: calendars, catalogues, forms and deadline rules.
#[derive(Debug, Clone)]
pub struct RulesSettings {
    /// A clock stop counts only when asked this many days after receipt at most.
    pub clock_stop_grace_days: u32,
    /// Days the organisation is closed beyond the calendar (e.g. Christmas Eve).
    pub extra_closed_days: Vec<NaiveDate>,
    /// Replaces the shipped Finnish calendar (`config/calendar-fi.toml` format).
    pub calendar_file: Option<PathBuf>,
    /// Replaces the shipped legal-grounds catalogue (`letters/legal-grounds.toml` format).
    pub legal_grounds_file: Option<PathBuf>,
    /// Replaces the shipped form definitions (`forms/` layout).
    pub forms_dir: Option<PathBuf>,
    /// Replaces the shipped retention periods (`config/retention.toml` format).
    pub retention_file: Option<PathBuf>,
    /// Replaces the shipped Ombudsman contact data (`letters/authorities.toml` format).
    pub authorities_file: Option<PathBuf>,
}

impl Default for RulesSettings {
    fn default() -> RulesSettings {
        RulesSettings {
            clock_stop_grace_days: 7,
            extra_closed_days: Vec::new(),
            calendar_file: None,
            legal_grounds_file: None,
            forms_dir: None,
            retention_file: None,
            authorities_file: None,
        }
    }
}

/// Attachments and released documents.
#[derive(Debug, Clone)]
pub struct DocumentsSettings {
    /// Largest attachment accepted, in MiB.
    pub max_upload_mb: u32,
    /// Days a released document stays downloadable by the requester.
    pub download_days: u32,
}

impl Default for DocumentsSettings {
    fn default() -> DocumentsSettings {
        DocumentsSettings {
            max_upload_mb: 200,
            download_days: 14,
        }
    }
}

/// The access log (Act 703/2023 § 11).
#[derive(Debug, Clone)]
pub struct LogsSettings {
    /// Access-log events older than this many days are purged (the law asks for two years
    /// of look-back; organisations keep more).
    pub log_retention_days: u32,
}

impl Default for LogsSettings {
    fn default() -> LogsSettings {
        LogsSettings {
            log_retention_days: 6 * 365,
        }
    }
}

/// The outbox worker and the deadline scheduler.
#[derive(Debug, Clone)]
pub struct JobsSettings {
    /// Whether `serve` runs the outbox worker and the deadline scheduler beside the server.
    pub run_jobs: bool,
    /// Hour (Helsinki time) from which the DPO's daily digest goes out.
    pub digest_hour: u32,
    /// Digest recipients; empty: every active DPO of the organisation.
    pub digest_recipients: Vec<String>,
}

impl Default for JobsSettings {
    fn default() -> JobsSettings {
        JobsSettings {
            run_jobs: true,
            digest_hour: 7,
            digest_recipients: Vec::new(),
        }
    }
}

/// The TOML file's flat keys, each with the section it belongs to. One line per key: the
/// macro makes the private flat struct the file is read into (so `deny_unknown_fields` names
/// an unknown key, listing the known ones in this order) and the move of each present key
/// into its section.
macro_rules! file_settings {
    ($($key:ident: $ty:ty => $section:ident,)*) => {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct FileSettings {
            $($key: Option<$ty>,)*
        }

        impl FileSettings {
            fn apply(self, s: &mut Settings) {
                $(if let Some(v) = self.$key {
                    s.$section.$key = v;
                })*
            }
        }
    };
}

file_settings! {
    database_url: String => database,
    bind: String => web,
    token_secret: Option<SecretString> => auth,
    token_ttl_minutes: u32 => auth,
    clock_stop_grace_days: u32 => rules,
    extra_closed_days: Vec<NaiveDate> => rules,
    calendar_file: Option<PathBuf> => rules,
    legal_grounds_file: Option<PathBuf> => rules,
    forms_dir: Option<PathBuf> => rules,
    retention_file: Option<PathBuf> => rules,
    authorities_file: Option<PathBuf> => rules,
    max_upload_mb: u32 => documents,
    download_days: u32 => documents,
    log_retention_days: u32 => logs,
    pool_size: u32 => database,
    login_max_failures: u32 => auth,
    login_lockout_minutes: u32 => auth,
    group_commit_max_batch: usize => database,
    max_page_size: u32 => web,
    smtp_url: Option<SecretString> => mail,
    mail_from: String => mail,
    outbox_dir: PathBuf => mail,
    public_url: String => web,
    staff_language: Language => mail,
    digest_hour: u32 => jobs,
    digest_recipients: Vec<String> => jobs,
    mail_max_attempts: u32 => mail,
    run_jobs: bool => jobs,
    submit_limit: u32 => web,
    token_guess_limit: u32 => web,
    login_limit: u32 => web,
    rate_limit_window_minutes: u32 => web,
    trusted_proxies: Vec<std::net::IpAddr> => web,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {setting}: {problem}")]
pub struct ConfigError {
    pub setting: String,
    pub problem: String,
}

impl From<crate::mail::MailSettingsError> for ConfigError {
    fn from(e: crate::mail::MailSettingsError) -> ConfigError {
        ConfigError {
            setting: e.setting,
            problem: e.problem,
        }
    }
}

impl ConfigError {
    pub fn new(setting: impl Into<String>, problem: impl Into<String>) -> ConfigError {
        ConfigError {
            setting: setting.into(),
            problem: problem.into(),
        }
    }
}

/// Where a value came from, so overrides apply in order.
pub trait EnvSource {
    fn var(&self, name: &str) -> Option<String>;
}

pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl<const N: usize> EnvSource for [(&str, &str); N] {
    fn var(&self, name: &str) -> Option<String> {
        self.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

impl Settings {
    pub fn load(file: Option<&Path>, env: &dyn EnvSource) -> Result<Settings, ConfigError> {
        let mut s = Settings::default();
        if let Some(path) = file {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path)
                .map_err(|e| ConfigError::new("--config", format!("cannot read {name}: {e}")))?;
            toml::from_str::<FileSettings>(&text)
                .map_err(|e| ConfigError::new(format!("--config {name}"), e.to_string()))?
                .apply(&mut s);
        }
        s.apply_env(env)?;
        s.validate()?;
        Ok(s)
    }

    fn apply_env(&mut self, env: &dyn EnvSource) -> Result<(), ConfigError> {
        if let Some(v) = env.var("RIGHTSDESK_DATABASE_URL") {
            self.database.database_url = v;
        }
        if let Some(v) = env.var("RIGHTSDESK_BIND") {
            self.web.bind = v;
        }
        if let Some(v) = env.var("RIGHTSDESK_TOKEN_SECRET") {
            self.auth.token_secret = Some(SecretString::from(v));
        }
        parse_env(
            env,
            "RIGHTSDESK_TOKEN_TTL_MINUTES",
            &mut self.auth.token_ttl_minutes,
        )?;
        parse_env(
            env,
            "RIGHTSDESK_CLOCK_STOP_GRACE_DAYS",
            &mut self.rules.clock_stop_grace_days,
        )?;
        parse_env(env, "RIGHTSDESK_POOL_SIZE", &mut self.database.pool_size)?;
        parse_env(
            env,
            "RIGHTSDESK_LOGIN_MAX_FAILURES",
            &mut self.auth.login_max_failures,
        )?;
        parse_env(
            env,
            "RIGHTSDESK_LOGIN_LOCKOUT_MINUTES",
            &mut self.auth.login_lockout_minutes,
        )?;
        parse_env(
            env,
            "RIGHTSDESK_GROUP_COMMIT_MAX_BATCH",
            &mut self.database.group_commit_max_batch,
        )?;
        parse_env(env, "RIGHTSDESK_MAX_PAGE_SIZE", &mut self.web.max_page_size)?;
        parse_env(env, "RIGHTSDESK_DIGEST_HOUR", &mut self.jobs.digest_hour)?;
        parse_env(
            env,
            "RIGHTSDESK_MAX_UPLOAD_MB",
            &mut self.documents.max_upload_mb,
        )?;
        parse_env(
            env,
            "RIGHTSDESK_DOWNLOAD_DAYS",
            &mut self.documents.download_days,
        )?;
        parse_env(
            env,
            "RIGHTSDESK_LOG_RETENTION_DAYS",
            &mut self.logs.log_retention_days,
        )?;
        parse_env(
            env,
            "RIGHTSDESK_MAIL_MAX_ATTEMPTS",
            &mut self.mail.mail_max_attempts,
        )?;
        parse_env(env, "RIGHTSDESK_SUBMIT_LIMIT", &mut self.web.submit_limit)?;
        parse_env(
            env,
            "RIGHTSDESK_TOKEN_GUESS_LIMIT",
            &mut self.web.token_guess_limit,
        )?;
        parse_env(env, "RIGHTSDESK_LOGIN_LIMIT", &mut self.web.login_limit)?;
        parse_env(
            env,
            "RIGHTSDESK_RATE_LIMIT_WINDOW_MINUTES",
            &mut self.web.rate_limit_window_minutes,
        )?;
        if let Some(v) = env.var("RIGHTSDESK_TRUSTED_PROXIES") {
            self.web.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse().map_err(|_| {
                        ConfigError::new(
                            "RIGHTSDESK_TRUSTED_PROXIES",
                            format!("'{s}' is not an IP address (comma separated)"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(v) = env.var("RIGHTSDESK_SMTP_URL") {
            self.mail.smtp_url =
                Some(SecretString::from(v)).filter(|s| !s.expose_secret().is_empty());
        }
        if let Some(v) = env.var("RIGHTSDESK_MAIL_FROM") {
            self.mail.mail_from = v;
        }
        if let Some(v) = env.var("RIGHTSDESK_OUTBOX_DIR") {
            self.mail.outbox_dir = PathBuf::from(v);
        }
        if let Some(v) = env.var("RIGHTSDESK_PUBLIC_URL") {
            self.web.public_url = v;
        }
        if let Some(v) = env.var("RIGHTSDESK_DIGEST_RECIPIENTS") {
            self.jobs.digest_recipients = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
        }
        if let Some(v) = env.var("RIGHTSDESK_STAFF_LANGUAGE") {
            self.mail.staff_language = Language::parse(v.trim()).ok_or_else(|| {
                ConfigError::new("RIGHTSDESK_STAFF_LANGUAGE", "must be fi, sv or en")
            })?;
        }
        if let Some(v) = env.var("RIGHTSDESK_RUN_JOBS") {
            self.jobs.run_jobs = match v.trim() {
                "1" | "true" | "yes" => true,
                "0" | "false" | "no" => false,
                _ => {
                    return Err(ConfigError::new(
                        "RIGHTSDESK_RUN_JOBS",
                        "must be true or false",
                    ))
                }
            };
        }
        if let Some(v) = env.var("RIGHTSDESK_EXTRA_CLOSED_DAYS") {
            self.rules.extra_closed_days = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    NaiveDate::from_str(s).map_err(|_| {
                        ConfigError::new(
                            "RIGHTSDESK_EXTRA_CLOSED_DAYS",
                            format!("'{s}' is not a date (YYYY-MM-DD, comma separated)"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        for (name, slot) in [
            ("RIGHTSDESK_CALENDAR_FILE", &mut self.rules.calendar_file),
            (
                "RIGHTSDESK_LEGAL_GROUNDS_FILE",
                &mut self.rules.legal_grounds_file,
            ),
            ("RIGHTSDESK_FORMS_DIR", &mut self.rules.forms_dir),
            ("RIGHTSDESK_RETENTION_FILE", &mut self.rules.retention_file),
            (
                "RIGHTSDESK_AUTHORITIES_FILE",
                &mut self.rules.authorities_file,
            ),
        ] {
            if let Some(v) = env.var(name) {
                *slot = Some(PathBuf::from(v));
            }
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        DbTarget::parse(&self.database.database_url).map_err(|problem| {
            ConfigError::new("database_url (RIGHTSDESK_DATABASE_URL)", problem)
        })?;
        self.bind_addr()?;
        if let Some(secret) = &self.auth.token_secret {
            let secret = secret.expose_secret();
            // Characters, not bytes: 16 letters like "ä" are 32 bytes but not 32 characters.
            if secret.trim().is_empty() || secret.chars().count() < 32 {
                return Err(ConfigError::new(
                    "token_secret (RIGHTSDESK_TOKEN_SECRET)",
                    "must be at least 32 characters, not all blank; leave it unset to have one generated",
                ));
            }
        }
        crate::mail::Mailer::check_settings(&self.mail)?;
        if !(self.web.public_url.starts_with("http://")
            || self.web.public_url.starts_with("https://"))
        {
            return Err(ConfigError::new(
                "public_url (RIGHTSDESK_PUBLIC_URL)",
                "must start with http:// or https://",
            ));
        }
        if let Some(problem) = public_url_problem(&self.web.public_url) {
            return Err(ConfigError::new(
                "public_url (RIGHTSDESK_PUBLIC_URL)",
                problem,
            ));
        }
        for (i, recipient) in self.jobs.digest_recipients.iter().enumerate() {
            if !crate::mail::is_mailbox(recipient) {
                // The entry's position, not its text: an address is personal data.
                return Err(ConfigError::new(
                    "digest_recipients (RIGHTSDESK_DIGEST_RECIPIENTS)",
                    format!("entry {} is not an e-mail address", i + 1),
                ));
            }
        }
        let ranges: [(&str, u64, u64, u64); 16] = [
            ("submit_limit", self.web.submit_limit.into(), 1, 1_000_000),
            ("login_limit", self.web.login_limit.into(), 1, 1_000_000),
            (
                "token_guess_limit",
                self.web.token_guess_limit.into(),
                1,
                1_000_000,
            ),
            (
                "rate_limit_window_minutes",
                self.web.rate_limit_window_minutes.into(),
                1,
                24 * 60,
            ),
            (
                "log_retention_days",
                self.logs.log_retention_days.into(),
                731,
                36500,
            ),
            (
                "max_upload_mb",
                self.documents.max_upload_mb.into(),
                1,
                4096,
            ),
            ("download_days", self.documents.download_days.into(), 1, 365),
            ("digest_hour", self.jobs.digest_hour.into(), 0, 23),
            (
                "mail_max_attempts",
                self.mail.mail_max_attempts.into(),
                1,
                100,
            ),
            (
                "token_ttl_minutes",
                self.auth.token_ttl_minutes.into(),
                1,
                24 * 60,
            ),
            (
                "clock_stop_grace_days",
                self.rules.clock_stop_grace_days.into(),
                0,
                31,
            ),
            ("pool_size", self.database.pool_size.into(), 1, 128),
            (
                "login_max_failures",
                self.auth.login_max_failures.into(),
                1,
                1000,
            ),
            (
                "login_lockout_minutes",
                self.auth.login_lockout_minutes.into(),
                1,
                24 * 60,
            ),
            (
                "group_commit_max_batch",
                self.database.group_commit_max_batch as u64,
                1,
                10_000,
            ),
            ("max_page_size", self.web.max_page_size.into(), 1, 10_000),
        ];
        for (name, value, min, max) in ranges {
            if !(min..=max).contains(&value) {
                return Err(ConfigError::new(
                    name,
                    format!("{value} is out of range {min}..={max}"),
                ));
            }
        }
        Ok(())
    }

    pub fn bind_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.web.bind.parse().map_err(|_| {
            ConfigError::new(
                "bind (RIGHTSDESK_BIND)",
                format!("'{}' is not an address like 127.0.0.1:8080", self.web.bind),
            )
        })
    }

    pub fn db_target(&self) -> DbTarget {
        // validate() has accepted the URL.
        DbTarget::parse(&self.database.database_url)
            .unwrap_or_else(|_| DbTarget::Sqlite(self.database.database_url.clone()))
    }
}

/// What is wrong with a `public_url` that starts with `http://` or `https://`: it needs a host
/// (links in messages are built on it), and no credentials or spaces.
fn public_url_problem(url: &str) -> Option<&'static str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        // An IPv6 literal: [::1]:8080
        Some(v6) => v6.split_once(']').map(|(h, _)| h).unwrap_or_default(),
        None => match authority.rsplit_once(':') {
            Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
            Some(_) => return Some("the port after the host must be a number"),
            None => authority,
        },
    };
    if host.is_empty() {
        Some(
            "has no host: give the address people reach the service at, e.g. https://rd.example.fi",
        )
    } else if authority.contains('@') {
        Some("must not carry a user name or password")
    } else if url.chars().any(char::is_whitespace) {
        Some("must not contain spaces")
    } else {
        None
    }
}

/// A setting as the messages name it: the TOML key and its environment variable.
pub fn setting_name(key: &str) -> String {
    format!("{key} (RIGHTSDESK_{})", key.to_ascii_uppercase())
}

/// Reads a rules file named by setting `key` (`legal_grounds_file`, …) and parses it with
/// `parse`; a file that cannot be read or parsed names the setting and the path.
pub fn read_rules_file<T, E>(
    key: &str,
    path: &Path,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, ConfigError>
where
    E: Into<anyhow::Error>,
{
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::new(
            setting_name(key),
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    parse(&text).map_err(|e| {
        ConfigError::new(
            setting_name(key),
            format!("{}: {:#}", path.display(), e.into()),
        )
    })
}

/// The log filter: `RIGHTSDESK_LOG` (a tracing `EnvFilter`, e.g. `info` or
/// `rightsdesk=debug,warn`), `info` when unset or empty. A filter that does not parse stops
/// the start, like any other bad setting, rather than being dropped in silence.
pub fn log_filter(env: &dyn EnvSource) -> Result<tracing_subscriber::EnvFilter, ConfigError> {
    use tracing_subscriber::EnvFilter;
    match env.var("RIGHTSDESK_LOG") {
        Some(v) if !v.trim().is_empty() => EnvFilter::builder().parse(v.trim()).map_err(|e| {
            ConfigError::new(
                "RIGHTSDESK_LOG",
                format!("not a log filter (e.g. info, or rightsdesk=debug,warn): {e}"),
            )
        }),
        _ => Ok(EnvFilter::new("info")),
    }
}

fn parse_env<T: FromStr>(env: &dyn EnvSource, name: &str, slot: &mut T) -> Result<(), ConfigError> {
    if let Some(v) = env.var(name) {
        *slot = v
            .trim()
            .parse()
            .map_err(|_| ConfigError::new(name, format!("'{v}' is not a valid number")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_configuration() {
        let s = Settings::load(None, &[("X", "y")]).unwrap();
        assert_eq!(s.web.bind, "127.0.0.1:8080");
        assert!(matches!(s.db_target(), DbTarget::Sqlite(p) if p == "data/rightsdesk.db"));
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = std::env::temp_dir().join(format!("rd-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(&file, "bind = \"127.0.0.1:9000\"\npool_size = 3\n").unwrap();
        let s = Settings::load(Some(&file), &[("RIGHTSDESK_BIND", "0.0.0.0:7000")]).unwrap();
        assert_eq!(s.web.bind, "0.0.0.0:7000");
        assert_eq!(s.database.pool_size, 3);
        std::fs::write(&file, "bnid = \"x\"\n").unwrap();
        let err = Settings::load(Some(&file), &[("X", "y")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("bnid"), "{err}");
    }

    #[test]
    fn bad_settings_name_the_setting() {
        let cases: [(&str, &str, &str); 6] = [
            ("RIGHTSDESK_BIND", "localhost", "bind"),
            ("RIGHTSDESK_DATABASE_URL", "mysql://x", "database_url"),
            ("RIGHTSDESK_TOKEN_SECRET", "short", "token_secret"),
            ("RIGHTSDESK_POOL_SIZE", "many", "RIGHTSDESK_POOL_SIZE"),
            (
                "RIGHTSDESK_CLOCK_STOP_GRACE_DAYS",
                "99",
                "clock_stop_grace_days",
            ),
            (
                "RIGHTSDESK_EXTRA_CLOSED_DAYS",
                "2026-12-24,24.12.",
                "EXTRA_CLOSED_DAYS",
            ),
        ];
        for (var, value, named) in cases {
            let err = Settings::load(None, &[(var, value)])
                .unwrap_err()
                .to_string();
            assert!(err.contains(named), "{var}={value}: {err}");
        }
    }

    #[test]
    fn blank_or_short_secrets_hostless_urls_and_bad_recipients_are_refused_by_name() {
        let cases: Vec<(&str, String, &str)> = vec![
            ("RIGHTSDESK_TOKEN_SECRET", " ".repeat(32), "token_secret"),
            ("RIGHTSDESK_TOKEN_SECRET", " \t".repeat(20), "token_secret"),
            // 22 characters, 44 bytes.
            ("RIGHTSDESK_TOKEN_SECRET", "äö".repeat(11), "token_secret"),
            ("RIGHTSDESK_PUBLIC_URL", "https://".into(), "public_url"),
            (
                "RIGHTSDESK_PUBLIC_URL",
                "http:///status".into(),
                "public_url",
            ),
            (
                "RIGHTSDESK_PUBLIC_URL",
                "https://:8443".into(),
                "public_url",
            ),
            (
                "RIGHTSDESK_PUBLIC_URL",
                "https://rd.example.fi:x".into(),
                "public_url",
            ),
            (
                "RIGHTSDESK_PUBLIC_URL",
                "https://u:p@rd.example.fi".into(),
                "public_url",
            ),
            (
                "RIGHTSDESK_PUBLIC_URL",
                "https://rd.example .fi".into(),
                "public_url",
            ),
            (
                "RIGHTSDESK_DIGEST_RECIPIENTS",
                "not an address".into(),
                "digest_recipients",
            ),
            (
                "RIGHTSDESK_DIGEST_RECIPIENTS",
                "dpo@example.fi, maija.meikalainen".into(),
                "digest_recipients",
            ),
        ];
        for (var, value, named) in &cases {
            let err = Settings::load(None, &[(*var, value.as_str())])
                .unwrap_err()
                .to_string();
            assert!(err.contains(named), "{var}={value:?}: {err}");
            assert!(
                !err.contains("maija") && !err.contains("äö"),
                "the value is not echoed: {err}"
            );
        }
        let file = std::env::temp_dir().join(format!("rd-config-{}.toml", uuid::Uuid::new_v4()));
        std::fs::write(&file, "digest_recipients = [\"not an address\"]\n").unwrap();
        let err = Settings::load(Some(&file), &[("X", "y")])
            .unwrap_err()
            .to_string();
        let _ = std::fs::remove_file(&file);
        assert!(err.contains("digest_recipients"), "{err}");

        let ok: Vec<(&str, String)> = vec![
            ("RIGHTSDESK_TOKEN_SECRET", "ä".repeat(32)),
            ("RIGHTSDESK_TOKEN_SECRET", format!(" {} ", "x".repeat(30))),
            (
                "RIGHTSDESK_PUBLIC_URL",
                "https://rd.example.fi:8443/desk".into(),
            ),
            ("RIGHTSDESK_PUBLIC_URL", "http://[::1]:8080".into()),
            ("RIGHTSDESK_PUBLIC_URL", "http://127.0.0.1:8080/".into()),
            (
                "RIGHTSDESK_DIGEST_RECIPIENTS",
                "dpo@example.fi, Tietosuoja <tietosuoja@example.fi>".into(),
            ),
        ];
        for (var, value) in &ok {
            let loaded = Settings::load(None, &[(*var, value.as_str())]);
            assert!(loaded.is_ok(), "{var}={value:?}: {:?}", loaded.err());
        }
    }

    #[test]
    fn unreadable_rules_files_name_their_setting() {
        let dir = std::env::temp_dir().join(format!("rd-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let broken = dir.join("broken.toml");
        std::fs::write(&broken, "x = [\n").unwrap();
        let missing = dir.join("missing.toml");
        type PathSetting = fn(&mut RulesSettings) -> &mut Option<PathBuf>;
        let slots: [(&str, PathSetting); 5] = [
            ("calendar_file", |r| &mut r.calendar_file),
            ("forms_dir", |r| &mut r.forms_dir),
            ("legal_grounds_file", |r| &mut r.legal_grounds_file),
            ("retention_file", |r| &mut r.retention_file),
            ("authorities_file", |r| &mut r.authorities_file),
        ];
        for (key, slot) in slots {
            for path in [&broken, &missing] {
                let mut s = Settings::default();
                *slot(&mut s.rules) = Some(path.clone());
                let err = match crate::services::Rules::load(&s) {
                    Ok(_) => panic!("{key} = {} accepted", path.display()),
                    Err(e) => format!("{e:#}"),
                };
                let variable = format!("RIGHTSDESK_{}", key.to_ascii_uppercase());
                assert!(
                    err.contains(key) && err.contains(&variable),
                    "{key} = {}: {err}",
                    path.display()
                );
                assert!(err.contains(&path.display().to_string()), "{err}");
            }
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_bad_log_filter_is_refused_by_name() {
        for bad in ["rightsdesk=lol", "=info", "info,[{"] {
            let err = log_filter(&[("RIGHTSDESK_LOG", bad)])
                .unwrap_err()
                .to_string();
            assert!(err.contains("RIGHTSDESK_LOG"), "{bad}: {err}");
        }
        for good in ["info", "rightsdesk=debug,warn", "", "  "] {
            assert!(log_filter(&[("RIGHTSDESK_LOG", good)]).is_ok(), "{good:?}");
        }
        assert!(log_filter(&[("X", "y")]).is_ok(), "unset: info");
    }

    #[test]
    fn a_database_that_cannot_be_reached_names_the_setting() {
        for target in [
            DbTarget::Postgres("postgres://nobody@127.0.0.1:1/none".into()),
            DbTarget::Sqlite("/dev/null/rightsdesk/rightsdesk.db".into()),
        ] {
            let err = match crate::db::connect(&target, 1) {
                Ok(_) => panic!("{target:?} connected"),
                Err(e) => e.to_string(),
            };
            assert!(
                err.contains("database_url (RIGHTSDESK_DATABASE_URL)"),
                "{err}"
            );
        }
    }

    #[test]
    fn sections_are_filled_from_flat_toml_keys() {
        let dir = std::env::temp_dir().join(format!("rd-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(
            &file,
            r#"
database_url = "postgres://rd@db/rd"
pool_size = 3
group_commit_max_batch = 64
bind = "0.0.0.0:9000"
public_url = "https://rd.example.fi"
max_page_size = 100
submit_limit = 5
token_guess_limit = 6
rate_limit_window_minutes = 30
trusted_proxies = ["10.0.0.1"]
token_secret = "0123456789abcdef0123456789abcdef"
token_ttl_minutes = 30
login_max_failures = 4
login_lockout_minutes = 20
clock_stop_grace_days = 3
extra_closed_days = ["2026-12-24"]
calendar_file = "cal.toml"
legal_grounds_file = "grounds.toml"
forms_dir = "forms2"
retention_file = "ret.toml"
authorities_file = "auth.toml"
max_upload_mb = 10
download_days = 30
log_retention_days = 800
smtp_url = "smtp://relay:25"
mail_from = "rd <rd@example.fi>"
outbox_dir = "out"
mail_max_attempts = 3
staff_language = "sv"
run_jobs = false
digest_hour = 9
digest_recipients = ["dpo@example.fi"]
"#,
        )
        .unwrap();
        let s = Settings::load(Some(&file), &[("X", "y")]).unwrap();
        let _ = std::fs::remove_dir_all(dir);
        assert_sections(&s, &["10.0.0.1"], &["dpo@example.fi"]);
    }

    #[test]
    fn sections_are_filled_from_environment_variables() {
        let env = [
            ("RIGHTSDESK_DATABASE_URL", "postgres://rd@db/rd"),
            ("RIGHTSDESK_POOL_SIZE", "3"),
            ("RIGHTSDESK_GROUP_COMMIT_MAX_BATCH", "64"),
            ("RIGHTSDESK_BIND", "0.0.0.0:9000"),
            ("RIGHTSDESK_PUBLIC_URL", "https://rd.example.fi"),
            ("RIGHTSDESK_MAX_PAGE_SIZE", "100"),
            ("RIGHTSDESK_SUBMIT_LIMIT", "5"),
            ("RIGHTSDESK_TOKEN_GUESS_LIMIT", "6"),
            ("RIGHTSDESK_RATE_LIMIT_WINDOW_MINUTES", "30"),
            ("RIGHTSDESK_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2"),
            (
                "RIGHTSDESK_TOKEN_SECRET",
                "0123456789abcdef0123456789abcdef",
            ),
            ("RIGHTSDESK_TOKEN_TTL_MINUTES", "30"),
            ("RIGHTSDESK_LOGIN_MAX_FAILURES", "4"),
            ("RIGHTSDESK_LOGIN_LOCKOUT_MINUTES", "20"),
            ("RIGHTSDESK_CLOCK_STOP_GRACE_DAYS", "3"),
            ("RIGHTSDESK_EXTRA_CLOSED_DAYS", "2026-12-24"),
            ("RIGHTSDESK_CALENDAR_FILE", "cal.toml"),
            ("RIGHTSDESK_LEGAL_GROUNDS_FILE", "grounds.toml"),
            ("RIGHTSDESK_FORMS_DIR", "forms2"),
            ("RIGHTSDESK_RETENTION_FILE", "ret.toml"),
            ("RIGHTSDESK_AUTHORITIES_FILE", "auth.toml"),
            ("RIGHTSDESK_MAX_UPLOAD_MB", "10"),
            ("RIGHTSDESK_DOWNLOAD_DAYS", "30"),
            ("RIGHTSDESK_LOG_RETENTION_DAYS", "800"),
            ("RIGHTSDESK_SMTP_URL", "smtp://relay:25"),
            ("RIGHTSDESK_MAIL_FROM", "rd <rd@example.fi>"),
            ("RIGHTSDESK_OUTBOX_DIR", "out"),
            ("RIGHTSDESK_MAIL_MAX_ATTEMPTS", "3"),
            ("RIGHTSDESK_STAFF_LANGUAGE", "sv"),
            ("RIGHTSDESK_RUN_JOBS", "no"),
            ("RIGHTSDESK_DIGEST_HOUR", "9"),
            (
                "RIGHTSDESK_DIGEST_RECIPIENTS",
                "dpo@example.fi, other@example.fi",
            ),
        ];
        let s = Settings::load(None, &env).unwrap();
        assert_sections(
            &s,
            &["10.0.0.1", "10.0.0.2"],
            &["dpo@example.fi", "other@example.fi"],
        );
    }

    /// Every field differs from its default in both tests above.
    fn assert_sections(s: &Settings, proxies: &[&str], recipients: &[&str]) {
        let d = &s.database;
        assert_eq!(d.database_url, "postgres://rd@db/rd");
        assert_eq!((d.pool_size, d.group_commit_max_batch), (3, 64));
        let w = &s.web;
        assert_eq!(w.bind, "0.0.0.0:9000");
        assert_eq!(w.public_url, "https://rd.example.fi");
        assert_eq!(w.max_page_size, 100);
        assert_eq!(
            (
                w.submit_limit,
                w.token_guess_limit,
                w.rate_limit_window_minutes
            ),
            (5, 6, 30)
        );
        let proxies: Vec<std::net::IpAddr> = proxies.iter().map(|p| p.parse().unwrap()).collect();
        assert_eq!(w.trusted_proxies, proxies);
        let a = &s.auth;
        assert_eq!(
            a.token_secret.as_ref().map(|t| t.expose_secret()),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(
            (
                a.token_ttl_minutes,
                a.login_max_failures,
                a.login_lockout_minutes
            ),
            (30, 4, 20)
        );
        let r = &s.rules;
        assert_eq!(r.clock_stop_grace_days, 3);
        assert_eq!(
            r.extra_closed_days,
            [NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()]
        );
        assert_eq!(r.calendar_file, Some(PathBuf::from("cal.toml")));
        assert_eq!(r.legal_grounds_file, Some(PathBuf::from("grounds.toml")));
        assert_eq!(r.forms_dir, Some(PathBuf::from("forms2")));
        assert_eq!(r.retention_file, Some(PathBuf::from("ret.toml")));
        assert_eq!(r.authorities_file, Some(PathBuf::from("auth.toml")));
        assert_eq!(
            (s.documents.max_upload_mb, s.documents.download_days),
            (10, 30)
        );
        assert_eq!(s.logs.log_retention_days, 800);
        let m = &s.mail;
        assert_eq!(
            m.smtp_url.as_ref().map(|u| u.expose_secret()),
            Some("smtp://relay:25")
        );
        assert_eq!(m.mail_from, "rd <rd@example.fi>");
        assert_eq!(m.outbox_dir, PathBuf::from("out"));
        assert_eq!(m.mail_max_attempts, 3);
        assert_eq!(m.staff_language, Language::Sv);
        let j = &s.jobs;
        assert!(!j.run_jobs);
        assert_eq!(j.digest_hour, 9);
        assert_eq!(j.digest_recipients, recipients);
    }
}
