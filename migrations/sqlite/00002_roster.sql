-- +goose Up
CREATE TABLE buildings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    name TEXT NOT NULL
);
CREATE UNIQUE INDEX uq_buildings_estate_name ON buildings(estate_id, name);

CREATE TABLE units (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    building_id INTEGER NOT NULL REFERENCES buildings(id),
    unit_no TEXT NOT NULL DEFAULT '',
    room TEXT NOT NULL,
    room_key TEXT NOT NULL,
    area INTEGER NOT NULL CHECK (area > 0),
    area_source TEXT NOT NULL CHECK (area_source IN ('registered','surveyed','contract')),
    delivered BOOLEAN NOT NULL DEFAULT 1,
    parking BOOLEAN NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_units_estate_room ON units(estate_id, room_key);
CREATE INDEX idx_units_building ON units(building_id);

CREATE TABLE owners (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    kind TEXT NOT NULL CHECK (kind IN ('person','org','developer')),
    name TEXT NOT NULL,
    id_hash TEXT NOT NULL,
    id_masked TEXT NOT NULL,
    id_last6_hash TEXT NOT NULL,
    phone_enc TEXT NOT NULL DEFAULT '',
    phone_masked TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_owners_estate_id ON owners(estate_id, id_hash);

CREATE TABLE ownerships (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    owner_id INTEGER NOT NULL REFERENCES owners(id),
    representative BOOLEAN NOT NULL DEFAULT 0,
    guardian_name TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX uq_ownerships_unit_owner ON ownerships(unit_id, owner_id);
CREATE INDEX idx_ownerships_owner ON ownerships(owner_id);

CREATE TABLE roster_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    user_id INTEGER REFERENCES users(id),
    filename TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    rows_count INTEGER NOT NULL,
    units_count INTEGER NOT NULL,
    voters_count INTEGER NOT NULL,
    total_area INTEGER NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX idx_roster_imports_estate ON roster_imports(estate_id, created_at);

-- +goose Down
DROP TABLE roster_imports;
DROP TABLE ownerships;
DROP TABLE owners;
DROP TABLE units;
DROP TABLE buildings;
