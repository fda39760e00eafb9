package handlers_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// sheetRows parses an XLSX answer back and returns its first sheet's rows.
func sheetRows(t *testing.T, what string, body []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: not a workbook: %v", what, err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return rows
}

// Issue 16 "exports": a vote's participation list, results and ballots (auditors),
// and the audit log under its filters, as XLSX parsed back; each behind the same
// role and jurisdiction checks as its page, personal data masked.
func TestExportsXLSX(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		committee := env.DemoToken("committee")
		id := env.openDemoVote(t, committee)
		creds, checks := env.credentials(t, committee, id), idChecks(t)
		for _, room := range []string{"1-1-101", "1-1-102"} {
			if r := env.cast(creds[room].Token, checks[room], map[string]any{"dismiss": "agree", "fund": "oppose"}); r.Status != 201 {
				t.Fatalf("cast %s: %d %s", room, r.Status, r.Body)
			}
		}
		cb := env.Browser()
		cb.Login("committee", "Demo2026committee")

		// Participation: the two voters, rooms and areas only.
		r := cb.Get(fmt.Sprintf("/votes/%d/participation.xlsx", id))
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/vnd.openxmlformats") {
			t.Fatalf("participation.xlsx: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		rows := sheetRows(t, "participation", r.Body)
		if len(rows) != 3 || !strings.Contains(rows[1][1]+rows[2][1], "1-1-101") || !strings.Contains(rows[1][1]+rows[2][1], "1-1-102") {
			t.Errorf("participation rows: %v", rows)
		}
		// Results: refused before the vote has one; after closing, the counts.
		if r := cb.Get(fmt.Sprintf("/votes/%d/results.xlsx", id)); r.Status != 409 {
			t.Errorf("results.xlsx of an open vote: %d", r.Status)
		}
		// Ballots: the auditors' only.
		if r := cb.Get(fmt.Sprintf("/votes/%d/audit/ballots.xlsx", id)); r.Status != 403 {
			t.Errorf("ballots.xlsx as the committee: %d", r.Status)
		}
		ab := env.Browser()
		ab.Login("auditor", avPassword(env, "auditor"))
		r = ab.Get(fmt.Sprintf("/votes/%d/audit/ballots.xlsx", id))
		if r.Status != 200 {
			t.Fatalf("ballots.xlsx as the auditor: %d %s", r.Status, r.Body)
		}
		rows = sheetRows(t, "ballots", r.Body)
		if len(rows) != 3 || rows[1][1] != "online" || rows[2][1] != "online" || rows[1][4] == "" {
			t.Errorf("ballot rows: %v", rows)
		}
		for _, row := range rows[1:] {
			if strings.Contains(strings.Join(row, " "), "agree") { // an online ballot's choices stay apart from its rooms
				t.Errorf("an online ballot's choices exported beside its rooms: %v", row)
			}
		}
		// Another street's staff find neither.
		sb := env.Browser()
		sb.Login("street2", "Demo2026street2")
		for _, path := range []string{fmt.Sprintf("/votes/%d/participation.xlsx", id), fmt.Sprintf("/votes/%d/results.xlsx", id)} {
			if r := sb.Get(path); r.Status != 404 {
				t.Errorf("street2 %s: %d", path, r.Status)
			}
		}

		env.Clock.Set(voteCloses().Add(time.Hour))
		r = cb.Get(fmt.Sprintf("/votes/%d/results.xlsx", id))
		if r.Status != 200 {
			t.Fatalf("results.xlsx after closing: %d %s", r.Status, r.Body)
		}
		rows = sheetRows(t, "results", r.Body)
		var dismiss []string
		for _, row := range rows {
			if len(row) > 0 && row[0] == "dismiss" {
				dismiss = row
			}
		}
		if len(dismiss) < 9 || dismiss[3] != "2" || dismiss[5] != "0" {
			t.Errorf("results row of dismiss: %v", dismiss)
		}

		// The auditor's recount from the web workspace (issue 16 "auditor's recount in
		// the web UI"): the button on the workspace, the recount kept and shown.
		ws := fmt.Sprintf("/votes/%d/audit", id)
		if body := string(ab.Get(ws).Body); !strings.Contains(body, `action="`+ws+`/recounts"`) {
			t.Error("the workspace of a counted vote has no recount button")
		}
		if r := ab.Submit(ws, ws+"/recounts", url.Values{}); r.Status != 303 {
			t.Fatalf("web recount: %d %s", r.Status, r.Body)
		}
		if body := string(ab.Get(ws).Body); !strings.Contains(body, "重新计票结果与存档结果一致") || !strings.Contains(body, "与存档结果一致</span>") {
			t.Error("the kept recount is not shown as matching")
		}
		if r := cb.Submit(fmt.Sprintf("/votes/%d", id), ws+"/recounts", url.Values{}); r.Status != 403 {
			t.Errorf("the committee recounting: %d", r.Status)
		}

		// The audit log: filtered by action family, paged, exported with the same filters.
		admin := env.Browser()
		admin.Login("admin", env.AdminPW)
		page := admin.Get("/audit?action=" + url.QueryEscape("vote."))
		if page.Status != 200 || !strings.Contains(string(page.Body), `data-action="vote.`) || strings.Contains(string(page.Body), `data-action="roster.`) {
			t.Errorf("audit page filtered to vote.: %d", page.Status)
		}
		r = admin.Get("/audit.xlsx?action=" + url.QueryEscape("vote."))
		rows = sheetRows(t, "audit log", r.Body)
		if len(rows) < 2 {
			t.Fatalf("audit log export: %d rows", len(rows))
		}
		for _, row := range rows[1:] {
			if !strings.HasPrefix(row[4], "vote.") {
				t.Errorf("audit export row outside the filter: %v", row)
			}
		}
		all := sheetRows(t, "audit log", admin.Get("/audit.xlsx").Body)
		if len(all) <= len(rows) {
			t.Errorf("unfiltered export %d rows, filtered %d", len(all), len(rows))
		}
		// A date range: today's entries, none tomorrow.
		today := env.Clock.Now().In(time.FixedZone("CST", 8*3600))
		none := sheetRows(t, "audit log", admin.Get("/audit.xlsx?from="+today.AddDate(0, 0, 30).Format("2006-01-02")).Body)
		if len(none) != 1 {
			t.Errorf("entries after the date range: %d", len(none)-1)
		}
		if r := admin.Get("/audit?estate=abc"); r.Status != 422 {
			t.Errorf("estate filter not a number: %d, want 422 naming the estate", r.Status)
		}
		if r := admin.Get("/audit?from=12-15"); r.Status != 422 || !strings.Contains(string(r.Body), "YYYY-MM-DD") {
			t.Errorf("a bad date: %d", r.Status)
		}
		if r := sb.Get(fmt.Sprintf("/audit?estate=%d", env.Demo.EstateID)); r.Status != 404 {
			t.Errorf("street2 filtering on another street's estate: %d", r.Status)
		}
		// Search by the account that acted, and the page's own paging.
		byCommittee := admin.Get("/audit?actor=committee")
		if !strings.Contains(string(byCommittee.Body), `data-role="committee"`) {
			t.Error("the account filter shows no committee entries")
		}
		if strings.Contains(string(byCommittee.Body), `data-role="admin"`) {
			t.Error("the account filter shows another account")
		}
	})
}
