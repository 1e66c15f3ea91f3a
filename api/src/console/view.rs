//! The console's shared look: the page frame, navigation, lights, figures and the assets.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::{html, Markup, DOCTYPE};
use sha2::{Digest, Sha256};

use super::Session;
use crate::domain::deadline::Warning;
use crate::domain::supervision::{Acknowledgement, Outcome};
use crate::domain::workflow::{Action, Status};
use crate::domain::Role;
use crate::http::language::Language;

/// Chinese or English, as the page is being written.
pub fn t(language: Language, chinese: &'static str, english: &'static str) -> &'static str {
    match language {
        Language::Chinese => chinese,
        Language::English => english,
    }
}

const STYLE: &str = include_str!("console.css");
const SCRIPT: &str = include_str!("console.js");

/// An embedded asset, named by its content's hash so that it can be cached for ever.
pub struct Asset {
    pub name: String,
    body: &'static str,
    content_type: &'static str,
}

fn asset_named(
    stem: &str,
    extension: &str,
    body: &'static str,
    content_type: &'static str,
) -> Asset {
    let digest = Sha256::digest(body.as_bytes());
    let hash = base16ct::lower::encode_string(&digest[..6]);
    Asset {
        name: format!("{stem}.{hash}.{extension}"),
        body,
        content_type,
    }
}

pub static STYLESHEET: LazyLock<Asset> =
    LazyLock::new(|| asset_named("console", "css", STYLE, "text/css; charset=utf-8"));
pub static BEHAVIOUR: LazyLock<Asset> =
    LazyLock::new(|| asset_named("console", "js", SCRIPT, "text/javascript; charset=utf-8"));

pub async fn asset(name: web::Path<String>) -> HttpResponse {
    let asset = [&*STYLESHEET, &*BEHAVIOUR]
        .into_iter()
        .find(|a| a.name == *name);
    match asset {
        Some(asset) => HttpResponse::Ok()
            .content_type(asset.content_type)
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .body(asset.body),
        None => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such asset"),
    }
}

/// Where a page sits in the navigation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Dashboard,
    Ledger,
    Mine,
    Overdue,
    Audit,
    Admin,
}

fn head(title: &str) -> Markup {
    html! {
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        title { (title) " · Rectify" }
        link rel="stylesheet" href={ "/console/assets/" (STYLESHEET.name) };
        script src={ "/console/assets/" (BEHAVIOUR.name) } defer {}
    }
}

/// A whole page for a signed-in person.
pub fn page(session: &Session, section: Section, title: &str, body: Markup) -> HttpResponse {
    let l = session.language;
    let caller = &session.caller;
    let reads_reports = caller.role != Role::Owner;
    let links: Vec<(Section, &str, &str)> = [
        (
            reads_reports,
            Section::Dashboard,
            "/console/dashboard",
            t(l, "仪表盘", "Dashboard"),
        ),
        (
            true,
            Section::Ledger,
            "/console/ledger",
            t(l, "整改台账", "Ledger"),
        ),
        (
            true,
            Section::Mine,
            "/console/my",
            t(l, "我的整改任务", "My tasks"),
        ),
        (
            reads_reports,
            Section::Overdue,
            "/console/overdue",
            t(l, "逾期报告", "Overdue"),
        ),
        (
            matches!(caller.role, Role::Auditor | Role::Admin),
            Section::Audit,
            "/console/audit",
            t(l, "审计日志", "Audit log"),
        ),
        (
            caller.is_admin(),
            Section::Admin,
            "/console/admin",
            t(l, "管理", "Admin"),
        ),
    ]
    .into_iter()
    .filter(|(shown, ..)| *shown)
    .map(|(_, s, href, label)| (s, href, label))
    .collect();
    let markup = html! {
        (DOCTYPE)
        html lang=(l.tag()) {
            head { (head(title)) }
            body {
                header.top {
                    a.brand href="/console" { "整改台账 " span { "Rectify" } }
                    nav {
                        @for (s, href, label) in &links {
                            a href=(href) class=[(section == *s).then_some("here")] { (label) }
                        }
                    }
                    div.who {
                        span.user { (caller.username) " · " (role_label(l, caller.role)) }
                        @match l {
                            Language::Chinese => a.lang href=(switch_language(&session.query, "en")) { "English" },
                            Language::English => a.lang href=(switch_language(&session.query, "zh")) { "中文" },
                        }
                        form.inline method="post" action="/console/sign-out" {
                            input type="hidden" name="csrf" value=(session.form_token);
                            button.link type="submit" { (t(l, "退出", "Sign out")) }
                        }
                    }
                }
                main { h1 { (title) } (body) }
            }
        }
    };
    html_response(StatusCode::OK, markup)
}

/// The same page in another language: its query kept, `lang` replaced.
fn switch_language(query: &str, to: &str) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if key != "lang" {
            out.append_pair(&key, &value);
        }
    }
    out.append_pair("lang", to);
    format!("?{}", out.finish())
}

pub fn html_response(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(markup.into_string())
}

/// A page for someone not signed in (the sign-in form, an error before signing in).
pub fn bare_page(
    language: Language,
    status: StatusCode,
    title: &str,
    body: Markup,
) -> HttpResponse {
    let markup = html! {
        (DOCTYPE)
        html lang=(language.tag()) {
            head { (head(title)) }
            body.bare {
                main.narrow {
                    p.brand { "整改台账 " span { "Rectify" } }
                    h1 { (title) }
                    (body)
                }
            }
        }
    };
    html_response(status, markup)
}

