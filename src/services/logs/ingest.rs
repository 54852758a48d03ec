//! Ingest tokens: how a client system is allowed to send its access-log events.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::db::logs as log_db;
use crate::db::{self};
use crate::domain::codes::FieldCode;
use crate::domain::enums::Role;
use crate::services::auth::sha256_hex;
use crate::services::{write_tx, Context, Principal, ServiceError};

/// An ingest token's holder: which organisation and source system.
pub struct IngestCaller {
    pub org_id: String,
    pub source: String,
}

/// "Last used" is written at most this often per token: a client sending batches
/// back to back causes one write a minute, not one per batch.
const LAST_USED_GAP_SECS: i64 = 60;

pub fn authenticate_ingest(ctx: &Context, token: &str) -> Result<IngestCaller, ServiceError> {
    let mut conn = ctx.conn()?;
    let (id, org_id, source) = log_db::find_ingest_token(&mut conn, &sha256_hex(token))?
        .ok_or(ServiceError::Unauthorized)?;
    log_db::touch_ingest_token(
        &mut conn,
        &id,
        ctx.clock.now().naive_utc(),
        chrono::Duration::seconds(LAST_USED_GAP_SECS),
    )?;
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
    principal.require(&[Role::Admin])?;
    let source = input.source.trim().to_string();
    if source.is_empty() || source.chars().count() > 100 {
        return Err(ServiceError::Validation(vec![
            crate::domain::validation::FieldError::new(
                "source",
                if source.is_empty() {
                    FieldCode::Required
                } else {
                    FieldCode::TooLong
                },
            ),
        ]));
    }
    let token = format!("rdi_{}", hex::encode(rand::random::<[u8; 24]>()));
    let id = uuid::Uuid::now_v7().to_string();
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        log_db::insert_ingest_token(
            conn,
            &log_db::NewIngestToken {
                id: &id,
                org_id: &principal.org_id,
                source: &source,
                token_hash: &sha256_hex(&token),
                created_by: &principal.user_id,
            },
        )?;
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

/// An ingest token in the admin's list: what it is for and when, never the secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct IngestTokenSummary {
    pub id: String,
    pub source: String,
    pub created_at: chrono::NaiveDateTime,
    /// Set once revoked: the token has stopped working.
    pub revoked_at: Option<chrono::NaiveDateTime>,
    /// When events were last sent with it (kept to the minute: written at most once a
    /// minute); null: never.
    pub last_used_at: Option<chrono::NaiveDateTime>,
}

impl From<log_db::IngestTokenRow> for IngestTokenSummary {
    fn from(r: log_db::IngestTokenRow) -> IngestTokenSummary {
        IngestTokenSummary {
            id: r.id,
            source: r.source,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
            last_used_at: r.last_used_at,
        }
    }
}

pub fn list_ingest_tokens(
    ctx: &Context,
    principal: &Principal,
) -> Result<Vec<IngestTokenSummary>, ServiceError> {
    principal.require(&[Role::Admin])?;
    let mut conn = ctx.conn()?;
    Ok(log_db::list_ingest_tokens(&mut conn, &principal.org_id)?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Revokes a token: the next ingestion with it is refused. Revoking twice changes nothing.
pub fn revoke_ingest_token(
    ctx: &Context,
    principal: &Principal,
    id: &str,
) -> Result<IngestTokenSummary, ServiceError> {
    principal.require(&[Role::Admin])?;
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        let (row, changed) = log_db::revoke_ingest_token(conn, &principal.org_id, id)?
            .ok_or(ServiceError::NotFound("ingest token"))?;
        if !changed {
            return Ok(row.into());
        }
        crate::db::audit::append(
            conn,
            crate::db::audit::NewEvent {
                org_id: &principal.org_id,
                request_id: None,
                actor_id: Some(&principal.user_id),
                actor_role: principal.role.as_str(),
                action: "ingest_token_revoked",
                from_state: None,
                to_state: None,
                payload: json!({ "token_id": row.id, "source": row.source }),
                occurred_at: db::now(),
            },
        )?;
        Ok(row.into())
    })
}
