use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rectify_db::models::{
    NewHistory, NewNote, NewProblem, OrganizationRow, ProblemChanges, ProblemRow,
};
use rectify_db::problems::{self as db_problems, After, ProblemFilter, Sort, Standing};
use rectify_db::{organizations as orgs, reviews as db_reviews, Db, DbConnection};
use serde::{Deserialize, Serialize};

use super::access::{self, check_if_match, concurrent_change};
use super::idempotency::{self, Once, Outcome};
use super::organizations::{visible as visible_org, Policy};
use super::pagination;
use super::Caller;
use crate::api_types::{
    utc, CreateNote, CreateProblem, CreateProblems, CreateRecheck, CreatedProblems, HistoryEntry,
    Note, Page, PageParams, PossibleRecurrence, Problem, ProblemQuery, Recheck, RecurrenceDecision,
    TransitionRequest, UpdateProblem,
};
use crate::domain::deadline::{local_date, problem_standing, today_in, Warning};
use crate::domain::recurrence::{self, Decision as RecurrenceDecisionKind};
use crate::domain::supervision::{self, ClosingError, Outcome as ClosingOutcome, RecheckOutcome};
use crate::domain::vocab::ProblemKind;
use crate::domain::workflow::{self, Action, Actor, Facts, Status, TransitionError};
use crate::error::{Code, Error, FieldError, Result};
use rectify_db::recurrences::Flag as RecurrenceFlag;

fn parse<T: std::str::FromStr<Err = String>>(value: &str, id: i64) -> Result<T> {
    value
        .parse()
        .map_err(|e| Error::internal(format!("problem {id}: {e}")))
}

fn actor(caller: &Caller, row: &ProblemRow, submitter: Option<i64>) -> Actor {
    Actor {
        role: caller.role,
        is_owner: row.owner_id == Some(caller.user_id),
        is_submitter: submitter.is_some() && submitter == Some(caller.user_id),
    }
}

fn to_dto(
    row: ProblemRow,
    links: (Vec<i64>, Vec<i64>, Vec<RecurrenceFlag>),
    unit: (&str, Policy),
    caller: &Caller,
    now: DateTime<Utc>,
) -> Result<Problem> {
    let (timezone, policy) = unit;
    let (cause_ids, measure_ids, flags) = links;
    let possible_recurrence_of = flags
        .iter()
        .filter(|f| f.5.is_none())
        .map(|f| PossibleRecurrence {
            id: f.1,
            key: f.2.clone(),
            review_id: f.3,
            score: f.4,
        })
        .collect();
    let recurrence_of = flags
        .iter()
        .find(|f| f.5.as_deref() == Some(RecurrenceDecisionKind::Confirm.as_str()))
        .map(|f| f.1);
    let status: Status = parse(&row.status, row.id)?;
    let kind: ProblemKind = parse(&row.kind, row.id)?;
    let outcome: Option<ClosingOutcome> = row
        .outcome
        .as_deref()
        .map(|o| parse(o, row.id))
        .transpose()?;
    let today = today_in(now, timezone);
    let standing = problem_standing(status, row.deadline, today);
    let acknowledgement = supervision::acknowledgement(
        row.acknowledge_by,
        row.acknowledged_at.map(|at| local_date(at, timezone)),
        today,
    );
    let light = supervision::light(status, row.deadline, today, policy.warn_days);
    // The light gives the level; a red the ladder took straight to 督办 (a repeated lapse)
    // stands where it was recorded for this deadline.
    let recorded_level = if light == Some(supervision::Light::Red)
        && row.escalated_deadline.is_some()
        && row.escalated_deadline == row.deadline
    {
        u8::try_from(row.escalation_level).unwrap_or(0)
    } else {
        0
    };
    let escalation_level =
        supervision::escalation_level(light, standing.days_overdue, policy.escalate_after_days)
            .max(recorded_level);
    let allowed_actions = workflow::offered_actions(
        status,
        &actor(caller, &row, None),
        row.acknowledged_at.is_some(),
        outcome == Some(ClosingOutcome::Continuing),
    );
    Ok(Problem {
        id: row.id,
        key: row.key,
        review_id: row.review_id,
        aspect: row.aspect,
        title: row.title,
        description: row.description,
        organization_id: row.organization_id,
        owner_id: row.owner_id,
        deadline: row.deadline,
        original_deadline: row.original_deadline,
        kind,
        status,
        extension_count: row.extension_count,
        cause_ids,
        measure_ids,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        submitted_at: row.submitted_at.map(utc),
        closed_at: row.closed_at.map(utc),
        version: row.version,
        overdue: standing.overdue,
        days_overdue: standing.days_overdue,
        warning: standing.warning,
        light,
        escalation_level,
        acknowledge_by: row.acknowledge_by,
        acknowledged_at: row.acknowledged_at.map(utc),
        acknowledgement,
        outcome,
        review_on: row.review_on,
        recheck_on: row.recheck_on,
        possible_recurrence_of,
        recurrence_of,
        allowed_actions,
    })
}

use super::group;

/// Problems as the API shows them: with links, standing and the caller's allowed actions.
pub(crate) fn dtos(
    conn: &mut DbConnection,
    caller: &Caller,
    rows: Vec<ProblemRow>,
    now: DateTime<Utc>,
) -> Result<Vec<Problem>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut causes = group(db_problems::cause_links(conn, &ids)?);
    let mut measures = group(db_problems::measure_links(conn, &ids)?);
    let mut flags = group(
        rectify_db::recurrences::of_problems(conn, &ids)?
            .into_iter()
            .map(|f| (f.0, f)),
    );
    let mut org_ids: Vec<i64> = rows.iter().map(|r| r.organization_id).collect();
    org_ids.sort_unstable();
    org_ids.dedup();
    let units = orgs::get_many(conn, &org_ids)?;
    let policies = super::organizations::policies(conn, &units.iter().collect::<Vec<_>>())?;
    let units: HashMap<i64, (String, Policy)> = units
        .into_iter()
        .filter_map(|o| Some((o.id, (o.timezone, *policies.get(&o.id)?))))
        .collect();
    rows.into_iter()
        .map(|row| {
            let (zone, policy) = units
                .get(&row.organization_id)
                .ok_or_else(|| Error::internal(format!("problem {}: no unit", row.id)))?;
            let links = (
                causes.remove(&row.id).unwrap_or_default(),
                measures.remove(&row.id).unwrap_or_default(),
                flags.remove(&row.id).unwrap_or_default(),
            );
            to_dto(row, links, (zone, *policy), caller, now)
        })
        .collect()
}

fn one(
    conn: &mut DbConnection,
    caller: &Caller,
    row: ProblemRow,
    now: DateTime<Utc>,
) -> Result<Problem> {
    dtos(conn, caller, vec![row], now)?
        .pop()
        .ok_or_else(|| Error::internal("problem vanished"))
}

