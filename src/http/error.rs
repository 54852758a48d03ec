//! RFC 9457 problem documents for every error, with a stable snake_case `code`.

use std::sync::OnceLock;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::codes::{FieldCode, ProblemCode};
use crate::domain::enums::Language;
use crate::domain::forms::Forms;
use crate::domain::validation::FieldError;
use crate::domain::workflow::Action;
use crate::services::ServiceError;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// Dotted path of the field, e.g. `subject.personal_id` or `details.items[0].should_say`.
    pub field: String,
    pub code: FieldCode,
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: ProblemCode,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// With `action_not_allowed`: what the request's state allows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<Action>>,
}

impl Problem {
    pub fn new(status: StatusCode, code: ProblemCode, detail: impl Into<String>) -> Problem {
        Problem {
            problem_type: format!("urn:rightsdesk:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            code,
            errors: Vec::new(),
            allowed_actions: None,
        }
    }

    pub fn response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        HttpResponse::build(status)
            .content_type(PROBLEM_JSON)
            .json(self)
    }
}

/// 429 with `Retry-After`: an address has used up its rate limit.
pub fn too_many_requests(retry: crate::ratelimit::RetryAfter) -> HttpResponse {
    let mut resp = Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        ProblemCode::TooManyRequests,
        format!(
            "too many attempts from this address; try again in {} seconds",
            retry.0
        ),
    )
    .response();
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&retry.0.to_string()) {
        resp.headers_mut()
            .insert(actix_web::http::header::RETRY_AFTER, v);
    }
    resp
}

/// Field messages come from `forms/messages.toml`; the API speaks English.
fn messages() -> Option<&'static Forms> {
    static FORMS: OnceLock<Option<Forms>> = OnceLock::new();
    FORMS.get_or_init(|| Forms::embedded().ok()).as_ref()
}

#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct AppError(#[from] pub ServiceError);

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match &self.0 {
            ServiceError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::Conflict { .. } => StatusCode::CONFLICT,
            ServiceError::Unauthorized | ServiceError::BadCredentials => StatusCode::UNAUTHORIZED,
            ServiceError::Forbidden => StatusCode::FORBIDDEN,
            ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let problem = match &self.0 {
            ServiceError::Validation(errors) => match messages() {
                Some(forms) => validation_problem(errors, Language::En, forms),
                None => Problem::new(
                    status,
                    ProblemCode::ValidationFailed,
                    "the request has invalid fields",
                ),
            },
            ServiceError::NotFound(what) => {
                Problem::new(status, ProblemCode::NotFound, format!("{what} not found"))
            }
            ServiceError::Conflict {
                code,
                detail,
                allowed,
            } => {
                let mut p = Problem::new(status, *code, detail.clone());
                p.allowed_actions = allowed.clone();
                p
            }
            ServiceError::Unauthorized => Problem::new(
                status,
                ProblemCode::Unauthorized,
                "a valid bearer token is required",
            ),
            ServiceError::BadCredentials => {
                Problem::new(status, ProblemCode::BadCredentials, self.0.to_string())
            }
            ServiceError::Forbidden => {
                Problem::new(status, ProblemCode::Forbidden, self.0.to_string())
            }
            ServiceError::Internal(cause) => {
                // The cause chain is logged, never sent. It holds no personal data: causes are
                // database, pool and I/O errors, and inputs never enter them.
                tracing::error!(error = format!("{cause:#}"), "internal error");
                Problem::new(
                    status,
                    ProblemCode::InternalError,
                    "an internal error occurred; it has been logged",
                )
            }
        };
        let mut response = problem.response();
        if let ServiceError::Validation(errors) = &self.0 {
            // Kept for `localise`, which answers in the caller's language.
            response
                .extensions_mut()
                .insert(FieldErrors(errors.clone()));
        }
        if matches!(
            self.0,
            ServiceError::Unauthorized | ServiceError::BadCredentials
        ) {
            response.headers_mut().insert(
                actix_web::http::header::WWW_AUTHENTICATE,
                actix_web::http::header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// A validation problem with each field's message in `lang`.
pub fn validation_problem(errors: &[FieldError], lang: Language, forms: &Forms) -> Problem {
    let mut p = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ProblemCode::ValidationFailed,
        "the request has invalid fields; see errors",
    );
    p.errors = errors
        .iter()
        .map(|e| FieldProblem {
            field: e.field.clone(),
            code: e.code,
            message: forms.message(e.code.as_str(), lang, e.params.as_ref()),
        })
        .collect();
    p
}

#[derive(Clone)]
struct FieldErrors(Vec<FieldError>);

/// The first of fi, sv and en that `Accept-Language` asks for, by quality.
pub fn preferred_language(header: Option<&str>) -> Option<Language> {
    let mut tags: Vec<(f32, Language)> = header?
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next()?.trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = Language::parse(tag.split('-').next()?)?;
            Some((q, lang))
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0));
    tags.first().map(|(_, l)| *l)
}

/// Middleware: field messages of a validation problem in the caller's language
/// (`Accept-Language`: fi, sv or en; English otherwise), from the configured forms.
pub async fn localise(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let lang = preferred_language(
        req.headers()
            .get(actix_web::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let ctx = req
        .app_data::<actix_web::web::Data<crate::services::Context>>()
        .cloned();
    let res = next.call(req).await?;
    let errors = res.response().extensions().get::<FieldErrors>().cloned();
    match (lang, errors, ctx) {
        (Some(lang), Some(FieldErrors(errors)), Some(ctx)) if lang != Language::En => {
            let (req, _) = res.into_parts();
            let body = validation_problem(&errors, lang, &ctx.rules.forms).response();
            Ok(actix_web::dev::ServiceResponse::new(req, body))
        }
        _ => Ok(res.map_into_boxed_body()),
    }
}

/// Strips quoted values from a parser message so input never echoes back (it may be personal data).
pub fn redact_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_quote = false;
    for c in message.chars() {
        if c == '"' {
            if !in_quote {
                out.push_str("\"…\"");
            }
            in_quote = !in_quote;
        } else if !in_quote {
            out.push(c);
        }
    }
    out
}

pub fn bad_request(code: ProblemCode, detail: impl Into<String>) -> actix_web::Error {
    let problem = Problem::new(StatusCode::BAD_REQUEST, code, detail);
    actix_web::error::InternalError::from_response(problem.detail.clone(), problem.response())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_a_language_of_service() {
        assert_eq!(
            preferred_language(Some("sv-FI,sv;q=0.9,en;q=0.8")),
            Some(Language::Sv)
        );
        assert_eq!(
            preferred_language(Some("de-DE, en;q=0.5, fi;q=0.7")),
            Some(Language::Fi)
        );
        assert_eq!(preferred_language(Some("de")), None);
        assert_eq!(preferred_language(None), None);
    }

    #[test]
    fn quoted_input_is_not_echoed() {
        assert_eq!(
            redact_quoted("invalid type: string \"Maija Meikäläinen\", expected a boolean"),
            "invalid type: string \"…\", expected a boolean"
        );
        assert_eq!(
            redact_quoted("unknown field `colour`"),
            "unknown field `colour`"
        );
    }
}
