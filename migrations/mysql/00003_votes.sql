-- +goose Up
-- Owners' assembly votes (DOMAIN.md §2-3). Nothing in these tables is ever deleted:
-- ballots, voids, scans, objections and events are evidence (CC 280, SPC 12).

CREATE TABLE votes (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    estate_id BIGINT NOT NULL,
    title VARCHAR(255) NOT NULL,
    legal_profile VARCHAR(32) NOT NULL,
    profile_code VARCHAR(32) NOT NULL,
    profile_version VARCHAR(32) NOT NULL,
    form VARCHAR(16) NOT NULL,
    convenor VARCHAR(32) NOT NULL,
    location VARCHAR(255) NOT NULL DEFAULT '',
    notice_published_at DATETIME(6) NOT NULL,
    opens_at DATETIME(6) NOT NULL,
    closes_at DATETIME(6) NOT NULL,
    follow_majority BOOLEAN NOT NULL DEFAULT FALSE,
    state VARCHAR(16) NOT NULL,
    agenda_revision INT NOT NULL DEFAULT 1,
    register_rule VARCHAR(32) NOT NULL DEFAULT '',
    count_parking BOOLEAN NOT NULL DEFAULT FALSE,
    total_area BIGINT NOT NULL DEFAULT 0,
    total_headcount INT NOT NULL DEFAULT 0,
    opened_at DATETIME(6) NULL,
    opened_by BIGINT NULL,
    closed_at DATETIME(6) NULL,
    ballots_counted INT NOT NULL DEFAULT 0,
    tally_json LONGTEXT NULL,
    tally_sha256 CHAR(64) NOT NULL DEFAULT '',
    receipts_digest CHAR(64) NOT NULL DEFAULT '',
    published_at DATETIME(6) NULL,
    published_by BIGINT NULL,
    publish_due_at DATETIME(6) NULL,
    publish_late BOOLEAN NOT NULL DEFAULT FALSE,
    objection_deadline DATETIME(6) NULL,
    finalised_at DATETIME(6) NULL,
    finalised_by BIGINT NULL,
    created_by BIGINT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_votes_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_votes_created_by FOREIGN KEY (created_by) REFERENCES users(id),
    CONSTRAINT ck_votes_state CHECK (state IN ('draft','open','closed','published','final')),
    CONSTRAINT ck_votes_form CHECK (form IN ('written','meeting')),
    CONSTRAINT ck_votes_legal_profile CHECK (legal_profile IN ('civil-code-2021','property-law-2007')),
    KEY idx_votes_estate (estate_id, created_at),
    KEY idx_votes_state (state, closes_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The agenda: every revision of a draft agenda is kept; votes.agenda_revision names the
-- current one, frozen once the notice is published (T3).
CREATE TABLE vote_items (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    vote_id BIGINT NOT NULL,
    revision INT NOT NULL,
    position INT NOT NULL,
    item_key VARCHAR(64) NOT NULL,
    title VARCHAR(255) NOT NULL,
    body MEDIUMTEXT NOT NULL,
    matter VARCHAR(32) NOT NULL,
    seats INT NOT NULL DEFAULT 0,
    alternates INT NOT NULL DEFAULT 0,
    by_election BOOLEAN NOT NULL DEFAULT FALSE,
    vacant_seats INT NOT NULL DEFAULT 0,
    CONSTRAINT fk_vote_items_vote FOREIGN KEY (vote_id) REFERENCES votes(id),
    CONSTRAINT ck_vote_items_matter CHECK (matter IN ('amend_rules_of_procedure','amend_management_rules','elect_committee',
        'hire_dismiss_manager','use_maintenance_fund','raise_maintenance_fund','rebuild','change_common_use','other')),
    UNIQUE KEY uq_vote_items_key (vote_id, revision, item_key),
    UNIQUE KEY uq_vote_items_position (vote_id, revision, position)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE vote_candidates (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    vote_id BIGINT NOT NULL,
    item_id BIGINT NOT NULL,
    position INT NOT NULL,
    candidate_key VARCHAR(64) NOT NULL,
    name VARCHAR(191) NOT NULL,
    CONSTRAINT fk_vote_candidates_vote FOREIGN KEY (vote_id) REFERENCES votes(id),
    CONSTRAINT fk_vote_candidates_item FOREIGN KEY (item_id) REFERENCES vote_items(id),
    UNIQUE KEY uq_vote_candidates_key (item_id, candidate_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The frozen register (C5): one row per voter, one row per unit of a voter.
CREATE TABLE vote_voters (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    vote_id BIGINT NOT NULL,
    voter_key VARCHAR(191) NOT NULL,
    position INT NOT NULL,
    area BIGINT NOT NULL,
    developer BOOLEAN NOT NULL DEFAULT FALSE,
    rooms TEXT NOT NULL,
    owner_names TEXT NOT NULL,
    id_check_hashes TEXT NOT NULL,
    CONSTRAINT fk_vote_voters_vote FOREIGN KEY (vote_id) REFERENCES votes(id),
    UNIQUE KEY uq_vote_voters_key (vote_id, voter_key),
    KEY idx_vote_voters_position (vote_id, position)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE vote_voter_units (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    vote_id BIGINT NOT NULL,
    voter_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    room_key VARCHAR(160) NOT NULL,
    building VARCHAR(64) NOT NULL,
    area BIGINT NOT NULL,
    CONSTRAINT fk_vote_voter_units_vote FOREIGN KEY (vote_id) REFERENCES votes(id),
    CONSTRAINT fk_vote_voter_units_voter FOREIGN KEY (voter_id) REFERENCES vote_voters(id),
    UNIQUE KEY uq_vote_voter_units_room (vote_id, room_key),
    KEY idx_vote_voter_units_voter (voter_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Personal ballot credentials: looked up by the SHA-256 of the token, the token itself
-- kept encrypted so staff can print it again. generation counts reissues per voter.
CREATE TABLE vote_credentials (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    vote_id BIGINT NOT NULL,
    voter_id BIGINT NOT NULL,
    generation INT NOT NULL,
    token_hash CHAR(64) NOT NULL,
    token_enc VARCHAR(255) NOT NULL,
    status VARCHAR(16) NOT NULL,
    failed_checks INT NOT NULL DEFAULT 0,
    issued_at DATETIME(6) NOT NULL,
    issued_by BIGINT NULL,
    revoked_at DATETIME(6) NULL,
    revoked_by BIGINT NULL,
    revoke_reason VARCHAR(500) NOT NULL DEFAULT '',
    locked_at DATETIME(6) NULL,
    CONSTRAINT fk_vote_credentials_vote FOREIGN KEY (vote_id) REFERENCES votes(id),
    CONSTRAINT fk_vote_credentials_voter FOREIGN KEY (voter_id) REFERENCES vote_voters(id),
    CONSTRAINT ck_vote_credentials_status CHECK (status IN ('active','revoked','locked')),
    UNIQUE KEY uq_vote_credentials_token (token_hash),
    UNIQUE KEY uq_vote_credentials_generation (vote_id, voter_id, generation)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- WHO voted. One ballot per voter per vote: attempt is 1 + the voids of that voter's
-- earlier ballots, so the UNIQUE key admits a re-entry only after a void and never
-- two live ballots. Ballots are never updated or deleted.
CREATE TABLE ballots (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    vote_id BIGINT NOT NULL,
    voter_id BIGINT NOT NULL,
    attempt INT NOT NULL,
    channel VARCHAR(8) NOT NULL,
    credential_id BIGINT NULL,
    cast_at DATETIME(6) NOT NULL,
    receipt VARCHAR(32) NOT NULL,
    entered_by BIGINT NULL,
    entered_by_name VARCHAR(64) NOT NULL DEFAULT '',
    proxy_name VARCHAR(191) NOT NULL DEFAULT '',
    proxy_id_hash CHAR(64) NOT NULL DEFAULT '',
    proxy_id_masked VARCHAR(32) NOT NULL DEFAULT '',
    proxy_authorisation VARCHAR(255) NOT NULL DEFAULT '',
    note VARCHAR(500) NOT NULL DEFAULT '',
    CONSTRAINT fk_ballots_vote FOREIGN KEY (vote_id) REFERENCES votes(id),
    CONSTRAINT fk_ballots_voter FOREIGN KEY (voter_id) REFERENCES vote_voters(id),
    CONSTRAINT ck_ballots_channel CHECK (channel IN ('online','paper','proxy')),
    CONSTRAINT ck_ballots_attempt CHECK (attempt >= 1),
    UNIQUE KEY uq_ballots_voter_attempt (vote_id, voter_id, attempt),
    UNIQUE KEY uq_ballots_receipt (receipt)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- WHAT was chosen, apart from who, as canonical JSON.
CREATE TABLE ballot_contents (
    ballot_id BIGINT NOT NULL PRIMARY KEY,
    vote_id BIGINT NOT NULL,
    choices TEXT NOT NULL,
    nonce CHAR(32) NOT NULL,
    CONSTRAINT fk_ballot_contents_ballot FOREIGN KEY (ballot_id) REFERENCES ballots(id),
    KEY idx_ballot_contents_vote (vote_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ballot_voids (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    ballot_id BIGINT NOT NULL,
    vote_id BIGINT NOT NULL,
    voter_id BIGINT NOT NULL,
    reason VARCHAR(500) NOT NULL,
    voided_by BIGINT NULL,
    voided_by_name VARCHAR(64) NOT NULL DEFAULT '',
    voided_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_ballot_voids_ballot FOREIGN KEY (ballot_id) REFERENCES ballots(id),
    UNIQUE KEY uq_ballot_voids_ballot (ballot_id),
    KEY idx_ballot_voids_voter (vote_id, voter_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The scanned original of a paper or proxy ballot (image or PDF), kept in the database.
CREATE TABLE ballot_scans (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    ballot_id BIGINT NOT NULL,
    vote_id BIGINT NOT NULL,
    filename VARCHAR(255) NOT NULL,
    content_type VARCHAR(64) NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 CHAR(64) NOT NULL,
    data LONGBLOB NOT NULL,
    uploaded_by BIGINT NULL,
    uploaded_by_name VARCHAR(64) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_ballot_scans_ballot FOREIGN KEY (ballot_id) REFERENCES ballots(id),
    KEY idx_ballot_scans_ballot (ballot_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A proxy represents at most the profile's number of principals per vote: each
-- principal takes one numbered slot, and a slot stays with its principal.
CREATE TABLE proxy_slots (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    vote_id BIGINT NOT NULL,
    proxy_id_hash CHAR(64) NOT NULL,
    slot INT NOT NULL,
    voter_id BIGINT NOT NULL,
    ballot_id BIGINT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_proxy_slots_vote FOREIGN KEY (vote_id) REFERENCES votes(id),
    CONSTRAINT fk_proxy_slots_ballot FOREIGN KEY (ballot_id) REFERENCES ballots(id),
    CONSTRAINT ck_proxy_slots_slot CHECK (slot >= 1),
    UNIQUE KEY uq_proxy_slots_slot (vote_id, proxy_id_hash, slot),
    UNIQUE KEY uq_proxy_slots_voter (vote_id, proxy_id_hash, voter_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE vote_objections (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    vote_id BIGINT NOT NULL,
    voter_id BIGINT NULL,
    credential_id BIGINT NULL,
    submitter VARCHAR(191) NOT NULL DEFAULT '',
    entered_by BIGINT NULL,
    content TEXT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    answer TEXT NULL,
    answered_by BIGINT NULL,
    answered_by_name VARCHAR(64) NOT NULL DEFAULT '',
    answered_at DATETIME(6) NULL,
    CONSTRAINT fk_vote_objections_vote FOREIGN KEY (vote_id) REFERENCES votes(id),
    KEY idx_vote_objections_vote (vote_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Owner-side events (identity checks, lockouts, objections filed by ballot link); staff
-- actions go to audit_logs. Never holds an identity-check answer.
CREATE TABLE vote_events (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    vote_id BIGINT NOT NULL,
    voter_id BIGINT NULL,
    credential_id BIGINT NULL,
    kind VARCHAR(32) NOT NULL,
    at DATETIME(6) NOT NULL,
    detail VARCHAR(1000) NOT NULL DEFAULT '',
    request_id VARCHAR(64) NOT NULL DEFAULT '',
    CONSTRAINT fk_vote_events_vote FOREIGN KEY (vote_id) REFERENCES votes(id),
    KEY idx_vote_events_vote (vote_id, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE vote_events;
DROP TABLE vote_objections;
DROP TABLE proxy_slots;
DROP TABLE ballot_scans;
DROP TABLE ballot_voids;
DROP TABLE ballot_contents;
DROP TABLE ballots;
DROP TABLE vote_credentials;
DROP TABLE vote_voter_units;
DROP TABLE vote_voters;
DROP TABLE vote_candidates;
DROP TABLE vote_items;
DROP TABLE votes;
