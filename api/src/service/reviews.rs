use chrono::{DateTime, Utc};
use rectify_db::models::{NewReview, ReviewChanges, ReviewRow};
use rectify_db::reviews::{self as db_reviews, ReviewFilter};
use rectify_db::{Db, DbConnection};

use super::access::{self, check_if_match, concurrent_change};
use super::idempotency::{self, Once, Outcome};
use super::organizations::visible as visible_org;
use super::pagination::{self, AfterId};
use super::Caller;
use crate::api_types::{utc, CreateReview, Page, PageParams, Review, ReviewQuery, UpdateReview};
use crate::error::{Code, Error, Result};

fn to_dto(row: ReviewRow, aspects: Vec<String>) -> Result<Review> {
    Ok(Review {
        kind: row
            .kind
            .parse()
            .map_err(|e| Error::internal(format!("review {}: {e}", row.id)))?,
        id: row.id,
        organization_id: row.organization_id,
        title: row.title,
        held_on: row.held_on,
        source_text: row.source_text,
        aspects,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        version: row.version,
    })
}

fn trimmed(aspects: &[String]) -> Vec<String> {
    aspects.iter().map(|a| a.trim().to_owned()).collect()
}

pub(crate) fn load(conn: &mut DbConnection, row: ReviewRow) -> Result<Review> {
    let aspects = db_reviews::aspects(conn, row.id)?;
    to_dto(row, aspects)
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn create(
    db: &Db,
    caller: &Caller,
    input: CreateReview,
    once: Option<Once<Review>>,
    now: DateTime<Utc>,
) -> Result<Outcome<Review>> {
    super::audit::write(db, now, |conn| {
        idempotency::once(conn, once.as_ref(), now, |conn| {
            let org = visible_org(conn, caller, input.organization_id).map_err(|_| {
                Error::invalid_field(
                    "organization_id",
                    "exists",
                    format!("organization {} does not exist", input.organization_id),
                )
            })?;
            caller.require_coordinator("create reviews")?;
            let row = db_reviews::insert(
                conn,
                NewReview {
                    organization_id: org.id,
                    title: input.title.trim(),
                    kind: input.kind.as_str(),
                    held_on: input.held_on,
                    source_text: input.source_text.as_deref(),
                    created_by: Some(caller.user_id).filter(|id| *id > 0),
                    created_at: now.naive_utc(),
                    updated_at: now.naive_utc(),
                    importing_until: None,
                },
                &trimmed(input.aspects.as_deref().unwrap_or_default()),
            )?;
            let review = load(conn, row)?;
            super::audit::created_record(conn, caller, "review", review.id, &org.path, &review)?;
            Ok(review)
        })
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn get(db: &Db, caller: &Caller, id: i64) -> Result<Review> {
    db.read(|conn| {
        let (row, _) = access::review(conn, caller, id)?;
        load(conn, row)
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn list(
    db: &Db,
    caller: &Caller,
    query: ReviewQuery,
    page: PageParams,
) -> Result<Page<Review>> {
    let limit = page.limit.unwrap_or(pagination::DEFAULT_LIMIT);
    let before = pagination::after::<AfterId>(&page)?;
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
        let filter = ReviewFilter {
            visible_within: caller.scope_path(),
            organization_path,
            kind: query.kind.map(|k| k.as_str().to_owned()),
            held_from: query.held_from,
            held_to: query.held_to,
            q: query.q.clone(),
        };
        let rows = db_reviews::list(conn, &filter, before.map(|b| b.id), limit + 1)?;
        let (rows, next_cursor) = pagination::page_by_id(rows, limit, |r| r.id);
        let total = match page.total {
            Some(true) => Some(db_reviews::count_filtered(conn, &filter)?),
            _ => None,
        };
        let mut aspects =
            db_reviews::aspects_of(conn, &rows.iter().map(|r| r.id).collect::<Vec<_>>())?;
        let items = rows
            .into_iter()
            .map(|row| {
                let a = aspects.remove(&row.id).unwrap_or_default();
                to_dto(row, a)
            })
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
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
    input: UpdateReview,
    if_match: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Review> {
    super::audit::write(db, now, |conn| {
        let (row, org) = access::review_to_change(conn, caller, id, "change reviews")?;
        check_if_match(if_match, row.version)?;
        let before = load(conn, row.clone())?;
        if let Some(new_aspects) = &input.aspects {
            let new_aspects = trimmed(new_aspects);
            for old in db_reviews::aspects(conn, id)? {
                if !new_aspects.contains(&old) && db_reviews::aspect_use(conn, id, &old)? > 0 {
                    return Err(Error::new(
                        Code::AspectInUse,
                        format!("The aspect {old:?} is still used by problems of this review; move them first."),
                    )
                    .with_extension("field", "aspects"));
                }
            }
            db_reviews::replace_aspects(conn, id, &new_aspects)?;
        }
        let changes = ReviewChanges {
            title: input.title.as_deref().map(|t| t.trim().to_owned()),
            kind: input.kind.map(|k| k.as_str().to_owned()),
            held_on: input.held_on,
            source_text: input.source_text.clone(),
            updated_at: Some(now.naive_utc()),
        };
        let row =
            db_reviews::update(conn, id, row.version, &changes)?.ok_or_else(concurrent_change)?;
        let after = load(conn, row)?;
        super::audit::changed_record(
            conn,
            caller,
            "review.update",
            "review",
            id,
            &org.path,
            &before,
            &after,
        )?;
        Ok(after)
    })
}