/// A refusal as a person reads it: what happened, each field that broke a rule, and a way on.
pub fn error_page(
    language: Language,
    status: StatusCode,
    problem: &serde_json::Value,
) -> HttpResponse {
    let l = language;
    let title = match status.as_u16() {
        404 => t(l, "找不到该页面或记录", "Not found"),
        403 => t(l, "无权进行此操作", "Not allowed"),
        409 => t(l, "当前状态不允许此操作", "Not possible now"),
        422 => t(l, "填写的内容不符合规则", "Please check the form"),
        429 => t(l, "尝试过于频繁", "Too many attempts"),
        s if s >= 500 => t(l, "服务出错", "Something went wrong"),
        _ => t(l, "请求未能完成", "The request could not be done"),
    };
    // On a page, "If-Match" means nothing to a person: say what happened.
    let detail = match problem["code"].as_str() {
        Some("version_mismatch") => t(
            l,
            "页面显示的内容已过期：这条记录刚被他人更新。请回到该页面刷新后再操作。",
            "The page was out of date: someone has just changed this record. Reload it and try again.",
        ),
        _ => problem["detail"].as_str().unwrap_or_default(),
    };
    let errors = problem["errors"].as_array().cloned().unwrap_or_default();
    let body = html! {
        div.notice.error role="alert" data-status=(status.as_u16()) data-code=(problem["code"].as_str().unwrap_or_default()) {
            p { (detail) }
            @if !errors.is_empty() {
                ul {
                    @for e in &errors {
                        li { code { (e["field"].as_str().unwrap_or_default()) } "：" (e["message"].as_str().unwrap_or_default()) }
                    }
                }
            }
        }
        p { a href="/console" { (t(l, "回到首页", "Home")) } }
    };
    bare_page(language, status, title, body)
}

pub fn role_label(l: Language, role: Role) -> &'static str {
    match role {
        Role::Admin => t(l, "管理员", "admin"),
        Role::Coordinator => t(l, "整改协调员", "coordinator"),
        Role::Owner => t(l, "责任人", "owner"),
        Role::Auditor => t(l, "审计员", "auditor"),
    }
}

pub fn status_label(l: Language, status: Status) -> &'static str {
    match l {
        Language::Chinese => crate::domain::ledger::status_label(status),
        Language::English => match status {
            Status::Draft => "draft",
            Status::Open => "open",
            Status::InProgress => "in progress",
            Status::Submitted => "submitted",
            Status::Closed => "closed out",
            Status::Cancelled => "cancelled",
        },
    }
}

pub fn action_label(l: Language, action: Action) -> &'static str {
    match action {
        Action::Confirm => t(l, "确认问题", "Confirm"),
        Action::Start => t(l, "签收并开始整改", "Start"),
        Action::Submit => t(l, "提交验收", "Submit for verification"),
        Action::Verify => t(l, "验收销号", "Verify and close out"),
        Action::Reject => t(l, "退回整改", "Send back"),
        Action::Reopen => t(l, "重新打开", "Reopen"),
        Action::Cancel => t(l, "撤销问题", "Cancel"),
        Action::Acknowledge => t(l, "签收", "Acknowledge"),
        Action::DeferReview => t(l, "推迟复查日期", "Defer the review"),
        Action::MarkUnrectified => t(l, "认定未整改", "Find unrectified"),
        Action::Reactivate => t(l, "到期自动重新打开", "Reopen on the review date"),
    }
}

pub fn acknowledgement_label(l: Language, state: Acknowledgement) -> &'static str {
    match state {
        Acknowledgement::Pending => t(l, "待签收", "pending"),
        Acknowledgement::OnTime => t(l, "按时签收", "on time"),
        Acknowledgement::Late => t(l, "逾期签收", "late"),
    }
}

pub fn escalation_label(l: Language, level: u8) -> &'static str {
    match level {
        0 => t(l, "无", "none"),
        1 => t(
            l,
            "一级（黄灯，告知分管领导）",
            "1 (yellow: the leader in charge is told)",
        ),
        2 => t(
            l,
            "二级（红灯，告知主要负责人和上级）",
            "2 (red: the head and the level above are told)",
        ),
        _ => t(l, "三级（督办）", "3 (督办: a supervision notice)"),
    }
}

pub fn outcome_label(l: Language, outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Rectified => t(l, "已整改", "rectified"),
        Outcome::Continuing => t(l, "持续整改", "continuing"),
        Outcome::Unrectified => t(l, "未整改（审计认定）", "unrectified (found by an auditor)"),
    }
}

/// The red, yellow or green light of a problem (grey when it is finished or not confirmed).
pub fn light(l: Language, status: Status, warning: Warning) -> Markup {
    let (class, label) = if !status.is_active() {
        ("grey", t(l, "无需督办", "no action"))
    } else {
        match warning {
            Warning::Overdue => ("red", t(l, "红灯：已逾期", "red: overdue")),
            Warning::DueSoon => ("yellow", t(l, "黄灯：即将到期", "yellow: due soon")),
            Warning::None => ("green", t(l, "绿灯：正常推进", "green: on track")),
        }
    };
    html! { span class={ "light " (class) } title=(label) role="img" aria-label=(label) {} }
}

/// A rate as a percentage, with the exact figure kept for programs (`data-value`).
pub fn rate(value: Option<f64>) -> Markup {
    match value {
        Some(v) => html! { span.figure data-value=(v) { (format!("{:.1}%", v * 100.0)) } },
        None => html! { span.figure data-value="" { "—" } },
    }
}

pub fn count(value: u64) -> Markup {
    html! { span.figure data-value=(value) { (value) } }
}

/// A hidden field with the session's form token: every form has one.
pub fn form_token(session: &Session) -> Markup {
    html! { input type="hidden" name="csrf" value=(session.form_token); }
}

/// Query text for a link, from pairs whose values are present.
pub fn query(pairs: &[(&str, Option<String>)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            out.append_pair(key, value);
        }
    }
    out.finish()
}
