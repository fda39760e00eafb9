package handlers_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"gongzhi/app/voting"
	"gongzhi/handlers/handlertest"
)

// Issue 16 (h13): the paper ballots of a vote, one page per household, with the items,
// the boxes, the rooms and a QR code of the ballot's identity (decoded here with
// zbarimg), for all or one building; and the households that have not voted yet, by
// building, as a print view and a PDF. Staff who run the vote only; the auditor is
// refused; nothing is stored.
func TestPaperBallotsAndNotVotedList(t *testing.T) {
	for _, tool := range []string{"pdftoppm", "pdftotext", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	each(t, func(t *testing.T, env *handlertest.Env) {
		s := vwNewSchedule()
		voteID, links := vwOpenVote(t, env, s)
		vwAt(env, s.Opens.Add(time.Hour))
		var voters int64
		if err := env.DB.Raw("SELECT COUNT(*) FROM vote_voters WHERE vote_id = ?", voteID).Scan(&voters).Error; err != nil {
			t.Fatal(err)
		}
		auditor := env.Browser()
		auditor.Login("auditor", "Demo2026auditor")
		for _, path := range []string{"/paper-ballots.pdf", "/not-voted", "/not-voted.pdf", "/paper"} {
			if r := auditor.Get(fmt.Sprintf("/votes/%d%s", voteID, path)); r.Status != 403 {
				t.Errorf("auditor %s: %d", path, r.Status)
			}
		}
		street := env.Browser()
		street.Login("street", "Demo2026street")

		// One building's ballots: a page per household of it, each QR the ballot's identity.
		var b1 int64
		if err := env.DB.Raw("SELECT COUNT(DISTINCT voter_id) FROM vote_voter_units WHERE vote_id = ? AND building = ?", voteID, "1").Scan(&b1).Error; err != nil {
			t.Fatal(err)
		}
		r := street.Get(fmt.Sprintf("/votes/%d/paper-ballots.pdf?building=1", voteID))
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("ballots of building 1: %d %.200s", r.Status, r.Body)
		}
		dir := t.TempDir()
		pdf := filepath.Join(dir, "ballots.pdf")
		if err := os.WriteFile(pdf, r.Body, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("pdftoppm", "-png", "-r", "100", pdf, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
		pages, _ := filepath.Glob(filepath.Join(dir, "p-*.png"))
		sort.Strings(pages)
		var ids []int64
		if err := env.DB.Raw("SELECT id FROM vote_voters WHERE vote_id = ? AND id IN (SELECT voter_id FROM vote_voter_units WHERE vote_id = ? AND building = ?) ORDER BY position",
			voteID, voteID, "1").Scan(&ids).Error; err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, pg := range pages {
			png, err := os.ReadFile(pg)
			if err != nil {
				t.Fatal(err)
			}
			if c := zbarDecode(t, png); c != "" {
				codes = append(codes, c)
			}
		}
		if int64(len(codes)) != b1 || len(codes) != len(ids) {
			t.Fatalf("%d QR codes over %d pages, want one per household of building 1 (%d)", len(codes), len(pages), b1)
		}
		for i, c := range codes {
			vote, voter, ok := voting.ParsePaperBallotCode(c)
			if !ok || vote != voteID || voter != ids[i] {
				t.Errorf("page %d QR %q, want %s", i+1, c, voting.PaperBallotCode(voteID, ids[i]))
			}
		}
		text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		flat := strings.Join(strings.Fields(string(text)), "")
		for _, want := range []string{"业主大会会议表决票", "房屋：1-1-301", "选聘新的物业服务企业", "同意反对弃权", "王建国", "（应选5名）", "在同意的候选人后打“√”，最多5名；超过5名的，本项选票无效；未打“√”的候选人不计同意。", "签名", "√"} {
			if !strings.Contains(flat, want) {
				t.Errorf("ballots lack %q", want)
			}
		}
		if strings.Contains(string(r.Body), "/b/") {
			t.Error("a paper ballot carries a ballot link")
		}
		if all := street.Get(fmt.Sprintf("/votes/%d/paper-ballots.pdf", voteID)); all.Status != 200 || len(all.Body) <= len(r.Body) {
			t.Errorf("all ballots: %d, %d bytes (building 1: %d)", all.Status, len(all.Body), len(r.Body))
		}
		if bad := street.Get(fmt.Sprintf("/votes/%d/paper-ballots.pdf?building=99", voteID)); bad.Status != 422 {
			t.Errorf("unknown building: %d", bad.Status)
		}

		// Not voted yet: everyone at first; 1-1-301 leaves the list once it voted.
		tok := env.DemoToken("street")
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/paper-ballots", voteID), tok, map[string]any{"room": "1-1-301",
			"choices": map[string]any{"item1": "agree"}}); r.Status != 201 {
			t.Fatalf("paper ballot: %d %s", r.Status, r.Body)
		}
		_ = links
		page := street.Get(fmt.Sprintf("/votes/%d/not-voted", voteID))
		doc := vwDoc(t, page)
		if page.Status != 200 || int64(doc.Find("tr.not-voted").Length()) != voters-1 || strings.Contains(doc.Find("table").Text(), "1-1-301") {
			t.Fatalf("not voted: %d, %d rows of %d voters", page.Status, doc.Find("tr.not-voted").Length(), voters)
		}
		if doc.Find("section.building").Length() < 2 || !strings.Contains(doc.Text(), "1-1-302") {
			t.Errorf("not grouped by building: %d groups", doc.Find("section.building").Length())
		}
		one := vwDoc(t, street.Get(fmt.Sprintf("/votes/%d/not-voted?building=1", voteID)))
		if n := int64(one.Find("tr.not-voted").Length()); n != b1-1 {
			t.Errorf("building 1 not voted: %d, want %d", n, b1-1)
		}
		pdfList := street.Get(fmt.Sprintf("/votes/%d/not-voted.pdf", voteID))
		if pdfList.Status != 200 || !strings.HasPrefix(string(pdfList.Body), "%PDF-") {
			t.Fatalf("not-voted PDF: %d", pdfList.Status)
		}
		var docs int64
		if err := env.DB.Raw("SELECT COUNT(*) FROM documents").Scan(&docs).Error; err != nil || docs != 0 {
			t.Errorf("printouts stored %d documents (%v)", docs, err)
		}
	})
}
