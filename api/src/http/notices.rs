use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};

use super::extract::{blocking, once, recorded, reply, validated, Json};
use super::AppState;
use crate::api_types::{
    BinaryFile, CreateSupervisionNotice, NoticeQuery, Page, PageParams, ProblemDetails,
    ReplyToNotice, SupervisionNotice,
};
use crate::error::Error;
use crate::service::idempotency::Recorded;
use crate::service::{notices, Caller};

/// Issues a 督办 notice from the caller's organization to a unit below it (a coordinator),
/// numbered 督〔year〕n号 per issuing organization and year.
#[utoipa::path(
    operation_id = "create_supervision_notice",
    tag = "supervision",
    params(("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key and body returns the first answer")),
    request_body = CreateSupervisionNotice,
    responses(
        (status = 201, body = SupervisionNotice),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Only a coordinator issues notices", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "The recipient is not below the caller's unit, a problem is not the recipient's, or a field breaks its rule", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/supervision-notices")]
pub async fn create_notice(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: Json<CreateSupervisionNotice>,
) -> Result<HttpResponse, Error> {
    let input = validated(body.into_inner())?;
    let once = once(&req, &caller, &input, issued)?;
    let now = state.clock.now();
    reply(
        blocking(move || notices::create(&state.db, &caller, input, once, now)).await?,
        issued,
    )
}

/// 督办 notices to units of the caller's subtree, newest first.
#[utoipa::path(
    operation_id = "list_supervision_notices",
    tag = "supervision",
    params(NoticeQuery, PageParams),
    responses((status = 200, body = Page<SupervisionNotice>), (status = 401, body = ProblemDetails, content_type = "application/problem+json"), (status = 422, body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/supervision-notices")]
pub async fn list_notices(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<NoticeQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, Error> {
    let (query, page) = (
        validated(query.into_inner())?,
        validated(page.into_inner())?,
    );
    let now = state.clock.now();
    let page = blocking(move || notices::list(&state.db, &caller, query, page, now)).await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(
    operation_id = "get_supervision_notice",
    tag = "supervision",
    params(("id" = i64, Path, description = "Notice id")),
    responses((status = 200, body = SupervisionNotice), (status = 401, body = ProblemDetails, content_type = "application/problem+json"), (status = 404, description = "No such notice to a unit of the caller's subtree", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/supervision-notices/{id}")]
pub async fn get_notice(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let now = state.clock.now();
    let notice = blocking(move || notices::get(&state.db, &caller, id, now)).await?;
    Ok(HttpResponse::Ok().json(notice))
}

/// The notice as a Word document to print and file (公文 layout): its reference, subject,
/// recipient, body, the problems it names with their deadlines and days overdue when it was
/// issued, the reply date,
/// the issuing unit and day — and the reply with the evidence it cites, once made.
#[utoipa::path(
    operation_id = "supervision_notice_document",
    tag = "supervision",
    params(("id" = i64, Path, description = "Notice id")),
    responses(
        (status = 200, description = "The notice, as an attachment", content(
            (BinaryFile = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such notice to a unit of the caller's subtree", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/supervision-notices/{id}/notice.docx")]
pub async fn notice_document(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    use super::reports::{attachment, spooled, FileKind};
    let id = id.into_inner();
    let (title, file) = blocking(move || {
        let notice = notices::document(&state.db, &caller, id)?;
        let bytes = crate::document::supervision_notice(&notice)?;
        Ok((notice.reference, spooled(&bytes)?))
    })
    .await?;
    attachment(&req, file, &title, FileKind::Docx)
}

/// The recipient unit's reply (a coordinator of that unit), once.
#[utoipa::path(
    operation_id = "reply_to_supervision_notice",
    tag = "supervision",
    params(("id" = i64, Path, description = "Notice id")),
    request_body = ReplyToNotice,
    responses(
        (status = 200, body = SupervisionNotice),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Only a coordinator of the recipient unit replies", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such notice to a unit of the caller's subtree", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Replied to already", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/supervision-notices/{id}/reply")]
pub async fn reply_to_notice(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<ReplyToNotice>,
) -> Result<HttpResponse, Error> {
    let (id, input) = (id.into_inner(), validated(body.into_inner())?);
    let now = state.clock.now();
    let notice = blocking(move || notices::reply(&state.db, &caller, id, input, now)).await?;
    Ok(HttpResponse::Ok().json(notice))
}

fn issued(notice: &SupervisionNotice) -> Result<Recorded, Error> {
    recorded(
        StatusCode::CREATED,
        notice,
        Some(format!("/api/v1/supervision-notices/{}", notice.id)),
    )
}
