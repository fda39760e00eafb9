package documents_test

import (
	"flag"
	"fmt"
	"gongzhi/app/testkit/fixtures"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/documents/* (at the repository root)")

// TestResolutionGolden pins the published resolution of the demo vote, issued with a fixed
// clock (creation date 2026-03-25 10:00 Shanghai), byte for byte: its SHA-256 and its text
// (pdftotext -layout, for a readable diff) are golden files. SQLite and MariaDB must issue
// the same bytes. After an intended change, look at the PDF (DOCS_PREVIEW_DIR) and run
// go test ./handlers/documents/ -run TestResolutionGolden -update.
func TestResolutionGolden(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		// Receipts are random: without leaves the printed closing root is the empty
		// tree's, the same every run (the log itself is tested in app/ballotlog).
		e.Svc.Votes.SetBallotLogForTesting(false)
		voteID, _ := e.closedDemoVote(t)
		e.Clock.Set(time.Date(2026, 3, 25, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)))
		if _, err := e.Svc.Votes.Publish(e.Ctx, e.Admin, voteID); err != nil {
			t.Fatal(err)
		}
		r := e.get(fmt.Sprintf("/api/v1/votes/%d/resolution.pdf", voteID), "")
		if r.Status != 200 {
			t.Fatalf("resolution: %d %s", r.Status, r.Body)
		}
		// Each database starts empty: the series and vote are the first, so the number is fixed.
		if n := r.Header.Get("X-Document-Number"); n != "GZ-2026-000001-V1" {
			t.Fatalf("number %s", n)
		}
		checkGolden(t, "resolution.sha256", sha(r.Body)+"\n")
		if _, err := lookTools(); err == nil {
			checkGolden(t, "resolution.txt", pdfText(t, writeTemp(t, "golden-resolution.pdf", r.Body), 0))
		}
	})
}

// checkGolden compares got with testdata/golden/documents/name (rewriting it with -update).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := fixtures.Path(filepath.Join("golden", "documents", name))
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (create it with -update): %v", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("%s differs from the golden file at line %d:\n got: %q\nwant: %q", name, i+1, g, w)
				return
			}
		}
	}
}
