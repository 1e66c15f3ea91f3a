//! Progress figures, reconstructed from a problem's history so that they can be asked for any
//! past day: "how did it stand on 30 June". Pure: the caller supplies each problem's timeline.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::domain::workflow::Status;

/// What is known of one problem: when it was made, its deadline as confirmed, its history
/// and its approved extensions (when each was approved and the deadline it set).
#[derive(Debug, Clone)]
pub struct Timeline {
    pub created_at: NaiveDateTime,
    pub original_deadline: Option<NaiveDate>,
    /// (when, action, status after), oldest first.
    pub history: Vec<(NaiveDateTime, String, Status)>,
    /// (approved at, new deadline), oldest first.
    pub extensions: Vec<(NaiveDateTime, NaiveDate)>,
}

/// A problem as it stood at a moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub status: Status,
    pub deadline: Option<NaiveDate>,
    /// Days from creation to the close, for a closed problem.
    pub days_to_close: Option<f64>,
    /// For a closed problem: whether it was submitted by its deadline.
    pub on_time: Option<bool>,
    pub extensions_granted: usize,
}

impl Timeline {
    fn deadline_at(&self, at: NaiveDateTime) -> Option<NaiveDate> {
        self.extensions
            .iter()
            .filter(|(when, _)| *when <= at)
            .map(|(_, d)| *d)
            .next_back()
            .or(self.original_deadline)
    }

    /// The problem at `cutoff`; None if it did not exist yet. `local_date` turns an instant
    /// into a date on the problem's unit's calendar.
    pub fn at(
        &self,
        cutoff: NaiveDateTime,
        local_date: impl Fn(NaiveDateTime) -> NaiveDate,
    ) -> Option<Standing> {
        if self.created_at > cutoff {
            return None;
        }
        // The history up to the cutoff, newest first (no copy: this runs for every problem
        // at every day a report asks about).
        let mut past = self.history.iter().rev().filter(|(at, _, _)| *at <= cutoff);
        let last = past.clone().next();
        let status = last.map_or(Status::Draft, |(_, _, s)| *s);
        let (mut days_to_close, mut on_time) = (None, None);
        if status == Status::Closed {
            let closed_at = last.map(|(at, _, _)| *at).unwrap_or(cutoff);
            days_to_close = Some((closed_at - self.created_at).num_seconds() as f64 / 86_400.0);
            let submitted = past
                .find(|(at, action, _)| action == "submit" && *at <= closed_at)
                .map(|(at, _, _)| *at)
                .unwrap_or(closed_at);
            on_time = Some(match self.deadline_at(submitted) {
                Some(deadline) => local_date(submitted) <= deadline,
                None => true,
            });
        }
        Some(Standing {
            status,
            deadline: self.deadline_at(cutoff),
            days_to_close,
            on_time,
            extensions_granted: self
                .extensions
                .iter()
                .filter(|(at, _)| *at <= cutoff)
                .count(),
        })
    }
}

/// Counts by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub draft: u64,
    pub open: u64,
    pub in_progress: u64,
    pub submitted: u64,
    pub closed: u64,
    pub cancelled: u64,
}

/// The figures for a set of problems.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Figures {
    pub total: u64,
    pub by_status: StatusCounts,
    /// closed ÷ (all − cancelled); null when there is nothing to complete.
    pub completion_rate: Option<f64>,
    /// Closed without being late ÷ closed; null when nothing is closed.
    pub on_time_rate: Option<f64>,
    /// Open or in progress past the deadline on the day.
    pub overdue: u64,
    pub average_days_to_close: Option<f64>,
    pub extensions_granted: u64,
    #[serde(skip)]
    closed_on_time: u64,
    #[serde(skip)]
    days_to_close_sum: f64,
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0)
}

impl Figures {
    /// Counts one problem's standing on `day`.
    pub fn add(&mut self, s: &Standing, day: NaiveDate) {
        self.total += 1;
        let counts = &mut self.by_status;
        match s.status {
            Status::Draft => counts.draft += 1,
            Status::Open => counts.open += 1,
            Status::InProgress => counts.in_progress += 1,
            Status::Submitted => counts.submitted += 1,
            Status::Closed => counts.closed += 1,
            Status::Cancelled => counts.cancelled += 1,
        }
        if s.status.is_active() && s.deadline.is_some_and(|d| d < day) {
            self.overdue += 1;
        }
        if s.on_time == Some(true) {
            self.closed_on_time += 1;
        }
        self.days_to_close_sum += s.days_to_close.unwrap_or(0.0);
        self.extensions_granted += s.extensions_granted as u64;
        self.finish();
    }

