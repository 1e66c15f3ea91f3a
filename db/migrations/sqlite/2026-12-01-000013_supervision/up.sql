-- Supervision (docs/domain.md "Workflow"): 签收, the lights and the escalation ladder, 持续整改,
-- 回头看, 督办 notices, 抄送 watchers and 问题反弹 recurrences.
--
-- Policies an organization sets or inherits from its nearest ancestor that does (null: inherit):
-- the days a unit has to acknowledge a confirmed problem, the days before a deadline when its
-- light turns yellow, and the days after a rectified closing when it is re-checked (0: never).
ALTER TABLE organizations ADD COLUMN acknowledge_days INTEGER;
ALTER TABLE organizations ADD COLUMN warn_days INTEGER;
ALTER TABLE organizations ADD COLUMN recheck_days INTEGER;
ALTER TABLE organizations ADD COLUMN escalate_after_days INTEGER;
-- Who the ladder tells besides the owner: the leader in charge (分管领导) at yellow, the head
-- (主要负责人) at red. Not inherited: each unit names its own.
ALTER TABLE organizations ADD COLUMN leader_id BIGINT REFERENCES users (id);
ALTER TABLE organizations ADD COLUMN head_id BIGINT REFERENCES users (id);

-- The last day to acknowledge (set when the problem is confirmed) and when it was acknowledged.
ALTER TABLE problems ADD COLUMN acknowledge_by DATE;
ALTER TABLE problems ADD COLUMN acknowledged_at TIMESTAMP;
-- How the last closing came out: rectified, continuing (closed for now, reopened on review_on)
-- or unrectified (an auditor found it closed without enough, and reopened it).
ALTER TABLE problems ADD COLUMN outcome TEXT;
ALTER TABLE problems ADD COLUMN review_on DATE;
-- When a rectified closing is due to be re-checked (回头看); cleared once it is.
ALTER TABLE problems ADD COLUMN recheck_on DATE;
-- The escalation ladder as the scan last recorded it: the level reached for this deadline,
-- and the day the next level begins (null at the top).
ALTER TABLE problems ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE problems ADD COLUMN escalated_deadline DATE;
ALTER TABLE problems ADD COLUMN next_escalation_on DATE;
-- Problems already under way when the ladder arrives do not climb it retroactively (no burst
-- of past escalations and 督办 notices on upgrade): the ladder starts for them with their next
-- deadline. Their escalation_level is still shown as it stands.
UPDATE problems SET escalation_level = 3, escalated_deadline = deadline
    WHERE status IN ('open', 'in_progress') AND deadline IS NOT NULL;

-- The scans look for continuing problems whose review date has come.
CREATE INDEX problems_review_on_idx ON problems (review_on) WHERE review_on IS NOT NULL;
-- ... for closed problems whose re-check is due ...
CREATE INDEX problems_recheck_on_idx ON problems (recheck_on) WHERE recheck_on IS NOT NULL;
-- ... and for confirmed problems not acknowledged in time.
CREATE INDEX problems_unacknowledged_idx ON problems (acknowledge_by)
    WHERE acknowledge_by IS NOT NULL AND acknowledged_at IS NULL;

-- What each re-check (回头看) found: held, or recurred (the problem was reopened).
CREATE TABLE problem_rechecks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    problem_id BIGINT NOT NULL REFERENCES problems (id),
    outcome TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX problem_rechecks_problem_idx ON problem_rechecks (problem_id, id);

-- A reminder fires once per problem, kind and date (acknowledgement_overdue: the last day to
-- acknowledge; recheck_due: the re-check date). The ladder keeps its own columns above.
CREATE TABLE problem_reminders (
    problem_id BIGINT NOT NULL REFERENCES problems (id),
    kind TEXT NOT NULL,
    due_on DATE NOT NULL,
    noticed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (problem_id, kind, due_on)
);

-- 督办 notices: from a supervising unit to one below it, numbered per issuer and year
-- (督〔2026〕17号), naming problems, with the day to reply by and the reply. issued_by is null
-- for a notice the escalation ladder issued (for the problem's deadline then, for_deadline).
CREATE TABLE supervision_notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    issuing_organization_id BIGINT NOT NULL REFERENCES organizations (id),
    year INTEGER NOT NULL,
    number BIGINT NOT NULL,
    recipient_organization_id BIGINT NOT NULL REFERENCES organizations (id),
    issued_by BIGINT REFERENCES users (id),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    reply_by DATE NOT NULL,
    for_deadline DATE,
    reply TEXT,
    replied_by BIGINT REFERENCES users (id),
    replied_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (issuing_organization_id, year, number)
);
CREATE INDEX supervision_notices_recipient_idx ON supervision_notices (recipient_organization_id, id);
CREATE TABLE notice_problems (
    notice_id BIGINT NOT NULL REFERENCES supervision_notices (id),
    problem_id BIGINT NOT NULL REFERENCES problems (id),
    PRIMARY KEY (notice_id, problem_id)
);
CREATE INDEX notice_problems_problem_idx ON notice_problems (problem_id);

-- 抄送: a user, or an organization (its people and those below), watching a problem or a whole
-- review. Watchers read what they watch, even outside their subtree, and its events reach
-- their organization's webhooks.
CREATE TABLE watchers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    problem_id BIGINT REFERENCES problems (id),
    review_id BIGINT REFERENCES reviews (id),
    user_id BIGINT REFERENCES users (id),
    organization_id BIGINT REFERENCES organizations (id),
    added_by BIGINT REFERENCES users (id),
    added_at TIMESTAMP NOT NULL,
    CHECK ((problem_id IS NULL) <> (review_id IS NULL)),
    CHECK ((user_id IS NULL) <> (organization_id IS NULL))
);
CREATE INDEX watchers_problem_idx ON watchers (problem_id);
CREATE INDEX watchers_review_idx ON watchers (review_id);

-- 问题反弹: each new problem flagged as possibly repeating a closed problem of an earlier review
-- of the same subtree (by the words their titles share), and a coordinator's decision:
-- confirmed (it came back) or dismissed.
CREATE TABLE problem_recurrences (
    problem_id BIGINT NOT NULL REFERENCES problems (id),
    earlier_id BIGINT NOT NULL REFERENCES problems (id),
    score REAL NOT NULL,
    decision TEXT,
    decided_by BIGINT REFERENCES users (id),
    decided_at TIMESTAMP,
    PRIMARY KEY (problem_id, earlier_id)
);
