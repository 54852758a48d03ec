//! Which letters an action calls for, and rendering them: as the change happens, on
//! demand, or from the queue the fast submission path leaves.

use chrono::NaiveDate;
use serde_json::Value;

use crate::db::audit;
use crate::db::models::{DocumentRow, RequestRow};
use crate::db::{blobs, documents as doc_db, orgs, requests as req_db, AnyConnection};
use crate::domain::clock::RequestClock;
use crate::domain::codes::ProblemCode;
use crate::domain::details::Details;
use crate::domain::enums::{Outcome, RequestKind, Role};
use crate::domain::workflow::Action;
use crate::letters::context::{self as letter_context, LetterInput};
use crate::letters::snapshot::{DecisionFacts, LetterSnapshot};
use crate::letters::{enclosures, markup, LetterKind, Letters};
use crate::pdf;
use crate::services::request::Request;
use crate::services::{write_tx, Context, Principal, Rules, ServiceError};

use super::store::{store_document, DocumentStore, NewDocument, Release};
use super::{DocumentOutput, PDF};

/// The letters an action produces, in the order they are written. `appeal`: the organisation
/// is a public authority, so a decision that refuses anything carries appeal instructions.
pub fn letters_for(
    action: Action,
    kind: RequestKind,
    outcome: Option<Outcome>,
    appeal: bool,
) -> Vec<LetterKind> {
    // The instructions first, then the certificate: each lists what is written before it.
    let refusal = || {
        if appeal {
            vec![
                LetterKind::AppealInstructions,
                LetterKind::RefusalCertificate,
            ]
        } else {
            vec![LetterKind::RefusalCertificate]
        }
    };
    match action {
        Action::RequestIdentity => vec![LetterKind::IdentityRequest],
        Action::RequestClarification => vec![LetterKind::ClarificationRequest],
        Action::Extend => vec![LetterKind::ExtensionNotice],
        Action::Refuse => refusal(),
        Action::Complete => {
            let answer = match kind {
                RequestKind::Rectification => LetterKind::RectificationDone,
                RequestKind::Erasure => LetterKind::ErasureDone,
                RequestKind::Restriction => LetterKind::RestrictionDone,
                RequestKind::Objection => LetterKind::ObjectionDecided,
                _ => LetterKind::AnswerCover,
            };
            // The certificate first, so the answer letter can list it as enclosed.
            if matches!(
                outcome,
                Some(Outcome::PartiallyFulfilled | Outcome::Refused)
            ) {
                let mut letters = refusal();
                letters.push(answer);
                letters
            } else {
                vec![answer]
            }
        }
        _ => Vec::new(),
    }
}

/// What writing a letter needs: the templates, the rules as data, where the person's status
/// page is, and the document store.
#[derive(Clone, Copy)]
pub struct LetterDesk<'a> {
    pub letters: &'a Letters,
    pub rules: &'a Rules,
    pub public_url: &'a str,
    pub store: DocumentStore<'a>,
}

impl Context {
    pub fn letter_desk(&self) -> LetterDesk<'_> {
        LetterDesk {
            letters: &self.letters,
            rules: &self.rules,
            public_url: &self.settings.web.public_url,
            store: self.document_store(),
        }
    }
}

/// The facts a letter states, taken from the request as it is now (after the change that
/// calls for the letter), dated `dated_on`: the day that change took effect. A decided
/// request's snapshot holds the decider, the contact person and the appeal data as they are
/// now, so a letter written again says the same.
pub fn take_snapshot(
    desk: LetterDesk<'_>,
    conn: &mut AnyConnection,
    request: &Request,
    dated_on: NaiveDate,
) -> Result<LetterSnapshot, ServiceError> {
    let decision = match &request.decision {
        Some(d) => {
            let org = orgs::find_organisation(conn, &request.row.org_id)?;
            let decider = orgs::find_user(conn, &request.row.org_id, &d.decided_by)?;
            Some(DecisionFacts::resolve(
                &org,
                decider.as_ref(),
                &desk.rules.authorities,
            ))
        }
        None => None,
    };
    Ok(LetterSnapshot {
        decision,
        ..plain_snapshot(desk, request, dated_on)
    })
}

fn plain_snapshot(desk: LetterDesk<'_>, request: &Request, dated_on: NaiveDate) -> LetterSnapshot {
    // The due date under the one-month rule: an extension notice and an acknowledgement
    // state it beside (or instead of) the extended one.
    let one_month_due_on = RequestClock {
        extended: false,
        ..request.clock()
    }
    .deadlines(&desk.rules.calendar)
    .due_on;
    LetterSnapshot::of(
        &request.row,
        one_month_due_on,
        dated_on,
        desk.store.clock.today(),
    )
}

