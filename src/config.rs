//! Settings: defaults, then an optional TOML file, then `RIGHTSDESK_*` environment variables.
//! Every problem names the setting and what is wrong with it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::NaiveDate;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::db::DbTarget;
use crate::domain::enums::Language;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `postgres://…` selects PostgreSQL; `sqlite://PATH` or a plain path selects SQLite.
    pub database_url: String,
    pub bind: String,
    /// HMAC key for access tokens; generated once and kept in the database when unset.
    pub token_secret: Option<SecretString>,
    pub token_ttl_minutes: u32,
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
    /// Largest attachment accepted, in MiB.
    pub max_upload_mb: u32,
    /// Days a released document stays downloadable by the requester.
    pub download_days: u32,
    /// Access-log events older than this many days are purged (the law asks for two years
    /// of look-back; organisations keep more).
    pub log_retention_days: u32,
    pub pool_size: u32,
    /// Failed logins per account within the lockout window before every attempt is refused.
    pub login_max_failures: u32,
    pub login_lockout_minutes: u32,
    /// Most submissions committed together by the group-commit writer.
    pub group_commit_max_batch: usize,
    /// Requests per page at most in listings.
    pub max_page_size: u32,
    /// `smtp://host:25`, `smtp://user:pass@host:587?tls=required`, `smtps://host:465`;
    /// unset: messages are written as .eml files to `outbox_dir`.
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
    pub outbox_dir: PathBuf,
    /// Where people reach this service: links in messages point here.
    pub public_url: String,
    /// Language of messages to staff and the DPO.
    pub staff_language: Language,
    /// Hour (Helsinki time) from which the DPO's daily digest goes out.
    pub digest_hour: u32,
    /// Digest recipients; empty: every active DPO of the organisation.
    pub digest_recipients: Vec<String>,
    /// Tries before a message is given up and shown to the DPO as failed.
    pub mail_max_attempts: u32,
    /// Whether `serve` runs the outbox worker and the deadline scheduler beside the server.
    pub run_jobs: bool,
    /// Public submissions (web form and API without a token) per client address per window.
    pub submit_limit: u32,
    /// Wrong reference/status-code guesses per client address per window.
    pub token_guess_limit: u32,
    /// Length of the rate-limit window in minutes.
    pub rate_limit_window_minutes: u32,
    /// Reverse proxies whose `X-Forwarded-For` is believed; nobody else's is.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            database_url: "sqlite://data/rightsdesk.db".into(),
            bind: "127.0.0.1:8080".into(),
            token_secret: None,
            token_ttl_minutes: 60,
            clock_stop_grace_days: 7,
            extra_closed_days: Vec::new(),
            calendar_file: None,
            legal_grounds_file: None,
            forms_dir: None,
            retention_file: None,
            authorities_file: None,
            max_upload_mb: 200,
            download_days: 14,
            log_retention_days: 6 * 365,
            pool_size: 8,
            login_max_failures: 5,
            login_lockout_minutes: 15,
            group_commit_max_batch: 256,
            max_page_size: 500,
            smtp_url: None,
            mail_from: "rightsdesk <noreply@localhost>".into(),
            outbox_dir: PathBuf::from("data/outbox"),
            public_url: "http://127.0.0.1:8080".into(),
            staff_language: Language::Fi,
            digest_hour: 7,
            digest_recipients: Vec::new(),
            mail_max_attempts: 8,
            run_jobs: true,
            submit_limit: 20,
            token_guess_limit: 20,
            rate_limit_window_minutes: 60,
            trusted_proxies: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {setting}: {problem}")]
