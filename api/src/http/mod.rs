//! The HTTP surface: thin handlers (request → service call → response), registered once so
//! that routes and the OpenAPI document cannot drift apart.

pub(crate) mod accounts;
mod audit;
mod catalog;
pub(crate) mod closing;
pub mod conditional;
pub mod extract;
pub(crate) mod health;
mod import;
pub mod language;
pub(crate) mod metrics;
mod notices;
mod organizations;
pub mod problem;
mod problems;
pub mod rate_limit;
pub(crate) mod reports;
pub mod request_id;
mod reviews;
pub mod security_headers;
mod service_accounts;
pub mod text_guard;
mod users;
mod watchers;
mod webhooks;

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
    /// Callers already checked, kept while no credentials change anywhere.
    pub callers: crate::service::accounts::CallerCache,
    /// "Now" for every date that matters (deadlines, overdue); fixed in tests.
    pub clock: std::sync::Arc<dyn crate::domain::deadline::Clock>,
    /// Where evidence files are kept.
    pub store: std::sync::Arc<dyn crate::storage::BlobStore>,
    pub evidence_max_bytes: u64,
    pub import_max_items: usize,
    /// Where webhooks may be sent.
    pub webhook_targets: crate::service::webhooks::Targets,
    /// Failed sign-ins, for throttling and the audit summary.
    pub sign_in: crate::service::accounts::SignInGuard,
    /// Password hashing at once at the most: a flood of sign-ins cannot take every thread.
    pub password_work: tokio::sync::Semaphore,
    /// Proxies whose X-Forwarded-For is believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How long an upload may go without sending anything.
    pub body_timeout: std::time::Duration,
    /// Requests a minute per caller, when limited (`api_rate_limit`).
    pub api_rate_limit: Option<std::sync::Arc<rate_limit::ApiRateLimit>>,
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
    components(schemas(
        crate::api_types::ProblemDetails,
        crate::api_types::LedgerFormat,
        crate::api_types::ReportFormat,
        crate::api_types::OverdueGrouping,
        crate::api_types::DigestFormat,
        crate::api_types::ScorecardFormat,
    )),
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
        (name = "reports", description = "Reports: the ledger sheet (整改台账)"),
        (name = "service-accounts", description = "Office systems' accounts and their tokens"),
        (name = "supervision", description = "督办 notices: numbered notices from a supervising unit, with their replies"),
        (name = "audit", description = "The tamper-evident audit log"),
        (name = "webhooks", description = "Webhooks: events sent to office systems, and their deliveries"),
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
        components.add_security_scheme(
            "service_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("rct_…")
                    .description(Some(
                        "An office system's service token (`rct_…`) from POST \
                         /api/v1/service-accounts; its scopes (read, write) apply to every call.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Every operation answers some errors the same way; this documents them where a handler's own
/// annotation does not, so that the document names every status a client can receive.
struct StandardErrors;

impl Modify for StandardErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{HttpMethod, ParameterIn};
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ProblemDetails")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            for method in [
                HttpMethod::Get,
                HttpMethod::Post,
                HttpMethod::Put,
                HttpMethod::Patch,
                HttpMethod::Delete,
            ] {
                let operation = match method {
                    HttpMethod::Get => item.get.as_mut(),
                    HttpMethod::Post => item.post.as_mut(),
                    HttpMethod::Put => item.put.as_mut(),
                    HttpMethod::Patch => item.patch.as_mut(),
                    HttpMethod::Delete => item.delete.as_mut(),
                    _ => None,
                };
                let Some(operation) = operation else { continue };
                let has_body = operation.request_body.is_some();
                let has_query = operation
                    .parameters
                    .as_ref()
                    .is_some_and(|ps| ps.iter().any(|p| p.parameter_in == ParameterIn::Query));
                let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                if secured {
                    // Office systems may call every operation with a service token instead.
                    if let Some(security) = operation.security.as_mut() {
                        security.push(utoipa::openapi::security::SecurityRequirement::new(
                            "service_token",
                            Vec::<String>::new(),
                        ));
                    }
                }
                let mut add = |status: &str, description: &str| {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| problem(description).into());
                };
                if has_body || has_query {
                    add(
                        "400",
                        "The body is not well-formed JSON, or a query parameter is not of its type",
                    );
                    add(
                        "422",
                        "A field or parameter breaks a rule; `errors` lists each one",
                    );
                }
                if has_body {
                    add("413", "The body is larger than accepted");
                    add("415", "The body is not of the documented content type");
                }
                if secured {
                    add("401", "No valid bearer token (`code` says why)");
                    if method != HttpMethod::Get {
                        add(
                            "403",
                            "The caller's role may not do this, or a service token lacks the `write` scope",
                        );
                    }
                }
                if path.contains('{') {
                    add(
                        "404",
                        "Not found, or outside the caller's organization subtree",
                    );
                }
            }
        }
    }
}

