//! Progress figures, reconstructed from a problem's history so that they can be asked for any
//! past day: "how did it stand on 30 June". Pure: the caller supplies each problem's timeline.
//!
//! A problem's standing changes only on a few days (its creation, each step of its history,
//! each extension, the week before each deadline and the day after it), so what it adds to the
//! figures is a step function of the day: `Timeline::changes` gives its steps. Summed per unit,
//! review and aspect and kept up to date on each write, those steps answer "the figures at the
//! end of any day" without reading every problem's history.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::domain::supervision::{self, Acknowledgement, Outcome};
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
    /// The outcome each closing step recorded, at that step's instant, oldest first: `verify`
    /// (rectified or continuing) and an auditor's `mark_unrectified`.
    pub outcomes: Vec<(NaiveDateTime, Outcome)>,
    /// The last day to acknowledge (签收), set when it was confirmed, and when it was.
    pub acknowledge_by: Option<NaiveDate>,
    pub acknowledged_at: Option<NaiveDateTime>,
}

/// A problem as it stood at a moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub status: Status,
    pub deadline: Option<NaiveDate>,
    /// Seconds from creation to the close, for a closed problem.
    pub seconds_to_close: Option<i64>,
    /// For a closed problem: whether it was submitted by its deadline.
    pub on_time: Option<bool>,
    pub extensions_granted: usize,
    /// A closed problem's outcome (rectified when its close recorded none: closed before
    /// outcomes were kept, or imported closed); `Unrectified` for a problem an auditor reopened
    /// as unrectified and that has not been closed since.
    pub outcome: Option<Outcome>,
    /// The last day to acknowledge, once confirmed (not for a draft).
    pub acknowledge_by: Option<NaiveDate>,
    /// The day it was acknowledged, if it was by then.
    pub acknowledged_on: Option<NaiveDate>,
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
        let (mut seconds_to_close, mut on_time) = (None, None);
        let last_outcome = self
            .outcomes
            .iter()
            .rev()
            .find(|(at, _)| *at <= cutoff)
            .copied();
        let mut outcome = last_outcome
            .filter(|(_, o)| *o == Outcome::Unrectified && status.is_active())
            .map(|(_, o)| o);
        if status == Status::Closed {
            // When it was closed: the oldest of the newest run of entries that leave it closed
            // (a later step that keeps the status, such as a new review date, is not a close).
            let closed_at = past
                .clone()
                .take_while(|(_, _, s)| *s == Status::Closed)
                .last()
                .map(|(at, _, _)| *at)
                .unwrap_or(cutoff);
            seconds_to_close = Some((closed_at - self.created_at).num_seconds());
            outcome = Some(
                last_outcome
                    .filter(|(at, _)| *at == closed_at)
                    .map_or(Outcome::Rectified, |(_, o)| o),
            );
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
            seconds_to_close,
            on_time,
            extensions_granted: self
                .extensions
                .iter()
                .filter(|(at, _)| *at <= cutoff)
                .count(),
            outcome,
            acknowledge_by: self.acknowledge_by.filter(|_| status != Status::Draft),
            acknowledged_on: self
                .acknowledged_at
                .filter(|at| *at <= cutoff)
                .map(&local_date),
        })
    }
}

impl Timeline {
    /// What this problem adds to the figures, as steps: `(day, change)` pairs, oldest first,
    /// each the change from the day before, so that the changes up to a day sum to its tally
    /// at that day's end. `end_of_day` and `local_date` are on its unit's calendar.
    pub fn changes(
        &self,
        end_of_day: impl Fn(NaiveDate) -> NaiveDateTime,
        local_date: impl Fn(NaiveDateTime) -> NaiveDate,
    ) -> Vec<(NaiveDate, Tally)> {
        let born = local_date(self.created_at);
        // The only days its standing can change: between two of them it stands still.
        let mut days: Vec<NaiveDate> = std::iter::once(born)
            .chain(self.history.iter().map(|(at, _, _)| local_date(*at)))
            .chain(self.extensions.iter().map(|(at, _)| local_date(*at)))
            .chain(self.outcomes.iter().map(|(at, _)| local_date(*at)))
            .chain(self.acknowledged_at.map(&local_date))
            // The day after the last day to acknowledge: an unacknowledged problem is late.
            .chain(self.acknowledge_by.and_then(|d| d.succ_opt()))
            .chain(
                self.original_deadline
                    .iter()
                    .chain(self.extensions.iter().map(|(_, d)| d))
                    .flat_map(|d| [d.checked_sub_days(DUE_SOON), d.succ_opt()])
                    .flatten(),
            )
            .filter(|d| *d >= born)
            .collect();
        days.sort_unstable();
        days.dedup();
        let mut before = Tally::default();
        let mut steps = Vec::new();
        for day in days {
            let now = self
                .at(end_of_day(day), &local_date)
                .map_or_else(Tally::default, |s| Tally::of(&s, day));
            if now != before {
                steps.push((day, now - before));
                before = now;
            }
        }
        steps
    }
}

