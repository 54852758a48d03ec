//! The finding of a misuse investigation asked for with a log-data request: recorded by
//! staff (audited), stated in the answer letter.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::db::audit::{self, NewEvent};
use crate::db::models::MisuseFindingRow;
use crate::db::{self, findings, AnyConnection};
use crate::domain::codes::{FieldCode, ProblemCode};
use crate::domain::enums::Role;
use crate::domain::misuse::MisuseFinding;
use crate::domain::validation::FieldError;
use crate::services::{write_tx, Context, Principal, ServiceError};

use super::search::log_request;

const MAX_FINDING: usize = 4000;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MisuseFindingInput {
    /// Whether the client's data was found to have been used without a basis.
    pub misuse_found: bool,
    /// What was investigated, found and done, in words the client will read.
    pub finding: String,
    /// The day the investigation was concluded, if not today: not in the future and not
    /// before receipt.
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MisuseFindingOutput {
    pub misuse_found: bool,
    pub finding: String,
    pub concluded_on: NaiveDate,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// Records a finding. A later finding supersedes an earlier one in the answer; both stay.
pub fn record_finding(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    input: MisuseFindingInput,
) -> Result<MisuseFindingOutput, ServiceError> {
    principal.require(&[Role::Staff])?;
    let finding = input.finding.trim().to_string();
    let today = ctx.today();
    let on = input.on.unwrap_or(today);
    let mut errors = Vec::new();
    if finding.is_empty() {
        errors.push(FieldError::new("finding", FieldCode::Required));
    } else if finding.chars().count() > MAX_FINDING {
        errors.push(
            FieldError::new("finding", FieldCode::TooLong)
                .with_params(json!({ "max": MAX_FINDING })),
        );
    }
    if on > today {
        errors.push(FieldError::new("on", FieldCode::DateInFuture));
    }
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        let (request, _) = log_request(conn, principal, request_id)?;
        let row = &request.row;
        if on < row.received_on {
            errors.push(FieldError::new("on", FieldCode::BeforeReceipt));
        }
        if !errors.is_empty() {
            return Err(ServiceError::Validation(std::mem::take(&mut errors)));
        }
        if !row.is_open {
            return Err(ServiceError::Conflict {
                code: ProblemCode::RequestClosed,
                detail: "the request is closed; a finding is recorded before the answer".into(),
                allowed: None,
            });
        }
        let stored = MisuseFindingRow {
            id: uuid::Uuid::now_v7().to_string(),
            request_id: row.id.to_string(),
            misuse_found: input.misuse_found,
            finding: finding.clone(),
            concluded_on: on,
            recorded_by: principal.user_id.to_string(),
            recorded_at: db::now(),
        };
        findings::insert(conn, &stored)?;
        // The text stays out of the audit payload: it may name the users investigated.
        audit::append(
            conn,
            NewEvent {
                org_id: &row.org_id,
                request_id: Some(&row.id),
                actor_id: Some(&principal.user_id),
                actor_role: principal.role.as_str(),
                action: "misuse_finding_recorded",
                from_state: None,
                to_state: None,
                payload: json!({ "misuse_found": input.misuse_found, "on": on }),
                occurred_at: db::now(),
            },
        )?;
        Ok(MisuseFindingOutput {
            misuse_found: stored.misuse_found,
            finding: stored.finding,
            concluded_on: stored.concluded_on,
            recorded_by: stored.recorded_by,
            recorded_at: stored.recorded_at.and_utc(),
        })
    })
}

/// The finding the answer states, if one was recorded.
pub fn latest_finding(
    conn: &mut AnyConnection,
    request_id: &str,
) -> Result<Option<MisuseFinding>, ServiceError> {
    Ok(findings::latest(conn, request_id)?.map(|f| MisuseFinding {
        misuse_found: f.misuse_found,
        finding: f.finding,
        on: f.concluded_on,
    }))
}
