//! Text is checked at the boundary, after the credentials and before any extractor or
//! query sees it: a control character
//! in a JSON body (in any string or key) or in a query parameter is a 422 naming the field, on
//! both backends alike. Multipart text fields are checked where they are read.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, ResponseError};
use futures_util::StreamExt;
use serde_json::Value;

use crate::domain::text::{describe, forbidden_char};
use crate::error::{Code, Error};

/// The path of the first string (or key) in a JSON value that holds a forbidden character.
fn first_dirty(value: &Value, path: &str) -> Option<(String, char)> {
    match value {
        Value::String(s) => forbidden_char(s).map(|c| (path.to_owned(), c)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| first_dirty(v, &format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let here = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            forbidden_char(k)
                .map(|c| (here.clone(), c))
                .or_else(|| first_dirty(v, &here))
        }),
        _ => None,
    }
}

fn refused(field: &str, c: char) -> Error {
    Error::invalid_field(
        if field.is_empty() { "(body)" } else { field },
        "control_characters",
        describe(c),
    )
}

/// A multipart text field's value, checked by the same rule.
pub fn check_field(field: &str, value: &str) -> Result<(), Error> {
    forbidden_char(value).map_or(Ok(()), |c| Err(refused(field, c)))
}

fn check_query(query: &str) -> Result<(), Error> {
    if query.is_empty() {
        return Ok(());
    }
    // A query that does not decode is left to the extractor, which names what is wrong.
    let Ok(pairs) = web::Query::<Vec<(String, String)>>::from_query(query) else {
        return Ok(());
    };
    for (key, value) in pairs.into_inner() {
        if let Some(c) = forbidden_char(&key).or_else(|| forbidden_char(&value)) {
            return Err(refused(&key, c));
        }
    }
    Ok(())
}

/// The one operation that takes a JSON body from a caller without credentials.
const SIGN_IN: &str = "/api/v1/auth/login";
/// The upload whose permission is settled by role before its body is read.
const IMPORT: &str = "/api/v1/reviews/import";

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if let Err(error) = check_query(req.query_string()) {
        let response = error.error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"));
    // No byte of a body is parsed for a caller who is not known yet (they get 401 first),
    // except on sign-in, nor of an import for a caller who may not import (they get 403).
    let may_send = match super::extract::authenticated(&req) {
        Some(caller) => req.path() != IMPORT || crate::service::import::authorize(&caller).is_ok(),
        None => req.path() == SIGN_IN,
    };
    let is_json = is_json && may_send;
    let (limit, deadline) = req
        .app_data::<web::Data<BodyLimit>>()
        .map_or((1 << 20, std::time::Duration::from_secs(30)), |l| {
            (l.bytes, l.timeout)
        });
    if is_json {
        // Read the body once (no further than the JSON limit, which the extractor then
        // enforces on what it is handed back), check it, and hand it back unchanged.
        let mut payload = req.take_payload();
        let read = async {
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                body.extend_from_slice(&chunk?);
                if body.len() > limit {
                    break;
                }
            }
            Ok::<_, actix_web::error::PayloadError>(body)
        };
        let body = match actix_web::rt::time::timeout(deadline, read).await {
            Ok(body) => body?,
            Err(_) => {
                let response = timed_out(deadline).error_response();
                return Ok(req.into_response(response).map_into_right_body());
            }
        };
        if body.len() <= limit {
            if let Ok(value) = serde_json::from_slice::<Value>(&body) {
                if let Some((field, c)) = first_dirty(&value, "") {
                    let response = refused(&field, c).error_response();
                    return Ok(req.into_response(response).map_into_right_body());
                }
            }
        }
        // What was read, then whatever is left (a route may take more than the JSON limit:
        // its extractor enforces its own).
        let read = futures_util::stream::once(async move { Ok(body.freeze()) });
        req.set_payload(Payload::Stream {
            payload: Box::pin(read.chain(payload)),
        });
    }
    next.call(req).await.map(|r| r.map_into_left_body())
}

/// The largest JSON body, as the extractors are configured, and the time it may take.
pub struct BodyLimit {
    pub bytes: usize,
    pub timeout: std::time::Duration,
}

/// The next piece of an upload, unless the client has gone quiet for longer than `idle`.
pub async fn within<T>(
    idle: std::time::Duration,
    next: impl std::future::Future<Output = T>,
) -> Result<T, Error> {
    actix_web::rt::time::timeout(idle, next)
        .await
        .map_err(|_| timed_out(idle))
}

fn timed_out(after: std::time::Duration) -> Error {
    Error::new(
        Code::BodyTimeout,
        format!(
            "The body did not arrive within {} seconds; send it at once.",
            after.as_secs()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dirty_field_is_named_by_its_path() {
        let value = serde_json::json!({"problems": [{"title": "好"}, {"title": "坏\u{0}"}]});
        assert_eq!(
            first_dirty(&value, ""),
            Some(("problems[1].title".to_owned(), '\0'))
        );
        assert_eq!(first_dirty(&serde_json::json!({"a": ["\t\n"]}), ""), None);
        assert!(check_query("q=%00x").is_err());
        assert!(check_query("q=%E7%89%A9%E4%B8%9A&limit=5").is_ok());
    }
}
