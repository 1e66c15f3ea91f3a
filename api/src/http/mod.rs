//! The HTTP surface: thin handlers (request → service call → response), registered once so
//! that routes and the OpenAPI document cannot drift apart.

mod accounts;
pub mod extract;
mod health;
mod organizations;
pub mod problem;
pub mod request_id;
mod users;

use actix_web::web;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::TokenKeys;
use rectify_db::Db;

/// What every handler can reach.
pub struct AppState {
    pub db: Db,
    pub tokens: TokenKeys,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rectify API",
        description = "A rectification ledger (整改台账): problems found by reviews, their causes, \
                       measures, owners and deadlines, through to close-out (销号).",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::api_types::Problem)),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "auth", description = "Signing in and one's own account"),
        (name = "organizations", description = "The organization tree (党组织)"),
        (name = "users", description = "People and their roles"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from POST /api/v1/auth/login."))
                    .build(),
            ),
        );
    }
}

/// Registers every endpoint; the same registration produces the OpenAPI document.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(accounts::login)
        .service(accounts::me)
        .service(accounts::change_password)
        .service(organizations::create)
        .service(organizations::list)
        .service(organizations::get)
        .service(organizations::update)
        .service(organizations::deactivate)
        .service(users::create)
        .service(users::list)
        .service(users::get)
        .service(users::update)
        .service(users::deactivate)
        .service(users::reset_password);
}

/// The whole OpenAPI document, as served at `/api/v1/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, doc) = utoipa_actix_web::AppExt::into_utoipa_app(actix_web::App::new())
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    doc
}

/// Extractor settings that turn malformed input into problem documents.
pub fn extractor_config(cfg: &mut web::ServiceConfig, max_body_bytes: usize) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(max_body_bytes)
            .error_handler(problem::json_error),
    )
    .app_data(web::PayloadConfig::default().limit(max_body_bytes))
    .app_data(web::QueryConfig::default().error_handler(problem::query_error))
    .app_data(web::PathConfig::default().error_handler(problem::path_error));
}
