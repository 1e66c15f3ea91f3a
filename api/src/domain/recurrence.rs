//! 问题反弹 ("年年提、年年改"): a problem found again in a later review. Each new problem is
//! compared with the closed problems of earlier reviews of the same subtree by the words
//! (character bigrams, weighted by rarity) their titles share; the likeliest above a threshold
//! are flagged for a coordinator to confirm or dismiss. Only ever a suggestion.

use serde::{Deserialize, Serialize};

use super::similarity;

/// Below this score two titles are not taken for the same problem.
pub const MIN_SCORE: f64 = 0.4;
/// At most this many earlier problems are flagged for one new one.
pub const MAX_FLAGGED: usize = 3;

/// The earlier problems (id, title) a new problem's title most likely repeats, best first,
/// with their scores in [`MIN_SCORE`], 1].
pub fn likely_recurrences(title: &str, earlier: &[(i64, &str)]) -> Vec<(i64, f64)> {
    if earlier.is_empty() || title.trim().is_empty() {
        return Vec::new();
    }
    let texts: Vec<&str> = earlier.iter().map(|(_, t)| *t).collect();
    let mut found: Vec<(i64, f64)> = similarity::suggest(&texts, &[title])
        .pop()
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s.score >= MIN_SCORE)
        .map(|s| (earlier[s.problem].0, s.score))
        .collect();
    found.truncate(MAX_FLAGGED);
    found
}

/// A coordinator's decision on a flagged recurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// It is the same problem come back: counted against the unit.
    Confirm,
    /// A different problem that reads alike.
    Dismiss,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Confirm => "confirmed",
            Decision::Dismiss => "dismissed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_written_again_next_year_is_flagged_and_a_different_one_is_not() {
        let earlier = [
            (1, "物业问题回应慢，楼道卫生无人打扫"),
            (2, "理论学习不够深入，满足于抄写笔记"),
            (3, "信访问题处置不及时，回迁群众多次集访"),
        ];
        let found = likely_recurrences("物业问题回应仍然较慢，楼道卫生长期无人打扫", &earlier);
        assert_eq!(found.first().map(|(id, _)| *id), Some(1), "{found:?}");
        assert!(found.iter().all(|(id, _)| *id == 1), "{found:?}");
        assert!(found[0].1 >= MIN_SCORE && found[0].1 <= 1.0);
        assert!(likely_recurrences("党费收缴台账不完整", &earlier).is_empty());
        assert!(likely_recurrences("物业问题", &[]).is_empty());
        assert!(likely_recurrences("  ", &earlier).is_empty());
    }

    #[test]
    fn the_same_title_scores_highest_and_at_most_three_are_flagged() {
        let earlier: Vec<(i64, &str)> = (1..=6).map(|i| (i, "楼道卫生无人打扫")).collect();
        let found = likely_recurrences("楼道卫生无人打扫", &earlier);
        assert_eq!(found.len(), MAX_FLAGGED);
        assert!(found.iter().all(|(_, score)| *score >= 0.99), "{found:?}");
    }
}
