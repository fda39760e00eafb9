package documents_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// boardJSON is the public board as JSON.
type boardJSON struct {
	ShowDays int `json:"show_days"`
	Current  []struct {
		Kind      string    `json:"kind"`
		Title     string    `json:"title"`
		ShowUntil time.Time `json:"show_until"`
	} `json:"current"`
	Archive []struct {
		Kind  string `json:"kind"`
		Title string `json:"title"`
	} `json:"archive"`
}

func (e *env) board(t *testing.T, estate int64) boardJSON {
	t.Helper()
	r := e.get(fmt.Sprintf("/public/estates/%d", estate), "", "Accept", "application/json")
	if r.Status != 200 {
		t.Fatalf("board: %d %s", r.Status, r.Body)
	}
	var b boardJSON
	r.JSON(t, &b)
	return b
}

func kinds(list []struct {
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	ShowUntil time.Time `json:"show_until"`
}) []string {
	var out []string
	for _, a := range list {
		out = append(out, a.Kind)
	}
	return out
}

// TestPublicBoard follows a vote's announcements on the estate's public page (no login):
// the meeting notice from its notice date, the result and the resolution once published,
// each shown for the profile's days (at least 15) and then listed in the archive.
func TestPublicBoard(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		voteID, _ := e.closedDemoVote(t)
		// The notice is shown from its date at least until voting closes.
		e.Clock.Set(opensAt())
		b := e.board(t, e.Demo.EstateID)
		if b.ShowDays < 15 || strings.Join(kinds(b.Current), ",") != "notice" || len(b.Archive) != 0 {
			t.Fatalf("board while voting: %+v", b)
		}
		e.Clock.Set(closesAt().Add(time.Hour))
		if b = e.board(t, e.Demo.EstateID); len(b.Current) != 0 || len(b.Archive) != 1 {
			t.Fatalf("board after closing, before publication: %+v", b)
		}
		e.Clock.Set(closesAt().Add(24 * time.Hour))
		if _, err := e.Svc.Votes.Publish(e.Ctx, e.Admin, voteID); err != nil {
			t.Fatal(err)
		}
		b = e.board(t, e.Demo.EstateID)
		if got := strings.Join(kinds(b.Current), ","); got != "results,resolution" || len(b.Archive) != 1 {
			t.Fatalf("board after publication: %s", got)
		}
		for _, a := range b.Current {
			if a.Kind == "results" && a.ShowUntil.Sub(closesAt().Add(24*time.Hour)) < 15*24*time.Hour {
				t.Errorf("results shown only until %s", a.ShowUntil)
			}
		}
		// The page renders without login, with a resolution download that works for anyone.
		page := e.Browser().Get(fmt.Sprintf("/public/estates/%d", e.Demo.EstateID))
		doc := parseHTML(t, page)
		if page.Status != 200 || doc.Find("#current li.announcement").Length() != 2 {
			t.Fatalf("public page: %d, %d current entries", page.Status, doc.Find("#current li.announcement").Length())
		}
		link, _ := doc.Find("#current a.download").Attr("href")
		if r := e.Browser().Get(link); r.Status != 200 || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
			t.Errorf("resolution link %s: %d", link, r.Status)
		}
		// After the showing period everything moves to the archive; nothing is deleted.
		e.Clock.Set(closesAt().AddDate(0, 2, 0))
		b = e.board(t, e.Demo.EstateID)
		if len(b.Current) != 0 || len(b.Archive) != 3 {
			t.Errorf("board two months later: %d current, %d archived", len(b.Current), len(b.Archive))
		}
		doc = parseHTML(t, e.Browser().Get(fmt.Sprintf("/public/estates/%d", e.Demo.EstateID)))
		if doc.Find("#archive li.announcement").Length() != 3 {
			t.Errorf("archive section shows %d entries", doc.Find("#archive li.announcement").Length())
		}
		if r := e.get("/public/estates/999999", "", "Accept", "application/json"); r.Status != 404 {
			t.Errorf("unknown estate: %d", r.Status)
		}
	})
}

// TestAnnouncementWithAttachment publishes an announcement with a PDF: the PDF is stored
// byte-identical with its own number, and an upload of it on the verification page is
// recognised.
func TestAnnouncementWithAttachment(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		pdf := []byte("%PDF-1.4\n% 业主委员会关于电梯维修的决定（扫描件）\n%%EOF\n")
		web := e.Browser()
		web.Login("community", "Demo2026community")
		page := fmt.Sprintf("/estates/%d/documents", e.Demo.EstateID)
		r := web.SubmitFile(page, fmt.Sprintf("/estates/%d/announcements", e.Demo.EstateID), "file", "decision.pdf", pdf,
			url.Values{"kind": {"committee_decision"}, "title": {"关于电梯维修的决定"}, "body": {"经全体委员过半数同意，决定维修2号楼电梯。"}})
		if r.Status != 303 {
			t.Fatalf("publish: %d %.300s", r.Status, r.Body)
		}
		doc := parseHTML(t, web.Get(page))
		if !strings.Contains(doc.Find("#announcements").Text(), "关于电梯维修的决定") || doc.Find("#archive td a code").Length() != 1 {
			t.Errorf("documents page after publishing: %q", doc.Find("#announcements").Text())
		}
		check := parseHTML(t, e.Browser().SubmitFile("/verify", "/verify", "file", "copy.pdf", pdf, nil))
		number := check.Find("code.match").Text()
		if check.Find("#upload-verdict").AttrOr("data-identical", "") != "true" || !numberPattern.MatchString(number) {
			t.Fatalf("attachment not recognised: %q", check.Find("#upload-verdict").Text())
		}
		if d := e.Browser().Get("/verify/" + number + "/download"); !bytes.Equal(d.Body, pdf) {
			t.Error("the attachment is not served byte-identical")
		}
		// Not a PDF: refused, nothing published.
		r = web.SubmitFile(page, fmt.Sprintf("/estates/%d/announcements", e.Demo.EstateID), "file", "x.pdf", []byte("hello"),
			url.Values{"title": {"错误的附件"}})
		if r.Status != 422 {
			t.Errorf("non-PDF attachment: %d", r.Status)
		}
	})
}

