use super::extract::Json;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};

use super::extract::recorded;
use super::extract::{blocking, if_match, json_with_etag, once, reply, validated};
use super::AppState;
use crate::api_types::{
    CreateNote, CreateProblem, CreateProblems, CreateRecheck, CreatedProblems, HistoryEntry, Note,
    Page, PageParams, Problem, ProblemDetails, ProblemQuery, Recheck, RecurrenceDecision,
    TransitionRequest, UpdateProblem,
};
use crate::error::Error;
use crate::service::idempotency::Recorded;
use crate::service::{problems, Caller};
use actix_web::http::StatusCode;

/// Records a problem (status draft) of a review, with its causes and measures.
#[utoipa::path(
    operation_id = "create_problem",
    tag = "problems",
    request_body = CreateProblem,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key and body returns the first answer")),
    responses(
        (status = 201, body = Problem, headers(("Location" = String), ("ETag" = String))),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or the same Idempotency-Key with another body", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/problems")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: Json<CreateProblem>,
) -> Result<HttpResponse, Error> {
    let input = validated(body.into_inner())?;
    let once = once(&req, &caller, &input, created_problem)?;
    let now = state.clock.now();
    reply(
        blocking(move || problems::create(&state.db, &caller, input, once, now)).await?,
        created_problem,
    )
}

