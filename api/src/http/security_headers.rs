//! Headers every response carries: no content sniffing; nothing that answered a credential is
//! kept by a cache; HTML may not be framed and runs only what it is served with.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

/// The interactive documentation (Swagger UI) needs its own scripts and styles, inline styles
/// and inline images; nothing from elsewhere.
const DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
/// The console: its own stylesheet and script, its own images (evidence previews), forms sent
/// only to itself; nothing inline, nothing from elsewhere.
const CONSOLE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     object-src 'none'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
/// Any other HTML (the digest) is a document: its own inline styles, nothing to run.
const DOCUMENT_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let authenticated = req.headers().contains_key(header::AUTHORIZATION);
    let docs = req.path().starts_with("/docs");
    let console = req.path().starts_with("/console");
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if authenticated && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html {
        let policy = if docs {
            DOCS_POLICY
        } else if console {
            CONSOLE_POLICY
        } else {
            DOCUMENT_POLICY
        };
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(policy),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    Ok(response)
}
