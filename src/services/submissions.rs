//! Receiving a request: validate everything first, then one durable write.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde_json::Value;

use super::auth::sha256_hex;
use super::notify::Notifier;
use super::{Context, Principal, ServiceError};
use crate::db::audit::{self, NewEvent};
use crate::db::models::{OrganisationRow, RegisterRow, RequestRow, SubjectRow};
use crate::db::{self, orgs, requests as req_db, AnyConnection};
use crate::domain::calendar::Calendar;
use crate::domain::clock::RequestClock;
use crate::domain::details::Details;
use crate::domain::enums::{Channel, Language, Relationship, RequestKind, RequestState};
use crate::domain::subject::{Representative, Subject};
use crate::domain::validation::FieldError;

const PUBLIC_FIELDS: &[&str] = &[
    "organisation",
    "kind",
    "language",
    "registers",
    "subject",
    "representative",
    "details",
];
const STAFF_ONLY_FIELDS: &[&str] = &["channel", "received_on"];

/// Why a request needs a person to look at it before anything else happens.
pub mod review {
    pub const GUARDIAN_FOR_MINOR: &str = "guardian_request_about_minor";
    pub const PROTECTED_SUBJECT_REPRESENTED: &str = "representative_for_address_protected_subject";
    pub const LEGAL_REPRESENTATIVE_AUTHORITY: &str = "legal_representative_must_prove_authority";
    pub const TEMPORARY_IDENTITY_CODE: &str = "temporary_identity_code";
    pub const LOG_PERIOD_BEYOND_TWO_YEARS: &str = "log_period_beyond_two_years";
}

/// Where the request is addressed: a public form names the organisation, staff belong to one.
#[derive(Debug, Clone)]
pub enum OrgRef {
    Slug(String),
    Id(String),
}

/// A submission whose fields are all valid. What needs the database (the organisation,
/// its registers, earlier requests) is resolved by the writer, on its warm connection.
pub struct Draft {
    pub org: OrgRef,
    /// Register slugs; empty means every register of the organisation.
    pub registers: Vec<String>,
    pub kind: RequestKind,
    pub language: Language,
    pub channel: Channel,
    pub received_on: NaiveDate,
    pub received_at: DateTime<Utc>,
    pub subject: Subject,
    pub representative: Option<Representative>,
    pub details: Details,
    pub created_by: Option<String>,
    pub actor_role: &'static str,
    pub status_token: String,
    /// The submitter proved, with an ID token from the organisation's identity provider,
    /// to be the subject: the identity counts as verified from the start.
    pub strong_eid: bool,
}

/// A request ready to write; only the reference number is still missing.
pub struct PreparedSubmission {
    pub org: OrganisationRow,
    pub request: RequestRow,
    pub subject: SubjectRow,
    pub register_ids: Vec<String>,
    pub status_token: String,
    pub actor_role: &'static str,
}

/// What the submitter is told.
#[derive(Debug, Clone)]
pub struct Created {
    pub request: RequestRow,
    pub status_token: String,
}

