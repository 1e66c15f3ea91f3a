//! The admin's pages: the organization tree, people, office systems' accounts and their
//! tokens (shown once), and webhooks with their delivery log. Each form goes through the use
//! case the API's endpoint uses.

use std::collections::HashMap;

use actix_web::web;
use maud::{html, Markup};
use serde::Deserialize;

use super::pages::{empty_to_none, redirect, units_of, Page};
use super::view::{self, form_token, page, t, Section};
use super::Session;
use crate::api_types::{
    CreateOrganization, CreateServiceAccount, CreateUser, Organization, PageParams, Scope,
    UserQuery,
};
use crate::domain::Role;
use crate::http::extract::{blocking, validated};
use crate::http::language::Language;
use crate::http::AppState;
use crate::service::{organizations, service_accounts, users, webhooks};

fn many() -> PageParams {
    PageParams {
        limit: Some(200),
        ..Default::default()
    }
}

/// A token just issued, to show this once.
struct Issued {
    account: String,
    token: String,
}

pub async fn overview(state: web::Data<AppState>, session: Session) -> Page {
    render(state, session, None).await
}

async fn render(state: web::Data<AppState>, session: Session, issued: Option<Issued>) -> Page {
    let l = session.language;
    session
        .caller
        .require_admin("manage the organization tree and accounts")?;
    let caller = session.caller.clone();
    let (units, people, accounts, hooks) = blocking(move || {
        let db = &state.db;
        let units = units_of(db, &caller)?;
        let people = users::list(db, &caller, UserQuery::default(), many())?.items;
        let accounts = service_accounts::list(db, &caller, many())?.items;
        let hooks = webhooks::list(db, &caller, many())?.items;
        Ok((units, people, accounts, hooks))
    })
    .await?;
    let unit_names: HashMap<i64, String> = units.iter().map(|o| (o.id, o.name.clone())).collect();
    let unit = |id: i64| {
        unit_names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("#{id}"))
    };
    let state_label = |active: bool| {
        if active {
            t(l, "启用", "active")
        } else {
            t(l, "已停用", "inactive")
        }
    };
    let body = html! {
        @if let Some(issued) = &issued {
            div.notice.ok id="issued" {
                p { (match l {
                    Language::Chinese => format!("已为“{}”签发令牌。它只显示这一次，请立即复制并交给对接系统保管：", issued.account),
                    Language::English => format!("A token for “{}” was issued. It is shown this once; copy it to the office system now:", issued.account),
                }) }
                p { code.token { (issued.token) } }
            }
        }
        h2 { (t(l, "组织", "Organizations")) }
        (tree(&units))
        form.filters method="post" action="/console/admin/organizations" {
            (form_token(&session))
            label { (t(l, "上级组织", "Parent")) (unit_select("parent_id", &units)) }
            label { (t(l, "代码", "Code")) input name="code" required size="10" placeholder="DFSQ"; }
            label { (t(l, "名称", "Name")) input name="name" required size="24"; }
            button type="submit" { (t(l, "新建组织", "Add organization")) }
        }
        h2 { (t(l, "用户", "Users")) }
        table.ledger {
            thead { tr { th { (t(l, "用户名", "Username")) } th { (t(l, "姓名", "Name")) } th { (t(l, "角色", "Role")) } th { (t(l, "单位", "Unit")) } th { (t(l, "状态", "State")) } } }
            tbody { @for u in &people { tr {
                td { (u.username) } td { (u.display_name) } td { (view::role_label(l, u.role)) }
                td { (unit(u.organization_id)) } td { (state_label(u.active)) }
            } } }
        }
        form.filters method="post" action="/console/admin/users" {
            (form_token(&session))
            label { (t(l, "用户名", "Username")) input name="username" required size="12" autocomplete="off"; }
            label { (t(l, "姓名", "Name")) input name="display_name" required size="10"; }
            label { (t(l, "角色", "Role")) select name="role" {
                @for role in [Role::Owner, Role::Coordinator, Role::Auditor, Role::Admin] {
                    option value=(role.as_str()) { (view::role_label(l, role)) }
                }
            } }
            label { (t(l, "单位", "Unit")) (unit_select("organization_id", &units)) }
            label { (t(l, "初始密码", "Initial password")) input name="password" type="password" required autocomplete="new-password"; }
            button type="submit" { (t(l, "新建用户", "Add user")) }
        }
        h2 { (t(l, "服务账号（对接系统）", "Service accounts (office systems)")) }
        table.ledger {
            thead { tr { th { (t(l, "名称", "Name")) } th { (t(l, "单位", "Unit")) } th { (t(l, "权限", "Scopes")) } th { (t(l, "令牌", "Tokens")) } th { (t(l, "状态", "State")) } } }
            tbody { @for a in &accounts { tr data-account=(a.id) {
                td { (a.name) } td { (unit(a.organization_id)) }
                td { (a.scopes.iter().map(|s| match s { Scope::Read => "read", Scope::Write => "write" }).collect::<Vec<_>>().join(", ")) }
                td {
                    ul.tokens {
                        @for token in a.tokens.iter().filter(|t| t.revoked_at.is_none()) {
                            li { code { (token.prefix) "…" }
                                form.inline method="post" action={ "/console/admin/service-accounts/" (a.id) "/tokens/" (token.id) "/revoke" } {
                                    (form_token(&session))
                                    button.quiet type="submit" { (t(l, "吊销", "Revoke")) }
                                }
                            }
                        }
                    }
                    @if a.active {
                        form.inline method="post" action={ "/console/admin/service-accounts/" (a.id) "/tokens" } {
                            (form_token(&session))
                            button type="submit" { (t(l, "签发新令牌", "Issue a token")) }
                        }
                    }
                }
                td { (state_label(a.active)) }
            } } }
        }
        form.filters method="post" action="/console/admin/service-accounts" {
            (form_token(&session))
            label { (t(l, "名称", "Name")) input name="name" required size="20"; }
            label { (t(l, "单位", "Unit")) (unit_select("organization_id", &units)) }
            label { (t(l, "权限", "Scopes")) select name="scopes" {
                option value="read" { (t(l, "只读", "read")) }
                option value="write" { (t(l, "读写", "read and write")) }
            } }
            button type="submit" { (t(l, "新建服务账号", "Add service account")) }
        }
        h2 { (t(l, "推送地址（Webhook）", "Webhooks")) }
        table.ledger {
            thead { tr { th { "URL" } th { (t(l, "单位", "Unit")) } th { (t(l, "事件", "Events")) } th { (t(l, "状态", "State")) } th {} } }
            tbody { @for h in &hooks { tr {
                td { (h.url) } td { (unit(h.organization_id)) } td { (h.events.join(", ")) } td { (state_label(h.active)) }
                td { a href={ "/console/admin/webhooks/" (h.id) } { (t(l, "推送记录", "Deliveries")) } }
            } } }
        }
        p.hint { (t(l, "推送地址的新建与修改、用户的停用与重置密码，请使用 API（交互式文档见 /docs）或命令行 rectify。",
                    "Add or change webhooks, deactivate users and reset passwords through the API (interactive docs at /docs) or the rectify command.")) }
    };
    Ok(page(
        &session,
        Section::Admin,
        t(l, "管理", "Administration"),
        body,
    ))
}

