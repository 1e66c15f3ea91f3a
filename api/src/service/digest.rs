//! The weekly overdue digest: computed per coordinator (their subtree) or owner (their
//! problems), shown on demand, and sent once per (week, recipient, channel) by e-mail and to
//! `digest.weekly` webhooks.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use rectify_db::models::{OrganizationRow, UserRow};
use rectify_db::problems::{self as db_problems, After, ProblemFilter, Sort};
use rectify_db::{
    digests as db_digests, organizations as orgs, users as db_users, Db, DbConnection,
};
use serde_json::{json, Value};

use super::Caller;
use crate::api_types::{utc, DigestDelivery};
use crate::domain::deadline::{end_of_day as end_of, local_date, today_in};
use crate::domain::digest::{bucket, Bucket, Digest, DigestLine, Week};
use crate::domain::progress::Figures;
use crate::domain::supervision;
use crate::domain::webhook::backoff;
use crate::domain::workflow::Action;
use crate::domain::Role;
use crate::error::{Code, Error, Result};

const PAGE: i64 = 1000;

/// Whose problems a digest covers.
#[derive(Debug, Clone)]
pub enum Scope {
    /// A coordinator's (or admin's) subtree.
    Subtree(Box<OrganizationRow>),
    /// An owner's own problems.
    Owner(i64),
}

