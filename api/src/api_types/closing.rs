//! Closing out: evidence and deadline extensions.

use super::*;

/// An evidence file's record; the bytes are at `content_url`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evidence {
    pub id: i64,
    pub problem_id: i64,
    #[schema(example = "整改会议纪要.pdf")]
    pub file_name: String,
    /// Judged from the file's bytes.
    #[schema(example = "application/pdf")]
    pub content_type: String,
    pub size: i64,
    /// SHA-256 of the bytes, in hex.
    pub sha256: String,
    #[schema(example = "专题会议纪要及签到表")]
    pub description: String,
    pub uploaded_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// Set when the file was removed (it stays on record).
    pub removed_at: Option<DateTime<Utc>>,
    #[schema(example = "/api/v1/evidence/7/content")]
    pub content_url: String,
}

impl Evidence {
    /// Where an evidence file's bytes are served.
    pub fn content_url(id: i64) -> String {
        format!("/api/v1/evidence/{id}/content")
    }
}

/// The multipart form of an evidence upload.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadEvidence {
    /// JPEG, PNG, PDF, DOCX, XLSX or UTF-8 text, up to the configured size.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    #[schema(example = "专题会议纪要及签到表")]
    pub description: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvidenceQuery {
    /// Also list removed files.
    pub include_removed: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionStatus {
    Pending,
    Approved,
    Refused,
}

impl ExtensionStatus {
    pub const ALL: [ExtensionStatus; 3] = [
        ExtensionStatus::Pending,
        ExtensionStatus::Approved,
        ExtensionStatus::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExtensionStatus::Pending => "pending",
            ExtensionStatus::Approved => "approved",
            ExtensionStatus::Refused => "refused",
        }
    }
}

/// A request to move a problem's deadline (延期申请).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Extension {
    pub id: i64,
    pub problem_id: i64,
    pub requested_by: Option<i64>,
    pub previous_deadline: NaiveDate,
    pub new_deadline: NaiveDate,
    #[schema(example = "需协调区住建部门，原定时限内无法完成")]
    pub reason: String,
    pub status: ExtensionStatus,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateExtension {
    /// Later than the current deadline.
    #[validate(custom(function = "valid_deadline"))]
    pub new_deadline: NaiveDate,
    #[validate(custom(function = "valid_title"))]
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "需协调区住建部门，原定时限内无法完成"
    )]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ExtensionDecision {
    pub approve: bool,
    /// Required when refusing: the reason the owner will read.
    #[validate(custom(function = "valid_text"))]
    #[schema(max_length = 20000)]
    pub note: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExtensionQuery {
    pub status: Option<ExtensionStatus>,
    pub problem_id: Option<i64>,
}
