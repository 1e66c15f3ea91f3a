//! The problem workflow (DOMAIN.md "Problem workflow") as a table, and the checks that decide
//! whether one caller may take one action now. Status changes only through [`decide`].

use serde::{Deserialize, Serialize};

use super::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Open,
    InProgress,
    Submitted,
    Closed,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Confirm,
    Start,
    Submit,
    Verify,
    Reject,
    Reopen,
    Cancel,
    /// 签收: the responsible unit takes the task on; the status stays.
    Acknowledge,
    /// A new review date for a problem closed as continuing (持续整改); the status stays.
    DeferReview,
    /// 未整改: an auditor finds a closed problem was not really fixed, and reopens it.
    MarkUnrectified,
    /// A continuing problem's review date has come: the service reopens it by itself.
    Reactivate,
}

/// Who, relative to the problem, may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// A coordinator (or an admin).
    Coordinator,
    /// The problem's owner, or a coordinator.
    OwnerOrCoordinator,
    /// The problem's owner only.
    Owner,
    /// An auditor (or an admin).
    Auditor,
    /// No caller: the service itself, on the clock.
    Service,
}

struct Rule {
    action: Action,
    from: &'static [Status],
    /// `None`: the status stays as it is.
    to: Option<Status>,
    who: Who,
}

use Status::*;

/// The whole workflow. Nothing else changes a problem's status.
const RULES: [Rule; 11] = [
    Rule {
        action: Action::Confirm,
        from: &[Draft],
        to: Some(Open),
        who: Who::Coordinator,
    },
    Rule {
        action: Action::Start,
        from: &[Open],
        to: Some(InProgress),
        who: Who::OwnerOrCoordinator,
    },
    Rule {
        action: Action::Submit,
        from: &[InProgress],
        to: Some(Submitted),
        who: Who::Owner,
    },
    Rule {
        action: Action::Verify,
        from: &[Submitted],
        to: Some(Closed),
        who: Who::Coordinator,
    },
    Rule {
        action: Action::Reject,
        from: &[Submitted],
        to: Some(InProgress),
        who: Who::Coordinator,
    },
    Rule {
        action: Action::Reopen,
        from: &[Closed],
        to: Some(InProgress),
        who: Who::Coordinator,
    },
    Rule {
        action: Action::Cancel,
        from: &[Draft, Open, InProgress],
        to: Some(Cancelled),
        who: Who::Coordinator,
    },
    Rule {
        action: Action::Acknowledge,
        from: &[Open, InProgress],
        to: None,
        who: Who::OwnerOrCoordinator,
    },
    Rule {
        action: Action::DeferReview,
        from: &[Closed],
        to: None,
        who: Who::Coordinator,
    },
    Rule {
        action: Action::MarkUnrectified,
        from: &[Closed],
        to: Some(InProgress),
        who: Who::Auditor,
    },
    Rule {
        action: Action::Reactivate,
        from: &[Closed],
        to: Some(InProgress),
        who: Who::Service,
    },
];

impl Status {
    pub const ALL: [Status; 6] = [Draft, Open, InProgress, Submitted, Closed, Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Draft => "draft",
            Open => "open",
            InProgress => "in_progress",
            Submitted => "submitted",
            Closed => "closed",
            Cancelled => "cancelled",
        }
    }

    /// Open or in progress: the problem is being worked on and its deadline counts.
    pub fn is_active(self) -> bool {
        matches!(self, Open | InProgress)
    }

    /// Evidence may be added or removed until the problem is submitted.
    pub fn evidence_may_change(self) -> bool {
        matches!(self, Draft | Open | InProgress)
    }
}

impl Action {
    pub const ALL: [Action; 11] = [
        Action::Confirm,
        Action::Start,
        Action::Submit,
        Action::Verify,
        Action::Reject,
        Action::Reopen,
        Action::Cancel,
        Action::Acknowledge,
        Action::DeferReview,
        Action::MarkUnrectified,
        Action::Reactivate,
    ];

    /// Whether taking the action needs a note: what was done (submit) or the reason.
    pub fn needs_note(self) -> bool {
        matches!(
            self,
            Action::Submit
                | Action::Reject
                | Action::Reopen
                | Action::Cancel
                | Action::DeferReview
                | Action::MarkUnrectified
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Confirm => "confirm",
            Action::Start => "start",
            Action::Submit => "submit",
            Action::Verify => "verify",
            Action::Reject => "reject",
            Action::Reopen => "reopen",
            Action::Cancel => "cancel",
            Action::Acknowledge => "acknowledge",
            Action::DeferReview => "defer_review",
            Action::MarkUnrectified => "mark_unrectified",
            Action::Reactivate => "reactivate",
        }
    }