/// Registers every endpoint; the same registration produces the OpenAPI document.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::version)
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
        .service(import::import_review)
        .service(reviews::list)
        .service(reviews::get)
        .service(reviews::update)
        .service(problems::create_batch)
        .service(problems::create)
        .service(problems::list)
        .service(problems::get)
        .service(problems::update)
        .service(problems::transition)
        .service(problems::history)
        .service(problems::add_note)
        .service(problems::notes)
        .service(problems::create_recheck)
        .service(problems::rechecks)
        .service(problems::decide_recurrence)
        .service(notices::create_notice)
        .service(notices::list_notices)
        .service(notices::get_notice)
        .service(notices::notice_document)
        .service(notices::reply_to_notice)
        .service(watchers::add_problem_watcher)
        .service(watchers::list_problem_watchers)
        .service(watchers::add_review_watcher)
        .service(watchers::list_review_watchers)
        .service(watchers::remove_watcher)
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
        .service(closing::get_extension)
        .service(reports::ledger)
        .service(reports::ledger_xlsx)
        .service(reports::ledger_csv)
        .service(reports::overdue)
        .service(reports::overdue_xlsx)
        .service(reports::overdue_csv)
        .service(reports::overdue_docx)
        .service(reports::closure_record)
        .service(reports::progress)
        .service(reports::review_report)
        .service(reports::digest_deliveries)
        .service(reports::scorecard)
        .service(reports::digest)
        .service(service_accounts::create_service_account)
        .service(service_accounts::list_service_accounts)
        .service(service_accounts::get_service_account)
        .service(service_accounts::update_service_account)
        .service(service_accounts::issue_service_token)
        .service(service_accounts::revoke_service_token)
        .service(webhooks::create_webhook)
        .service(webhooks::list_webhooks)
        .service(webhooks::get_webhook)
        .service(webhooks::update_webhook)
        .service(webhooks::list_deliveries)
        .service(webhooks::get_delivery)
        .service(webhooks::resend_delivery)
        .service(audit::verify_audit)
        .service(audit::list_audit);
}

/// The whole OpenAPI document, as served at `/api/v1/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, doc) = utoipa_actix_web::AppExt::into_utoipa_app(actix_web::App::new())
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    let mut doc = doc;
    StandardErrors.modify(&mut doc);
    PageItemsByReference.modify(&mut doc);
    doc
}

/// utoipa 5 inlines a generic's type parameter (juhaku/utoipa#1586), so `Page_Problem` would
/// carry a second, anonymous copy of `Problem` and generated clients a second class for it.
/// This points each page's `items` at the named schema instead.
struct PageItemsByReference;

impl Modify for PageItemsByReference {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{ArrayItems, Schema};
        use utoipa::openapi::{Ref, RefOr};
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let names: Vec<String> = components.schemas.keys().cloned().collect();
        for (name, schema) in components.schemas.iter_mut() {
            let Some(item) = name.strip_prefix("Page_") else {
                continue;
            };
            if !names.iter().any(|n| n == item) {
                continue;
            }
            let RefOr::T(Schema::Object(page)) = schema else {
                continue;
            };
            if let Some(RefOr::T(Schema::Array(items))) = page.properties.get_mut("items") {
                items.items = ArrayItems::RefOrSchema(Box::new(Ref::from_schema_name(item).into()));
            }
        }
    }
}

/// Extractor settings that turn malformed input into problem documents.
pub fn extractor_config(
    cfg: &mut web::ServiceConfig,
    max_body_bytes: usize,
    body_timeout: std::time::Duration,
) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(max_body_bytes)
            .error_handler(problem::json_error),
    )
    .app_data(web::PayloadConfig::default().limit(max_body_bytes))
    .app_data(web::Data::new(text_guard::BodyLimit {
        bytes: max_body_bytes,
        timeout: body_timeout,
    }))
    .app_data(web::QueryConfig::default().error_handler(problem::query_error))
    .app_data(web::PathConfig::default().error_handler(problem::path_error));
}
