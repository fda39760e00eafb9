-- +goose Up
-- Election edges and the transitional body (issue 12): see
-- migrations/mysql/00018_election_edges.sql.
ALTER TABLE estates ADD COLUMN coowner_rule TEXT NOT NULL DEFAULT '';
ALTER TABLE estate_formations ADD COLUMN applied_at DATETIME NULL;
ALTER TABLE estate_formations ADD COLUMN decided_at DATETIME NULL;
ALTER TABLE committee_elections ADD COLUMN closed_at DATETIME NULL;
ALTER TABLE committee_elections ADD COLUMN alternates_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE committee_elections ADD COLUMN alternate_tie TEXT NOT NULL DEFAULT '';
ALTER TABLE committee_elections ADD COLUMN alternate_tie_places INTEGER NOT NULL DEFAULT 0;

CREATE TABLE committee_lots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    election_id INTEGER NOT NULL REFERENCES committee_elections(id),
    places INTEGER NOT NULL,
    insert_rank INTEGER NOT NULL,
    candidates TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    seed TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL DEFAULT '',
    drawn_order TEXT NULL,
    winners TEXT NULL,
    drawn_at DATETIME NULL,
    drawn_by TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    witnesses TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    CONSTRAINT ck_committee_lots_status CHECK (status IN ('pending','drawn'))
);
CREATE UNIQUE INDEX uq_committee_lots_election ON committee_lots(election_id);
CREATE INDEX ix_committee_lots_committee ON committee_lots(committee_id);

CREATE TABLE transitional_bodies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    open_estate_id INTEGER NULL,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'acting',
    formed_at DATETIME NOT NULL,
    list_published_at DATETIME NULL,
    profile_code TEXT NOT NULL,
    profile_version TEXT NOT NULL,
    ended_at DATETIME NULL,
    ended_reason TEXT NOT NULL DEFAULT '',
    successor_committee_id INTEGER NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    CONSTRAINT ck_transitional_bodies_kind CHECK (kind IN ('property_management_committee','self_governance')),
    CONSTRAINT ck_transitional_bodies_status CHECK (status IN ('acting','ended'))
);
CREATE UNIQUE INDEX uq_transitional_bodies_open_estate ON transitional_bodies(open_estate_id);
CREATE INDEX ix_transitional_bodies_estate ON transitional_bodies(estate_id);

CREATE TABLE transitional_body_members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id INTEGER NOT NULL REFERENCES transitional_bodies(id),
    position INTEGER NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    room TEXT NOT NULL DEFAULT '',
    leader BOOLEAN NOT NULL DEFAULT FALSE,
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_transitional_body_members_body ON transitional_body_members(body_id);

-- +goose Down
DROP TABLE transitional_body_members;
DROP TABLE transitional_bodies;
DROP TABLE committee_lots;
ALTER TABLE committee_elections DROP COLUMN alternate_tie_places;
ALTER TABLE committee_elections DROP COLUMN alternate_tie;
ALTER TABLE committee_elections DROP COLUMN alternates_pending;
ALTER TABLE committee_elections DROP COLUMN closed_at;
ALTER TABLE estate_formations DROP COLUMN decided_at;
ALTER TABLE estate_formations DROP COLUMN applied_at;
ALTER TABLE estates DROP COLUMN coowner_rule;