/// The additive counts behind `Figures`: what one problem adds on a day, or what many add.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Tally {
    pub total: i64,
    pub draft: i64,
    pub open: i64,
    pub in_progress: i64,
    pub submitted: i64,
    pub closed: i64,
    pub cancelled: i64,
    pub overdue: i64,
    pub due_soon: i64,
    pub closed_on_time: i64,
    pub seconds_to_close: i64,
    pub extensions_granted: i64,
    pub closed_rectified: i64,
    pub closed_continuing: i64,
    pub unrectified: i64,
    pub acknowledgements_due: i64,
    pub acknowledged_on_time: i64,
}

impl Tally {
    /// One problem's standing on `day`.
    pub fn of(s: &Standing, day: NaiveDate) -> Tally {
        let mut t = Tally {
            total: 1,
            ..Default::default()
        };
        *match s.status {
            Status::Draft => &mut t.draft,
            Status::Open => &mut t.open,
            Status::InProgress => &mut t.in_progress,
            Status::Submitted => &mut t.submitted,
            Status::Closed => &mut t.closed,
            Status::Cancelled => &mut t.cancelled,
        } = 1;
        t.overdue = i64::from(s.status.is_active() && s.deadline.is_some_and(|d| d < day));
        t.due_soon = i64::from(
            s.status.is_active()
                && s.deadline
                    .is_some_and(|d| d >= day && day.checked_add_days(DUE_SOON) >= Some(d)),
        );
        t.closed_on_time = i64::from(s.on_time == Some(true));
        t.seconds_to_close = s.seconds_to_close.unwrap_or(0);
        t.extensions_granted = s.extensions_granted as i64;
        match s.outcome {
            Some(Outcome::Rectified) if s.status == Status::Closed => t.closed_rectified = 1,
            Some(Outcome::Continuing) if s.status == Status::Closed => t.closed_continuing = 1,
            Some(Outcome::Unrectified) => t.unrectified = 1,
            _ => {}
        }
        // Due once acknowledged or once the last day has passed; a problem cancelled before
        // anyone acknowledged it owes no acknowledgement.
        match supervision::acknowledgement(s.acknowledge_by, s.acknowledged_on, day) {
            Some(Acknowledgement::OnTime) => {
                t.acknowledgements_due = 1;
                t.acknowledged_on_time = 1;
            }
            Some(Acknowledgement::Late)
                if s.acknowledged_on.is_some() || s.status != Status::Cancelled =>
            {
                t.acknowledgements_due = 1;
            }
            _ => {}
        }
        t
    }

    pub fn is_zero(&self) -> bool {
        *self == Tally::default()
    }

    fn zip(self, other: Tally, f: impl Fn(i64, i64) -> i64) -> Tally {
        Tally {
            total: f(self.total, other.total),
            draft: f(self.draft, other.draft),
            open: f(self.open, other.open),
            in_progress: f(self.in_progress, other.in_progress),
            submitted: f(self.submitted, other.submitted),
            closed: f(self.closed, other.closed),
            cancelled: f(self.cancelled, other.cancelled),
            overdue: f(self.overdue, other.overdue),
            due_soon: f(self.due_soon, other.due_soon),
            closed_on_time: f(self.closed_on_time, other.closed_on_time),
            seconds_to_close: f(self.seconds_to_close, other.seconds_to_close),
            extensions_granted: f(self.extensions_granted, other.extensions_granted),
            closed_rectified: f(self.closed_rectified, other.closed_rectified),
            closed_continuing: f(self.closed_continuing, other.closed_continuing),
            unrectified: f(self.unrectified, other.unrectified),
            acknowledgements_due: f(self.acknowledgements_due, other.acknowledgements_due),
            acknowledged_on_time: f(self.acknowledged_on_time, other.acknowledged_on_time),
        }
    }
}

