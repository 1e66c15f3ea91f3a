//! 督办 notices: issued by hand by a coordinator of a supervising unit, or by the escalation
//! ladder at level 3; replied to by the recipient unit.

use chrono::{DateTime, NaiveDate, Utc};
use rectify_db::models::{NewNotice, NoticeRow, OrganizationRow, ProblemRow};
use rectify_db::{notices as db_notices, organizations as orgs, Db, DbConnection};

use super::idempotency::{self, Once, Outcome};
use super::organizations::visible as visible_org;
use super::{access, group, pagination, Caller};
use crate::api_types::{
    utc, CreateSupervisionNotice, NoticeQuery, Page, PageParams, ReplyToNotice, SupervisionNotice,
};
use crate::domain::deadline::today_in;
use crate::domain::notice;
use crate::error::{Code, Error, Result};

fn to_dtos(
    conn: &mut DbConnection,
    rows: Vec<NoticeRow>,
    now: DateTime<Utc>,
) -> Result<Vec<SupervisionNotice>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut problems = group(db_notices::problems_of(conn, &ids)?);
    let mut evidence = group(db_notices::cited_evidence(conn, &ids)?);
    let mut unit_ids: Vec<i64> = rows.iter().map(|r| r.recipient_organization_id).collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let zones: std::collections::HashMap<i64, String> = orgs::get_many(conn, &unit_ids)?
        .into_iter()
        .map(|o| (o.id, o.timezone))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let zone = zones
                .get(&row.recipient_organization_id)
                .map_or("Asia/Shanghai", String::as_str);
            let today = today_in(now, zone);
            SupervisionNotice {
                reference: notice::reference(row.year, row.number),
                reply_days_overdue: notice::reply_days_overdue(
                    row.reply_by,
                    row.replied_at.is_some(),
                    today,
                ),
                problem_ids: problems.remove(&row.id).unwrap_or_default(),
                id: row.id,
                year: row.year,
                number: row.number,
                issuing_organization_id: row.issuing_organization_id,
                recipient_organization_id: row.recipient_organization_id,
                issued_by: row.issued_by,
                automatic: row.for_deadline.is_some(),
                subject: row.subject,
                body: row.body,
                reply_by: row.reply_by,
                reply: row.reply,
                reply_evidence_ids: evidence.remove(&row.id).unwrap_or_default(),
                replied_by: row.replied_by,
                replied_at: row.replied_at.map(utc),
                created_at: utc(row.created_at),
            }
        })
        .collect())
}

fn one(conn: &mut DbConnection, row: NoticeRow, now: DateTime<Utc>) -> Result<SupervisionNotice> {
    to_dtos(conn, vec![row], now)?
        .pop()
        .ok_or_else(|| Error::internal("notice vanished"))
}

