//! What the staff desk lists: work queues with their counts, and search by reference,
//! by the client's name and by identity code (through its keyed hash, never in clear).
//! Always within the viewer's organisation.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::queries::READERS;
use super::request::Request;
use super::{Context, Principal, ServiceError};
use crate::db::queues::{self, PageStart, Queue, QueueFilter, RowKey};
use crate::db::{orgs, AnyConnection};
use crate::domain::codes::FieldCode;
use crate::domain::deadline::days_left;
use crate::domain::enums::{RequestKind, RequestState};
use crate::domain::personal_id::PersonalId;
use crate::domain::search::fold_name;
use crate::domain::validation::FieldError;

/// Rows on one page of a queue.
pub const PAGE_SIZE: i64 = 50;
/// Name searches stop here: a query matching more is too broad to read through.
pub const MAX_NAME_HITS: i64 = 200;
/// Longer than any name, reference or identity code.
pub const MAX_QUERY: usize = 200;
/// Queues are counted up to this; a larger queue shows as "10,000+" and pages to its end.
pub const COUNT_CAP: i64 = 10_000;
/// Up to this many open requests (under the filters), the open tabs are counted in one read of
/// them; past it, each tab on its own index is cheaper than reading every open row.
const ONE_PASS_MAX: i64 = 2_000;

/// One line of a queue: what staff need to pick the next case, and no contact details.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueueRow {
    pub id: String,
    pub reference: String,
    pub client_name: String,
    /// The client lives under address protection (the address itself is never listed).
    pub address_protected: bool,
    pub kind: RequestKind,
    pub state: RequestState,
    /// The registers' names.
    pub registers: Vec<String>,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub days_left: i64,
    pub overdue: bool,
    /// Waiting for the client with the clock stopped: the due date will move.
    pub clock_stopped: bool,
    pub handler: Option<String>,
    pub needs_review: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub total: i64,
    /// 1-based, as the pager's links count it.
    pub page: i64,
    pub pages: i64,
    /// The queue has more than `COUNT_CAP` requests, so `pages` is a lower bound.
    pub pages_at_least: bool,
    /// Where the previous and next pages start (`RowKey::encode`), if there are such pages.
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// How many requests each queue holds under the same filters.
pub fn counts(
    ctx: &Context,
    principal: &Principal,
    filter: &QueueFilter,
) -> Result<Vec<(Queue, i64)>, ServiceError> {
    principal.require(READERS)?;
    let mut conn = ctx.conn()?;
    let org = principal.org_id.as_str();
    let one_pass = queues::open_tab_counts(&mut conn, org, filter, ONE_PASS_MAX)?;
    let mut each = |queue: Queue| -> Result<(Queue, i64), ServiceError> {
        let f = QueueFilter {
            queue,
            ..filter.clone()
        };
        Ok((queue, queues::count(&mut conn, org, &f, COUNT_CAP)?))
    };
    let open = match one_pass {
        Some(open) => open,
        None => Queue::ALL
            .into_iter()
            .filter(|q| *q != Queue::Closed)
            .map(&mut each)
            .collect::<Result<_, _>>()?,
    };
    let mut counts: Vec<(Queue, i64)> = open;
    counts.push(each(Queue::Closed)?);
    Ok(counts)
}

