use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use validator::Validate;

use crate::error::{Code, Error};
use crate::http::AppState;
use crate::service::{accounts, Caller};

/// Runs blocking work (database, password hashing) off the async workers.
pub async fn blocking<T, F>(f: F) -> Result<T, Error>
where
    F: FnOnce() -> Result<T, Error> + Send + 'static,
    T: Send + 'static,
{
    // The request's span (with its request id) goes along onto the blocking thread.
    let span = tracing::Span::current();
    web::block(move || span.in_scope(f))
        .await
        .map_err(Error::internal)?
}

/// The client's address: the connection's peer, or, when the peer is a trusted proxy, the
/// last address in X-Forwarded-For that is not a trusted proxy itself.
pub fn client_address(req: &HttpRequest, trusted: &[std::net::IpAddr]) -> std::net::IpAddr {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<std::net::IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
}

/// Checks validator rules on a request body or query.
pub fn validated<T: Validate>(value: T) -> Result<T, Error> {
    value.validate()?;
    Ok(value)
}

/// Who a request's credentials name, worked out once before any extractor runs (see
/// [`authenticate`]), so that a refusal for the credentials always comes before one for the
/// body: extractors are polled together, and the first to fail wins.
#[derive(Clone)]
struct Authenticated(Result<Caller, Error>);

/// Authenticates a request that carries credentials, before routing reaches the handler.
pub async fn authenticate(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let value = value.to_str().unwrap_or_default().to_owned();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let outcome = match state {
            Some(state) => caller_of(state, value).await,
            None => Err(Error::internal("application state missing")),
        };
        actix_web::HttpMessage::extensions_mut(&req).insert(Authenticated(outcome));
    }
    next.call(req).await
}

/// The caller [`authenticate`] found for this request, if its credentials were accepted.
pub fn authenticated(req: &actix_web::dev::ServiceRequest) -> Option<Caller> {
    match actix_web::HttpMessage::extensions(req).get::<Authenticated>() {
        Some(Authenticated(Ok(caller))) => Some(caller.clone()),
        _ => None,
    }
}

async fn caller_of(state: web::Data<AppState>, value: String) -> Result<Caller, Error> {
    let token = match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            token.trim().to_owned()
        }
        // A token pasted alone (`rct_…`, or a JWT): say what to put before it.
        _ if value.starts_with("rct_") || value.starts_with("eyJ") => {
            return Err(Error::new(
                Code::InvalidToken,
                "The Authorization header holds a token without its scheme; send it as \
                 `Authorization: Bearer <token>` (the word Bearer, a space, then the token).",
            ))
        }
        _ => {
            return Err(Error::new(
                Code::InvalidToken,
                "The Authorization header must be `Bearer <token>`.",
            ))
        }
    };
    let now = state.clock.now();
    blocking(move || accounts::authenticate(&state.db, &state.tokens, &state.callers, &token, now))
        .await
}

/// The authenticated caller: a valid bearer token of an active user (or an office system's
/// token), as [`authenticate`] found it; ready at once.
impl FromRequest for Caller {
    type Error = Error;
    type Future = std::future::Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let read_only = matches!(
            *req.method(),
            actix_web::http::Method::GET
                | actix_web::http::Method::HEAD
                | actix_web::http::Method::OPTIONS
        );
        let extensions = actix_web::HttpMessage::extensions(req);
        let outcome = match extensions.get::<Authenticated>() {
            None => Err(Error::new(
                Code::MissingToken,
                "This endpoint needs an Authorization: Bearer <token> header.",
            )),
            Some(Authenticated(outcome)) => outcome.clone(),
        };
        let request_id = extensions
            .get::<crate::http::request_id::RequestId>()
            .map(|r| r.0.clone());
        let trace = extensions
            .get::<crate::domain::trace::TraceParent>()
            .map(|t| t.header());
        std::future::ready(outcome.and_then(|mut caller| {
            if !caller.can_write && !read_only {
                return Err(Error::new(
                    Code::InsufficientScope,
                    "This service token has only the read scope; writing needs `write`.",
                ));
            }
            caller.request_id = request_id;
            caller.trace = trace;
            Ok(caller)
        }))
    }
}

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use crate::service::idempotency::{Once, OnceKey, Outcome, Recorded, Render};

