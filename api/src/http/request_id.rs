//! Gives every request an id (the client's `X-Request-Id` when it sends a sane one) and a
//! trace (the caller's W3C `traceparent`, or a new one), puts both on every log line of the
//! request and the id in the response, and logs how the request ended.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use tracing::Instrument;

use crate::domain::trace::TraceParent;

pub const HEADER: &str = "x-request-id";

#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn acceptable(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic())
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let trace = req
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .and_then(TraceParent::parse)
        .unwrap_or_else(|| TraceParent::start(crate::telemetry::random_bytes()));
    let trace_id = trace.trace_id.clone();
    req.extensions_mut().insert(RequestId(id.clone()));
    req.extensions_mut().insert(trace);
    let span = tracing::info_span!("request", request_id = %id, trace_id = %trace_id, method = %req.method(), path = %req.path());
    let started = Instant::now();
    let mut response = next.call(req).instrument(span.clone()).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(HEADER), value);
    }
    let status = response.status().as_u16();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if let Some(error) = response.response().error() {
            if status >= 500 {
                // The cause stays here; the client got an opaque problem.
                tracing::error!(status, elapsed_ms, error = %error, "request failed");
                return;
            }
        }
        tracing::info!(status, elapsed_ms, "request finished");
    });
    Ok(response)
}
