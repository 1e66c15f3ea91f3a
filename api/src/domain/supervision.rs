//! Supervision as Chinese rectification practice runs it (DOMAIN.md "Supervision"): a unit
//! acknowledges a confirmed task within days (签收), each pending problem shows a light, and a
//! closing comes out as rectified (已整改) or continuing (持续整改: closed for now, reopened on
//! its review date) — or an auditor finds it unrectified (未整改) and reopens it. Months after a
//! rectified closing, coordinators look again (回头看): the fix held, or the problem came back
//! and is reopened. All dates are on the responsible unit's calendar.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::workflow::Status;

/// Days a unit has to acknowledge a confirmed problem, when no organization up the tree says.
pub const DEFAULT_ACKNOWLEDGE_DAYS: i32 = 3;
/// Days before a deadline when the light turns yellow, when no organization up the tree says.
pub const DEFAULT_WARN_DAYS: i32 = 7;
/// Days after a rectified closing when it is re-checked (回头看), when no organization up the
/// tree says; 0 means no re-check.
pub const DEFAULT_RECHECK_DAYS: i32 = 90;
/// Days a problem stays red before it is escalated to a 督办 (level 3), when no organization up
/// the tree says.
pub const DEFAULT_ESCALATE_AFTER_DAYS: i32 = 14;
/// The largest number of days a policy may name.
pub const MAX_POLICY_DAYS: i32 = 730;

/// Whether a problem was acknowledged (签收) in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acknowledgement {
    /// Not acknowledged yet, and there is still time.
    Pending,
    /// Acknowledged on or before the last day.
    OnTime,
    /// Acknowledged after the last day, or not yet and the last day has passed.
    Late,
}

impl Acknowledgement {
    pub const ALL: [Acknowledgement; 3] = [
        Acknowledgement::Pending,
        Acknowledgement::OnTime,
        Acknowledgement::Late,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Acknowledgement::Pending => "pending",
            Acknowledgement::OnTime => "on_time",
            Acknowledgement::Late => "late",
        }
    }
}

names!(Acknowledgement, "acknowledgement");

/// The last day to acknowledge a problem confirmed on `confirmed_on`.
pub fn acknowledge_by(confirmed_on: NaiveDate, days: i32) -> NaiveDate {
    confirmed_on + chrono::Duration::days(i64::from(days.max(0)))
}

/// Where acknowledgement stands on `today`; `None` for a problem that was never confirmed
/// (no window) — drafts, and problems imported already under way.
pub fn acknowledgement(
    by: Option<NaiveDate>,
    acknowledged_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<Acknowledgement> {
    let by = by?;
    Some(match acknowledged_on {
        Some(on) if on <= by => Acknowledgement::OnTime,
        Some(_) => Acknowledgement::Late,
        None if today > by => Acknowledgement::Late,
        None => Acknowledgement::Pending,
    })
}

/// Whether the unacknowledged problem is late on `today` and should be chased: it is still
/// waiting to be worked on, and its last day has passed.
pub fn acknowledgement_overdue(
    status: Status,
    by: Option<NaiveDate>,
    acknowledged: bool,
    today: NaiveDate,
) -> bool {
    status.is_active() && !acknowledged && by.is_some_and(|by| today > by)
}

/// 红黄绿: the light of a pending problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// On track.
    Green,
    /// The deadline is within the organization's warning days.
    Yellow,
    /// Past the deadline.
    Red,
}

impl Light {
    pub const ALL: [Light; 3] = [Light::Green, Light::Yellow, Light::Red];

    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }
}

names!(Light, "light");

/// The light on `today`; `None` while the problem is not being worked on (a draft, awaiting
/// verification, closed or cancelled). A problem without a deadline (long-term) stays green.
pub fn light(
    status: Status,
    deadline: Option<NaiveDate>,
    today: NaiveDate,
    warn_days: i32,
) -> Option<Light> {
    if !status.is_active() {
        return None;
    }
    let Some(deadline) = deadline else {
        return Some(Light::Green);
    };
    let days_left = (deadline - today).num_days();
    Some(if days_left < 0 {
        Light::Red
    } else if days_left <= i64::from(warn_days) {
        Light::Yellow
    } else {
        Light::Green
    })
}