/// Renders a letter for the request as of `snapshot` and stores it with the snapshot,
/// released to the requester. Runs inside the caller's transaction, so the letter exists
/// exactly when the change that called for it does.
pub fn write_letter(
    desk: LetterDesk<'_>,
    conn: &mut AnyConnection,
    request: &Request,
    kind: LetterKind,
    actor: Option<&Principal>,
    message: Option<String>,
    snapshot: &LetterSnapshot,
) -> Result<DocumentRow, ServiceError> {
    let bytes = render_letter_as_of(desk, conn, request, kind, message, snapshot)?;
    let snapshot_json = snapshot.to_json();
    let row = &request.row;
    let filename = format!(
        "{}-{}-{}.pdf",
        row.reference,
        kind.as_str(),
        row.language.as_str()
    );
    let doc = NewDocument {
        kind: kind.as_str(),
        language: row.language,
        filename: &filename,
        media_type: PDF,
        actor,
        release: Release::ToRequester,
        snapshot: Some(&snapshot_json),
    };
    store_document(desk.store, conn, row, &doc, &bytes)
}

/// Renders without storing, from the request as it is today: the bytes of the PDF. Also what
/// a queued letter without a snapshot falls back to.
pub fn render_letter(
    desk: LetterDesk<'_>,
    conn: &mut AnyConnection,
    request: &Request,
    kind: LetterKind,
    message: Option<String>,
) -> Result<Vec<u8>, ServiceError> {
    let snapshot = take_snapshot(desk, conn, request, desk.store.clock.today())?;
    render_letter_as_of(desk, conn, request, kind, message, &snapshot)
}

/// Renders without storing, stating the facts of `snapshot` and dated with its date.
pub fn render_letter_as_of(
    desk: LetterDesk<'_>,
    conn: &mut AnyConnection,
    request: &Request,
    kind: LetterKind,
    message: Option<String>,
    snapshot: &LetterSnapshot,
) -> Result<Vec<u8>, ServiceError> {
    let row = &request.row;
    let lang = row.language;
    let org = orgs::find_organisation(conn, &row.org_id)?;
    let subject = req_db::subject(conn, &row.id)?;
    // In the letter's language, Finnish where a text has no translation.
    let registers: Vec<_> = req_db::registers_of(conn, &row.id)?
        .iter()
        .map(|r| crate::services::profile::register_in(r, lang))
        .collect();
    let decision = request.decision.as_ref();
    let representative = letter_context::representative(&subject).map_err(|e| {
        ServiceError::Internal(anyhow::anyhow!(
            "request {}: stored representative cannot be read: {e}",
            row.id
        ))
    })?;
    let decider = match decision {
        Some(d) => orgs::find_user(conn, &row.org_id, &d.decided_by)?,
        None => None,
    };
    // The decision's people and appeal data as of the snapshot; a snapshot from before they
    // were kept reads the organisation's present data.
    let facts = match (&snapshot.decision, decision) {
        (Some(f), _) => Some(f.clone()),
        (None, Some(_)) => Some(DecisionFacts::resolve(
            &org,
            decider.as_ref(),
            &desk.rules.authorities,
        )),
        (None, None) => None,
    };
    let appeal = facts.as_ref().and_then(|f| f.appeal.as_ref());
    if kind == LetterKind::AppealInstructions && appeal.is_none() {
        return Err(ServiceError::Conflict {
            code: ProblemCode::LetterNotApplicable,
            detail: "appeal instructions are for decisions of public authorities".into(),
            allowed: None,
        });
    }
    let items = doc_db::list_items(conn, &row.id)?;
    let recipients = doc_db::list_recipients(conn, &row.id)?;
    let all_docs = doc_db::list_documents(conn, &row.id)?;
    let refused = matches!(
        decision.map(|d| d.outcome),
        Some(Outcome::Refused | Outcome::PartiallyFulfilled)
    );
    let labels = desk.letters.labels(lang);
    let route = appeal.map(|a| a.route);
    let enclosures: Vec<String> = enclosures::enclosed(kind, refused, appeal.is_some(), &all_docs)
        .into_iter()
        .map(|d| enclosures::name(labels, &d.kind, route))
        .collect();
    let attachments = doc_db::list_attachments(conn, &row.id)?;
    let mut entries = Vec::new();
    for a in attachments
        .iter()
        .filter(|a| a.kind == "entry" && a.withheld_ground.is_none())
    {
        let bytes = blobs::read_all(conn, &a.blob_id)?;
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        entries.push((a.clone(), value));
    }
    let files: Vec<_> = attachments
        .iter()
        .filter(|a| a.kind == "file")
        .cloned()
        .collect();
    let withheld: Vec<_> = attachments
        .iter()
        .filter(|a| a.withheld_ground.is_some())
        .cloned()
        .collect();
    let misuse_finding = crate::services::logs::latest_finding(conn, &row.id)?;
    let misuse_asked = matches!(
        &request.details,
        Details::LogInspection(d) if d.misuse_suspected == Some(true)
    );
    let input = LetterInput {
        kind,
        lang,
        snapshot,
        rendered_on: desk.store.clock.today(),
        org: &org,
        request: row,
        decision,
        representative: representative.as_ref(),
        subject: &subject,
        registers: &registers,
        facts: facts.as_ref(),
        items: &items,
        recipients: &recipients,
        enclosures: &enclosures,
        entries: &entries,
        attachments: &files,
        withheld: &withheld,
        misuse_asked,
        misuse_finding: misuse_finding.as_ref(),
        message,
        download_days: desk.store.download_days,
        status_url: format!(
            "{}/{}/status",
            desk.public_url.trim_end_matches('/'),
            org.slug
        ),
        log_period: request.log_period(),
    };
    let letters = desk.letters;
    let context = letter_context::build(
        letters,
        &input,
        &desk.rules.grounds,
        &desk.rules.authorities,
    );
    let text = letters
        .render_text(kind, lang, &context)
        .map_err(ServiceError::Internal)?;
    let blocks = markup::parse(&text);
    let (label, title) = letter_context::names(letters, kind, lang, route);
    let head = letter_context::letterhead(&org, letters.labels(lang));
    let frame = pdf::Frame {
        sender: head.sender,
        doc_label: label,
        date: letter_context::format_date(snapshot.dated_on, lang),
        reference: row.reference.clone(),
        recipient: letter_context::recipient_lines(&subject, representative.as_ref()),
        footer: head.footer,
    };
    let info = pdf::DocInfo {
        title: format!("{title} {}", row.reference),
        author: org.name.clone(),
        subject: title,
        keywords: vec![row.reference.clone(), kind.as_str().to_string()],
        language: lang.as_str().to_string(),
        created: desk.store.clock.now(),
    };
    pdf::render(&info, &frame, &blocks).map_err(ServiceError::Internal)
}

