package voting_test

import (
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/testkit"
	"gongzhi/app/testkit/fixtures"
	"gongzhi/app/voting"
)

// t0 is a Monday morning in Shanghai; schedules in tests are built from it.
var t0 = testkit.T0

// schedule is a lawful schedule for the national profile: notice at t0, opening 15
// days later, closing a week after that.
func schedule() (notice, opens, closes time.Time) {
	return testkit.T0, testkit.Opens, testkit.Closes
}

// adminPrincipal is the platform administrator acting in service tests.
func adminPrincipal() app.Principal { return testkit.Admin }

// env is the seeded service layer (app/testkit) on a manual clock standing at t0.
type env struct{ *testkit.Env }

func newEnv(t *testing.T, db dbtest.DB) *env {
	t.Helper()
	return &env{testkit.NewWith(t, db, testkit.Options{Clock: app.NewManualClock(t0)})}
}

// each runs fn on SQLite and (when configured) MariaDB.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) { fn(t, newEnv(t, db)) })
}

// testdata reads a file of the repository's testdata directory.
func testdata(t testing.TB, name string) []byte { return fixtures.Read(t, name) }

// estateWithRoster returns the demo estate for roster-small.csv, or a new estate of
// the demo community with the roster imported.
func (e *env) estateWithRoster(t *testing.T, roster string) int64 {
	t.Helper()
	return e.EstateWithRoster(t, roster)
}

// goldenExpect and goldenElection are the golden file's expectations (app/testkit/fixtures).
type (
	goldenExpect   = fixtures.Expect
	goldenElection = fixtures.ElectionExpect
)

func loadGolden(t testing.TB) fixtures.Golden { return fixtures.LoadGolden(t) }

// createVote drafts a vote with a lawful schedule and returns its id.
func (e *env) createVote(t *testing.T, estateID int64, profile string, items []voting.ItemInput) int64 {
	t.Helper()
	notice, opens, closes := schedule()
	id, err := e.Svc.Votes.Create(e.Ctx, e.Admin, estateID, voting.NewVote{Title: "测试表决", LegalProfile: profile, Form: voting.FormWritten,
		NoticePublishedAt: notice, OpensAt: opens, ClosesAt: closes, Items: items})
	if err != nil {
		t.Fatalf("create vote: %v", err)
	}
	return id
}

// roomVoters maps every room of an opened vote to its voter id.
func (e *env) roomVoters(t *testing.T, voteID int64) map[string]int64 {
	t.Helper()
	creds, err := e.Svc.Votes.Credentials(e.Ctx, e.Admin, voteID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, c := range creds {
		for _, r := range c.Rooms {
			out[r] = c.VoterID
		}
	}
	return out
}
