package handlers_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"gongzhi/app/pii"
	"gongzhi/app/testkit/fixtures"
	"gongzhi/migrations"
	"gongzhi/models"
)

// maskProxyID is the resident ID of the proxy holder entered in the mask tests.
const maskProxyID = "110101199003078515"

// secretParts are the fragments of an ID number no mask may show: its last 6
// characters (the identity check) and, for a resident ID, its birth date.
func secretParts(id string) []string {
	id = pii.NormalizeID(id)
	out := []string{id[len(id)-6:]}
	if pii.ValidResidentID(id) {
		out = append(out, id[6:14])
	}
	return out
}

// rosterSecrets are the secret fragments of every ID in testdata/roster-small.csv and
// of the proxy holder.
func rosterSecrets(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(fixtures.Path("roster-small.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := secretParts(maskProxyID)
	for _, row := range rows[1:] {
		out = append(out, secretParts(row[5])...)
	}
	return out
}

// longRun is a run of characters long enough to be a random token (ballot links,
// CSRF tokens, receipt codes, hashes), where a 6-character fragment can occur by chance.
var longRun = regexp.MustCompile(`[A-Za-z0-9_\-]{20,}`)

// idMask is a masked value as wide as a resident ID (18 or 15 characters).
var idMask = regexp.MustCompile(`[0-9A-Za-z*]*\*[0-9A-Za-z*]*`)

// scanForSecrets fails the test for every secret fragment in text outside random
// tokens, and for every ID-wide mask that shows a character after its first star
// (the identity check and birth date lie there).
func scanForSecrets(t *testing.T, what, text string, secrets []string) {
	t.Helper()
	for _, m := range idMask.FindAllString(text, -1) {
		if n := len(m); (n == 18 || n == 15) && strings.Trim(m[strings.IndexByte(m, '*'):], "*") != "" {
			t.Errorf("%s shows the ID mask %q, which shows characters of the identity check or birth date", what, m)
		}
	}
	text = longRun.ReplaceAllString(text, " ")
	for _, s := range secrets {
		if i := strings.Index(text, s); i >= 0 {
			lo, hi := max(0, i-40), min(len(text), i+len(s)+40)
			t.Errorf("%s shows %q, part of an ID's identity check or birth date: …%s…", what, s, text[lo:hi])
		}
	}
}

// xlsxText is the text of every XML part of a workbook.
func xlsxText(t *testing.T, data []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("roster.xlsx: %v", err)
	}
	var b strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(rc)
		rc.Close()
		b.Write(body)
	}
	return b.String()
}

// pdfToText is pdftotext's text of a PDF; the test is skipped without poppler-utils.
func pdfToText(t *testing.T, data []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// No page, export, API response, PDF or audit entry that shows owners shows any
// character of an owner's identity check or birth date (issue 10, finding 2).
func TestMasksNeverShowIdentityCheck(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		secrets := rosterSecrets(t)
		estate := estateID(t, env.Env, "阳光花园")
		tok := env.DemoToken("street")
		if r := env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", estate), tok, "roster-small.csv", fixture(t, "roster-small.csv")); r.Status != 200 {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		// A roster with an invalid ID is refused with a message that names it masked.
		bad := strings.Replace(string(fixture(t, "roster-small.csv")), "520402195605129085", "520402195605129084", 1)
		r := env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", estate), tok, "bad.csv", []byte(bad))
		if r.Status != 422 {
			t.Fatalf("bad roster: %d %s", r.Status, r.Body)
		}
		scanForSecrets(t, "the import error", string(r.Body), append(secrets, "129084"))

		ctok := env.DemoToken("committee")
		id := env.openDemoVote(t, ctok)
		proxy := map[string]any{"name": "周代理", "id_number": maskProxyID, "authorisation": "委托书 A"}
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/paper-ballots", id), ctok,
			map[string]any{"room": "1-1-301", "choices": map[string]any{"dismiss": "agree"}, "proxy": proxy}); r.Status != 201 {
			t.Fatalf("proxy ballot: %d %s", r.Status, r.Body)
		}
		for _, path := range []string{
			fmt.Sprintf("/api/v1/estates/%d/units", estate),
			fmt.Sprintf("/api/v1/estates/%d/register", estate),
			fmt.Sprintf("/api/v1/votes/%d/credentials", id),
			fmt.Sprintf("/api/v1/votes/%d/voters", id),
			fmt.Sprintf("/api/v1/votes/%d/ballots", id),
		} {
			r := env.API("GET", path, tok, nil)
			if r.Status != 200 {
				t.Fatalf("%s: %d %s", path, r.Status, r.Body)
			}
			scanForSecrets(t, path, string(r.Body), secrets)
		}
		// The masks themselves: prefix and stars, as wide as the ID.
		if r := env.API("GET", fmt.Sprintf("/api/v1/estates/%d/units", estate), tok, nil); !strings.Contains(string(r.Body), `"5204**************"`) {
			t.Errorf("units: 王建国's ID is not masked as 5204**************: %.300s", r.Body)
		}
		xlsx := env.API("GET", fmt.Sprintf("/api/v1/estates/%d/roster.xlsx", estate), tok, nil)
		if xlsx.Status != 200 {
			t.Fatalf("roster.xlsx: %d", xlsx.Status)
		}
		scanForSecrets(t, "roster.xlsx", xlsxText(t, xlsx.Body), secrets)

		b := env.Browser()
		b.Login("street", "Demo2026street")
		for _, path := range []string{
			fmt.Sprintf("/estates/%d/roster", estate),
			fmt.Sprintf("/estates/%d/register", estate),
			fmt.Sprintf("/votes/%d/credentials", id),
			fmt.Sprintf("/votes/%d/ballots", id),
			fmt.Sprintf("/votes/%d/paper", id),
		} {
			r := b.Get(path)
			if r.Status != 200 {
				t.Fatalf("%s: %d", path, r.Status)
			}
			scanForSecrets(t, path, string(r.Body), secrets)
		}
		admin := env.Browser()
		admin.Login("admin", env.AdminPW)
		if r := admin.Get("/audit"); r.Status != 200 {
			t.Fatalf("audit: %d", r.Status)
		} else {
			scanForSecrets(t, "/audit", string(r.Body), secrets)
		}
		var details []string
		if err := env.DB.Model(&models.AuditLog{}).Pluck("detail", &details).Error; err != nil {
			t.Fatal(err)
		}
		scanForSecrets(t, "audit details", strings.Join(details, "\n"), secrets)

		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/notices", id), tok, nil); r.Status != 201 {
			t.Fatalf("issue notices: %d %s", r.Status, r.Body)
		}
		pdf := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/notices.pdf", id), tok, nil)
		if pdf.Status != 200 {
			t.Fatalf("notices.pdf: %d %.200s", pdf.Status, pdf.Body)
		}
		scanForSecrets(t, "notices.pdf", pdfToText(t, pdf.Body), secrets)
	})
}

