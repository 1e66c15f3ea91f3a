-- Progress as of any day splits closed problems by outcome (已整改 / 持续整改), counts those an
-- auditor reopened as 未整改, and rates acknowledgements made in time (及时签收率).
--
-- Each closing step keeps the outcome it recorded, so that a problem closed as continuing,
-- reactivated and closed again as rectified counts as each on its own days.
ALTER TABLE problem_history ADD COLUMN outcome TEXT;
-- Steps from before outcomes were kept: a verify closed as rectified unless it was the one
-- that closed the problem as it stands now (its outcome is on the problem), or it was undone
-- by a reactivation (only a continuing closing is reactivated).
UPDATE problem_history SET outcome = 'rectified' WHERE action = 'verify';
UPDATE problem_history SET outcome = 'unrectified' WHERE action = 'mark_unrectified';
UPDATE problem_history SET outcome = 'continuing'
    WHERE action = 'verify'
      AND EXISTS (
          SELECT 1 FROM problem_history r
          WHERE r.problem_id = problem_history.problem_id AND r.action = 'reactivate'
            AND r.id > problem_history.id
            AND NOT EXISTS (
                SELECT 1 FROM problem_history v
                WHERE v.problem_id = problem_history.problem_id AND v.action = 'verify'
                  AND v.id > problem_history.id AND v.id < r.id));
UPDATE problem_history
    SET outcome = (SELECT p.outcome FROM problems p WHERE p.id = problem_history.problem_id)
    WHERE action = 'verify'
      AND id = (SELECT MAX(v.id) FROM problem_history v
                WHERE v.problem_id = problem_history.problem_id AND v.action = 'verify')
      AND EXISTS (SELECT 1 FROM problems p
                  WHERE p.id = problem_history.problem_id AND p.status = 'closed'
                    AND p.outcome IN ('rectified', 'continuing'));

ALTER TABLE progress_tallies ADD COLUMN closed_rectified BIGINT NOT NULL DEFAULT 0;
ALTER TABLE progress_tallies ADD COLUMN closed_continuing BIGINT NOT NULL DEFAULT 0;
ALTER TABLE progress_tallies ADD COLUMN unrectified BIGINT NOT NULL DEFAULT 0;
ALTER TABLE progress_tallies ADD COLUMN acknowledgements_due BIGINT NOT NULL DEFAULT 0;
ALTER TABLE progress_tallies ADD COLUMN acknowledged_on_time BIGINT NOT NULL DEFAULT 0;
-- The tallies are rebuilt from the histories at the next start (as on the first start after
-- the upgrade that brought them), now with the new counts.
DELETE FROM progress_tallies;

-- How many times a problem lapsed from yellow into red (each deadline once): a unit's second
-- lapse within a review goes straight to 督办. Counted back from the ladder's history.
ALTER TABLE problems ADD COLUMN lapses INTEGER NOT NULL DEFAULT 0;
UPDATE problems SET lapses = (
    SELECT COUNT(*) FROM problem_history h
    WHERE h.problem_id = problems.id AND h.action = 'escalate' AND h.note LIKE '红灯预警%')
    WHERE EXISTS (SELECT 1 FROM problem_history h
                  WHERE h.problem_id = problems.id AND h.action = 'escalate');

-- How an organization's scorecard (红黑榜) weighs its figures, as JSON (null: the nearest
-- ancestor's, else the documented defaults).
ALTER TABLE organizations ADD COLUMN scorecard_weights TEXT;

-- The evidence a reply to a 督办 notice cites: files already attached to the problems it names.
CREATE TABLE notice_evidence (
    notice_id BIGINT NOT NULL REFERENCES supervision_notices (id),
    evidence_id BIGINT NOT NULL REFERENCES evidence (id),
    PRIMARY KEY (notice_id, evidence_id)
);
