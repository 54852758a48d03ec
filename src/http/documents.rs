//! Documents, attachments, item decisions, recipients and bundles of a request; the service's
//! signing key; the requester's downloads.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse, ResponseError};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::Auth;
use super::body::OptionalJson;
use super::error::{AppError, Problem};
use crate::domain::codes::ProblemCode;
use crate::edge::download::file_response;
use crate::edge::status_token;
use crate::edge::upload::{self as multipart_body, UploadError};
use crate::letters::LetterKind;
use crate::services::bundles::{self, BundleInput, PublicKeyOutput};
use crate::services::documents::{self, DocumentOutput, ReleaseInput};
use crate::services::gathering::{
    self, AttachmentMeta, AttachmentOutput, EntryInput, ItemDecisionInput, ItemInput, ItemOutput,
    NewFile, NotifiedInput, RecipientInput, RecipientOutput, ReviewClearance, WithholdingInput,
};
use crate::services::profile::{self, OrganisationProfile, OrganisationProfilePatch};
use crate::services::{blocking, status as status_service, Context, ServiceError};

type Id = web::Path<String>;

fn problem(status: StatusCode, code: ProblemCode, detail: impl Into<String>) -> HttpResponse {
    Problem::new(status, code, detail.into()).response()
}

#[utoipa::path(tag = "documents", params(("id" = String, Path, description = "Request id")), security(("bearer" = [])), responses(
    (status = 200, body = Vec<DocumentOutput>, description = "Letters, certificates and bundles of the request, oldest first"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation"),
))]
#[get("/requests/{id}/documents")]
pub async fn list(ctx: web::Data<Context>, auth: Auth, id: Id) -> Result<HttpResponse, AppError> {
    let out = blocking(move || documents::list(&ctx, &auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LetterRequest {
    pub kind: LetterKind,
}

#[utoipa::path(tag = "documents", params(("id" = String, Path, description = "Request id")), request_body = LetterRequest, security(("bearer" = [])), responses(
    (status = 201, body = DocumentOutput, description = "The letter, rendered now and stored"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "The letter does not fit the request (e.g. a refusal certificate without a refusal)"),
))]
#[post("/requests/{id}/letters")]
pub async fn create_letter(
    ctx: web::Data<Context>,
    auth: Auth,
    id: Id,
    body: web::Json<LetterRequest>,
) -> Result<HttpResponse, AppError> {
    let kind = body.into_inner().kind;
    let out = blocking(move || documents::create_letter(&ctx, &auth.0, &id, kind)).await?;
    Ok(HttpResponse::Created().json(out))
}

#[utoipa::path(tag = "documents", params(("id" = String, Path, description = "Request id")), request_body = Option<BundleInput>, security(("bearer" = [])), responses(
    (status = 201, body = DocumentOutput, description = "The signed ZIP bundle"),
    (status = 400, body = Problem, content_type = "application/problem+json", description = "A body was sent but is not a valid BundleInput; nothing is made"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "Bundles answer access and portability requests"),
))]
#[post("/requests/{id}/bundle")]
pub async fn create_bundle(
    ctx: web::Data<Context>,
    auth: Auth,
    id: Id,
    body: OptionalJson<BundleInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let out = blocking(move || bundles::build(&ctx, &auth.0, &id, input)).await?;
    Ok(HttpResponse::Created().json(out))
}

#[utoipa::path(tag = "documents", params(("doc_id" = String, Path, description = "Document id")), security(("bearer" = [])), responses(
    (status = 200, content_type = "application/octet-stream", description = "The document's bytes, with its SHA-256 in `Digest`"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such document in your organisation"),
))]
#[get("/documents/{doc_id}")]
pub async fn download(
    ctx: web::Data<Context>,
    auth: Auth,
    doc_id: Id,
) -> Result<HttpResponse, AppError> {
    let c = ctx.clone();
    let doc = blocking(move || documents::find(&c, &auth.0, &doc_id)).await?;
    Ok(file_response(
        ctx,
        doc.blob_id,
        &doc.filename,
        &doc.media_type,
        &doc.sha256,
        doc.size,
    ))
}

/// A multipart upload: a `meta` part (JSON, [`AttachmentMeta`]) and a `file` part.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AttachmentUpload {
    /// JSON: `{"register": "...", "title": "...", "withheld_ground": null, "withheld_reason": null, "redacted": false}`
    pub meta: String,
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

