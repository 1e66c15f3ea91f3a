//! The console (`/console`): pages for auditors, coordinators, owners and admins, rendered on
//! the server from maud templates and readable without JavaScript. People sign in with the
//! same accounts as the API and keep a session cookie (the same signed token, HttpOnly); every
//! form carries a token bound to that session (CSRF). Every action goes through the same use
//! cases as the API, so the workflow, scoping and the audit log are the API's own.

mod admin;
mod charts;
mod pages;
mod view;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse};

use crate::error::{Code, Error};
use crate::http::extract::blocking;
use crate::http::language::Language;
use crate::http::AppState;
use crate::service::{accounts, Caller};

/// The session: the signed access token the API issues, kept where scripts cannot read it.
pub const SESSION_COOKIE: &str = "rectify_session";
/// A random value the sign-in form's token is bound to, before there is a session.
const SIGN_IN_COOKIE: &str = "rectify_sign_in";
/// The language chosen with the switch (`?lang=en` or `?lang=zh`).
const LANGUAGE_COOKIE: &str = "rectify_lang";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/console")
            .wrap(from_fn(guard))
            .app_data(
                web::FormConfig::default()
                    .limit(64 * 1024)
                    .error_handler(|err, _| {
                        Error::new(
                            Code::InvalidBody,
                            format!("The form could not be read: {err}."),
                        )
                        .into()
                    }),
            )
            .route("", web::get().to(pages::home))
            .route("/", web::get().to(pages::home))
            .route("/assets/{name}", web::get().to(view::asset))
            .route("/sign-in", web::get().to(pages::sign_in_page))
            .route("/sign-in", web::post().to(pages::sign_in))
            .route("/sign-out", web::post().to(pages::sign_out))
            .route("/dashboard", web::get().to(pages::dashboard))
            .route("/ledger", web::get().to(pages::ledger))
            .route("/ledger.xlsx", web::get().to(pages::ledger_xlsx))
            .route("/ledger.csv", web::get().to(pages::ledger_csv))
            .route("/my", web::get().to(pages::my_tasks))
            .route("/overdue", web::get().to(pages::overdue))
            .route("/overdue.xlsx", web::get().to(pages::overdue_xlsx))
            .route("/overdue.docx", web::get().to(pages::overdue_docx))
            .route(
                "/reviews/{id}/report.docx",
                web::get().to(pages::review_report),
            )
            .route(
                "/problems/{id}/closure.docx",
                web::get().to(pages::closure_record),
            )
            .route("/audit", web::get().to(pages::audit))
            .route("/admin", web::get().to(admin::overview))
            .route(
                "/admin/organizations",
                web::post().to(admin::create_organization),
            )
            .route("/admin/users", web::post().to(admin::create_user))
            .route(
                "/admin/service-accounts",
                web::post().to(admin::create_service_account),
            )
            .route(
                "/admin/service-accounts/{id}/tokens",
                web::post().to(admin::issue_token),
            )
            .route(
                "/admin/service-accounts/{id}/tokens/{token_id}/revoke",
                web::post().to(admin::revoke_token),
            )
            .route("/admin/webhooks/{id}", web::get().to(admin::deliveries))
            .route("/problems/{id}", web::get().to(pages::problem))
            .route(
                "/problems/{id}/transitions",
                web::post().to(pages::transition),
            )
            .route("/problems/{id}/notes", web::post().to(pages::add_note))
            .route("/problems/{id}/evidence", web::post().to(pages::upload))
            .route(
                "/problems/{id}/extensions",
                web::post().to(pages::request_extension),
            )
            .route("/measures/{id}/done", web::post().to(pages::measure_done))
            .route(
                "/extensions/{id}/decision",
                web::post().to(pages::decide_extension),
            )
            .route("/evidence/{id}/view", web::get().to(pages::evidence_view))
            .route(
                "/evidence/{id}/download",
                web::get().to(pages::evidence_download),
            )
            .default_service(web::to(pages::no_page)),
    );
}

/// The console's language: the switch's choice, else `Accept-Language` when it names English
/// before Chinese, else Chinese (the console's users read Chinese first).
fn language_of(req: &HttpRequest) -> (Language, Option<Language>) {
    let asked = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .ok()
        .and_then(|q| {
            q.iter()
                .find(|(k, _)| k == "lang")
                .map(|(_, v)| parse_language(v))
        })
        .flatten();
    if let Some(language) = asked {
        return (language, Some(language));
    }
    if let Some(chosen) = req
        .cookie(LANGUAGE_COOKIE)
        .and_then(|c| parse_language(c.value()))
    {
        return (chosen, None);
    }
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let names_english = accept.to_ascii_lowercase().contains("en");
    let language = if names_english {
        Language::preferred(Some(accept))
    } else {
        Language::Chinese
    };
    (language, None)
}

