-- +goose Up
-- Forming the owners' assembly and electing the committee (DOMAIN.md §4-5). Nothing here is
-- ever deleted: rows are withdrawn, superseded, dissolved or ended by their status columns.
-- Votes live in the votes migration; vote_id columns refer to them without a foreign key so
-- that this capability does not depend on the order in which the two are applied.

-- Facts about an estate that the roster does not hold (the delivered area comes from units.delivered).
CREATE TABLE estate_formations (
    estate_id BIGINT NOT NULL PRIMARY KEY,
    first_delivery_at DATETIME(6) NULL,
    note VARCHAR(500) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_estate_formations_estate FOREIGN KEY (estate_id) REFERENCES estates(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Preparatory groups (筹备组) and re-election groups (换届小组). open_estate_id equals estate_id
-- while the group is not dissolved, so an estate has at most one open group.
CREATE TABLE formation_groups (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    estate_id BIGINT NOT NULL,
    kind VARCHAR(16) NOT NULL,
    status VARCHAR(16) NOT NULL,
    open_estate_id BIGINT NULL,
    predecessor_committee_id BIGINT NULL,
    profile_code VARCHAR(32) NOT NULL,
    profile_version VARCHAR(32) NOT NULL,
    formed_at DATETIME(6) NOT NULL,
    member_list_deadline DATETIME(6) NOT NULL,
    meeting_deadline DATETIME(6) NOT NULL,
    planned_meeting_at DATETIME(6) NULL,
    published_at DATETIME(6) NULL,
    published_members TEXT NOT NULL,
    publication_version INT NOT NULL DEFAULT 0,
    members_changed_at DATETIME(6) NULL,
    developer_absent_reason VARCHAR(500) NOT NULL DEFAULT '',
    dissolved_at DATETIME(6) NULL,
    dissolved_reason VARCHAR(500) NOT NULL DEFAULT '',
    created_by VARCHAR(64) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_formation_groups_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT ck_formation_groups_kind CHECK (kind IN ('prep','reelection')),
    CONSTRAINT ck_formation_groups_status CHECK (status IN ('forming','published','dissolved')),
    UNIQUE KEY uq_formation_groups_open (open_estate_id),
    KEY idx_formation_groups_estate (estate_id, formed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE formation_group_members (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    group_id BIGINT NOT NULL,
    role VARCHAR(32) NOT NULL,
    name VARCHAR(191) NOT NULL,
    room VARCHAR(160) NOT NULL DEFAULT '',
    organisation VARCHAR(191) NOT NULL DEFAULT '',
    leader BOOLEAN NOT NULL DEFAULT FALSE,
    meets_criteria BOOLEAN NOT NULL DEFAULT FALSE,
    duty VARCHAR(191) NOT NULL DEFAULT '',
    status VARCHAR(16) NOT NULL,
    withdrawn_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_formation_group_members_group FOREIGN KEY (group_id) REFERENCES formation_groups(id),
    CONSTRAINT ck_formation_group_members_role CHECK (role IN ('owner_rep','developer','street_office','residents_committee','party_org')),
    CONSTRAINT ck_formation_group_members_status CHECK (status IN ('active','withdrawn')),
    KEY idx_formation_group_members_group (group_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The group's duties (GR 12) and deadlines as a checklist.
CREATE TABLE formation_duties (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    group_id BIGINT NOT NULL,
    code VARCHAR(64) NOT NULL,
    position INT NOT NULL,
    deadline DATETIME(6) NOT NULL,
    done_at DATETIME(6) NULL,
    evidence TEXT NOT NULL,
    done_by VARCHAR(64) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_formation_duties_group FOREIGN KEY (group_id) REFERENCES formation_groups(id),
    UNIQUE KEY uq_formation_duties_group_code (group_id, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Committee candidates. Political status is recorded for candidates only.
CREATE TABLE candidates (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    estate_id BIGINT NOT NULL,
    group_id BIGINT NOT NULL,
    name VARCHAR(191) NOT NULL,
    room VARCHAR(160) NOT NULL,
    nomination_kind VARCHAR(32) NOT NULL,
    nominators VARCHAR(500) NOT NULL DEFAULT '',
    political_status VARCHAR(32) NOT NULL,
    occupation VARCHAR(191) NOT NULL DEFAULT '',
    status VARCHAR(16) NOT NULL,
    review_note TEXT NOT NULL,
    party_org_reviewer VARCHAR(191) NOT NULL DEFAULT '',
    party_org_reviewed_at DATETIME(6) NULL,
    reviewed_by VARCHAR(64) NOT NULL DEFAULT '',
    reviewed_at DATETIME(6) NULL,
    withdrawn_at DATETIME(6) NULL,
    created_by VARCHAR(64) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_candidates_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_candidates_group FOREIGN KEY (group_id) REFERENCES formation_groups(id),
    CONSTRAINT ck_candidates_nomination CHECK (nomination_kind IN ('self','joint','party_org','residents_committee','street_office')),
    CONSTRAINT ck_candidates_political CHECK (political_status IN ('masses','cyl_member','cpc_member','cpc_probationary','democratic_party','independent')),
    CONSTRAINT ck_candidates_status CHECK (status IN ('nominated','under_review','qualified','disqualified','withdrawn')),
    UNIQUE KEY uq_candidates_group_room_name (group_id, room, name),
    KEY idx_candidates_estate (estate_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One review of one eligibility criterion; a later review supersedes it. current_criterion
-- equals criterion while the review is current and is NULL once superseded.
CREATE TABLE eligibility_checks (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    candidate_id BIGINT NOT NULL,
    criterion VARCHAR(64) NOT NULL,
    current_criterion VARCHAR(64) NULL,
    met BOOLEAN NOT NULL,
    evidence TEXT NOT NULL,
    reviewer VARCHAR(191) NOT NULL,
    reviewed_at DATETIME(6) NOT NULL,
    recorded_by VARCHAR(64) NOT NULL DEFAULT '',
    superseded_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_eligibility_checks_candidate FOREIGN KEY (candidate_id) REFERENCES candidates(id),
    UNIQUE KEY uq_eligibility_checks_current (candidate_id, current_criterion),
    KEY idx_eligibility_checks_candidate (candidate_id, criterion)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Publications of the candidate list; a change publishes a new version and supersedes the old.
CREATE TABLE candidate_lists (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    group_id BIGINT NOT NULL,
    estate_id BIGINT NOT NULL,
    version INT NOT NULL,
    status VARCHAR(16) NOT NULL,
    published_at DATETIME(6) NOT NULL,
    show_until DATETIME(6) NOT NULL,
    vote_planned_at DATETIME(6) NOT NULL,
    superseded_at DATETIME(6) NULL,
    published_by VARCHAR(64) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_candidate_lists_group FOREIGN KEY (group_id) REFERENCES formation_groups(id),
    CONSTRAINT fk_candidate_lists_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT ck_candidate_lists_status CHECK (status IN ('current','superseded')),
    UNIQUE KEY uq_candidate_lists_group_version (group_id, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE candidate_list_entries (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    list_id BIGINT NOT NULL,
    candidate_id BIGINT NOT NULL,
    position INT NOT NULL,
    name VARCHAR(191) NOT NULL,
    room VARCHAR(160) NOT NULL,
    political_status VARCHAR(32) NOT NULL,
    occupation VARCHAR(191) NOT NULL DEFAULT '',
    CONSTRAINT fk_candidate_list_entries_list FOREIGN KEY (list_id) REFERENCES candidate_lists(id),
    CONSTRAINT fk_candidate_list_entries_candidate FOREIGN KEY (candidate_id) REFERENCES candidates(id),
    UNIQUE KEY uq_candidate_list_entries_candidate (list_id, candidate_id),
    UNIQUE KEY uq_candidate_list_entries_position (list_id, position)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Objections to the member list (to the street office) and to the candidate list (answered publicly).
CREATE TABLE formation_objections (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    group_id BIGINT NOT NULL,
    kind VARCHAR(16) NOT NULL,
    candidate_list_id BIGINT NULL,
    candidate_id BIGINT NULL,
    content TEXT NOT NULL,
    submitter VARCHAR(191) NOT NULL DEFAULT '',
    received_at DATETIME(6) NOT NULL,
    status VARCHAR(16) NOT NULL,
    answer TEXT NOT NULL,
    answered_at DATETIME(6) NULL,
    answered_by VARCHAR(64) NOT NULL DEFAULT '',
    recorded_by VARCHAR(64) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_formation_objections_group FOREIGN KEY (group_id) REFERENCES formation_groups(id),
    CONSTRAINT fk_formation_objections_list FOREIGN KEY (candidate_list_id) REFERENCES candidate_lists(id),
    CONSTRAINT fk_formation_objections_candidate FOREIGN KEY (candidate_id) REFERENCES candidates(id),
    CONSTRAINT ck_formation_objections_kind CHECK (kind IN ('member_list','candidate_list')),
    CONSTRAINT ck_formation_objections_status CHECK (status IN ('open','answered')),
    KEY idx_formation_objections_group (group_id, kind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Owners' committees, one row per term. forming_estate_id equals estate_id while the committee
-- is still forming (a runoff or by-election pending), so an estate has at most one such.
CREATE TABLE committees (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    estate_id BIGINT NOT NULL,
    group_id BIGINT NULL,
    status VARCHAR(16) NOT NULL,
    forming_estate_id BIGINT NULL,
    seats INT NOT NULL,
    min_members INT NOT NULL,
    alternates_max INT NOT NULL,
    households INT NOT NULL DEFAULT 0,
    runoff_pending VARCHAR(1000) NOT NULL DEFAULT '',
    first_elected_at DATETIME(6) NOT NULL,
    formed_at DATETIME(6) NULL,
    term_start DATETIME(6) NULL,
    term_end DATETIME(6) NULL,
    reelection_start DATETIME(6) NULL,
    chair_elect_by DATETIME(6) NULL,
    officers_publish_by DATETIME(6) NULL,
    filing_due DATETIME(6) NULL,
    chair_elected_at DATETIME(6) NULL,
    filed_at DATETIME(6) NULL,
    ended_at DATETIME(6) NULL,
    ended_reason VARCHAR(500) NOT NULL DEFAULT '',
    profile_code VARCHAR(32) NOT NULL,
    profile_version VARCHAR(32) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_committees_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_committees_group FOREIGN KEY (group_id) REFERENCES formation_groups(id),
    CONSTRAINT ck_committees_status CHECK (status IN ('forming','formed','filed','ended')),
    UNIQUE KEY uq_committees_forming (forming_estate_id),
    KEY idx_committees_estate (estate_id, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Each counted election item recorded into a committee (the first election, a runoff or a by-election).
CREATE TABLE committee_elections (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    committee_id BIGINT NOT NULL,
    estate_id BIGINT NOT NULL,
    vote_id BIGINT NOT NULL,
    item_key VARCHAR(64) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    seats INT NOT NULL,
    elected_count INT NOT NULL,
    alternates_count INT NOT NULL,
    runoff VARCHAR(1000) NOT NULL DEFAULT '',
    vacant_seats INT NOT NULL,
    committee_formed BOOLEAN NOT NULL,
    invalid_ballots INT NOT NULL DEFAULT 0,
    rule TEXT NOT NULL,
    recorded_by VARCHAR(64) NOT NULL DEFAULT '',
    recorded_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_committee_elections_committee FOREIGN KEY (committee_id) REFERENCES committees(id),
    CONSTRAINT fk_committee_elections_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT ck_committee_elections_kind CHECK (kind IN ('election','by_election')),
    UNIQUE KEY uq_committee_elections_vote_item (vote_id, item_key),
    KEY idx_committee_elections_committee (committee_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE committee_members (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    committee_id BIGINT NOT NULL,
    election_id BIGINT NOT NULL,
    vote_id BIGINT NOT NULL,
    candidate_id BIGINT NULL,
    candidate_key VARCHAR(64) NOT NULL,
    name VARCHAR(191) NOT NULL,
    room VARCHAR(160) NOT NULL DEFAULT '',
    role VARCHAR(16) NOT NULL,
    election_rank INT NOT NULL,
    party_member BOOLEAN NOT NULL DEFAULT FALSE,
    agree_headcount INT NOT NULL DEFAULT 0,
    agree_area BIGINT NOT NULL DEFAULT 0,
    status VARCHAR(16) NOT NULL,
    start_at DATETIME(6) NOT NULL,
    end_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_committee_members_committee FOREIGN KEY (committee_id) REFERENCES committees(id),
    CONSTRAINT fk_committee_members_election FOREIGN KEY (election_id) REFERENCES committee_elections(id),
    CONSTRAINT fk_committee_members_candidate FOREIGN KEY (candidate_id) REFERENCES candidates(id),
    CONSTRAINT ck_committee_members_role CHECK (role IN ('chair','vice_chair','member','alternate')),
    CONSTRAINT ck_committee_members_status CHECK (status IN ('serving','ended')),
    KEY idx_committee_members_committee (committee_id, role)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Filing (备案) with the street office.
CREATE TABLE committee_filings (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    committee_id BIGINT NOT NULL,
    kind VARCHAR(16) NOT NULL,
    documents TEXT NOT NULL,
    reference_no VARCHAR(100) NOT NULL DEFAULT '',
    filed_at DATETIME(6) NOT NULL,
    overdue BOOLEAN NOT NULL DEFAULT FALSE,
    note VARCHAR(500) NOT NULL DEFAULT '',
    recorded_by VARCHAR(64) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_committee_filings_committee FOREIGN KEY (committee_id) REFERENCES committees(id),
    CONSTRAINT ck_committee_filings_kind CHECK (kind IN ('formation','change')),
    KEY idx_committee_filings_committee (committee_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE committee_filings;
DROP TABLE committee_members;
DROP TABLE committee_elections;
DROP TABLE committees;
DROP TABLE formation_objections;
DROP TABLE candidate_list_entries;
DROP TABLE candidate_lists;
DROP TABLE eligibility_checks;
DROP TABLE candidates;
DROP TABLE formation_duties;
DROP TABLE formation_group_members;
DROP TABLE formation_groups;
DROP TABLE estate_formations;
