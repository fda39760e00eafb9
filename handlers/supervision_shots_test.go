package handlers_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/supervision"
	"gongzhi/app/testkit"
	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

// TestSupervisionScreenshots serves the rates dashboard, a drill-down and the charts of
// a district with two street offices, and its monthly report, and screenshots them in
// headless Chromium at 1280 and 390 px (the report as PNG through pdftoppm) into
// $SUPERVISION_SHOTS (skipped when unset): for a person to look at.
func TestSupervisionScreenshots(t *testing.T) {
	dir := os.Getenv("SUPERVISION_SHOTS")
	chromium, err := exec.LookPath("chromium")
	if dir == "" || err != nil {
		t.Skip("set SUPERVISION_SHOTS to a directory (and install chromium) to take the screenshots")
	}
	clock := app.NewManualClock(testkit.Shanghai(2026, 6, 15, 10, 0))
	env := handlertest.Build(t, dbtest.SQLite(t), handlertest.Options{Clock: clock})
	const pw = "Passw0rd-h3-shots"
	var estates []testkit.TreeEstate
	for i := range 12 {
		community := []string{"communityA1", "communityA2", "communityB1"}[i%3]
		estates = append(estates, testkit.TreeEstate{Name: fmt.Sprintf("%s小区%02d", []string{"和平", "光明", "幸福"}[i%3], i+1), Community: community})
	}
	tr := testkit.NewTree(t, env.Svc.Orgs, env.Svc.Auth, estates, []testkit.TreeUser{{Name: "h3di", Role: app.RoleDistrict, Org: "district"}}, pw)
	now := clock.Now()
	for k, te := range estates { // in order: the same pictures every run
		id, i := tr.Estate[te.Name], k+1
		status := []string{models.CommitteeFiled, models.CommitteeFormed, models.CommitteeFiled, ""}[i%4]
		if status != "" {
			if err := env.DB.DB.Create(&models.Committee{EstateID: id, Status: status, Seats: 5, MinMembers: 5, FirstElectedAt: now,
				ProfileCode: "BJ", ProfileVersion: "1", CreatedAt: now, UpdatedAt: now}).Error; err != nil {
				t.Fatal(err)
			}
		}
		if i%3 != 0 {
			if err := env.DB.DB.Create(&models.EstatePartyFacts{EstateID: id, HasPartyOrg: true, PartyWorkGroup: i%2 == 0, RecordedOn: "2026-06-01",
				CreatedAt: now, UpdatedAt: now}).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, in := range []supervision.TargetInput{
		{OrgID: tr.Org["district"], Year: 2026, Indicator: supervision.CommitteeFormation, Percent: 60},
		{OrgID: tr.Org["district"], Year: 2026, Indicator: supervision.PartyOrgCoverage, Percent: 80},
		{OrgID: tr.Org["district"], Year: 2026, Indicator: supervision.PropertyCoverage, Percent: 60},
	} {
		if err := env.Svc.Supervision.SetTarget(env.Ctx, env.Admin, in); err != nil {
			t.Fatal(err)
		}
	}
	base := serveSignedIn(t, env, "h3di", pw)
	screenshots(t, chromium, base, dir, 1800, []struct{ path, name string }{
		{"supervision", "supervision"},
		{"supervision/estates?indicator=committee_formation", "supervision-estates"},
		{"worklist/charts", "worklist-charts"},
	})
	clock.Set(clock.Now().Add(time.Hour))
	district, err := models.FindOrg(env.Ctx, env.DB.DB, tr.Org["district"])
	if err != nil {
		t.Fatal(err)
	}
	p := app.Principal{Username: "h3di", Role: app.RoleDistrict, OrgID: district.ID, OrgPath: district.Path}
	f, _, err := env.Svc.Reports.Generate(env.Ctx, p, district.ID, "2026-06")
	if err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(dir, "monthly-report.pdf")
	if err := os.WriteFile(pdf, f.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("pdftoppm", "-png", "-r", "80", pdf, filepath.Join(dir, "monthly-report")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, b)
	}
}
