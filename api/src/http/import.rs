//! Importing a report or a ledger sheet as a draft review.

use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use futures_util::{StreamExt, TryStreamExt};

use super::extract::{blocking, validated};
use super::text_guard::within;
use super::AppState;
use crate::api_types::{
    ImportQuery, ImportReport, ImportResult, ImportUpload, ImportedReviewFields, ProblemDetails,
};
use crate::domain::vocab::ReviewKind;
use crate::error::{Code, Error};
use crate::service::import::{self, Document};
use crate::service::Caller;
use std::time::Duration;

fn too_large(limit: u64) -> Error {
    Error::new(
        Code::PayloadTooLarge,
        format!("The request is larger than the {limit} bytes accepted."),
    )
}

fn multipart_error(e: MultipartError) -> Error {
    Error::new(
        Code::MalformedMultipart,
        format!("The multipart body could not be read: {e}."),
    )
}

async fn field_bytes(mut field: Field, limit: u64, idle: Duration) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = within(idle, field.try_next())
        .await?
        .map_err(multipart_error)?
    {
        if (bytes.len() + chunk.len()) as u64 > limit {
            return Err(too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

async fn field_text(field: Field, name: &str, idle: Duration) -> Result<String, Error> {
    let bytes = field_bytes(field, 4096, idle)
        .await
        .map_err(|e| match e.code {
            Code::BodyTimeout => e,
            _ => Error::invalid_field(name, "length", "must be at most 4096 bytes"),
        })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::invalid_field(name, "utf8", "must be UTF-8 text"))?;
    super::text_guard::check_field(name, &text)?;
    Ok(text.trim().to_owned())
}

/// The form's fields, each checked as the JSON body's are.
#[derive(Default)]
struct Form {
    file: Option<(Option<String>, Vec<u8>)>,
    organization_id: Option<String>,
    title: Option<String>,
    kind: Option<String>,
    held_on: Option<String>,
}

impl Form {
    fn into_parts(self) -> Result<(Option<String>, Vec<u8>, ImportedReviewFields), Error> {
        let mut errors = Vec::new();
        let mut missing = |name: &str| {
            errors.push(crate::error::FieldError {
                field: name.to_owned(),
                code: "required".to_owned(),
                message: "is required".to_owned(),
            })
        };
        if self.file.is_none() {
            missing("file");
        }
        for (name, value) in [
            ("organization_id", &self.organization_id),
            ("title", &self.title),
            ("kind", &self.kind),
            ("held_on", &self.held_on),
        ] {
            if value.is_none() {
                missing(name);
            }
        }
        if !errors.is_empty() {
            return Err(Error::validation(errors));
        }
        let organization_id = self
            .organization_id
            .unwrap_or_default()
            .parse::<i64>()
            .map_err(|_| Error::invalid_field("organization_id", "integer", "must be an id"))?;
        let kind: ReviewKind =
            serde_json::from_value(serde_json::Value::String(self.kind.unwrap_or_default()))
                .map_err(|_| {
                    Error::invalid_field(
                        "kind",
                        "enum",
                        "must be one of organizational_life, democratic_life, theme_education, \
                 inspection_feedback, audit, other",
                    )
                })?;
        let held_on = NaiveDate::parse_from_str(&self.held_on.unwrap_or_default(), "%Y-%m-%d")
            .map_err(|_| Error::invalid_field("held_on", "date", "must be a date as 2026-11-23"))?;
        let fields = validated(ImportedReviewFields {
            organization_id,
            title: self.title.unwrap_or_default(),
            kind,
            held_on,
        })?;
        let (name, bytes) = self.file.unwrap_or_default();
        Ok((name, bytes, fields))
    }
}

async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
    limit: u64,
    idle: Duration,
) -> Result<Form, Error> {
    let mut form = Multipart::new(req.headers(), payload);
    let mut read = Form::default();
    while let Some(field) = within(idle, form.try_next())
        .await?
        .map_err(multipart_error)?
    {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" if read.file.is_none() => {
                let file_name = field
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .map(str::to_owned);
                read.file = Some((file_name, field_bytes(field, limit, idle).await?));
            }
            "organization_id" => read.organization_id = Some(field_text(field, &name, idle).await?),
            "title" => read.title = Some(field_text(field, &name, idle).await?),
            "kind" => read.kind = Some(field_text(field, &name, idle).await?),
            "held_on" => read.held_on = Some(field_text(field, &name, idle).await?),
            other => return Err(Error::invalid_field(
                if other.is_empty() { "(unnamed)" } else { other },
                "unknown",
                "is not a field of this form; send file, organization_id, title, kind and held_on",
            )),
        }
    }
    Ok(read)
}

