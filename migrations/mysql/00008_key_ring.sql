-- +goose Up
-- The secret key's state (issue 10, finding 9): one row. fingerprint identifies the
-- key the data is keyed with (a server started with another key refuses to run);
-- hash_keys holds the earlier keys' hashing keys sealed under the current key, so
-- that hashes rewritten by a rotation (`gongzhi rotate-key`) still match.
CREATE TABLE key_ring (
    id INT NOT NULL PRIMARY KEY,
    fingerprint CHAR(32) NOT NULL,
    hash_keys TEXT NOT NULL,
    rotations INT NOT NULL DEFAULT 0,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT ck_key_ring_single CHECK (id = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE key_ring;
