//! What staff, the DPO and the requester see of a request. Built from rows here, so every
//! endpoint applies the same rules (e.g. a protected address only to allowed roles).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{Principal, ServiceError};
use crate::db::models::{OrganisationRow, RegisterRow, RequestRow, SubjectRow, UserRow};
use crate::domain::deadline::days_left;
use crate::domain::enums::{Awaiting, IdentityMethod, Outcome, RequestState, Role};
use crate::domain::workflow::{allowed_actions, Action};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IdentityVerification {
    pub method: IdentityMethod,
    pub verified_by: String,
    pub verified_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Decision {
    pub outcome: Outcome,
    pub grounds: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    pub decided_by: String,
    pub decided_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectOutput {
    pub name: String,
    pub personal_id: Option<String>,
    pub birth_date: Option<NaiveDate>,
    /// A temporary identity code (individual number 900-999).
    pub temporary_id: bool,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Left out for an address-protected subject unless the caller's role may see it.
    pub postal_address: Option<String>,
    pub address_protected: bool,
    /// The address a protected person allows on letters.
    pub contact_address: Option<String>,
    /// True when an address exists but is withheld from this caller.
    pub postal_address_withheld: bool,
    pub contact_channel: String,
    #[schema(value_type = Option<Object>)]
    pub representative: Option<Value>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestOutput {
    pub id: String,
    pub reference: String,
    pub kind: String,
    pub state: RequestState,
    pub language: String,
    pub channel: String,
    pub registers: Vec<String>,
    pub received_at: DateTime<Utc>,
    pub received_on: NaiveDate,
    /// The unrolled aim: receipt + 1 (or 3) months + paused days.
    pub target_on: NaiveDate,
    /// The legal deadline: `target_on` rolled to a working day.
    pub due_on: NaiveDate,
    pub days_left: i64,
    pub overdue: bool,
    pub extended: bool,
    pub extended_on: Option<NaiveDate>,
    pub extension_reason: Option<String>,
    pub paused_days: i32,
    pub paused_since: Option<NaiveDate>,
    /// Whether the running wait stops the clock (asked within the grace period).
    pub clock_stopped: bool,
    pub awaiting: Option<Awaiting>,
    pub subject: SubjectOutput,
    #[schema(value_type = Object)]
    pub details: Value,
    pub identity_verified: bool,
    pub identity_verification: Option<IdentityVerification>,
    pub assignee: Option<UserRef>,
    pub outcome: Option<Outcome>,
    pub closed_on: Option<NaiveDate>,
    pub decision: Option<Decision>,
    /// An access request within 12 months of a completed one to the same register (never charged silently).
    pub repeat_within_year: bool,
    pub needs_manual_review: bool,
    pub review_reasons: Vec<String>,
    pub allowed_actions: Vec<Action>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One line of a listing: enough to sort the work, no contact details.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestSummary {
    pub id: String,
    pub reference: String,
    pub kind: String,
    pub state: RequestState,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub days_left: i64,
    pub overdue: bool,
    pub extended: bool,
    pub clock_stopped: bool,
    pub assignee: Option<UserRef>,
    pub needs_manual_review: bool,
    pub repeat_within_year: bool,
}

pub fn state_of(row: &RequestRow) -> Result<RequestState, ServiceError> {
    RequestState::parse(&row.state)
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("stored request has unknown state")))
}

pub fn is_overdue(row: &RequestRow, today: NaiveDate) -> bool {
    row.is_open && row.due_on < today && !row.pause_counts
}

pub fn user_ref(users: &[UserRow], id: &Option<String>) -> Option<UserRef> {
    let id = id.as_ref()?;
    Some(UserRef {
        id: id.clone(),
        name: users
            .iter()
            .find(|u| &u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
    })
}

fn parse_json<T: serde::de::DeserializeOwned>(s: &Option<String>) -> Option<T> {
    s.as_deref().and_then(|s| serde_json::from_str(s).ok())
}

fn utc(t: chrono::NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t, Utc)
}

pub fn summary(
    row: &RequestRow,
    users: &[UserRow],
    today: NaiveDate,
) -> Result<RequestSummary, ServiceError> {
    let reasons: Vec<String> = serde_json::from_str(&row.review_reasons).unwrap_or_default();
    Ok(RequestSummary {
        id: row.id.clone(),
        reference: row.reference.clone(),
        kind: row.kind.clone(),
        state: state_of(row)?,
        received_on: row.received_on,
        due_on: row.due_on,
        days_left: days_left(today, row.due_on),
        overdue: is_overdue(row, today),
        extended: row.extended,
        clock_stopped: row.pause_counts,
        assignee: user_ref(users, &row.assignee_id),
        needs_manual_review: !reasons.is_empty(),
        repeat_within_year: row.repeat_within_year,
    })
}

pub struct FullRequest<'a> {
    pub row: &'a RequestRow,
    pub subject: &'a SubjectRow,
    pub registers: &'a [RegisterRow],
    pub users: &'a [UserRow],
    pub org: &'a OrganisationRow,
}

pub fn address_visible_to(org: &OrganisationRow, role: Role) -> bool {
    let roles: Vec<String> = serde_json::from_str(&org.address_visible_roles).unwrap_or_default();
    roles.iter().any(|r| r == role.as_str())
}

pub fn full(
    r: FullRequest<'_>,
    viewer: &Principal,
    today: NaiveDate,
) -> Result<RequestOutput, ServiceError> {
    let row = r.row;
    let state = state_of(row)?;
    let show_address = !r.subject.address_protected || address_visible_to(r.org, viewer.role);
    let reasons: Vec<String> = serde_json::from_str(&row.review_reasons).unwrap_or_default();
    let identity: Option<IdentityVerification> = parse_json(&row.identity_verification);
    Ok(RequestOutput {
        id: row.id.clone(),
        reference: row.reference.clone(),
        kind: row.kind.clone(),
        state,
        language: row.language.clone(),
        channel: row.channel.clone(),
        registers: r.registers.iter().map(|g| g.slug.clone()).collect(),
        received_at: utc(row.received_at),
        received_on: row.received_on,
        target_on: row.target_on,
        due_on: row.due_on,
        days_left: days_left(today, row.due_on),
        overdue: is_overdue(row, today),
        extended: row.extended,
        extended_on: row.extended_on,
        extension_reason: row.extension_reason.clone(),
        paused_days: row.paused_days,
        paused_since: row.paused_since,
        clock_stopped: row.pause_counts,
        awaiting: row.awaiting.as_deref().and_then(Awaiting::parse),
        subject: SubjectOutput {
            name: r.subject.name.clone(),
            personal_id: r.subject.personal_id.clone(),
            birth_date: r.subject.birth_date,
            temporary_id: r.subject.temporary_id,
            email: r.subject.email.clone(),
            phone: r.subject.phone.clone(),
            postal_address: if show_address {
                r.subject.postal_address.clone()
            } else {
                None
            },
            address_protected: r.subject.address_protected,
            contact_address: r.subject.contact_address.clone(),
            postal_address_withheld: !show_address && r.subject.postal_address.is_some(),
            contact_channel: r.subject.contact_channel.clone(),
            representative: parse_json(&r.subject.representative),
        },
        details: serde_json::from_str(&row.details).unwrap_or(Value::Null),
        identity_verified: identity.is_some(),
        identity_verification: identity,
        assignee: user_ref(r.users, &row.assignee_id),
        outcome: row.outcome.as_deref().and_then(Outcome::parse),
        closed_on: row.closed_on,
        decision: parse_json(&row.decision),
        repeat_within_year: row.repeat_within_year,
        needs_manual_review: !reasons.is_empty(),
        review_reasons: reasons,
        allowed_actions: allowed_actions(state).to_vec(),
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}
