use actix_web::{get, web, HttpResponse};

use super::extract::blocking;
use super::AppState;
use crate::api_types::{Health, ProblemDetails};
use crate::error::{Code, Error};

/// The process is up.
#[utoipa::path(tag = "health", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    alive().await
}

/// `/healthz`'s answer, for GET and HEAD.
pub async fn alive() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "The database does not answer", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, Error> {
    ready(state).await
}

/// `/readyz`'s answer, for GET and HEAD.
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, Error> {
    blocking(move || {
        state.db.ping().map_err(|e| {
            Error::new(Code::DatabaseUnavailable, "The database does not answer.").with_internal(e)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(Health { status: "ready" }))
}
