use super::extract::Json;
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};

use super::extract::{blocking, validated};
use super::AppState;
use crate::api_types::{
    CreateUser, Page, PageParams, ProblemDetails, ResetPasswordRequest, UpdateUser, User, UserQuery,
};
use crate::error::Error;
use crate::service::{users, Caller};

/// Creates a user with an initial password (admin only). The password is never returned.
#[utoipa::path(
    operation_id = "create_user",
    tag = "users",
    request_body = CreateUser,
    responses(
        (status = 201, body = User, headers(("Location" = String))),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The username is taken", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/users")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateUser>,
) -> Result<HttpResponse, Error> {
    let input = validated(body.into_inner())?;
    let now = state.clock.now();
    let user = blocking(move || users::create(&state.db, &caller, input, now)).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", user.id)))
        .json(user))
}

/// Lists the users of the caller's subtree, in id order.
#[utoipa::path(
    operation_id = "list_users",
    tag = "users",
    params(UserQuery, PageParams),
    responses(
        (status = 200, body = Page<User>),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/users")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<UserQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, Error> {
    let (query, page) = (
        validated(query.into_inner())?,
        validated(page.into_inner())?,
    );
    let page = blocking(move || users::list(&state.db, &caller, query, page)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One user.
#[utoipa::path(
    operation_id = "get_user",
    tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, body = User),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such user in the caller's subtree", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/users/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let user = blocking(move || users::get(&state.db, &caller, id)).await?;
    Ok(HttpResponse::Ok().json(user))
}

/// Changes a user's name, email, role, organization or active flag (admin only).
#[utoipa::path(
    operation_id = "update_user",
    tag = "users",
    params(("id" = i64, Path, description = "User id")),
    request_body = UpdateUser,
    responses(
        (status = 200, body = User),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "`own_account`: admins cannot demote or deactivate themselves; `last_admin`: no active admin would be left", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/api/v1/users/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<UpdateUser>,
) -> Result<HttpResponse, Error> {
    let (id, input) = (id.into_inner(), validated(body.into_inner())?);
    let now = state.clock.now();
    let user = blocking(move || users::update(&state.db, &caller, id, input, now)).await?;
    Ok(HttpResponse::Ok().json(user))
}

/// Deactivates a user; their tokens stop working at once (admin only).
#[utoipa::path(
    operation_id = "deactivate_user",
    tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, body = User),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "`own_account`: admins cannot deactivate themselves; `last_admin`: the last active admin", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/users/{id}/deactivate")]
pub async fn deactivate(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let now = state.clock.now();
    let user = blocking(move || users::deactivate(&state.db, &caller, id, now)).await?;
    Ok(HttpResponse::Ok().json(user))
}

/// Sets a new password for a user (admin only); the user's tokens stop working.
#[utoipa::path(
    operation_id = "reset_user_password",
    tag = "users",
    params(("id" = i64, Path, description = "User id")),
    request_body = ResetPasswordRequest,
    responses(
        (status = 200, body = User),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json", description = "`own_account`: an admin changes their own password at /api/v1/auth/password"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/users/{id}/password")]
pub async fn reset_password(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<ResetPasswordRequest>,
) -> Result<HttpResponse, Error> {
    let (id, input) = (id.into_inner(), validated(body.into_inner())?);
    let now = state.clock.now();
    let user =
        blocking(move || users::reset_password(&state.db, &caller, id, &input.new_password, now))
            .await?;
    Ok(HttpResponse::Ok().json(user))
}
