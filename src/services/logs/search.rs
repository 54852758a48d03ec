//! One subject's events in the period a log-data request asks about.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::logs as log_db;
use crate::db::{requests as req_db, AnyConnection};
use crate::domain::codes::ProblemCode;
use crate::domain::details::{Details, LogInspectionDetails};
use crate::domain::enums::{RequestKind, Role};
use crate::domain::grounds::LegalGrounds;
use crate::domain::log_grouping::{group_events, SeenEvent, Withholding};
use crate::domain::personal_id::PersonalId;
use crate::services::request::Request;
use crate::services::{Context, Principal, ServiceError};

/// What staff choose to hold back, and on which ground; the rest is still given.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogSearchInput {
    #[serde(default)]
    pub withhold_users: Vec<String>,
    #[serde(default)]
    pub withhold_events: Vec<String>,
    /// The legal ground for what is held back: a ground the catalogue allows for log-data
    /// requests. Without one, the log-data request's own rule, Act 703/2023 § 11
    /// (`act_703_2023_11`).
    #[serde(default)]
    pub withheld_ground: Option<String>,
}

/// The log-data request's own refusal rule (serious danger to health, care or another's
/// rights), which a log report's withholding cites unless staff name another ground.
pub const LOG_WITHHELD_GROUND: &str = "act_703_2023_11";

impl LogSearchInput {
    /// The ground of what this search holds back, checked against the catalogue: known and
    /// allowed for log-data requests. Not asked for when nothing is held back.
    pub fn checked_ground(&self, grounds: &LegalGrounds) -> Result<Option<String>, ServiceError> {
        if self.withhold_users.is_empty() && self.withhold_events.is_empty() {
            return Ok(None);
        }
        let code = self
            .withheld_ground
            .clone()
            .unwrap_or_else(|| LOG_WITHHELD_GROUND.to_string());
        match grounds.check_one(&code, RequestKind::LogInspection, "withheld_ground") {
            Some(e) => Err(ServiceError::Validation(vec![e])),
            None => Ok(Some(code)),
        }
    }
}

pub use crate::domain::log_grouping::{LogEventOutput, LogGroupOutput};

#[derive(Debug, Serialize, ToSchema)]
pub struct LogSearchOutput {
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub registers: Vec<String>,
    pub total_events: usize,
    pub withheld_events: usize,
    pub suspected_user: Option<String>,
    pub highlighted_events: usize,
    pub groups: Vec<LogGroupOutput>,
}

/// A log-data request of the caller's organisation, with its typed details.
pub(super) fn log_request(
    conn: &mut AnyConnection,
    principal: &Principal,
    id: &str,
) -> Result<(Request, LogInspectionDetails), ServiceError> {
    let request = Request::load(conn, &principal.org_id, id)?;
    match &request.details {
        Details::LogInspection(details) => {
            let details = details.clone();
            Ok((request, details))
        }
        _ => Err(ServiceError::Conflict {
            code: ProblemCode::NotALogInspection,
            detail: "log searches answer log-inspection requests".into(),
            allowed: None,
        }),
    }
}

fn midnight_helsinki(d: NaiveDate) -> i64 {
    use chrono::TimeZone;
    chrono_tz::Europe::Helsinki
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or_default()
}

pub fn search(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    input: &LogSearchInput,
) -> Result<LogSearchOutput, ServiceError> {
    principal.require(&[Role::Staff, Role::Dpo])?;
    let mut conn = ctx.conn()?;
    let (request, details) = log_request(&mut conn, principal, request_id)?;
    let row = &request.row;
    let subject = req_db::subject(&mut conn, &row.id)?;
    let registers = req_db::registers_of(&mut conn, &row.id)?;
    let (from, to) = (details.period_from, details.period_to);
    let suspected = details
        .misuse_suspected_user
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let events = match subject
        .personal_id
        .as_deref()
        .and_then(|p| PersonalId::parse(p).ok())
    {
        // Without an identity code there is nothing to look up the logs by.
        None => Vec::new(),
        Some(pid) => {
            let ids: Vec<String> = registers.iter().map(|r| r.id.clone()).collect();
            let scopes = log_db::scopes_of(&mut conn, &row.org_id, &ids)?;
            let key = ctx.log_keyer.key(pid.as_str());
            log_db::search(
                &mut conn,
                &scopes,
                &key,
                midnight_helsinki(from),
                midnight_helsinki(to + Days::new(1)),
            )?
        }
    };
    let withhold = Withholding {
        users: &input.withhold_users,
        events: &input.withhold_events,
    };
    let grouped = group_events(
        events.into_iter().map(SeenEvent::from).collect(),
        withhold,
        suspected.as_deref(),
    );
    Ok(LogSearchOutput {
        period_from: from,
        period_to: to,
        registers: registers.iter().map(|r| r.name.clone()).collect(),
        total_events: grouped.shown,
        withheld_events: grouped.withheld,
        suspected_user: suspected,
        highlighted_events: grouped.highlighted,
        groups: grouped.groups,
    })
}
