package voting_test

import (
	"strings"
	"testing"

	"gongzhi/app/voting"
)

// minimalPNG is the 8-byte PNG signature and a little more: enough for the content
// sniffing of a scan.
var minimalPNG = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 32)...)

// TestBallotScansAppendOnly: the scan of a paper ballot, once stored, is refused by
// the database itself on UPDATE, DELETE and REPLACE (migration 00033), on SQLite and
// MariaDB, and is still there, unchanged, afterwards.
func TestBallotScansAppendOnly(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id := e.openSmallVote(t)
		r, err := e.Svc.Votes.CastPaper(e.Ctx, e.Admin, id, voting.PaperBallot{Room: "1-1-101",
			Choices: voting.Choices{"dismiss": {Option: "agree"}, "fund": {Option: "oppose"}},
			Scan:    &voting.ScanInput{Filename: "ballot.png", Data: minimalPNG}})
		if err != nil {
			t.Fatal(err)
		}
		var before string
		if err := e.DB.Raw("SELECT sha256 FROM ballot_scans WHERE ballot_id = ?", r.BallotID).Scan(&before).Error; err != nil || before == "" {
			t.Fatalf("scan not stored: %q %v", before, err)
		}
		for _, q := range []string{
			"UPDATE ballot_scans SET filename = 'other.png'",
			"UPDATE ballot_scans SET data = X'00'",
			"DELETE FROM ballot_scans",
			"REPLACE INTO ballot_scans SELECT * FROM ballot_scans",
		} {
			err := e.DB.Exec(q).Error
			if err == nil || !strings.Contains(err.Error(), "ballot scans are append-only") {
				t.Errorf("%s: %v, want the database's refusal", q, err)
			}
		}
		var n int64
		var after, name string
		e.DB.Raw("SELECT COUNT(*) FROM ballot_scans WHERE ballot_id = ?", r.BallotID).Scan(&n)
		e.DB.Raw("SELECT sha256 FROM ballot_scans WHERE ballot_id = ?", r.BallotID).Scan(&after)
		e.DB.Raw("SELECT filename FROM ballot_scans WHERE ballot_id = ?", r.BallotID).Scan(&name)
		if n != 1 || after != before || name != "ballot.png" {
			t.Errorf("after the refused statements: %d scans, sha256 %s (was %s), filename %s", n, after, before, name)
		}
	})
}
