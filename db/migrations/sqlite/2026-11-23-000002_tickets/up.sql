-- Problem keys are <ORGCODE>-<n>; n comes from this counter and is never reused.
ALTER TABLE organizations ADD COLUMN next_problem_number BIGINT NOT NULL DEFAULT 1;

CREATE TABLE reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('organizational_life', 'democratic_life', 'theme_education', 'inspection_feedback', 'audit', 'other')),
    held_on DATE NOT NULL,
    source_text TEXT,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX reviews_organization_idx ON reviews (organization_id, id);

CREATE TABLE review_aspects (
    review_id BIGINT NOT NULL REFERENCES reviews (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (review_id, position)
);

CREATE TABLE problems (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    review_id BIGINT NOT NULL REFERENCES reviews (id),
    aspect TEXT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    owner_id BIGINT REFERENCES users (id),
    deadline DATE,
    original_deadline DATE,
    -- The deadline, or the end of time for long-term problems: one indexable sort key, the
    -- same on both backends (they order NULLs differently).
    due_sort DATE GENERATED ALWAYS AS (COALESCE(deadline, '9999-12-31')) STORED,
    kind TEXT NOT NULL CHECK (kind IN ('immediate', 'scheduled', 'long_term')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'in_progress', 'submitted', 'closed', 'cancelled')),
    extension_count INTEGER NOT NULL DEFAULT 0,
    created_by BIGINT REFERENCES users (id),
    submitted_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    closed_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX problems_key_key ON problems (key);
CREATE INDEX problems_organization_idx ON problems (organization_id, created_at, id);
-- No (status, …) index: with one, SQLite chose it for status filters and sorted every match
-- (1.8 s for a first page of a million problems) instead of walking the sort order.
CREATE INDEX problems_owner_idx ON problems (owner_id, status);
CREATE INDEX problems_review_idx ON problems (review_id, aspect);
CREATE INDEX problems_created_idx ON problems (created_at, id);
CREATE INDEX problems_updated_idx ON problems (updated_at, id);
-- Covering the common filters, so walking deadline order needs no row lookups: the planner
-- then prefers it to sorting (seen: 550 ms → under 1 ms for a first page of a million).
CREATE INDEX problems_due_sort_idx ON problems (due_sort, id, status, organization_id);

CREATE TABLE causes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id BIGINT NOT NULL REFERENCES reviews (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX causes_review_idx ON causes (review_id, id);

CREATE TABLE measures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id BIGINT NOT NULL REFERENCES reviews (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    deadline DATE,
    done BOOLEAN NOT NULL DEFAULT 0,
    done_at TIMESTAMP,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX measures_review_idx ON measures (review_id, id);
CREATE INDEX measures_owner_idx ON measures (owner_id, done);

CREATE TABLE problem_causes (
    problem_id BIGINT NOT NULL REFERENCES problems (id),
    cause_id BIGINT NOT NULL REFERENCES causes (id),
    PRIMARY KEY (problem_id, cause_id)
);
CREATE INDEX problem_causes_cause_idx ON problem_causes (cause_id);

CREATE TABLE problem_measures (
    problem_id BIGINT NOT NULL REFERENCES problems (id),
    measure_id BIGINT NOT NULL REFERENCES measures (id),
    PRIMARY KEY (problem_id, measure_id)
);
CREATE INDEX problem_measures_measure_idx ON problem_measures (measure_id);

CREATE TABLE problem_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    problem_id BIGINT NOT NULL REFERENCES problems (id),
    author_id BIGINT REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX problem_notes_problem_idx ON problem_notes (problem_id, id);

-- Append-only: the database itself refuses to rewrite history.
CREATE TABLE problem_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    problem_id BIGINT NOT NULL REFERENCES problems (id),
    actor_id BIGINT REFERENCES users (id),
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX problem_history_problem_idx ON problem_history (problem_id, id);
CREATE TRIGGER problem_history_no_update BEFORE UPDATE ON problem_history
BEGIN SELECT RAISE(ABORT, 'problem_history is append-only'); END;
CREATE TRIGGER problem_history_no_delete BEFORE DELETE ON problem_history
BEGIN SELECT RAISE(ABORT, 'problem_history is append-only'); END;

-- The first answer to a create, kept per caller and key for 24 hours.
CREATE TABLE idempotency_keys (
    caller TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    location TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
