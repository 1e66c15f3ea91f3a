-- NULL inherits the parent's setting; the root's NULL means required.
ALTER TABLE organizations ADD COLUMN evidence_required BOOLEAN;

-- Evidence files (佐证材料). The bytes live in the blob store under their SHA-256; a removed
-- file's row stays, marked, so the ledger still shows what was once offered.
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    problem_id BIGINT NOT NULL REFERENCES problems (id),
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    file_name TEXT NOT NULL,
    description TEXT NOT NULL,
    uploaded_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by BIGINT REFERENCES users (id)
);
CREATE INDEX evidence_problem_idx ON evidence (problem_id, id);

-- Deadline extension requests (延期申请); at most one pending per problem.
CREATE TABLE extensions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    problem_id BIGINT NOT NULL REFERENCES problems (id),
    requested_by BIGINT REFERENCES users (id),
    previous_deadline DATE NOT NULL,
    new_deadline DATE NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'refused')),
    decided_by BIGINT REFERENCES users (id),
    decided_at TIMESTAMP,
    decision_note TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX extensions_one_pending_key ON extensions (problem_id) WHERE status = 'pending';
CREATE INDEX extensions_status_idx ON extensions (status, id);
CREATE INDEX extensions_problem_idx ON extensions (problem_id, id);
