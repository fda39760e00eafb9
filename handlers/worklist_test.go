package handlers_test

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gongzhi/app/rules"
	"gongzhi/handlers/httpx"
)

// scriptTag finds every <script ...> opening tag of a page.
var scriptTag = regexp.MustCompile(`<script[^>]*>`)

// TestWorklistChartsCSP: the charts page alone allows scripts from this site (and
// carries no inline script: only src= scripts and a JSON data block); the owner's
// ballot page, the sign-in page and the week's work keep script-src 'none'. The chart
// data and the participation curve count the ballots cast; the open votes' export reads
// back.
func TestWorklistChartsCSP(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		id := env.openDemoVote(t, tok)
		creds, answers := env.credentials(t, tok, id), idChecks(t)
		rooms := []string{}
		for room := range creds {
			rooms = append(rooms, room)
		}
		cast := 0
		for i, room := range rooms {
			if cast == 2 {
				break
			}
			env.Clock.Set(voteOpens().Add(time.Duration(2+i) * time.Hour))
			if r := env.cast(creds[room].Token, answers[room], map[string]any{"dismiss": "agree", "fund": "agree"}); r.Status == 201 {
				cast++
			}
		}
		if cast != 2 {
			t.Fatalf("cast %d ballots, want 2", cast)
		}
		env.Clock.Set(voteOpens().Add(6 * time.Hour))

		none, self := "script-src 'none'", "script-src 'self'"
		ballot := env.Do(httptest.NewRequest("GET", "/b/"+creds[rooms[0]].Token, nil))
		if csp := ballot.Header.Get("Content-Security-Policy"); !strings.Contains(csp, none) || strings.Contains(csp, self) {
			t.Errorf("ballot page %d CSP %q: want %s", ballot.Status, csp, none)
		}
		if bytes.Contains(ballot.Body, []byte("<script")) {
			t.Errorf("ballot page carries a script")
		}
		login := env.Do(httptest.NewRequest("GET", "/login", nil))
		if csp := login.Header.Get("Content-Security-Policy"); !strings.Contains(csp, none) {
			t.Errorf("login page CSP %q", csp)
		}

		b := env.Browser()
		b.Login("street", "Demo2026street")
		week := b.Get("/worklist")
		if week.Status != 200 || !strings.Contains(week.Header.Get("Content-Security-Policy"), none) {
			t.Errorf("/worklist %d CSP %q", week.Status, week.Header.Get("Content-Security-Policy"))
		}
		charts := b.Get("/worklist/charts")
		if charts.Status != 200 {
			t.Fatalf("/worklist/charts %d %s", charts.Status, charts.Body)
		}
		if csp := charts.Header.Get("Content-Security-Policy"); csp != httpx.ChartsPolicy || !strings.Contains(csp, self) {
			t.Errorf("charts CSP %q, want %q", csp, httpx.ChartsPolicy)
		}
		for _, tag := range scriptTag.FindAllString(string(charts.Body), -1) {
			if !strings.Contains(tag, ` src="/static/`) && tag != `<script type="application/json" id="wl-charts">` {
				t.Errorf("charts page has an inline or foreign script: %s", tag)
			}
		}
		for _, want := range []string{"/static/vendor/echarts/echarts.min.js", "/static/worklist-charts.js", `id="chart-participation"`, "<details>"} {
			if !bytes.Contains(charts.Body, []byte(want)) {
				t.Errorf("charts page lacks %s", want)
			}
		}
		if js := env.Do(httptest.NewRequest("GET", "/static/worklist-charts.js", nil)); js.Status != 200 {
			t.Errorf("chart script: %d", js.Status)
		}

		var open []struct {
			VoteID        int64
			Participation struct{ ParticipatingHeadcount, QuorumHeadcount int }
		}
		env.API("GET", "/api/v1/worklist/open-votes", tok, nil).JSON(t, &open)
		if len(open) != 1 || open[0].VoteID != id || open[0].Participation.ParticipatingHeadcount != 2 {
			t.Errorf("open votes %+v: want vote %d with 2 participating", open, id)
		}
		var curve []struct{ Headcount int }
		env.API("GET", fmt.Sprintf("/api/v1/votes/%d/participation-curve", id), tok, nil).JSON(t, &curve)
		if len(curve) == 0 || curve[len(curve)-1].Headcount != 2 || curve[0].Headcount > 1 {
			t.Errorf("curve %+v: want rising to 2", curve)
		}
		x := b.Get("/worklist/open-votes.xlsx")
		f, err := excelize.OpenReader(bytes.NewReader(x.Body))
		if err != nil {
			t.Fatalf("open votes xlsx (%d): %v", x.Status, err)
		}
		rows, _ := f.GetRows(f.GetSheetName(0))
		if len(rows) != 2 || rows[1][6] != "2" {
			t.Errorf("open votes xlsx rows %v", rows)
		}
		// street2 sees no open vote of the demo estate, and not its curve
		if r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/participation-curve", id), env.DemoToken("street2"), nil); r.Status != 404 {
			t.Errorf("street2 curve: %d", r.Status)
		}
	})
}

