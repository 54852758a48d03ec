//! The facts a request's decision rests on, read from the store: its items, the material
//! gathered (given or withheld, with the withholding ground) and the latest log-data report.
//! The rule that turns them into an outcome is [`crate::domain::outcome`].

use serde_json::Value;

use crate::db::{audit, documents as doc_db, AnyConnection};
use crate::domain::outcome::{DecisionFacts, ItemFact};

use super::ServiceError;

/// What a log-data report made before the ground was recorded with it left out: those
/// reports were made, and said, on the Data Protection Act § 34 ground.
const LEGACY_LOG_WITHHELD_GROUND: &str = "tsl_34";

pub fn decision_facts(
    conn: &mut AnyConnection,
    request_id: &str,
) -> Result<DecisionFacts, ServiceError> {
    let items = doc_db::list_items(conn, request_id)?
        .into_iter()
        .map(|i| ItemFact {
            number: i.number,
            decision: i.decision,
            ground: i.ground,
        })
        .collect();
    let mut facts = DecisionFacts {
        items,
        ..DecisionFacts::default()
    };
    for a in doc_db::list_attachments(conn, request_id)? {
        match a.withheld_ground {
            Some(ground) => facts.withheld.push(ground),
            None => facts.given += 1,
        }
    }
    if let Some(report) = latest_log_report(conn, request_id)? {
        facts.given += report.shown;
        if report.withheld > 0 {
            facts.withheld.push(report.ground);
        }
    }
    Ok(facts)
}

/// What the latest log-data report of a request gave and held back.
pub struct LogReportFacts {
    pub shown: usize,
    pub withheld: usize,
    pub ground: String,
}

pub fn latest_log_report(
    conn: &mut AnyConnection,
    request_id: &str,
) -> Result<Option<LogReportFacts>, ServiceError> {
    let Some(event) = audit::list_for_request(conn, request_id)?
        .into_iter()
        .rev()
        .find(|e| e.action == "log_report_made")
    else {
        return Ok(None);
    };
    let payload: Value = serde_json::from_str(&event.payload).map_err(|e| {
        ServiceError::Internal(anyhow::anyhow!(
            "request {request_id}: log report event cannot be read: {e}"
        ))
    })?;
    let count = |key: &str| payload[key].as_u64().unwrap_or(0) as usize;
    Ok(Some(LogReportFacts {
        shown: count("events"),
        withheld: count("withheld"),
        ground: payload["withheld_ground"]
            .as_str()
            .unwrap_or(LEGACY_LOG_WITHHELD_GROUND)
            .to_string(),
    }))
}
