package documents_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"gongzhi/app/database/dbtest"
	"gongzhi/app/orgs"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// TestNoticesPDF prints the notices of an opened vote: one notice per voter with the
// items in full, the period, how to vote and the paper channel, and on each voter's first
// page exactly one QR code holding that voter's ballot link. Printing is audited, a reprint
// serves the stored batch, a reissued credential makes a new version, and only staff who
// may change the vote get it.
func TestNoticesPDF(t *testing.T) {
	requireTools(t)
	each(t, func(t *testing.T, e *env) {
		id := e.demoVote(t, "阳光花园2026年第一次业主大会会议", demoItems())
		creds, err := e.Svc.Votes.Credentials(e.Ctx, e.Admin, id)
		if err != nil {
			t.Fatal(err)
		}
		tok := e.DemoToken("street")
		// A download never issues: before the batch is issued it is refused (issue 16).
		if r := e.get(fmt.Sprintf("/api/v1/votes/%d/notices.pdf", id), tok); r.Status != 409 {
			t.Errorf("notices before they are issued: %d", r.Status)
		}
		if r := e.API("POST", fmt.Sprintf("/api/v1/votes/%d/notices", id), e.DemoToken("auditor"), nil); r.Status != 403 {
			t.Errorf("auditor issues notices: %d", r.Status)
		}
		if r := e.API("POST", fmt.Sprintf("/api/v1/votes/%d/notices", id), tok, nil); r.Status != 201 {
			t.Fatalf("issue notices: %d %s", r.Status, r.Body)
		}
		r := e.get(fmt.Sprintf("/api/v1/votes/%d/notices.pdf", id), tok)
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("notices: %d %s %s %.200s", r.Status, r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"), r.Body)
		}
		path := writeTemp(t, "notices.pdf", r.Body)
		codes := pageQRCodes(t, path)
		texts := pdfPages(t, path)
		if len(texts) != len(codes) {
			t.Fatalf("%d pages of text, %d images", len(texts), len(codes))
		}
		voter := -1
		for i, page := range codes {
			text := texts[i]
			if !strings.Contains(text, "第 1 页 / 共") {
				if len(page) != 0 {
					t.Errorf("page %d continues a notice but has QR codes %q", i+1, page)
				}
				continue
			}
			voter++
			if voter >= len(creds) {
				t.Fatalf("page %d starts a notice after all %d voters", i+1, len(creds))
			}
			c := creds[voter]
			if len(page) != 1 || page[0] != c.URL {
				t.Errorf("page %d (voter %v): QR codes %q, want [%s]", i+1, c.Rooms, page, c.URL)
			}
			if !strings.Contains(squeeze(text), c.Rooms[0]) {
				t.Errorf("page %d does not name the voter's room %s", i+1, c.Rooms[0])
			}
		}
		if voter+1 != len(creds) {
			t.Errorf("%d notices for %d voters", voter+1, len(creds))
		}
		flat := squeeze(pdfText(t, path, 0))
		for _, w := range []string{"业主大会会议表决通知书", longTitle, "关于将小区东侧绿地改建为停车场的议案", "选举第二届业主委员会委员（应选7名）",
			"2026年3月24日09:00", "小区物业服务中心（3栋1楼）", "证件号码的后6位", strings.Join(candidateNames, "、")} {
			if !strings.Contains(flat, squeeze(w)) {
				t.Errorf("notices lack %q", w)
			}
		}

		// A reprint serves the stored batch, and both prints are audited with who printed.
		again := e.get(fmt.Sprintf("/api/v1/votes/%d/notices.pdf", id), tok)
		if !bytes.Equal(again.Body, r.Body) || again.Header.Get("X-Document-Number") != r.Header.Get("X-Document-Number") {
			t.Error("a reprint differs from the stored batch")
		}
		var prints []models.AuditLog
		e.DB.Where("action = ?", "document.notices.print").Order("id").Find(&prints)
		if len(prints) != 2 || prints[0].Username != "street" || !strings.Contains(prints[0].Detail, `"voters":20`) {
			t.Errorf("print audit %+v", prints)
		}
		// Stored encrypted: the batch holds every ballot link.
		var doc models.Document
		if err := e.DB.Where("doc_number = ?", r.Header.Get("X-Document-Number")).Take(&doc).Error; err != nil {
			t.Fatal(err)
		}
		var chunk models.DocumentChunk
		if err := e.DB.Where("document_id = ? AND seq = 0", doc.ID).Take(&chunk).Error; err != nil || len(chunk.Data) == 0 {
			t.Fatalf("the stored batch: %d bytes, %v", len(chunk.Data), err)
		}
		if !doc.Encrypted || bytes.HasPrefix(chunk.Data, []byte("%PDF")) || bytes.Contains(chunk.Data, []byte(creds[0].Token)) {
			t.Error("the notice batch is stored in clear")
		}

		// A reissued credential makes the next print a new version with the new link.
		fresh, err := e.Svc.Votes.RevokeAndReissue(e.Ctx, e.Admin, id, creds[0].VoterID, "遗失")
		if err != nil {
			t.Fatal(err)
		}
		if r := e.get(fmt.Sprintf("/api/v1/votes/%d/notices.pdf", id), tok); r.Status != 409 {
			t.Errorf("stale notices after a reissue: %d", r.Status)
		}
		if r := e.API("POST", fmt.Sprintf("/api/v1/votes/%d/notices", id), tok, nil); r.Status != 201 {
			t.Fatalf("issue notices again: %d %s", r.Status, r.Body)
		}
		v2 := e.get(fmt.Sprintf("/api/v1/votes/%d/notices.pdf", id), tok)
		if !strings.HasSuffix(v2.Header.Get("X-Document-Number"), "-V2") {
			t.Errorf("after a reissue the notices are %s", v2.Header.Get("X-Document-Number"))
		}
		first := qrCodesOfPages(t, writeTemp(t, "notices-v2.pdf", v2.Body), 1)[0]
		if len(first) != 1 || first[0] != fresh.URL {
			t.Errorf("first notice after reissue has %q, want %s", first, fresh.URL)
		}

		// Who may print: not auditors (links let their holder vote), not another street office.
		if r := e.get(fmt.Sprintf("/api/v1/votes/%d/notices.pdf", id), e.DemoToken("auditor")); r.Status != 403 {
			t.Errorf("auditor: %d", r.Status)
		}
		if r := e.get(fmt.Sprintf("/api/v1/votes/%d/notices.pdf", id), e.DemoToken("street2")); r.Status != 404 {
			t.Errorf("street2: %d", r.Status)
		}
		if r := e.get(fmt.Sprintf("/api/v1/votes/%d/notices.pdf", id), ""); r.Status != 401 {
			t.Errorf("anonymous: %d", r.Status)
		}
		e.Clock.Set(closesAt().Add(time.Minute))
		if r := e.get(fmt.Sprintf("/api/v1/votes/%d/notices.pdf", id), tok); r.Status != 409 {
			t.Errorf("after closing: %d %s", r.Status, r.Body)
		}
	})
}