/// Writes a notice with the next number of its issuer's year, its audit entry and its event.
#[allow(clippy::too_many_arguments)]
fn issue(
    conn: &mut DbConnection,
    caller: &Caller,
    issuer: &OrganizationRow,
    recipient: &OrganizationRow,
    problem_ids: &[i64],
    content: (&str, &str),
    reply_by: NaiveDate,
    for_deadline: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<NoticeRow> {
    use chrono::Datelike;
    let year = today_in(now, &issuer.timezone).year();
    let number = db_notices::next_number(conn, issuer.id, year)?;
    let (subject, body) = content;
    let row = db_notices::insert(
        conn,
        NewNotice {
            issuing_organization_id: issuer.id,
            year,
            number,
            recipient_organization_id: recipient.id,
            issued_by: Some(caller.user_id).filter(|id| *id > 0),
            subject,
            body,
            reply_by,
            for_deadline,
            created_at: now.naive_utc(),
        },
        problem_ids,
    )?;
    super::audit::record(
        conn,
        caller,
        super::audit::Event {
            action: "supervision_notice.create",
            entity_type: "supervision_notice",
            entity_id: Some(row.id.to_string()),
            organization_path: Some(&recipient.path),
            changes: serde_json::json!({
                "reference": [null, notice::reference(year, number)],
                "recipient_organization_id": [null, recipient.id],
                "problem_ids": [null, problem_ids],
                "subject": [null, subject],
                "reply_by": [null, reply_by],
            }),
        },
    )?;
    let data = serde_json::json!({
        "id": row.id,
        "reference": notice::reference(year, number),
        "issuing_organization_id": issuer.id,
        "recipient_organization_id": recipient.id,
        "problem_ids": problem_ids,
        "subject": subject,
        "reply_by": reply_by,
    });
    super::webhooks::enqueue(
        conn,
        "supervision_notice.issued",
        &recipient.path,
        data,
        caller.trace.as_deref(),
        now,
    )?;
    Ok(row)
}

/// The notice the ladder issues by itself when a problem reaches level 3 (督办): from the unit
/// above (the unit itself at the root), once per problem and deadline.
pub(crate) fn issue_for_escalation(
    conn: &mut DbConnection,
    scheduler: &Caller,
    problem: &ProblemRow,
    unit: &OrganizationRow,
    deadline: NaiveDate,
    days_overdue: i64,
    now: DateTime<Utc>,
) -> Result<Option<NoticeRow>> {
    if db_notices::issued_for(conn, problem.id, deadline)? {
        return Ok(None);
    }
    let issuer = match unit.parent_id {
        Some(parent) => orgs::get(conn, parent)?,
        None => unit.clone(),
    };
    let reply_by = notice::default_reply_by(today_in(now, &unit.timezone));
    let subject = notice::automatic_subject(&problem.key, &problem.title);
    let body = notice::automatic_body(&problem.key, deadline, days_overdue);
    issue(
        conn,
        scheduler,
        &issuer,
        unit,
        &[problem.id],
        (&subject, &body),
        reply_by,
        Some(deadline),
        now,
    )
    .map(Some)
}

/// A coordinator issues a notice from their own organization to a unit below it.
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn create(
    db: &Db,
    caller: &Caller,
    input: CreateSupervisionNotice,
    once: Option<Once<SupervisionNotice>>,
    now: DateTime<Utc>,
) -> Result<Outcome<SupervisionNotice>> {
    super::audit::write(db, now, |conn| {
        idempotency::once(conn, once.as_ref(), now, |conn| {
            caller.require_coordinator("issue supervision notices")?;
            let recipient =
                visible_org(conn, caller, input.recipient_organization_id).map_err(|_| {
                    Error::invalid_field(
                        "recipient_organization_id",
                        "exists",
                        format!(
                            "organization {} does not exist",
                            input.recipient_organization_id
                        ),
                    )
                })?;
            let issuer = orgs::get(conn, caller.organization_id)?;
            if !notice::may_supervise(&issuer.path, &recipient.path) {
                return Err(Error::invalid_field(
                    "recipient_organization_id",
                    "below_issuer",
                    format!(
                        "must be a unit below {} (a notice goes to a unit one supervises)",
                        issuer.code
                    ),
                ));
            }
            let mut ids = input.problem_ids.clone();
            ids.sort_unstable();
            ids.dedup();
            for id in &ids {
                let inside = access::problem(conn, caller, *id)
                    .ok()
                    .is_some_and(|(_, unit)| unit.path.starts_with(&recipient.path));
                if !inside {
                    return Err(Error::invalid_field(
                        "problem_ids",
                        "within_recipient",
                        format!("problem {id} is not a problem of {}", recipient.code),
                    ));
                }
            }
            let today = today_in(now, &recipient.timezone);
            let reply_by = match input.reply_by {
                Some(day) if day <= today => {
                    return Err(Error::invalid_field(
                        "reply_by",
                        "after_today",
                        "the reply deadline must be after today",
                    ))
                }
                Some(day) => day,
                None => notice::default_reply_by(today),
            };
            let body = input.body.as_deref().unwrap_or_default().trim();
            let row = issue(
                conn,
                caller,
                &issuer,
                &recipient,
                &ids,
                (input.subject.trim(), body),
                reply_by,
                None,
                now,
            )?;
            one(conn, row, now)
        })
    })
}

/// The evidence a reply may cite, each once, in id order: files (not removed) attached to the
/// problems the notice names; any other is refused by name.
fn cited_evidence(conn: &mut DbConnection, notice_id: i64, ids: &[i64]) -> Result<Vec<i64>> {
    let named: std::collections::HashSet<i64> = db_notices::problems_of(conn, &[notice_id])?
        .into_iter()
        .map(|(_, problem)| problem)
        .collect();
    let mut cited = ids.to_vec();
    cited.sort_unstable();
    cited.dedup();
    for (i, id) in ids.iter().enumerate() {
        let found = rectify_db::closing::get_evidence(conn, *id).ok();
        if !found.is_some_and(|e| e.deleted_at.is_none() && named.contains(&e.problem_id)) {
            return Err(Error::invalid_field(
                &format!("evidence_ids[{i}]"),
                "exists",
                format!("evidence {id} is not attached to a problem this notice names"),
            ));
        }
    }
    Ok(cited)
}

/// A notice the caller sees: sent to a unit of their subtree.
fn visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
) -> Result<(NoticeRow, OrganizationRow)> {
    let what = format!("Supervision notice {id}");
    let row = db_notices::get(conn, id).map_err(Error::missing(what.clone()))?;
    let recipient = orgs::get(conn, row.recipient_organization_id)?;
    if caller.sees(&recipient.path) {
        Ok((row, recipient))
    } else {
        Err(Error::not_found(&what))
    }
}

