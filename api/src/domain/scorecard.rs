//! The unit scorecard (红黑榜): child units ranked over a period on how they rectify — closing
//! on time, acknowledging in time, keeping fixes fixed — less what went wrong: problems overdue
//! at the period's end, problems that came back, 督办 notices received.

use serde::{Deserialize, Serialize};

/// What a unit did over a period, each counted from the history.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Problems closed out (verified) in the period.
    pub closed: u64,
    /// Of those, submitted by their deadline.
    pub closed_on_time: u64,
    /// Problems whose last day to acknowledge (签收) fell in the period.
    pub acknowledgements_due: u64,
    /// Of those, acknowledged by that day.
    pub acknowledged_on_time: u64,
    /// Problems open or in progress and past their deadline at the period's end.
    pub overdue: u64,
    /// Their days overdue, summed.
    pub overdue_days: u64,
    /// Problems written in the period that a coordinator confirmed repeat an earlier one.
    pub recurrences: u64,
    /// Re-checks (回头看) recorded in the period that found the fix held.
    pub rechecks_held: u64,
    /// Re-checks recorded in the period that found the problem back.
    pub rechecks_recurred: u64,
    /// 督办 notices the unit (or one below it) received in the period.
    pub notices_received: u64,
}

/// How the score weighs each figure. A rate with nothing to measure counts in full. An
/// organization may set its own (a policy, inherited down the tree); [`WEIGHTS`] otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    /// Points for closing every problem on time.
    pub on_time: f64,
    /// Points for acknowledging every problem in time.
    pub acknowledged: f64,
    /// Points for every re-check finding the fix held.
    pub rechecks_held: f64,
    /// Points off per problem overdue at the period's end.
    pub per_overdue: f64,
    /// Points off per day overdue, summed over those problems.
    pub per_overdue_day: f64,
    /// Points off per confirmed recurrence.
    pub per_recurrence: f64,
    /// Points off per 督办 notice received.
    pub per_notice: f64,
}

/// The weights every scorecard uses: up to 100 points for what went right.
pub const WEIGHTS: Weights = Weights {
    on_time: 40.0,
    acknowledged: 30.0,
    rechecks_held: 30.0,
    per_overdue: 2.0,
    per_overdue_day: 0.1,
    per_recurrence: 5.0,
    per_notice: 5.0,
};

/// The largest weight a policy may give one figure.
pub const MAX_WEIGHT: f64 = 1000.0;

impl Weights {
    /// Each weight by name.
    pub fn named(&self) -> [(&'static str, f64); 7] {
        [
            ("on_time", self.on_time),
            ("acknowledged", self.acknowledged),
            ("rechecks_held", self.rechecks_held),
            ("per_overdue", self.per_overdue),
            ("per_overdue_day", self.per_overdue_day),
            ("per_recurrence", self.per_recurrence),
            ("per_notice", self.per_notice),
        ]
    }

    /// The first weight a policy may not set (negative, not a number, or above
    /// [`MAX_WEIGHT`]), by name.
    pub fn out_of_range(&self) -> Option<&'static str> {
        self.named()
            .into_iter()
            .find(|(_, w)| !(0.0..=MAX_WEIGHT).contains(w))
            .map(|(name, _)| name)
    }
}

/// `part / whole`, or `None` when there is nothing to measure.
pub fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The rates a scorecard shows for a unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rates {
    pub on_time_rate: Option<f64>,
    pub acknowledged_on_time_rate: Option<f64>,
    pub rechecks_held_rate: Option<f64>,
}

pub fn rates(c: &Counts) -> Rates {
    Rates {
        on_time_rate: rate(c.closed_on_time, c.closed),
        acknowledged_on_time_rate: rate(c.acknowledged_on_time, c.acknowledgements_due),
        rechecks_held_rate: rate(c.rechecks_held, c.rechecks_held + c.rechecks_recurred),
    }
}

/// The score, to one decimal: the weighted rates less the weighted counts of what went wrong.
pub fn score(c: &Counts, w: &Weights) -> f64 {
    let r = rates(c);
    let raw = w.on_time * r.on_time_rate.unwrap_or(1.0)
        + w.acknowledged * r.acknowledged_on_time_rate.unwrap_or(1.0)
        + w.rechecks_held * r.rechecks_held_rate.unwrap_or(1.0)
        - w.per_overdue * c.overdue as f64
        - w.per_overdue_day * c.overdue_days as f64
        - w.per_recurrence * c.recurrences as f64
        - w.per_notice * c.notices_received as f64;
    (raw * 10.0).round() / 10.0
}

/// Ranks of scores, highest first; equal scores share a rank and the next rank skips
/// (1, 2, 2, 4), as league tables do.
pub fn ranks(scores: &[f64]) -> Vec<usize> {
    scores
        .iter()
        .map(|s| 1 + scores.iter().filter(|other| *other > s).count())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_may_weigh_each_figure_from_nothing_to_a_thousand() {
        assert_eq!(WEIGHTS.out_of_range(), None);
        let heavy = Weights {
            per_notice: 20.0,
            ..WEIGHTS
        };
        let c = Counts {
            notices_received: 1,
            ..Counts::default()
        };
        assert_eq!(score(&c, &WEIGHTS), 95.0);
        assert_eq!(score(&c, &heavy), 80.0);
        for bad in [-1.0, f64::NAN, 1000.5, f64::INFINITY] {
            let w = Weights {
                per_overdue_day: bad,
                ..WEIGHTS
            };
            assert_eq!(w.out_of_range(), Some("per_overdue_day"), "{bad}");
        }
        let zero = Weights {
            on_time: 0.0,
            ..WEIGHTS
        };
        assert_eq!(zero.out_of_range(), None);
    }

    #[test]
    fn a_unit_that_did_everything_right_scores_a_hundred_and_nothing_to_measure_counts_in_full() {
        assert_eq!(score(&Counts::default(), &WEIGHTS), 100.0);
        let perfect = Counts {
            closed: 4,
            closed_on_time: 4,
            acknowledgements_due: 3,
            acknowledged_on_time: 3,
            rechecks_held: 2,
            ..Counts::default()
        };
        assert_eq!(score(&perfect, &WEIGHTS), 100.0);
    }

    #[test]
    fn each_figure_weighs_as_documented() {
        let c = Counts {
            closed: 4,
            closed_on_time: 3,
            acknowledgements_due: 2,
            acknowledged_on_time: 1,
            overdue: 2,
            overdue_days: 15,
            recurrences: 1,
            rechecks_held: 1,
            rechecks_recurred: 1,
            notices_received: 1,
        };
        // 40·¾ + 30·½ + 30·½ − 2·2 − 0.1·15 − 5·1 − 5·1 = 30 + 15 + 15 − 4 − 1.5 − 5 − 5 = 44.5
        assert_eq!(score(&c, &WEIGHTS), 44.5);
        let r = rates(&c);
        assert_eq!(r.on_time_rate, Some(0.75));
        assert_eq!(r.acknowledged_on_time_rate, Some(0.5));
        assert_eq!(r.rechecks_held_rate, Some(0.5));
        assert_eq!(rate(1, 0), None);
    }

    #[test]
    fn equal_scores_share_a_rank_and_the_next_skips() {
        assert_eq!(ranks(&[90.0, 100.0, 90.0, 40.5]), vec![2, 1, 2, 4]);
        assert_eq!(ranks(&[]), Vec::<usize>::new());
    }
}
