//! RFC 9457 problem documents for every error, with a stable snake_case `code`.

use std::sync::OnceLock;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::enums::Language;
use crate::domain::forms::Forms;
use crate::domain::workflow::Action;
use crate::services::ServiceError;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// Dotted path of the field, e.g. `subject.personal_id` or `details.items[0].should_say`.
    pub field: String,
    pub code: String,
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
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// With `action_not_allowed`: what the request's state allows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<Action>>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Problem {
        Problem {
            problem_type: format!("urn:rightsdesk:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_string(),
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
            ServiceError::Validation(errors) => {
                let mut p = Problem::new(
                    status,
                    "validation_failed",
                    "the request has invalid fields; see errors",
                );
                p.errors = errors
                    .iter()
                    .map(|e| FieldProblem {
                        field: e.field.clone(),
                        code: e.code.clone(),
                        message: messages()
                            .map(|f| f.message(&e.code, Language::En, e.params.as_ref()))
                            .unwrap_or_else(|| e.code.replace('_', " ")),
                    })
                    .collect();
                p
            }
            ServiceError::NotFound(what) => {
                Problem::new(status, "not_found", format!("{what} not found"))
            }
            ServiceError::Conflict {
                code,
                detail,
                allowed,
            } => {
                let mut p = Problem::new(status, code, detail.clone());
                p.allowed_actions = allowed.clone();
                p
            }
            ServiceError::Unauthorized => {
                Problem::new(status, "unauthorized", "a valid bearer token is required")
            }
            ServiceError::BadCredentials => {
                Problem::new(status, "bad_credentials", self.0.to_string())
            }
            ServiceError::Forbidden => Problem::new(status, "forbidden", self.0.to_string()),
            ServiceError::Internal(cause) => {
                // The cause chain is logged, never sent. It holds no personal data: causes are
                // database, pool and I/O errors, and inputs never enter them.
                tracing::error!(error = format!("{cause:#}"), "internal error");
                Problem::new(
                    status,
                    "internal_error",
                    "an internal error occurred; it has been logged",
                )
            }
        };
        let mut response = problem.response();
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

pub fn bad_request(code: &str, detail: impl Into<String>) -> actix_web::Error {
    let problem = Problem::new(StatusCode::BAD_REQUEST, code, detail);
    actix_web::error::InternalError::from_response(problem.detail.clone(), problem.response())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

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
