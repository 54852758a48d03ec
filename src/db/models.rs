//! Rows as stored. Conversion to domain types happens in the services.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::*;
use crate::domain::enums::{
    Awaiting, Channel, ContactChannel, ItemDecision, Language, Outcome, RequestKind, RequestState,
    Role,
};
use crate::domain::ids::{OrgId, RequestId, UserId};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organisations)]
pub struct OrganisationRow {
    pub id: OrgId,
    pub slug: String,
    pub name: String,
    pub business_id: Option<String>,
    pub reference_prefix: String,
    pub address_visible_roles: String,
    pub created_at: NaiveDateTime,
    pub postal_address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub public_authority: bool,
    pub authority_contact: Option<String>,
    /// The organisation's OpenID Connect provider (`oidc::OidcSettings` as JSON).
    pub oidc: Option<String>,
    /// How decisions are challenged and who answers questions (`domain::appeal::AppealSettings`
    /// as JSON); None: the defaults.
    pub appeal: Option<String>,
    /// The desk's language for a user who has not chosen their own.
    pub default_language: Language,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = registers)]
pub struct RegisterRow {
    pub id: String,
    pub org_id: OrgId,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: NaiveDateTime,
    pub info: String,
}

#[derive(Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: UserId,
    pub org_id: OrgId,
    pub email: String,
    pub name: String,
    pub title: Option<String>,
    pub role: Role,
    pub password_hash: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    /// The user's own page language; None: the browser's choice.
    pub language: Option<Language>,
    /// Tokens issued in an earlier epoch are refused (a password reset moves it on).
    pub session_epoch: i32,
}

impl std::fmt::Debug for UserRow {
    // Keeps e-mail addresses and hashes out of logs and panics.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("org_id", &self.org_id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = requests, treat_none_as_null = true)]
pub struct RequestRow {
    pub id: RequestId,
    pub org_id: OrgId,
    pub reference: String,
    pub kind: RequestKind,
    pub state: RequestState,
    pub is_open: bool,
    pub language: Language,
    pub channel: Channel,
    pub received_at: NaiveDateTime,
    pub received_on: NaiveDate,
    pub target_on: NaiveDate,
    pub due_on: NaiveDate,
    pub extended: bool,
    pub extended_on: Option<NaiveDate>,
    pub extension_reason: Option<String>,
    pub paused_days: i32,
    pub paused_since: Option<NaiveDate>,
    pub pause_counts: bool,
    pub awaiting: Option<Awaiting>,
    /// The JSON columns are read and written only by `services::request::Request`, which
    /// holds them typed.
    #[diesel(column_name = details)]
    pub details_json: String,
    #[diesel(column_name = identity_verification)]
    pub identity_json: Option<String>,
    pub assignee_id: Option<UserId>,
    pub outcome: Option<Outcome>,
    pub closed_on: Option<NaiveDate>,
    #[diesel(column_name = decision)]
    pub decision_json: Option<String>,
    pub repeat_within_year: bool,
    #[diesel(column_name = review_reasons)]
    pub review_reasons_json: String,
    pub status_token_hash: Option<String>,
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = request_subjects)]
pub struct SubjectRow {
    pub request_id: RequestId,
    pub name: String,
    pub personal_id: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub temporary_id: bool,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    pub address_protected: bool,
    pub contact_channel: ContactChannel,
    pub representative: Option<String>,
    pub contact_address: Option<String>,
}

impl std::fmt::Debug for SubjectRow {
    // Personal data never reaches a log line through a Debug print.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubjectRow")
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditEventRow {
    pub id: String,
    pub org_id: String,
    pub seq: i64,
    pub request_id: Option<String>,
    pub occurred_at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_role: String,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: String,
    pub org_id: String,
    pub request_id: Option<String>,
    pub kind: String,
    pub recipient: String,
    pub recipient_role: String,
    pub language: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub dedupe_key: Option<String>,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

impl std::fmt::Debug for OutboxRow {
    // The recipient is personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxRow")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    pub id: String,
    pub org_id: String,
    pub request_id: String,
    pub kind: String,
    pub language: String,
    pub filename: String,
    pub media_type: String,
    pub blob_id: String,
    pub sha256: String,
    pub size: i64,
    pub created_at: NaiveDateTime,
    pub created_by: Option<String>,
    pub released_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    /// A letter's facts as of its date ([`crate::letters::snapshot::LetterSnapshot`], JSON);
    /// `None` for other documents and letters stored before snapshots.
    pub snapshot: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    pub id: String,
    pub org_id: String,
    pub request_id: String,
    pub register_id: String,
    pub kind: String,
    pub title: String,
    pub filename: String,
    pub media_type: String,
    pub blob_id: String,
    pub sha256: String,
    pub size: i64,
    pub withheld_ground: Option<String>,
    pub withheld_reason: Option<String>,
    pub redacted: bool,
    pub created_at: NaiveDateTime,
    pub created_by: String,
}

#[derive(Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = request_items, treat_none_as_null = true)]
pub struct ItemRow {
    pub id: String,
    pub request_id: String,
    pub number: i32,
    pub register_id: Option<String>,
    pub description: String,
    pub record_category: Option<String>,
    pub retention_start_on: Option<NaiveDate>,
    pub retention_ends_on: Option<NaiveDate>,
    pub retention_permanent: bool,
    pub decision: Option<ItemDecision>,
    pub before_text: Option<String>,
    pub after_text: Option<String>,
    pub reason: Option<String>,
    pub ground: Option<String>,
    pub explanation: Option<String>,
    pub decided_by: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_by_title: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl std::fmt::Debug for ItemRow {
    // Item texts quote the client's records.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ItemRow")
            .field("id", &self.id)
            .field("number", &self.number)
            .field("decision", &self.decision)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = request_recipients, treat_none_as_null = true)]
pub struct RecipientRow {
    pub id: String,
    pub request_id: String,
    pub register_id: Option<String>,
    pub name: String,
    pub notified_on: Option<NaiveDate>,
    pub notified_by: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A misuse investigation's finding; the latest of a request is the one stated.
#[derive(Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = misuse_findings)]
pub struct MisuseFindingRow {
    pub id: String,
    pub request_id: String,
    pub misuse_found: bool,
    pub finding: String,
    pub concluded_on: NaiveDate,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}
