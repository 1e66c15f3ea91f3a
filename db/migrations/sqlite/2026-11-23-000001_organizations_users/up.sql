-- Organizations form a tree; `path` is the materialised chain of ids ("/1/4/9/"), so a
-- subtree is one indexed prefix match on either backend.
CREATE TABLE organizations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    parent_id BIGINT REFERENCES organizations (id),
    path TEXT NOT NULL,
    timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX organizations_code_key ON organizations (code);
CREATE INDEX organizations_path_idx ON organizations (path);
CREATE INDEX organizations_parent_idx ON organizations (parent_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'owner', 'auditor')),
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    password_changed_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE INDEX users_organization_idx ON users (organization_id);
