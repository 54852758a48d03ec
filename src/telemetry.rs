//! Logging. Lines carry request ids, methods, route patterns, statuses and durations,
//! never personal data: paths are logged as their route pattern (`/api/v1/requests/{reference}/status`)
//! so references and ids in URLs stay out of the log too.

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::time::Instant;

use crate::config::{log_filter, ConfigError, ProcessEnv};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};

/// Logs to stderr through the `RIGHTSDESK_LOG` filter; a filter that does not parse is an error.
pub fn init() -> Result<(), ConfigError> {
    let filter = log_filter(&ProcessEnv)?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .try_init();
    Ok(())
}

/// Logs one line per HTTP request.
pub struct RequestLog;

impl<S, B> Transform<S, ServiceRequest> for RequestLog
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = RequestLogMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequestLogMiddleware {
            service: std::rc::Rc::new(service),
        }))
    }
}

pub struct RequestLogMiddleware<S> {
    service: std::rc::Rc<S>,
}

impl<S, B> Service<ServiceRequest> for RequestLogMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>>>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        use tracing::Instrument;
        let started = Instant::now();
        let method = req.method().to_string();
        let route = req
            .match_pattern()
            .unwrap_or_else(|| "(unmatched)".to_string());
        let span = tracing::info_span!("http", request_id = %uuid::Uuid::new_v4());
        let service = self.service.clone();
        Box::pin(
            async move {
                let res = service.call(req).await;
                let status = match &res {
                    Ok(r) => r.status().as_u16(),
                    Err(e) => e.as_response_error().status_code().as_u16(),
                };
                tracing::info!(%method, %route, status, ms = started.elapsed().as_millis() as u64, "http");
                res
            }
            .instrument(span),
        )
    }
}
