//! The search index of problems (see the `problem_search` migrations): FTS5 on SQLite, a GIN
//! index on a column of `problems` on PostgreSQL, both holding the numbers `domain::search`
//! makes of each problem's key, title and description (FTS5 as hex words).

use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};

use crate::schema::problems::dsl as p;
use crate::DbConnection;

type Backend = <DbConnection as Connection>::Backend;
pub(crate) type Condition =
    Box<dyn BoxableExpression<p::problems, Backend, SqlType = Nullable<Bool>>>;

/// FTS5's words: each number in hex (letters and digits, which its tokenizer keeps whole).
fn fts_words(grams: &[u32]) -> String {
    grams
        .iter()
        .map(|g| format!("{g:x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// PostgreSQL's array, as text for `string_to_array(…)::integer[]` (the numbers as signed
/// 32-bit integers, which is all the index compares).
fn pg_array(grams: &[u32]) -> String {
    grams
        .iter()
        .map(|g| (*g as i32).to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Sets the words a problem is found by (replacing what it had).
pub fn index(conn: &mut DbConnection, problem_id: i64, grams: &[u32]) -> QueryResult<()> {
    match conn {
        DbConnection::Sqlite(c) => {
            diesel::sql_query("DELETE FROM problem_search WHERE rowid = ?")
                .bind::<BigInt, _>(problem_id)
                .execute(c)?;
            diesel::sql_query("INSERT INTO problem_search (rowid, grams) VALUES (?, ?)")
                .bind::<BigInt, _>(problem_id)
                .bind::<Text, _>(fts_words(grams))
                .execute(c)?;
        }
        DbConnection::Postgres(c) => {
            diesel::sql_query(
                "UPDATE problems SET search_grams = string_to_array($2, ' ')::integer[] \
                 WHERE id = $1",
            )
            .bind::<BigInt, _>(problem_id)
            .bind::<Text, _>(pg_array(grams))
            .execute(c)?;
        }
    }
    Ok(())
}

/// Sets the words of many problems at once (building the index).
pub fn index_many(conn: &mut DbConnection, entries: &[(i64, Vec<u32>)]) -> QueryResult<()> {
    match conn {
        DbConnection::Sqlite(_) => {
            for (id, grams) in entries {
                index(conn, *id, grams)?;
            }
        }
        // One statement for the lot: a million single-row updates took 161 s.
        DbConnection::Postgres(c) => {
            use diesel::sql_types::Array;
            let ids: Vec<i64> = entries.iter().map(|(id, _)| *id).collect();
            let words: Vec<String> = entries.iter().map(|(_, g)| pg_array(g)).collect();
            diesel::sql_query(
                "UPDATE problems SET search_grams = string_to_array(v.words, ' ')::integer[] \
                 FROM unnest($1::bigint[], $2::text[]) AS v(id, words) WHERE problems.id = v.id",
            )
            .bind::<Array<BigInt>, _>(ids)
            .bind::<Array<Text>, _>(words)
            .execute(c)?;
        }
    }
    Ok(())
}

/// Forgets removed problems (on PostgreSQL their words went with their rows).
pub fn forget(conn: &mut DbConnection, problem_ids: &[i64]) -> QueryResult<()> {
    if let DbConnection::Sqlite(c) = conn {
        for id in problem_ids {
            diesel::sql_query("DELETE FROM problem_search WHERE rowid = ?")
                .bind::<BigInt, _>(id)
                .execute(c)?;
        }
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = BigInt)]
    #[allow(dead_code)] // read only to learn whether a row exists
    id: i64,
}

/// Whether some problem is not in the index (a database from before the index: it has not been
/// built yet).
pub fn unindexed(conn: &mut DbConnection) -> QueryResult<bool> {
    let found: Vec<Found> = match conn {
        // Problems are indexed as they are written, so an index with any row has them all.
        DbConnection::Sqlite(c) => diesel::sql_query(
            "SELECT id FROM problems WHERE NOT EXISTS (SELECT 1 FROM problem_search) LIMIT 1",
        )
        .load(c)?,
        DbConnection::Postgres(c) => {
            diesel::sql_query("SELECT id FROM problems WHERE search_grams IS NULL LIMIT 1")
                .load(c)?
        }
    };
    Ok(!found.is_empty())
}

/// Problems holding every one of `grams` (at least one).
pub(crate) fn holding(on_sqlite: bool, grams: &[u32]) -> Condition {
    if on_sqlite {
        Box::new(
            diesel::dsl::sql::<Nullable<Bool>>(
                "problems.id IN (SELECT rowid FROM problem_search WHERE problem_search MATCH ",
            )
            .bind::<Text, _>(fts_words(grams))
            .sql(")"),
        )
    } else {
        Box::new(
            diesel::dsl::sql::<Nullable<Bool>>("problems.search_grams @> string_to_array(")
                .bind::<Text, _>(pg_array(grams))
                .sql(", ' ')::integer[]"),
        )
    }
}