// TestSupervisionReportPages: a street office issues its monthly report from the page,
// downloads it, anyone verifies it by number (page and JSON), another street office gets
// 404, and the pages render in English too.
func TestSupervisionReportPages(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		p := env.Principal(t, "street")
		b := env.Browser()
		b.Login("street", "Demo2026street")
		list := b.Get("/supervision/reports")
		if list.Status != 200 || !bytes.Contains(list.Body, []byte(`name="month"`)) {
			t.Fatalf("/supervision/reports %d", list.Status)
		}
		month := env.Clock.Now().In(rules.Shanghai()).Format("2006-01")
		r := b.Submit("/supervision/reports", "/supervision/reports", url.Values{"org_id": {fmt.Sprint(p.OrgID)}, "month": {month}})
		if r.Status != 303 {
			t.Fatalf("generate: %d %s", r.Status, r.Body)
		}
		var reports []struct {
			Month  string `json:"month"`
			Number string `json:"number"`
			SHA256 string `json:"sha256"`
			Status string `json:"status"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/supervision-reports?org_id=%d", p.OrgID), env.DemoToken("street"), nil).JSON(t, &reports)
		if len(reports) != 1 || reports[0].Status != "in_force" || reports[0].Month != month {
			t.Fatalf("reports %+v", reports)
		}
		num := reports[0].Number
		if page := b.Get("/supervision/reports"); !bytes.Contains(page.Body, []byte(num)) {
			t.Errorf("the list does not show %s", num)
		}
		pdf := b.Get("/supervision/reports/" + num)
		if pdf.Status != 200 || !bytes.HasPrefix(pdf.Body, []byte("%PDF")) || pdf.Header.Get("X-Document-SHA256") != reports[0].SHA256 {
			t.Errorf("pdf: %d %q", pdf.Status, pdf.Header.Get("X-Document-SHA256"))
		}
		pub := env.Do(httptest.NewRequest("GET", "/verify/"+num, nil))
		if pub.Status != 200 || !bytes.Contains(pub.Body, []byte(reports[0].SHA256)) || bytes.Contains(pub.Body, []byte("%PDF")) {
			t.Errorf("public verification: %d", pub.Status)
		}
		// the links of reports issued before they were documents redirect there
		if old := env.Do(httptest.NewRequest("GET", "/verify/org/"+strings.ToLower(num), nil)); old.Status != 301 || old.Header.Get("Location") != "/verify/"+num {
			t.Errorf("/verify/org/: %d %q", old.Status, old.Header.Get("Location"))
		}
		req := httptest.NewRequest("GET", "/verify/"+num, nil)
		req.Header.Set("Accept", "application/json")
		var v struct {
			Document struct {
				Number string `json:"number"`
				Kind   string `json:"kind"`
				Status string `json:"status"`
			} `json:"document"`
			CanDownload bool `json:"can_download"`
		}
		env.Do(req).JSON(t, &v)
		if v.Document.Number != num || v.Document.Status != "in_force" || v.Document.Kind != "supervision" || v.CanDownload {
			t.Errorf("verification JSON %+v", v)
		}
		if r := env.Do(httptest.NewRequest("GET", "/verify/"+num+"/download", nil)); r.Status == 200 {
			t.Errorf("anonymous download of a report: %d", r.Status)
		}
		if r := env.API("GET", "/api/v1/supervision-reports/"+num+"/pdf", env.DemoToken("street2"), nil); r.Status != 404 {
			t.Errorf("street2 downloading street's report: %d", r.Status)
		}
		if r := env.API("POST", "/api/v1/supervision-reports", env.DemoToken("street"), map[string]any{"org_id": p.OrgID, "month": "2026-13"}); r.Status != 422 && r.Status != 400 {
			t.Errorf("bad month: %d %s", r.Status, r.Body)
		}
		// English
		b.Get("/lang?to=en&back=/worklist")
		for _, page := range []string{"/worklist", "/worklist/charts", "/supervision/reports"} {
			r := b.Get(page)
			if r.Status != 200 || !bytes.Contains(r.Body, []byte(`lang="en"`)) {
				t.Errorf("%s in English: %d", page, r.Status)
			}
		}
	})
}