/// Creates up to 1,000 problems (with their cause and measure links) in one request, all or
/// nothing; each failure is named by its index and field (`problems[3].title`).
#[utoipa::path(
    tag = "problems",
    request_body = CreateProblems,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key and body returns the first answer")),
    responses(
        (status = 201, body = CreatedProblems),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "`batch_invalid`: `errors` names each item's index and field; nothing was written", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/problems/batch")]
pub async fn create_batch(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: Json<CreateProblems>,
) -> Result<HttpResponse, Error> {
    let input = validated(body.into_inner())?;
    let once = once(&req, &caller, &input, created_problems)?;
    let now = state.clock.now();
    reply(
        blocking(move || problems::create_batch(&state.db, &caller, input, once, now)).await?,
        created_problems,
    )
}

/// Lists problems in the caller's subtree; keyset-paged, filtered and sorted.
#[utoipa::path(
    operation_id = "list_problems",
    tag = "problems",
    params(ProblemQuery, PageParams),
    responses(
        (status = 200, body = Page<Problem>),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/problems")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ProblemQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, Error> {
    let (query, page) = (
        validated(query.into_inner())?,
        validated(page.into_inner())?,
    );
    let now = state.clock.now();
    let page = blocking(move || problems::list(&state.db, &caller, query, page, now)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One problem, with its standing today and the actions the caller may take.
#[utoipa::path(
    operation_id = "get_problem",
    tag = "problems",
    params(("id" = i64, Path, description = "Problem id")),
    responses((status = 200, body = Problem, headers(("ETag" = String))), (status = 401, body = ProblemDetails, content_type = "application/problem+json"), (status = 404, description = "No such problem in the caller's subtree", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/problems/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let (id, now) = (id.into_inner(), state.clock.now());
    let problem = blocking(move || problems::get(&state.db, &caller, id, now)).await?;
    Ok(json_with_etag(&problem, problem.version))
}

/// Changes a problem's fields (coordinators). Status changes only through transitions.
#[utoipa::path(
    operation_id = "update_problem",
    tag = "problems",
    params(("id" = i64, Path, description = "Problem id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if the problem changed since")),
    request_body = UpdateProblem,
    responses(
        (status = 200, body = Problem, headers(("ETag" = String))),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such problem in the caller's subtree", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Closed or cancelled, or changed concurrently", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/api/v1/problems/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<UpdateProblem>,
) -> Result<HttpResponse, Error> {
    let (id, input, expected) = (
        id.into_inner(),
        validated(body.into_inner())?,
        if_match(&req)?,
    );
    let now = state.clock.now();
    let problem =
        blocking(move || problems::update(&state.db, &caller, id, input, expected, now)).await?;
    Ok(json_with_etag(&problem, problem.version))
}

/// Takes a workflow action: confirm, start, submit, verify (as rectified, or continuing with a
/// review date), reject, reopen, cancel; acknowledge (签收), defer_review, mark_unrectified.
#[utoipa::path(
    operation_id = "transition_problem",
    tag = "problems",
    params(("id" = i64, Path, description = "Problem id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if the problem changed since"), ("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key and body returns the first answer")),
    request_body = TransitionRequest,
    responses(
        (status = 200, body = Problem, headers(("ETag" = String))),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The caller's role may not take this action (allowed_actions lists what it may)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such problem in the caller's subtree", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The status does not allow this action (allowed_actions lists what does), or a concurrent change won", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "A requirement is missing (missing lists them)", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/problems/{id}/transitions")]
pub async fn transition(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<TransitionRequest>,
) -> Result<HttpResponse, Error> {
    let (id, input, expected) = (
        id.into_inner(),
        validated(body.into_inner())?,
        if_match(&req)?,
    );
    let once = once(&req, &caller, &input, transitioned)?;
    let now = state.clock.now();
    reply(
        blocking(move || problems::transition(&state.db, &caller, id, input, expected, once, now))
            .await?,
        transitioned,
    )
}

/// Every transition of a problem, oldest first; never rewritten.
#[utoipa::path(
    operation_id = "problem_history",
    tag = "problems",
    params(("id" = i64, Path, description = "Problem id")),
    responses((status = 200, body = Page<HistoryEntry>), (status = 401, body = ProblemDetails, content_type = "application/problem+json"), (status = 404, description = "No such problem in the caller's subtree", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/problems/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let page = blocking(move || problems::history(&state.db, &caller, id)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Adds a progress note (the problem's owner or a coordinator).
#[utoipa::path(
    tag = "problems",
    params(("id" = i64, Path, description = "Problem id"), ("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key and body returns the first answer")),
    request_body = CreateNote,
    responses(
        (status = 201, body = Note),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such problem in the caller's subtree", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/problems/{id}/notes")]
pub async fn add_note(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<CreateNote>,
) -> Result<HttpResponse, Error> {
    let (id, input) = (id.into_inner(), validated(body.into_inner())?);
    let once = once(&req, &caller, &input, added_note)?;
    let now = state.clock.now();
    reply(
        blocking(move || problems::add_note(&state.db, &caller, id, input, once, now)).await?,
        added_note,
    )
}

/// A problem's progress notes, oldest first.
#[utoipa::path(
    operation_id = "list_notes",
    tag = "problems",
    params(("id" = i64, Path, description = "Problem id"), PageParams),
    responses((status = 200, body = Page<Note>), (status = 401, body = ProblemDetails, content_type = "application/problem+json"), (status = 404, description = "No such problem in the caller's subtree", body = ProblemDetails, content_type = "application/problem+json"), (status = 422, body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/problems/{id}/notes")]
pub async fn notes(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, Error> {
    let (id, page) = (id.into_inner(), validated(page.into_inner())?);
    let page = blocking(move || problems::notes(&state.db, &caller, id, page)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Records a re-check (回头看) of a closed problem (a coordinator): `held`, or `recurred`,
/// which reopens it with the finding as the reason.
#[utoipa::path(
    operation_id = "create_recheck",
    tag = "problems",
    params(("id" = i64, Path, description = "Problem id"), ("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key and body returns the first answer")),
    request_body = CreateRecheck,
    responses(
        (status = 201, body = Recheck),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Only a coordinator records re-checks", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such problem in the caller's subtree", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The problem is not closed, or a concurrent change won", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/problems/{id}/rechecks")]
pub async fn create_recheck(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<CreateRecheck>,
) -> Result<HttpResponse, Error> {
    let (id, input) = (id.into_inner(), validated(body.into_inner())?);
    let once = once(&req, &caller, &input, recorded_recheck)?;
    let now = state.clock.now();
    reply(
        blocking(move || problems::recheck(&state.db, &caller, id, input, once, now)).await?,
        recorded_recheck,
    )
}

/// A problem's re-checks (回头看), oldest first.
#[utoipa::path(
    operation_id = "list_rechecks",
    tag = "problems",
    params(("id" = i64, Path, description = "Problem id"), PageParams),
    responses((status = 200, body = Page<Recheck>), (status = 401, body = ProblemDetails, content_type = "application/problem+json"), (status = 404, description = "No such problem in the caller's subtree", body = ProblemDetails, content_type = "application/problem+json"), (status = 422, body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/problems/{id}/rechecks")]
pub async fn rechecks(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, Error> {
    let (id, page) = (id.into_inner(), validated(page.into_inner())?);
    let page = blocking(move || problems::rechecks(&state.db, &caller, id, page)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Confirms (问题反弹, counted against the unit) or dismisses a flagged recurrence: that this
/// problem repeats an earlier closed one (a coordinator).
#[utoipa::path(
    operation_id = "decide_recurrence",
    tag = "problems",
    params(("id" = i64, Path, description = "Problem id")),
    request_body = RecurrenceDecision,
    responses(
        (status = 200, body = Problem),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Only a coordinator decides", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such problem in the caller's subtree", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "The problem is not flagged against `of`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/problems/{id}/recurrence")]
pub async fn decide_recurrence(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<RecurrenceDecision>,
) -> Result<HttpResponse, Error> {
    let (id, input) = (id.into_inner(), validated(body.into_inner())?);
    let now = state.clock.now();
    let problem =
        blocking(move || problems::decide_recurrence(&state.db, &caller, id, input, now)).await?;
    Ok(json_with_etag(&problem, problem.version))
}

fn recorded_recheck(recheck: &Recheck) -> Result<Recorded, Error> {
    recorded(
        StatusCode::CREATED,
        recheck,
        Some(format!("/api/v1/problems/{}/rechecks", recheck.problem_id)),
    )
}

fn created_problem(problem: &Problem) -> Result<Recorded, Error> {
    recorded(
        StatusCode::CREATED,
        problem,
        Some(format!("/api/v1/problems/{}", problem.id)),
    )
}

fn created_problems(created: &CreatedProblems) -> Result<Recorded, Error> {
    recorded(StatusCode::CREATED, created, None)
}

fn transitioned(problem: &Problem) -> Result<Recorded, Error> {
    recorded(StatusCode::OK, problem, None)
}

fn added_note(note: &Note) -> Result<Recorded, Error> {
    recorded(
        StatusCode::CREATED,
        note,
        Some(format!("/api/v1/problems/{}/notes", note.problem_id)),
    )
}
