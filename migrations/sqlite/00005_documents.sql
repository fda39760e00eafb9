-- +goose Up
-- Documents, announcements and meeting minutes (issue 5). Nothing here is ever deleted:
-- a corrected document is a new version and the old one is marked superseded; an
-- announcement is archived when its showing period ends; final minutes never change.

-- One series per document (the resolution of a vote, the notices of a vote, the minutes
-- of a meeting, the attachment of an announcement); its id is the serial of the number.
CREATE TABLE document_series (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    estate_id INTEGER NOT NULL,
    vote_id INTEGER NULL,
    minutes_id INTEGER NULL,
    year INTEGER NOT NULL,
    current_version INTEGER NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL,
    FOREIGN KEY (estate_id) REFERENCES estates(id),
    FOREIGN KEY (vote_id) REFERENCES votes(id),
    CONSTRAINT ck_document_series_kind CHECK (kind IN ('resolution','notices','minutes','attachment'))
);
CREATE UNIQUE INDEX ux_document_series_subject ON document_series(kind, subject);

-- One published version; its bytes are in document_chunks.
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    series_id INTEGER NOT NULL,
    estate_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    vote_id INTEGER NULL,
    minutes_id INTEGER NULL,
    version INTEGER NOT NULL,
    doc_number TEXT NOT NULL,
    title TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    pages INTEGER NOT NULL DEFAULT 0,
    encrypted BOOLEAN NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    supersedes_id INTEGER NULL,
    superseded_by_id INTEGER NULL,
    superseded_at DATETIME NULL,
    basis TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    summary_json TEXT NOT NULL DEFAULT '',
    created_by INTEGER NULL,
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    published_at DATETIME NULL,
    show_until DATETIME NULL,
    FOREIGN KEY (series_id) REFERENCES document_series(id),
    FOREIGN KEY (estate_id) REFERENCES estates(id),
    FOREIGN KEY (created_by) REFERENCES users(id),
    FOREIGN KEY (supersedes_id) REFERENCES documents(id),
    FOREIGN KEY (superseded_by_id) REFERENCES documents(id),
    CONSTRAINT ck_documents_kind CHECK (kind IN ('resolution','notices','minutes','attachment')),
    CONSTRAINT ck_documents_status CHECK (status IN ('in_force','superseded')),
    CONSTRAINT ck_documents_version CHECK (version >= 1)
);
CREATE UNIQUE INDEX ux_documents_version ON documents(series_id, version);
CREATE UNIQUE INDEX ux_documents_number ON documents(doc_number);
CREATE INDEX idx_documents_sha256 ON documents(sha256);
CREATE INDEX idx_documents_estate ON documents(estate_id, id);
CREATE INDEX idx_documents_vote ON documents(vote_id);

CREATE TABLE document_chunks (
    document_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (document_id, seq),
    FOREIGN KEY (document_id) REFERENCES documents(id)
);

-- Meeting minutes: one record per assembly vote at most (vote_id is unique).
CREATE TABLE minutes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    vote_id INTEGER NULL,
    title TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    held_at DATETIME NOT NULL,
    members TEXT NOT NULL DEFAULT '',
    present TEXT NOT NULL DEFAULT '',
    attendees TEXT NOT NULL DEFAULT '',
    agenda TEXT NOT NULL DEFAULT '',
    proceedings TEXT NOT NULL DEFAULT '',
    decisions_json TEXT NOT NULL DEFAULT '[]',
    signatures_json TEXT NOT NULL DEFAULT '[]',
    state TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    document_id INTEGER NULL,
    created_by INTEGER NULL,
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    updated_by INTEGER NULL,
    updated_by_name TEXT NOT NULL DEFAULT '',
    updated_at DATETIME NOT NULL,
    finalised_by INTEGER NULL,
    finalised_at DATETIME NULL,
    FOREIGN KEY (estate_id) REFERENCES estates(id),
    FOREIGN KEY (vote_id) REFERENCES votes(id),
    FOREIGN KEY (document_id) REFERENCES documents(id),
    CONSTRAINT ck_minutes_kind CHECK (kind IN ('assembly','committee')),
    CONSTRAINT ck_minutes_state CHECK (state IN ('draft','final')),
    CONSTRAINT ck_minutes_vote CHECK ((kind = 'assembly') = (vote_id IS NOT NULL))
);
CREATE UNIQUE INDEX ux_minutes_vote ON minutes(vote_id);
CREATE INDEX idx_minutes_estate ON minutes(estate_id, held_at);

CREATE TABLE announcements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    document_id INTEGER NULL,
    minutes_id INTEGER NULL,
    published_at DATETIME NOT NULL,
    show_until DATETIME NOT NULL,
    late BOOLEAN NOT NULL DEFAULT 0,
    created_by INTEGER NULL,
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    FOREIGN KEY (estate_id) REFERENCES estates(id),
    FOREIGN KEY (document_id) REFERENCES documents(id),
    FOREIGN KEY (minutes_id) REFERENCES minutes(id),
    CONSTRAINT ck_announcements_kind CHECK (kind IN ('notice','results','resolution','committee_decision','other'))
);
CREATE INDEX idx_announcements_estate ON announcements(estate_id, published_at);
CREATE UNIQUE INDEX ux_announcements_minutes ON announcements(minutes_id);

-- +goose Down
DROP TABLE announcements;
DROP TABLE minutes;
DROP TABLE document_chunks;
DROP TABLE documents;
DROP TABLE document_series;
