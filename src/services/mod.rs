//! Use cases. Each write is one transaction that changes state and appends the audit
//! event; HTTP handlers, the CLI and jobs all call these.

pub mod actions;
pub mod admin;
pub mod auth;
pub mod bundles;
pub mod corrections;
pub mod demo;
pub mod desk;
pub mod documents;
pub mod dpo;
pub mod eid;
pub mod gathering;
pub mod log_import;
pub mod logs;
pub mod messages;
pub mod notes;
pub mod notify;
pub mod outcome;
pub mod paper_forms;
pub mod preview;
pub mod profile;
pub mod queries;
pub mod receipt;
pub mod request;
pub mod status;
pub mod status_code;
pub mod submissions;
pub mod views;
pub mod writer;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use crate::config::Settings;
use crate::db::{self, AnyConnection, Pool};
use crate::domain::authorities::Authorities;
use crate::domain::calendar::Calendar;
use crate::domain::codes::{FieldCode, ProblemCode};
use crate::domain::deadline::helsinki_date;
use crate::domain::enums::Role;
use crate::domain::forms::Forms;
use crate::domain::grounds::LegalGrounds;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::retention::RetentionRules;
use crate::domain::validation::FieldError;
use crate::domain::workflow::Action;

/// The time source, injected so tests and the scheduler can move it.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    fn today(&self) -> NaiveDate {
        helsinki_date(self.now())
    }
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that moves only when told: for tests and simulated months.
pub struct ManualClock(std::sync::Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> ManualClock {
        ManualClock(std::sync::Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The rules as data, loaded once at start.
pub struct Rules {
    pub calendar: Calendar,
    pub grounds: LegalGrounds,
    pub forms: Forms,
    pub retention: RetentionRules,
    pub authorities: Authorities,
}

impl Rules {
    pub fn load(settings: &Settings) -> anyhow::Result<Rules> {
        use crate::config::read_rules_file;
        let calendar = match &settings.rules.calendar_file {
            None => Calendar::finnish_default(),
            Some(path) => read_rules_file("calendar_file", path, Calendar::from_toml)?,
        }
        .with_extra_closed_days(settings.rules.extra_closed_days.iter().copied());
        let grounds = match &settings.rules.legal_grounds_file {
            None => LegalGrounds::embedded()?,
            Some(path) => read_rules_file("legal_grounds_file", path, LegalGrounds::from_toml)?,
        };
        let forms = match &settings.rules.forms_dir {
            None => Forms::embedded()?,
            Some(dir) => Forms::from_dir(dir).map_err(|e| {
                crate::config::ConfigError::new(
                    crate::config::setting_name("forms_dir"),
                    e.to_string(),
                )
            })?,
        };
        let retention = match &settings.rules.retention_file {
            None => RetentionRules::embedded()?,
            Some(path) => read_rules_file("retention_file", path, RetentionRules::from_toml)?,
        };
        let authorities = match &settings.rules.authorities_file {
            None => Authorities::embedded()?,
            Some(path) => read_rules_file("authorities_file", path, Authorities::from_toml)?,
        };
        Ok(Rules {
            calendar,
            grounds,
            forms,
            retention,
            authorities,
        })
    }
}

/// Everything a use case needs; shared by the server's workers.
pub struct Context {
    pub pool: Pool,
    pub settings: Settings,
    pub rules: Rules,
    pub clock: Arc<dyn Clock>,
    pub tokens: auth::TokenKeys,
    pub login_guard: auth::LoginGuard,
    pub writer: writer::SubmissionWriter,
    pub notifier: Arc<notify::Notifier>,
    pub mailer: crate::mail::Mailer,
    pub letters: crate::letters::Letters,
    /// Signs export bundles; generated once and kept in the database.
    pub signing_key: crate::bundle::SigningKey,
    /// Hashes identity codes into access-log subject keys.
    pub log_keyer: logs::SubjectKeyer,
    /// Per-address limits on public submissions and status-code guesses.
    pub limits: crate::ratelimit::Limits,
    /// Identity providers' keys, per organisation.
    pub eid: eid::EidVerifiers,
}

impl Context {
    pub fn conn(&self) -> Result<db::PooledConn, ServiceError> {
        self.pool
            .get()
            .map_err(|e| ServiceError::Internal(e.into()))
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }
}

/// Who is calling, from a verified access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub org_id: OrgId,
    pub role: Role,
}

impl Principal {
    pub fn require(&self, roles: &[Role]) -> Result<(), ServiceError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("the input has {} problem(s)", .0.len())]
    Validation(Vec<FieldError>),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{detail}")]
    Conflict {
        code: ProblemCode,
        detail: String,
        allowed: Option<Vec<Action>>,
    },
    #[error("authentication required")]
    Unauthorized,
    #[error("wrong e-mail address or password, or too many attempts")]
    BadCredentials,
    #[error("your role does not allow this")]
    Forbidden,
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for ServiceError {
    fn from(e: diesel::result::Error) -> ServiceError {
        match e {
            diesel::result::Error::NotFound => ServiceError::NotFound("record"),
            e if db::is_unique_violation(&e) => ServiceError::Conflict {
                code: ProblemCode::AlreadyExists,
                detail: "a record with the same unique value already exists".into(),
                allowed: None,
            },
            e => ServiceError::Internal(e.into()),
        }
    }
}

impl ServiceError {
    pub fn field(field: &str, code: FieldCode) -> ServiceError {
        ServiceError::Validation(vec![FieldError::new(field, code)])
    }
}

/// Deserialises a field that may be absent (outer `None`), `null` (`Some(None)`) or a value.
pub(crate) fn explicit_null<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// Runs a write transaction that starts by taking the organisation's lock.
pub fn write_tx<T>(
    conn: &mut AnyConnection,
    org_id: &str,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, ServiceError>,
) -> Result<T, ServiceError> {
    use diesel::Connection;
    conn.transaction(|conn| {
        db::audit::lock_org(conn, org_id)?;
        f(conn)
    })
}

/// Runs blocking database work off the async workers.
pub async fn blocking<T, F>(f: F) -> Result<T, ServiceError>
where
    F: FnOnce() -> Result<T, ServiceError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
}
