//! Webhooks: subscriptions, the outbox written with each change, and the deliveries' record.
//! Sending is `crate::delivery`'s job.

use crate::domain::webhook::public_address;
use chrono::{DateTime, Utc};
use rectify_db::models::{NewDelivery, NewWebhook, ProblemRow, WebhookChanges, WebhookRow};
use rectify_db::{webhooks as db_hooks, Db, DbConnection};
use serde_json::{json, Value};

use super::audit;
use super::organizations::visible as visible_org;
use super::pagination;
use super::Caller;
use crate::api_types::{
    utc, CreateWebhook, Delivery, DeliveryAttempt, Page, PageParams, UpdateWebhook, Webhook,
};
use crate::domain::robot::{self, Kind, ROBOT_EVENTS};
use crate::domain::webhook::{subscribed, EVENTS};
use crate::error::{Code, Error, Result};

/// What a webhook says about a problem.
pub fn problem_data(row: &ProblemRow) -> Value {
    json!({
        "id": row.id,
        "key": row.key,
        "review_id": row.review_id,
        "title": row.title,
        "status": row.status,
        "organization_id": row.organization_id,
        "owner_id": row.owner_id,
        "deadline": row.deadline,
        "kind": row.kind,
    })
}

/// Writes one delivery per subscribed webhook whose subtree holds `organization_path`, in the
/// caller's transaction: the change and its notices commit together or not at all.
pub fn enqueue(
    conn: &mut DbConnection,
    event: &str,
    organization_path: &str,
    data: Value,
    trace: Option<&str>,
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut written = 0;
    let mut hooks = subscribers(conn, event, organization_path)?;
    // 抄送: a problem's events also reach the webhooks of the organizations watching it.
    if let (true, Some(problem_id), Some(review_id)) = (
        event.starts_with("problem."),
        data.get("id").and_then(Value::as_i64),
        data.get("review_id").and_then(Value::as_i64),
    ) {
        for path in rectify_db::watchers::organization_paths(conn, problem_id, review_id)? {
            for (hook, hook_path) in subscribers(conn, event, &path)? {
                if !hooks.iter().any(|(h, _)| h.id == hook.id) {
                    hooks.push((hook, hook_path));
                }
            }
        }
    }
    for (hook, _) in hooks {
        if kind_of(&hook).is_robot() {
            // A group robot takes its platform's message, written for people to read.
            let Some(message) = robot_message(conn, &hook, event, &data)? else {
                continue;
            };
            let key = uuid::Uuid::new_v4().to_string();
            queue_body(conn, &hook, event, &key, &message.to_string(), trace, now)?;
        } else {
            enqueue_to(conn, &hook, event, data.clone(), None, trace, now)?;
        }
        written += 1;
    }
    Ok(written)
}

/// What a webhook is; a value the database check would refuse reads as generic.
pub fn kind_of(hook: &WebhookRow) -> Kind {
    Kind::parse(&hook.kind).unwrap_or(Kind::Generic)
}

/// A robot's message for an event it posts (`problem.overdue`; the digest is written by the
/// digest's sender); `None` for an event a robot does not post.
fn robot_message(
    conn: &mut DbConnection,
    hook: &WebhookRow,
    event: &str,
    data: &Value,
) -> Result<Option<Value>> {
    if event != "problem.overdue" {
        return Ok(None);
    }
    let unit = match data["organization_id"].as_i64() {
        Some(id) => rectify_db::organizations::get(conn, id)?.name,
        None => String::new(),
    };
    let owner = match data["owner_id"].as_i64() {
        Some(id) => Some(rectify_db::users::get(conn, id)?.display_name),
        None => None,
    };
    let text = robot::overdue_text(
        data["key"].as_str().unwrap_or_default(),
        data["title"].as_str().unwrap_or_default(),
        &unit,
        owner.as_deref(),
        data["deadline"].as_str().unwrap_or_default(),
    );
    Ok(Some(kind_of(hook).message("整改逾期提醒", &text)))
}

fn robot_digest_key(hook: &WebhookRow, week: &str) -> String {
    format!("digest.weekly/{week}/webhook/{}", hook.id)
}

/// Whether a robot's digest of the week is queued already.
pub fn robot_digest_queued(conn: &mut DbConnection, hook: &WebhookRow, week: &str) -> Result<bool> {
    Ok(db_hooks::delivery_queued(
        conn,
        &robot_digest_key(hook, week),
    )?)
}

