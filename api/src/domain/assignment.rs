//! Who is to fix a problem and by when, as reports write it beside the problems: a group line
//! such as `责任单位：办公室、组织部 整改时限：2024年6月底前`, or the same clauses at the end of
//! one item. Units, the owner and the deadline are read as written; the caller resolves names
//! to records and the deadline against the document's date.

use chrono::{Datelike, Months, NaiveDate};

use super::ledger::{self, Cell, Deadline};

/// What a report says of who fixes a problem and by when, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Assignment {
    /// Responsible units, the lead unit first (`牵头单位`, `责任单位：甲、乙`).
    pub units: Vec<String>,
    pub owner: Option<String>,
    /// The deadline as written (`2024年6月底前`, `立行立改`, `30天`).
    pub deadline: Option<String>,
}

impl Assignment {
    pub fn is_empty(&self) -> bool {
        self.units.is_empty() && self.owner.is_none() && self.deadline.is_none()
    }

    /// This assignment with what it leaves unsaid taken from `group`.
    pub fn or(&self, group: &Assignment) -> Assignment {
        Assignment {
            units: if self.units.is_empty() {
                group.units.clone()
            } else {
                self.units.clone()
            },
            owner: self.owner.clone().or_else(|| group.owner.clone()),
            deadline: self.deadline.clone().or_else(|| group.deadline.clone()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Unit,
    Owner,
    Deadline,
    /// Read so that it leaves the text, but not kept (配合单位: units that help).
    Ignored,
}

/// Labels, longest first where one ends another.
const LABELS: [(&str, Field); 19] = [
    ("问题整改责任单位", Field::Unit),
    ("整改责任单位", Field::Unit),
    ("牵头责任单位", Field::Unit),
    ("责任单位", Field::Unit),
    ("牵头单位", Field::Unit),
    ("责任部门", Field::Unit),
    ("牵头部门", Field::Unit),
    ("责任科室", Field::Unit),
    ("主责单位", Field::Unit),
    ("配合单位", Field::Ignored),
    ("配合部门", Field::Ignored),
    ("具体责任人", Field::Owner),
    ("整改责任人", Field::Owner),
    ("责任领导", Field::Owner),
    ("责任人", Field::Owner),
    ("整改时限", Field::Deadline),
    ("完成时限", Field::Deadline),
    ("整改期限", Field::Deadline),
    ("完成时间", Field::Deadline),
];

/// A label with its colon at `chars[i..]`: (field, chars used).
fn label_at(chars: &[char], i: usize) -> Option<(Field, usize)> {
    // Every label starts with one of these: most positions are passed over at once.
    if !"问整牵责主配具完".contains(chars[i]) {
        return None;
    }
    LABELS.iter().find_map(|(label, field)| {
        let len = label.chars().count();
        let matches = chars.len() > i + len
            && chars[i..i + len].iter().copied().eq(label.chars())
            && matches!(chars[i + len], '：' | ':');
        matches.then_some((*field, len + 1))
    })
}

/// Takes the assignment clauses out of a text: the text without them, and what they said
/// (None when there were none).
pub fn take(text: &str) -> (String, Option<Assignment>) {
    // No colon, no clause: most paragraphs are passed over at once.
    if !text.contains(['：', ':']) {
        return (text.to_owned(), None);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut rest = String::with_capacity(text.len());
    let mut found = Assignment::default();
    let mut any = false;
    let mut i = 0;
    while i < chars.len() {
        let Some((field, used)) = label_at(&chars, i) else {
            rest.push(chars[i]);
            i += 1;
            continue;
        };
        any = true;
        let start = i + used;
        let mut end = start;
        while end < chars.len()
            && !"。；;\n".contains(chars[end])
            && label_at(&chars, end).is_none()
        {
            end += 1;
        }
        let value: String = chars[start..end].iter().collect();
        let value = value
            .trim_matches(|c: char| c.is_whitespace() || "，,、".contains(c))
            .to_owned();
        if !value.is_empty() {
            match field {
                Field::Unit => found.units.extend(
                    value
                        .split(['、', '，', ',', '；', '/'])
                        .map(|u| u.trim().to_owned())
                        .filter(|u| !u.is_empty()),
                ),
                Field::Owner => {
                    found.owner = value
                        .split(['、', '，', ',', '；', '/'])
                        .map(|o| o.trim().to_owned())
                        .find(|o| !o.is_empty())
                }
                Field::Deadline => found.deadline = Some(value),
                Field::Ignored => {}
            }
        }
        // The clause's own end mark goes with it.
        i = if end < chars.len() && "。；;".contains(chars[end]) {
            end + 1
        } else {
            end
        };
    }
    if !any {
        return (text.to_owned(), None);
    }
    let rest = rest
        .trim_matches(|c: char| c.is_whitespace() || "，,；;（(）)".contains(c))
        .to_owned();
    (rest, Some(found))
}

/// A deadline as a report writes it, on the calendar of the document dated `base`: what a
/// sheet's cell may say, plus `30天` / `30日内` / `3个月` counted from `base`, and `6月底前`
/// without a year (the next such month end on or after `base`).
pub fn deadline(written: &str, base: NaiveDate) -> Result<Deadline, String> {
    let compact: String = written.chars().filter(|c| !c.is_whitespace()).collect();
    let core = compact
        .trim_end_matches(['前', '内'])
        .trim_end_matches("以")
        .trim_end_matches("之");
    let number = |s: &str| s.parse::<u32>().ok().filter(|n| (1..=3650).contains(n));
    for unit in ["个工作日", "个自然日", "天", "日"] {
        if let Some(n) = core.strip_suffix(unit).and_then(number) {
            // Working days are counted as calendar days at 7/5 (no holiday calendar here).
            let days = if unit == "个工作日" { n * 7 / 5 } else { n };
            return base
                .checked_add_days(chrono::Days::new(u64::from(days)))
                .map(Deadline::On)
                .ok_or_else(|| format!("“{written}” is out of range"));
        }
    }
    for unit in ["个月", "月"] {
        if let Some(n) = core
            .strip_suffix(unit)
            .and_then(number)
            .filter(|n| *n <= 120)
        {
            return base
                .checked_add_months(Months::new(n))
                .map(Deadline::On)
                .ok_or_else(|| format!("“{written}” is out of range"));
        }
    }
    // 6月底前, 6月30日前: this year's, or next year's when that is already past.
    if !core.contains('年') && core.contains('月') {
        let with_year = format!("{}年{compact}", base.year());
        if let Ok(Deadline::On(date)) = ledger::parse_deadline(&Cell::Text(with_year)) {
            let date = if date < base {
                date.checked_add_months(Months::new(12)).unwrap_or(date)
            } else {
                date
            };
            return Ok(Deadline::On(date));
        }
    }
    ledger::parse_deadline(&Cell::Text(compact))
}

/// The date a document gives itself: the last line that is only a date (the signature's).
pub fn document_date<'a>(
    paragraphs: impl DoubleEndedIterator<Item = &'a str>,
) -> Option<NaiveDate> {
    paragraphs.rev().find_map(|p| {
        let compact: String = p.chars().filter(|c| !c.is_whitespace()).collect();
        if !compact.ends_with('日') || compact.chars().count() > 12 || !compact.contains('年') {
            return None;
        }
        match ledger::parse_deadline(&Cell::Text(compact)) {
            Ok(Deadline::On(date)) => Some(date),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_group_line_is_nothing_but_its_assignment() {
        let (rest, found) = take("问题整改责任单位：办公室、组织部 整改时限：2024年6月底前");
        assert_eq!(rest, "");
        assert_eq!(
            found,
            Some(Assignment {
                units: vec!["办公室".into(), "组织部".into()],
                owner: None,
                deadline: Some("2024年6月底前".into()),
            })
        );
        let (rest, found) =
            take("牵头单位：机关党委；配合单位：办公室；责任人：张伟。整改时限：立行立改。");
        assert_eq!(rest, "");
        let found = found.unwrap();
        assert_eq!(found.units, ["机关党委"]);
        assert_eq!(found.owner.as_deref(), Some("张伟"));
        assert_eq!(found.deadline.as_deref(), Some("立行立改"));
    }

    #[test]
    fn an_item_keeps_its_words_and_gives_up_its_clauses() {
        let (rest, found) =
            take("学习制度执行不严格，缺勤较多。责任单位：办公室。完成时限：30天。");
        assert_eq!(rest, "学习制度执行不严格，缺勤较多。");
        assert_eq!(found.unwrap().deadline.as_deref(), Some("30天"));
        // A word that merely contains a label is not a clause.
        let (rest, found) = take("明确责任单位和时限要求。");
        assert_eq!((rest.as_str(), found), ("明确责任单位和时限要求。", None));
        // Text without clauses is left exactly as it was.
        let (rest, found) = take("修订管理办法（试行）：细化条款，");
        assert_eq!(
            (rest.as_str(), found),
            ("修订管理办法（试行）：细化条款，", None)
        );
    }

    #[test]
    fn deadlines_are_read_on_the_documents_calendar() {
        let base = day(2024, 3, 15);
        let on = |y, m, d| Ok(Deadline::On(day(y, m, d)));
        assert_eq!(deadline("2024年6月底前", base), on(2024, 6, 30));
        assert_eq!(deadline("30天", base), on(2024, 4, 14));
        assert_eq!(deadline("15日内", base), on(2024, 3, 30));
        assert_eq!(deadline("3个月内", base), on(2024, 6, 15));
        assert_eq!(deadline("6月底前", base), on(2024, 6, 30));
        assert_eq!(deadline("2月底前", base), on(2025, 2, 28));
        assert_eq!(deadline("立行立改", base), Ok(Deadline::Immediate));
        assert_eq!(deadline("长期坚持", base), Ok(Deadline::LongTerm));
        assert!(deadline("尽快", base).is_err());
    }

    #[test]
    fn a_document_dates_itself_at_its_signature() {
        let lines = ["关于巡察整改的报告", "正文", "某某党委", "2024年3月15日"];
        assert_eq!(document_date(lines.into_iter()), Some(day(2024, 3, 15)));
        assert_eq!(document_date(["正文"].into_iter()), None);
    }
}
