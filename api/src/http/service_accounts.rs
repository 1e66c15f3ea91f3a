//! Service accounts of office systems (admins).

use super::extract::Json;
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};

use super::extract::{blocking, validated};
use super::AppState;
use crate::api_types::{
    CreateServiceAccount, IssuedServiceToken, Page, PageParams, ProblemDetails, ServiceAccount,
    UpdateServiceAccount,
};
use crate::error::Error;
use crate::service::{service_accounts, Caller};

/// Creates a service account for an office system, with its first token (shown once).
#[utoipa::path(
    tag = "service-accounts",
    request_body = CreateServiceAccount,
    responses(
        (status = 201, description = "Created; `token` is shown this once", body = IssuedServiceToken, headers(("Location" = String))),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/service-accounts")]
pub async fn create_service_account(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateServiceAccount>,
) -> Result<HttpResponse, Error> {
    let input = validated(body.into_inner())?;
    let now = state.clock.now();
    let issued = blocking(move || service_accounts::create(&state.db, &caller, input, now)).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/service-accounts/{}", issued.account.id),
        ))
        .json(issued))
}

/// Lists service accounts with their tokens (never the secrets).
#[utoipa::path(
    tag = "service-accounts",
    params(PageParams),
    responses(
        (status = 200, body = Page<ServiceAccount>),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/service-accounts")]
pub async fn list_service_accounts(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, Error> {
    let page = validated(page.into_inner())?;
    let found = blocking(move || service_accounts::list(&state.db, &caller, page)).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// One service account, with its tokens' prefixes and when each was last used.
#[utoipa::path(
    tag = "service-accounts",
    params(("id" = i64, Path, description = "Service account id")),
    responses(
        (status = 200, body = ServiceAccount),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/service-accounts/{id}")]
pub async fn get_service_account(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let found = blocking(move || service_accounts::get(&state.db, &caller, id)).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Renames an account, changes its scopes, or (`active: false`) stops all its tokens.
#[utoipa::path(
    tag = "service-accounts",
    params(("id" = i64, Path, description = "Service account id")),
    request_body = UpdateServiceAccount,
    responses(
        (status = 200, body = ServiceAccount),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/api/v1/service-accounts/{id}")]
pub async fn update_service_account(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<UpdateServiceAccount>,
) -> Result<HttpResponse, Error> {
    let (id, input) = (id.into_inner(), validated(body.into_inner())?);
    let now = state.clock.now();
    let found =
        blocking(move || service_accounts::update(&state.db, &caller, id, input, now)).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Issues another token for the account (for rotation); shown once.
#[utoipa::path(
    tag = "service-accounts",
    params(("id" = i64, Path, description = "Service account id")),
    responses(
        (status = 201, description = "Issued; `token` is shown this once", body = IssuedServiceToken),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The account is deactivated", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/service-accounts/{id}/tokens")]
pub async fn issue_service_token(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let now = state.clock.now();
    let issued =
        blocking(move || service_accounts::issue_token(&state.db, &caller, id, now)).await?;
    Ok(HttpResponse::Created().json(issued))
}

/// Revokes a token; it stops working at once.
#[utoipa::path(
    tag = "service-accounts",
    params(
        ("id" = i64, Path, description = "Service account id"),
        ("token_id" = i64, Path, description = "Token id"),
    ),
    responses(
        (status = 200, body = ServiceAccount),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Revoked already", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/api/v1/service-accounts/{id}/tokens/{token_id}")]
pub async fn revoke_service_token(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, Error> {
    let (id, token_id) = path.into_inner();
    let now = state.clock.now();
    let account =
        blocking(move || service_accounts::revoke_token(&state.db, &caller, id, token_id, now))
            .await?;
    Ok(HttpResponse::Ok().json(account))
}