/// The escalation ladder (预警升级): who is told about a pending problem climbs with its light.
/// Level 0 (green) tells the owner; 1 (yellow) also the unit's leader in charge (分管领导);
/// 2 (red) also the unit's head (主要负责人) and the coordinators of the unit above; 3 (red for
/// more than `escalate_after_days`) is a 督办.
pub const MAX_ESCALATION_LEVEL: u8 = 3;

/// The level a pending problem stands at on the day its light and days overdue describe.
pub fn escalation_level(light: Option<Light>, days_overdue: i64, escalate_after_days: i32) -> u8 {
    match light {
        None | Some(Light::Green) => 0,
        Some(Light::Yellow) => 1,
        Some(Light::Red) if days_overdue > i64::from(escalate_after_days) => 3,
        Some(Light::Red) => 2,
    }
}

/// A unit whose problems of one review lapse from yellow into red this many times (each
/// deadline once, the same problem after an extension included) is supervised at once: the
/// lapse that reaches it goes straight to 督办.
pub const LAPSES_TO_SUPERVISE: i64 = 2;

/// The level of a problem lapsing into red now, given the lapses into red its unit's problems
/// of the same review had before (this one not counted).
pub fn level_after_lapse(level: u8, earlier_lapses: i64) -> u8 {
    if level == 2 && earlier_lapses + 1 >= LAPSES_TO_SUPERVISE {
        MAX_ESCALATION_LEVEL
    } else {
        level
    }
}

/// The first day a problem with this deadline stands at a level above `level` (the scan looks
/// again then); `None` at the top.
pub fn next_escalation_on(
    level: u8,
    deadline: NaiveDate,
    warn_days: i32,
    escalate_after_days: i32,
) -> Option<NaiveDate> {
    let days = |n: i64| chrono::Duration::days(n);
    match level {
        0 => Some(deadline - days(i64::from(warn_days))),
        1 => Some(deadline + days(1)),
        2 => Some(deadline + days(i64::from(escalate_after_days) + 1)),
        _ => None,
    }
}

/// Who is told at an escalation level: each level adds to those below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Notified {
    /// 责任人.
    Owner,
    /// The unit's leader in charge (分管领导).
    Leader,
    /// The unit's head (主要负责人).
    Head,
    /// The coordinators of the unit above (the supervising level).
    ParentCoordinators,
}

impl Notified {
    pub fn as_str(self) -> &'static str {
        match self {
            Notified::Owner => "owner",
            Notified::Leader => "leader",
            Notified::Head => "head",
            Notified::ParentCoordinators => "parent_coordinators",
        }
    }
}

/// Who a level tells.
pub fn notified_at(level: u8) -> Vec<Notified> {
    let mut who = vec![Notified::Owner];
    if level >= 1 {
        who.push(Notified::Leader);
    }
    if level >= 2 {
        who.extend([Notified::Head, Notified::ParentCoordinators]);
    }
    who
}

/// What the history says when a problem climbs to `level`.
pub fn escalation_note(level: u8, deadline: NaiveDate, days_overdue: i64) -> String {
    match level {
        1 => format!("黄灯预警：整改时限 {deadline} 临近，已告知分管领导"),
        2 => format!("红灯预警：已逾期 {days_overdue} 天，已告知主要负责人和上级联络员"),
        _ => format!("督办：逾期 {days_overdue} 天仍未整改，升级为督办事项"),
    }
}

/// How a closing came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 已整改: fixed.
    Rectified,
    /// 持续整改: closed for now; reopened on its review date.
    Continuing,
    /// 未整改: an auditor found it closed without enough and reopened it.
    Unrectified,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [
        Outcome::Rectified,
        Outcome::Continuing,
        Outcome::Unrectified,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Rectified => "rectified",
            Outcome::Continuing => "continuing",
            Outcome::Unrectified => "unrectified",
        }
    }
}

