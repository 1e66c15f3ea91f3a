-- A large import is written in short transactions, so that other units' writes never wait
-- long behind it. Until its last transaction clears this lease, the review and everything it
-- holds are invisible; an import whose lease ran out (its process died) is removed.
ALTER TABLE reviews ADD COLUMN importing_until TIMESTAMP;
CREATE INDEX reviews_importing_idx ON reviews (importing_until) WHERE importing_until IS NOT NULL;
-- History stays append-only, except that of a problem never shown: a removed import's.
DROP TRIGGER problem_history_no_delete;
CREATE TRIGGER problem_history_no_delete BEFORE DELETE ON problem_history
WHEN NOT EXISTS (
    SELECT 1 FROM problems p JOIN reviews r ON r.id = p.review_id
    WHERE p.id = OLD.problem_id AND r.importing_until IS NOT NULL
)
BEGIN SELECT RAISE(ABORT, 'problem_history is append-only'); END;
