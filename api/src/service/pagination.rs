//! Opaque keyset cursors: base64url of a small JSON object, so clients cannot depend on it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, Result};

pub const DEFAULT_LIMIT: i64 = 50;

pub fn encode<T: Serialize>(position: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(position).unwrap_or_default())
}

pub fn decode<T: DeserializeOwned>(cursor: &str) -> Result<T> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| {
            Error::invalid_field(
                "cursor",
                "cursor",
                "is not a cursor this list returned; start again without it",
            )
        })
}

/// A position by id alone, for lists in id order.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct AfterId {
    pub id: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = encode(&AfterId { id: 42 });
        assert_eq!(decode::<AfterId>(&c).unwrap().id, 42);
        assert!(decode::<AfterId>("!!").is_err());
        assert!(decode::<AfterId>(&encode(&"x")).is_err());
    }
}

/// Where the previous page ended, from the page's cursor (none on the first page).
pub fn after<T: DeserializeOwned>(page: &crate::api_types::PageParams) -> Result<Option<T>> {
    page.cursor.as_deref().map(decode::<T>).transpose()
}

/// A page's size and the id the previous page ended at, for lists in id order.
pub fn limit_and_after(page: &crate::api_types::PageParams) -> Result<(i64, Option<i64>)> {
    let after = after::<AfterId>(page)?;
    Ok((page.limit.unwrap_or(DEFAULT_LIMIT), after.map(|a| a.id)))
}

/// Cuts rows fetched with `limit + 1` down to a page; when there was more, the cursor of the
/// page's last row says where the next page starts.
pub fn page_of<T>(
    mut rows: Vec<T>,
    limit: i64,
    cursor_of: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(0);
    if rows.len() <= limit {
        return (rows, None);
    }
    rows.truncate(limit);
    let cursor = rows.last().map(&cursor_of);
    (rows, cursor)
}

/// [`page_of`] for lists in id order.
pub fn page_by_id<T>(
    rows: Vec<T>,
    limit: i64,
    id_of: impl Fn(&T) -> i64,
) -> (Vec<T>, Option<String>) {
    page_of(rows, limit, |row| encode(&AfterId { id: id_of(row) }))
}

#[cfg(test)]
mod page_tests {
    use super::*;

    #[test]
    fn a_page_has_a_cursor_only_when_more_rows_follow() {
        let (rows, cursor) = page_by_id(vec![1, 2, 3], 2, |r| *r);
        assert_eq!(rows, [1, 2]);
        assert_eq!(decode::<AfterId>(&cursor.unwrap()).unwrap().id, 2);
        let (rows, cursor) = page_by_id(vec![1, 2], 2, |r| *r);
        assert_eq!((rows, cursor), (vec![1, 2], None));
    }
}
