-- The progress figures as running tallies: for each unit, review and aspect (empty for none),
-- what its problems' standing changed by on each day (the unit's calendar). The figures at the
-- end of a day are the sums of the rows up to it. Kept in step with every write to a problem;
-- built from the history when empty.
CREATE TABLE progress_tallies (
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    review_id BIGINT NOT NULL,
    aspect TEXT NOT NULL,
    day DATE NOT NULL,
    total BIGINT NOT NULL,
    draft BIGINT NOT NULL,
    open BIGINT NOT NULL,
    in_progress BIGINT NOT NULL,
    submitted BIGINT NOT NULL,
    closed BIGINT NOT NULL,
    cancelled BIGINT NOT NULL,
    overdue BIGINT NOT NULL,
    due_soon BIGINT NOT NULL,
    closed_on_time BIGINT NOT NULL,
    seconds_to_close BIGINT NOT NULL,
    extensions_granted BIGINT NOT NULL,
    PRIMARY KEY (organization_id, review_id, aspect, day)
);
CREATE INDEX progress_tallies_review ON progress_tallies (review_id);
