package handlers_test

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"gongzhi/app/database/dbtest"
	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

// TestWorklistScreenshots serves the week's work and the charts of a street office with
// an open vote (ballots cast over several hours), an overdue chair election and an
// overdue complaint, and screenshots them in headless Chromium at 1280 and 390 px into
// $WORKLIST_SHOTS (skipped when unset): for a person to look at.
func TestWorklistScreenshots(t *testing.T) {
	dir := os.Getenv("WORKLIST_SHOTS")
	chromium, err := exec.LookPath("chromium")
	if dir == "" || err != nil {
		t.Skip("set WORKLIST_SHOTS to a directory (and install chromium) to take the screenshots")
	}
	env := newVoteEnv(t, dbtest.SQLite(t), handlertest.Options{})
	tok := env.DemoToken("street")
	id := env.openDemoVote(t, tok)
	creds, answers := env.credentials(t, tok, id), idChecks(t)
	i := 0
	for room, c := range creds {
		if i == 9 {
			break
		}
		env.Clock.Set(voteOpens().Add(time.Duration(1+i*i) * time.Hour))
		if r := env.cast(c.Token, answers[room], map[string]any{"dismiss": "agree", "fund": "agree"}); r.Status == 201 {
			i++
		}
	}
	now := voteOpens().Add(90 * time.Hour)
	env.Clock.Set(now)
	at := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }
	ptr := func(t time.Time) *time.Time { return &t }
	est := env.Demo.EstateID
	c := models.Committee{EstateID: est, Status: models.CommitteeFormed, Seats: 5, MinMembers: 5, AlternatesMax: 2, FirstElectedAt: at(-240),
		FormedAt: ptr(at(-240)), ChairElectBy: ptr(at(-47)), FilingDue: ptr(at(100)), ProfileCode: "national", ProfileVersion: "t", CreatedAt: at(-240), UpdatedAt: at(-240)}
	co := models.PropertyCompany{Name: "安居物业服务有限公司", USCC: "91110000MA00SHOTXX", RegisteredByOrgID: 1, CreatedAt: at(-9000), UpdatedAt: at(-9000)}
	for _, v := range []any{&c, &co} {
		if err := env.DB.DB.Create(v).Error; err != nil {
			t.Fatal(err)
		}
	}
	for k, h := range []int{-240, -30, -2} {
		cp := models.Complaint{EstateID: est, CompanyID: co.ID, Source: "phone", Category: "other", Body: "电梯故障", ComplainantHash: fmt.Sprint("shot", k),
			ReceivedAt: at(h), Cycle: 1, CycleStartedAt: at(h), RespondedAt: ptr(at(h)), CreatedAt: at(h), UpdatedAt: at(h)}
		if err := env.DB.DB.Create(&cp).Error; err != nil {
			t.Fatal(err)
		}
	}
	base := serveSignedIn(t, env.Env, "street", "Demo2026street")
	screenshots(t, chromium, base, dir, 2000, []struct{ path, name string }{{"worklist", "worklist"}, {"worklist/charts", "charts"}})
}