    fn rule(self) -> &'static Rule {
        RULES
            .iter()
            .find(|r| r.action == self)
            .expect("every action has a rule")
    }
}

names!(Status, "status");
names!(Action, "action");

/// The caller as the workflow sees them, relative to one problem.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub role: Role,
    /// The caller is the problem's owner.
    pub is_owner: bool,
    /// The caller made the submission now awaiting verification.
    pub is_submitter: bool,
}

impl Actor {
    fn may(&self, who: Who) -> bool {
        let coordinates = matches!(self.role, Role::Coordinator | Role::Admin);
        let owns = self.is_owner && self.role != Role::Auditor;
        match who {
            Who::Coordinator => coordinates,
            Who::OwnerOrCoordinator => coordinates || owns,
            Who::Owner => owns,
            Who::Auditor => matches!(self.role, Role::Auditor | Role::Admin),
            Who::Service => false,
        }
    }
}

/// What the problem has, for the preconditions of an action.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub has_owner: bool,
    pub has_deadline: bool,
    /// Long-term problems (长期坚持) need no deadline.
    pub long_term: bool,
    pub measure_count: usize,
    pub measures_not_done: usize,
    pub evidence_required: bool,
    pub evidence_count: usize,
    /// The responsible unit has acknowledged the problem (签收).
    pub acknowledged: bool,
}

/// One thing an action needs that the problem or request lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    Owner,
    Deadline,
    Measure,
    /// A completion note (submit) or a reason (reject, reopen, cancel).
    Note,
    MeasuresDone,
    Evidence,
    /// Verification by someone other than the submitter.
    OtherVerifier,
}

impl Missing {
    pub fn explain(self) -> &'static str {
        match self {
            Missing::Owner => "an owner must be set",
            Missing::Deadline => "a deadline must be set (or the kind be long_term)",
            Missing::Measure => "at least one measure must be linked",
            Missing::Note => "a note is required (the completion note, or the reason)",
            Missing::MeasuresDone => "every linked measure must be done",
            Missing::Evidence => "evidence must be attached (the organization requires it)",
            Missing::OtherVerifier => "the submitter cannot verify their own submission",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    /// The status does not allow the action (409).
    NotAllowed {
        from: Status,
        action: Action,
        allowed: Vec<Action>,
    },
    /// The caller's role or relation to the problem does not allow it (403).
    Forbidden {
        action: Action,
        allowed: Vec<Action>,
    },
    /// Preconditions are not met (422).
    Unmet {
        action: Action,
        missing: Vec<Missing>,
    },
    /// The problem was acknowledged already (409).
    AlreadyAcknowledged,
}

/// The actions this caller may take from this status (status and role; preconditions are
/// checked when the action is taken).
pub fn allowed_actions(status: Status, actor: &Actor) -> Vec<Action> {
    RULES
        .iter()
        .filter(|r| r.from.contains(&status) && actor.may(r.who))
        .map(|r| r.action)
        .collect()
}

/// The actions to offer this caller on this problem: those allowed by status and role, less
/// those its state already rules out — acknowledging again, or a new review date for a problem
/// not closed as continuing.
pub fn offered_actions(
    status: Status,
    actor: &Actor,
    acknowledged: bool,
    continuing: bool,
) -> Vec<Action> {
    let mut actions = allowed_actions(status, actor);
    actions.retain(|a| match a {
        Action::Acknowledge => !acknowledged,
        Action::DeferReview => continuing,
        _ => true,
    });
    actions
}

/// Decides one transition: the new status, or why not. Checked in this order: the status,
/// the caller, the preconditions.
pub fn decide(
    status: Status,
    action: Action,
    actor: &Actor,
    facts: &Facts,
    note: Option<&str>,
) -> Result<Status, TransitionError> {
    let rule = action.rule();
    if !rule.from.contains(&status) {
        return Err(TransitionError::NotAllowed {
            from: status,
            action,
            allowed: allowed_actions(status, actor),
        });
    }
    if !actor.may(rule.who) {
        return Err(TransitionError::Forbidden {
            action,
            allowed: allowed_actions(status, actor),
        });
    }
    let has_note = note.is_some_and(|n| !n.trim().is_empty());
    let mut missing = Vec::new();
    if action.needs_note() && !has_note {
        missing.push(Missing::Note);
    }
    match action {
        Action::Confirm => missing.extend(confirm_needs(facts)),
        Action::Submit => {
            if facts.measures_not_done > 0 {
                missing.push(Missing::MeasuresDone);
            }
            if facts.evidence_required && facts.evidence_count == 0 {
                missing.push(Missing::Evidence);
            }
        }
        Action::Verify => {
            if actor.is_submitter {
                missing.push(Missing::OtherVerifier);
            }
        }
        Action::Acknowledge if facts.acknowledged => {
            return Err(TransitionError::AlreadyAcknowledged)
        }
        Action::Start
        | Action::Reject
        | Action::Reopen
        | Action::Cancel
        | Action::Acknowledge
        | Action::DeferReview
        | Action::MarkUnrectified
        | Action::Reactivate => {}
    }
    if missing.is_empty() {
        Ok(rule.to.unwrap_or(status))
    } else {
        Err(TransitionError::Unmet { action, missing })
    }
}

/// A step the service takes by itself, on the clock (reopening a continuing problem on its
/// review date): the new status, or `None` when the status does not allow it.
pub fn decide_for_service(status: Status, action: Action) -> Option<Status> {
    let rule = action.rule();
    (rule.who == Who::Service && rule.from.contains(&status)).then(|| rule.to.unwrap_or(status))
}

/// What confirming needs that the problem lacks.
fn confirm_needs(facts: &Facts) -> Vec<Missing> {
    let mut missing = Vec::new();
    if !facts.has_owner {
        missing.push(Missing::Owner);
    }
    if !facts.has_deadline && !facts.long_term {
        missing.push(Missing::Deadline);
    }
    if facts.measure_count == 0 {
        missing.push(Missing::Measure);
    }
    missing
}

/// A problem imported from a ledger already under way arrives where the ledger says it stands,
/// without the steps between (they happened before this service kept the ledger). Beyond a
/// draft it must have what confirming needs; a submission awaiting verification or a
/// cancellation cannot be imported (the one needs its evidence here, the other its reason).
pub fn import_at(status: Status, facts: &Facts) -> Result<(), Vec<Missing>> {
    let missing = match status {
        Draft => Vec::new(),
        Open | InProgress | Closed => confirm_needs(facts),
        Submitted => vec![Missing::Evidence],
        Cancelled => vec![Missing::Note],
    };
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing)
    }
}