#[utoipa::path(tag = "documents", params(("id" = String, Path, description = "Request id")),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"), security(("bearer" = [])), responses(
    (status = 201, body = AttachmentOutput, description = "Stored, with its SHA-256"),
    (status = 400, body = Problem, content_type = "application/problem+json", description = "Not a multipart body with meta and file"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation"),
    (status = 413, body = Problem, content_type = "application/problem+json", description = "The file is larger than the configured limit"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Unknown register, unsupported type, withholding without ground"),
))]
#[post("/requests/{id}/attachments")]
pub async fn upload(
    ctx: web::Data<Context>,
    auth: Auth,
    id: Id,
    mut form: Multipart,
) -> Result<HttpResponse, AppError> {
    let limit = u64::from(ctx.settings.documents.max_upload_mb) * 1024 * 1024;
    let parts = match multipart_body::read(&mut form, &["meta"], "file", limit).await {
        Ok(parts) => parts,
        Err(e) => return Ok(upload_problem(e, ctx.settings.documents.max_upload_mb)),
    };
    let meta = parts.text("meta").map(str::to_string);
    let (Some(meta), Some(file)) = (meta, parts.file) else {
        return Ok(problem(
            StatusCode::BAD_REQUEST,
            ProblemCode::MissingPart,
            "send a 'meta' part (JSON) and a 'file' part",
        ));
    };
    let meta: AttachmentMeta = match serde_json::from_str(&meta) {
        Ok(m) => m,
        Err(e) => {
            return Ok(problem(
                StatusCode::BAD_REQUEST,
                ProblemCode::InvalidMeta,
                format!("the meta part is not valid: {e}"),
            ))
        }
    };
    let out = blocking(move || {
        gathering::add_attachment(
            &ctx,
            &auth.0,
            &id,
            meta,
            "file",
            NewFile {
                filename: file.filename,
                media_type: file.media_type,
                content: file.content,
            },
        )
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

fn upload_problem(e: UploadError, max_mb: u32) -> HttpResponse {
    match e {
        UploadError::Malformed(why) => problem(
            StatusCode::BAD_REQUEST,
            ProblemCode::MalformedMultipart,
            why,
        ),
        UploadError::TextTooLarge(_) | UploadError::TooManyParts => problem(
            StatusCode::BAD_REQUEST,
            ProblemCode::MetaTooLarge,
            "the meta part is at most 64 KiB of UTF-8 text",
        ),
        UploadError::FileTooLarge => problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            ProblemCode::FileTooLarge,
            format!("the file is larger than {max_mb} MiB"),
        ),
        UploadError::UnknownPart(other) => problem(
            StatusCode::BAD_REQUEST,
            ProblemCode::UnknownPart,
            format!("unexpected part '{other}': send 'meta' and 'file'"),
        ),
        UploadError::Io(e) => AppError(ServiceError::Internal(e.into())).error_response(),
    }
}

#[utoipa::path(tag = "documents", params(("id" = String, Path, description = "Request id")), request_body = EntryInput, security(("bearer" = [])), responses(
    (status = 201, body = AttachmentOutput, description = "Stored as JSON, with its SHA-256"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields"),
))]
#[post("/requests/{id}/entries")]
pub async fn add_entry(
    ctx: web::Data<Context>,
    auth: Auth,
    id: Id,
    body: web::Json<EntryInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let out = blocking(move || gathering::add_entry(&ctx, &auth.0, &id, input)).await?;
    Ok(HttpResponse::Created().json(out))
}