names!(Outcome, "outcome");

/// Why a closing (or a new review date) was refused; each names the request field at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosingError {
    /// `outcome: unrectified` is an auditor's finding (`mark_unrectified`), not a way to close.
    UnrectifiedIsAFinding,
    /// A continuing closing needs `review_on`.
    ReviewDateMissing,
    /// `review_on` must come after today.
    ReviewDateNotAfterToday,
    /// Only a continuing closing has a review date.
    ReviewDateWithoutContinuing,
}

impl ClosingError {
    pub fn field(self) -> &'static str {
        match self {
            ClosingError::UnrectifiedIsAFinding => "outcome",
            _ => "review_on",
        }
    }

    pub fn rule(self) -> &'static str {
        match self {
            ClosingError::UnrectifiedIsAFinding => "closing_outcome",
            ClosingError::ReviewDateMissing => "required",
            ClosingError::ReviewDateNotAfterToday => "after_today",
            ClosingError::ReviewDateWithoutContinuing => "continuing_only",
        }
    }

    pub fn explain(self) -> &'static str {
        match self {
            ClosingError::UnrectifiedIsAFinding => {
                "a problem closes as rectified or continuing; unrectified is an auditor's \
                 finding (action mark_unrectified)"
            }
            ClosingError::ReviewDateMissing => {
                "a continuing closing (持续整改) needs the date to look at it again"
            }
            ClosingError::ReviewDateNotAfterToday => "the review date must be after today",
            ClosingError::ReviewDateWithoutContinuing => {
                "only a problem closed as continuing has a review date"
            }
        }
    }
}

/// The outcome and review date of a verification: rectified unless it says continuing, which
/// needs a review date after `today`.
pub fn closing(
    outcome: Option<Outcome>,
    review_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(Outcome, Option<NaiveDate>), ClosingError> {
    match (outcome.unwrap_or(Outcome::Rectified), review_on) {
        (Outcome::Unrectified, _) => Err(ClosingError::UnrectifiedIsAFinding),
        (Outcome::Rectified, None) => Ok((Outcome::Rectified, None)),
        (Outcome::Rectified, Some(_)) => Err(ClosingError::ReviewDateWithoutContinuing),
        (Outcome::Continuing, None) => Err(ClosingError::ReviewDateMissing),
        (Outcome::Continuing, Some(on)) if on <= today => {
            Err(ClosingError::ReviewDateNotAfterToday)
        }
        (Outcome::Continuing, Some(on)) => Ok((Outcome::Continuing, Some(on))),
    }
}

/// A new review date for a problem closed as continuing: only such a problem has one, and the
/// new date must come after today.
pub fn new_review_date(
    outcome: Option<Outcome>,
    review_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<NaiveDate, ClosingError> {
    if outcome != Some(Outcome::Continuing) {
        return Err(ClosingError::ReviewDateWithoutContinuing);
    }
    match review_on {
        None => Err(ClosingError::ReviewDateMissing),
        Some(on) if on <= today => Err(ClosingError::ReviewDateNotAfterToday),
        Some(on) => Ok(on),
    }
}

/// When a closing is re-checked (回头看): `recheck_days` after the day of a rectified closing;
/// never for a continuing one (its review date brings it back) or when the policy is 0.
pub fn recheck_on(outcome: Outcome, closed_on: NaiveDate, recheck_days: i32) -> Option<NaiveDate> {
    (outcome == Outcome::Rectified && recheck_days > 0)
        .then(|| closed_on + chrono::Duration::days(i64::from(recheck_days)))
}

/// Whether a closed problem's re-check is due on `today` (its coordinators are told once).
pub fn recheck_due(status: Status, recheck_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    status == Status::Closed && recheck_on.is_some_and(|on| on <= today)
}

/// What a re-check (回头看) found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecheckOutcome {
    /// The fix held.
    Held,
    /// 问题反弹: the problem came back; it is reopened.
    Recurred,
}

impl RecheckOutcome {
    pub const ALL: [RecheckOutcome; 2] = [RecheckOutcome::Held, RecheckOutcome::Recurred];

    pub fn as_str(self) -> &'static str {
        match self {
            RecheckOutcome::Held => "held",
            RecheckOutcome::Recurred => "recurred",
        }
    }
}