/// The digest of one recipient for one week, judged at the week's end (or today, for the
/// current week) on each unit's calendar, from the problems' history.
pub fn compute(
    conn: &mut DbConnection,
    recipient: (i64, &str),
    scope: &Scope,
    week: Week,
    now: DateTime<Utc>,
) -> Result<Digest> {
    let filter = match scope {
        Scope::Subtree(org) => ProblemFilter {
            organization_path: Some(org.path.clone()),
            ..Default::default()
        },
        Scope::Owner(id) => ProblemFilter {
            owner_id: Some(*id),
            ..Default::default()
        },
    };
    let sunday = week.sunday();
    let last_sunday = week.previous().sunday();
    let mut digest = Digest {
        week: week.to_string(),
        period: week.dates(),
        recipient_id: recipient.0,
        recipient: recipient.1.to_owned(),
        as_of: sunday,
        newly_overdue: Vec::new(),
        still_overdue: Vec::new(),
        due_next_7_days: Vec::new(),
        waiting_verification: Vec::new(),
        pending_extensions: Vec::new(),
        not_acknowledged: Vec::new(),
        recheck_due: Vec::new(),
        overdue_replies: Vec::new(),
        escalated: Vec::new(),
        watched: Vec::new(),
        closed_this_week: Vec::new(),
        completion_rate: None,
        completion_rate_last_week: None,
        completion_change: None,
    };
    let coordinates = matches!(scope, Scope::Subtree(_));
    let (mut this_week, mut last_week) = (Figures::default(), Figures::default());
    let mut units: HashMap<i64, OrganizationRow> = HashMap::new();
    let mut owners: HashMap<i64, String> = HashMap::new();
    let mut after: Option<After> = None;
    loop {
        let rows = db_problems::list(conn, &filter, Sort::CreatedAsc, after.as_ref(), PAGE)?;
        let Some(last) = rows.last() else { break };
        after = Some(After::Id(last.id));
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let missing: Vec<i64> = rows
            .iter()
            .map(|r| r.organization_id)
            .filter(|id| !units.contains_key(id))
            .collect();
        units.extend(
            orgs::get_many(conn, &missing)?
                .into_iter()
                .map(|o| (o.id, o)),
        );
        let owner_ids: Vec<i64> = rows
            .iter()
            .filter_map(|r| r.owner_id)
            .filter(|id| !owners.contains_key(id))
            .collect();
        owners.extend(
            db_users::get_many(conn, &owner_ids)?
                .into_iter()
                .map(|u| (u.id, u.display_name)),
        );
        let mut timelines = super::reports::timelines(conn, &rows)?;
        let pending: HashMap<i64, _> = rectify_db::closing::pending_extensions_of(conn, &ids)?
            .into_iter()
            .map(|e| (e.problem_id, e))
            .collect();
        for row in rows {
            let Some(unit) = units.get(&row.organization_id) else {
                continue;
            };
            let tz = unit.timezone.as_str();
            let as_of = sunday.min(today_in(now, tz));
            digest.as_of = digest.as_of.min(as_of);
            let Some((timeline, entries)) = timelines.remove(&row.id) else {
                continue;
            };
            let local = |at: NaiveDateTime| local_date(at, tz);
            if let Some(before) = timeline.at(end_of(last_sunday, tz), local) {
                last_week.add(&before, last_sunday);
            }
            let cutoff = end_of(as_of, tz);
            let Some(standing) = timeline.at(cutoff, local) else {
                continue;
            };
            this_week.add(&standing, as_of);
            let line = |days: i64| DigestLine {
                key: row.key.clone(),
                title: row.title.clone(),
                unit: unit.name.clone(),
                owner: row.owner_id.and_then(|id| owners.get(&id).cloned()),
                deadline: standing.deadline,
                days,
            };
            let last_day = |action: Action| {
                entries
                    .iter()
                    .filter(|h| h.action == action.as_str() && h.created_at <= cutoff)
                    .map(|h| local(h.created_at))
                    .next_back()
            };
            let placed = bucket(
                standing.status,
                standing.deadline,
                as_of,
                week,
                last_day(Action::Submit),
                last_day(Action::Verify),
            );
            match placed {
                Some(Bucket::NewlyOverdue { days }) => digest.newly_overdue.push(line(days)),
                Some(Bucket::StillOverdue { days }) => digest.still_overdue.push(line(days)),
                Some(Bucket::DueSoon { days_left }) => digest.due_next_7_days.push(line(days_left)),
                Some(Bucket::WaitingVerification { days }) => {
                    digest.waiting_verification.push(line(days))
                }
                Some(Bucket::ClosedThisWeek) => digest.closed_this_week.push(line(0)),
                None => {}
            }
            let acknowledged = row.acknowledged_at.is_some_and(|at| at <= cutoff);
            if let (true, Some(by)) = (
                supervision::acknowledgement_overdue(
                    standing.status,
                    row.acknowledge_by,
                    acknowledged,
                    as_of,
                ),
                row.acknowledge_by,
            ) {
                digest.not_acknowledged.push(line((as_of - by).num_days()));
            }
            // Re-checking is the coordinators' task, not the owner's.
            if coordinates && supervision::recheck_due(standing.status, row.recheck_on, as_of) {
                digest.recheck_due.push(line(0));
            }
            if let Some(extension) = pending.get(&row.id) {
                if standing.status.is_active() {
                    digest.pending_extensions.push(DigestLine {
                        deadline: Some(extension.new_deadline),
                        ..line(0)
                    });
                }
            }
        }
    }
    supervision_sections(conn, recipient.0, scope, sunday, now, &mut digest)?;
    digest
        .newly_overdue
        .sort_by(|a, b| b.days.cmp(&a.days).then(a.key.cmp(&b.key)));
    digest
        .still_overdue
        .sort_by(|a, b| b.days.cmp(&a.days).then(a.key.cmp(&b.key)));
    digest
        .due_next_7_days
        .sort_by(|a, b| a.days.cmp(&b.days).then(a.key.cmp(&b.key)));
    digest
        .not_acknowledged
        .sort_by(|a, b| b.days.cmp(&a.days).then(a.key.cmp(&b.key)));
    digest.completion_rate = this_week.completion_rate;
    digest.completion_rate_last_week = last_week.completion_rate;
    digest.completion_change = this_week
        .completion_rate
        .zip(last_week.completion_rate)
        .map(|(now, before)| ((now - before) * 1000.0).round() / 10.0);
    Ok(digest)
}