#[utoipa::path(tag = "documents", params(("id" = String, Path, description = "Request id")), security(("bearer" = [])), responses(
    (status = 200, body = Vec<AttachmentOutput>, description = "What staff gathered"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation"),
))]
#[get("/requests/{id}/attachments")]
pub async fn list_attachments(
    ctx: web::Data<Context>,
    auth: Auth,
    id: Id,
) -> Result<HttpResponse, AppError> {
    let out = blocking(move || gathering::list_attachments(&ctx, &auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(tag = "items", params(("id" = String, Path, description = "Request id")), request_body = ItemInput, security(("bearer" = [])), responses(
    (status = 201, body = ItemOutput, description = "The item, with a proposed refusal when the law still keeps the record"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "Not a rectification, erasure or restriction request, or closed"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields"),
))]
#[post("/requests/{id}/items")]
pub async fn add_item(
    ctx: web::Data<Context>,
    auth: Auth,
    id: Id,
    body: web::Json<ItemInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let out = blocking(move || gathering::add_item(&ctx, &auth.0, &id, input)).await?;
    Ok(HttpResponse::Created().json(out))
}

#[utoipa::path(tag = "items", params(("id" = String, Path, description = "Request id")), security(("bearer" = [])), responses(
    (status = 200, body = Vec<ItemOutput>, description = "Items in order"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation"),
))]
#[get("/requests/{id}/items")]
pub async fn list_items(
    ctx: web::Data<Context>,
    auth: Auth,
    id: Id,
) -> Result<HttpResponse, AppError> {
    let out = blocking(move || gathering::list_items(&ctx, &auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(tag = "items", params(("id" = String, Path, description = "Request id"), ("number" = i32, Path, description = "Item number")), request_body = ItemDecisionInput, security(("bearer" = [])), responses(
    (status = 200, body = ItemOutput, description = "The decided item"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request or item"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields"),
))]
#[post("/requests/{id}/items/{number}/decision")]
pub async fn decide_item(
    ctx: web::Data<Context>,
    auth: Auth,
    path: web::Path<(String, i32)>,
    body: web::Json<ItemDecisionInput>,
) -> Result<HttpResponse, AppError> {
    let (id, number) = path.into_inner();
    let input = body.into_inner();
    let out = blocking(move || gathering::decide_item(&ctx, &auth.0, &id, number, input)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(tag = "items", params(("id" = String, Path, description = "Request id")), request_body = RecipientInput, security(("bearer" = [])), responses(
    (status = 201, body = RecipientOutput, description = "Recorded"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields"),
))]
#[post("/requests/{id}/recipients")]
pub async fn add_recipient(
    ctx: web::Data<Context>,
    auth: Auth,
    id: Id,
    body: web::Json<RecipientInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let out = blocking(move || gathering::add_recipient(&ctx, &auth.0, &id, input)).await?;
    Ok(HttpResponse::Created().json(out))
}

#[utoipa::path(tag = "items", params(("id" = String, Path, description = "Request id")), security(("bearer" = [])), responses(
    (status = 200, body = Vec<RecipientOutput>, description = "Recipients of the data and when each was told (Art 19)"),
))]
#[get("/requests/{id}/recipients")]
pub async fn list_recipients(
    ctx: web::Data<Context>,
    auth: Auth,
    id: Id,
) -> Result<HttpResponse, AppError> {
    let out = blocking(move || gathering::list_recipients(&ctx, &auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(tag = "items", params(("id" = String, Path, description = "Request id"), ("recipient_id" = String, Path, description = "Recipient id")), request_body = NotifiedInput, security(("bearer" = [])), responses(
    (status = 200, body = RecipientOutput, description = "The notification is recorded"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request or recipient"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "A date in the future"),
))]
#[post("/requests/{id}/recipients/{recipient_id}/notified")]
pub async fn recipient_notified(
    ctx: web::Data<Context>,
    auth: Auth,
    path: web::Path<(String, String)>,
    body: web::Json<NotifiedInput>,
) -> Result<HttpResponse, AppError> {
    let (id, recipient) = path.into_inner();
    let input = body.into_inner();
    let out =
        blocking(move || gathering::recipient_notified(&ctx, &auth.0, &id, &recipient, input))
            .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(tag = "documents", params(("id" = String, Path, description = "Request id"), ("attachment_id" = String, Path, description = "Attachment id")), request_body = WithholdingInput, security(("bearer" = [])), responses(
    (status = 200, body = AttachmentOutput, description = "Withheld on the ground given, or given to the requester when the ground is null"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request or attachment in your organisation"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "The request is closed"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Unknown ground, a ground that does not apply to the request's kind, or no reason"),
))]
#[post("/requests/{id}/attachments/{attachment_id}/withholding")]
pub async fn set_withholding(
    ctx: web::Data<Context>,
    auth: Auth,
    path: web::Path<(String, String)>,
    body: web::Json<WithholdingInput>,
) -> Result<HttpResponse, AppError> {
    let (id, attachment_id) = path.into_inner();
    let input = body.into_inner();
    let out =
        blocking(move || gathering::set_withholding(&ctx, &auth.0, &id, &attachment_id, input))
            .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(tag = "documents", params(("id" = String, Path, description = "Request id"), ("document_id" = String, Path, description = "Document id")), request_body = ReleaseInput, security(("bearer" = [])), responses(
    (status = 200, body = DocumentOutput, description = "Released to the requester (downloadable from now for the configured days), or held back with staff"),
    (status = 400, body = Problem, content_type = "application/problem+json", description = "Malformed body"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "Staff and DPO only"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation, or no such document of it"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "`review_not_cleared`: the request was flagged for a manual review that has not been cleared"),
))]
#[post("/requests/{id}/documents/{document_id}/release")]
pub async fn set_release(
    ctx: web::Data<Context>,
    auth: Auth,
    path: web::Path<(String, String)>,
    body: web::Json<ReleaseInput>,
) -> Result<HttpResponse, AppError> {
    let (id, document_id) = path.into_inner();
    let input = body.into_inner();
    let out =
        blocking(move || documents::set_release(&ctx, &auth.0, &id, &document_id, input)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(tag = "requests", params(("id" = String, Path, description = "Request id")), request_body = ReviewClearance, security(("bearer" = [])), responses(
    (status = 204, description = "Cleared: documents may now be released"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "Not flagged, or already cleared"),
))]
#[post("/requests/{id}/review-clearance")]
pub async fn clear_review(
    ctx: web::Data<Context>,
    auth: Auth,
    id: Id,
    body: web::Json<ReviewClearance>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    blocking(move || gathering::clear_review(&ctx, &auth.0, &id, input)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(tag = "meta", responses((status = 200, body = PublicKeyOutput, description = "The Ed25519 key that signs export bundles")))]
#[get("/keys")]
pub async fn keys(ctx: web::Data<Context>) -> HttpResponse {
    HttpResponse::Ok().json(bundles::public_key(&ctx))
}

#[utoipa::path(tag = "admin", security(("bearer" = [])), responses(
    (status = 200, body = OrganisationProfile, description = "The letterhead and overrides"),
))]
#[get("/organisation")]
pub async fn get_profile(ctx: web::Data<Context>, auth: Auth) -> Result<HttpResponse, AppError> {
    let out = blocking(move || profile::organisation_profile(&ctx, &auth.0)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Changes the letterhead: fields left out stay as they are; `null` clears an optional field.
#[utoipa::path(tag = "admin", request_body = OrganisationProfilePatch, security(("bearer" = [])), responses(
    (status = 200, body = OrganisationProfile, description = "Updated"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "Admins only"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields"),
))]
#[patch("/organisation")]
pub async fn update_profile(
    ctx: web::Data<Context>,
    auth: Auth,
    body: web::Json<OrganisationProfilePatch>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let out = blocking(move || profile::update_organisation_profile(&ctx, &auth.0, input)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The requester's download of a released document.
#[utoipa::path(tag = "public", params(
    ("reference" = String, Path, description = "The request's reference"),
    ("doc_id" = String, Path, description = "Document id from the status view"),
    ("X-Status-Token" = String, Header, description = "The status token given at submission"),
), security(("status_token" = [])), responses(
    (status = 200, content_type = "application/octet-stream", description = "The document"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "Unknown, expired or not released"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "Identity not verified yet, or under review"),
    (status = 429, body = Problem, content_type = "application/problem+json", description = "Too many wrong guesses from this address; see Retry-After"),
))]
#[get("/requests/{reference}/documents/{doc_id}")]
pub async fn requester_download(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let token = status_token::from_header(&req);
    let (reference, doc_id) = path.into_inner();
    let look_up = move |c: &Context| status_service::download(c, &reference, &token, &doc_id);
    let doc = match status_token::guarded(&ctx, &req, look_up).await {
        Ok(found) => found?,
        Err(retry) => return Ok(super::error::too_many_requests(retry)),
    };
    Ok(file_response(
        ctx,
        doc.blob_id,
        &doc.filename,
        &doc.media_type,
        &doc.sha256,
        doc.size,
    ))
}
