//! Which problems a cause or a measure most likely addresses, judged by the character bigrams
//! their texts share. Chinese has no spaces, and two-character words carry most meaning
//! (学习, 党建, 群众), so bigrams weighted by rarity (TF-IDF, cosine) are a fair guess. The
//! answer is only ever a suggestion for a person to confirm.

use std::collections::HashMap;

/// A suggested link: the problem's index and a score in (0, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Suggestion {
    pub problem: usize,
    pub score: f64,
}

/// Below this, shared bigrams are mostly chance.
pub const MIN_SCORE: f64 = 0.05;
/// At most this many problems are suggested for one cause or measure.
pub const MAX_SUGGESTIONS: usize = 5;

fn bigrams(text: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// A sparse unit vector: (bigram number, weight), sorted by bigram number.
type Vector = Vec<(u32, f64)>;

fn vectors(texts: &[&str]) -> Vec<Vector> {
    let mut numbers: HashMap<(char, char), u32> = HashMap::new();
    let docs: Vec<Vec<u32>> = texts
        .iter()
        .map(|t| {
            let mut doc: Vec<u32> = bigrams(t)
                .into_iter()
                .map(|g| {
                    let next = numbers.len() as u32;
                    *numbers.entry(g).or_insert(next)
                })
                .collect();
            doc.sort_unstable();
            doc
        })
        .collect();
    let mut document_frequency = vec![0u32; numbers.len()];
    for doc in &docs {
        let mut previous = None;
        for g in doc {
            if previous != Some(*g) {
                document_frequency[*g as usize] += 1;
                previous = Some(*g);
            }
        }
    }
    let n = texts.len() as f64;
    docs.into_iter()
        .map(|doc| {
            let mut v: Vector = Vec::new();
            for g in doc {
                match v.last_mut() {
                    Some((last, tf)) if *last == g => *tf += 1.0,
                    _ => v.push((g, 1.0)),
                }
            }
            for (g, tf) in v.iter_mut() {
                *tf *= (1.0 + n / document_frequency[*g as usize] as f64).ln();
            }
            let norm = v.iter().map(|(_, x)| x * x).sum::<f64>().sqrt();
            if norm > 0.0 {
                v.iter_mut().for_each(|(_, x)| *x /= norm);
            }
            v
        })
        .collect()
}

fn cosine(a: &Vector, b: &Vector) -> f64 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// For each of `others` (causes or measures), the problems it most likely addresses, best
/// first, scores rounded to three decimals.
pub fn suggest(problems: &[&str], others: &[&str]) -> Vec<Vec<Suggestion>> {
    let all: Vec<&str> = problems.iter().chain(others).copied().collect();
    let vectors = vectors(&all);
    let (problem_vectors, other_vectors) = vectors.split_at(problems.len());
    other_vectors
        .iter()
        .map(|other| {
            let mut found: Vec<Suggestion> = problem_vectors
                .iter()
                .enumerate()
                .map(|(problem, p)| Suggestion {
                    problem,
                    score: (cosine(other, p) * 1000.0).round() / 1000.0,
                })
                .filter(|s| s.score >= MIN_SCORE)
                .collect();
            found.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.problem.cmp(&b.problem)));
            found.truncate(MAX_SUGGESTIONS);
            found
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_is_suggested_for_the_problems_it_shares_words_with() {
        let problems = [
            "理论学习不够深入，学习笔记流于形式",
            "物业服务回应慢，楼道卫生无人打扫",
            "党员教育形式单一，理论学习以读文件为主",
        ];
        let causes = [
            "对理论学习重视不够，学习自觉性不强",
            "对物业公司监督不到位，物业服务考核没有落实",
        ];
        let found = suggest(&problems, &causes);
        assert_eq!(found[0][0].problem, 0);
        assert!(found[0].iter().any(|s| s.problem == 2), "{:?}", found[0]);
        assert!(!found[0].iter().any(|s| s.problem == 1), "{:?}", found[0]);
        assert_eq!(found[1].iter().map(|s| s.problem).collect::<Vec<_>>(), [1]);
        assert!(found
            .iter()
            .flatten()
            .all(|s| s.score > 0.0 && s.score <= 1.0));
    }

    #[test]
    fn nothing_shared_suggests_nothing() {
        assert_eq!(suggest(&["甲乙丙"], &["丁戊己"]), vec![vec![]]);
        assert_eq!(suggest(&[], &["丁戊己"]), vec![vec![]]);
        assert!(suggest(&["甲乙丙"], &[]).is_empty());
        assert_eq!(suggest(&[""], &[""]), vec![vec![]]);
    }

    #[test]
    fn identical_text_scores_one() {
        let found = suggest(&["加强理论学习"], &["加强理论学习"]);
        assert_eq!(
            found[0],
            vec![Suggestion {
                problem: 0,
                score: 1.0
            }]
        );
    }
}
