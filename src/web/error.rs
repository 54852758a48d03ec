//! Service errors as pages, mapped as the API maps them (`http::error::AppError`), in the
//! page's language. A 500 logs its whole cause chain, so the fault can be found from the
//! request id; causes are database, pool and I/O errors, which carry no personal data.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use super::site::notice;
use crate::services::{Context, ServiceError};

/// The page for a service error: not found, forbidden, the sign-in (401), invalid (422),
/// conflict (409) or, for anything else, a calm 500.
pub fn error_page(ctx: &Context, req: &HttpRequest, e: ServiceError) -> HttpResponse {
    match answer(e) {
        Answer::SignIn(problem) => {
            let next = match req.query_string() {
                "" => req.path().to_string(),
                q => format!("{}?{q}", req.path()),
            };
            super::desk::login_page(ctx, req, StatusCode::UNAUTHORIZED, problem, "", &next)
        }
        Answer::Notice(status, title, text) => notice(req, status, title, text),
    }
}

#[derive(Debug, PartialEq)]
enum Answer {
    /// The sign-in form, with a problem text when credentials were wrong.
    SignIn(Option<&'static str>),
    /// A page that says what happened: status, title and text keys.
    Notice(StatusCode, &'static str, &'static str),
}

fn answer(e: ServiceError) -> Answer {
    match e {
        ServiceError::Unauthorized => Answer::SignIn(None),
        ServiceError::BadCredentials => Answer::SignIn(Some("desk_login_failed")),
        ServiceError::NotFound(_) => {
            Answer::Notice(StatusCode::NOT_FOUND, "not_found_title", "not_found_text")
        }
        ServiceError::Forbidden => {
            Answer::Notice(StatusCode::FORBIDDEN, "forbidden_title", "forbidden_text")
        }
        ServiceError::Validation(_) => Answer::Notice(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_title",
            "invalid_text",
        ),
        ServiceError::Conflict { .. } => {
            Answer::Notice(StatusCode::CONFLICT, "conflict_title", "conflict_text")
        }
        ServiceError::Internal(cause) => {
            // Inside the request's span, so the line carries its request id.
            tracing::error!(error = format!("{cause:#}"), "page failed");
            Answer::Notice(
                StatusCode::INTERNAL_SERVER_ERROR,
                "error_title",
                "error_text",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use actix_web::test::TestRequest;

    use super::*;
    use crate::domain::codes::{FieldCode, ProblemCode};

    #[test]
    fn service_errors_map_as_in_the_api() {
        let status = |e| match answer(e) {
            Answer::SignIn(_) => StatusCode::UNAUTHORIZED,
            Answer::Notice(status, _, _) => status,
        };
        assert_eq!(
            status(ServiceError::NotFound("request")),
            StatusCode::NOT_FOUND
        );
        assert_eq!(status(ServiceError::Forbidden), StatusCode::FORBIDDEN);
        assert_eq!(
            status(ServiceError::field("year", FieldCode::InvalidYear)),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let conflict = ServiceError::Conflict {
            code: ProblemCode::ActionNotAllowed,
            detail: "closed".into(),
            allowed: None,
        };
        assert_eq!(status(conflict), StatusCode::CONFLICT);
        assert_eq!(
            status(ServiceError::Internal(anyhow::anyhow!("pool timed out"))),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(answer(ServiceError::Unauthorized), Answer::SignIn(None));
        assert_eq!(
            answer(ServiceError::BadCredentials),
            Answer::SignIn(Some("desk_login_failed"))
        );
    }

    #[test]
    fn every_notice_has_its_texts() {
        let req = TestRequest::with_uri("/satama/?lang=sv").to_http_request();
        let errors = [
            ServiceError::NotFound("request"),
            ServiceError::Forbidden,
            ServiceError::field("year", FieldCode::InvalidYear),
            ServiceError::Conflict {
                code: ProblemCode::ActionNotAllowed,
                detail: "closed".into(),
                allowed: None,
            },
        ];
        for e in errors {
            let Answer::Notice(status, title, text) = answer(e) else {
                panic!("a notice")
            };
            for key in [title, text] {
                let sv = crate::web::site::site().text(key, crate::domain::enums::Language::Sv);
                assert!(!sv.starts_with('['), "{key} has no text");
            }
            assert_eq!(notice(&req, status, title, text).status(), status);
        }
    }

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failed_page_logs_the_cause_chain_with_the_request_id() {
        let log = Captured::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let cause = anyhow::anyhow!("no such table: registers").context("listing registers");
        tracing::subscriber::with_default(subscriber, || {
            let _span = tracing::info_span!("http", request_id = %"req-42").entered();
            answer(ServiceError::Internal(cause));
        });
        let line = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        assert!(line.contains("request_id=req-42"), "{line}");
        assert!(
            line.contains("listing registers: no such table: registers"),
            "{line}"
        );
    }
}
