//! Every error leaves as `application/problem+json` (RFC 9457), including the ones actix
//! raises itself before a handler runs: malformed JSON, wrong content type, too large a body,
//! bad path or query parameters, unknown routes.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use crate::api_types::ProblemDetails;
use crate::error::{Code, Error, Kind};

/// The one place a kind of error becomes an HTTP status.
pub fn status_of(kind: Kind) -> StatusCode {
    match kind {
        Kind::BadRequest => StatusCode::BAD_REQUEST,
        Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
        Kind::Forbidden => StatusCode::FORBIDDEN,
        Kind::NotFound => StatusCode::NOT_FOUND,
        Kind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        Kind::Conflict => StatusCode::CONFLICT,
        Kind::VersionMismatch => StatusCode::PRECONDITION_FAILED,
        Kind::Timeout => StatusCode::REQUEST_TIMEOUT,
        Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Kind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        Kind::UnsupportedMedia => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Kind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

pub const PROBLEM_JSON: &str = "application/problem+json";

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        status_of(self.kind())
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let problem = ProblemDetails {
            problem_type: format!("urn:rectify:problem:{}", self.code),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.as_str().to_owned(),
            errors: self.errors.clone(),
        };
        let mut body = serde_json::to_value(&problem).unwrap_or_default();
        if let Some(object) = body.as_object_mut() {
            object.extend(self.extensions.clone());
        }
        let mut response = HttpResponse::build(status);
        response.content_type(PROBLEM_JSON);
        if let Some(seconds) = self.extensions.get("retry_after").and_then(|v| v.as_i64()) {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if status == StatusCode::UNAUTHORIZED {
            let value = format!(
                "Bearer error=\"invalid_token\", error_description=\"{}\"",
                self.code
            );
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.insert_header((header::WWW_AUTHENTICATE, value));
            }
        }
        response.body(body.to_string())
    }
}

/// The README's table of error codes, from the code table and the status of each kind.
pub fn error_code_table() -> String {
    let mut table =
        String::from("| code | status | meaning | `detail` in Chinese |\n|---|---|---|---|\n");
    for code in Code::ALL {
        table.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            code.as_str(),
            status_of(code.kind()).as_u16(),
            code.meaning(),
            code.chinese()
        ));
    }
    table
}

pub fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let error = match &err {
        JsonPayloadError::OverflowKnownLength { length, limit } => Error::new(
            Code::PayloadTooLarge,
            format!("The body is {length} bytes; at most {limit} are accepted."),
        ),
        JsonPayloadError::Overflow { limit } => Error::new(
            Code::PayloadTooLarge,
            format!("The body is larger than the {limit} bytes accepted."),
        ),
        JsonPayloadError::ContentType => Error::new(
            Code::UnsupportedMediaType,
            "The body must be JSON, sent with Content-Type: application/json.",
        ),
        // Bodies are read as JSON values first (`extract::Json`): only their syntax can fail
        // here; fields that do not fit are named by `extract::from_json_value`.
        JsonPayloadError::Deserialize(e) => Error::new(
            Code::MalformedJson,
            format!("The body is not valid JSON: {e}."),
        ),
        other => Error::new(
            Code::UnreadableBody,
            format!("The body could not be read: {other}."),
        ),
    };
    error.into()
}

pub fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    Error::new(
        Code::InvalidQuery,
        format!("A query parameter is invalid: {err}."),
    )
    .into()
}

pub fn path_error(_err: PathError, req: &HttpRequest) -> actix_web::Error {
    Error::not_found(&format!("The resource {}", req.path())).into()
}

/// The paths the service answers and their methods, from the same registration as the routes.
pub struct RouteTable {
    routes: Vec<(Vec<Option<String>>, Vec<String>)>,
}

impl RouteTable {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let mut routes: Vec<(Vec<Option<String>>, Vec<String>)> = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path
                    .trim_matches('/')
                    .split('/')
                    .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
                    .collect();
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter(|(_, present)| *present)
                .map(|(m, _)| m.to_owned())
                .collect();
                (segments, methods)
            })
            .collect();
        routes.push((
            vec![
                Some("api".into()),
                Some("v1".into()),
                Some("openapi.json".into()),
            ],
            vec!["GET".into()],
        ));
        Self { routes }
    }

    /// The methods a path accepts, if it is one of ours.
    fn allowed(&self, path: &str) -> Vec<String> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut methods: Vec<String> = self
            .routes
            .iter()
            .filter(|(segments, _)| {
                segments.len() == parts.len()
                    && segments
                        .iter()
                        .zip(&parts)
                        .all(|(s, p)| s.as_deref().is_none_or(|s| s == *p))
            })
            .flat_map(|(_, m)| m.iter().cloned())
            .collect();
        methods.sort();
        methods.dedup();
        methods
    }
}

/// No route matched: 405 with `Allow` when the path is ours but not the method, else 404.
pub async fn no_route(req: HttpRequest) -> HttpResponse {
    let allowed = req
        .app_data::<actix_web::web::Data<RouteTable>>()
        .map(|table| table.allowed(req.path()))
        .unwrap_or_default();
    if !allowed.is_empty() {
        let mut response = Error::new(
            Code::MethodNotAllowed,
            format!(
                "{} {} is not an endpoint; this path takes {}.",
                req.method(),
                req.path(),
                allowed.join(", ")
            ),
        )
        .with_extension("allowed_methods", &allowed)
        .error_response();
        if let Ok(value) = HeaderValue::from_str(&allowed.join(", ")) {
            response.headers_mut().insert(header::ALLOW, value);
        }
        return response;
    }
    Error::new(
        Code::NoRoute,
        format!("There is no endpoint {} {}.", req.method(), req.path()),
    )
    .error_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code a client can receive is documented, with its status, from the one table.
    #[test]
    fn the_readme_lists_every_error_code() {
        let readme = include_str!("../../../README.md");
        let table = error_code_table();
        assert!(
            readme.contains(&table),
            "README.md's error codes differ from error::Code; they should read:\n\n{table}"
        );
    }

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert!(code
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
        }
    }
}
