//! Word's automatic numbering, written out as the text a reader sees (`一、`, `（一）`, `1.`,
//! `①`), so that a document numbered by Word reads like one typed by hand. Word keeps the
//! numbers out of the text: each numbered paragraph names a list and a level, and the list's
//! definition gives each level a format (`chineseCounting`), a pattern (`（%1）`) and a start.

use std::collections::HashMap;

/// Levels a Word list has.
pub const LEVELS: usize = 9;

/// One level of a list definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    pub start: u32,
    /// Word's `numFmt`: `decimal`, `chineseCounting`, `decimalEnclosedCircle`, `bullet`, …
    pub format: String,
    /// Word's `lvlText`: `%1、`, `（%1）`, `%1.%2`.
    pub pattern: String,
}

impl Default for Level {
    fn default() -> Self {
        Self {
            start: 1,
            format: "decimal".to_owned(),
            pattern: String::new(),
        }
    }
}

/// A list as a paragraph names it (`numId`): its definition, and the levels it restarts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct List {
    pub definition: u32,
    /// `lvlOverride/startOverride`: this list counts on its own from these starts.
    pub restarts: HashMap<usize, u32>,
}

/// The lists of one document, and the counts reached so far as its paragraphs are read.
#[derive(Debug, Default)]
pub struct Numbering {
    pub definitions: HashMap<u32, Vec<Level>>,
    pub lists: HashMap<u32, List>,
    /// Counts per counter: lists that restart count alone, the others share their definition's.
    counts: HashMap<(bool, u32), [Option<u32>; LEVELS]>,
}

impl Numbering {
    /// The label of the next paragraph in list `list` at `level`, counting it; None when the
    /// list is unknown or the level is a bullet (no number to show).
    pub fn next_label(&mut self, list: u32, level: usize) -> Option<String> {
        if level >= LEVELS {
            return None;
        }
        let entry = self.lists.get(&list)?;
        let levels = self.definitions.get(&entry.definition)?;
        let counter = if entry.restarts.is_empty() {
            (false, entry.definition)
        } else {
            (true, list)
        };
        let start_of = |l: usize| {
            entry
                .restarts
                .get(&l)
                .copied()
                .or_else(|| levels.get(l).map(|lv| lv.start))
                .unwrap_or(1)
        };
        let counts = self.counts.entry(counter).or_insert([None; LEVELS]);
        counts[level] = Some(counts[level].map_or(start_of(level), |n| n.saturating_add(1)));
        for deeper in counts.iter_mut().skip(level + 1) {
            *deeper = None;
        }
        let this = levels.get(level)?;
        if this.format == "bullet" || this.format == "none" {
            return None;
        }
        let mut label = String::new();
        let mut chars = this.pattern.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek().and_then(|d| d.to_digit(10))) {
                ('%', Some(d)) if (1..=LEVELS as u32).contains(&d) => {
                    chars.next();
                    let l = d as usize - 1;
                    let n = counts[l].unwrap_or_else(|| start_of(l));
                    let format = levels.get(l).map_or("decimal", |lv| lv.format.as_str());
                    label.push_str(&format_number(n, format));
                }
                _ => label.push(c),
            }
        }
        Some(label)
    }
}

/// A number in one of Word's formats; unknown formats are written in digits.
pub fn format_number(n: u32, format: &str) -> String {
    match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "chineseLegalSimplified"
        | "ideographDigital"
        | "taiwaneseCounting" => chinese(n),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32('①' as u32 + n - 1).map_or_else(|| n.to_string(), String::from)
        }
        "ideographTraditional" if (1..=10).contains(&n) => "甲乙丙丁戊己庚辛壬癸"
            .chars()
            .nth(n as usize - 1)
            .map_or_else(String::new, String::from),
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .filter_map(|d| char::from_u32('０' as u32 + d.to_digit(10)?))
            .collect(),
        "lowerLetter" | "upperLetter" if (1..=26).contains(&n) => {
            let base = if format == "lowerLetter" { b'a' } else { b'A' };
            ((base + (n - 1) as u8) as char).to_string()
        }
        _ => n.to_string(),
    }
}

/// 1..99 in Chinese numerals, as reports number their sections; larger in digits.
fn chinese(n: u32) -> String {
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    match n {
        0..=9 => DIGITS[n as usize].to_string(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", DIGITS[(n % 10) as usize]),
        20..=99 if n.is_multiple_of(10) => format!("{}十", DIGITS[(n / 10) as usize]),
        20..=99 => format!(
            "{}十{}",
            DIGITS[(n / 10) as usize],
            DIGITS[(n % 10) as usize]
        ),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(format: &str, pattern: &str) -> Level {
        Level {
            start: 1,
            format: format.to_owned(),
            pattern: pattern.to_owned(),
        }
    }

    #[test]
    fn numbers_are_written_as_a_report_numbers_them() {
        for (n, format, shown) in [
            (1, "chineseCounting", "一"),
            (10, "chineseCounting", "十"),
            (12, "chineseCountingThousand", "十二"),
            (20, "chineseCounting", "二十"),
            (34, "chineseCounting", "三十四"),
            (3, "decimalEnclosedCircle", "③"),
            (2, "ideographTraditional", "乙"),
            (12, "decimalFullWidth", "１２"),
            (3, "lowerLetter", "c"),
            (7, "decimal", "7"),
            (7, "somethingNew", "7"),
        ] {
            assert_eq!(format_number(n, format), shown, "{n} {format}");
        }
    }

    #[test]
    fn levels_count_restart_below_and_lists_that_restart_count_alone() {
        let mut numbering = Numbering::default();
        numbering.definitions.insert(
            0,
            vec![
                level("chineseCounting", "%1、"),
                level("chineseCounting", "（%2）"),
                level("decimal", "%2.%3"),
                level("bullet", "•"),
            ],
        );
        numbering.lists.insert(
            1,
            List {
                definition: 0,
                restarts: HashMap::new(),
            },
        );
        numbering.lists.insert(
            2,
            List {
                definition: 0,
                restarts: HashMap::from([(0, 1)]),
            },
        );
        let mut next = |list, level| numbering.next_label(list, level);
        assert_eq!(next(1, 0).as_deref(), Some("一、"));
        assert_eq!(next(1, 1).as_deref(), Some("（一）"));
        assert_eq!(next(1, 1).as_deref(), Some("（二）"));
        assert_eq!(next(1, 2).as_deref(), Some("二.1"));
        assert_eq!(next(1, 3), None);
        assert_eq!(next(1, 0).as_deref(), Some("二、"));
        // The level below starts again under a new heading.
        assert_eq!(next(1, 1).as_deref(), Some("（一）"));
        // A list that restarts counts on its own.
        assert_eq!(next(2, 0).as_deref(), Some("一、"));
        assert_eq!(next(1, 0).as_deref(), Some("三、"));
        assert_eq!(next(9, 0), None);
        assert_eq!(next(1, 12), None);
    }
}