// Migration 00012 rewrites the masks stored in the old form (first 4 and last 4 in
// clear) so no stored mask shows any of the last 6 characters.
func TestMigrationRewritesStoredMasks(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		ctok := env.DemoToken("committee")
		id := env.openDemoVote(t, ctok)
		proxy := map[string]any{"name": "周代理", "id_number": maskProxyID, "authorisation": "委托书 A"}
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/paper-ballots", id), ctok,
			map[string]any{"room": "1-1-301", "choices": map[string]any{"dismiss": "agree"}, "proxy": proxy}); r.Status != 201 {
			t.Fatalf("proxy ballot: %d %s", r.Status, r.Body)
		}
		ctx := context.Background()
		fsys, err := migrations.For(env.DB.Dialect)
		if err != nil {
			t.Fatal(err)
		}
		dialect := goose.DialectSQLite3
		if env.DB.Dialect == "mysql" {
			dialect = goose.DialectMySQL
		}
		sqlDB, err := env.DB.DB.DB()
		if err != nil {
			t.Fatal(err)
		}
		p, err := goose.NewProvider(dialect, sqlDB, fsys)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 11); err != nil {
			t.Fatalf("down to 11: %v", err)
		}
		// The masks as the code before migration 00012 stored them.
		old := func(id string) string {
			k := 4
			if len(id) <= 8 {
				k = len(id) / 4
			}
			return id[:k] + strings.Repeat("*", len(id)-2*k) + id[len(id)-k:]
		}
		ids := []string{"520402195605129085", "42010619540208795X", "91110000XBGQUWLD0R", "E12345678", "520402560512908", "12345678"}
		var owners []models.Owner
		if err := env.DB.Order("id").Limit(len(ids)).Find(&owners).Error; err != nil || len(owners) < len(ids) {
			t.Fatalf("owners: %d, %v", len(owners), err)
		}
		for i, o := range owners {
			if err := env.DB.Exec("UPDATE owners SET id_masked = ? WHERE id = ?", old(ids[i]), o.ID).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := env.DB.Exec("UPDATE ballots SET proxy_id_masked = ? WHERE proxy_id_masked <> ''", old(maskProxyID)).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatalf("up: %v", err)
		}
		for i, o := range owners {
			var got string
			if err := env.DB.Raw("SELECT id_masked FROM owners WHERE id = ?", o.ID).Scan(&got).Error; err != nil {
				t.Fatal(err)
			}
			if want := pii.MaskID(ids[i]); got != want {
				t.Errorf("owner %d: stored mask %q after migration, want %q", o.ID, got, want)
			}
		}
		var proxies []string
		if err := env.DB.Raw("SELECT proxy_id_masked FROM ballots WHERE proxy_id_masked <> ''").Scan(&proxies).Error; err != nil {
			t.Fatal(err)
		}
		if len(proxies) != 1 || proxies[0] != pii.MaskID(maskProxyID) {
			t.Errorf("stored proxy masks after migration: %q, want [%q]", proxies, pii.MaskID(maskProxyID))
		}
		var all []string
		if err := env.DB.Raw("SELECT id_masked FROM owners").Scan(&all).Error; err != nil {
			t.Fatal(err)
		}
		secrets := rosterSecrets(t)
		for _, id := range ids {
			secrets = append(secrets, id[len(id)-6:])
		}
		scanForSecrets(t, "stored masks", strings.Join(append(all, proxies...), "\n"), secrets)
	})
}
