//! The desk's queues and search: one filtered query over an organisation's requests, and
//! the search index written beside each request (`request_search`).

use chrono::NaiveDate;
use diesel::prelude::*;

use super::models::RequestRow;
use super::schema::{
    request_registers, request_search, request_subjects, requests, review_clearances,
};
use super::AnyConnection;
use crate::domain::enums::{RequestKind, RequestState};
use crate::domain::search::{contains_pattern, trigram_phrase};

type Backend = <AnyConnection as diesel::Connection>::Backend;

/// The desk's work queues, each a tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Open and assigned to the viewer.
    Mine,
    Unassigned,
    /// Open, clock running, due today or within the next seven days.
    DueSoon,
    Overdue,
    /// Waiting for the client.
    Paused,
    /// Flagged for a second look and not yet cleared.
    NeedsReview,
    AllOpen,
    Closed,
}

impl Queue {
    pub const ALL: [Queue; 8] = [
        Queue::Mine,
        Queue::Unassigned,
        Queue::DueSoon,
        Queue::Overdue,
        Queue::Paused,
        Queue::NeedsReview,
        Queue::AllOpen,
        Queue::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Mine => "mine",
            Queue::Unassigned => "unassigned",
            Queue::DueSoon => "due-soon",
            Queue::Overdue => "overdue",
            Queue::Paused => "paused",
            Queue::NeedsReview => "needs-review",
            Queue::AllOpen => "open",
            Queue::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.as_str() == s)
    }
}

/// A queue narrowed by the filters in the page's address.
#[derive(Debug, Clone)]
pub struct QueueFilter {
    pub queue: Queue,
    pub viewer_id: String,
    pub today: NaiveDate,
    pub kind: Option<RequestKind>,
    pub state: Option<RequestState>,
    pub register_id: Option<String>,
    pub handler_id: Option<String>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    /// Only these requests (a search's hits).
    pub only: Option<Vec<String>>,
}

impl QueueFilter {
    pub fn new(queue: Queue, viewer_id: &str, today: NaiveDate) -> QueueFilter {
        QueueFilter {
            queue,
            viewer_id: viewer_id.to_string(),
            today,
            kind: None,
            state: None,
            register_id: None,
            handler_id: None,
            received_from: None,
            received_to: None,
            only: None,
        }
    }
}