/// The tree, each organization under its parent.
fn tree(units: &[Organization]) -> Markup {
    let depth = |o: &Organization| {
        let mut depth = 0;
        let mut at = o.parent_id;
        while let Some(parent) = at.and_then(|id| units.iter().find(|u| u.id == id)) {
            depth += 1;
            at = parent.parent_id;
        }
        depth
    };
    html! {
        ul.tree {
            @for o in units {
                li class={ "depth-" (depth(o).min(6)) } data-organization=(o.id) {
                    (o.name) " " small { (o.code) }
                    @if !o.active { " " span.late { "×" } }
                }
            }
        }
    }
}

fn unit_select(name: &str, units: &[Organization]) -> Markup {
    html! {
        select name=(name) required {
            @for o in units.iter().filter(|o| o.active) { option value=(o.id) { (o.name) } }
        }
    }
}

#[derive(Deserialize)]
pub struct OrganizationForm {
    #[serde(default)]
    csrf: String,
    parent_id: i64,
    code: String,
    name: String,
}

pub async fn create_organization(
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<OrganizationForm>,
) -> Page {
    let form = form.into_inner();
    session.check_form(&state, &form.csrf)?;
    let input = CreateOrganization {
        code: form.code,
        name: form.name,
        parent_id: Some(form.parent_id),
        timezone: None,
        evidence_required: None,
        acknowledge_days: None,
        warn_days: None,
        recheck_days: None,
        escalate_after_days: None,
        leader_id: None,
        head_id: None,
        scorecard_weights: None,
    };
    let now = state.clock.now();
    let caller = session.caller;
    blocking(move || organizations::create(&state.db, &caller, input, now)).await?;
    Ok(redirect("/console/admin"))
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf: String,
    username: String,
    display_name: String,
    role: Role,
    organization_id: i64,
    password: String,
}

