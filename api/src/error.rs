//! The one error type of the service.
//!
//! Error policy:
//! - Domain modules return their own typed errors; services turn them into [`Error`] with a
//!   stable snake_case `code` that clients may rely on, and a `detail` written for a person.
//! - The database layer returns [`rectify_db::DbError`]; the conversion below is the only
//!   place where diesel's `NotFound` becomes 404 and a unique violation becomes 409.
//! - Internal causes (I/O, pool, unexpected database errors) are logged with the request id
//!   and never sent: the client gets an opaque 500 with the request id header.
//! - Every error leaves the server as `application/problem+json` (RFC 9457); see `http::problem`.

use std::fmt;

use rectify_db::DbError;
use serde::Serialize;

/// What went wrong, as a use case sees it. `http::problem` alone turns a kind into a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The request itself is malformed (a header, a query, a body that is not JSON).
    BadRequest,
    /// No valid credentials.
    Unauthenticated,
    /// The caller is known but may not do this.
    Forbidden,
    /// No such record, or not in the caller's subtree (never told apart).
    NotFound,
    /// The path exists, not with this method.
    MethodNotAllowed,
    /// The record's state forbids it (allowed actions are named where they exist).
    Conflict,
    /// The client's version of the record is not the current one.
    VersionMismatch,
    /// The body did not arrive in time.
    Timeout,
    /// The body is larger than accepted.
    TooLarge,
    /// Too many attempts; the client is told when to try again.
    TooManyRequests,
    /// The body's or file's format is not accepted.
    UnsupportedMedia,
    /// Well-formed, but fields or requirements break the rules.
    Unprocessable,
    /// A dependency (the database) is not reachable; retry.
    Unavailable,
    /// A fault of the server; the cause is logged, never sent.
    Internal,
}

macro_rules! codes {
    ($($variant:ident = $text:literal, $kind:ident, $meaning:literal, $chinese:literal;)+) => {
        /// Every error code a client can receive: stable, snake_case, listed once here with
        /// its kind and meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $(#[doc = $meaning] $variant,)+
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)+ }
            }

            pub fn kind(self) -> Kind {
                match self { $(Code::$variant => Kind::$kind,)+ }
            }

            /// What the code means, for the documentation.
            pub fn meaning(self) -> &'static str {
                match self { $(Code::$variant => $meaning,)+ }
            }

            /// What the code means, in Chinese: the `detail` a client that prefers Chinese
            /// reads (a code without one does not compile).
            pub fn chinese(self) -> &'static str {
                match self { $(Code::$variant => $chinese,)+ }
            }
        }
    };
}

