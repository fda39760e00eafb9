-- +goose Up
-- Election edges and the transitional body (issue 12, docs/rules.md "Election edges" and
-- "Transitional body").
-- The co-owner counting rule (C3) chosen for the estate; '' means the default rule.
ALTER TABLE estates ADD COLUMN coowner_rule VARCHAR(32) NOT NULL DEFAULT '';
-- Preparatory-group deadlines run from the owners' written application (or the
-- developer's report) and from the street office's decision (BJ 31, SH 15).
ALTER TABLE estate_formations ADD COLUMN applied_at DATETIME(6) NULL;
ALTER TABLE estate_formations ADD COLUMN decided_at DATETIME(6) NULL;
-- A counted election's close (deadlines run from it), the alternate places kept for a
-- runoff's losers and a tie across the last alternate place.
ALTER TABLE committee_elections ADD COLUMN closed_at DATETIME(6) NULL;
ALTER TABLE committee_elections ADD COLUMN alternates_pending INT NOT NULL DEFAULT 0;
ALTER TABLE committee_elections ADD COLUMN alternate_tie VARCHAR(1000) NOT NULL DEFAULT '';
ALTER TABLE committee_elections ADD COLUMN alternate_tie_places INT NOT NULL DEFAULT 0;

-- A tie across the last alternate place, settled by a public lot: pending until drawn;
-- then the seed, the order drawn, who drew it, when, where and before whom.
CREATE TABLE committee_lots (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    committee_id BIGINT NOT NULL,
    election_id BIGINT NOT NULL,
    places INT NOT NULL,
    insert_rank INT NOT NULL,
    candidates TEXT NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'pending',
    seed VARCHAR(200) NOT NULL DEFAULT '',
    method VARCHAR(500) NOT NULL DEFAULT '',
    drawn_order TEXT NULL,
    winners TEXT NULL,
    drawn_at DATETIME(6) NULL,
    drawn_by VARCHAR(64) NOT NULL DEFAULT '',
    place VARCHAR(200) NOT NULL DEFAULT '',
    witnesses VARCHAR(1000) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_committee_lots_committee FOREIGN KEY (committee_id) REFERENCES committees(id),
    CONSTRAINT fk_committee_lots_election FOREIGN KEY (election_id) REFERENCES committee_elections(id),
    CONSTRAINT ck_committee_lots_status CHECK (status IN ('pending','drawn')),
    UNIQUE KEY uq_committee_lots_election (election_id),
    KEY ix_committee_lots_committee (committee_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The transitional body (物业管理委员会 / 小区自管组织, HZ 38-40, seed 003 §(四)) formed by
-- the street office where no committee can be formed. open_estate_id equals estate_id
-- while it acts (one acting body per estate); it ends when a committee is filed.
CREATE TABLE transitional_bodies (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    estate_id BIGINT NOT NULL,
    open_estate_id BIGINT NULL,
    kind VARCHAR(32) NOT NULL,
    reason VARCHAR(1000) NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'acting',
    formed_at DATETIME(6) NOT NULL,
    list_published_at DATETIME(6) NULL,
    profile_code VARCHAR(32) NOT NULL,
    profile_version VARCHAR(32) NOT NULL,
    ended_at DATETIME(6) NULL,
    ended_reason VARCHAR(500) NOT NULL DEFAULT '',
    successor_committee_id BIGINT NULL,
    created_by VARCHAR(64) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_transitional_bodies_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT ck_transitional_bodies_kind CHECK (kind IN ('property_management_committee','self_governance')),
    CONSTRAINT ck_transitional_bodies_status CHECK (status IN ('acting','ended')),
    UNIQUE KEY uq_transitional_bodies_open_estate (open_estate_id),
    KEY ix_transitional_bodies_estate (estate_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE transitional_body_members (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    body_id BIGINT NOT NULL,
    position INT NOT NULL,
    role VARCHAR(32) NOT NULL,
    name VARCHAR(64) NOT NULL,
    organisation VARCHAR(200) NOT NULL DEFAULT '',
    room VARCHAR(64) NOT NULL DEFAULT '',
    leader BOOLEAN NOT NULL DEFAULT FALSE,
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_transitional_body_members_body FOREIGN KEY (body_id) REFERENCES transitional_bodies(id),
    KEY ix_transitional_body_members_body (body_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

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