impl std::ops::Add for Tally {
    type Output = Tally;
    fn add(self, other: Tally) -> Tally {
        self.zip(other, |a, b| a + b)
    }
}

impl std::ops::Sub for Tally {
    type Output = Tally;
    fn sub(self, other: Tally) -> Tally {
        self.zip(other, |a, b| a - b)
    }
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, other: Tally) {
        *self = *self + other;
    }
}

/// "Due soon": due within this many days from the day, as the ledger's yellow light.
const DUE_SOON: chrono::Days = chrono::Days::new(crate::domain::deadline::DUE_SOON_DAYS as u64);

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

/// Closed problems by the outcome of their closing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OutcomeCounts {
    /// 已整改.
    pub rectified: u64,
    /// 持续整改: closed for now, reopened on its review date.
    pub continuing: u64,
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
    /// Open or in progress and due within the 7 days from the day (the day included).
    pub due_soon: u64,
    pub average_days_to_close: Option<f64>,
    pub extensions_granted: u64,
    /// The closed problems split by outcome (they sum to `by_status.closed`).
    pub closed_by_outcome: OutcomeCounts,
    /// Reopened by an auditor as 未整改 and not closed again since.
    pub unrectified: u64,
    /// Confirmed problems acknowledged, or whose last day to acknowledge has passed.
    pub acknowledgements_due: u64,
    /// 及时签收率: acknowledged by the last day ÷ acknowledgements due; null when none is due.
    pub acknowledged_on_time_rate: Option<f64>,
    #[serde(skip)]
    tally: Tally,
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0)
}

impl Figures {
    /// Counts one problem's standing on `day`.
    pub fn add(&mut self, s: &Standing, day: NaiveDate) {
        self.add_tally(Tally::of(s, day));
    }

    /// Counts a tally of many problems.
    pub fn add_tally(&mut self, t: Tally) {
        *self = Figures::from(self.tally + t);
    }
}

