-- +goose Up
CREATE TABLE orgs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id INTEGER REFERENCES orgs(id),
    kind TEXT NOT NULL CHECK (kind IN ('city','district','street','community')),
    name TEXT NOT NULL,
    path TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX idx_orgs_parent ON orgs(parent_id);
CREATE INDEX idx_orgs_path ON orgs(path);
CREATE UNIQUE INDEX uq_orgs_parent_name ON orgs(parent_id, name);

CREATE TABLE estates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id INTEGER NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    profile_code TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_estates_community_name ON estates(community_id, name);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin','district','street','community','committee','auditor')),
    org_id INTEGER REFERENCES orgs(id),
    estate_id INTEGER REFERENCES estates(id),
    disabled BOOLEAN NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until DATETIME,
    last_login_at DATETIME,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_users_username ON users(username);
CREATE INDEX idx_users_org ON users(org_id);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('web','api')),
    csrf_token TEXT NOT NULL,
    expires_at DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_sessions_token ON sessions(token_hash);
CREATE INDEX idx_sessions_user ON sessions(user_id);
CREATE INDEX idx_sessions_expires ON sessions(expires_at);

CREATE TABLE audit_logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at DATETIME NOT NULL,
    user_id INTEGER,
    username TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    target_type TEXT NOT NULL DEFAULT '',
    target_id TEXT NOT NULL DEFAULT '',
    org_id INTEGER,
    estate_id INTEGER,
    detail TEXT NOT NULL DEFAULT '',
    request_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_audit_at ON audit_logs(at);
CREATE INDEX idx_audit_estate ON audit_logs(estate_id, at);
CREATE INDEX idx_audit_user ON audit_logs(user_id, at);

-- +goose Down
DROP TABLE audit_logs;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE estates;
DROP TABLE orgs;
