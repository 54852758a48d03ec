//! Log inspection (Act 703/2023 § 11): access-log ingestion from client systems, the search
//! for one subject's events, and the report that answers "who looked at my data".

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Days, NaiveDate, Utc};
use diesel::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::auth::sha256_hex;
use super::documents::{self, DocumentOutput};
use super::{write_tx, Context, Principal, ServiceError};
use crate::db::log_writer::BackgroundWriter;
use crate::db::logs::{self as log_db, EventBatch, FoundEvent, NewAccessEvent, NewLogUser};
use crate::db::models::RequestRow;
use crate::db::{self, orgs, requests as req_db, AnyConnection};
use crate::domain::access_log::{LineError, RawEvent};
use crate::domain::deadline::helsinki_date;
use crate::domain::enums::{Language, RequestKind, Role};
use crate::domain::personal_id::PersonalId;
use crate::pdf;

/// The keyed hash under which a subject's events are stored and found.
pub struct SubjectKeyer(aws_lc_rs::hmac::Key);

impl SubjectKeyer {
    pub fn new(secret: &[u8]) -> SubjectKeyer {
        SubjectKeyer(aws_lc_rs::hmac::Key::new(
            aws_lc_rs::hmac::HMAC_SHA256,
            secret,
        ))
    }

    /// 16 bytes of HMAC-SHA256 over the normalised (upper-case) identity code.
    pub fn key(&self, identity_code: &str) -> Vec<u8> {
        let tag = aws_lc_rs::hmac::sign(&self.0, identity_code.trim().to_uppercase().as_bytes());
        tag.as_ref()[..16].to_vec()
    }
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ImportSummary {
    pub read: u64,
    pub stored: u64,
    pub duplicates: u64,
    pub rejected: u64,
    /// The first rejected lines with their reasons (at most 1,000 listed).
    pub rejections: Vec<LineError>,
}

const MAX_LISTED_REJECTIONS: usize = 1000;
/// Events per transaction through the API. The CLI uses [`BULK_BATCH`]: in SQLite every
/// commit rewrites each index page it touched, so bigger transactions write less (measured
/// with the background writer, 2M events: 50,000 per batch 248,000 events/s and 420 MB RSS,
/// 100,000 246,000-262,000/s and 470 MB, 250,000 271,000/s and 600 MB).
const BATCH: usize = 20_000;
pub const BULK_BATCH: usize = 250_000;

/// Who is importing: an ingest token's organisation and source, or the CLI.
pub struct Importer<'a> {
    ctx: &'a Context,
    org_id: String,
    default_register: Option<String>,
    source: Option<String>,
    registers: HashMap<String, i64>,
    users: HashMap<(String, String, String), i64>,
    pending: EventBatch,
    batch: usize,
    background: Option<BackgroundWriter>,
    /// Events handed to the background writer, whose new ones are counted at the end.
    handed_over: u64,
    pub summary: ImportSummary,
}

