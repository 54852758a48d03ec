//! Server-rendered pages for people, beside the API: the organisation's request page and
//! forms, the status page, the accessibility statement, and the staff desk (`desk/`).
//! Plain HTML and one stylesheet, no scripts: they work without JavaScript, and the
//! Content-Security-Policy forbids any.

mod csrf;
mod desk;
mod eid;
mod error;
pub mod form;
mod public;
pub mod site;

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;

use crate::ratelimit::RetryAfter;
use crate::services::Context;

/// When the accessibility statement was last reviewed.
pub const STATEMENT_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 23) {
    Some(d) => d,
    None => panic!("valid date"),
};

/// The policy sent with every response: nothing inline, nothing from elsewhere.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the pages to the app; the API and fixed paths are mounted before them, and
/// organisations cannot take their names as slugs (`domain::slugs::RESERVED_SLUGS`).
pub fn mount<T>(app: actix_web::App<T>) -> actix_web::App<T>
where
    T: actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Error = actix_web::Error,
        InitError = (),
    >,
{
    desk::mount(app.route("/static/site.css", web::get().to(stylesheet)))
        .route("/{org}", web::get().to(redirect_to_slash))
        .route("/{org}/", web::get().to(public::org_page))
        .route("/{org}/request/{kind}", web::get().to(public::form_page))
        .route("/{org}/request/{kind}", web::post().to(public::form_post))
        .route("/{org}/status", web::get().to(public::status_page))
        .route("/{org}/status", web::post().to(public::status_post))
        .route(
            "/{org}/status/documents/{doc_id}",
            web::get().to(public::document),
        )
        .route("/{org}/accessibility", web::get().to(public::accessibility))
        .route("/{org}/eid/start", web::get().to(eid::start))
        .route("/{org}/eid/return", web::post().to(eid::finish))
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(site::STYLESHEET)
}

async fn redirect_to_slash(req: HttpRequest) -> HttpResponse {
    let query = req.query_string();
    let location = if query.is_empty() {
        format!("{}/", req.path())
    } else {
        format!("{}/?{query}", req.path())
    };
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", location))
        .finish()
}

/// The 429 page: what happened, how long to wait, and (in the footer) how to reach the
/// organisation when it cannot wait.
pub fn too_many(
    req: &HttpRequest,
    retry: RetryAfter,
    org: Option<serde_json::Value>,
) -> HttpResponse {
    let lang = site::page_language(req);
    let frame = site::Frame {
        req,
        lang,
        title: site::site().text("too_many_title", lang),
        org,
        csrf: None,
    };
    let text = site::site()
        .text("too_many_text", lang)
        .replace("{minutes}", &retry.minutes().to_string());
    let mut resp = frame.message(StatusCode::TOO_MANY_REQUESTS, "too_many_title", text);
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&retry.0.to_string()) {
        resp.headers_mut()
            .insert(actix_web::http::header::RETRY_AFTER, v);
    }
    resp
}

/// Cookies are marked Secure when the service is reached over TLS (`public_url` is https).
fn secure_cookies(ctx: &Context) -> bool {
    ctx.settings.web.public_url.starts_with("https://")
}

fn with_cookie(mut resp: HttpResponse, cookie: Option<Cookie<'static>>) -> HttpResponse {
    if let Some(c) = cookie {
        let _ = resp.add_cookie(&c);
    }
    resp
}

pub use crate::letters::context::format_date;

#[cfg(test)]
mod tests {
    use crate::domain::slugs::RESERVED_SLUGS;

    #[test]
    fn the_fixed_paths_are_reserved_slugs() {
        // First segments mounted before `/{org}`: here (static, dpo) and by the API.
        for fixed in ["static", "dpo", "api", "health", "openapi.json"] {
            assert!(RESERVED_SLUGS.contains(&fixed), "{fixed}");
        }
    }
}