/// A robot's weekly digest for its organization: one per (week, robot), however often the
/// sender runs (the delivery's key is the claim). Whether it was queued now.
pub fn enqueue_robot_digest(
    conn: &mut DbConnection,
    hook: &WebhookRow,
    week: &str,
    title: &str,
    markdown: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let payload = kind_of(hook).message(title, markdown).to_string();
    let key = robot_digest_key(hook, week);
    let delivery = pending(hook, "digest.weekly", &key, &payload, None, now);
    Ok(db_hooks::insert_delivery_once(conn, delivery)?)
}

fn queue_body(
    conn: &mut DbConnection,
    hook: &WebhookRow,
    event: &str,
    key: &str,
    payload: &str,
    trace: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    db_hooks::insert_delivery(conn, pending(hook, event, key, payload, trace, now))?;
    Ok(())
}

/// A delivery waiting for its first attempt.
fn pending<'a>(
    hook: &WebhookRow,
    event: &'a str,
    key: &'a str,
    payload: &'a str,
    trace: Option<&'a str>,
    now: DateTime<Utc>,
) -> NewDelivery<'a> {
    let now = now.naive_utc();
    NewDelivery {
        webhook_id: hook.id,
        event,
        delivery_key: key,
        payload,
        status: "pending",
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
        traceparent: trace,
    }
}

/// The outbox as monitoring sees it: deliveries waiting, and when the oldest was queued.
pub fn outbox(db: &Db) -> Result<(i64, Option<chrono::NaiveDateTime>)> {
    db.read(|conn| Ok(db_hooks::outbox(conn)?))
}

/// Active webhooks that want `event` about an organization with this path.
pub fn subscribers(
    conn: &mut DbConnection,
    event: &str,
    organization_path: &str,
) -> Result<Vec<(WebhookRow, String)>> {
    Ok(db_hooks::active_with_paths(conn)?
        .into_iter()
        .filter(|(hook, path)| {
            subscribed(&hook.events, event) && organization_path.starts_with(path)
        })
        .collect())
}

/// One delivery to one webhook; `extra` adds top-level members to the body (a group robot's
/// `msgtype` and `markdown`).
pub fn enqueue_to(
    conn: &mut DbConnection,
    hook: &WebhookRow,
    event: &str,
    data: Value,
    extra: Option<serde_json::Map<String, Value>>,
    trace: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let now = now.naive_utc();
    let key = uuid::Uuid::new_v4().to_string();
    let mut body = json!({
        "id": key,
        "event": event,
        "occurred_at": utc(now),
        "data": data,
    });
    if let (Some(extra), Some(map)) = (extra, body.as_object_mut()) {
        map.extend(extra);
    }
    queue_body(conn, hook, event, &key, &body.to_string(), trace, utc(now))
}

fn check_events(events: &[String]) -> Result<String> {
    let mut names: Vec<&str> = Vec::new();
    for e in events {
        let e = e.trim();
        if !EVENTS.contains(&e) {
            return Err(Error::invalid_field(
                "events",
                "event",
                format!("{e:?} is not an event; use {}", EVENTS.join(", ")),
            ));
        }
        if !names.contains(&e) {
            names.push(e);
        }
    }
    Ok(names.join(","))
}

/// What a kind of webhook needs: a robot posts only what people read in a group; an office
/// system's endpoint gets every delivery signed, so it needs a secret.
fn check_kind(kind: Kind, events: &str, secret: &str) -> Result<()> {
    if kind.is_robot() {
        if let Some(other) = events.split(',').find(|e| !ROBOT_EVENTS.contains(e)) {
            return Err(Error::invalid_field(
                "events",
                "event",
                format!(
                    "a group robot posts {} only, not {other}",
                    ROBOT_EVENTS.join(" and ")
                ),
            ));
        }
    } else if secret.is_empty() {
        return Err(Error::invalid_field(
            "secret",
            "required",
            "a generic webhook signs its deliveries: give a secret of 16 to 200 characters",
        ));
    }
    Ok(())
}

/// Where webhooks may be sent: public addresses, and the hosts the operator allows by name
/// (`webhook_allow_hosts`), such as an office system inside the unit's network.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    allow_hosts: Vec<String>,
}

