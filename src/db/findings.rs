//! Misuse-investigation findings of log-data requests.

use diesel::prelude::*;

use super::models::MisuseFindingRow;
use super::schema::misuse_findings;
use super::AnyConnection;

pub fn insert(conn: &mut AnyConnection, row: &MisuseFindingRow) -> QueryResult<()> {
    diesel::insert_into(misuse_findings::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The finding stated in the answer: the latest recorded (ids are time-ordered UUIDv7s, so
/// they break a tie within one timestamp).
pub fn latest(conn: &mut AnyConnection, request_id: &str) -> QueryResult<Option<MisuseFindingRow>> {
    misuse_findings::table
        .filter(misuse_findings::request_id.eq(request_id))
        .order((
            misuse_findings::recorded_at.desc(),
            misuse_findings::id.desc(),
        ))
        .select(MisuseFindingRow::as_select())
        .first(conn)
        .optional()
}
