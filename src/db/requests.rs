//! Requests, their subjects and registers.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::models::{RegisterRow, RequestRow, SubjectRow};
use super::schema::{reference_counters, registers, request_registers, request_subjects, requests};
use crate::domain::enums::{RequestKind, RequestState};

use super::{corrupt_row, is_unique_violation, AnyConnection};

type Backend = <AnyConnection as diesel::Connection>::Backend;

/// The next number in the organisation's yearly reference sequence. Called inside the
/// writing transaction, so the row lock (PostgreSQL) or the write lock (SQLite) keeps it unique.
pub fn next_reference_number(
    conn: &mut AnyConnection,
    org_id: &str,
    year: i32,
) -> QueryResult<i64> {
    for _ in 0..3 {
        let bumped: Option<i64> = diesel::update(reference_counters::table.find((org_id, year)))
            .set(reference_counters::last_value.eq(reference_counters::last_value + 1))
            .returning(reference_counters::last_value)
            .get_result(conn)
            .optional()?;
        if let Some(n) = bumped {
            return Ok(n);
        }
        let inserted = conn.transaction(|conn| {
            diesel::insert_into(reference_counters::table)
                .values((
                    reference_counters::org_id.eq(org_id),
                    reference_counters::year.eq(year),
                    reference_counters::last_value.eq(1i64),
                ))
                .execute(conn)
        });
        match inserted {
            Ok(_) => return Ok(1),
            // Another instance created the year's counter first: bump it instead.
            Err(e) if is_unique_violation(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(diesel::result::Error::RollbackTransaction)
}

pub fn insert(
    conn: &mut AnyConnection,
    request: &RequestRow,
    subject: &SubjectRow,
    register_ids: &[String],
) -> QueryResult<()> {
    diesel::insert_into(requests::table)
        .values(request)
        .execute(conn)?;
    diesel::insert_into(request_subjects::table)
        .values(subject)
        .execute(conn)?;
    for register_id in register_ids {
        diesel::insert_into(request_registers::table)
            .values((
                request_registers::request_id.eq(&request.id),
                request_registers::register_id.eq(register_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn update(conn: &mut AnyConnection, request: &RequestRow) -> QueryResult<()> {
    diesel::update(requests::table.find(&request.id))
        .set(request)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut AnyConnection, org_id: &str, id: &str) -> QueryResult<Option<RequestRow>> {
    requests::table
        .filter(requests::org_id.eq(org_id))
        .filter(requests::id.eq(id))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()
        .map_err(corrupt_row("request", id))
}

/// By id alone: for jobs that act for the service, not for a caller of one organisation.
pub fn find_any(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<RequestRow>> {
    requests::table
        .find(id)
        .select(RequestRow::as_select())
        .first(conn)
        .optional()
        .map_err(corrupt_row("request", id))
}

pub fn find_by_reference(
    conn: &mut AnyConnection,
    reference: &str,
) -> QueryResult<Option<RequestRow>> {
    requests::table
        .filter(requests::reference.eq(reference))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()
        .map_err(corrupt_row("request", reference))
}

pub fn subject(conn: &mut AnyConnection, request_id: &str) -> QueryResult<SubjectRow> {
    request_subjects::table
        .find(request_id)
        .select(SubjectRow::as_select())
        .first(conn)
}

pub fn registers_of(conn: &mut AnyConnection, request_id: &str) -> QueryResult<Vec<RegisterRow>> {
    registers::table
        .inner_join(request_registers::table)
        .filter(request_registers::request_id.eq(request_id))
        .order(registers::slug)
        .select(RegisterRow::as_select())
        .load(conn)
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub state: Option<RequestState>,
    pub kind: Option<RequestKind>,
    /// Only requests past their due date on this day.
    pub overdue_on: Option<NaiveDate>,
    pub due_before: Option<NaiveDate>,
    pub assignee_id: Option<String>,
    pub register_id: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn filtered<'a>(org_id: &'a str, f: &'a ListFilter) -> requests::BoxedQuery<'a, Backend> {
    let mut q = requests::table
        .filter(requests::org_id.eq(org_id))
        .into_boxed();
    if let Some(state) = &f.state {
        q = q.filter(requests::state.eq(state));
    }
    if let Some(kind) = &f.kind {
        q = q.filter(requests::kind.eq(kind));
    }
    if let Some(today) = f.overdue_on {
        q = q.filter(overdue(today));
    }
    if let Some(before) = f.due_before {
        q = q
            .filter(requests::is_open.eq(true))
            .filter(requests::due_on.lt(before));
    }
    if let Some(assignee) = &f.assignee_id {
        q = q.filter(requests::assignee_id.eq(assignee));
    }
    if let Some(register) = &f.register_id {
        q = q.filter(
            requests::id.eq_any(
                request_registers::table
                    .filter(request_registers::register_id.eq(register))
                    .select(request_registers::request_id),
            ),
        );
    }
    q
}

/// Open, past due, and not waiting on a clock stop that counts.
#[allow(clippy::type_complexity)]
fn overdue(
    today: NaiveDate,
) -> Box<dyn BoxableExpression<requests::table, Backend, SqlType = diesel::sql_types::Bool>> {
    Box::new(
        requests::is_open
            .eq(true)
            .and(requests::due_on.lt(today))
            .and(requests::pause_counts.eq(false)),
    )
}

pub fn list(
    conn: &mut AnyConnection,
    org_id: &str,
    f: &ListFilter,
) -> QueryResult<(Vec<RequestRow>, i64)> {
    let total: i64 = filtered(org_id, f).count().get_result(conn)?;
    let rows = filtered(org_id, f)
        .order((requests::due_on, requests::reference))
        .limit(f.limit)
        .offset(f.offset)
        .select(RequestRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// One bucket of the DPO's deadline board: its size and its first `limit` items by due date.
pub fn bucket(
    conn: &mut AnyConnection,
    org_id: &str,
    bucket: Bucket,
    today: NaiveDate,
    limit: i64,
) -> QueryResult<(Vec<RequestRow>, i64)> {
    let query = || {
        let q = requests::table
            .filter(requests::org_id.eq(org_id))
            .filter(requests::is_open.eq(true))
            .into_boxed::<Backend>();
        match bucket {
            Bucket::Overdue => q.filter(overdue(today)),
            Bucket::DueWithin7Days => q
                .filter(requests::due_on.ge(today))
                .filter(requests::due_on.le(today + chrono::Days::new(7)))
                .filter(requests::pause_counts.eq(false)),
            Bucket::Paused => q.filter(requests::state.eq(RequestState::AwaitingRequester)),
            Bucket::Extended => q.filter(requests::extended.eq(true)),
        }
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows = query()
        .order((requests::due_on, requests::reference))
        .limit(limit)
        .select(RequestRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Overdue,
    DueWithin7Days,
    Paused,
    Extended,
}

/// Requests received in [from, to), for the yearly statistics.
pub fn received_between(
    conn: &mut AnyConnection,
    org_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<RequestRow>> {
    requests::table
        .filter(requests::org_id.eq(org_id))
        .filter(requests::received_on.ge(from))
        .filter(requests::received_on.lt(to))
        .select(RequestRow::as_select())
        .load(conn)
}

/// Whether the same person had an access request to one of these registers completed on or after `since`.
/// Starts from the person's own requests (the identity-code index), so the cost does not
/// grow with the organisation's request count.
pub fn completed_access_since(
    conn: &mut AnyConnection,
    org_id: &str,
    personal_id: &str,
    register_ids: &[String],
    since: NaiveDate,
) -> QueryResult<bool> {
    let theirs: Vec<String> = request_subjects::table
        .filter(request_subjects::personal_id.eq(personal_id))
        .select(request_subjects::request_id)
        .load(conn)?;
    if theirs.is_empty() {
        return Ok(false);
    }
    let found: i64 = requests::table
        .filter(requests::id.eq_any(&theirs))
        .filter(requests::org_id.eq(org_id))
        .filter(requests::kind.eq(RequestKind::Access))
        .filter(requests::state.eq(RequestState::Completed))
        .filter(requests::closed_on.ge(since))
        .filter(
            requests::id.eq_any(
                request_registers::table
                    .filter(request_registers::request_id.eq_any(&theirs))
                    .filter(request_registers::register_id.eq_any(register_ids))
                    .select(request_registers::request_id),
            ),
        )
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// Assigned open requests with their clock running, due on or before `by` (reminders).
pub fn open_due_by(
    conn: &mut AnyConnection,
    org_id: &str,
    by: NaiveDate,
) -> QueryResult<Vec<RequestRow>> {
    requests::table
        .filter(requests::org_id.eq(org_id))
        .filter(requests::is_open.eq(true))
        .filter(requests::pause_counts.eq(false))
        .filter(requests::due_on.le(by))
        .filter(requests::assignee_id.is_not_null())
        .order((requests::due_on, requests::reference))
        .select(RequestRow::as_select())
        .load(conn)
}

/// Due dates of open requests falling in `from..=to` (the DPO's weekly load chart).
pub fn open_due_dates(
    conn: &mut AnyConnection,
    org_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<NaiveDate>> {
    requests::table
        .filter(requests::org_id.eq(org_id))
        .filter(requests::is_open.eq(true))
        .filter(requests::due_on.ge(from))
        .filter(requests::due_on.le(to))
        .select(requests::due_on)
        .load(conn)
}
