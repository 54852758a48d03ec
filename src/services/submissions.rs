//! Receiving a request: validate everything first, then one durable write.

use chrono::Datelike;
use serde_json::Value;

use super::auth::sha256_hex;
use super::notify::Notifier;
use super::{Context, Principal, ServiceError};
use crate::db::audit::{self, NewEvent};
use crate::db::models::{OrganisationRow, RegisterRow, RequestRow, SubjectRow};
use crate::db::{self, orgs, requests as req_db, AnyConnection};
use crate::domain::calendar::Calendar;
use crate::domain::clock::RequestClock;
use crate::domain::codes::FieldCode;
use crate::domain::enums::{RequestKind, RequestState};
use crate::domain::ids::{RequestId, UserId};
use crate::domain::new_request::{format_reference, register_slugs, NewRequest, OrgRef, Submitter};
use crate::domain::validation::FieldError;
use crate::letters::snapshot::LetterSnapshot;

/// A valid request and who submits it. What needs the database (the organisation, its
/// registers, earlier requests) is resolved by the writer, on its warm connection.
pub struct Draft {
    pub request: NewRequest,
    /// The keyed hash of the subject's identity code, for the desk's search.
    pub personal_id_key: Option<String>,
    pub created_by: Option<UserId>,
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
    pub personal_id_key: Option<String>,
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

/// Checks every field without touching the database (see [`NewRequest::parse`]).
pub fn validate(
    ctx: &Context,
    body: &Value,
    principal: Option<&Principal>,
) -> Result<Draft, Vec<FieldError>> {
    let submitter = match principal {
        None => Submitter::Public,
        Some(p) => Submitter::Staff { org_id: &p.org_id },
    };
    let request = NewRequest::parse(&ctx.rules.forms, body, submitter, ctx.clock.now())?;
    let personal_id_key = request
        .subject
        .personal_id
        .as_ref()
        .map(|p| ctx.log_keyer.key_hex(p.as_str()));
    Ok(Draft {
        request,
        personal_id_key,
        created_by: principal.map(|p| p.user_id.clone()),
        actor_role: principal.map(|p| p.role.as_str()).unwrap_or("public"),
        status_token: super::auth::status_code(),
        strong_eid: false,
    })
}

/// An organisation with its registers: what resolving a draft needs from the database.
/// The writer loads it once per organisation per batch.
pub struct OrgScope {
    pub org: OrganisationRow,
    pub registers: Vec<RegisterRow>,
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
        (Some(p), _) => OrgRef::Id(p.org_id.to_string()),
        (None, Some(slug)) => OrgRef::Slug(slug.trim().to_string()),
        (None, None) => return Ok(errors),
    };
    let Some(scope) = load_scope(conn, &org_ref)? else {
        errors.push(FieldError::new(
            "organisation",
            FieldCode::UnknownOrganisation,
        ));
        return Ok(errors);
    };
    if let (Some(_), Some(named)) = (principal, body.get("organisation").and_then(Value::as_str)) {
        if named != scope.org.slug {
            errors.push(FieldError::new(
                "organisation",
                FieldCode::UnknownOrganisation,
            ));
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
    let register_ids = register_ids(scope, &d.request.registers, &mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let (subject, received_on) = (&d.request.subject, d.request.received_on);
    let review_reasons = d.request.review_reasons();
    let repeat_within_year = match (&subject.personal_id, d.request.kind) {
        (Some(pid), RequestKind::Access) => {
            let since = received_on
                .checked_sub_months(chrono::Months::new(12))
                .unwrap_or(received_on);
            req_db::completed_access_since(conn, &org.id, pid.as_str(), &register_ids, since)?
        }
        _ => false,
    };

    let dates = RequestClock::new(received_on).deadlines(calendar);
    let id = RequestId::generate();
    let stamp = db::now();
    let request = RequestRow {
        id: id.clone(),
        org_id: org.id.clone(),
        reference: String::new(),
        kind: d.request.kind,
        state: RequestState::Received,
        is_open: true,
        language: d.request.language,
        channel: d.request.channel,
        received_at: d.request.received_at.naive_utc(),
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
        details_json: serde_json::to_string(&d.request.details).map_err(anyhow::Error::from)?,
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
        .request
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
        personal_id_key: d.personal_id_key.clone(),
        register_ids,
        status_token: d.status_token.clone(),
        actor_role: d.actor_role,
    })
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
                FieldCode::UnknownRegister,
            )),
        }
    }
    ids
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
    crate::db::queues::index(
        conn,
        &crate::db::queues::SearchEntry {
            request_id: &request.id,
            org_id: &p.org.id,
            name_folded: &crate::domain::search::fold_name(&p.subject.name),
            personal_id_key: p.personal_id_key.as_deref(),
        },
    )?;
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
    // more than the rest of the submission. The queued job commits with the request, and
    // with the facts the letter states as of today, the day the request was entered: a
    // worker that renders it later (after an extension, say) still states these. A new
    // request has no extension, so its due date is the one-month one.
    let today = notifier.clock.today();
    let snapshot = LetterSnapshot {
        entered_on: Some(today),
        ..LetterSnapshot::of(&request, request.due_on, today, today)
    };
    crate::db::documents::queue_letter(
        conn,
        &request.id,
        crate::letters::LetterKind::Acknowledgement.as_str(),
        Some(&snapshot.to_json()),
    )?;
    Ok(Created {
        request,
        status_token: p.status_token.clone(),
    })
}

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
                if draft
                    .request
                    .subject
                    .personal_id
                    .as_ref()
                    .map(|p| p.as_str())
                    != Some(code.as_str())
                {
                    return Err(ServiceError::field(
                        "subject.personal_id",
                        FieldCode::EidMismatch,
                    ));
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
        let scope = load_scope(conn, &draft.request.org)?
            .ok_or_else(|| ServiceError::field("organisation", FieldCode::UnknownOrganisation))?;
        audit::lock_org(conn, &scope.org.id)?;
        let prepared = resolve(conn, &ctx.rules.calendar, &scope, &draft)?;
        commit_one(conn, &ctx.notifier, &prepared)
    })
}
