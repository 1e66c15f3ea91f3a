//! 问题反弹 ("年年提、年年改"): a problem found again in a later review. Each new problem is
//! compared with the closed problems of earlier reviews of the same subtree by the words
//! (character bigrams, weighted by rarity) their titles share; the likeliest above a threshold
//! are flagged for a coordinator to confirm or dismiss. Only ever a suggestion.

use std::collections::{BTreeSet, HashMap, HashSet};

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

/// How a title's earlier occurrences are looked for in the whole history of the subtree, by
/// the search index: each group names pairs (search-index numbers) a problem must all hold to
/// be a candidate; the groups are looked up one by one.
///
/// The pairs that single a title out are those fewest of `sample` hold (titles of the ledger,
/// a picture of its wording): a pair held by more than one sampled title in five is the
/// ledger's common language (问题, 不够, 整改) and never used, nor is a pair of digits (every
/// key has them). Up to [`RARE_PAIRS`] of the rarest that do not overlap in the title are
/// looked up together, and, when there are three or more, every set of them but one as well:
/// a problem written again keeps most of its words, so it holds one of the sets even if one
/// word changed. The pairs no sampled title holds (rare words, or words new to the ledger) are
/// looked up alone, up to [`UNSEEN_PAIRS`]. The groups come most telling first: a search may
/// stop at the first that finds a likely recurrence.
pub fn search_groups(title: &str, sample: &[&str]) -> Vec<Vec<u32>> {
    let chars: Vec<char> = title.to_lowercase().chars().collect();
    let held: Vec<Vec<u32>> = sample.iter().map(|t| super::search::grams(t)).collect();
    // (how many sampled titles hold it, where it starts in the title, the pair)
    let mut pairs: Vec<(usize, usize, u32)> = Vec::new();
    for (at, w) in chars.windows(2).enumerate() {
        if !w.iter().all(|c| c.is_alphanumeric()) || w.iter().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let Some(gram) = super::search::grams(&w.iter().collect::<String>()).pop() else {
            continue;
        };
        if pairs.iter().any(|(_, _, g)| *g == gram) {
            continue;
        }
        let df = held
            .iter()
            .filter(|h| h.binary_search(&gram).is_ok())
            .count();
        pairs.push((df, at, gram));
    }
    pairs.sort_unstable();
    let unseen: Vec<Vec<u32>> = pairs
        .iter()
        .filter(|(df, _, _)| *df == 0)
        .take(UNSEEN_PAIRS)
        .map(|(_, _, g)| vec![*g])
        .collect();
    let mut groups = Vec::new();
    let common = |df: usize| df * 5 > sample.len().max(5);
    let mut rare: Vec<(usize, u32)> = Vec::new();
    for (_, at, gram) in pairs.iter().filter(|(df, _, _)| *df > 0 && !common(*df)) {
        // Pairs sharing a character say the same word twice.
        if rare.iter().all(|(other, _)| at.abs_diff(*other) >= 2) {
            rare.push((*at, *gram));
        }
        if rare.len() == RARE_PAIRS {
            break;
        }
    }
    let rare: Vec<u32> = rare.into_iter().map(|(_, g)| g).collect();
    if !rare.is_empty() {
        groups.push(rare.clone());
    }
    if rare.len() >= 3 {
        for left_out in 0..rare.len() {
            let mut group = rare.clone();
            group.remove(left_out);
            groups.push(group);
        }
    }
    groups.extend(unseen);
    groups
}

/// At most this many of a title's rarest pairs are looked up together.
pub const RARE_PAIRS: usize = 5;
/// At most this many pairs no sampled title holds are looked up alone.
pub const UNSEEN_PAIRS: usize = 4;

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

/// A problem is raised "year after year" (年年提) when confirmed recurrences link it back
/// through problems of at least this many different reviews.
pub const YEAR_AFTER_YEAR_REVIEWS: usize = 3;