names!(RecheckOutcome, "re-check outcome");

/// What the history says when a re-check finds the problem came back (the reopening's reason).
pub fn recurrence_note(note: &str) -> String {
    format!("回头看发现问题反弹：{}", note.trim())
}

/// What the history says when a coordinator sets a new review date: the dates and the reason.
pub fn deferral_note(before: Option<NaiveDate>, after: NaiveDate, reason: &str) -> String {
    let before = before.map_or_else(|| "无".to_owned(), |d| d.to_string());
    format!("复查日期 {before} → {after}：{}", reason.trim())
}

/// Whether a problem closed as continuing is due to reopen on `today`: its review date has come.
pub fn reactivation_due(
    status: Status,
    outcome: Option<Outcome>,
    review_on: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    status == Status::Closed
        && outcome == Some(Outcome::Continuing)
        && review_on.is_some_and(|on| on <= today)
}

/// What the history says when a continuing problem reopens by itself.
pub fn reactivation_note(review_on: NaiveDate) -> String {
    format!("持续整改：复查日期 {review_on} 已到，问题自动重新打开")
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_window_to_acknowledge_counts_calendar_days_from_confirming() {
        assert_eq!(acknowledge_by(d("2026-11-27"), 3), d("2026-11-30"));
        assert_eq!(acknowledge_by(d("2026-12-30"), 3), d("2027-01-02"));
        assert_eq!(acknowledge_by(d("2026-11-27"), 0), d("2026-11-27"));
    }

    #[test]
    fn acknowledgement_is_on_time_up_to_and_including_the_last_day() {
        let by = Some(d("2026-11-30"));
        let today = d("2026-12-05");
        assert_eq!(acknowledgement(None, None, today), None);
        assert_eq!(acknowledgement(None, Some(today), today), None);
        assert_eq!(
            acknowledgement(by, Some(d("2026-11-30")), today),
            Some(Acknowledgement::OnTime)
        );
        assert_eq!(
            acknowledgement(by, Some(d("2026-12-01")), today),
            Some(Acknowledgement::Late)
        );
        assert_eq!(
            acknowledgement(by, None, d("2026-11-30")),
            Some(Acknowledgement::Pending)
        );
        assert_eq!(
            acknowledgement(by, None, d("2026-12-01")),
            Some(Acknowledgement::Late)
        );
    }

    #[test]
    fn only_pending_work_not_acknowledged_after_its_last_day_is_chased() {
        let by = Some(d("2026-11-30"));
        let late = d("2026-12-01");
        for status in Status::ALL {
            assert_eq!(
                acknowledgement_overdue(status, by, false, late),
                status.is_active(),
                "{status}"
            );
        }
        assert!(!acknowledgement_overdue(Open, by, true, late));
        assert!(!acknowledgement_overdue(Open, by, false, d("2026-11-30")));
        assert!(!acknowledgement_overdue(Open, None, false, late));
    }

    #[test]
    fn the_light_turns_yellow_within_the_warning_days_and_red_after_the_deadline() {
        let deadline = Some(d("2026-12-10"));
        let cases = [
            ("2026-12-02", 7, Light::Green),
            ("2026-12-03", 7, Light::Yellow),
            ("2026-12-10", 7, Light::Yellow),
            ("2026-12-11", 7, Light::Red),
            ("2026-12-09", 0, Light::Green),
            ("2026-12-10", 0, Light::Yellow),
            ("2026-11-20", 20, Light::Yellow),
        ];
        for (today, warn, want) in cases {
            assert_eq!(
                light(InProgress, deadline, d(today), warn),
                Some(want),
                "{today} warn={warn}"
            );
        }
        assert_eq!(
            light(Open, None, d("2030-01-01"), 7),
            Some(Light::Green),
            "long-term"
        );
        for status in [Draft, Submitted, Closed, Cancelled] {
            assert_eq!(light(status, deadline, d("2026-12-11"), 7), None);
        }
    }

    #[test]
    fn a_closing_is_rectified_unless_it_says_continuing_with_a_later_review_date() {
        let today = d("2026-12-01");
        assert_eq!(closing(None, None, today), Ok((Outcome::Rectified, None)));
        assert_eq!(
            closing(Some(Outcome::Rectified), None, today),
            Ok((Outcome::Rectified, None))
        );
        assert_eq!(
            closing(Some(Outcome::Continuing), Some(d("2027-03-01")), today),
            Ok((Outcome::Continuing, Some(d("2027-03-01"))))
        );
        assert_eq!(
            closing(Some(Outcome::Continuing), None, today),
            Err(ClosingError::ReviewDateMissing)
        );
        assert_eq!(
            closing(Some(Outcome::Continuing), Some(today), today),
            Err(ClosingError::ReviewDateNotAfterToday)
        );
        assert_eq!(
            closing(None, Some(d("2027-03-01")), today),
            Err(ClosingError::ReviewDateWithoutContinuing)
        );
        assert_eq!(
            closing(Some(Outcome::Unrectified), None, today),
            Err(ClosingError::UnrectifiedIsAFinding)
        );
    }

    #[test]
    fn every_closing_error_names_a_request_field_and_a_rule() {
        for e in [
            ClosingError::UnrectifiedIsAFinding,
            ClosingError::ReviewDateMissing,
            ClosingError::ReviewDateNotAfterToday,
            ClosingError::ReviewDateWithoutContinuing,
        ] {
            assert!(["outcome", "review_on"].contains(&e.field()));
            assert!(!e.rule().is_empty() && !e.explain().is_empty());
        }
    }

    #[test]
    fn only_a_continuing_closing_takes_a_new_review_date_and_it_must_be_later() {
        let today = d("2026-12-01");
        let continuing = Some(Outcome::Continuing);
        assert_eq!(
            new_review_date(continuing, Some(d("2026-12-02")), today),
            Ok(d("2026-12-02"))
        );
        assert_eq!(
            new_review_date(continuing, Some(today), today),
            Err(ClosingError::ReviewDateNotAfterToday)
        );
        assert_eq!(
            new_review_date(continuing, None, today),
            Err(ClosingError::ReviewDateMissing)
        );
        for other in [None, Some(Outcome::Rectified), Some(Outcome::Unrectified)] {
            assert_eq!(
                new_review_date(other, Some(d("2027-01-01")), today),
                Err(ClosingError::ReviewDateWithoutContinuing)
            );
        }
    }

    #[test]
    fn a_continuing_problem_reopens_on_its_review_date_and_nothing_else_does() {
        let on = Some(d("2027-03-01"));
        let continuing = Some(Outcome::Continuing);
        assert!(!reactivation_due(Closed, continuing, on, d("2027-02-28")));
        assert!(reactivation_due(Closed, continuing, on, d("2027-03-01")));
        assert!(reactivation_due(Closed, continuing, on, d("2027-04-01")));
        assert!(!reactivation_due(
            Closed,
            Some(Outcome::Rectified),
            on,
            d("2027-04-01")
        ));
        assert!(!reactivation_due(Closed, continuing, None, d("2027-04-01")));
        for status in [Draft, Open, InProgress, Submitted, Cancelled] {
            assert!(!reactivation_due(status, continuing, on, d("2027-04-01")));
        }
        assert!(reactivation_note(d("2027-03-01")).contains("2027-03-01"));
        assert_eq!(
            deferral_note(Some(d("2027-03-01")), d("2027-06-01"), " 需跨年度推进 "),
            "复查日期 2027-03-01 → 2027-06-01：需跨年度推进"
        );
    }

    #[test]
    fn a_rectified_closing_is_rechecked_after_the_policys_days_and_a_continuing_one_never() {
        let closed_on = d("2026-12-01");
        assert_eq!(
            recheck_on(Outcome::Rectified, closed_on, 90),
            Some(d("2027-03-01"))
        );
        assert_eq!(recheck_on(Outcome::Rectified, closed_on, 0), None);
        assert_eq!(recheck_on(Outcome::Continuing, closed_on, 90), None);
        assert_eq!(recheck_on(Outcome::Unrectified, closed_on, 90), None);
        let on = Some(d("2027-03-01"));
        assert!(!recheck_due(Closed, on, d("2027-02-28")));
        assert!(recheck_due(Closed, on, d("2027-03-01")));
        assert!(!recheck_due(Closed, None, d("2027-03-01")));
        for status in [Draft, Open, InProgress, Submitted, Cancelled] {
            assert!(!recheck_due(status, on, d("2027-03-01")));
        }
        assert_eq!(
            recurrence_note(" 物业投诉又起 "),
            "回头看发现问题反弹：物业投诉又起"
        );
    }

    #[test]
    fn the_ladder_climbs_with_the_light_and_a_long_red_becomes_a_supervision_item() {
        assert_eq!(escalation_level(None, 0, 14), 0);
        assert_eq!(escalation_level(Some(Light::Green), 0, 14), 0);
        assert_eq!(escalation_level(Some(Light::Yellow), 0, 14), 1);
        assert_eq!(escalation_level(Some(Light::Red), 1, 14), 2);
        assert_eq!(escalation_level(Some(Light::Red), 14, 14), 2);
        assert_eq!(escalation_level(Some(Light::Red), 15, 14), 3);
        assert_eq!(escalation_level(Some(Light::Red), 1, 0), 3);
        // Two yellows lapsed into red within a review: the second is a 督办 at once.
        assert_eq!(level_after_lapse(2, 0), 2);
        assert_eq!(level_after_lapse(2, 1), 3);
        assert_eq!(level_after_lapse(2, 4), 3);
        assert_eq!(level_after_lapse(1, 4), 1);
        assert_eq!(level_after_lapse(3, 0), 3);
        assert_eq!(notified_at(0), vec![Notified::Owner]);
        assert_eq!(notified_at(1), vec![Notified::Owner, Notified::Leader]);
        assert_eq!(
            notified_at(3),
            vec![
                Notified::Owner,
                Notified::Leader,
                Notified::Head,
                Notified::ParentCoordinators
            ]
        );
    }

    #[test]
    fn the_next_level_begins_on_the_day_the_light_and_the_days_say() {
        let deadline = d("2026-12-10");
        // Each "next" day is the first day the level function gives a higher level.
        let level_on = |day: NaiveDate| {
            let l = light(Open, Some(deadline), day, 7);
            escalation_level(l, (day - deadline).num_days().max(0), 14)
        };
        for level in 0..MAX_ESCALATION_LEVEL {
            let next = next_escalation_on(level, deadline, 7, 14).unwrap();
            assert!(level_on(next) > level, "level {level} on {next}");
            assert!(
                level_on(next.pred_opt().unwrap()) <= level,
                "level {level} before {next}"
            );
        }
        assert_eq!(next_escalation_on(3, deadline, 7, 14), None);
        assert_eq!(
            next_escalation_on(0, deadline, 7, 14),
            Some(d("2026-12-03"))
        );
        assert_eq!(
            next_escalation_on(2, deadline, 7, 14),
            Some(d("2026-12-25"))
        );
        assert!(escalation_note(2, deadline, 3).contains("3 天"));
    }

    #[test]
    fn names_round_trip() {
        for r in RecheckOutcome::ALL {
            assert_eq!(r.as_str().parse::<RecheckOutcome>(), Ok(r));
        }
        for a in Acknowledgement::ALL {
            assert_eq!(a.as_str().parse::<Acknowledgement>(), Ok(a));
        }
        for l in Light::ALL {
            assert_eq!(l.as_str().parse::<Light>(), Ok(l));
        }
        for o in Outcome::ALL {
            assert_eq!(o.as_str().parse::<Outcome>(), Ok(o));
        }
    }
}
