-- +goose Up
-- Owners' assembly votes (DOMAIN.md §2-3). Nothing in these tables is ever deleted:
-- ballots, voids, scans, objections and events are evidence (CC 280, SPC 12).

CREATE TABLE votes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    legal_profile TEXT NOT NULL,
    profile_code TEXT NOT NULL,
    profile_version TEXT NOT NULL,
    form TEXT NOT NULL,
    convenor TEXT NOT NULL,
    location TEXT NOT NULL DEFAULT '',
    notice_published_at DATETIME NOT NULL,
    opens_at DATETIME NOT NULL,
    closes_at DATETIME NOT NULL,
    follow_majority BOOLEAN NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    agenda_revision INTEGER NOT NULL DEFAULT 1,
    register_rule TEXT NOT NULL DEFAULT '',
    count_parking BOOLEAN NOT NULL DEFAULT 0,
    total_area INTEGER NOT NULL DEFAULT 0,
    total_headcount INTEGER NOT NULL DEFAULT 0,
    opened_at DATETIME NULL,
    opened_by INTEGER NULL,
    closed_at DATETIME NULL,
    ballots_counted INTEGER NOT NULL DEFAULT 0,
    tally_json TEXT NULL,
    tally_sha256 TEXT NOT NULL DEFAULT '',
    receipts_digest TEXT NOT NULL DEFAULT '',
    published_at DATETIME NULL,
    published_by INTEGER NULL,
    publish_due_at DATETIME NULL,
    publish_late BOOLEAN NOT NULL DEFAULT 0,
    objection_deadline DATETIME NULL,
    finalised_at DATETIME NULL,
    finalised_by INTEGER NULL,
    created_by INTEGER NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    FOREIGN KEY (estate_id) REFERENCES estates(id),
    FOREIGN KEY (created_by) REFERENCES users(id),
    CONSTRAINT ck_votes_state CHECK (state IN ('draft','open','closed','published','final')),
    CONSTRAINT ck_votes_form CHECK (form IN ('written','meeting')),
    CONSTRAINT ck_votes_legal_profile CHECK (legal_profile IN ('civil-code-2021','property-law-2007'))
);
CREATE INDEX idx_votes_estate ON votes(estate_id, created_at);
CREATE INDEX idx_votes_state ON votes(state, closes_at);

-- The agenda: every revision of a draft agenda is kept; votes.agenda_revision names the
-- current one, frozen once the notice is published (T3).
CREATE TABLE vote_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vote_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    position INTEGER NOT NULL,
    item_key TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    matter TEXT NOT NULL,
    seats INTEGER NOT NULL DEFAULT 0,
    alternates INTEGER NOT NULL DEFAULT 0,
    by_election BOOLEAN NOT NULL DEFAULT 0,
    vacant_seats INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (vote_id) REFERENCES votes(id),
    CONSTRAINT ck_vote_items_matter CHECK (matter IN ('amend_rules_of_procedure','amend_management_rules','elect_committee',
        'hire_dismiss_manager','use_maintenance_fund','raise_maintenance_fund','rebuild','change_common_use','other'))
);
CREATE UNIQUE INDEX uq_vote_items_key ON vote_items(vote_id, revision, item_key);
CREATE UNIQUE INDEX uq_vote_items_position ON vote_items(vote_id, revision, position);

CREATE TABLE vote_candidates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vote_id INTEGER NOT NULL,
    item_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    candidate_key TEXT NOT NULL,
    name TEXT NOT NULL,
    FOREIGN KEY (vote_id) REFERENCES votes(id),
    FOREIGN KEY (item_id) REFERENCES vote_items(id)
);
CREATE UNIQUE INDEX uq_vote_candidates_key ON vote_candidates(item_id, candidate_key);

-- The frozen register (C5): one row per voter, one row per unit of a voter.
CREATE TABLE vote_voters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vote_id INTEGER NOT NULL,
    voter_key TEXT NOT NULL,
    position INTEGER NOT NULL,
    area INTEGER NOT NULL,
    developer BOOLEAN NOT NULL DEFAULT 0,
    rooms TEXT NOT NULL,
    owner_names TEXT NOT NULL,
    id_check_hashes TEXT NOT NULL,
    FOREIGN KEY (vote_id) REFERENCES votes(id)
);
CREATE UNIQUE INDEX uq_vote_voters_key ON vote_voters(vote_id, voter_key);
CREATE INDEX idx_vote_voters_position ON vote_voters(vote_id, position);

CREATE TABLE vote_voter_units (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vote_id INTEGER NOT NULL,
    voter_id INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    room_key TEXT NOT NULL,
    building TEXT NOT NULL,
    area INTEGER NOT NULL,
    FOREIGN KEY (vote_id) REFERENCES votes(id),
    FOREIGN KEY (voter_id) REFERENCES vote_voters(id)
);
CREATE UNIQUE INDEX uq_vote_voter_units_room ON vote_voter_units(vote_id, room_key);
CREATE INDEX idx_vote_voter_units_voter ON vote_voter_units(voter_id);

