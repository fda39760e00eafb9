-- +goose Up
CREATE TABLE orgs (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    parent_id BIGINT NULL,
    kind VARCHAR(16) NOT NULL,
    name VARCHAR(191) NOT NULL,
    path VARCHAR(255) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_orgs_parent FOREIGN KEY (parent_id) REFERENCES orgs(id),
    CONSTRAINT ck_orgs_kind CHECK (kind IN ('city','district','street','community')),
    UNIQUE KEY uq_orgs_parent_name (parent_id, name),
    KEY idx_orgs_path (path)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE estates (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    community_id BIGINT NOT NULL,
    name VARCHAR(191) NOT NULL,
    address VARCHAR(255) NOT NULL DEFAULT '',
    profile_code VARCHAR(32) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_estates_community FOREIGN KEY (community_id) REFERENCES orgs(id),
    UNIQUE KEY uq_estates_community_name (community_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE users (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    username VARCHAR(64) NOT NULL,
    display_name VARCHAR(191) NOT NULL DEFAULT '',
    password_hash VARCHAR(255) NOT NULL,
    role VARCHAR(16) NOT NULL,
    org_id BIGINT NULL,
    estate_id BIGINT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins INT NOT NULL DEFAULT 0,
    locked_until DATETIME(6) NULL,
    last_login_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_users_org FOREIGN KEY (org_id) REFERENCES orgs(id),
    CONSTRAINT fk_users_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT ck_users_role CHECK (role IN ('admin','district','street','community','committee','auditor')),
    UNIQUE KEY uq_users_username (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE sessions (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    token_hash CHAR(64) NOT NULL,
    user_id BIGINT NOT NULL,
    kind VARCHAR(8) NOT NULL,
    csrf_token VARCHAR(64) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    last_seen_at DATETIME(6) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users(id),
    UNIQUE KEY uq_sessions_token (token_hash),
    KEY idx_sessions_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE audit_logs (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    at DATETIME(6) NOT NULL,
    user_id BIGINT NULL,
    username VARCHAR(64) NOT NULL DEFAULT '',
    role VARCHAR(16) NOT NULL DEFAULT '',
    action VARCHAR(64) NOT NULL,
    target_type VARCHAR(32) NOT NULL DEFAULT '',
    target_id VARCHAR(64) NOT NULL DEFAULT '',
    org_id BIGINT NULL,
    estate_id BIGINT NULL,
    detail TEXT NOT NULL,
    request_id VARCHAR(64) NOT NULL DEFAULT '',
    KEY idx_audit_at (at),
    KEY idx_audit_estate (estate_id, at),
    KEY idx_audit_user (user_id, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE audit_logs;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE estates;
DROP TABLE orgs;
