package handlers_test

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

// get fetches path as the browser b, asking for a compressed answer in encoding
// ("": none); the body is returned as sent (not decompressed).
func getEncoded(env *voteEnv, b *handlertest.Browser, path, encoding string) handlertest.Response {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Cookie", strings.TrimSuffix(strings.TrimPrefix(b.CookieHeader(), "Cookie: "), "\r\n"))
	req.Header.Set("Accept", "text/html")
	if encoding != "" {
		req.Header.Set("Accept-Encoding", encoding)
	}
	return env.Do(req)
}

// Issue 16 defect 7: the 1,152-unit roster and the 1,089 credentials come a page of
// 50 at a time, searchable, with each unit's edit forms on its own page; signed-in
// pages go out uncompressed (BREACH), static files compressed, PDFs and workbooks
// as they are. The sizes are logged for the note.
func TestHeavyStaffPagesPaged(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		estate := env.Demo.EstateID
		if r := env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", estate), env.DemoToken("street"), "roster-medium.csv", fixture(t, "roster-medium.csv")); r.Status != 200 {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		committee := env.DemoToken("committee")
		vote := env.openDemoVote(t, committee)
		b := env.Browser()
		b.Login("committee", "Demo2026committee")

		rows := regexp.MustCompile(`<a href="/estates/\d+/units/(\d+)"><strong>([^<]+)</strong>`)
		roster := fmt.Sprintf("/estates/%d/roster", estate)
		r := b.Get(roster)
		body := string(r.Body)
		first := rows.FindAllStringSubmatch(body, -1)
		if r.Status != 200 || len(first) != 50 || first[0][2] != "1-1-101" || !strings.Contains(body, "第 1/24 页 · 第 1–50 条，共 1152 条") {
			t.Fatalf("roster page 1: %d, %d rows, first %v", r.Status, len(first), first[:min(1, len(first))])
		}
		if strings.Contains(body, fmt.Sprintf(`action="/estates/%d/units/`, estate)) || strings.Contains(body, fmt.Sprintf(`action="/estates/%d/owners/`, estate)) {
			t.Error("the roster list still carries a form per row")
		}
		if !strings.Contains(body, `href="/estates/`+fmt.Sprint(estate)+`/roster?page=2"`) {
			t.Error("no link to page 2")
		}
		t.Logf("roster page 1: %d bytes (1152 units, 50 shown)", len(r.Body))
		last := rows.FindAllStringSubmatch(string(b.Get(roster+"?page=24").Body), -1)
		if len(last) != 1152-23*50 {
			t.Errorf("roster page 24: %d rows", len(last))
		}
		if got := rows.FindAllStringSubmatch(string(b.Get(roster+"?page=999").Body), -1); len(got) != len(last) {
			t.Errorf("a page past the end shows %d rows, want the last page's %d", len(got), len(last))
		}
		// Search: a building (room prefix), a room, an owner's name; kept across pages.
		r = b.Get(roster + "?q=" + url.QueryEscape("2-"))
		for _, m := range rows.FindAllStringSubmatch(string(r.Body), -1) {
			if !strings.HasPrefix(m[2], "2-") {
				t.Errorf("search 2- shows %s", m[2])
			}
		}
		if strings.Contains(string(r.Body), "page=2") && !strings.Contains(string(r.Body), "page=2&amp;q=2-") {
			t.Error("the next-page link drops the search")
		}
		r = b.Get(roster + "?q=" + url.QueryEscape("韦英"))
		if got := rows.FindAllStringSubmatch(string(r.Body), -1); len(got) == 0 || got[0][2] != "1-1-101" {
			t.Errorf("search by owner name: %v", got)
		}
		// The identity check (the ID number's last six) finds nothing.
		if got := rows.FindAllStringSubmatch(string(b.Get(roster+"?q=033467").Body), -1); len(got) != 0 {
			t.Errorf("search by the identity check found %v", got)
		}

		// One unit's page carries its forms; a correction goes back to it.
		unitID := first[0][1]
		unitPage := fmt.Sprintf("/estates/%d/units/%s", estate, unitID)
		r = b.Get(unitPage)
		if r.Status != 200 || !strings.Contains(string(r.Body), `action="`+unitPage+`"`) || !strings.Contains(string(r.Body), "104.91") {
			t.Fatalf("unit page: %d", r.Status)
		}
		r = b.Submit(unitPage, unitPage, url.Values{"area": {"104.95"}, "area_source": {"registered"}, "delivered": {"1"}})
		if r.Status != 303 || r.Header.Get("Location") != unitPage {
			t.Fatalf("unit correction: %d %s", r.Status, r.Header.Get("Location"))
		}
		var u models.Unit
		env.DB.First(&u, unitID)
		if u.Area != 10495 {
			t.Errorf("area after the correction: %d", u.Area)
		}
		r = b.Submit(unitPage, unitPage, url.Values{"area": {"-1"}, "area_source": {"registered"}})
		if r.Status != 422 || !strings.Contains(string(r.Body), `action="`+unitPage+`"`) {
			t.Errorf("a bad area re-renders the unit page: %d", r.Status)
		}
		env.DB.First(&u, unitID)
		if u.Area != 10495 {
			t.Errorf("a refused correction changed the area: %d", u.Area)
		}
		// Another estate's unit is not found through this estate.
		if r := b.Get(fmt.Sprintf("/estates/%d/units/%d", estate, 99999999)); r.Status != 404 {
			t.Errorf("unknown unit: %d", r.Status)
		}

		// The credentials: 50 QR codes a page.
		creds := fmt.Sprintf("/votes/%d/credentials", vote)
		r = b.Get(creds)
		qrs := strings.Count(string(r.Body), `class="qr"`)
		if r.Status != 200 || qrs != 50 || !strings.Contains(string(r.Body), "共 1089 条") {
			t.Fatalf("credentials page 1: %d, %d QR codes", r.Status, qrs)
		}
		if n := strings.Count(string(b.Get(creds+"?page=22").Body), `class="qr"`); n != 1089-21*50 {
			t.Errorf("credentials page 22: %d QR codes", n)
		}
		r = b.Get(creds + "?room=2-1-")
		found := regexp.MustCompile(`<div class="cred-rooms">(.*?)</div>`).FindAllStringSubmatch(string(r.Body), -1)
		if len(found) == 0 {
			t.Error("credentials search 2-1- found nothing")
		}
		for _, m := range found {
			if !strings.Contains(m[1], `<span class="room">2-1-`) {
				t.Errorf("credentials search 2-1- shows %s", m[1])
			}
		}
		t.Logf("credentials page 1: %d bytes (1089 voters, 50 shown)", len(b.Get(creds).Body))

		// Compression (BREACH): signed-in pages carry the session's CSRF token and,
		// here, ballot links next to echoed search terms: never compressed. Static
		// files are.
		for _, path := range []string{roster, creds, creds + "?room=2-1-"} {
			for _, enc := range []string{"br", "gzip"} {
				z := getEncoded(env, b, path, enc)
				if z.Status != 200 || z.Header.Get("Content-Encoding") != "" {
					t.Errorf("%s with %s: %d, Content-Encoding %q (a signed-in page must not be compressed)", path, enc, z.Status, z.Header.Get("Content-Encoding"))
				}
			}
		}
		plain := getEncoded(env, b, "/static/app.css", "")
		for _, enc := range []string{"br", "gzip"} {
			z := getEncoded(env, b, "/static/app.css", enc)
			if z.Status != 200 || z.Header.Get("Content-Encoding") != enc || len(z.Body) >= len(plain.Body) {
				t.Errorf("/static/app.css with %s: %d %q, %d bytes vs %d", enc, z.Status, z.Header.Get("Content-Encoding"), len(z.Body), len(plain.Body))
			}
			t.Logf("/static/app.css: %d bytes, %s %d bytes", len(plain.Body), enc, len(z.Body))
		}
		// Already compressed formats go out as they are.
		for _, path := range []string{fmt.Sprintf("/estates/%d/roster.xlsx", estate), fmt.Sprintf("/votes/%d/not-voted.pdf", vote)} {
			z := getEncoded(env, b, path, "br, gzip")
			if z.Status != 200 || z.Header.Get("Content-Encoding") != "" {
				t.Errorf("%s: %d, Content-Encoding %q", path, z.Status, z.Header.Get("Content-Encoding"))
			}
		}
	})
}
