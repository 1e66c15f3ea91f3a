use super::extract::Json;
use actix_web::{get, post, web, HttpResponse};

use super::extract::{blocking, validated};
use super::AppState;
use crate::api_types::{ChangePasswordRequest, LoginRequest, Me, ProblemDetails, TokenResponse};
use crate::error::Error;
use crate::service::{accounts, Caller};

/// Signs in with a username and password and returns an access token.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Wrong username or password, or the account is deactivated", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "`too_many_attempts`: too many failed sign-ins from this address or at this account; Retry-After says when to try again", body = ProblemDetails, content_type = "application/problem+json", headers(("Retry-After" = i64, description = "Seconds to wait"))),
    )
)]
#[post("/api/v1/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    body: Json<LoginRequest>,
) -> Result<HttpResponse, Error> {
    let input = validated(body.into_inner())?;
    let token = sign_in(state, &req, input).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(token))
}

/// Signs a person in, for the API and the console alike: the throttle, the bounded password
/// hashing and the audit summary of failures.
pub(crate) async fn sign_in(
    state: web::Data<AppState>,
    req: &actix_web::HttpRequest,
    input: LoginRequest,
) -> Result<TokenResponse, Error> {
    let request_id = actix_web::HttpMessage::extensions(req)
        .get::<super::request_id::RequestId>()
        .map(|r| r.0.clone());
    let now = state.clock.now();
    let client = super::extract::client_address(req, &state.trusted_proxies);
    // A held-back attempt is refused (and counted) without queueing for the password hashing.
    let gate = state.clone();
    if !accounts::may_attempt(&state.sign_in, &input, client, now) {
        let refused = move || {
            let db = &state.db;
            Ok(accounts::held_back_attempt(
                db,
                &state.sign_in,
                &input,
                client,
                request_id,
                now,
            ))
        };
        return Err(blocking(refused).await?);
    }
    let work = gate
        .password_work
        .acquire()
        .await
        .map_err(Error::internal)?;
    let token = blocking(move || {
        accounts::login(
            &state.db,
            &state.tokens,
            &state.sign_in,
            &input,
            client,
            request_id,
            now,
        )
    })
    .await?;
    drop(work);
    Ok(token)
}

/// The signed-in user and their organization.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, body = Me),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/auth/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, Error> {
    let me = blocking(move || accounts::me(&state.db, &caller)).await?;
    Ok(HttpResponse::Ok().json(me))
}

/// Changes one's own password; the old one is required. Tokens issued before stop working.
#[utoipa::path(
    tag = "auth",
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "The old password is wrong or the new one too weak", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/auth/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<ChangePasswordRequest>,
) -> Result<HttpResponse, Error> {
    let input = validated(body.into_inner())?;
    let now = state.clock.now();
    blocking(move || {
        accounts::change_own_password(
            &state.db,
            &caller,
            &input.old_password,
            &input.new_password,
            now,
        )
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
