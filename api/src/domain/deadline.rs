//! Overdue and due-soon (DOMAIN.md "Overdue"), on calendar dates in the organization's zone.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::workflow::Status;

/// Days ahead within which a deadline is "due soon" (yellow light).
pub const DUE_SOON_DAYS: i64 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Warning {
    None,
    DueSoon,
    Overdue,
}

impl Warning {
    pub fn as_str(self) -> &'static str {
        match self {
            Warning::None => "none",
            Warning::DueSoon => "due_soon",
            Warning::Overdue => "overdue",
        }
    }
}

/// Where a deadline stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub overdue: bool,
    /// `today − deadline` when overdue, else 0.
    pub days_overdue: i64,
    /// `deadline − today` when due soon, else 0.
    pub days_left: i64,
    pub warning: Warning,
}

/// A deadline's standing while the work is still due (`pending`) on `today`.
pub fn standing(pending: bool, deadline: Option<NaiveDate>, today: NaiveDate) -> Standing {
    let calm = Standing {
        overdue: false,
        days_overdue: 0,
        days_left: 0,
        warning: Warning::None,
    };
    let (true, Some(deadline)) = (pending, deadline) else {
        return calm;
    };
    let days = (today - deadline).num_days();
    if days > 0 {
        Standing {
            overdue: true,
            days_overdue: days,
            warning: Warning::Overdue,
            ..calm
        }
    } else if -days <= DUE_SOON_DAYS {
        Standing {
            warning: Warning::DueSoon,
            days_left: -days,
            ..calm
        }
    } else {
        calm
    }
}

/// A problem is pending while open or in progress.
pub fn problem_standing(status: Status, deadline: Option<NaiveDate>, today: NaiveDate) -> Standing {
    standing(status.is_active(), deadline, today)
}

/// A measure is pending until it is done.
pub fn measure_standing(done: bool, deadline: Option<NaiveDate>, today: NaiveDate) -> Standing {
    standing(!done, deadline, today)
}

/// Today's date in a time zone (an IANA name; unknown names fall back to Asia/Shanghai,
/// though stored zones are checked when written).
pub fn today_in(now: DateTime<Utc>, timezone: &str) -> NaiveDate {
    let tz: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    now.with_timezone(&tz).date_naive()
}

/// The last instant (UTC) of `day` on a time zone's calendar: where "as of that day" ends.
pub fn end_of_day(day: NaiveDate, timezone: &str) -> chrono::NaiveDateTime {
    use chrono::TimeZone;
    let tz: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    let next = day
        .succ_opt()
        .unwrap_or(day)
        .and_time(chrono::NaiveTime::MIN);
    tz.from_local_datetime(&next)
        .earliest()
        .map(|t| t.naive_utc())
        .unwrap_or(next)
        - chrono::Duration::microseconds(1)
}

/// A UTC instant's date on a time zone's calendar.
pub fn local_date(at: chrono::NaiveDateTime, timezone: &str) -> NaiveDate {
    today_in(at.and_utc(), timezone)
}

/// The source of "now". Tests fix it; nothing that decides dates reads the wall clock itself.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that always says the same time.
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_ends_at_local_midnight() {
        let day: NaiveDate = "2026-06-30".parse().unwrap();
        assert_eq!(
            end_of_day(day, "Asia/Shanghai").to_string(),
            "2026-06-30 15:59:59.999999"
        );
        assert_eq!(
            end_of_day(day, "Asia/Urumqi").to_string(),
            "2026-06-30 17:59:59.999999"
        );
        let late = "2026-06-30T17:00:00".parse().unwrap();
        assert_eq!(local_date(late, "Asia/Shanghai").to_string(), "2026-07-01");
        assert_eq!(local_date(late, "Asia/Urumqi").to_string(), "2026-06-30");
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn overdue_starts_the_day_after_the_deadline() {
        let today = d("2026-11-23");
        assert_eq!(
            problem_standing(Status::Open, Some(d("2026-11-23")), today).warning,
            Warning::DueSoon
        );
        let late = problem_standing(Status::InProgress, Some(d("2026-11-20")), today);
        assert_eq!(
            late,
            Standing {
                overdue: true,
                days_overdue: 3,
                days_left: 0,
                warning: Warning::Overdue
            }
        );
    }

    #[test]
    fn due_soon_covers_the_next_seven_days() {
        let today = d("2026-11-23");
        let soon = problem_standing(Status::Open, Some(d("2026-11-30")), today);
        assert_eq!((soon.warning, soon.days_left), (Warning::DueSoon, 7));
        assert_eq!(
            problem_standing(Status::Open, Some(d("2026-12-01")), today).warning,
            Warning::None
        );
    }

    #[test]
    fn only_open_and_in_progress_problems_fall_due() {
        let today = d("2026-11-23");
        for status in [
            Status::Draft,
            Status::Submitted,
            Status::Closed,
            Status::Cancelled,
        ] {
            assert_eq!(
                problem_standing(status, Some(d("2026-01-01")), today).warning,
                Warning::None,
                "{status}"
            );
        }
        assert_eq!(
            problem_standing(Status::Open, None, today).warning,
            Warning::None,
            "long-term: no deadline"
        );
    }

    #[test]
    fn measures_fall_due_until_done() {
        let today = d("2026-11-23");
        assert!(measure_standing(false, Some(d("2026-11-22")), today).overdue);
        assert!(!measure_standing(true, Some(d("2026-11-22")), today).overdue);
    }

    #[test]
    fn today_depends_on_the_time_zone() {
        // 2026-11-23 20:00 UTC is the 24th in Shanghai (UTC+8) and Urumqi (UTC+6), the 23rd west of UTC.
        let now: DateTime<Utc> = "2026-11-23T20:00:00Z".parse().unwrap();
        assert_eq!(today_in(now, "Asia/Shanghai"), d("2026-11-24"));
        assert_eq!(today_in(now, "Asia/Urumqi"), d("2026-11-24"));
        assert_eq!(today_in(now, "UTC"), d("2026-11-23"));
        assert_eq!(today_in(now, "America/New_York"), d("2026-11-23"));
    }
}
