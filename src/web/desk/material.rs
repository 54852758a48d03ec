//! Gathering in the desk: a structured entry (a title and its fields, as the source system
//! shows them) or a file from one of the request's registers, given to the client or withheld
//! with its ground and the reason the client reads; and changing that choice later.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

use super::fields::{checked_form, error_views, ground_choices};
use super::{render, see_other, signed_in, Desk};
use crate::domain::codes::FieldCode;
use crate::domain::enums::Role;
use crate::domain::validation::FieldError;
use crate::edge::session::Session;
use crate::edge::upload::{self, UploadError};
use crate::services::gathering::{self, AttachmentMeta, EntryInput, NewFile, WithholdingInput};
use crate::services::{blocking, queries, Context, ServiceError};
use crate::web::csrf;
use crate::web::error::error_page;
use crate::web::form::Posted;
use crate::web::site::{notice, site};

/// Rows of label and value offered on the entry page; empty rows are left out.
const ROWS: usize = 8;

/// The text fields of the upload form; anything else in the body is refused.
const FILE_FORM_FIELDS: &[&str] = &[
    csrf::FIELD,
    "title",
    "register",
    "redacted",
    "withheld",
    "withheld_ground",
    "withheld_reason",
];

/// What is being added: typed in as fields, or a file from the source system.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Entry,
    File,
}

impl Source {
    fn path(self) -> &'static str {
        match self {
            Source::Entry => "entries",
            Source::File => "files",
        }
    }
}

/// `GET /desk/requests/{id}/entries/new`.
pub async fn new_entry(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    let id = path.into_inner();
    page(
        &ctx,
        &req,
        &desk,
        id,
        Source::Entry,
        &Posted(Vec::new()),
        &[],
        StatusCode::OK,
    )
    .await
}

/// `GET /desk/requests/{id}/files/new`.
pub async fn new_file(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    let id = path.into_inner();
    page(
        &ctx,
        &req,
        &desk,
        id,
        Source::File,
        &Posted(Vec::new()),
        &[],
        StatusCode::OK,
    )
    .await
}

/// The withholding fields as posted: a ground and reason only when "withheld" is ticked.
fn withholding(posted: &Posted, errors: &mut Vec<FieldError>) -> (Option<String>, Option<String>) {
    let text = |k: &str| {
        posted
            .get(k)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if posted.get("withheld") != Some("on") {
        return (None, None);
    }
    if text("withheld_ground").is_none() {
        errors.push(FieldError::new("withheld_ground", FieldCode::Required));
    }
    (text("withheld_ground"), text("withheld_reason"))
}

/// `POST /desk/requests/{id}/entries/new`.
pub async fn add_entry(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page_) => return page_,
    };
    let id = path.into_inner();
    let posted = match checked_form(&req, &body) {
        Ok(posted) => posted,
        Err(page) => return page,
    };
    let mut data = Map::new();
    for i in 0..ROWS {
        let label = posted.get(&format!("label_{i}")).unwrap_or("").trim();
        let value = posted.get(&format!("value_{i}")).unwrap_or("").trim();
        if !label.is_empty() || !value.is_empty() {
            data.insert(label.to_string(), json!(value));
        }
    }
    let mut errors = Vec::new();
    if data.is_empty() || data.keys().any(String::is_empty) {
        errors.push(FieldError::new("label_0", FieldCode::Required));
    }
    let (withheld_ground, withheld_reason) = withholding(&posted, &mut errors);
    if !errors.is_empty() {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return page(
            &ctx,
            &req,
            &desk,
            id,
            Source::Entry,
            &posted,
            &errors,
            status,
        )
        .await;
    }
    let input = EntryInput {
        register: posted.get("register").unwrap_or("").to_string(),
        title: posted.get("title").unwrap_or("").to_string(),
        withheld_ground,
        withheld_reason,
        redacted: posted.get("redacted") == Some("on"),
        data: Value::Object(data),
    };
    let c = ctx.clone();
    let p = desk.principal.clone();
    let request_id = id.clone();
    let added = blocking(move || gathering::add_entry(&c, &p, &request_id, input)).await;
    after_adding(
        &ctx,
        &req,
        &desk,
        id,
        Source::Entry,
        &posted,
        added.map(drop),
    )
    .await
}