// TestDocumentPagesAndCSRF renders the staff and public pages and refuses every form of
// this package without its CSRF token.
func TestDocumentPagesAndCSRF(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		voteID, _ := e.closedDemoVote(t)
		web := e.Browser()
		web.Login("street", "Demo2026street")
		mid, err := e.Svc.Documents.CreateMinutes(e.Ctx, e.Admin, e.Demo.EstateID, minutesNew())
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{fmt.Sprintf("/estates/%d/documents", e.Demo.EstateID), fmt.Sprintf("/votes/%d/documents", voteID),
			fmt.Sprintf("/minutes/%d", mid), fmt.Sprintf("/estates/%d", e.Demo.EstateID), "/verify"} {
			if r := web.Get(path); r.Status != 200 {
				t.Errorf("%s: %d %.300s", path, r.Status, r.Body)
			}
		}
		e.Clock.Set(closesAt().Add(24 * time.Hour))
		for _, lang := range []string{"en", "zh-CN"} {
			web.Get("/lang?to=" + lang + "&back=/")
			if r := web.Get(fmt.Sprintf("/estates/%d/documents", e.Demo.EstateID)); r.Status != 200 {
				t.Errorf("documents page in %s: %d", lang, r.Status)
			}
		}
		// Without the token every form is refused and nothing changes.
		forms := map[string]url.Values{
			fmt.Sprintf("/estates/%d/announcements", e.Demo.EstateID): {"title": {"x"}, "body": {"y"}},
			fmt.Sprintf("/estates/%d/minutes", e.Demo.EstateID):       {"kind": {"committee"}, "held_at": {"2026-04-01T10:00"}},
			fmt.Sprintf("/minutes/%d", mid):                           {"title": {"改"}},
			fmt.Sprintf("/minutes/%d/finalise", mid):                  {},
			fmt.Sprintf("/votes/%d/resolution/correct", voteID):       {"reason": {"x"}},
			fmt.Sprintf("/votes/%d/minutes", voteID):                  {},
			"/verify":                                                 {},
		}
		for action, form := range forms {
			if r := web.Post(action, form); r.Status != 403 {
				t.Errorf("%s without CSRF token: %d", action, r.Status)
			}
		}
		// With the token the minutes form saves (and is audited); a wrong count re-renders the form.
		page := fmt.Sprintf("/minutes/%d", mid)
		r := web.Submit(page, page, url.Values{"title": {"业主委员会临时会议"}, "held_at": {"2026-04-08T19:30"},
			"members": {strings.Join(candidateNames[:5], "\n")}, "present": candidateNames[:3],
			"decision_text": {"同意续聘审计机构", ""}, "decision_agree": {"3", ""}, "decision_oppose": {"0", ""}, "decision_abstain": {"0", ""},
			"signature_name": {"王建国", ""}, "signature_date": {"2026-04-08", ""}})
		if r.Status != 303 {
			t.Fatalf("save minutes: %d %.400s", r.Status, r.Body)
		}
		doc := parseHTML(t, web.Get(page))
		if !strings.Contains(doc.Text(), "同意续聘审计机构") || !strings.Contains(doc.Find("table").Text(), "通过") {
			t.Errorf("saved minutes page: %q", doc.Find("table").Text())
		}
		r = web.Submit(page, page, url.Values{"title": {"业主委员会临时会议"}, "held_at": {"2026-04-08T19:30"},
			"members": {strings.Join(candidateNames[:5], "\n")}, "present": candidateNames[:3],
			"decision_text": {"人数有误的决定"}, "decision_agree": {"4"}, "decision_oppose": {"0"}, "decision_abstain": {"0"}})
		if r.Status != 422 || !strings.Contains(string(r.Body), "人数有误的决定") {
			t.Errorf("impossible count: %d", r.Status)
		}
		if r := web.Submit(page, page+"/finalise", url.Values{"confirm": {"1"}}); r.Status != 303 {
			t.Errorf("finalise from the web: %d %.300s", r.Status, r.Body)
		}
		if r := web.Get(page + "/minutes.pdf"); r.Status != 200 || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
			t.Errorf("minutes PDF from the web: %d", r.Status)
		}
		// Another street office does not see the estate's pages.
		other := e.Browser()
		other.Login("street2", "Demo2026street2")
		if r := other.Get(fmt.Sprintf("/estates/%d/documents", e.Demo.EstateID)); r.Status != 404 {
			t.Errorf("street2 documents page: %d", r.Status)
		}
		if r := other.Get(page); r.Status != 404 {
			t.Errorf("street2 minutes page: %d", r.Status)
		}
	})
}
