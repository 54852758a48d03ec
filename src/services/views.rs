//! What staff, the DPO and the requester see of a request. Built from rows here, so every
//! endpoint applies the same rules (e.g. a protected address only to allowed roles).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::request::Request;
use super::{Principal, ServiceError};
use crate::db::models::{OrganisationRow, RegisterRow, SubjectRow, UserRow};
use crate::domain::deadline::days_left;
use crate::domain::enums::{
    Awaiting, Channel, ContactChannel, Language, Outcome, RequestKind, RequestState, Role,
};
use crate::domain::ids::UserId;
use crate::domain::workflow::{allowed_actions, Action};

pub use crate::domain::decision::{Decision, IdentityVerification};

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
    pub contact_channel: ContactChannel,
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
    pub kind: RequestKind,
    pub state: RequestState,
    pub language: Language,
    pub channel: Channel,
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
    pub kind: RequestKind,
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

pub fn user_ref(users: &[UserRow], id: &Option<UserId>) -> Option<UserRef> {
    let id = id.as_ref()?;
    Some(UserRef {
        id: id.to_string(),
        name: users
            .iter()
            .find(|u| &u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
    })
}

fn utc(t: chrono::NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t, Utc)
}

pub fn summary(request: &Request, users: &[UserRow], today: NaiveDate) -> RequestSummary {
    let row = &request.row;
    RequestSummary {
        id: row.id.to_string(),
        reference: row.reference.clone(),
        kind: row.kind,
        state: row.state,
        received_on: row.received_on,
        due_on: row.due_on,
        days_left: days_left(today, row.due_on),
        overdue: request.is_overdue(today),
        extended: row.extended,
        clock_stopped: row.pause_counts,
        assignee: user_ref(users, &row.assignee_id),
        needs_manual_review: request.needs_manual_review(),
        repeat_within_year: row.repeat_within_year,
    }
}

pub struct FullRequest<'a> {
    pub request: &'a Request,
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
    let request = r.request;
    let row = &request.row;
    let state = row.state;
    let show_address = !r.subject.address_protected || address_visible_to(r.org, viewer.role);
    let representative = match &r.subject.representative {
        None => None,
        Some(s) => Some(serde_json::from_str(s).map_err(|e| {
            ServiceError::Internal(anyhow::anyhow!(
                "request {}: stored representative cannot be read: {e}",
                row.id
            ))
        })?),
    };
    Ok(RequestOutput {
        id: row.id.to_string(),
        reference: row.reference.clone(),
        kind: row.kind,
        state,
        language: row.language,
        channel: row.channel,
        registers: r.registers.iter().map(|g| g.slug.clone()).collect(),
        received_at: utc(row.received_at),
        received_on: row.received_on,
        target_on: row.target_on,
        due_on: row.due_on,
        days_left: days_left(today, row.due_on),
        overdue: request.is_overdue(today),
        extended: row.extended,
        extended_on: row.extended_on,
        extension_reason: row.extension_reason.clone(),
        paused_days: row.paused_days,
        paused_since: row.paused_since,
        clock_stopped: row.pause_counts,
        awaiting: row.awaiting,
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
            contact_channel: r.subject.contact_channel,
            representative,
        },
        details: serde_json::to_value(&request.details).map_err(anyhow::Error::from)?,
        identity_verified: request.identity.is_some(),
        identity_verification: request.identity.clone(),
        assignee: user_ref(r.users, &row.assignee_id),
        outcome: row.outcome,
        closed_on: row.closed_on,
        decision: request.decision.clone(),
        repeat_within_year: row.repeat_within_year,
        needs_manual_review: request.needs_manual_review(),
        review_reasons: request.review_reasons.clone(),
        allowed_actions: allowed_actions(state).to_vec(),
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}
