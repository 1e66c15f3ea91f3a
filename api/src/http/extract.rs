use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use validator::Validate;

use crate::error::Error;
use crate::http::AppState;
use crate::service::{accounts, Caller};

/// Runs blocking work (database, password hashing) off the async workers.
pub async fn blocking<T, F>(f: F) -> Result<T, Error>
where
    F: FnOnce() -> Result<T, Error> + Send + 'static,
    T: Send + 'static,
{
    web::block(f).await.map_err(Error::internal)?
}

/// Checks validator rules on a request body or query.
pub fn validated<T: Validate>(value: T) -> Result<T, Error> {
    value.validate()?;
    Ok(value)
}

/// The authenticated caller: a valid bearer token of an active user.
impl FromRequest for Caller {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        Box::pin(async move {
            let state = state.ok_or_else(|| Error::internal("application state missing"))?;
            let token = match token {
                None => {
                    return Err(Error::unauthorized(
                        "missing_token",
                        "This endpoint needs an Authorization: Bearer <token> header.",
                    ))
                }
                Some(value) => match value.split_once(' ') {
                    Some((scheme, token))
                        if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
                    {
                        token.trim().to_owned()
                    }
                    _ => {
                        return Err(Error::unauthorized(
                            "invalid_token",
                            "The Authorization header must be `Bearer <token>`.",
                        ))
                    }
                },
            };
            blocking(move || accounts::authenticate(&state.db, &state.tokens, &token)).await
        })
    }
}
