//! Row structs: what a query reads (`…Row`), what an insert writes (`New…`) and what an
//! update changes (`…Changes`). They never leave the server as JSON; the API has its own types.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{organizations, users};

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable, Identifiable)]
#[diesel(table_name = organizations)]
pub struct OrganizationRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub parent_id: Option<i64>,
    pub path: String,
    pub timezone: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `None` inherits the parent's setting.
    pub evidence_required: Option<bool>,
    /// Days to acknowledge a confirmed problem; `None` inherits.
    pub acknowledge_days: Option<i32>,
    /// Days before a deadline when the light turns yellow; `None` inherits.
    pub warn_days: Option<i32>,
    /// Days after a rectified closing when it is re-checked; 0 never; `None` inherits.
    pub recheck_days: Option<i32>,
    /// Days red before a 督办; `None` inherits.
    pub escalate_after_days: Option<i32>,
    /// 分管领导, told from yellow.
    pub leader_id: Option<i64>,
    /// 主要负责人, told from red.
    pub head_id: Option<i64>,
    /// How the scorecard weighs its figures, as JSON; `None` inherits.
    pub scorecard_weights: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = organizations)]
pub struct NewOrganization<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub parent_id: Option<i64>,
    pub path: &'a str,
    pub timezone: &'a str,
    pub active: bool,
    pub evidence_required: Option<bool>,
    pub acknowledge_days: Option<i32>,
    pub warn_days: Option<i32>,
    pub recheck_days: Option<i32>,
    pub escalate_after_days: Option<i32>,
    pub leader_id: Option<i64>,
    pub head_id: Option<i64>,
    pub scorecard_weights: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = organizations)]
pub struct OrganizationChanges {
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub active: Option<bool>,
    pub evidence_required: Option<Option<bool>>,
    pub acknowledge_days: Option<Option<i32>>,
    pub warn_days: Option<Option<i32>>,
    pub recheck_days: Option<Option<i32>>,
    pub escalate_after_days: Option<Option<i32>>,
    pub leader_id: Option<Option<i64>>,
    pub head_id: Option<Option<i64>>,
    pub scorecard_weights: Option<Option<String>>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: String,
    pub organization_id: i64,
    /// Never shown, never audited.
    #[serde(skip)]
    pub password_hash: String,
    pub active: bool,
    pub password_changed_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub email: Option<&'a str>,
    pub role: &'a str,
    pub organization_id: i64,
    pub password_hash: &'a str,
    pub active: bool,
    pub password_changed_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// `None` leaves a column as it is; `email: Some(None)` clears the address.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub email: Option<Option<String>>,
    pub role: Option<String>,
    pub organization_id: Option<i64>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
    pub password_changed_at: Option<NaiveDateTime>,
    pub updated_at: Option<NaiveDateTime>,
}

// ---------------------------------------------------------------- tickets

use crate::schema::{
    causes, idempotency_keys, measures, problem_history, problem_notes, problems, reviews,
};
use chrono::NaiveDate;

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable, Identifiable)]
#[diesel(table_name = reviews)]
pub struct ReviewRow {
    pub id: i64,
    pub organization_id: i64,
    pub title: String,
    pub kind: String,
    pub held_on: NaiveDate,
    pub source_text: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = reviews)]
pub struct NewReview<'a> {
    pub organization_id: i64,
    pub title: &'a str,
    pub kind: &'a str,
    pub held_on: NaiveDate,
    pub source_text: Option<&'a str>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Set while a large import is written in parts: the review stays hidden until then.
    pub importing_until: Option<NaiveDateTime>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = reviews)]
pub struct ReviewChanges {
    pub title: Option<String>,
    pub kind: Option<String>,
    pub held_on: Option<NaiveDate>,
    pub source_text: Option<Option<String>>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable, Identifiable)]
