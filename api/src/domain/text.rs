//! What text the service keeps: any Unicode but control characters, except the tab and the
//! line breaks that multi-line text holds. A NUL cannot be stored by PostgreSQL at all, and
//! the others corrupt exports and logs; both backends refuse them alike.

/// The first character text may not hold, if any.
pub fn forbidden_char(text: &str) -> Option<char> {
    text.chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// Text taken from an imported document, made storable: vertical tabs and form feeds (what
/// Word's line and page breaks become in copied text) turn into line breaks, and other
/// control characters are dropped.
pub fn scrub(text: &str) -> std::borrow::Cow<'_, str> {
    if forbidden_char(text).is_none() {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .filter_map(|c| match c {
            '\u{b}' | '\u{c}' => Some('\n'),
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => None,
            c => Some(c),
        })
        .collect::<String>()
        .into()
}

/// How a forbidden character is named in an error message.
pub fn describe(c: char) -> String {
    format!(
        "must not contain control characters (found U+{:04X})",
        c as u32
    )
}

/// Chinese characters, their punctuation and full-width forms.
pub fn is_wide(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}' | '\u{FFE0}'..='\u{FFE6}' | '\u{20000}'..='\u{3FFFF}'
        | '“' | '”' | '‘' | '’' | '…' | '—')
}

/// Columns a text takes on a page or in a terminal: a Chinese character two, a half-width
/// one one.
pub fn display_width(line: &str) -> usize {
    line.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// `text` in exactly `width` columns: cut with `…` when longer, padded with spaces when
/// shorter (so that Chinese lines up in a terminal, where `{:<30}` counts characters).
pub fn fit(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    if display_width(text) > width {
        let ellipsis = display_width("…");
        for c in text.chars() {
            let w = if is_wide(c) { 2 } else { 1 };
            if used + w + ellipsis > width {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
        used += ellipsis;
    } else {
        out.push_str(text);
        used = display_width(text);
    }
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_lines_up_by_the_columns_it_takes() {
        assert_eq!(display_width("学习a1"), 6);
        assert_eq!(fit("学习", 6), "学习  ");
        assert_eq!(fit("理论学习不深入", 8), "理论学…");
        assert_eq!(display_width(&fit("理论学习不深入", 9)), 9);
        assert_eq!(fit("abcd", 3), "a…");
    }

    #[test]
    fn control_characters_are_refused_but_tabs_and_line_breaks_kept() {
        assert_eq!(forbidden_char("整改措施\n第二行\t制表\r\n"), None);
        assert_eq!(forbidden_char("a\0b"), Some('\0'));
        assert_eq!(forbidden_char("\u{7}bell"), Some('\u{7}'));
        assert_eq!(forbidden_char("del\u{7f}"), Some('\u{7f}'));
        assert_eq!(forbidden_char("c1\u{85}"), Some('\u{85}'));
        assert_eq!(
            describe('\0'),
            "must not contain control characters (found U+0000)"
        );
        assert_eq!(scrub("一是\u{b}二是\0。"), "一是\n二是。");
        assert!(matches!(scrub("clean"), std::borrow::Cow::Borrowed(_)));
    }
}