/// The version a client's `If-Match` names (`"3-…"`, `"3"`, `W/"3"`); `*` or no header means
/// any.
pub fn if_match(req: &HttpRequest) -> Result<Option<i64>, Error> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    super::conditional::version_of(text)
        .map(Some)
        .ok_or_else(|| {
            Error::new(
                Code::VersionMismatch,
                format!(
                    "If-Match {text:?} names no version of this record; send the ETag you read."
                ),
            )
        })
}

/// The `Idempotency-Key` of a request, bound to its caller, method, path and body, with how
/// its first answer is recorded.
pub fn once<T, B: serde::Serialize>(
    req: &HttpRequest,
    caller: &Caller,
    body: &B,
    render: Render<T>,
) -> Result<Option<Once<T>>, Error> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().map_err(|_| {
        Error::new(
            Code::InvalidIdempotencyKey,
            "Idempotency-Key must be visible ASCII characters.",
        )
    })?;
    let body = serde_json::to_vec(body).map_err(Error::internal)?;
    let key = OnceKey::new(
        caller.idempotency_scope(),
        key,
        req.method().as_str(),
        req.path(),
        &body,
    )?;
    Ok(Some(Once { key, render }))
}

/// An answer as it is sent and remembered: a status, a JSON body and where it lives.
pub fn recorded<T: serde::Serialize>(
    status: StatusCode,
    value: &T,
    location: Option<String>,
) -> Result<Recorded, Error> {
    Ok(Recorded {
        status: status.as_u16(),
        body: serde_json::to_string(value).map_err(Error::internal)?,
        location,
    })
}

/// `ETag` for a record at a version.
pub fn etag(version: i64) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// A JSON answer with its ETag.
pub fn json_with_etag<T: serde::Serialize>(value: &T, version: i64) -> HttpResponse {
    HttpResponse::Ok().insert_header(etag(version)).json(value)
}

/// Sends a use case's outcome: rendered now, or the very answer given the first time.
pub fn reply<T>(outcome: Outcome<T>, render: Render<T>) -> Result<HttpResponse, Error> {
    let (answer, replayed) = match outcome {
        Outcome::Done(value) => (render(&value)?, false),
        Outcome::Replayed(answer) => (answer, true),
    };
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
    if replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(response.body(answer.body))
}

/// A JSON body, read as actix's `web::Json` reads one (content type, size limit, syntax), then
/// turned into `T` naming the path of the first value that does not fit (`problems[10].deadline`)
/// in `errors[]`, where serde alone would say "at line 1 column 54".
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Turns a JSON value into `T`, or a 422 `invalid_body` naming the field path and the rule.
pub fn from_json_value<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        // A missing field is named by serde inside the object at `path`; an unknown one is
        // the last step of `path` already.
        let quoted = inner.split('`').nth(1).map(str::to_owned);
        let (field, rule) = if inner.starts_with("missing field") {
            (join_path(&path, quoted.as_deref()), "required")
        } else if inner.starts_with("unknown field") {
            (path.clone(), "unknown_field")
        } else {
            (path.clone(), "type")
        };
        let mut error = Error::new(
            Code::InvalidBody,
            format!("The body does not have the expected fields: `{field}`: {inner}."),
        );
        error.errors.push(crate::error::FieldError {
            field,
            code: rule.to_owned(),
            message: inner,
        });
        error
    })
}

fn join_path(path: &str, field: Option<&str>) -> String {
    match (path, field) {
        (".", Some(field)) | ("", Some(field)) => field.to_owned(),
        (path, Some(field)) => format!("{path}.{field}"),
        (path, None) => path.to_owned(),
    }
}

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = value.await?.into_inner();
            Ok(Json(from_json_value(value)?))
        })
    }
}
