package handlers_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/supervision"
	"gongzhi/app/testkit"
	"gongzhi/handlers/handlertest"
	"gongzhi/handlers/httpx"
	"gongzhi/models"
)

// TestSupervisionPages: the rates page, its drill-down with the Party form, the XLSX
// exports and the API, through the real router, for a street office whose district
// holds another street office (not counted) and the demo estate (outside the city).
func TestSupervisionPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		clock := app.NewManualClock(testkit.Shanghai(2026, 6, 15, 10, 0))
		env := handlertest.Build(t, db, handlertest.Options{Clock: clock})
		const pw = "Passw0rd-h9-long"
		tr := testkit.NewTree(t, env.Svc.Orgs, env.Svc.Auth, []testkit.TreeEstate{
			{Name: "甲小区", Community: "communityA1"}, {Name: "乙小区", Community: "communityA2"}, {Name: "丙小区", Community: "communityB1"},
		}, []testkit.TreeUser{{Name: "h9st", Role: app.RoleStreet, Org: "streetA"}, {Name: "h9di", Role: app.RoleDistrict, Org: "district"}}, pw)
		now := clock.Now()
		for _, id := range []int64{tr.Estate["甲小区"], tr.Estate["丙小区"], env.Demo.EstateID} {
			if err := db.Create(&models.Committee{EstateID: id, Status: models.CommitteeFiled, Seats: 5, MinMembers: 5, FirstElectedAt: now,
				ProfileCode: "BJ", ProfileVersion: "1", CreatedAt: now, UpdatedAt: now}).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := env.Svc.Supervision.SetTarget(env.Ctx, env.Admin, supervision.TargetInput{OrgID: tr.Org["district"], Year: 2026,
			Indicator: supervision.CommitteeFormation, Percent: 60}); err != nil {
			t.Fatal(err)
		}

		b := env.Browser()
		b.Login("h9st", pw)
		r := b.Get("/supervision")
		body := string(r.Body)
		if r.Status != http.StatusOK || !strings.Contains(body, "业主委员会组建率") || !strings.Contains(body, "1/2") ||
			!strings.Contains(body, "60%") || !strings.Contains(body, "未达标") || !strings.Contains(body, `type="application/json"`) {
			t.Fatalf("rates page %d: %.2000s", r.Status, body)
		}
		// The chart's scripts (vendored ECharts and its init file) may run: the page
		// carries the charts policy, not the default that blocks every script.
		if csp := r.Header.Get("Content-Security-Policy"); csp != httpx.ChartsPolicy {
			t.Errorf("/supervision CSP %q, want the charts policy %q", csp, httpx.ChartsPolicy)
		}
		if strings.Contains(body, "丙小区") || strings.Contains(body, "streetB") {
			t.Error("street A's page shows street B")
		}
		r = b.Get("/supervision?org=" + itoa(tr.Org["streetB"]))
		if r.Status != http.StatusNotFound {
			t.Errorf("street A reading street B: %d", r.Status)
		}
		r = b.Get("/supervision/estates?indicator=party_org")
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "甲小区") || !strings.Contains(string(r.Body), "/party-facts") {
			t.Fatalf("drill-down %d: %.1500s", r.Status, r.Body)
		}
		r = b.Submit("/supervision/estates?indicator=party_org", "/estates/"+itoa(tr.Estate["乙小区"])+"/party-facts",
			url.Values{"has_party_org": {"1"}, "back": {"/supervision/estates?indicator=party_org"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("party form: %d %s", r.Status, r.Body)
		}
		r = b.Get("/supervision")
		if !strings.Contains(string(r.Body), "1/2") {
			t.Error("coverage did not move")
		}

		r = b.Get("/supervision.xlsx")
		if r.Status != http.StatusOK {
			t.Fatalf("xlsx %d", r.Status)
		}
		f, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("rates")
		if err != nil {
			t.Fatal(err)
		}
		last := rows[len(rows)-1]
		// org, estates, then formation: num, den, percent, target, met
		if len(rows) != 5 || last[1] != "2" || last[2] != "1" || last[3] != "2" || last[4] != "50" || last[5] != "60" || last[6] != "否" {
			t.Errorf("xlsx rows %q", rows)
		}
		r = b.Get("/supervision/estates.xlsx?indicator=committee_formation")
		if r.Status != http.StatusOK || len(r.Body) < 100 {
			t.Errorf("drill-down xlsx %d", r.Status)
		}

		tok := env.Token("h9di", pw)
		var rep supervision.Report
		env.API("GET", "/api/v1/supervision/rates", tok, nil).JSON(t, &rep)
		if rep.Total.Estates != 3 || rep.Total.Cell(supervision.CommitteeFormation).Rate != (supervision.Rate{Num: 2, Den: 3}) {
			t.Errorf("district API: %+v", rep.Total)
		}
		if r := env.API("POST", "/api/v1/supervision/targets", tok, map[string]any{"year": 2026, "indicator": "party_org", "percent": 140}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("percent 140: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", "/api/v1/supervision/targets", tok, map[string]any{"year": 2027, "indicator": "party_org", "percent": 60}); r.Status != http.StatusNoContent {
			t.Errorf("set target: %d %s", r.Status, r.Body)
		}
	})
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
