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
