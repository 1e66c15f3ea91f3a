//! Reports: the ledger sheet (整改台账).

use actix_files::NamedFile;
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{get, web, HttpRequest, HttpResponse};

use super::extract::{blocking, validated};
use super::AppState;
use crate::api_types::{LedgerFormat, LedgerQuery, ProblemDetails};
use crate::domain::evidence::ascii_file_name;
use crate::error::Error;
use crate::export;
use crate::service::reports::{self, LedgerScope};
use crate::service::Caller;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A sheet name: at most 31 characters, none of []:*?/\.
fn sheet_name(title: &str) -> String {
    let name: String = title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    if name.trim().is_empty() {
        "整改台账".to_owned()
    } else {
        name
    }
}

/// The ledger sheet (整改台账) as offices keep it.
///
/// Columns, in order: 序号, 问题类别(方面), 问题描述, 原因分析, 整改措施, 责任单位, 责任人, 整改时限,
/// 整改状态, 完成情况/进展, 销号时间; one row per problem, causes and measures one per line in
/// their cells. In XLSX overdue rows are red and rows due within 7 days yellow; CSV is UTF-8
/// with a BOM so that Excel and WPS open it right.
#[utoipa::path(
    tag = "reports",
    params(LedgerQuery),
    responses(
        (status = 200, description = "The ledger file, as an attachment", content(
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/csv"),
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
    let query = validated(query.into_inner())?;
    let scope = LedgerScope {
        review_id: query.review_id,
        organization_id: query.organization_id,
    };
    let format = query.format.unwrap_or_default();
    let now = state.clock.now();
    let (title, file) = blocking(move || {
        let db = &state.db;
        let title = reports::ledger_title(db, &caller, scope)?.title;
        let temp = tempfile::NamedTempFile::new().map_err(Error::internal)?;
        match format {
            LedgerFormat::Xlsx => {
                export::write_xlsx::<Error>(temp.path(), &sheet_name(&title), |each| {
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
    let (extension, mime) = match format {
        LedgerFormat::Xlsx => ("xlsx", XLSX.to_owned()),
        LedgerFormat::Csv => ("csv", "text/csv; charset=utf-8".to_owned()),
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
        .into_response(&req);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