/// Checks every field without touching the database. Public submissions name their
/// organisation and are received now over the web; staff enter requests that reached
/// them by any channel, possibly days ago.
pub fn validate(
    ctx: &Context,
    body: &Value,
    principal: Option<&Principal>,
) -> Result<Draft, Vec<FieldError>> {
    let Value::Object(obj) = body else {
        return Err(vec![FieldError::new("", "wrong_type")]);
    };
    let mut errors: Vec<FieldError> = Vec::new();
    for key in obj.keys() {
        let known =
            PUBLIC_FIELDS.contains(&key.as_str()) || STAFF_ONLY_FIELDS.contains(&key.as_str());
        if !known {
            errors.push(FieldError::new(key.as_str(), "unknown_field"));
        } else if principal.is_none() && STAFF_ONLY_FIELDS.contains(&key.as_str()) {
            errors.push(FieldError::new(key.as_str(), "staff_only"));
        }
    }

    let org = match (principal, obj.get("organisation")) {
        (Some(p), _) => Some(OrgRef::Id(p.org_id.clone())),
        (None, Some(Value::String(slug))) if !slug.trim().is_empty() => {
            Some(OrgRef::Slug(slug.trim().to_string()))
        }
        (None, None | Some(Value::Null)) => {
            errors.push(FieldError::new("organisation", "required"));
            None
        }
        (None, Some(_)) => {
            errors.push(FieldError::new("organisation", "unknown_organisation"));
            None
        }
    };

    let kind = enum_member(
        obj.get("kind"),
        "kind",
        true,
        RequestKind::parse,
        &mut errors,
    );
    let language = enum_member(
        obj.get("language"),
        "language",
        false,
        Language::parse,
        &mut errors,
    )
    .unwrap_or(Language::Fi);

    let now = ctx.clock.now();
    let today = ctx.clock.today();
    let (channel, received_on, received_at) = match principal {
        None => (Channel::Web, today, now),
        Some(_) => {
            let channel = enum_member(
                obj.get("channel"),
                "channel",
                true,
                Channel::parse,
                &mut errors,
            )
            .unwrap_or(Channel::Letter);
            let received_on = match obj.get("received_on") {
                None | Some(Value::Null) => today,
                Some(v) => match v.as_str().and_then(|s| s.parse::<NaiveDate>().ok()) {
                    None => {
                        errors.push(FieldError::new("received_on", "invalid_date"));
                        today
                    }
                    Some(d) if d > today => {
                        errors.push(FieldError::new("received_on", "date_in_future"));
                        today
                    }
                    Some(d) if d < today - chrono::Days::new(366) => {
                        errors.push(FieldError::new("received_on", "too_old"));
                        today
                    }
                    Some(d) => d,
                },
            };
            let received_at = if received_on == today {
                now
            } else {
                noon_helsinki(received_on)
            };
            (channel, received_on, received_at)
        }
    };

    let subject = match obj.get("subject") {
        None | Some(Value::Null) => {
            errors.push(FieldError::new("subject", "required"));
            None
        }
        Some(v) => match Subject::parse(&ctx.rules.forms, v, today) {
            Ok(s) => Some(s),
            Err(e) => {
                errors.extend(e);
                None
            }
        },
    };
    let representative = match obj.get("representative") {
        None | Some(Value::Null) => None,
        Some(v) => match Representative::parse(&ctx.rules.forms, v) {
            Ok(r) => Some(r),
            Err(e) => {
                errors.extend(e);
                None
            }
        },
    };
    let details = match (kind, obj.get("details")) {
        (_, None | Some(Value::Null)) => {
            errors.push(FieldError::new("details", "required"));
            None
        }
        (None, _) => None,
        (Some(kind), Some(v)) => match Details::parse(&ctx.rules.forms, kind, v, received_on) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.extend(e);
                None
            }
        },
    };
    let registers = register_slugs(obj.get("registers"), &mut errors);

    match (org, kind, subject, details) {
        (Some(org), Some(kind), Some(subject), Some(details)) if errors.is_empty() => Ok(Draft {
            org,
            registers,
            kind,
            language,
            channel,
            received_on,
            received_at,
            subject,
            representative,
            details,
            created_by: principal.map(|p| p.user_id.clone()),
            actor_role: principal.map(|p| p.role.as_str()).unwrap_or("public"),
            status_token: super::auth::status_code(),
            strong_eid: false,
        }),
        _ => Err(errors),
    }
}

fn register_slugs(value: Option<&Value>, errors: &mut Vec<FieldError>) -> Vec<String> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let mut slugs = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(s) => slugs.push(s.to_string()),
                    None => errors.push(FieldError::new(format!("registers[{i}]"), "wrong_type")),
                }
            }
            slugs
        }
        Some(_) => {
            errors.push(FieldError::new("registers", "not_a_list"));
            Vec::new()
        }
    }
}

/// An organisation with its registers: what resolving a draft needs from the database.
/// The writer loads it once per organisation per batch.
pub struct OrgScope {
    pub org: OrganisationRow,
    pub registers: Vec<RegisterRow>,
}

impl OrgRef {
    /// A key that tells organisations apart within a batch.
    pub fn key(&self) -> String {
        match self {
            OrgRef::Id(id) => format!("id:{id}"),
            OrgRef::Slug(slug) => format!("slug:{slug}"),
        }
    }
}

/// The organisation a draft is addressed to and its registers, if it exists.
pub fn load_scope(
    conn: &mut AnyConnection,
    org: &OrgRef,
) -> Result<Option<OrgScope>, ServiceError> {
    let org = match org {
        OrgRef::Id(id) => Some(orgs::find_organisation(conn, id)?),
        OrgRef::Slug(slug) => orgs::find_organisation_by_slug(conn, slug)?,
    };
    Ok(match org {
        None => None,
        Some(org) => {
            let registers = orgs::list_registers(conn, &org.id)?;
            Some(OrgScope { org, registers })
        }
    })
}

