//! The console's pages and forms. Each reads or acts through a use case, as the API does; a
//! form answers with a redirect to the page it came from (post/redirect/get).

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::http::header::{self, DispositionType};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate};
use futures_util::TryStreamExt;
use maud::{html, Markup};
use serde::Deserialize;

use super::charts;
use super::view::{self, count, form_token, light, page, rate, t, Section};
use super::{language, session_cookie, Session, SIGN_IN_COOKIE};
use crate::api_types::{
    AuditQuery, CreateExtension, CreateNote, ExtensionDecision, ExtensionQuery, LedgerFormat,
    LedgerQuery, LoginRequest, MeasureQuery, OrganizationQuery, OverdueQuery, PageParams,
    ProblemQuery, ProgressQuery, ReportFormat, TransitionRequest, UpdateMeasure, UserQuery,
};
use crate::domain::deadline::Warning;
use crate::domain::workflow::{Action, Status};
use crate::domain::Role;
use crate::error::{Code, Error};
use crate::http::extract::{blocking, validated};
use crate::http::language::Language;
use crate::http::AppState;
use crate::service::{
    audit, catalog, closing, organizations, problems, reports, reviews, users, Caller,
};

pub(super) type Page = Result<HttpResponse, Error>;

/// A filter left at "all" arrives as an empty value: it means no filter.
fn blank_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let raw: Option<String> = Option::deserialize(deserializer)?;
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => value.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

pub(super) fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

/// Only paths inside the console are followed after signing in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/console") && !n.starts_with("//") && !n.contains('\\') => {
            n.to_owned()
        }
        _ => "/console".to_owned(),
    }
}

pub async fn home(session: Session) -> HttpResponse {
    match session.caller.role {
        Role::Owner => redirect("/console/my"),
        _ => redirect("/console/dashboard"),
    }
}

pub async fn no_page(req: HttpRequest) -> Page {
    Err(Error::new(
        Code::NoRoute,
        format!("There is no console page at {}.", req.path()),
    ))
}

// ------------------------------------------------------------------------------- sign-in

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn sign_in_form(
    l: Language,
    binding: &str,
    state: &AppState,
    next: &str,
    failure: Option<&str>,
) -> Markup {
    html! {
        @if let Some(message) = failure {
            div.notice.error role="alert" { p { (message) } }
        }
        form.stacked method="post" action="/console/sign-in" {
            input type="hidden" name="csrf" value=(state.tokens.form_token(binding));
            input type="hidden" name="next" value=(next);
            label { (t(l, "用户名", "Username")) input name="username" autocomplete="username" required autofocus; }
            label { (t(l, "密码", "Password")) input name="password" type="password" autocomplete="current-password" required; }
            button.primary type="submit" { (t(l, "登录", "Sign in")) }
        }
    }
}

fn sign_in_response(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    next: &str,
    failure: Option<&str>,
) -> HttpResponse {
    let l = language(req);
    // A fresh random value binds the form's token until there is a session.
    let binding = base16ct::lower::encode_string(&crate::auth::random_bytes::<16>());
    let mut response = view::bare_page(
        l,
        status,
        t(l, "登录整改台账", "Sign in to Rectify"),
        sign_in_form(l, &binding, state, next, failure),
    );
    let cookie = actix_web::cookie::Cookie::build(SIGN_IN_COOKIE, binding)
        .path("/console")
        .http_only(true)
        .secure(req.connection_info().scheme() == "https")
        .same_site(actix_web::cookie::SameSite::Strict)
        .finish();
    let _ = response.add_cookie(&cookie);
    response
}

pub async fn sign_in_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<NextQuery>,
) -> HttpResponse {
    let next = safe_next(query.next.as_deref());
    sign_in_response(&req, &state, StatusCode::OK, &next, None)
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf: String,
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SignInForm>,
) -> Page {
    let form = form.into_inner();
    let l = language(&req);
    let binding = req
        .cookie(SIGN_IN_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let next = safe_next(form.next.as_deref());
    if binding.is_empty() || !state.tokens.form_token_matches(&binding, &form.csrf) {
        return Err(super::form_token_refused());
    }
    let input = LoginRequest {
        username: form.username,
        password: form.password,
    };
    let signed_in = match validated(input) {
        Ok(input) => crate::http::accounts::sign_in(state.clone(), &req, input).await,
        Err(error) => Err(error),
    };
    match signed_in {
        Ok(token) => {
            let mut response = redirect(&next);
            let mut cookie = session_cookie(&req, token.access_token);
            cookie.set_max_age(actix_web::cookie::time::Duration::seconds(token.expires_in));
            let _ = response.add_cookie(&cookie);
            let _ = response.add_removal_cookie(
                &actix_web::cookie::Cookie::build(SIGN_IN_COOKIE, "")
                    .path("/console")
                    .finish(),
            );
            Ok(response)
        }
        Err(error)
            if matches!(
                error.code,
                Code::InvalidCredentials | Code::TooManyAttempts | Code::ValidationFailed
            ) =>
        {
            let (status, message) = match error.code {
                Code::TooManyAttempts => (
                    StatusCode::TOO_MANY_REQUESTS,
                    t(
                        l,
                        "失败次数过多，请稍后再试。",
                        "Too many failed sign-ins; try again later.",
                    ),
                ),
                _ => (
                    StatusCode::UNAUTHORIZED,
                    t(
                        l,
                        "用户名或密码错误。",
                        "The username or password is wrong.",
                    ),
                ),
            };
            Ok(sign_in_response(&req, &state, status, &next, Some(message)))
        }
        Err(error) => Err(error),
    }
}

#[derive(Deserialize)]
pub struct TokenOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<TokenOnly>,
) -> Page {
    session.check_form(&state, &form.csrf)?;
    let mut response = redirect("/console/sign-in");
    let _ = response.add_removal_cookie(&session_cookie(&req, String::new()));
    Ok(response)
}

// ------------------------------------------------------------------------------- dashboard

#[derive(Deserialize)]
pub struct DashboardQuery {
    #[serde(default, deserialize_with = "blank_as_none")]
    organization_id: Option<i64>,
    #[serde(default, deserialize_with = "blank_as_none")]
    review_id: Option<i64>,
    #[serde(default, deserialize_with = "blank_as_none")]
    as_of: Option<NaiveDate>,
}

/// Weeks on the completion line.
const WEEKS: i64 = 12;