impl Targets {
    pub fn new(allow_hosts: &[String]) -> Self {
        Self {
            allow_hosts: allow_hosts
                .iter()
                .map(|h| h.trim().trim_matches(['[', ']']).to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        }
    }

    /// Whether the operator allowed this host (a name or an address, as the URL writes it).
    pub fn allows_host(&self, host: &str) -> bool {
        let host = host.trim_matches(['[', ']']).to_ascii_lowercase();
        self.allow_hosts.contains(&host)
    }

    /// A webhook's URL, checked when it is set: every address its host resolves to must be
    /// public, unless the host is allowed by name. The worker checks again at each send.
    pub fn check(&self, raw: &str) -> Result<()> {
        use std::net::ToSocketAddrs;
        check_url(raw)?;
        let invalid = |rule: &str, message: String| Error::invalid_field("url", rule, message);
        let url =
            url::Url::parse(raw).map_err(|e| invalid("url", format!("is not a valid URL: {e}")))?;
        let (Some(host), Some(port)) = (url.host(), url.port_or_known_default()) else {
            return Err(invalid("url", "names no host".to_owned()));
        };
        let shown = host.to_string();
        if self.allows_host(&shown) {
            return Ok(());
        }
        let addresses: Vec<std::net::IpAddr> = match host {
            url::Host::Ipv4(ip) => vec![ip.into()],
            url::Host::Ipv6(ip) => vec![ip.into()],
            url::Host::Domain(name) => (name, port)
                .to_socket_addrs()
                .map(|found| found.map(|a| a.ip()).collect())
                .unwrap_or_default(),
        };
        if addresses.is_empty() {
            return Err(invalid(
                "resolves",
                format!("names the host {shown}, which does not resolve"),
            ));
        }
        if let Some(bad) = addresses.iter().find(|ip| !public_address(**ip)) {
            return Err(invalid(
                "public_address",
                format!(
                    "reaches {bad}, which is not a public address; webhooks go to public \
                     addresses, or to hosts the operator lists in webhook_allow_hosts"
                ),
            ));
        }
        Ok(())
    }
}

fn check_url(url: &str) -> Result<()> {
    let ok = (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() <= 2000
        && !url.chars().any(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_field(
            "url",
            "url",
            "must be an http:// or https:// URL",
        ))
    }
}

fn to_dto(row: WebhookRow) -> Webhook {
    let kind = kind_of(&row).into();
    Webhook {
        id: row.id,
        url: row.url,
        events: row.events.split(',').map(str::to_owned).collect(),
        kind,
        organization_id: row.organization_id,
        active: row.active,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    }
}

fn visible(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<(WebhookRow, String)> {
    let what = format!("Webhook {id}");
    let (row, org) =
        db_hooks::get_with_organization(conn, id).map_err(Error::missing(what.clone()))?;
    if caller.sees(&org.path) {
        Ok((row, org.path))
    } else {
        Err(Error::not_found(&what))
    }
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn create(
    db: &Db,
    caller: &Caller,
    input: CreateWebhook,
    targets: &Targets,
    now: DateTime<Utc>,
) -> Result<Webhook> {
    caller.require_admin("manage webhooks")?;
    targets.check(input.url.trim())?;
    let events = check_events(&input.events)?;
    let kind = input.kind.map_or(Kind::Generic, Kind::from);
    let secret = input.secret.clone().unwrap_or_default();
    check_kind(kind, &events, &secret)?;
    super::audit::write(db, now, |conn| {
        caller.require_admin("manage webhooks")?;
        let org = visible_org(conn, caller, input.organization_id).map_err(|_| {
            Error::invalid_field(
                "organization_id",
                "exists",
                format!("organization {} does not exist", input.organization_id),
            )
        })?;
        let now = now.naive_utc();
        let row = db_hooks::insert(
            conn,
            NewWebhook {
                url: input.url.trim(),
                events: &events,
                organization_id: org.id,
                secret: &secret,
                active: true,
                created_at: now,
                updated_at: now,
                kind: kind.as_str(),
            },
        )?;
        audit::created_record(conn, caller, "webhook", row.id, &org.path, &row)?;
        Ok(to_dto(row))
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn update(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: UpdateWebhook,
    targets: &Targets,
    now: DateTime<Utc>,
) -> Result<Webhook> {
    caller.require_admin("manage webhooks")?;
    if let Some(url) = &input.url {
        targets.check(url.trim())?;
    }
    let events = input.events.as_deref().map(check_events).transpose()?;
    super::audit::write(db, now, |conn| {
        let (before, path) = visible(conn, caller, id)?;
        caller.require_admin("manage webhooks")?;
        let kind = input.kind.map_or_else(|| kind_of(&before), Kind::from);
        check_kind(
            kind,
            events.as_deref().unwrap_or(&before.events),
            input.secret.as_deref().unwrap_or(&before.secret),
        )?;
        let after = db_hooks::update(
            conn,
            id,
            &WebhookChanges {
                url: input.url.as_deref().map(|u| u.trim().to_owned()),
                kind: input.kind.map(|k| Kind::from(k).as_str().to_owned()),
                events: events.clone(),
                secret: input.secret.clone(),
                active: input.active,
                updated_at: Some(now.naive_utc()),
            },
        )?;
        let mut changes = audit::diff(&before, &after);
        if input.secret.is_some() {
            changes["secret"] = json!(["[redacted]", "[redacted]"]);
        }
        audit::record(
            conn,
            caller,
            audit::Event {
                action: "webhook.update",
                entity_type: "webhook",
                entity_id: Some(id.to_string()),
                organization_path: Some(&path),
                changes,
            },
        )?;
        Ok(to_dto(after))
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn get(db: &Db, caller: &Caller, id: i64) -> Result<Webhook> {
    db.read(|conn| {
        let (row, _) = visible(conn, caller, id)?;
        caller.require_admin("read webhooks")?;
        Ok(to_dto(row))
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn list(db: &Db, caller: &Caller, page: PageParams) -> Result<Page<Webhook>> {
    caller.require_admin("read webhooks")?;
    let (limit, after) = pagination::limit_and_after(&page)?;
    db.read(|conn| {
        let scope = caller.scope_path();
        let rows = db_hooks::list(conn, scope.as_deref(), after, limit + 1)?;
        let (rows, next_cursor) = pagination::page_by_id(rows, limit, |r| r.id);
        Ok(Page {
            items: rows.into_iter().map(to_dto).collect(),
            next_cursor,
            total: None,
        })
    })
}

fn deliveries_with_attempts(
    conn: &mut DbConnection,
    rows: Vec<rectify_db::models::DeliveryRow>,
) -> Result<Vec<Delivery>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut attempts: std::collections::HashMap<i64, Vec<DeliveryAttempt>> =
        std::collections::HashMap::new();
    for a in db_hooks::attempts(conn, &ids)? {
        attempts
            .entry(a.delivery_id)
            .or_default()
            .push(DeliveryAttempt {
                at: utc(a.at),
                status_code: a.status_code,
                error: a.error,
                duration_ms: a.duration_ms,
            });
    }
    Ok(rows
        .into_iter()
        .map(|d| {
            let mine = attempts.remove(&d.id).unwrap_or_default();
            Delivery {
                id: d.id,
                webhook_id: d.webhook_id,
                event: d.event,
                delivery_id: d.delivery_key,
                status: d.status,
                attempts: d.attempts,
                next_attempt_at: utc(d.next_attempt_at),
                last_error: d.last_error,
                delivered_at: d.delivered_at.map(utc),
                created_at: utc(d.created_at),
                payload: serde_json::from_str(&d.payload).unwrap_or(Value::Null),
                attempt_log: mine,
            }
        })
        .collect())
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn deliveries(db: &Db, caller: &Caller, id: i64, page: PageParams) -> Result<Page<Delivery>> {
    let (limit, after) = pagination::limit_and_after(&page)?;
    db.read(|conn| {
        visible(conn, caller, id)?;
        caller.require_admin("read webhook deliveries")?;
        let rows = db_hooks::deliveries(conn, id, after, limit + 1)?;
        let (rows, next_cursor) = pagination::page_by_id(rows, limit, |r| r.id);
        Ok(Page {
            items: deliveries_with_attempts(conn, rows)?,
            next_cursor,
            total: None,
        })
    })
}

fn visible_delivery(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
) -> Result<(rectify_db::models::DeliveryRow, String)> {
    let what = format!("Delivery {id}");
    let row = db_hooks::get_delivery(conn, id).map_err(Error::missing(what.clone()))?;
    let (_, path) = visible(conn, caller, row.webhook_id).map_err(|_| Error::not_found(&what))?;
    Ok((row, path))
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn delivery(db: &Db, caller: &Caller, id: i64) -> Result<Delivery> {
    db.read(|conn| {
        let (row, _) = visible_delivery(conn, caller, id)?;
        caller.require_admin("read webhook deliveries")?;
        deliveries_with_attempts(conn, vec![row])?
            .pop()
            .ok_or_else(|| Error::internal("delivery vanished"))
    })
}

/// Queues a delivery again, due now (its delivery id stays, so receivers can de-duplicate).
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn resend(db: &Db, caller: &Caller, id: i64, now: DateTime<Utc>) -> Result<Delivery> {
    super::audit::write(db, now, |conn| {
        let (before, path) = visible_delivery(conn, caller, id)?;
        caller.require_admin("re-send webhook deliveries")?;
        if before.status == "pending" {
            return Err(Error::new(
                Code::DeliveryPending,
                "The delivery is still queued; it will be sent.",
            ));
        }
        let after = db_hooks::resend(conn, id, now.naive_utc())?;
        audit::record(
            conn,
            caller,
            audit::Event {
                action: "delivery.resend",
                entity_type: "delivery",
                entity_id: Some(id.to_string()),
                organization_path: Some(&path),
                changes: json!({"status": [before.status, after.status]}),
            },
        )?;
        deliveries_with_attempts(conn, vec![after])?
            .pop()
            .ok_or_else(|| Error::internal("delivery vanished"))
    })
}