codes! {
    InvalidIdempotencyKey = "invalid_idempotency_key", BadRequest, "Idempotency-Key is not 1 to 255 visible ASCII characters.", "Idempotency-Key 须为 1 至 255 个可见的 ASCII 字符。";
    InvalidQuery = "invalid_query", BadRequest, "A query parameter is invalid.", "查询参数有误。";
    MalformedJson = "malformed_json", BadRequest, "The body is not valid JSON.", "请求体不是有效的 JSON。";
    MalformedMultipart = "malformed_multipart", BadRequest, "The multipart body is malformed.", "multipart 请求体格式有误。";
    UnreadableBody = "unreadable_body", BadRequest, "The body could not be read.", "无法读取请求体。";
    MissingToken = "missing_token", Unauthenticated, "No credentials were sent.", "未提供登录凭证，请先登录。";
    InvalidToken = "invalid_token", Unauthenticated, "The token is malformed or its signature does not match.", "令牌格式有误或签名不符，请重新登录。";
    TokenExpired = "token_expired", Unauthenticated, "The token has expired; sign in again.", "登录已过期，请重新登录。";
    TokenRevoked = "token_revoked", Unauthenticated, "The token was revoked, or its account deactivated.", "令牌已被吊销，或其服务账号已停用。";
    InvalidCredentials = "invalid_credentials", Unauthenticated, "Wrong username or password.", "用户名或密码错误。";
    Forbidden = "forbidden", Forbidden, "The caller's role may not do this.", "您的角色无权进行此操作。";
    InsufficientScope = "insufficient_scope", Forbidden, "The service token lacks the `write` scope.", "该服务令牌没有写入（write）权限。";
    NotAUser = "not_a_user", Forbidden, "Only a person (not a service account) may do this.", "此操作只能由本人（而非服务账号）进行。";
    FormTokenInvalid = "form_token_invalid", Forbidden, "A console form came without this session's form token (CSRF); reload the page and send it again.", "表单缺少本次登录的校验码（防跨站请求伪造），请刷新页面后重新提交。";
    NotFound = "not_found", NotFound, "No such record in the caller's subtree.", "记录不存在，或不在您所在组织的管辖范围内。";
    NoRoute = "no_route", NotFound, "There is no such endpoint.", "没有这个接口。";
    MethodNotAllowed = "method_not_allowed", MethodNotAllowed, "The path exists but not with this method.", "该接口不支持此请求方法。";
    AlreadyExists = "already_exists", Conflict, "A record with the same unique value exists.", "已存在相同唯一值的记录。";
    ConcurrentUpdate = "concurrent_update", Conflict, "Another request changed the record at the same time.", "另一个请求同时修改了这条记录，请重试。";
    AccountInactive = "account_inactive", Conflict, "The service account is deactivated.", "该服务账号已停用。";
    AlreadyRevoked = "already_revoked", Conflict, "The token is revoked already.", "该令牌已被吊销。";
    AlreadyAcknowledged = "already_acknowledged", Conflict, "The problem was acknowledged (签收) already.", "该问题已经签收。";
    AlreadyReplied = "already_replied", Conflict, "The supervision notice (督办) was replied to already.", "该督办通知已经回复。";
    AspectInUse = "aspect_in_use", Conflict, "The aspect still groups problems.", "该问题类别下仍有问题，不能删除。";
    CodeTaken = "code_taken", Conflict, "The organization code is taken.", "组织代码已被占用。";
    DeliveryPending = "delivery_pending", Conflict, "The delivery is still queued.", "该推送仍在队列中，尚未发送。";
    EvidenceLocked = "evidence_locked", Conflict, "The problem is past the stage where evidence may change.", "问题已过可修改佐证材料的阶段。";
    ExtensionDecided = "extension_decided", Conflict, "The extension request was decided already.", "该延期申请已经审批过。";
    ExtensionNotAllowed = "extension_not_allowed", Conflict, "The problem cannot be extended in its status.", "问题当前的状态不能申请延期。";
    ExtensionPending = "extension_pending", Conflict, "The problem already has a pending extension request.", "该问题已有一项待审批的延期申请。";
    HasActiveChildren = "has_active_children", Conflict, "The organization has active child organizations.", "该组织下仍有未停用的下级组织。";
    HasActiveUsers = "has_active_users", Conflict, "The organization has active users.", "该组织下仍有未停用的用户。";
    LastAdmin = "last_admin", Conflict, "The last active admin cannot be removed.", "不能停用最后一名管理员。";
    OwnAccount = "own_account", Conflict, "An admin may not lock themselves out.", "管理员不能停用或降级自己的账号。";
    NotClosedOut = "not_closed_out", Conflict, "The problem is not closed out; its 对账销号单 exists once it is.", "问题尚未销号，销号后才有对账销号单。";
    ProblemFinished = "problem_finished", Conflict, "The problem is closed or cancelled.", "问题已销号或已撤销。";
    TransitionNotAllowed = "transition_not_allowed", Conflict, "The action is not allowed now; `allowed_actions` lists those that are.", "问题当前的状态不允许此操作；allowed_actions 列出了可进行的操作。";
    UsernameTaken = "username_taken", Conflict, "The username is taken.", "用户名已被占用。";
    VersionMismatch = "version_mismatch", VersionMismatch, "If-Match does not name the current version.", "If-Match 所指的版本不是当前版本：记录已被他人修改，请重新读取。";
    PayloadTooLarge = "payload_too_large", TooLarge, "The body is larger than accepted.", "请求体超过允许的大小。";
    BodyTimeout = "body_timeout", Timeout, "The body did not arrive in time (`body_timeout_secs`).", "请求体未在规定时间内传完（body_timeout_secs）。";
    UnsupportedMediaType = "unsupported_media_type", UnsupportedMedia, "The body's content type is not accepted.", "不接受该请求体的内容类型。";
    UnsupportedFile = "unsupported_file", UnsupportedMedia, "The file's format cannot be imported.", "无法导入该格式的文件（.doc、.wps 请另存为 .docx 后导入）。";
    UnsupportedFileType = "unsupported_file_type", UnsupportedMedia, "The evidence file's type is not accepted.", "不接受该类型的佐证材料。";
    ValidationFailed = "validation_failed", Unprocessable, "Fields break their rules; `errors` names each.", "字段不符合规则，errors 逐一列出。";
    InvalidBody = "invalid_body", Unprocessable, "The body lacks or mistypes a field.", "请求体缺少字段或字段类型有误。";
    IdempotencyKeyReused = "idempotency_key_reused", Unprocessable, "The Idempotency-Key was used for another request.", "该 Idempotency-Key 已用于另一个请求。";
    RequirementsUnmet = "requirements_unmet", Unprocessable, "The action's requirements are not met; `missing` lists them.", "不满足此操作的条件；missing 列出了缺少的内容。";
    BatchInvalid = "batch_invalid", Unprocessable, "Items of a batch break their rules; `errors` names each.", "批量提交中有条目不符合规则，errors 逐一列出。";
    InvalidRows = "invalid_rows", Unprocessable, "Rows of an imported sheet break their rules.", "导入的表格中有行不符合规则。";
    EmptyFile = "empty_file", Unprocessable, "The file is empty.", "文件是空的。";
    UnreadableFile = "unreadable_file", Unprocessable, "The file is damaged or not what its name says.", "文件已损坏，或与其扩展名不符。";
    NoTextLayer = "no_text_layer", Unprocessable, "The PDF has no text to read (a scan); import the document it was printed from.", "该 PDF 没有可读取的文字（是扫描件）；请导入打印它的原始文档。";
    SheetTooLarge = "sheet_too_large", Unprocessable, "The sheet is over the size limits.", "表格超出大小限制。";
    MissingColumns = "missing_columns", Unprocessable, "The sheet lacks a required column.", "表格缺少必需的列（问题描述）。";
    NothingToImport = "nothing_to_import", Unprocessable, "No problem was found in the document.", "文档中没有找到问题。";
    ProgressReportOnly = "progress_report_only", Unprocessable, "The document reports on rectification and names no problem; `totals` quotes what it reports.", "该文档是整改情况报告，没有列出问题；totals 摘录了其中的数字。";
    TooManyItems = "too_many_items", Unprocessable, "The document holds more items than one import takes (`import_max_items`).", "文档中的条目超过单次导入的上限（import_max_items）。";
    NoDeadline = "no_deadline", Unprocessable, "The problem has no deadline.", "该问题没有整改时限。";
    OrganizationInactive = "organization_inactive", Unprocessable, "The organization is deactivated.", "该组织已停用。";
    ParentInactive = "parent_inactive", Unprocessable, "The parent organization is deactivated.", "上级组织已停用。";
    RootIsFixed = "root_is_fixed", Unprocessable, "The root organization cannot be moved or deactivated.", "根组织不能移动或停用。";
    TooManyAttempts = "too_many_attempts", TooManyRequests, "Too many failed sign-ins from this address or at this account; `retry_after` says when to try again.", "登录失败次数过多；retry_after 说明何时可以再试。";
    RateLimited = "rate_limited", TooManyRequests, "More requests a minute than `api_rate_limit` allows one caller; `retry_after` says when to try again.", "请求过于频繁，超过每分钟的上限（api_rate_limit）；retry_after 说明何时可以再试。";
    DatabaseUnavailable = "database_unavailable", Unavailable, "The database is not reachable.", "数据库暂时无法连接，请稍后重试。";
    InternalError = "internal_error", Internal, "The server failed; the log has the cause.", "服务器处理出错，已连同请求编号记入日志。";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One failing field of a request.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field, as the client named it (`parent_id`, `items[3].title`).
    pub field: String,
    /// The rule that failed (`length`, `required`, `timezone`, …).
    pub code: String,
    pub message: String,
}