pub async fn dashboard(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<DashboardQuery>,
) -> Page {
    let l = session.language;
    let query = query.into_inner();
    let now = state.clock.now();
    let caller = session.caller.clone();
    let (report, weekly) = blocking(move || {
        let db = &state.db;
        let progress = ProgressQuery {
            organization_id: query.organization_id,
            review_id: query.review_id,
            as_of: query.as_of,
        };
        // Week ends (Sundays) up to the day asked for, oldest first; the day itself last.
        let last = query.as_of.unwrap_or_else(|| now.date_naive());
        let sunday = last - chrono::Duration::days(last.weekday().num_days_from_sunday() as i64);
        let mut days: Vec<NaiveDate> = (0..WEEKS - 1)
            .rev()
            .map(|k| sunday - chrono::Duration::weeks(k))
            .filter(|d| *d < last)
            .collect();
        days.push(last);
        let (report, figures) = reports::progress_and_days(db, &caller, &progress, &days, now)?;
        let weekly: Vec<(NaiveDate, crate::domain::progress::Figures)> =
            days.into_iter().zip(figures).collect();
        Ok((report, weekly))
    })
    .await?;
    let org = report
        .organizations
        .iter()
        .find(|o| o.organization_id == report.organization_id);
    let title = match (org, l) {
        (Some(o), Language::Chinese) => format!("{} 整改进度", o.name),
        (Some(o), Language::English) => format!("Progress of {}", o.name),
        (None, _) => t(l, "整改进度", "Progress").to_owned(),
    };
    let as_of = report.as_of.unwrap_or_else(|| now.date_naive());
    let children: Vec<_> = report
        .organizations
        .iter()
        .filter(|o| Some(o.organization_id) != org.map(|o| o.organization_id))
        .filter(|o| o.parent_id == Some(report.organization_id))
        .collect();
    let status_names = [
        t(l, "已销号", "closed"),
        t(l, "待验收", "submitted"),
        t(l, "整改中", "in progress"),
        t(l, "待整改", "open"),
        t(l, "待确认", "draft"),
    ];
    let total = &report.total;
    let points: Vec<(String, Option<f64>)> = weekly
        .iter()
        .map(|(day, f)| (day.format("%m-%d").to_string(), f.completion_rate))
        .collect();
    let organization_param = Some(report.organization_id.to_string());
    let body = html! {
        form.filters method="get" action="/console/dashboard" {
            input type="hidden" name="organization_id" value=(report.organization_id);
            label { (t(l, "截至", "As of")) input type="date" name="as_of" value=(as_of); }
            button type="submit" { (t(l, "查看", "Show")) }
            // Up is offered within the caller's own subtree only.
            @if let Some(parent) = org.and_then(|o| o.parent_id).filter(|_| report.organization_id != session.caller.organization_id) {
                a.button href={ "/console/dashboard?" (view::query(&[("organization_id", Some(parent.to_string())), ("as_of", report.as_of.map(|d| d.to_string()))])) } { (t(l, "↑ 上级单位", "↑ Parent unit")) }
            }
        }
        section.cards id="totals" {
            div.card { h2 { (t(l, "完成率", "Completion")) } p data-figure="completion_rate" { (rate(total.completion_rate)) } }
            div.card { h2 { (t(l, "按期完成率", "On time")) } p data-figure="on_time_rate" { (rate(total.on_time_rate)) } }
            div.card.red { h2 { (t(l, "逾期", "Overdue")) } p data-figure="overdue" { (count(total.overdue)) } }
            div.card.yellow { h2 { (t(l, "7日内到期", "Due within 7 days")) } p data-figure="due_soon" {
                (count(report.total.due_soon))
            } }
            div.card { h2 { (t(l, "问题总数", "Problems")) } p data-figure="total" { (count(total.total)) } }
            div.card { h2 { (t(l, "已销号", "Closed out")) } p data-figure="closed" { (count(total.by_status.closed)) } }
        }
        section.split {
            div {
                h2 { (t(l, "完成率走势（按周）", "Completion, week by week")) }
                (charts::rate_line(t(l, "完成率走势", "Completion over time"), &points))
            }
            table.numbers id="weekly" {
                thead { tr { th { (t(l, "截至", "As of")) } th { (t(l, "完成率", "Completion")) } th { (t(l, "逾期", "Overdue")) } } }
                tbody {
                    @for (day, f) in &weekly {
                        tr { td { (day) } td { (rate(f.completion_rate)) } td { (count(f.overdue)) } }
                    }
                }
            }
        }
        @if !children.is_empty() {
            h2 { (t(l, "下级单位", "Units")) }
            table.numbers id="units" {
                thead { tr {
                    th { (t(l, "单位", "Unit")) } th { (t(l, "问题", "Problems")) } th { (t(l, "已销号", "Closed")) }
                    th { (t(l, "完成率", "Completion")) } th { (t(l, "按期完成率", "On time")) } th { (t(l, "逾期", "Overdue")) } th { (t(l, "状态分布", "By status")) }
                } }
                tbody {
                    @for unit in &children {
                        tr data-organization=(unit.organization_id) {
                            td { a href={ "/console/dashboard?" (view::query(&[("organization_id", Some(unit.organization_id.to_string())), ("as_of", report.as_of.map(|d| d.to_string()))])) } { (unit.name) } }
                            td data-figure="total" { (count(unit.figures.total)) }
                            td data-figure="closed" { (count(unit.figures.by_status.closed)) }
                            td data-figure="completion_rate" { (rate(unit.figures.completion_rate)) }
                            td data-figure="on_time_rate" { (rate(unit.figures.on_time_rate)) }
                            td data-figure="overdue" { (count(unit.figures.overdue)) }
                            td { (charts::status_bar(&unit.figures.by_status, status_names)) }
                        }
                    }
                }
            }
        }
        @if !report.reviews.is_empty() {
            h2 { (t(l, "按检视", "By review")) }
            table.numbers id="reviews" {
                thead { tr { th { (t(l, "检视", "Review")) } th { (t(l, "问题", "Problems")) } th { (t(l, "完成率", "Completion")) } th { (t(l, "按期完成率", "On time")) } th { (t(l, "逾期", "Overdue")) } } }
                tbody {
                    @for r in &report.reviews {
                        tr data-review=(r.review_id) {
                            td { a href={ "/console/ledger?" (view::query(&[("organization_id", organization_param.clone()), ("review_id", Some(r.review_id.to_string()))])) } { (r.title) } }
                            td data-figure="total" { (count(r.figures.total)) }
                            td data-figure="completion_rate" { (rate(r.figures.completion_rate)) }
                            td data-figure="on_time_rate" { (rate(r.figures.on_time_rate)) }
                            td data-figure="overdue" { (count(r.figures.overdue)) }
                        }
                    }
                }
            }
            h2 { (t(l, "按方面", "By aspect")) }
            table.numbers id="aspects" {
                thead { tr { th { (t(l, "方面", "Aspect")) } th { (t(l, "问题", "Problems")) } th { (t(l, "完成率", "Completion")) } th { (t(l, "逾期", "Overdue")) } } }
                tbody {
                    @for a in &report.aspects {
                        tr {
                            td { (a.aspect.as_deref().unwrap_or("—")) }
                            td data-figure="total" { (count(a.figures.total)) }
                            td data-figure="completion_rate" { (rate(a.figures.completion_rate)) }
                            td data-figure="overdue" { (count(a.figures.overdue)) }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&session, Section::Dashboard, &title, body))
}

// ------------------------------------------------------------------------------- ledger

#[derive(Deserialize, Default)]
pub struct LedgerParams {
    #[serde(default, deserialize_with = "blank_as_none")]
    organization_id: Option<i64>,
    #[serde(default, deserialize_with = "blank_as_none")]
    owner_id: Option<i64>,
    #[serde(default, deserialize_with = "blank_as_none")]
    review_id: Option<i64>,
    aspect: Option<String>,
    status: Option<String>,
    light: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
    /// Count every matching problem (a whole scan on a large ledger, so only when asked).
    total: Option<String>,
}

pub(super) fn empty_to_none(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Names of people; someone outside the caller's subtree keeps their number.
fn names_of(
    db: &rectify_db::Db,
    caller: &Caller,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, String>, Error> {
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut names = users::display_names(db, caller, &ids)?;
    for id in ids {
        names.entry(id).or_insert_with(|| format!("#{id}"));
    }
    Ok(names)
}

fn problems_table(
    l: Language,
    items: &[crate::api_types::Problem],
    names: &HashMap<i64, String>,
    units: &HashMap<i64, String>,
) -> Markup {
    table_of_problems(l, items, Some(names), units)
}

/// Problems as the ledger shows them; without the owner's column where every one is the
/// reader's own.
fn table_of_problems(
    l: Language,
    items: &[crate::api_types::Problem],
    names: Option<&HashMap<i64, String>>,
    units: &HashMap<i64, String>,
) -> Markup {
    html! {
        table.ledger {
            thead { tr {
                th { (t(l, "督办", "Light")) } th { (t(l, "编号", "Key")) } th { (t(l, "问题", "Problem")) }
                th { (t(l, "责任单位", "Unit")) } @if names.is_some() { th { (t(l, "责任人", "Owner")) } } th { (t(l, "整改时限", "Deadline")) }
                th { (t(l, "状态", "Status")) }
            } }
            tbody {
                @for p in items {
                    tr data-problem=(p.id) {
                        td { (light(l, p.status, p.warning)) }
                        td.key { a href={ "/console/problems/" (p.id) } { (p.key) } }
                        td.title { a href={ "/console/problems/" (p.id) } { (p.title) } }
                        td { (units.get(&p.organization_id).cloned().unwrap_or_else(|| format!("#{}", p.organization_id))) }
                        @if let Some(names) = names {
                            td { (p.owner_id.and_then(|id| names.get(&id)).map(String::as_str).unwrap_or("—")) }
                        }
                        td {
                            @if let Some(d) = p.deadline { (d) }
                            @if p.overdue { " " span.late { (match l { Language::Chinese => format!("逾期{}天", p.days_overdue), Language::English => format!("{} days late", p.days_overdue) }) } }
                        }
                        td data-status=(p.status.as_str()) { (view::status_label(l, p.status)) }
                    }
                }
            }
        }
    }
}

/// Units the caller may choose from, by id (a subtree's first 200, in tree order).
pub(super) fn units_of(
    db: &rectify_db::Db,
    caller: &Caller,
) -> Result<Vec<crate::api_types::Organization>, Error> {
    let page = PageParams {
        limit: Some(200),
        cursor: None,
        total: None,
    };
    let query = OrganizationQuery {
        within: Some(caller.organization_id),
        ..Default::default()
    };
    Ok(organizations::list(db, caller, query, page)?.items)
}

pub async fn ledger(
    state: web::Data<AppState>,
    session: Session,
    params: web::Query<LedgerParams>,
) -> Page {
    let l = session.language;
    let p = params.into_inner();
    let (status, warning, overdue) = match p.light.as_deref() {
        Some("red") => (None, None, Some(true)),
        Some("yellow") => (None, Some(Warning::DueSoon), None),
        _ => (None::<String>, None, None),
    };
    let query = ProblemQuery {
        status: empty_to_none(p.status.clone()).or(status),
        organization_id: p.organization_id,
        owner_id: p.owner_id,
        review_id: p.review_id,
        aspect: empty_to_none(p.aspect.clone()),
        warning,
        overdue,
        q: empty_to_none(p.q.clone()),
        sort: empty_to_none(p.sort.clone()).or_else(|| Some("deadline".to_owned())),
        ..Default::default()
    };
    let query = validated(query)?;
    let page_params = PageParams {
        limit: Some(50),
        cursor: empty_to_none(p.cursor.clone()),
        total: Some(p.total.is_some()),
    };
    let now = state.clock.now();
    let caller = session.caller.clone();
    let (listed, names, units, review_list, owners) = blocking(move || {
        let db = &state.db;
        let listed = problems::list(db, &caller, query, page_params, now)?;
        let names = names_of(db, &caller, listed.items.iter().filter_map(|p| p.owner_id))?;
        let units = units_of(db, &caller)?;
        let review_list = reviews::list(
            db,
            &caller,
            Default::default(),
            PageParams {
                limit: Some(100),
                ..Default::default()
            },
        )?
        .items;
        // Those who may not list people (owners) filter by the other fields.
        let owners = users::list(
            db,
            &caller,
            UserQuery {
                within: Some(caller.organization_id),
                role: Some(Role::Owner),
                ..Default::default()
            },
            PageParams {
                limit: Some(200),
                ..Default::default()
            },
        )
        .map(|page| page.items)
        .unwrap_or_default();
        Ok((listed, names, units, review_list, owners))
    })
    .await?;
    let unit_names: HashMap<i64, String> = units.iter().map(|o| (o.id, o.name.clone())).collect();
    let keep = |cursor: Option<String>| {
        view::query(&[
            ("organization_id", p.organization_id.map(|v| v.to_string())),
            ("owner_id", p.owner_id.map(|v| v.to_string())),
            ("review_id", p.review_id.map(|v| v.to_string())),
            ("aspect", p.aspect.clone()),
            ("status", p.status.clone()),
            ("light", p.light.clone()),
            ("q", p.q.clone()),
            ("sort", p.sort.clone()),
            ("cursor", cursor),
        ])
    };
    let export = view::query(&[
        ("organization_id", p.organization_id.map(|v| v.to_string())),
        ("review_id", p.review_id.map(|v| v.to_string())),
    ]);
    let statuses = [
        Status::Draft,
        Status::Open,
        Status::InProgress,
        Status::Submitted,
        Status::Closed,
        Status::Cancelled,
    ];
    let body = html! {
        form.filters method="get" action="/console/ledger" {
            label { (t(l, "单位", "Unit")) select name="organization_id" {
                option value="" { (t(l, "全部", "All")) }
                @for o in &units { option value=(o.id) selected[p.organization_id == Some(o.id)] { (o.name) } }
            } }
            label { (t(l, "检视", "Review")) select name="review_id" {
                option value="" { (t(l, "全部", "All")) }
                @for r in &review_list { option value=(r.id) selected[p.review_id == Some(r.id)] { (r.title) } }
            } }
            @if !owners.is_empty() {
                label { (t(l, "责任人", "Owner")) select name="owner_id" {
                    option value="" { (t(l, "全部", "All")) }
                    @for u in &owners { option value=(u.id) selected[p.owner_id == Some(u.id)] { (u.display_name) } }
                } }
            }
            label { (t(l, "方面", "Aspect")) input name="aspect" value=[p.aspect.as_deref()] size="10"; }
            label { (t(l, "状态", "Status")) select name="status" {
                option value="" { (t(l, "全部", "All")) }
                option value="open,in_progress,submitted" selected[p.status.as_deref() == Some("open,in_progress,submitted")] { (t(l, "未销号", "Not closed")) }
                @for s in statuses { option value=(s.as_str()) selected[p.status.as_deref() == Some(s.as_str())] { (view::status_label(l, s)) } }
            } }
            label { (t(l, "督办", "Light")) select name="light" {
                option value="" { (t(l, "全部", "All")) }
                option value="red" selected[p.light.as_deref() == Some("red")] { (t(l, "红灯（逾期）", "Red (overdue)")) }
                option value="yellow" selected[p.light.as_deref() == Some("yellow")] { (t(l, "黄灯（即将到期）", "Yellow (due soon)")) }
            } }
            label { (t(l, "关键词", "Text")) input name="q" value=[p.q.as_deref()] size="12"; }
            label { (t(l, "排序", "Sort")) select name="sort" {
                option value="deadline" selected[p.sort.as_deref().unwrap_or("deadline") == "deadline"] { (t(l, "时限由近及远", "Deadline")) }
                option value="-created_at" selected[p.sort.as_deref() == Some("-created_at")] { (t(l, "最新创建", "Newest")) }
                option value="-updated_at" selected[p.sort.as_deref() == Some("-updated_at")] { (t(l, "最近更新", "Recently updated")) }
            } }
            button type="submit" { (t(l, "筛选", "Filter")) }
        }
        p.toolbar {
            @match listed.total {
                Some(total) => span id="total" data-value=(total) {
                    (match l { Language::Chinese => format!("共 {total} 个问题"), Language::English => format!("{total} problems") })
                },
                None => a href={ "/console/ledger?" (keep(None)) "&total=1" } { (t(l, "统计总数", "Count them")) },
            }
            " · " a href={ "/console/ledger.xlsx?" (export) } { (t(l, "导出 Excel 台账", "Export XLSX")) }
            " · " a href={ "/console/ledger.csv?" (export) } { (t(l, "导出 CSV", "Export CSV")) }
            @if let Some(review) = p.review_id {
                " · " a href={ "/console/reviews/" (review) "/report.docx" } { (t(l, "整改落实情况报告（Word）", "Rectification report (Word)")) }
            }
        }
        (problems_table(l, &listed.items, &names, &unit_names))
        @if let Some(next) = &listed.next_cursor {
            p.pager { a rel="next" href={ "/console/ledger?" (keep(Some(next.clone()))) } { (t(l, "下一页 →", "Next page →")) } }
        }
    };
    Ok(page(
        &session,
        Section::Ledger,
        t(l, "整改台账", "Rectification ledger"),
        body,
    ))
}

#[derive(Deserialize)]
pub struct ExportParams {
    #[serde(default, deserialize_with = "blank_as_none")]
    organization_id: Option<i64>,
    #[serde(default, deserialize_with = "blank_as_none")]
    review_id: Option<i64>,
}

pub async fn ledger_xlsx(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    params: web::Query<ExportParams>,
) -> Page {
    export_ledger(req, state, session, params.into_inner(), LedgerFormat::Xlsx).await
}

pub async fn ledger_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    params: web::Query<ExportParams>,
) -> Page {
    export_ledger(req, state, session, params.into_inner(), LedgerFormat::Csv).await
}

async fn export_ledger(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    params: ExportParams,
    format: LedgerFormat,
) -> Page {
    let query = LedgerQuery {
        review_id: params.review_id,
        organization_id: params.organization_id,
        format: Some(format),
    };
    crate::http::reports::ledger_file(state, session.caller, req, query).await
}

// ------------------------------------------------------------------------------- my tasks

pub async fn my_tasks(state: web::Data<AppState>, session: Session) -> Page {
    let l = session.language;
    let now = state.clock.now();
    let caller = session.caller.clone();
    let (listed, units) = blocking(move || {
        let db = &state.db;
        let query = ProblemQuery {
            owner_id: Some(caller.user_id),
            status: Some("open,in_progress,submitted".to_owned()),
            sort: Some("deadline".to_owned()),
            ..Default::default()
        };
        let page = PageParams {
            limit: Some(200),
            ..Default::default()
        };
        let listed = problems::list(db, &caller, query, page, now)?;
        let units = units_of(db, &caller)?;
        Ok((listed.items, units))
    })
    .await?;
    let unit_names: HashMap<i64, String> = units.iter().map(|o| (o.id, o.name.clone())).collect();
    // Most urgent first: late, then due soon, then the rest, each by deadline.
    let urgency = |p: &crate::api_types::Problem| match (p.status, p.warning) {
        (Status::Submitted, _) => 3,
        (_, Warning::Overdue) => 0,
        (_, Warning::DueSoon) => 1,
        _ => 2,
    };
    let mut items = listed;
    items.sort_by_key(|p| (urgency(p), p.deadline));
    let groups = [
        (0, t(l, "已逾期", "Overdue")),
        (1, t(l, "7日内到期", "Due within 7 days")),
        (2, t(l, "正在整改", "In hand")),
        (3, t(l, "等待验收", "Awaiting verification")),
    ];
    let body = html! {
        @if items.is_empty() {
            p.empty { (t(l, "目前没有需要您整改的问题。", "Nothing to rectify at the moment.")) }
        }
        @for (rank, heading) in groups {
            @let these: Vec<_> = items.iter().filter(|p| urgency(p) == rank).cloned().collect();
            @if !these.is_empty() {
                h2 { (heading) " (" (these.len()) ")" }
                (table_of_problems(l, &these, None, &unit_names))
            }
        }
    };
    Ok(page(
        &session,
        Section::Mine,
        t(l, "我的整改任务", "My tasks"),
        body,
    ))
}

// ------------------------------------------------------------------------------- problem page

pub async fn problem(state: web::Data<AppState>, session: Session, id: web::Path<i64>) -> Page {
    let id = id.into_inner();
    let now = state.clock.now();
    let caller = session.caller.clone();
    let loaded = blocking(move || {
        let db = &state.db;
        let problem = problems::get(db, &caller, id, now)?;
        let history = problems::history(db, &caller, id)?.items;
        let all = |limit| PageParams {
            limit: Some(limit),
            ..Default::default()
        };
        let notes = problems::notes(db, &caller, id, all(200))?.items;
        let evidence = closing::list_evidence(db, &caller, id, false)?.items;
        let causes = catalog::list_causes(
            db,
            &caller,
            crate::api_types::CatalogQuery {
                problem_id: Some(id),
                ..Default::default()
            },
            all(200),
        )?
        .items;
        let measures = catalog::list_measures(
            db,
            &caller,
            MeasureQuery {
                problem_id: Some(id),
                ..Default::default()
            },
            all(200),
            now,
        )?
        .items;
        let extensions = closing::list_extensions(
            db,
            &caller,
            ExtensionQuery {
                problem_id: Some(id),
                status: None,
            },
            all(200),
        )?
        .items;
        let review = reviews::get(db, &caller, problem.review_id)?;
        let people = problem
            .owner_id
            .into_iter()
            .chain(history.iter().filter_map(|h| h.actor_id))
            .chain(notes.iter().filter_map(|n| n.author_id))
            .chain(evidence.iter().filter_map(|e| e.uploaded_by));
        let names = names_of(db, &caller, people)?;
        let unit = organizations::get(db, &caller, problem.organization_id)?.name;
        Ok(Loaded {
            problem,
            history,
            notes,
            evidence,
            causes,
            measures,
            extensions,
            review_title: review.title,
            names,
            unit,
        })
    })
    .await?;
    let title = format!("{} {}", loaded.problem.key, loaded.problem.title);
    let body = problem_body(&session, &loaded);
    Ok(page(&session, Section::Ledger, &title, body))
}

struct Loaded {
    problem: crate::api_types::Problem,
    history: Vec<crate::api_types::HistoryEntry>,
    notes: Vec<crate::api_types::Note>,
    evidence: Vec<crate::api_types::Evidence>,
    causes: Vec<crate::api_types::Cause>,
    measures: Vec<crate::api_types::Measure>,
    extensions: Vec<crate::api_types::Extension>,
    review_title: String,
    names: HashMap<i64, String>,
    unit: String,
}

/// A file's size as people read it.
fn file_size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.0} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

fn problem_body(session: &Session, d: &Loaded) -> Markup {
    let l = session.language;
    let p = &d.problem;
    let caller = &session.caller;
    let name = |id: Option<i64>| {
        id.and_then(|id| d.names.get(&id).cloned())
            .unwrap_or_else(|| "—".to_owned())
    };
    let is_owner = p.owner_id == Some(caller.user_id);
    let active = p.status.is_active();
    // The same who and when as the upload's use case (check_upload); it refuses otherwise.
    let evidence_open = p.status.evidence_may_change() && (is_owner || caller.coordinates());
    let pending: Vec<_> = d
        .extensions
        .iter()
        .filter(|e| e.status == crate::api_types::ExtensionStatus::Pending)
        .collect();
    html! {
        section.facts {
            p.status-line {
                (light(l, p.status, p.warning)) " "
                strong id="status" data-status=(p.status.as_str()) { (view::status_label(l, p.status)) }
                @if p.overdue { " " span.late { (match l { Language::Chinese => format!("已逾期{}天", p.days_overdue), Language::English => format!("{} days overdue", p.days_overdue) }) } }
            }
            dl {
                dt { (t(l, "检视", "Review")) } dd { (d.review_title) }
                dt { (t(l, "方面", "Aspect")) } dd { (p.aspect.as_deref().unwrap_or("—")) }
                dt { (t(l, "责任单位", "Unit")) } dd { (d.unit) }
                dt { (t(l, "责任人", "Owner")) } dd { (name(p.owner_id)) }
                dt { (t(l, "整改时限", "Deadline")) } dd {
                    @match p.deadline { Some(day) => (day), None => "—" }
                    @if p.extension_count > 0 { " " small { (match l { Language::Chinese => format!("（已延期{}次，原定{}）", p.extension_count, p.original_deadline.map(|d| d.to_string()).unwrap_or_default()), Language::English => format!("(extended {} times; first {})", p.extension_count, p.original_deadline.map(|d| d.to_string()).unwrap_or_default()) }) } }
                }
                @if let (Some(by), Some(state)) = (p.acknowledge_by, p.acknowledgement) {
                    dt { (t(l, "签收", "Acknowledged")) } dd id="acknowledgement" data-value=(state.as_str()) {
                        (view::acknowledgement_label(l, state)) " " small { (t(l, "（时限 ", "(by ")) (by) (t(l, "）", ")")) }
                    }
                }
                @if p.escalation_level > 0 {
                    dt { (t(l, "预警级别", "Escalation")) } dd id="escalation" data-value=(p.escalation_level) { (view::escalation_label(l, p.escalation_level)) }
                }
                @if let Some(outcome) = p.outcome {
                    dt { (t(l, "整改结果", "Outcome")) } dd id="outcome" data-value=(outcome.as_str()) {
                        (view::outcome_label(l, outcome))
                        @if let Some(on) = p.review_on { " " small { (t(l, "（复查日期 ", "(review on ")) (on) (t(l, "）", ")")) } }
                        @if let Some(on) = p.recheck_on { " " small { (t(l, "（回头看 ", "(re-check on ")) (on) (t(l, "）", ")")) } }
                    }
                }
                @if !p.possible_recurrence_of.is_empty() {
                    dt { (t(l, "疑似问题反弹", "May repeat")) } dd id="recurrence" {
                        @for (i, r) in p.possible_recurrence_of.iter().enumerate() {
                            @if i > 0 { "、" }
                            a href={ "/console/problems/" (r.id) } { (r.key) } " " small { (format!("{:.0}%", r.score * 100.0)) }
                        }
                    }
                }
            }
            @if !p.description.is_empty() { p.description { (p.description) } }
            @if p.status == Status::Closed {
                p { a href={ "/console/problems/" (p.id) "/closure.docx" } { (t(l, "下载对账销号单（Word）", "Close-out record (Word)")) } }
            }
        }
        @if !p.allowed_actions.is_empty() {
            section.actions id="actions" {
                h2 { (t(l, "可进行的操作", "Actions")) }
                @for action in &p.allowed_actions {
                    form.action method="post" action={ "/console/problems/" (p.id) "/transitions" } {
                        (form_token(session))
                        input type="hidden" name="action" value=(action.as_str());
                        input type="hidden" name="version" value=(p.version);
                        @if action.needs_note() {
                            textarea name="note" required rows="2" placeholder=(match action {
                                Action::Submit => t(l, "整改完成情况", "What was done"),
                                _ => t(l, "理由", "Reason"),
                            }) {}
                        }
                        @match action {
                            Action::Verify => label {
                                (t(l, "持续整改，复查日期（选填）", "Continuing; review on (optional)"))
                                " " input type="date" name="review_on";
                            },
                            Action::DeferReview => label {
                                (t(l, "新的复查日期", "New review date"))
                                " " input type="date" name="review_on" required;
                            },
                            _ => {}
                        }
                        button type="submit" name="do" value=(action.as_str()) class=[matches!(action, Action::Cancel | Action::Reject).then_some("quiet")] { (view::action_label(l, *action)) }
                    }
                }
            }
        }
        section {
            h2 { (t(l, "原因", "Causes")) }
            @if d.causes.is_empty() { p.empty { "—" } }
            ul { @for c in &d.causes { li { (c.title) } } }
            h2 { (t(l, "整改措施", "Measures")) }
            @if d.measures.is_empty() { p.empty { "—" } }
            ul.measures {
                @for m in &d.measures {
                    li data-measure=(m.id) {
                        @if m.done { span.done { "✓ " } } @else { (light(l, Status::Open, m.warning)) " " }
                        (m.title)
                        @if let Some(day) = m.deadline { " " small { "（" (day) "）" } }
                        @if !m.done && active && (is_owner || m.owner_id == Some(caller.user_id) || caller.coordinates()) {
                            form.inline method="post" action={ "/console/measures/" (m.id) "/done" } {
                                (form_token(session))
                                input type="hidden" name="problem_id" value=(p.id);
                                button type="submit" { (t(l, "标记为已完成", "Mark done")) }
                            }
                        }
                    }
                }
            }
        }
        section id="evidence" {
            h2 { (t(l, "佐证材料", "Evidence")) }
            @if d.evidence.is_empty() { p.empty { (t(l, "尚无佐证材料。", "No evidence yet.")) } }
            div.evidence {
                @for e in &d.evidence {
                    figure data-evidence=(e.id) {
                        @if e.content_type.starts_with("image/") {
                            img src={ "/console/evidence/" (e.id) "/view" } alt=(e.file_name);
                        } @else if e.content_type == "application/pdf" {
                            a.pdf href={ "/console/evidence/" (e.id) "/view" } target="_blank" rel="noopener" { "PDF " (t(l, "预览", "preview")) }
                        }
                        figcaption {
                            a href={ "/console/evidence/" (e.id) "/download" } { (e.file_name) }
                            " · " (file_size(e.size)) " · " (name(e.uploaded_by))
                            @if !e.description.is_empty() { br; (e.description) }
                        }
                    }
                }
            }
            @if evidence_open {
                form.upload method="post" enctype="multipart/form-data" action={ "/console/problems/" (p.id) "/evidence" } data-drop {
                    (form_token(session))
                    label { (t(l, "说明", "Description")) input name="description" maxlength="2000"; }
                    label.drop { (t(l, "选择或拖入文件（图片、PDF、Word、Excel）", "Choose or drop a file (image, PDF, Word, Excel)")) input type="file" name="file" required; }
                    button type="submit" { (t(l, "上传", "Upload")) }
                }
            }
        }
        section id="extensions" {
            h2 { (t(l, "延期申请", "Extension requests")) }
            @if d.extensions.is_empty() { p.empty { "—" } }
            ul {
                @for e in &d.extensions {
                    li data-extension=(e.id) {
                        (e.previous_deadline) " → " (e.new_deadline) "：" (e.reason) " · "
                        (match (e.status, l) {
                            (crate::api_types::ExtensionStatus::Pending, _) => t(l, "待审批", "pending"),
                            (crate::api_types::ExtensionStatus::Approved, _) => t(l, "已批准", "approved"),
                            (crate::api_types::ExtensionStatus::Refused, _) => t(l, "未批准", "refused"),
                        })
                        @if e.status == crate::api_types::ExtensionStatus::Pending && caller.coordinates() {
                            form.inline method="post" action={ "/console/extensions/" (e.id) "/decision" } {
                                (form_token(session))
                                input type="hidden" name="problem_id" value=(p.id);
                                input name="note" placeholder=(t(l, "审批意见", "Note"));
                                button type="submit" name="approve" value="true" { (t(l, "批准", "Approve")) }
                                button.quiet type="submit" name="approve" value="false" { (t(l, "不批准", "Refuse")) }
                            }
                        }
                    }
                }
            }
            @if is_owner && active && pending.is_empty() && p.deadline.is_some() {
                form.stacked.narrow method="post" action={ "/console/problems/" (p.id) "/extensions" } {
                    (form_token(session))
                    label { (t(l, "申请延期至", "New deadline")) input type="date" name="new_deadline" required; }
                    label { (t(l, "理由", "Reason")) input name="reason" required maxlength="500"; }
                    button type="submit" { (t(l, "申请延期", "Ask for an extension")) }
                }
            }
        }
        section id="notes" {
            h2 { (t(l, "整改进展", "Progress notes")) }
            @if d.notes.is_empty() { p.empty { "—" } }
            ul.timeline {
                @for n in &d.notes {
                    li { time { (n.created_at.format("%Y-%m-%d %H:%M")) } " " strong { (name(n.author_id)) } "：" (n.body) }
                }
            }
            @if active && (is_owner || caller.coordinates()) {
                form.stacked.narrow method="post" action={ "/console/problems/" (p.id) "/notes" } {
                    (form_token(session))
                    label { (t(l, "新的进展", "New note")) textarea name="body" required rows="2" maxlength="500" {} }
                    button type="submit" { (t(l, "记录进展", "Add note")) }
                }
            }
        }
        section id="history" {
            h2 { (t(l, "处理记录", "History")) }
            ol.timeline {
                @for h in &d.history {
                    li data-action=(h.action) {
                        time { (h.at.format("%Y-%m-%d %H:%M")) } " " strong { (name(h.actor_id)) } " "
                        (h.action)
                        @if let Some(from) = h.from_status { " · " (view::status_label(l, from)) " → " }
                        @else { " · " }
                        (view::status_label(l, h.to_status))
                        @if let Some(note) = &h.note { "：" (note) }
                    }
                }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct TransitionForm {
    #[serde(default)]
    csrf: String,
    action: Action,
    note: Option<String>,
    /// Verify: a date closes the problem as continuing (持续整改); defer_review: the new date.
    review_on: Option<String>,
    version: Option<i64>,
}

pub async fn transition(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<TransitionForm>,
) -> Page {
    let form = form.into_inner();
    session.check_form(&state, &form.csrf)?;
    let id = id.into_inner();
    let review_on = empty_to_none(form.review_on)
        .map(|d| {
            d.parse::<chrono::NaiveDate>().map_err(|_| {
                Error::invalid_field("review_on", "type", "must be a date (YYYY-MM-DD)")
            })
        })
        .transpose()?;
    let continuing = form.action == Action::Verify && review_on.is_some();
    let input = validated(TransitionRequest {
        action: form.action,
        note: empty_to_none(form.note),
        outcome: continuing.then_some(crate::domain::supervision::Outcome::Continuing),
        review_on,
    })?;
    let now = state.clock.now();
    let caller = session.caller;
    // The version the page showed: an action taken on a page that is out of date is refused.
    let expected = form.version;
    blocking(move || problems::transition(&state.db, &caller, id, input, expected, None, now))
        .await?;
    Ok(redirect(&format!("/console/problems/{id}")))
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    csrf: String,
    body: String,
}

pub async fn add_note(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<NoteForm>,
) -> Page {
    let form = form.into_inner();
    session.check_form(&state, &form.csrf)?;
    let id = id.into_inner();
    let input = validated(CreateNote { body: form.body })?;
    let now = state.clock.now();
    let caller = session.caller;
    blocking(move || problems::add_note(&state.db, &caller, id, input, None, now)).await?;
    Ok(redirect(&format!("/console/problems/{id}#notes")))
}

/// An evidence form: the session's token first (checked before any file byte is read), then
/// the API's own form fields, read by the API's own reader.
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    mut form: Multipart,
) -> Page {
    let id = id.into_inner();
    let first = form.try_next().await.map_err(|e| {
        Error::new(
            Code::InvalidBody,
            format!("The form could not be read: {e}."),
        )
    })?;
    let token = match first {
        Some(mut field) if field.name() == Some("csrf") => {
            let mut value = Vec::new();
            while let Some(chunk) = field.try_next().await.map_err(|e| {
                Error::new(
                    Code::InvalidBody,
                    format!("The form could not be read: {e}."),
                )
            })? {
                value.extend_from_slice(&chunk);
                if value.len() > 256 {
                    break;
                }
            }
            String::from_utf8(value).unwrap_or_default()
        }
        _ => String::new(),
    };
    session.check_form(&state, &token)?;
    crate::http::closing::receive_evidence(state, session.caller, &req, id, &mut form).await?;
    Ok(redirect(&format!("/console/problems/{id}#evidence")))
}

#[derive(Deserialize)]
pub struct MeasureDoneForm {
    #[serde(default)]
    csrf: String,
    problem_id: i64,
}

pub async fn measure_done(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<MeasureDoneForm>,
) -> Page {
    let form = form.into_inner();
    session.check_form(&state, &form.csrf)?;
    let id = id.into_inner();
    let now = state.clock.now();
    let caller = session.caller;
    let input = UpdateMeasure {
        done: Some(true),
        ..Default::default()
    };
    blocking(move || catalog::update_measure(&state.db, &caller, id, input, None, now)).await?;
    Ok(redirect(&format!("/console/problems/{}", form.problem_id)))
}

#[derive(Deserialize)]
pub struct ExtensionForm {
    #[serde(default)]
    csrf: String,
    new_deadline: NaiveDate,
    reason: String,
}

pub async fn request_extension(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<ExtensionForm>,
) -> Page {
    let form = form.into_inner();
    session.check_form(&state, &form.csrf)?;
    let id = id.into_inner();
    let input = validated(CreateExtension {
        new_deadline: form.new_deadline,
        reason: form.reason,
    })?;
    let now = state.clock.now();
    let caller = session.caller;
    blocking(move || closing::request_extension(&state.db, &caller, id, input, None, now)).await?;
    Ok(redirect(&format!("/console/problems/{id}#extensions")))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    problem_id: i64,
    approve: bool,
    note: Option<String>,
}

pub async fn decide_extension(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<DecisionForm>,
) -> Page {
    let form = form.into_inner();
    session.check_form(&state, &form.csrf)?;
    let id = id.into_inner();
    let input = validated(ExtensionDecision {
        approve: form.approve,
        note: empty_to_none(form.note),
    })?;
    let now = state.clock.now();
    let caller = session.caller;
    blocking(move || closing::decide_extension(&state.db, &caller, id, input, now)).await?;
    Ok(redirect(&format!(
        "/console/problems/{}#extensions",
        form.problem_id
    )))
}

pub async fn evidence_view(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
) -> Page {
    crate::http::closing::send_evidence(
        state,
        session.caller,
        &req,
        id.into_inner(),
        DispositionType::Inline,
    )
    .await
}

pub async fn evidence_download(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
) -> Page {
    crate::http::closing::send_evidence(
        state,
        session.caller,
        &req,
        id.into_inner(),
        DispositionType::Attachment,
    )
    .await
}

// ------------------------------------------------------------------------------- overdue

#[derive(Deserialize)]
pub struct OverdueParams {
    #[serde(default, deserialize_with = "blank_as_none")]
    organization_id: Option<i64>,
    #[serde(default, deserialize_with = "blank_as_none")]
    as_of: Option<NaiveDate>,
}

#[derive(Deserialize)]
pub struct OverdueListParams {
    #[serde(default, deserialize_with = "blank_as_none")]
    organization_id: Option<i64>,
    cursor: Option<String>,
}

/// The 督办 list on screen: today's overdue problems, most overdue first, a page at a time
/// (a district may have tens of thousands), and what falls due within 7 days. The whole
/// report, measures and any past day included, is the export.
pub async fn overdue(
    state: web::Data<AppState>,
    session: Session,
    params: web::Query<OverdueListParams>,
) -> Page {
    let l = session.language;
    let params = params.into_inner();
    let now = state.clock.now();
    let caller = session.caller.clone();
    let organization_id = params.organization_id;
    let cursor = empty_to_none(params.cursor);
    let (late, soon, names, units) = blocking(move || {
        let db = &state.db;
        let list = |overdue: Option<bool>, warning: Option<Warning>, cursor: Option<String>| {
            let query = ProblemQuery {
                organization_id,
                overdue,
                warning,
                sort: Some("deadline".to_owned()),
                ..Default::default()
            };
            let page = PageParams {
                limit: Some(50),
                cursor,
                total: None,
            };
            problems::list(db, &caller, query, page, now)
        };
        let late = list(Some(true), None, cursor)?;
        let soon = list(None, Some(Warning::DueSoon), None)?;
        let names = names_of(
            db,
            &caller,
            late.items
                .iter()
                .chain(soon.items.iter())
                .filter_map(|p| p.owner_id),
        )?;
        let units = units_of(db, &caller)?;
        Ok((late, soon, names, units))
    })
    .await?;
    let unit_names: HashMap<i64, String> = units.iter().map(|o| (o.id, o.name.clone())).collect();
    let scope = ("organization_id", organization_id.map(|v| v.to_string()));
    let body = html! {
        form.filters method="get" action="/console/overdue.xlsx" {
            @if let Some(id) = organization_id { input type="hidden" name="organization_id" value=(id); }
            label { (t(l, "截至（导出用）", "As of (for the export)")) input type="date" name="as_of"; }
            button type="submit" { (t(l, "导出 Excel（含措施）", "Export XLSX (with measures)")) }
            button type="submit" formaction="/console/overdue.docx" { (t(l, "打印督办清单（Word）", "督办 list (Word)")) }
        }
        h2 { (t(l, "已逾期的问题（逾期最久的在前）", "Overdue problems (longest overdue first)")) }
        @if late.items.is_empty() { p.empty { (t(l, "没有逾期的问题。", "Nothing is overdue.")) } }
        @else { (problems_table(l, &late.items, &names, &unit_names)) }
        @if let Some(next) = &late.next_cursor {
            p.pager { a rel="next" href={ "/console/overdue?" (view::query(&[scope.clone(), ("cursor", Some(next.clone()))])) } { (t(l, "下一页 →", "Next page →")) } }
        }
        h2 { (t(l, "7日内到期", "Due within 7 days")) }
        @if soon.items.is_empty() { p.empty { "—" } }
        @else { (problems_table(l, &soon.items, &names, &unit_names)) }
        @if soon.next_cursor.is_some() {
            p.pager { a href={ "/console/ledger?" (view::query(&[scope.clone(), ("light", Some("yellow".to_owned()))])) } { (t(l, "查看全部 →", "All of them →")) } }
        }
    };
    Ok(page(
        &session,
        Section::Overdue,
        t(l, "逾期报告", "Overdue report"),
        body,
    ))
}

pub async fn overdue_xlsx(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    params: web::Query<OverdueParams>,
) -> Page {
    overdue_file(req, state, session, params.into_inner(), ReportFormat::Xlsx).await
}

/// The 督办 list to print.
pub async fn overdue_docx(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    params: web::Query<OverdueParams>,
) -> Page {
    overdue_file(req, state, session, params.into_inner(), ReportFormat::Docx).await
}

async fn overdue_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    params: OverdueParams,
    format: ReportFormat,
) -> Page {
    let query = OverdueQuery {
        as_of: params.as_of,
        organization_id: params.organization_id,
        group_by: None,
        format: Some(format),
    };
    crate::http::reports::overdue_answer(state, session.caller, req, query).await
}

#[derive(Deserialize)]
pub struct AsOfParams {
    #[serde(default, deserialize_with = "blank_as_none")]
    as_of: Option<NaiveDate>,
}

/// A review's 整改落实情况报告 (.docx).
pub async fn review_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    params: web::Query<AsOfParams>,
) -> Page {
    let as_of = params.into_inner().as_of;
    crate::http::reports::review_report_file(state, session.caller, req, id.into_inner(), as_of)
        .await
}

/// A closed-out problem's 对账销号单 (.docx).
pub async fn closure_record(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
) -> Page {
    crate::http::reports::closure_record_file(state, session.caller, req, id.into_inner()).await
}

// ------------------------------------------------------------------------------- audit

#[derive(Deserialize)]
pub struct AuditParams {
    cursor: Option<String>,
    /// Check the whole chain now. It reads every entry, so it is asked for, not done on
    /// every page: a page of entries stays quick however long the log grows.
    #[serde(default)]
    verify: bool,
}

pub async fn audit(
    state: web::Data<AppState>,
    session: Session,
    params: web::Query<AuditParams>,
) -> Page {
    let l = session.language;
    let caller = session.caller.clone();
    let params = params.into_inner();
    let cursor = empty_to_none(params.cursor);
    let verify = params.verify;
    let (verification, entries) = blocking(move || {
        let db = &state.db;
        let verification = if verify {
            Some(audit::verify(db, &caller)?)
        } else {
            None
        };
        let page = PageParams {
            limit: Some(100),
            cursor,
            total: None,
        };
        let entries = audit::list(db, &caller, AuditQuery::default(), page)?;
        Ok((verification, entries))
    })
    .await?;
    let body = html! {
        @if let Some(verification) = &verification { @if verification.ok {
            div.notice.ok id="chain" data-ok="true" { p { (match l {
                Language::Chinese => format!("审计链完整：{} 条记录逐条核对无误。", verification.entries),
                Language::English => format!("The audit chain holds: {} entries checked.", verification.entries),
            }) } }
        } @else {
            div.notice.error id="chain" data-ok="false" { p { (match l {
                Language::Chinese => format!("审计链在第 {} 条处断开，请立即核查。", verification.first_broken.unwrap_or_default()),
                Language::English => format!("The audit chain breaks at entry {}; investigate now.", verification.first_broken.unwrap_or_default()),
            }) } }
        } } @else {
            p { a id="verify" href="/console/audit?verify=true" {
                (t(l, "校验审计链（逐条核对全部记录）", "Verify the audit chain (checks every entry)"))
            } }
        }
        table.ledger {
            thead { tr { th { "#" } th { (t(l, "时间", "When")) } th { (t(l, "操作人", "Who")) } th { (t(l, "操作", "Action")) } th { (t(l, "对象", "Record")) } } }
            tbody {
                @for e in &entries.items {
                    tr { td { (e.seq) } td { (e.at.format("%Y-%m-%d %H:%M:%S")) } td { (e.actor_name) } td { (e.action) } td { (e.entity_type) " " (e.entity_id.as_deref().unwrap_or("")) } }
                }
            }
        }
        @if let Some(next) = &entries.next_cursor {
            p.pager { a rel="next" href={ "/console/audit?" (view::query(&[("cursor", Some(next.clone()))])) } { (t(l, "更早的记录 →", "Older entries →")) } }
        }
    };
    Ok(page(
        &session,
        Section::Audit,
        t(l, "审计日志", "Audit log"),
        body,
    ))
}