/// At most this many lines in each supervision section of a digest.
const SECTION_LIMIT: i64 = 200;

/// What the supervision adds to a recipient's digest, judged on `sunday` (or today, on each
/// unit's calendar, for the current week) as the problems and notices stand now: 督办 notices to
/// a coordinator's units left unanswered past their reply date; problems of units the recipient
/// leads that the escalation ladder tells them of (a leader in charge from yellow, a head from
/// red); and the problems they watch (抄送) that are red or yellow. Problems the recipient's own
/// lists already hold are not repeated.
fn supervision_sections(
    conn: &mut DbConnection,
    user_id: i64,
    scope: &Scope,
    sunday: chrono::NaiveDate,
    now: DateTime<Utc>,
    digest: &mut Digest,
) -> Result<()> {
    use crate::domain::deadline::problem_standing;
    use crate::domain::workflow::Status;
    use rectify_db::supervision::{pending_due_by, Watched};
    let as_of = |zone: &str| sunday.min(today_in(now, zone));
    let in_scope = |row: &rectify_db::models::ProblemRow, path: &str| match scope {
        Scope::Subtree(org) => path.starts_with(&org.path),
        Scope::Owner(id) => row.owner_id == Some(*id),
    };
    let line = |row: &rectify_db::models::ProblemRow, unit: &str, days: i64| DigestLine {
        key: row.key.clone(),
        title: row.title.clone(),
        unit: unit.to_owned(),
        owner: None,
        deadline: row.deadline,
        days,
    };
    // Far enough ahead for any unit's yellow (its warning days are a policy).
    let horizon = sunday + chrono::Days::new(supervision::MAX_POLICY_DAYS as u64);
    // Where a pending problem stands on the ladder, on its unit's calendar and policy.
    let mut policies: HashMap<i64, super::organizations::Policy> = HashMap::new();
    let mut level_of = |conn: &mut DbConnection,
                        row: &rectify_db::models::ProblemRow,
                        zone: &str|
     -> Result<(u8, i64)> {
        if !policies.contains_key(&row.organization_id) {
            let unit = orgs::get(conn, row.organization_id)?;
            policies.insert(unit.id, super::organizations::policy(conn, &unit)?);
        }
        let policy = policies[&row.organization_id];
        let status: Status = row.status.parse().unwrap_or(Status::Open);
        let day = as_of(zone);
        let standing = problem_standing(status, row.deadline, day);
        let light = supervision::light(status, row.deadline, day, policy.warn_days);
        Ok((
            supervision::escalation_level(light, standing.days_overdue, policy.escalate_after_days),
            standing.days_overdue,
        ))
    };

    if let Scope::Subtree(org) = scope {
        let until = end_of(sunday, &org.timezone);
        for (notice, unit, zone) in
            rectify_db::notices::unanswered_before(conn, &org.path, sunday, until)?
                .into_iter()
                .take(SECTION_LIMIT as usize)
        {
            let days =
                crate::domain::notice::reply_days_overdue(notice.reply_by, false, as_of(&zone));
            if days > 0 {
                digest.overdue_replies.push(DigestLine {
                    key: crate::domain::notice::reference(notice.year, notice.number),
                    title: notice.subject,
                    unit,
                    owner: None,
                    deadline: Some(notice.reply_by),
                    days,
                });
            }
        }
        digest
            .overdue_replies
            .sort_by(|a, b| b.days.cmp(&a.days).then(a.key.cmp(&b.key)));
    }

    // A unit's digest (for its group robot) has no person to tell.
    if user_id <= 0 {
        return Ok(());
    }
    let led = orgs::led_by(conn, user_id)?;
    if !led.is_empty() {
        let ids: Vec<i64> = led.iter().map(|o| o.id).collect();
        for (row, unit, zone, path) in
            pending_due_by(conn, Watched::Units(&ids), horizon, SECTION_LIMIT)?
        {
            let Some(led_unit) = led.iter().find(|o| o.id == row.organization_id) else {
                continue;
            };
            let (level, days) = level_of(conn, &row, &zone)?;
            let told = (led_unit.leader_id == Some(user_id) && level >= 1)
                || (led_unit.head_id == Some(user_id) && level >= 2);
            if told && !in_scope(&row, &path) {
                digest.escalated.push(line(&row, &unit, days));
            }
        }
    }

    let (_, own) = db_users::get_with_organization(conn, user_id)?;
    let chain: Vec<i64> = own
        .path
        .split('/')
        .filter_map(|id| id.parse().ok())
        .collect();
    let (problems, reviews) =
        rectify_db::watchers::records_watched_by(conn, user_id, &chain, SECTION_LIMIT)?;
    if !problems.is_empty() || !reviews.is_empty() {
        let which = Watched::Records {
            problems: &problems,
            reviews: &reviews,
        };
        for (row, unit, zone, path) in pending_due_by(conn, which, horizon, SECTION_LIMIT)? {
            let (level, days) = level_of(conn, &row, &zone)?;
            if level >= 1 && !in_scope(&row, &path) {
                digest.watched.push(line(&row, &unit, days));
            }
        }
    }
    Ok(())
}

