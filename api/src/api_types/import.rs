//! Importing reports and ledgers.

use super::*;

/// A report to import as text.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ImportReport {
    /// The report (对照检查材料) as plain text, one paragraph per line.
    #[validate(length(min = 1, max = 1000000, message = "must be 1 to 1000000 characters"))]
    #[schema(
        min_length = 1,
        max_length = 1000000,
        example = "一、存在问题\n（一）作风建设方面：一是调研不深入。二是会议多、落实少。\n二、原因剖析\n一是宗旨意识不强。\n三、整改措施\n（一）改进作风。每月走访群众不少于四次。"
    )]
    pub text: String,
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub organization_id: i64,
    #[validate(custom(function = "valid_title"))]
    #[schema(min_length = 1, max_length = 500, example = "2026年度组织生活会")]
    pub title: String,
    pub kind: ReviewKind,
    pub held_on: NaiveDate,
}

impl ImportReport {
    pub fn review_fields(&self) -> ImportedReviewFields {
        ImportedReviewFields {
            organization_id: self.organization_id,
            title: self.title.clone(),
            kind: self.kind,
            held_on: self.held_on,
        }
    }
}

/// The review that an import creates.
#[derive(Debug, Clone, Validate)]
pub struct ImportedReviewFields {
    #[validate(custom(function = "valid_id"))]
    pub organization_id: i64,
    #[validate(custom(function = "valid_title"))]
    pub title: String,
    pub kind: ReviewKind,
    pub held_on: NaiveDate,
}

/// A report or ledger to import as a file: `.txt` (UTF-8), `.docx`, `.pdf`, `.xlsx`, `.xls`
/// or `.ods`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the multipart form; the handler reads the parts one by one
pub struct ImportUpload {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    pub organization_id: i64,
    #[schema(example = "2026年度组织生活会")]
    pub title: String,
    pub kind: ReviewKind,
    pub held_on: NaiveDate,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Only show what would be created; write nothing.
    pub dry_run: Option<bool>,
}

/// Where an imported item came from: lines of a report, or a row of a sheet.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportSource {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedProblem {
    /// Null in a dry run.
    pub id: Option<i64>,
    #[schema(example = "DFSQ-12")]
    pub key: Option<String>,
    pub aspect: Option<String>,
    #[schema(example = "调研不深入")]
    pub title: String,
    pub description: String,
    pub organization_id: i64,
    pub owner_id: Option<i64>,
    pub deadline: Option<NaiveDate>,
    pub kind: ProblemKind,
    /// Indexes into `causes` and `measures` that the sheet links to this problem.
    pub cause_indexes: Vec<usize>,
    pub measure_indexes: Vec<usize>,
    /// Where the problem stands: `draft`, unless a ledger already under way says otherwise
    /// (整改状态: 已完成 → closed, 正在整改 → in_progress, 未启动 → open).
    pub status: Status,
    /// The ledger's 完成情况/进展 text, kept as a progress note.
    pub progress: Option<String>,
    /// The ledger's 销号时间 of a closed problem.
    pub closed_on: Option<NaiveDate>,
    pub source: ImportSource,
    /// 问题反弹: closed problems of earlier reviews of the subtree this one's title repeats,
    /// best first, as the imported problem will be flagged (shown in a dry run too).
    pub possible_recurrence_of: Vec<crate::api_types::PossibleRecurrence>,
}

/// A problem that a cause or measure may address; confirm by setting its `problem_ids`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuggestedLink {
    pub problem_index: usize,
    /// Null in a dry run.
    pub problem_id: Option<i64>,
    /// Shared character bigrams, 0 to 1.
    #[schema(example = 0.31)]
    pub score: f64,
    /// Why it is suggested: `shared_wording`, `same_position` (a measure listed in the
    /// problems' order, one each) or `shared_wording_and_position`.
    #[schema(example = "shared_wording")]
    pub reason: &'static str,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedEntry {
    /// Null in a dry run.
    pub id: Option<i64>,
    #[schema(example = "加强理论武装")]
    pub title: String,
    pub description: String,
    pub source: ImportSource,
    /// From a report only; nothing is linked until a coordinator confirms.
    pub suggested_problems: Vec<SuggestedLink>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportWarning {
    /// `numbering_gap`, `missing_shi`, `unnumbered_item`, `maybe_two_items`, `count_differs`,
    /// `starts_mid_text`, `several_units`, `unknown_unit`, `unknown_owner`, `unread_deadline`,
    /// `unknown_status`, `empty_section`,
    /// `missing_section`, `unknown_section`, `unnumbered_aspect`, `no_sections`, `several_owners`.
    #[schema(example = "missing_shi")]
    pub code: String,
    #[schema(example = "item 2 is numbered without 是; read as an item")]
    pub message: String,
    /// Source line (reports); 0 means the whole document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Sheet row and cell (ledgers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "G5")]
    pub cell: Option<String>,
}

/// What an import created, or in a dry run would create.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportResult {
    pub dry_run: bool,
    /// `report` (text or Word), `progress_report` (a report on rectification: only the
    /// problems it quotes are offered) or `ledger` (a sheet).
    #[schema(example = "report")]
    pub source_kind: &'static str,
    /// The review created; null in a dry run.
    pub review: Option<Review>,
    pub aspects: Vec<String>,
    pub problems: Vec<ImportedProblem>,
    pub causes: Vec<ImportedEntry>,
    pub measures: Vec<ImportedEntry>,
    pub warnings: Vec<ImportWarning>,
}