/// `POST /desk/requests/{id}/files/new`: a multipart form. The CSRF value is checked once the
/// parts are read; the file sits in an unnamed temporary file until then and goes with it.
pub async fn add_file(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    mut form: Multipart,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page_) => return page_,
    };
    let id = path.into_inner();
    let max_mb = ctx.settings.documents.max_upload_mb;
    let limit = u64::from(max_mb) * 1024 * 1024;
    let parts = match upload::read(&mut form, FILE_FORM_FIELDS, "file", limit).await {
        Ok(parts) => parts,
        Err(UploadError::FileTooLarge) => {
            let errors = [FieldError::new("file", FieldCode::FileTooLarge)
                .with_params(json!({ "max_mb": max_mb }))];
            let status = StatusCode::PAYLOAD_TOO_LARGE;
            let empty = Posted(Vec::new());
            return page(&ctx, &req, &desk, id, Source::File, &empty, &errors, status).await;
        }
        Err(UploadError::Io(e)) => return error_page(&ctx, &req, ServiceError::Internal(e.into())),
        Err(_) => {
            return notice(
                &req,
                StatusCode::BAD_REQUEST,
                "desk_upload_unreadable_title",
                "desk_upload_unreadable_text",
            )
        }
    };
    let posted = Posted(parts.texts);
    if !csrf::verify(&req, posted.get(csrf::FIELD)) {
        return notice(&req, StatusCode::FORBIDDEN, "csrf_title", "csrf_text");
    }
    let mut errors = Vec::new();
    if parts.file.is_none() {
        errors.push(FieldError::new("file", FieldCode::Required));
    }
    let (withheld_ground, withheld_reason) = withholding(&posted, &mut errors);
    let Some(file) = parts.file.filter(|_| errors.is_empty()) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return page(
            &ctx,
            &req,
            &desk,
            id,
            Source::File,
            &posted,
            &errors,
            status,
        )
        .await;
    };
    let meta = AttachmentMeta {
        register: posted.get("register").unwrap_or("").to_string(),
        title: posted.get("title").map(str::to_string),
        withheld_ground,
        withheld_reason,
        redacted: posted.get("redacted") == Some("on"),
    };
    let c = ctx.clone();
    let p = desk.principal.clone();
    let request_id = id.clone();
    let added = blocking(move || {
        let new = NewFile {
            filename: file.filename,
            media_type: file.media_type,
            content: file.content,
        };
        gathering::add_attachment(&c, &p, &request_id, meta, "file", new)
    })
    .await;
    after_adding(
        &ctx,
        &req,
        &desk,
        id,
        Source::File,
        &posted,
        added.map(drop),
    )
    .await
}

