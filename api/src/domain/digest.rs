//! The weekly overdue digest: what one coordinator or owner should look at this week, and how
//! it reads as text, Markdown (accepted by WeCom, DingTalk and Feishu group robots) and HTML.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use super::deadline::{problem_standing, Warning};
use super::workflow::Status;

/// An ISO week, `2026-W48`: Monday to Sunday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    pub year: i32,
    pub number: u32,
}

impl Week {
    pub fn parse(text: &str) -> Result<Week, &'static str> {
        let bad = "must be an ISO week such as 2026-W48";
        let (year, week) = text.trim().split_once("-W").ok_or(bad)?;
        let year: i32 = year.parse().map_err(|_| bad)?;
        let number: u32 = week.parse().map_err(|_| bad)?;
        NaiveDate::from_isoywd_opt(year, number, Weekday::Mon).ok_or(bad)?;
        Ok(Week { year, number })
    }

    pub fn containing(day: NaiveDate) -> Week {
        let iso = day.iso_week();
        Week {
            year: iso.year(),
            number: iso.week(),
        }
    }

    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.number, Weekday::Mon).expect("checked when made")
    }

    pub fn sunday(self) -> NaiveDate {
        self.monday() + chrono::Days::new(6)
    }

    pub fn previous(self) -> Week {
        Week::containing(self.monday() - chrono::Days::new(7))
    }

    /// The last full week before `today`: the one a digest asked for without a week means.
    pub fn last_full(today: NaiveDate) -> Week {
        Week::containing(today).previous()
    }

    /// The week as people write it: `11月23日—11月29日` (with the years when it spans two).
    pub fn dates(self) -> String {
        let (monday, sunday) = (self.monday(), self.sunday());
        if monday.year() == sunday.year() {
            format!(
                "{}月{}日—{}月{}日",
                monday.month(),
                monday.day(),
                sunday.month(),
                sunday.day()
            )
        } else {
            format!(
                "{}年{}月{}日—{}年{}月{}日",
                monday.year(),
                monday.month(),
                monday.day(),
                sunday.year(),
                sunday.month(),
                sunday.day()
            )
        }
    }
}

impl std::fmt::Display for Week {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.number)
    }
}

/// How long a submitted problem may wait for verification before the digest names it.
pub const WAITING_DAYS: i64 = 3;

/// Where a problem belongs in a week's digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// Overdue, and it became so this week.
    NewlyOverdue { days: i64 },
    /// Overdue since before this week.
    StillOverdue { days: i64 },
    /// Due within the next days.
    DueSoon { days_left: i64 },
    /// Submitted more than [`WAITING_DAYS`] ago and not yet verified.
    WaitingVerification { days: i64 },
    /// Verified this week.
    ClosedThisWeek,
}

/// A problem as the digest of `week` sees it on `as_of` (its unit's calendar), with the days
/// it was last submitted and last verified.
pub fn bucket(
    status: Status,
    deadline: Option<NaiveDate>,
    as_of: NaiveDate,
    week: Week,
    last_submitted: Option<NaiveDate>,
    last_verified: Option<NaiveDate>,
) -> Option<Bucket> {
    let standing = problem_standing(status, deadline, as_of);
    match (standing.warning, deadline) {
        (Warning::Overdue, Some(deadline)) => {
            let days = standing.days_overdue;
            // Overdue from the day after the deadline.
            return Some(if deadline.succ_opt().is_some_and(|d| d >= week.monday()) {
                Bucket::NewlyOverdue { days }
            } else {
                Bucket::StillOverdue { days }
            });
        }
        (Warning::DueSoon, _) => {
            return Some(Bucket::DueSoon {
                days_left: standing.days_left,
            })
        }
        _ => {}
    }
    match status {
        Status::Submitted => last_submitted
            .map(|day| (as_of - day).num_days())
            .filter(|waited| *waited > WAITING_DAYS)
            .map(|days| Bucket::WaitingVerification { days }),
        Status::Closed => last_verified
            .filter(|day| *day >= week.monday() && *day <= week.sunday())
            .map(|_| Bucket::ClosedThisWeek),
        _ => None,
    }
}

