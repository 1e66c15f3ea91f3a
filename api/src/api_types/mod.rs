//! Request and response bodies of the HTTP API: shapes, validation rules and schema, no
//! business logic. Database rows are converted here and never serialised directly. One
//! module per resource, mirroring `http/`.

use chrono::{DateTime, NaiveDateTime, Utc};
use rectify_db::models::{OrganizationRow, UserRow};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use chrono::NaiveDate;

use crate::domain::deadline::Warning;
use crate::domain::recurrence::Decision as RecurrenceDecisionKind;
use crate::domain::supervision::{Acknowledgement, Light, Outcome, RecheckOutcome};
use crate::domain::vocab::{ProblemKind, ReviewKind};
use crate::domain::workflow::{Action, Status};
use crate::domain::{identity, Role};

fn rule(
    result: Result<impl Sized, &'static str>,
    code: &'static str,
) -> Result<(), ValidationError> {
    result
        .map(|_| ())
        .map_err(|message| ValidationError::new(code).with_message(message.into()))
}

fn valid_org_code(v: &str) -> Result<(), ValidationError> {
    rule(identity::normalize_org_code(v), "org_code")
}
fn valid_username(v: &str) -> Result<(), ValidationError> {
    rule(identity::normalize_username(v), "username")
}
fn valid_timezone(v: &str) -> Result<(), ValidationError> {
    rule(identity::check_timezone(v), "timezone")
}
fn valid_password(v: &str) -> Result<(), ValidationError> {
    rule(identity::check_password(v), "password")
}
fn valid_name(v: &str) -> Result<(), ValidationError> {
    rule(identity::normalize_display_name(v), "length")
}
fn valid_id(v: i64) -> Result<(), ValidationError> {
    if v > 0 {
        Ok(())
    } else {
        Err(ValidationError::new("range").with_message("must be a positive id".into()))
    }
}

/// Tells a missing field (`None`) from an explicit `null` (`Some(None)`), for fields that
/// `PATCH` can clear.
fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

mod accounts;
mod audit;
mod catalog;
mod closing;
mod domain_schemas;
mod errors;
mod health;
mod import;
mod notices;
mod organizations;
mod pagination;
mod problems;
mod reports;
mod reviews;
mod scorecard;
mod service_accounts;
mod users;
mod watchers;
mod webhooks;

pub use accounts::*;
pub use audit::*;
pub use catalog::*;
pub use closing::*;
pub use errors::*;
pub use health::*;
pub use import::*;
pub use notices::*;
pub use organizations::*;
pub use pagination::*;
pub use problems::*;
pub use reports::*;
pub use reviews::*;
pub use scorecard::*;
pub use service_accounts::*;
pub use users::*;
pub use watchers::*;
pub use webhooks::*;

/// A deadline on a day people could mean: the import's rule (2000–2100), for every deadline
/// the API is given, so that a slip (`0001-01-01`) is refused rather than kept for ever.
fn valid_deadline(day: &NaiveDate) -> Result<(), ValidationError> {
    use chrono::Datelike;
    if crate::domain::ledger::PLAUSIBLE_YEARS.contains(&day.year()) {
        Ok(())
    } else {
        Err(ValidationError::new("range")
            .with_message("must be a day in the years 2000 to 2100".into()))
    }
}

fn valid_policy_days(days: i32) -> Result<(), ValidationError> {
    if (0..=crate::domain::supervision::MAX_POLICY_DAYS).contains(&days) {
        Ok(())
    } else {
        Err(ValidationError::new("range").with_message("must be 0 to 730 days".into()))
    }
}

fn valid_title(v: &str) -> Result<(), ValidationError> {
    let n = v.trim().chars().count();
    if n == 0 {
        Err(ValidationError::new("length").with_message("must not be empty".into()))
    } else if n > 500 {
        Err(ValidationError::new("length").with_message("must be at most 500 characters".into()))
    } else {
        Ok(())
    }
}

fn valid_text(v: &str) -> Result<(), ValidationError> {
    if v.chars().count() > 20_000 {
        Err(ValidationError::new("length").with_message("must be at most 20000 characters".into()))
    } else {
        Ok(())
    }
}

fn valid_ids(v: &[i64]) -> Result<(), ValidationError> {
    if v.len() > 500 {
        return Err(ValidationError::new("length").with_message("may hold at most 500 ids".into()));
    }
    if v.iter().any(|id| *id <= 0) {
        return Err(ValidationError::new("range").with_message("must hold positive ids".into()));
    }
    Ok(())
}

fn valid_aspects(v: &[String]) -> Result<(), ValidationError> {
    if v.len() > 50 {
        return Err(
            ValidationError::new("length").with_message("may hold at most 50 aspects".into())
        );
    }
    let mut seen = std::collections::HashSet::new();
    for name in v {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ValidationError::new("length")
                .with_message("each aspect must be 1 to 200 characters".into()));
        }
        if !seen.insert(name) {
            return Err(ValidationError::new("unique")
                .with_message("aspects must differ from each other".into()));
        }
    }
    Ok(())
}