fn filtered<'a>(org_id: &'a str, f: &'a QueueFilter) -> requests::BoxedQuery<'a, Backend> {
    let mut q = requests::table
        .filter(requests::org_id.eq(org_id))
        .into_boxed();
    let open = requests::is_open.eq(true);
    q = match f.queue {
        Queue::Mine => q
            .filter(open)
            .filter(requests::assignee_id.eq(&f.viewer_id)),
        Queue::Unassigned => q.filter(open).filter(requests::assignee_id.is_null()),
        Queue::DueSoon => q
            .filter(open)
            .filter(requests::pause_counts.eq(false))
            .filter(requests::due_on.ge(f.today))
            .filter(requests::due_on.le(f.today + chrono::Days::new(7))),
        Queue::Overdue => q
            .filter(open)
            .filter(requests::pause_counts.eq(false))
            .filter(requests::due_on.lt(f.today)),
        // Waiting for the client is always open; saying so lets the open indexes serve it.
        Queue::Paused => q
            .filter(open)
            .filter(requests::state.eq(RequestState::AwaitingRequester)),
        Queue::NeedsReview => q
            .filter(open)
            .filter(requests::review_reasons.ne("[]"))
            .filter(diesel::dsl::not(requests::id.eq_any(
                review_clearances::table.select(review_clearances::request_id),
            ))),
        Queue::AllOpen => q.filter(open),
        Queue::Closed => q.filter(requests::is_open.eq(false)),
    };
    if let Some(kind) = &f.kind {
        q = q.filter(requests::kind.eq(kind));
    }
    if let Some(state) = &f.state {
        q = q.filter(requests::state.eq(state));
    }
    if let Some(handler) = &f.handler_id {
        q = q.filter(requests::assignee_id.eq(handler));
    }
    if let Some(from) = f.received_from {
        q = q.filter(requests::received_on.ge(from));
    }
    if let Some(to) = f.received_to {
        q = q.filter(requests::received_on.le(to));
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
    if let Some(ids) = &f.only {
        q = q.filter(requests::id.eq_any(ids));
    }
    q
}

/// How many requests a queue holds, counted up to `cap + 1`: past the cap the exact figure
/// is of no use on a tab, and counting a million closed requests would cost every page view.
/// Only a queue within the cap is counted, so neither query reads more than `cap + 1` index
/// entries.
pub fn count(
    conn: &mut AnyConnection,
    org_id: &str,
    f: &QueueFilter,
    cap: i64,
) -> QueryResult<i64> {
    if holds_more_than(conn, org_id, f, cap)? {
        return Ok(cap + 1);
    }
    filtered(org_id, f).count().get_result(conn)
}

/// Whether the queue holds more than `n` requests: one step `n` entries along an index,
/// reading only the organisation, which every queue index starts with.
fn holds_more_than(
    conn: &mut AnyConnection,
    org_id: &str,
    f: &QueueFilter,
    n: i64,
) -> QueryResult<bool> {
    let past = filtered(org_id, f)
        .select(requests::org_id)
        .offset(n)
        .limit(1)
        .load::<String>(conn)?;
    Ok(!past.is_empty())
}

/// What sorts an open request into its tabs: handler, whether the clock runs, due date,
/// state, review reasons, and whether the review was cleared.
type TabFacts = (Option<String>, bool, NaiveDate, RequestState, String, bool);

/// The open tabs' counts in one pass: each open request under the filters is read once and
/// sorted into the tabs it belongs to, rather than the queue being read once per tab (with a
/// register filter each read looks up every request of the register). `None` when more than
/// `max` requests are open: then the caller counts each tab on its own index.
pub fn open_tab_counts(
    conn: &mut AnyConnection,
    org_id: &str,
    f: &QueueFilter,
    max: i64,
) -> QueryResult<Option<Vec<(Queue, i64)>>> {
    let all_open = QueueFilter {
        queue: Queue::AllOpen,
        ..f.clone()
    };
    if holds_more_than(conn, org_id, &all_open, max)? {
        return Ok(None);
    }
    let cleared = diesel::dsl::exists(
        review_clearances::table.filter(review_clearances::request_id.eq(requests::id)),
    );
    let rows: Vec<TabFacts> = filtered(org_id, &all_open)
        .select((
            requests::assignee_id,
            requests::pause_counts,
            requests::due_on,
            requests::state,
            requests::review_reasons,
            cleared,
        ))
        .load(conn)?;
    let week_ahead = f.today + chrono::Days::new(7);
    // The same tests as `filtered`, one row at a time.
    let in_tab = |queue: Queue, row: &TabFacts| {
        let (assignee, pause_counts, due_on, state, review_reasons, cleared) = row;
        match queue {
            Queue::Mine => assignee.as_deref() == Some(f.viewer_id.as_str()),
            Queue::Unassigned => assignee.is_none(),
            Queue::DueSoon => !pause_counts && *due_on >= f.today && *due_on <= week_ahead,
            Queue::Overdue => !pause_counts && *due_on < f.today,
            Queue::Paused => *state == RequestState::AwaitingRequester,
            Queue::NeedsReview => review_reasons != "[]" && !cleared,
            Queue::AllOpen => true,
            Queue::Closed => false,
        }
    };
    Ok(Some(
        Queue::ALL
            .into_iter()
            .filter(|q| *q != Queue::Closed)
            .map(|q| (q, rows.iter().filter(|r| in_tab(q, r)).count() as i64))
            .collect(),
    ))
}

/// A row's place in its queue: its date (due, or closed for the closed queue) and its
/// reference, which is unique, so the place is exact. Written into the pager's links as
/// `2026-11-16~SAT-2026-00012`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowKey {
    pub on: NaiveDate,
    pub reference: String,
}

impl RowKey {
    pub fn of(row: &RequestRow, queue: Queue) -> RowKey {
        let on = match queue {
            // Every closing sets the date; a row without one sorts as the oldest.
            Queue::Closed => row.closed_on.unwrap_or(NaiveDate::MIN),
            _ => row.due_on,
        };
        RowKey {
            on,
            reference: row.reference.clone(),
        }
    }