/// The organisation and register problems of a body, so an invalid submission hears of
/// them in the same answer as its other problems.
pub fn reference_errors(
    conn: &mut AnyConnection,
    body: &Value,
    principal: Option<&Principal>,
) -> Result<Vec<FieldError>, ServiceError> {
    let mut errors = Vec::new();
    let org_ref = match (principal, body.get("organisation").and_then(Value::as_str)) {
        (Some(p), _) => OrgRef::Id(p.org_id.clone()),
        (None, Some(slug)) => OrgRef::Slug(slug.trim().to_string()),
        (None, None) => return Ok(errors),
    };
    let Some(scope) = load_scope(conn, &org_ref)? else {
        errors.push(FieldError::new("organisation", "unknown_organisation"));
        return Ok(errors);
    };
    if let (Some(_), Some(named)) = (principal, body.get("organisation").and_then(Value::as_str)) {
        if named != scope.org.slug {
            errors.push(FieldError::new("organisation", "unknown_organisation"));
        }
    }
    let slugs = register_slugs(body.get("registers"), &mut Vec::new());
    register_ids(&scope, &slugs, &mut errors);
    Ok(errors)
}

/// Turns a draft into rows: the organisation and registers must exist; review reasons and
/// the repeat flag are worked out from the data.
pub fn resolve(
    conn: &mut AnyConnection,
    calendar: &Calendar,
    scope: &OrgScope,
    d: &Draft,
) -> Result<PreparedSubmission, ServiceError> {
    let org = scope.org.clone();
    let mut errors = Vec::new();
    let register_ids = register_ids(scope, &d.registers, &mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let (subject, received_on) = (&d.subject, d.received_on);
    let mut review_reasons = Vec::new();
    if let Some(rep) = &d.representative {
        if rep.relationship == Relationship::Guardian && subject.is_minor_on(received_on) {
            review_reasons.push(review::GUARDIAN_FOR_MINOR);
        }
        if rep.relationship == Relationship::LegalRepresentative {
            review_reasons.push(review::LEGAL_REPRESENTATIVE_AUTHORITY);
        }
        if subject.address_protected {
            review_reasons.push(review::PROTECTED_SUBJECT_REPRESENTED);
        }
    }
    if subject.is_temporary_id() {
        review_reasons.push(review::TEMPORARY_IDENTITY_CODE);
    }
    if d.details.reaches_beyond_lookback(received_on) {
        review_reasons.push(review::LOG_PERIOD_BEYOND_TWO_YEARS);
    }

    let repeat_within_year = match (&subject.personal_id, d.kind) {
        (Some(pid), RequestKind::Access) => {
            let since = received_on
                .checked_sub_months(chrono::Months::new(12))
                .unwrap_or(received_on);
            req_db::completed_access_since(conn, &org.id, pid.as_str(), &register_ids, since)?
        }
        _ => false,
    };

    let dates = RequestClock::new(received_on).deadlines(calendar);
    let id = uuid::Uuid::now_v7().to_string();
    let stamp = db::now();
    let request = RequestRow {
        id: id.clone(),
        org_id: org.id.clone(),
        reference: String::new(),
        kind: d.kind,
        state: RequestState::Received,
        is_open: true,
        language: d.language,
        channel: d.channel,
        received_at: d.received_at.naive_utc(),
        received_on,
        target_on: dates.target_on,
        due_on: dates.due_on,
        extended: false,
        extended_on: None,
        extension_reason: None,
        paused_days: 0,
        paused_since: None,
        pause_counts: false,
        awaiting: None,
        details_json: serde_json::to_string(&d.details).map_err(anyhow::Error::from)?,
        identity_json: d
            .strong_eid
            .then(|| {
                serde_json::to_string(&super::views::IdentityVerification {
                    method: crate::domain::enums::IdentityMethod::StrongEid,
                    verified_by: STRONG_EID_VERIFIER.into(),
                    verified_on: received_on,
                })
            })
            .transpose()
            .map_err(anyhow::Error::from)?,
        assignee_id: None,
        outcome: None,
        closed_on: None,
        decision_json: None,
        repeat_within_year,
        review_reasons_json: serde_json::to_string(&review_reasons).map_err(anyhow::Error::from)?,
        status_token_hash: Some(sha256_hex(&super::auth::normalise_status_code(
            &d.status_token,
        ))),
        created_by: d.created_by.clone(),
        created_at: stamp,
        updated_at: stamp,
    };
    let representative = d
        .representative
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(anyhow::Error::from)?;
    let subject_row = SubjectRow {
        request_id: id,
        name: subject.name.clone(),
        personal_id: subject.personal_id.as_ref().map(|p| p.as_str().to_string()),
        birth_date: subject.birth_date,
        temporary_id: subject.is_temporary_id(),
        email: subject.email.clone(),
        phone: subject.phone.clone(),
        postal_address: subject.postal_address.clone(),
        address_protected: subject.address_protected,
        contact_channel: subject.contact_channel,
        representative,
        contact_address: subject.contact_address.clone(),
    };
    Ok(PreparedSubmission {
        org,
        request,
        subject: subject_row,
        register_ids,
        status_token: d.status_token.clone(),
        actor_role: d.actor_role,
    })
}

fn enum_member<T>(
    v: Option<&Value>,
    field: &str,
    required: bool,
    parse: fn(&str) -> Option<T>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    match v {
        None | Some(Value::Null) => {
            if required {
                errors.push(FieldError::new(field, "required"));
            }
            None
        }
        Some(v) => {
            let parsed = v.as_str().and_then(parse);
            if parsed.is_none() {
                errors.push(FieldError::new(field, "invalid_choice"));
            }
            parsed
        }
    }
}

/// Register slugs to ids; no slugs means every register of the organisation.
fn register_ids(scope: &OrgScope, slugs: &[String], errors: &mut Vec<FieldError>) -> Vec<String> {
    if slugs.is_empty() {
        return scope.registers.iter().map(|r| r.id.clone()).collect();
    }
    let mut ids = Vec::new();
    for (i, slug) in slugs.iter().enumerate() {
        match scope.registers.iter().find(|r| &r.slug == slug) {
            Some(r) if !ids.contains(&r.id) => ids.push(r.id.clone()),
            Some(_) => {}
            None => errors.push(FieldError::new(
                format!("registers[{i}]"),
                "unknown_register",
            )),
        }
    }
    ids
}

fn noon_helsinki(d: NaiveDate) -> DateTime<Utc> {
    let noon = d.and_hms_opt(12, 0, 0).unwrap_or_default();
    chrono_tz::Europe::Helsinki
        .from_local_datetime(&noon)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&noon))
}

