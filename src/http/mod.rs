//! The HTTP surface: route table, handlers and the OpenAPI document built from them.

pub mod admin;
pub mod auth;
pub mod body;
pub mod desk;
pub mod documents;
pub mod dpo;
pub mod error;
pub mod logs;
pub mod meta;
pub mod paper_forms;
pub mod requests;
pub mod session;

use actix_web::{web, HttpRequest, HttpResponse};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::{scope, AppExt};

use self::error::{bad_request, redact_quoted, Problem};
use crate::domain::codes::ProblemCode;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "rightsdesk API",
        description = "Data-protection requests (GDPR Art 15-21, Act 703/2023 § 11 log data) for Finnish social-services registers: submission, legal deadlines, staff workflow, DPO views. Errors are RFC 9457 problem documents with a stable `code`."
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "public", description = "No sign-in: health, forms (online and on paper), legal grounds, submission, status"),
        (name = "auth", description = "Access tokens for staff, DPO and admin"),
        (name = "requests", description = "Staff work on requests"),
        (name = "dpo", description = "Deadlines, statistics and the audit chain"),
        (name = "admin", description = "Registers and users of the organisation"),
        (name = "documents", description = "Letters, export bundles, gathered attachments and staff downloads"),
        (name = "items", description = "Items to rectify, erase or restrict, their decisions, and the recipients told (Art 19)"),
        (name = "access-log", description = "Access-log ingestion and ingest tokens, log searches and log-inspection reports"),
        (name = "meta", description = "The public key that verifies export bundles"),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "status_token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Status-Token"))),
        );
    }
}

fn mount<T>(app: actix_web::App<T>) -> (actix_web::App<T>, utoipa::openapi::OpenApi)
where
    T: actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Error = actix_web::Error,
        InitError = (),
    >,
{
    app.into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .app_data(json_config())
        .app_data(web::PayloadConfig::new(MAX_BODY))
        .app_data(query_config())
        .app_data(path_config())
        .service(meta::health)
        .service(paper_forms::paper_form)
        .service(
            scope::scope("/api/v1")
                .service(meta::forms)
                .service(meta::legal_grounds)
                .service(session::token)
                .service(session::change_password)
                .service(requests::create)
                .service(desk::search)
                .service(requests::list)
                .service(requests::get)
                .service(requests::act)
                .service(requests::events)
                .service(desk::list_notes)
                .service(desk::add_note)
                .service(desk::list_messages)
                .service(desk::send_message)
                .service(desk::reissue_status_code)
                .service(requests::status)
                .service(dpo::deadlines)
                .service(dpo::statistics)
                .service(dpo::verify_audit)
                .service(dpo::failed_messages)
                .service(dpo::reopen)
                .service(admin::create_register)
                .service(admin::list_registers)
                .service(admin::create_user)
                .service(admin::list_users)
                .service(admin::update_user)
                .service(admin::reset_password)
                .service(admin::update_register)
                .service(documents::list)
                .service(documents::create_letter)
                .service(documents::create_bundle)
                .service(documents::download)
                .service(documents::upload)
                .service(documents::add_entry)
                .service(documents::list_attachments)
                .service(documents::set_withholding)
                .service(documents::set_release)
                .service(documents::add_item)
                .service(documents::list_items)
                .service(documents::decide_item)
                .service(documents::add_recipient)
                .service(documents::list_recipients)
                .service(documents::recipient_notified)
                .service(documents::clear_review)
                .service(documents::keys)
                .service(documents::get_profile)
                .service(documents::update_profile)
                .service(documents::requester_download)
                .service(logs::ingest)
                .service(logs::create_token)
                .service(logs::list_tokens)
                .service(logs::revoke_token)
                .service(logs::search)
                .service(logs::report)
                .service(logs::record_misuse_finding),
        )
        .split_for_parts()
}

/// Mounts every API route on `app` and serves the OpenAPI document; the pages are mounted
/// after it and [`not_found`] answers what is left (see `startup`).
pub fn build_app<T>(app: actix_web::App<T>) -> actix_web::App<T>
where
    T: actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Error = actix_web::Error,
        InitError = (),
    >,
{
    let (app, api) = mount(app);
    let doc = web::Data::new(api);
    app.app_data(doc)
        .route("/openapi.json", web::get().to(serve_openapi))
}

async fn serve_openapi(doc: web::Data<utoipa::openapi::OpenApi>) -> HttpResponse {
    HttpResponse::Ok().json(doc.get_ref())
}

/// The OpenAPI document exactly as served, for the committed copy and its test.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    mount(actix_web::App::new()).1
}

/// Unknown paths: a problem document.
pub async fn not_found(_req: HttpRequest) -> HttpResponse {
    Problem::new(
        actix_web::http::StatusCode::NOT_FOUND,
        ProblemCode::NotFound,
        "no such resource",
    )
    .response()
}

const MAX_JSON_BODY: usize = 256 * 1024;

/// Every other body the service reads whole: page forms (a log report's ticked events are the
/// largest) and raw bodies. Log ingestion streams its own, larger body after its token is
/// checked; uploads stream to disk under their own limit.
pub const MAX_BODY: usize = 1024 * 1024;

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_JSON_BODY)
        .error_handler(|err, _req| {
            use actix_web::error::JsonPayloadError as E;
            match err {
                E::ContentType => {
                    let p = Problem::new(
                        actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        ProblemCode::UnsupportedMediaType,
                        "send the body as application/json",
                    );
                    actix_web::error::InternalError::from_response("content type", p.response())
                        .into()
                }
                E::Overflow { .. } | E::OverflowKnownLength { .. } => {
                    let p = Problem::new(
                        actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                        ProblemCode::PayloadTooLarge,
                        format!("the body may be at most {MAX_JSON_BODY} bytes"),
                    );
                    actix_web::error::InternalError::from_response("too large", p.response()).into()
                }
                E::Deserialize(e) => bad_request(
                    ProblemCode::InvalidJson,
                    format!(
                        "the body is not valid here: {}",
                        redact_quoted(&e.to_string())
                    ),
                ),
                other => bad_request(ProblemCode::InvalidBody, redact_quoted(&other.to_string())),
            }
        })
}

fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        bad_request(
            ProblemCode::InvalidQuery,
            format!(
                "invalid query parameters: {}",
                redact_quoted(&err.to_string())
            ),
        )
    })
}

fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _req| {
        bad_request(ProblemCode::InvalidPath, redact_quoted(&err.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// Every tag an operation uses is declared with a description, and every declared tag is used.
    #[test]
    fn the_tags_in_use_are_the_declared_tags() {
        let doc = serde_json::to_value(super::openapi_document()).unwrap();
        let declared: BTreeSet<&str> = doc["tags"]
            .as_array()
            .expect("declared tags")
            .iter()
            .map(|t| {
                let name = t["name"].as_str().unwrap();
                let description = t["description"].as_str().unwrap_or_default();
                assert!(
                    !description.trim().is_empty(),
                    "tag {name} has no description"
                );
                name
            })
            .collect();
        let mut used = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let Some(tags) = op.get("tags") else {
                    // Path-level fields (parameters, summary…) are not operations.
                    assert!(
                        !op.is_object() || op.get("responses").is_none(),
                        "{method} {path} has no tag"
                    );
                    continue;
                };
                for tag in tags.as_array().unwrap() {
                    used.insert(tag.as_str().unwrap());
                }
            }
        }
        assert_eq!(used, declared, "used (left) vs declared (right)");
    }
}