    fn finish(&mut self) {
        let closed = self.by_status.closed;
        self.completion_rate = ratio(closed, self.total - self.by_status.cancelled);
        self.on_time_rate = ratio(self.closed_on_time, closed);
        self.average_days_to_close =
            (closed > 0).then(|| (self.days_to_close_sum / closed as f64 * 10.0).round() / 10.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }
    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn local(at: NaiveDateTime) -> NaiveDate {
        // Shanghai: UTC+8.
        (at + chrono::Duration::hours(8)).date()
    }

    fn timeline() -> Timeline {
        Timeline {
            created_at: t("2026-06-01 02:00"),
            original_deadline: Some(d("2026-06-20")),
            history: vec![
                (t("2026-06-01 02:00"), "create".into(), Status::Draft),
                (t("2026-06-02 02:00"), "confirm".into(), Status::Open),
                (t("2026-06-03 02:00"), "start".into(), Status::InProgress),
                (t("2026-06-25 02:00"), "submit".into(), Status::Submitted),
                (t("2026-06-26 02:00"), "verify".into(), Status::Closed),
                (t("2026-07-10 02:00"), "reopen".into(), Status::InProgress),
            ],
            extensions: vec![(t("2026-06-15 02:00"), d("2026-06-30"))],
        }
    }

    #[test]
    fn a_problem_stands_as_its_history_says_on_each_day() {
        let tl = timeline();
        assert_eq!(tl.at(t("2026-05-31 00:00"), local), None);
        let june_10 = tl.at(t("2026-06-10 15:59"), local).unwrap();
        assert_eq!(
            (june_10.status, june_10.deadline, june_10.extensions_granted),
            (Status::InProgress, Some(d("2026-06-20")), 0)
        );
        let june_30 = tl.at(t("2026-06-30 15:59"), local).unwrap();
        assert_eq!(june_30.status, Status::Closed);
        assert_eq!(june_30.deadline, Some(d("2026-06-30")));
        // Submitted on 25 June, within the extended deadline.
        assert_eq!(june_30.on_time, Some(true));
        assert_eq!(june_30.days_to_close, Some(25.0));
        assert_eq!(june_30.extensions_granted, 1);
        let july = tl.at(t("2026-07-31 15:59"), local).unwrap();
        assert_eq!((july.status, july.on_time), (Status::InProgress, None));
    }

    #[test]
    fn a_problem_submitted_after_its_deadline_closed_late() {
        let mut tl = timeline();
        tl.extensions.clear();
        let s = tl.at(t("2026-06-30 15:59"), local).unwrap();
        assert_eq!(s.on_time, Some(false));
    }

    #[test]
    fn figures_count_rates_overdue_and_averages() {
        let tl = timeline();
        let mut f = Figures::default();
        f.add(
            &tl.at(t("2026-06-30 15:59"), local).unwrap(),
            d("2026-06-30"),
        ); // closed on time
        let mut late = tl.clone();
        late.extensions.clear();
        f.add(
            &late.at(t("2026-06-30 15:59"), local).unwrap(),
            d("2026-06-30"),
        ); // closed late
        f.add(
            &tl.at(t("2026-06-10 15:59"), local).unwrap(),
            d("2026-06-21"),
        ); // in progress, overdue on the 21st
        let cancelled = Standing {
            status: Status::Cancelled,
            deadline: None,
            days_to_close: None,
            on_time: None,
            extensions_granted: 0,
        };
        f.add(&cancelled, d("2026-06-30"));
        assert_eq!(f.total, 4);
        assert_eq!(f.by_status.closed, 2);
        assert_eq!(f.by_status.cancelled, 1);
        assert_eq!(f.completion_rate, Some(0.6667));
        assert_eq!(f.on_time_rate, Some(0.5));
        assert_eq!(f.overdue, 1);
        assert_eq!(f.average_days_to_close, Some(25.0));
        assert_eq!(f.extensions_granted, 1);
        assert_eq!(Figures::default().completion_rate, None);
    }
}
