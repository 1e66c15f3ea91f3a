//! The audit log (auditors and admins).

use actix_web::{get, web, HttpResponse};

use super::extract::{blocking, validated};
use super::AppState;
use crate::api_types::{
    AuditEntry, AuditQuery, AuditVerification, Page, PageParams, ProblemDetails,
};
use crate::error::Error;
use crate::service::{audit, Caller};

/// Entries of the audit log in sequence order: every write, who made it, from which request,
/// and the fields it changed. Auditors see their subtree's entries.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery, PageParams),
    responses(
        (status = 200, body = Page<AuditEntry>),
        (status = 403, description = "Neither an auditor nor an admin", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AuditQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, Error> {
    let (query, page) = (
        validated(query.into_inner())?,
        validated(page.into_inner())?,
    );
    let found = blocking(move || audit::list(&state.db, &caller, query, page)).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Recomputes the whole hash chain and names the first entry that does not hold.
#[utoipa::path(
    tag = "audit",
    responses(
        (status = 200, body = AuditVerification),
        (status = 403, description = "Neither an auditor nor an admin", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/audit/verify")]
pub async fn verify_audit(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, Error> {
    let result = blocking(move || audit::verify(&state.db, &caller)).await?;
    Ok(HttpResponse::Ok().json(result))
}
