DROP TRIGGER problem_history_no_delete;
CREATE TRIGGER problem_history_no_delete BEFORE DELETE ON problem_history
BEGIN SELECT RAISE(ABORT, 'problem_history is append-only'); END;
DROP INDEX reviews_importing_idx;
ALTER TABLE reviews DROP COLUMN importing_until;