pub struct ConfigError {
    pub setting: String,
    pub problem: String,
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
        let mut s = match file {
            None => Settings::default(),
            Some(path) => {
                let name = path.display().to_string();
                let text = std::fs::read_to_string(path).map_err(|e| {
                    ConfigError::new("--config", format!("cannot read {name}: {e}"))
                })?;
                toml::from_str(&text)
                    .map_err(|e| ConfigError::new(format!("--config {name}"), e.to_string()))?
            }
        };
        s.apply_env(env)?;
        s.validate()?;
        Ok(s)
    }

    fn apply_env(&mut self, env: &dyn EnvSource) -> Result<(), ConfigError> {
        if let Some(v) = env.var("RIGHTSDESK_DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = env.var("RIGHTSDESK_BIND") {
            self.bind = v;
        }
        if let Some(v) = env.var("RIGHTSDESK_TOKEN_SECRET") {
            self.token_secret = Some(SecretString::from(v));
        }
        parse_env(
            env,
            "RIGHTSDESK_TOKEN_TTL_MINUTES",
            &mut self.token_ttl_minutes,
        )?;
        parse_env(
            env,
            "RIGHTSDESK_CLOCK_STOP_GRACE_DAYS",
            &mut self.clock_stop_grace_days,
        )?;
        parse_env(env, "RIGHTSDESK_POOL_SIZE", &mut self.pool_size)?;
        parse_env(
            env,
            "RIGHTSDESK_LOGIN_MAX_FAILURES",
            &mut self.login_max_failures,
        )?;
        parse_env(
            env,
            "RIGHTSDESK_LOGIN_LOCKOUT_MINUTES",
            &mut self.login_lockout_minutes,
        )?;
        parse_env(
            env,
            "RIGHTSDESK_GROUP_COMMIT_MAX_BATCH",
            &mut self.group_commit_max_batch,
        )?;
        parse_env(env, "RIGHTSDESK_MAX_PAGE_SIZE", &mut self.max_page_size)?;
        parse_env(env, "RIGHTSDESK_DIGEST_HOUR", &mut self.digest_hour)?;
        parse_env(env, "RIGHTSDESK_MAX_UPLOAD_MB", &mut self.max_upload_mb)?;
        parse_env(env, "RIGHTSDESK_DOWNLOAD_DAYS", &mut self.download_days)?;
        parse_env(
            env,
            "RIGHTSDESK_LOG_RETENTION_DAYS",
            &mut self.log_retention_days,
        )?;
        parse_env(
            env,
            "RIGHTSDESK_MAIL_MAX_ATTEMPTS",
            &mut self.mail_max_attempts,
        )?;
        parse_env(env, "RIGHTSDESK_SUBMIT_LIMIT", &mut self.submit_limit)?;
        parse_env(
            env,
            "RIGHTSDESK_TOKEN_GUESS_LIMIT",
            &mut self.token_guess_limit,
        )?;
        parse_env(
            env,
            "RIGHTSDESK_RATE_LIMIT_WINDOW_MINUTES",
            &mut self.rate_limit_window_minutes,
        )?;
        if let Some(v) = env.var("RIGHTSDESK_TRUSTED_PROXIES") {
            self.trusted_proxies = v
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
            self.smtp_url = Some(SecretString::from(v)).filter(|s| !s.expose_secret().is_empty());
        }
        if let Some(v) = env.var("RIGHTSDESK_MAIL_FROM") {
            self.mail_from = v;
        }
        if let Some(v) = env.var("RIGHTSDESK_OUTBOX_DIR") {
            self.outbox_dir = PathBuf::from(v);
        }
        if let Some(v) = env.var("RIGHTSDESK_PUBLIC_URL") {
            self.public_url = v;
        }
        if let Some(v) = env.var("RIGHTSDESK_DIGEST_RECIPIENTS") {
            self.digest_recipients = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
        }
        if let Some(v) = env.var("RIGHTSDESK_STAFF_LANGUAGE") {
            self.staff_language = Language::parse(v.trim()).ok_or_else(|| {
                ConfigError::new("RIGHTSDESK_STAFF_LANGUAGE", "must be fi, sv or en")
            })?;
        }
        if let Some(v) = env.var("RIGHTSDESK_RUN_JOBS") {
            self.run_jobs = match v.trim() {
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
            self.extra_closed_days = v
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
            ("RIGHTSDESK_CALENDAR_FILE", &mut self.calendar_file),
            (
                "RIGHTSDESK_LEGAL_GROUNDS_FILE",
                &mut self.legal_grounds_file,
            ),
            ("RIGHTSDESK_FORMS_DIR", &mut self.forms_dir),
            ("RIGHTSDESK_RETENTION_FILE", &mut self.retention_file),
            ("RIGHTSDESK_AUTHORITIES_FILE", &mut self.authorities_file),
        ] {
            if let Some(v) = env.var(name) {
                *slot = Some(PathBuf::from(v));
            }
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        DbTarget::parse(&self.database_url).map_err(|problem| {
            ConfigError::new("database_url (RIGHTSDESK_DATABASE_URL)", problem)
        })?;
        self.bind_addr()?;
        if let Some(secret) = &self.token_secret {
            if secret.expose_secret().len() < 32 {
                return Err(ConfigError::new(
                    "token_secret (RIGHTSDESK_TOKEN_SECRET)",
                    "must be at least 32 characters; leave it unset to have one generated",
                ));
            }
        }
        crate::mail::Mailer::check_settings(self)?;
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(ConfigError::new(
                "public_url (RIGHTSDESK_PUBLIC_URL)",
                "must start with http:// or https://",
            ));
        }
        let ranges: [(&str, u64, u64, u64); 15] = [
            ("submit_limit", self.submit_limit.into(), 1, 1_000_000),
            (
                "token_guess_limit",
                self.token_guess_limit.into(),
                1,
                1_000_000,
            ),
            (
                "rate_limit_window_minutes",
                self.rate_limit_window_minutes.into(),
                1,
                24 * 60,
            ),
            (
                "log_retention_days",
                self.log_retention_days.into(),
                731,
                36500,
            ),
            ("max_upload_mb", self.max_upload_mb.into(), 1, 4096),
            ("download_days", self.download_days.into(), 1, 365),
            ("digest_hour", self.digest_hour.into(), 0, 23),
            ("mail_max_attempts", self.mail_max_attempts.into(), 1, 100),
            (
                "token_ttl_minutes",
                self.token_ttl_minutes.into(),
                1,
                24 * 60,
            ),
            (
                "clock_stop_grace_days",
                self.clock_stop_grace_days.into(),
                0,
                31,
            ),
            ("pool_size", self.pool_size.into(), 1, 128),
            (
                "login_max_failures",
                self.login_max_failures.into(),
                1,
                1000,
            ),
            (
                "login_lockout_minutes",
                self.login_lockout_minutes.into(),
                1,
                24 * 60,
            ),
            (
                "group_commit_max_batch",
                self.group_commit_max_batch as u64,
                1,
                10_000,
            ),
            ("max_page_size", self.max_page_size.into(), 1, 10_000),
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
        self.bind.parse().map_err(|_| {
            ConfigError::new(
                "bind (RIGHTSDESK_BIND)",
                format!("'{}' is not an address like 127.0.0.1:8080", self.bind),
            )
        })
    }

    pub fn db_target(&self) -> DbTarget {
        // validate() has accepted the URL.
        DbTarget::parse(&self.database_url)
            .unwrap_or_else(|_| DbTarget::Sqlite(self.database_url.clone()))
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
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert!(matches!(s.db_target(), DbTarget::Sqlite(p) if p == "data/rightsdesk.db"));
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = std::env::temp_dir().join(format!("rd-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(&file, "bind = \"127.0.0.1:9000\"\npool_size = 3\n").unwrap();
        let s = Settings::load(Some(&file), &[("RIGHTSDESK_BIND", "0.0.0.0:7000")]).unwrap();
        assert_eq!(s.bind, "0.0.0.0:7000");
        assert_eq!(s.pool_size, 3);
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
}