/// The reference said on the phone: organisation prefix, year, sequence (e.g. `TK-2026-00042`).
pub fn format_reference(prefix: &str, year: i32, n: i64) -> String {
    format!("{prefix}-{year}-{n:05}")
}

/// Writes one prepared submission inside the caller's transaction, which holds the
/// organisation's lock (`audit::lock_org`): reference, rows, audit event.
pub fn commit_one(
    conn: &mut AnyConnection,
    notifier: &Notifier,
    p: &PreparedSubmission,
) -> Result<Created, ServiceError> {
    let year = p.request.received_on.year();
    let n = req_db::next_reference_number(conn, &p.org.id, year)?;
    let mut request = p.request.clone();
    request.reference = format_reference(&p.org.reference_prefix, year, n);
    req_db::insert(conn, &request, &p.subject, &p.register_ids)?;
    audit::append(
        conn,
        NewEvent {
            org_id: &p.org.id,
            request_id: Some(&request.id),
            actor_id: request.created_by.as_deref(),
            actor_role: p.actor_role,
            action: "submitted",
            from_state: None,
            to_state: Some(request.state.as_str()),
            // No personal data here: the audit trail is read more widely than the request.
            payload: serde_json::json!({
                "reference": request.reference,
                "kind": request.kind,
                "channel": request.channel,
                "received_on": request.received_on,
                "target_on": request.target_on,
                "due_on": request.due_on,
                "registers": p.register_ids,
                "repeat_within_year": request.repeat_within_year,
                "review_reasons": serde_json::from_str::<Value>(&request.review_reasons_json).unwrap_or_default(),
                "identity_verified_by": request.identity_json.as_ref().map(|_| STRONG_EID_VERIFIER),
            }),
            occurred_at: db::now(),
        },
    )?;
    notifier.requester_news(conn, &p.org, &request, &p.subject)?;
    // The acknowledgement letter is rendered by the worker: rendering a PDF here would cost
    // more than the rest of the submission. The queued job commits with the request.
    crate::db::documents::queue_letter(
        conn,
        &request.id,
        crate::letters::LetterKind::Acknowledgement.as_str(),
    )?;
    Ok(Created {
        request,
        status_token: p.status_token.clone(),
    })
}

/// Validates (no database needed, so on the calling task) and hands the draft to the
/// group-commit writer; answers once the commit is durable.
/// Who verified an identity proven by strong electronic identification.
pub const STRONG_EID_VERIFIER: &str = "strong_eid";

