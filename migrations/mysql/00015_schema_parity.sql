-- +goose Up
-- Schema parity (issue 11, item 7): app/database/schema_parity_test.go compares the
-- schema each tree builds. It found one drift in this tree: sessions.kind had no
-- CHECK here while SQLite has had one since 00001. The code writes only 'web' and
-- 'api' (app/auth KindWeb, KindAPI), so every existing row passes it. (The other two
-- drifts were in the SQLite tree; see migrations/sqlite/00015_schema_parity.sql.)
ALTER TABLE sessions ADD CONSTRAINT ck_sessions_kind CHECK (kind IN ('web','api'));

-- +goose Down
ALTER TABLE sessions DROP CONSTRAINT ck_sessions_kind;
