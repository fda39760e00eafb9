package handlers_test

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

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
