//! The answer to a log-data request: a PDF for the person and a CSV beside it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::json;

use crate::db::{self, orgs};
use crate::domain::enums::Role;
use crate::pdf;
use crate::services::documents::{self, DocumentOutput, NewDocument, Release};
use crate::services::{write_tx, Context, Principal, ServiceError};

use super::search::{log_request, search, LogSearchInput};

/// The report as PDF and CSV, stored as documents of the request and released.
pub fn report(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    input: &LogSearchInput,
) -> Result<Vec<DocumentOutput>, ServiceError> {
    principal.require(&[Role::Staff])?;
    let withheld_ground = input.checked_ground(&ctx.rules.grounds)?;
    let result = search(ctx, principal, request_id, input)?;
    let mut conn = ctx.conn()?;
    let (request, _) = log_request(&mut conn, principal, request_id)?;
    let row = &request.row;
    let org = orgs::find_organisation(&mut conn, &row.org_id)?;
    let lang = row.language;
    let w = &ctx.letters.labels(lang).log_report;
    let date = |d: NaiveDate| crate::letters::context::format_date(d, lang);
    let mut rows = Vec::new();
    let mut csv = LogCsv::new();
    for g in &result.groups {
        // One row per day, user and action/basis/recipient, with its count.
        let mut by: BTreeMap<(String, String, String), usize> = BTreeMap::new();
        for e in &g.events {
            *by.entry((
                e.action.clone(),
                e.basis.clone(),
                e.recipient.clone().unwrap_or_default(),
            ))
            .or_default() += 1;
        }
        for ((action, basis, recipient), n) in by {
            // Name, title and unit share one cell on three lines: eight columns side by side
            // left room for none of them, and long Finnish words broke mid-word.
            rows.push(vec![
                date(g.date),
                format!("{}\n{}\n{}", g.user_name, g.user_title, g.unit),
                w.action(&action).to_string(),
                basis.clone(),
                recipient.clone(),
                n.to_string(),
            ]);
            csv.row(
                g.date,
                [
                    &g.user_name,
                    &g.user_title,
                    &g.unit,
                    &action,
                    &basis,
                    &recipient,
                ],
                n,
            )?;
        }
    }
    let mut blocks = vec![
        pdf::Block::Title(w.title.clone()),
        pdf::Block::Paragraph(w.intro.clone()),
        pdf::Block::Facts(vec![
            (
                w.period.clone(),
                format!("{}–{}", date(result.period_from), date(result.period_to)),
            ),
            (w.total.clone(), result.total_events.to_string()),
        ]),
    ];
    if let (true, Some(ground)) = (
        result.withheld_events > 0,
        withheld_ground
            .as_deref()
            .and_then(|c| ctx.rules.grounds.get(c)),
    ) {
        blocks.push(pdf::Block::Paragraph(
            w.withheld
                .replace("{title}", ground.title.get(lang))
                .replace("{statute}", ground.statute.get(lang)),
        ));
    }
    if rows.is_empty() {
        blocks.push(pdf::Block::Paragraph(w.none.clone()));
    } else {
        blocks.push(pdf::Block::Table {
            header: w.columns.to_vec(),
            rows,
        });
    }
    let frame = pdf::Frame {
        sender: std::iter::once(org.name.clone())
            .chain(org.postal_address.iter().cloned())
            .collect(),
        doc_label: w.label.clone(),
        date: date(ctx.today()),
        reference: row.reference.clone(),
        recipient: Vec::new(),
        footer: vec![org.name.clone()],
    };
    let info = pdf::DocInfo {
        title: format!("{} {}", w.title, row.reference),
        author: org.name.clone(),
        subject: w.title.clone(),
        keywords: vec![row.reference.clone(), "log_report".into()],
        language: lang.as_str().into(),
        created: ctx.clock.now(),
    };
    let pdf_bytes = pdf::render(&info, &frame, &blocks).map_err(ServiceError::Internal)?;
    let csv = csv.finish()?;
    let docs = write_tx(&mut conn, &principal.org_id, |conn| {
        let pdf_name = format!("{}-log-report-{}.pdf", row.reference, lang.as_str());
        let pdf_doc = NewDocument {
            kind: "log_report",
            language: lang,
            filename: &pdf_name,
            media_type: documents::PDF,
            actor: Some(principal),
            release: Release::ToRequester,
            snapshot: None,
        };
        let a = documents::store_document(ctx.document_store(), conn, row, &pdf_doc, &pdf_bytes)?;
        let csv_name = format!("{}-log-report.csv", row.reference);
        let csv_doc = NewDocument {
            kind: "log_report_csv",
            filename: &csv_name,
            media_type: "text/csv",
            ..pdf_doc
        };
        let b = documents::store_document(ctx.document_store(), conn, row, &csv_doc, &csv)?;
        crate::db::audit::append(
            conn,
            crate::db::audit::NewEvent {
                org_id: &row.org_id,
                request_id: Some(&row.id),
                actor_id: Some(&principal.user_id),
                actor_role: principal.role.as_str(),
                action: "log_report_made",
                from_state: None,
                to_state: None,
                // The ground goes with the count: the decision cites what the report said.
                payload: json!({ "events": result.total_events, "withheld": result.withheld_events,
                                 "withheld_users": input.withhold_users.len(),
                                 "withheld_ground": (result.withheld_events > 0).then_some(withheld_ground.as_deref()).flatten() }),
                occurred_at: db::now(),
            },
        )?;
        Ok(vec![DocumentOutput::from(&a), DocumentOutput::from(&b)])
    })?;
    Ok(docs)
}

/// The report's CSV (RFC 4180, CRLF): codes and names as stored; texts quoted, the count
/// not, so a spreadsheet keeps names and codes as text; a text a spreadsheet would take for
/// a formula gets a leading `'` ([`documents::csv_cell`]).
struct LogCsv(csv::Writer<Vec<u8>>);

const CSV_HEADER: &str = "date,user_name,user_title,unit,action,basis,recipient,count\r\n";

impl LogCsv {
    fn new() -> LogCsv {
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::NonNumeric)
            .from_writer(CSV_HEADER.as_bytes().to_vec());
        LogCsv(writer)
    }

    fn row(&mut self, date: NaiveDate, texts: [&str; 6], count: usize) -> Result<(), ServiceError> {
        let date = date.to_string();
        let count = count.to_string();
        let texts = texts.map(documents::csv_cell);
        let fields = std::iter::once(date.as_str())
            .chain(texts.iter().map(|t| t.as_ref()))
            .chain(std::iter::once(count.as_str()));
        self.0
            .write_record(fields)
            .map_err(|e| ServiceError::Internal(e.into()))
    }

    fn finish(self) -> Result<Vec<u8>, ServiceError> {
        self.0
            .into_inner()
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("log report CSV: {e}")))
    }
}