/// The scope a recipient's digest covers: coordinators and admins their subtree, owners
/// their own problems.
fn scope_of(user: &UserRow, org: &OrganizationRow) -> Option<Scope> {
    match user.role.parse::<Role>().ok()? {
        Role::Coordinator | Role::Admin => Some(Scope::Subtree(Box::new(org.clone()))),
        Role::Owner => Some(Scope::Owner(user.id)),
        Role::Auditor => None,
    }
}

/// The caller's own digest; a coordinator may ask for an organization of their subtree.
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn for_caller(
    db: &Db,
    caller: &Caller,
    week: Option<Week>,
    organization_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Digest> {
    if caller.service_account_id.is_some() {
        return Err(Error::new(
            Code::NotAUser,
            "A digest is for a person; a service token has none.",
        ));
    }
    db.read(|conn| {
        let (user, org) = db_users::get_with_organization(conn, caller.user_id)?;
        let scope = match organization_id {
            Some(id) => {
                if !matches!(caller.role, Role::Coordinator | Role::Admin) {
                    return Err(Error::forbidden(
                        "Only coordinators ask for a subtree's digest.",
                    ));
                }
                let org = super::organizations::visible(conn, caller, id).map_err(|_| {
                    Error::invalid_field(
                        "organization_id",
                        "exists",
                        format!("organization {id} does not exist"),
                    )
                })?;
                Scope::Subtree(Box::new(org))
            }
            None => scope_of(&user, &org).unwrap_or_else(|| Scope::Subtree(Box::new(org.clone()))),
        };
        // Without a week: the last full one, on the caller's calendar.
        let week = week.unwrap_or_else(|| {
            Week::last_full(crate::domain::deadline::today_in(now, &org.timezone))
        });
        compute(conn, (user.id, &user.display_name), &scope, week, now)
    })
}

/// How e-mail leaves: an SMTP relay and the sender's address.
pub struct Mailer {
    pub transport: lettre::SmtpTransport,
    pub from: lettre::message::Mailbox,
}

impl Mailer {
    pub fn new(url: &str, from: &str) -> std::result::Result<Self, String> {
        let transport = lettre::SmtpTransport::from_url(url)
            .map_err(|e| format!("invalid smtp_url: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("invalid smtp_from {from:?}: {e}"))?;
        Ok(Self { transport, from })
    }

    fn send(&self, to: &str, digest: &Digest) -> std::result::Result<(), String> {
        use lettre::message::{header::ContentType, MultiPart, SinglePart};
        use lettre::Transport;
        let to = to
            .parse()
            .map_err(|e| format!("invalid address {to:?}: {e}"))?;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(digest.subject())
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(digest.text()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(digest.html()),
                    ),
            )
            .map_err(|e| e.to_string())?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// What a send run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SendSummary {
    pub emails_sent: usize,
    pub emails_failed: usize,
    pub webhooks_queued: usize,
    pub empty: usize,
    pub already_done: usize,
}

/// The body a `digest.weekly` webhook gets: the digest as JSON, and at the top a Markdown
/// message in the shape WeCom and DingTalk group robots read.
fn robot_members(digest: &Digest) -> serde_json::Map<String, Value> {
    use crate::domain::robot::Kind;
    let markdown = digest.markdown();
    let mut extra = serde_json::Map::new();
    extra.insert("msgtype".into(), json!("markdown"));
    // Cut as each platform takes it: WeCom reads `content`, DingTalk `text`.
    let (wecom, dingtalk) = (
        Kind::Wecom.message("", &markdown),
        Kind::Dingtalk.message("", &markdown),
    );
    extra.insert(
        "markdown".into(),
        json!({
            "title": digest.subject(),
            "content": wecom["markdown"]["content"],
            "text": dingtalk["markdown"]["text"],
        }),
    );
    extra
}

/// Sends `week`'s digests to every recipient (in one time zone, when `zone` says), once per
/// channel: recorded first, so a re-run, a restart or another server sends nothing again.
#[tracing::instrument(level = "debug", skip_all)]
pub fn send_week(
    db: &Db,
    week: Week,
    zone: Option<&str>,
    now: DateTime<Utc>,
    mailer: Option<&Mailer>,
    retry_base: Duration,
) -> Result<SendSummary> {
    let mut summary = SendSummary::default();
    let week_text = week.to_string();
    let recipients = db.read(|conn| {
        Ok::<_, Error>(db_users::active_with_roles(
            conn,
            &[Role::Coordinator.as_str(), Role::Owner.as_str()],
        )?)
    })?;
    for (user, org) in recipients {
        if zone.is_some_and(|z| z != org.timezone) {
            continue;
        }
        let Some(scope) = scope_of(&user, &org) else {
            continue;
        };
        let done = db.read(|conn| {
            Ok::<_, Error>(db_digests::of_week(conn, &week_text, Some(&[user.id]))?)
        })?;
        // Group robots get their unit's digest once (below), not one per person.
        let hooks: Vec<_> = db
            .read(|conn| super::webhooks::subscribers(conn, "digest.weekly", &org.path))?
            .into_iter()
            .filter(|(hook, _)| !super::webhooks::kind_of(hook).is_robot())
            .collect();
        let email = user.email.as_deref().filter(|e| !e.trim().is_empty());
        let mut channels: Vec<String> = hooks
            .iter()
            .map(|(h, _)| format!("webhook:{}", h.id))
            .collect();
        if email.is_some() && mailer.is_some() {
            channels.push("email".to_owned());
        }
        let recorded = |channel: &String| done.iter().any(|d| &d.channel == channel);
        // Scheduled runs repeat all week: a recipient whose every channel is on record is not
        // computed again.
        if done.iter().any(|d| d.status == "empty")
            || (!done.is_empty() && channels.iter().all(recorded))
        {
            summary.already_done += 1;
            continue;
        }
        let digest =
            db.read(|conn| compute(conn, (user.id, &user.display_name), &scope, week, now))?;
        let at = now.naive_utc();
        if digest.is_empty() {
            db.write(|conn| {
                Ok::<_, Error>(db_digests::record(
                    conn, &week_text, user.id, "none", "empty", at,
                )?)
            })?;
            summary.empty += 1;
            continue;
        }
        // Webhooks: the record and the outbox row commit together; the worker sends.
        let queued = super::audit::write(db, now, |conn| {
            let mut queued = 0;
            for (hook, _) in &hooks {
                let channel = format!("webhook:{}", hook.id);
                if db_digests::record(conn, &week_text, user.id, &channel, "sent", at)? {
                    let data = json!({"recipient_id": user.id, "recipient": user.username, "digest": digest});
                    super::webhooks::enqueue_to(
                        conn,
                        hook,
                        "digest.weekly",
                        data,
                        Some(robot_members(&digest)),
                        None,
                        now,
                    )?;
                    queued += 1;
                }
            }
            Ok(queued)
        })?;
        summary.webhooks_queued += queued;
        if let (Some(_), Some(_)) = (email, mailer) {
            let recorded = db.write(|conn| {
                Ok::<_, Error>(db_digests::record(
                    conn, &week_text, user.id, "email", "pending", at,
                )?)
            })?;
            if !recorded && queued == 0 {
                summary.already_done += 1;
            }
        } else if queued == 0 && done.iter().any(|d| d.channel.starts_with("webhook:")) {
            summary.already_done += 1;
        }
    }
    send_to_robots(db, week, zone, now, &mut summary)?;
    let (sent, failed) = send_due_emails(db, now, mailer, retry_base)?;
    summary.emails_sent += sent;
    summary.emails_failed += failed;
    Ok(summary)
}

/// Each group robot subscribed to the digest gets its organization's digest (the subtree, as
/// its coordinators read it) once for the week, posted in its platform's message.
fn send_to_robots(
    db: &Db,
    week: Week,
    zone: Option<&str>,
    now: DateTime<Utc>,
    summary: &mut SendSummary,
) -> Result<()> {
    let week_text = week.to_string();
    let robots = db.read(|conn| {
        Ok::<_, Error>(
            rectify_db::webhooks::active_with_paths(conn)?
                .into_iter()
                .filter(|(hook, _)| {
                    super::webhooks::kind_of(hook).is_robot()
                        && crate::domain::webhook::subscribed(&hook.events, "digest.weekly")
                })
                .collect::<Vec<_>>(),
        )
    })?;
    for (hook, _) in robots {
        let org = db.read(|conn| {
            Ok::<_, Error>(rectify_db::organizations::get(conn, hook.organization_id)?)
        })?;
        if zone.is_some_and(|z| z != org.timezone) {
            continue;
        }
        // Scheduled runs repeat all week: a robot whose digest is queued is not computed again.
        if db.read(|conn| super::webhooks::robot_digest_queued(conn, &hook, &week_text))? {
            summary.already_done += 1;
            continue;
        }
        let scope = Scope::Subtree(Box::new(org.clone()));
        let digest = db.read(|conn| compute(conn, (0, &org.name), &scope, week, now))?;
        if digest.is_empty() {
            summary.empty += 1;
            continue;
        }
        let title = digest.unit_subject(&org.name);
        let markdown = digest.markdown_headed(&title);
        let queued = super::audit::write(db, now, |conn| {
            super::webhooks::enqueue_robot_digest(conn, &hook, &week_text, &title, &markdown, now)
        })?;
        if queued {
            summary.webhooks_queued += 1;
        } else {
            summary.already_done += 1;
        }
    }
    Ok(())
}

/// Sends recorded e-mails that are due (new, or failed earlier and due for a retry).
#[tracing::instrument(level = "debug", skip_all)]
pub fn send_due_emails(
    db: &Db,
    now: DateTime<Utc>,
    mailer: Option<&Mailer>,
    retry_base: Duration,
) -> Result<(usize, usize)> {
    let Some(mailer) = mailer else {
        return Ok((0, 0));
    };
    let (mut sent, mut failed) = (0, 0);
    let at = now.naive_utc();
    let due = db.read(|conn| Ok::<_, Error>(db_digests::due(conn, at, 100)?))?;
    for row in due {
        let lease = at + chrono::Duration::minutes(5);
        if !db.write(|conn| Ok::<_, Error>(db_digests::claim(conn, row.id, at, lease)?))? {
            continue;
        }
        let week = Week::parse(&row.week).map_err(Error::internal)?;
        let (user, org) = db.read(|conn| {
            Ok::<_, Error>(db_users::get_with_organization(conn, row.recipient_id)?)
        })?;
        let outcome = match (user.email.as_deref(), scope_of(&user, &org)) {
            (Some(address), Some(scope)) => db
                .read(|conn| compute(conn, (user.id, &user.display_name), &scope, week, now))
                .map_err(|e| e.detail)
                .and_then(|digest| mailer.send(address, &digest)),
            _ => Err("the recipient has no e-mail address or role any more".to_owned()),
        };
        match outcome {
            Ok(()) => {
                db.write(|conn| {
                    Ok::<_, Error>(db_digests::mark_sent(conn, row.id, now.naive_utc())?)
                })?;
                sent += 1;
            }
            Err(error) => {
                let attempt = row.attempts + 1;
                let retry_at = (attempt < crate::domain::webhook::MAX_ATTEMPTS).then(|| {
                    now.naive_utc()
                        + chrono::Duration::from_std(backoff(retry_base, attempt))
                            .unwrap_or_default()
                });
                tracing::warn!(delivery = row.id, attempt, %error, "digest e-mail failed");
                db.write(|conn| {
                    Ok::<_, Error>(db_digests::mark_failed(
                        conn,
                        row.id,
                        &error,
                        retry_at,
                        now.naive_utc(),
                    )?)
                })?;
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}

/// Sends last week's digests where the configured moment (say Monday 09:00) has passed on the
/// zone's calendar this week.
#[tracing::instrument(level = "debug", skip_all)]
pub fn send_scheduled(
    db: &Db,
    now: DateTime<Utc>,
    weekday: chrono::Weekday,
    time: chrono::NaiveTime,
    mailer: Option<&Mailer>,
    retry_base: Duration,
) -> Result<SendSummary> {
    // The calendars in use: the problems' units', and the units of robots that get a digest
    // (a robot of the root sees the tree whatever the root's own zone).
    let zones = db.read(|conn| {
        let mut zones = db_problems::timezones_in_use(conn)?;
        for (hook, _) in rectify_db::webhooks::active_with_paths(conn)? {
            if super::webhooks::kind_of(&hook).is_robot()
                && crate::domain::webhook::subscribed(&hook.events, "digest.weekly")
            {
                zones.push(rectify_db::organizations::get(conn, hook.organization_id)?.timezone);
            }
        }
        zones.sort();
        zones.dedup();
        Ok::<_, Error>(zones)
    })?;
    let mut total = SendSummary::default();
    for tz in zones {
        let local = now
            .with_timezone(
                &tz.parse::<chrono_tz::Tz>()
                    .unwrap_or(chrono_tz::Asia::Shanghai),
            )
            .naive_local();
        let this_week = Week::containing(local.date());
        let moment = this_week.monday() + chrono::Days::new(weekday.num_days_from_monday() as u64);
        if local < moment.and_time(time) {
            continue;
        }
        let s = send_week(db, this_week.previous(), Some(&tz), now, mailer, retry_base)?;
        total.emails_sent += s.emails_sent;
        total.emails_failed += s.emails_failed;
        total.webhooks_queued += s.webhooks_queued;
        total.empty += s.empty;
        total.already_done += s.already_done;
    }
    Ok(total)
}

/// A week's delivery records (admins: all; others: their own).
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn deliveries(db: &Db, caller: &Caller, week: Week) -> Result<Vec<DigestDelivery>> {
    db.read(|conn| {
        let only: Option<Vec<i64>> = (!caller.is_admin()).then(|| vec![caller.user_id]);
        let rows = db_digests::of_week(conn, &week.to_string(), only.as_deref())?;
        Ok(rows
            .into_iter()
            .map(|r| DigestDelivery {
                id: r.id,
                week: r.week,
                recipient_id: r.recipient_id,
                channel: r.channel,
                status: r.status,
                attempts: r.attempts,
                last_error: r.last_error,
                sent_at: r.sent_at.map(utc),
                next_attempt_at: utc(r.next_attempt_at),
            })
            .collect())
    })
}