/// The identity code proven by an ID token from the identity provider of the
/// organisation the body names. Every failure is `Unauthorized`.
async fn verify_id_token(
    ctx: &std::sync::Arc<Context>,
    body: &Value,
    id_token: String,
) -> Result<String, ServiceError> {
    let Some(slug) = body.get("organisation").and_then(Value::as_str) else {
        return Err(ServiceError::Unauthorized);
    };
    let c = ctx.clone();
    let org = OrgRef::Slug(slug.trim().to_string());
    super::blocking(move || {
        let mut conn = c.conn()?;
        let scope = load_scope(&mut conn, &org)?.ok_or(ServiceError::Unauthorized)?;
        c.eid
            .verify(&scope.org, &id_token, c.clock.now().timestamp())
            .map(|identity| identity.identity_code)
    })
    .await
}

/// A token proves who submits. Only when that is the subject itself (no representative)
/// does it verify the subject's identity: the proven code fills an empty personal-id
/// field and must equal a filled one. A representative's token proves who they are,
/// not their right to act for the subject, so it verifies nothing.
fn fill_proven_code(body: &mut Value, proven: &str) -> bool {
    if body.get("representative").is_some_and(|r| !r.is_null()) {
        return false;
    }
    let Some(Value::Object(subject)) = body.get_mut("subject") else {
        return false;
    };
    let given = subject
        .get("personal_id")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if given.is_none() {
        subject.insert("personal_id".into(), Value::String(proven.to_string()));
    }
    true
}

/// How a submitter proved who they are.
pub enum Proof {
    /// An ID token from the organisation's identity provider, checked here.
    IdToken(String),
    /// An identity code the pages already proved with such a token (sealed eID ticket).
    Proven(String),
}

/// Validates and hands the request to the group-commit writer.
pub async fn submit(
    ctx: std::sync::Arc<Context>,
    mut body: Value,
    principal: Option<Principal>,
    proof: Option<Proof>,
) -> Result<Created, ServiceError> {
    let proven = match proof {
        Some(Proof::IdToken(token)) => Some(verify_id_token(&ctx, &body, token).await?),
        Some(Proof::Proven(code)) => Some(code),
        None => None,
    };
    let vouches = proven
        .as_deref()
        .is_some_and(|code| fill_proven_code(&mut body, code));
    match validate(&ctx, &body, principal.as_ref()) {
        Ok(mut draft) => {
            if let (true, Some(code)) = (vouches, proven) {
                if draft.subject.personal_id.as_ref().map(|p| p.as_str()) != Some(code.as_str()) {
                    return Err(ServiceError::field("subject.personal_id", "eid_mismatch"));
                }
                draft.strong_eid = true;
            }
            ctx.writer.submit(draft).await
        }
        Err(mut errors) => {
            let c = ctx.clone();
            let more = super::blocking(move || {
                let mut conn = c.conn()?;
                reference_errors(&mut conn, &body, principal.as_ref())
            })
            .await?;
            errors.extend(more);
            Err(ServiceError::Validation(errors))
        }
    }
}

/// Validates and writes in its own transaction (CLI, demo data).
pub fn submit_direct(
    ctx: &Context,
    conn: &mut AnyConnection,
    body: &Value,
    principal: Option<&Principal>,
) -> Result<Created, ServiceError> {
    use diesel::Connection;
    let draft = match validate(ctx, body, principal) {
        Ok(d) => d,
        Err(mut errors) => {
            errors.extend(reference_errors(conn, body, principal)?);
            return Err(ServiceError::Validation(errors));
        }
    };
    conn.transaction(|conn| {
        let scope = load_scope(conn, &draft.org)?
            .ok_or_else(|| ServiceError::field("organisation", "unknown_organisation"))?;
        audit::lock_org(conn, &scope.org.id)?;
        let prepared = resolve(conn, &ctx.rules.calendar, &scope, &draft)?;
        commit_one(conn, &ctx.notifier, &prepared)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_short_and_sortable() {
        assert_eq!(format_reference("TK", 2026, 42), "TK-2026-00042");
        assert_eq!(format_reference("TK", 2026, 123456), "TK-2026-123456");
    }

    #[test]
    fn noon_in_helsinki_is_morning_in_utc() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
        assert_eq!(noon_helsinki(d).format("%H:%M").to_string(), "10:00");
        let d = NaiveDate::from_ymd_opt(2026, 7, 15).unwrap();
        assert_eq!(noon_helsinki(d).format("%H:%M").to_string(), "09:00");
    }
}