/// The responsible unit named by a request: seen by the caller, active, inside the review's
/// organization subtree.
fn unit_for(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
    review_org: &OrganizationRow,
) -> Result<OrganizationRow> {
    let unit = visible_org(conn, caller, id).map_err(|_| {
        Error::invalid_field(
            "organization_id",
            "exists",
            format!("organization {id} does not exist"),
        )
    })?;
    if !unit.path.starts_with(&review_org.path) {
        return Err(Error::invalid_field(
            "organization_id",
            "within_review",
            format!(
                "must be {} or an organization below it, where the review was held",
                review_org.code
            ),
        ));
    }
    if !unit.active {
        return Err(Error::invalid_field(
            "organization_id",
            "active",
            format!("organization {} is deactivated", unit.code),
        ));
    }
    Ok(unit)
}

fn check_aspect(conn: &mut DbConnection, review_id: i64, aspect: &str) -> Result<()> {
    let aspects = db_reviews::aspects(conn, review_id)?;
    if aspects.iter().any(|a| a == aspect) {
        Ok(())
    } else {
        Err(Error::invalid_field(
            "aspect",
            "review_aspect",
            format!(
                "must be one of the review's aspects: {}",
                if aspects.is_empty() {
                    "(the review has none)".to_owned()
                } else {
                    aspects.join("、")
                }
            ),
        ))
    }
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn create(
    db: &Db,
    caller: &Caller,
    input: CreateProblem,
    once: Option<Once<Problem>>,
    now: DateTime<Utc>,
) -> Result<Outcome<Problem>> {
    super::audit::write(db, now, |conn| {
        idempotency::once(conn, once.as_ref(), now, |conn| {
            let row = create_one(conn, caller, &input, now)?;
            one(conn, caller, row, now)
        })
    })
}

/// Checks one request's review, unit and links, and inserts the problem.
fn create_one(
    conn: &mut DbConnection,
    caller: &Caller,
    input: &CreateProblem,
    now: DateTime<Utc>,
) -> Result<ProblemRow> {
    let (review, review_org) = access::review_field(conn, caller, "review_id", input.review_id)?;
    caller.require_coordinator("create problems")?;
    let unit = match input.organization_id {
        Some(id) => unit_for(conn, caller, id, &review_org)?,
        None if caller.sees(&review_org.path) => review_org.clone(),
        None => {
            return Err(Error::invalid_field(
                "organization_id",
                "required",
                "is needed: the review's own organization is above yours",
            ))
        }
    };
    let row = insert_problem(conn, caller, review.id, &unit, input, now)?;
    super::webhooks::enqueue(
        conn,
        "problem.created",
        &unit.path,
        super::webhooks::problem_data(&row),
        caller.trace.as_deref(),
        now,
    )?;
    Ok(row)
}

/// Creates up to 1,000 problems in one transaction: every item is checked, and if any fails
/// nothing is written and each failure is named by its index and field.
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn create_batch(
    db: &Db,
    caller: &Caller,
    input: CreateProblems,
    once: Option<Once<CreatedProblems>>,
    now: DateTime<Utc>,
) -> Result<Outcome<CreatedProblems>> {
    caller.require_coordinator("create problems")?;
    super::audit::write(db, now, |conn| {
        idempotency::once(conn, once.as_ref(), now, |conn| {
            let mut rows = Vec::with_capacity(input.problems.len());
            let mut errors = Vec::new();
            for (index, item) in input.problems.iter().enumerate() {
                match create_one(conn, caller, item, now) {
                    Ok(row) => rows.push(row),
                    Err(e) if e.errors.is_empty() => errors.push(FieldError {
                        field: format!("problems[{index}]"),
                        code: e.code.as_str().to_owned(),
                        message: e.detail,
                    }),
                    Err(e) => errors.extend(e.errors.into_iter().map(|f| FieldError {
                        field: format!("problems[{index}].{}", f.field),
                        ..f
                    })),
                }
            }
            if !errors.is_empty() {
                let mut error = Error::validation(errors);
                error.code = Code::BatchInvalid;
                return Err(error);
            }
            let problems = dtos(conn, caller, rows, now)?;
            Ok(CreatedProblems { problems })
        })
    })
}

/// The titles of this many of the newest problems picture the ledger's wording, for
/// `recurrence::search_groups` to tell a title's rare words from its common ones. A ledger
/// with fewer (of other reviews) is small enough to compare whole.
const WORDING_SAMPLE: i64 = 1_000;
/// A subtree holding at most this many closed problems (a community, a branch: most reviews)
/// has them compared whole, however large the ledger: searching the index for words the whole
/// ledger repeats would cost more than reading them.
const SMALL_SUBTREE: i64 = 2_000;
/// At most this many candidates (the newest) are taken from each group of words: the work per
/// problem stays bounded however long the ledger's history.
const RECURRENCE_FOUND: i64 = 200;

/// 问题反弹: flags a new problem as possibly repeating closed problems of earlier reviews of its
/// review's subtree whose titles read alike.
fn flag_recurrences(conn: &mut DbConnection, row: &ProblemRow) -> Result<()> {
    // The review may still be being imported (hidden from readers until it is shown).
    let (held_by, held_on) = rectify_db::recurrences::review_of(conn, row.review_id)?;
    let held_by = orgs::get(conn, held_by)?;
    let flags = likely_recurrences(conn, &held_by.path, held_on, row.review_id, &[&row.title])?;
    for flag in flags.into_iter().flatten() {
        rectify_db::recurrences::flag(conn, row.id, flag.id, flag.score)?;
    }
    Ok(())
}

/// For each title of a review held on `held_on` by the organization at `path`: the closed
/// problems of the subtree's earlier reviews it likely repeats, best first. What a problem
/// with that title is flagged against when it is written (and what an import's dry run shows).
/// The whole history is searched, through the search index, for the problems holding the words
/// that single the title out (in a small subtree or on a small ledger, every closed problem of
/// earlier reviews is taken); those are scored by `recurrence::likely_recurrences`.
pub fn likely_recurrences(
    conn: &mut DbConnection,
    path: &str,
    held_on: NaiveDate,
    review_id: i64,
    titles: &[&str],
) -> Result<Vec<Vec<PossibleRecurrence>>> {
    use rectify_db::recurrences as db_recurrences;
    type Candidate = (i64, String, String, i64);
    let scored = |title: &str, candidates: &[Candidate]| {
        let texts: Vec<(i64, &str)> = candidates
            .iter()
            .map(|(id, title, _, _)| (*id, title.as_str()))
            .collect();
        recurrence::likely_recurrences(title, &texts)
            .into_iter()
            .filter_map(|(id, score)| {
                let (_, _, key, review_id) = candidates.iter().find(|c| c.0 == id)?;
                Some(PossibleRecurrence {
                    id,
                    key: key.clone(),
                    review_id: *review_id,
                    score,
                })
            })
            .collect::<Vec<_>>()
    };
    if let Some(nearby) =
        db_recurrences::earlier_closed_nearby(conn, path, held_on, review_id, SMALL_SUBTREE)?
    {
        return Ok(titles.iter().map(|title| scored(title, &nearby)).collect());
    }
    let wording = db_recurrences::latest_titles(conn, review_id, WORDING_SAMPLE)?;
    if (wording.len() as i64) < WORDING_SAMPLE {
        let whole = db_recurrences::earlier_closed(conn, path, held_on, review_id, WORDING_SAMPLE)?;
        return Ok(titles.iter().map(|title| scored(title, &whole)).collect());
    }
    let sample: Vec<&str> = wording.iter().map(String::as_str).collect();
    let mut flags = Vec::with_capacity(titles.len());
    for title in titles {
        // The most telling words first: once they find a likely recurrence, the rest (there
        // for a title written again in other words) need not be looked up.
        let mut found: Vec<Candidate> = Vec::new();
        let mut likely = Vec::new();
        for grams in recurrence::search_groups(title, &sample) {
            found.extend(db_recurrences::earlier_closed_holding(
                conn,
                path,
                held_on,
                review_id,
                &grams,
                RECURRENCE_FOUND,
            )?);
            found.sort_unstable_by_key(|(id, ..)| std::cmp::Reverse(*id));
            found.dedup_by_key(|(id, ..)| *id);
            likely = scored(title, &found);
            if !likely.is_empty() {
                break;
            }
        }
        flags.push(likely);
    }
    Ok(flags)
}

/// A coordinator confirms that a problem repeats an earlier one it was flagged against (问题反弹,
/// counted against the unit), or dismisses the flag.
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn decide_recurrence(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: RecurrenceDecision,
    now: DateTime<Utc>,
) -> Result<Problem> {
    super::audit::write(db, now, |conn| {
        let (row, unit) = access::problem(conn, caller, id)?;
        caller.require_coordinator("decide recurrences")?;
        let decision = input.decision.as_str();
        let by = Some(caller.user_id).filter(|id| *id > 0);
        if !rectify_db::recurrences::decide(conn, id, input.of, decision, by, now.naive_utc())? {
            return Err(Error::invalid_field(
                "of",
                "flagged",
                format!(
                    "problem {} is not flagged as a possible recurrence of problem {}",
                    row.key, input.of
                ),
            ));
        }
        super::audit::record(
            conn,
            caller,
            super::audit::Event {
                action: "problem.recurrence",
                entity_type: "problem",
                entity_id: Some(id.to_string()),
                organization_path: Some(&unit.path),
                changes: serde_json::json!({
                    "recurrence_of": [null, input.of],
                    "decision": [null, decision],
                }),
            },
        )?;
        one(conn, caller, row, now)
    })
}

/// Inserts one draft problem with its links, first history entry and audit entry; queuing its
/// `problem.created` webhook is the caller's (an import queues them when it is shown).
pub(crate) fn insert_problem(
    conn: &mut DbConnection,
    caller: &Caller,
    review_id: i64,
    unit: &OrganizationRow,
    input: &CreateProblem,
    now: DateTime<Utc>,
) -> Result<ProblemRow> {
    let aspect = input
        .aspect
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    if let Some(aspect) = aspect {
        check_aspect(conn, review_id, aspect)?;
    }
    if let Some(owner) = input.owner_id {
        access::owner_for(conn, caller, "owner_id", owner, unit)?;
    }
    let cause_ids = access::catalog_of_review(
        conn,
        "cause_ids",
        review_id,
        input.cause_ids.as_deref().unwrap_or_default(),
        false,
    )?;
    let measure_ids = access::catalog_of_review(
        conn,
        "measure_ids",
        review_id,
        input.measure_ids.as_deref().unwrap_or_default(),
        true,
    )?;
    let key = db_problems::next_key(conn, unit.id, &unit.code)?;
    let at = now.naive_utc();
    let row = db_problems::insert(
        conn,
        NewProblem {
            key: &key,
            review_id,
            aspect,
            title: input.title.trim(),
            description: input.description.as_deref().unwrap_or_default().trim(),
            organization_id: unit.id,
            owner_id: input.owner_id,
            deadline: input.deadline,
            original_deadline: input.deadline,
            kind: input.kind.unwrap_or(ProblemKind::Scheduled).as_str(),
            status: Status::Draft.as_str(),
            created_by: Some(caller.user_id).filter(|id| *id > 0),
            created_at: at,
            updated_at: at,
        },
    )?;
    db_problems::set_causes_of_problem(conn, row.id, &cause_ids)?;
    db_problems::set_measures_of_problem(conn, row.id, &measure_ids)?;
    record(
        conn,
        caller,
        row.id,
        "create",
        None,
        Status::Draft,
        None,
        at,
        None,
    )?;
    super::progress_tallies::update(conn, super::progress_tallies::Share::none(row.id))?;
    super::search_index::index(conn, &row)?;
    flag_recurrences(conn, &row)?;
    let mut changes = super::audit::created(&row);
    changes["cause_ids"] = serde_json::json!([null, cause_ids]);
    changes["measure_ids"] = serde_json::json!([null, measure_ids]);
    super::audit::record(
        conn,
        caller,
        super::audit::Event {
            action: "problem.create",
            entity_type: "problem",
            entity_id: Some(row.id.to_string()),
            organization_path: Some(&unit.path),
            changes,
        },
    )?;
    Ok(row)
}

/// A status change: its history entry and its audit entry, for an action of the workflow or
/// an import that brings a problem where its ledger says it stands.
#[allow(clippy::too_many_arguments)]
fn record_transition(
    conn: &mut DbConnection,
    caller: &Caller,
    problem_id: i64,
    unit_path: &str,
    action: &str,
    from: Status,
    to: Status,
    note: Option<&str>,
    at: NaiveDateTime,
    also: serde_json::Map<String, serde_json::Value>,
) -> Result<()> {
    // The outcome a closing step set, kept in the history so that progress as of any day
    // splits closed problems by outcome.
    let outcome = also
        .get("outcome")
        .and_then(|change| change.get(1))
        .and_then(serde_json::Value::as_str);
    record(
        conn,
        caller,
        problem_id,
        action,
        Some(from),
        to,
        note,
        at,
        outcome,
    )?;
    let mut changes = serde_json::json!({
        "status": [from.as_str(), to.as_str()],
        "action": [null, action],
        "note": [null, note],
    });
    if let Some(changes) = changes.as_object_mut() {
        changes.extend(also);
    }
    super::audit::record(
        conn,
        caller,
        super::audit::Event {
            action: "problem.transition",
            entity_type: "problem",
            entity_id: Some(problem_id.to_string()),
            organization_path: Some(unit_path),
            changes,
        },
    )?;
    Ok(())
}

/// What a transition changes besides the status, as the audit entry shows it: `[before, after]`
/// for each supervision field that changed.
fn supervision_changes(
    before: &ProblemRow,
    changes: &ProblemChanges,
) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::json;
    let mut also = serde_json::Map::new();
    if let Some(after) = &changes.acknowledge_by {
        if *after != before.acknowledge_by {
            also.insert(
                "acknowledge_by".into(),
                json!([before.acknowledge_by, after]),
            );
        }
    }
    if let Some(after) = &changes.acknowledged_at {
        if *after != before.acknowledged_at {
            let shown = |at: &Option<NaiveDateTime>| at.map(utc);
            also.insert(
                "acknowledged_at".into(),
                json!([shown(&before.acknowledged_at), shown(after)]),
            );
        }
    }
    if let Some(after) = &changes.outcome {
        if *after != before.outcome {
            also.insert("outcome".into(), json!([before.outcome, after]));
        }
    }
    if let Some(after) = &changes.review_on {
        if *after != before.review_on {
            also.insert("review_on".into(), json!([before.review_on, after]));
        }
    }
    if let Some(after) = &changes.recheck_on {
        if *after != before.recheck_on {
            also.insert("recheck_on".into(), json!([before.recheck_on, after]));
        }
    }
    also
}

