//! Documents, attachments, item decisions and disclosure recipients of a request.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{AttachmentRow, DocumentRow, ItemRow, RecipientRow};
use super::schema::{
    attachments, documents, letter_jobs, request_items, request_recipients, review_clearances,
};
use super::AnyConnection;

pub fn insert_document(conn: &mut AnyConnection, row: &DocumentRow) -> QueryResult<()> {
    diesel::insert_into(documents::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn list_documents(conn: &mut AnyConnection, request_id: &str) -> QueryResult<Vec<DocumentRow>> {
    documents::table
        .filter(documents::request_id.eq(request_id))
        .order((documents::created_at, documents::id))
        .select(DocumentRow::as_select())
        .load(conn)
}

pub fn find_document(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
) -> QueryResult<Option<DocumentRow>> {
    documents::table
        .filter(documents::id.eq(id))
        .filter(documents::org_id.eq(org_id))
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()
}

/// Gives a document to the requester until `expires` (`Some((at, expires))`) or holds it
/// back (`None`).
pub fn set_document_release(
    conn: &mut AnyConnection,
    id: &str,
    release: Option<(NaiveDateTime, NaiveDateTime)>,
) -> QueryResult<()> {
    diesel::update(documents::table.find(id))
        .set((
            documents::released_at.eq(release.map(|r| r.0)),
            documents::expires_at.eq(release.map(|r| r.1)),
        ))
        .execute(conn)
        .map(drop)
}

pub fn insert_attachment(conn: &mut AnyConnection, row: &AttachmentRow) -> QueryResult<()> {
    diesel::insert_into(attachments::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn list_attachments(
    conn: &mut AnyConnection,
    request_id: &str,
) -> QueryResult<Vec<AttachmentRow>> {
    attachments::table
        .filter(attachments::request_id.eq(request_id))
        .order((attachments::created_at, attachments::id))
        .select(AttachmentRow::as_select())
        .load(conn)
}

/// Gives an attachment to the requester (`None`) or withholds it on a ground, with the reason.
pub fn set_attachment_withholding(
    conn: &mut AnyConnection,
    request_id: &str,
    attachment_id: &str,
    ground: Option<&str>,
    reason: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(
        attachments::table
            .filter(attachments::request_id.eq(request_id))
            .filter(attachments::id.eq(attachment_id)),
    )
    .set((
        attachments::withheld_ground.eq(ground),
        attachments::withheld_reason.eq(reason),
    ))
    .execute(conn)
}

pub fn list_items(conn: &mut AnyConnection, request_id: &str) -> QueryResult<Vec<ItemRow>> {
    request_items::table
        .filter(request_items::request_id.eq(request_id))
        .order(request_items::number)
        .select(ItemRow::as_select())
        .load(conn)
}

pub fn insert_item(conn: &mut AnyConnection, row: &ItemRow) -> QueryResult<()> {
    diesel::insert_into(request_items::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn update_item(conn: &mut AnyConnection, row: &ItemRow) -> QueryResult<()> {
    diesel::update(request_items::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

pub fn list_recipients(
    conn: &mut AnyConnection,
    request_id: &str,
) -> QueryResult<Vec<RecipientRow>> {
    request_recipients::table
        .filter(request_recipients::request_id.eq(request_id))
        .order((request_recipients::created_at, request_recipients::id))
        .select(RecipientRow::as_select())
        .load(conn)
}

pub fn insert_recipient(conn: &mut AnyConnection, row: &RecipientRow) -> QueryResult<()> {
    diesel::insert_into(request_recipients::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn update_recipient(conn: &mut AnyConnection, row: &RecipientRow) -> QueryResult<()> {
    diesel::update(request_recipients::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

/// Queues a letter for the worker with the facts it is to state (a
/// [`crate::letters::snapshot::LetterSnapshot`] as JSON); queuing the same letter twice is a
/// no-op, and the first snapshot stays.
pub fn queue_letter(
    conn: &mut AnyConnection,
    request_id: &str,
    kind: &str,
    snapshot: Option<&str>,
) -> QueryResult<()> {
    let exists = letter_jobs::table
        .filter(letter_jobs::request_id.eq(request_id))
        .filter(letter_jobs::kind.eq(kind))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !exists {
        diesel::insert_into(letter_jobs::table)
            .values((
                letter_jobs::request_id.eq(request_id),
                letter_jobs::kind.eq(kind),
                letter_jobs::created_at.eq(super::now()),
                letter_jobs::snapshot.eq(snapshot),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A job no worker holds: never claimed, or its lease (or a failure's backoff) has run out.
fn letter_job_free(
    now: NaiveDateTime,
) -> diesel::dsl::Or<
    diesel::dsl::IsNull<letter_jobs::locked_until>,
    diesel::dsl::Lt<letter_jobs::locked_until, NaiveDateTime>,
> {
    letter_jobs::locked_until
        .is_null()
        .or(letter_jobs::locked_until.lt(now))
}

/// A queued letter: its request, kind, and the snapshot it was queued with (`None` for jobs
/// queued before snapshots).
pub type PendingLetter = (String, String, Option<String>);

/// Queued letters that may be taken now, oldest first.
pub fn pending_letters(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<PendingLetter>> {
    letter_jobs::table
        .filter(letter_job_free(now))
        .order(letter_jobs::created_at)
        .select((
            letter_jobs::request_id,
            letter_jobs::kind,
            letter_jobs::snapshot,
        ))
        .limit(limit)
        .load(conn)
}

/// Takes a letter job for `worker` until `lease_until`, like the outbox does: a conditional
/// UPDATE, so of several workers of any instance exactly one gets it. Returns the job's tries,
/// this one included, when this worker got it. A worker that dies while writing loses the
/// job to another when the lease runs out.
pub fn claim_letter_job(
    conn: &mut AnyConnection,
    request_id: &str,
    kind: &str,
    worker: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> QueryResult<Option<i32>> {
    let taken: Vec<i32> = diesel::update(
        letter_jobs::table
            .filter(letter_jobs::request_id.eq(request_id))
            .filter(letter_jobs::kind.eq(kind))
            .filter(letter_job_free(now)),
    )
    .set((
        letter_jobs::locked_until.eq(lease_until),
        letter_jobs::locked_by.eq(worker),
        letter_jobs::attempts.eq(letter_jobs::attempts + 1),
    ))
    .returning(letter_jobs::attempts)
    .get_results(conn)?;
    Ok(taken.first().copied())
}

/// Removes a letter job that `worker` holds; `false` when it no longer does (its lease ran
/// out and another worker took the job, or finished it).
pub fn finish_letter_job(
    conn: &mut AnyConnection,
    request_id: &str,
    kind: &str,
    worker: &str,
) -> QueryResult<bool> {
    let removed = diesel::delete(
        letter_jobs::table
            .filter(letter_jobs::request_id.eq(request_id))
            .filter(letter_jobs::kind.eq(kind))
            .filter(letter_jobs::locked_by.eq(worker)),
    )
    .execute(conn)?;
    Ok(removed == 1)
}

/// Records a failed try of a job `worker` holds: the error, and no new try before `retry_at`.
pub fn fail_letter_job(
    conn: &mut AnyConnection,
    request_id: &str,
    kind: &str,
    worker: &str,
    retry_at: NaiveDateTime,
    error: &str,
) -> QueryResult<()> {
    diesel::update(
        letter_jobs::table
            .filter(letter_jobs::request_id.eq(request_id))
            .filter(letter_jobs::kind.eq(kind))
            .filter(letter_jobs::locked_by.eq(worker)),
    )
    .set((
        letter_jobs::locked_until.eq(retry_at),
        letter_jobs::last_error.eq(error),
    ))
    .execute(conn)
    .map(drop)
}

pub fn review_cleared(conn: &mut AnyConnection, request_id: &str) -> QueryResult<bool> {
    Ok(review_clearances::table
        .filter(review_clearances::request_id.eq(request_id))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

pub fn clear_review(
    conn: &mut AnyConnection,
    request_id: &str,
    user_id: &str,
    note: &str,
) -> QueryResult<()> {
    diesel::insert_into(review_clearances::table)
        .values((
            review_clearances::request_id.eq(request_id),
            review_clearances::cleared_at.eq(super::now()),
            review_clearances::cleared_by.eq(user_id),
            review_clearances::note.eq(note),
        ))
        .execute(conn)
        .map(drop)
}
