-- +goose Up
-- Forming the owners' assembly and electing the committee (DOMAIN.md §4-5). Nothing here is
-- ever deleted: rows are withdrawn, superseded, dissolved or ended by their status columns.
-- Votes live in the votes migration; vote_id columns refer to them without a foreign key so
-- that this capability does not depend on the order in which the two are applied.

-- Facts about an estate that the roster does not hold (the delivered area comes from units.delivered).
CREATE TABLE estate_formations (
    estate_id INTEGER PRIMARY KEY REFERENCES estates(id),
    first_delivery_at DATETIME,
    note TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);

-- Preparatory groups (筹备组) and re-election groups (换届小组). open_estate_id equals estate_id
-- while the group is not dissolved, so an estate has at most one open group.
CREATE TABLE formation_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    kind TEXT NOT NULL CHECK (kind IN ('prep','reelection')),
    status TEXT NOT NULL CHECK (status IN ('forming','published','dissolved')),
    open_estate_id INTEGER,
    predecessor_committee_id INTEGER,
    profile_code TEXT NOT NULL,
    profile_version TEXT NOT NULL,
    formed_at DATETIME NOT NULL,
    member_list_deadline DATETIME NOT NULL,
    meeting_deadline DATETIME NOT NULL,
    planned_meeting_at DATETIME,
    published_at DATETIME,
    published_members TEXT NOT NULL DEFAULT '',
    publication_version INTEGER NOT NULL DEFAULT 0,
    members_changed_at DATETIME,
    developer_absent_reason TEXT NOT NULL DEFAULT '',
    dissolved_at DATETIME,
    dissolved_reason TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_formation_groups_open ON formation_groups(open_estate_id);
CREATE INDEX idx_formation_groups_estate ON formation_groups(estate_id, formed_at);

CREATE TABLE formation_group_members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id INTEGER NOT NULL REFERENCES formation_groups(id),
    role TEXT NOT NULL CHECK (role IN ('owner_rep','developer','street_office','residents_committee','party_org')),
    name TEXT NOT NULL,
    room TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    leader BOOLEAN NOT NULL DEFAULT 0,
    meets_criteria BOOLEAN NOT NULL DEFAULT 0,
    duty TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('active','withdrawn')),
    withdrawn_at DATETIME,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX idx_formation_group_members_group ON formation_group_members(group_id);

-- The group's duties (GR 12) and deadlines as a checklist.
CREATE TABLE formation_duties (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id INTEGER NOT NULL REFERENCES formation_groups(id),
    code TEXT NOT NULL,
    position INTEGER NOT NULL,
    deadline DATETIME NOT NULL,
    done_at DATETIME,
    evidence TEXT NOT NULL DEFAULT '',
    done_by TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_formation_duties_group_code ON formation_duties(group_id, code);

-- Committee candidates. Political status is recorded for candidates only.
CREATE TABLE candidates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    group_id INTEGER NOT NULL REFERENCES formation_groups(id),
    name TEXT NOT NULL,
    room TEXT NOT NULL,
    nomination_kind TEXT NOT NULL CHECK (nomination_kind IN ('self','joint','party_org','residents_committee','street_office')),
    nominators TEXT NOT NULL DEFAULT '',
    political_status TEXT NOT NULL CHECK (political_status IN ('masses','cyl_member','cpc_member','cpc_probationary','democratic_party','independent')),
    occupation TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('nominated','under_review','qualified','disqualified','withdrawn')),
    review_note TEXT NOT NULL DEFAULT '',
    party_org_reviewer TEXT NOT NULL DEFAULT '',
    party_org_reviewed_at DATETIME,
    reviewed_by TEXT NOT NULL DEFAULT '',
    reviewed_at DATETIME,
    withdrawn_at DATETIME,
    created_by TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_candidates_group_room_name ON candidates(group_id, room, name);
CREATE INDEX idx_candidates_estate ON candidates(estate_id);

-- One review of one eligibility criterion; a later review supersedes it. current_criterion
-- equals criterion while the review is current and is NULL once superseded.
CREATE TABLE eligibility_checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    criterion TEXT NOT NULL,
    current_criterion TEXT,
    met BOOLEAN NOT NULL,
    evidence TEXT NOT NULL DEFAULT '',
    reviewer TEXT NOT NULL,
    reviewed_at DATETIME NOT NULL,
    recorded_by TEXT NOT NULL DEFAULT '',
    superseded_at DATETIME,
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_eligibility_checks_current ON eligibility_checks(candidate_id, current_criterion);
CREATE INDEX idx_eligibility_checks_candidate ON eligibility_checks(candidate_id, criterion);