/// Refuses the fields of a transition request that the action does not take.
fn check_transition_fields(input: &TransitionRequest) -> Result<()> {
    let mut errors = Vec::new();
    if input.outcome.is_some() && input.action != Action::Verify {
        errors.push(FieldError {
            field: "outcome".into(),
            code: "action".into(),
            message: format!("only verify takes an outcome, not {}", input.action),
        });
    }
    if input.review_on.is_some() && !matches!(input.action, Action::Verify | Action::DeferReview) {
        errors.push(FieldError {
            field: "review_on".into(),
            code: "action".into(),
            message: format!(
                "only verify (continuing) and defer_review take a review date, not {}",
                input.action
            ),
        });
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::validation(errors))
    }
}

fn closing_error(e: ClosingError) -> Error {
    Error::invalid_field(e.field(), e.rule(), e.explain())
}

#[allow(clippy::too_many_arguments)]
fn record(
    conn: &mut DbConnection,
    caller: &Caller,
    problem_id: i64,
    action: &str,
    from: Option<Status>,
    to: Status,
    note: Option<&str>,
    at: NaiveDateTime,
    outcome: Option<&str>,
) -> Result<()> {
    db_problems::append_history(
        conn,
        NewHistory {
            problem_id,
            actor_id: Some(caller.user_id).filter(|id| *id > 0),
            action,
            from_status: from.map(Status::as_str),
            to_status: to.as_str(),
            note: note.map(str::trim).filter(|n| !n.is_empty()),
            created_at: at,
            outcome,
        },
    )?;
    Ok(())
}