    pub fn encode(&self) -> String {
        format!("{}~{}", self.on, self.reference)
    }

    pub fn parse(s: &str) -> Option<RowKey> {
        let (on, reference) = s.split_once('~')?;
        let reference = reference.trim();
        let on = on.parse().ok()?;
        (!reference.is_empty() && reference.len() <= 64).then(|| RowKey {
            on,
            reference: reference.to_string(),
        })
    }
}

/// Where a page starts: at the queue's start, just after the last row of the page before,
/// or just before the first row of the page after. Each is an index range, so page 150
/// costs what page 1 costs (an offset would read every row it skips).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStart {
    First,
    After(RowKey),
    Before(RowKey),
}

/// One page of a queue and whether more rows lie on either side of it.
pub struct Slice {
    pub rows: Vec<RequestRow>,
    pub more_before: bool,
    pub more_after: bool,
}

/// One page of a queue, by due date (closed ones: most recently closed first).
pub fn page(
    conn: &mut AnyConnection,
    org_id: &str,
    f: &QueueFilter,
    limit: i64,
    start: &PageStart,
) -> QueryResult<Slice> {
    let mut q = filtered(org_id, f);
    // `backwards`: read the queue against its order from the key, then turn the rows round.
    let backwards = matches!(start, PageStart::Before(_));
    let key = match start {
        PageStart::First => None,
        PageStart::After(k) | PageStart::Before(k) => Some(k),
    };
    if f.queue == Queue::Closed {
        let (date, reference) = (requests::closed_on, requests::reference);
        // Newest first: "after" is older.
        if let Some(k) = key {
            q = if backwards {
                q.filter(date.ge(k.on))
                    .filter(date.gt(k.on).or(reference.gt(&k.reference)))
            } else {
                q.filter(date.le(k.on))
                    .filter(date.lt(k.on).or(reference.lt(&k.reference)))
            };
        }
        q = if backwards {
            q.order((date.asc(), reference.asc()))
        } else {
            q.order((date.desc(), reference.desc()))
        };
    } else {
        let (date, reference) = (requests::due_on, requests::reference);
        if let Some(k) = key {
            q = if backwards {
                q.filter(date.le(k.on))
                    .filter(date.lt(k.on).or(reference.lt(&k.reference)))
            } else {
                q.filter(date.ge(k.on))
                    .filter(date.gt(k.on).or(reference.gt(&k.reference)))
            };
        }
        q = if backwards {
            q.order((date.desc(), reference.desc()))
        } else {
            q.order((date.asc(), reference.asc()))
        };
    }
    let mut rows: Vec<RequestRow> = q
        .limit(limit + 1)
        .select(RequestRow::as_select())
        .load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    if backwards {
        rows.reverse();
    }
    Ok(Slice {
        rows,
        more_before: if backwards { more } else { key.is_some() },
        more_after: if backwards { true } else { more },
    })
}

/// One line of a queue beside its request: the client's name and whether their address is
/// protected (never the address itself), and the registers' names.
pub struct QueueExtras {
    pub request_id: String,
    pub name: String,
    pub address_protected: bool,
}

pub fn extras(conn: &mut AnyConnection, ids: &[String]) -> QueryResult<Vec<QueueExtras>> {
    Ok(request_subjects::table
        .filter(request_subjects::request_id.eq_any(ids))
        .select((
            request_subjects::request_id,
            request_subjects::name,
            request_subjects::address_protected,
        ))
        .load::<(String, String, bool)>(conn)?
        .into_iter()
        .map(|(request_id, name, address_protected)| QueueExtras {
            request_id,
            name,
            address_protected,
        })
        .collect())
}

/// Register slugs per request, for a page of requests.
pub fn registers_of(
    conn: &mut AnyConnection,
    ids: &[String],
) -> QueryResult<Vec<(String, String)>> {
    request_registers::table
        .filter(request_registers::request_id.eq_any(ids))
        .select((
            request_registers::request_id,
            request_registers::register_id,
        ))
        .load(conn)
}