/// `POST /requests/{id}/letters`: (re)generates a letter on demand.
pub fn create_letter(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    kind: LetterKind,
) -> Result<DocumentOutput, ServiceError> {
    principal.require(&[Role::Staff])?;
    let mut conn = ctx.conn()?;
    let doc = write_tx(&mut conn, &principal.org_id, |conn| {
        let request = Request::load(conn, &principal.org_id, request_id)?;
        let message = last_message(conn, &request.row, kind)?;
        // Written again, a letter states what it stated the first time, as of its date; a
        // letter never written before (or written before snapshots) states today's facts.
        let desk = ctx.letter_desk();
        let snapshot = match stored_snapshot(conn, &request.row, kind)? {
            Some(s) => s,
            None => take_snapshot(desk, conn, &request, desk.store.clock.today())?,
        };
        let appeal = match &snapshot.decision {
            Some(f) => f.appeal.is_some(),
            None => orgs::find_organisation(conn, &principal.org_id)?.public_authority,
        };
        check_letter_fits(&request, kind, appeal)?;
        write_letter(
            desk,
            conn,
            &request,
            kind,
            Some(principal),
            message,
            &snapshot,
        )
    })?;
    Ok(DocumentOutput::from(&doc))
}

/// A letter that states a decision needs that decision to exist. `appeal`: the decision is a
/// public authority's (as of the letter's snapshot), which appeal instructions need.
fn check_letter_fits(
    request: &Request,
    kind: LetterKind,
    appeal: bool,
) -> Result<(), ServiceError> {
    let row = &request.row;
    let needs_decision = matches!(
        kind,
        LetterKind::RefusalCertificate
            | LetterKind::AppealInstructions
            | LetterKind::AnswerCover
            | LetterKind::RectificationDone
            | LetterKind::ErasureDone
            | LetterKind::RestrictionDone
            | LetterKind::ObjectionDecided
    );
    let refused = matches!(
        row.outcome,
        Some(Outcome::Refused | Outcome::PartiallyFulfilled)
    );
    let problem = if needs_decision && request.decision.is_none() {
        Some("this letter states a decision; the request has none yet")
    } else if matches!(
        kind,
        LetterKind::RefusalCertificate | LetterKind::AppealInstructions
    ) && !refused
    {
        Some("a refusal certificate and appeal instructions need a refusal or a partial refusal")
    } else if kind == LetterKind::AppealInstructions && !appeal {
        Some("appeal instructions are for decisions of public authorities")
    } else if kind == LetterKind::ExtensionNotice && !row.extended {
        Some("the response time has not been extended")
    } else {
        None
    };
    match problem {
        Some(p) => Err(ServiceError::Conflict {
            code: ProblemCode::LetterNotApplicable,
            detail: p.into(),
            allowed: None,
        }),
        None => Ok(()),
    }
}