/// Adds a progress note by the caller, with its audit entry.
fn write_note(
    conn: &mut DbConnection,
    caller: &Caller,
    problem_id: i64,
    body: &str,
    unit_path: &str,
    at: NaiveDateTime,
) -> Result<Note> {
    let note = db_problems::insert_note(
        conn,
        NewNote {
            problem_id,
            author_id: Some(caller.user_id).filter(|id| *id > 0),
            body,
            created_at: at,
        },
    )?;
    let note = Note {
        id: note.id,
        problem_id: note.problem_id,
        author_id: note.author_id,
        body: note.body,
        created_at: utc(note.created_at),
    };
    super::audit::created_record(conn, caller, "note", note.id, unit_path, &note)?;
    Ok(note)
}

/// Brings a just-imported draft to where its ledger says it stands (checked beforehand with
/// `workflow::import_at`): one history entry `import` from draft to that status, the ledger's
/// progress text as a note, and its 销号时间 as the closing time (at midday UTC, which is the
/// same calendar day in every office's time zone from UTC−11 to UTC+11).
#[allow(clippy::too_many_arguments)]
pub(crate) fn arrive_at(
    conn: &mut DbConnection,
    caller: &Caller,
    row: ProblemRow,
    unit_path: &str,
    status: Status,
    closed_on: Option<NaiveDate>,
    progress: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ProblemRow> {
    let at = now.naive_utc();
    let progress = progress.map(str::trim).filter(|p| !p.is_empty());
    if let Some(body) = progress {
        write_note(conn, caller, row.id, body, unit_path, at)?;
    }
    if status == Status::Draft {
        return Ok(row);
    }
    let closed_at = (status == Status::Closed).then(|| {
        closed_on
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .filter(|t| *t <= at)
            .unwrap_or(at)
    });
    let changes = ProblemChanges {
        status: Some(status.as_str().to_owned()),
        original_deadline: Some(row.deadline),
        closed_at: Some(closed_at),
        // A ledger's 已完成 is a closing that held.
        outcome: Some(
            (status == Status::Closed).then(|| ClosingOutcome::Rectified.as_str().to_owned()),
        ),
        updated_at: Some(at),
        ..Default::default()
    };
    let note = format!(
        "导入台账：整改状态为“{}”{}",
        crate::domain::ledger::status_label(status),
        closed_on.map_or(String::new(), |d| format!("，销号时间 {d}"))
    );
    super::progress_tallies::tracking(conn, row.id, |conn| {
        let updated = db_problems::update(conn, row.id, row.version, &changes)?
            .ok_or_else(concurrent_change)?;
        record_transition(
            conn,
            caller,
            row.id,
            unit_path,
            "import",
            Status::Draft,
            status,
            Some(&note),
            at,
            serde_json::Map::new(),
        )?;
        Ok(updated)
    })
}

/// Takes a closed problem back to work by `action` (the service's reactivation, or a re-check
/// that found it back): clears its close and its outcome's dates, records the step in the
/// history, audit and tallies, and queues `events`.
fn reopen_closed(
    conn: &mut DbConnection,
    caller: &Caller,
    problem: (&ProblemRow, &OrganizationRow),
    step: (Action, Status, &str),
    events: &[&str],
    now: DateTime<Utc>,
) -> Result<ProblemRow> {
    let ((row, unit), (action, to, note)) = (problem, step);
    let from: Status = parse(&row.status, row.id)?;
    let at = now.naive_utc();
    let changes = ProblemChanges {
        status: Some(to.as_str().to_owned()),
        closed_at: Some(None),
        submitted_at: Some(None),
        submitted_by: Some(None),
        outcome: Some(None),
        review_on: Some(None),
        recheck_on: Some(None),
        updated_at: Some(at),
        ..Default::default()
    };
    let also = supervision_changes(row, &changes);
    let updated = super::progress_tallies::tracking(conn, row.id, |conn| {
        let updated = db_problems::update(conn, row.id, row.version, &changes)?
            .ok_or_else(concurrent_change)?;
        record_transition(
            conn,
            caller,
            row.id,
            &unit.path,
            action.as_str(),
            from,
            to,
            Some(note),
            at,
            also,
        )?;
        Ok(updated)
    })?;
    let mut data = super::webhooks::problem_data(&updated);
    data["action"] = action.as_str().into();
    data["from"] = from.as_str().into();
    data["to"] = to.as_str().into();
    data["note"] = note.into();
    data["review_on"] = row.review_on.map(|d| d.to_string()).into();
    for event in events {
        super::webhooks::enqueue(
            conn,
            event,
            &unit.path,
            data.clone(),
            caller.trace.as_deref(),
            now,
        )?;
    }
    Ok(updated)
}

/// Reopens a problem closed as continuing whose review date has come (on its unit's calendar),
/// as the service itself: history, audit, tallies and `problem.reactivated` in the caller's
/// transaction. Returns false when the problem is no longer due (changed meanwhile).
pub(crate) fn reactivate(
    conn: &mut DbConnection,
    scheduler: &Caller,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool> {
    let Some(row) = db_problems::find_any(conn, id)? else {
        return Ok(false);
    };
    let unit = orgs::get(conn, row.organization_id)?;
    let status: Status = parse(&row.status, id)?;
    let outcome: Option<ClosingOutcome> = row.outcome.as_deref().and_then(|o| o.parse().ok());
    let today = today_in(now, &unit.timezone);
    let (true, Some(review_on), Some(to)) = (
        supervision::reactivation_due(status, outcome, row.review_on, today),
        row.review_on,
        workflow::decide_for_service(status, Action::Reactivate),
    ) else {
        return Ok(false);
    };
    let note = supervision::reactivation_note(review_on);
    reopen_closed(
        conn,
        scheduler,
        (&row, &unit),
        (Action::Reactivate, to, &note),
        &["problem.transitioned", "problem.reactivated"],
        now,
    )?;
    Ok(true)
}

/// Brings a problem's escalation ladder up to date on its unit's calendar, as the service:
/// each level newly reached for its deadline gets a history entry, an audit entry and one
/// `problem.escalated` naming who is told. Returns the levels reached.
pub(crate) fn escalate(
    conn: &mut DbConnection,
    scheduler: &Caller,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<u8>> {
    let Some(row) = db_problems::find_any(conn, id)? else {
        return Ok(Vec::new());
    };
    let status: Status = parse(&row.status, id)?;
    let (true, Some(deadline)) = (status.is_active(), row.deadline) else {
        return Ok(Vec::new());
    };
    let unit = orgs::get(conn, row.organization_id)?;
    let policy = super::organizations::policy(conn, &unit)?;
    let today = today_in(now, &unit.timezone);
    let standing = problem_standing(status, Some(deadline), today);
    let light = supervision::light(status, Some(deadline), today, policy.warn_days);
    let mut level =
        supervision::escalation_level(light, standing.days_overdue, policy.escalate_after_days);
    // Levels count per deadline: a new deadline (an extension) starts the ladder again.
    let recorded = if row.escalated_deadline == Some(deadline) {
        u8::try_from(row.escalation_level).unwrap_or(0)
    } else {
        0
    };
    // Lapsing into red now: the unit's second lapse within the review is a 督办 at once.
    let lapsed = recorded < 2 && level >= 2;
    if lapsed {
        let earlier =
            rectify_db::supervision::lapses_in_review(conn, row.organization_id, row.review_id)?;
        level = supervision::level_after_lapse(level, earlier);
    }
    let reached = level.max(recorded);
    let next_on = supervision::next_escalation_on(
        reached,
        deadline,
        policy.warn_days,
        policy.escalate_after_days,
    );
    if !rectify_db::supervision::record_escalation(
        conn,
        id,
        deadline,
        reached.into(),
        next_on,
        lapsed,
    )? {
        return Ok(Vec::new());
    }
    let climbed: Vec<u8> = (recorded + 1..=level).collect();
    if climbed.is_empty() {
        return Ok(climbed);
    }
    let parent_coordinators = match unit.parent_id {
        Some(parent) => rectify_db::users::coordinators_of(conn, parent)?,
        None => Vec::new(),
    };
    let at = now.naive_utc();
    let mut before = recorded;
    for &step in &climbed {
        let note = supervision::escalation_note(step, deadline, standing.days_overdue);
        let mut also = serde_json::Map::new();
        also.insert("escalation_level".into(), serde_json::json!([before, step]));
        record_transition(
            conn,
            scheduler,
            id,
            &unit.path,
            "escalate",
            status,
            status,
            Some(&note),
            at,
            also,
        )?;
        let mut notified = Vec::new();
        for who in supervision::notified_at(step) {
            let users: Vec<i64> = match who {
                supervision::Notified::Owner => row.owner_id.into_iter().collect(),
                supervision::Notified::Leader => unit.leader_id.into_iter().collect(),
                supervision::Notified::Head => unit.head_id.into_iter().collect(),
                supervision::Notified::ParentCoordinators => {
                    parent_coordinators.iter().map(|u| u.id).collect()
                }
            };
            for user_id in users {
                notified.push(serde_json::json!({"as": who.as_str(), "user_id": user_id}));
            }
        }
        let mut data = super::webhooks::problem_data(&row);
        data["level"] = step.into();
        data["days_overdue"] = standing.days_overdue.into();
        data["note"] = note.into();
        data["notified"] = notified.into();
        if step == supervision::MAX_ESCALATION_LEVEL {
            // The top of the ladder is a 督办: a numbered notice from the unit above.
            let issued = super::notices::issue_for_escalation(
                conn,
                scheduler,
                &row,
                &unit,
                deadline,
                standing.days_overdue,
                now,
            )?;
            if let Some(issued) = issued {
                data["notice_id"] = issued.id.into();
                data["notice"] =
                    crate::domain::notice::reference(issued.year, issued.number).into();
            }
        }
        super::webhooks::enqueue(conn, "problem.escalated", &unit.path, data, None, now)?;
        before = step;
    }
    Ok(climbed)
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn get(db: &Db, caller: &Caller, id: i64, now: DateTime<Utc>) -> Result<Problem> {
    let (problem, reading, unit_path) = db.read(|conn| {
        let (row, unit, reading) = access::problem_to_read(conn, caller, id)?;
        Ok::<_, Error>((one(conn, caller, row, now)?, reading, unit.path))
    })?;
    if reading == access::Reading::InSubtree {
        return Ok(problem);
    }
    // A watcher's read from outside the subtree is the one exception to scoping: audited, and
    // read-only whatever the watcher's role.
    super::audit::write(db, now, |conn| {
        super::audit::record(
            conn,
            caller,
            super::audit::Event {
                action: "problem.read_as_watcher",
                entity_type: "problem",
                entity_id: Some(id.to_string()),
                organization_path: Some(&unit_path),
                changes: serde_json::json!({}),
            },
        )
    })?;
    Ok(Problem {
        allowed_actions: Vec::new(),
        ..problem
    })
}

/// Where a page of problems ended.
#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    sort: String,
    id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    updated: Option<NaiveDateTime>,
    #[serde(default)]
    deadline: Option<NaiveDate>,
}

fn parse_sort(raw: Option<&str>) -> Result<Sort> {
    Ok(match raw.unwrap_or("created_at") {
        "created_at" => Sort::CreatedAsc,
        "-created_at" => Sort::CreatedDesc,
        "updated_at" => Sort::UpdatedAsc,
        "-updated_at" => Sort::UpdatedDesc,
        "deadline" => Sort::DeadlineAsc,
        "-deadline" => Sort::DeadlineDesc,
        other => {
            return Err(Error::invalid_field(
                "sort",
                "one_of",
                format!("{other:?} is not a sort; use created_at, updated_at or deadline, with - in front for descending"),
            ))
        }
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn list(
    db: &Db,
    caller: &Caller,
    query: ProblemQuery,
    page: PageParams,
    now: DateTime<Utc>,
) -> Result<Page<Problem>> {
    let limit = page.limit.unwrap_or(pagination::DEFAULT_LIMIT);
    let sort_name = query
        .sort
        .clone()
        .unwrap_or_else(|| "created_at".to_owned());
    let sort = parse_sort(Some(&sort_name))?;
    let after = match pagination::after::<Cursor>(&page)? {
        None => None,
        Some(c) if c.sort != sort_name => {
            return Err(Error::invalid_field(
                "cursor",
                "cursor",
                "belongs to a list in another order; start again without it",
            ))
        }
        Some(c) => Some(match sort {
            Sort::CreatedAsc | Sort::CreatedDesc => After::Id(c.id),
            Sort::UpdatedAsc | Sort::UpdatedDesc => After::Updated(
                c.updated.ok_or_else(|| {
                    Error::invalid_field("cursor", "cursor", "is not a cursor this list returned")
                })?,
                c.id,
            ),
            Sort::DeadlineAsc | Sort::DeadlineDesc => {
                After::Deadline(c.deadline.unwrap_or(db_problems::NO_DEADLINE), c.id)
            }
        }),
    };
    let statuses = match query.status.as_deref() {
        None | Some("") => Vec::new(),
        Some(list) => list
            .split(',')
            .map(|s| {
                s.trim()
                    .parse::<Status>()
                    .map(|s| s.as_str().to_owned())
                    .map_err(|_| Error::invalid_field("status", "one_of", format!("{s:?} is not a status; use draft, open, in_progress, submitted, closed or cancelled")))
            })
            .collect::<Result<_>>()?,
    };
    let standing = match (query.overdue, query.warning) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid_field(
                "overdue",
                "exclusive",
                "give either overdue or warning, not both",
            ))
        }
        (Some(true), None) => Some(Standing::Overdue),
        (Some(false), None) => Some(Standing::NotOverdue),
        (None, Some(Warning::Overdue)) => Some(Standing::Overdue),
        (None, Some(Warning::DueSoon)) => Some(Standing::DueSoon),
        (None, Some(Warning::None)) => Some(Standing::Calm),
        (None, None) => None,
    };
    db.read(|conn| {
        let organization_path = match query.organization_id {
            Some(id) => Some(
                visible_org(conn, caller, id)
                    .map_err(|_| {
                        Error::invalid_field(
                            "organization_id",
                            "exists",
                            format!("organization {id} does not exist"),
                        )
                    })?
                    .path,
            ),
            None => None,
        };
        let standing = match standing {
            Some(s) => {
                let todays = db_problems::timezones_in_use(conn)?.into_iter().map(|tz| {
                    let today = today_in(now, &tz);
                    (tz, today)
                });
                Some((s, todays.collect()))
            }
            None => None,
        };
        let filter = ProblemFilter {
            within_path: caller.scope_path(),
            organization_path,
            statuses,
            owner_id: query.owner_id,
            review_id: query.review_id,
            aspect: query.aspect.clone(),
            kind: query.kind.map(|k| k.as_str().to_owned()),
            deadline_from: query.deadline_from,
            deadline_to: query.deadline_to,
            q: query.q.clone(),
            q_grams: query
                .q
                .as_deref()
                .map(crate::domain::search::query_grams)
                .unwrap_or_default(),
            standing,
        };
        let rows = db_problems::list(conn, &filter, sort, after.as_ref(), limit + 1)?;
        let (rows, next_cursor) = pagination::page_of(rows, limit, |last| {
            pagination::encode(&Cursor {
                sort: sort_name.clone(),
                id: last.id,
                updated: matches!(sort, Sort::UpdatedAsc | Sort::UpdatedDesc)
                    .then_some(last.updated_at),
                deadline: last.deadline,
            })
        });
        let total = match page.total {
            Some(true) => Some(db_problems::count_filtered(conn, &filter)?),
            _ => None,
        };
        Ok(Page {
            items: dtos(conn, caller, rows, now)?,
            next_cursor,
            total,
        })
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn update(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: UpdateProblem,
    if_match: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Problem> {
    if input.status.is_some() {
        return Err(Error::invalid_field(
            "status",
            "read_only",
            "changes only through a transition (an `action` such as start or submit)",
        ));
    }
    super::audit::write(db, now, |conn| {
        let (row, unit) = access::problem(conn, caller, id)?;
        caller.require_coordinator("change problems")?;
        check_if_match(if_match, row.version)?;
        let before = one(conn, caller, row.clone(), now)?;
        let status: Status = parse(&row.status, id)?;
        if matches!(status, Status::Closed | Status::Cancelled) {
            return Err(Error::new(
                Code::ProblemFinished,
                format!(
                    "Problem {} is {status}; reopen it before changing it.",
                    row.key
                ),
            ));
        }
        if let Some(deadline) = input.deadline {
            if status != Status::Draft && deadline != row.deadline {
                return Err(Error::invalid_field(
                    "deadline",
                    "needs_extension",
                    "of a confirmed problem moves only through an extension request",
                ));
            }
        }
        let review = db_reviews::get(conn, row.review_id)?;
        let review_org = orgs::get(conn, review.organization_id)?;
        let unit = match input.organization_id {
            Some(org) if org != row.organization_id => unit_for(conn, caller, org, &review_org)?,
            _ => unit,
        };
        if let Some(Some(aspect)) = &input.aspect {
            check_aspect(conn, row.review_id, aspect.trim())?;
        }
        let owner = input.owner_id.unwrap_or(row.owner_id);
        if let Some(owner) = owner {
            access::owner_for(conn, caller, "owner_id", owner, &unit)?;
        }
        if let Some(ids) = &input.cause_ids {
            let ids = access::catalog_of_review(conn, "cause_ids", row.review_id, ids, false)?;
            db_problems::set_causes_of_problem(conn, id, &ids)?;
        }
        if let Some(ids) = &input.measure_ids {
            let ids = access::catalog_of_review(conn, "measure_ids", row.review_id, ids, true)?;
            db_problems::set_measures_of_problem(conn, id, &ids)?;
        }
        let changes = ProblemChanges {
            aspect: input
                .aspect
                .clone()
                .map(|a| a.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty())),
            title: input.title.as_deref().map(|t| t.trim().to_owned()),
            description: input.description.as_deref().map(|d| d.trim().to_owned()),
            organization_id: Some(unit.id).filter(|u| *u != row.organization_id),
            owner_id: input.owner_id,
            deadline: input.deadline,
            // While a draft, the deadline is still the original one.
            original_deadline: input.deadline.filter(|_| status == Status::Draft),
            kind: input.kind.map(|k| k.as_str().to_owned()),
            updated_at: Some(now.naive_utc()),
            ..Default::default()
        };
        let row = super::progress_tallies::tracking(conn, id, |conn| {
            db_problems::update(conn, id, row.version, &changes)?.ok_or_else(concurrent_change)
        })?;
        super::search_index::index(conn, &row)?;
        let after = one(conn, caller, row, now)?;
        super::audit::changed_record(
            conn,
            caller,
            "problem.update",
            "problem",
            id,
            &unit.path,
            &before,
            &after,
        )?;
        Ok(after)
    })
}

fn transition_error(e: TransitionError, key: &str) -> Error {
    let names = |actions: &[Action]| actions.iter().map(|a| a.as_str()).collect::<Vec<_>>();
    match e {
        TransitionError::NotAllowed {
            from,
            action,
            allowed,
        } => Error::new(
            Code::TransitionNotAllowed,
            format!(
                "Cannot {action} problem {key} while it is {from}; allowed now: {}.",
                if allowed.is_empty() {
                    "none".to_owned()
                } else {
                    names(&allowed).join(", ")
                }
            ),
        )
        .with_extension("allowed_actions", names(&allowed)),
        TransitionError::Forbidden { action, allowed } => Error::forbidden(format!(
            "Your role does not let you {action} problem {key}; allowed for you now: {}.",
            if allowed.is_empty() {
                "none".to_owned()
            } else {
                names(&allowed).join(", ")
            }
        ))
        .with_extension("allowed_actions", names(&allowed)),
        TransitionError::Unmet { action, missing } => Error::new(
            Code::RequirementsUnmet,
            format!(
                "Cannot {action} problem {key} yet: {}.",
                missing
                    .iter()
                    .map(|m| m.explain())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )
        .with_extension("missing", missing),
        TransitionError::AlreadyAcknowledged => Error::new(
            Code::AlreadyAcknowledged,
            format!("Problem {key} was acknowledged already."),
        ),
    }
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn transition(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: TransitionRequest,
    if_match: Option<i64>,
    once: Option<Once<Problem>>,
    now: DateTime<Utc>,
) -> Result<Outcome<Problem>> {
    check_transition_fields(&input)?;
    super::audit::write(db, now, |conn| {
        idempotency::once(conn, once.as_ref(), now, |conn| {
            let (row, unit) = access::problem(conn, caller, id)?;
            check_if_match(if_match, row.version)?;
            let status: Status = parse(&row.status, id)?;
            let policy = super::organizations::policy(conn, &unit)?;
            let evidence_count = rectify_db::closing::count_evidence(conn, id)? as usize;
            let (measure_count, measures_not_done) = db_problems::measure_progress(conn, id)?;
            let submitter = if status == Status::Submitted {
                db_problems::last_submitter(conn, id)?
            } else {
                None
            };
            let facts = Facts {
                has_owner: row.owner_id.is_some(),
                has_deadline: row.deadline.is_some(),
                long_term: row.kind == ProblemKind::LongTerm.as_str(),
                measure_count: measure_count as usize,
                measures_not_done: measures_not_done as usize,
                evidence_required: policy.evidence_required,
                evidence_count,
                acknowledged: row.acknowledged_at.is_some(),
            };
            let mut note = input.note.as_deref().map(str::to_owned);
            let to = workflow::decide(
                status,
                input.action,
                &actor(caller, &row, submitter),
                &facts,
                note.as_deref(),
            )
            .map_err(|e| transition_error(e, &row.key))?;
            let at = now.naive_utc();
            let today = today_in(now, &unit.timezone);
            let mut changes = ProblemChanges {
                status: Some(to.as_str().to_owned()),
                updated_at: Some(at),
                ..Default::default()
            };
            let unacknowledged = row.acknowledged_at.is_none();
            match input.action {
                Action::Confirm => {
                    changes.original_deadline = Some(row.deadline);
                    changes.acknowledge_by = Some(Some(supervision::acknowledge_by(
                        today,
                        policy.acknowledge_days,
                    )));
                    changes.acknowledged_at = Some(None);
                }
                // Taking the work on is acknowledging it.
                Action::Start | Action::Acknowledge if unacknowledged => {
                    changes.acknowledged_at = Some(Some(at));
                }
                Action::Submit => {
                    changes.submitted_at = Some(Some(at));
                    changes.submitted_by = Some(Some(caller.user_id).filter(|id| *id > 0));
                }
                Action::Verify => {
                    let (outcome, review_on) =
                        supervision::closing(input.outcome, input.review_on, today)
                            .map_err(closing_error)?;
                    changes.closed_at = Some(Some(at));
                    changes.outcome = Some(Some(outcome.as_str().to_owned()));
                    changes.review_on = Some(review_on);
                    changes.recheck_on =
                        Some(supervision::recheck_on(outcome, today, policy.recheck_days));
                }
                Action::DeferReview => {
                    let outcome = row.outcome.as_deref().and_then(|o| o.parse().ok());
                    let on = supervision::new_review_date(outcome, input.review_on, today)
                        .map_err(closing_error)?;
                    changes.review_on = Some(Some(on));
                    note = Some(supervision::deferral_note(
                        row.review_on,
                        on,
                        note.as_deref().unwrap_or_default(),
                    ));
                }
                Action::Reject | Action::Reopen | Action::MarkUnrectified => {
                    changes.submitted_at = Some(None);
                    changes.submitted_by = Some(None);
                    changes.closed_at = Some(None);
                    changes.review_on = Some(None);
                    changes.recheck_on = Some(None);
                    changes.outcome = Some(
                        (input.action == Action::MarkUnrectified)
                            .then(|| ClosingOutcome::Unrectified.as_str().to_owned()),
                    );
                }
                Action::Start | Action::Acknowledge | Action::Cancel | Action::Reactivate => {}
            }
            let note = note.as_deref();
            let also = supervision_changes(&row, &changes);
            let updated = super::progress_tallies::tracking(conn, id, |conn| {
                let updated = db_problems::update(conn, id, row.version, &changes)?
                    .ok_or_else(concurrent_change)?;
                record_transition(
                    conn,
                    caller,
                    id,
                    &unit.path,
                    input.action.as_str(),
                    status,
                    to,
                    note,
                    at,
                    also,
                )?;
                Ok(updated)
            })?;
            let mut data = super::webhooks::problem_data(&updated);
            data["action"] = input.action.as_str().into();
            data["from"] = status.as_str().into();
            data["to"] = to.as_str().into();
            data["note"] = note.into();
            super::webhooks::enqueue(
                conn,
                "problem.transitioned",
                &unit.path,
                data,
                caller.trace.as_deref(),
                now,
            )?;
            one(conn, caller, updated, now)
        })
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn history(db: &Db, caller: &Caller, id: i64) -> Result<Page<HistoryEntry>> {
    db.read(|conn| {
        access::problem_to_read(conn, caller, id)?;
        let items = db_problems::history(conn, id)?
            .into_iter()
            .map(|h| {
                Ok(HistoryEntry {
                    id: h.id,
                    from_status: h.from_status.as_deref().map(|s| parse(s, id)).transpose()?,
                    to_status: parse(&h.to_status, id)?,
                    action: h.action,
                    actor_id: h.actor_id,
                    note: h.note,
                    at: utc(h.created_at),
                })
            })
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            next_cursor: None,
            total: None,
        })
    })
}

/// Records a re-check (回头看) of a closed problem, by a coordinator: `held` clears its re-check
/// date; `recurred` reopens it (the workflow's `reopen`, the finding as its reason).
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn recheck(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: CreateRecheck,
    once: Option<Once<Recheck>>,
    now: DateTime<Utc>,
) -> Result<Outcome<Recheck>> {
    super::audit::write(db, now, |conn| {
        idempotency::once(conn, once.as_ref(), now, |conn| {
            let (row, unit) = access::problem(conn, caller, id)?;
            caller.require_coordinator("record re-checks")?;
            let status: Status = parse(&row.status, id)?;
            if status != Status::Closed {
                return Err(Error::new(
                    Code::TransitionNotAllowed,
                    format!(
                        "Only a closed problem is re-checked; {} is {status}.",
                        row.key
                    ),
                ));
            }
            let at = now.naive_utc();
            let note = input.note.trim();
            let outcome = input.outcome;
            let recorded = rectify_db::supervision::insert_recheck(
                conn,
                rectify_db::models::NewRecheck {
                    problem_id: id,
                    outcome: outcome.as_str(),
                    note,
                    recorded_by: Some(caller.user_id).filter(|id| *id > 0),
                    recorded_at: at,
                },
            )?;
            let recheck = Recheck {
                id: recorded.id,
                problem_id: id,
                outcome,
                note: recorded.note,
                recorded_by: recorded.recorded_by,
                recorded_at: utc(recorded.recorded_at),
            };
            super::audit::created_record(
                conn, caller, "recheck", recheck.id, &unit.path, &recheck,
            )?;
            match outcome {
                RecheckOutcome::Held => {
                    let changes = ProblemChanges {
                        recheck_on: Some(None),
                        updated_at: Some(at),
                        ..Default::default()
                    };
                    db_problems::update(conn, id, row.version, &changes)?
                        .ok_or_else(concurrent_change)?;
                }
                RecheckOutcome::Recurred => {
                    let reason = supervision::recurrence_note(note);
                    let to = workflow::decide(
                        status,
                        Action::Reopen,
                        &actor(caller, &row, None),
                        &Facts::default(),
                        Some(&reason),
                    )
                    .map_err(|e| transition_error(e, &row.key))?;
                    reopen_closed(
                        conn,
                        caller,
                        (&row, &unit),
                        (Action::Reopen, to, &reason),
                        &["problem.transitioned"],
                        now,
                    )?;
                }
            }
            Ok(recheck)
        })
    })
}

/// A problem's re-checks, oldest first.
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn rechecks(db: &Db, caller: &Caller, id: i64, page: PageParams) -> Result<Page<Recheck>> {
    let (limit, after) = pagination::limit_and_after(&page)?;
    db.read(|conn| {
        access::problem(conn, caller, id)?;
        let rows = rectify_db::supervision::rechecks_of(conn, id, after, limit + 1)?;
        let (rows, next_cursor) = pagination::page_by_id(rows, limit, |r| r.id);
        let items = rows
            .into_iter()
            .map(|r| {
                Ok(Recheck {
                    id: r.id,
                    problem_id: r.problem_id,
                    outcome: parse(&r.outcome, id)?,
                    note: r.note,
                    recorded_by: r.recorded_by,
                    recorded_at: utc(r.recorded_at),
                })
            })
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            next_cursor,
            total: None,
        })
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn add_note(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: CreateNote,
    once: Option<Once<Note>>,
    now: DateTime<Utc>,
) -> Result<Outcome<Note>> {
    super::audit::write(db, now, |conn| {
        idempotency::once(conn, once.as_ref(), now, |conn| {
            let (row, unit) = access::problem(conn, caller, id)?;
            if !caller.coordinates() && row.owner_id != Some(caller.user_id) {
                return Err(Error::forbidden(
                    "Only the problem's owner or a coordinator may add progress notes.",
                ));
            }
            write_note(
                conn,
                caller,
                id,
                input.body.trim(),
                &unit.path,
                now.naive_utc(),
            )
        })
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn notes(db: &Db, caller: &Caller, id: i64, page: PageParams) -> Result<Page<Note>> {
    let (limit, after) = pagination::limit_and_after(&page)?;
    db.read(|conn| {
        access::problem_to_read(conn, caller, id)?;
        let rows = db_problems::notes(conn, id, after, limit + 1)?;
        let (rows, next_cursor) = pagination::page_by_id(rows, limit, |r| r.id);
        let items = rows
            .into_iter()
            .map(|n| Note {
                id: n.id,
                problem_id: n.problem_id,
                author_id: n.author_id,
                body: n.body,
                created_at: utc(n.created_at),
            })
            .collect();
        Ok(Page {
            items,
            next_cursor,
            total: None,
        })
    })
}