/// The service's error: a code from the table above, a sentence for a person, and the
/// failing fields or extra members where there are any.
#[derive(Debug, Clone)]
pub struct Error {
    pub code: Code,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// Extra members of the problem document (for example `allowed_actions`).
    pub extensions: serde_json::Map<String, serde_json::Value>,
    /// Logged, never sent.
    pub internal: Option<String>,
}

/// The use cases' error, by the name the layering speaks of.
pub type ServiceError = Error;

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: Code, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            errors: Vec::new(),
            extensions: serde_json::Map::new(),
            internal: None,
        }
    }

    pub fn kind(&self) -> Kind {
        self.code.kind()
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(Code::Forbidden, detail)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(Code::NotFound, format!("{what} was not found."))
    }

    /// One field failed a rule.
    pub fn invalid_field(field: &str, rule: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError {
            field: field.to_owned(),
            code: rule.to_owned(),
            message: message.into(),
        }])
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("`{}`: {}", one.field, one.message),
            many => format!(
                "{} fields are invalid: {}.",
                many.len(),
                many.iter()
                    .map(|e| format!("`{}` ({})", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut error = Self::new(Code::ValidationFailed, detail);
        error.errors = errors;
        error
    }

    /// The same failing fields, under a code that says where they were found.
    pub fn recoded(mut self, code: Code) -> Self {
        self.code = code;
        self
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        let mut error = Self::new(
            Code::InternalError,
            "The server failed to handle this request. It has been logged with the request id.",
        );
        error.internal = Some(cause.to_string());
        error
    }

    /// Keeps a cause for the log (never sent).
    pub fn with_internal(mut self, cause: impl fmt::Display) -> Self {
        self.internal = Some(cause.to_string());
        self
    }

    /// Maps a query's "no such row" to 404 naming the record; any other database error as
    /// usual. With `From<diesel::result::Error>` below, the only place `NotFound` is read.
    pub fn missing(what: impl Into<String>) -> impl FnOnce(diesel::result::Error) -> Error {
        let what = what.into();
        move |e| match e {
            diesel::result::Error::NotFound => Error::not_found(&what),
            other => other.into(),
        }
    }

    pub fn with_extension(mut self, key: &str, value: impl Serialize) -> Self {
        self.extensions.insert(
            key.to_owned(),
            serde_json::to_value(value).unwrap_or(serde_json::Value::Null),
        );
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.detail)?;
        if let Some(internal) = &self.internal {
            write!(f, " (cause: {internal})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<diesel::result::Error> for Error {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error as Diesel};
        match e {
            Diesel::NotFound => Self::not_found("The record"),
            Diesel::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Self::new(
                Code::AlreadyExists,
                "A record with the same unique value already exists.",
            ),
            Diesel::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => Self::new(
                Code::ConcurrentUpdate,
                "Another request changed this record at the same time; retry.",
            ),
            other => Self::internal(format!("database: {other}")),
        }
    }
}

impl From<DbError> for Error {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Query(e) => e.into(),
            DbError::Pool(e) => {
                let mut error = Self::new(
                    Code::DatabaseUnavailable,
                    "The database is not reachable right now; retry shortly.",
                );
                error.internal = Some(e.to_string());
                error
            }
            DbError::CommitFailed(reason) => Self::internal(format!("database: {reason}")),
        }
    }
}

impl From<validator::ValidationErrors> for Error {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut list = Vec::new();
        flatten_validation("", &errors, &mut list);
        list.sort_by(|a, b| a.field.cmp(&b.field));
        Self::validation(list)
    }
}

fn flatten_validation(
    prefix: &str,
    errors: &validator::ValidationErrors,
    out: &mut Vec<FieldError>,
) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        let name = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    out.push(FieldError {
                        field: name.clone(),
                        code: e.code.to_string(),
                        message: e
                            .message
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_else(|| format!("fails the `{}` rule", e.code)),
                    });
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten_validation(&name, inner, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    flatten_validation(&format!("{name}[{index}]"), inner, out);
                }
            }
        }
    }
}

impl From<crate::export::ExportError> for Error {
    fn from(e: crate::export::ExportError) -> Self {
        Self::internal(e)
    }
}