impl From<Tally> for Figures {
    fn from(t: Tally) -> Figures {
        let n = |v: i64| v.max(0) as u64;
        let closed = n(t.closed);
        let cancelled = n(t.cancelled);
        let total = n(t.total);
        Figures {
            total,
            by_status: StatusCounts {
                draft: n(t.draft),
                open: n(t.open),
                in_progress: n(t.in_progress),
                submitted: n(t.submitted),
                closed,
                cancelled,
            },
            completion_rate: ratio(closed, total.saturating_sub(cancelled)),
            on_time_rate: ratio(n(t.closed_on_time), closed),
            overdue: n(t.overdue),
            due_soon: n(t.due_soon),
            average_days_to_close: (closed > 0).then(|| {
                (t.seconds_to_close as f64 / 86_400.0 / closed as f64 * 10.0).round() / 10.0
            }),
            extensions_granted: n(t.extensions_granted),
            closed_by_outcome: OutcomeCounts {
                rectified: n(t.closed_rectified),
                continuing: n(t.closed_continuing),
            },
            unrectified: n(t.unrectified),
            acknowledgements_due: n(t.acknowledgements_due),
            acknowledged_on_time_rate: ratio(n(t.acknowledged_on_time), n(t.acknowledgements_due)),
            tally: t,
        }
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
            outcomes: vec![(t("2026-06-26 02:00"), Outcome::Rectified)],
            acknowledge_by: Some(d("2026-06-05")),
            acknowledged_at: Some(t("2026-06-03 02:00")),
        }
    }

    #[test]
    fn a_step_that_keeps_a_problem_closed_does_not_move_its_close() {
        let mut tl = timeline();
        tl.history.pop();
        // A new review date (持续整改) after the close: closed → closed.
        tl.history
            .push((t("2026-07-05 02:00"), "defer_review".into(), Status::Closed));
        let later = tl.at(t("2026-07-06 00:00"), local).unwrap();
        assert_eq!(later.status, Status::Closed);
        assert_eq!(
            later.seconds_to_close,
            Some((t("2026-06-26 02:00") - t("2026-06-01 02:00")).num_seconds())
        );
        assert_eq!(later.on_time, Some(true));
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
        assert_eq!(june_30.seconds_to_close, Some(25 * 86_400));
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
            seconds_to_close: None,
            on_time: None,
            extensions_granted: 0,
            outcome: None,
            acknowledge_by: None,
            acknowledged_on: None,
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

    /// The steps sum, on every day, to exactly what the problem's standing that day adds:
    /// for any history, extensions and deadlines, on the calendars either side of UTC.
    mod steps {
        use super::*;
        use proptest::prelude::*;

        fn arb_timeline() -> impl Strategy<Value = Timeline> {
            let actions = prop::collection::vec((0i64..60 * 24, 0usize..8), 0..8);
            let extensions = prop::collection::vec((0i64..60 * 24, 0u64..50), 0..3);
            let acknowledgement = (prop::option::of(0u64..20), prop::option::of(0i64..40 * 24));
            (
                0i64..24,
                prop::option::of(0u64..40),
                actions,
                extensions,
                acknowledgement,
            )
                .prop_map(
                    |(hour, deadline, actions, extensions, (acknowledge_by, acknowledged))| {
                        let start = t("2026-06-01 00:00") + chrono::Duration::hours(hour);
                        let day0 = d("2026-06-01");
                        let mut history = vec![(start, "create".to_owned(), Status::Draft)];
                        let mut steps: Vec<_> = actions
                            .into_iter()
                            .map(|(hours, s)| {
                                let (action, status) = [
                                    ("confirm", Status::Open),
                                    ("start", Status::InProgress),
                                    ("submit", Status::Submitted),
                                    ("verify", Status::Closed),
                                    ("reopen", Status::InProgress),
                                    ("cancel", Status::Cancelled),
                                    ("verify continuing", Status::Closed),
                                    ("mark_unrectified", Status::InProgress),
                                ][s];
                                (
                                    start + chrono::Duration::hours(hours),
                                    action.to_owned(),
                                    status,
                                )
                            })
                            .collect();
                        steps.sort_by_key(|(at, _, _)| *at);
                        let outcomes = steps
                            .iter()
                            .filter_map(|(at, action, _)| {
                                let outcome = match action.as_str() {
                                    "verify" => Outcome::Rectified,
                                    "verify continuing" => Outcome::Continuing,
                                    "mark_unrectified" => Outcome::Unrectified,
                                    _ => return None,
                                };
                                Some((*at, outcome))
                            })
                            .collect();
                        history.extend(steps);
                        let mut extensions: Vec<_> = extensions
                            .into_iter()
                            .map(|(hours, days)| {
                                (
                                    start + chrono::Duration::hours(hours),
                                    day0 + chrono::Days::new(days),
                                )
                            })
                            .collect();
                        extensions.sort_by_key(|(at, _)| *at);
                        Timeline {
                            created_at: start,
                            original_deadline: deadline.map(|n| day0 + chrono::Days::new(n)),
                            history,
                            extensions,
                            outcomes,
                            acknowledge_by: acknowledge_by.map(|n| day0 + chrono::Days::new(n)),
                            acknowledged_at: acknowledged
                                .map(|h| start + chrono::Duration::hours(h)),
                        }
                    },
                )
        }

        proptest! {
            #[test]
            fn sum_to_the_standing_of_every_day(
                tl in arb_timeline(),
                zone in prop::sample::select(vec!["Asia/Shanghai", "America/New_York", "UTC"]),
            ) {
                let end = |day: NaiveDate| crate::domain::deadline::end_of_day(day, zone);
                let local = |at: NaiveDateTime| crate::domain::deadline::local_date(at, zone);
                let steps = tl.changes(end, local);
                prop_assert!(steps.windows(2).all(|w| w[0].0 < w[1].0));
                prop_assert!(steps.iter().all(|(_, change)| !change.is_zero()));
                let mut day = d("2026-05-30");
                while day < d("2026-09-15") {
                    let summed = steps
                        .iter()
                        .filter(|(on, _)| *on <= day)
                        .fold(Tally::default(), |sum, (_, change)| sum + *change);
                    let standing = tl
                        .at(end(day), local)
                        .map_or_else(Tally::default, |s| Tally::of(&s, day));
                    prop_assert_eq!(summed, standing, "on {}", day);
                    day = day.succ_opt().unwrap();
                }
            }
        }
    }

    #[test]
    fn closed_problems_split_by_the_outcome_their_close_recorded() {
        let mut tl = timeline();
        tl.history.pop();
        let closed = |tl: &Timeline| tl.at(t("2026-07-01 00:00"), local).unwrap().outcome;
        assert_eq!(closed(&tl), Some(Outcome::Rectified));
        tl.outcomes = vec![(t("2026-06-26 02:00"), Outcome::Continuing)];
        assert_eq!(closed(&tl), Some(Outcome::Continuing));
        // Closed before outcomes were kept: rectified.
        tl.outcomes.clear();
        assert_eq!(closed(&tl), Some(Outcome::Rectified));
        // An auditor finds it unrectified: it counts as such until it is closed again.
        tl.outcomes = vec![
            (t("2026-06-26 02:00"), Outcome::Rectified),
            (t("2026-07-02 02:00"), Outcome::Unrectified),
            (t("2026-07-09 02:00"), Outcome::Continuing),
        ];
        tl.history.push((
            t("2026-07-02 02:00"),
            "mark_unrectified".into(),
            Status::InProgress,
        ));
        tl.history
            .push((t("2026-07-08 02:00"), "submit".into(), Status::Submitted));
        tl.history
            .push((t("2026-07-09 02:00"), "verify".into(), Status::Closed));
        let on = |day: &str| {
            let day = d(day);
            Figures::from(Tally::of(
                &tl.at(day.and_hms_opt(15, 59, 0).unwrap(), local).unwrap(),
                day,
            ))
        };
        let july_5 = on("2026-07-05");
        assert_eq!((july_5.unrectified, july_5.by_status.closed), (1, 0));
        let july_10 = on("2026-07-10");
        assert_eq!(july_10.unrectified, 0);
        assert_eq!(
            july_10.closed_by_outcome,
            OutcomeCounts {
                rectified: 0,
                continuing: 1
            }
        );
    }

    #[test]
    fn acknowledgements_are_due_when_made_or_when_the_last_day_has_passed() {
        let figures = |tl: &Timeline, day: &str| {
            let day = d(day);
            Figures::from(Tally::of(
                &tl.at(day.and_hms_opt(15, 59, 0).unwrap(), local).unwrap(),
                day,
            ))
        };
        // Confirmed on 2 June, 3 days to acknowledge, acknowledged on the 3rd.
        let tl = timeline();
        let draft = figures(&tl, "2026-06-01");
        assert_eq!(
            (draft.acknowledgements_due, draft.acknowledged_on_time_rate),
            (0, None)
        );
        let on_time = figures(&tl, "2026-06-03");
        assert_eq!(on_time.acknowledgements_due, 1);
        assert_eq!(on_time.acknowledged_on_time_rate, Some(1.0));
        // Not acknowledged: pending through the last day, late the day after.
        let mut never = timeline();
        never.acknowledged_at = None;
        assert_eq!(figures(&never, "2026-06-05").acknowledgements_due, 0);
        let late = figures(&never, "2026-06-06");
        assert_eq!(late.acknowledgements_due, 1);
        assert_eq!(late.acknowledged_on_time_rate, Some(0.0));
        // Acknowledged after the last day: late.
        let mut after = timeline();
        after.acknowledged_at = Some(t("2026-06-07 02:00"));
        assert_eq!(
            figures(&after, "2026-06-30").acknowledged_on_time_rate,
            Some(0.0)
        );
        // Cancelled before anyone acknowledged it: nothing was owed.
        never.history = vec![
            (t("2026-06-01 02:00"), "create".into(), Status::Draft),
            (t("2026-06-02 02:00"), "confirm".into(), Status::Open),
            (t("2026-06-04 02:00"), "cancel".into(), Status::Cancelled),
        ];
        assert_eq!(figures(&never, "2026-06-30").acknowledgements_due, 0);
    }

    #[test]
    fn figures_of_a_tally_are_the_figures_of_its_problems() {
        let tl = timeline();
        let (day, cutoff) = (d("2026-06-30"), t("2026-06-30 15:59"));
        let mut one_by_one = Figures::default();
        one_by_one.add(&tl.at(cutoff, local).unwrap(), day);
        one_by_one.add(&tl.at(t("2026-06-10 15:59"), local).unwrap(), day);
        let tally = Tally::of(&tl.at(cutoff, local).unwrap(), day)
            + Tally::of(&tl.at(t("2026-06-10 15:59"), local).unwrap(), day);
        assert_eq!(Figures::from(tally), one_by_one);
        assert_eq!(one_by_one.completion_rate, Some(0.5));
        assert_eq!(one_by_one.overdue, 1);
    }
}
