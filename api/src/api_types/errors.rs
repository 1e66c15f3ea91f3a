//! Problem details: how every error leaves the server.

use super::*;

/// An error, as RFC 9457 problem details (`application/problem+json`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemDetails {
    /// A URI naming the kind of problem: `urn:rectify:problem:<code>`.
    #[serde(rename = "type")]
    #[schema(example = "urn:rectify:problem:validation_failed")]
    pub problem_type: String,
    #[schema(example = "Unprocessable Entity")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    #[schema(example = "`code`: may hold only letters A-Z, digits, '_' and '-'")]
    pub detail: String,
    /// Stable machine-readable code.
    #[schema(example = "validation_failed")]
    pub code: String,
    /// Each failing field, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<crate::error::FieldError>,
}