pub async fn create_user(
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<UserForm>,
) -> Page {
    let form = form.into_inner();
    session.check_form(&state, &form.csrf)?;
    let input = validated(CreateUser {
        username: form.username,
        display_name: form.display_name,
        email: None,
        role: form.role,
        organization_id: form.organization_id,
        password: form.password,
    })?;
    let now = state.clock.now();
    let caller = session.caller;
    blocking(move || users::create(&state.db, &caller, input, now)).await?;
    Ok(redirect("/console/admin"))
}

#[derive(Deserialize)]
pub struct ServiceAccountForm {
    #[serde(default)]
    csrf: String,
    name: String,
    organization_id: i64,
    scopes: String,
}

pub async fn create_service_account(
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<ServiceAccountForm>,
) -> Page {
    let form = form.into_inner();
    session.check_form(&state, &form.csrf)?;
    let scopes = match form.scopes.as_str() {
        "write" => vec![Scope::Read, Scope::Write],
        _ => vec![Scope::Read],
    };
    let input = validated(CreateServiceAccount {
        name: form.name,
        organization_id: form.organization_id,
        scopes,
    })?;
    let now = state.clock.now();
    let caller = session.caller.clone();
    let db = state.clone();
    let issued = blocking(move || service_accounts::create(&db.db, &caller, input, now)).await?;
    let issued = Issued {
        account: issued.account.name,
        token: issued.token,
    };
    render(state, session, Some(issued)).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
}

pub async fn issue_token(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<TokenForm>,
) -> Page {
    session.check_form(&state, &form.csrf)?;
    let id = id.into_inner();
    let now = state.clock.now();
    let caller = session.caller.clone();
    let db = state.clone();
    let issued = blocking(move || service_accounts::issue_token(&db.db, &caller, id, now)).await?;
    let issued = Issued {
        account: issued.account.name,
        token: issued.token,
    };
    render(state, session, Some(issued)).await
}

pub async fn revoke_token(
    state: web::Data<AppState>,
    session: Session,
    ids: web::Path<(i64, i64)>,
    form: web::Form<TokenForm>,
) -> Page {
    session.check_form(&state, &form.csrf)?;
    let (id, token_id) = ids.into_inner();
    let now = state.clock.now();
    let caller = session.caller;
    blocking(move || service_accounts::revoke_token(&state.db, &caller, id, token_id, now)).await?;
    Ok(redirect("/console/admin"))
}

#[derive(Deserialize)]
pub struct DeliveryParams {
    cursor: Option<String>,
}

/// A webhook's delivery log, newest first as the API lists it.
pub async fn deliveries(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    params: web::Query<DeliveryParams>,
) -> Page {
    let l = session.language;
    let id = id.into_inner();
    let caller = session.caller.clone();
    let cursor = empty_to_none(params.into_inner().cursor);
    let (hook, log) = blocking(move || {
        let db = &state.db;
        let hook = webhooks::get(db, &caller, id)?;
        let page = PageParams {
            limit: Some(100),
            cursor,
            total: None,
        };
        Ok((hook, webhooks::deliveries(db, &caller, id, page)?))
    })
    .await?;
    let body = html! {
        p { code { (hook.url) } " · " (hook.events.join(", ")) }
        table.ledger id="deliveries" {
            thead { tr {
                th { "#" } th { (t(l, "事件", "Event")) } th { (t(l, "状态", "Status")) } th { (t(l, "尝试次数", "Attempts")) }
                th { (t(l, "送达时间", "Delivered")) } th { (t(l, "下次尝试", "Next attempt")) } th { (t(l, "最近错误", "Last error")) }
            } }
            tbody { @for d in &log.items { tr data-status=(d.status) {
                td { (d.id) } td { (d.event) } td { (d.status) } td { (d.attempts) }
                td { @if let Some(at) = d.delivered_at { (at.format("%Y-%m-%d %H:%M:%S")) } }
                td { @if d.delivered_at.is_none() { (d.next_attempt_at.format("%Y-%m-%d %H:%M:%S")) } }
                td { (d.last_error.as_deref().unwrap_or("")) }
            } } }
        }
        @if let Some(next) = &log.next_cursor {
            p.pager { a rel="next" href={ "/console/admin/webhooks/" (id) "?" (view::query(&[("cursor", Some(next.clone()))])) } { (t(l, "更多 →", "More →")) } }
        }
        p { a href="/console/admin" { (t(l, "← 返回管理", "← Administration")) } }
    };
    let title = match l {
        Language::Chinese => format!("推送记录 #{id}"),
        Language::English => format!("Deliveries of webhook #{id}"),
    };
    Ok(page(&session, Section::Admin, &title, body))
}