/// Back to the case page when stored; the form again with the service's reasons when not.
async fn after_adding(
    ctx: &web::Data<Context>,
    req: &HttpRequest,
    desk: &Desk,
    id: String,
    source: Source,
    posted: &Posted,
    added: Result<(), ServiceError>,
) -> HttpResponse {
    match added {
        Ok(()) => see_other(format!(
            "/desk/requests/{id}?lang={}&done={}_added#material-h",
            desk.lang.as_str(),
            match source {
                Source::Entry => "entry",
                Source::File => "file",
            }
        )),
        Err(ServiceError::Validation(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(ctx, req, desk, id, source, posted, &errors, status).await
        }
        Err(e) => error_page(ctx, req, e),
    }
}

#[allow(clippy::too_many_arguments)]
async fn page(
    ctx: &web::Data<Context>,
    req: &HttpRequest,
    desk: &Desk,
    id: String,
    source: Source,
    posted: &Posted,
    errors: &[FieldError],
    status: StatusCode,
) -> HttpResponse {
    let c = ctx.clone();
    let p = desk.principal.clone();
    let loaded = blocking(move || {
        let request = queries::get(&c, &p, &id)?;
        let mut conn = c.conn()?;
        let registers = crate::db::requests::registers_of(&mut conn, &id)?;
        Ok((request, registers))
    })
    .await;
    let (request, registers) = match loaded {
        Ok(found) => found,
        Err(e) => return error_page(ctx, req, e),
    };
    if !desk.is(&[Role::Staff]) || request.state.is_terminal() {
        return notice(
            req,
            StatusCode::FORBIDDEN,
            "forbidden_title",
            "desk_action_not_available",
        );
    }
    let lang = desk.lang;
    let t = site();
    let fields = [
        "title",
        "register",
        "label_0",
        "file",
        "withheld_ground",
        "withheld_reason",
        "data",
    ];
    let (by_field, summary) = error_views(ctx, desk.lang, &fields, "desk_entry_field_", errors);
    let chosen = posted.get("register").unwrap_or("");
    // One register needs no choosing.
    let only = registers.len() == 1;
    let registers: Vec<Value> = registers
        .iter()
        .map(|r| json!({ "value": r.slug, "label": crate::services::profile::register_in(r, lang).name, "selected": only || r.slug == chosen }))
        .collect();
    let ground = posted.get("withheld_ground").unwrap_or("");
    let grounds = ground_choices(ctx, request.kind, lang, |code| code == ground);
    let rows: Vec<Value> = (0..ROWS)
        .map(|i| {
            json!({
                "i": i,
                "number": i + 1,
                "label": posted.get(&format!("label_{i}")).unwrap_or(""),
                "value": posted.get(&format!("value_{i}")).unwrap_or(""),
            })
        })
        .collect();
    let heading = match source {
        Source::Entry => "desk_entry_add",
        Source::File => "desk_file_add",
    };
    let title = format!("{} – {}", t.text(heading, lang), request.reference);
    render(
        ctx,
        req,
        desk,
        status,
        title,
        "desk_material_add.html",
        json!({
            "reference": request.reference,
            "case_href": format!("/desk/requests/{}?lang={}", request.id, lang.as_str()),
            "post": format!("/desk/requests/{}/{}/new?lang={}", request.id, source.path(), lang.as_str()),
            "file": source == Source::File,
            "heading": t.text(heading, lang),
            "max_mb": ctx.settings.documents.max_upload_mb,
            "registers": registers,
            "grounds": grounds,
            "rows": rows,
            "values": {
                "title": posted.get("title").unwrap_or(""),
                "withheld": posted.get("withheld") == Some("on"),
                "withheld_reason": posted.get("withheld_reason").unwrap_or(""),
                "redacted": posted.get("redacted") == Some("on"),
            },
            "errors": by_field,
            "summary": summary,
        }),
    )
}

/// `GET /desk/requests/{id}/material/{attachment_id}`: give or withhold gathered material.
pub async fn withholding_form(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    let (id, attachment_id) = path.into_inner();
    withholding_page(
        &ctx,
        &req,
        &desk,
        id,
        attachment_id,
        None,
        &[],
        StatusCode::OK,
    )
    .await
}

/// `POST /desk/requests/{id}/material/{attachment_id}`.
pub async fn set_withholding(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    let (id, attachment_id) = path.into_inner();
    let posted = match checked_form(&req, &body) {
        Ok(posted) => posted,
        Err(page) => return page,
    };
    let mut errors = Vec::new();
    let (withheld_ground, withheld_reason) = withholding(&posted, &mut errors);
    if !errors.is_empty() {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return withholding_page(
            &ctx,
            &req,
            &desk,
            id,
            attachment_id,
            Some(&posted),
            &errors,
            status,
        )
        .await;
    }
    let input = WithholdingInput {
        withheld_ground,
        withheld_reason,
    };
    let c = ctx.clone();
    let p = desk.principal.clone();
    let (rid, aid) = (id.clone(), attachment_id.clone());
    match blocking(move || gathering::set_withholding(&c, &p, &rid, &aid, input)).await {
        Ok(_) => see_other(format!(
            "/desk/requests/{id}?lang={}&done=withholding#material-h",
            desk.lang.as_str()
        )),
        Err(ServiceError::Validation(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            withholding_page(
                &ctx,
                &req,
                &desk,
                id,
                attachment_id,
                Some(&posted),
                &errors,
                status,
            )
            .await
        }
        Err(e) => error_page(&ctx, &req, e),
    }
}

#[allow(clippy::too_many_arguments)]
async fn withholding_page(
    ctx: &web::Data<Context>,
    req: &HttpRequest,
    desk: &Desk,
    id: String,
    attachment_id: String,
    posted: Option<&Posted>,
    errors: &[FieldError],
    status: StatusCode,
) -> HttpResponse {
    let c = ctx.clone();
    let p = desk.principal.clone();
    let loaded = blocking(move || {
        let request = queries::get(&c, &p, &id)?;
        let found = gathering::list_attachments(&c, &p, &id)?
            .into_iter()
            .find(|a| a.id == attachment_id)
            .ok_or(ServiceError::NotFound("attachment"))?;
        Ok((request, found))
    })
    .await;
    let (request, material) = match loaded {
        Ok(found) => found,
        Err(e) => return error_page(ctx, req, e),
    };
    if !desk.is(&[Role::Staff]) || request.state.is_terminal() {
        return notice(
            req,
            StatusCode::FORBIDDEN,
            "forbidden_title",
            "desk_action_not_available",
        );
    }
    let lang = desk.lang;
    let t = site();
    let fields = ["withheld_ground", "withheld_reason"];
    let (by_field, summary) = error_views(ctx, lang, &fields, "desk_entry_field_", errors);
    // The form starts from what is recorded now; after an error, from what was posted.
    let (withheld, ground, reason) = match posted {
        Some(p) => (
            p.get("withheld") == Some("on"),
            p.get("withheld_ground").unwrap_or("").to_string(),
            p.get("withheld_reason").unwrap_or("").to_string(),
        ),
        None => (
            material.withheld_ground.is_some(),
            material.withheld_ground.clone().unwrap_or_default(),
            material.withheld_reason.clone().unwrap_or_default(),
        ),
    };
    let grounds = ground_choices(ctx, request.kind, lang, |code| code == ground);
    let title = format!(
        "{} – {}",
        t.text("desk_withholding_title", lang),
        request.reference
    );
    render(
        ctx,
        req,
        desk,
        status,
        title,
        "desk_withholding.html",
        json!({
            "reference": request.reference,
            "case_href": format!("/desk/requests/{}?lang={}#material-h", request.id, lang.as_str()),
            "post": format!("/desk/requests/{}/material/{}?lang={}", request.id, material.id, lang.as_str()),
            "material": material.title,
            "now_withheld": material.withheld_ground.is_some(),
            "grounds": grounds,
            "values": { "withheld": withheld, "withheld_reason": reason },
            "errors": by_field,
            "summary": summary,
        }),
    )
}
