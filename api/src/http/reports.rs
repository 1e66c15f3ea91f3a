//! Reports: the ledger sheet (整改台账).

use actix_files::NamedFile;
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{get, web, HttpRequest, HttpResponse};

use super::extract::{blocking, validated};
use super::AppState;
use crate::api_types::{
    BinaryFile, DigestDelivery, DigestFormat, DigestQuery, DigestWeekQuery, LedgerFileQuery,
    LedgerFormat, LedgerQuery, OverdueFileQuery, OverdueQuery, OverdueReport, ProblemDetails,
    ProgressQuery, ProgressReport, ReportFormat, ReviewReportQuery, Scorecard, ScorecardFormat,
    ScorecardQuery,
};
use crate::domain::digest::{Digest, Week};
use crate::domain::evidence::ascii_file_name;
use crate::error::Error;
use crate::export;
use crate::service::reports::{self, LedgerScope};
use crate::service::Caller;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The ledger sheet (整改台账) as offices keep it.
///
/// Columns, in order: 序号, 问题类别(方面), 问题描述, 原因分析, 整改措施, 责任单位, 责任人, 整改时限,
/// 整改状态, 完成情况/进展, 销号时间; one row per problem, causes and measures one per line in
/// their cells. In XLSX overdue rows are red and rows due within 7 days yellow; CSV is UTF-8
/// with a BOM so that Excel and WPS open it right. The same as `ledger.xlsx`; `ledger.csv`
/// gives the CSV.
#[utoipa::path(
    tag = "reports",
    params(LedgerQuery),
    responses(
        (status = 200, description = "The ledger workbook, as an attachment", content(
            (BinaryFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/reports/ledger")]
pub async fn ledger(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<LedgerQuery>,
) -> Result<HttpResponse, Error> {
    ledger_file(state, caller, req, validated(query.into_inner())?).await
}

/// The ledger sheet (整改台账) as an XLSX workbook: as `/reports/ledger`, answering one type.
#[utoipa::path(
    tag = "reports",
    params(LedgerFileQuery),
    responses(
        (status = 200, description = "The ledger workbook, as an attachment", content(
            (BinaryFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/reports/ledger.xlsx")]
pub async fn ledger_xlsx(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<LedgerFileQuery>,
) -> Result<HttpResponse, Error> {
    let query = validated(query.into_inner())?.as_ledger_query(LedgerFormat::Xlsx);
    ledger_file(state, caller, req, query).await
}

/// The ledger sheet (整改台账) as CSV, UTF-8 with a BOM: as `/reports/ledger`, answering one
/// type.
#[utoipa::path(
    tag = "reports",
    params(LedgerFileQuery),
    responses(
        (status = 200, description = "The ledger as CSV, as an attachment", content(
            (String = "text/csv"),
        )),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/reports/ledger.csv")]
pub async fn ledger_csv(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<LedgerFileQuery>,
) -> Result<HttpResponse, Error> {
    let query = validated(query.into_inner())?.as_ledger_query(LedgerFormat::Csv);
    ledger_file(state, caller, req, query).await
}

pub(crate) async fn ledger_file(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: LedgerQuery,
) -> Result<HttpResponse, Error> {
    let scope = LedgerScope {
        review_id: query.review_id,
        organization_id: query.organization_id,
    };
    let format = query.format.unwrap_or_default();
    let now = state.clock.now();
    let (title, file) = blocking(move || {
        let db = &state.db;
        let heading = reports::ledger_title(db, &caller, scope, now)?;
        let title = heading.title.clone();
        let temp = tempfile::NamedTempFile::new().map_err(Error::internal)?;
        match format {
            LedgerFormat::Xlsx => {
                let heading = export::Heading {
                    title: &heading.title,
                    unit: &heading.unit,
                    as_of: heading.as_of,
                };
                export::write_xlsx::<Error>(temp.path(), heading, |each| {
                    reports::ledger_rows(db, &caller, scope, now, each).map(|_| ())
                })?;
            }
            LedgerFormat::Csv => {
                let mut out = std::io::BufWriter::new(temp.as_file());
                export::write_csv::<Error>(&mut out, |each| {
                    reports::ledger_rows(db, &caller, scope, now, each).map(|_| ())
                })?;
            }
        }
        // The open file outlives its name: nothing is left behind in the temporary folder.
        let file = temp.reopen().map_err(Error::internal)?;
        Ok((title, file))
    })
    .await?;
    let kind = match format {
        LedgerFormat::Xlsx => FileKind::Xlsx,
        LedgerFormat::Csv => FileKind::Csv,
    };
    attachment(&req, file, &title, kind)
}

/// The unit scorecard (红黑榜): the organization's child units ranked over a period on closing
/// on time, acknowledging in time and re-checks held, less problems overdue at the period's
/// end, confirmed recurrences and 督办 notices received — each rebuilt from the history, and
/// weighed by the organization's policy. JSON, CSV, or XLSX to print.
#[utoipa::path(
    operation_id = "scorecard",
    tag = "reports",
    params(ScorecardQuery),
    responses(
        (status = 200, description = "The scorecard; with format=csv the table as CSV (UTF-8 with a BOM), with format=xlsx as a sheet ready to print, as an attachment", content(
            (Scorecard = "application/json"),
            (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/reports/scorecard")]
pub async fn scorecard(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<ScorecardQuery>,
) -> Result<HttpResponse, Error> {
    let query = validated(query.into_inner())?;
    let now = state.clock.now();
    let format = query.format.unwrap_or_default();
    let (db, who) = (state.clone(), caller.clone());
    let card =
        blocking(move || crate::service::scorecard::compute(&db.db, &who, &query, now)).await?;
    if format == ScorecardFormat::Json {
        return Ok(HttpResponse::Ok().json(card));
    }
    let title = format!("整改红黑榜（{}至{}）", card.from, card.to);
    let rows = crate::service::scorecard::rows(&card);
    let columns = crate::service::scorecard::COLUMNS;
    if format == ScorecardFormat::Csv {
        let mut out = Vec::new();
        export::write_table_csv::<Error>(&mut out, columns.headers, |each| {
            rows.into_iter().try_for_each(each)
        })?;
        return attachment(&req, spooled(&out)?, &title, FileKind::Csv);
    }
    let organization_id = card.organization_id;
    let to = card.to;
    let (file, title) = blocking(move || {
        let unit = reports::unit_name(&state.db, &caller, organization_id)?;
        let temp = tempfile::NamedTempFile::new().map_err(Error::internal)?;
        export::write_tables_xlsx::<Error>(
            temp.path(),
            export::Heading {
                title: &title,
                unit: &unit,
                as_of: to,
            },
            vec![export::Table {
                name: "红黑榜",
                title: &title,
                columns,
                rows,
            }],
        )?;
        Ok((temp.reopen().map_err(Error::internal)?, title))
    })
    .await?;
    attachment(&req, file, &title, FileKind::Xlsx)
}

/// A document made in memory, as an open file the attachment streams (its name is gone).
pub(crate) fn spooled(bytes: &[u8]) -> Result<std::fs::File, Error> {
    let mut temp = tempfile::NamedTempFile::new().map_err(Error::internal)?;
    std::io::Write::write_all(&mut temp, bytes).map_err(Error::internal)?;
    temp.reopen().map_err(Error::internal)
}

/// The kinds of file the reports are given as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    Xlsx,
    Csv,
    Docx,
}

/// A generated file, as an attachment named `title` (kept readable in Chinese).
pub(crate) fn attachment(
    req: &HttpRequest,
    file: std::fs::File,
    title: &str,
    kind: FileKind,
) -> Result<HttpResponse, Error> {
    let (extension, mime) = match kind {
        FileKind::Xlsx => ("xlsx", XLSX.to_owned()),
        FileKind::Csv => ("csv", "text/csv; charset=utf-8".to_owned()),
        FileKind::Docx => ("docx", DOCX.to_owned()),
    };
    let file_name = format!("{title}.{extension}");
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii_file_name(&file_name)),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: file_name.clone().into_bytes(),
            }),
        ],
    };
    let named = NamedFile::from_file(file, &file_name).map_err(Error::internal)?;
    let mut response = named
        .set_content_type(mime.parse().map_err(Error::internal)?)
        .set_content_disposition(disposition)
        .into_response(req);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// Every overdue problem and measure (督办) in a subtree, most overdue first, with
/// `days_overdue`, owner, unit and deadline, counts per group, and what falls due in the next
/// 7 days. Each item is judged on its unit's calendar unless `as_of` names the day; the
/// statuses judged are today's. `overdue.xlsx` and `overdue.csv` give the list as a file.
#[utoipa::path(
    tag = "reports",
    params(OverdueQuery),
    responses(
        (status = 200, body = OverdueReport),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/reports/overdue")]
pub async fn overdue(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<OverdueQuery>,
) -> Result<HttpResponse, Error> {
    overdue_answer(state, caller, req, validated(query.into_inner())?).await
}

/// The overdue list as an XLSX workbook (overdue, due within 7 days, counts per group, a sheet
/// each): as `/reports/overdue?format=xlsx`, answering one type.
#[utoipa::path(
    tag = "reports",
    params(OverdueFileQuery),
    responses(
        (status = 200, description = "The overdue workbook, as an attachment", content(
            (BinaryFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/reports/overdue.xlsx")]
pub async fn overdue_xlsx(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<OverdueFileQuery>,
) -> Result<HttpResponse, Error> {
    let query = validated(query.into_inner())?.as_report_query(ReportFormat::Xlsx);
    overdue_answer(state, caller, req, query).await
}

/// The overdue list as CSV, UTF-8 with a BOM: as `/reports/overdue?format=csv`, answering one
/// type.
#[utoipa::path(
    tag = "reports",
    params(OverdueFileQuery),
    responses(
        (status = 200, description = "The overdue list as CSV, as an attachment", content(
            (String = "text/csv"),
        )),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/reports/overdue.csv")]
pub async fn overdue_csv(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<OverdueFileQuery>,
) -> Result<HttpResponse, Error> {
    let query = validated(query.into_inner())?.as_report_query(ReportFormat::Csv);
    overdue_answer(state, caller, req, query).await
}

pub(crate) async fn overdue_answer(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: OverdueQuery,
) -> Result<HttpResponse, Error> {
    let format = query.format.unwrap_or_default();
    let now = state.clock.now();
    let (db, who) = (state.clone(), caller.clone());
    let report = blocking(move || reports::overdue(&db.db, &who, &query, now)).await?;
    if format == ReportFormat::Json {
        return Ok(HttpResponse::Ok().json(report));
    }
    let title = match report.as_of {
        Some(day) => format!("逾期问题清单（截至{day}）"),
        None => "逾期问题清单".to_owned(),
    };
    if format == ReportFormat::Docx {
        return overdue_document(state, caller, req, report, now).await;
    }
    let sheet_title = "逾期问题清单".to_owned();
    let xlsx = format == ReportFormat::Xlsx;
    let rows = reports::overdue_rows(&report);
    let (due_soon, groups) = (
        reports::due_soon_rows(&report),
        reports::group_rows(&report),
    );
    let (replies, rechecks) = (
        reports::overdue_reply_rows(&report),
        reports::recheck_due_rows(&report),
    );
    let as_of = report.as_of.unwrap_or_else(|| now.date_naive());
    let organization_id = report.organization_id;
    let file = blocking(move || {
        let unit = reports::unit_name(&state.db, &caller, organization_id)?;
        let temp = tempfile::NamedTempFile::new().map_err(Error::internal)?;
        if xlsx {
            // The list, what falls due next, and the counts the JSON report has, each a sheet.
            let heading = export::Heading {
                title: &sheet_title,
                unit: &unit,
                as_of,
            };
            let table = |name, title, columns, rows| export::Table {
                name,
                title,
                columns,
                rows,
            };
            export::write_tables_xlsx::<Error>(
                temp.path(),
                heading,
                vec![
                    table("逾期问题", &sheet_title, reports::OVERDUE_COLUMNS, rows),
                    table(
                        "即将到期",
                        "7日内到期问题清单",
                        reports::DUE_SOON_COLUMNS,
                        due_soon,
                    ),
                    table(
                        "分组统计",
                        "逾期问题分组统计",
                        reports::GROUP_COLUMNS,
                        groups,
                    ),
                    table(
                        "督办逾期",
                        "督办件逾期未答复清单",
                        reports::OVERDUE_REPLY_COLUMNS,
                        replies,
                    ),
                    table(
                        "回头看到期",
                        "到期未回头看问题清单",
                        reports::RECHECK_DUE_COLUMNS,
                        rechecks,
                    ),
                ],
            )?;
        } else {
            let mut out = std::io::BufWriter::new(temp.as_file());
            let feed = |each: &mut dyn FnMut(export::Row) -> Result<(), Error>| {
                rows.into_iter().try_for_each(each)
            };
            export::write_table_csv::<Error>(&mut out, reports::OVERDUE_COLUMNS.headers, feed)?;
        }
        temp.reopen().map_err(Error::internal)
    })
    .await?;
    attachment(
        &req,
        file,
        &title,
        if xlsx { FileKind::Xlsx } else { FileKind::Csv },
    )
}

/// The review's 整改落实情况报告 as a Word document to print and file: the review, the totals
/// (problems, closed, in progress, overdue, completion rate) as of a day, then per aspect each
/// problem with its measures, unit, owner, deadline, status, progress and evidence, then what
/// remains open with its plan. Laid out as official documents are (A4, 方正小标宋 title, 仿宋
/// body). With `as_of` the totals are rebuilt from the history, as the progress report's.
#[utoipa::path(
    tag = "reports",
    params(("id" = i64, Path, description = "Review id"), ReviewReportQuery),
    responses(
        (status = 200, description = "The report, as an attachment", content(
            (BinaryFile = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/reviews/{id}/report.docx")]
pub async fn review_report(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
    query: web::Query<ReviewReportQuery>,
) -> Result<HttpResponse, Error> {
    let (id, as_of) = (id.into_inner(), validated(query.into_inner())?.as_of);
    review_report_file(state, caller, req, id, as_of).await
}

/// The 整改落实情况报告 of a review as a Word document, for the API and the console alike.
pub(crate) async fn review_report_file(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: i64,
    as_of: Option<chrono::NaiveDate>,
) -> Result<HttpResponse, Error> {
    let now = state.clock.now();
    let (title, file) = blocking(move || {
        let report = reports::review_report(&state.db, &caller, id, as_of, now)?;
        let bytes = crate::document::review_report(&report)?;
        Ok((report.title(), spooled(&bytes)?))
    })
    .await?;
    attachment(&req, file, &title, FileKind::Docx)
}

/// The overdue list as a 督办 list to print (A4 landscape, a table of every overdue problem
/// and measure, most overdue first): as `/reports/overdue?format=docx`, answering one type.
#[utoipa::path(
    tag = "reports",
    params(OverdueFileQuery),
    responses(
        (status = 200, description = "The 督办 list, as an attachment", content(
            (BinaryFile = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/reports/overdue.docx")]
pub async fn overdue_docx(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<OverdueFileQuery>,
) -> Result<HttpResponse, Error> {
    let query = validated(query.into_inner())?.as_report_query(ReportFormat::Docx);
    overdue_answer(state, caller, req, query).await
}

/// The overdue list's columns on a printed page, in shares of its width: the sheet's, with
/// room for two characters of 类型 and a whole date in 小四.
const OVERDUE_DOCUMENT_WIDTHS: [f64; 9] = [8.0, 13.0, 40.0, 16.0, 16.0, 9.0, 15.0, 9.0, 10.0];

async fn overdue_document(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    report: OverdueReport,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<HttpResponse, Error> {
    let as_of = report.as_of.unwrap_or_else(|| now.date_naive());
    let organization_id = report.organization_id;
    let rows: Vec<Vec<String>> = reports::overdue_rows(&report)
        .into_iter()
        .map(|row| row.cells.iter().map(export::Value::as_text).collect())
        .collect();
    let (title, file) = blocking(move || {
        let unit = reports::unit_name(&state.db, &caller, organization_id)?;
        let title = format!("{unit}逾期问题督办清单");
        let subtitle = format!(
            "截至{}，逾期未完成{}项",
            crate::document::chinese_date(as_of),
            rows.len()
        );
        let bytes = crate::document::table_document(
            &title,
            &subtitle,
            reports::OVERDUE_COLUMNS.headers,
            &OVERDUE_DOCUMENT_WIDTHS,
            &rows,
        )?;
        Ok((title, spooled(&bytes)?))
    })
    .await?;
    attachment(&req, file, &title, FileKind::Docx)
}

/// The 对账销号单 of a closed problem, to print, sign and file: the problem, its measures (with
/// the days they were done), the completion note, the evidence, who submitted it and who
/// verified it, on which days, and lines for the signatures. 409 `not_closed_out` before the
/// problem is closed out.
#[utoipa::path(
    tag = "reports",
    params(("id" = i64, Path, description = "Problem id")),
    responses(
        (status = 200, description = "The record, as an attachment", content(
            (BinaryFile = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/problems/{id}/closure.docx")]
pub async fn closure_record(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    closure_record_file(state, caller, req, id.into_inner()).await
}

/// A closed-out problem's 对账销号单, for the API and the console alike.
pub(crate) async fn closure_record_file(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: i64,
) -> Result<HttpResponse, Error> {
    let (title, file) = blocking(move || {
        let record = reports::closure_record(&state.db, &caller, id)?;
        let bytes = crate::document::closure_record(&record)?;
        Ok((format!("{}对账销号单", record.key), spooled(&bytes)?))
    })
    .await?;
    attachment(&req, file, &title, FileKind::Docx)
}

/// Progress statistics per organization (rolled up the tree), per review and per aspect:
/// counts by status, `completion_rate` (closed ÷ (all − cancelled)), `on_time_rate` (closed
/// without being late ÷ closed), overdue, average days to close and extensions granted. With
/// `as_of` the figures are rebuilt from the history: how it stood at the end of that day.
#[utoipa::path(
    tag = "reports",
    params(ProgressQuery),
    responses((status = 200, body = ProgressReport)),
    security(("bearer" = []))
)]
#[get("/api/v1/reports/progress")]
pub async fn progress(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ProgressQuery>,
) -> Result<HttpResponse, Error> {
    let query = validated(query.into_inner())?;
    let now = state.clock.now();
    let report = blocking(move || reports::progress(&state.db, &caller, &query, now)).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// The caller's weekly digest for an ISO week: newly and still overdue, due in 7 days,
/// waiting for verification more than 3 days, pending extension requests, closed this week,
/// and the completion rate with its change since last week. Coordinators may ask for an
/// organization of their subtree. `format=markdown` is what group robots get; `html` is the
/// e-mail's body.
#[utoipa::path(
    tag = "reports",
    params(DigestQuery),
    responses(
        (status = 200, description = "The digest", content(
            (Digest = "application/json"),
            (String = "text/markdown"),
            (String = "text/html"),
        )),
        (status = 403, description = "A service token, or an owner asking for a subtree", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/reports/digest")]
pub async fn digest(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<DigestQuery>,
) -> Result<HttpResponse, Error> {
    let query = validated(query.into_inner())?;
    let week = query
        .week
        .as_deref()
        .map(Week::parse)
        .transpose()
        .map_err(|m| Error::invalid_field("week", "iso_week", m))?;
    let now = state.clock.now();
    let organization_id = query.organization_id;
    let digest = blocking(move || {
        crate::service::digest::for_caller(&state.db, &caller, week, organization_id, now)
    })
    .await?;
    Ok(match query.format.unwrap_or_default() {
        DigestFormat::Json => HttpResponse::Ok().json(digest),
        DigestFormat::Markdown => HttpResponse::Ok()
            .content_type("text/markdown; charset=utf-8")
            .body(digest.markdown()),
        DigestFormat::Html => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(digest.html()),
    })
}

/// A week's digest deliveries and their outcome (admins see all, others their own).
#[utoipa::path(
    tag = "reports",
    params(DigestWeekQuery),
    responses((status = 200, body = Vec<DigestDelivery>)),
    security(("bearer" = []))
)]
#[get("/api/v1/reports/digest/deliveries")]
pub async fn digest_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<DigestWeekQuery>,
) -> Result<HttpResponse, Error> {
    let query = validated(query.into_inner())?;
    let week = Week::parse(&query.week).map_err(|m| Error::invalid_field("week", "iso_week", m))?;
    let found =
        blocking(move || crate::service::digest::deliveries(&state.db, &caller, week)).await?;
    Ok(HttpResponse::Ok().json(found))
}
