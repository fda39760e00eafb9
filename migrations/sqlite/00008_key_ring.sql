-- +goose Up
-- The secret key's state (issue 10, finding 9): one row. fingerprint identifies the
-- key the data is keyed with (a server started with another key refuses to run);
-- hash_keys holds the earlier keys' hashing keys sealed under the current key, so
-- that hashes rewritten by a rotation (`gongzhi rotate-key`) still match.
CREATE TABLE key_ring (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    hash_keys TEXT NOT NULL DEFAULT '',
    rotations INTEGER NOT NULL DEFAULT 0,
    updated_at DATETIME NOT NULL,
    CONSTRAINT ck_key_ring_single CHECK (id = 1)
);

-- +goose Down
DROP TABLE key_ring;