async fn read_json(mut payload: web::Payload, limit: u64) -> Result<ImportReport, Error> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            Error::new(
                Code::UnreadableBody,
                format!("The body could not be read: {e}."),
            )
        })?;
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    let value: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
        Error::new(
            Code::MalformedJson,
            format!("The body is not valid JSON: {e}."),
        )
    })?;
    let report: ImportReport = super::extract::from_json_value(value)?;
    // A body past the JSON limit was not seen by the text guard: the same rule, here.
    super::text_guard::check_field("text", &report.text)?;
    super::text_guard::check_field("title", &report.title)?;
    validated(report)
}

/// Imports a self-inspection report or a ledger sheet as a draft review (coordinators).
///
/// Send the report as JSON text, or upload a `.txt` (UTF-8), `.docx` or `.pdf` (with a text
/// layer) report, or an `.xlsx`, `.xls` or `.ods` sheet, as multipart. Reports give aspects,
/// problems, causes and measures, with warnings for what looked odd and suggested (never made)
/// links between causes or measures and problems; owners, units and deadlines written in them
/// are read. Sheets use the ledger's columns (问题描述 is needed), matching owners by name or
/// username and units by name or code; any row in error refuses the whole sheet. Problems
/// start as drafts, unless a ledger under way gives their status (整改状态). With
/// `dry_run=true` nothing is written.
#[utoipa::path(
    tag = "reviews",
    params(ImportQuery),
    request_body(content(
        (ImportReport = "application/json"),
        (ImportUpload = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "Created; the review's URL is in Location", body = ImportResult, headers(("Location" = String))),
        (status = 200, description = "Dry run: what would be created", body = ImportResult),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor multipart, or a file of another kind (an old .doc, a binary file)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, the file cannot be read (`unreadable_file`, `empty_file`), a sheet lacks columns (`missing_columns`) or has rows in error (`invalid_rows`, each cell in `errors`), or nothing was found (`nothing_to_import`)", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/reviews/import")]
pub async fn import_review(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    import::authorize(&caller)?;
    let limit = state.evidence_max_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit + 64 * 1024) {
        return Err(too_large(limit));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let (fields, document) = if content_type.starts_with("multipart/form-data") {
        let idle = state.body_timeout;
        let (name, bytes, fields) = read_form(&req, payload, limit, idle).await?.into_parts()?;
        let document = blocking(move || import::read_file(name.as_deref(), &bytes)).await?;
        (fields, document)
    } else if content_type.starts_with("application/json") {
        let report = read_json(payload, limit).await?;
        (report.review_fields(), Document::Report(report.text))
    } else {
        return Err(Error::new(
            Code::UnsupportedMediaType,
            "Send the report as application/json ({\"text\", …}) or a file as multipart/form-data.",
        ));
    };
    let dry_run = query.dry_run.unwrap_or(false);
    let now = state.clock.now();
    let max_items = state.import_max_items;
    let result: ImportResult = blocking(move || {
        import::import(
            &state.db, &caller, fields, document, dry_run, max_items, now,
        )
    })
    .await?;
    Ok(match &result.review {
        Some(review) => HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/api/v1/reviews/{}", review.id)))
            .json(result),
        None => HttpResponse::Ok().json(result),
    })
}
