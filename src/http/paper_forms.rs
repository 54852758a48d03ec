//! `GET /{org}/forms/{kind}.pdf`: a request form to print, fill in by hand and sign. Public,
//! like the web form it mirrors; linked from the organisation's request page.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};

use super::error::{AppError, Problem};
use super::meta::LangQuery;
use crate::domain::codes::ProblemCode;
use crate::domain::enums::{Language, RequestKind};
use crate::services::{blocking, paper_forms, Context};

/// A request form to print, fill in by hand and sign
///
/// One request kind's form in one language, drawn from the same definitions as the web form
/// and `GET /api/v1/forms`, with the organisation's contact details and registers. A4, PDF/A-2b.
#[utoipa::path(tag = "public", params(
    ("org" = String, Path, description = "The organisation's slug"),
    ("kind" = String, Path, description = "Request kind: access, log_inspection, rectification, erasure, restriction, objection or portability"),
    LangQuery,
), responses(
    (status = 200, content_type = "application/pdf", description = "The form, ready to print"),
    (status = 400, body = Problem, content_type = "application/problem+json", description = "`lang` is not fi, sv or en"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such organisation or request kind"),
))]
#[get("/{org}/forms/{kind}.pdf")]
pub async fn paper_form(
    ctx: web::Data<Context>,
    path: web::Path<(String, String)>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, kind) = path.into_inner();
    let Some(kind) = RequestKind::parse(&kind) else {
        return Ok(Problem::new(
            StatusCode::NOT_FOUND,
            ProblemCode::NotFound,
            "no such request kind",
        )
        .response());
    };
    let lang = query.lang.unwrap_or(Language::Fi);
    let form = blocking(move || {
        let mut conn = ctx.conn()?;
        paper_forms::render(
            &mut conn,
            &ctx.rules.forms,
            &ctx.letters,
            &slug,
            kind,
            lang,
            ctx.clock.now(),
        )
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!("inline; filename=\"{}\"", form.filename),
        ))
        // Blank forms hold no personal data; an hour's caching spares repeated drawing.
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(form.pdf))
}