/// Replays recorded transitions from a draft; `None` if any step was not a valid transition.
pub fn replay<'a>(steps: impl IntoIterator<Item = &'a (Action, Status)>) -> Option<Status> {
    let mut status = Draft;
    for (action, to) in steps {
        let rule = action.rule();
        if !rule.from.contains(&status) || rule.to.unwrap_or(status) != *to {
            return None;
        }
        status = *to;
    }
    Some(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn actor(role: Role, is_owner: bool) -> Actor {
        Actor {
            role,
            is_owner,
            is_submitter: false,
        }
    }

    fn ready() -> Facts {
        Facts {
            has_owner: true,
            has_deadline: true,
            measure_count: 1,
            ..Facts::default()
        }
    }

    /// The expected outcome of every (status, action, role, owner?) combination, written out
    /// from DOMAIN.md independently of `RULES`.
    fn expected(
        status: Status,
        action: Action,
        role: Role,
        owner: bool,
    ) -> Result<Status, &'static str> {
        let coordinator = matches!(role, Role::Coordinator | Role::Admin);
        let owner = owner && role != Role::Auditor;
        let (from_ok, to, who_ok) = match action {
            Action::Confirm => (status == Draft, Open, coordinator),
            Action::Start => (status == Open, InProgress, coordinator || owner),
            Action::Submit => (status == InProgress, Submitted, owner),
            Action::Verify => (status == Submitted, Closed, coordinator),
            Action::Reject => (status == Submitted, InProgress, coordinator),
            Action::Reopen => (status == Closed, InProgress, coordinator),
            Action::Cancel => (
                matches!(status, Draft | Open | InProgress),
                Cancelled,
                coordinator,
            ),
            Action::Acknowledge => (
                matches!(status, Open | InProgress),
                status,
                coordinator || owner,
            ),
            Action::DeferReview => (status == Closed, Closed, coordinator),
            Action::MarkUnrectified => (
                status == Closed,
                InProgress,
                matches!(role, Role::Auditor | Role::Admin),
            ),
            Action::Reactivate => (status == Closed, InProgress, false),
        };
        match (from_ok, who_ok) {
            (false, _) => Err("not_allowed"),
            (true, false) => Err("forbidden"),
            (true, true) => Ok(to),
        }
    }

    #[test]
    fn every_status_action_and_role_gives_the_table_outcome() {
        let mut checked = 0;
        for status in Status::ALL {
            for action in Action::ALL {
                for role in Role::ALL {
                    for owner in [false, true] {
                        let got =
                            decide(status, action, &actor(role, owner), &ready(), Some("说明"));
                        let got = match got {
                            Ok(to) => Ok(to),
                            Err(TransitionError::NotAllowed { .. }) => Err("not_allowed"),
                            Err(TransitionError::Forbidden { .. }) => Err("forbidden"),
                            Err(TransitionError::Unmet { .. }) => Err("unmet"),
                            Err(TransitionError::AlreadyAcknowledged) => Err("unmet"),
                        };
                        assert_eq!(
                            got,
                            expected(status, action, role, owner),
                            "{status} {action} {role} owner={owner}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 6 * 11 * 4 * 2);
    }

    #[test]
    fn a_refusal_names_the_actions_that_are_allowed() {
        let coordinator = actor(Role::Coordinator, false);
        let err = decide(Draft, Action::Verify, &coordinator, &ready(), None).unwrap_err();
        assert_eq!(
            err,
            TransitionError::NotAllowed {
                from: Draft,
                action: Action::Verify,
                allowed: vec![Action::Confirm, Action::Cancel]
            }
        );
        let owner = actor(Role::Owner, true);
        let err = decide(Draft, Action::Confirm, &owner, &ready(), None).unwrap_err();
        assert_eq!(
            err,
            TransitionError::Forbidden {
                action: Action::Confirm,
                allowed: vec![]
            }
        );
        assert_eq!(
            allowed_actions(Open, &owner),
            vec![Action::Start, Action::Acknowledge]
        );
        assert_eq!(allowed_actions(Open, &actor(Role::Auditor, true)), vec![]);
    }

    #[test]
    fn confirm_needs_owner_deadline_and_a_measure() {
        let coordinator = actor(Role::Coordinator, false);
        let err = decide(
            Draft,
            Action::Confirm,
            &coordinator,
            &Facts::default(),
            None,
        )
        .unwrap_err();
        assert_eq!(
            err,
            TransitionError::Unmet {
                action: Action::Confirm,
                missing: vec![Missing::Owner, Missing::Deadline, Missing::Measure]
            }
        );
        let long_term = Facts {
            has_deadline: false,
            long_term: true,
            ..ready()
        };
        assert_eq!(
            decide(Draft, Action::Confirm, &coordinator, &long_term, None),
            Ok(Open)
        );
    }

    #[test]
    fn submit_needs_a_note_done_measures_and_required_evidence() {
        let owner = actor(Role::Owner, true);
        let facts = Facts {
            measures_not_done: 1,
            evidence_required: true,
            ..ready()
        };
        let err = decide(InProgress, Action::Submit, &owner, &facts, Some("  ")).unwrap_err();
        assert_eq!(
            err,
            TransitionError::Unmet {
                action: Action::Submit,
                missing: vec![Missing::Note, Missing::MeasuresDone, Missing::Evidence]
            }
        );
        let done = Facts {
            evidence_count: 1,
            ..ready()
        };
        assert_eq!(
            decide(InProgress, Action::Submit, &owner, &done, Some("已整改")),
            Ok(Submitted)
        );
    }

    #[test]
    fn the_submitter_cannot_verify_and_reasons_are_required() {
        let submitter = Actor {
            role: Role::Coordinator,
            is_owner: true,
            is_submitter: true,
        };
        assert_eq!(
            decide(Submitted, Action::Verify, &submitter, &ready(), None),
            Err(TransitionError::Unmet {
                action: Action::Verify,
                missing: vec![Missing::OtherVerifier]
            })
        );
        let coordinator = actor(Role::Coordinator, false);
        for (from, action) in [
            (Submitted, Action::Reject),
            (Closed, Action::Reopen),
            (Open, Action::Cancel),
        ] {
            assert!(matches!(
                decide(from, action, &coordinator, &ready(), None),
                Err(TransitionError::Unmet { .. })
            ));
            assert!(decide(from, action, &coordinator, &ready(), Some("原因")).is_ok());
        }
    }

    #[test]
    fn acknowledging_keeps_the_status_and_happens_once() {
        let owner = actor(Role::Owner, true);
        for status in [Open, InProgress] {
            assert_eq!(
                decide(status, Action::Acknowledge, &owner, &ready(), None),
                Ok(status)
            );
        }
        let done = Facts {
            acknowledged: true,
            ..ready()
        };
        assert_eq!(
            decide(Open, Action::Acknowledge, &owner, &done, None),
            Err(TransitionError::AlreadyAcknowledged)
        );
        // Starting is allowed whether or not the problem was acknowledged.
        assert_eq!(
            decide(Open, Action::Start, &owner, &done, None),
            Ok(InProgress)
        );
    }

    #[test]
    fn what_is_offered_leaves_out_a_second_acknowledgement_and_deferring_a_rectified_closing() {
        let coordinator = actor(Role::Coordinator, false);
        assert_eq!(
            offered_actions(Open, &coordinator, false, false),
            vec![Action::Start, Action::Cancel, Action::Acknowledge]
        );
        assert_eq!(
            offered_actions(Open, &coordinator, true, false),
            vec![Action::Start, Action::Cancel]
        );
        assert_eq!(
            offered_actions(Closed, &coordinator, true, false),
            vec![Action::Reopen]
        );
        assert_eq!(
            offered_actions(Closed, &coordinator, true, true),
            vec![Action::Reopen, Action::DeferReview]
        );
    }

    #[test]
    fn only_an_auditor_finds_a_closed_problem_unrectified_and_says_why() {
        let auditor = actor(Role::Auditor, false);
        assert!(matches!(
            decide(Closed, Action::MarkUnrectified, &auditor, &ready(), None),
            Err(TransitionError::Unmet { .. })
        ));
        assert_eq!(
            decide(
                Closed,
                Action::MarkUnrectified,
                &auditor,
                &ready(),
                Some("证据不足")
            ),
            Ok(InProgress)
        );
        let coordinator = actor(Role::Coordinator, false);
        assert!(matches!(
            decide(
                Closed,
                Action::MarkUnrectified,
                &coordinator,
                &ready(),
                Some("x")
            ),
            Err(TransitionError::Forbidden { .. })
        ));
        assert_eq!(
            allowed_actions(Closed, &auditor),
            vec![Action::MarkUnrectified]
        );
    }

    #[test]
    fn no_caller_reactivates_and_the_service_only_reactivates_closed_problems() {
        for role in Role::ALL {
            assert!(!allowed_actions(Closed, &actor(role, true)).contains(&Action::Reactivate));
        }
        for status in Status::ALL {
            assert_eq!(
                decide_for_service(status, Action::Reactivate),
                (status == Closed).then_some(InProgress)
            );
            assert_eq!(decide_for_service(status, Action::Reopen), None);
        }
    }

    #[test]
    fn names_round_trip() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(s));
        }
        for a in Action::ALL {
            assert_eq!(a.as_str().parse::<Action>(), Ok(a));
        }
        assert!("closed ".parse::<Status>().is_err());
    }

    proptest! {
        /// Random sequences of actions by random callers: the status is always one of the six,
        /// only accepted actions change it, and replaying the accepted ones gives it back.
        #[test]
        fn random_action_sequences_keep_the_workflow_valid(
            steps in proptest::collection::vec((0..11usize, 0..4usize, any::<bool>(), any::<bool>()), 0..60)
        ) {
            let mut status = Draft;
            let mut history = Vec::new();
            let mut submitter_is_owner = false;
            for (a, r, is_owner, with_note) in steps {
                let action = Action::ALL[a];
                let role = Role::ALL[r];
                let actor = Actor { role, is_owner, is_submitter: is_owner && submitter_is_owner && status == Submitted };
                let note = with_note.then_some("说明");
                if let Ok(to) = decide(status, action, &actor, &ready(), note) {
                    prop_assert!(action.rule().from.contains(&status));
                    if action == Action::Submit {
                        submitter_is_owner = true;
                    }
                    status = to;
                    history.push((action, to));
                }
                prop_assert!(Status::ALL.contains(&status));
            }
            prop_assert_eq!(replay(&history), Some(status));
        }
    }

    #[test]
    fn an_imported_status_needs_what_confirming_needs() {
        let ready = Facts {
            has_owner: true,
            has_deadline: true,
            measure_count: 1,
            ..Facts::default()
        };
        for status in [Draft, Open, InProgress, Closed] {
            assert_eq!(import_at(status, &ready), Ok(()));
            assert_eq!(
                import_at(status, &Facts::default()).is_ok(),
                status == Draft
            );
        }
        assert_eq!(
            import_at(Closed, &Facts::default()),
            Err(vec![Missing::Owner, Missing::Deadline, Missing::Measure])
        );
        let long_term = Facts {
            has_deadline: false,
            long_term: true,
            ..ready.clone()
        };
        assert_eq!(import_at(InProgress, &long_term), Ok(()));
        assert!(import_at(Submitted, &ready).is_err());
        assert!(import_at(Cancelled, &ready).is_err());
    }
}
