//! An optional limit on how many requests one caller (a user or a service account, however
//! many tokens it holds) makes per minute, off by default (`api_rate_limit`). Within it every
//! answer says where the caller stands (`RateLimit-Limit`, `-Remaining`, `-Reset`, and the
//! policy); past it, 429 `rate_limited` with `Retry-After`. GCRA from `governor`, on the
//! service's own clock; callers without credentials are left to the sign-in throttle.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};
use governor::clock::Clock as GovernorClock;
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};

use crate::domain::deadline::Clock;
use crate::error::{Code, Error};

/// The service's clock as governor reads it: time since the epoch.
#[derive(Clone)]
pub struct ServiceClock(Arc<dyn Clock>);

impl GovernorClock for ServiceClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        let now = self.0.now();
        Duration::from_millis(u64::try_from(now.timestamp_millis()).unwrap_or_default())
    }
}

/// Callers remembered before the idle ones are forgotten.
const FORGET_ABOVE: usize = 10_000;

type Limiter =
    RateLimiter<String, HashMapStateStore<String>, ServiceClock, StateInformationMiddleware>;

/// The per-caller limit, when one is set.
pub struct ApiRateLimit {
    limiter: Limiter,
    clock: ServiceClock,
    per_minute: u32,
}

impl ApiRateLimit {
    /// `per_minute` requests a minute for each caller, at most that many at once; none when 0.
    pub fn new(per_minute: u32, clock: Arc<dyn Clock>) -> Option<Self> {
        let per_minute_nonzero = NonZeroU32::new(per_minute)?;
        let clock = ServiceClock(clock);
        let limiter =
            RateLimiter::hashmap_with_clock(Quota::per_minute(per_minute_nonzero), clock.clone())
                .with_middleware::<StateInformationMiddleware>();
        Some(Self {
            limiter,
            clock,
            per_minute,
        })
    }

    /// The headers to send, or the refusal.
    fn check(&self, caller: &str) -> Result<[(HeaderName, String); 4], Error> {
        // Only signed-in callers are counted, so the table is bounded by the accounts; it is
        // still thinned of callers whose allowance is whole again.
        if self.limiter.len() > FORGET_ABOVE {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        let interval = Duration::from_secs(60) / self.per_minute;
        match self.limiter.check_key(&caller.to_owned()) {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity();
                // Seconds until the whole allowance is back.
                let reset = (interval * (self.per_minute - remaining))
                    .as_secs_f64()
                    .ceil();
                Ok(self.headers(remaining, reset as u64))
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                let seconds = wait.as_secs_f64().ceil().max(1.0) as i64;
                Err(Error::new(
                    Code::RateLimited,
                    format!(
                        "More than {} requests a minute were made with these credentials; \
                         try again in {seconds} s.",
                        self.per_minute
                    ),
                )
                .with_extension("retry_after", seconds))
            }
        }
    }

    fn headers(&self, remaining: u32, reset: u64) -> [(HeaderName, String); 4] {
        [
            (
                HeaderName::from_static("ratelimit-limit"),
                self.per_minute.to_string(),
            ),
            (
                HeaderName::from_static("ratelimit-remaining"),
                remaining.to_string(),
            ),
            (
                HeaderName::from_static("ratelimit-reset"),
                reset.to_string(),
            ),
            (
                HeaderName::from_static("ratelimit-policy"),
                format!("{};w=60", self.per_minute),
            ),
        ]
    }
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let limit = req
        .app_data::<web::Data<super::AppState>>()
        .and_then(|state| state.api_rate_limit.clone());
    let caller = super::extract::authenticated(&req);
    let (Some(limit), Some(caller)) = (limit, caller) else {
        return next.call(req).await.map(|r| r.map_into_left_body());
    };
    match limit.check(&caller.actor()) {
        Ok(headers) => {
            let mut response = next.call(req).await?;
            for (name, value) in headers {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    response.headers_mut().insert(name, value);
                }
            }
            Ok(response.map_into_left_body())
        }
        Err(refused) => {
            let response = refused.error_response();
            Ok(req.into_response(response).map_into_right_body())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use std::sync::Mutex;

    struct MovingClock(Mutex<DateTime<Utc>>);

    impl Clock for MovingClock {
        fn now(&self) -> DateTime<Utc> {
            *self.0.lock().unwrap()
        }
    }

    #[test]
    fn a_caller_gets_its_allowance_then_waits_and_others_are_not_held_back() {
        let start = "2026-11-30T08:00:00Z".parse().unwrap();
        let clock = Arc::new(MovingClock(Mutex::new(start)));
        let limit = ApiRateLimit::new(3, clock.clone()).unwrap();
        let remaining = |r: [(HeaderName, String); 4]| r[1].1.clone();
        assert_eq!(remaining(limit.check("user:1").unwrap()), "2");
        assert_eq!(remaining(limit.check("user:1").unwrap()), "1");
        assert_eq!(remaining(limit.check("user:1").unwrap()), "0");
        let refused = limit.check("user:1").unwrap_err();
        assert_eq!(refused.code, Code::RateLimited);
        assert_eq!(refused.extensions["retry_after"], 20);
        // Another caller has its own allowance.
        assert_eq!(remaining(limit.check("service:4").unwrap()), "2");
        // One request's worth comes back every 20 s.
        *clock.0.lock().unwrap() = start + chrono::Duration::seconds(20);
        assert_eq!(remaining(limit.check("user:1").unwrap()), "0");
        assert!(ApiRateLimit::new(0, clock).is_none());
    }
}