#[diesel(table_name = problems)]
pub struct ProblemRow {
    pub id: i64,
    pub key: String,
    pub review_id: i64,
    pub aspect: Option<String>,
    pub title: String,
    pub description: String,
    pub organization_id: i64,
    pub owner_id: Option<i64>,
    pub deadline: Option<NaiveDate>,
    pub original_deadline: Option<NaiveDate>,
    pub kind: String,
    pub status: String,
    pub extension_count: i32,
    pub created_by: Option<i64>,
    pub submitted_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub version: i64,
    /// The last day to acknowledge (签收), set when the problem is confirmed.
    pub acknowledge_by: Option<NaiveDate>,
    pub acknowledged_at: Option<NaiveDateTime>,
    /// How the last closing came out (`rectified`, `continuing`, `unrectified`).
    pub outcome: Option<String>,
    /// When a problem closed as continuing is looked at again (reopened).
    pub review_on: Option<NaiveDate>,
    /// When a rectified closing is due to be re-checked (回头看); cleared once it is.
    pub recheck_on: Option<NaiveDate>,
    /// The escalation level the scan recorded for `escalated_deadline`.
    pub escalation_level: i32,
    pub escalated_deadline: Option<NaiveDate>,
    /// When the scan looks at the problem's level again.
    pub next_escalation_on: Option<NaiveDate>,
}

/// A problem as a report line shows it: [`ProblemRow`] without its description and dates.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = problems)]
pub struct ProblemLine {
    pub id: i64,
    pub key: String,
    pub review_id: i64,
    pub aspect: Option<String>,
    pub title: String,
    pub organization_id: i64,
    pub owner_id: Option<i64>,
    pub deadline: Option<NaiveDate>,
    pub status: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = problems)]
pub struct NewProblem<'a> {
    pub key: &'a str,
    pub review_id: i64,
    pub aspect: Option<&'a str>,
    pub title: &'a str,
    pub description: &'a str,
    pub organization_id: i64,
    pub owner_id: Option<i64>,
    pub deadline: Option<NaiveDate>,
    pub original_deadline: Option<NaiveDate>,
    pub kind: &'a str,
    pub status: &'a str,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// `None` leaves a column as it is; `Some(None)` clears a nullable one.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = problems)]
pub struct ProblemChanges {
    pub aspect: Option<Option<String>>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub organization_id: Option<i64>,
    pub owner_id: Option<Option<i64>>,
    pub deadline: Option<Option<NaiveDate>>,
    pub original_deadline: Option<Option<NaiveDate>>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub extension_count: Option<i32>,
    pub submitted_by: Option<Option<i64>>,
    pub submitted_at: Option<Option<NaiveDateTime>>,
    pub closed_at: Option<Option<NaiveDateTime>>,
    pub acknowledge_by: Option<Option<NaiveDate>>,
    pub acknowledged_at: Option<Option<NaiveDateTime>>,
    pub outcome: Option<Option<String>>,
    pub review_on: Option<Option<NaiveDate>>,
    pub recheck_on: Option<Option<NaiveDate>>,
    pub escalation_level: Option<i32>,
    pub escalated_deadline: Option<Option<NaiveDate>>,
    pub next_escalation_on: Option<Option<NaiveDate>>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable, Identifiable)]
#[diesel(table_name = causes)]
pub struct CauseRow {
    pub id: i64,
    pub review_id: i64,
    pub title: String,
    pub description: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = causes)]
pub struct NewCause<'a> {
    pub review_id: i64,
    pub title: &'a str,
    pub description: &'a str,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = causes)]
pub struct CauseChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable, Identifiable)]
#[diesel(table_name = measures)]
pub struct MeasureRow {
    pub id: i64,
    pub review_id: i64,
    pub title: String,
    pub description: String,
    pub owner_id: Option<i64>,
    pub deadline: Option<NaiveDate>,
    pub done: bool,
    pub done_at: Option<NaiveDateTime>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = measures)]
pub struct NewMeasure<'a> {
    pub review_id: i64,
    pub title: &'a str,
    pub description: &'a str,
    pub owner_id: Option<i64>,
    pub deadline: Option<NaiveDate>,
    pub done: bool,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = measures)]