pub fn get(db: &Db, caller: &Caller, id: i64, now: DateTime<Utc>) -> Result<SupervisionNotice> {
    db.read(|conn| {
        let (row, _) = visible(conn, caller, id)?;
        one(conn, row, now)
    })
}

/// Notices to units of the caller's subtree, newest first.
pub fn list(
    db: &Db,
    caller: &Caller,
    query: NoticeQuery,
    page: PageParams,
    now: DateTime<Utc>,
) -> Result<Page<SupervisionNotice>> {
    let (limit, before) = pagination::limit_and_after(&page)?;
    db.read(|conn| {
        let rows = db_notices::list(
            conn,
            caller.scope_path().as_deref(),
            query.awaiting_reply,
            before,
            limit + 1,
        )?;
        let (rows, next_cursor) = pagination::page_by_id(rows, limit, |r| r.id);
        Ok(Page {
            items: to_dtos(conn, rows, now)?,
            next_cursor,
            total: None,
        })
    })
}

/// The recipient unit replies, once: a coordinator of the recipient unit or of a unit below it
/// (not of the issuer above it).
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn reply(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: ReplyToNotice,
    now: DateTime<Utc>,
) -> Result<SupervisionNotice> {
    super::audit::write(db, now, |conn| {
        let (row, recipient) = visible(conn, caller, id)?;
        caller.require_coordinator("reply to supervision notices")?;
        if !caller.org_path.starts_with(&recipient.path) {
            return Err(Error::forbidden(format!(
                "Only the recipient unit {} replies to its notices.",
                recipient.code
            )));
        }
        let text = input.reply.trim();
        let evidence_ids = cited_evidence(conn, id, &input.evidence_ids)?;
        let at = now.naive_utc();
        let by = Some(caller.user_id).filter(|id| *id > 0);
        if !db_notices::reply(conn, id, text, by, at)? {
            return Err(Error::new(
                Code::AlreadyReplied,
                format!(
                    "{} was replied to already.",
                    notice::reference(row.year, row.number)
                ),
            ));
        }
        super::audit::record(
            conn,
            caller,
            super::audit::Event {
                action: "supervision_notice.reply",
                entity_type: "supervision_notice",
                entity_id: Some(id.to_string()),
                organization_path: Some(&recipient.path),
                changes: serde_json::json!({
                    "reply": [null, text],
                    "reply_evidence_ids": [null, evidence_ids],
                }),
            },
        )?;
        db_notices::cite_evidence(conn, id, &evidence_ids)?;
        let row = db_notices::get(conn, id)?;
        one(conn, row, now)
    })
}

/// A notice as its printed document tells it, as it was issued (its problems' days overdue on
/// the day it was issued), with the reply once made; the caller must see it, as for `get`.
pub fn document(db: &Db, caller: &Caller, id: i64) -> Result<crate::document::NoticeDocument> {
    use crate::domain::deadline::{local_date, problem_standing};
    use crate::domain::workflow::Status;
    db.read(|conn| {
        let (row, recipient) = visible(conn, caller, id)?;
        let issuer = orgs::get(conn, row.issuing_organization_id)?;
        let issued_on = local_date(row.created_at, &recipient.timezone);
        let problem_ids: Vec<i64> = db_notices::problems_of(conn, &[id])?
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        let problems = rectify_db::problems::get_many(conn, &problem_ids)?
            .into_iter()
            .map(|p| {
                let mut line = format!("{} {}", p.key, p.title);
                if let Some(deadline) = p.deadline {
                    // Named to be rectified: pending when it was issued, whatever it is now.
                    let standing = problem_standing(Status::InProgress, Some(deadline), issued_on);
                    line.push_str(&format!(
                        "（整改时限{}",
                        crate::document::chinese_date(deadline)
                    ));
                    if standing.days_overdue > 0 {
                        line.push_str(&format!("，已逾期{}天", standing.days_overdue));
                    }
                    line.push('）');
                }
                line
            })
            .collect();
        let reply = match (&row.reply, row.replied_at) {
            (Some(text), Some(at)) => {
                let mut evidence = Vec::new();
                for (_, evidence_id) in db_notices::cited_evidence(conn, &[id])? {
                    let e = rectify_db::closing::get_evidence(conn, evidence_id)?;
                    evidence.push(if e.description.trim().is_empty() {
                        e.file_name
                    } else {
                        format!("{}（{}）", e.file_name, e.description.trim())
                    });
                }
                Some(crate::document::NoticeReply {
                    text: text.clone(),
                    replied_on: local_date(at, &recipient.timezone),
                    evidence,
                })
            }
            _ => None,
        };
        Ok(crate::document::NoticeDocument {
            reference: notice::reference(row.year, row.number),
            subject: row.subject,
            issuer: issuer.name,
            recipient: recipient.name,
            body: row.body,
            problems,
            reply_by: row.reply_by,
            issued_on: local_date(row.created_at, &issuer.timezone),
            reply,
        })
    })
}
