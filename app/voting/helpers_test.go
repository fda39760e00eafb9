package voting_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/orgs"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

// testClock is a movable clock for the voting service.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// t0 is a Monday morning in Shanghai; schedules in tests are built from it.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, rules.Shanghai())

// schedule is a lawful schedule for the national profile: notice at t0, opening 15
// days later, closing a week after that.
func schedule() (notice, opens, closes time.Time) {
	return t0, t0.AddDate(0, 0, 15), t0.AddDate(0, 0, 22)
}

// adminPrincipal is the platform administrator acting in service tests.
func adminPrincipal() app.Principal { return app.Principal{Username: "admin", Role: app.RoleAdmin} }

// env is a running application with a movable voting clock.
type env struct {
	*handlertest.Env
	clock *testClock
	admin app.Principal
	ctx   context.Context
}

func newEnv(t *testing.T, db dbtest.DB) *env {
	t.Helper()
	e := &env{Env: handlertest.New(t, db), clock: &testClock{t: t0}, admin: adminPrincipal(), ctx: context.Background()}
	e.Svc.Votes.SetClock(e.clock.Now)
	return e
}

// each runs fn on SQLite and (when configured) MariaDB.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) { fn(t, newEnv(t, db)) })
}

// testdata reads a file of the repository's testdata directory.
func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// estateWithRoster returns the demo estate for roster-small.csv, or a new estate of
// the demo community with the roster imported.
func (e *env) estateWithRoster(t *testing.T, roster string) int64 {
	t.Helper()
	if roster == "roster-small.csv" {
		return e.Demo.EstateID
	}
	var community models.Org
	if err := e.DB.Where("name = ?", "和谐社区").Take(&community).Error; err != nil {
		t.Fatal(err)
	}
	var existing models.Estate
	if err := e.DB.Where("name = ?", roster).Take(&existing).Error; err == nil {
		return existing.ID
	}
	id, err := e.Svc.Orgs.CreateEstate(e.ctx, e.admin, orgs.NewEstate{Name: roster, CommunityID: community.ID, ProfileCode: "national"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.Roster.Import(e.ctx, e.admin, id, roster, testdata(t, roster)); err != nil {
		t.Fatalf("importing %s: %v", roster, err)
	}
	return id
}

// golden is testdata/tally-cases.json.
type golden struct {
	Cases []struct {
		Name   string `json:"name"`
		Roster string `json:"roster"`
		Items  []struct {
			Key    string `json:"key"`
			Matter string `json:"matter"`
			Title  string `json:"title"`
		} `json:"items"`
		Ballots []struct {
			Room    string            `json:"room"`
			Choices map[string]string `json:"choices"`
		} `json:"ballots"`
		Expect map[string]goldenExpect `json:"expect"`
	} `json:"cases"`
	Elections []struct {
		Name       string   `json:"name"`
		Roster     string   `json:"roster"`
		Candidates []string `json:"candidates"`
		Seats      int      `json:"seats"`
		Alternates int      `json:"alternates"`
		MinMembers int      `json:"min_members"`
		Ballots    []struct {
			Room  string   `json:"room"`
			Agree []string `json:"agree"`
		} `json:"ballots"`
		Expect goldenElection `json:"expect"`
	} `json:"elections"`
}

type goldenExpect struct {
	TotalArea              string `json:"total_area"`
	TotalHeadcount         int    `json:"total_headcount"`
	ParticipatingArea      string `json:"participating_area"`
	ParticipatingHeadcount int    `json:"participating_headcount"`
	RejectedDuplicates     int    `json:"rejected_duplicates"`
	QuorumMet              bool   `json:"quorum_met"`
	Items                  map[string]struct {
		Class            string `json:"class"`
		AgreeArea        string `json:"agree_area"`
		AgreeHeadcount   int    `json:"agree_headcount"`
		OpposeArea       string `json:"oppose_area"`
		OpposeHeadcount  int    `json:"oppose_headcount"`
		AbstainArea      string `json:"abstain_area"`
		AbstainHeadcount int    `json:"abstain_headcount"`
		Passed           bool   `json:"passed"`
	} `json:"items"`
}

type goldenElection struct {
	ParticipatingArea      string `json:"participating_area"`
	ParticipatingHeadcount int    `json:"participating_headcount"`
	QuorumMet              bool   `json:"quorum_met"`
	Candidates             map[string]struct {
		AgreeHeadcount int    `json:"agree_headcount"`
		AgreeArea      string `json:"agree_area"`
		Qualified      bool   `json:"qualified"`
	} `json:"candidates"`
	Elected         []string `json:"elected"`
	Runoff          []string `json:"runoff"`
	Alternates      []string `json:"alternates"`
	CommitteeFormed bool     `json:"committee_formed"`
	VacantSeats     int      `json:"vacant_seats"`
}

func loadGolden(t testing.TB) golden {
	t.Helper()
	var g golden
	if err := json.Unmarshal(testdata(t, "tally-cases.json"), &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) != 8 || len(g.Elections) != 3 {
		t.Fatalf("unexpected golden file: %d cases, %d elections", len(g.Cases), len(g.Elections))
	}
	return g
}

// createVote drafts a vote with a lawful schedule and returns its id.
func (e *env) createVote(t *testing.T, estateID int64, profile string, items []voting.ItemInput) int64 {
	t.Helper()
	notice, opens, closes := schedule()
	id, err := e.Svc.Votes.Create(e.ctx, e.admin, estateID, voting.NewVote{Title: "测试表决", LegalProfile: profile, Form: voting.FormWritten,
		NoticePublishedAt: notice, OpensAt: opens, ClosesAt: closes, Items: items})
	if err != nil {
		t.Fatalf("create vote: %v", err)
	}
	return id
}

// roomVoters maps every room of an opened vote to its voter id.
func (e *env) roomVoters(t *testing.T, voteID int64) map[string]int64 {
	t.Helper()
	creds, err := e.Svc.Votes.Credentials(e.ctx, e.admin, voteID)
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
