//! Causes and measures: the same four endpoints each.

use super::extract::Json;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};

use super::extract::recorded;
use super::extract::{blocking, if_match, json_with_etag, once, reply, validated};
use super::AppState;
use crate::api_types::{
    CatalogQuery, Cause, CreateCause, CreateMeasure, Measure, MeasureQuery, Page, PageParams,
    ProblemDetails, UpdateCause, UpdateMeasure,
};
use crate::error::Error;
use crate::service::idempotency::Recorded;
use crate::service::{catalog, Caller};
use actix_web::http::StatusCode;

/// Adds a cause to a review, optionally linked to its problems (coordinators).
#[utoipa::path(
    tag = "causes",
    request_body = CreateCause,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key and body returns the first answer")),
    responses(
        (status = 201, body = Cause, headers(("Location" = String), ("ETag" = String))),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/causes")]
pub async fn create_cause(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: Json<CreateCause>,
) -> Result<HttpResponse, Error> {
    let input = validated(body.into_inner())?;
    let once = once(&req, &caller, &input, created_cause)?;
    let now = state.clock.now();
    reply(
        blocking(move || catalog::create_cause(&state.db, &caller, input, once, now)).await?,
        created_cause,
    )
}

/// Lists the causes the caller can see.
#[utoipa::path(
    tag = "causes",
    params(CatalogQuery, PageParams),
    responses(
        (status = 200, body = Page<Cause>),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/causes")]
pub async fn list_causes(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<CatalogQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, Error> {
    let (query, page) = (
        validated(query.into_inner())?,
        validated(page.into_inner())?,
    );
    let page = blocking(move || catalog::list_causes(&state.db, &caller, query, page)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One cause.
#[utoipa::path(
    tag = "causes",
    params(("id" = i64, Path, description = "Cause id")),
    responses(
        (status = 200, body = Cause, headers(("ETag" = String))),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/causes/{id}")]
pub async fn get_cause(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let item = blocking(move || catalog::get_cause(&state.db, &caller, id)).await?;
    Ok(json_with_etag(&item, item.version))
}

/// Changes a cause; `problem_ids` replaces its links.
#[utoipa::path(
    tag = "causes",
    params(("id" = i64, Path, description = "Cause id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = UpdateCause,
    responses(
        (status = 200, body = Cause, headers(("ETag" = String))),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/api/v1/causes/{id}")]
pub async fn update_cause(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<UpdateCause>,
) -> Result<HttpResponse, Error> {
    let (id, input, expected) = (
        id.into_inner(),
        validated(body.into_inner())?,
        if_match(&req)?,
    );
    let now = state.clock.now();
    let item =
        blocking(move || catalog::update_cause(&state.db, &caller, id, input, expected, now))
            .await?;
    Ok(json_with_etag(&item, item.version))
}

/// Adds a measure to a review, optionally linked to its problems (coordinators).
#[utoipa::path(
    tag = "measures",
    request_body = CreateMeasure,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key and body returns the first answer")),
    responses(
        (status = 201, body = Measure, headers(("Location" = String), ("ETag" = String))),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/measures")]
pub async fn create_measure(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: Json<CreateMeasure>,
) -> Result<HttpResponse, Error> {
    let input = validated(body.into_inner())?;
    let once = once(&req, &caller, &input, created_measure)?;
    let now = state.clock.now();
    reply(
        blocking(move || catalog::create_measure(&state.db, &caller, input, once, now)).await?,
        created_measure,
    )
}

/// Lists the measures the caller can see.
#[utoipa::path(
    tag = "measures",
    params(MeasureQuery, PageParams),
    responses(
        (status = 200, body = Page<Measure>),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/measures")]
pub async fn list_measures(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<MeasureQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, Error> {
    let (query, page) = (
        validated(query.into_inner())?,
        validated(page.into_inner())?,
    );
    let now = state.clock.now();
    let page =
        blocking(move || catalog::list_measures(&state.db, &caller, query, page, now)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One measure.
#[utoipa::path(
    tag = "measures",
    params(("id" = i64, Path, description = "Measure id")),
    responses(
        (status = 200, body = Measure, headers(("ETag" = String))),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/measures/{id}")]
pub async fn get_measure(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let now = state.clock.now();
    let item = blocking(move || catalog::get_measure(&state.db, &caller, id, now)).await?;
    Ok(json_with_etag(&item, item.version))
}

/// Changes a measure; `problem_ids` replaces its links. `{"done": true}` marks it done.
#[utoipa::path(
    tag = "measures",
    params(("id" = i64, Path, description = "Measure id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = UpdateMeasure,
    responses(
        (status = 200, body = Measure, headers(("ETag" = String))),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/api/v1/measures/{id}")]
pub async fn update_measure(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<UpdateMeasure>,
) -> Result<HttpResponse, Error> {
    let (id, input, expected) = (
        id.into_inner(),
        validated(body.into_inner())?,
        if_match(&req)?,
    );
    let now = state.clock.now();
    let item =
        blocking(move || catalog::update_measure(&state.db, &caller, id, input, expected, now))
            .await?;
    Ok(json_with_etag(&item, item.version))
}

fn created_cause(cause: &Cause) -> Result<Recorded, Error> {
    recorded(
        StatusCode::CREATED,
        cause,
        Some(format!("/api/v1/causes/{}", cause.id)),
    )
}

fn created_measure(measure: &Measure) -> Result<Recorded, Error> {
    recorded(
        StatusCode::CREATED,
        measure,
        Some(format!("/api/v1/measures/{}", measure.id)),
    )
}
