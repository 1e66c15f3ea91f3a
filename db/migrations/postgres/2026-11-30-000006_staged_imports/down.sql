DROP TRIGGER problem_history_no_rewrite ON problem_history;
CREATE TRIGGER problem_history_no_rewrite BEFORE UPDATE OR DELETE ON problem_history
FOR EACH ROW EXECUTE FUNCTION problem_history_append_only();
DROP FUNCTION problem_history_append_only_unless_staged();
DROP INDEX reviews_importing_idx;
ALTER TABLE reviews DROP COLUMN importing_until;