pub struct MeasureChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub owner_id: Option<Option<i64>>,
    pub deadline: Option<Option<NaiveDate>>,
    pub done: Option<bool>,
    pub done_at: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable)]
#[diesel(table_name = problem_notes)]
pub struct NoteRow {
    pub id: i64,
    pub problem_id: i64,
    pub author_id: Option<i64>,
    pub body: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = problem_notes)]
pub struct NewNote<'a> {
    pub problem_id: i64,
    pub author_id: Option<i64>,
    pub body: &'a str,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable)]
#[diesel(table_name = problem_history)]
pub struct HistoryRow {
    pub id: i64,
    pub problem_id: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
    /// The outcome a closing step recorded (verify, mark_unrectified).
    pub outcome: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = problem_history)]
pub struct NewHistory<'a> {
    pub problem_id: i64,
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: &'a str,
    pub note: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub outcome: Option<&'a str>,
}

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub caller: String,
    pub key: String,
    pub fingerprint: String,
    pub status: i32,
    pub body: String,
    pub location: Option<String>,
    pub created_at: NaiveDateTime,
}

// ---------------------------------------------------------------- closing out

use crate::schema::{evidence, extensions};

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable)]
#[diesel(table_name = evidence)]
pub struct EvidenceRow {
    pub id: i64,
    pub problem_id: i64,
    pub sha256: String,
    pub size: i64,
    pub content_type: String,
    pub file_name: String,
    pub description: String,
    pub uploaded_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
    pub deleted_by: Option<i64>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = evidence)]
pub struct NewEvidence<'a> {
    pub problem_id: i64,
    pub sha256: &'a str,
    pub size: i64,
    pub content_type: &'a str,
    pub file_name: &'a str,
    pub description: &'a str,
    pub uploaded_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable)]
#[diesel(table_name = extensions)]
pub struct ExtensionRow {
    pub id: i64,
    pub problem_id: i64,
    pub requested_by: Option<i64>,
    pub previous_deadline: NaiveDate,
    pub new_deadline: NaiveDate,
    pub reason: String,
    pub status: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = extensions)]
pub struct NewExtension<'a> {
    pub problem_id: i64,
    pub requested_by: Option<i64>,
    pub previous_deadline: NaiveDate,
    pub new_deadline: NaiveDate,
    pub reason: &'a str,
    pub status: &'a str,
    pub created_at: NaiveDateTime,
}

// ---------------------------------------------------------------- integration

use crate::schema::{
    audit_log, service_accounts, service_tokens, webhook_attempts, webhook_deliveries, webhooks,
};

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable, Identifiable)]
#[diesel(table_name = service_accounts)]
pub struct ServiceAccountRow {
    pub id: i64,
    pub name: String,
    pub organization_id: i64,
    pub scopes: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = service_accounts)]
pub struct NewServiceAccount<'a> {
    pub name: &'a str,
    pub organization_id: i64,
    pub scopes: &'a str,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = service_accounts)]
pub struct ServiceAccountChanges {
    pub name: Option<String>,
    pub scopes: Option<String>,
    pub active: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable, Identifiable)]
#[diesel(table_name = service_tokens)]
pub struct ServiceTokenRow {
    pub id: i64,
    pub account_id: i64,
    /// Never shown, never audited.
    #[serde(skip)]
    pub token_hash: String,
    pub prefix: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = service_tokens)]
pub struct NewServiceToken<'a> {
    pub account_id: i64,
    pub token_hash: &'a str,
    pub prefix: &'a str,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    pub actor_name: String,
    pub request_id: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub organization_path: Option<String>,
    pub changes: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable, Identifiable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    pub id: i64,
    pub url: String,
    pub events: String,
    pub organization_id: i64,
    /// Never shown, never audited.
    #[serde(skip)]
    pub secret: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `generic`, or the platform of a group robot (`wecom`, `dingtalk`, `feishu`).
    pub kind: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = webhooks)]
