use super::extract::Json;
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};

use super::extract::{blocking, validated};
use super::AppState;
use crate::api_types::{
    CreateOrganization, Organization, OrganizationQuery, Page, PageParams, ProblemDetails,
    UpdateOrganization,
};
use crate::error::Error;
use crate::service::{organizations, Caller};

/// Creates an organization under a parent (admin only).
#[utoipa::path(
    operation_id = "create_organization",
    tag = "organizations",
    request_body = CreateOrganization,
    responses(
        (status = 201, body = Organization, headers(("Location" = String))),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/organizations")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateOrganization>,
) -> Result<HttpResponse, Error> {
    let input = validated(body.into_inner())?;
    let now = state.clock.now();
    let org = blocking(move || organizations::create(&state.db, &caller, input, now)).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/organizations/{}", org.id),
        ))
        .json(org))
}

/// Lists the organizations the caller can see, in id order.
#[utoipa::path(
    operation_id = "list_organizations",
    tag = "organizations",
    params(OrganizationQuery, PageParams),
    responses(
        (status = 200, body = Page<Organization>),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/organizations")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<OrganizationQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, Error> {
    let (query, page) = (
        validated(query.into_inner())?,
        validated(page.into_inner())?,
    );
    let page = blocking(move || organizations::list(&state.db, &caller, query, page)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One organization.
#[utoipa::path(
    operation_id = "get_organization",
    tag = "organizations",
    params(("id" = i64, Path, description = "Organization id")),
    responses(
        (status = 200, body = Organization),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such organization in the caller's subtree", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/organizations/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let org = blocking(move || organizations::get(&state.db, &caller, id)).await?;
    Ok(HttpResponse::Ok().json(org))
}

/// Changes an organization's name, time zone, parent or active flag (admin only).
#[utoipa::path(
    operation_id = "update_organization",
    tag = "organizations",
    params(("id" = i64, Path, description = "Organization id")),
    request_body = UpdateOrganization,
    responses(
        (status = 200, body = Organization),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "It still has active organizations or users", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/api/v1/organizations/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<UpdateOrganization>,
) -> Result<HttpResponse, Error> {
    let (id, input) = (id.into_inner(), validated(body.into_inner())?);
    let now = state.clock.now();
    let org = blocking(move || organizations::update(&state.db, &caller, id, input, now)).await?;
    Ok(HttpResponse::Ok().json(org))
}

/// Deactivates an organization that has no active organizations or users left (admin only).
#[utoipa::path(
    operation_id = "deactivate_organization",
    tag = "organizations",
    params(("id" = i64, Path, description = "Organization id")),
    responses(
        (status = 200, body = Organization),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "The root cannot be deactivated", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/organizations/{id}/deactivate")]
pub async fn deactivate(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let now = state.clock.now();
    let org = blocking(move || organizations::deactivate(&state.db, &caller, id, now)).await?;
    Ok(HttpResponse::Ok().json(org))
}
