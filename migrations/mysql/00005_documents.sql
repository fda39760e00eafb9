-- +goose Up
-- Documents, announcements and meeting minutes (issue 5). Nothing here is ever deleted:
-- a corrected document is a new version and the old one is marked superseded; an
-- announcement is archived when its showing period ends; final minutes never change.

-- One series per document (the resolution of a vote, the notices of a vote, the minutes
-- of a meeting, the attachment of an announcement); its id is the serial of the number.
CREATE TABLE document_series (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    kind VARCHAR(16) NOT NULL,
    subject VARCHAR(64) NOT NULL,
    estate_id BIGINT NOT NULL,
    vote_id BIGINT NULL,
    minutes_id BIGINT NULL,
    year INT NOT NULL,
    current_version INT NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_document_series_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_document_series_vote FOREIGN KEY (vote_id) REFERENCES votes(id),
    CONSTRAINT ck_document_series_kind CHECK (kind IN ('resolution','notices','minutes','attachment')),
    UNIQUE KEY ux_document_series_subject (kind, subject)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One published version; its bytes are in document_chunks.
CREATE TABLE documents (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    series_id BIGINT NOT NULL,
    estate_id BIGINT NOT NULL,
    kind VARCHAR(16) NOT NULL,
    vote_id BIGINT NULL,
    minutes_id BIGINT NULL,
    version INT NOT NULL,
    doc_number VARCHAR(64) NOT NULL,
    title VARCHAR(255) NOT NULL,
    sha256 CHAR(64) NOT NULL,
    size_bytes BIGINT NOT NULL,
    pages INT NOT NULL DEFAULT 0,
    encrypted BOOLEAN NOT NULL DEFAULT FALSE,
    status VARCHAR(16) NOT NULL,
    supersedes_id BIGINT NULL,
    superseded_by_id BIGINT NULL,
    superseded_at DATETIME(6) NULL,
    basis VARCHAR(255) NOT NULL DEFAULT '',
    reason VARCHAR(500) NOT NULL DEFAULT '',
    summary_json MEDIUMTEXT NOT NULL,
    created_by BIGINT NULL,
    created_by_name VARCHAR(64) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    published_at DATETIME(6) NULL,
    show_until DATETIME(6) NULL,
    CONSTRAINT fk_documents_series FOREIGN KEY (series_id) REFERENCES document_series(id),
    CONSTRAINT fk_documents_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_documents_created_by FOREIGN KEY (created_by) REFERENCES users(id),
    CONSTRAINT fk_documents_supersedes FOREIGN KEY (supersedes_id) REFERENCES documents(id),
    CONSTRAINT fk_documents_superseded_by FOREIGN KEY (superseded_by_id) REFERENCES documents(id),
    CONSTRAINT ck_documents_kind CHECK (kind IN ('resolution','notices','minutes','attachment')),
    CONSTRAINT ck_documents_status CHECK (status IN ('in_force','superseded')),
    CONSTRAINT ck_documents_version CHECK (version >= 1),
    UNIQUE KEY ux_documents_version (series_id, version),
    UNIQUE KEY ux_documents_number (doc_number),
    KEY idx_documents_sha256 (sha256),
    KEY idx_documents_estate (estate_id, id),
    KEY idx_documents_vote (vote_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Chunks stay well under max_allowed_packet (16 MiB on a default MariaDB).
CREATE TABLE document_chunks (
    document_id BIGINT NOT NULL,
    seq INT NOT NULL,
    data LONGBLOB NOT NULL,
    PRIMARY KEY (document_id, seq),
    CONSTRAINT fk_document_chunks_document FOREIGN KEY (document_id) REFERENCES documents(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Meeting minutes: one record per assembly vote at most (vote_id is unique).
CREATE TABLE minutes (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    estate_id BIGINT NOT NULL,
    kind VARCHAR(16) NOT NULL,
    vote_id BIGINT NULL,
    title VARCHAR(255) NOT NULL,
    place VARCHAR(255) NOT NULL DEFAULT '',
    held_at DATETIME(6) NOT NULL,
    members TEXT NOT NULL,
    present TEXT NOT NULL,
    attendees TEXT NOT NULL,
    agenda MEDIUMTEXT NOT NULL,
    proceedings MEDIUMTEXT NOT NULL,
    decisions_json MEDIUMTEXT NOT NULL,
    signatures_json TEXT NOT NULL,
    state VARCHAR(16) NOT NULL,
    revision INT NOT NULL DEFAULT 1,
    document_id BIGINT NULL,
    created_by BIGINT NULL,
    created_by_name VARCHAR(64) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    updated_by BIGINT NULL,
    updated_by_name VARCHAR(64) NOT NULL DEFAULT '',
    updated_at DATETIME(6) NOT NULL,
    finalised_by BIGINT NULL,
    finalised_at DATETIME(6) NULL,
    CONSTRAINT fk_minutes_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_minutes_vote FOREIGN KEY (vote_id) REFERENCES votes(id),
    CONSTRAINT fk_minutes_document FOREIGN KEY (document_id) REFERENCES documents(id),
    CONSTRAINT ck_minutes_kind CHECK (kind IN ('assembly','committee')),
    CONSTRAINT ck_minutes_state CHECK (state IN ('draft','final')),
    CONSTRAINT ck_minutes_vote CHECK ((kind = 'assembly') = (vote_id IS NOT NULL)),
    UNIQUE KEY ux_minutes_vote (vote_id),
    KEY idx_minutes_estate (estate_id, held_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE announcements (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    estate_id BIGINT NOT NULL,
    kind VARCHAR(32) NOT NULL,
    title VARCHAR(255) NOT NULL,
    body MEDIUMTEXT NOT NULL,
    document_id BIGINT NULL,
    minutes_id BIGINT NULL,
    published_at DATETIME(6) NOT NULL,
    show_until DATETIME(6) NOT NULL,
    late BOOLEAN NOT NULL DEFAULT FALSE,
    created_by BIGINT NULL,
    created_by_name VARCHAR(64) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_announcements_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_announcements_document FOREIGN KEY (document_id) REFERENCES documents(id),
    CONSTRAINT fk_announcements_minutes FOREIGN KEY (minutes_id) REFERENCES minutes(id),
    CONSTRAINT ck_announcements_kind CHECK (kind IN ('notice','results','resolution','committee_decision','other')),
    KEY idx_announcements_estate (estate_id, published_at),
    UNIQUE KEY ux_announcements_minutes (minutes_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE announcements;
DROP TABLE minutes;
DROP TABLE document_chunks;
DROP TABLE documents;
DROP TABLE document_series;
