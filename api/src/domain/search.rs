//! How problems are found by words in their key, title and description: by every pair of
//! neighbouring characters, which serves Chinese (where words are not spaced) as well as
//! anything else. A term found in a text has all its pairs among the text's, so the search
//! index narrows a search to the problems holding the term's pairs, and the text itself then
//! decides. A one-character term has no pair and is searched without the index.

/// The most pairs a search looks up: any of a term's pairs narrow it, and more only cost.
pub const MAX_QUERY_GRAMS: usize = 16;

/// The index words of a text: each pair of neighbouring characters, lower-cased, as one 32-bit
/// number (the first character's code in the high half, the second's in the low: exact for
/// every character of the Basic Multilingual Plane, Chinese included; rarer characters may
/// share numbers, which only widens what the text then decides). Sorted, without repeats.
pub fn grams(text: &str) -> Vec<u32> {
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    let mut grams: Vec<u32> = chars
        .windows(2)
        .map(|w| (w[0] as u32).wrapping_shl(16) ^ w[1] as u32)
        .collect();
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// What a problem is indexed by: its key, title and description (on lines of their own).
pub fn problem_grams(key: &str, title: &str, description: &str) -> Vec<u32> {
    grams(&format!("{key}\n{title}\n{description}"))
}

/// The index words a search for `term` looks up (none for a term of one character).
pub fn query_grams(term: &str) -> Vec<u32> {
    let mut grams = grams(term.trim());
    grams.truncate(MAX_QUERY_GRAMS);
    grams
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_pair_of_chinese_characters_is_one_number() {
        assert_eq!(grams("物业"), vec![0x7269_4e1a]);
        assert_eq!(grams("物业物业"), vec![0x4e1a_7269, 0x7269_4e1a]);
        assert_eq!(query_grams(" 物 "), Vec::<u32>::new());
        assert_eq!(grams("AB"), grams("ab"));
        assert_ne!(grams("ab"), grams("ba"));
    }

    #[test]
    fn a_long_term_looks_up_a_bounded_number_of_pairs() {
        let term = "理论学习不经常不深入，联系群众不够紧密，工作作风不够扎实";
        assert_eq!(query_grams(term).len(), MAX_QUERY_GRAMS);
        assert!(grams(term).len() > MAX_QUERY_GRAMS);
    }

    proptest! {
        /// Whatever the text and wherever the term falls in it (across the fields too), the
        /// term's words are among the problem's: the index never hides a match.
        #[test]
        fn every_term_found_in_a_problem_has_its_words_in_the_problem(
            key in "[A-Z]{2,4}-[0-9]{1,3}",
            title in "[a-zA-Z0-9 物业管理信访群众，。“”-]{0,20}",
            description in "\\PC{0,30}",
            start in 0usize..60,
            len in 2usize..12,
        ) {
            let text = format!("{key}\n{title}\n{description}").to_lowercase();
            let chars: Vec<char> = text.chars().collect();
            prop_assume!(start + len <= chars.len());
            let term: String = chars[start..start + len].iter().collect();
            prop_assume!(term.trim() == term);
            let words = problem_grams(&key, &title, &description);
            for g in query_grams(&term) {
                prop_assert!(words.binary_search(&g).is_ok(), "{:x} of {:?}", g, term);
            }
        }
    }
}
