use super::extract::Json;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};

use super::extract::recorded;
use super::extract::{blocking, if_match, json_with_etag, once, reply, validated};
use super::AppState;
use crate::api_types::{
    CreateReview, Page, PageParams, ProblemDetails, Review, ReviewQuery, UpdateReview,
};
use crate::error::Error;
use crate::service::idempotency::Recorded;
use crate::service::{reviews, Caller};
use actix_web::http::StatusCode;

/// Records a review (a meeting, an inspection's feedback, an audit) with its aspects.
#[utoipa::path(
    operation_id = "create_review",
    tag = "reviews",
    request_body = CreateReview,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key and body returns the first answer")),
    responses(
        (status = 201, body = Review, headers(("Location" = String), ("ETag" = String))),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/reviews")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: Json<CreateReview>,
) -> Result<HttpResponse, Error> {
    let input = validated(body.into_inner())?;
    let once = once(&req, &caller, &input, created_review)?;
    let now = state.clock.now();
    reply(
        blocking(move || reviews::create(&state.db, &caller, input, once, now)).await?,
        created_review,
    )
}

/// Lists the reviews the caller can see, newest first.
#[utoipa::path(
    operation_id = "list_reviews",
    tag = "reviews",
    params(ReviewQuery, PageParams),
    responses(
        (status = 200, body = Page<Review>),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/reviews")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ReviewQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, Error> {
    let (query, page) = (
        validated(query.into_inner())?,
        validated(page.into_inner())?,
    );
    let page = blocking(move || reviews::list(&state.db, &caller, query, page)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One review.
#[utoipa::path(
    operation_id = "get_review",
    tag = "reviews",
    params(("id" = i64, Path, description = "Review id")),
    responses(
        (status = 200, body = Review, headers(("ETag" = String))),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/reviews/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let review = blocking(move || reviews::get(&state.db, &caller, id)).await?;
    Ok(json_with_etag(&review, review.version))
}

/// Changes a review; `aspects` replaces the list.
#[utoipa::path(
    operation_id = "update_review",
    tag = "reviews",
    params(("id" = i64, Path, description = "Review id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if the review changed since")),
    request_body = UpdateReview,
    responses(
        (status = 200, body = Review, headers(("ETag" = String))),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "An aspect in use would be removed, or a concurrent change", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/api/v1/reviews/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<UpdateReview>,
) -> Result<HttpResponse, Error> {
    let (id, input, expected) = (
        id.into_inner(),
        validated(body.into_inner())?,
        if_match(&req)?,
    );
    let now = state.clock.now();
    let review =
        blocking(move || reviews::update(&state.db, &caller, id, input, expected, now)).await?;
    Ok(json_with_etag(&review, review.version))
}

fn created_review(review: &Review) -> Result<Recorded, Error> {
    recorded(
        StatusCode::CREATED,
        review,
        Some(format!("/api/v1/reviews/{}", review.id)),
    )
}
