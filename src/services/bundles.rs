//! Signed export bundles: the answer to an access request (a readable `answer.pdf`, the
//! attachments and machine-readable copies of structured entries) or a portability request
//! (JSON and CSV only), with a manifest of every file signed by the service's Ed25519 key.

use std::io::{Seek, SeekFrom};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::documents::{self, DocumentOutput, NewDocument, Release};
use super::request::Request;
use super::{write_tx, Context, Principal, ServiceError};
use crate::bundle::BundleWriter;
use crate::db::models::AttachmentRow;
use crate::db::{blobs, documents as doc_db, requests as req_db};
use crate::domain::codes::ProblemCode;
use crate::domain::enums::{RequestKind, Role};
use crate::letters::LetterKind;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleInput {
    /// `true` releases it to the requester at once; without it the bundle stays with staff.
    #[serde(default)]
    pub release: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicKeyOutput {
    pub algorithm: &'static str,
    pub key_id: String,
    /// The raw 32-byte Ed25519 public key, base64.
    pub public_key: String,
}

pub fn public_key(ctx: &Context) -> PublicKeyOutput {
    use base64::Engine as _;
    PublicKeyOutput {
        algorithm: "Ed25519",
        key_id: ctx.signing_key.key_id(),
        public_key: base64::engine::general_purpose::STANDARD.encode(ctx.signing_key.public_key()),
    }
}

fn slug(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    out.trim_matches('-').chars().take(60).collect()
}

/// Entry rows as CSV (`key,value`), quoted per RFC 4180, each cell made safe for a
/// spreadsheet ([`documents::csv_cell`]).
fn entry_csv(content: &Value) -> String {
    let quote = |s: &str| format!("\"{}\"", documents::csv_cell(s).replace('"', "\"\""));
    let mut out = String::from("key,value\r\n");
    for row in crate::letters::context::entry_rows(content) {
        out.push_str(&quote(row["key"].as_str().unwrap_or_default()));
        out.push(',');
        out.push_str(&quote(row["value"].as_str().unwrap_or_default()));
        out.push_str("\r\n");
    }
    out
}

pub fn build(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    input: BundleInput,
) -> Result<DocumentOutput, ServiceError> {
    principal.require(&[Role::Staff])?;
    let mut conn = ctx.conn()?;
    let request = Request::load(&mut conn, &principal.org_id, request_id)?;
    let row = &request.row;
    let kind = row.kind;
    if !matches!(kind, RequestKind::Access | RequestKind::Portability) {
        return Err(ServiceError::Conflict {
            code: ProblemCode::BundleNotApplicable,
            detail: "export bundles answer access and portability requests".into(),
            allowed: None,
        });
    }
    let lang = row.language;
    let registers = req_db::registers_of(&mut conn, &row.id)?;
    let attachments: Vec<AttachmentRow> = doc_db::list_attachments(&mut conn, &row.id)?
        .into_iter()
        .filter(|a| a.withheld_ground.is_none())
        .collect();
    let register_slug = |a: &AttachmentRow| {
        registers
            .iter()
            .find(|r| r.id == a.register_id)
            .map(|r| r.slug.clone())
            .unwrap_or_else(|| "register".into())
    };

    // Written to a temporary file first: memory stays flat whatever the attachments weigh.
    let file = tempfile()?;
    let mut writer = BundleWriter::new(file, &row.reference, kind.as_str(), ctx.clock.now());
    let mut answer_pdf = None;
    if kind == RequestKind::Access {
        let pdf = documents::render_letter(
            ctx.letter_desk(),
            &mut conn,
            &request,
            LetterKind::AccessReport,
            None,
        )?;
        writer
            .add("answer.pdf", documents::PDF, &pdf[..])
            .map_err(ServiceError::Internal)?;
        answer_pdf = Some(pdf);
    }
    for (i, a) in attachments.iter().enumerate() {
        let n = i + 1;
        if a.kind == "entry" {
            let bytes = blobs::read_all(&mut conn, &a.blob_id)?;
            let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let base = format!("data/{n:03}-{}", slug(&a.title));
            writer
                .add(&format!("{base}.json"), "application/json", &bytes[..])
                .map_err(ServiceError::Internal)?;
            writer
                .add(
                    &format!("{base}.csv"),
                    "text/csv",
                    entry_csv(&value).as_bytes(),
                )
                .map_err(ServiceError::Internal)?;
        } else {
            // Art 20 asks for machine-readable formats: PDFs and images stay out.
            let machine_readable = matches!(a.media_type.as_str(), "application/json" | "text/csv");
            if kind == RequestKind::Portability && !machine_readable {
                continue;
            }
            let path = format!("attachments/{}/{n:03}-{}", register_slug(a), a.filename);
            let reader = blobs::BlobReader::open(&mut conn, &a.blob_id)?;
            writer
                .add(&path, &a.media_type, reader)
                .map_err(ServiceError::Internal)?;
        }
    }
    let (mut file, _manifest) = writer
        .finish(&ctx.signing_key)
        .map_err(ServiceError::Internal)?;
    file.seek(SeekFrom::Start(0)).map_err(anyhow::Error::from)?;

    let release = input.release;
    let doc = write_tx(&mut conn, &principal.org_id, |conn| {
        // The readable answer is recorded as a document too, so its SHA-256 is on record.
        if let Some(pdf) = &answer_pdf {
            let name = format!("{}-answer-{}.pdf", row.reference, lang.as_str());
            let answer = NewDocument {
                kind: LetterKind::AccessReport.as_str(),
                language: lang,
                filename: &name,
                media_type: documents::PDF,
                actor: Some(principal),
                release: Release::StaffOnly,
                snapshot: None,
            };
            documents::store_document(ctx.document_store(), conn, row, &answer, pdf)?;
        }
        let blob =
            blobs::store(conn, &row.org_id, &mut file, u64::MAX).map_err(anyhow::Error::from)?;
        let name = format!("{}-{}-bundle.zip", row.reference, kind.as_str());
        let bundle = NewDocument {
            kind: "bundle",
            language: lang,
            filename: &name,
            media_type: "application/zip",
            actor: Some(principal),
            release: if release {
                Release::ToRequester
            } else {
                Release::StaffOnly
            },
            snapshot: None,
        };
        documents::record_document(ctx.document_store(), conn, row, &bundle, blob)
    })?;
    Ok(DocumentOutput::from(&doc))
}

fn tempfile() -> Result<std::fs::File, ServiceError> {
    let path = std::env::temp_dir().join(format!("rightsdesk-bundle-{}.zip", uuid::Uuid::new_v4()));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(anyhow::Error::from)?;
    // Unlinked at once: the open handle keeps it, and nothing is left behind on a crash.
    let _ = std::fs::remove_file(&path);
    Ok(file)
}
