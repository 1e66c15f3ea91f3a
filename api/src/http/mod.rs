//! The HTTP surface: thin handlers (request → service call → response), registered once so
//! that routes and the OpenAPI document cannot drift apart.

mod accounts;
mod catalog;
mod closing;
pub mod extract;
mod health;
mod organizations;
pub mod problem;
mod problems;
pub mod request_id;
mod reviews;
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
    /// "Now" for every date that matters (deadlines, overdue); fixed in tests.
    pub clock: std::sync::Arc<dyn crate::domain::deadline::Clock>,
    /// Where evidence files are kept.
    pub store: std::sync::Arc<dyn crate::storage::BlobStore>,
    pub evidence_max_bytes: u64,
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
    components(schemas(crate::api_types::ProblemDetails)),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "auth", description = "Signing in and one's own account"),
        (name = "organizations", description = "The organization tree (党组织)"),
        (name = "users", description = "People and their roles"),
        (name = "reviews", description = "Reviews (检视/会议/反馈) that found problems, with their aspects (方面)"),
        (name = "problems", description = "Problems (问题): the tickets, their workflow, history and notes"),
        (name = "causes", description = "Root causes (原因), linked to problems"),
        (name = "measures", description = "Corrective measures (整改措施), linked to problems"),
        (name = "evidence", description = "Evidence files (佐证材料) that prove the work"),
        (name = "extensions", description = "Deadline extension requests (延期申请)"),
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
        .service(users::reset_password)
        .service(reviews::create)
        .service(reviews::list)
        .service(reviews::get)
        .service(reviews::update)
        .service(problems::create)
        .service(problems::list)
        .service(problems::get)
        .service(problems::update)
        .service(problems::transition)
        .service(problems::history)
        .service(problems::add_note)
        .service(problems::notes)
        .service(catalog::create_cause)
        .service(catalog::list_causes)
        .service(catalog::get_cause)
        .service(catalog::update_cause)
        .service(catalog::create_measure)
        .service(catalog::list_measures)
        .service(catalog::get_measure)
        .service(catalog::update_measure)
        .service(closing::upload)
        .service(closing::list)
        .service(closing::content)
        .service(closing::remove)
        .service(closing::request_extension)
        .service(closing::decide)
        .service(closing::list_extensions)
        .service(closing::get_extension);
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
