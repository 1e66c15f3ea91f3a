use actix_web::{get, web, HttpResponse};

use super::extract::blocking;
use super::AppState;
use crate::api_types::{Health, ProblemDetails, Version};
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
    blocking(move || state.db.ping().map_err(unavailable)).await?;
    Ok(HttpResponse::Ok().json(Health { status: "ready" }))
}

/// The running version: the release, its commit, the database backend and schema.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, body = Version),
        (status = 503, description = "The database does not answer", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/version")]
pub async fn version(state: web::Data<AppState>) -> Result<HttpResponse, Error> {
    let backend = match state.db.backend() {
        rectify_db::Backend::Sqlite => "sqlite",
        rectify_db::Backend::Postgres => "postgresql",
    };
    let schema_version = blocking(move || state.db.schema_version().map_err(unavailable)).await?;
    Ok(HttpResponse::Ok().json(Version {
        version: env!("CARGO_PKG_VERSION"),
        commit: env!("RECTIFY_COMMIT"),
        backend,
        schema_version,
    }))
}

fn unavailable(e: rectify_db::DbError) -> Error {
    Error::new(Code::DatabaseUnavailable, "The database does not answer.").with_internal(e)
}