/// 年年提: from confirmed recurrence links `(problem, the earlier problem it repeats)` and
/// each problem's review, the chains that span at least [`YEAR_AFTER_YEAR_REVIEWS`] reviews.
/// Each chain is named by its newest problem (one no later problem repeats), given first, with
/// every problem it reaches back to, oldest review first (ids in order within a review).
/// `newest` limits the chains to those whose newest problem is among them (the report's scope).
pub fn year_after_year(
    links: &[(i64, i64)],
    review_of: &HashMap<i64, (i64, chrono::NaiveDate)>,
    newest: impl Fn(i64) -> bool,
) -> Vec<(i64, Vec<i64>)> {
    let mut earlier: HashMap<i64, Vec<i64>> = HashMap::new();
    let repeated: HashSet<i64> = links.iter().map(|(_, e)| *e).collect();
    for (problem, earlier_id) in links {
        earlier.entry(*problem).or_default().push(*earlier_id);
    }
    let mut heads: Vec<i64> = earlier
        .keys()
        .copied()
        .filter(|p| !repeated.contains(p) && newest(*p))
        .collect();
    heads.sort_unstable();
    let mut chains = Vec::new();
    for head in heads {
        // Every problem the head reaches back to; a set, so a cycle cannot loop.
        let mut reached = BTreeSet::from([head]);
        let mut frontier = vec![head];
        while let Some(p) = frontier.pop() {
            for e in earlier.get(&p).into_iter().flatten() {
                if reached.insert(*e) {
                    frontier.push(*e);
                }
            }
        }
        let reviews: HashSet<i64> = reached
            .iter()
            .filter_map(|p| review_of.get(p).map(|(r, _)| *r))
            .collect();
        if reviews.len() >= YEAR_AFTER_YEAR_REVIEWS {
            let mut chain: Vec<i64> = reached.into_iter().collect();
            chain.sort_by_key(|p| (review_of.get(p).map(|(r, held)| (*held, *r)), *p));
            chains.push((head, chain));
        }
    }
    chains
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_is_looked_for_by_its_rarest_words_together_and_its_unseen_words_alone() {
        let gram = |s: &str| crate::domain::search::grams(s)[0];
        let sample = ["东风小区", "物业公司", "投诉热线", "学习问题", "作风问题"];
        // 东风, 物业 and 投诉 are each in one sampled title and do not overlap: together,
        // and each two of them. 风物 and 业投 are in none: alone.
        let groups = search_groups("东风物业投诉", &sample);
        let (east, property, complaint) = (gram("东风"), gram("物业"), gram("投诉"));
        assert_eq!(
            groups,
            vec![
                vec![east, property, complaint],
                vec![property, complaint],
                vec![east, complaint],
                vec![east, property],
                vec![gram("风物")],
                vec![gram("业投")],
            ]
        );
        // A word much of the ledger says (问题: two titles in five) is never used; of two
        // pairs sharing a character (东风, 风问: each in one title), only one is taken.
        assert_eq!(search_groups("东风问题", &sample), vec![vec![east]]);
        // Digits are in every key: never used. Unseen pairs are looked up alone, at most four.
        let unseen = search_groups("第12村级财务公开栏长期未更新", &sample);
        assert_eq!(unseen.len(), UNSEEN_PAIRS);
        assert!(unseen.iter().all(|g| g.len() == 1 && g[0] != gram("12")));
        // Punctuation makes no pair; nothing to look for in nothing.
        assert_eq!(search_groups("物业，", &sample), vec![vec![property]]);
        assert!(search_groups("", &sample).is_empty());
    }

    #[test]
    fn a_problem_found_back_in_three_reviews_is_raised_year_after_year() {
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        let review_of: HashMap<i64, (i64, chrono::NaiveDate)> = [
            (1, (10, d("2024-03-01"))),
            (2, (20, d("2025-03-01"))),
            (3, (30, d("2026-03-01"))),
            (4, (20, d("2025-03-01"))),
            (5, (30, d("2026-03-01"))),
            (6, (20, d("2025-03-01"))),
        ]
        .into();
        // 3 repeats 2, which repeats 1: three reviews. 5 repeats 4 only: two. 6 repeats 1
        // within its own chain of two.
        let links = [(3, 2), (2, 1), (5, 4), (6, 1)];
        assert_eq!(
            year_after_year(&links, &review_of, |_| true),
            vec![(3, vec![1, 2, 3])]
        );
        // Out of scope, the chain's newest problem names nothing.
        assert!(year_after_year(&links, &review_of, |p| p != 3).is_empty());
        // Two problems of one review found back later count the review once.
        let links = [(5, 4), (5, 6)];
        assert!(year_after_year(&links, &review_of, |_| true).is_empty());
        // A cycle (a wrong confirmation) ends.
        let links = [(3, 2), (2, 1), (1, 3)];
        assert!(year_after_year(&links, &review_of, |_| true).is_empty());
    }

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