/// The search index's row for one request.
pub struct SearchEntry<'a> {
    pub request_id: &'a str,
    pub org_id: &'a str,
    pub name_folded: &'a str,
    pub personal_id_key: Option<&'a str>,
}

pub fn index(conn: &mut AnyConnection, e: &SearchEntry<'_>) -> QueryResult<()> {
    diesel::insert_into(request_search::table)
        .values((
            request_search::request_id.eq(e.request_id),
            request_search::org_id.eq(e.org_id),
            request_search::name_folded.eq(e.name_folded),
            request_search::personal_id_key.eq(e.personal_id_key),
        ))
        .execute(conn)
        .map(drop)
}

/// Requests of an organisation whose subject's identity code has this keyed hash.
pub fn by_personal_id_key(
    conn: &mut AnyConnection,
    org_id: &str,
    key: &str,
) -> QueryResult<Vec<String>> {
    request_search::table
        .filter(request_search::org_id.eq(org_id))
        .filter(request_search::personal_id_key.eq(key))
        .select(request_search::request_id)
        .load(conn)
}

/// Requests of an organisation whose folded subject name contains the query, at most `limit`.
/// A query of three letters or more is looked up in the trigram index (FTS5 on SQLite,
/// pg_trgm behind LIKE on PostgreSQL); a shorter one scans the organisation's names.
pub fn by_name(
    conn: &mut AnyConnection,
    org_id: &str,
    query: &str,
    limit: i64,
) -> QueryResult<Vec<String>> {
    if let (AnyConnection::Sqlite(c), Some(phrase)) = (&mut *conn, trigram_phrase(query)) {
        #[derive(QueryableByName)]
        struct Hit {
            #[diesel(sql_type = diesel::sql_types::Text)]
            request_id: String,
        }
        let hits: Vec<Hit> = diesel::sql_query(
            "SELECT s.request_id FROM request_search_names n \
             JOIN request_search s ON s.id = n.rowid \
             WHERE request_search_names MATCH ? AND s.org_id = ? LIMIT ?",
        )
        .bind::<diesel::sql_types::Text, _>(phrase)
        .bind::<diesel::sql_types::Text, _>(org_id)
        .bind::<diesel::sql_types::BigInt, _>(limit)
        .load(c)?;
        return Ok(hits.into_iter().map(|h| h.request_id).collect());
    }
    request_search::table
        .filter(request_search::org_id.eq(org_id))
        .filter(
            request_search::name_folded
                .like(contains_pattern(query))
                .escape('\\'),
        )
        .select(request_search::request_id)
        .limit(limit)
        .load(conn)
}

/// Requests of an organisation by reference, whatever its case.
pub fn by_reference(
    conn: &mut AnyConnection,
    org_id: &str,
    reference: &str,
) -> QueryResult<Vec<String>> {
    requests::table
        .filter(requests::org_id.eq(org_id))
        .filter(requests::reference.eq(reference.trim().to_uppercase()))
        .select(requests::id)
        .load(conn)
}

/// A request not yet in the search index, with what the index needs of its subject.
pub struct Unindexed {
    pub request_id: String,
    pub org_id: String,
    pub name: String,
    pub personal_id: Option<String>,
}

/// Subjects not yet in the search index (requests stored before it existed), a batch at a
/// time in id order after `after`, so each batch starts where the last one ended.
pub fn unindexed(conn: &mut AnyConnection, after: &str, limit: i64) -> QueryResult<Vec<Unindexed>> {
    request_subjects::table
        .inner_join(requests::table)
        .filter(request_subjects::request_id.gt(after))
        .filter(diesel::dsl::not(request_subjects::request_id.eq_any(
            request_search::table.select(request_search::request_id),
        )))
        .order(request_subjects::request_id)
        .select((
            request_subjects::request_id,
            requests::org_id,
            request_subjects::name,
            request_subjects::personal_id,
        ))
        .limit(limit)
        .load::<(String, String, String, Option<String>)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(|(request_id, org_id, name, personal_id)| Unindexed {
                    request_id,
                    org_id,
                    name,
                    personal_id,
                })
                .collect()
        })
}