/// One line of a digest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestLine {
    pub key: String,
    pub title: String,
    pub unit: String,
    pub owner: Option<String>,
    pub deadline: Option<NaiveDate>,
    /// Overdue lines: days past the deadline; waiting lines: days waiting; due lines: days left.
    pub days: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Digest {
    pub week: String,
    /// The week as dates: `11月23日—11月29日`.
    pub period: String,
    pub recipient_id: i64,
    pub recipient: String,
    /// The day the lists are judged on: the week's Sunday, or today for the current week.
    pub as_of: NaiveDate,
    pub newly_overdue: Vec<DigestLine>,
    pub still_overdue: Vec<DigestLine>,
    pub due_next_7_days: Vec<DigestLine>,
    /// Submitted more than 3 days ago and not yet verified.
    pub waiting_verification: Vec<DigestLine>,
    pub pending_extensions: Vec<DigestLine>,
    /// Being worked on and not acknowledged (签收) after the last day to; days late.
    pub not_acknowledged: Vec<DigestLine>,
    /// Closed, and their re-check (回头看) is due; days since the re-check date.
    pub recheck_due: Vec<DigestLine>,
    /// 督办 notices to the recipient's units not answered by their reply date: the reference
    /// as the key, the subject as the title, the reply date as the deadline; days late.
    pub overdue_replies: Vec<DigestLine>,
    /// Problems of units the recipient leads, climbed to where the ladder tells them: a leader
    /// in charge (分管领导) from yellow, a head (主要负责人) from red.
    pub escalated: Vec<DigestLine>,
    /// Problems the recipient watches (抄送), red or yellow.
    pub watched: Vec<DigestLine>,
    pub closed_this_week: Vec<DigestLine>,
    pub completion_rate: Option<f64>,
    pub completion_rate_last_week: Option<f64>,
    /// This week's rate minus last week's, in percentage points.
    pub completion_change: Option<f64>,
}

/// The heading of a section's days column, from how its days read (`逾期{}天` → 逾期天数).
fn days_header(days: &str) -> &'static str {
    match days {
        "逾期{}天" => "逾期天数",
        "剩{}天" => "剩余天数",
        "已等{}天" => "已等天数",
        "超期{}天" => "超期天数",
        _ => "天数",
    }
}

