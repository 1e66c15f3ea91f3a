use actix_web::{delete, get, post, web, HttpResponse};

use super::extract::{blocking, validated, Json};
use super::AppState;
use crate::api_types::{AddWatcher, Page, ProblemDetails, Watcher};
use crate::error::Error;
use crate::service::watchers::{self, Watched};
use crate::service::Caller;

async fn add(
    state: web::Data<AppState>,
    caller: Caller,
    watched: Watched,
    body: Json<AddWatcher>,
) -> Result<HttpResponse, Error> {
    let input = validated(body.into_inner())?;
    let now = state.clock.now();
    let watcher = blocking(move || watchers::add(&state.db, &caller, watched, input, now)).await?;
    Ok(HttpResponse::Created().json(watcher))
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    watched: Watched,
) -> Result<HttpResponse, Error> {
    let page = blocking(move || watchers::list(&state.db, &caller, watched)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Adds a watcher (抄送) to a problem: a user, or an organization (its people and those below
/// it), who may then read it even outside their subtree and whose webhooks get its events
/// (a coordinator; adding the same watcher again changes nothing).
#[utoipa::path(
    operation_id = "add_problem_watcher",
    tag = "problems",
    params(("id" = i64, Path, description = "Problem id")),
    request_body = AddWatcher,
    responses(
        (status = 201, body = Watcher),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Only a coordinator (a person) manages watchers", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such problem in the caller's subtree", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Not exactly one of user_id and organization_id, or no such active one", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/problems/{id}/watchers")]
pub async fn add_problem_watcher(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<AddWatcher>,
) -> Result<HttpResponse, Error> {
    add(state, caller, Watched::Problem(id.into_inner()), body).await
}

/// A problem's own watchers (those of its review are listed on the review).
#[utoipa::path(
    operation_id = "list_problem_watchers",
    tag = "problems",
    params(("id" = i64, Path, description = "Problem id")),
    responses((status = 200, body = Page<Watcher>), (status = 401, body = ProblemDetails, content_type = "application/problem+json"), (status = 404, description = "No such problem in the caller's subtree", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/problems/{id}/watchers")]
pub async fn list_problem_watchers(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    list(state, caller, Watched::Problem(id.into_inner())).await
}

/// Adds a watcher (抄送) to a whole review: each of its problems, as for a problem's watcher.
#[utoipa::path(
    operation_id = "add_review_watcher",
    tag = "reviews",
    params(("id" = i64, Path, description = "Review id")),
    request_body = AddWatcher,
    responses(
        (status = 201, body = Watcher),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Only a coordinator (a person) manages watchers", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such review in the caller's subtree", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Not exactly one of user_id and organization_id, or no such active one", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/reviews/{id}/watchers")]
pub async fn add_review_watcher(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<AddWatcher>,
) -> Result<HttpResponse, Error> {
    add(state, caller, Watched::Review(id.into_inner()), body).await
}

#[utoipa::path(
    operation_id = "list_review_watchers",
    tag = "reviews",
    params(("id" = i64, Path, description = "Review id")),
    responses((status = 200, body = Page<Watcher>), (status = 401, body = ProblemDetails, content_type = "application/problem+json"), (status = 404, description = "No such review in the caller's subtree", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/reviews/{id}/watchers")]
pub async fn list_review_watchers(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    list(state, caller, Watched::Review(id.into_inner())).await
}

/// Removes a watcher (a coordinator who sees the watched problem or review).
#[utoipa::path(
    operation_id = "remove_watcher",
    tag = "problems",
    params(("id" = i64, Path, description = "Watcher id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Only a coordinator (a person) manages watchers", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such watcher of a record in the caller's subtree", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/api/v1/watchers/{id}")]
pub async fn remove_watcher(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let now = state.clock.now();
    blocking(move || watchers::remove(&state.db, &caller, id, now)).await?;
    Ok(HttpResponse::NoContent().finish())
}