/// The snapshot the newest stored letter of `kind` was written from.
fn stored_snapshot(
    conn: &mut AnyConnection,
    row: &RequestRow,
    kind: LetterKind,
) -> Result<Option<LetterSnapshot>, ServiceError> {
    Ok(doc_db::list_documents(conn, &row.id)?
        .into_iter()
        .rev()
        .filter(|d| d.kind == kind.as_str())
        .find_map(|d| d.snapshot.as_deref().and_then(LetterSnapshot::from_json)))
}

/// What staff last wrote to the requester with an identity or clarification request.
fn last_message(
    conn: &mut AnyConnection,
    row: &RequestRow,
    kind: LetterKind,
) -> Result<Option<String>, ServiceError> {
    let action = match kind {
        LetterKind::IdentityRequest => "request_identity",
        LetterKind::ClarificationRequest => "request_clarification",
        _ => return Ok(None),
    };
    Ok(audit::list_for_request(conn, &row.id)?
        .into_iter()
        .rev()
        .find(|e| e.action == action)
        .and_then(|e| serde_json::from_str::<Value>(&e.payload).ok())
        .and_then(|p| p.get("message").and_then(Value::as_str).map(str::to_string)))
}

/// The worker's part: writes a letter queued by the fast submission path, whose job `worker`
/// has claimed, and removes the job in the same transaction. The letter states the facts of
/// the snapshot queued with it; a job queued before snapshots (or with one that cannot be
/// read) is written from the request as it is now. `false` when nothing was written: a job
/// for an unknown kind or a vanished request is removed as it is.
pub fn write_queued_letter(
    desk: LetterDesk<'_>,
    conn: &mut AnyConnection,
    request_id: &str,
    kind: &str,
    snapshot: Option<&str>,
    worker: &str,
) -> Result<bool, ServiceError> {
    let Some(kind) = LetterKind::parse(kind) else {
        doc_db::finish_letter_job(conn, request_id, kind, worker)?;
        return Ok(false);
    };
    let org_id = match req_db::find_any(conn, request_id)? {
        Some(r) => r.org_id,
        None => {
            doc_db::finish_letter_job(conn, request_id, kind.as_str(), worker)?;
            return Ok(false);
        }
    };
    write_tx(conn, &org_id, |conn| {
        let Some(row) = req_db::find(conn, &org_id, request_id)? else {
            doc_db::finish_letter_job(conn, request_id, kind.as_str(), worker)?;
            return Ok(false);
        };
        let request = Request::from_row(row)?;
        let snapshot = match snapshot.and_then(LetterSnapshot::from_json) {
            Some(s) => s,
            None => take_snapshot(desk, conn, &request, desk.store.clock.today())?,
        };
        write_letter(desk, conn, &request, kind, None, None, &snapshot)?;
        // The lease ran out and another worker took the job: it writes the letter, and this
        // transaction leaves nothing behind.
        if !doc_db::finish_letter_job(conn, request_id, kind.as_str(), worker)? {
            return Err(ServiceError::Conflict {
                code: ProblemCode::LetterJobTaken,
                detail: "another worker took the letter job".into(),
                allowed: None,
            });
        }
        Ok(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use LetterKind::*;

    #[test]
    fn a_public_authoritys_refusals_carry_appeal_instructions_written_first() {
        let complete = |outcome, appeal| {
            letters_for(
                Action::Complete,
                RequestKind::Erasure,
                Some(outcome),
                appeal,
            )
        };
        assert_eq!(
            complete(Outcome::PartiallyFulfilled, true),
            [AppealInstructions, RefusalCertificate, ErasureDone]
        );
        assert_eq!(
            complete(Outcome::Refused, true),
            [AppealInstructions, RefusalCertificate, ErasureDone]
        );
        assert_eq!(
            complete(Outcome::PartiallyFulfilled, false),
            [RefusalCertificate, ErasureDone]
        );
        // Nothing refused: nothing to challenge, public authority or not.
        assert_eq!(complete(Outcome::Fulfilled, true), [ErasureDone]);
        assert_eq!(
            letters_for(Action::Refuse, RequestKind::Access, None, true),
            [AppealInstructions, RefusalCertificate]
        );
        assert_eq!(
            letters_for(Action::Refuse, RequestKind::Access, None, false),
            [RefusalCertificate]
        );
        assert_eq!(
            letters_for(Action::Extend, RequestKind::Access, None, true),
            [ExtensionNotice]
        );
    }
}
