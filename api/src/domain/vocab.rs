//! The kinds of things in a ledger, with their stable API names.

use serde::{Deserialize, Serialize};

/// What found the problems (检视 / 会议 / 反馈).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    /// 组织生活会
    OrganizationalLife,
    /// 民主生活会
    DemocraticLife,
    /// 主题教育专题会
    ThemeEducation,
    /// 巡视/巡察反馈
    InspectionFeedback,
    /// 审计反馈
    Audit,
    Other,
}

/// How a problem is to be fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// 立行立改
    Immediate,
    /// 限期整改
    Scheduled,
    /// 长期坚持: needs no deadline.
    LongTerm,
}

impl ReviewKind {
    /// The kind a title or report names, if it names one. The meeting's own name wins over
    /// its theme: a 主题教育专题组织生活会 is an organizational life meeting.
    pub fn guess(text: &str) -> Option<ReviewKind> {
        [
            ("民主生活会", ReviewKind::DemocraticLife),
            ("组织生活会", ReviewKind::OrganizationalLife),
            ("巡视", ReviewKind::InspectionFeedback),
            ("巡察", ReviewKind::InspectionFeedback),
            ("审计", ReviewKind::Audit),
            ("主题教育", ReviewKind::ThemeEducation),
        ]
        .into_iter()
        .find(|(word, _)| text.contains(word))
        .map(|(_, kind)| kind)
    }

    pub const ALL: [ReviewKind; 6] = [
        ReviewKind::OrganizationalLife,
        ReviewKind::DemocraticLife,
        ReviewKind::ThemeEducation,
        ReviewKind::InspectionFeedback,
        ReviewKind::Audit,
        ReviewKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewKind::OrganizationalLife => "organizational_life",
            ReviewKind::DemocraticLife => "democratic_life",
            ReviewKind::ThemeEducation => "theme_education",
            ReviewKind::InspectionFeedback => "inspection_feedback",
            ReviewKind::Audit => "audit",
            ReviewKind::Other => "other",
        }
    }
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 3] = [
        ProblemKind::Immediate,
        ProblemKind::Scheduled,
        ProblemKind::LongTerm,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Immediate => "immediate",
            ProblemKind::Scheduled => "scheduled",
            ProblemKind::LongTerm => "long_term",
        }
    }
}

names!(ReviewKind, "review kind");
names!(ProblemKind, "problem kind");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_review_kind_is_guessed_from_the_meeting_it_names() {
        for (text, kind) in [
            (
                "2021年度民主生活会对照检查材料",
                Some(ReviewKind::DemocraticLife),
            ),
            (
                "主题教育专题组织生活会",
                Some(ReviewKind::OrganizationalLife),
            ),
            ("主题教育检视问题清单", Some(ReviewKind::ThemeEducation)),
            (
                "区委第三巡察组反馈意见",
                Some(ReviewKind::InspectionFeedback),
            ),
            ("审计发现问题", Some(ReviewKind::Audit)),
            ("工作总结", None),
        ] {
            assert_eq!(ReviewKind::guess(text), kind, "{text}");
        }
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in ReviewKind::ALL {
            assert_eq!(k.as_str().parse::<ReviewKind>(), Ok(k));
        }
        for k in ProblemKind::ALL {
            assert_eq!(k.as_str().parse::<ProblemKind>(), Ok(k));
        }
        assert!("meeting".parse::<ReviewKind>().is_err());
    }
}
