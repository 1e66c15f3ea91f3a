//! Webhook subscriptions and their deliveries (admins).

use super::extract::Json;
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};

use super::extract::{blocking, validated};
use super::AppState;
use crate::api_types::{
    CreateWebhook, Delivery, Page, PageParams, ProblemDetails, UpdateWebhook, Webhook,
};
use crate::error::Error;
use crate::service::{webhooks, Caller};

/// Subscribes a URL to events about an organization's subtree.
///
/// Each delivery is a JSON body (`{"id", "event", "occurred_at", "data"}`) POSTed with
/// `X-Rectify-Event`, `X-Rectify-Delivery` (the same id on every retry, for de-duplication),
/// `X-Rectify-Timestamp` (Unix seconds) and `X-Rectify-Signature: sha256=<hex>`, the
/// HMAC-SHA256 of `<timestamp>.<body>` keyed with the secret. A receiver answers 2xx to
/// accept; anything else is retried with exponential backoff.
#[utoipa::path(
    tag = "webhooks",
    request_body = CreateWebhook,
    responses(
        (status = 201, body = Webhook, headers(("Location" = String))),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateWebhook>,
) -> Result<HttpResponse, Error> {
    let input = validated(body.into_inner())?;
    let now = state.clock.now();
    let hook =
        blocking(move || webhooks::create(&state.db, &caller, input, &state.webhook_targets, now))
            .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/webhooks/{}", hook.id)))
        .json(hook))
}

/// Lists webhooks (never their secrets).
#[utoipa::path(
    tag = "webhooks",
    params(PageParams),
    responses(
        (status = 200, body = Page<Webhook>),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, Error> {
    let page = validated(page.into_inner())?;
    let found = blocking(move || webhooks::list(&state.db, &caller, page)).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// One webhook.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "Webhook id")),
    responses(
        (status = 200, body = Webhook),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let found = blocking(move || webhooks::get(&state.db, &caller, id)).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Changes a webhook's URL, events or secret, or (`active: false`) pauses it.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "Webhook id")),
    request_body = UpdateWebhook,
    responses(
        (status = 200, body = Webhook),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/api/v1/webhooks/{id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<UpdateWebhook>,
) -> Result<HttpResponse, Error> {
    let (id, input) = (id.into_inner(), validated(body.into_inner())?);
    let now = state.clock.now();
    let found = blocking(move || {
        webhooks::update(&state.db, &caller, id, input, &state.webhook_targets, now)
    })
    .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// A webhook's deliveries, oldest first, each with its attempts.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "Webhook id"), PageParams),
    responses(
        (status = 200, body = Page<Delivery>),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, Error> {
    let (id, page) = (id.into_inner(), validated(page.into_inner())?);
    let found = blocking(move || webhooks::deliveries(&state.db, &caller, id, page)).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// One delivery with its attempts.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "Delivery id")),
    responses(
        (status = 200, body = Delivery),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/webhook-deliveries/{id}")]
pub async fn get_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let found = blocking(move || webhooks::delivery(&state.db, &caller, id)).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Queues a delivered or failed delivery again (same delivery id).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "Delivery id")),
    responses(
        (status = 200, body = Delivery),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Still queued", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/webhook-deliveries/{id}/resend")]
pub async fn resend_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let now = state.clock.now();
    let found = blocking(move || webhooks::resend(&state.db, &caller, id, now)).await?;
    Ok(HttpResponse::Ok().json(found))
}
