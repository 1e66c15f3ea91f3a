//! The one error type of the service.
//!
//! Error policy:
//! - Domain modules return their own typed errors; services turn them into [`Error`] with a
//!   stable snake_case `code` that clients may rely on, and a `detail` written for a person.
//! - The database layer returns [`rectify_db::DbError`]; the conversion below is the only
//!   place where diesel's `NotFound` becomes 404 and a unique violation becomes 409.
//! - Internal causes (I/O, pool, unexpected database errors) are logged with the request id
//!   and never sent: the client gets an opaque 500 with the request id header.
//! - Every error leaves the server as `application/problem+json` (RFC 9457); see `http::problem`.

use std::fmt;

use rectify_db::DbError;
use serde::Serialize;

/// One failing field of a request.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field, as the client named it (`parent_id`, `items[3].title`).
    pub field: String,
    /// The rule that failed (`length`, `required`, `timezone`, …).
    pub code: String,
    pub message: String,
}

#[derive(Debug)]
pub struct Error {
    pub status: u16,
    pub code: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// Extra members of the problem document (for example `allowed_actions`).
    pub extensions: serde_json::Map<String, serde_json::Value>,
    /// Logged, never sent.
    pub internal: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(status: u16, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            extensions: serde_json::Map::new(),
            internal: None,
        }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(400, code, detail)
    }

    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(401, code, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(403, "forbidden", detail)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(404, "not_found", format!("{what} was not found."))
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(409, code, detail)
    }

    /// A request that is well-formed but breaks a rule (422).
    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(422, code, detail)
    }

    /// One field failed a rule.
    pub fn invalid_field(field: &str, rule: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError {
            field: field.to_owned(),
            code: rule.to_owned(),
            message: message.into(),
        }])
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("`{}`: {}", one.field, one.message),
            many => format!(
                "{} fields are invalid: {}.",
                many.len(),
                many.iter()
                    .map(|e| format!("`{}` ({})", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut error = Self::new(422, "validation_failed", detail);
        error.errors = errors;
        error
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        let mut error = Self::new(
            500,
            "internal_error",
            "The server failed to handle this request. It has been logged with the request id.",
        );
        error.internal = Some(cause.to_string());
        error
    }

    /// Keeps a cause for the log (never sent).
    pub fn with_internal(mut self, cause: impl fmt::Display) -> Self {
        self.internal = Some(cause.to_string());
        self
    }

    /// Maps a query's "no such row" to 404 naming the record; any other database error as
    /// usual. With `From<diesel::result::Error>` below, the only place `NotFound` is read.
    pub fn missing(what: impl Into<String>) -> impl FnOnce(diesel::result::Error) -> Error {
        let what = what.into();
        move |e| match e {
            diesel::result::Error::NotFound => Error::not_found(&what),
            other => other.into(),
        }
    }

    pub fn with_extension(mut self, key: &str, value: impl Serialize) -> Self {
        self.extensions.insert(
            key.to_owned(),
            serde_json::to_value(value).unwrap_or(serde_json::Value::Null),
        );
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.detail)?;
        if let Some(internal) = &self.internal {
            write!(f, " (cause: {internal})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<diesel::result::Error> for Error {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error as Diesel};
        match e {
            Diesel::NotFound => Self::not_found("The record"),
            Diesel::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Self::conflict(
                "already_exists",
                "A record with the same unique value already exists.",
            ),
            Diesel::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => Self::conflict(
                "concurrent_update",
                "Another request changed this record at the same time; retry.",
            ),
            other => Self::internal(format!("database: {other}")),
        }
    }
}

impl From<DbError> for Error {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Query(e) => e.into(),
            DbError::Pool(e) => {
                let mut error = Self::new(
                    503,
                    "database_unavailable",
                    "The database is not reachable right now; retry shortly.",
                );
                error.internal = Some(e.to_string());
                error
            }
        }
    }
}

impl From<validator::ValidationErrors> for Error {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut list = Vec::new();
        flatten_validation("", &errors, &mut list);
        list.sort_by(|a, b| a.field.cmp(&b.field));
        Self::validation(list)
    }
}

fn flatten_validation(
    prefix: &str,
    errors: &validator::ValidationErrors,
    out: &mut Vec<FieldError>,
) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        let name = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    out.push(FieldError {
                        field: name.clone(),
                        code: e.code.to_string(),
                        message: e
                            .message
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_else(|| format!("fails the `{}` rule", e.code)),
                    });
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten_validation(&name, inner, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    flatten_validation(&format!("{name}[{index}]"), inner, out);
                }
            }
        }
    }
}

impl From<crate::export::ExportError> for Error {
    fn from(e: crate::export::ExportError) -> Self {
        Self::internal(e)
    }
}
