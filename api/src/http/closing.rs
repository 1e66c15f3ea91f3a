//! Evidence files and deadline extensions.

use super::extract::Json;
use std::sync::Arc;

use actix_files::NamedFile;
use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};

use super::extract::recorded;
use super::extract::{blocking, once, reply, validated};
use super::text_guard::within;
use super::AppState;
use crate::api_types::{
    BinaryFile, CreateExtension, Evidence, EvidenceQuery, Extension, ExtensionDecision,
    ExtensionQuery, Page, PageParams, ProblemDetails, UploadEvidence,
};
use crate::domain::evidence::{ascii_file_name, clean_file_name, FileKind, Sniffer};
use crate::error::{Code, Error};
use crate::service::closing::{self, Received};
use crate::service::idempotency::Recorded;
use crate::service::Caller;
use crate::storage::BlobStore;
use actix_web::http::StatusCode;

/// Room for the multipart framing and the description around the file itself.
const FORM_OVERHEAD: u64 = 64 * 1024;

fn too_large(limit: u64) -> Error {
    Error::new(
        Code::PayloadTooLarge,
        format!("The file is larger than the {limit} bytes accepted."),
    )
}

fn multipart_error(e: MultipartError) -> Error {
    match e {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible => Error::new(
            Code::UnsupportedMediaType,
            "Upload evidence as multipart/form-data with the fields file and description.",
        ),
        other => Error::new(
            Code::MalformedMultipart,
            format!("The multipart body could not be read: {other}."),
        ),
    }
}

/// Streams the file field to the store, hashing, measuring and sniffing it on the way; a file
/// over the limit or of a kind not accepted is dropped and nothing of it is kept.
async fn receive(
    store: Arc<dyn BlobStore>,
    mut field: Field,
    limit: u64,
    idle: std::time::Duration,
) -> Result<(String, u64, FileKind, String), Error> {
    let file_name = clean_file_name(
        field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or("evidence"),
    );
    let opener = store.clone();
    let mut incoming = blocking(move || opener.incoming().map_err(Error::internal)).await?;
    let (mut hasher, mut sniffer, mut size) = (Sha256::new(), Sniffer::new(), 0u64);
    while let Some(chunk) = within(idle, field.try_next())
        .await?
        .map_err(multipart_error)?
    {
        size += chunk.len() as u64;
        if size > limit {
            return Err(too_large(limit));
        }
        hasher.update(&chunk);
        sniffer.feed(&chunk);
        incoming = blocking(move || {
            incoming
                .write(&chunk)
                .map(|_| incoming)
                .map_err(Error::internal)
        })
        .await?;
    }
    let Some(kind) = sniffer.finish() else {
        return Err(Error::new(
            Code::UnsupportedFileType,
            format!(
                "{file_name:?} is not an accepted kind of file; send {}.",
                FileKind::ACCEPTED
            ),
        ));
    };
    let sha256 = base16ct::lower::encode_string(&hasher.finalize());
    let key = sha256.clone();
    blocking(move || store.commit(incoming, &key).map_err(Error::internal)).await?;
    Ok((sha256, size, kind, file_name))
}

async fn read_text(
    mut field: Field,
    max_chars: usize,
    idle: std::time::Duration,
) -> Result<String, Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = within(idle, field.try_next())
        .await?
        .map_err(multipart_error)?
    {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > max_chars * 4 {
            break;
        }
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::invalid_field("description", "utf8", "must be UTF-8 text"))?;
    if text.chars().count() > max_chars {
        return Err(Error::invalid_field(
            "description",
            "length",
            format!("must be at most {max_chars} characters"),
        ));
    }
    super::text_guard::check_field("description", &text)?;
    Ok(text.trim().to_owned())
}

/// Uploads an evidence file (佐证材料) for a problem (its owner or a coordinator).
#[utoipa::path(
    operation_id = "upload_evidence",
    tag = "evidence",
    params(("id" = i64, Path, description = "Problem id")),
    request_body(content = UploadEvidence, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = Evidence, headers(("Location" = String))),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The problem is submitted or finished", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, description = "Over the configured size; nothing is kept", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, or the bytes are not an accepted kind of file", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/problems/{id}/evidence")]