impl<'a> Importer<'a> {
    pub fn new(
        ctx: &'a Context,
        org_id: &str,
        default_register: Option<&str>,
        source: Option<&str>,
    ) -> Result<Importer<'a>, ServiceError> {
        let mut conn = ctx.conn()?;
        let mut registers = HashMap::new();
        for r in orgs::list_registers(&mut conn, org_id)? {
            let scope = log_db::scope_for(&mut conn, org_id, &r.id)?;
            registers.insert(r.slug, scope);
        }
        if let Some(d) = default_register {
            if !registers.contains_key(d) {
                return Err(ServiceError::Validation(vec![
                    crate::domain::validation::FieldError::new("register", "unknown_register"),
                ]));
            }
        }
        Ok(Importer {
            ctx,
            org_id: org_id.to_string(),
            default_register: default_register.map(str::to_string),
            source: source.map(str::to_string),
            registers,
            users: HashMap::new(),
            pending: EventBatch::with_capacity(BATCH),
            batch: BATCH,
            background: None,
            handed_over: 0,
            summary: ImportSummary::default(),
        })
    }

    /// Events per transaction (bulk imports use [`BULK_BATCH`]).
    pub fn with_batch(mut self, batch: usize) -> Self {
        self.batch = batch.max(1);
        self
    }

    /// Writes the batches on a thread of their own (bulk imports); call [`Importer::finish`]
    /// at the end.
    pub fn with_background_writer(mut self, writer: BackgroundWriter) -> Self {
        self.background = Some(writer);
        self
    }

    fn reject(&mut self, e: LineError) {
        self.summary.rejected += 1;
        if self.summary.rejections.len() < MAX_LISTED_REJECTIONS {
            self.summary.rejections.push(e);
        }
    }

    pub fn add(
        &mut self,
        conn: &mut AnyConnection,
        item: Result<RawEvent, LineError>,
    ) -> Result<(), ServiceError> {
        let keyed = item.map(|e| keyed(&self.ctx.log_keyer, e));
        self.add_keyed(conn, keyed)
    }

    /// Takes an event whose subject key was computed elsewhere (e.g. on a parsing thread).
    pub fn add_keyed(
        &mut self,
        conn: &mut AnyConnection,
        item: Result<KeyedEvent, LineError>,
    ) -> Result<(), ServiceError> {
        self.summary.read += 1;
        let (e, subject_key) = match item {
            Ok(k) => (k.event, k.subject_key),
            Err(err) => {
                self.reject(err);
                return Ok(());
            }
        };
        let register = e.register.as_deref().or(self.default_register.as_deref());
        let Some(scope) = register.and_then(|r| self.registers.get(r)).copied() else {
            self.reject(LineError {
                line: e.line,
                reason: match register {
                    None => "register is missing (give --register or a register column)".into(),
                    Some(_) => "register is not one of the organisation's registers".into(),
                },
            });
            return Ok(());
        };
        let user_key = (e.user_name, e.user_title, e.unit);
        let user_ref = match self.users.get(&user_key) {
            Some(id) => *id,
            None => {
                let (name, title, unit) = (&user_key.0, &user_key.1, &user_key.2);
                let id = match log_db::find_user(conn, &self.org_id, name, title, unit)? {
                    Some(id) => id,
                    None => {
                        let user = NewLogUser::new(&self.org_id, name, title, unit);
                        let id = user.id;
                        self.pending.users.push(user);
                        id
                    }
                };
                self.users.insert(user_key, id);
                id
            }
        };
        self.pending.events.push(NewAccessEvent {
            scope,
            event_id: e.event_id,
            subject_key,
            occurred_at: e.occurred_at.timestamp(),
            bucket: log_db::bucket_of(e.occurred_at.timestamp()),
            user_ref,
            action: e.action,
            basis: e.basis,
            recipient: e.recipient,
            source: e.source.or_else(|| self.source.clone()),
        });
        if self.pending.events.len() >= self.batch {
            self.flush(conn)?;
        }
        Ok(())
    }

    /// Writes what is pending in one transaction (in the background writer's, if any).
    /// Rows go in arrival order: logs come in event-id order, so the table's primary key
    /// grows at its end. Sorting a batch for the subject index instead was measured slower
    /// (148,000 against 168,000 events/s): the table then took the random inserts.
    pub fn flush(&mut self, conn: &mut AnyConnection) -> Result<(), ServiceError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.pending);
        if let Some(writer) = &mut self.background {
            self.handed_over += batch.events.len() as u64;
            self.pending = writer.write(batch)?;
            return Ok(());
        }
        let stored = conn.transaction(|conn| log_db::insert_events(conn, &batch))?;
        self.summary.stored += stored as u64;
        self.summary.duplicates += (batch.events.len() - stored) as u64;
        self.pending = batch;
        self.pending.clear();
        Ok(())
    }

    /// Writes what is pending and waits for the background writer; the summary is then
    /// complete.
    pub fn finish(&mut self, conn: &mut AnyConnection) -> Result<(), ServiceError> {
        self.flush(conn)?;
        if let Some(mut writer) = self.background.take() {
            let stored = writer.finish()?;
            self.summary.stored += stored;
            self.summary.duplicates += self.handed_over - stored;
            self.handed_over = 0;
        }
        Ok(())
    }
}