/// One page of a queue, from `start`; `page` is its number as the pager's links count it,
/// and `known_total` the queue's count when the caller has it.
pub fn page(
    ctx: &Context,
    principal: &Principal,
    filter: &QueueFilter,
    start: &PageStart,
    page: i64,
    known_total: Option<i64>,
) -> Result<QueuePage, ServiceError> {
    principal.require(READERS)?;
    let mut conn = ctx.conn()?;
    let total = match known_total {
        Some(total) => total,
        None => queues::count(&mut conn, &principal.org_id, filter, COUNT_CAP)?,
    };
    let pages = ((total.min(COUNT_CAP) + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let slice = queues::page(&mut conn, &principal.org_id, filter, PAGE_SIZE, start)?;
    let key = |row: Option<&crate::db::models::RequestRow>| {
        row.map(|r| RowKey::of(r, filter.queue).encode())
    };
    let prev = slice.more_before.then(|| key(slice.rows.first())).flatten();
    let next = slice.more_after.then(|| key(slice.rows.last())).flatten();
    // A page with nothing before it is the first, whatever the link said.
    let page = if prev.is_none() { 1 } else { page.max(2) };
    let rows = rows_of(&mut conn, principal, slice.rows, filter.today)?;
    Ok(QueuePage {
        rows,
        total,
        page,
        pages: pages.max(page),
        pages_at_least: total > COUNT_CAP,
        prev,
        next,
    })
}

/// What a search query was taken to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SearchBy {
    Reference,
    PersonalId,
    Name,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResult {
    pub by: SearchBy,
    pub rows: Vec<QueueRow>,
    /// More than `MAX_NAME_HITS` names matched: the query should be narrower.
    pub truncated: bool,
}

/// Finds requests by reference (exact, any case), identity code (exact, through its keyed
/// hash) or the client's name (any part, case and accents ignored), newest due date first.
pub fn search(
    ctx: &Context,
    principal: &Principal,
    query: &str,
) -> Result<SearchResult, ServiceError> {
    principal.require(READERS)?;
    // No name, reference or identity code holds a control character; the full-text index
    // refuses a NUL, so they are dropped before anything is looked up.
    let query: String = query.chars().filter(|c| !c.is_control()).collect();
    let query = query.trim();
    if query.is_empty() {
        return Err(ServiceError::field("q", FieldCode::Required));
    }
    if query.chars().count() > MAX_QUERY {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "q",
            FieldCode::TooLong,
        )
        .with_params(serde_json::json!({ "max": MAX_QUERY }))]));
    }
    let mut conn = ctx.conn()?;
    let org = principal.org_id.as_str();
    let (by, ids) = if let Ok(pid) = PersonalId::parse(query) {
        let key = ctx.log_keyer.key_hex(pid.as_str());
        (
            SearchBy::PersonalId,
            queues::by_personal_id_key(&mut conn, org, &key)?,
        )
    } else {
        let by_reference = queues::by_reference(&mut conn, org, query)?;
        if !by_reference.is_empty() {
            (SearchBy::Reference, by_reference)
        } else if fold_name(query).chars().count() >= 2 {
            let ids = queues::by_name(&mut conn, org, query, MAX_NAME_HITS + 1)?;
            (SearchBy::Name, ids)
        } else {
            (SearchBy::Name, Vec::new())
        }
    };
    let truncated = ids.len() as i64 > MAX_NAME_HITS;
    let mut filter = QueueFilter::new(Queue::AllOpen, &principal.user_id, ctx.today());
    filter.only = Some(ids.into_iter().take(MAX_NAME_HITS as usize).collect());
    // Open and closed alike: a search looks for a person's whole history.
    let mut rows = Vec::new();
    for queue in [Queue::AllOpen, Queue::Closed] {
        let f = QueueFilter {
            queue,
            ..filter.clone()
        };
        rows.extend(queues::page(&mut conn, org, &f, MAX_NAME_HITS, &PageStart::First)?.rows);
    }
    let rows = rows_of(&mut conn, principal, rows, filter.today)?;
    Ok(SearchResult {
        by,
        rows,
        truncated,
    })
}

fn rows_of(
    conn: &mut AnyConnection,
    principal: &Principal,
    rows: Vec<crate::db::models::RequestRow>,
    today: NaiveDate,
) -> Result<Vec<QueueRow>, ServiceError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
    let subjects: HashMap<String, queues::QueueExtras> = queues::extras(conn, &ids)?
        .into_iter()
        .map(|e| (e.request_id.clone(), e))
        .collect();
    let register_names: HashMap<String, String> = orgs::list_registers(conn, &principal.org_id)?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let mut registers: HashMap<String, Vec<String>> = HashMap::new();
    for (request_id, register_id) in queues::registers_of(conn, &ids)? {
        if let Some(name) = register_names.get(&register_id) {
            registers.entry(request_id).or_default().push(name.clone());
        }
    }
    let users = orgs::list_users(conn, &principal.org_id)?;
    rows.into_iter()
        .map(|row| {
            let request = Request::from_row(row)?;
            let row = &request.row;
            let subject = subjects.get(row.id.as_str());
            let mut names = registers.remove(row.id.as_str()).unwrap_or_default();
            names.sort();
            Ok(QueueRow {
                id: row.id.to_string(),
                reference: row.reference.clone(),
                client_name: subject.map(|s| s.name.clone()).unwrap_or_default(),
                address_protected: subject.is_some_and(|s| s.address_protected),
                kind: row.kind,
                state: row.state,
                registers: names,
                received_on: row.received_on,
                due_on: row.due_on,
                days_left: days_left(today, row.due_on),
                overdue: request.is_overdue(today),
                clock_stopped: row.pause_counts,
                handler: super::views::user_ref(&users, &row.assignee_id).map(|u| u.name),
                needs_review: request.needs_manual_review(),
            })
        })
        .collect()
}

/// Fills the search index for requests stored before it existed; run at start. The
/// identity code is hashed here and goes no further.
pub fn backfill_search_index(ctx: &Context) -> Result<usize, ServiceError> {
    let mut conn = ctx.conn()?;
    let mut done = 0;
    let mut after = String::new();
    loop {
        let batch = queues::unindexed(&mut conn, &after, 500)?;
        let Some(last) = batch.last() else {
            return Ok(done);
        };
        after = last.request_id.clone();
        done += batch.len();
        use diesel::Connection;
        conn.transaction(|conn| {
            for row in &batch {
                let key = row.personal_id.as_deref().map(|p| ctx.log_keyer.key_hex(p));
                queues::index(
                    conn,
                    &queues::SearchEntry {
                        request_id: &row.request_id,
                        org_id: &row.org_id,
                        name_folded: &fold_name(&row.name),
                        personal_id_key: key.as_deref(),
                    },
                )?;
            }
            Ok::<_, ServiceError>(())
        })?;
    }
}