-- Publications of the candidate list; a change publishes a new version and supersedes the old.
CREATE TABLE candidate_lists (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id INTEGER NOT NULL REFERENCES formation_groups(id),
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    version INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('current','superseded')),
    published_at DATETIME NOT NULL,
    show_until DATETIME NOT NULL,
    vote_planned_at DATETIME NOT NULL,
    superseded_at DATETIME,
    published_by TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_candidate_lists_group_version ON candidate_lists(group_id, version);

CREATE TABLE candidate_list_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    list_id INTEGER NOT NULL REFERENCES candidate_lists(id),
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    room TEXT NOT NULL,
    political_status TEXT NOT NULL,
    occupation TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX uq_candidate_list_entries_candidate ON candidate_list_entries(list_id, candidate_id);
CREATE UNIQUE INDEX uq_candidate_list_entries_position ON candidate_list_entries(list_id, position);

-- Objections to the member list (to the street office) and to the candidate list (answered publicly).
CREATE TABLE formation_objections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id INTEGER NOT NULL REFERENCES formation_groups(id),
    kind TEXT NOT NULL CHECK (kind IN ('member_list','candidate_list')),
    candidate_list_id INTEGER REFERENCES candidate_lists(id),
    candidate_id INTEGER REFERENCES candidates(id),
    content TEXT NOT NULL,
    submitter TEXT NOT NULL DEFAULT '',
    received_at DATETIME NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open','answered')),
    answer TEXT NOT NULL DEFAULT '',
    answered_at DATETIME,
    answered_by TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX idx_formation_objections_group ON formation_objections(group_id, kind);

-- Owners' committees, one row per term. forming_estate_id equals estate_id while the committee
-- is still forming (a runoff or by-election pending), so an estate has at most one such.
CREATE TABLE committees (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    group_id INTEGER REFERENCES formation_groups(id),
    status TEXT NOT NULL CHECK (status IN ('forming','formed','filed','ended')),
    forming_estate_id INTEGER,
    seats INTEGER NOT NULL,
    min_members INTEGER NOT NULL,
    alternates_max INTEGER NOT NULL,
    households INTEGER NOT NULL DEFAULT 0,
    runoff_pending TEXT NOT NULL DEFAULT '',
    first_elected_at DATETIME NOT NULL,
    formed_at DATETIME,
    term_start DATETIME,
    term_end DATETIME,
    reelection_start DATETIME,
    chair_elect_by DATETIME,
    officers_publish_by DATETIME,
    filing_due DATETIME,
    chair_elected_at DATETIME,
    filed_at DATETIME,
    ended_at DATETIME,
    ended_reason TEXT NOT NULL DEFAULT '',
    profile_code TEXT NOT NULL,
    profile_version TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_committees_forming ON committees(forming_estate_id);
CREATE INDEX idx_committees_estate ON committees(estate_id, status);

-- Each counted election item recorded into a committee (the first election, a runoff or a by-election).
CREATE TABLE committee_elections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    vote_id INTEGER NOT NULL,
    item_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('election','by_election')),
    seats INTEGER NOT NULL,
    elected_count INTEGER NOT NULL,
    alternates_count INTEGER NOT NULL,
    runoff TEXT NOT NULL DEFAULT '',
    vacant_seats INTEGER NOT NULL,
    committee_formed BOOLEAN NOT NULL,
    invalid_ballots INTEGER NOT NULL DEFAULT 0,
    rule TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL DEFAULT '',
    recorded_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_committee_elections_vote_item ON committee_elections(vote_id, item_key);
CREATE INDEX idx_committee_elections_committee ON committee_elections(committee_id);

CREATE TABLE committee_members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    election_id INTEGER NOT NULL REFERENCES committee_elections(id),
    vote_id INTEGER NOT NULL,
    candidate_id INTEGER REFERENCES candidates(id),
    candidate_key TEXT NOT NULL,
    name TEXT NOT NULL,
    room TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('chair','vice_chair','member','alternate')),
    election_rank INTEGER NOT NULL,
    party_member BOOLEAN NOT NULL DEFAULT 0,
    agree_headcount INTEGER NOT NULL DEFAULT 0,
    agree_area INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('serving','ended')),
    start_at DATETIME NOT NULL,
    end_at DATETIME,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX idx_committee_members_committee ON committee_members(committee_id, role);

-- Filing (备案) with the street office.
CREATE TABLE committee_filings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    kind TEXT NOT NULL CHECK (kind IN ('formation','change')),
    documents TEXT NOT NULL,
    reference_no TEXT NOT NULL DEFAULT '',
    filed_at DATETIME NOT NULL,
    overdue BOOLEAN NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX idx_committee_filings_committee ON committee_filings(committee_id);

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
