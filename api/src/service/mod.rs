//! Use cases. Each loads what it needs, applies the domain rules and writes in one
//! transaction. Blocking: HTTP handlers call them through `web::block`, the CLI directly.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod catalog;
pub mod closing;
pub mod dev_seed;
pub mod digest;
pub mod idempotency;
pub mod import;
pub mod notices;
pub mod organizations;
pub mod pagination;
pub mod problems;
pub mod progress_tallies;
pub mod reports;
pub mod reviews;
pub mod scorecard;
pub mod search_index;
pub mod service_accounts;
pub mod supervision;
pub mod users;
pub mod watchers;
pub mod webhooks;

use std::collections::HashMap;

use crate::domain::Role;
use rectify_db::models::OrganizationRow;

/// Builds what a database kept alongside its rows lacks (the first start after the upgrade
/// that brought it): `rebuild` when `missing` says so; how many problems it counted, if it ran.
pub(crate) fn build_once(
    db: &rectify_db::Db,
    what: &'static str,
    missing: impl FnOnce(&mut rectify_db::DbConnection) -> crate::error::Result<bool>,
    rebuild: impl FnOnce(&rectify_db::Db) -> crate::error::Result<u64>,
) -> crate::error::Result<Option<u64>> {
    if !db.read(missing)? {
        return Ok(None);
    }
    let started = std::time::Instant::now();
    let problems = rebuild(db)?;
    tracing::info!(
        problems,
        seconds = started.elapsed().as_secs_f64(),
        "built {what}"
    );
    Ok(Some(problems))
}

/// Groups pairs by their first member, keeping their order.
pub(crate) fn group<T>(pairs: impl IntoIterator<Item = (i64, T)>) -> HashMap<i64, Vec<T>> {
    let mut map: HashMap<i64, Vec<T>> = HashMap::new();
    for (key, value) in pairs {
        map.entry(key).or_default().push(value);
    }
    map
}

/// Who is acting, as established by authentication (or the operator, for the CLI).
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub organization_id: i64,
    /// The caller's organization path; their subtree is every path starting with it.
    pub org_path: String,
    /// Set when an office system's service token authenticated the request.
    pub service_account_id: Option<i64>,
    /// False for a service token without the `write` scope: it may only read.
    pub can_write: bool,
    /// The request's id, for the audit log.
    pub request_id: Option<String>,
    /// The request's W3C trace context (`traceparent`), carried on to the webhooks it queues.
    pub trace: Option<String>,
}

impl Caller {
    /// The operator at the machine, running `rectify` subcommands.
    pub fn operator(root: &OrganizationRow) -> Self {
        Self {
            user_id: 0,
            username: "(cli)".to_owned(),
            role: Role::Admin,
            organization_id: root.id,
            org_path: root.path.clone(),
            service_account_id: None,
            can_write: true,
            request_id: None,
            trace: None,
        }
    }

    /// The service itself, acting on the clock (a continuing problem reopening on its date).
    pub fn scheduler(root: &OrganizationRow) -> Self {
        Self {
            user_id: Self::SCHEDULER,
            username: "(scheduler)".to_owned(),
            ..Self::operator(root)
        }
    }

    const SCHEDULER: i64 = -1;

    /// Who acted, as the audit log names them: `user:<id>`, `service:<id>`, `cli` or
    /// `scheduler`.
    pub fn actor(&self) -> String {
        match (self.service_account_id, self.user_id) {
            (Some(id), _) => format!("service:{id}"),
            (None, 0) => "cli".to_owned(),
            (None, Self::SCHEDULER) => "scheduler".to_owned(),
            (None, id) => format!("user:{id}"),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// The subtree this caller is confined to; `None` means everything (an admin).
    pub fn scope_path(&self) -> Option<String> {
        (!self.is_admin()).then(|| self.org_path.clone())
    }

    /// Whether an organization with this path is inside the caller's subtree.
    pub fn sees(&self, org_path: &str) -> bool {
        self.is_admin() || org_path.starts_with(&self.org_path)
    }

    pub fn require_admin(&self, action: &str) -> crate::error::Result<()> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(crate::error::Error::forbidden(format!(
                "Only an admin may {action}; you are {}.",
                self.role
            )))
        }
    }
}