fn pct(rate: Option<f64>) -> String {
    rate.map_or("—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

impl Digest {
    /// Nothing to act on and nothing achieved: such a digest is not sent.
    pub fn is_empty(&self) -> bool {
        self.newly_overdue.is_empty()
            && self.still_overdue.is_empty()
            && self.due_next_7_days.is_empty()
            && self.waiting_verification.is_empty()
            && self.pending_extensions.is_empty()
            && self.not_acknowledged.is_empty()
            && self.recheck_due.is_empty()
            && self.overdue_replies.is_empty()
            && self.escalated.is_empty()
            && self.watched.is_empty()
            && self.closed_this_week.is_empty()
    }

    /// Each section: its heading, how its days read, what its date is, and its lines. A
    /// pending extension's date is the one requested, not the deadline.
    fn sections(&self) -> [(&'static str, &'static str, &'static str, &Vec<DigestLine>); 11] {
        [
            ("本周新增逾期", "逾期{}天", "时限", &self.newly_overdue),
            ("持续逾期", "逾期{}天", "时限", &self.still_overdue),
            ("7日内到期", "剩{}天", "时限", &self.due_next_7_days),
            (
                "已提交待验收超过3天",
                "已等{}天",
                "时限",
                &self.waiting_verification,
            ),
            ("待审批延期申请", "", "申请延至", &self.pending_extensions),
            ("逾期未签收", "超期{}天", "时限", &self.not_acknowledged),
            ("待回头看", "", "时限", &self.recheck_due),
            (
                "督办逾期未答复",
                "超期{}天",
                "答复期限",
                &self.overdue_replies,
            ),
            ("预警升级提醒", "", "时限", &self.escalated),
            ("抄送关注", "", "时限", &self.watched),
            ("本周已销号", "", "时限", &self.closed_this_week),
        ]
    }

    pub fn subject(&self) -> String {
        format!(
            "整改周报（{}）：逾期{}项（新增{}项），7日内到期{}项",
            self.period,
            self.newly_overdue.len() + self.still_overdue.len(),
            self.newly_overdue.len(),
            self.due_next_7_days.len()
        )
    }

    fn rate_line(&self) -> String {
        let change = self
            .completion_change
            .map(|c| {
                format!(
                    "（较上周{}{:.1}个百分点）",
                    if c >= 0.0 { "+" } else { "" },
                    c
                )
            })
            .unwrap_or_default();
        format!("整改完成率 {}{}", pct(self.completion_rate), change)
    }

    fn line_text(line: &DigestLine, days: &str, date_label: &str) -> String {
        let mut text = format!("{} {}（{}", line.key, line.title, line.unit);
        if let Some(owner) = &line.owner {
            text.push_str(&format!("，{owner}"));
        }
        if let Some(deadline) = line.deadline {
            text.push_str(&format!("，{date_label}{deadline}"));
        }
        if !days.is_empty() {
            text.push_str(&format!("，{}", days.replace("{}", &line.days.to_string())));
        }
        text.push('）');
        text
    }

    pub fn text(&self) -> String {
        let mut out = format!(
            "{}，您好：\n\n{}\n{}\n",
            self.recipient,
            self.subject(),
            self.rate_line()
        );
        for (title, days, label, lines) in self.sections() {
            if lines.is_empty() {
                continue;
            }
            out.push_str(&format!("\n{title}（{}项）\n", lines.len()));
            for line in lines {
                out.push_str(&format!("- {}\n", Self::line_text(line, days, label)));
            }
        }
        out
    }

    pub fn markdown(&self) -> String {
        self.markdown_headed(&self.subject())
    }

    /// The digest of a unit, as its group robot posts it: the unit's name before the subject.
    pub fn unit_subject(&self, unit: &str) -> String {
        format!("{unit}{}", self.subject())
    }

    /// The Markdown under a heading of the caller's choosing.
    pub fn markdown_headed(&self, heading: &str) -> String {
        let mut out = format!("### {heading}\n> {}\n", self.rate_line());
        for (title, days, label, lines) in self.sections() {
            if lines.is_empty() {
                continue;
            }
            out.push_str(&format!("\n**{title}（{}项）**\n", lines.len()));
            for line in lines {
                out.push_str(&format!("- {}\n", Self::line_text(line, days, label)));
            }
        }
        out
    }

    /// The digest as a page people open (the e-mail's HTML part and `format=html`): a table per
    /// section, overdue rows red and due-soon rows yellow as in the ledger, every value escaped
    /// by the template. Inline styles only: mail readers drop style sheets.
    pub fn html(&self) -> String {
        const CELL: &str =
            "border:1px solid #BFBFBF;padding:4px 8px;text-align:left;vertical-align:top";
        const HEAD: &str =
            "border:1px solid #BFBFBF;padding:4px 8px;text-align:left;background:#D9E1F2";
        let fill = |title: &str| match title {
            "本周新增逾期" | "持续逾期" | "督办逾期未答复" => "background:#FFC7CE",
            "7日内到期" => "background:#FFEB9C",
            _ => "",
        };
        let subject = self.subject();
        let page = maud::html! {
            (maud::DOCTYPE)
            html lang="zh-CN" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (subject) }
                }
                body style="font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC',sans-serif;font-size:14px;color:#222;max-width:960px;margin:16px auto;padding:0 12px" {
                    p { (self.recipient) "，您好：" }
                    h2 style="font-size:18px" { (subject) }
                    p { strong { (self.rate_line()) } }
                    @for (title, days, label, lines) in self.sections() {
                        @if !lines.is_empty() {
                            h3 style="font-size:16px;margin-top:20px" { (title) "（" (lines.len()) "项）" }
                            table style="border-collapse:collapse;width:100%" {
                                thead {
                                    tr {
                                        th style=(HEAD) { "编号" }
                                        th style=(HEAD) { "问题" }
                                        th style=(HEAD) { "责任单位" }
                                        th style=(HEAD) { "责任人" }
                                        th style=(HEAD) { (if label == "时限" { "整改时限" } else { label }) }
                                        @if !days.is_empty() {
                                            th style=(HEAD) { (days_header(days)) }
                                        }
                                    }
                                }
                                tbody {
                                    @for line in lines.iter() {
                                        tr style=(fill(title)) {
                                            td style=(CELL) { (line.key) }
                                            td style=(CELL) { (line.title) }
                                            td style=(CELL) { (line.unit) }
                                            td style=(CELL) { (line.owner.as_deref().unwrap_or("")) }
                                            td style=(CELL) { (line.deadline.map(|d| d.to_string()).unwrap_or_default()) }
                                            @if !days.is_empty() {
                                                td style=(CELL) { (line.days) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    p style="color:#666;margin-top:20px;font-size:12px" {
                        "截至" (self.as_of) "。红色为已逾期，黄色为7日内到期。此邮件由整改台账系统发送。"
                    }
                }
            }
        };
        page.into_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn buckets_follow_the_deadline_and_the_week() {
        let week = Week::parse("2026-W48").unwrap(); // 23 to 29 November
        let as_of = day("2026-11-29");
        let active =
            |deadline: &str| bucket(Status::Open, Some(day(deadline)), as_of, week, None, None);
        // Deadline on the Sunday before: overdue from this Monday on, so newly.
        assert_eq!(active("2026-11-22"), Some(Bucket::NewlyOverdue { days: 7 }));
        assert_eq!(active("2026-11-21"), Some(Bucket::StillOverdue { days: 8 }));
        assert_eq!(active("2026-11-29"), Some(Bucket::DueSoon { days_left: 0 }));
        assert_eq!(active("2026-12-06"), Some(Bucket::DueSoon { days_left: 7 }));
        assert_eq!(active("2026-12-07"), None);
        assert_eq!(bucket(Status::Open, None, as_of, week, None, None), None);
        // A submitted problem waits; a closed one counts in the week it was verified.
        let submitted = |on: &str| {
            bucket(
                Status::Submitted,
                Some(day("2026-11-01")),
                as_of,
                week,
                Some(day(on)),
                None,
            )
        };
        assert_eq!(
            submitted("2026-11-25"),
            Some(Bucket::WaitingVerification { days: 4 })
        );
        assert_eq!(submitted("2026-11-26"), None);
        let closed = |on: &str| {
            bucket(
                Status::Closed,
                Some(day("2026-11-01")),
                as_of,
                week,
                None,
                Some(day(on)),
            )
        };
        assert_eq!(closed("2026-11-23"), Some(Bucket::ClosedThisWeek));
        assert_eq!(closed("2026-11-22"), None);
    }

    #[test]
    fn iso_weeks_parse_and_span_monday_to_sunday() {
        let w = Week::parse("2026-W48").unwrap();
        assert_eq!(w.monday().to_string(), "2026-11-23");
        assert_eq!(w.sunday().to_string(), "2026-11-29");
        assert_eq!(w.to_string(), "2026-W48");
        assert_eq!(w.previous().to_string(), "2026-W47");
        assert_eq!(
            Week::parse("2027-W01").unwrap().previous().to_string(),
            "2026-W53"
        );
        assert_eq!(
            Week::containing("2026-01-01".parse().unwrap()).to_string(),
            "2026-W01"
        );
        for bad in ["2026-48", "2026-W54", "2025-W53", "W48", "", "2026-W0"] {
            assert!(Week::parse(bad).is_err(), "{bad}");
        }
    }

    fn line(key: &str, days: i64) -> DigestLine {
        DigestLine {
            key: key.into(),
            title: "对物业管理问题跟踪督促不够".into(),
            unit: "东风社区党委".into(),
            owner: Some("李娜".into()),
            deadline: Some("2026-11-20".parse().unwrap()),
            days,
        }
    }

    fn digest() -> Digest {
        Digest {
            week: "2026-W48".into(),
            period: "11月23日—11月29日".into(),
            recipient_id: 3,
            recipient: "张伟".into(),
            as_of: "2026-11-29".parse().unwrap(),
            newly_overdue: vec![line("DFSQ-1", 3)],
            still_overdue: vec![],
            due_next_7_days: vec![line("DFSQ-2", 2)],
            waiting_verification: vec![],
            pending_extensions: vec![DigestLine {
                deadline: Some("2026-12-31".parse().unwrap()),
                ..line("DFSQ-3", 0)
            }],
            not_acknowledged: vec![line("DFSQ-4", 2)],
            recheck_due: vec![],
            overdue_replies: vec![],
            escalated: vec![],
            watched: vec![],
            closed_this_week: vec![],
            completion_rate: Some(0.5),
            completion_rate_last_week: Some(0.25),
            completion_change: Some(25.0),
        }
    }

    #[test]
    fn a_digest_reads_the_same_in_every_format() {
        let d = digest();
        assert_eq!(
            d.subject(),
            "整改周报（11月23日—11月29日）：逾期1项（新增1项），7日内到期1项"
        );
        let text = d.text();
        assert!(
            text.contains("整改完成率 50.0%（较上周+25.0个百分点）"),
            "{text}"
        );
        assert!(text.contains("- DFSQ-1 对物业管理问题跟踪督促不够（东风社区党委，李娜，时限2026-11-20，逾期3天）"), "{text}");
        assert!(text.contains("7日内到期（1项）"));
        assert!(!text.contains("持续逾期"), "empty sections are left out");
        assert!(d
            .markdown()
            .starts_with("### 整改周报（11月23日—11月29日）"));
        // The date asked for in an extension request is not the deadline.
        assert!(
            text.contains(
                "DFSQ-3 对物业管理问题跟踪督促不够（东风社区党委，李娜，申请延至2026-12-31）"
            ),
            "{text}"
        );
        assert!(d.markdown().contains("**本周新增逾期（1项）**"));
        assert!(
            text.contains("逾期未签收（1项）\n- DFSQ-4 对物业管理问题跟踪督促不够（东风社区党委，李娜，时限2026-11-20，超期2天）"),
            "{text}"
        );
        let html = d.html();
        assert!(
            html.starts_with("<!DOCTYPE html><html lang=\"zh-CN\">"),
            "{html}"
        );
        assert!(
            html.contains("<h3 style=\"font-size:16px;margin-top:20px\">7日内到期（1项）</h3>"),
            "{html}"
        );
        // A due-soon row is yellow, with its days left; an overdue one red.
        assert!(
            html.contains("<tr style=\"background:#FFEB9C\"><td style=\""),
            "{html}"
        );
        assert!(
            html.contains(">DFSQ-2</td>") && html.contains(">2026-11-20</td>"),
            "{html}"
        );
        assert!(html.contains("<tr style=\"background:#FFC7CE\">"), "{html}");
        assert!(
            html.contains(">剩余天数</th>") && html.contains(">申请延至</th>"),
            "{html}"
        );
        let mut evil = d.clone();
        evil.recipient = "<script>alert(1)</script>".into();
        evil.newly_overdue[0].title = "\"><img src=x onerror=alert(1)>".into();
        let html = evil.html();
        assert!(
            html.contains("&lt;script&gt;") && !html.contains("<script>"),
            "{html}"
        );
        assert!(!html.contains("<img"), "{html}");
    }

    #[test]
    fn only_a_digest_with_nothing_listed_is_empty() {
        let mut d = digest();
        assert!(!d.is_empty());
        d.newly_overdue.clear();
        d.due_next_7_days.clear();
        assert!(!d.is_empty(), "an extension waits for a decision");
        d.pending_extensions.clear();
        assert!(!d.is_empty(), "a task waits to be acknowledged");
        d.not_acknowledged.clear();
        assert!(d.is_empty());
        d.escalated.push(DigestLine {
            key: "DFSQ-9".into(),
            title: "物业服务投诉处理不及时".into(),
            unit: "东风社区党委".into(),
            owner: None,
            deadline: None,
            days: 0,
        });
        assert!(!d.is_empty(), "a leader is told of a yellow light");
    }

    #[test]
    fn a_week_reads_as_its_dates_and_the_default_is_the_last_full_one() {
        assert_eq!(
            Week::parse("2026-W48").unwrap().dates(),
            "11月23日—11月29日"
        );
        assert_eq!(
            Week::parse("2026-W53").unwrap().dates(),
            "2026年12月28日—2027年1月3日"
        );
        // On Monday 30 November the last full week is the one that ended yesterday.
        assert_eq!(Week::last_full(day("2026-11-30")).to_string(), "2026-W48");
        assert_eq!(Week::last_full(day("2026-12-06")).to_string(), "2026-W48");
        assert_eq!(Week::last_full(day("2026-12-07")).to_string(), "2026-W49");
    }
}