/// An event with its subject key; the identity code itself goes no further.
pub struct KeyedEvent {
    pub event: RawEvent,
    pub subject_key: Vec<u8>,
}

pub fn keyed(keyer: &SubjectKeyer, mut event: RawEvent) -> KeyedEvent {
    let subject_key = keyer.key(&event.subject_id);
    event.subject_id.clear();
    KeyedEvent { event, subject_key }
}

/// An ingest token's holder: which organisation and source system.
pub struct IngestCaller {
    pub org_id: String,
    pub source: String,
}

pub fn authenticate_ingest(ctx: &Context, token: &str) -> Result<IngestCaller, ServiceError> {
    use crate::db::schema::ingest_tokens as t;
    use diesel::prelude::*;
    let mut conn = ctx.conn()?;
    let row: Option<(String, String)> = t::table
        .filter(t::token_hash.eq(sha256_hex(token)))
        .filter(t::revoked_at.is_null())
        .select((t::org_id, t::source))
        .first(&mut conn)
        .optional()?;
    let (org_id, source) = row.ok_or(ServiceError::Unauthorized)?;
    Ok(IngestCaller { org_id, source })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IngestTokenInput {
    /// The client system that will send events, e.g. "Apotti".
    pub source: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IngestTokenOutput {
    pub id: String,
    pub source: String,
    /// Shown once; only its hash is kept.
    pub token: String,
}

pub fn create_ingest_token(
    ctx: &Context,
    principal: &Principal,
    input: IngestTokenInput,
) -> Result<IngestTokenOutput, ServiceError> {
    use crate::db::schema::ingest_tokens as t;
    use diesel::prelude::*;
    principal.require(&[Role::Admin])?;
    let source = input.source.trim().to_string();
    if source.is_empty() || source.chars().count() > 100 {
        return Err(ServiceError::Validation(vec![
            crate::domain::validation::FieldError::new(
                "source",
                if source.is_empty() {
                    "required"
                } else {
                    "too_long"
                },
            ),
        ]));
    }
    let token = format!("rdi_{}", hex::encode(rand::random::<[u8; 24]>()));
    let id = uuid::Uuid::now_v7().to_string();
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        diesel::insert_into(t::table)
            .values((
                t::id.eq(&id),
                t::org_id.eq(&principal.org_id),
                t::source.eq(&source),
                t::token_hash.eq(sha256_hex(&token)),
                t::created_at.eq(db::now()),
                t::created_by.eq(&principal.user_id),
            ))
            .execute(conn)?;
        crate::db::audit::append(
            conn,
            crate::db::audit::NewEvent {
                org_id: &principal.org_id,
                request_id: None,
                actor_id: Some(&principal.user_id),
                actor_role: principal.role.as_str(),
                action: "ingest_token_created",
                from_state: None,
                to_state: None,
                payload: json!({ "token_id": id, "source": source }),
                occurred_at: db::now(),
            },
        )?;
        Ok(())
    })?;
    Ok(IngestTokenOutput { id, source, token })
}

