-- +goose Up
CREATE TABLE buildings (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    estate_id BIGINT NOT NULL,
    name VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
    CONSTRAINT fk_buildings_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    UNIQUE KEY uq_buildings_estate_name (estate_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE units (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    estate_id BIGINT NOT NULL,
    building_id BIGINT NOT NULL,
    unit_no VARCHAR(32) NOT NULL DEFAULT '',
    room VARCHAR(32) NOT NULL,
    room_key VARCHAR(160) COLLATE utf8mb4_bin NOT NULL,
    area BIGINT NOT NULL,
    area_source VARCHAR(16) NOT NULL,
    delivered BOOLEAN NOT NULL DEFAULT TRUE,
    parking BOOLEAN NOT NULL DEFAULT FALSE,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_units_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_units_building FOREIGN KEY (building_id) REFERENCES buildings(id),
    CONSTRAINT ck_units_area CHECK (area > 0),
    CONSTRAINT ck_units_area_source CHECK (area_source IN ('registered','surveyed','contract')),
    UNIQUE KEY uq_units_estate_room (estate_id, room_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE owners (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    estate_id BIGINT NOT NULL,
    kind VARCHAR(16) NOT NULL,
    name VARCHAR(191) NOT NULL,
    id_hash CHAR(64) NOT NULL,
    id_masked VARCHAR(32) NOT NULL,
    id_last6_hash CHAR(64) NOT NULL,
    phone_enc VARCHAR(255) NOT NULL DEFAULT '',
    phone_masked VARCHAR(32) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_owners_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT ck_owners_kind CHECK (kind IN ('person','org','developer')),
    UNIQUE KEY uq_owners_estate_id (estate_id, id_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ownerships (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    unit_id BIGINT NOT NULL,
    owner_id BIGINT NOT NULL,
    representative BOOLEAN NOT NULL DEFAULT FALSE,
    guardian_name VARCHAR(191) NOT NULL DEFAULT '',
    CONSTRAINT fk_ownerships_unit FOREIGN KEY (unit_id) REFERENCES units(id),
    CONSTRAINT fk_ownerships_owner FOREIGN KEY (owner_id) REFERENCES owners(id),
    UNIQUE KEY uq_ownerships_unit_owner (unit_id, owner_id),
    KEY idx_ownerships_owner (owner_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE roster_imports (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    estate_id BIGINT NOT NULL,
    user_id BIGINT NULL,
    filename VARCHAR(255) NOT NULL,
    file_sha256 CHAR(64) NOT NULL,
    rows_count INT NOT NULL,
    units_count INT NOT NULL,
    voters_count INT NOT NULL,
    total_area BIGINT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_roster_imports_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_roster_imports_user FOREIGN KEY (user_id) REFERENCES users(id),
    KEY idx_roster_imports_estate (estate_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE roster_imports;
DROP TABLE ownerships;
DROP TABLE owners;
DROP TABLE units;
DROP TABLE buildings;