pub async fn upload(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
    mut form: Multipart,
) -> Result<HttpResponse, Error> {
    let evidence = receive_evidence(state, caller, &req, id.into_inner(), &mut form).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, evidence.content_url.clone()))
        .json(evidence))
}

/// Reads an evidence form (`file`, `description`) and records the upload, for the API and
/// the console alike: the size limit, the idle timeout, the type check and the use case.
pub(crate) async fn receive_evidence(
    state: web::Data<AppState>,
    caller: Caller,
    req: &HttpRequest,
    id: i64,
    form: &mut Multipart,
) -> Result<Evidence, Error> {
    let limit = state.evidence_max_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit + FORM_OVERHEAD) {
        return Err(too_large(limit));
    }
    let (db, who) = (state.db.clone(), caller.clone());
    blocking(move || closing::check_upload(&db, &who, id)).await?;
    let (mut file, mut description) = (None, String::new());
    let idle = state.body_timeout;
    while let Some(field) = within(idle, form.try_next())
        .await?
        .map_err(multipart_error)?
    {
        match field.name() {
            Some("file") if file.is_none() => {
                file = Some(receive(state.store.clone(), field, limit, idle).await?)
            }
            Some("description") => description = read_text(field, 2000, idle).await?,
            other => {
                return Err(Error::invalid_field(
                    other.unwrap_or("(unnamed)"),
                    "unknown",
                    "is not a field of this form; send file and description",
                ))
            }
        }
    }
    let (sha256, size, kind, file_name) =
        file.ok_or_else(|| Error::invalid_field("file", "required", "is required"))?;
    let received = Received {
        sha256,
        size: size as i64,
        content_type: kind.mime(),
        file_name,
        description,
    };
    let now = state.clock.now();
    blocking(move || closing::record_upload(&state.db, &caller, id, received, now)).await
}