/// What staff choose to hold back, each on the serious-danger ground (Data Protection Act
/// 1050/2018 § 34); the rest is still given.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogSearchInput {
    #[serde(default)]
    pub withhold_users: Vec<String>,
    #[serde(default)]
    pub withhold_events: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogEventOutput {
    pub event_id: String,
    /// Exact time, for staff; the report gives dates.
    pub occurred_at: DateTime<Utc>,
    pub action: String,
    pub basis: String,
    pub recipient: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogGroupOutput {
    pub date: NaiveDate,
    pub user_name: String,
    pub user_title: String,
    pub unit: String,
    pub count: usize,
    /// Count per action (view, print, disclose ...).
    pub actions: BTreeMap<String, usize>,
    /// The user named as suspected in a misuse-investigation request.
    pub highlighted: bool,
    pub events: Vec<LogEventOutput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogSearchOutput {
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub registers: Vec<String>,
    pub total_events: usize,
    pub withheld_events: usize,
    pub suspected_user: Option<String>,
    pub highlighted_events: usize,
    pub groups: Vec<LogGroupOutput>,
}

fn log_request(
    conn: &mut AnyConnection,
    principal: &Principal,
    id: &str,
) -> Result<RequestRow, ServiceError> {
    let row =
        req_db::find(conn, &principal.org_id, id)?.ok_or(ServiceError::NotFound("request"))?;
    if row.kind != RequestKind::LogInspection.as_str() {
        return Err(ServiceError::Conflict {
            code: "not_a_log_inspection",
            detail: "log searches answer log-inspection requests".into(),
            allowed: None,
        });
    }
    Ok(row)
}

/// The period asked for: from the details, else the two years before receipt.
pub fn period(row: &RequestRow) -> (NaiveDate, NaiveDate) {
    let details: Value = serde_json::from_str(&row.details).unwrap_or_default();
    let date = |k: &str| details.get(k)?.as_str()?.parse::<NaiveDate>().ok();
    let to = date("period_to").unwrap_or(row.received_on);
    let from = date("period_from")
        .unwrap_or_else(|| to.checked_sub_months(chrono::Months::new(24)).unwrap_or(to));
    (from, to)
}

fn midnight_helsinki(d: NaiveDate) -> i64 {
    use chrono::TimeZone;
    chrono_tz::Europe::Helsinki
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or_default()
}

pub fn search(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    input: &LogSearchInput,
) -> Result<LogSearchOutput, ServiceError> {
    principal.require(&[Role::Staff, Role::Dpo])?;
    let mut conn = ctx.conn()?;
    let row = log_request(&mut conn, principal, request_id)?;
    let subject = req_db::subject(&mut conn, &row.id)?;
    let registers = req_db::registers_of(&mut conn, &row.id)?;
    let (from, to) = period(&row);
    let details: Value = serde_json::from_str(&row.details).unwrap_or_default();
    let suspected = details
        .get("misuse_suspected_user")
        .and_then(Value::as_str)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let events = match subject
        .personal_id
        .as_deref()
        .and_then(|p| PersonalId::parse(p).ok())
    {
        // Without an identity code there is nothing to look up the logs by.
        None => Vec::new(),
        Some(pid) => {
            let ids: Vec<String> = registers.iter().map(|r| r.id.clone()).collect();
            let scopes = log_db::scopes_of(&mut conn, &row.org_id, &ids)?;
            let key = ctx.log_keyer.key(pid.as_str());
            log_db::search(
                &mut conn,
                &scopes,
                &key,
                midnight_helsinki(from),
                midnight_helsinki(to + Days::new(1)),
            )?
        }
    };
    Ok(group(
        events,
        from,
        to,
        registers.iter().map(|r| r.name.clone()).collect(),
        suspected,
        input,
    ))
}

fn group(
    events: Vec<FoundEvent>,
    from: NaiveDate,
    to: NaiveDate,
    registers: Vec<String>,
    suspected: Option<String>,
    input: &LogSearchInput,
) -> LogSearchOutput {
    let mut groups: Vec<LogGroupOutput> = Vec::new();
    let mut withheld = 0;
    let mut highlighted = 0;
    let is_suspect = |name: &str| {
        suspected
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case(name))
    };
    let total = events.len();
    for e in events {
        if input.withhold_users.iter().any(|u| u == &e.user_name)
            || input.withhold_events.contains(&e.event_id)
        {
            withheld += 1;
            continue;
        }
        let at = DateTime::from_timestamp(e.occurred_at, 0).unwrap_or_default();
        let date = helsinki_date(at);
        let flag = is_suspect(&e.user_name);
        if flag {
            highlighted += 1;
        }
        let same = groups.last().is_some_and(|g| {
            g.date == date
                && g.user_name == e.user_name
                && g.user_title == e.user_title
                && g.unit == e.unit
        });
        if !same {
            groups.push(LogGroupOutput {
                date,
                user_name: e.user_name.clone(),
                user_title: e.user_title.clone(),
                unit: e.unit.clone(),
                count: 0,
                actions: BTreeMap::new(),
                highlighted: flag,
                events: Vec::new(),
            });
        }
        let g = groups.last_mut().expect("pushed above");
        g.count += 1;
        *g.actions.entry(e.action.clone()).or_default() += 1;
        g.events.push(LogEventOutput {
            event_id: e.event_id,
            occurred_at: at,
            action: e.action,
            basis: e.basis,
            recipient: e.recipient,
            source: e.source,
        });
    }
    LogSearchOutput {
        period_from: from,
        period_to: to,
        registers,
        total_events: total - withheld,
        withheld_events: withheld,
        suspected_user: suspected,
        highlighted_events: highlighted,
        groups,
    }
}

/// The report as PDF and CSV, stored as documents of the request and released.
pub fn report(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    input: &LogSearchInput,
) -> Result<Vec<DocumentOutput>, ServiceError> {
    principal.require(&[Role::Staff])?;
    let result = search(ctx, principal, request_id, input)?;
    let mut conn = ctx.conn()?;
    let row = log_request(&mut conn, principal, request_id)?;
    let org = orgs::find_organisation(&mut conn, &row.org_id)?;
    let lang = Language::parse(&row.language).unwrap_or(Language::Fi);
    let w = &ctx.letters.labels(lang).log_report;
    let date = |d: NaiveDate| crate::letters::context::format_date(d, lang);
    let mut rows = Vec::new();
    let mut csv = String::from("date,user_name,user_title,unit,action,basis,recipient,count\r\n");
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
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
            csv.push_str(
                &[
                    g.date.to_string(),
                    q(&g.user_name),
                    q(&g.user_title),
                    q(&g.unit),
                    q(&action),
                    q(&basis),
                    q(&recipient),
                    n.to_string(),
                ]
                .join(","),
            );
            csv.push_str("\r\n");
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
    if result.withheld_events > 0 {
        blocks.push(pdf::Block::Paragraph(w.withheld.clone()));
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
    let docs = write_tx(&mut conn, &principal.org_id, |conn| {
        let a = documents::store_document(
            ctx,
            conn,
            &row,
            "log_report",
            lang,
            &format!("{}-log-report-{}.pdf", row.reference, lang.as_str()),
            documents::PDF,
            &pdf_bytes,
            Some(principal),
            true,
        )?;
        let b = documents::store_document(
            ctx,
            conn,
            &row,
            "log_report_csv",
            lang,
            &format!("{}-log-report.csv", row.reference),
            "text/csv",
            csv.as_bytes(),
            Some(principal),
            true,
        )?;
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
                payload: json!({ "events": result.total_events, "withheld": result.withheld_events, "withheld_users": input.withhold_users.len() }),
                occurred_at: db::now(),
            },
        )?;
        Ok(vec![DocumentOutput::from(&a), DocumentOutput::from(&b)])
    })?;
    Ok(docs)
}

/// Scheduler: removes events older than the configured age.
pub fn purge(ctx: &Context) -> Result<usize, ServiceError> {
    let cutoff =
        ctx.clock.now() - chrono::Duration::days(ctx.settings.logs.log_retention_days.into());
    let mut conn = ctx.conn()?;
    Ok(log_db::purge_before(&mut conn, cutoff.timestamp())?)
}