pub struct NewWebhook<'a> {
    pub url: &'a str,
    pub events: &'a str,
    pub organization_id: i64,
    pub secret: &'a str,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub kind: &'a str,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = webhooks)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub events: Option<String>,
    pub kind: Option<String>,
    pub secret: Option<String>,
    pub active: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable, Identifiable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    pub delivery_key: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// The trace context of the request that queued it (W3C `traceparent`).
    pub traceparent: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct NewDelivery<'a> {
    pub webhook_id: i64,
    pub event: &'a str,
    pub delivery_key: &'a str,
    pub payload: &'a str,
    pub status: &'a str,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub traceparent: Option<&'a str>,
}

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts)]
pub struct AttemptRow {
    pub id: i64,
    pub delivery_id: i64,
    pub at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = webhook_attempts)]
pub struct NewAttempt<'a> {
    pub delivery_id: i64,
    pub at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub error: Option<&'a str>,
    pub duration_ms: i64,
}

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable)]
#[diesel(table_name = crate::schema::digest_deliveries)]
pub struct DigestDeliveryRow {
    pub id: i64,
    pub week: String,
    pub recipient_id: i64,
    pub channel: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// One unit's, review's and aspect's change in the progress counts on one day.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::progress_tallies)]
pub struct TallyRow {
    pub organization_id: i64,
    pub review_id: i64,
    /// '' for problems without an aspect.
    pub aspect: String,
    pub day: chrono::NaiveDate,
    pub total: i64,
    pub draft: i64,
    pub open: i64,
    pub in_progress: i64,
    pub submitted: i64,
    pub closed: i64,
    pub cancelled: i64,
    pub overdue: i64,
    pub due_soon: i64,
    pub closed_on_time: i64,
    pub seconds_to_close: i64,
    pub extensions_granted: i64,
    pub closed_rectified: i64,
    pub closed_continuing: i64,
    pub unrectified: i64,
    pub acknowledgements_due: i64,
    pub acknowledged_on_time: i64,
}

/// 回头看: what one re-check of a closed problem found.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = crate::schema::problem_rechecks)]
pub struct RecheckRow {
    pub id: i64,
    pub problem_id: i64,
    pub outcome: String,
    pub note: String,
    pub recorded_by: Option<i64>,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = crate::schema::problem_rechecks)]
pub struct NewRecheck<'a> {
    pub problem_id: i64,
    pub outcome: &'a str,
    pub note: &'a str,
    pub recorded_by: Option<i64>,
    pub recorded_at: NaiveDateTime,
}

/// A 督办 notice.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = crate::schema::supervision_notices)]
pub struct NoticeRow {
    pub id: i64,
    pub issuing_organization_id: i64,
    pub year: i32,
    pub number: i64,
    pub recipient_organization_id: i64,
    /// `None`: issued by the escalation ladder.
    pub issued_by: Option<i64>,
    pub subject: String,
    pub body: String,
    pub reply_by: NaiveDate,
    /// For an automatic notice: the deadline of the problem that reached level 3.
    pub for_deadline: Option<NaiveDate>,
    pub reply: Option<String>,
    pub replied_by: Option<i64>,
    pub replied_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = crate::schema::supervision_notices)]
pub struct NewNotice<'a> {
    pub issuing_organization_id: i64,
    pub year: i32,
    pub number: i64,
    pub recipient_organization_id: i64,
    pub issued_by: Option<i64>,
    pub subject: &'a str,
    pub body: &'a str,
    pub reply_by: NaiveDate,
    pub for_deadline: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

/// 抄送: who watches a problem or a whole review.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = crate::schema::watchers)]
pub struct WatcherRow {
    pub id: i64,
    pub problem_id: Option<i64>,
    pub review_id: Option<i64>,
    pub user_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub added_by: Option<i64>,
    pub added_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = crate::schema::watchers)]
pub struct NewWatcher {
    pub problem_id: Option<i64>,
    pub review_id: Option<i64>,
    pub user_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub added_by: Option<i64>,
    pub added_at: NaiveDateTime,
}
