package database_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"gongzhi/app/database"
	"gongzhi/migrations"
)

// TestOrgDocumentsMigrationKeepsRows: migration 00028 rebuilds document_series and
// documents on SQLite (estate_id nullable, org_id, new kinds). Rows written before it
// keep their ids and columns, the property records get their own kinds by subject, and
// every reference to a document (chunks, minutes, announcements, supersession) still
// resolves; the foreign keys are back on afterwards.
func TestOrgDocumentsMigrationKeepsRows(t *testing.T) {
	ctx := context.Background()
	g, err := database.Open(ctx, database.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "upgrade.db")})
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
	if _, err := p.UpTo(ctx, 27); err != nil {
		t.Fatal(err)
	}
	// Rows as an older version wrote them (parents written with foreign keys off on
	// one connection: only the documents' own references are under test).
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"PRAGMA foreign_keys = OFF",
		"INSERT INTO document_series (id, kind, subject, estate_id, year, current_version, created_at) VALUES (1, 'attachment', 'termination:3', 9, 2026, 2, '2026-05-01 00:00:00'), (2, 'attachment', 'handover:4', 9, 2026, 1, '2026-05-01 00:00:00'), (3, 'attachment', 'public-income:9:2025', 9, 2026, 1, '2026-05-01 00:00:00'), (4, 'resolution', 'vote:5', 9, 2026, 1, '2026-05-01 00:00:00'), (5, 'attachment', 'announcement:6', 9, 2026, 1, '2026-05-01 00:00:00')",
		"INSERT INTO documents (id, series_id, estate_id, kind, version, doc_number, title, sha256, size_bytes, status, superseded_by_id, summary_json, created_at) VALUES (1, 1, 9, 'attachment', 1, 'GZ-2026-000001-V1', 't', 'aa', 1, 'superseded', 2, '', '2026-05-01 00:00:00')",
		"INSERT INTO documents (id, series_id, estate_id, kind, version, doc_number, title, sha256, size_bytes, status, supersedes_id, summary_json, created_at) VALUES (2, 1, 9, 'attachment', 2, 'GZ-2026-000001-V2', 't', 'bb', 1, 'in_force', 1, '', '2026-05-02 00:00:00'), (3, 2, 9, 'attachment', 1, 'GZ-2026-000002-V1', 'h', 'cc', 1, 'in_force', NULL, '', '2026-05-02 00:00:00'), (4, 3, 9, 'attachment', 1, 'GZ-2026-000003-V1', 'i', 'dd', 1, 'in_force', NULL, '', '2026-05-02 00:00:00'), (5, 4, 9, 'resolution', 1, 'GZ-2026-000004-V1', 'r', 'ee', 1, 'in_force', NULL, '', '2026-05-02 00:00:00'), (6, 5, 9, 'attachment', 1, 'GZ-2026-000005-V1', 'a', 'ff', 1, 'in_force', NULL, '', '2026-05-02 00:00:00')",
		"INSERT INTO document_chunks (document_id, seq, data) VALUES (1, 0, x'01'), (2, 0, x'02'), (6, 0, x'06')",
		"INSERT INTO announcements (id, estate_id, kind, title, document_id, published_at, show_until, created_at) VALUES (6, 9, 'other', 'a', 6, '2026-05-02 00:00:00', '2026-05-20 00:00:00', '2026-05-02 00:00:00')",
		"PRAGMA foreign_keys = ON",
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	_ = conn.Close()
	if _, err := p.UpTo(ctx, 28); err != nil {
		t.Fatalf("migrating to 28: %v", err)
	}
	kinds := map[int64]string{}
	rows, err := sqlDB.QueryContext(ctx, "SELECT d.id, d.kind, s.kind FROM documents d JOIN document_series s ON s.id = d.series_id ORDER BY d.id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var dk, sk string
		if err := rows.Scan(&id, &dk, &sk); err != nil {
			t.Fatal(err)
		}
		if dk != sk {
			t.Errorf("document %d is %s, its series %s", id, dk, sk)
		}
		kinds[id] = dk
	}
	_ = rows.Close()
	want := map[int64]string{1: "termination", 2: "termination", 3: "handover", 4: "public_income", 5: "resolution", 6: "attachment"}
	for id, k := range want {
		if kinds[id] != k {
			t.Errorf("document %d: kind %q, want %q", id, kinds[id], k)
		}
	}
	var sup, supBy int64
	if err := sqlDB.QueryRowContext(ctx, "SELECT (SELECT supersedes_id FROM documents WHERE id = 2), (SELECT superseded_by_id FROM documents WHERE id = 1)").Scan(&sup, &supBy); err != nil || sup != 1 || supBy != 2 {
		t.Errorf("supersession: %d %d %v", sup, supBy, err)
	}
	// Every reference to documents still resolves (the parents written with foreign
	// keys off, estates and the like, are not under test).
	for _, tbl := range []string{"document_chunks", "announcements", "minutes", "documents", "document_series"} {
		rows, err := sqlDB.QueryContext(ctx, "PRAGMA foreign_key_check("+tbl+")")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var table, parent string
			var rowid, fk any
			if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
				t.Fatal(err)
			}
			if parent == "documents" || parent == "document_series" || parent == "documents_new" || parent == "document_series_new" {
				t.Errorf("%s row %v references a missing %s", table, rowid, parent)
			}
		}
		_ = rows.Close()
	}
	var schemaSQL string
	if err := sqlDB.QueryRowContext(ctx, "SELECT group_concat(sql, ' ') FROM sqlite_master WHERE instr(sql, 'documents_new') > 0 OR instr(sql, 'document_series_new') > 0").Scan(&schemaSQL); err == nil && schemaSQL != "" {
		t.Errorf("a reference to a rebuild table survived: %s", schemaSQL)
	}
	var fkOn int
	c2, _ := sqlDB.Conn(ctx)
	defer c2.Close()
	if err := c2.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fkOn); err != nil || fkOn != 1 {
		t.Errorf("foreign keys after the migration: %d %v", fkOn, err)
	}
	// The CHECK: a document with neither estate nor org is refused.
	if _, err := sqlDB.ExecContext(ctx, "INSERT INTO document_series (kind, subject, year, current_version, created_at) VALUES ('credit_list', 'x', 2026, 0, '2026-05-01 00:00:00')"); err == nil {
		t.Errorf("a series with neither estate nor org was stored")
	}
}
