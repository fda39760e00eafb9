-- +goose Up
-- Schema parity (issue 11, item 7): app/database/schema_parity_test.go compares the
-- schema each tree builds. It found these drifts in this tree (and two in the SQLite
-- tree; see migrations/sqlite/00015_schema_parity.sql):
--
-- 1. sessions.kind had no CHECK here while SQLite has had one since 00001. The code
--    writes only 'web' and 'api' (app/auth KindWeb, KindAPI), so every row passes it.
ALTER TABLE sessions ADD CONSTRAINT ck_sessions_kind CHECK (kind IN ('web','api'));

-- 2. Keys the code compares byte for byte were unique under utf8mb4_unicode_ci, which
--    folds case and width ('A' = 'a', '１' = '1'), while SQLite compares bytes. Agenda
--    item and candidate keys may be any of [A-Za-z0-9_.-] and are checked unique by
--    exact comparison, and a vote copies room keys from units.room_key, which is
--    utf8mb4_bin here: a vote with items 'a' and 'A', or a roster with rooms '1-101'
--    and '１-101', passed validation and then failed on a duplicate key on MySQL
--    only. These keys now compare bytes, as on SQLite and as units.room_key already did.
ALTER TABLE vote_items MODIFY item_key VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
ALTER TABLE vote_candidates MODIFY candidate_key VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
ALTER TABLE committee_elections MODIFY item_key VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
ALTER TABLE vote_voter_units MODIFY room_key VARCHAR(160) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;

-- +goose Down
-- Going down fails on a duplicate key if rows that differ only in case or width were
-- stored meanwhile (the old collation cannot hold them); remove those rows first.
ALTER TABLE vote_voter_units MODIFY room_key VARCHAR(160) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL;
ALTER TABLE committee_elections MODIFY item_key VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL;
ALTER TABLE vote_candidates MODIFY candidate_key VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL;
ALTER TABLE vote_items MODIFY item_key VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL;
ALTER TABLE sessions DROP CONSTRAINT ck_sessions_kind;
