-- A large import is written in short transactions, so that other units' writes never wait
-- long behind it. Until its last transaction clears this lease, the review and everything it
-- holds are invisible; an import whose lease ran out (its process died) is removed.
ALTER TABLE reviews ADD COLUMN importing_until TIMESTAMP;
CREATE INDEX reviews_importing_idx ON reviews (importing_until) WHERE importing_until IS NOT NULL;
-- History stays append-only, except that of a problem never shown: a removed import's.
CREATE FUNCTION problem_history_append_only_unless_staged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (
        SELECT 1 FROM problems p JOIN reviews r ON r.id = p.review_id
        WHERE p.id = OLD.problem_id AND r.importing_until IS NOT NULL
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'problem_history is append-only';
END;
$$;
DROP TRIGGER problem_history_no_rewrite ON problem_history;
CREATE TRIGGER problem_history_no_rewrite BEFORE UPDATE OR DELETE ON problem_history
FOR EACH ROW EXECUTE FUNCTION problem_history_append_only_unless_staged();
