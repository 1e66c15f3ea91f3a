//! 督办 notices (DOMAIN.md "Supervision"): a supervising unit's numbered notice to a unit
//! below it, naming problems and the day by which the unit must reply. Numbered per issuing
//! organization and year, as offices number their documents: 督〔2026〕17号.

use chrono::NaiveDate;

/// Days a unit has to reply to a notice, unless its issuer names a day.
pub const DEFAULT_REPLY_DAYS: i64 = 7;

/// The notice's reference as printed: `督〔2026〕17号`.
pub fn reference(year: i32, number: i64) -> String {
    format!("督〔{year}〕{number}号")
}

/// The day a notice issued on `issued_on` must be replied to by default.
pub fn default_reply_by(issued_on: NaiveDate) -> NaiveDate {
    issued_on + chrono::Duration::days(DEFAULT_REPLY_DAYS)
}

/// Days the reply is late on `today` (0 when replied, or not yet due): a reply is due by the
/// end of `reply_by` on the recipient's calendar.
pub fn reply_days_overdue(reply_by: NaiveDate, replied: bool, today: NaiveDate) -> i64 {
    if replied {
        0
    } else {
        (today - reply_by).num_days().max(0)
    }
}

/// Whether a unit may be sent a notice by another: only a unit strictly below the issuer (by
/// their organization paths, `/1/4/` under `/1/`).
pub fn may_supervise(issuer_path: &str, recipient_path: &str) -> bool {
    recipient_path.len() > issuer_path.len() && recipient_path.starts_with(issuer_path)
}

/// The subject of a notice the ladder issues by itself for a problem long overdue.
pub fn automatic_subject(key: &str, title: &str) -> String {
    format!("关于督促整改{key}“{title}”的督办通知")
}

/// The body of such a notice.
pub fn automatic_body(key: &str, deadline: NaiveDate, days_overdue: i64) -> String {
    format!(
        "问题{key}的整改时限为{deadline}，现已逾期{days_overdue}天仍未完成整改。请责任单位于回复期限前书面回复整改进展、未按期完成的原因和下一步措施。"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_notice_is_referenced_as_offices_number_their_documents() {
        assert_eq!(reference(2026, 17), "督〔2026〕17号");
        assert_eq!(reference(2027, 1), "督〔2027〕1号");
    }

    #[test]
    fn a_reply_is_late_from_the_day_after_its_last_day() {
        let by = d("2026-12-10");
        assert_eq!(default_reply_by(d("2026-12-03")), by);
        assert_eq!(reply_days_overdue(by, false, d("2026-12-10")), 0);
        assert_eq!(reply_days_overdue(by, false, d("2026-12-12")), 2);
        assert_eq!(reply_days_overdue(by, true, d("2026-12-12")), 0);
        assert_eq!(reply_days_overdue(by, false, d("2026-12-01")), 0);
    }

    #[test]
    fn only_a_unit_strictly_below_may_be_supervised() {
        assert!(may_supervise("/1/", "/1/4/"));
        assert!(may_supervise("/1/", "/1/4/9/"));
        assert!(!may_supervise("/1/4/", "/1/4/"));
        assert!(!may_supervise("/1/4/", "/1/"));
        assert!(!may_supervise("/1/4/", "/1/5/"));
        assert!(!may_supervise("/1/4/", "/1/40/"));
    }

    #[test]
    fn an_automatic_notice_names_the_problem_and_how_late_it_is() {
        let subject = automatic_subject("DFSQ-3", "物业服务投诉处理不及时");
        assert!(subject.contains("DFSQ-3") && subject.contains("督办"));
        let body = automatic_body("DFSQ-3", d("2026-12-10"), 15);
        assert!(body.contains("2026-12-10") && body.contains("15天"));
    }
}
