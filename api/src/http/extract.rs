use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use validator::Validate;

use crate::error::Error;
use crate::http::AppState;
use crate::service::{accounts, Caller};

/// Runs blocking work (database, password hashing) off the async workers.
pub async fn blocking<T, F>(f: F) -> Result<T, Error>
where
    F: FnOnce() -> Result<T, Error> + Send + 'static,
    T: Send + 'static,
{
    web::block(f).await.map_err(Error::internal)?
}

/// Checks validator rules on a request body or query.
pub fn validated<T: Validate>(value: T) -> Result<T, Error> {
    value.validate()?;
    Ok(value)
}

/// The authenticated caller: a valid bearer token of an active user.
impl FromRequest for Caller {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let read_only = matches!(
            *req.method(),
            actix_web::http::Method::GET
                | actix_web::http::Method::HEAD
                | actix_web::http::Method::OPTIONS
        );
        let request_id = actix_web::HttpMessage::extensions(req)
            .get::<crate::http::request_id::RequestId>()
            .map(|r| r.0.clone());
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        Box::pin(async move {
            let state = state.ok_or_else(|| Error::internal("application state missing"))?;
            let token = match token {
                None => {
                    return Err(Error::unauthorized(
                        "missing_token",
                        "This endpoint needs an Authorization: Bearer <token> header.",
                    ))
                }
                Some(value) => match value.split_once(' ') {
                    Some((scheme, token))
                        if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
                    {
                        token.trim().to_owned()
                    }
                    _ => {
                        return Err(Error::unauthorized(
                            "invalid_token",
                            "The Authorization header must be `Bearer <token>`.",
                        ))
                    }
                },
            };
            let mut caller =
                blocking(move || accounts::authenticate(&state.db, &state.tokens, &token)).await?;
            if !caller.can_write && !read_only {
                return Err(Error::new(
                    403,
                    "insufficient_scope",
                    "This service token has only the read scope; writing needs `write`.",
                ));
            }
            caller.request_id = request_id;
            Ok(caller)
        })
    }
}

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use crate::service::idempotency::{Answer, OnceKey};

/// The version a client's `If-Match` names (`"3"`, `W/"3"`); `*` or no header means any.
pub fn if_match(req: &HttpRequest) -> Result<Option<i64>, Error> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i64>()
        .map(Some)
        .map_err(|_| {
            Error::new(
                412,
                "version_mismatch",
                format!(
                    "If-Match {text:?} names no version of this record; send the ETag you read."
                ),
            )
        })
}

/// The `Idempotency-Key` of a request, bound to its caller, method, path and body.
pub fn once_key<T: serde::Serialize>(
    req: &HttpRequest,
    caller: &Caller,
    body: &T,
) -> Result<Option<OnceKey>, Error> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().map_err(|_| {
        Error::bad_request(
            "invalid_idempotency_key",
            "Idempotency-Key must be visible ASCII characters.",
        )
    })?;
    let body = serde_json::to_vec(body).map_err(Error::internal)?;
    OnceKey::new(
        caller.idempotency_scope(),
        key,
        req.method().as_str(),
        req.path(),
        &body,
    )
    .map(Some)
}

/// `ETag` for a record at a version.
pub fn etag(version: i64) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// A JSON answer with its ETag.
pub fn json_with_etag<T: serde::Serialize>(value: &T, version: i64) -> HttpResponse {
    HttpResponse::Ok().insert_header(etag(version)).json(value)
}

/// Sends an answer from a service that may have replayed it for a repeated request.
pub fn answer(answer: Answer) -> HttpResponse {
    let mut response =
        HttpResponse::build(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK));
    response.content_type("application/json");
    if let Some(location) = &answer.location {
        response.insert_header((header::LOCATION, location.clone()));
    }
    if let Some(version) = serde_json::from_str::<serde_json::Value>(&answer.body)
        .ok()
        .and_then(|v| v.get("version").and_then(serde_json::Value::as_i64))
    {
        response.insert_header(etag(version));
    }
    if answer.replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    response.body(answer.body)
}
