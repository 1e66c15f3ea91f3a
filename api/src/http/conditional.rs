//! Entity tags that name the very bytes answered, and `If-None-Match` → 304.
//!
//! A record's ETag used to be its version alone (`"3"`), but what is answered for one version
//! differs by caller (`allowed_actions`) and by day (`warning`), so a version cannot say "what
//! you hold is still right". Every JSON answer held in memory gets a tag from its bytes:
//! `"3-1f0c…"` for a record (the version stays in front, so `If-Match` still reads it) and
//! `"1f0c…"` for lists, reports and the OpenAPI document. A GET or HEAD whose `If-None-Match`
//! names the tag is answered 304 with no body. Files (evidence, sheets) are streamed and keep
//! the validators of their own kind.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::HttpResponse;
use sha2::{Digest, Sha256};

/// The version a tag carries in front (`"3-…"`, `"3"`, `W/"3"`), as `If-Match` reads it.
pub fn version_of(tag: &str) -> Option<i64> {
    let opaque = tag.trim().trim_start_matches("W/").trim_matches('"');
    opaque.split('-').next()?.parse().ok()
}

/// The tag for `body`, keeping the version of the tag the handler set, if any.
fn tag_for(body: &[u8], version_tag: Option<&str>) -> String {
    let digest = Sha256::digest(body);
    let hash: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
    match version_tag.and_then(version_of) {
        Some(version) => format!("\"{version}-{hash}\""),
        None => format!("\"{hash}\""),
    }
}

/// Whether an `If-None-Match` value names `tag` (weak comparison, as RFC 9110 §13.1.2 says).
pub fn none_match_names(if_none_match: &str, tag: &str) -> bool {
    let tag = tag.trim_start_matches("W/");
    if_none_match
        .split(',')
        .map(|each| each.trim())
        .any(|each| each == "*" || each.trim_start_matches("W/") == tag)
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let reading = matches!(*req.method(), Method::GET | Method::HEAD);
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let response = next.call(req).await?.map_into_boxed_body();
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let version_tag = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let tagged = matches!(status, StatusCode::OK | StatusCode::CREATED)
        && json
        && (reading || version_tag.is_some());
    if !tagged {
        return Ok(response);
    }
    let (request, response) = response.into_parts();
    let (mut response, body) = response.into_parts();
    let body = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        // A streamed body is left as it is (nothing here streams JSON today).
        Err(body) => return Ok(ServiceResponse::new(request, response.set_body(body))),
    };
    let tag = tag_for(&body, version_tag.as_deref());
    let value = HeaderValue::from_str(&tag).map_err(actix_web::error::ErrorInternalServerError)?;
    response.headers_mut().insert(header::ETAG, value);
    if reading && if_none_match.is_some_and(|given| none_match_names(&given, &tag)) {
        let mut unchanged = HttpResponse::NotModified();
        for (name, value) in response.headers() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                unchanged.append_header((name.clone(), value.clone()));
            }
        }
        return Ok(ServiceResponse::new(request, unchanged.finish()));
    }
    Ok(ServiceResponse::new(
        request,
        response.set_body(BoxBody::new(body)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_keeps_its_version_in_front_of_the_hash() {
        let tag = tag_for(br#"{"id":1}"#, Some("\"3\""));
        assert!(tag.starts_with("\"3-") && tag.ends_with('"'), "{tag}");
        assert_eq!(version_of(&tag), Some(3));
        assert_eq!(tag.len(), 2 + 2 + 20);
    }

    #[test]
    fn other_bodies_are_tagged_by_their_bytes_alone() {
        let tag = tag_for(b"[]", None);
        assert_eq!(tag, tag_for(b"[]", None));
        assert_ne!(tag, tag_for(b"[1]", None));
        // Twenty hex digits never read as a version, even when all are decimal digits.
        assert_eq!(tag.len(), 22);
        assert_eq!(version_of("\"12345678901234567890\""), None);
    }

    #[test]
    fn the_version_is_read_from_every_form_a_client_sends_back() {
        assert_eq!(version_of("\"7\""), Some(7));
        assert_eq!(version_of("W/\"7\""), Some(7));
        assert_eq!(version_of("\"7-00ff\""), Some(7));
        assert_eq!(version_of("\"x-00ff\""), None);
        assert_eq!(version_of(""), None);
    }

    #[test]
    fn if_none_match_names_a_tag_in_a_list_weakly_or_by_star() {
        let tag = "\"2-abc\"";
        assert!(none_match_names("\"2-abc\"", tag));
        assert!(none_match_names("\"1-xyz\", W/\"2-abc\"", tag));
        assert!(none_match_names("*", tag));
        assert!(!none_match_names("\"2\"", tag));
        assert!(!none_match_names("\"2-abd\"", tag));
    }
}
