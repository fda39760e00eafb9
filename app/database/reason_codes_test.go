package database_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"gongzhi/app/database"
	"gongzhi/migrations"
)

// TestReasonCodesMigration: migration 00041 turns the reasons the platform stored in
// both languages ("投票凭证已重新发放 / credentials reissued") into catalogue keys, and
// leaves a reason a user typed as typed.
func TestReasonCodesMigration(t *testing.T) {
	ctx := context.Background()
	g, err := database.Open(ctx, database.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "reasons.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = database.Close(g) })
	sqlDB, err := g.DB()
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := migrations.For("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, sqlDB, fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 40); err != nil {
		t.Fatal(err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"PRAGMA foreign_keys = OFF",
		"INSERT INTO document_series (id, kind, subject, estate_id, year, current_version, created_at) VALUES (1, 'notices', 'vote:5', 9, 2026, 3, '2026-05-01 00:00:00')",
		"INSERT INTO documents (id, series_id, estate_id, kind, version, doc_number, title, sha256, size_bytes, status, reason, summary_json, created_at) VALUES " +
			"(1, 1, 9, 'notices', 1, 'GZ-2026-000001-V1', 't', 'aa', 1, 'superseded', '', '', '2026-05-01 00:00:00'), " +
			"(2, 1, 9, 'notices', 2, 'GZ-2026-000001-V2', 't', 'bb', 1, 'superseded', '投票凭证已重新发放 / credentials reissued', '', '2026-05-02 00:00:00'), " +
			"(3, 1, 9, 'notices', 3, 'GZ-2026-000001-V3', 't', 'cc', 1, 'in_force', '更正错别字', '', '2026-05-03 00:00:00')",
		"PRAGMA foreign_keys = ON",
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	_ = conn.Close()
	if _, err := p.UpTo(ctx, 41); err != nil {
		t.Fatalf("migrating to 41: %v", err)
	}
	want := map[int64]string{1: "", 2: "err.documents.credentials_reissued", 3: "更正错别字"}
	for id, w := range want {
		var got string
		if err := sqlDB.QueryRowContext(ctx, "SELECT reason FROM documents WHERE id = ?", id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != w {
			t.Errorf("document %d: reason %q, want %q", id, got, w)
		}
	}
}