// BenchmarkNoticesMedium is the end-to-end print of the notices of the medium roster:
// testdata/roster-medium.csv (1,089 voters) imported through the roster service, a vote
// with three items opened, then each iteration reads the credentials, renders one notice
// per voter, encrypts and stores the batch as a new version (RegenerateNotices), as a
// print after a change would. Run on SQLite:
//
//	go test ./handlers/documents/ -run '^$' -bench NoticesMedium -benchtime 3x
func BenchmarkNoticesMedium(b *testing.B) {
	db := dbtest.SQLite(b)
	e := newEnv(b, db)
	var community models.Org
	if err := db.Where("name = ?", "和谐社区").Take(&community).Error; err != nil {
		b.Fatal(err)
	}
	estate, err := e.Svc.Orgs.CreateEstate(e.Ctx, e.Admin, orgs.NewEstate{Name: "中型小区", CommunityID: community.ID, ProfileCode: "national"})
	if err != nil {
		b.Fatal(err)
	}
	imp, err := e.Svc.Roster.Import(e.Ctx, e.Admin, estate, "roster-medium.csv", testdata(b, "roster-medium.csv"))
	if err != nil {
		b.Fatal(err)
	}
	items := demoItems()[:3]
	vote, err := e.Svc.Votes.Create(e.Ctx, e.Admin, estate, voting.NewVote{Title: "中型小区2026年业主大会会议", Form: voting.FormWritten,
		NoticePublishedAt: t0, OpensAt: opensAt(), ClosesAt: closesAt(), Items: items})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.Svc.Votes.Open(e.Ctx, e.Admin, vote); err != nil {
		b.Fatal(err)
	}
	f, err := e.Svc.Documents.IssueNotices(e.Ctx, e.Admin, vote)
	if err != nil {
		b.Fatal(err)
	}
	if imp.Voters != 1089 {
		b.Fatalf("%d voters, want 1089", imp.Voters)
	}
	b.ReportAllocs()
	b.ResetTimer()
	pages := 0
	for b.Loop() {
		f, err = e.Svc.Documents.RegenerateNotices(e.Ctx, e.Admin, vote, "基准测试")
		if err != nil {
			b.Fatal(err)
		}
		pages += f.Pages
	}
	b.ReportMetric(float64(f.Pages), "pages")
	b.ReportMetric(float64(f.Size)/(1<<20), "MiB/doc")
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
}