-- Personal ballot credentials: looked up by the SHA-256 of the token, the token itself
-- kept encrypted so staff can print it again. generation counts reissues per voter.
CREATE TABLE vote_credentials (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vote_id INTEGER NOT NULL,
    voter_id INTEGER NOT NULL,
    generation INTEGER NOT NULL,
    token_hash TEXT NOT NULL,
    token_enc TEXT NOT NULL,
    status TEXT NOT NULL,
    failed_checks INTEGER NOT NULL DEFAULT 0,
    issued_at DATETIME NOT NULL,
    issued_by INTEGER NULL,
    revoked_at DATETIME NULL,
    revoked_by INTEGER NULL,
    revoke_reason TEXT NOT NULL DEFAULT '',
    locked_at DATETIME NULL,
    FOREIGN KEY (vote_id) REFERENCES votes(id),
    FOREIGN KEY (voter_id) REFERENCES vote_voters(id),
    CONSTRAINT ck_vote_credentials_status CHECK (status IN ('active','revoked','locked'))
);
CREATE UNIQUE INDEX uq_vote_credentials_token ON vote_credentials(token_hash);
CREATE UNIQUE INDEX uq_vote_credentials_generation ON vote_credentials(vote_id, voter_id, generation);

-- WHO voted. One ballot per voter per vote: attempt is 1 + the voids of that voter's
-- earlier ballots, so the UNIQUE key admits a re-entry only after a void and never
-- two live ballots. Ballots are never updated or deleted.
CREATE TABLE ballots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vote_id INTEGER NOT NULL,
    voter_id INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    channel TEXT NOT NULL,
    credential_id INTEGER NULL,
    cast_at DATETIME NOT NULL,
    receipt TEXT NOT NULL,
    entered_by INTEGER NULL,
    entered_by_name TEXT NOT NULL DEFAULT '',
    proxy_name TEXT NOT NULL DEFAULT '',
    proxy_id_hash TEXT NOT NULL DEFAULT '',
    proxy_id_masked TEXT NOT NULL DEFAULT '',
    proxy_authorisation TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (vote_id) REFERENCES votes(id),
    FOREIGN KEY (voter_id) REFERENCES vote_voters(id),
    CONSTRAINT ck_ballots_channel CHECK (channel IN ('online','paper','proxy')),
    CONSTRAINT ck_ballots_attempt CHECK (attempt >= 1)
);
CREATE UNIQUE INDEX uq_ballots_voter_attempt ON ballots(vote_id, voter_id, attempt);
CREATE UNIQUE INDEX uq_ballots_receipt ON ballots(receipt);

-- WHAT was chosen, apart from who, as canonical JSON.
CREATE TABLE ballot_contents (
    ballot_id INTEGER NOT NULL PRIMARY KEY,
    vote_id INTEGER NOT NULL,
    choices TEXT NOT NULL,
    nonce TEXT NOT NULL,
    FOREIGN KEY (ballot_id) REFERENCES ballots(id)
);
CREATE INDEX idx_ballot_contents_vote ON ballot_contents(vote_id);

CREATE TABLE ballot_voids (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ballot_id INTEGER NOT NULL,
    vote_id INTEGER NOT NULL,
    voter_id INTEGER NOT NULL,
    reason TEXT NOT NULL,
    voided_by INTEGER NULL,
    voided_by_name TEXT NOT NULL DEFAULT '',
    voided_at DATETIME NOT NULL,
    FOREIGN KEY (ballot_id) REFERENCES ballots(id)
);
CREATE UNIQUE INDEX uq_ballot_voids_ballot ON ballot_voids(ballot_id);
CREATE INDEX idx_ballot_voids_voter ON ballot_voids(vote_id, voter_id);

-- The scanned original of a paper or proxy ballot (image or PDF), kept in the database.
CREATE TABLE ballot_scans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ballot_id INTEGER NOT NULL,
    vote_id INTEGER NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    uploaded_by INTEGER NULL,
    uploaded_by_name TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    FOREIGN KEY (ballot_id) REFERENCES ballots(id)
);
CREATE INDEX idx_ballot_scans_ballot ON ballot_scans(ballot_id);

-- A proxy represents at most the profile's number of principals per vote: each
-- principal takes one numbered slot, and a slot stays with its principal.
CREATE TABLE proxy_slots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vote_id INTEGER NOT NULL,
    proxy_id_hash TEXT NOT NULL,
    slot INTEGER NOT NULL,
    voter_id INTEGER NOT NULL,
    ballot_id INTEGER NOT NULL,
    created_at DATETIME NOT NULL,
    FOREIGN KEY (vote_id) REFERENCES votes(id),
    FOREIGN KEY (ballot_id) REFERENCES ballots(id),
    CONSTRAINT ck_proxy_slots_slot CHECK (slot >= 1)
);
CREATE UNIQUE INDEX uq_proxy_slots_slot ON proxy_slots(vote_id, proxy_id_hash, slot);
CREATE UNIQUE INDEX uq_proxy_slots_voter ON proxy_slots(vote_id, proxy_id_hash, voter_id);

CREATE TABLE vote_objections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vote_id INTEGER NOT NULL,
    voter_id INTEGER NULL,
    credential_id INTEGER NULL,
    submitter TEXT NOT NULL DEFAULT '',
    entered_by INTEGER NULL,
    content TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    answer TEXT NULL,
    answered_by INTEGER NULL,
    answered_by_name TEXT NOT NULL DEFAULT '',
    answered_at DATETIME NULL,
    FOREIGN KEY (vote_id) REFERENCES votes(id)
);
CREATE INDEX idx_vote_objections_vote ON vote_objections(vote_id, created_at);

-- Owner-side events (identity checks, lockouts, objections filed by ballot link); staff
-- actions go to audit_logs. Never holds an identity-check answer.
CREATE TABLE vote_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vote_id INTEGER NOT NULL,
    voter_id INTEGER NULL,
    credential_id INTEGER NULL,
    kind TEXT NOT NULL,
    at DATETIME NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    request_id TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (vote_id) REFERENCES votes(id)
);
CREATE INDEX idx_vote_events_vote ON vote_events(vote_id, at);

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
