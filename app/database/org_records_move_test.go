package database_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"gongzhi/app/database"
	"gongzhi/app/database/dbtest"
	"gongzhi/migrations"
)

// TestOrgRecordsMoveIntoDocuments: migration 00036 moves every stored monthly report
// from org_records into documents (kind supervision) on both databases: each version
// keeps its number, digest, bytes and creation time, the superseded one points at the
// one in force and back, the series is the org's month, the figures the next month's
// report compares with are in summary_json.report with the month, and org_records is gone.
func TestOrgRecordsMoveIntoDocuments(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range []string{"sqlite", "mysql"} {
		t.Run(dialect, func(t *testing.T) {
			dsn := filepath.Join(t.TempDir(), "move.db")
			if dialect == "mysql" {
				dsn = dbtest.CreateMySQLDatabase(t, dbtest.MySQLDSN(t))
			}
			g, err := database.Open(ctx, database.Options{Driver: dialect, DSN: dsn})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = database.Close(g) })
			sqlDB, err := g.DB()
			if err != nil {
				t.Fatal(err)
			}
			fsys, err := migrations.For(dialect)
			if err != nil {
				t.Fatal(err)
			}
			gd := goose.DialectSQLite3
			if dialect == "mysql" {
				gd = goose.DialectMySQL
			}
			p, err := goose.NewProvider(gd, sqlDB, fsys)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.UpTo(ctx, 35); err != nil {
				t.Fatal(err)
			}
			for _, stmt := range []string{
				"INSERT INTO orgs (id, parent_id, kind, name, path, created_at, updated_at) VALUES (7, NULL, 'street', '街道甲', '/7/', '2026-05-01 00:00:00', '2026-05-01 00:00:00')",
				"INSERT INTO org_records (id, org_id, subject, version, doc_number, title, basis_sha256, sha256, size_bytes, pdf, summary, superseded_at, created_by, created_at) VALUES " +
					"(1, 7, 'supervision-report:2026-06', 1, 'GZ-O000007-SR202606-V1', '街道甲 2026-06 监督月报', 'b1', 'aa', 3, x'255044', '{\"overdue\":4}', '2026-06-02 00:00:00', NULL, '2026-06-01 00:00:00'), " +
					"(2, 7, 'supervision-report:2026-06', 2, 'GZ-O000007-SR202606-V2', '街道甲 2026-06 监督月报', 'b2', 'bb', 4, x'25504446', '{\"overdue\":5}', NULL, NULL, '2026-06-02 00:00:00')",
			} {
				if _, err := sqlDB.ExecContext(ctx, stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			if _, err := p.UpTo(ctx, 36); err != nil {
				t.Fatalf("migrating to 36: %v", err)
			}
			type row struct {
				id, org, sup, supBy, version int64
				number, status, sha, subject string
				summary                      string
				data                         []byte
			}
			var rows []row
			rs, err := sqlDB.QueryContext(ctx, `SELECT d.id, d.org_id, COALESCE(d.supersedes_id, 0), COALESCE(d.superseded_by_id, 0), d.version, d.doc_number, d.status, d.sha256,
				s.subject, d.summary_json, c.data FROM documents d JOIN document_series s ON s.id = d.series_id JOIN document_chunks c ON c.document_id = d.id
				WHERE d.kind = 'supervision' AND s.kind = 'supervision' AND d.estate_id IS NULL ORDER BY d.version`)
			if err != nil {
				t.Fatal(err)
			}
			for rs.Next() {
				var r row
				if err := rs.Scan(&r.id, &r.org, &r.sup, &r.supBy, &r.version, &r.number, &r.status, &r.sha, &r.subject, &r.summary, &r.data); err != nil {
					t.Fatal(err)
				}
				rows = append(rows, r)
			}
			_ = rs.Close()
			if len(rows) != 2 {
				t.Fatalf("moved %d versions, want 2: %+v", len(rows), rows)
			}
			v1, v2 := rows[0], rows[1]
			if v1.number != "GZ-O000007-SR202606-V1" || v1.status != "superseded" || v1.supBy != v2.id || string(v1.data) != "%PD" || v1.sha != "aa" || v1.org != 7 {
				t.Errorf("v1 %+v", v1)
			}
			if v2.number != "GZ-O000007-SR202606-V2" || v2.status != "in_force" || v2.sup != v1.id || v2.supBy != 0 || string(v2.data) != "%PDF" {
				t.Errorf("v2 %+v", v2)
			}
			if v2.subject != "supervision-report:7:2026-06" {
				t.Errorf("series subject %q", v2.subject)
			}
			var sum struct {
				OrgName string `json:"org_name"`
				Report  struct {
					Month   string `json:"month"`
					Overdue int    `json:"overdue"`
				} `json:"report"`
			}
			if err := json.Unmarshal([]byte(v2.summary), &sum); err != nil || sum.OrgName != "街道甲" || sum.Report.Month != "2026-06" || sum.Report.Overdue != 5 {
				t.Errorf("summary %s: %+v %v", v2.summary, sum, err)
			}
			var current int
			if err := sqlDB.QueryRowContext(ctx, "SELECT current_version FROM document_series WHERE subject = 'supervision-report:7:2026-06'").Scan(&current); err != nil || current != 2 {
				t.Errorf("current version %d %v", current, err)
			}
			if _, err := sqlDB.ExecContext(ctx, "SELECT 1 FROM org_records"); err == nil {
				t.Errorf("org_records is still there")
			}
			if _, err := p.Down(ctx); err != nil {
				t.Errorf("down: %v", err)
			}
		})
	}
}