/// A problem's evidence files, oldest first.
#[utoipa::path(
    operation_id = "list_evidence",
    tag = "evidence",
    params(("id" = i64, Path, description = "Problem id"), EvidenceQuery),
    responses((status = 200, body = Page<Evidence>), (status = 401, body = ProblemDetails, content_type = "application/problem+json"), (status = 404, body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/problems/{id}/evidence")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    query: web::Query<EvidenceQuery>,
) -> Result<HttpResponse, Error> {
    let (id, removed) = (id.into_inner(), query.include_removed.unwrap_or(false));
    let page = blocking(move || closing::list_evidence(&state.db, &caller, id, removed)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Downloads an evidence file; supports Range requests.
#[utoipa::path(
    operation_id = "download_evidence",
    tag = "evidence",
    params(("id" = i64, Path, description = "Evidence id")),
    responses(
        (status = 200, description = "The file, with the type judged from its bytes and its name (RFC 6266 filename*)", content(
            (BinaryFile = "image/jpeg"),
            (BinaryFile = "image/png"),
            (BinaryFile = "application/pdf"),
            (BinaryFile = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (BinaryFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (BinaryFile = "text/plain"),
        )),
        (status = 206, description = "The requested range"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 416, description = "The range is outside the file"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/evidence/{id}/content")]
pub async fn content(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    send_evidence(
        state,
        caller,
        &req,
        id.into_inner(),
        DispositionType::Attachment,
    )
    .await
}

/// An evidence file's bytes, to download (attachment) or, for the console's previews of
/// images and PDFs, to show (inline); ranges supported.
pub(crate) async fn send_evidence(
    state: web::Data<AppState>,
    caller: Caller,
    req: &HttpRequest,
    id: i64,
    disposition: DispositionType,
) -> Result<HttpResponse, Error> {
    let db = state.db.clone();
    let evidence = blocking(move || closing::evidence_for_download(&db, &caller, id)).await?;
    let path = state
        .store
        .locate(&evidence.sha256)
        .map_err(Error::internal)?;
    let mime: actix_web::mime::Mime = evidence.content_type.parse().map_err(Error::internal)?;
    let disposition = ContentDisposition {
        disposition,
        parameters: vec![
            DispositionParam::Filename(ascii_file_name(&evidence.file_name)),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: evidence.file_name.clone().into_bytes(),
            }),
        ],
    };
    let file = NamedFile::open_async(path)
        .await
        .map_err(|e| Error::internal(format!("evidence {id}: {e}")))?;
    let mut response = file
        .set_content_type(mime)
        .set_content_disposition(disposition)
        // Photos and PDFs are compressed already, and ranges must address the stored bytes.
        .set_content_encoding(header::ContentEncoding::Identity)
        .into_response(req);
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

/// Removes an evidence file while the problem is not yet submitted (it stays on record).
#[utoipa::path(
    operation_id = "remove_evidence",
    tag = "evidence",
    params(("id" = i64, Path, description = "Evidence id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The problem is submitted or finished", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/api/v1/evidence/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let (id, now) = (id.into_inner(), state.clock.now());
    blocking(move || closing::remove_evidence(&state.db, &caller, id, now)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Asks for a later deadline (the problem's owner); one pending request per problem.
#[utoipa::path(
    tag = "extensions",
    params(("id" = i64, Path, description = "Problem id"), ("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key and body returns the first answer")),
    request_body = CreateExtension,
    responses(
        (status = 201, body = Extension, headers(("Location" = String))),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "A request is already pending, or the problem is not open or in progress", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/problems/{id}/extensions")]
pub async fn request_extension(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<CreateExtension>,
) -> Result<HttpResponse, Error> {
    let (id, input) = (id.into_inner(), validated(body.into_inner())?);
    let once = once(&req, &caller, &input, requested_extension)?;
    let now = state.clock.now();
    reply(
        blocking(move || closing::request_extension(&state.db, &caller, id, input, once, now))
            .await?,
        requested_extension,
    )
}

/// Approves (the deadline moves; the original is kept) or refuses a request (coordinators).
#[utoipa::path(
    operation_id = "decide_extension",
    tag = "extensions",
    params(("id" = i64, Path, description = "Extension id")),
    request_body = ExtensionDecision,
    responses(
        (status = 200, body = Extension),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/extensions/{id}/decision")]
pub async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<ExtensionDecision>,
) -> Result<HttpResponse, Error> {
    let (id, input, now) = (
        id.into_inner(),
        validated(body.into_inner())?,
        state.clock.now(),
    );
    let extension =
        blocking(move || closing::decide_extension(&state.db, &caller, id, input, now)).await?;
    Ok(HttpResponse::Ok().json(extension))
}

/// Extension requests in the caller's subtree (`status=pending` for a coordinator's queue).
#[utoipa::path(
    tag = "extensions",
    params(ExtensionQuery, PageParams),
    responses((status = 200, body = Page<Extension>), (status = 400, body = ProblemDetails, content_type = "application/problem+json"), (status = 401, body = ProblemDetails, content_type = "application/problem+json"), (status = 422, body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/extensions")]
pub async fn list_extensions(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ExtensionQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, Error> {
    let (query, page) = (query.into_inner(), validated(page.into_inner())?);
    let page = blocking(move || closing::list_extensions(&state.db, &caller, query, page)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One extension request.
#[utoipa::path(
    tag = "extensions",
    params(("id" = i64, Path, description = "Extension id")),
    responses((status = 200, body = Extension), (status = 401, body = ProblemDetails, content_type = "application/problem+json"), (status = 404, body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/extensions/{id}")]
pub async fn get_extension(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let extension = blocking(move || closing::get_extension(&state.db, &caller, id)).await?;
    Ok(HttpResponse::Ok().json(extension))
}

fn requested_extension(extension: &Extension) -> Result<Recorded, Error> {
    recorded(
        StatusCode::CREATED,
        extension,
        Some(format!("/api/v1/extensions/{}", extension.id)),
    )
}