fn parse_language(value: &str) -> Option<Language> {
    match value {
        "en" => Some(Language::English),
        "zh" | "zh-CN" => Some(Language::Chinese),
        _ => None,
    }
}

/// The language a console handler answers in (set by [`guard`]).
pub(crate) fn language(req: &HttpRequest) -> Language {
    req.extensions()
        .get::<Language>()
        .copied()
        .unwrap_or(Language::Chinese)
}

/// Wraps every console page: settles the language, and turns the use cases' refusals (problem
/// documents) into pages a person reads, or into the sign-in page when the session is missing
/// or over.
async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let (language, switched) = language_of(req.request());
    req.extensions_mut().insert(language);
    let reading = req.method() == Method::GET;
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/console".to_owned());
    let mut response = next.call(req).await?.map_into_boxed_body();
    if let Some(language) = switched {
        let value = match language {
            Language::English => "en",
            Language::Chinese => "zh",
        };
        let cookie = Cookie::build(LANGUAGE_COOKIE, value)
            .path("/console")
            .same_site(SameSite::Lax)
            .max_age(actix_web::cookie::time::Duration::days(365))
            .finish();
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    let problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == crate::http::problem::PROBLEM_JSON.as_bytes());
    if !problem {
        return Ok(response);
    }
    let status = response.status();
    let (request, response) = response.into_parts();
    if status == StatusCode::UNAUTHORIZED {
        // Back to the page asked for after signing in; a form's target is not a page.
        let next = if reading { here } else { "/console".to_owned() };
        let target = format!(
            "/console/sign-in?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        );
        let mut redirect = HttpResponse::SeeOther()
            .insert_header((header::LOCATION, target))
            .finish();
        // A session that no longer signs anyone in is forgotten.
        let _ = redirect.add_removal_cookie(&session_cookie(&request, String::new()));
        return Ok(ServiceResponse::new(request, redirect));
    }
    let body = response.into_body().try_into_bytes().unwrap_or_default();
    let mut document: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    if language == Language::Chinese {
        crate::http::language::in_chinese(&mut document, status);
    }
    let page = view::error_page(language, status, &document);
    Ok(ServiceResponse::new(request, page))
}

/// A signed-in person, from the session cookie, checked as the API checks a bearer token (a
/// deactivated user or a changed password stops the session at the next request).
pub(crate) struct Session {
    pub caller: Caller,
    pub language: Language,
    /// The page's query, so that the language switch keeps the page's filters.
    pub query: String,
    /// The token every form of this session carries.
    pub form_token: String,
    token: String,
}

impl Session {
    /// Refuses a form that does not carry this session's token.
    pub fn check_form(&self, state: &AppState, token: &str) -> Result<(), Error> {
        if state.tokens.form_token_matches(&self.token, token) {
            Ok(())
        } else {
            Err(form_token_refused())
        }
    }
}

fn form_token_refused() -> Error {
    Error::new(
        Code::FormTokenInvalid,
        "The form did not carry this session's form token; reload the page and send it again.",
    )
}

impl FromRequest for Session {
    type Error = Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let language = language(req);
        let query = req.query_string().to_owned();
        let request_id = req
            .extensions()
            .get::<crate::http::request_id::RequestId>()
            .map(|r| r.0.clone());
        Box::pin(async move {
            let state = state.ok_or_else(|| Error::internal("application state missing"))?;
            let token = token
                .filter(|t| !t.is_empty())
                .ok_or_else(|| Error::new(Code::MissingToken, "Sign in to use the console."))?;
            let now = state.clock.now();
            let (db_state, checked) = (state.clone(), token.clone());
            let mut caller = blocking(move || {
                accounts::authenticate(
                    &db_state.db,
                    &db_state.tokens,
                    &db_state.callers,
                    &checked,
                    now,
                )
            })
            .await?;
            if caller.service_account_id.is_some() {
                // Office systems' tokens are for the API; the console is for people.
                return Err(Error::new(
                    Code::InvalidToken,
                    "A service token cannot sign in to the console.",
                ));
            }
            caller.request_id = request_id;
            Ok(Session {
                form_token: state.tokens.form_token(&token),
                caller,
                language,
                query,
                token,
            })
        })
    }
}

/// The session cookie: HttpOnly, SameSite=Lax, only under /console, Secure when the request
/// came over TLS (directly or through a proxy that says so).
fn session_cookie(req: &HttpRequest, value: String) -> Cookie<'static> {
    let secure = req.connection_info().scheme() == "https";
    Cookie::build(SESSION_COOKIE, value)
        .path("/console")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .finish()
}
