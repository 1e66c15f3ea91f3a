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

/// Up to this many comparisons (problems × causes and measures) every pair is scored; a
/// report of a few hundred items stays exact.
const EXACT_PAIRS: usize = 250_000;
/// In larger documents a cause or measure looks up its own bigrams, rarest first (rare words
/// carry the meaning), until this many problem entries have been read...
const POSTINGS_BUDGET: usize = 4096;
/// ... and the best this many candidates by those bigrams are scored in full.
const CANDIDATES: usize = 64;

/// Measures written one per problem in the problems' order (整改要求 answering a list of
/// problems item by item): when there are as many measures as problems, two or more, the i-th
/// measure is suggested for the i-th problem too. Per measure, the problem its place names.
pub fn by_position(problems: usize, measures: usize) -> Vec<Option<usize>> {
    if problems >= 2 && problems == measures {
        (0..measures).map(Some).collect()
    } else {
        vec![None; measures]
    }
}

/// For each of `others` (causes or measures), the problems it most likely addresses, best
/// first, scores rounded to three decimals. The work is bounded: past [`EXACT_PAIRS`], each is
/// compared with a bounded set of candidates found through an index of rare bigrams.
pub fn suggest(problems: &[&str], others: &[&str]) -> Vec<Vec<Suggestion>> {
    let all: Vec<&str> = problems.iter().chain(others).copied().collect();
    let vectors = vectors(&all);
    let (problem_vectors, other_vectors) = vectors.split_at(problems.len());
    let ranked = |other: &Vector, candidates: &mut dyn Iterator<Item = usize>| {
        let mut found: Vec<Suggestion> = candidates
            .map(|problem| Suggestion {
                problem,
                score: (cosine(other, &problem_vectors[problem]) * 1000.0).round() / 1000.0,
            })
            .filter(|s| s.score >= MIN_SCORE)
            .collect();
        found.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.problem.cmp(&b.problem)));
        found.truncate(MAX_SUGGESTIONS);
        found
    };
    if problems.len().saturating_mul(others.len()) <= EXACT_PAIRS {
        return other_vectors
            .iter()
            .map(|other| ranked(other, &mut (0..problems.len())))
            .collect();
    }
    // bigram → the problems holding it.
    let mut postings: HashMap<u32, Vec<(usize, f64)>> = HashMap::new();
    for (problem, vector) in problem_vectors.iter().enumerate() {
        for (g, w) in vector {
            postings.entry(*g).or_default().push((problem, *w));
        }
    }
    let mut partial = vec![0.0f64; problems.len()];
    let mut touched: Vec<usize> = Vec::new();
    other_vectors
        .iter()
        .map(|other| {
            let mut lists: Vec<(f64, &[(usize, f64)])> = other
                .iter()
                .filter_map(|(g, w)| postings.get(g).map(|list| (*w, list.as_slice())))
                .collect();
            lists.sort_by_key(|(_, list)| list.len());
            let mut read = 0;
            for (w, list) in lists {
                read += list.len();
                if read > POSTINGS_BUDGET {
                    break;
                }
                for (problem, pw) in list {
                    if partial[*problem] == 0.0 {
                        touched.push(*problem);
                    }
                    partial[*problem] += w * pw;
                }
            }
            touched.sort_by(|a, b| partial[*b].total_cmp(&partial[*a]).then(a.cmp(b)));
            let found = ranked(other, &mut touched.iter().take(CANDIDATES).copied());
            for problem in touched.drain(..) {
                partial[problem] = 0.0;
            }
            found
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past the exact limit the index finds nearly always the best match that scoring every
    /// pair finds, and otherwise one nearly as good (numbers and topics here are built to make
    /// close calls).
    #[test]
    fn large_documents_get_the_same_best_suggestions_through_the_index() {
        let topics = [
            "物业服务",
            "信访接待",
            "党费收缴",
            "理论学习",
            "安全生产",
            "环境整治",
            "社区养老",
            "垃圾分类",
            "停车管理",
            "消防通道",
        ];
        let problems: Vec<String> = (0..1200)
            .map(|i| {
                format!(
                    "{}工作不到位，第{}号楼{}反映强烈",
                    topics[i % 10],
                    i,
                    topics[(i / 10) % 10]
                )
            })
            .collect();
        let others: Vec<String> = (0..400)
            .map(|i| format!("加强{}，落实第{}号楼整改", topics[i % 10], i * 3))
            .collect();
        let p: Vec<&str> = problems.iter().map(String::as_str).collect();
        let o: Vec<&str> = others.iter().map(String::as_str).collect();
        assert!(p.len() * o.len() > EXACT_PAIRS);
        let indexed = suggest(&p, &o);
        // In halves, each within the exact limit.
        let exact: Vec<Vec<Suggestion>> =
            o.chunks(200).flat_map(|half| suggest(&p, half)).collect();
        let mut same = 0;
        for (i, found) in indexed.iter().enumerate() {
            let (best, got) = (exact[i][0], found[0]);
            same += usize::from(best.problem == got.problem);
            assert!(
                got.score >= best.score * 0.9,
                "{}: {got:?} against {best:?}",
                o[i]
            );
        }
        assert!(same * 100 >= o.len() * 95, "{same} of {} the same", o.len());
    }

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
    fn measures_match_problems_by_position_only_when_the_counts_agree() {
        assert_eq!(by_position(3, 3), [Some(0), Some(1), Some(2)]);
        assert_eq!(by_position(3, 2), [None, None]);
        assert_eq!(by_position(1, 1), [None]);
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
